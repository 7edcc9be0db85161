/* The placard cache of placard_cache.h: a doubly linked list in recency
 * order, searched linearly (a community has hundreds of merchants, and a
 * lookup is tiny next to rendering a placard). */
#include "placard_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *prev, *next;
    uint8_t key[SJ_PLACARD_KEY];
    uint8_t *data;
    size_t len;
} entry_t;

struct sj_placard_cache {
    pthread_mutex_t lock;
    entry_t *head, *tail; /* head: most recently used */
    size_t bytes, max_bytes;
    uint64_t hits;
};

int sj_placard_cache_new(size_t max_bytes, sj_placard_cache_t **out)
{
    sj_placard_cache_t *pc = calloc(1, sizeof *pc);
    if (!pc || pthread_mutex_init(&pc->lock, NULL) != 0) {
        free(pc);
        return SJ_ENOMEM;
    }
    pc->max_bytes = max_bytes;
    *out = pc;
    return SJ_OK;
}

static void unlink_entry(sj_placard_cache_t *pc, entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        pc->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        pc->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(sj_placard_cache_t *pc, entry_t *e)
{
    e->next = pc->head;
    if (pc->head)
        pc->head->prev = e;
    pc->head = e;
    if (!pc->tail)
        pc->tail = e;
}

void sj_placard_cache_destroy(sj_placard_cache_t **self)
{
    sj_placard_cache_t *pc = self ? *self : NULL;
    if (!pc)
        return;
    for (entry_t *e = pc->head, *next; e; e = next) {
        next = e->next;
        free(e->data);
        free(e);
    }
    pthread_mutex_destroy(&pc->lock);
    free(pc);
    *self = NULL;
}

static entry_t *find(sj_placard_cache_t *pc, const uint8_t *key)
{
    for (entry_t *e = pc->head; e; e = e->next)
        if (memcmp(e->key, key, SJ_PLACARD_KEY) == 0)
            return e;
    return NULL;
}

int sj_placard_cache_get(sj_placard_cache_t *pc,
                         const uint8_t key[SJ_PLACARD_KEY], uint8_t **data,
                         size_t *len)
{
    int rc = SJ_ENOTFOUND;
    pthread_mutex_lock(&pc->lock);
    entry_t *e = find(pc, key);
    if (e) {
        unlink_entry(pc, e);
        push_front(pc, e);
        *data = malloc(e->len);
        rc = *data ? SJ_OK : SJ_ENOMEM;
        if (*data) {
            memcpy(*data, e->data, e->len);
            *len = e->len;
            pc->hits++;
        }
    }
    pthread_mutex_unlock(&pc->lock);
    return rc;
}

void sj_placard_cache_put(sj_placard_cache_t *pc,
                          const uint8_t key[SJ_PLACARD_KEY],
                          const uint8_t *data, size_t len)
{
    if (len > pc->max_bytes)
        return;
    entry_t *e = calloc(1, sizeof *e);
    uint8_t *copy = malloc(len ? len : 1);
    if (!e || !copy) {
        free(e);
        free(copy);
        return;
    }
    memcpy(e->key, key, SJ_PLACARD_KEY);
    memcpy(copy, data, len);
    e->data = copy;
    e->len = len;
    pthread_mutex_lock(&pc->lock);
    entry_t *old = find(pc, key); /* two readers rendered the same */
    if (old) {
        unlink_entry(pc, old);
        pc->bytes -= old->len;
        free(old->data);
        free(old);
    }
    push_front(pc, e);
    pc->bytes += len;
    while (pc->bytes > pc->max_bytes && pc->tail) {
        entry_t *t = pc->tail;
        unlink_entry(pc, t);
        pc->bytes -= t->len;
        free(t->data);
        free(t);
    }
    pthread_mutex_unlock(&pc->lock);
}

uint64_t sj_placard_cache_hits(sj_placard_cache_t *pc)
{
    pthread_mutex_lock(&pc->lock);
    uint64_t n = pc->hits;
    pthread_mutex_unlock(&pc->lock);
    return n;
}
