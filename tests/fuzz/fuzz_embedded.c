/* libFuzzer target for rl_doc_parse_embedded: the input is the value of a string node
 * (a policy document as a JSON string, or URL-encoded as the raw IAM API returns it).
 * Every node parsed from it must carry RL_NODE_EMBEDDED and the string's span; errors
 * point at the string; a second call returns the cached result. */
#include "fuzz_check.h"

#include "base/arena.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_embedded(const rl_node *n, const rl_span *span, unsigned depth)
{
    if (!n)
        return;
    RL_FUZZ_ASSERT(depth <= RL_DEFAULT_MAX_DEPTH + 1, "depth %u", depth);
    RL_FUZZ_ASSERT(n->flags & RL_NODE_EMBEDDED, "node without RL_NODE_EMBEDDED");
    RL_FUZZ_ASSERT(!memcmp(&n->span, span, sizeof(*span)), "node with its own span");
    if (n->kind == RL_NODE_SCALAR) {
        RL_FUZZ_ASSERT(n->u.s.str[n->u.s.len] == '\0', "scalar text not NUL-terminated");
    } else if (n->kind == RL_NODE_MAPPING) {
        for (size_t i = 0; i < n->u.map.count; i++) {
            check_embedded(n->u.map.items[i].key, span, depth + 1);
            check_embedded(n->u.map.items[i].value, span, depth + 1);
        }
    } else {
        for (size_t i = 0; i < n->u.seq.count; i++)
            check_embedded(n->u.seq.items[i], span, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char host[] = "{\"Policy\": {\"Content\": \"\"}}";
    rl_source *src = NULL;
    if (rl_source_new(&src, "host.json", host, sizeof(host) - 1) < 0)
        return 0;
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    RL_FUZZ_ASSERT(rl_doc_load(&doc, src, NULL, &err) == RL_OK, "host: %s", err.message);

    /* a string node as the loaders make them, holding the fuzz input */
    const rl_node *content = rl_node_path(rl_doc_root(doc), "Policy.Content");
    rl_node *str = rl_arena_alloc(rl_doc_arena(doc), sizeof(*str));
    char *text = rl_arena_strndup(rl_doc_arena(doc), (const char *)data, size);
    if (!str || !text) {
        rl_doc_free(doc);
        return 0;
    }
    *str = *content;
    str->u.s.str = text;
    str->u.s.len = (uint32_t)size; /* fuzz inputs are far below 4 GiB */

    const rl_node *out = NULL;
    rl_error_clear(&err);
    int rc = rl_doc_parse_embedded(doc, str, &out, &err);
    if (rc == RL_OK) {
        check_embedded(out, &str->span, 0);
        const rl_node *again = NULL;
        RL_FUZZ_ASSERT(rl_doc_parse_embedded(doc, str, &again, &err) == RL_OK, "second call");
        RL_FUZZ_ASSERT(out == NULL || again == out, "second call did not use the cache");
    } else {
        RL_FUZZ_ASSERT(rc == RL_EPARSE || rc == RL_ELIMIT || rc == RL_ENOMEM, "code %d", rc);
        RL_FUZZ_ASSERT(out == NULL, "a failed parse returned nodes");
        RL_FUZZ_ASSERT(err.message[0] != '\0', "error without a message");
        if (rc != RL_ENOMEM)
            RL_FUZZ_ASSERT(err.line == str->span.start.line && err.column == str->span.start.column,
                           "error at %u:%u, not at the string (%u:%u)", err.line, err.column,
                           str->span.start.line, str->span.start.column);
        /* a failure is cached too and reported again */
        rl_error_clear(&err);
        RL_FUZZ_ASSERT(rl_doc_parse_embedded(doc, str, &out, &err) == rc, "second call");
    }
    rl_doc_free(doc);
    return 0;
}
