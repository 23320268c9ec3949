/* Hostile and malformed inputs for both loaders: every input must load or fail with
 * RL_EPARSE/RL_ELIMIT, a message and a 1-based position; never crash, hang or grow memory
 * without bound. Also positions under BOMs, CRLF, tabs and multi-byte characters. */
#include <criterion/criterion.h>
#include <regionlint/doc.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void bput(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        cr_assert_not_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void bputs(buf *b, const char *s)
{
    bput(b, s, strlen(s));
}

static void brep(buf *b, const char *s, size_t times)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < times; i++)
        bput(b, s, n);
}

static void bprintf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    cr_assert(n >= 0 && (size_t)n < sizeof(tmp));
    bput(b, tmp, (size_t)n);
}

/* A string literal and its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

/* Loads `len` bytes named `name` (the extension picks the loader). */
static int load_n(rl_doc **doc, const char *name, const char *data, size_t len,
                  const rl_load_opts *opts, rl_error *err)
{
    rl_source *src = NULL;
    cr_assert_eq(rl_source_new(&src, name, data, len), 0);
    rl_error_clear(err);
    *doc = NULL;
    return rl_doc_load(doc, src, opts, err);
}

static int load_s(rl_doc **doc, const char *name, const char *text, rl_error *err)
{
    return load_n(doc, name, text, strlen(text), NULL, err);
}

/* The contract for any input: success with a document, or a clean failure. */
static void assert_clean(int rc, const rl_doc *doc, const rl_error *err, const char *what)
{
    if (rc == RL_OK) {
        cr_assert_not_null(doc, "%s: success without a document", what);
        return;
    }
    cr_assert(rc == RL_EPARSE || rc == RL_ELIMIT, "%s: unexpected code %d: %s", what, rc,
              err->message);
    cr_assert_null(doc, "%s: failure left a document", what);
    cr_assert_eq(err->code, rc, "%s: err.code %d differs from the return %d", what, err->code, rc);
    cr_assert_neq(err->message[0], '\0', "%s: error without a message", what);
    cr_assert_gt(err->line, 0, "%s: error without a line: %s", what, err->message);
    cr_assert_gt(err->column, 0, "%s: error without a column: %s", what, err->message);
    cr_assert_neq(err->file[0], '\0', "%s: error without a file name", what);
}

/* Expects failure `code` at line:column (column 0 = any) with `needle` in the message. */
static void expect_fail(const char *name, const char *data, size_t len, int code, unsigned line,
                        unsigned column, const char *needle)
{
    rl_doc *doc;
    rl_error err;
    int rc = load_n(&doc, name, data, len, NULL, &err);
    assert_clean(rc, doc, &err, name);
    cr_assert_eq(rc, code, "%s: expected code %d, got %d (%s)", name, code, rc,
                 rc ? err.message : "loaded");
    cr_assert_eq(err.line, line, "%s: error at line %u, expected %u: %s", name, err.line, line,
                 err.message);
    if (column)
        cr_assert_eq(err.column, column, "%s: error at column %u, expected %u: %s", name,
                     err.column, column, err.message);
    if (needle)
        cr_assert(strstr(err.message, needle), "%s: message lacks \"%s\": %s", name, needle,
                  err.message);
}

static bool pos_le(rl_pos a, rl_pos b)
{
    return a.line < b.line || (a.line == b.line && a.column <= b.column);
}

/* Position just after the last byte of text[0..len): where an error at EOF points. */
static rl_pos eof_pos(const char *text, size_t len)
{
    rl_pos p = {1, 1};
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            p.line++;
            p.column = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            p.column++;
        }
    }
    return p;
}

/* Every node's span starts at 1:1 or later, ends at or after its start, and ends within
 * the text (at or before `limit`). Returns the number of nodes. */
static size_t check_spans(const rl_node *n, rl_pos limit, unsigned depth)
{
    if (!n)
        return 0;
    cr_assert_lt(depth, 100000);
    const rl_span *s = &n->span;
    cr_assert(s->start.line >= 1 && s->start.column >= 1, "span starts at %u:%u", s->start.line,
              s->start.column);
    cr_assert(pos_le(s->start, s->end), "span %u:%u-%u:%u ends before it starts", s->start.line,
              s->start.column, s->end.line, s->end.column);
    cr_assert(pos_le(s->end, limit), "span %u:%u-%u:%u ends after the text (%u:%u)", s->start.line,
              s->start.column, s->end.line, s->end.column, limit.line, limit.column);
    size_t count = 1;
    if (n->kind == RL_NODE_MAPPING) {
        for (size_t i = 0; i < n->u.map.count; i++) {
            count += check_spans(n->u.map.items[i].key, limit, depth + 1);
            count += check_spans(n->u.map.items[i].value, limit, depth + 1);
        }
    } else if (n->kind == RL_NODE_SEQUENCE) {
        for (size_t i = 0; i < n->u.seq.count; i++)
            count += check_spans(n->u.seq.items[i], limit, depth + 1);
    }
    return count;
}

/* Two trees have the same shape, values and (unless cols_too is false) spans. */
static void assert_same_tree(const rl_node *a, const rl_node *b, bool cols_too)
{
    cr_assert((a == NULL) == (b == NULL));
    if (!a)
        return;
    cr_assert_eq(a->kind, b->kind);
    cr_assert_eq(a->span.start.line, b->span.start.line, "start line %u vs %u", a->span.start.line,
                 b->span.start.line);
    cr_assert_eq(a->span.end.line, b->span.end.line, "end line %u vs %u at %u:%u", a->span.end.line,
                 b->span.end.line, a->span.start.line, a->span.start.column);
    if (cols_too) {
        cr_assert_eq(a->span.start.column, b->span.start.column, "start column %u vs %u (line %u)",
                     a->span.start.column, b->span.start.column, a->span.start.line);
        cr_assert_eq(a->span.end.column, b->span.end.column, "end column %u vs %u (line %u)",
                     a->span.end.column, b->span.end.column, a->span.end.line);
    }
    if (a->kind == RL_NODE_SCALAR) {
        cr_assert_eq(a->u.s.len, b->u.s.len);
        cr_assert_eq(memcmp(a->u.s.str, b->u.s.str, a->u.s.len), 0, "'%s' vs '%s'", a->u.s.str,
                     b->u.s.str);
    } else {
        cr_assert_eq(rl_node_count(a), rl_node_count(b));
        for (size_t i = 0; i < rl_node_count(a); i++) {
            if (a->kind == RL_NODE_MAPPING) {
                assert_same_tree(a->u.map.items[i].key, b->u.map.items[i].key, cols_too);
                assert_same_tree(a->u.map.items[i].value, b->u.map.items[i].value, cols_too);
            } else {
                assert_same_tree(a->u.seq.items[i], b->u.seq.items[i], cols_too);
            }
        }
    }
}

static void assert_span(const rl_node *n, unsigned l1, unsigned c1, unsigned l2, unsigned c2)
{
    cr_assert_not_null(n);
    cr_assert(n->span.start.line == l1 && n->span.start.column == c1 && n->span.end.line == l2 &&
                  n->span.end.column == c2,
              "span %u:%u-%u:%u, expected %u:%u-%u:%u", n->span.start.line, n->span.start.column,
              n->span.end.line, n->span.end.column, l1, c1, l2, c2);
}

/* ---- realistic documents (about 2 KB each) ---------------------------------------- */

