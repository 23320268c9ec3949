/* The shared timestamp parser: every form the CLI versions and SDK dumps write, bad input,
 * formatting of times and durations. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/time.h"

static rl_time parse(const char *s)
{
    rl_time t = 0;
    cr_assert(rl_time_parse(s, strlen(s), &t), "should parse: %s", s);
    return t;
}

static void reject(const char *s)
{
    rl_time t = 0;
    cr_assert_not(rl_time_parse(s, strlen(s), &t), "should not parse: %s", s);
}

Test(time, forms_of_the_same_instant)
{
    /* 2019-12-09T11:47:15Z = 1575892035 */
    rl_time base = (rl_time)1575892035 * RL_TIME_PER_SEC;
    cr_assert_eq(parse("2019-12-09T11:47:15Z"), base);
    cr_assert_eq(parse("2019-12-09T11:47:15+00:00"), base);
    cr_assert_eq(parse("2019-12-09 11:47:15+00:00"), base); /* boto3 json.dumps(default=str) */
    cr_assert_eq(parse("2019-12-09T11:47:15.842Z"), base + 842000);         /* CLI v1 */
    cr_assert_eq(parse("2019-12-09T11:47:15.000Z"), base);                  /* raw SDK */
    cr_assert_eq(parse("2019-12-09T11:47:15.842000+00:00"), base + 842000); /* CLI v2 */
    cr_assert_eq(parse("2019-12-09T12:47:15+01:00"), base);
    cr_assert_eq(parse("2019-12-09T06:17:15-05:30"), base);
    cr_assert_eq(parse("2019-12-09T12:47:15+0100"), base);
    cr_assert_eq(parse("2019-12-09T12:47:15+01"), base);
    cr_assert_eq(parse("2019-12-09t11:47:15z"), base);
    cr_assert_eq(parse("2019-12-09T11:47:15.123456789Z"), base + 123456); /* past µs dropped */
}

Test(time, reference_examples)
{
    cr_assert_eq(parse("2017-09-12T19:23:36+00:00"), (rl_time)1505244216 * RL_TIME_PER_SEC);
    cr_assert_eq(parse("2025-12-10T16:54:27.747000+00:00"),
                 (rl_time)1765385667 * RL_TIME_PER_SEC + 747000);
    cr_assert_eq(parse("2019-12-18 19:10:08+00:00"), (rl_time)1576696208 * RL_TIME_PER_SEC);
    cr_assert_eq(parse("1970-01-01T00:00:00Z"), 0);
    cr_assert_eq(parse("1969-12-31T23:59:59Z"), -RL_TIME_PER_SEC);
    cr_assert_eq(parse("2000-02-29T00:00:00Z"), (rl_time)951782400 * RL_TIME_PER_SEC);
}

Test(time, rejects)
{
    reject("");
    reject("2019-12-09");
    reject("2019-12-09T11:47:15"); /* no zone */
    reject("2019-12-09T11:47Z");
    reject(" 2019-12-09T11:47:15Z");
    reject("2019-12-09T11:47:15Z ");
    reject("2019-13-09T11:47:15Z");
    reject("2019-02-29T11:47:15Z"); /* not a leap year */
    reject("1900-02-29T00:00:00Z");
    reject("2019-12-32T11:47:15Z");
    reject("2019-12-09T24:00:00Z");
    reject("2019-12-09T11:60:00Z");
    reject("2019-12-09T11:47:15.Z");
    reject("2019-12-09T11:47:15.1234567890Z");
    reject("2019-12-09T11:47:15+25:00");
    reject("2019-12-09T11:47:15+01:");
    reject("2019-12-09X11:47:15Z");
    reject("2019/12/09T11:47:15Z");
    reject("2019-12-09T11:47:15Zjunk");
    rl_time t;
    cr_assert_not(rl_time_parse(NULL, 0, &t));
    /* only len bytes are read */
    cr_assert(rl_time_parse("2019-12-09T11:47:15Zjunk", 20, &t));
}

Test(time, format)
{
    char buf[32];
    rl_time_format(parse("2025-12-10T16:54:27.747000+00:00"), buf, sizeof(buf));
    cr_assert_str_eq(buf, "2025-12-10T16:54:27Z");
    rl_time_format(parse("2019-12-09T12:47:15+01:00"), buf, sizeof(buf));
    cr_assert_str_eq(buf, "2019-12-09T11:47:15Z");
    rl_time_format(-1, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    rl_time_format(parse("2000-02-29T23:59:59Z"), buf, sizeof(buf));
    cr_assert_str_eq(buf, "2000-02-29T23:59:59Z");
}

Test(time, durations)
{
    char buf[32];
    rl_duration_format(0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "0s");
    rl_duration_format(45, buf, sizeof(buf));
    cr_assert_str_eq(buf, "45s");
    rl_duration_format(720, buf, sizeof(buf));
    cr_assert_str_eq(buf, "12m");
    rl_duration_format(90, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1m 30s");
    rl_duration_format(3900, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1h 5m");
    rl_duration_format(3630, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1h");
    rl_duration_format(-3600, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1h");
    rl_duration_format(2 * 86400 + 3 * 3600 + 5, buf, sizeof(buf));
    cr_assert_str_eq(buf, "2d 3h");
}

Test(time, durations_in_words)
{
    cr_assert_eq(rl_duration_parse("3600", RL_DURATION_WORDS), 3600);
    cr_assert_eq(rl_duration_parse("90s", RL_DURATION_WORDS), 90);
    cr_assert_eq(rl_duration_parse("15m", RL_DURATION_WORDS), 900);
    cr_assert_eq(rl_duration_parse("1h", RL_DURATION_WORDS), 3600);
    cr_assert_eq(rl_duration_parse("1.5h", RL_DURATION_WORDS), 5400);
    cr_assert_eq(rl_duration_parse("1h30m", RL_DURATION_WORDS), 5400);
    cr_assert_eq(rl_duration_parse("2d", RL_DURATION_WORDS), 172800);
    cr_assert_eq(rl_duration_parse("30 minutes", RL_DURATION_WORDS), 1800);
    cr_assert_eq(rl_duration_parse("1 hour 30 min", RL_DURATION_WORDS), 5400);
    cr_assert_eq(rl_duration_parse("1 day", RL_DURATION_WORDS), 86400);
    cr_assert_eq(rl_duration_parse("2 hours and 10 minutes", RL_DURATION_WORDS), 7800);
    cr_assert_eq(rl_duration_parse("", RL_DURATION_WORDS), -1);
    cr_assert_eq(rl_duration_parse("soon", RL_DURATION_WORDS), -1);
    cr_assert_eq(rl_duration_parse("10 parsecs", RL_DURATION_WORDS), -1);
    cr_assert_eq(rl_duration_parse("-5", RL_DURATION_WORDS), -1);
    cr_assert_eq(rl_duration_parse("5 6", RL_DURATION_WORDS), -1);
    cr_assert_eq(rl_duration_parse(NULL, RL_DURATION_WORDS), -1);
}
