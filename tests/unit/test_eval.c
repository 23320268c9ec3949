/* The region-pair model and the evaluator: instances per region, intrinsics, parameters,
 * parameter files, conditions, Terraform regions, and where each resolved byte came from. */
#include <criterion/criterion.h>
#include <regionlint/eval.h>
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

static void put(fx *f, const char *name, const char *text)
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

static void build(fx *f)
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

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/rl-eval-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    return f;
}

static void fx_free(fx *f)
{
    char cmd[128];
    rl_model_free(f->m);
    rl_inputs_free(f->in);
    rl_config_free(f->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f);
}

static const rl_stack *stack_in(const rl_model *m, const char *file_suffix, const char *region)
{
    for (size_t i = 0; i < m->nstacks; i++) {
        const rl_stack *st = m->stacks[i];
        size_t a = strlen(st->input->path), b = strlen(file_suffix);
        if (a >= b && !strcmp(st->input->path + a - b, file_suffix) && st->region &&
            !strcmp(st->region, region))
            return st;
    }
    return NULL;
}

static const rl_node *prop(const rl_stack *st, const char *res, const char *dotted)
{
    for (size_t i = 0; i < st->nresources; i++)
        if (!strcmp(st->resources[i].id, res))
            return rl_node_path(st->resources[i].props, dotted);
    return NULL;
}

typedef struct alts {
    char v[20][256];
    bool complete[20];
    rl_evstr last;
    const char *file;
    rl_span span;
    bool located;
    int n;
} alts;

static int collect(void *ctx, const rl_evstr *s)
{
    alts *a = ctx;
    if (a->n < 20) {
        snprintf(a->v[a->n], sizeof(a->v[0]), "%s", s->str);
        a->complete[a->n] = s->complete;
        const char *r = strstr(s->str, "us-east-1");
        if (r && !a->located)
            a->located = rl_evstr_locate(s, (size_t)(r - s->str), 9, &a->file, &a->span, NULL);
        a->n++;
    }
    return 0;
}

static alts eval(const rl_stack *st, const rl_node *n)
{
    alts a;
    memset(&a, 0, sizeof(a));
    cr_assert_not_null(n);
    cr_assert_eq(rl_eval_strings(st, n, collect, &a), 0);
    return a;
}

Test(eval, shared_template_per_region_and_parameter_origin)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Parameters:\n"
        "  Home: {Type: String, Default: us-east-1}\n"
        "  Names: {Type: CommaDelimitedList, Default: 'a, b,c'}\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      A: !Sub arn:${AWS::Partition}:sqs:${Home}:${AWS::AccountId}:q-${AWS::Region}\n"
        "      B: !Join ['-', [x, !Ref 'AWS::Region', !Select [2, !Ref Names]]]\n"
        "      C: !Select [1, !Split [',', 'p,q,r']]\n"
        "      D: !Sub 'a${!Literal}b'\n"
        "      E: !Base64 {'Fn::Sub': 'h-${AWS::URLSuffix}'}\n");
    build(f);
    cr_assert_eq(f->m->nstacks, 2);
    const rl_stack *w = stack_in(f->m, "t.yaml", "us-west-2");
    cr_assert_not_null(w);
    cr_assert(w->shared);
    alts a = eval(w, prop(w, "R", "A"));
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(a.v[0], "arn:aws:sqs:us-east-1:\xEF\xBF\xBD:q-us-west-2");
    cr_assert_not(a.complete[0]);
    cr_assert(a.located);
    cr_assert_eq(a.span.start.line, 2, "the parameter's Default carries the region");
    cr_assert_eq(a.span.start.column, 33);
    cr_assert_eq(a.span.end.column, 42);
    cr_assert_str_eq(eval(w, prop(w, "R", "B")).v[0], "x-us-west-2-c");
    cr_assert_str_eq(eval(w, prop(w, "R", "C")).v[0], "q");
    cr_assert_str_eq(eval(w, prop(w, "R", "D")).v[0], "a${Literal}b");
    cr_assert_str_eq(eval(w, prop(w, "R", "E")).v[0], "h-amazonaws.com");
    fx_free(f);
}

