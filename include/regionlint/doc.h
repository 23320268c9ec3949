/* Documents with positions: sources (bytes + line map) and the node tree that the
 * JSON and YAML loaders build, where every node keeps its start and end position. */
#ifndef REGIONLINT_DOC_H
#define REGIONLINT_DOC_H

#include "regionlint.h"

/* A position: 1-based line, 1-based column counted in Unicode code points. 0 = unknown. */
typedef struct rl_pos {
    uint32_t line;
    uint32_t column;
} rl_pos;

/* A span; `end` is exclusive (the position just after the last character). */
typedef struct rl_span {
    rl_pos start;
    rl_pos end;
} rl_span;

/* ---- sources ---------------------------------------------------------------------- */

typedef struct rl_source rl_source;

#define RL_DEFAULT_MAX_FILE_SIZE ((size_t)256 * 1024 * 1024)

/* Reads `fs_path` (at most max_size bytes, else RL_ELIMIT). `display` is the path shown in
 * reports (copied). Returns 0 or RL_EIO/RL_ELIMIT/RL_ENOMEM with err set. */
int rl_source_read(rl_source **out, const char *fs_path, const char *display, size_t max_size,
                   rl_error *err);
/* Wraps a copy of `len` bytes. */
int rl_source_new(rl_source **out, const char *display, const char *data, size_t len);
void rl_source_free(rl_source *src);

const char *rl_source_path(const rl_source *src);
/* The bytes, always followed by a NUL that is not counted in len. */
const char *rl_source_data(const rl_source *src, size_t *len);
/* Text of a 1-based line without its line break; 0 on success, -1 if out of range.
 * The line map is built on first use. */
int rl_source_line(const rl_source *src, uint32_t line, const char **text, size_t *len);
uint32_t rl_source_line_count(const rl_source *src);

/* ---- nodes ------------------------------------------------------------------------ */

typedef enum rl_node_kind {
    RL_NODE_SCALAR = 0,
    RL_NODE_MAPPING = 1,
    RL_NODE_SEQUENCE = 2
} rl_node_kind;

typedef enum rl_scalar_type {
    RL_SCALAR_STRING = 0,
    RL_SCALAR_INT,
    RL_SCALAR_FLOAT,
    RL_SCALAR_BOOL,
    RL_SCALAR_NULL
} rl_scalar_type;

enum {
    RL_NODE_QUOTED = 1 << 0,    /* quoted or block scalar: always a string */
    RL_NODE_EMBEDDED = 1 << 1,  /* read from a JSON string; span is the enclosing string's */
    RL_NODE_SHORTFORM = 1 << 2, /* synthesised from a YAML short-form tag such as !Ref */
    RL_NODE_BLOCK = 1 << 3,     /* YAML literal (|) block scalar */
    RL_NODE_FOLDED = 1 << 4,    /* YAML folded (>) block scalar */
    RL_NODE_SQUOTED = 1 << 5,   /* YAML single-quoted */
    RL_NODE_DQUOTED = 1 << 6    /* YAML or JSON double-quoted */
};

typedef struct rl_node rl_node;

typedef struct rl_pair {
    rl_node *key;
    rl_node *value;
} rl_pair;

/* A document has about one node per 12 bytes of YAML, so the node is kept to 32 bytes:
 * the YAML tag is a small index (rl_doc_tag()), lengths and counts are 32-bit (a source
 * of 4 GiB or more is refused), and the length sits before the pointer in a packed union,
 * which is aligned in practice (nodes are 8-aligned, the union starts at byte 4). */
#define RL_NODE_PACKED __attribute__((packed))

struct rl_node {
    uint8_t kind;  /* rl_node_kind */
    uint8_t type;  /* rl_scalar_type, scalars only */
    uint8_t flags; /* RL_NODE_* */
    uint8_t tag;   /* YAML tag, for rl_doc_tag(); 0 = none */
    union RL_NODE_PACKED {
        struct RL_NODE_PACKED {
            uint32_t len;
            const char *str; /* NUL-terminated; may also contain NULs, see len */
        } s;
        struct RL_NODE_PACKED {
            uint32_t count;
            rl_pair *items;
        } map;
        struct RL_NODE_PACKED {
            uint32_t count;
            rl_node **items;
        } seq;
    } u;
    rl_span span;
};

