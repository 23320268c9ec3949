/* The deployment model of CI files: GitHub Actions workflows and GitLab CI pipelines become
 * flows of steps (jobs ordered by needs/stages, matrix instances, steps and script commands
 * in order), and the shell reader that finds deploys, sleeps and region settings in run:,
 * script: and CodePipeline Commands. How a job's region is found is documented in
 * docs/rules/RL401.md. */
#include "deploy_build.h"

#include "../base/strbuf.h"
#include "../base/time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNKNOWN_CH '\x01' /* stands for a value that cannot be known in an expanded word */

/* ---- shell scripts --------------------------------------------------------------------- */

typedef struct sh_word {
    size_t off, len;
} sh_word;

#define SH_MAX_WORDS 64

typedef struct sh_cmd {
    size_t off, len;
    sh_word w[SH_MAX_WORDS];
    size_t nw;
} sh_cmd;

typedef struct sh_var {
    const char *name, *value;
} sh_var;

typedef struct sh {
    rl_dbuild *db;
    const char *s;
    size_t len;
    rl_sh_lookup lookup;
    void *lctx;
    rl_sh_fn fn;
    void *fctx;
    sh_cmd *cmds;
    size_t ncmds, capcmds;
    sh_var vars[32]; /* set by the script: assignments, exports, loop variables */
    size_t nvars;
    int rc;
    unsigned events;
} sh;

static bool sh_sep(char c)
{
    return c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')';
}

static void sh_push(sh *p, sh_cmd *c)
{
    if (!c->nw)
        return;
    c->len = c->w[c->nw - 1].off + c->w[c->nw - 1].len - c->off;
    if (p->ncmds == p->capcmds) {
        size_t ncap = p->capcmds ? p->capcmds * 2 : 16;
        sh_cmd *n = realloc(p->cmds, ncap * sizeof(*n));
        if (!n) {
            p->rc = RL_ENOMEM;
            return;
        }
        p->cmds = n;
        p->capcmds = ncap;
    }
    p->cmds[p->ncmds++] = *c;
    c->nw = 0;
}

/* End of a word starting at i: quotes, ${{ }}, ${...}, $(...) and backquotes are kept whole. */
static size_t sh_word_end(const char *s, size_t len, size_t i)
{
    while (i < len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || sh_sep(c))
            break;
        if (c == '\\' && i + 1 < len) {
            i += 2;
        } else if (c == '\'') {
            const char *q = memchr(s + i + 1, '\'', len - i - 1);
            i = q ? (size_t)(q - s) + 1 : len;
        } else if (c == '"') {
            i++;
            while (i < len && s[i] != '"')
                i += s[i] == '\\' && i + 1 < len ? 2 : 1;
            i = i < len ? i + 1 : len;
        } else if (c == '`') {
            const char *q = memchr(s + i + 1, '`', len - i - 1);
            i = q ? (size_t)(q - s) + 1 : len;
        } else if (c == '$' && i + 1 < len && (s[i + 1] == '{' || s[i + 1] == '(')) {
            char open = s[i + 1], close = open == '{' ? '}' : ')';
            int depth = 0;
            for (i++; i < len; i++) {
                if (s[i] == open)
                    depth++;
                else if (s[i] == close && --depth == 0) {
                    i++;
                    break;
                }
            }
        } else {
            i++;
        }
    }
    return i;
}

static void sh_tokenize(sh *p)
{
    sh_cmd c;
    memset(&c, 0, sizeof(c));
    size_t i = 0;
    const char *s = p->s;
    while (i < p->len && !p->rc) {
        char ch = s[i];
        if (ch == '\\' && i + 1 < p->len && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
            i += 2;
        } else if (ch == ' ' || ch == '\t' || ch == '\r') {
            i++;
        } else if (sh_sep(ch)) {
            sh_push(p, &c);
            i += (ch == '&' || ch == '|') && i + 1 < p->len && s[i + 1] == ch ? 2 : 1;
        } else if (ch == '#' && c.nw == 0) {
            while (i < p->len && s[i] != '\n')
                i++;
        } else {
            size_t e = sh_word_end(s, p->len, i);
            if (c.nw == 0)
                c.off = i;
            if (c.nw < SH_MAX_WORDS)
                c.w[c.nw++] = (sh_word){i, e - i};
            i = e;
        }
    }
    sh_push(p, &c);
}

static const char *sh_var_get(sh *p, const char *name)
{
    for (size_t i = p->nvars; i-- > 0;)
        if (!strcmp(p->vars[i].name, name))
            return p->vars[i].value;
    return p->lookup ? p->lookup(p->lctx, false, name) : NULL;
}

static void sh_var_set(sh *p, const char *name, const char *value)
{
    for (size_t i = 0; i < p->nvars; i++)
        if (!strcmp(p->vars[i].name, name)) {
            p->vars[i].value = value;
            return;
        }
    if (p->nvars < sizeof(p->vars) / sizeof(*p->vars))
        p->vars[p->nvars++] = (sh_var){name, value};
}

static void sh_expand_dollar(sh *p, const char *s, size_t len, size_t *i, rl_strbuf *b)
{
    size_t j = *i + 1;
    if (j + 1 < len && s[j] == '{' && s[j + 1] == '{') {
        /* ${{ expression }} (GitHub) */
        const char *end = NULL;
        for (size_t k = j + 2; k + 1 < len && !end; k++)
            if (s[k] == '}' && s[k + 1] == '}')
                end = s + k;
        if (!end) {
            rl_strbuf_putc(b, UNKNOWN_CH);
            *i = len;
            return;
        }
        char expr[256];
        size_t a = j + 2, e = (size_t)(end - s);
        while (a < e && s[a] == ' ')
            a++;
        while (e > a && s[e - 1] == ' ')
            e--;
        snprintf(expr, sizeof(expr), "%.*s", (int)(e - a), s + a);
        const char *v = p->lookup ? p->lookup(p->lctx, true, expr) : NULL;
        rl_strbuf_puts(b, v ? v : "\x01");
        *i = (size_t)(end - s) + 2;
        return;
    }
    if (j < len && (s[j] == '(' || s[j] == '{')) {
        char open = s[j], close = open == '{' ? '}' : ')';
        int depth = 0;
        size_t k = j;
        for (; k < len; k++) {
            if (s[k] == open)
                depth++;
            else if (s[k] == close && --depth == 0)
                break;
        }
        if (open == '{' && k < len) {
            /* ${NAME}, ${NAME:-default} */
            char name[128];
            size_t nl = 0, a = j + 1;
            while (a < k && (isalnum((unsigned char)s[a]) || s[a] == '_') && nl + 1 < sizeof(name))
                name[nl++] = s[a++];
            name[nl] = '\0';
            const char *v = nl ? sh_var_get(p, name) : NULL;
            if (!v && a + 1 < k && s[a] == ':' && s[a + 1] == '-') {
                char def[256];
                snprintf(def, sizeof(def), "%.*s", (int)(k - a - 2), s + a + 2);
                rl_strbuf_puts(b, def);
            } else {
                rl_strbuf_puts(b, v ? v : "\x01");
            }
        } else {
            rl_strbuf_putc(b, UNKNOWN_CH); /* $(command) */
        }
        *i = k < len ? k + 1 : len;
        return;
    }
    if (j < len && (isalpha((unsigned char)s[j]) || s[j] == '_')) {
        char name[128];
        size_t nl = 0;
        while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_') && nl + 1 < sizeof(name))
            name[nl++] = s[j++];
        name[nl] = '\0';
        const char *v = sh_var_get(p, name);
        rl_strbuf_puts(b, v ? v : "\x01");
        *i = j;
        return;
    }
    if (j < len && strchr("0123456789@*#?$!-", s[j])) {
        rl_strbuf_putc(b, UNKNOWN_CH);
        *i = j + 1;
        return;
    }
    rl_strbuf_putc(b, '$');
    *i = j;
}

/* The word's value: quotes removed, variables and expressions substituted. */
static char *sh_expand(sh *p, const char *s, size_t len)
{
    rl_strbuf b = RL_STRBUF_INIT;
    rl_strbuf_puts(&b, "");
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == '\\' && i + 1 < len) {
            rl_strbuf_putc(&b, s[i + 1]);
            i += 2;
        } else if (c == '\'') {
            const char *q = memchr(s + i + 1, '\'', len - i - 1);
            size_t e = q ? (size_t)(q - s) : len;
            rl_strbuf_append(&b, s + i + 1, e - i - 1);
            i = e + 1;
        } else if (c == '"') {
            for (i++; i < len && s[i] != '"';) {
                if (s[i] == '\\' && i + 1 < len && strchr("\"\\$`", s[i + 1])) {
                    rl_strbuf_putc(&b, s[i + 1]);
                    i += 2;
                } else if (s[i] == '$') {
                    sh_expand_dollar(p, s, len, &i, &b);
                } else if (s[i] == '`') {
                    const char *q = memchr(s + i + 1, '`', len - i - 1);
                    rl_strbuf_putc(&b, UNKNOWN_CH);
                    i = q ? (size_t)(q - s) + 1 : len;
                } else {
                    rl_strbuf_putc(&b, s[i++]);
                }
            }
            i++;
        } else if (c == '$') {
            sh_expand_dollar(p, s, len, &i, &b);
        } else if (c == '`') {
            const char *q = memchr(s + i + 1, '`', len - i - 1);
            rl_strbuf_putc(&b, UNKNOWN_CH);
            i = q ? (size_t)(q - s) + 1 : len;
        } else {
            rl_strbuf_putc(&b, c);
            i++;
        }
    }
    if (b.failed) {
        rl_strbuf_free(&b);
        p->rc = RL_ENOMEM;
        return NULL;
    }
    char *r = rl_arena_strndup(p->db->a, rl_strbuf_cstr(&b), b.len);
    rl_strbuf_free(&b);
    if (!r)
        p->rc = RL_ENOMEM;
    return r;
}

