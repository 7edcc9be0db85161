/* The direct-mapped page cache of cache.h. */
#include "cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    uint64_t gen;
    web_entry_t e;
} slot_t;

struct web_cache {
    slot_t *slots;
    size_t n;
};

static uint64_t fnv(const void *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= ((const unsigned char *)p)[i];
        h *= 1099511628211ull;
    }
    return h;
}

void web_etag(const char *body, size_t len, char out[24])
{
    snprintf(out, 24, "\"%016" PRIx64 "\"", fnv(body, len));
}

web_cache_t *web_cache_new(size_t slots)
{
    web_cache_t *c = calloc(1, sizeof *c);
    if (!c || !(c->slots = calloc(slots, sizeof *c->slots))) {
        free(c);
        return NULL;
    }
    c->n = slots;
    return c;
}

static void clear(slot_t *s)
{
    free(s->key);
    web_reply_free(&s->e.reply);
    memset(s, 0, sizeof *s);
}

void web_cache_destroy(web_cache_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; i < (*self)->n; i++)
        clear(&(*self)->slots[i]);
    free((*self)->slots);
    free(*self);
    *self = NULL;
}

static slot_t *slot_of(web_cache_t *c, const char *key)
{
    return &c->slots[fnv(key, strlen(key)) % c->n];
}

const web_entry_t *web_cache_get(web_cache_t *c, const char *key,
                                 uint64_t fresh_since)
{
    slot_t *s = slot_of(c, key);
    if (!s->key || s->gen < fresh_since || strcmp(s->key, key) != 0)
        return NULL;
    return &s->e;
}

const web_entry_t *web_cache_put(web_cache_t *c, const char *key, uint64_t gen,
                                 web_reply_t *r)
{
    slot_t *s = slot_of(c, key);
    char *k = strdup(key);
    if (!k)
        return NULL;
    clear(s);
    s->key = k;
    s->gen = gen;
    s->e.reply = *r;
    memset(r, 0, sizeof *r);
    web_etag(s->e.reply.body, s->e.reply.len, s->e.etag);
    return &s->e;
}
