/* Operator requests: statistics about the store and the group commit; hot
 * backups and whole-store verification (checked here, run by the server
 * after the commit as background jobs, answered when they complete). */
#include "dispatch.h"
#include "placard_cache.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"
#include "sj_zone.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x

/* The newest backup in DATA/backups (by its directory's mtime), whoever
 * made it: a restart does not forget it. 0 when there is none. */
static int64_t last_backup_ms(const char *data_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/backups", data_dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int64_t last = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat sb;
        if (e->d_name[0] == '.' ||
            snprintf(path, sizeof path, "%s/backups/%s", data_dir, e->d_name) >=
                (int)sizeof path ||
            stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
            continue;
        int64_t ms =
            (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
        last = ms > last ? ms : last;
    }
    closedir(d);
    return last;
}

/* The non-zero request counters as RequestCount rows. */
static int request_counts(sj_call_t *c, const sj_broker_stats_t *b,
                          Shangju__Stats *s)
{
    size_t n = 0;
    for (int k = 0; k < SJ_STATS_KINDS; k++)
        for (int st = 0; st < SJ_STATS_STATUSES; st++)
            n += b->answered[k][st] != 0;
    if (n == 0)
        return 0;
    s->request_counts = sj_call_alloc(c, n * sizeof *s->request_counts);
    Shangju__RequestCount *rows = sj_call_alloc(c, n * sizeof *rows);
    if (!s->request_counts || !rows)
        return SJ_ENOMEM;
    for (int k = 0; k < SJ_STATS_KINDS; k++)
        for (int st = 0; st < SJ_STATS_STATUSES; st++) {
            if (!b->answered[k][st])
                continue;
            Shangju__RequestCount *r = &rows[s->n_request_counts];
            shangju__request_count__init(r);
            r->kind = (char *)sj_request_kind_name(k);
            r->status = (char *)sj_status_name(st);
            r->count = b->answered[k][st];
            s->request_counts[s->n_request_counts++] = r;
        }
    return 0;
}

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
        s->connections_refused = b->conns_refused;
        s->connections_silent_closed = b->conns_silent;
        s->auth_failures = b->auth_failures;
        s->connections = b->connections;
        if (request_counts(c, b, s) != 0)
            return sj_call_store_fail(c, SJ_ENOMEM, "stats");
    }
    if (c->placards)
        s->placard_cache_hits = sj_placard_cache_hits(c->placards);
    s->time_zone = (char *)sj_zone_name();
    s->last_backup_at = last_backup_ms(c->cfg->data_dir);
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
