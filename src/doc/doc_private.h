/* Internals shared by the document container and its loaders. */
#ifndef RL_DOC_PRIVATE_H
#define RL_DOC_PRIVATE_H

#include <regionlint/doc.h>

#include "../base/arena.h"
#include "../base/hmap.h"

struct rl_doc {
    rl_arena *arena;
    rl_source *src;
    rl_node *root;
    rl_syntax syntax;
    size_t streams;
    rl_dupkey *dups;
    size_t ndups, capdups;
    rl_hmap embedded; /* string node -> parsed node (or the node itself when it failed) */
    /* YAML tags: node->tag is 1 + an index in `tags`; past RL_DOC_TAGS_MAX distinct tags
     * a node has RL_DOC_TAG_MORE and its tag is in tag_more (node -> tag) */
    const char **tags;
    size_t ntags, captags;
    rl_hmap tag_more;
};

#define RL_DOC_TAGS_MAX 254
#define RL_DOC_TAG_MORE 255

/* Gives node n the tag `tag` (an arena string of the document; id from rl_doc_tag_id()). */
int rl_doc_set_tag(rl_doc *doc, rl_node *n, const char *tag, uint8_t id);
/* The id nodes with this tag get: 1..RL_DOC_TAGS_MAX, RL_DOC_TAG_MORE, or 0 when out of
 * memory. Call once per distinct tag. */
uint8_t rl_doc_tag_id(rl_doc *doc, const char *tag);

int rl_doc_add_dupkey(rl_doc *doc, const rl_node *first, const rl_node *second, const char *path);

/* Byte offset of code point `cps` of source line `line` (whose text and length
 * rl_source_line gave): O(1) on the line's ASCII prefix, a scan of the rest otherwise. */
size_t rl_source_column_byte(const rl_source *src, uint32_t line, const char *text, size_t len,
                             size_t cps);

/* Loaders fill doc->root (and dups) from doc->src. */
int rl_load_json(rl_doc *doc, const rl_load_opts *opts, rl_error *err);
int rl_load_yaml(rl_doc *doc, const rl_load_opts *opts, rl_error *err);

/* Parses `len` bytes of JSON into nodes in doc's arena. With `embed_span` set, every node
 * gets that span and RL_NODE_EMBEDDED instead of positions of its own. Errors carry the
 * position inside `text`. */
int rl_json_parse(rl_doc *doc, const char *text, size_t len, const rl_span *embed_span,
                  const rl_load_opts *opts, rl_node **out, rl_error *err);

/* Scalar type of a YAML plain scalar (null, bool, int, float, else string). */
rl_scalar_type rl_yaml_plain_type(const char *s, size_t len);

/* Duplicate-key detection for a mapping being closed; `path` is built lazily by the
 * caller's callback only when a duplicate is found. */
typedef const char *(*rl_path_fn)(void *ctx);
int rl_doc_check_dups(rl_doc *doc, const rl_node *map, rl_path_fn path_fn, void *ctx);

#endif
