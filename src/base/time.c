/* Timestamp parsing and formatting; see time.h. Dates are converted with the proleptic
 * Gregorian calendar (days_from_civil), so no libc time zone state is ever consulted. */
#include "time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Seconds since the epoch, with an optional fraction. */
static bool epoch(const char *s, size_t len, rl_time *out)
{
    int64_t secs = 0, frac = 0, scale = RL_TIME_PER_SEC;
    size_t i = 0;
    bool any = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, any = true) {
        if (secs > INT64_MAX / 10 / RL_TIME_PER_SEC)
            return false;
        secs = secs * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (scale > 1) {
                scale /= 10;
                frac += (s[i] - '0') * scale;
            }
    if (!any || i != len)
        return false;
    *out = secs * RL_TIME_PER_SEC + frac;
    return true;
}

bool rl_date_parse(const char *s, size_t len, unsigned flags, rl_time *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!s)
        return false;
    if ((flags & RL_DATE_EPOCH) && len && !memchr(s, '-', len))
        return epoch(s, len, out);
    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    bool day = len == 10 && (flags & RL_DATE_DAY);
    /* 2019-12-09T11:47:15 is the shortest timestamp (19 bytes) */
    if (!day &&
        (len < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
         s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec)))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return false;
    size_t i = day ? 10 : 19;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        size_t n = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++)
            if (n < 6)
                frac = frac * 10 + (s[i] - '0');
        if (n == 0 || n > 9)
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    int offset = 0; /* seconds east of UTC */
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
        i++;
        if (i + 2 > len || !digits(s + i, 2, &oh))
            return false;
        i += 2;
        if (i < len && s[i] == ':') {
            if (i + 3 > len || !digits(s + i + 1, 2, &om))
                return false;
            i += 3;
        } else if (i + 2 <= len && digits(s + i, 2, &om)) {
            i += 2;
        }
        if (oh > 23 || om > 59)
            return false;
        offset = sign * (oh * 3600 + om * 60);
    } else if (!day && !(flags & RL_DATE_NOZONE)) {
        return false; /* no zone: the exports always write one, and guessing is worse */
    }
    if (i != len)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    *out = secs * RL_TIME_PER_SEC + frac;
    return true;
}

bool rl_time_parse(const char *s, size_t len, rl_time *out)
{
    return rl_date_parse(s, len, 0, out);
}

int rl_time_ymd(rl_time t)
{
    int64_t secs = t / RL_TIME_PER_SEC, days = secs / 86400;
    if (secs < 0 && secs % 86400)
        days--;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    return (int)(y * 10000 + m * 100 + d);
}

void rl_time_format(rl_time t, char *buf, size_t bufsz)
{
    if (!buf || !bufsz)
        return;
    int64_t secs = t / RL_TIME_PER_SEC;
    if (t < 0 && t % RL_TIME_PER_SEC)
        secs--; /* floor, so fractions never round a time up */
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, bufsz, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

void rl_duration_format(int64_t seconds, char *buf, size_t bufsz)
{
    if (!buf || !bufsz)
        return;
    if (seconds < 0)
        seconds = -seconds;
    static const struct {
        int64_t secs;
        char unit;
    } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    size_t first = 0;
    while (first < 3 && seconds < units[first].secs)
        first++;
    int64_t a = seconds / units[first].secs;
    if (first == 3) {
        snprintf(buf, bufsz, "%llds", (long long)a);
        return;
    }
    int64_t b = seconds % units[first].secs / units[first + 1].secs;
    if (b)
        snprintf(buf, bufsz, "%lld%c %lld%c", (long long)a, units[first].unit, (long long)b,
                 units[first + 1].unit);
    else
        snprintf(buf, bufsz, "%lld%c", (long long)a, units[first].unit);
}

long rl_duration_parse(const char *s, unsigned flags)
{
    static const struct {
        const char *unit;
        long secs;
    } units[] = {{"s", 1},         {"sec", 1},      {"secs", 1},     {"second", 1},
                 {"seconds", 1},   {"m", 60},       {"min", 60},     {"mins", 60},
                 {"minute", 60},   {"minutes", 60}, {"h", 3600},     {"hr", 3600},
                 {"hrs", 3600},    {"hour", 3600},  {"hours", 3600}, {"d", 86400},
                 {"day", 86400},   {"days", 86400}, {"w", 604800},   {"week", 604800},
                 {"weeks", 604800}};
    bool words = flags & RL_DURATION_WORDS;
    size_t nunits = words ? sizeof(units) / sizeof(*units) : 0;
    double total = 0;
    bool any = false;
    const char *p = s;
    if (!s || !*s)
        return -1;
    while (*p) {
        while (words && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        if (!*p)
            break;
        if (words && !strncasecmp(p, "and ", 4)) {
            p += 4;
            continue;
        }
        if (*p < '0' || *p > '9')
            return -1;
        double v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v > 1e9)
                return -1;
            v = v * 10 + (*p++ - '0');
        }
        if (words && *p == '.')
            for (double scale = 0.1; *++p >= '0' && *p <= '9'; scale /= 10)
                v += (*p - '0') * scale;
        while (words && *p == ' ')
            p++;
        const char *u = p;
        while (isalpha((unsigned char)*p) && (words || p == u))
            p++;
        size_t ul = (size_t)(p - u);
        long mult = -1;
        if (ul == 0) {
            /* a bare number is seconds, but only on its own ("90"), not after "1h" */
            if (any || *p)
                return -1;
            mult = 1;
        }
        static const char strict[] = "smhdw";
        static const long strict_secs[] = {1, 60, 3600, 86400, 604800};
        for (size_t i = 0; !words && ul == 1 && i < 5 && mult < 0; i++)
            if (*u == strict[i])
                mult = strict_secs[i];
        for (size_t i = 0; i < nunits && mult < 0; i++)
            if (strlen(units[i].unit) == ul && !strncasecmp(u, units[i].unit, ul))
                mult = units[i].secs;
        if (mult < 0)
            return -1;
        total += v * (double)mult;
        any = true;
    }
    if (!any || (words && total > 365.0 * 86400) || total > 1e12)
        return -1;
    return (long)(total + 0.5);
}
