/* Counting availability zones for the in-region rule (RL801): a tally of the members of a
 * list (subnets or zones) and the zone each one is in, that answers "provably one zone",
 * "provably several zones" or neither. Pure functions, shared by the check and its unit
 * tests. */
#ifndef RL_INREGION_H
#define RL_INREGION_H

#include <stdbool.h>
#include <stddef.h>

/* Zone keys compare within one form only: "name:us-east-1a", "id:use1-az1",
 * "index:0" (Fn::Select over Fn::GetAZs, data.aws_availability_zones names[0]). Two keys
 * of different forms may name the same zone, so they prove nothing either way. */
typedef struct rl_zone_tally {
    size_t items;        /* members added (with repeats) */
    bool unknown;        /* some member (or the whole list) could not be resolved */
    bool many;           /* some member spans several zones (Fn::GetAZs, a counted subnet) */
    const char *member;  /* the first member, for messages */
    bool members_differ; /* a second, different member was added */
    const char *zone[3]; /* the first zone key of each form (name, id, index) */
    bool zone_unknown;   /* some member's zone is unknown */
    bool zones_differ;   /* two members are in different zones of the same key form */
    bool forms_differ;   /* zone keys of different forms were added */
} rl_zone_tally;

/* Adds a member (a subnet or a zone) and its zone key (NULL when unknown). The strings
 * must outlive the tally. */
void rl_tally_add(rl_zone_tally *t, const char *member, const char *zone);

/* True when the members are provably in one zone: one member, or all members' zones known
 * and equal. Unknown members, members that span zones and an empty list prove nothing. */
bool rl_tally_one_zone(const rl_zone_tally *t);

/* True when the members are provably in at least two zones. */
bool rl_tally_several_zones(const rl_zone_tally *t);

/* The zone key for messages, in buf: "us-east-1a", "use1-az1", "the region's first
 * zone". */
const char *rl_zone_display(const char *key, char *buf, size_t cap);

#endif
