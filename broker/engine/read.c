/* The reader pool of read.h: per-member FIFO lanes served in turn, worker
 * threads answering each request in a read transaction with the same
 * checks as the batch (caller by key, suspended members, rate limit,
 * sj_dispatch), and a done queue signalled through an eventfd. */
#include "read.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "codec.h"
#include "dispatch.h"
#include "log.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x

/* One member's waiting requests. */
typedef struct lane {
    struct lane *next; /* in the round */
    uint8_t key[32];
    sj_read_job_t *head, *tail;
    unsigned n;
} lane_t;

struct sj_readers {
    const sj_batch_env_t *env;
    sj_read_tag_free_fn *tag_free;
    pthread_mutex_t lock;
    pthread_cond_t work;
    lane_t *round, *round_tail; /* lanes with requests, served in turn */
    sj_read_job_t *done, *done_tail;
    int efd;
    bool stop;
    uint64_t answered;
    unsigned n_threads;
    pthread_t *threads;
};

void sj_read_job_free(sj_read_job_t *job)
{
    if (!job)
        return;
    if (job->req)
        shangju__request__free_unpacked(job->req, NULL);
    free(job->item.reply);
    free(job);
}

static lane_t *find_lane(sj_readers_t *r, const uint8_t *key)
{
    for (lane_t *l = r->round; l; l = l->next)
        if (memcmp(l->key, key, 32) == 0)
            return l;
    return NULL;
}

int sj_readers_submit(sj_readers_t *r, sj_read_job_t *job)
{
    int rc = SJ_OK;
    pthread_mutex_lock(&r->lock);
    lane_t *l = find_lane(r, job->item.client_key);
    if (l && l->n >= r->env->cfg->queue_per_member)
        rc = SJ_EBUSY;
    else if (!l && !(l = calloc(1, sizeof *l)))
        rc = SJ_ENOMEM;
    else {
        if (l->n == 0) { /* a new lane joins the round at its end */
            memcpy(l->key, job->item.client_key, 32);
            if (r->round_tail)
                r->round_tail->next = l;
            else
                r->round = l;
            r->round_tail = l;
        }
        job->next = NULL;
        if (l->tail)
            l->tail->next = job;
        else
            l->head = job;
        l->tail = job;
        l->n++;
        pthread_cond_signal(&r->work);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* The first request of the lane whose turn it is; the lane goes to the end
 * of the round, or leaves it when empty. Called with the lock held. */
static sj_read_job_t *next_job(sj_readers_t *r)
{
    lane_t *l = r->round;
    if (!l)
        return NULL;
    sj_read_job_t *job = l->head;
    l->head = job->next;
    if (!l->head)
        l->tail = NULL;
    l->n--;
    r->round = l->next;
    if (!r->round)
        r->round_tail = NULL;
    l->next = NULL;
    if (l->n == 0)
        free(l);
    else {
        if (r->round_tail)
            r->round_tail->next = l;
        else
            r->round = l;
        r->round_tail = l;
    }
    return job;
}

/* Answer one request in its own read transaction, as the batch would. */
static void answer(sj_readers_t *r, sj_read_job_t *job)
{
    const sj_batch_env_t *env = r->env;
    sj_batch_item_t *it = &job->item;
    const Shangju__Request *req = job->req;
    int64_t now = sj_now_ms();
    it->kind = (int)req->body_case;
    sj_txn_t *txn;
    int err = sj_txn_begin(env->store, false, &txn);
    if (err) {
        sj_batch_refuse(it, req->request_id, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                        "cannot read the store", 0);
        return;
    }
    Shangju__Member *caller = NULL;
    err = sj_member_by_key(txn, it->client_key, &caller);
    if (err) {
        sj_txn_abort(&txn);
        sj_batch_refuse(
            it, req->request_id,
            err == SJ_ENOTFOUND ? ST(UNAUTHENTICATED) : ST(INTERNAL),
            err == SJ_ENOTFOUND ? SJ_R_AUTH_UNKNOWN_KEY : SJ_R_BROKER_INTERNAL,
            err == SJ_ENOTFOUND ? "key not registered" : "cannot read members",
            0);
        return;
    }
    it->member_id = caller->id;
    if (caller->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE &&
        sj_batch_rate_refused(env, now, it, req, caller)) {
        sj_txn_abort(&txn);
        shangju__member__free_unpacked(caller, NULL);
        return;
    }
    sj_call_t c;
    sj_call_init(&c, txn, caller, now, env->cfg);
    c.stats = env->stats;
    c.signer = env->signer;
    c.placards = env->placards;
    sj_dispatch(&c, req);
    if (c.n_events)
        sj_log(SJ_LOG_ERROR, "event=read_emitted kind=%s events=%zu",
               sj_request_kind(req), c.n_events);
    it->reply = sj_codec_encode(&c.reply.base, &it->reply_len);
    it->status = (int)c.reply.status;
    sj_call_end(&c);
    sj_txn_abort(&txn);
    shangju__member__free_unpacked(caller, NULL);
    if (!it->reply)
        sj_batch_refuse(it, req->request_id, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                        "out of memory", 0);
}

/* Reads are the background next to the writer: on a busy machine the
 * writer loop (postings, their acknowledgements) gets the processors
 * first. Linux gives each thread its own nice value; the locks a worker
 * shares with the loop are held for a few instructions. */
#define READER_NICE 10

static void *worker(void *arg)
{
    sj_readers_t *r = arg;
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), READER_NICE) != 0)
        sj_log(SJ_LOG_DEBUG, "event=readers_nice_failed");
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->stop && !r->round)
            pthread_cond_wait(&r->work, &r->lock);
        if (r->stop)
            break;
        sj_read_job_t *job = next_job(r);
        pthread_mutex_unlock(&r->lock);
        answer(r, job);
        pthread_mutex_lock(&r->lock);
        job->next = NULL;
        if (r->done_tail)
            r->done_tail->next = job;
        else
            r->done = job;
        r->done_tail = job;
        r->answered++;
        uint64_t one = 1;
        if (write(r->efd, &one, sizeof one) < 0 && errno != EAGAIN)
            sj_log(SJ_LOG_ERROR, "event=readers_signal_failed");
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int sj_readers_new(const sj_batch_env_t *env, unsigned n,
                   sj_read_tag_free_fn *tag_free, sj_readers_t **out)
{
    if (n == 0)
        return SJ_EINVAL;
    sj_readers_t *r = calloc(1, sizeof *r);
    if (!r)
        return SJ_ENOMEM;
    r->env = env;
    r->tag_free = tag_free;
    r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    r->threads = calloc(n, sizeof *r->threads);
    if (r->efd < 0 || !r->threads || pthread_mutex_init(&r->lock, NULL) ||
        pthread_cond_init(&r->work, NULL)) {
        if (r->efd >= 0)
            close(r->efd);
        free(r->threads);
        free(r);
        return SJ_ENOMEM;
    }
    for (; r->n_threads < n; r->n_threads++)
        if (pthread_create(&r->threads[r->n_threads], NULL, worker, r) != 0)
            break;
    if (r->n_threads == 0) {
        sj_readers_destroy(&r);
        return SJ_EIO;
    }
    *out = r;
    return SJ_OK;
}

