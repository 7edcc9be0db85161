/* Per-member rate limits (issue 13): a token bucket per member, refilled
 * at the rate of the member's role (sj_config_t.rate) and holding three
 * seconds' worth, so a person's bursts pass and a flood is refused with a
 * hint of when to try again. Shared by the writer loop and the reader
 * threads: every call takes the limiter's lock. */
#ifndef SJ_RATE_H
#define SJ_RATE_H

#include <stdint.h>

#include "config.h"

typedef struct sj_rate sj_rate_t;

/* A limiter for cfg's rates (cfg must outlive it). Returns 0 or
 * SJ_ENOMEM. */
int sj_rate_new(const sj_config_t *cfg, sj_rate_t **out);

/* Free *self and set it to NULL; safe on NULL. */
void sj_rate_destroy(sj_rate_t **self);

/* Take one request of member (role) at time now (ms). Returns 0 when it
 * may go ahead; SJ_EBUSY when the bucket is empty, with *retry_after_ms
 * the wait until a token is back. A role whose rate is 0 always passes.
 * Out of memory for a new member's bucket lets the request pass. */
int sj_rate_take(sj_rate_t *r, uint64_t member, int role, int64_t now,
                 uint32_t *retry_after_ms);

/* Requests refused since start. */
uint64_t sj_rate_refused(sj_rate_t *r);

#endif