static inline bool rl_node_is_scalar(const rl_node *n)
{
    return n && n->kind == RL_NODE_SCALAR;
}
static inline bool rl_node_is_map(const rl_node *n)
{
    return n && n->kind == RL_NODE_MAPPING;
}
static inline bool rl_node_is_seq(const rl_node *n)
{
    return n && n->kind == RL_NODE_SEQUENCE;
}
/* The scalar's text (any scalar type), or NULL for a non-scalar or NULL node. */
static inline const char *rl_node_str(const rl_node *n)
{
    return rl_node_is_scalar(n) ? n->u.s.str : NULL;
}
/* Number of pairs or items; 0 for scalars. */
size_t rl_node_count(const rl_node *n);
/* Value of `key` in a mapping (the last one when keys repeat), or NULL. */
const rl_node *rl_node_get(const rl_node *map, const char *key);
/* Same, but the key pair (for the key's position). */
const rl_pair *rl_node_get_pair(const rl_node *map, const char *key);
/* Item i of a sequence, or NULL. */
const rl_node *rl_node_at(const rl_node *seq, size_t i);
bool rl_node_streq(const rl_node *n, const char *s);
/* Follows a dotted path of mapping keys ("Policy.PolicySummary.Id"). */
const rl_node *rl_node_path(const rl_node *n, const char *dotted);
/* Numeric value of an int/float scalar (also a string holding a number); false if none. */
bool rl_node_number(const rl_node *n, double *out);
/* Boolean value of a bool scalar or the strings "true"/"false"; false if none. */
bool rl_node_bool(const rl_node *n, bool *out);
/* Single-key mapping whose key is `Ref`, `Condition` or starts with `Fn::`: returns the
 * function name and its argument. */
bool rl_node_intrinsic(const rl_node *n, const char **name, const rl_node **arg);

/* ---- documents -------------------------------------------------------------------- */

typedef struct rl_doc rl_doc;
typedef struct rl_arena rl_arena;

typedef enum rl_syntax { RL_SYNTAX_AUTO = 0, RL_SYNTAX_JSON, RL_SYNTAX_YAML } rl_syntax;

typedef struct rl_load_opts {
    rl_syntax syntax;       /* AUTO: by extension, then by content */
    unsigned max_depth;     /* nesting limit; 0 = RL_DEFAULT_MAX_DEPTH */
    uint64_t max_expansion; /* YAML alias expansion limit in nodes; 0 = default */
} rl_load_opts;

#define RL_DEFAULT_MAX_DEPTH     256
#define RL_DEFAULT_MAX_EXPANSION 1000000u

/* A duplicate mapping key noticed while loading (reported as RL003). */
typedef struct rl_dupkey {
    const rl_node *first;  /* the first occurrence of the key */
    const rl_node *second; /* the repeated key */
    const char *path;      /* logical path of the mapping that holds them */
} rl_dupkey;

/* Loads the source into a document. The document takes ownership of `src` in every case
 * (success or failure). On a syntax error returns RL_EPARSE with the position in err; on a
 * safety limit RL_ELIMIT; *out is NULL then. */
int rl_doc_load(rl_doc **out, rl_source *src, const rl_load_opts *opts, rl_error *err);
/* Same, but on failure the caller keeps (and frees) `src`, e.g. to show the failing line. */
int rl_doc_parse(rl_doc **out, rl_source *src, const rl_load_opts *opts, rl_error *err);
void rl_doc_free(rl_doc *doc);

/* The root node; NULL for an empty document. */
const rl_node *rl_doc_root(const rl_doc *doc);
const rl_source *rl_doc_source(const rl_doc *doc);
const char *rl_doc_path(const rl_doc *doc);
rl_syntax rl_doc_syntax(const rl_doc *doc);
size_t rl_doc_dupkey_count(const rl_doc *doc);
const rl_dupkey *rl_doc_dupkey(const rl_doc *doc, size_t i);
/* Number of YAML documents in the stream (only the first is used). */
size_t rl_doc_stream_count(const rl_doc *doc);
/* The arena that owns the document's nodes; later stages may allocate data that lives as
 * long as the document in it. */
rl_arena *rl_doc_arena(rl_doc *doc);
/* The YAML tag of a node of the document as libyaml reports it ("!Ref", "!Custom",
 * "tag:yaml.org,2002:str" for !!str), or NULL. The long form made from a short-form tag
 * keeps it. */
const char *rl_doc_tag(const rl_doc *doc, const rl_node *n);

/* Parses a JSON document held in a string node (`{...}`, or URL-encoded `%7B...`) into
 * nodes owned by `doc`; every node's span is the string's span and carries
 * RL_NODE_EMBEDDED. Results are cached per string node. Returns 0, or RL_EPARSE with err
 * describing the problem at the string's position. */
int rl_doc_parse_embedded(rl_doc *doc, const rl_node *str, const rl_node **out, rl_error *err);

/* Maps bytes [off, off+len) of a scalar's value to an exact span when the source text of
 * the scalar holds those bytes verbatim (plain, quoted without escapes before them, or
 * literal block lines). Falls back to the scalar's span and returns false. */
bool rl_doc_subspan(const rl_doc *doc, const rl_node *scalar, size_t off, size_t len, rl_span *out);

#endif
