/* Benchmark baseline: libyaml's bare event parse (yaml_parser_parse in a loop, each event
 * deleted) over every file of a folder, and our own loader (rl_source_read + rl_doc_load)
 * over the same files, so the two parsers can be compared (tests/bench/run.sh). */
#include <regionlint/doc.h>

#include "base/arena.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <yaml.h>

typedef struct files {
    char **paths;
    size_t count, cap;
    size_t bytes;
} files;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects regular files below `dir`, hidden ones included (.regionlint.yaml is input). */
static int collect(files *f, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(need);
        if (!path) {
            rc = -1;
            break;
        }
        snprintf(path, need, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            perror(path);
            free(path);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = collect(f, path);
            free(path);
        } else if (S_ISREG(st.st_mode)) {
            if (f->count == f->cap) {
                size_t ncap = f->cap ? f->cap * 2 : 256;
                char **np = realloc(f->paths, ncap * sizeof(*np));
                if (!np) {
                    free(path);
                    rc = -1;
                    break;
                }
                f->paths = np;
                f->cap = ncap;
            }
            f->paths[f->count++] = path;
            f->bytes += (size_t)st.st_size;
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system CPU seconds of this process so far. */
static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(fp), &st) == 0 && (buf = malloc((size_t)st.st_size + 1)))
        *len = fread(buf, 1, (size_t)st.st_size, fp);
    fclose(fp);
    return buf;
}

/* libyaml: read each file and pull every event; returns the number of events. */
static long run_libyaml(const files *f, size_t *failures)
{
    long events = 0;
    for (size_t i = 0; i < f->count; i++) {
        size_t len = 0;
        char *buf = read_all(f->paths[i], &len);
        if (!buf) {
            (*failures)++;
            continue;
        }
        yaml_parser_t p;
        yaml_event_t ev;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
        for (;;) {
            if (!yaml_parser_parse(&p, &ev)) {
                (*failures)++;
                break;
            }
            events++;
            int done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
            if (done)
                break;
        }
        yaml_parser_delete(&p);
        free(buf);
    }
    return events;
}

/* Ours: rl_source_read + rl_doc_load per file. With `keep` every document stays loaded
 * until the end, as the linter holds the whole pair; otherwise each is freed at once. */
static long run_load(const files *f, bool keep, size_t *failures, size_t *arena_bytes)
{
    rl_doc **docs = keep ? calloc(f->count, sizeof(*docs)) : NULL;
    long loaded = 0;
    *arena_bytes = 0;
    for (size_t i = 0; i < f->count; i++) {
        rl_source *src;
        rl_doc *doc;
        rl_error err;
        rl_error_clear(&err);
        if (rl_source_read(&src, f->paths[i], NULL, RL_DEFAULT_MAX_FILE_SIZE, &err) < 0 ||
            rl_doc_load(&doc, src, NULL, &err) < 0) {
            fprintf(stderr, "%s:%u:%u: %s\n", f->paths[i], err.line, err.column, err.message);
            (*failures)++;
            continue;
        }
        loaded++;
        *arena_bytes += rl_arena_used(rl_doc_arena(doc));
        if (docs)
            docs[i] = doc;
        else
            rl_doc_free(doc);
    }
    if (docs) {
        for (size_t i = 0; i < f->count; i++)
            rl_doc_free(docs[i]);
        free(docs);
    }
    return loaded;
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--mode libyaml|load|keep] [--repeat N] DIR...\n"
            "  libyaml  libyaml's bare event parse of every file (the baseline)\n"
            "  load     rl_source_read + rl_doc_load of every file, each freed at once\n"
            "  keep     the same, every document kept until the end (peak memory)\n"
            "Prints one line of key=value pairs; wall and CPU time are each the best of N runs.\n",
            argv0);
}

int main(int argc, char **argv)
{
    const char *mode = "libyaml";
    int repeat = 3;
    files f = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            mode = argv[++i];
        } else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (argv[i][0] == '-') {
            usage(argv[0]);
            return 2;
        } else if (collect(&f, argv[i]) < 0) {
            return 2;
        }
    }
    bool libyaml = !strcmp(mode, "libyaml");
    if ((!libyaml && strcmp(mode, "load") && strcmp(mode, "keep")) || repeat < 1 || !f.count) {
        usage(argv[0]);
        return 2;
    }
    qsort(f.paths, f.count, sizeof(*f.paths), cmp_str);

    double best = 1e30, best_cpu = 1e30;
    long items = 0;
    size_t failures = 0, arena = 0;
    for (int r = 0; r < repeat; r++) {
        failures = 0;
        double t0 = now(), c0 = cpu_now();
        items = libyaml ? run_libyaml(&f, &failures)
                        : run_load(&f, !strcmp(mode, "keep"), &failures, &arena);
        double t = now() - t0, c = cpu_now() - c0;
        if (t < best)
            best = t;
        if (c < best_cpu)
            best_cpu = c; /* CPU time suffers less than wall time from other load */
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("mode=%s files=%zu bytes=%zu seconds=%.4f cpu_seconds=%.4f mb_per_s=%.1f %s=%ld "
           "failures=%zu arena_bytes=%zu peak_rss_kb=%ld\n",
           mode, f.count, f.bytes, best, best_cpu, (double)f.bytes / 1e6 / best,
           libyaml ? "events" : "docs", items, failures, arena, ru.ru_maxrss);
    for (size_t i = 0; i < f.count; i++)
        free(f.paths[i]);
    free(f.paths);
    return failures ? 1 : 0;
}
