/* The event log: seq -> Event, appended in the same transaction as the
 * change it describes, so the log and the state never disagree and a
 * reconnecting client can replay exactly what it missed. */
#include "store_internal.h"

#include <stdlib.h>

int sj_event_append(sj_txn_t *t, Shangju__Event *ev)
{
    uint64_t seq;
    int err = sj_txn_next_id(t, SJ_COUNTER_EVENT, &seq);
    if (err)
        return err;
    ev->seq = seq;
    uint8_t k[8];
    store__be64(k, seq);
    return store__put_msg(t, DB_EVENTS, k, 8, &ev->base);
}

struct range_ctx {
    Shangju__Event **items;
    size_t n, limit;
};

static int visit(void *vctx, const MDB_val *key, const MDB_val *val)
{
    (void)key;
    struct range_ctx *c = vctx;
    if (c->n == c->limit)
        return 1;
    Shangju__Event *ev =
        shangju__event__unpack(NULL, val->mv_size, val->mv_data);
    if (!ev)
        return SJ_EIO;
    c->items[c->n++] = ev;
    return 0;
}

int sj_event_range(sj_txn_t *t, uint64_t from, size_t limit,
                   Shangju__Event ***items, size_t *n_items)
{
    if (limit == 0 || limit > STORE_MAX_PAGE)
        return SJ_EINVAL;
    struct range_ctx c = {.limit = limit};
    c.items = calloc(limit, sizeof *c.items);
    if (!c.items)
        return SJ_ENOMEM;
    uint8_t start[8];
    store__be64(start, from);
    int err = store__scan(t, DB_EVENTS, "", 0, start, 8, visit, &c);
    if (err) {
        sj_event_page_free(c.items, c.n);
        return err;
    }
    *items = c.items;
    *n_items = c.n;
    return SJ_OK;
}

void sj_event_page_free(Shangju__Event **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        shangju__event__free_unpacked(items[i], NULL);
    free(items);
}
