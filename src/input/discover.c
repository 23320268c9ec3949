/* Input discovery and loading: walks the named paths (deterministic order, skipped folders,
 * symlink loops detected) and loads every candidate file into a document. */
#include <regionlint/input.h>

#include "../base/arena.h"
#include "../base/hmap.h"
#include "inputs_private.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rl_inputs {
    rl_arena *arena;
    rl_input **items;
    size_t count, cap;
    const char **skipped;
    const char **skipped_why;
    size_t nskipped, capskipped;
    rl_hmap seen_dirs;  /* "dev:ino" of folders already walked */
    rl_hmap seen_files; /* "dev:ino" of files already added */
};

int rl_inputs_new(rl_inputs **out)
{
    rl_inputs *in = calloc(1, sizeof(*in));
    if (!in || !(in->arena = rl_arena_new(0))) {
        free(in);
        return RL_ENOMEM;
    }
    *out = in;
    return RL_OK;
}

void rl_inputs_free(rl_inputs *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->count; i++) {
        rl_doc_free(in->items[i]->doc);
        rl_source_free(in->items[i]->text);
    }
    free(in->items);
    free(in->skipped);
    free(in->skipped_why);
    rl_hmap_free(&in->seen_dirs);
    rl_hmap_free(&in->seen_files);
    rl_arena_free(in->arena);
    free(in);
}

const char *rl_inputs_strdup(rl_inputs *in, const char *s)
{
    return rl_arena_strdup(in->arena, s);
}

size_t rl_inputs_count(const rl_inputs *in)
{
    return in->count;
}

rl_input *rl_inputs_at(const rl_inputs *in, size_t i)
{
    return i < in->count ? in->items[i] : NULL;
}

size_t rl_inputs_skipped_count(const rl_inputs *in)
{
    return in->nskipped;
}

const char *rl_inputs_skipped_at(const rl_inputs *in, size_t i)
{
    return i < in->nskipped ? in->skipped[i] : NULL;
}

const char *rl_inputs_skipped_why(const rl_inputs *in, size_t i)
{
    return i < in->nskipped ? in->skipped_why[i] : NULL;
}

