/* Background jobs: backup and verify; see jobs.h. */
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "log.h"

#define MAX_PROBLEMS 100 /* lines in a verify reply; the count is exact */

/* Keys a restored broker needs to keep its identity: clients trust
 * server.pub, notices were signed with notice.key; monitor.key keeps a
 * container's health check working after a restore. */
static const char *const key_files[] = {"server.key",    "server.pub",
                                        "committee.key", "monitor.key",
                                        "notice.key",    "notice.pub"};
#define N_KEY_FILES (sizeof key_files / sizeof key_files[0])

struct sj_job {
    sj_job_kind_t kind;
    sj_store_t *store;
    uint64_t request_id;
    char data_dir[3072];
    uint8_t notice_pub[32]; /* verify: the key anchors must be signed with */
    bool has_notice_pub;
    char partial[4096], final[4096];
    pthread_t thread;
    int efd;
    uint8_t *reply;
    size_t reply_len;
    /* verify: the first problems found */
    char *problems[MAX_PROBLEMS];
    size_t n_problems;
};

/* Copy one key file if it exists. Mode 0600 whatever the original's: a
 * backup is read only by the broker's user (public halves included, so
 * the directory never needs a mixed listing). */
static int copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char src[4096], dst[4200], buf[8192];
    int ns = snprintf(src, sizeof src, "%s/%s", from_dir, name);
    int nd = snprintf(dst, sizeof dst, "%s/%s", to_dir, name);
    if (ns < 0 || (size_t)ns >= sizeof src || nd < 0 ||
        (size_t)nd >= sizeof dst)
        return SJ_EINVAL;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errno == ENOENT ? SJ_OK : SJ_EIO;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600),
        rc = SJ_EIO;
    if (out >= 0) {
        ssize_t n;
        rc = SJ_OK;
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                rc = SJ_EIO;
        if (n < 0 || fsync(out) != 0)
            rc = SJ_EIO;
        close(out);
    }
    close(in);
    return rc;
}

static void set_reply(sj_job_t *j, Shangju__Reply *r)
{
    r->request_id = j->request_id;
    j->reply = sj_codec_encode(&r->base, &j->reply_len);
}

static void run_backup(sj_job_t *j, int64_t t0)
{
    Shangju__Backup b = SHANGJU__BACKUP__INIT;
    int err = sj_store_backup(j->store, j->partial, &b.bytes);
    /* LMDB creates the copy with 0666 & ~umask; it holds every contact and
     * hand-over code, so only the broker's user may read it. */
    char f[4200];
    snprintf(f, sizeof f, "%s/data.mdb", j->partial);
    if (err == 0 && chmod(f, 0600) != 0)
        err = SJ_EIO;
    for (size_t i = 0; err == 0 && i < N_KEY_FILES; i++)
        err = copy_file(j->data_dir, j->partial, key_files[i]);
    if (err == 0 && rename(j->partial, j->final) != 0)
        err = SJ_EIO;
    b.path = j->final;
    b.took_ms = sj_now_ms() - t0;
    sj_log(err ? SJ_LOG_ERROR : SJ_LOG_INFO,
           "event=backup_done path=%s bytes=%llu ms=%lld err=\"%s\"", j->final,
           (unsigned long long)b.bytes, (long long)b.took_ms, sj_strerror(err));
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    if (err) {
        r.status = SHANGJU__STATUS__STATUS_INTERNAL;
        r.reason = (char *)sj_reason_code(SJ_R_BROKER_INTERNAL);
        r.message = (char *)"the backup failed; see the broker log";
    } else {
        r.body_case = SHANGJU__REPLY__BODY_BACKUP;
        r.backup = &b;
    }
    set_reply(j, &r);
}

static void note_problem(void *ud, const char *problem)
{
    sj_job_t *j = ud;
    sj_log(SJ_LOG_WARN, "event=verify_problem msg=\"%s\"", problem);
    if (j->n_problems < MAX_PROBLEMS) {
        char *p = strdup(problem);
        if (p)
            j->problems[j->n_problems++] = p;
    }
}

