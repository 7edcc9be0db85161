/* `shangju admin ...`: operator commands for the committee: statistics of
 * the store and the group commit, hot backups written by the broker, and
 * the store's consistency check. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "metrics.h"

#define BACKUP_TIMEOUT_MS (10 * 60 * 1000)

/* "1.5 MiB" for bytes. */
static void mib(char *buf, size_t cap, uint64_t bytes)
{
    snprintf(buf, cap, "%.1f MiB", (double)bytes / 1048576.0);
}

#define LABEL_COLS 26 /* display columns of the labels (the longest, 25) */

/* "label      value", the label padded by display width. */
#define row(label, ...) sj_cli_row(0, label, LABEL_COLS, __VA_ARGS__)

static void count_row(const char *label, uint64_t n)
{
    row(label, "%llu", (unsigned long long)n);
}

/* admin stats for people: sizes in MiB, means rounded, times with their
 * zone, requests by kind and status (the request kinds and status codes
 * as the Prometheus labels name them). */
static void stats_text(const Shangju__Stats *s)
{
    char a[48], b[48];
    sj_cli_time(s->started_at, a, sizeof a);
    row(_("broker"), _("%s (since %s)"), s->version, a);
    row(_("time zone"), "%s", *s->time_zone ? s->time_zone : "-");
    count_row(_("members"), s->members);
    count_row(_("wishes"), s->wishes);
    row(_("events"), _("%llu (last %llu)"), (unsigned long long)s->events,
        (unsigned long long)s->last_seq);
    count_row(_("retry replies kept"), s->dedup_entries);
    mib(a, sizeof a, s->map_used);
    mib(b, sizeof b, s->map_size);
    double pct =
        s->map_size ? 100.0 * (double)s->map_used / (double)s->map_size : 0.0;
    if (s->map_max > s->map_size) { /* the map grows by itself up to this */
        char c[32];
        mib(c, sizeof c, s->map_max);
        row(_("store"), _("%s of %s (%.0f%%), grows to %s"), a, b, pct, c);
    } else {
        row(_("store"), _("%s of %s (%.0f%%)"), a, b, pct);
    }
    row(_("group commits"),
        _("%llu, %.1f requests each on average, at most "
          "%llu"),
        (unsigned long long)s->batches, s->mean_batch,
        (unsigned long long)s->max_batch);
    row(_("commit time"), _("%.1f ms on average, at most %.0f ms"),
        s->commit_ms_mean, s->commit_ms_max);
    count_row(_("requests applied"), s->requests);
    count_row(_("reads by reader threads"), s->reads_offloaded);
    count_row(_("refused for rate"), s->rate_limited);
    count_row(_("placards from the cache"), s->placard_cache_hits);
    count_row(_("retries answered"), s->retries_answered);
    count_row(_("refused connections"), s->auth_failures);
    count_row(_("connections over the cap"), s->connections_refused);
    count_row(_("silent connections closed"), s->connections_silent_closed);
    count_row(_("open connections"), s->connections);
    sj_cli_time(s->last_backup_at, a, sizeof a);
    row(_("last backup"), "%s", s->last_backup_at ? a : _("none"));
    if (s->n_request_counts)
        printf("\n%s\n", _("requests by kind and status:"));
    for (size_t i = 0; i < s->n_request_counts; i++)
        printf("  %-24s %-20s %llu\n", s->request_counts[i]->kind,
               s->request_counts[i]->status,
               (unsigned long long)s->request_counts[i]->count);
}

/* Write text to path whole or not at all (a textfile collector may read
 * it at any moment): a temporary file beside it, then rename. */
static int write_atomically(const char *path, const char *text, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
        (int)sizeof tmp)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("%s: path too long"), path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s: %s", tmp, strerror(errno));
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s: %s", path, strerror(e));
    }
    return SJ_CLI_OK;
}

