/* The broker's settings: command-line flags with their defaults, and the
 * domain's time limits (how long a wish stays open, a claim stays due...). */
#ifndef SJ_CONFIG_H
#define SJ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SJ_DAY_MS (24LL * 60 * 60 * 1000)
/* The default --public-url: an example address, warned about at start. */
#define SJ_EXAMPLE_PUBLIC_URL "https://alliance.example.org"

typedef struct {
    const char *data_dir;       /* --data: store and keys */
    const char *requests_ep;    /* --requests: ROUTER bind */
    const char *events_ep;      /* --events: PUB bind */
    const char *public_url;     /* --public-url: base of QR links */
    const char *time_zone;      /* --time-zone: the community's (tzdata) */
    size_t map_size;            /* --map-size (MiB on the command line) */
    unsigned batch_max;         /* requests applied per group commit */
    bool demo;                  /* init --demo: seed a demo community */
    int64_t wish_expiry_ms;     /* default life of an OPEN wish */
    int64_t claim_due_ms;       /* default time to fulfil a claim */
    int64_t auto_close_ms;      /* FULFILLED wish closes on its own after */
    int64_t dedup_retention_ms; /* how long retries get the original reply */
    uint64_t points_per_wish;   /* earned by the merchant closing a wish */
    uint64_t points_per_performance; /* earned per compact performance */
    /* issue 9 (privacy): claims reveal a resident's contact */
    unsigned max_live_claims; /* --max-claims: CLAIMED wishes per merchant */
    int64_t claim_due_max_ms; /* --max-claim-days: the longest due period */
    int64_t quick_release_ms; /* --quick-release-minutes: a release this
                                 soon after claiming counts as a lapse */
    /* issue 13 (load): budgets, quotas, the reader pool */
    size_t map_max;            /* --map-max: the map grows up to this */
    size_t map_reserve;        /* kept for the committee below map_max */
    unsigned readers;          /* --readers: threads answering reads */
    unsigned rate[8];          /* --rate: requests/s per member, by role
                                  (index: Shangju__Role); 0 = unlimited */
    unsigned max_open_wishes;  /* --max-open-wishes: live wishes a member
                                  may own; 0 = unlimited */
    unsigned queue_per_member; /* reads waiting per member (fair share) */
    unsigned max_connections;  /* --max-connections: connections one member
                                  may hold that have sent a request;
                                  0 = unlimited */
    int64_t silent_ms;         /* --silent-timeout: a connection that sent
                                  no request this long is closed; 0 = never */
    int64_t batch_budget_ms;   /* a batch stops taking requests after */
} sj_config_t; /* the notice signing key is not a setting: notice.h */

/* Fill c with the defaults. */
void sj_config_defaults(sj_config_t *c);

/* Derive what depends on other settings (map_max when 0, map_reserve);
 * call after the command line is read. */
void sj_config_fix(sj_config_t *c);

#endif