static const char cfn_yaml[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Transform: AWS::Serverless-2016-10-31\n"
    "Description: Orders service \xe2\x80\x94 primary/standby pair (r\xc3\xa9gion "
    "\xf0\x9f\x8c\x8d)\n"
    "# regionlint:ignore RL503 the DLQ name is fixed on purpose\n"
    "Parameters:\n"
    "  Stage:\n"
    "    Type: String\n"
    "    Default: prod\n"
    "    AllowedValues: [prod, staging]\n"
    "Conditions:\n"
    "  IsPrimary: !Equals [!Ref 'AWS::Region', us-east-1]\n"
    "Resources:\n"
    "  OrdersQueue:\n"
    "    Type: AWS::SQS::Queue\n"
    "    Properties:\n"
    "      QueueName: !Sub 'orders-${Stage}-${AWS::Region}'\n"
    "      VisibilityTimeout: 60\n"
    "      RedrivePolicy:\n"
    "        deadLetterTargetArn: !GetAtt OrdersDLQ.Arn\n"
    "        maxReceiveCount: 5\n"
    "  OrdersDLQ:\n"
    "    Type: AWS::SQS::Queue\n"
    "    Properties: &tags\n"
    "      Tags:\n"
    "        - {Key: team, Value: orders}\n"
    "  OrdersTable:\n"
    "    Type: AWS::DynamoDB::GlobalTable\n"
    "    Properties:\n"
    "      AttributeDefinitions:\n"
    "        - {AttributeName: pk, AttributeType: S}\n"
    "      KeySchema:\n"
    "        - AttributeName: pk\n"
    "          KeyType: HASH\n"
    "      BillingMode: PAY_PER_REQUEST\n"
    "      Replicas:\n"
    "        - Region: us-east-1\n"
    "        - Region: us-west-2\n"
    "  HandlerRole:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      RoleName: !Sub 'orders-handler-${AWS::Region}'\n"
    "      AssumeRolePolicyDocument:\n"
    "        Version: '2012-10-17'\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Principal: {Service: lambda.amazonaws.com}\n"
    "            Action: sts:AssumeRole\n"
    "      Policies:\n"
    "        - PolicyName: queue\n"
    "          PolicyDocument:\n"
    "            Version: '2012-10-17'\n"
    "            Statement:\n"
    "              - Effect: Allow\n"
    "                Action: [sqs:SendMessage, sqs:ReceiveMessage]\n"
    "                Resource:\n"
    "                  - !GetAtt OrdersQueue.Arn\n"
    "                  - \"arn:aws:sqs:us-west-2:123456789012:orders-prod\"\n"
    "  Handler:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Condition: IsPrimary\n"
    "    Properties:\n"
    "      Runtime: python3.12\n"
    "      Handler: index.handler\n"
    "      Role: !GetAtt HandlerRole.Arn\n"
    "      ReservedConcurrentExecutions: 50\n"
    "      Environment:\n"
    "        Variables:\n"
    "          QUEUE_URL: !Ref OrdersQueue\n"
    "          TABLE: !Ref OrdersTable\n"
    "      Code:\n"
    "        ZipFile: |\n"
    "          import os\n"
    "          def handler(event, context):\n"
    "              return {\"queue\": os.environ[\"QUEUE_URL\"]}\n"
    "    Metadata: *tags\n"
    "Outputs:\n"
    "  QueueArn:\n"
    "    Value: !GetAtt OrdersQueue.Arn\n"
    "    Export:\n"
    "      Name: !Sub '${AWS::StackName}-QueueArn'\n";

static const char cfn_json[] =
    "{\n"
    "  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n"
    "  \"Description\": \"Orders service \xe2\x80\x94 r\xc3\xa9gion \xf0\x9f\x8c\x8d "
    "\\u00e9\\ud83d\\ude00\",\n"
    "  \"Parameters\": {\n"
    "    \"Stage\": {\"Type\": \"String\", \"Default\": \"prod\", \"AllowedValues\": [\"prod\", "
    "\"staging\"]}\n"
    "  },\n"
    "  \"Conditions\": {\n"
    "    \"IsPrimary\": {\"Fn::Equals\": [{\"Ref\": \"AWS::Region\"}, \"us-east-1\"]}\n"
    "  },\n"
    "  \"Resources\": {\n"
    "    \"OrdersQueue\": {\n"
    "      \"Type\": \"AWS::SQS::Queue\",\n"
    "      \"Properties\": {\n"
    "        \"QueueName\": {\"Fn::Sub\": \"orders-${Stage}-${AWS::Region}\"},\n"
    "        \"VisibilityTimeout\": 60,\n"
    "        \"RedrivePolicy\": {\n"
    "          \"deadLetterTargetArn\": {\"Fn::GetAtt\": [\"OrdersDLQ\", \"Arn\"]},\n"
    "          \"maxReceiveCount\": 5\n"
    "        }\n"
    "      }\n"
    "    },\n"
    "    \"OrdersDLQ\": {\"Type\": \"AWS::SQS::Queue\"},\n"
    "    \"OrdersTable\": {\n"
    "      \"Type\": \"AWS::DynamoDB::GlobalTable\",\n"
    "      \"Properties\": {\n"
    "        \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}],\n"
    "        \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}],\n"
    "        \"BillingMode\": \"PAY_PER_REQUEST\",\n"
    "        \"Replicas\": [{\"Region\": \"us-east-1\"}, {\"Region\": \"us-west-2\"}]\n"
    "      }\n"
    "    },\n"
    "    \"HandlerRole\": {\n"
    "      \"Type\": \"AWS::IAM::Role\",\n"
    "      \"Properties\": {\n"
    "        \"RoleName\": {\"Fn::Sub\": \"orders-handler-${AWS::Region}\"},\n"
    "        \"AssumeRolePolicyDocument\": {\n"
    "          \"Version\": \"2012-10-17\",\n"
    "          \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": "
    "\"lambda.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]\n"
    "        },\n"
    "        \"Policies\": [{\n"
    "          \"PolicyName\": \"queue\",\n"
    "          \"PolicyDocument\": \"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": "
    "[{\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"sqs:SendMessage\\\", "
    "\\\"Resource\\\": \\\"arn:aws:sqs:us-west-2:123456789012:orders-prod\\\"}]}\"\n"
    "        }]\n"
    "      }\n"
    "    },\n"
    "    \"Handler\": {\n"
    "      \"Type\": \"AWS::Lambda::Function\",\n"
    "      \"Condition\": \"IsPrimary\",\n"
    "      \"Properties\": {\n"
    "        \"Runtime\": \"python3.12\",\n"
    "        \"Role\": {\"Fn::GetAtt\": [\"HandlerRole\", \"Arn\"]},\n"
    "        \"ReservedConcurrentExecutions\": 50,\n"
    "        \"MemorySize\": 1.28e2,\n"
    "        \"Timeout\": -0.5E+1,\n"
    "        \"Tracing\": null,\n"
    "        \"Enabled\": true,\n"
    "        \"Environment\": {\"Variables\": {\"QUEUE_URL\": {\"Ref\": \"OrdersQueue\"}, "
    "\"TAB\\t\": \"a\\\\b\\/c\\n\"}}\n"
    "      }\n"
    "    }\n"
    "  },\n"
    "  \"Outputs\": {\n"
    "    \"QueueArn\": {\"Value\": {\"Fn::GetAtt\": [\"OrdersQueue\", \"Arn\"]}, \"Export\": "
    "{\"Name\": {\"Fn::Sub\": \"${AWS::StackName}-QueueArn\"}}}\n"
    "  }\n"
    "}\n";

Test(hostile, realistic_documents_load)
{
    rl_doc *doc;
    rl_error err;
    cr_assert_gt(sizeof(cfn_yaml), 2000);
    cr_assert_gt(sizeof(cfn_json), 2000);
    cr_assert_eq(load_s(&doc, "t.yaml", cfn_yaml, &err), 0, "%s", err.message);
    const rl_node *res = rl_node_get(rl_doc_root(doc), "Resources");
    cr_assert_eq(rl_node_count(res), 5);
    /* the alias shares the anchored mapping */
    cr_assert_eq(rl_node_path(res, "Handler.Metadata"), rl_node_path(res, "OrdersDLQ.Properties"));
    check_spans(rl_doc_root(doc), eof_pos(cfn_yaml, sizeof(cfn_yaml) - 1), 0);
    rl_doc_free(doc);
    cr_assert_eq(load_s(&doc, "t.json", cfn_json, &err), 0, "%s", err.message);
    cr_assert_eq(rl_node_count(rl_node_get(rl_doc_root(doc), "Resources")), 5);
    check_spans(rl_doc_root(doc), eof_pos(cfn_json, sizeof(cfn_json) - 1), 0);
    rl_doc_free(doc);
}

/* ---- truncation at every byte ----------------------------------------------------- */

static void truncate_everywhere(const char *name, const char *text, bool json)
{
    size_t full = strlen(text), loaded = 0, failed = 0;
    size_t last = full; /* JSON: any prefix before the final '}' must fail */
    while (last > 0 && text[last - 1] != '}')
        last--;
    for (size_t n = 0; n <= full; n++) {
        rl_doc *doc;
        rl_error err;
        char what[64];
        snprintf(what, sizeof(what), "%s prefix of %zu bytes", name, n);
        int rc = load_n(&doc, name, text, n, NULL, &err);
        assert_clean(rc, doc, &err, what);
        rl_pos end = eof_pos(text, n);
        if (rc == RL_OK) {
            loaded++;
            check_spans(rl_doc_root(doc), end, 0);
            rl_doc_free(doc);
            cr_assert(!json || n == 0 || n >= last, "%s loaded", what);
            continue;
        }
        failed++;
        cr_assert_eq(rc, RL_EPARSE, "%s: %s", what, err.message);
        rl_pos at = {err.line, err.column};
        cr_assert(pos_le(at, end), "%s: error at %u:%u is after the end of the input (%u:%u): %s",
                  what, at.line, at.column, end.line, end.column, err.message);
    }
    cr_assert_gt(failed, json ? full / 2 : 10, "%s: only %zu of %zu prefixes failed", name, failed,
                 full + 1);
    cr_assert_gt(loaded, 1, "%s: only %zu prefixes loaded", name, loaded);
}

Test(hostile, truncated_json_at_every_byte)
{
    truncate_everywhere("t.json", cfn_json, true);
}

Test(hostile, truncated_yaml_at_every_byte)
{
    truncate_everywhere("t.yaml", cfn_yaml, false);
}

/* ---- nesting ---------------------------------------------------------------------- */

#define DEEP 100000

static void deep(const char *name, const char *open, const char *leaf, const char *close,
                 unsigned fail_col)
{
    buf b = {0};
    brep(&b, open, DEEP);
    bputs(&b, leaf);
    brep(&b, close, DEEP);
    expect_fail(name, b.p, b.len, RL_ELIMIT, 1, fail_col, "nesting deeper than 256 levels");
    free(b.p);
}

Test(hostile, deep_nesting_json)
{
    deep("d.json", "[", "1", "]", 257);
    deep("d.json", "{\"a\":", "1", "}", 1 + 256 * 5);
    deep("d.json", "[{\"a\":", "1", "}]", 1 + 128 * 6);
    /* unclosed: the limit is hit before the missing brackets */
    deep("d.json", "[", "", "", 257);
}

Test(hostile, deep_nesting_yaml)
{
    deep("d.yaml", "[", "1", "]", 257);            /* flow sequences */
    deep("d.yaml", "{a: ", "1", "}", 1 + 256 * 4); /* flow mappings */
    deep("d.yaml", "- ", "x", "", 1 + 256 * 2);    /* block sequences on one line */
    deep("d.yaml", "? ", "x", "", 1 + 256 * 2);    /* block mappings via explicit keys */
    deep("d.yaml", "[", "", "", 257);

    /* block mappings by indentation: quadratic in size, so only past the limit */
    buf b = {0};
    for (size_t i = 0; i < 600; i++) {
        brep(&b, " ", i);
        bputs(&b, "k:\n");
    }
    expect_fail("d.yaml", b.p, b.len, RL_ELIMIT, 257, 257, "nesting deeper");
    free(b.p);
}

Test(hostile, nesting_limit_boundary_and_option)
{
    rl_doc *doc;
    rl_error err;
    buf b = {0};
    brep(&b, "[", 256);
    brep(&b, "]", 256);
    cr_assert_eq(load_n(&doc, "ok.json", b.p, b.len, NULL, &err), 0, "%s", err.message);
    rl_doc_free(doc);
    cr_assert_eq(load_n(&doc, "ok.yaml", b.p, b.len, NULL, &err), 0, "%s", err.message);
    rl_doc_free(doc);

    rl_load_opts o = {.max_depth = 10};
    cr_assert_eq(load_n(&doc, "x.json", b.p, b.len, &o, &err), RL_ELIMIT);
    cr_assert_eq(err.column, 11);
    cr_assert_eq(load_n(&doc, "x.yaml", b.p, b.len, &o, &err), RL_ELIMIT);
    cr_assert_eq(err.column, 11);
    free(b.p);

    /* A caller may raise the limit far above the default: the loaders keep their open
     * containers on the heap, so 10^5 levels load instead of overflowing the C stack. */
    b = (buf){0};
    brep(&b, "[{\"a\":", DEEP / 2);
    bputs(&b, "1");
    brep(&b, "}]", DEEP / 2);
    o.max_depth = DEEP + 1;
    cr_assert_eq(load_n(&doc, "big.json", b.p, b.len, &o, &err), 0, "%s", err.message);
    const rl_node *n = rl_doc_root(doc);
    size_t levels = 0;
    while (n && n->kind != RL_NODE_SCALAR) {
        n = n->kind == RL_NODE_MAPPING ? n->u.map.items[0].value : n->u.seq.items[0];
        levels++;
    }
    cr_assert_eq(levels, DEEP);
    cr_assert_str_eq(rl_node_str(n), "1");
    rl_doc_free(doc);
    cr_assert_eq(load_n(&doc, "big.yaml", b.p, b.len, &o, &err), 0, "%s", err.message);
    rl_doc_free(doc);
    free(b.p);
}

/* ---- aliases and merge keys ------------------------------------------------------- */

Test(hostile, billion_laughs)
{
    /* the classic: 9 levels of 9 references = 9^9 nodes if expanded */
    buf b = {0};
    bputs(&b, "lol0: &l0 lol\n");
    for (int i = 1; i <= 9; i++) {
        bprintf(&b, "lol%d: &l%d [", i, i);
        for (int j = 0; j < 9; j++)
            bprintf(&b, "%s*l%d", j ? ", " : "", i - 1);
        bputs(&b, "]\n");
    }
    bputs(&b, "top: *l9\n");
    rl_doc *doc;
    rl_error err;
    int rc = load_n(&doc, "lol.yaml", b.p, b.len, NULL, &err);
    assert_clean(rc, doc, &err, "billion laughs");
    cr_assert_eq(rc, RL_ELIMIT);
    cr_assert(strstr(err.message, "alias") && strstr(err.message, "1000000"), "%s", err.message);
    /* lol6 expands to about 600,000 nodes and fits; lol7 (5.4 million) does not */
    cr_assert_eq(err.line, 8, "%s", err.message);
    free(b.p);

    /* the same with block mappings of aliases */
    b = (buf){0};
    bputs(&b, "a0: &a0 {x: 1, y: 2}\n");
    for (int i = 1; i <= 12; i++) {
        bprintf(&b, "a%d: &a%d\n", i, i);
        for (int j = 0; j < 8; j++)
            bprintf(&b, "  k%d: *a%d\n", j, i - 1);
    }
    rc = load_n(&doc, "lol2.yaml", b.p, b.len, NULL, &err);
    assert_clean(rc, doc, &err, "mapping laughs");
    cr_assert_eq(rc, RL_ELIMIT);
    free(b.p);
}

Test(hostile, alias_limit_option_and_legitimate_aliases)
{
    rl_doc *doc;
    rl_error err;
    /* ten references to a 5-node sequence: about 60 nodes in all */
    buf b = {0};
    bputs(&b, "a: &a [1, 2, 3, 4]\nb: [");
    brep(&b, "*a, ", 9);
    bputs(&b, "*a]\n");
    rl_load_opts o = {.max_expansion = 100};
    cr_assert_eq(load_n(&doc, "a.yaml", b.p, b.len, &o, &err), 0, "%s", err.message);
    cr_assert_eq(rl_node_count(rl_node_get(rl_doc_root(doc), "b")), 10);
    rl_doc_free(doc);
    o.max_expansion = 30;
    cr_assert_eq(load_n(&doc, "a.yaml", b.p, b.len, &o, &err), RL_ELIMIT);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.message, "30"), "%s", err.message);
    free(b.p);

    /* many references to a small anchor are fine under the default limit */
    b = (buf){0};
    bputs(&b, "base: &t {Key: team, Value: orders}\nall:\n");
    for (int i = 0; i < 5000; i++)
        bputs(&b, "  - *t\n");
    cr_assert_eq(load_n(&doc, "a.yaml", b.p, b.len, NULL, &err), 0, "%s", err.message);
    cr_assert_eq(rl_node_count(rl_node_get(rl_doc_root(doc), "all")), 5000);
    check_spans(rl_doc_root(doc), eof_pos(b.p, b.len), 0);
    rl_doc_free(doc);
    free(b.p);
}

