/* Prometheus text exposition of the broker's statistics (metrics.h): one
 * HELP and TYPE line per family, label values escaped as the format asks
 * (backslash, quote, newline), times in seconds. */
#include "metrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A label value with \ " and newline escaped. */
static void label(FILE *f, const char *v)
{
    for (; v && *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static void family(FILE *f, const char *name, const char *type,
                   const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(FILE *f, const char *name, const char *type, const char *help,
                double v)
{
    family(f, name, type, help);
    fprintf(f, "%s %.17g\n", name, v);
}

char *sj_metrics_render(const Shangju__Stats *s, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    family(f, "shangju_info", "gauge",
           "The broker's version and the community's time zone.");
    fputs("shangju_info{version=\"", f);
    label(f, s->version);
    fputs("\",time_zone=\"", f);
    label(f, s->time_zone);
    fputs("\"} 1\n", f);
    one(f, "shangju_start_time_seconds", "gauge",
        "When the broker started (Unix time).", (double)s->started_at / 1e3);
    one(f, "shangju_members", "gauge", "Members in the store.",
        (double)s->members);
    one(f, "shangju_wishes", "gauge", "Wishes in the store.",
        (double)s->wishes);
    one(f, "shangju_events", "gauge", "Events in the log.", (double)s->events);
    one(f, "shangju_last_event_seq", "gauge", "The newest event's number.",
        (double)s->last_seq);
    one(f, "shangju_dedup_entries", "gauge",
        "Replies kept for retries (the dedup table).",
        (double)s->dedup_entries);
    one(f, "shangju_map_size_bytes", "gauge", "The LMDB map size.",
        (double)s->map_size);
    one(f, "shangju_map_used_bytes", "gauge", "Bytes of the map in use.",
        (double)s->map_used);
    one(f, "shangju_map_max_bytes", "gauge",
        "The size the map may grow to by itself (--map-max).",
        (double)s->map_max);
    one(f, "shangju_batches_total", "counter",
        "Group commits since the broker started.", (double)s->batches);
    one(f, "shangju_batch_size_max", "gauge",
        "The largest batch since the broker started.", (double)s->max_batch);
    one(f, "shangju_batch_size_mean", "gauge",
        "Requests per group commit, mean since the broker started.",
        s->mean_batch);
    one(f, "shangju_commit_seconds_mean", "gauge",
        "Mean time of a group commit since the broker started.",
        s->commit_ms_mean / 1e3);
    one(f, "shangju_commit_seconds_max", "gauge",
        "Longest group commit since the broker started.",
        s->commit_ms_max / 1e3);
    one(f, "shangju_requests_applied_total", "counter",
        "Requests applied by the writer (in group commits).",
        (double)s->requests);
    one(f, "shangju_reads_offloaded_total", "counter",
        "Reads answered by the reader threads beside the writer.",
        (double)s->reads_offloaded);
    one(f, "shangju_rate_limited_total", "counter",
        "Requests refused for going over a member's --rate.",
        (double)s->rate_limited);
    one(f, "shangju_placard_cache_hits_total", "counter",
        "Placards served from the cache (drawn once per listing version).",
        (double)s->placard_cache_hits);
    one(f, "shangju_retries_answered_total", "counter",
        "Retried requests answered with their first reply.",
        (double)s->retries_answered);
    one(f, "shangju_auth_failures_total", "counter",
        "Connections refused by the key check (unknown, suspended, not "
        "CURVE).",
        (double)s->auth_failures);
    one(f, "shangju_connections_refused_total", "counter",
        "Requests refused because their key already held --max-connections "
        "connections (each such connection is then closed).",
        (double)s->connections_refused);
    one(f, "shangju_connections_silent_closed_total", "counter",
        "Connections closed for sending no request within --silent-timeout.",
        (double)s->connections_silent_closed);
    one(f, "shangju_connections", "gauge",
        "Open connections to the request socket.", (double)s->connections);
    one(f, "shangju_last_backup_time_seconds", "gauge",
        "When the newest backup in DATA/backups was written (0: none).",
        (double)s->last_backup_at / 1e3);
    family(f, "shangju_requests_total", "counter",
           "Requests answered since the broker started, by kind and status.");
    for (size_t i = 0; i < s->n_request_counts; i++) {
        const Shangju__RequestCount *r = s->request_counts[i];
        fputs("shangju_requests_total{kind=\"", f);
        label(f, r->kind);
        fputs("\",status=\"", f);
        label(f, r->status);
        fprintf(f, "\"} %llu\n", (unsigned long long)r->count);
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
