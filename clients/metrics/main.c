/* shangju-metrics: the broker's statistics for Prometheus, served over
 * HTTP (GET /metrics, the text exposition format) on a loopback address.
 * It holds a key of the `monitor` role, which may read the statistics and
 * nothing else, so monitoring never holds the committee's key. Each scrape
 * is one `admin stats` request; a broker that does not answer gives 503. */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "i18n.h"
#include "metrics.h"
#include "sj_zone.h"

/* --help in the operator's language, one piece an option; in English
 * help2man makes the man page from it. */
static void print_help(void)
{
    /* TRANSLATORS: shangju-metrics --help. Keep option names,
     * metavariables, file and environment names and values as they are
     * and start each description in the English column; keep lines within
     * 79 columns (a Chinese character takes two). */
    fputs(_("usage: shangju-metrics [--listen ADDR:PORT] [--data DIR] [--key "
            "FILE]\n"
            "                       [--server-key FILE] [--requests EP] "
            "[--timeout MS]\n"
            "\n"
            "Serve the Shangju broker's statistics to Prometheus: GET "
            "/metrics\n"
            "answers in the text exposition format (503 when the broker does "
            "not\n"
            "answer). Use a key of a member with the monitor role.\n"
            "\n"),
          stdout);
    fputs(_("  --listen ADDR:PORT  IPv4 address and port (default "
            "127.0.0.1:9464)\n"),
          stdout);
    printf(_("  --data DIR          data directory (SHANGJU_DATA; default "
             "%s)\n"),
           SJ_DEFAULT_DATA);
    fputs(_("  --key FILE          the monitor's secret key (SHANGJU_KEY; "
            "default\n"
            "                      DIR/monitor.key)\n"),
          stdout);
    fputs(_("  --server-key FILE   the broker's public key (default "
            "DIR/server.pub)\n"),
          stdout);
    printf(_("  --requests EP       request endpoint (SHANGJU_REQUESTS; "
             "default %s)\n"),
           SJ_CLIENT_REQUESTS);
    fputs(_("  --timeout MS        wait for the broker per scrape (default "
            "2000)\n"),
          stdout);
    printf(_("  --time-zone ZONE    the community's zone for the log's times\n"
             "                      (SHANGJU_TIME_ZONE; default %s)\n"),
           SJ_ZONE_DEFAULT);
    fputs(_("  -h, --help          this help\n"
            "      --version       the version\n"),
          stdout);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

typedef struct {
    sj_client_t *client;
} ctx_t;

static enum MHD_Result reply(struct MHD_Connection *con, unsigned status,
                             const char *type, char *body, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A logfmt line on stderr stamped in the community's zone with its
 * offset, like the broker's. */
static void log_line(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_line(const char *level, const char *fmt, ...)
{
    char ts[SJ_ZONE_TIME_MAX], line[1024];
    sj_zone_now_rfc3339(ts, sizeof ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ts=%s level=%s %s\n", ts, level, line);
}

/* One scrape: ask the broker, render, answer. */
static enum MHD_Result scrape(ctx_t *ctx, struct MHD_Connection *con)
{
    Shangju__AdminStats st = SHANGJU__ADMIN_STATS__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_STATS;
    req.admin_stats = &st;
    Shangju__Reply *rep = NULL;
    int err = sj_client_call(ctx->client, &req, &rep);
    if (err || rep->status != SHANGJU__STATUS__STATUS_OK ||
        rep->body_case != SHANGJU__REPLY__BODY_STATS) {
        static char down[] = "the broker did not answer with statistics\n";
        log_line("warn", "event=scrape_failed err=\"%s\"",
                 err ? sj_strerror(err) : rep->message);
        if (rep)
            shangju__reply__free_unpacked(rep, NULL);
        return reply(con, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", down,
                     strlen(down), MHD_RESPMEM_PERSISTENT);
    }
    size_t len;
    char *text = sj_metrics_render(rep->stats, &len);
    shangju__reply__free_unpacked(rep, NULL);
    if (!text)
        return MHD_NO;
    return reply(con, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                 text, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)version;
    (void)upload;
    static int first;
    if (*state == NULL) { /* headers only so far */
        *state = &first;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    static char not_found[] = "not found: try /metrics\n";
    static char bad_method[] = "only GET\n";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(con, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
                     strlen(bad_method), MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/metrics") != 0)
        return reply(con, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
                     strlen(not_found), MHD_RESPMEM_PERSISTENT);
    return scrape(cls, con);
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (*end || port < 1 || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:9464", *data = getenv("SHANGJU_DATA"),
               *key = getenv("SHANGJU_KEY"), *skey = NULL,
               *requests = getenv("SHANGJU_REQUESTS"),
               *zone = getenv("SHANGJU_TIME_ZONE");
    int timeout = 2000;
    /* Help and usage errors in the operator's language; the log lines and
     * the exposition stay in the C locale. */
    sj_i18n_init_messages();
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},
        {"data", required_argument, 0, 'd'},
        {"key", required_argument, 0, 'k'},
        {"server-key", required_argument, 0, 's'},
        {"requests", required_argument, 0, 'r'},
        {"timeout", required_argument, 0, 't'},
        {"time-zone", required_argument, 0, 'z'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 's':
            skey = optarg;
            break;
        case 'r':
            requests = optarg;
            break;
        case 't':
            timeout = atoi(optarg);
            break;
        case 'z':
            zone = optarg;
            break;
        case 'h':
            print_help();
            return 0;
        case 'V':
            printf("shangju-metrics %s\n", SJ_VERSION);
            return 0;
        default:
            fputs(_("Try 'shangju-metrics --help'.\n"), stderr);
            return 2;
        }
    }
    struct sockaddr_in sa;
    if (optind < argc || timeout <= 0 || parse_listen(listen, &sa) != 0) {
        fputs(_("shangju-metrics: bad arguments (see --help)\n"), stderr);
        return 2;
    }
    if (!zone || !*zone)
        zone = SJ_ZONE_DEFAULT;
    if (sj_zone_use(zone) != 0) {
        fprintf(stderr, _("shangju-metrics: unknown time zone '%s'\n"), zone);
        return 2;
    }
    if (!data || !*data)
        data = SJ_DEFAULT_DATA;
    char kbuf[PATH_MAX], sbuf[PATH_MAX];
    if (!key || !*key) {
        snprintf(kbuf, sizeof kbuf, "%s/monitor.key", data);
        key = kbuf;
    }
    if (!skey) {
        snprintf(sbuf, sizeof sbuf, "%s/server.pub", data);
        skey = sbuf;
    }
    sj_client_opts_t o = {.requests = requests && *requests ? requests : NULL,
                          .key_file = key,
                          .server_key_file = skey,
                          .timeout_ms = timeout,
                          .retries = 1};
    int err = 0;
    ctx_t ctx = {.client = sj_client_new(&o, &err)};
    if (!ctx.client) {
        fprintf(stderr, _("shangju-metrics: cannot use key %s or %s: %s\n"),
                key, skey, _(sj_strerror(err)));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    /* One internal thread: scrapes are answered one at a time, so the
     * client (not thread-safe) is only ever used from that thread. */
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
                         NULL, NULL, handle, &ctx, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
                         10u, MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, _("shangju-metrics: cannot listen on %s\n"), listen);
        sj_client_destroy(&ctx.client);
        return 1;
    }
    log_line("info", "event=listening listen=%s key=%s", listen, key);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    sj_client_destroy(&ctx.client);
    return 0;
}
