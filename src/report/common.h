/* Helpers shared by the text, GitHub, JUnit, Markdown and HTML reporters: walking UTF-8 that
 * may be invalid, escaping for XML/HTML, the sources of the inputs for excerpts, and the
 * order in which findings are listed by level. */
#ifndef RL_REPORT_COMMON_H
#define RL_REPORT_COMMON_H

#include <regionlint/report.h>

#include "../base/hmap.h"
#include "../base/strbuf.h"

#define RL_REPLACEMENT_CHAR "\xEF\xBF\xBD" /* U+FFFD */

/* Decodes the code point at s[*i] (len bytes in all) and advances *i. An invalid byte gives
 * U+FFFD and advances by one, so file names and messages with any bytes in them can be
 * written to formats that must be valid UTF-8. */
uint32_t rl_report_next_cp(const char *s, size_t len, size_t *i);

/* Appends s escaped for XML 1.0 and HTML text (attr false) or a double-quoted attribute
 * value (attr true): & < > " ' become references; characters XML 1.0 forbids (C0 controls
 * other than tab, LF and CR; U+FFFE, U+FFFF) and the C1 controls HTML rejects become
 * U+FFFD, as do invalid UTF-8 bytes. In attributes tab, LF and CR are written as character
 * references so that attribute-value normalisation keeps them. */
void rl_report_put_xml(rl_strbuf *b, const char *s, bool attr);

/* True for http:// and https:// URLs: the only help links written into HTML and Markdown
 * (a custom rule's help-uri could otherwise be javascript:). */
bool rl_report_url_ok(const char *url);

/* Builds a map from each input's display path to its rl_source (borrowed from the inputs):
 * the document's, or the kept text of an input that did not parse, so that a parse error
 * shows its line. Returns 0 or RL_ENOMEM. */
int rl_report_sources(const rl_report *r, rl_hmap *out);

/* The unsuppressed findings of a report, most severe level first and within a level in the
 * report's order (file, line, column, rule). *out is malloc'ed (NULL when there are none);
 * returns the count, or (size_t)-1 when out of memory. */
size_t rl_report_by_level(const rl_report *r, const rl_finding ***out);

#endif