Test(hostile, merge_key_bomb)
{
    /* each level merges its predecessor ten times: the weight grows tenfold per level */
    buf b = {0};
    bputs(&b, "m0: &m0 {a: 1, b: 2, c: 3}\n");
    for (int i = 1; i <= 10; i++) {
        bprintf(&b, "m%d: &m%d\n  <<: [", i, i);
        for (int j = 0; j < 10; j++)
            bprintf(&b, "%s*m%d", j ? ", " : "", i - 1);
        bprintf(&b, "]\n  own%d: x\n", i);
    }
    rl_doc *doc;
    rl_error err;
    int rc = load_n(&doc, "merge.yaml", b.p, b.len, NULL, &err);
    assert_clean(rc, doc, &err, "merge bomb");
    cr_assert_eq(rc, RL_ELIMIT, "%s", rc ? err.message : "loaded");
    free(b.p);
}

Test(hostile, large_merges_are_linear)
{
    /* A 30,000-key anchor merged into a 30,000-key mapping: a pairwise key comparison
     * would take 10^9 steps; explicit keys must win over merged ones. */
    const int n = 30000;
    buf b = {0};
    bputs(&b, "base: &b\n");
    for (int i = 0; i < n; i++)
        bprintf(&b, "  k%d: base\n", i);
    bputs(&b, "derived:\n  <<: *b\n");
    for (int i = 0; i < n; i += 2)
        bprintf(&b, "  k%d: own\n", i);
    for (int i = 0; i < n / 2; i++)
        bprintf(&b, "  x%d: own\n", i);
    rl_doc *doc;
    rl_error err;
    cr_assert_eq(load_n(&doc, "m.yaml", b.p, b.len, NULL, &err), 0, "%s", err.message);
    const rl_node *d = rl_node_get(rl_doc_root(doc), "derived");
    cr_assert_eq(rl_node_count(d), (size_t)(n + n / 2));
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "k0")), "own");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "k1")), "base");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "k29998")), "own");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "k29999")), "base");
    cr_assert_str_eq(rl_node_str(rl_node_get(d, "x0")), "own");
    size_t ks = 0;
    for (size_t i = 0; i < rl_node_count(d); i++)
        ks += d->u.map.items[i].key->u.s.str[0] == 'k';
    cr_assert_eq(ks, (size_t)n, "every k key exactly once");
    rl_doc_free(doc);
    free(b.p);
}

