/* Document model and loaders: positions, short-form tags, duplicates, limits. */
#include <criterion/criterion.h>
#include <regionlint/doc.h>
#include <stdio.h>
#include <string.h>

static rl_doc *load(const char *name, const char *text, rl_error *err)
{
    rl_source *src = NULL;
    cr_assert_eq(rl_source_new(&src, name, text, strlen(text)), 0);
    rl_doc *doc = NULL;
    rl_error_clear(err);
    rl_doc_load(&doc, src, NULL, err);
    return doc;
}

Test(doc, json_positions)
{
    rl_error err;
    rl_doc *doc =
        load("a.json", "{\n  \"a\": [1, \"h\xc3\xa9llo\", true],\n  \"b\": null\n}", &err);
    cr_assert_not_null(doc, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    cr_assert_eq(root->span.start.line, 1);
    cr_assert_eq(root->span.start.column, 1);
    cr_assert_eq(root->span.end.line, 4);
    cr_assert_eq(root->span.end.column, 2);
    const rl_node *a = rl_node_get(root, "a");
    cr_assert_eq(rl_node_count(a), 3);
    const rl_node *s = rl_node_at(a, 1);
    cr_assert_str_eq(rl_node_str(s), "h\xc3\xa9llo");
    cr_assert_eq(s->span.start.line, 2);
    cr_assert_eq(s->span.start.column, 12);
    cr_assert_eq(s->span.end.column, 19); /* 7 code points including quotes */
    const rl_node *t = rl_node_at(a, 2);
    cr_assert_eq(t->type, RL_SCALAR_BOOL);
    cr_assert_eq(t->span.start.column, 21);
    cr_assert_eq(rl_node_get(root, "b")->type, RL_SCALAR_NULL);
    rl_doc_free(doc);
}

Test(doc, yaml_short_forms)
{
    rl_error err;
    rl_doc *doc = load("t.yaml",
                       "A: !Ref Param\n"
                       "B: !GetAtt Role.Arn\n"
                       "C: !Sub 'arn:${AWS::Partition}:sqs'\n"
                       "D: !If [IsPrimary, a, b]\n"
                       "E: !Condition IsPrimary\n"
                       "F: !Cidr [x, 1, 2]\n",
                       &err);
    cr_assert_not_null(doc, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    const char *fn;
    const rl_node *arg;
    cr_assert(rl_node_intrinsic(rl_node_get(root, "A"), &fn, &arg));
    cr_assert_str_eq(fn, "Ref");
    cr_assert_str_eq(rl_node_str(arg), "Param");
    cr_assert(rl_node_intrinsic(rl_node_get(root, "B"), &fn, &arg));
    cr_assert_str_eq(fn, "Fn::GetAtt");
    cr_assert_eq(rl_node_count(arg), 2);
    cr_assert_str_eq(rl_node_str(rl_node_at(arg, 0)), "Role");
    cr_assert_str_eq(rl_node_str(rl_node_at(arg, 1)), "Arn");
    cr_assert(rl_node_intrinsic(rl_node_get(root, "C"), &fn, &arg));
    cr_assert_str_eq(fn, "Fn::Sub");
    cr_assert_eq(arg->span.start.line, 3);
    cr_assert_eq(arg->span.start.column, 4);
    cr_assert(rl_node_intrinsic(rl_node_get(root, "D"), &fn, &arg));
    cr_assert_str_eq(fn, "Fn::If");
    cr_assert_eq(rl_node_count(arg), 3);
    cr_assert(rl_node_intrinsic(rl_node_get(root, "E"), &fn, &arg));
    cr_assert_str_eq(fn, "Condition");
    cr_assert(rl_node_intrinsic(rl_node_get(root, "F"), &fn, NULL));
    cr_assert_str_eq(fn, "Fn::Cidr");
    rl_doc_free(doc);
}

Test(doc, subspan_in_tagged_scalar)
{
    rl_error err;
    rl_doc *doc = load("t.yaml", "C: !Sub 'arn:aws:sqs:us-east-1:1:q'\n", &err);
    cr_assert_not_null(doc);
    const rl_node *arg;
    rl_node_intrinsic(rl_node_get(rl_doc_root(doc), "C"), NULL, &arg);
    rl_span sp;
    cr_assert(rl_doc_subspan(doc, arg, 12, 9, &sp));
    cr_assert_eq(sp.start.line, 1);
    cr_assert_eq(sp.start.column, 22);
    cr_assert_eq(sp.end.column, 31);
    rl_doc_free(doc);
}

/* Tags are a small index per document; past 254 distinct tags they are looked up in a
 * side table, with the same answers. The long form of a short form keeps its tag. */
Test(doc, tags_of_nodes)
{
    char text[16384];
    size_t o = 0;
    for (int i = 0; i < 300; i++)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "K%d: !T%d 'arn:aws:sqs:us-east-1:1:q'\n",
                              i, i);
    o += (size_t)snprintf(text + o, sizeof(text) - o, "R: !GetAtt Role.Arn\nP: plain\n");
    rl_error err;
    rl_doc *doc = load("t.yaml", text, &err);
    cr_assert_not_null(doc, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    for (int i = 0; i < 300; i += 37) {
        char key[16], tag[16];
        snprintf(key, sizeof(key), "K%d", i);
        snprintf(tag, sizeof(tag), "!T%d", i);
        const rl_node *call = rl_node_get(root, key), *n;
        cr_assert_str_eq(rl_doc_tag(doc, call), tag); /* {Fn::Tn: ...} keeps !Tn */
        cr_assert(rl_node_intrinsic(call, NULL, &n));
        cr_assert_str_eq(rl_doc_tag(doc, n), tag);
        rl_span sp;
        cr_assert(rl_doc_subspan(doc, n, 12, 9, &sp), "%s", key);
        cr_assert_eq(sp.start.column, (uint32_t)(strlen(key) + 2 + strlen(tag) + 1 + 1 + 12 + 1));
    }
    const rl_node *r = rl_node_get(root, "R"), *arg;
    cr_assert_str_eq(rl_doc_tag(doc, r), "!GetAtt");
    cr_assert(rl_node_intrinsic(r, NULL, &arg));
    cr_assert_str_eq(rl_doc_tag(doc, rl_node_at(arg, 1)), "!GetAtt");
    cr_assert_null(rl_doc_tag(doc, rl_node_get(root, "P")));
    cr_assert_null(rl_doc_tag(doc, NULL));
    cr_assert_eq(sizeof(rl_node), 32);
    rl_doc_free(doc);
}

Test(doc, subspan_in_literal_block)
{
    rl_error err;
    rl_doc *doc =
        load("t.yaml", "P: |\n  {\n    \"Resource\": \"arn:aws:sqs:us-east-1:1:q\"\n  }\n", &err);
    cr_assert_not_null(doc);
    const rl_node *p = rl_node_get(rl_doc_root(doc), "P");
    const char *at = strstr(rl_node_str(p), "us-east-1");
    rl_span sp;
    cr_assert(rl_doc_subspan(doc, p, (size_t)(at - rl_node_str(p)), 9, &sp));
    cr_assert_eq(sp.start.line, 3);
    cr_assert_eq(sp.start.column, 30);
    cr_assert_eq(p->span.end.line, 4);
    cr_assert_eq(p->span.end.column, 4);
    rl_doc_free(doc);
}

Test(doc, duplicate_keys_json_and_yaml)
{
    rl_error err;
    rl_doc *doc = load("a.json", "{\"R\": {\"x\": 1, \"y\": 2, \"x\": 3}}", &err);
    cr_assert_not_null(doc);
    cr_assert_eq(rl_doc_dupkey_count(doc), 1);
    const rl_dupkey *d = rl_doc_dupkey(doc, 0);
    cr_assert_str_eq(d->path, "R");
    cr_assert_eq(d->first->span.start.column, 8);
    cr_assert_eq(d->second->span.start.column, 24);
    cr_assert_eq(rl_node_str(rl_node_get(rl_node_get(rl_doc_root(doc), "R"), "x"))[0], '3');
    rl_doc_free(doc);

    doc = load("a.yaml", "Resources:\n  A:\n    Type: x\n    Type: y\n", &err);
    cr_assert_not_null(doc);
    cr_assert_eq(rl_doc_dupkey_count(doc), 1);
    d = rl_doc_dupkey(doc, 0);
    cr_assert_str_eq(d->path, "Resources.A");
    cr_assert_eq(d->second->span.start.line, 4);
    cr_assert_eq(d->second->span.start.column, 5);
    rl_doc_free(doc);
}

Test(doc, long_json_keys)
{
    char buf[3000];
    strcpy(buf, "{\"");
    memset(buf + 2, 'k', 2000);
    strcpy(buf + 2002, "\": 1}");
    rl_error err;
    rl_doc *doc = load("a.json", buf, &err);
    cr_assert_not_null(doc, "%s", err.message);
    cr_assert_eq(rl_doc_root(doc)->u.map.items[0].key->u.s.len, 2000);
    rl_doc_free(doc);
}

Test(doc, json_errors_have_positions)
{
    rl_error err;
    cr_assert_null(load("a.json", "{\n  \"a\": 1,\n  \"b\" 2\n}", &err));
    cr_assert_eq(err.code, RL_EPARSE);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 7);
    cr_assert_null(load("a.json", "{\"a\": [1, 2", &err));
    cr_assert(strstr(err.message, "truncated"), "%s", err.message);
    cr_assert_null(load("a.json", "{\"a\": \"\xff\"}", &err));
    cr_assert(strstr(err.message, "UTF-8"), "%s", err.message);
    cr_assert_null(load("a.json", "{\"a\": 1,}", &err));
    cr_assert_null(load("a.json", "{\"a\": \"\\ud800\"}", &err));
}

Test(doc, yaml_errors_have_positions)
{
    rl_error err;
    cr_assert_null(load("a.yaml", "a: b\n c: d\n", &err));
    cr_assert_eq(err.code, RL_EPARSE);
    cr_assert_eq(err.line, 2);
    cr_assert_null(load("a.yaml", "a: \"\xff\"\n", &err));
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 5);
}