static int admin_stats(sj_cli_t *cli, int argc, char **argv)
{
    const char *format = "text", *out = NULL;
    const sj_cli_arg_t args[] = {
        {"format", SJ_CLI_LOCAL, &format, "F",
         SJ_HELP("text (default) or prometheus (the text exposition "
                 "format)")},
        {"output", SJ_CLI_LOCAL, &out, "FILE",
         SJ_HELP("write to FILE, replaced whole (for node_exporter's "
                 "textfile collector), instead of standard output"),
         .shrt = 'o'},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "admin stats", NULL,
        SJ_HELP("Counts (members, wishes, events, dedup entries), store size "
                "and map use, group-commit batch sizes and commit latency, "
                "refused and open connections, the newest backup, and the "
                "requests answered by kind and status since the broker "
                "started. Committee or monitor."),
        args);
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    bool prom = strcmp(format, "prometheus") == 0;
    if (!prom && strcmp(format, "text") != 0)
        return sj_cli_usage(spec.path,
                            _("--format must be text or prometheus"));
    Shangju__AdminStats st = SHANGJU__ADMIN_STATS__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_STATS;
    req.admin_stats = &st;
    if (cli->opts.json && !prom && !out)
        return sj_cli_run(cli, &req);
    Shangju__Reply *reply = NULL;
    if ((rc = sj_cli_call(cli, &req, &reply)) != SJ_CLI_OK)
        return rc;
    if (reply->body_case != SHANGJU__REPLY__BODY_STATS) {
        shangju__reply__free_unpacked(reply, NULL);
        return sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                             N_("the broker sent no statistics"));
    }
    if (prom) {
        size_t len;
        char *text = sj_metrics_render(reply->stats, &len);
        if (!text)
            rc = sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
        else if (out)
            rc = write_atomically(out, text, len);
        else if (fwrite(text, 1, len, stdout) != len || fflush(stdout))
            rc = SJ_CLI_ELOCAL;
        free(text);
    } else if (out) {
        rc = sj_cli_usage(spec.path,
                          _("--output goes with --format prometheus"));
    } else
        stats_text(reply->stats);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}

static int admin_backup(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "admin backup", "NAME",
        SJ_HELP("Have the broker write a hot, consistent, compacted copy of "
                "its store, with its key files, into DATA/backups/NAME on the "
                "broker's machine, while it keeps serving. The directory is a "
                "complete data directory: to restore, stop the broker and "
                "start it with --data on a copy of it.\n"
                "NAME: 1-{MAX_BACKUP_NAME} characters of A-Z a-z 0-9 . _ - (no "
                "leading dot).\n"
                "Waits up to 10 minutes (or --timeout) for the copy. Committee "
                "only."),
        NULL, 0};
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 1)
        return sj_cli_usage(spec.path, _("give one backup NAME"));
    if ((rc = sj_cli_text(spec.path, "NAME", argv[first], SJ_MAX_BACKUP_NAME,
                          true)))
        return rc;
    if (cli->opts.timeout_ms == 0) /* a copy takes longer than a request */
        cli->opts.timeout_ms = BACKUP_TIMEOUT_MS;
    Shangju__AdminBackup b = SHANGJU__ADMIN_BACKUP__INIT;
    b.name = argv[first];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_BACKUP;
    req.admin_backup = &b;
    return sj_cli_run(cli, &req);
}

static int admin_verify(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "admin verify", NULL,
        SJ_HELP("Check the whole store from a consistent snapshot while the "
                "broker keeps serving: every record decodes, indexes and "
                "records agree both ways, the event log has no gap, id "
                "counters are ahead of the ids in use. Prints the counts "
                "checked and each problem found (the first ones; the count is "
                "exact). Exit status 0 when the store is sound, 5 when "
                "problems were found. Committee only."),
        NULL, 0};
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    if (cli->opts.timeout_ms == 0) /* a large store takes a while */
        cli->opts.timeout_ms = BACKUP_TIMEOUT_MS;
    Shangju__AdminVerify v = SHANGJU__ADMIN_VERIFY__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_VERIFY;
    req.admin_verify = &v;
    Shangju__Reply *reply = NULL;
    rc = sj_cli_call(cli, &req, &reply);
    if (rc != SJ_CLI_OK)
        return rc;
    rc = sj_cli_print_reply(cli, reply);
    bool ok =
        reply->body_case == SHANGJU__REPLY__BODY_VERIFY && reply->verify->ok;
    shangju__reply__free_unpacked(reply, NULL);
    return rc != SJ_CLI_OK ? rc : ok ? SJ_CLI_OK : SJ_CLI_EVERIFY;
}

const sj_cli_cmd_t sj_cli_admin_cmds[] = {
    {"stats", admin_stats,
     SJ_HELP("statistics and metrics (committee, monitor)"), NULL},
    {"backup", admin_backup, SJ_HELP("hot, compacted backup of the store"),
     NULL},
    {"verify", admin_verify, SJ_HELP("check the store's consistency"), NULL},
    {NULL, NULL, NULL, NULL},
};