Test(hostile, merge_order_and_sequences)
{
    rl_doc *doc;
    rl_error err;
    cr_assert_eq(load_s(&doc, "m.yaml",
                        "a: &a {x: a, y: a}\n"
                        "b: &b {x: b, z: b}\n"
                        "c:\n  <<: [*a, *b]\n  w: c\n",
                        &err),
                 0, "%s", err.message);
    const rl_node *c = rl_node_get(rl_doc_root(doc), "c");
    cr_assert_eq(rl_node_count(c), 4);
    cr_assert_str_eq(rl_node_str(rl_node_get(c, "x")), "a"); /* earlier sources win */
    cr_assert_str_eq(rl_node_str(rl_node_get(c, "z")), "b");
    cr_assert_str_eq(rl_node_str(rl_node_get(c, "w")), "c");
    rl_doc_free(doc);
}

Test(hostile, undefined_aliases)
{
    expect_fail("u.yaml", LIT("a: 1\nb: *nope\n"), RL_EPARSE, 2, 4, "nope");
    expect_fail("u.yaml", LIT("a: [1, *x]\n"), RL_EPARSE, 1, 8, "undefined alias");
    /* an anchor is not visible inside its own node */
    expect_fail("u.yaml", LIT("a: &r [1, *r]\n"), RL_EPARSE, 1, 11, "undefined alias");
}

Test(hostile, block_collection_ending_in_an_alias)
{
    /* the alias node's span is the anchor's, earlier in the file: the enclosing block
     * mapping must still end after the alias, not before its own start */
    rl_doc *doc;
    rl_error err;
    const char *text = "base: &b\n  x: 1\nd:\n  k: *b\ne:\n  - *b\n";
    cr_assert_eq(load_s(&doc, "a.yaml", text, &err), 0, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    check_spans(root, eof_pos(text, strlen(text)), 0);
    assert_span(rl_node_get(root, "d"), 4, 3, 4, 8);
    assert_span(rl_node_get(root, "e"), 6, 3, 6, 7);
    rl_doc_free(doc);
}

/* ---- invalid UTF-8 ---------------------------------------------------------------- */

static const struct {
    const char *bytes;
    const char *what;
} bad_utf8[] = {
    {"\x80", "lone continuation byte"},
    {"\xbf", "lone continuation byte"},
    {"\xc0\xaf", "overlong '/'"},
    {"\xc1\xbf", "overlong 2-byte"},
    {"\xe0\x80\xaf", "overlong 3-byte"},
    {"\xf0\x80\x80\xaf", "overlong 4-byte"},
    {"\xed\xa0\x80", "UTF-16 high surrogate"},
    {"\xed\xbf\xbf", "UTF-16 low surrogate"},
    {"\xf4\x90\x80\x80", "above U+10FFFF"},
    {"\xc3", "truncated 2-byte"},
    {"\xe2\x82", "truncated 3-byte"},
    {"\xf0\x9f\x98", "truncated 4-byte"},
    {"\xfe", "invalid byte"},
    {"\xff", "invalid byte"},
};

static void expect_utf8_error(const char *name, const char *text, unsigned col)
{
    rl_doc *doc;
    rl_error err;
    int rc = load_n(&doc, name, text, strlen(text), NULL, &err);
    assert_clean(rc, doc, &err, text);
    cr_assert_eq(rc, RL_EPARSE, "%s: %s loaded", name, text);
    cr_assert(strstr(err.message, "UTF-8") || strstr(err.message, "Unicode"),
              "%s: message does not name the encoding problem: %s", name, err.message);
    cr_assert_eq(err.line, 2, "%s: %s", name, err.message);
    /* libyaml points at the first bad byte of a sequence, which may be a trailing one */
    cr_assert(err.column >= col && err.column <= col + 3, "%s: column %u, expected %u: %s", name,
              err.column, col, err.message);
}

Test(hostile, invalid_utf8_everywhere)
{
    for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
        const char *x = bad_utf8[i].bytes;
        char t[128];
        cr_log_info("%s", bad_utf8[i].what);
        /* JSON: in a key, in a value, between tokens, at the end */
        snprintf(t, sizeof(t), "{\"ok\": 1,\n \"k%s\": 1}", x);
        expect_utf8_error("u.json", t, 4);
        snprintf(t, sizeof(t), "{\"ok\": 1,\n \"k\": \"v%s\"}", x);
        expect_utf8_error("u.json", t, 9);
        snprintf(t, sizeof(t), "{\"ok\": 1,\n \"k\":%s 1}", x);
        expect_utf8_error("u.json", t, 6);
        snprintf(t, sizeof(t), "{\"ok\": 1,\n \"k\": 1 %s}", x);
        expect_utf8_error("u.json", t, 9);
        snprintf(t, sizeof(t), "{\"ok\": 1,\n \"k\": 1}%s", x);
        expect_utf8_error("u.json", t, 9);
        /* YAML: in a key, in plain and quoted values, between tokens, in a comment */
        snprintf(t, sizeof(t), "ok: 1\nk%s: 1\n", x);
        expect_utf8_error("u.yaml", t, 2);
        snprintf(t, sizeof(t), "ok: 1\nk: v%s\n", x);
        expect_utf8_error("u.yaml", t, 5);
        snprintf(t, sizeof(t), "ok: 1\nk: \"v%s\"\n", x);
        expect_utf8_error("u.yaml", t, 6);
        snprintf(t, sizeof(t), "ok: 1\nk: [1,%s 2]\n", x);
        expect_utf8_error("u.yaml", t, 7);
        snprintf(t, sizeof(t), "ok: 1\nk: 1 # %s\n", x);
        expect_utf8_error("u.yaml", t, 8);
    }
}

Test(hostile, yaml_reader_errors_name_code_points)
{
    /* a surrogate decodes to a code point, not a byte: say U+D800, not "byte 0x00" */
    expect_fail("s.yaml", LIT("a: \"\xed\xa0\x80\"\n"), RL_EPARSE, 1, 5, "U+D800");
    expect_fail("s.yaml", LIT("a: \x01\n"), RL_EPARSE, 1, 4, "U+0001");
    expect_fail("s.yaml", LIT("a: \xc3x\n"), RL_EPARSE, 1, 5, "0x78"); /* the bad trailing byte */
}

/* ---- NUL bytes ---------------------------------------------------------------------- */

