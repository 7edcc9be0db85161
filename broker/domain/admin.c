/* Operator requests: statistics about the store and the group commit; hot
 * backups and whole-store verification (checked here, run by the server
 * after the commit as background jobs, answered when they complete). */
#include "dispatch.h"
#include "placard_cache.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x

int sj_h_admin_stats(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    sj_store_stats_t st;
    int err = sj_txn_stats(c->txn, &st);
    if (err)
        return sj_call_store_fail(c, err, "store statistics");
    Shangju__Stats *s = sj_call_alloc(c, sizeof *s);
    if (!s)
        return sj_call_store_fail(c, SJ_ENOMEM, "stats");
    shangju__stats__init(s);
    s->version = (char *)SJ_VERSION;
    s->members = st.members;
    s->wishes = st.wishes;
    s->events = st.events;
    s->dedup_entries = st.dedup;
    s->last_seq = st.last_seq;
    s->map_size = st.map_size;
    s->map_used = st.used_bytes;
    const sj_broker_stats_t *b = c->stats;
    if (b) {
        s->started_at = b->started_at;
        s->batches = b->batches;
        s->requests = b->requests;
        s->max_batch = b->max_batch;
        s->retries_answered = b->retries_answered;
        s->mean_batch = b->batches ? (double)b->requests / b->batches : 0;
        s->commit_ms_mean = b->batches ? b->commit_ms_total / b->batches : 0;
        s->commit_ms_max = b->commit_ms_max;
        s->map_max = b->map_max;
        s->reads_offloaded = b->reads_offloaded;
        s->rate_limited = b->rate_limited;
    }
    if (c->placards)
        s->placard_cache_hits = sj_placard_cache_hits(c->placards);
    c->reply.body_case = SHANGJU__REPLY__BODY_STATS;
    c->reply.stats = s;
    return 0;
}

/* A backup name is one path component of safe characters. */
static bool name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > 64 || n[0] == '.')
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

int sj_h_admin_backup(sj_call_t *c, const Shangju__Request *req)
{
    const char *name = req->admin_backup->name;
    if (!name_ok(name))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                            "backup name must be 1-64 characters of "
                            "A-Z a-z 0-9 . _ - and not start with a dot");
    char path[4096];
    int n =
        snprintf(path, sizeof path, "%s/backups/%s", c->cfg->data_dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_TOO_LONG,
                            "path too long");
    struct stat sb;
    if (stat(path, &sb) == 0)
        return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_BACKUP_EXISTS,
                            "backup %s already exists", name);
    Shangju__Backup *b = sj_call_alloc(c, sizeof *b);
    if (!b)
        return sj_call_store_fail(c, SJ_ENOMEM, "backup");
    shangju__backup__init(b);
    b->path = sj_call_strdup(c, path);
    if (!b->path)
        return sj_call_store_fail(c, SJ_ENOMEM, "backup");
    c->job.kind = SJ_JOB_BACKUP;
    snprintf(c->job.arg, sizeof c->job.arg, "%s", name);
    c->reply.body_case = SHANGJU__REPLY__BODY_BACKUP;
    c->reply.backup = b;
    return 0;
}

int sj_h_admin_verify(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    c->job.kind = SJ_JOB_VERIFY; /* the reply comes from the job */
    return 0;
}
