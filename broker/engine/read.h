/* The reader pool (issue 13): requests that only read are answered by
 * worker threads, each on its own LMDB read transaction, so rendering,
 * reports and long scans never hold the writer loop. The loop decodes a
 * request, submits it here and later sends the reply the pool hands back;
 * no sockets here (the routing id is the caller's opaque tag).
 *
 * Fair shares: each member (CURVE key) has its own queue of at most
 * cfg->queue_per_member waiting requests, and the workers take from the
 * members in turn, so one member's burst delays only that member.
 *
 * Consistency: a read transaction begun after the request arrived sees
 * every commit acknowledged before it (a client that wrote first reads its
 * write), and never a batch the writer has not committed. */
#ifndef SJ_READ_H
#define SJ_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "batch.h"

typedef struct sj_readers sj_readers_t;

typedef struct sj_read_job {
    struct sj_read_job *next; /* internal */
    sj_batch_item_t item;     /* client_key in; reply, reply_len out */
    Shangju__Request *req;    /* decoded request (owned by the job) */
    void *tag;                /* the caller's: where the reply goes */
    int64_t taken_ms;         /* when the loop took it (access log) */
} sj_read_job_t;

/* Called for the tag of a job freed without being handed back (the pool
 * stopped first). */
typedef void sj_read_tag_free_fn(void *tag);

/* Start n worker threads answering against env (which must outlive the
 * pool). Returns 0, SJ_EINVAL (n is 0) or SJ_ENOMEM / SJ_EIO. */
int sj_readers_new(const sj_batch_env_t *env, unsigned n,
                   sj_read_tag_free_fn *tag_free, sj_readers_t **out);

/* Stop: requests still waiting are dropped (their clients retry), the
 * ones being answered finish, the threads are joined and every job not
 * handed back is freed. Sets *self to NULL; safe on NULL. */
void sj_readers_destroy(sj_readers_t **self);

/* Queue job (ownership taken on 0). SJ_EBUSY when its member already has
 * the most requests waiting; the job stays the caller's then. */
int sj_readers_submit(sj_readers_t *r, sj_read_job_t *job);

/* Readable (POLLIN) while answered jobs wait to be taken. */
int sj_readers_fd(const sj_readers_t *r);

/* The next answered job (the caller sends job->item.reply, then frees it
 * with sj_read_job_free), or NULL when none is ready. */
sj_read_job_t *sj_readers_take(sj_readers_t *r);

/* Requests answered since start. */
uint64_t sj_readers_answered(sj_readers_t *r);

/* Free a job: its request, its reply (not its tag). Safe on NULL. */
void sj_read_job_free(sj_read_job_t *job);

#endif