Test(eval, literal_positions_inside_sub)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      A: !Sub 'arn:aws:sqs:us-east-1:${AWS::AccountId}:q'\n");
    build(f);
    const rl_stack *w = stack_in(f->m, "t.yaml", "us-west-2");
    alts a = eval(w, prop(w, "R", "A"));
    cr_assert(a.located);
    cr_assert_eq(a.span.start.line, 5);
    cr_assert_eq(a.span.start.column, 28);
    cr_assert_eq(a.span.end.column, 37);
    fx_free(f);
}

Test(eval, conditions_by_region_and_unknown_if)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Parameters:\n"
        "  Flag: {Type: String}\n"
        "Conditions:\n"
        "  InPrimary: !Equals [!Ref 'AWS::Region', us-east-1]\n"
        "  NotPrimary: !Not [!Condition InPrimary]\n"
        "  Both: !And [!Condition InPrimary, !Equals [!Ref Flag, 'yes']]\n"
        "  Either: !Or [!Condition InPrimary, !Equals [!Ref Flag, 'yes']]\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Condition: InPrimary\n"
        "    Properties:\n"
        "      A: !If [InPrimary, one, two]\n"
        "      B: !If [Both, yes, no]\n");
    build(f);
    const rl_stack *e = stack_in(f->m, "t.yaml", "us-east-1");
    const rl_stack *w = stack_in(f->m, "t.yaml", "us-west-2");
    cr_assert_eq(rl_eval_condition(e, "InPrimary"), 1);
    cr_assert_eq(rl_eval_condition(w, "InPrimary"), 0);
    cr_assert_eq(rl_eval_condition(w, "NotPrimary"), 1);
    cr_assert_eq(rl_eval_condition(w, "Both"), 0, "false AND unknown is false");
    cr_assert_eq(rl_eval_condition(e, "Both"), -1, "true AND unknown is unknown");
    cr_assert_eq(rl_eval_condition(e, "Either"), 1, "true OR unknown is true");
    cr_assert_eq(rl_eval_condition(w, "Either"), -1);
    cr_assert_eq(rl_eval_condition(w, "Missing"), -1);
    cr_assert_eq(e->resources[0].deployed, 1);
    cr_assert_eq(w->resources[0].deployed, 0);
    cr_assert_str_eq(eval(w, prop(w, "R", "A")).v[0], "two");
    alts b = eval(e, prop(e, "R", "B"));
    cr_assert_eq(b.n, 2, "both branches of an unknown condition");
    fx_free(f);
}

Test(eval, alternatives_are_capped)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Parameters: {P: {Type: String}}\n"
        "Conditions: {C: !Equals [!Ref P, x]}\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      A: !Join ['', [!If [C, a, b], !If [C, a, b], !If [C, a, b], !If [C, a, b], !If [C, "
        "a, b], !If [C, a, b]]]\n");
    build(f);
    const rl_stack *e = stack_in(f->m, "t.yaml", "us-east-1");
    cr_assert_eq(eval(e, prop(e, "R", "A")).n, RL_EVAL_MAX_ALTERNATIVES);
    fx_free(f);
}

Test(eval, find_in_map_and_ssm_parameters)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Parameters:\n"
        "  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/ami}\n"
        "Mappings:\n"
        "  M: {us-east-1: {Id: ami-1}, us-west-2: {Id: ami-2}}\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      A: !FindInMap [M, !Ref 'AWS::Region', Id]\n"
        "      B: !Ref Ami\n");
    build(f);
    const rl_stack *w = stack_in(f->m, "t.yaml", "us-west-2");
    cr_assert_str_eq(eval(w, prop(w, "R", "A")).v[0], "ami-2");
    alts b = eval(w, prop(w, "R", "B"));
    cr_assert_not(b.complete[0], "an SSM parameter's default is a parameter name, not a value");
    fx_free(f);
}

Test(eval, parameter_files_bind_per_region)
{
    fx *f = fx_new();
    put(f, "app.yaml",
        "Parameters: {Queue: {Type: String, Default: default-q}}\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties: {Name: !Ref Queue}\n");
    put(f, "params/us-west-2/app.json",
        "[{\"ParameterKey\": \"Queue\", \"ParameterValue\": \"west-q\"}]");
    build(f);
    const rl_stack *w = stack_in(f->m, "app.yaml", "us-west-2");
    const rl_stack *e = stack_in(f->m, "app.yaml", "us-east-1");
    alts a = eval(w, prop(w, "R", "Name"));
    cr_assert_str_eq(a.v[0], "west-q");
    cr_assert_str_eq(eval(e, prop(e, "R", "Name")).v[0], "default-q");
    cr_assert_not_null(w->params);
    fx_free(f);
}