Test(hostile, raw_nul_bytes)
{
    static const struct {
        const char *name;
        const char *text;
        size_t len;
        unsigned col;
    } cases[] = {
        /* lengths by sizeof, since the texts hold NUL bytes */
        {"n.json", LIT("{\"a\": \"x\0y\"}"), 9},
        {"n.json", LIT("{\"a\0\": 1}"), 4},
        {"n.json", LIT("{\"a\":\0 1}"), 6},
        {"n.json", LIT("{\"a\": 1\0}"), 8},
        {"n.json", LIT("{\0\"a\": 1}"), 2},
        {"n.json", LIT("{\"a\": 1}\0"), 9},
        {"n.json", LIT("\0"), 1},
        {"n.yaml", LIT("a: x\0y\n"), 5},
        {"n.yaml", LIT("a\0: 1\n"), 2},
        {"n.yaml", LIT("a: \"x\0\"\n"), 6},
        {"n.yaml", LIT("a: [1,\0 2]\n"), 7},
        {"n.yaml", LIT("a: 1 # \0\n"), 8},
        {"n.yaml", LIT("\0"), 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_fail(cases[i].name, cases[i].text, cases[i].len, RL_EPARSE, 1, cases[i].col, "NUL");
}

Test(hostile, escaped_nul_keeps_length)
{
    rl_doc *doc;
    rl_error err;
    const char json[] = "{\"a\\u0000b\": \"x\\u0000\\u0000y\", \"a\": 1}";
    cr_assert_eq(load_s(&doc, "z.json", json, &err), 0, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    const rl_pair *p = &root->u.map.items[0];
    cr_assert_eq(p->key->u.s.len, 3);
    cr_assert_eq(memcmp(p->key->u.s.str, "a\0b", 4), 0);
    cr_assert_eq(p->value->u.s.len, 4);
    cr_assert_eq(memcmp(p->value->u.s.str, "x\0\0y", 5), 0);
    /* "a\0b" and "a" are different keys: no duplicate, and lookups see the real "a" */
    cr_assert_eq(rl_doc_dupkey_count(doc), 0);
    cr_assert_str_eq(rl_node_str(rl_node_get(root, "a")), "1");
    assert_span(p->value, 1, 14, 1, 30);
    rl_doc_free(doc);

    cr_assert_eq(load_s(&doc, "z.yaml", "\"a\\0b\": \"x\\x00\\0y\"\n", &err), 0, "%s", err.message);
    p = &rl_doc_root(doc)->u.map.items[0];
    cr_assert_eq(p->key->u.s.len, 3);
    cr_assert_eq(memcmp(p->key->u.s.str, "a\0b", 4), 0);
    cr_assert_eq(p->value->u.s.len, 4);
    cr_assert_eq(memcmp(p->value->u.s.str, "x\0\0y", 5), 0);
    rl_doc_free(doc);
}

/* ---- encodings, BOMs, line endings, tabs, code point columns ------------------------ */

Test(hostile, utf16_and_utf32_are_rejected_clearly)
{
    static const struct {
        const char *name;
        const char *bytes;
        size_t len;
        const char *needle;
    } cases[] = {
        {"le.json", LIT("\xff\xfe{\0\"\0a\0\"\0:\0 \0\x31\0}\0\n\0"), "UTF-16"},
        {"be.json", LIT("\xfe\xff\0{\0\"\0a\0\"\0:\0 \0\x31\0}\0\n"), "UTF-16"},
        {"le.yaml",
         LIT("\xff\xfe"
             "a\0:\0 \0b\0\n\0"),
         "UTF-16"},
        {"be.yaml", LIT("\xfe\xff\0a\0:\0 \0b\0\n"), "UTF-16"},
        {"x.yaml",
         LIT("\xff\xfe\0\0"
             "a\0\0\0"),
         "UTF-32"},
        {"x.json", LIT("\0\0\xfe\xff\0\0\0{\0\0\0}"), "UTF-32"},
        /* UTF-16 without a byte order mark: NUL bytes */
        {"nobom.json", LIT("{\0}\0"), "NUL"},
        {"nobom.yaml", LIT("a\0:\0 \0b\0"), "NUL"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_fail(cases[i].name, cases[i].bytes, cases[i].len, RL_EPARSE, 1, 0, cases[i].needle);
}

Test(hostile, utf8_bom_is_not_a_column)
{
    rl_doc *doc;
    rl_error err;
    const char *json = "\xef\xbb\xbf{\"a\": \"arn:aws:sqs:us-east-1:1:q\"}";
    cr_assert_eq(load_s(&doc, "b.json", json, &err), 0, "%s", err.message);
    assert_span(rl_doc_root(doc), 1, 1, 1, 35);
    const rl_node *v = rl_node_get(rl_doc_root(doc), "a");
    assert_span(v, 1, 7, 1, 34);
    /* sub-spans index the source line, so line 1 must not include the BOM */
    rl_span sp;
    cr_assert(rl_doc_subspan(doc, v, 12, 9, &sp));
    assert_span(&(rl_node){.span = sp}, 1, 20, 1, 29);
    const char *line;
    size_t len;
    cr_assert_eq(rl_source_line(rl_doc_source(doc), 1, &line, &len), 0);
    cr_assert_eq(line[0], '{');
    rl_doc_free(doc);

    const char *yaml = "\xef\xbb\xbf"
                       "a: arn:aws:sqs:us-east-1:1:q\nb: 1\n";
    cr_assert_eq(load_s(&doc, "b.yaml", yaml, &err), 0, "%s", err.message);
    v = rl_node_get(rl_doc_root(doc), "a");
    assert_span(v, 1, 4, 1, 29);
    cr_assert(rl_doc_subspan(doc, v, 12, 9, &sp));
    assert_span(&(rl_node){.span = sp}, 1, 16, 1, 25);
    rl_doc_free(doc);

    /* JSON content with a BOM in a .yaml file takes the JSON path like any JSON */
    cr_assert_eq(load_s(&doc, "b.yaml", json, &err), 0, "%s", err.message);
    cr_assert_eq(rl_doc_syntax(doc), RL_SYNTAX_JSON);
    rl_doc_free(doc);
    /* an error on line 1 after a BOM has the same column as without it */
    expect_fail("b.json", LIT("\xef\xbb\xbf{\"a\" 1}"), RL_EPARSE, 1, 6, NULL);
    expect_fail("b.yaml",
                LIT("\xef\xbb\xbf"
                    "a: 'x\n"),
                RL_EPARSE, 2, 1, NULL);
    expect_fail("b.yaml",
                LIT("\xef\xbb\xbf"
                    "a: \x01\n"),
                RL_EPARSE, 1, 4, "U+0001");
}

static char *to_crlf(const char *text)
{
    buf b = {0};
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            bput(&b, "\r", 1);
        bput(&b, p, 1);
    }
    return b.p;
}

Test(hostile, crlf_positions_match_lf)
{
    const char *texts[][2] = {{"t.yaml", cfn_yaml}, {"t.json", cfn_json}};
    for (size_t i = 0; i < 2; i++) {
        rl_doc *lf, *crlf;
        rl_error err;
        char *converted = to_crlf(texts[i][1]);
        cr_assert_eq(load_s(&lf, texts[i][0], texts[i][1], &err), 0, "%s", err.message);
        cr_assert_eq(load_s(&crlf, texts[i][0], converted, &err), 0, "%s", err.message);
        assert_same_tree(rl_doc_root(lf), rl_doc_root(crlf), true);
        const char *line;
        size_t len;
        cr_assert_eq(rl_source_line(rl_doc_source(crlf), 2, &line, &len), 0);
        cr_assert_neq(line[len - 1], '\r', "line text without the CR");
        rl_doc_free(lf);
        rl_doc_free(crlf);
        free(converted);
    }
    expect_fail("c.json", LIT("{\r\n\"a\": 1,\r\n\"b\" 2}"), RL_EPARSE, 3, 5, NULL);
    expect_fail("c.yaml", LIT("a: 1\r\nb: [1,\r\n"), RL_EPARSE, 3, 1, NULL);
}

Test(hostile, yaml_line_breaks_the_line_map_does_not_count)
{
    /* libyaml (YAML 1.1) also breaks lines at a lone CR, NEL, LS and PS; positions must
     * follow the source's line map (LF only), like the JSON reader and line excerpts */
    rl_doc *doc;
    rl_error err;
    static const struct {
        const char *text;
        unsigned bline, bcol;
    } cases[] = {
        {"d: \"x\xe2\x80\xa8y\"\nb: 2\n", 2, 1},      /* LS in a quoted scalar */
        {"d: 'x\xe2\x80\xa9y'\nb: 2\n", 2, 1},        /* PS in a single-quoted scalar */
        {"# c\xc2\x85\nb: 2\n", 2, 1},                /* NEL in a comment */
        {"s: [\"x\xe2\x80\xa8y\", 1]\nb: 2\n", 2, 1}, /* LS in a flow sequence */
        {"a: 1\rb: 2\n", 1, 6},                       /* old Mac line ending */
        {"\xef\xbb\xbf"
         "a: \"\xc3\xa9\xe2\x80\xa8\"\nb: 2\n",
         2, 1}, /* with a BOM */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *t = cases[i].text;
        cr_assert_eq(load_s(&doc, "l.yaml", t, &err), 0, "case %zu: %s", i, err.message);
        const rl_pair *b = rl_node_get_pair(rl_doc_root(doc), "b");
        cr_assert_not_null(b, "case %zu", i);
        assert_span(b->key, cases[i].bline, cases[i].bcol, cases[i].bline, cases[i].bcol + 1);
        assert_span(b->value, cases[i].bline, cases[i].bcol + 3, cases[i].bline, cases[i].bcol + 4);
        check_spans(rl_doc_root(doc), eof_pos(t, strlen(t)), 0);
        rl_doc_free(doc);
    }
    cr_assert_eq(load_s(&doc, "l.yaml", cases[0].text, &err), 0);
    assert_span(rl_node_get(rl_doc_root(doc), "d"), 1, 4, 1, 9);
    rl_doc_free(doc);
    /* errors and the position quoted in their message */
    rl_doc *none;
    const char *bad = "d: \"x\xe2\x80\xa8y\"\nb: [1, 2\n";
    cr_assert_eq(load_s(&none, "l.yaml", bad, &err), RL_EPARSE);
    cr_assert_eq(err.line, 3, "%s", err.message);
    cr_assert(strstr(err.message, "line 2, column 4"), "%s", err.message);
}

Test(hostile, tabs_in_json)
{
    rl_doc *doc;
    rl_error err;
    const char *text = "{\n\t\"a\":\t[\t1,\t\"x\"\t],\n\t\t\"b\"\t:\ttrue\n}";
    cr_assert_eq(load_s(&doc, "t.json", text, &err), 0, "%s", err.message);
    const rl_node *a = rl_node_get(rl_doc_root(doc), "a");
    assert_span(a, 2, 7, 2, 17); /* a tab is one column, as SARIF counts characters */
    assert_span(rl_node_at(a, 1), 2, 12, 2, 15);
    assert_span(rl_node_get(rl_doc_root(doc), "b"), 3, 9, 3, 13);
    rl_doc_free(doc);
    /* a raw tab inside a string is a control character */
    expect_fail("t.json", LIT("{\"a\": \"x\ty\"}"), RL_EPARSE, 1, 9, "control character");
}

Test(hostile, columns_count_code_points)
{
    rl_doc *doc;
    rl_error err;
    /* é is 2 bytes, the emoji 4, both one column */
    const char *json = "{\"\xc3\xa9\": \"\xf0\x9f\x98\x80x\", \"k\": [\"\xf0\x9f\x98\x80\", 1]}";
    cr_assert_eq(load_s(&doc, "c.json", json, &err), 0, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    assert_span(root->u.map.items[0].key, 1, 2, 1, 5);
    assert_span(root->u.map.items[0].value, 1, 7, 1, 11);
    assert_span(root->u.map.items[1].key, 1, 13, 1, 16);
    assert_span(rl_node_get(root, "k"), 1, 18, 1, 26);
    assert_span(rl_node_at(rl_node_get(root, "k"), 1), 1, 24, 1, 25);
    assert_span(root, 1, 1, 1, 27);
    rl_doc_free(doc);

    const char *yaml = "\xc3\xa9\xc3\xa9: \xf0\x9f\x98\x80 x\nk: [\"\xf0\x9f\x98\x80\", 1]\n";
    cr_assert_eq(load_s(&doc, "c.yaml", yaml, &err), 0, "%s", err.message);
    root = rl_doc_root(doc);
    assert_span(root->u.map.items[0].key, 1, 1, 1, 3);
    assert_span(root->u.map.items[0].value, 1, 5, 1, 8);
    assert_span(rl_node_get(root, "k"), 2, 4, 2, 12);
    assert_span(rl_node_at(rl_node_get(root, "k"), 1), 2, 10, 2, 11);
    rl_doc_free(doc);

    /* errors after multi-byte characters count code points too */
    expect_fail("c.json", LIT("{\"\xf0\x9f\x98\x80\xc3\xa9\" 1}"), RL_EPARSE, 1, 7, NULL);
    expect_fail("c.yaml", LIT("\xf0\x9f\x98\x80: \"\xc3\xa9\x01\"\n"), RL_EPARSE, 1, 6, NULL);
}

Test(hostile, end_positions_are_exclusive)
{
    rl_doc *doc;
    rl_error err;
    cr_assert_eq(load_s(&doc, "e.json", "{\"k\": [true, 12.5e3, null, \"s\"]}", &err), 0);
    const rl_node *k = rl_node_get(rl_doc_root(doc), "k");
    assert_span(rl_doc_root(doc)->u.map.items[0].key, 1, 2, 1, 5);
    assert_span(k, 1, 7, 1, 32);
    assert_span(rl_node_at(k, 0), 1, 8, 1, 12);
    assert_span(rl_node_at(k, 1), 1, 14, 1, 20);
    assert_span(rl_node_at(k, 2), 1, 22, 1, 26);
    assert_span(rl_node_at(k, 3), 1, 28, 1, 31);
    rl_doc_free(doc);

    cr_assert_eq(load_s(&doc, "e.yaml", "k: [abc, 'q']\nm:\n  x: 1\n  y: {a: b}\n", &err), 0);
    const rl_node *root = rl_doc_root(doc);
    k = rl_node_get(root, "k");
    assert_span(k, 1, 4, 1, 14);
    assert_span(rl_node_at(k, 0), 1, 5, 1, 8);
    assert_span(rl_node_at(k, 1), 1, 10, 1, 13);
    assert_span(rl_node_get(root, "m"), 3, 3, 4, 12);
    assert_span(rl_node_path(root, "m.y"), 4, 6, 4, 12);
    rl_doc_free(doc);
}

/* ---- keys, numbers, big strings -------------------------------------------------- */

Test(hostile, json_keys_over_1024_characters)
{
    buf b = {0};
    bputs(&b, "{\"Resources\": {\"");
    brep(&b, "K\xc3\xa9", 3000);
    bputs(&b, "\": {\"Type\": \"AWS::SQS::Queue\"}}}");
    const char *names[] = {"k.json", "k.yaml", "k", "k.template"};
    for (size_t i = 0; i < 4; i++) {
        rl_doc *doc;
        rl_error err;
        cr_assert_eq(load_n(&doc, names[i], b.p, b.len, NULL, &err), 0, "%s: %s", names[i],
                     err.message);
        const rl_node *res = rl_node_get(rl_doc_root(doc), "Resources");
        cr_assert_eq(res->u.map.items[0].key->u.s.len, 9000);
        assert_span(res->u.map.items[0].key, 1, 16, 1, 16 + 6002);
        rl_doc_free(doc);
    }
    free(b.p);

    /* in real YAML an implicit key is limited to 1024 characters: a clean error */
    b = (buf){0};
    brep(&b, "k", 2000);
    bputs(&b, ": 1\n");
    rl_doc *doc;
    rl_error err;
    int rc = load_n(&doc, "k.yaml", b.p, b.len, NULL, &err);
    assert_clean(rc, doc, &err, "long YAML key");
    cr_assert_eq(rc, RL_EPARSE);
    free(b.p);
}

Test(hostile, huge_numbers)
{
    rl_doc *doc;
    rl_error err;
    buf b = {0};
    bputs(&b, "[");
    brep(&b, "9", 10000);
    bputs(&b, ", 1e999999999, -1.5E-999999999, 0.");
    brep(&b, "1", 10000);
    bputs(&b, "e+");
    brep(&b, "9", 10000);
    bputs(&b, "]");
    cr_assert_eq(load_n(&doc, "n.json", b.p, b.len, NULL, &err), 0, "%s", err.message);
    const rl_node *root = rl_doc_root(doc);
    cr_assert_eq(rl_node_at(root, 0)->type, RL_SCALAR_INT);
    cr_assert_eq(rl_node_at(root, 0)->u.s.len, 10000);
    for (size_t i = 1; i < 4; i++)
        cr_assert_eq(rl_node_at(root, i)->type, RL_SCALAR_FLOAT);
    double d;
    cr_assert(!rl_node_number(rl_node_at(root, 0), &d), "too long to convert exactly");
    cr_assert(rl_node_number(rl_node_at(root, 1), &d));
    cr_assert_gt(d, 1e308);
    assert_span(rl_node_at(root, 0), 1, 2, 1, 10002);
    rl_doc_free(doc);
    cr_assert_eq(load_n(&doc, "n.yaml", b.p, b.len, NULL, &err), 0, "%s", err.message);
    cr_assert_eq(rl_node_at(rl_doc_root(doc), 0)->u.s.len, 10000);
    rl_doc_free(doc);
    free(b.p);

    expect_fail("n.json", LIT("[1e]"), RL_EPARSE, 1, 4, "exponent");
    expect_fail("n.json", LIT("[1.]"), RL_EPARSE, 1, 4, "'.'");
    expect_fail("n.json", LIT("[-]"), RL_EPARSE, 1, 2, "number");
    expect_fail("n.json", LIT("[01]"), RL_EPARSE, 1, 3, NULL);
    expect_fail("n.json", LIT("[+1]"), RL_EPARSE, 1, 2, NULL);
}

#define TEN_MB (10u * 1024 * 1024)
#define HEX16  "0123456789abcdef"

Test(hostile, ten_megabyte_strings)
{
    rl_doc *doc;
    rl_error err;
    /* JSON: plain and with escapes */
    for (int escaped = 0; escaped < 2; escaped++) {
        buf b = {0};
        bputs(&b, "{\"big\": \"");
        for (size_t i = 0; i < TEN_MB / 64; i++)
            bputs(&b, escaped ? HEX16 HEX16 HEX16 "0123456789\\n\\u00e9" : HEX16 HEX16 HEX16 HEX16);
        bputs(&b, "\", \"after\": 1}");
        cr_assert_eq(load_n(&doc, "s.json", b.p, b.len, NULL, &err), 0, "%s", err.message);
        const rl_node *big = rl_node_get(rl_doc_root(doc), "big");
        cr_assert_eq(big->u.s.len, (size_t)(TEN_MB / 64) * (escaped ? 61 : 64));
        cr_assert_eq(big->u.s.str[big->u.s.len], '\0');
        const rl_node *after = rl_node_get(rl_doc_root(doc), "after");
        cr_assert_eq(after->span.start.line, 1);
        cr_assert_eq(after->span.start.column, big->span.end.column + 11);
        rl_doc_free(doc);
        free(b.p);
    }
    /* YAML: plain, double-quoted and a literal block of many lines */
    const char *forms[] = {"big: ", "big: \"", "big: |\n"};
    for (int f = 0; f < 3; f++) {
        buf b = {0};
        bputs(&b, forms[f]);
        for (size_t i = 0; i < TEN_MB / 64; i++) {
            if (f == 2)
                bputs(&b, "  ");
            bputs(&b, f == 2 ? HEX16 HEX16 HEX16 "0123456789abcde\n" : HEX16 HEX16 HEX16 HEX16);
        }
        bputs(&b, f == 1 ? "\"\nafter: 1\n" : f == 0 ? "\nafter: 1\n" : "after: 1\n");
        cr_assert_eq(load_n(&doc, "s.yaml", b.p, b.len, NULL, &err), 0, "%s", err.message);
        const rl_node *big = rl_node_get(rl_doc_root(doc), "big");
        cr_assert_eq(big->u.s.len, (size_t)(TEN_MB / 64) * 64);
        const rl_node *after = rl_node_get(rl_doc_root(doc), "after");
        cr_assert_eq(after->span.start.line, f == 2 ? TEN_MB / 64 + 2 : 2);
        rl_doc_free(doc);
        free(b.p);
    }
}

/* The JSON reader scans strings and indentation 8 bytes at a time: put each kind of byte
 * that ends the fast path at every offset from the start of a block. */
Test(hostile, json_scanning_at_every_alignment)
{
    static const struct {
        const char *raw;   /* as written inside the string */
        const char *value; /* as decoded */
        unsigned columns;  /* code points in raw */
    } specials[] = {
        {"", "", 0},
        {"\\n", "\n", 2},
        {"\\\"", "\"", 2},
        {"\\u00e9", "\xc3\xa9", 6},
        {"\xc3\xa9", "\xc3\xa9", 1},
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 1},
        {"\x7f", "\x7f", 1},
    };
    for (size_t pad = 0; pad < 20; pad++) {
        for (size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); k++) {
            for (size_t indent = 0; indent < 18; indent += 17) {
                buf b = {0}, want = {0};
                bputs(&b, "{\n");
                brep(&b, " ", indent + pad);
                bputs(&b, "\"k\": \"");
                brep(&b, "a", pad);
                bputs(&b, specials[k].raw);
                brep(&b, "b", pad);
                bputs(&b, "\", \"z\": 1}");
                brep(&want, "a", pad);
                bputs(&want, specials[k].value);
                brep(&want, "b", pad);
                rl_doc *doc;
                rl_error err;
                cr_assert_eq(load_n(&doc, "a.json", b.p, b.len, NULL, &err), 0, "pad %zu, %zu: %s",
                             pad, k, err.message);
                const rl_node *v = rl_node_get(rl_doc_root(doc), "k");
                cr_assert_eq(v->u.s.len, want.len, "pad %zu, special %zu", pad, k);
                cr_assert_eq(memcmp(v->u.s.str, want.p, want.len), 0, "pad %zu, special %zu", pad,
                             k);
                unsigned c0 = (unsigned)(indent + pad) + 6;
                unsigned c1 = c0 + 2 + 2 * (unsigned)pad + specials[k].columns;
                assert_span(v, 2, c0, 2, c1);
                /* the column after the string counts code points, not bytes */
                const rl_pair *z = rl_node_get_pair(rl_doc_root(doc), "z");
                assert_span(z->key, 2, c1 + 2, 2, c1 + 5);
                rl_doc_free(doc);
                free(b.p);
                free(want.p);
            }
            /* and the same byte where it is an error: raw control characters */
            buf e = {0};
            bputs(&e, "{\"k\": \"");
            brep(&e, "a", pad);
            bputs(&e, "\x01\"}");
            expect_fail("a.json", e.p, e.len, RL_EPARSE, 1, 8 + (unsigned)pad, "control character");
            free(e.p);
        }
    }
}

/* ---- empty and odd documents -------------------------------------------------------- */

Test(hostile, empty_whitespace_comment_only)
{
    static const struct {
        const char *name;
        const char *text;
    } ok[] = {
        {"e.json", ""},
        {"e.yaml", ""},
        {"w.json", " \n\t\r\n  "},
        {"w.yaml", " \n\n  "},
        {"c.yaml", "# only a comment\n"},
        {"c.yaml", "# a\n# b"},
        {"b.json", "\xef\xbb\xbf"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        rl_doc *doc;
        rl_error err;
        cr_assert_eq(load_s(&doc, ok[i].name, ok[i].text, &err), 0, "%s '%s': %s", ok[i].name,
                     ok[i].text, err.message);
        cr_assert_null(rl_doc_root(doc), "%s '%s' has a root", ok[i].name, ok[i].text);
        rl_doc_free(doc);
    }
    /* JSON has no comments */
    expect_fail("c.json", LIT("# only a comment\n"), RL_EPARSE, 1, 1, NULL);
    expect_fail("c.json", LIT("// comment\n{}"), RL_EPARSE, 1, 1, NULL);
}

Test(hostile, several_yaml_documents)
{
    rl_doc *doc;
    rl_error err;
    cr_assert_eq(load_s(&doc, "m.yaml", "a: 1\n---\nb: 2\n---\nc: 3\n...\n", &err), 0, "%s",
                 err.message);
    cr_assert_eq(rl_doc_stream_count(doc), 3);
    cr_assert_eq(rl_node_count(rl_doc_root(doc)), 1);
    cr_assert_str_eq(rl_node_str(rl_node_get(rl_doc_root(doc), "a")), "1");
    cr_assert_null(rl_node_get(rl_doc_root(doc), "b"));
    rl_doc_free(doc);
    /* a syntax error in a later document still fails the file, at its position */
    expect_fail("m.yaml", LIT("a: 1\n---\nb: [2\n"), RL_EPARSE, 4, 1, NULL);
    /* limits apply to later documents too */
    buf b = {0};
    bputs(&b, "a: 1\n---\n");
    brep(&b, "[", 300);
    brep(&b, "]", 300);
    expect_fail("m.yaml", b.p, b.len, RL_ELIMIT, 3, 257, "nesting");
    free(b.p);
}

/* ---- duplicate keys on the hash path ------------------------------------------------ */

static void check_big_dups(const char *name, const char *text, const char *path, unsigned line0)
{
    rl_doc *doc;
    rl_error err;
    cr_assert_eq(load_s(&doc, name, text, &err), 0, "%s", err.message);
    cr_assert_eq(rl_doc_dupkey_count(doc), 3, "%s: %zu duplicates", name, rl_doc_dupkey_count(doc));
    const char *keys[] = {"k3", "k7", "k3"};
    for (size_t i = 0; i < 3; i++) {
        const rl_dupkey *d = rl_doc_dupkey(doc, i);
        cr_assert_str_eq(d->path, path);
        cr_assert_str_eq(rl_node_str(d->second), keys[i]);
        cr_assert_str_eq(rl_node_str(d->first), keys[i]);
        cr_assert(pos_le(d->first->span.start, d->second->span.start));
        cr_assert_eq(d->first->span.start.line, line0 + (keys[i][1] == '3' ? 3 : 7));
    }
    cr_assert_eq(rl_doc_dupkey(doc, 0)->second->span.start.line, line0 + 20);
    rl_doc_free(doc);
}

Test(hostile, duplicate_keys_in_big_mappings)
{
    buf j = {0}, y = {0};
    bputs(&j, "{\"Resources\": [{\"x\": 1}, {\n");
    bputs(&y, "Resources:\n  - x: 1\n  -\n");
    for (int i = 0; i < 20; i++) {
        bprintf(&j, "\"k%d\": %d,\n", i, i);
        bprintf(&y, "    k%d: %d\n", i, i);
    }
    bputs(&j, "\"k3\": 0,\n\"k7\": 0,\n\"k3\": 1\n}]}");
    bputs(&y, "    k3: 0\n    k7: 0\n    k3: 1\n");
    check_big_dups("d.json", j.p, "Resources[1]", 2);
    check_big_dups("d.yaml", y.p, "Resources[1]", 4);
    free(j.p);
    free(y.p);
}

/* ---- files: 100 MB inputs, size limit, non-regular files ---------------------------- */

static char *temp_path(const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    char *p = malloc(4096);
    cr_assert_not_null(p);
    snprintf(p, 4096, "%s/rl_hostile_XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
    int fd = mkstemps(p, (int)strlen(suffix));
    cr_assert_geq(fd, 0, "mkstemps: %s", strerror(errno));
    close(fd);
    return p;
}

#define HUNDRED_MB (100u * 1000 * 1000)

/* A service-quotas export as `aws service-quotas list-service-quotas` writes it. */
static size_t write_quotas(const char *path, size_t min_bytes)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    static const char pad[] = "Maximum number of concurrent requests that this account can make "
                              "in the region; requests above it are throttled. ";
    fputs("{\n    \"Quotas\": [\n", f);
    size_t i = 0;
    for (; (size_t)ftell(f) < min_bytes; i++) {
        fprintf(f,
                "%s        {\n"
                "            \"ServiceCode\": \"svc%zu\",\n"
                "            \"ServiceName\": \"Service \\u00e9 %zu\",\n"
                "            \"QuotaArn\": \"arn:aws:servicequotas:us-east-1:123456789012:svc%zu/"
                "L-%08zX\",\n"
                "            \"QuotaCode\": \"L-%08zX\",\n"
                "            \"QuotaName\": \"%s%s%s\",\n"
                "            \"Value\": %zu.0,\n"
                "            \"Unit\": \"None\",\n"
                "            \"Adjustable\": %s,\n"
                "            \"GlobalQuota\": false\n"
                "        }",
                i ? ",\n" : "", i % 97, i % 97, i % 97, i, i, pad, pad, pad, i * 10,
                i % 2 ? "true" : "false");
    }
    fputs("\n    ]\n}\n", f);
    cr_assert_eq(fclose(f), 0);
    return i;
}

/* A CloudFormation template with many resources in block style with short-form tags; the
 * inline code keeps the node count (and the time under ASan) moderate. */
static size_t write_template(const char *path, size_t min_bytes)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    static const char code[] =
        "          import json, os, boto3  # handler for the orders pipeline in this region\n"
        "          def handler(event, context):\n"
        "              return {\"statusCode\": 200, \"body\": json.dumps(event)}\n";
    fputs("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n", f);
    size_t i = 0;
    for (; (size_t)ftell(f) < min_bytes; i++) {
        fprintf(f,
                "  Fn%zu:\n"
                "    Type: AWS::Lambda::Function\n"
                "    Properties:\n"
                "      FunctionName: !Sub 'fn-%zu-${AWS::Region}'\n"
                "      Role: !GetAtt Role%zu.Arn\n"
                "      Environment:\n"
                "        Variables:\n"
                "          QUEUE: arn:aws:sqs:us-west-2:123456789012:q%zu\n"
                "      Code:\n"
                "        ZipFile: |\n%s%s%s%s%s%s",
                i, i, i % 50, i, code, code, code, code, code, code);
    }
    cr_assert_eq(fclose(f), 0);
    return i;
}

static void load_big(const char *path, const char *key, size_t expect_count)
{
    rl_source *src;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, path, "big", RL_DEFAULT_MAX_FILE_SIZE, &err), 0, "%s",
                 err.message);
    size_t len;
    rl_source_data(src, &len);
    cr_assert_geq(len, HUNDRED_MB);
    uint32_t lines = rl_source_line_count(src);
    rl_doc *doc;
    cr_assert_eq(rl_doc_load(&doc, src, NULL, &err), 0, "%s", err.message);
    const rl_node *list = rl_node_get(rl_doc_root(doc), key);
    cr_assert_eq(rl_node_count(list), expect_count);
    cr_assert_leq(rl_doc_root(doc)->span.end.line, lines);
    cr_assert_eq(rl_doc_dupkey_count(doc), 0);
    rl_doc_free(doc);
}

Test(hostile, hundred_megabyte_json, .timeout = 0)
{
    char *path = temp_path(".json");
    size_t n = write_quotas(path, HUNDRED_MB);
    load_big(path, "Quotas", n);

    /* the same file under a smaller size limit */
    rl_source *src = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, path, "quotas.json", 50u * 1000 * 1000, &err), RL_ELIMIT);
    cr_assert_null(src);
    cr_assert_str_eq(err.file, "quotas.json");
    cr_assert(strstr(err.message, "50000000"), "message names the limit: %s", err.message);
    unlink(path);
    free(path);
}

