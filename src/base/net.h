/* Endpoints in text, outside AWS's own names (base/aws.h has those): IPv4 addresses that
 * are endpoints (not CIDR blocks), host names, RFC 1918 ranges, CIDR containment and suffix
 * matching on DNS labels. Pure functions; the rules about on-premises and third-party
 * endpoints (RL506, RL507) and their tests use them. */
#ifndef RL_BASE_NET_H
#define RL_BASE_NET_H

#include "arena.h"
#include "hmap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Calls fn(ctx, off, len, addr) for every dotted-quad IPv4 address in s that stands on its
 * own: not part of a longer dotted number (1.2.3.4.5, an OID or version) and not a CIDR
 * block (10.0.0.0/16 is network configuration, not an endpoint). Returns fn's non-zero
 * value or 0. */
typedef int (*rl_ipv4_fn)(void *ctx, size_t off, size_t len, uint32_t addr);
int rl_scan_ipv4(const char *s, size_t len, rl_ipv4_fn fn, void *ctx);

/* True for the RFC 1918 ranges 10/8, 172.16/12, 192.168/16. */
bool rl_ipv4_rfc1918(uint32_t addr);

/* Parses "a.b.c.d/n" (the whole of s). The network is masked to its prefix. */
bool rl_cidr_parse(const char *s, size_t len, uint32_t *net, unsigned *prefix);

/* Calls fn(ctx, off, len) for every host name in s: a run of DNS labels with at least one
 * dot, bounded by characters that cannot be part of a name. The part after '@' of an
 * e-mail address is not a host (a URL's user@host is). Returns fn's non-zero value or 0. */
typedef int (*rl_host_fn)(void *ctx, size_t off, size_t len);
int rl_scan_hosts(const char *s, size_t len, rl_host_fn fn, void *ctx);

/* True when `name` is a host name or domain as rl_domains_add() takes it. */
bool rl_domain_valid(const char *name);

/* A set of domain names matched by DNS-label suffix: "corp.example.com" matches itself and
 * "db.corp.example.com", not "xcorp.example.com". Case-insensitive. Each name carries a
 * value (e.g. the third party it belongs to). */
typedef struct rl_domain {
    const char *name; /* normalised: no leading "*." or ".", no trailing dot */
    void *value;
} rl_domain;

typedef struct rl_domains {
    rl_hmap map; /* case-insensitive: name -> rl_domain */
    rl_arena *arena;
} rl_domains;

/* Initialises an empty set; returns 0 or RL_ENOMEM. */
int rl_domains_init(rl_domains *d);
void rl_domains_free(rl_domains *d);
/* Adds a name ("corp.example.com", ".corp.example.com" and "*.corp.example.com" are the
 * same) with a NULL value, or finds it when it is there already; *out receives the entry.
 * Returns 0, RL_EINVAL for a name that is not a host name, or RL_ENOMEM. */
int rl_domains_add(rl_domains *d, const char *name, rl_domain **out);
/* The entry of the longest name that `host` equals or ends with at a label boundary, or
 * NULL. */
const rl_domain *rl_domains_match(const rl_domains *d, const char *host, size_t len);

/* IPv4 CIDR blocks per scope (a region), for "is this address inside one of the blocks":
 * one lookup per prefix length in use, so the cost does not grow with the number of
 * blocks. */
typedef struct rl_cidrs {
    rl_hmap map;   /* scope \0 prefix network -> (void *)1 */
    uint64_t lens; /* bit n: some block has prefix length n */
    rl_arena *arena;
} rl_cidrs;

int rl_cidrs_init(rl_cidrs *c);
void rl_cidrs_free(rl_cidrs *c);
/* Returns 0 or RL_ENOMEM. */
int rl_cidrs_add(rl_cidrs *c, const char *scope, uint32_t net, unsigned prefix);
bool rl_cidrs_contain(const rl_cidrs *c, const char *scope, uint32_t addr);

#endif
