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

/* What rl_date_parse() accepts besides rl_time_parse()'s timestamps. */
enum {
    RL_DATE_DAY = 1 << 0,   /* a date alone, YYYY-MM-DD: its midnight UTC */
    RL_DATE_EPOCH = 1 << 1, /* seconds since the epoch, with a fraction (IAM conditions) */
    RL_DATE_NOZONE = 1 << 2 /* a timestamp without a zone, read as UTC */
};
/* The one date parser: rl_time_parse() plus the forms `flags` allows. */
bool rl_date_parse(const char *s, size_t len, unsigned flags, rl_time *out);
/* YYYYMMDD of a time (UTC), for comparing days. */
int rl_time_ymd(rl_time t);

/* Parses a duration. Plain: digits and a unit s, m, h, d or w, repeated ("1h30m"), or a
 * bare number of seconds alone ("90"), as config files write them. RL_DURATION_WORDS also
 * takes what pipelines write: fractions, unit words and blanks ("5 minutes", "1 hour and
 * 30 minutes", "2 hrs", "1.5h"), at most a year. Returns seconds, or -1. */
enum { RL_DURATION_WORDS = 1 };
long rl_duration_parse(const char *s, unsigned flags);

/* Writes `t` as `2019-12-09T11:47:15Z` (seconds, UTC) into buf (at least 21 bytes for
 * years 0000-9999; shorter buffers get a truncated string). */
void rl_time_format(rl_time t, char *buf, size_t bufsz);

/* The one duration formatter for messages: `45s`, `12m`, `1h 5m`, `1d`, `2d 3h`; `1h 0m 30s`
 * is shortened to its two largest units. Negative values are written as their magnitude. */
void rl_duration_format(int64_t seconds, char *buf, size_t bufsz);

#endif