static bool valid_name(const char *s, size_t len)
{
    if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

/* NAME=VALUE: returns the length of NAME, 0 when the word is not an assignment. */
static size_t assignment(const char *raw, size_t len)
{
    const char *eq = memchr(raw, '=', len);
    return eq && valid_name(raw, (size_t)(eq - raw)) ? (size_t)(eq - raw) : 0;
}

/* Variables whose value is the region a command deploys to. */
static bool region_var(const char *name)
{
    static const char *const names[] = {
        "AWS_REGION",    "AWS_DEFAULT_REGION", "CDK_DEFAULT_REGION", "REGION",
        "DEPLOY_REGION", "TARGET_REGION",      "AWS_DEPLOY_REGION"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

/* The one region code that appears in the words (as a whole word or a part between
 * separators, as in deploy-us-west-2), or NULL when none or several. Options and
 * NAME=VALUE words do not count: they are parameters (PeerRegion=us-east-1). */
static const char *positional_region(sh *p, char **ex, size_t from, size_t n)
{
    const char *found = NULL;
    for (size_t k = from; k < n; k++) {
        const char *w = ex[k];
        if (!w || w[0] == '-' || strchr(w, '=') || !strncmp(w, "arn:", 4))
            continue;
        size_t wl = strlen(w);
        for (size_t i = 0; i < wl; i++) {
            if (i && isalnum((unsigned char)w[i - 1]))
                continue;
            for (size_t l = 20; l >= 9; l--) {
                if (i + l > wl || (i + l < wl && isalnum((unsigned char)w[i + l])))
                    continue;
                const char *r = rl_db_region(p->db, w + i, l);
                if (!r)
                    continue;
                if (found && found != r)
                    return NULL;
                found = r;
                break;
            }
        }
    }
    return found;
}

/* Deploying operations of the AWS CLI (`aws <service> <operation>`). */
static bool aws_deploy_op(const char *op)
{
    static const char *const ops[] = {"deploy",
                                      "create-stack",
                                      "update-stack",
                                      "execute-change-set",
                                      "update-stack-set",
                                      "create-stack-instances",
                                      "update-stack-instances",
                                      "update-service",
                                      "update-function-code",
                                      "update-alias",
                                      "create-deployment",
                                      "start-pipeline-execution",
                                      "update-environment"};
    for (size_t i = 0; op && i < sizeof(ops) / sizeof(*ops); i++)
        if (!strcmp(op, ops[i]))
            return true;
    return false;
}

static bool word_is(const char *w, const char *s)
{
    return w && !strcasecmp(w, s);
}

static bool contains_ci(const char *s, const char *needle)
{
    size_t nl = strlen(needle);
    for (; s && *s; s++)
        if (!strncasecmp(s, needle, nl))
            return true;
    return false;
}

static const char *base_name(const char *w)
{
    const char *slash = w ? strrchr(w, '/') : NULL;
    return slash ? slash + 1 : w;
}

static bool is_deploy(char **ex, size_t n)
{
    const char *cmd = base_name(ex[0]);
    if (word_is(cmd, "aws")) {
        /* aws [options] service operation: the operation decides (aws deploy get-... is
         * CodeDeploy's read API, aws cloudformation deploy deploys) */
        size_t k = 1, seen = 0;
        for (; k < n && seen < 2; k++) {
            if (ex[k] && ex[k][0] == '-') {
                if (!strchr(ex[k], '=') && k + 1 < n && ex[k + 1] && ex[k + 1][0] != '-')
                    k++;
                continue;
            }
            if (++seen == 2)
                return aws_deploy_op(ex[k]);
        }
        return false;
    }
    if (word_is(cmd, "terraform") || word_is(cmd, "tofu") || word_is(cmd, "terragrunt") ||
        word_is(cmd, "cdktf")) {
        for (size_t k = 1; k < n; k++)
            if (word_is(ex[k], "apply") || word_is(ex[k], "deploy") || word_is(ex[k], "destroy"))
                return true;
        return false;
    }
    if (word_is(cmd, "kubectl")) {
        /* changes to what runs; `rollout status`, `get`, `describe` only read */
        for (size_t k = 1; k < n; k++) {
            if (word_is(ex[k], "apply") || word_is(ex[k], "create") || word_is(ex[k], "replace") ||
                word_is(ex[k], "patch") || word_is(ex[k], "set") || word_is(ex[k], "scale"))
                return true;
            if (word_is(ex[k], "rollout") && k + 1 < n &&
                (word_is(ex[k + 1], "restart") || word_is(ex[k + 1], "undo")))
                return true;
        }
        return false;
    }
    if (word_is(cmd, "pulumi"))
        return n > 1 && word_is(ex[1], "up");
    if (word_is(cmd, "helm"))
        return n > 1 && (word_is(ex[1], "upgrade") || word_is(ex[1], "install"));
    static const char *const quiet[] = {
        "echo", "printf", "cat",    ":",     "true", "false", "test",   "[",      "[[",    "ls",
        "cd",   "pwd",    "mkdir",  "rm",    "cp",   "mv",    "chmod",  "source", ".",     "tee",
        "grep", "sed",    "awk",    "jq",    "read", "exit",  "return", "set",    "unset", "trap",
        "wait", "local",  "export", "sleep", "git",  "curl",  "wget",   "pip",    "pip3"};
    for (size_t i = 0; i < sizeof(quiet) / sizeof(*quiet); i++)
        if (word_is(cmd, quiet[i]))
            return false;
    /* sam deploy, cdk deploy, sls deploy, copilot svc deploy, ./deploy.sh, make deploy-west,
     * npm run deploy:prod */
    for (size_t k = 0; k < n; k++)
        if (ex[k] && ex[k][0] != '-' && !strchr(ex[k], '=') && contains_ci(ex[k], "deploy") &&
            !contains_ci(ex[k], "undeploy"))
            return true;
    return false;
}

static const char *sh_text(sh *p, const sh_cmd *c)
{
    /* the command on one line, shortened: the start says which command it is */
    char buf[84];
    size_t o = 0;
    bool space = false, cut = false;
    for (size_t i = c->off; i < c->off + c->len; i++) {
        char ch = p->s[i];
        if (ch == '\\' && i + 1 < c->off + c->len && (p->s[i + 1] == '\n' || p->s[i + 1] == '\r'))
            continue;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            space = o > 0;
            continue;
        }
        if (o + (space ? 2 : 1) > 56) {
            cut = true;
            break;
        }
        if (space)
            buf[o++] = ' ';
        space = false;
        buf[o++] = ch == '`' ? '\'' : ch;
    }
    if (cut) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return rl_arena_strdup(p->db->a, buf);
}

static void sh_emit(sh *p, const rl_sh_event *ev)
{
    if (p->rc || p->events > 4096)
        return;
    p->events++;
    int rc = p->fn(p->fctx, ev);
    if (rc)
        p->rc = rc;
}

static const char *first_word(sh *p, const sh_cmd *c, size_t *skip)
{
    static const char *const kw[] = {"then", "else", "do",   "{",     "!",
                                     "time", "if",   "elif", "while", "until"};
    *skip = 0;
    while (*skip < c->nw) {
        const sh_word *w = &c->w[*skip];
        bool is_kw = false;
        for (size_t i = 0; i < sizeof(kw) / sizeof(*kw) && !is_kw; i++)
            is_kw = strlen(kw[i]) == w->len && !memcmp(p->s + w->off, kw[i], w->len);
        if (!is_kw)
            break;
        (*skip)++;
    }
    if (*skip >= c->nw)
        return NULL;
    return p->s + c->w[*skip].off;
}

static bool word_eq(const sh *p, const sh_word *w, const char *s)
{
    return strlen(s) == w->len && !memcmp(p->s + w->off, s, w->len);
}

static void sh_run(sh *p, size_t from, size_t to, int depth);

/* Index of the command that closes a loop whose body starts at `from`, or `to`. */
static size_t loop_end(sh *p, size_t from, size_t to)
{
    int depth = 1;
    for (size_t k = from; k < to; k++) {
        const sh_cmd *c = &p->cmds[k];
        for (size_t i = 0; i < c->nw; i++) {
            if (word_eq(p, &c->w[i], "for") || word_eq(p, &c->w[i], "while") ||
                word_eq(p, &c->w[i], "until") || word_eq(p, &c->w[i], "select"))
                depth++;
            else if (word_eq(p, &c->w[i], "done") && --depth == 0)
                return k;
        }
    }
    return to;
}

static void sh_command(sh *p, const sh_cmd *c, size_t skip)
{
    char *ex[SH_MAX_WORDS];
    size_t n = 0, nassign = 0;
    const char *assigned[8][2];
    size_t k = skip;
    /* leading NAME=VALUE words: the command's own environment, or assignments */
    for (; k < c->nw; k++) {
        size_t nl = assignment(p->s + c->w[k].off, c->w[k].len);
        if (!nl)
            break;
        const char *name = rl_arena_strndup(p->db->a, p->s + c->w[k].off, nl);
        const char *value = sh_expand(p, p->s + c->w[k].off + nl + 1, c->w[k].len - nl - 1);
        if (!name || !value)
            return;
        if (nassign < 8) {
            assigned[nassign][0] = name;
            assigned[nassign][1] = value;
            nassign++;
        }
    }
    bool is_export = k < c->nw && (word_eq(p, &c->w[k], "export") ||
                                   (word_eq(p, &c->w[k], "declare") && k + 1 < c->nw));
    if (k == c->nw || is_export) {
        if (is_export)
            for (size_t j = k + 1; j < c->nw && nassign < 8; j++) {
                size_t nl = assignment(p->s + c->w[j].off, c->w[j].len);
                if (!nl)
                    continue;
                assigned[nassign][0] = rl_arena_strndup(p->db->a, p->s + c->w[j].off, nl);
                assigned[nassign][1] =
                    sh_expand(p, p->s + c->w[j].off + nl + 1, c->w[j].len - nl - 1);
                if (!assigned[nassign][0] || !assigned[nassign][1])
                    return;
                nassign++;
            }
        for (size_t j = 0; j < nassign; j++) {
            sh_var_set(p, assigned[j][0], assigned[j][1]);
            rl_sh_event ev;
            memset(&ev, 0, sizeof(ev));
            ev.kind = RL_SH_SETVAR;
            ev.off = c->off;
            ev.len = c->len;
            ev.var = assigned[j][0];
            ev.value = assigned[j][1];
            sh_emit(p, &ev);
        }
        return;
    }
    for (; k < c->nw && n < SH_MAX_WORDS; k++) {
        ex[n] = sh_expand(p, p->s + c->w[k].off, c->w[k].len);
        if (!ex[n])
            return;
        n++;
    }
    if (!n)
        return;
    rl_sh_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.off = c->off;
    ev.len = c->len;
    const char *cmd = base_name(ex[0]);
    if (word_is(cmd, "sleep") || word_is(cmd, "start-sleep")) {
        long total = 0;
        bool ps = word_is(cmd, "start-sleep");
        for (size_t j = 1; j < n && total >= 0; j++) {
            if (ps && ex[j][0] == '-') {
                bool ms = !strncasecmp(ex[j], "-m", 2);
                if (j + 1 < n) {
                    long v = rl_duration_parse(ex[++j], RL_DURATION_WORDS);
                    total = v < 0 ? -1 : total + (ms ? v / 1000 : v);
                }
                continue;
            }
            long v = strchr(ex[j], UNKNOWN_CH) ? -1 : rl_duration_parse(ex[j], RL_DURATION_WORDS);
            total = v < 0 ? -1 : total + v;
        }
        ev.kind = RL_SH_GATE;
        ev.seconds = n > 1 ? total : -1;
        ev.text = sh_text(p, c);
        sh_emit(p, &ev);
        return;
    }
    if (!is_deploy(ex, n))
        return;
    ev.kind = RL_SH_DEPLOY;
    ev.text = sh_text(p, c);
    for (size_t j = 1; j < n; j++) {
        const char *v = NULL;
        bool opt = false;
        if (!strcmp(ex[j], "--region") && j + 1 < n) {
            v = ex[j + 1];
            opt = true;
        } else if (!strncmp(ex[j], "--region=", 9)) {
            v = ex[j] + 9;
            opt = true;
        }
        if (opt && !ev.via) {
            ev.region = rl_db_region(p->db, v, strlen(v));
            ev.via = "--region";
        }
        if (!strcmp(ex[j], "--stack-name") && j + 1 < n)
            ev.target = ex[j + 1];
        else if (!strncmp(ex[j], "--stack-name=", 13))
            ev.target = ex[j] + 13;
    }
    for (size_t j = 0; j < nassign && !ev.via; j++)
        if (region_var(assigned[j][0])) {
            ev.region = rl_db_region(p->db, assigned[j][1], strlen(assigned[j][1]));
            ev.via = rl_arena_printf(p->db->a, "%s=", assigned[j][0]);
        }
    if (!ev.via && (ev.region = positional_region(p, ex, 1, n)))
        ev.via = "an argument";
    for (size_t j = 0; j < p->nvars && !ev.via; j++)
        if (region_var(p->vars[j].name) && p->vars[j].value) {
            ev.region = rl_db_region(p->db, p->vars[j].value, strlen(p->vars[j].value));
            ev.via = rl_arena_printf(p->db->a, "%s set in the script", p->vars[j].name);
        }
    if (ev.via && !ev.region)
        ev.via = NULL; /* named but unknown ($REGION from outside): the caller's state applies */
    if (ev.target && strchr(ev.target, UNKNOWN_CH))
        ev.target = NULL;
    sh_emit(p, &ev);
}

static void sh_run(sh *p, size_t from, size_t to, int depth)
{
    for (size_t k = from; k < to && !p->rc; k++) {
        const sh_cmd *c = &p->cmds[k];
        size_t skip;
        const char *w0 = first_word(p, c, &skip);
        if (!w0)
            continue;
        const sh_word *w = &c->w[skip];
        if (word_eq(p, w, "fi") || word_eq(p, w, "done") || word_eq(p, w, "esac") ||
            word_eq(p, w, "}") || word_eq(p, w, ";;"))
            continue;
        if (word_eq(p, w, "for") && depth < 3) {
            /* for NAME in WORDS; do BODY; done: the body once per word, in order */
            size_t end = loop_end(p, k + 1, to);
            if (skip + 2 < c->nw && word_eq(p, &c->w[skip + 2], "in")) {
                char name[64];
                snprintf(name, sizeof(name), "%.*s", (int)c->w[skip + 1].len,
                         p->s + c->w[skip + 1].off);
                size_t saved = p->nvars;
                unsigned rounds = 0;
                for (size_t j = skip + 3; j < c->nw && rounds < 16 && !p->rc; j++) {
                    char *item = sh_expand(p, p->s + c->w[j].off, c->w[j].len);
                    /* an unquoted variable holding "a b" gives two words */
                    char *save = NULL; /* loops nest: strtok's hidden state would not */
                    for (char *tok = item ? strtok_r(item, " \t\n", &save) : NULL;
                         tok && rounds < 16; tok = strtok_r(NULL, " \t\n", &save)) {
                        char *copy = rl_arena_strdup(p->db->a, tok);
                        const char *nm = rl_arena_strdup(p->db->a, name);
                        if (!copy || !nm) {
                            p->rc = RL_ENOMEM;
                            break;
                        }
                        p->nvars = saved;
                        sh_var_set(p, nm, copy);
                        sh_run(p, k + 1, end, depth + 1);
                        rounds++;
                    }
                }
                p->nvars = saved;
            }
            k = end;
            continue;
        }
        sh_command(p, c, skip);
    }
}

int rl_sh_scan(rl_dbuild *db, const char *script, size_t len, rl_sh_lookup lookup, void *lctx,
               rl_sh_fn fn, void *fctx)
{
    sh *p = calloc(1, sizeof(*p));
    if (!p)
        return RL_ENOMEM;
    p->db = db;
    p->s = script;
    p->len = len;
    p->lookup = lookup;
    p->lctx = lctx;
    p->fn = fn;
    p->fctx = fctx;
    sh_tokenize(p);
    if (!p->rc)
        sh_run(p, 0, p->ncmds, 0);
    int rc = p->rc;
    free(p->cmds);
    free(p);
    return rc;
}

/* ---- shared by both CI formats ----------------------------------------------------------- */

typedef struct ci_inst { /* one matrix instance: variable bindings */
    const char *keys[16], *vals[16];
    size_t n;
    const char *label;
} ci_inst;

#define CI_MAX_INST 32

/* Cartesian product of `keys` (mapping: key -> scalar or list) appended to out. */
static size_t ci_product(rl_dbuild *db, const rl_node *map, ci_inst *out, size_t nout, size_t max)
{
    size_t start = nout;
    if (!rl_node_is_map(map))
        return nout;
    if (nout < max) {
        memset(&out[nout], 0, sizeof(out[nout]));
        nout++;
    }
    for (size_t i = 0; i < map->u.map.count; i++) {
        const char *key = rl_node_str(map->u.map.items[i].key);
        const rl_node *v = map->u.map.items[i].value;
        if (!key || !strcmp(key, "include") || !strcmp(key, "exclude"))
            continue;
        size_t nv = rl_node_is_seq(v) ? rl_node_count(v) : 1;
        size_t cur = nout;
        for (size_t c = start; c < cur; c++) {
            ci_inst base = out[c];
            for (size_t j = 0; j < nv; j++) {
                const char *val = rl_node_str(rl_node_is_seq(v) ? rl_node_at(v, j) : v);
                ci_inst *dst = j == 0 ? &out[c] : nout < max ? &out[nout++] : NULL;
                if (!dst)
                    break;
                *dst = base;
                if (dst->n < 16) {
                    dst->keys[dst->n] = key;
                    dst->vals[dst->n] = val ? val : "";
                    dst->n++;
                }
            }
        }
    }
    (void)db;
    return nout;
}

static const char *ci_inst_get(const ci_inst *in, const char *key)
{
    for (size_t i = 0; in && i < in->n; i++)
        if (!strcmp(in->keys[i], key))
            return in->vals[i];
    return NULL;
}

static void ci_label(rl_dbuild *db, ci_inst *in)
{
    char buf[256];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < in->n && o + 2 < sizeof(buf); i++) {
        int w = snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? ", " : "", in->vals[i]);
        if (w < 0)
            break;
        o += (size_t)w;
        if (o >= sizeof(buf))
            o = sizeof(buf) - 1;
    }
    in->label = rl_arena_strdup(db->a, buf);
}