Test(doc, alias_bomb_is_limited)
{
    rl_error err;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    cr_assert_null(load("bomb.yaml", bomb, &err));
    cr_assert_eq(err.code, RL_ELIMIT);
    cr_assert(strstr(err.message, "alias"), "%s", err.message);
}

Test(doc, deep_nesting_is_limited)
{
    size_t n = 100000;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = 0;
    rl_error err;
    cr_assert_null(load("deep.json", s, &err));
    cr_assert_eq(err.code, RL_ELIMIT);
    cr_assert_null(load("deep.yaml", s, &err));
    cr_assert_eq(err.code, RL_ELIMIT);
    free(s);
}

Test(doc, merge_keys_and_aliases)
{
    rl_error err;
    rl_doc *doc = load("m.yaml", "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", &err);
    cr_assert_not_null(doc, "%s", err.message);
    const rl_node *d = rl_node_get(rl_doc_root(doc), "d");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "x")), "1");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "y")), "3");
    rl_doc_free(doc);
}

Test(doc, embedded_policy_strings)
{
    rl_error err;
    rl_doc *doc = load("p.json",
                       "{\"Content\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Deny\\\"}]}\","
                       " \"Url\": \"%7B%22Version%22%3A%222012-10-17%22%7D\"}",
                       &err);
    cr_assert_not_null(doc, "%s", err.message);
    const rl_node *c = rl_node_get(rl_doc_root(doc), "Content");
    const rl_node *pol;
    cr_assert_eq(rl_doc_parse_embedded(doc, c, &pol, &err), 0, "%s", err.message);
    const rl_node *eff = rl_node_get(rl_node_at(rl_node_get(pol, "Statement"), 0), "Effect");
    cr_assert_str_eq(rl_node_str(eff), "Deny");
    cr_assert_eq(eff->span.start.column, c->span.start.column);
    cr_assert(eff->flags & RL_NODE_EMBEDDED);
    const rl_node *u;
    cr_assert_eq(rl_doc_parse_embedded(doc, rl_node_get(rl_doc_root(doc), "Url"), &u, &err), 0);
    cr_assert_str_eq(rl_node_str(rl_node_get(u, "Version")), "2012-10-17");
    rl_doc_free(doc);
}