static void run_verify(sj_job_t *j, int64_t t0)
{
    sj_txn_t *txn = NULL;
    sj_verify_t v = {.anchor_key = j->has_notice_pub ? j->notice_pub : NULL};
    int err = sj_txn_begin(j->store, false, &txn);
    if (!err)
        err = sj_store_verify(txn, note_problem, j, &v);
    sj_txn_abort(&txn);
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    Shangju__VerifyReport rep = SHANGJU__VERIFY_REPORT__INIT;
    if (err) {
        r.status = SHANGJU__STATUS__STATUS_INTERNAL;
        r.reason = (char *)sj_reason_code(SJ_R_BROKER_INTERNAL);
        r.message = (char *)"the store could not be read; see the broker log";
    } else {
        rep.ok = v.problems == 0;
        rep.problem_count = v.problems;
        rep.problems = j->problems;
        rep.n_problems = j->n_problems;
        rep.members = v.members;
        rep.wishes = v.wishes;
        rep.events = v.events;
        rep.listings = v.listings;
        rep.compacts = v.compacts;
        rep.ledger_entries = v.ledger_entries;
        rep.took_ms = sj_now_ms() - t0;
        r.body_case = SHANGJU__REPLY__BODY_VERIFY;
        r.verify = &rep;
        sj_log(SJ_LOG_INFO, "event=verify_done problems=%llu ms=%lld",
               (unsigned long long)v.problems, (long long)rep.took_ms);
    }
    set_reply(j, &r);
}

static void *run(void *arg)
{
    sj_job_t *j = arg;
    int64_t t0 = sj_now_ms();
    if (j->kind == SJ_JOB_BACKUP)
        run_backup(j, t0);
    else
        run_verify(j, t0);
    uint64_t one = 1;
    if (write(j->efd, &one, sizeof one) != sizeof one)
        sj_log(SJ_LOG_ERROR, "event=job_signal_failed");
    return NULL;
}

/* Make data_dir/backups/name.partial, clearing what a broker that died
 * mid-copy left there. */
static int prepare_backup(sj_job_t *j, const char *name)
{
    char parent[3200], f[4200]; /* data_dir is at most 3071 bytes */
    snprintf(parent, sizeof parent, "%s/backups", j->data_dir);
    snprintf(j->final, sizeof j->final, "%s/%s", parent, name);
    snprintf(j->partial, sizeof j->partial, "%s/%s.partial", parent, name);
    if (mkdir(parent, 0700) != 0 && errno != EEXIST)
        return SJ_EIO;
    if (chmod(parent, 0700) != 0) /* made by an older, laxer broker */
        return SJ_EIO;
    if (access(j->final, F_OK) == 0)
        return SJ_EEXIST;
    if (access(j->partial, F_OK) == 0) {
        snprintf(f, sizeof f, "%s/data.mdb", j->partial);
        unlink(f);
        for (size_t i = 0; i < N_KEY_FILES; i++) {
            snprintf(f, sizeof f, "%s/%s", j->partial, key_files[i]);
            unlink(f);
        }
        rmdir(j->partial);
    }
    return mkdir(j->partial, 0700) == 0 ? SJ_OK : SJ_EIO;
}

int sj_job_start(sj_job_kind_t kind, sj_store_t *store, const char *data_dir,
                 const char *arg, const uint8_t *notice_pub,
                 uint64_t request_id, sj_job_t **out)
{
    sj_job_t *j = calloc(1, sizeof *j);
    if (!j)
        return SJ_ENOMEM;
    if (notice_pub) {
        memcpy(j->notice_pub, notice_pub, sizeof j->notice_pub);
        j->has_notice_pub = true;
    }
    j->kind = kind;
    j->store = store;
    j->request_id = request_id;
    j->efd = -1;
    snprintf(j->data_dir, sizeof j->data_dir, "%s", data_dir);
    int err = kind == SJ_JOB_BACKUP ? prepare_backup(j, arg) : SJ_OK;
    if (!err && (j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        err = SJ_EIO;
    /* The job thread must not take the loop's stop signals. */
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stops, &old);
    if (!err && pthread_create(&j->thread, NULL, run, j) != 0)
        err = SJ_EIO;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        if (j->efd >= 0)
            close(j->efd);
        free(j);
        return err;
    }
    *out = j;
    return SJ_OK;
}

int sj_job_fd(const sj_job_t *j)
{
    return j->efd;
}

void sj_job_finish(sj_job_t **self, uint8_t **reply, size_t *len)
{
    sj_job_t *j = *self;
    *self = NULL;
    pthread_join(j->thread, NULL);
    *reply = j->reply;
    *len = j->reply_len;
    for (size_t i = 0; i < j->n_problems; i++)
        free(j->problems[i]);
    close(j->efd);
    free(j);
}
