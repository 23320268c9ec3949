/* Region codes: recognising them in paths and strings, reading them from ARNs, and the
 * partition each belongs to. */
#include <regionlint/input.h>
#include <regionlint/model.h>

#include <string.h>

static const char *const geo[] = {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"};
static const char *const qualifiers[] = {"gov", "iso", "isob", "isof", "isoe", "sc"};
static const char *const directions[] = {"north",     "south",     "east",
                                         "west",      "central",   "northeast",
                                         "northwest", "southeast", "southwest"};

static bool word_in(const char *s, size_t len, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(set[i]) == len && !memcmp(s, set[i], len))
            return true;
    return false;
}

bool rl_is_region(const char *s, size_t len)
{
    /* <geo>[-<qualifier>]-<direction>-<digits>, e.g. us-east-1, us-gov-west-1, eusc-de-east-1 */
    const char *parts[5];
    size_t lens[5], n = 0, start = 0;
    if (len < 9 || len > 24)
        return false;
    /* cheap rejects, called for every candidate in a scanned string: a region ends in a
     * digit and starts with a two-letter geo code and '-' (or eusc-) */
    if (s[len - 1] < '0' || s[len - 1] > '9' || (s[2] != '-' && memcmp(s, "eusc-", 5) != 0))
        return false;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '-') {
            if (n == 5 || i == start)
                return false;
            parts[n] = s + start;
            lens[n++] = i - start;
            start = i + 1;
        } else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) {
            return false;
        }
    }
    if (n < 3 || n > 4)
        return false;
    const char *num = parts[n - 1];
    if (lens[n - 1] > 2)
        return false;
    for (size_t i = 0; i < lens[n - 1]; i++)
        if (num[i] < '0' || num[i] > '9')
            return false;
    if (!word_in(parts[n - 2], lens[n - 2], directions, sizeof(directions) / sizeof(*directions)))
        return false;
    if (lens[0] == 4 && !memcmp(parts[0], "eusc", 4)) /* eusc-de-east-1 */
        return n == 4 && lens[1] == 2;
    if (!word_in(parts[0], lens[0], geo, sizeof(geo) / sizeof(*geo)))
        return false;
    return n == 3 ||
           word_in(parts[1], lens[1], qualifiers, sizeof(qualifiers) / sizeof(*qualifiers));
}

const char *rl_region_partition(const char *region)
{
    if (!region)
        return "aws";
    if (!strncmp(region, "cn-", 3))
        return "aws-cn";
    if (!strncmp(region, "us-gov-", 7))
        return "aws-us-gov";
    if (!strncmp(region, "eusc-", 5))
        return "aws-eusc";
    if (!strncmp(region, "us-isob-", 8))
        return "aws-iso-b";
    if (!strncmp(region, "us-isof-", 8))
        return "aws-iso-f";
    if (!strncmp(region, "eu-isoe-", 8))
        return "aws-iso-e";
    if (!strncmp(region, "us-iso-", 7))
        return "aws-iso";
    return "aws";
}