Test(hostile, hundred_megabyte_yaml, .timeout = 0)
{
    char *path = temp_path(".yaml");
    size_t n = write_template(path, HUNDRED_MB);
    load_big(path, "Resources", n);
    unlink(path);
    free(path);
}

Test(hostile, size_limit_on_streams_and_devices)
{
    /* not a regular file: the limit applies while reading, not from stat() */
    rl_source *src = NULL;
    rl_error err;
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, "/dev/zero", "zero", 1u << 20, &err), RL_ELIMIT);
    cr_assert(strstr(err.message, "1048576"), "%s", err.message);
    cr_assert_null(src);

    /* a limit of SIZE_MAX means "no limit", not an overflow */
    FILE *p = popen("head -c 100000 /dev/zero | tr '\\0' 'a'", "r");
    cr_assert_not_null(p);
    rl_error_clear(&err);
    char fdpath[64];
    snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fileno(p));
    cr_assert_eq(rl_source_read(&src, fdpath, "pipe", SIZE_MAX, &err), 0, "%s", err.message);
    size_t len;
    rl_source_data(src, &len);
    cr_assert_eq(len, 100000);
    rl_source_free(src);
    pclose(p);

    /* symlink loops and directories are I/O errors, not crashes */
    char *dir = temp_path("");
    unlink(dir);
    cr_assert_eq(mkdir(dir, 0700), 0);
    char link[4200];
    snprintf(link, sizeof(link), "%s/loop", dir);
    cr_assert_eq(symlink(link, link), 0);
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, link, "loop", RL_DEFAULT_MAX_FILE_SIZE, &err), RL_EIO);
    cr_assert_neq(err.message[0], '\0');
    rl_error_clear(&err);
    cr_assert_eq(rl_source_read(&src, dir, "dir", RL_DEFAULT_MAX_FILE_SIZE, &err), RL_EIO);
    unlink(link);
    rmdir(dir);
    free(dir);
}
