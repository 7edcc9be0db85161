/* Durable timers: one index ordered by due time, so the broker's loop finds
 * what is due with a scan from the start and knows when to wake next. */
#include "store_internal.h"

#include <stdint.h>

#define TIMER_KEY 17 /* due(8) kind(1) id(8) */

static void timer_key(uint8_t out[TIMER_KEY], const sj_timer_t *tm)
{
    /* Times before 1970 are not timers we set; clamp so order holds. */
    store__be64(out, tm->due < 0 ? 0 : (uint64_t)tm->due);
    out[8] = (uint8_t)tm->kind;
    store__be64(out + 9, tm->id);
}

int sj_timer_set(sj_txn_t *t, const sj_timer_t *tm)
{
    uint8_t k[TIMER_KEY];
    timer_key(k, tm);
    return store__put(t, DB_TIMERS, k, sizeof k, "", 0);
}

int sj_timer_clear(sj_txn_t *t, const sj_timer_t *tm)
{
    uint8_t k[TIMER_KEY];
    timer_key(k, tm);
    return store__del(t, DB_TIMERS, k, sizeof k);
}

struct due_ctx {
    int64_t now;
    sj_timer_t *out;
    size_t max, n;
    int64_t first; /* earliest due seen, for sj_timer_next */
};

static int decode(const MDB_val *key, sj_timer_t *tm)
{
    if (key->mv_size != TIMER_KEY)
        return SJ_EIO;
    const uint8_t *k = key->mv_data;
    tm->due = (int64_t)store__get_be64(k);
    tm->kind = (sj_timer_kind_t)k[8];
    tm->id = store__get_be64(k + 9);
    return SJ_OK;
}

static int visit_due(void *vctx, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    struct due_ctx *c = vctx;
    sj_timer_t tm;
    int err = decode(key, &tm);
    if (err)
        return err;
    if (tm.due > c->now || c->n == c->max)
        return 1;
    c->out[c->n++] = tm;
    return 0;
}

int sj_timer_due(sj_txn_t *t, int64_t now, sj_timer_t *out, size_t max,
                 size_t *n)
{
    struct due_ctx c = {.now = now, .out = out, .max = max};
    int err = store__scan(t, DB_TIMERS, "", 0, "", 0, visit_due, &c);
    *n = c.n;
    return err;
}

static int visit_first(void *vctx, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    struct due_ctx *c = vctx;
    sj_timer_t tm;
    int err = decode(key, &tm);
    if (err)
        return err;
    c->first = tm.due;
    return 1;
}

int sj_timer_next(sj_txn_t *t, int64_t *due)
{
    struct due_ctx c = {.first = INT64_MAX};
    int err = store__scan(t, DB_TIMERS, "", 0, "", 0, visit_first, &c);
    *due = c.first;
    return err;
}
