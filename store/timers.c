/* Durable timers: one index ordered by due time, so the broker's loop finds
 * what is due with a scan from the start and knows when to wake next. */
#include "store_internal.h"

#include <stdint.h>

#define TIMER_KEY 17 /* due(8) kind(1) id(8) */

static void timer_key(store__key_t *k, const sj_timer_t *tm)
{
    store__key_init(k);
    /* Times before 1970 are not timers we set; clamp so order holds. */
    store__key_u64(k, tm->due < 0 ? 0 : (uint64_t)tm->due);
    store__key_u8(k, (uint8_t)tm->kind);
    store__key_u64(k, tm->id);
}

int sj_timer_set(sj_txn_t *t, const sj_timer_t *tm)
{
    store__key_t k;
    timer_key(&k, tm);
    return store__put(t, DB_TIMERS, &k, "", 0);
}

int sj_timer_clear(sj_txn_t *t, const sj_timer_t *tm)
{
    store__key_t k;
    timer_key(&k, tm);
    return store__del(t, DB_TIMERS, &k);
}

/* The timer of the walk's current key; false (SJ_EIO stuck to the walk)
 * when the key is malformed. */
static bool decode(store__iter_t *it, sj_timer_t *tm)
{
    if (it->key.len != TIMER_KEY) {
        store__iter_fail(it, SJ_EIO, "malformed timer key");
        return false;
    }
    const uint8_t *k = it->key.data;
    tm->due = (int64_t)store__get_be64(k);
    tm->kind = (sj_timer_kind_t)k[8];
    tm->id = store__get_be64(k + 9);
    return true;
}

int sj_timer_due(sj_txn_t *t, int64_t now, sj_timer_t *out, size_t max,
                 size_t *n)
{
    size_t count = 0;
    sj_timer_t tm;
    store__iter_t it;
    store__foreach(&it, t, DB_TIMERS, NULL) {
        if (!decode(&it, &tm) || tm.due > now || count == max)
            break;
        out[count++] = tm;
    }
    *n = count;
    return store__iter_end(&it);
}

int sj_timer_next(sj_txn_t *t, int64_t *due)
{
    sj_timer_t tm;
    *due = INT64_MAX;
    store__iter_t it;
    store__foreach(&it, t, DB_TIMERS, NULL) {
        if (decode(&it, &tm))
            *due = tm.due;
        break;
    }
    return store__iter_end(&it);
}
