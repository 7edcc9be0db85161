/* Paged range scans shared by every list: walk an index whose keys end in a
 * record id (or the record table itself), load each record, keep those that
 * match, and stop at the page limit or the scan budget with a cursor. */
#include "page.h"

#include <stdlib.h>
#include <string.h>

struct page_ctx {
    sj_txn_t *t;
    const store__page_q *q;
    ProtobufCMessage **items;
    size_t n;
    size_t examined;
    uint64_t last_seen; /* last id examined */
    uint64_t last_kept; /* last id put in the page */
    uint64_t next;
};

static int load(struct page_ctx *c, uint64_t id, const MDB_val *val,
                ProtobufCMessage **rec)
{
    const store__page_q *q = c->q;
    if (q->index_db == q->record_db) {
        *rec = protobuf_c_message_unpack(q->desc, NULL, val->mv_size,
                                         val->mv_data);
        return *rec ? SJ_OK : SJ_EIO;
    }
    uint8_t k[8];
    store__be64(k, id);
    return store__get_msg(c->t, q->record_db, k, 8, q->desc, rec);
}

static int visit(void *vctx, const MDB_val *key, const MDB_val *val)
{
    struct page_ctx *c = vctx;
    const store__page_q *q = c->q;
    if (key->mv_size != q->plen + 8)
        return 0; /* another group whose name extends our prefix */
    if (c->examined == STORE_SCAN_BUDGET) {
        c->next = c->last_seen; /* budget spent: resume after last seen */
        return 1;
    }
    c->examined++;
    uint64_t id = store__get_be64((const uint8_t *)key->mv_data + q->plen);
    ProtobufCMessage *rec = NULL;
    int err = load(c, id, val, &rec);
    if (err == SJ_ENOTFOUND)
        return 0;
    if (err)
        return err;
    c->last_seen = id;
    if (q->keep && !q->keep(rec, q->keep_ctx)) {
        protobuf_c_message_free_unpacked(rec, NULL);
        return 0;
    }
    if (c->n == q->limit) { /* a match beyond the page: there is more */
        protobuf_c_message_free_unpacked(rec, NULL);
        c->next = c->last_kept;
        return 1;
    }
    c->items[c->n++] = rec;
    c->last_kept = id;
    return 0;
}

int store__page(sj_txn_t *t, const store__page_q *q, ProtobufCMessage ***items,
                size_t *n, uint64_t *next)
{
    size_t limit = q->limit;
    if (limit == 0 || limit > STORE_MAX_PAGE)
        return SJ_EINVAL;
    struct page_ctx c = {.t = t, .q = q};
    c.items = calloc(limit, sizeof *c.items);
    if (!c.items)
        return SJ_ENOMEM;
    uint8_t start[256 + 8];
    if (q->plen > 256 || q->after == UINT64_MAX) {
        free(c.items);
        return SJ_EINVAL;
    }
    memcpy(start, q->prefix, q->plen);
    store__be64(start + q->plen, q->after + 1);
    int err = store__scan(t, q->index_db, q->prefix, q->plen, start,
                          q->plen + 8, visit, &c);
    if (err) {
        store__page_free(c.items, c.n);
        return err;
    }
    *items = c.items;
    *n = c.n;
    *next = c.next;
    return SJ_OK;
}

void store__page_free(ProtobufCMessage **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(items[i], NULL);
    free(items);
}
