/* Paged range scans shared by every list: walk an index whose keys end in a
 * record id (or the record table itself), load each record, keep those that
 * match, and stop at the page limit or the scan budget with a cursor. */
#include "page.h"

#include "sj_limits.h"

#include <stdlib.h>
#include <string.h>

/* The record of the current entry: decoded from the walk itself when it
 * walks the record table, else fetched by id. NULL with no error when an
 * index entry has no record (skipped); NULL with the error stuck to the
 * walk when it cannot be read. */
static ProtobufCMessage *load(store__iter_t *it, const store__page_q *q,
                              uint64_t id)
{
    if (q->index_db == q->record_db)
        return store__iter_msg(it, q->desc);
    store__key_t k;
    store__key_id(&k, id);
    ProtobufCMessage *rec = NULL;
    int err = store__get_msg(it->t, q->record_db, &k, q->desc, &rec);
    if (err && err != SJ_ENOTFOUND)
        store__iter_fail(it, err, NULL);
    return err ? NULL : rec;
}

int store__page(sj_txn_t *t, const store__page_q *q, ProtobufCMessage ***items,
                size_t *n, uint64_t *next)
{
    size_t limit = q->limit, plen = q->prefix ? q->prefix->len : 0;
    if (limit == 0 || limit > STORE_MAX_PAGE || q->after == UINT64_MAX)
        return SJ_EINVAL;
    ProtobufCMessage **recs = calloc(limit, sizeof *recs);
    if (!recs)
        return SJ_ENOMEM;
    /* Ascending from the first id above after; descending from the last
     * id below before (no bound: below UINT64_MAX, never an id). */
    store__key_t start;
    store__key_init(&start);
    if (q->prefix)
        start = *q->prefix;
    if (q->descending)
        store__key_u64(&start, q->before ? q->before : UINT64_MAX);
    else
        store__key_u64(&start, q->after + 1);

    size_t count = 0, examined = 0, bytes = 0;
    uint64_t last_seen = 0, last_kept = 0, cursor = 0;
    store__iter_t it;
    store__iter_begin(&it, t, q->index_db, q->prefix, &start);
    it.backward = q->descending;
    while (store__iter_next(&it)) {
        if (it.key.len != plen + 8)
            continue; /* another group whose name extends our prefix */
        uint64_t id = store__get_be64(it.key.data + plen);
        if (q->descending ? id <= q->after : (q->before && id >= q->before))
            break; /* past the other end of (after, before) */
        if (examined == STORE_SCAN_BUDGET) {
            cursor = last_seen; /* budget spent: resume beyond last seen */
            break;
        }
        examined++;
        ProtobufCMessage *rec = load(&it, q, id);
        if (!rec)
            continue; /* an error ends the loop at the next step */
        last_seen = id;
        if (q->keep && !q->keep(rec, q->keep_ctx)) {
            protobuf_c_message_free_unpacked(rec, NULL);
            continue;
        }
        size_t size = protobuf_c_message_get_packed_size(rec);
        /* A match beyond the page (by count or bytes): there is more. */
        if (count == limit || (count > 0 && bytes + size > SJ_MAX_PAGE_BYTES)) {
            protobuf_c_message_free_unpacked(rec, NULL);
            cursor = last_kept;
            break;
        }
        bytes += size;
        recs[count++] = rec;
        last_kept = id;
    }
    int err = store__iter_end(&it);
    if (err) {
        store__page_free(recs, count);
        return err;
    }
    *items = recs;
    *n = count;
    *next = cursor;
    return SJ_OK;
}

void store__page_free(ProtobufCMessage **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(items[i], NULL);
    free(items);
}
