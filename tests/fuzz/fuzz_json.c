/* libFuzzer target for the JSON reader: any bytes, loaded as a .json file, must give a
 * document with sane spans or a clean positioned error (see fuzz_check.h). */
#include "fuzz_check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rl_source *src = NULL;
    if (rl_source_new(&src, "fuzz.json", (const char *)data, size) < 0)
        return 0;
    rl_load_opts opts = {RL_SYNTAX_JSON, 0, RL_FUZZ_MAX_EXPANSION};
    rl_doc *doc = NULL;
    rl_error err;
    rl_error_clear(&err);
    int rc = rl_doc_load(&doc, src, &opts, &err);
    if (rc == RL_OK) {
        RL_FUZZ_ASSERT(doc != NULL, "success without a document");
        RL_FUZZ_ASSERT(rl_doc_syntax(doc) == RL_SYNTAX_JSON, "syntax %d", rl_doc_syntax(doc));
        rl_fuzz_check_doc(doc, data, size);
        rl_doc_free(doc);
    } else {
        rl_fuzz_check_error(rc, doc, &err, rl_fuzz_eof(data, size));
    }
    return 0;
}