/* The matrix key whose values are regions, and the node of its list. */
static const char *ci_region_key(rl_dbuild *db, const ci_inst *insts, size_t n)
{
    for (size_t i = 0; n && i < insts[0].n; i++) {
        const char *key = insts[0].keys[i];
        bool all = true;
        for (size_t j = 0; j < n && all; j++) {
            const char *v = ci_inst_get(&insts[j], key);
            all = v && rl_db_region(db, v, strlen(v));
        }
        if (all)
            return key;
    }
    return NULL;
}

/* ---- GitHub Actions ------------------------------------------------------------------------ */

typedef struct gh_job {
    const char *id;
    const rl_node *key, *body;
    const rl_node *needs;
    ci_inst insts[CI_MAX_INST];
    size_t ninst;
    bool serial;
    const char *region_key;
    size_t ends[CI_MAX_INST];
    int state; /* 0 new, 1 in progress (a needs cycle), 2 done */
    size_t group;
} gh_job;

typedef struct gh {
    rl_fbuild fb;
    const rl_node *root;
    gh_job *jobs;
    size_t njobs;
    /* what expressions and variables see while one job instance is read */
    const gh_job *job;
    const ci_inst *inst;
    const rl_node *step_env;
    const char *region;     /* the job's region so far */
    const char *region_via; /* how it was set */
    int depth;              /* env values that refer to env values */
} gh;