Test(eval, terraform_provider_regions)
{
    fx *f = fx_new();
    put(f, "main.tf.json",
        "{\"variable\": {\"dr\": {\"default\": \"us-west-2\"}},"
        " \"provider\": {\"aws\": [{\"region\": \"us-east-1\"}, {\"alias\": \"dr\", \"region\": "
        "\"${var.dr}\"}]},"
        " \"resource\": {\"aws_sqs_queue\": {"
        "   \"a\": {\"name\": \"q-${data.aws_region.current.name}\"},"
        "   \"b\": {\"provider\": \"aws.dr\", \"name\": \"${var.dr}-q\"},"
        "   \"c\": {\"region\": \"eu-west-1\", \"name\": \"c\"},"
        "   \"d\": {\"name\": \"$${literal}-%{if true}x%{endif}\"}}}}");
    build(f);
    const rl_stack *e = stack_in(f->m, "main.tf.json", "us-east-1");
    const rl_stack *w = stack_in(f->m, "main.tf.json", "us-west-2");
    const rl_stack *x = stack_in(f->m, "main.tf.json", "eu-west-1");
    cr_assert_not_null(e);
    cr_assert_not_null(w);
    cr_assert_not_null(x, "the AWS provider 6 per-resource region wins");
    cr_assert_str_eq(e->resources[0].id, "aws_sqs_queue.a");
    cr_assert_str_eq(eval(e, rl_node_get(e->resources[0].props, "name")).v[0], "q-us-east-1");
    cr_assert_str_eq(w->resources[0].id, "aws_sqs_queue.b");
    cr_assert_str_eq(eval(w, rl_node_get(w->resources[0].props, "name")).v[0], "us-west-2-q");
    alts d = eval(e, rl_node_get(e->resources[1].props, "name"));
    cr_assert_str_eq(e->resources[1].id, "aws_sqs_queue.d");
    cr_assert(!strncmp(d.v[0], "${literal}-", 11), "%s", d.v[0]);
    cr_assert_not(d.complete[0], "a %%{...} directive is unknown");
    fx_free(f);
}

Test(eval, terraform_module_is_a_folder)
{
    /* providers, variables and resources in different files of one root module */
    fx *f = fx_new();
    put(f, "tf/variables.tf.json", "{\"variable\": {\"dr\": {\"default\": \"us-west-2\"}}}");
    put(f, "tf/providers.tf.json",
        "{\"provider\": {\"aws\": [{\"region\": \"us-east-1\"}, {\"alias\": \"dr\", "
        "\"region\": \"${var.dr}\"}]}}");
    put(f, "tf/main.tf.json",
        "{\"resource\": {\"aws_sqs_queue\": {\"b\": {\"provider\": \"aws.dr\", \"name\": "
        "\"${var.dr}-q\"}}}}");
    put(f, "other/main.tf.json", "{\"resource\": {\"aws_sqs_queue\": {\"c\": {\"name\": \"c\"}}}}");
    build(f);
    const rl_stack *w = stack_in(f->m, "tf/main.tf.json", "us-west-2");
    cr_assert_not_null(w, "the provider of providers.tf.json applies to main.tf.json");
    alts a = eval(w, rl_node_get(w->resources[0].props, "name"));
    cr_assert_str_eq(a.v[0], "us-west-2-q");
    cr_assert_null(stack_in(f->m, "other/main.tf.json", "us-east-1"),
                   "another folder is another module: its provider is unknown");
    fx_free(f);
}

Test(eval, config_account_is_aws_account_id)
{
    fx *f = fx_new();
    put(f, ".regionlint.yaml", "account: {us-east-1: '111122223333', us-west-2: '444455556666'}\n");
    put(f, "t.yaml",
        "Resources:\n  R:\n    Type: AWS::SQS::Queue\n"
        "    Properties: {A: !Sub 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q'}\n");
    build(f);
    const rl_stack *w = stack_in(f->m, "t.yaml", "us-west-2");
    alts a = eval(w, prop(w, "R", "A"));
    cr_assert_str_eq(a.v[0], "arn:aws:sqs:us-west-2:444455556666:q");
    cr_assert(a.complete[0]);
    fx_free(f);
}

