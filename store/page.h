/* Paged range scans over an index (keys: prefix + record id) or over a
 * record table itself (keys: record id). Internal to store/. */
#ifndef SJ_STORE_PAGE_H
#define SJ_STORE_PAGE_H

#include "store_internal.h"

typedef bool (*store__keep_fn)(const ProtobufCMessage *rec, const void *ctx);

typedef struct {
    int index_db; /* keys: prefix + id(8); == record_db for a table */
    const store__key_t *prefix; /* NULL: the whole of index_db */
    int record_db;              /* id(8) -> record */
    const ProtobufCMessageDescriptor *desc;
    store__keep_fn keep; /* NULL keeps every record */
    const void *keep_ctx;
    uint64_t after;  /* ids > after: the cursor ascending */
    uint64_t before; /* ids < before, 0 = no bound: the cursor descending */
    bool descending; /* newest (highest id) first */
    size_t limit;    /* 1..STORE_MAX_PAGE */
} store__page_q;

/* Fill a malloc'd array with up to q->limit matching records, ascending id
 * (descending with q->descending). *next is the cursor for the following
 * page, the next after (ascending) or before (descending); 0 when the
 * range is done.
 * On error nothing is returned (errors other than SJ_EINVAL for a bad
 * limit or cursor are sticky on t). */
int store__page(sj_txn_t *t, const store__page_q *q, ProtobufCMessage ***items,
                size_t *n, uint64_t *next);

/* Free n records and the array. */
void store__page_free(ProtobufCMessage **items, size_t n);

#endif