static const char *gh_expand_str(gh *g, const char *s);

static const char *gh_env_value(gh *g, const rl_node *env, const char *name)
{
    const rl_node *v = rl_node_get(env, name);
    const char *s = rl_node_str(v);
    return s ? gh_expand_str(g, s) : NULL;
}

static const char *gh_var(gh *g, const char *name)
{
    const char *v = NULL;
    if (g->step_env && (v = gh_env_value(g, g->step_env, name)))
        return v;
    if (g->job && (v = gh_env_value(g, rl_node_get(g->job->body, "env"), name)))
        return v;
    return gh_env_value(g, rl_node_get(g->root, "env"), name);
}

static const char *gh_lookup(void *ctx, bool expression, const char *name)
{
    gh *g = ctx;
    if (!expression)
        return gh_var(g, name);
    if (!strncmp(name, "matrix.", 7))
        return ci_inst_get(g->inst, name + 7);
    if (!strncmp(name, "env.", 4))
        return gh_var(g, name + 4);
    if (!strncmp(name, "inputs.", 7) || !strncmp(name, "github.event.inputs.", 20)) {
        const char *in = strchr(name, '.');
        in = !strncmp(name, "github.", 7) ? name + 20 : in + 1;
        const rl_node *on = rl_node_get(g->root, "on");
        static const char *const kinds[] = {"workflow_dispatch", "workflow_call"};
        for (size_t i = 0; i < 2; i++) {
            const rl_node *d = rl_node_get(rl_node_get(rl_node_get(on, kinds[i]), "inputs"), in);
            const char *def = rl_node_str(rl_node_get(d, "default"));
            if (def)
                return def;
        }
    }
    return NULL; /* secrets, vars, steps outputs, functions: known only at run time */
}

/* s with ${{ }} expressions substituted (recursion through env values is bounded). */
static const char *gh_expand_str(gh *g, const char *s)
{
    if (!strstr(s, "${{") || g->depth > 4)
        return s;
    g->depth++;
    rl_strbuf b = RL_STRBUF_INIT;
    for (const char *p = s; *p;) {
        const char *open = strstr(p, "${{");
        if (!open) {
            rl_strbuf_puts(&b, p);
            break;
        }
        rl_strbuf_append(&b, p, (size_t)(open - p));
        const char *close = strstr(open, "}}");
        if (!close) {
            rl_strbuf_putc(&b, UNKNOWN_CH);
            break;
        }
        char expr[256];
        const char *a = open + 3, *e = close;
        while (a < e && *a == ' ')
            a++;
        while (e > a && e[-1] == ' ')
            e--;
        snprintf(expr, sizeof(expr), "%.*s", (int)(e - a), a);
        const char *v = gh_lookup(g, true, expr);
        rl_strbuf_puts(&b, v ? v : "\x01");
        p = close + 2;
    }
    g->depth--;
    const char *r = b.failed ? NULL : rl_arena_strdup(g->fb.a, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!r)
        g->fb.rc = RL_ENOMEM;
    return r ? r : s;
}

static const char *gh_region_of(gh *g, const rl_node *n)
{
    const char *s = rl_node_str(n);
    if (!s)
        return NULL;
    s = gh_expand_str(g, s);
    return rl_db_region(g->fb.db, s, strlen(s));
}

/* The region an env mapping sets (AWS_REGION and friends), with how. */
static const char *gh_env_region(gh *g, const rl_node *env, const char **via)
{
    for (size_t i = 0; rl_node_is_map(env) && i < env->u.map.count; i++) {
        const char *k = rl_node_str(env->u.map.items[i].key);
        if (!k || !region_var(k))
            continue;
        const char *r = gh_region_of(g, env->u.map.items[i].value);
        if (r) {
            *via = rl_fb_printf(&g->fb, "env %s", k);
            return r;
        }
    }
    return NULL;
}

typedef struct gh_step_ctx {
    gh *g;
    const rl_node *scalar;
    const char *path;
    const char *step_name;
    size_t group;
    unsigned instance;
    const char *mutex;
    size_t prev;
    bool deployed;
} gh_step_ctx;

static size_t gh_add(gh_step_ctx *sc, rl_dnode *n)
{
    n->group = sc->group;
    n->instance = sc->instance;
    n->mutex = sc->mutex;
    size_t id = rl_fb_node(&sc->g->fb, n, &sc->prev, sc->prev == RL_FB_NONE ? 0 : 1);
    if (id != RL_FB_NONE)
        sc->prev = id;
    return id;
}

static const char *gh_job_label(gh *g)
{
    if (g->inst && g->inst->n)
        return rl_fb_printf(&g->fb, "job '%s' [%s]", g->job->id, g->inst->label);
    return rl_fb_printf(&g->fb, "job '%s'", g->job->id);
}

static int gh_on_cmd(void *ctx, const rl_sh_event *ev)
{
    gh_step_ctx *sc = ctx;
    gh *g = sc->g;
    if (ev->kind == RL_SH_SETVAR)
        return 0;
    rl_dnode n;
    memset(&n, 0, sizeof(n));
    n.loc = rl_fb_subloc(&g->fb, sc->scalar, ev->off, ev->len, sc->path);
    n.name = rl_fb_printf(&g->fb, "%s, step %s (`%s`)", gh_job_label(g), sc->step_name, ev->text);
    if (ev->kind == RL_SH_GATE) {
        n.gate = ev->seconds < 0 ? RL_GATE_UNKNOWN : RL_GATE_WAIT;
        n.seconds = ev->seconds;
        n.gate_what = rl_fb_printf(&g->fb, "`%s`", ev->text);
        gh_add(sc, &n);
        return 0;
    }
    const char *via = NULL;
    n.region = ev->region;
    n.region_via = ev->via;
    if (!n.region && g->step_env && (n.region = gh_env_region(g, g->step_env, &via)))
        n.region_via = via;
    if (!n.region) {
        n.region = g->region;
        n.region_via = g->region_via;
    }
    n.target = rl_db_target(g->fb.db, ev->target);
    sc->deployed = true;
    gh_add(sc, &n); /* with region NULL when the file does not show it */
    return 0;
}

static const char *gh_with(gh *g, const rl_node *step, const char *key)
{
    const char *s = rl_node_str(rl_node_get(rl_node_get(step, "with"), key));
    return s ? gh_expand_str(g, s) : NULL;
}

