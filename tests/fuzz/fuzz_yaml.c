/* libFuzzer target for the YAML loader, loaded as a .yaml file the way the CLI does:
 * JSON-looking text tries the JSON reader first, then libyaml. The first input byte
 * picks small or default limits so both the limit paths and deep trees get exercised. */
#include "fuzz_check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rl_source *src = NULL;
    if (rl_source_new(&src, "fuzz.yaml", (const char *)data, size) < 0)
        return 0;
    rl_load_opts opts = {RL_SYNTAX_AUTO, 0, RL_FUZZ_MAX_EXPANSION};
    if (size > 0 && data[0] == '#') {
        /* a comment line first: tight limits, so a short input can reach them */
        opts.max_depth = 8;
        opts.max_expansion = 64;
    }
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    int rc = rl_doc_load(&doc, src, &opts, &err);
    if (rc == RL_OK) {
        RL_FUZZ_ASSERT(doc != NULL, "success without a document");
        rl_fuzz_check_doc(doc, data, size);
        RL_FUZZ_ASSERT(rl_doc_root(doc) == NULL || rl_doc_stream_count(doc) >= 1,
                       "a root without a document");
        rl_doc_free(doc);
    } else {
        rl_fuzz_check_error(rc, doc, &err, rl_fuzz_eof(data, size));
    }
    return 0;
}
