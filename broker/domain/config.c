/* The broker's settings and their defaults (config.h). Kept apart from the
 * call context so that what a setting means is read in one place. */
#include "config.h"

#include <string.h>

#include "sj_zone.h"

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
}