/* One step of a job instance. */
static void gh_step(gh *g, gh_step_ctx *sc, const rl_node *step, const char *spath, size_t idx)
{
    const char *uses = rl_node_str(rl_node_get(step, "uses"));
    const rl_node *run = rl_node_get(step, "run");
    const char *name = rl_node_str(rl_node_get(step, "name"));
    g->step_env = rl_node_get(step, "env");
    sc->step_name =
        name ? rl_fb_printf(&g->fb, "'%s'", name) : rl_fb_printf(&g->fb, "%zu", idx + 1);
    rl_dnode n;
    memset(&n, 0, sizeof(n));
    n.name = rl_fb_printf(&g->fb, "%s, step %s", gh_job_label(g), sc->step_name);
    if (uses) {
        const rl_node *unode = rl_node_get(step, "uses");
        n.loc = rl_fb_loc(&g->fb, unode, rl_fb_printf(&g->fb, "%s.uses", spath));
        const char *r = NULL;
        const char *rkey = NULL;
        if (gh_with(g, step, "aws-region"))
            rkey = "aws-region";
        else if (gh_with(g, step, "region"))
            rkey = "region";
        if (rkey) {
            const char *v = gh_with(g, step, rkey);
            r = rl_db_region(g->fb.db, v, strlen(v));
        }
        if (contains_ci(uses, "configure-aws-credentials")) {
            /* later steps of the job use this region */
            if (r) {
                g->region = r;
                g->region_via = "aws-region of configure-aws-credentials";
            }
        } else if (contains_ci(uses, "approval")) {
            n.gate = RL_GATE_APPROVAL;
            n.gate_what = rl_fb_printf(&g->fb, "manual approval step %s", sc->step_name);
            gh_add(sc, &n);
        } else if ((contains_ci(uses, "sleep") || contains_ci(uses, "wait")) &&
                   !contains_ci(uses, "deploy")) {
            static const char *const keys[] = {"time", "duration", "seconds", "delay", "minutes"};
            long secs = -1;
            for (size_t i = 0; i < sizeof(keys) / sizeof(*keys) && secs < 0; i++) {
                const char *v = gh_with(g, step, keys[i]);
                if (v && (secs = rl_duration_parse(v, RL_DURATION_WORDS)) >= 0 &&
                    !strcmp(keys[i], "minutes"))
                    secs *= 60;
            }
            n.gate = secs < 0 ? RL_GATE_UNKNOWN : RL_GATE_WAIT;
            n.seconds = secs;
            n.gate_what = rl_fb_printf(&g->fb, "wait step %s (%s)", sc->step_name, uses);
            gh_add(sc, &n);
        } else if (contains_ci(uses, "deploy") || contains_ci(gh_with(g, step, "args"), "deploy")) {
            const char *via = NULL;
            n.region = r;
            n.region_via = r ? rl_fb_printf(&g->fb, "with.%s", rkey) : NULL;
            if (!n.region && g->step_env && (n.region = gh_env_region(g, g->step_env, &via)))
                n.region_via = via;
            if (!n.region) {
                n.region = g->region;
                n.region_via = g->region_via;
            }
            n.target = rl_db_target(g->fb.db, gh_with(g, step, "name"));
            sc->deployed = true;
            gh_add(sc, &n);
        }
    } else if (rl_node_str(run)) {
        sc->scalar = run;
        sc->path = rl_fb_printf(&g->fb, "%s.run", spath);
        const char *s = rl_node_str(run);
        int rc = rl_sh_scan(g->fb.db, s, strlen(s), gh_lookup, g, gh_on_cmd, sc);
        if (rc < 0)
            g->fb.rc = rc;
    }
    g->step_env = NULL;
}

static void gh_matrix(gh *g, gh_job *j)
{
    const rl_node *strat = rl_node_get(j->body, "strategy");
    const rl_node *mx = rl_node_get(strat, "matrix");
    double mp;
    j->serial = rl_node_number(rl_node_get(strat, "max-parallel"), &mp) && mp == 1;
    j->ninst = 0;
    if (rl_node_is_map(mx)) {
        j->ninst = ci_product(g->fb.db, mx, j->insts, 0, CI_MAX_INST);
        bool base_only = true;
        for (size_t i = 0; i < mx->u.map.count && base_only; i++) {
            const char *k = rl_node_str(mx->u.map.items[i].key);
            base_only = !k || !strcmp(k, "include") || !strcmp(k, "exclude");
        }
        if (base_only)
            j->ninst = 0;
        /* include: extends the combinations it matches, else adds one */
        const rl_node *inc = rl_node_get(mx, "include");
        for (size_t i = 0; i < rl_node_count(inc) && rl_node_is_seq(inc); i++) {
            const rl_node *e = rl_node_at(inc, i);
            if (!rl_node_is_map(e))
                continue;
            bool matched = false;
            for (size_t c = 0; c < j->ninst; c++) {
                bool ok = true;
                for (size_t k = 0; k < e->u.map.count && ok; k++) {
                    const char *key = rl_node_str(e->u.map.items[k].key);
                    const char *base = key ? ci_inst_get(&j->insts[c], key) : NULL;
                    const char *val = rl_node_str(e->u.map.items[k].value);
                    ok = !base || (val && !strcmp(base, val));
                }
                if (!ok)
                    continue;
                matched = true;
                for (size_t k = 0; k < e->u.map.count && j->insts[c].n < 16; k++) {
                    const char *key = rl_node_str(e->u.map.items[k].key);
                    if (key && !ci_inst_get(&j->insts[c], key)) {
                        j->insts[c].keys[j->insts[c].n] = key;
                        const char *v = rl_node_str(e->u.map.items[k].value);
                        j->insts[c].vals[j->insts[c].n] = v ? v : "";
                        j->insts[c].n++;
                    }
                }
            }
            if (!matched && j->ninst < CI_MAX_INST)
                j->ninst = ci_product(g->fb.db, e, j->insts, j->ninst, j->ninst + 1);
        }
        /* exclude: drops the combinations it matches */
        const rl_node *exc = rl_node_get(mx, "exclude");
        for (size_t i = 0; i < rl_node_count(exc) && rl_node_is_seq(exc); i++) {
            const rl_node *e = rl_node_at(exc, i);
            for (size_t c = 0; c < j->ninst;) {
                bool all = rl_node_is_map(e) && e->u.map.count > 0;
                for (size_t k = 0; all && k < e->u.map.count; k++) {
                    const char *key = rl_node_str(e->u.map.items[k].key);
                    const char *v = key ? ci_inst_get(&j->insts[c], key) : NULL;
                    all = v && rl_node_streq(e->u.map.items[k].value, v);
                }
                if (all) {
                    memmove(&j->insts[c], &j->insts[c + 1], (j->ninst - c - 1) * sizeof(ci_inst));
                    j->ninst--;
                } else {
                    c++;
                }
            }
        }
    }
    if (j->ninst == 0) {
        memset(&j->insts[0], 0, sizeof(j->insts[0]));
        j->ninst = 1;
    }
    for (size_t i = 0; i < j->ninst; i++)
        ci_label(g->fb.db, &j->insts[i]);
    j->region_key = ci_region_key(g->fb.db, j->insts, j->ninst);
}

static gh_job *gh_find(gh *g, const char *id)
{
    for (size_t i = 0; id && i < g->njobs; i++)
        if (!strcmp(g->jobs[i].id, id))
            return &g->jobs[i];
    return NULL;
}

static void gh_job_build(gh *g, gh_job *j);

static void gh_need_each(gh *g, gh_job *j, size_t *preds, size_t *np, size_t max)
{
    const rl_node *needs = j->needs;
    size_t n = rl_node_is_seq(needs) ? rl_node_count(needs) : (needs ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        const char *id = rl_node_str(rl_node_is_seq(needs) ? rl_node_at(needs, i) : needs);
        gh_job *d = gh_find(g, id);
        if (!d || d->state == 1)
            continue; /* unknown job, or a cycle: GitHub rejects both */
        if (d->state == 0)
            gh_job_build(g, d);
        for (size_t k = 0; k < d->ninst && *np < max; k++)
            if (d->ends[k] != RL_FB_NONE)
                preds[(*np)++] = d->ends[k];
    }
}