Test(eval, exports_index)
{
    fx *f = fx_new();
    put(f, "us-east-1/net.yaml",
        "Resources: {V: {Type: AWS::EC2::VPC}}\n"
        "Outputs: {O: {Value: x, Export: {Name: !Sub 'net-${AWS::Region}'}}}\n");
    build(f);
    cr_assert_not_null(rl_model_exports(f->m, "us-east-1", "net-us-east-1"));
    cr_assert_null(rl_model_exports(f->m, "us-west-2", "net-us-east-1"));
    cr_assert(rl_model_exported_anywhere(f->m, "net-us-east-1"));
    fx_free(f);
}

/* rl_walk_resource: leaves in order, the branch of an Fn::If the region picks, paths made
 * from the steps, and the steps themselves. */
typedef struct walked {
    char paths[16][160];
    char keys[16][64]; /* the last step: key text or [index] */
    size_t depth[16];
    int n;
} walked;

static int on_walk_leaf(void *ctx, const rl_resource *res, const rl_node *leaf, const rl_walk *w)
{
    walked *x = ctx;
    (void)res;
    (void)leaf;
    cr_assert_lt(x->n, 16);
    size_t d = rl_walk_depth(w), index = 0;
    const rl_node *k = d ? rl_walk_step(w, d - 1, &index) : NULL;
    if (k)
        snprintf(x->keys[x->n], sizeof(x->keys[0]), "%s", rl_node_str(k));
    else
        snprintf(x->keys[x->n], sizeof(x->keys[0]), "[%zu]", index);
    x->depth[x->n] = d;
    /* asked twice: the second answer comes from the cache */
    snprintf(x->paths[x->n], sizeof(x->paths[0]), "%s", rl_walk_path(w));
    cr_assert_str_eq(rl_walk_path(w), x->paths[x->n]);
    x->n++;
    return 0;
}

Test(eval, walk_resource_paths_and_steps)
{
    fx *f = fx_new();
    put(f, "t.yaml",
        "Conditions:\n"
        "  East: !Equals [!Ref 'AWS::Region', us-east-1]\n"
        "Resources:\n"
        "  F:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Role: !GetAtt R.Arn\n"
        "      Tags:\n"
        "        - {Key: a, Value: b}\n"
        "      Env: !If [East, east-value, {Other: west}]\n"
        "      Plain: 3\n");
    build(f);
    const rl_stack *east = stack_in(f->m, "t.yaml", "us-east-1");
    const rl_stack *west = stack_in(f->m, "t.yaml", "us-west-2");
    cr_assert_not_null(east);
    cr_assert_not_null(west);
    walked e, w;
    memset(&e, 0, sizeof(e));
    memset(&w, 0, sizeof(w));
    cr_assert_eq(rl_walk_resource(&east->resources[0], on_walk_leaf, &e), 0);
    cr_assert_eq(rl_walk_resource(&west->resources[0], on_walk_leaf, &w), 0);
    cr_assert_eq(e.n, 5);
    cr_assert_str_eq(e.paths[0], "Resources.F.Properties.Role");
    cr_assert_str_eq(e.keys[0], "Role");
    cr_assert_eq(e.depth[0], 1);
    cr_assert_str_eq(e.paths[1], "Resources.F.Properties.Tags[0].Key");
    cr_assert_eq(e.depth[1], 3);
    cr_assert_str_eq(e.paths[2], "Resources.F.Properties.Tags[0].Value");
    cr_assert_str_eq(e.paths[3], "Resources.F.Properties.Env.Fn::If[1]");
    cr_assert_str_eq(e.keys[3], "[1]");
    cr_assert_eq(e.depth[3], 3);
    cr_assert_str_eq(e.paths[4], "Resources.F.Properties.Plain");
    cr_assert_eq(w.n, 5);
    cr_assert_str_eq(w.paths[3], "Resources.F.Properties.Env.Fn::If[2].Other");
    cr_assert_str_eq(w.keys[3], "Other");
    cr_assert_eq(w.depth[3], 4);
    fx_free(f);
}