static void free_jobs(sj_readers_t *r, sj_read_job_t *job)
{
    while (job) {
        sj_read_job_t *next = job->next;
        if (r->tag_free && job->tag)
            r->tag_free(job->tag);
        sj_read_job_free(job);
        job = next;
    }
}

void sj_readers_destroy(sj_readers_t **self)
{
    sj_readers_t *r = self ? *self : NULL;
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->work);
    pthread_mutex_unlock(&r->lock);
    for (unsigned i = 0; i < r->n_threads; i++)
        pthread_join(r->threads[i], NULL);
    while (r->round) {
        lane_t *l = r->round;
        r->round = l->next;
        free_jobs(r, l->head);
        free(l);
    }
    free_jobs(r, r->done);
    close(r->efd);
    pthread_cond_destroy(&r->work);
    pthread_mutex_destroy(&r->lock);
    free(r->threads);
    free(r);
    *self = NULL;
}

int sj_readers_fd(const sj_readers_t *r)
{
    return r->efd;
}

sj_read_job_t *sj_readers_take(sj_readers_t *r)
{
    pthread_mutex_lock(&r->lock);
    sj_read_job_t *job = r->done;
    if (job) {
        r->done = job->next;
        if (!r->done)
            r->done_tail = NULL;
        job->next = NULL;
    } else {
        uint64_t v; /* drained: the fd reads idle until the next answer */
        if (read(r->efd, &v, sizeof v) < 0 && errno != EAGAIN)
            sj_log(SJ_LOG_ERROR, "event=readers_drain_failed");
    }
    pthread_mutex_unlock(&r->lock);
    return job;
}

uint64_t sj_readers_answered(sj_readers_t *r)
{
    pthread_mutex_lock(&r->lock);
    uint64_t n = r->answered;
    pthread_mutex_unlock(&r->lock);
    return n;
}