static void gh_job_build(gh *g, gh_job *j)
{
    j->state = 1;
    size_t needs[256], nn = 0;
    gh_need_each(g, j, needs, &nn, 256);
    const char *jpath = rl_fb_printf(&g->fb, "jobs.%s", j->id);
    rl_dgroup grp;
    memset(&grp, 0, sizeof(grp));
    grp.name = j->id;
    grp.anchor = rl_fb_loc(&g->fb, j->key, jpath);
    grp.serial = j->serial;
    const rl_node *mx = rl_node_get(rl_node_get(j->body, "strategy"), "matrix");
    if (mx) {
        const rl_node *list = j->region_key ? rl_node_get(mx, j->region_key) : NULL;
        grp.matrix_key = j->region_key;
        grp.matrix =
            list ? rl_fb_loc(&g->fb, list,
                             rl_fb_printf(&g->fb, "%s.strategy.matrix.%s", jpath, j->region_key))
                 : rl_fb_loc(&g->fb, mx, rl_fb_printf(&g->fb, "%s.strategy.matrix", jpath));
    }
    if (j->needs)
        grp.needs = rl_fb_loc(&g->fb, j->needs, rl_fb_printf(&g->fb, "%s.needs", jpath));
    j->group = rl_fb_group(&g->fb, &grp);
    const rl_node *steps = rl_node_get(j->body, "steps");
    const rl_node *envn = rl_node_get(j->body, "environment");
    if (rl_node_is_map(envn))
        envn = rl_node_get(envn, "name");
    const rl_node *conc = rl_node_get(j->body, "concurrency");
    if (rl_node_is_map(conc))
        conc = rl_node_get(conc, "group");
    const char *jname = rl_node_str(rl_node_get(j->body, "name"));
    for (size_t k = 0; k < j->ninst; k++) {
        g->job = j;
        g->inst = &j->insts[k];
        const char *via = NULL;
        g->region = gh_env_region(g, rl_node_get(j->body, "env"), &via);
        g->region_via = via;
        if (!g->region && j->region_key) {
            const char *v = ci_inst_get(g->inst, j->region_key);
            g->region = rl_db_region(g->fb.db, v, strlen(v));
            g->region_via = rl_fb_printf(&g->fb, "matrix.%s", j->region_key);
        }
        if (!g->region && (g->region = gh_env_region(g, rl_node_get(g->root, "env"), &via)))
            g->region_via = rl_fb_printf(&g->fb, "workflow %s", via);
        gh_step_ctx sc;
        memset(&sc, 0, sizeof(sc));
        sc.g = g;
        sc.group = j->group;
        sc.instance = (unsigned)k;
        sc.mutex = rl_node_str(conc) ? gh_expand_str(g, rl_node_str(conc)) : NULL;
        size_t preds[260];
        size_t np = nn;
        memcpy(preds, needs, nn * sizeof(*preds));
        if (j->serial && k > 0 && j->ends[k - 1] != RL_FB_NONE)
            preds[np++] = j->ends[k - 1];
        rl_dnode start;
        memset(&start, 0, sizeof(start));
        start.name = gh_job_label(g);
        start.loc = grp.anchor;
        start.group = j->group;
        start.instance = (unsigned)k;
        start.mutex = sc.mutex;
        sc.prev = rl_fb_node(&g->fb, &start, preds, np);
        if (rl_node_str(envn)) {
            rl_dnode e;
            memset(&e, 0, sizeof(e));
            e.environment = gh_expand_str(g, rl_node_str(envn));
            e.name = rl_fb_printf(&g->fb, "environment '%s' of %s", e.environment, gh_job_label(g));
            e.loc = rl_fb_loc(&g->fb, envn, rl_fb_printf(&g->fb, "%s.environment", jpath));
            gh_add(&sc, &e);
        }
        const rl_node *juses = rl_node_get(j->body, "uses");
        if (rl_node_str(juses)) {
            /* a reusable workflow: it deploys the region its inputs name */
            const rl_node *with = rl_node_get(j->body, "with");
            for (size_t i = 0; rl_node_is_map(with) && i < with->u.map.count; i++) {
                const char *r = gh_region_of(g, with->u.map.items[i].value);
                if (!r)
                    continue;
                rl_dnode d;
                memset(&d, 0, sizeof(d));
                d.region = r;
                d.region_via = rl_fb_printf(&g->fb, "with.%s of the reusable workflow",
                                            rl_node_str(with->u.map.items[i].key));
                d.name = rl_fb_printf(&g->fb, "%s (%s)", gh_job_label(g), rl_node_str(juses));
                d.loc = rl_fb_loc(&g->fb, with->u.map.items[i].value,
                                  rl_fb_printf(&g->fb, "%s.with.%s", jpath,
                                               rl_node_str(with->u.map.items[i].key)));
                gh_add(&sc, &d);
                sc.deployed = true;
                break;
            }
        }
        for (size_t s = 0; s < rl_node_count(steps) && rl_node_is_seq(steps); s++)
            gh_step(g, &sc, rl_node_at(steps, s), rl_fb_printf(&g->fb, "%s.steps[%zu]", jpath, s),
                    s);
        if (!sc.deployed && g->region &&
            (rl_db_deploy_name(j->id) || rl_db_deploy_name(jname) || rl_node_str(envn))) {
            /* a deploy job whose commands do not say so (./release.sh): the job deploys
             * the region it is configured for */
            rl_dnode d;
            memset(&d, 0, sizeof(d));
            d.region = g->region;
            d.region_via = g->region_via;
            d.name = gh_job_label(g);
            d.loc = grp.anchor;
            gh_add(&sc, &d);
        }
        j->ends[k] = sc.prev;
    }
    g->job = NULL;
    g->inst = NULL;
    j->state = 2;
}

int rl_deploy_add_github(rl_dbuild *db, const rl_input *in)
{
    const rl_node *root = rl_input_root(in);
    const rl_node *jobs = rl_node_get(root, "jobs");
    if (!rl_node_is_map(jobs))
        return RL_OK;
    gh *g = calloc(1, sizeof(*g));
    if (!g)
        return RL_ENOMEM;
    const char *name = rl_node_str(rl_node_get(root, "name"));
    rl_fb_begin(&g->fb, db, RL_FLOW_GITHUB, in, name ? name : in->path);
    g->root = root;
    g->jobs = calloc(jobs->u.map.count + 1, sizeof(*g->jobs));
    if (!g->jobs) {
        free(g);
        return RL_ENOMEM;
    }
    for (size_t i = 0; i < jobs->u.map.count; i++) {
        const char *id = rl_node_str(jobs->u.map.items[i].key);
        if (!id || !rl_node_is_map(jobs->u.map.items[i].value))
            continue;
        gh_job *j = &g->jobs[g->njobs++];
        j->id = id;
        j->key = jobs->u.map.items[i].key;
        j->body = jobs->u.map.items[i].value;
        j->needs = rl_node_get(j->body, "needs");
        gh_matrix(g, j);
    }
    for (size_t i = 0; i < g->njobs; i++)
        if (g->jobs[i].state == 0)
            gh_job_build(g, &g->jobs[i]);
    int rc = rl_fb_end(&g->fb);
    free(g->jobs);
    free(g);
    return rc;
}

/* ---- GitLab CI ------------------------------------------------------------------------------ */

typedef struct gl_job {
    const char *name;
    const rl_node *key, *body;
    const char *stage;
    const rl_node *stage_node;
    int stage_idx;
    bool has_needs;
    const rl_node *needs;
    ci_inst insts[CI_MAX_INST];
    size_t ninst;
    const char *region_key;
    const rl_node *matrix_node, *matrix_list;
    bool manual, delayed, blocking;
    long delay;
    const rl_node *when_node;
    size_t ends[CI_MAX_INST];
    int state;
    size_t group;
} gl_job;

typedef struct gl {
    rl_fbuild fb;
    const rl_node *root;
    gl_job *jobs;
    size_t njobs;
    const char *stages[64];
    size_t nstages;
    const gl_job *job;
    const ci_inst *inst;
    const char *region, *region_via;
    int depth; /* variables that refer to variables */
} gl;

static const char *const gl_reserved[] = {"image",         "services",     "stages",    "types",
                                          "before_script", "after_script", "variables", "cache",
                                          "include",       "workflow",     "default",   "spec"};

static bool gl_is_job(const char *name, const rl_node *body)
{
    if (!name || name[0] == '.' || !rl_node_is_map(body))
        return false;
    for (size_t i = 0; i < sizeof(gl_reserved) / sizeof(*gl_reserved); i++)
        if (!strcmp(name, gl_reserved[i]))
            return false;
    return rl_node_get(body, "script") || rl_node_get(body, "trigger") ||
           rl_node_get(body, "extends") || rl_node_get(body, "run");
}

/* A key of a job, following `extends:` (later templates override earlier ones). */
static const rl_node *gl_get_in(const gl *l, const rl_node *body, const char *key, int depth)
{
    const rl_node *v = rl_node_get(body, key);
    if (v || depth > 8)
        return v;
    const rl_node *ext = rl_node_get(body, "extends");
    size_t n = rl_node_is_seq(ext) ? rl_node_count(ext) : (ext ? 1 : 0);
    for (size_t i = n; i-- > 0;) {
        const char *t = rl_node_str(rl_node_is_seq(ext) ? rl_node_at(ext, i) : ext);
        const rl_node *tb = t ? rl_node_get(l->root, t) : NULL;
        if (tb && (v = gl_get_in(l, tb, key, depth + 1)))
            return v;
    }
    return NULL;
}

static const rl_node *gl_get(const gl *l, const gl_job *j, const char *key)
{
    return gl_get_in(l, j->body, key, 0);
}

/* A variable's value node in a variables: mapping (value, or {value: ...}). */
static const char *gl_var_value(const rl_node *vars, const char *name)
{
    const rl_node *v = rl_node_get(vars, name);
    if (rl_node_is_map(v))
        v = rl_node_get(v, "value");
    return rl_node_str(v);
}

