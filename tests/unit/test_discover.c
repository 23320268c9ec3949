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
