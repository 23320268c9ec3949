/* Timestamps as AWS exports write them (CLI v1 and v2, boto3 dumps, raw SDK output) and
 * durations for messages. One parser shared by every rule family that compares times. */
#ifndef RL_TIME_H
#define RL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Microseconds since 1970-01-01T00:00:00Z (CLI v2 writes six fractional digits). */
typedef int64_t rl_time;

#define RL_TIME_PER_SEC ((rl_time)1000000)

/* Parses an ISO-8601 timestamp: `YYYY-MM-DD`, `T` or one space, `hh:mm:ss`, an optional
 * fraction of 0 to 9 digits (digits past the sixth are dropped), and `Z` or `±hh:mm` (also
 * `±hhmm`, `±hh`). Leading and trailing blanks are not allowed. Returns false when `s`
 * (of `len` bytes) is not such a timestamp or names an impossible date or time. */
bool rl_time_parse(const char *s, size_t len, rl_time *out);

/* Writes `t` as `2019-12-09T11:47:15Z` (seconds, UTC) into buf (at least 21 bytes for
 * years 0000-9999; shorter buffers get a truncated string). */
void rl_time_format(rl_time t, char *buf, size_t bufsz);

/* Writes a duration of `seconds` for messages: `45s`, `12m`, `1h 5m`, `2d 3h`, `1h 0m 30s`
 * is shortened to its two largest units. Negative values are written as their magnitude. */
void rl_duration_format(int64_t seconds, char *buf, size_t bufsz);

#endif
