/* Token buckets per member (rate.h), in an open-addressing table keyed by
 * member id that doubles when half full. Members are registered by the
 * committee, so the table is bounded by the membership. */
#include "rate.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sj_error.h"

#define BURST_S 3.0 /* a bucket holds this many seconds of its rate */

typedef struct {
    uint64_t member; /* 0: free slot */
    double tokens;
    int64_t at; /* when tokens was computed */
} bucket_t;

struct sj_rate {
    const sj_config_t *cfg;
    pthread_mutex_t lock;
    bucket_t *slots;
    size_t cap, used;
    uint64_t refused;
};

int sj_rate_new(const sj_config_t *cfg, sj_rate_t **out)
{
    sj_rate_t *r = calloc(1, sizeof *r);
    if (!r)
        return SJ_ENOMEM;
    r->cfg = cfg;
    r->cap = 256;
    r->slots = calloc(r->cap, sizeof *r->slots);
    if (!r->slots || pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r->slots);
        free(r);
        return SJ_ENOMEM;
    }
    *out = r;
    return SJ_OK;
}

void sj_rate_destroy(sj_rate_t **self)
{
    sj_rate_t *r = self ? *self : NULL;
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r->slots);
    free(r);
    *self = NULL;
}

static size_t slot_of(const bucket_t *slots, size_t cap, uint64_t member)
{
    size_t i = (size_t)(member * 0x9E3779B97F4A7C15ULL) & (cap - 1);
    while (slots[i].member && slots[i].member != member)
        i = (i + 1) & (cap - 1);
    return i;
}

/* Double the table; false when out of memory (the table is unchanged). */
static bool grow(sj_rate_t *r)
{
    size_t cap = r->cap * 2;
    bucket_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < r->cap; i++)
        if (r->slots[i].member)
            slots[slot_of(slots, cap, r->slots[i].member)] = r->slots[i];
    free(r->slots);
    r->slots = slots;
    r->cap = cap;
    return true;
}

int sj_rate_take(sj_rate_t *r, uint64_t member, int role, int64_t now,
                 uint32_t *retry_after_ms)
{
    unsigned rate =
        role >= 0 && role < (int)(sizeof r->cfg->rate / sizeof r->cfg->rate[0])
            ? r->cfg->rate[role]
            : 0;
    *retry_after_ms = 0;
    if (rate == 0 || member == 0)
        return SJ_OK;
    double cap = rate * BURST_S;
    int rc = SJ_OK;
    pthread_mutex_lock(&r->lock);
    if (2 * (r->used + 1) > r->cap && !grow(r)) {
        pthread_mutex_unlock(&r->lock);
        return SJ_OK;
    }
    bucket_t *b = &r->slots[slot_of(r->slots, r->cap, member)];
    if (!b->member) {
        *b = (bucket_t){.member = member, .tokens = cap, .at = now};
        r->used++;
    }
    if (now > b->at) {
        b->tokens += (double)(now - b->at) * rate / 1000.0;
        if (b->tokens > cap)
            b->tokens = cap;
        b->at = now;
    }
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else {
        rc = SJ_EBUSY;
        r->refused++;
        *retry_after_ms = (uint32_t)((1.0 - b->tokens) * 1000.0 / rate) + 1;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

uint64_t sj_rate_refused(sj_rate_t *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t n = r->refused;
    pthread_mutex_unlock(&r->lock);
    return n;
}
