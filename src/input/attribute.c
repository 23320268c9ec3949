/* Classification driver and region attribution of inputs. Attribution follows SPEC §2:
 * the config file's `inputs:` mapping, then a path component that is a region code, then
 * the content; otherwise a template is shared (deployed to every region of the pair). */
#include <regionlint/config.h>
#include <regionlint/input.h>

#include "inputs_private.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Path of `fs_path` relative to `dir` (both made absolute), for config globs. */
static bool rel_to(const char *dir, const char *fs_path, char *out, size_t outsz)
{
    char abs[PATH_MAX];
    if (!realpath(fs_path, abs))
        return false;
    size_t dl = strlen(dir);
    if (strncmp(abs, dir, dl) || (abs[dl] != '/' && strcmp(dir, "/")))
        return false;
    const char *rel = abs + dl + (abs[dl] == '/');
    if (strlen(rel) >= outsz)
        return false;
    strcpy(out, rel);
    return true;
}

static const char *from_config(const rl_config *cfg, const rl_input *in, bool *matched)
{
    char rel[PATH_MAX];
    *matched = false;
    if (!cfg || !cfg->ninputs || !cfg->dir || !strcmp(in->fs_path, "-") ||
        !rel_to(cfg->dir, in->fs_path, rel, sizeof(rel)))
        return NULL;
    for (size_t i = 0; i < cfg->ninputs; i++)
        for (size_t j = 0; j < cfg->inputs[i].nglobs; j++)
            if (rl_glob_match(cfg->inputs[i].globs[j], rel)) {
                *matched = true;
                return strcmp(cfg->inputs[i].region, "shared") ? cfg->inputs[i].region : NULL;
            }
    return NULL;
}

/* A file name that names exactly one region between separators: network-us-east-1.yaml,
 * app.us-west-2.json, stack_us-west-2.template.json (CDK). */
static bool region_in_name(const char *name, size_t len, const char **found, size_t *flen)
{
    size_t hits = 0;
    for (size_t p = 0; p < len; p++) {
        if (p && !strchr("-_.", name[p - 1]))
            continue;
        for (size_t e = p + 9; e <= len && e - p <= 24; e++) {
            if ((e == len || strchr("-_.", name[e])) && rl_is_region(name + p, e - p)) {
                if (hits++ == 0) {
                    *found = name + p;
                    *flen = e - p;
                }
                break;
            }
        }
    }
    return hits == 1;
}

/* The last path component that is a region code; `buf` receives it. */
static const char *from_path(const char *path, char *buf, size_t bufsz)
{
    const char *found = NULL;
    size_t flen = 0;
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        /* the file name itself counts without its extension (us-west-2.json) */
        size_t clen = len;
        if (!slash) {
            const char *dot = memchr(p, '.', len);
            if (dot)
                clen = (size_t)(dot - p);
        }
        if (rl_is_region(p, clen)) {
            found = p;
            flen = clen;
        } else if (!slash && !found) {
            region_in_name(p, len, &found, &flen);
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    if (!found || flen >= bufsz)
        return NULL;
    memcpy(buf, found, flen);
    buf[flen] = '\0';
    return buf;
}

static const char *arn_field(const rl_node *n, const char *key, char *buf, size_t bufsz)
{
    const char *s = rl_node_str(rl_node_get(n, key));
    return s && rl_arn_region(s, buf, bufsz) ? buf : NULL;
}

const rl_node *rl_input_root(const rl_input *in)
{
    const rl_node *root = in && in->doc ? rl_doc_root(in->doc) : NULL;
    if (in && in->subkind && !strncmp(in->subkind, "placebo:", 8))
        return rl_node_get(root, "data");
    return root;
}

/* Region from the content, for kinds whose content names it. */
static const char *from_content(const rl_input *in, char *buf, size_t bufsz)
{
    const rl_node *root = rl_input_root(in);
    switch (in->kind) {
    case RL_INPUT_QUOTAS: {
        const rl_node *q = rl_node_get(root, "Quota");
        if (!q)
            q = rl_node_at(rl_node_get(root, "Quotas"), 0);
        return arn_field(q, "QuotaArn", buf, bufsz);
    }
    case RL_INPUT_STACKS:
        return arn_field(rl_node_at(rl_node_get(root, "Stacks"), 0), "StackId", buf, bufsz);
    case RL_INPUT_STACK_EVENTS:
        return arn_field(rl_node_at(rl_node_get(root, "StackEvents"), 0), "StackId", buf, bufsz);
    case RL_INPUT_PIPELINE:
        return arn_field(rl_node_get(root, "metadata"), "pipelineArn", buf, bufsz);
    default:
        return NULL;
    }
}

/* Kinds that describe one region's deployment or account state and so need a region. */
static bool needs_region(rl_input_kind k)
{
    return k == RL_INPUT_QUOTAS || k == RL_INPUT_QUOTA_USAGE || k == RL_INPUT_STACKS ||
           k == RL_INPUT_STACK_EVENTS;
}

void rl_inputs_attribute(rl_inputs *ins, const rl_config *cfg)
{
    for (size_t i = 0; i < rl_inputs_count(ins); i++) {
        rl_input *in = rl_inputs_at(ins, i);
        char buf[64];
        bool matched;
        const char *r;
        in->region = NULL;
        in->region_from = RL_REGION_FROM_NONE;
        if (!in->doc || in->kind == RL_INPUT_UNKNOWN)
            continue;
        r = from_config(cfg, in, &matched);
        if (matched) {
            in->region_from = RL_REGION_FROM_CONFIG;
        } else if ((r = from_path(in->path, buf, sizeof(buf)))) {
            in->region_from = RL_REGION_FROM_PATH;
        } else if ((r = from_content(in, buf, sizeof(buf)))) {
            in->region_from = RL_REGION_FROM_CONTENT;
        }
        in->region = r ? rl_inputs_strdup(ins, r) : NULL;
        if (!in->region && in->region_from == RL_REGION_FROM_NONE && needs_region(in->kind))
            in->note = "the region of this export cannot be determined: put it under a folder "
                       "named after the region (exports/us-west-2/...) or map it under "
                       "`inputs:` in the config";
    }
}

void rl_inputs_classify(rl_inputs *ins, const rl_config *cfg)
{
    for (size_t i = 0; i < rl_inputs_count(ins); i++) {
        rl_input *in = rl_inputs_at(ins, i);
        if (!in->doc)
            continue;
        in->kind = rl_classify(in->doc, in->path, cfg, &in->subkind, &in->looks_aws);
    }
}
