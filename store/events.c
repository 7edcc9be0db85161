/* The event log: seq -> Event, appended in the same transaction as the
 * change it describes, so the log and the state never disagree and a
 * reconnecting client can replay exactly what it missed. */
#include "store_internal.h"

#include "sj_limits.h"

#include <stdlib.h>

int sj_event_append(sj_txn_t *t, Shangju__Event *ev)
{
    uint64_t seq;
    int err = sj_txn_next_id(t, SJ_COUNTER_EVENT, &seq);
    if (err)
        return err;
    ev->seq = seq;
    store__key_t k;
    store__key_id(&k, seq);
    return store__put_msg(t, DB_EVENTS, &k, &ev->base);
}

int sj_event_range(sj_txn_t *t, uint64_t from, size_t limit,
                   Shangju__Event ***items, size_t *n_items)
{
    if (limit == 0 || limit > STORE_MAX_PAGE)
        return SJ_EINVAL;
    Shangju__Event **evs = calloc(limit, sizeof *evs);
    if (!evs)
        return SJ_ENOMEM;
    size_t n = 0, bytes = 0;
    store__key_t start;
    store__key_id(&start, from);
    store__iter_t it;
    store__foreach_from(&it, t, DB_EVENTS, NULL, &start) {
        /* Bounded in bytes too (SJ_MAX_PAGE_BYTES), so a run of large
         * events can always be replayed, a page at a time. */
        if (n == limit || (n > 0 && bytes + it.val.len > SJ_MAX_PAGE_BYTES))
            break;
        Shangju__Event *ev =
            (Shangju__Event *)store__iter_msg(&it, &shangju__event__descriptor);
        if (ev) {
            evs[n++] = ev;
            bytes += it.val.len;
        }
    }
    int err = store__iter_end(&it);
    if (err) {
        sj_event_page_free(evs, n);
        return err;
    }
    *items = evs;
    *n_items = n;
    return SJ_OK;
}

void sj_event_page_free(Shangju__Event **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        shangju__event__free_unpacked(items[i], NULL);
    free(items);
}