static const char *gl_var_in(const gl *l, const rl_node *body, const char *name, int depth)
{
    const char *v = gl_var_value(rl_node_get(body, "variables"), name);
    if (v || depth > 8)
        return v;
    const rl_node *ext = rl_node_get(body, "extends");
    size_t n = rl_node_is_seq(ext) ? rl_node_count(ext) : (ext ? 1 : 0);
    for (size_t i = n; i-- > 0;) {
        const char *t = rl_node_str(rl_node_is_seq(ext) ? rl_node_at(ext, i) : ext);
        const rl_node *tb = t ? rl_node_get(l->root, t) : NULL;
        if (tb && (v = gl_var_in(l, tb, name, depth + 1)))
            return v;
    }
    return NULL;
}

static const char *gl_lookup(void *ctx, bool expression, const char *name)
{
    gl *l = ctx;
    const char *v = NULL;
    if (expression)
        return NULL;
    if (l->inst && (v = ci_inst_get(l->inst, name)))
        return v;
    if (l->job && (v = gl_var_in(l, l->job->body, name, 0)))
        return v;
    return gl_var_value(rl_node_get(l->root, "variables"), name);
}

/* $VAR / ${VAR} in a value (resource_group, environment, variables). */
static const char *gl_expand(gl *l, const char *s)
{
    if (!s || !strchr(s, '$'))
        return s;
    rl_strbuf b = RL_STRBUF_INIT;
    for (const char *p = s; *p;) {
        if (*p != '$') {
            rl_strbuf_putc(&b, *p++);
            continue;
        }
        const char *q = p + 1;
        bool brace = *q == '{';
        if (brace)
            q++;
        char name[128];
        size_t nl = 0;
        while ((isalnum((unsigned char)*q) || *q == '_') && nl + 1 < sizeof(name))
            name[nl++] = *q++;
        name[nl] = '\0';
        if (brace && *q == '}')
            q++;
        const char *v = nl ? gl_lookup(l, false, name) : NULL;
        if (v && l->depth < 4) {
            l->depth++;
            v = gl_expand(l, v);
            l->depth--;
        }
        rl_strbuf_puts(&b, v ? v : "\x01");
        p = q;
    }
    const char *r = b.failed ? NULL : rl_arena_strdup(l->fb.a, rl_strbuf_cstr(&b));
    rl_strbuf_free(&b);
    if (!r)
        l->fb.rc = RL_ENOMEM;
    return r ? r : s;
}

static const char *gl_region_var(gl *l, const char **via)
{
    static const char *const names[] = {
        "AWS_REGION",    "AWS_DEFAULT_REGION", "CDK_DEFAULT_REGION", "REGION",
        "DEPLOY_REGION", "TARGET_REGION",      "AWS_DEPLOY_REGION"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        const char *v = gl_expand(l, gl_lookup(l, false, names[i]));
        const char *r = v ? rl_db_region(l->fb.db, v, strlen(v)) : NULL;
        if (r) {
            bool matrix = l->inst && ci_inst_get(l->inst, names[i]);
            *via = rl_fb_printf(&l->fb, "%s %s", matrix ? "parallel:matrix" : "variable", names[i]);
            return r;
        }
    }
    return NULL;
}

static int gl_stage_index(const gl *l, const char *stage)
{
    if (!strcmp(stage, ".pre"))
        return -1;
    if (!strcmp(stage, ".post"))
        return 1000;
    for (size_t i = 0; i < l->nstages; i++)
        if (!strcmp(l->stages[i], stage))
            return (int)i;
    return 999;
}

static void gl_when(gl *l, gl_job *j)
{
    const rl_node *when = gl_get(l, j, "when");
    const rl_node *af = gl_get(l, j, "allow_failure");
    bool allow = true, allow_set = rl_node_bool(af, &allow);
    const char *w = rl_node_str(when);
    bool from_rules = false;
    if (!w) {
        const rl_node *rules = gl_get(l, j, "rules");
        for (size_t i = 0; i < rl_node_count(rules) && rl_node_is_seq(rules) && !w; i++) {
            const rl_node *r = rl_node_at(rules, i);
            const char *rw = rl_node_str(rl_node_get(r, "when"));
            if (rw && (!strcmp(rw, "manual") || !strcmp(rw, "delayed"))) {
                w = rw;
                when = rl_node_get(r, "when");
                from_rules = true;
                if (!strcmp(rw, "delayed"))
                    j->delay = rl_duration_parse(rl_node_str(rl_node_get(r, "start_in")),
                                                 RL_DURATION_WORDS);
                if (!allow_set)
                    allow_set = rl_node_bool(rl_node_get(r, "allow_failure"), &allow);
            }
        }
    }
    j->when_node = when;
    j->manual = w && !strcmp(w, "manual");
    j->delayed = w && !strcmp(w, "delayed");
    if (j->delayed && !from_rules)
        j->delay = rl_duration_parse(rl_node_str(gl_get(l, j, "start_in")), RL_DURATION_WORDS);
    /* a manual job lets later stages run unless allow_failure is false; manual rules
     * default to allow_failure: false */
    if (!allow_set)
        allow = !from_rules;
    j->blocking = !j->manual || !allow;
}

static void gl_matrix(gl *l, gl_job *j)
{
    const rl_node *par = gl_get(l, j, "parallel");
    const rl_node *mx = rl_node_get(par, "matrix");
    j->ninst = 0;
    for (size_t i = 0; i < rl_node_count(mx) && rl_node_is_seq(mx); i++)
        j->ninst = ci_product(l->fb.db, rl_node_at(mx, i), j->insts, j->ninst, CI_MAX_INST);
    j->matrix_node = mx;
    if (j->ninst == 0) {
        memset(&j->insts[0], 0, sizeof(j->insts[0]));
        j->ninst = 1;
    }
    for (size_t i = 0; i < j->ninst; i++)
        ci_label(l->fb.db, &j->insts[i]);
    j->region_key = ci_region_key(l->fb.db, j->insts, j->ninst);
    for (size_t i = 0; j->region_key && i < rl_node_count(mx) && !j->matrix_list; i++)
        j->matrix_list = rl_node_get(rl_node_at(mx, i), j->region_key);
}

static gl_job *gl_find(gl *l, const char *name)
{
    for (size_t i = 0; name && i < l->njobs; i++)
        if (!strcmp(l->jobs[i].name, name))
            return &l->jobs[i];
    return NULL;
}

typedef struct gl_step_ctx {
    gl *l;
    const rl_node *scalar;
    const char *path;
    const rl_dloc *inherited; /* the job's key when the script comes from extends:/default: */
    size_t group;
    unsigned instance;
    const char *mutex;
    size_t prev;
    bool deployed;
} gl_step_ctx;

static const char *gl_job_label(gl *l)
{
    if (l->inst && l->inst->n)
        return rl_fb_printf(&l->fb, "job '%s' [%s]", l->job->name, l->inst->label);
    return rl_fb_printf(&l->fb, "job '%s'", l->job->name);
}

static size_t gl_add(gl_step_ctx *sc, rl_dnode *n)
{
    n->group = sc->group;
    n->instance = sc->instance;
    n->mutex = sc->mutex;
    size_t id = rl_fb_node(&sc->l->fb, n, &sc->prev, sc->prev == RL_FB_NONE ? 0 : 1);
    if (id != RL_FB_NONE)
        sc->prev = id;
    return id;
}

static int gl_on_cmd(void *ctx, const rl_sh_event *ev)
{
    gl_step_ctx *sc = ctx;
    gl *l = sc->l;
    if (ev->kind == RL_SH_SETVAR)
        return 0;
    rl_dnode n;
    memset(&n, 0, sizeof(n));
    /* a script shared through extends: is the same text for every job: point at the job */
    n.loc = sc->inherited ? *sc->inherited
                          : rl_fb_subloc(&l->fb, sc->scalar, ev->off, ev->len, sc->path);
    n.name = rl_fb_printf(&l->fb, "%s (`%s`)", gl_job_label(l), ev->text);
    if (ev->kind == RL_SH_GATE) {
        n.gate = ev->seconds < 0 ? RL_GATE_UNKNOWN : RL_GATE_WAIT;
        n.seconds = ev->seconds;
        n.gate_what = rl_fb_printf(&l->fb, "`%s`", ev->text);
    } else {
        n.region = ev->region ? ev->region : l->region;
        n.region_via = ev->region ? ev->via : l->region_via;
        n.target = rl_db_target(l->fb.db, ev->target);
        sc->deployed = true;
    }
    gl_add(sc, &n);
    return 0;
}

static void gl_script(gl *l, gl_step_ctx *sc, const rl_node *script, const char *path)
{
    size_t n = rl_node_is_seq(script) ? rl_node_count(script) : (script ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        const rl_node *line = rl_node_is_seq(script) ? rl_node_at(script, i) : script;
        if (rl_node_is_seq(line)) { /* !reference or nested lists */
            gl_script(l, sc, line, rl_fb_printf(&l->fb, "%s[%zu]", path, i));
            continue;
        }
        const char *s = rl_node_str(line);
        if (!s)
            continue;
        sc->scalar = line;
        sc->path = rl_node_is_seq(script) ? rl_fb_printf(&l->fb, "%s[%zu]", path, i) : path;
        int rc = rl_sh_scan(l->fb.db, s, strlen(s), gl_lookup, l, gl_on_cmd, sc);
        if (rc < 0)
            l->fb.rc = rc;
    }
}

