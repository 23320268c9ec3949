/* UTF-8 helpers shared by the loaders (validation, code point columns) and reporters. */
#ifndef RL_UTF8_H
#define RL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid
 * (overlong, surrogate, out of range, truncated). */
size_t rl_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);
/* Number of code points in the (assumed valid) UTF-8 text. */
size_t rl_utf8_count(const char *s, size_t n);
/* Byte offset of the `cps`-th code point of s (clamped to n). */
size_t rl_utf8_offset(const char *s, size_t n, size_t cps);
/* Encodes cp; returns bytes written (1..4) into out[4]. */
size_t rl_utf8_encode(uint32_t cp, char *out);

#endif
