/* The compacts table (id -> Compact) and its state index, so "compacts in
 * state S" is a range scan. Records returned are unpacked copies owned by
 * the caller; nothing points into LMDB after a call returns. */
#ifndef SJ_STORE_COMPACTS_H
#define SJ_STORE_COMPACTS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Insert or replace compact cp (cp->id set by the caller, from
 * SJ_COUNTER_COMPACT); old is its previous version (NULL when new) so the
 * state index moves with it. Errors: SJ_EINVAL (id 0), SJ_EFULL, SJ_EIO,
 * or t's sticky error. */
int sj_compact_put(sj_txn_t *t, const Shangju__Compact *cp,
                   const Shangju__Compact *old);

/* Fetch compact id into *out (free with shangju__compact__free_unpacked).
 * SJ_ENOTFOUND when absent; SJ_EIO when the record does not decode. */
int sj_compact_get(sj_txn_t *t, uint64_t id, Shangju__Compact **out);

/* Page of compacts in state (0 = any) with id > after, ascending id, at
 * most limit (1..1000). items is a malloc'd array of *n_items records
 * (free with sj_compact_page_free); *next is the cursor for the next page,
 * 0 when there is no more. A page may be short while *next is non-zero
 * (the scan budget). */
int sj_compact_list(sj_txn_t *t, Shangju__CompactState state, uint64_t after,
                    size_t limit, Shangju__Compact ***items, size_t *n_items,
                    uint64_t *next);
void sj_compact_page_free(Shangju__Compact **items, size_t n);

#endif