static void gl_job_build(gl *l, gl_job *j);

/* Ends of the jobs that must finish before `j` starts. */
static size_t gl_preds(gl *l, gl_job *j, size_t *preds, size_t max)
{
    size_t np = 0;
    if (j->has_needs) {
        size_t n = rl_node_is_seq(j->needs) ? rl_node_count(j->needs) : 0;
        for (size_t i = 0; i < n; i++) {
            const rl_node *e = rl_node_at(j->needs, i);
            const char *name = rl_node_str(rl_node_is_map(e) ? rl_node_get(e, "job") : e);
            gl_job *d = gl_find(l, name);
            if (!d || d->state == 1)
                continue;
            if (d->state == 0)
                gl_job_build(l, d);
            for (size_t k = 0; k < d->ninst && np < max; k++)
                if (d->ends[k] != RL_FB_NONE)
                    preds[np++] = d->ends[k];
        }
        return np;
    }
    /* stage order: the blocking jobs of the nearest earlier stage that has some */
    int best = -2;
    for (size_t i = 0; i < l->njobs; i++) {
        gl_job *o = &l->jobs[i];
        if (o->stage_idx < j->stage_idx && o->blocking && o->stage_idx > best)
            best = o->stage_idx;
    }
    for (size_t i = 0; i < l->njobs && best > -2; i++) {
        gl_job *o = &l->jobs[i];
        if (o->stage_idx != best || !o->blocking || o->state == 1)
            continue;
        if (o->state == 0)
            gl_job_build(l, o);
        for (size_t k = 0; k < o->ninst && np < max; k++)
            if (o->ends[k] != RL_FB_NONE)
                preds[np++] = o->ends[k];
    }
    return np;
}

static void gl_job_build(gl *l, gl_job *j)
{
    j->state = 1;
    size_t preds[256];
    size_t np = gl_preds(l, j, preds, 256);
    const char *jpath = rl_fb_printf(&l->fb, "%s", j->name);
    rl_dgroup grp;
    memset(&grp, 0, sizeof(grp));
    grp.name = j->name;
    grp.anchor = rl_fb_loc(&l->fb, j->key, jpath);
    grp.stage_name = j->stage;
    grp.stage = j->stage_node
                    ? rl_fb_loc(&l->fb, j->stage_node, rl_fb_printf(&l->fb, "%s.stage", jpath))
                    : grp.anchor;
    if (j->has_needs)
        grp.needs = rl_fb_loc(&l->fb, j->needs, rl_fb_printf(&l->fb, "%s.needs", jpath));
    if (j->matrix_node) {
        grp.matrix_key = j->region_key;
        grp.matrix = rl_fb_loc(&l->fb, j->matrix_list ? j->matrix_list : j->matrix_node,
                               rl_fb_printf(&l->fb, "%s.parallel.matrix", jpath));
    }
    j->group = rl_fb_group(&l->fb, &grp);
    const rl_node *envn = gl_get(l, j, "environment");
    const char *env_action = rl_node_str(rl_node_get(envn, "action"));
    if (rl_node_is_map(envn))
        envn = rl_node_get(envn, "name");
    bool env_deploys = rl_node_str(envn) && (!env_action || !strcmp(env_action, "start"));
    const rl_node *rg = gl_get(l, j, "resource_group");
    for (size_t k = 0; k < j->ninst; k++) {
        l->job = j;
        l->inst = &j->insts[k];
        const char *via = NULL;
        l->region = gl_region_var(l, &via);
        l->region_via = via;
        if (!l->region && j->region_key) {
            const char *v = ci_inst_get(l->inst, j->region_key);
            l->region = rl_db_region(l->fb.db, v, strlen(v));
            l->region_via = rl_fb_printf(&l->fb, "parallel:matrix %s", j->region_key);
        }
        gl_step_ctx sc;
        memset(&sc, 0, sizeof(sc));
        sc.l = l;
        sc.group = j->group;
        sc.instance = (unsigned)k;
        sc.mutex = rl_node_str(rg) ? gl_expand(l, rl_node_str(rg)) : NULL;
        rl_dnode start;
        memset(&start, 0, sizeof(start));
        start.name = gl_job_label(l);
        start.loc = grp.anchor;
        start.group = j->group;
        start.instance = (unsigned)k;
        start.mutex = sc.mutex;
        sc.prev = rl_fb_node(&l->fb, &start, preds, np);
        if (j->manual || j->delayed) {
            rl_dnode gate;
            memset(&gate, 0, sizeof(gate));
            gate.gate = j->manual       ? RL_GATE_APPROVAL
                        : j->delay >= 0 ? RL_GATE_WAIT
                                        : RL_GATE_UNKNOWN;
            gate.seconds = j->manual ? -1 : j->delay;
            gate.gate_what = j->manual
                                 ? rl_fb_printf(&l->fb, "when: manual on %s", gl_job_label(l))
                                 : rl_fb_printf(&l->fb, "when: delayed on %s", gl_job_label(l));
            gate.name = gate.gate_what;
            gate.loc = rl_fb_loc(&l->fb, j->when_node, rl_fb_printf(&l->fb, "%s.when", jpath));
            gl_add(&sc, &gate);
        }
        if (rl_node_str(envn)) {
            rl_dnode e;
            memset(&e, 0, sizeof(e));
            e.environment = gl_expand(l, rl_node_str(envn));
            e.name = rl_fb_printf(&l->fb, "environment '%s' of %s", e.environment, gl_job_label(l));
            e.loc = rl_fb_loc(&l->fb, envn, rl_fb_printf(&l->fb, "%s.environment", jpath));
            gl_add(&sc, &e);
        }
        const rl_node *before = gl_get(l, j, "before_script");
        if (!before)
            before = rl_node_get(rl_node_get(l->root, "default"), "before_script");
        if (!before)
            before = rl_node_get(l->root, "before_script");
        const rl_node *script = gl_get(l, j, "script");
        sc.inherited = before == rl_node_get(j->body, "before_script") ? NULL : &grp.anchor;
        gl_script(l, &sc, before, rl_fb_printf(&l->fb, "%s.before_script", jpath));
        sc.inherited = script == rl_node_get(j->body, "script") ? NULL : &grp.anchor;
        gl_script(l, &sc, script, rl_fb_printf(&l->fb, "%s.script", jpath));
        if (!sc.deployed && l->region &&
            (rl_db_deploy_name(j->name) || rl_db_deploy_name(j->stage) || env_deploys)) {
            rl_dnode d;
            memset(&d, 0, sizeof(d));
            d.region = l->region;
            d.region_via = l->region_via;
            d.name = gl_job_label(l);
            d.loc = grp.anchor;
            gl_add(&sc, &d);
        }
        j->ends[k] = sc.prev;
    }
    l->job = NULL;
    l->inst = NULL;
    j->state = 2;
}

int rl_deploy_add_gitlab(rl_dbuild *db, const rl_input *in)
{
    const rl_node *root = rl_input_root(in);
    if (!rl_node_is_map(root))
        return RL_OK;
    gl *l = calloc(1, sizeof(*l));
    if (!l)
        return RL_ENOMEM;
    rl_fb_begin(&l->fb, db, RL_FLOW_GITLAB, in, in->path);
    l->root = root;
    const rl_node *stages = rl_node_get(root, "stages");
    if (rl_node_is_seq(stages)) {
        for (size_t i = 0; i < rl_node_count(stages) && l->nstages < 64; i++)
            if (rl_node_str(rl_node_at(stages, i)))
                l->stages[l->nstages++] = rl_node_str(rl_node_at(stages, i));
    } else {
        static const char *const defaults[] = {"build", "test", "deploy"};
        for (size_t i = 0; i < 3; i++)
            l->stages[l->nstages++] = defaults[i];
    }
    l->jobs = calloc(root->u.map.count + 1, sizeof(*l->jobs));
    if (!l->jobs) {
        free(l);
        return RL_ENOMEM;
    }
    for (size_t i = 0; i < root->u.map.count; i++) {
        const char *name = rl_node_str(root->u.map.items[i].key);
        const rl_node *body = root->u.map.items[i].value;
        if (!gl_is_job(name, body))
            continue;
        gl_job *j = &l->jobs[l->njobs++];
        j->name = name;
        j->key = root->u.map.items[i].key;
        j->body = body;
        j->stage_node = gl_get(l, j, "stage");
        j->stage = rl_node_str(j->stage_node) ? rl_node_str(j->stage_node) : "test";
        j->stage_idx = gl_stage_index(l, j->stage);
        j->needs = gl_get(l, j, "needs");
        j->has_needs = rl_node_is_seq(j->needs);
        gl_when(l, j);
        gl_matrix(l, j);
    }
    for (size_t i = 0; i < l->njobs; i++)
        if (l->jobs[i].state == 0)
            gl_job_build(l, &l->jobs[i]);
    int rc = rl_fb_end(&l->fb);
    free(l->jobs);
    free(l);
    return rc;
}
