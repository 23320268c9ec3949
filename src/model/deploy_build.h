/* Internals of the deployment-model builders (deploy.c: CodePipeline, stack sets, Terraform,
 * snapshots; deploy_ci.c: GitHub Actions, GitLab CI and the shell-script reader). */
#ifndef RL_MODEL_DEPLOY_BUILD_H
#define RL_MODEL_DEPLOY_BUILD_H

#include "deploy.h"
#include "model_private.h"

#define RL_FB_NONE ((size_t)-1)
/* Steps per flow: a matrix of matrices must not make the rules quadratic in a big way. */
#define RL_FB_MAX_NODES 4096

typedef struct rl_dbuild {
    rl_model *m;
    rl_arena *a;
    rl_flow *flows;
    size_t nflows, capflows;
    rl_snap *snaps;
    size_t nsnaps, capsnaps;
} rl_dbuild;

/* One flow being built: steps are appended in an order where predecessors come first. */
typedef struct rl_fbuild {
    rl_dbuild *db;
    rl_arena *a;
    const rl_input *in;
    const char *file;
    rl_flow flow;
    rl_dnode *nodes;
    size_t nnodes, capnodes;
    rl_dgroup *groups;
    size_t ngroups, capgroups;
    int rc; /* RL_ENOMEM once an allocation failed: later calls do nothing */
} rl_fbuild;

void rl_fb_begin(rl_fbuild *fb, rl_dbuild *db, rl_flow_kind kind, const rl_input *in,
                 const char *name);
/* Adds a group (copied); returns its index, or RL_FB_NONE when out of memory. */
size_t rl_fb_group(rl_fbuild *fb, const rl_dgroup *g);
/* Adds a step (copied, preds copied); returns its index, or RL_FB_NONE when out of memory
 * or past RL_FB_MAX_NODES. Every index in preds must be smaller than the new index. */
size_t rl_fb_node(rl_fbuild *fb, const rl_dnode *n, const size_t *preds, size_t npreds);
/* Keeps the flow when it deploys to some region; frees the build buffers either way.
 * Returns fb->rc. */
int rl_fb_end(rl_fbuild *fb);
/* Location of a node of the flow's input; path is copied. */
rl_dloc rl_fb_loc(const rl_fbuild *fb, const rl_node *n, const char *path);
/* Location of bytes [off, off+len) of a scalar (exact when the source holds them verbatim). */
rl_dloc rl_fb_subloc(const rl_fbuild *fb, const rl_node *scalar, size_t off, size_t len,
                     const char *path);
const char *rl_fb_printf(rl_fbuild *fb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The interned region when s (len bytes) is a region code, else NULL. */
const char *rl_db_region(rl_dbuild *db, const char *s, size_t len);
/* What a deploy targets, comparable across regions: the name with region codes removed;
 * NULL for NULL. */
const char *rl_db_target(rl_dbuild *db, const char *name);

/* A name that says a step waits or watches (wait, bake, soak, sleep, monitor, alarm). */
bool rl_db_bake_name(const char *s);
/* A name that says a job deploys (deploy, release, rollout, promote). */
bool rl_db_deploy_name(const char *s);

int rl_deploy_add_github(rl_dbuild *db, const rl_input *in);
int rl_deploy_add_gitlab(rl_dbuild *db, const rl_input *in);

/* ---- shell scripts (run:, script:, CodePipeline Commands) ------------------------------ */

typedef enum rl_sh_kind {
    RL_SH_DEPLOY = 1, /* a command that deploys */
    RL_SH_GATE,       /* sleep / Start-Sleep */
    RL_SH_SETVAR      /* export X=Y or X=Y alone: later commands see it */
} rl_sh_kind;

typedef struct rl_sh_event {
    rl_sh_kind kind;
    size_t off, len;         /* the command's bytes in the script */
    const char *region;      /* deploy: region named by the command itself, or NULL */
    const char *via;         /* how: "--region", "AWS_REGION=", "argument" */
    const char *target;      /* deploy: --stack-name value, or NULL */
    const char *text;        /* the command, shortened, for messages */
    long seconds;            /* gate: -1 when not known */
    const char *var, *value; /* setvar */
} rl_sh_event;

/* Resolves ${{ expr }} (GitHub) and $NAME variables the script does not set itself;
 * returns the value or NULL. `expr` is the text between ${{ and }} (trimmed), or the name. */
typedef const char *(*rl_sh_lookup)(void *ctx, bool expression, const char *name);
typedef int (*rl_sh_fn)(void *ctx, const rl_sh_event *ev);

/* Reads a shell script command by command (for-loops over words are unrolled, if/case
 * bodies read in order) and calls fn for deploys, sleeps and variable assignments. Returns
 * fn's non-zero value, 0, or RL_ENOMEM. */
int rl_sh_scan(rl_dbuild *db, const char *script, size_t len, rl_sh_lookup lookup, void *lctx,
               rl_sh_fn fn, void *fctx);

#endif
