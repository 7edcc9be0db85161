/* Rendered placards kept by what they show (issue 13): a placard depends
 * only on its listing's printed fields, the link and the format, so the
 * cache is keyed by a hash of exactly those; a listing update changes the
 * key and the old image ages out. Least recently used entries go first
 * past a byte cap. Thread-safe: the reader threads share one cache. */
#ifndef SJ_PLACARD_CACHE_H
#define SJ_PLACARD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "call.h" /* sj_placard_cache_t */

#define SJ_PLACARD_KEY 32

/* A cache holding up to max_bytes of images. 0 or SJ_ENOMEM. */
int sj_placard_cache_new(size_t max_bytes, sj_placard_cache_t **out);

/* Free *self and set it to NULL; safe on NULL. */
void sj_placard_cache_destroy(sj_placard_cache_t **self);

/* On a hit, a malloc'd copy of the image in *data (the caller frees) and
 * 0; SJ_ENOTFOUND on a miss; SJ_ENOMEM. */
int sj_placard_cache_get(sj_placard_cache_t *pc,
                         const uint8_t key[SJ_PLACARD_KEY], uint8_t **data,
                         size_t *len);

/* Keep a copy of data under key (best effort: nothing happens when out of
 * memory or when the image alone exceeds the cap). */
void sj_placard_cache_put(sj_placard_cache_t *pc,
                          const uint8_t key[SJ_PLACARD_KEY],
                          const uint8_t *data, size_t len);

/* Hits since start. */
uint64_t sj_placard_cache_hits(sj_placard_cache_t *pc);

#endif
