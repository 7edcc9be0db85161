/* The page cache: a fixed number of slots, direct-mapped by a hash of the
 * key (language, path, page cursor), each holding one finished reply with
 * its ETag and the broker generation it was built in. A lookup names the
 * oldest generation still fresh for that page (web_upstream_fresh_since):
 * an entry built before it is a miss, so an event drops the pages it can
 * change without walking the table. Single-threaded. */
#ifndef SJ_WEB_CACHE_H
#define SJ_WEB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "routes.h"

typedef struct {
    web_reply_t reply;
    char etag[24]; /* "\"<16 hex>\"" */
} web_entry_t;

typedef struct web_cache web_cache_t;

web_cache_t *web_cache_new(size_t slots);
void web_cache_destroy(web_cache_t **self);

/* The entry for key built in generation fresh_since or later, or NULL.
 * Valid until the next web_cache_put. */
const web_entry_t *web_cache_get(web_cache_t *c, const char *key,
                                 uint64_t fresh_since);

/* Store r (the cache takes its body; *r is emptied) under key and gen,
 * replacing what the slot held. Returns the stored entry, or NULL when out
 * of memory (r is then left to the caller). */
const web_entry_t *web_cache_put(web_cache_t *c, const char *key, uint64_t gen,
                                 web_reply_t *r);

/* The ETag of a body: a quoted 64-bit FNV-1a hash. */
void web_etag(const char *body, size_t len, char out[24]);

#endif
