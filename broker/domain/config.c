/* The broker's settings and their defaults (config.h). Kept apart from the
 * call context so that what a setting means is read in one place. */
#include "config.h"

#include <string.h>

#include "sj_zone.h"
#include "shangju.pb-c.h"

void sj_config_defaults(sj_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->data_dir = SJ_DEFAULT_DATA;
    c->requests_ep = "tcp://127.0.0.1:7400";
    c->events_ep = "tcp://127.0.0.1:7401";
    c->public_url = SJ_EXAMPLE_PUBLIC_URL;
    c->time_zone = SJ_ZONE_DEFAULT;
    c->map_size = 0;
    c->batch_max = 512;
    c->wish_expiry_ms = 30 * SJ_DAY_MS;
    c->claim_due_ms = 7 * SJ_DAY_MS;
    c->auto_close_ms = 7 * SJ_DAY_MS;
    c->dedup_retention_ms = SJ_DAY_MS;
    c->points_per_wish = 10;
    c->points_per_performance = 5;
    c->max_live_claims = 5;
    c->claim_due_max_ms = 14 * SJ_DAY_MS;
    c->quick_release_ms = 60LL * 60 * 1000;
    c->map_max = 0; /* 0: 8 x the map size, at least 8 GiB (sj_config_fix) */
    c->readers = 2;
    /* People at a counter or a phone make a few requests a second; the
     * committee and the services acting for many people are not limited
     * by default. A bucket holds 3 s worth (the burst). */
    c->rate[SHANGJU__ROLE__ROLE_RESIDENT] = 20;
    c->rate[SHANGJU__ROLE__ROLE_MERCHANT] = 20;
    c->max_open_wishes = 50;
    c->queue_per_member = 16;
    c->max_connections = 32;
    c->silent_ms = 30000;
    c->batch_budget_ms = 50;
}

void sj_config_fix(sj_config_t *c)
{
    size_t map = c->map_size ? c->map_size : (size_t)1 << 30;
    if (!c->map_max) {
        c->map_max = map * 8;
        if (c->map_max < ((size_t)8 << 30))
            c->map_max = (size_t)8 << 30;
    }
    if (c->map_max < map)
        c->map_max = map;
    /* What the committee needs to suspend a flooder and cancel their
     * wishes is small; 1/32 of the ceiling, at least 2 MiB. */
    c->map_reserve = c->map_max / 32;
    if (c->map_reserve < ((size_t)2 << 20))
        c->map_reserve = (size_t)2 << 20;
    if (c->map_reserve > c->map_max / 4) /* a tiny map (tests) */
        c->map_reserve = c->map_max / 4;
}
