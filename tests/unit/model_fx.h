/* A region pair built from files written into a fresh temporary folder, for the unit tests
 * of the model and the rules: fx_new(), fx_put() each file, fx_build(), fx_free(). The
 * pair is us-east-1 -> us-west-2 unless a .regionlint.yaml written there says otherwise. */
#ifndef RL_TEST_MODEL_FX_H
#define RL_TEST_MODEL_FX_H

#include <criterion/criterion.h>
#include <regionlint/model.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
    char dir[64];
    rl_inputs *in;
    rl_config *cfg;
    rl_model *m;
} fx;

static inline fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    cr_assert_not_null(f);
    strcpy(f->dir, "/tmp/rl-fx-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

static inline void fx_put(fx *f, const char *name, const char *text)
{
    char path[512], cmd[600];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static inline void fx_build(fx *f)
{
    static const char *standby[] = {"us-west-2"};
    rl_error err;
    rl_error_clear(&err);
    char cfgpath[256];
    snprintf(cfgpath, sizeof(cfgpath), "%s/.regionlint.yaml", f->dir);
    if (access(cfgpath, R_OK) == 0)
        cr_assert_eq(rl_config_load(&f->cfg, cfgpath, &err), 0, "%s", err.message);
    else
        cr_assert_eq(rl_config_empty(&f->cfg), 0);
    cr_assert_eq(rl_inputs_new(&f->in), 0);
    cr_assert_eq(rl_inputs_add_path(f->in, f->dir, NULL, &err), 0, "%s", err.message);
    rl_inputs_load(f->in, NULL);
    rl_inputs_classify(f->in, f->cfg);
    rl_inputs_attribute(f->in, f->cfg);
    rl_model_opts o = {"us-east-1", standby, 1, RL_STRATEGY_WARM_STANDBY, 3600, ~0u, {0, 0, 0}};
    cr_assert_eq(rl_model_build(&f->m, f->in, f->cfg, &o, &err), 0, "%s", err.message);
}

static inline void fx_free(fx *f)
{
    char cmd[128];
    rl_model_free(f->m);
    rl_inputs_free(f->in);
    rl_config_free(f->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

#endif