/* Display form of a path: no leading "./", no doubled or trailing slashes. */
static char *normalize(rl_arena *a, const char *path)
{
    char *out = rl_arena_alloc(a, strlen(path) + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = path;
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
        while (*p == '/')
            p++;
    }
    for (; *p; p++) {
        if (*p == '/' && o > 0 && out[o - 1] == '/')
            continue;
        if (*p == '/' && p[1] == '.' && p[2] == '/') {
            p++; /* "a/./b" */
            continue;
        }
        out[o++] = *p;
    }
    while (o > 1 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    if (o == 0)
        strcpy(out, ".");
    return out;
}

static int add_input(rl_inputs *in, const char *fs_path, const char *display, bool explicit_arg)
{
    if (in->count == in->cap) {
        size_t ncap = in->cap ? in->cap * 2 : 64;
        rl_input **n = realloc(in->items, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        in->items = n;
        in->cap = ncap;
    }
    rl_input *it = rl_arena_calloc(in->arena, 1, sizeof(*it));
    if (!it || !(it->fs_path = rl_arena_strdup(in->arena, fs_path)) ||
        !(it->path = normalize(in->arena, display)))
        return RL_ENOMEM;
    it->explicit_arg = explicit_arg;
    in->items[in->count++] = it;
    return RL_OK;
}

static int add_skipped(rl_inputs *in, const char *path, const char *why)
{
    if (in->nskipped == in->capskipped) {
        size_t ncap = in->capskipped ? in->capskipped * 2 : 32;
        const char **n = realloc(in->skipped, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        in->skipped = n;
        n = realloc(in->skipped_why, ncap * sizeof(*n));
        if (!n)
            return RL_ENOMEM;
        in->skipped_why = n;
        in->capskipped = ncap;
    }
    const char *p = normalize(in->arena, path);
    if (!p)
        return RL_ENOMEM;
    in->skipped[in->nskipped] = p;
    in->skipped_why[in->nskipped++] = why;
    return RL_OK;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Files read from folders: JSON and YAML by extension; anything else is listed as skipped.
 * (Files named on the command line are always read.) */
static bool wanted_file(const char *name)
{
    static const char *const exts[] = {".json", ".yaml", ".yml", ".template", ".tfstate"};
    if (!strcmp(name, ".regionlint.yaml") || !strcmp(name, ".regionlint.yml"))
        return false;
    for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++)
        if (has_suffix(name, exts[i]))
            return true;
    return false;
}

static bool skipped_dir(const char *name)
{
    if (!strcmp(name, ".github"))
        return false;
    return name[0] == '.' || !strcmp(name, "node_modules") || !strcmp(name, "cdk.out");
}

static int seen(rl_inputs *in, rl_hmap *set, const struct stat *st)
{
    char key[64];
    int n = snprintf(key, sizeof(key), "%llx:%llx", (unsigned long long)st->st_dev,
                     (unsigned long long)st->st_ino);
    if (rl_hmap_get(set, key, (size_t)n))
        return 1;
    char *copy = rl_arena_strndup(in->arena, key, (size_t)n);
    if (!copy || rl_hmap_put(set, copy, (size_t)n, copy) < 0)
        return RL_ENOMEM;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(rl_inputs *in, const char *fs_dir, const char *display, unsigned depth)
{
    DIR *d = NULL;
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    int rc = RL_OK;

    if (depth > 64)
        return RL_OK; /* deeper than any real repository; a loop the inode check missed */
    d = opendir(fs_dir);
    if (!d)
        return add_input(in, fs_dir, display, false); /* kept with its read error */
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (nnames == cap) {
            cap = cap ? cap * 2 : 32;
            char **n = realloc(names, cap * sizeof(*n));
            if (!n) {
                rc = RL_ENOMEM;
                goto cleanup;
            }
            names = n;
        }
        if (!(names[nnames++] = strdup(e->d_name))) {
            rc = RL_ENOMEM;
            goto cleanup;
        }
    }
    closedir(d);
    d = NULL;
    qsort(names, nnames, sizeof(*names), cmp_names);
    for (size_t i = 0; i < nnames && rc == RL_OK; i++) {
        char *fs = NULL, *disp = NULL;
        size_t fl = strlen(fs_dir) + strlen(names[i]) + 2;
        size_t dl = strlen(display) + strlen(names[i]) + 2;
        fs = malloc(fl);
        disp = malloc(dl);
        if (!fs || !disp) {
            free(fs);
            free(disp);
            rc = RL_ENOMEM;
            break;
        }
        snprintf(fs, fl, "%s/%s", fs_dir, names[i]);
        if (!strcmp(display, "."))
            snprintf(disp, dl, "%s", names[i]);
        else
            snprintf(disp, dl, "%s/%s", display, names[i]);
        struct stat st;
        if (stat(fs, &st) != 0) {
            /* dangling symlink or unreadable entry: keep it so the error is reported */
            if (wanted_file(names[i]))
                rc = add_input(in, fs, disp, false);
        } else if (S_ISDIR(st.st_mode)) {
            if (skipped_dir(names[i])) {
                /* not an input folder */
            } else {
                int s = seen(in, &in->seen_dirs, &st);
                if (s < 0)
                    rc = s;
                else if (s == 0)
                    rc = walk(in, fs, disp, depth + 1);
            }
        } else if (S_ISREG(st.st_mode)) {
            if (!strcmp(names[i], ".regionlint.yaml") || !strcmp(names[i], ".regionlint.yml")) {
                /* the config file is not an input */
            } else if (!wanted_file(names[i])) {
                rc = add_skipped(in, disp, "not a JSON or YAML file");
            } else {
                int s = seen(in, &in->seen_files, &st);
                if (s < 0)
                    rc = s;
                else if (s == 0)
                    rc = add_input(in, fs, disp, false);
            }
        }
        free(fs);
        free(disp);
    }

cleanup:
    if (d)
        closedir(d);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return rc;
}

int rl_inputs_add_path(rl_inputs *in, const char *path, const rl_discover_opts *opts, rl_error *err)
{
    (void)opts;
    if (!strcmp(path, "-"))
        return add_input(in, "-", "-", true);
    struct stat st;
    if (stat(path, &st) != 0)
        return rl_error_set(err, RL_EIO, path, 0, 0, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        int s = seen(in, &in->seen_dirs, &st);
        if (s < 0)
            return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        if (s > 0)
            return RL_OK;
        int rc = walk(in, path, path, 0);
        return rc < 0 ? rl_error_set(err, rc, path, 0, 0, "out of memory") : RL_OK;
    }
    int s = seen(in, &in->seen_files, &st);
    if (s < 0)
        return rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
    if (s > 0)
        return RL_OK;
    int rc = add_input(in, path, path, true);
    return rc < 0 ? rl_error_set(err, rc, NULL, 0, 0, "out of memory") : RL_OK;
}

int rl_inputs_exclude(rl_inputs *in, bool (*keep)(const rl_input *it, void *ctx), void *ctx)
{
    size_t o = 0;
    for (size_t i = 0; i < in->count; i++) {
        rl_input *it = in->items[i];
        if (keep(it, ctx)) {
            in->items[o++] = it;
            continue;
        }
        if (add_skipped(in, it->path, "excluded") < 0)
            return RL_ENOMEM;
    }
    in->count = o;
    return RL_OK;
}

unsigned rl_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > RL_MAX_JOBS ? RL_MAX_JOBS : (unsigned)n;
}

/* Reads and parses one input; touches nothing but the input. */
static void load_one(rl_input *it, const rl_discover_opts *opts)
{
    size_t max = opts && opts->max_file_size ? opts->max_file_size : RL_DEFAULT_MAX_FILE_SIZE;
    rl_source *src = NULL;
    if (it->doc || it->error.code)
        return;
    if (rl_source_read(&src, it->fs_path, it->path, max, &it->error) < 0)
        return;
    if (rl_doc_parse(&it->doc, src, opts ? &opts->load : NULL, &it->error) < 0)
        it->text = src; /* kept so the error can be shown in its line */
}

typedef struct load_work {
    rl_inputs *in;
    const rl_discover_opts *opts;
    atomic_size_t next; /* the next input to take */
} load_work;

static bool is_stdin(const rl_input *it)
{
    return !strcmp(it->fs_path, "-");
}

/* Takes inputs in turn until none is left; big and small files even out by themselves. */
static void *load_worker(void *arg)
{
    load_work *w = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&w->next, 1);
        if (i >= w->in->count)
            return NULL;
        if (!is_stdin(w->in->items[i]))
            load_one(w->in->items[i], w->opts);
    }
}

void rl_inputs_load(rl_inputs *in, const rl_discover_opts *opts)
{
    unsigned jobs = opts && opts->jobs ? opts->jobs : rl_default_jobs();
    if (jobs > RL_MAX_JOBS)
        jobs = RL_MAX_JOBS;
    if (jobs > in->count)
        jobs = (unsigned)in->count;
    /* standard input is one stream: this thread reads it, whatever the jobs */
    for (size_t i = 0; i < in->count; i++)
        if (jobs <= 1 || is_stdin(in->items[i]))
            load_one(in->items[i], opts);
    if (jobs <= 1)
        return;
    load_work w = {in, opts, 0};
    pthread_t threads[RL_MAX_JOBS];
    unsigned started = 0;
    /* a thread that cannot be started leaves its share to the others */
    while (started + 1 < jobs && pthread_create(&threads[started], NULL, load_worker, &w) == 0)
        started++;
    load_worker(&w);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}
