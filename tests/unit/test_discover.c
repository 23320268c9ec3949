/* Discovery: order, skipped folders, .github, symlink loops, explicit files, errors. */
#include <criterion/criterion.h>
#include <regionlint/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[64];

/* Runs `cd ROOT && <script>` (or `rm -rf ROOT` with script NULL). */
static void sh(const char *script)
{
    char cmd[1024];
    if (script)
        snprintf(cmd, sizeof(cmd), "cd %s && %s", root, script);
    else
        snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void setup(void)
{
    strcpy(root, "/tmp/rl-disc-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    sh("mkdir -p b a .git .hidden node_modules .github/workflows cdk.out sub/loop");
    sh("echo '{}' > b/2.json && echo 'x: 1' > a/1.yaml && echo '{}' > .git/c.json");
    sh("echo '{}' > .hidden/h.json && echo '{}' > node_modules/n.json");
    sh("echo 'on: push' > .github/workflows/ci.yml && echo '{}' > cdk.out/t.json");
    sh("echo 'notes' > README.md && echo 'x: 1' > .regionlint.yaml");
    sh("echo 'x: 1' > .gitlab-ci.yml && ln -s .. sub/loop/up && ln -s a alias");
}

static void teardown(void)
{
    sh(NULL);
}

TestSuite(discover, .init = setup, .fini = teardown);

Test(discover, order_skips_and_loops)
{
    rl_inputs *in = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_inputs_new(&in), 0);
    cr_assert_eq(rl_inputs_add_path(in, root, NULL, &err), 0, "%s", err.message);
    const char *want[] = {".github/workflows/ci.yml", ".gitlab-ci.yml", "a/1.yaml", "b/2.json"};
    cr_assert_eq(rl_inputs_count(in), 4, "found %zu inputs", rl_inputs_count(in));
    for (size_t i = 0; i < 4; i++) {
        const char *p = rl_inputs_at(in, i)->path;
        cr_assert(strlen(p) > strlen(root) && !strcmp(p + strlen(root) + 1, want[i]), "%zu: %s", i,
                  p);
    }
    cr_assert_eq(rl_inputs_skipped_count(in), 1);
    cr_assert(strstr(rl_inputs_skipped_at(in, 0), "README.md"));
    rl_inputs_free(in);
}

Test(discover, explicit_files_and_missing_paths)
{
    rl_inputs *in = NULL;
    rl_error err;
    rl_error_clear(&err);
    char path[256];
    cr_assert_eq(rl_inputs_new(&in), 0);
    snprintf(path, sizeof(path), "%s/README.md", root);
    cr_assert_eq(rl_inputs_add_path(in, path, NULL, &err), 0);
    cr_assert_eq(rl_inputs_add_path(in, path, NULL, &err), 0, "the same file twice is read once");
    cr_assert_eq(rl_inputs_count(in), 1);
    cr_assert(rl_inputs_at(in, 0)->explicit_arg);
    snprintf(path, sizeof(path), "%s/nope", root);
    cr_assert_eq(rl_inputs_add_path(in, path, NULL, &err), RL_EIO);
    cr_assert(strstr(err.message, "No such file"), "%s", err.message);
    rl_inputs_free(in);
}

Test(discover, display_paths_are_normalised)
{
    rl_inputs *in = NULL;
    rl_error err;
    rl_error_clear(&err);
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
    cr_assert_eq(chdir(root), 0);
    cr_assert_eq(rl_inputs_new(&in), 0);
    cr_assert_eq(rl_inputs_add_path(in, "./a//", NULL, &err), 0, "%s", err.message);
    cr_assert_eq(rl_inputs_count(in), 1);
    cr_assert_str_eq(rl_inputs_at(in, 0)->path, "a/1.yaml");
    rl_inputs_free(in);
    cr_assert_eq(chdir(cwd), 0);
}

/* The same documents and errors whatever the number of threads that read them. */
static void load_with(rl_inputs **in, unsigned jobs)
{
    rl_error err;
    rl_error_clear(&err);
    rl_discover_opts o;
    memset(&o, 0, sizeof(o));
    o.jobs = jobs;
    cr_assert_eq(rl_inputs_new(in), 0);
    cr_assert_eq(rl_inputs_add_path(*in, root, &o, &err), 0, "%s", err.message);
    rl_inputs_load(*in, &o);
}

static void same_node(const rl_node *a, const rl_node *b, int depth)
{
    cr_assert_eq(!a, !b);
    if (!a || depth > 8)
        return;
    cr_assert_eq(a->kind, b->kind);
    cr_assert_eq(memcmp(&a->span, &b->span, sizeof(a->span)), 0);
    cr_assert_eq(rl_node_count(a), rl_node_count(b));
    if (rl_node_is_scalar(a))
        cr_assert_str_eq(a->u.s.str, b->u.s.str);
    for (size_t i = 0; i < rl_node_count(a); i++) {
        if (rl_node_is_map(a)) {
            same_node(a->u.map.items[i].key, b->u.map.items[i].key, depth + 1);
            same_node(a->u.map.items[i].value, b->u.map.items[i].value, depth + 1);
        } else {
            same_node(a->u.seq.items[i], b->u.seq.items[i], depth + 1);
        }
    }
}

Test(discover, threads_load_the_same_documents)
{
    sh("mkdir -p many && for i in $(seq 1 60); do "
       "printf 'k%d: [a, b]\\nv: !Ref X\\n' $i > many/y$i.yaml; "
       "printf '{\"k\": %d, \"s\": \"t\"}' $i > many/j$i.json; done");
    sh("printf 'a: [1, 2\\n' > many/broken.yaml && printf '{\"a\": }' > many/broken.json");
    sh("printf 'x: 1' > many/unreadable.yaml && chmod 000 many/unreadable.yaml");
    rl_inputs *one = NULL, *four = NULL;
    load_with(&one, 1);
    load_with(&four, 4);
    cr_assert_eq(rl_inputs_count(one), rl_inputs_count(four));
    cr_assert_gt(rl_inputs_count(one), 120);
    for (size_t i = 0; i < rl_inputs_count(one); i++) {
        const rl_input *a = rl_inputs_at(one, i), *b = rl_inputs_at(four, i);
        cr_assert_str_eq(a->path, b->path);
        cr_assert_eq(a->error.code, b->error.code, "%s", a->path);
        cr_assert_str_eq(a->error.message, b->error.message);
        cr_assert_eq(a->error.line, b->error.line);
        cr_assert_eq(!a->doc, !b->doc, "%s", a->path);
        cr_assert_eq(!a->text, !b->text, "%s", a->path);
        if (a->doc)
            same_node(rl_doc_root(a->doc), rl_doc_root(b->doc), 0);
    }
    rl_inputs_free(one);
    rl_inputs_free(four);
    sh("chmod 644 many/unreadable.yaml");
}
