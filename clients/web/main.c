/* shangju-web: the public web front — the pages behind the QR codes
 * (/m/ID, /w/ID, /c/ID) and the community board, served over HTTP to the
 * operator's HTTPS proxy, with a key of the `web` role (public reads
 * only). Options for the broker connection as in the `shangju` CLI. */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "i18n.h"
#include "keyfile.h"
#include "server.h"
#include "sj_zone.h"
#include "upstream.h"

/* --help in the operator's language, one piece an option (a changed
 * option leaves the others translated); in English help2man makes the man
 * page from it. */
static void print_help(void)
{
    /* TRANSLATORS: shangju-web --help. Keep option names, metavariables
     * (ADDR:PORT, DIR, FILE ...), file and environment names and values as
     * they are and start each description in the English column; keep
     * lines within 79 columns (a Chinese character takes two). */
    fputs(
        _("usage: shangju-web [--listen ADDR:PORT] [--data DIR] [--key FILE]\n"
          "                   [--server-key FILE] [--requests EP] "
          "[--events EP]\n"
          "\n"
          "The Shangju public web front: the pages behind the QR codes of "
          "placards,\nwishes and compacts, and the community board, in "
          "Chinese and English.\n"
          "It serves plain HTTP; put it behind an HTTPS reverse proxy.\n"
          "\n"
          "Options (the broker ones also from SHANGJU_DATA, SHANGJU_KEY,\n"
          "SHANGJU_SERVER_KEY, SHANGJU_REQUESTS, SHANGJU_EVENTS):\n"),
        stdout);
    fputs(_("  --listen ADDR:PORT    where to serve (default 127.0.0.1:8080;\n"
            "                        [::1]:8080 for IPv6)\n"),
          stdout);
    printf(_("  --data DIR            data directory (default %s)\n"),
           SJ_DEFAULT_DATA);
    fputs(_("  --key FILE            the web front's secret key, of a member "
            "with\n"
            "                        the web role (default DIR/web.key, else "
            "the\n"
            "                        demo's DIR/demo/web.key)\n"),
          stdout);
    fputs(_("  --server-key FILE     the broker's public key (default "
            "DIR/server.pub)\n"),
          stdout);
    printf(_("  --requests EP         request endpoint (default %s)\n"),
           SJ_CLIENT_REQUESTS);
    printf(_("  --events EP           event endpoint (default %s)\n"),
           SJ_CLIENT_EVENTS);
    fputs(_("  --timeout MS          wait for the broker per page (default "
            "800)\n"),
          stdout);
    printf(_("  --time-zone ZONE      the community's zone, a tzdata name "
             "(default\n"
             "                        %s; SHANGJU_TIME_ZONE): times on\n"
             "                        pages and in the log\n"),
           SJ_ZONE_DEFAULT);
    fputs(_("  --connection-timeout S  close idle connections after S "
            "seconds (15)\n"),
          stdout);
    fputs(_("  --per-ip N            connections per client address (64; 0 = "
            "no\n"
            "                        limit, e.g. behind a proxy that "
            "limits)\n"),
          stdout);
    fputs(_("  --max-connections N   connections in all (4096)\n"), stdout);
    fputs(_("  -h, --help            this help\n"
            "      --version         the version\n"),
          stdout);
}

enum {
    O_LISTEN = 256,
    O_DATA,
    O_KEY,
    O_SKEY,
    O_REQ,
    O_EV,
    O_TIMEOUT,
    O_CTIMEOUT,
    O_PERIP,
    O_MAXCONN,
    O_ZONE,
};

static const struct option opts[] = {
    {"listen", required_argument, NULL, O_LISTEN},
    {"data", required_argument, NULL, O_DATA},
    {"key", required_argument, NULL, O_KEY},
    {"server-key", required_argument, NULL, O_SKEY},
    {"requests", required_argument, NULL, O_REQ},
    {"events", required_argument, NULL, O_EV},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"connection-timeout", required_argument, NULL, O_CTIMEOUT},
    {"per-ip", required_argument, NULL, O_PERIP},
    {"max-connections", required_argument, NULL, O_MAXCONN},
    {"time-zone", required_argument, NULL, O_ZONE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* A usage error: why is an N_() string. */
static int usage(const char *why)
{
    fprintf(stderr, _("shangju-web: %s (see 'shangju-web --help')\n"), _(why));
    return 2;
}

static bool number(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Idle connections each hold a descriptor: raise the soft limit to the
 * hard one so --max-connections is what limits. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    static char key_buf[4096], skey_buf[4096];
    /* Help and usage errors in the operator's language; pages pick each
     * visitor's own (sj_tr), the log stays in the C locale. */
    sj_i18n_init_messages();
    const char *data = env_or("SHANGJU_DATA", SJ_DEFAULT_DATA);
    const char *key = env_or("SHANGJU_KEY", NULL);
    const char *skey = env_or("SHANGJU_SERVER_KEY", NULL);
    const char *zone = env_or("SHANGJU_TIME_ZONE", SJ_ZONE_DEFAULT);
    sj_client_opts_t co = {0};
    co.requests = env_or("SHANGJU_REQUESTS", NULL);
    co.events = env_or("SHANGJU_EVENTS", NULL);
    web_server_opts_t so = {.listen = "127.0.0.1:8080",
                            .timeout_s = 15,
                            .per_ip = 64,
                            .max_connections = 4096,
                            .cache_slots = 1024};
    long v;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_LISTEN:
            so.listen = optarg;
            break;
        case O_DATA:
            data = optarg;
            break;
        case O_KEY:
            key = optarg;
            break;
        case O_SKEY:
            skey = optarg;
            break;
        case O_REQ:
            co.requests = optarg;
            break;
        case O_EV:
            co.events = optarg;
            break;
        case O_TIMEOUT:
            if (!number(optarg, 10, 60000, &v))
                return usage(N_("--timeout wants 10..60000 milliseconds"));
            co.timeout_ms = (int)v;
            break;
        case O_CTIMEOUT:
            if (!number(optarg, 1, 3600, &v))
                return usage(N_("--connection-timeout wants 1..3600 seconds"));
            so.timeout_s = (unsigned)v;
            break;
        case O_PERIP:
            if (!number(optarg, 0, 100000, &v))
                return usage(N_("--per-ip wants 0..100000"));
            so.per_ip = (unsigned)v;
            break;
        case O_MAXCONN:
            if (!number(optarg, 1, 100000, &v))
                return usage(N_("--max-connections wants 1..100000"));
            so.max_connections = (unsigned)v;
            break;
        case O_ZONE:
            zone = optarg;
            break;
        case 'h':
            print_help();
            return 0;
        case 'V':
            printf("shangju-web %s\n", SJ_VERSION);
            return 0;
        default:
            return usage(N_("unknown option"));
        }
    }
    if (optind < argc)
        return usage(N_("unexpected argument"));
    /* Before any thread: every time printed (pages, log) is the
     * community's, with its offset in the log. */
    if (sj_zone_use(zone) != 0)
        return usage(N_("--time-zone: unknown zone (a tzdata name such as "
                        "Asia/Shanghai or UTC)"));
    if (!key)
        key = sj_keyfile_default(key_buf, sizeof key_buf, data, "web");
    if (!skey) {
        snprintf(skey_buf, sizeof skey_buf, "%s/server.pub", data);
        skey = skey_buf;
    }
    co.key_file = key;
    co.server_key_file = skey;
    raise_nofile();
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int err = 0;
    web_upstream_t *up = web_upstream_new(&co, &err);
    if (!up) {
        web_log("error",
                "event=no_broker_client key=\"%s\" server_key=\"%s\" "
                "err=%d",
                key, skey, err);
        return 1;
    }
    int rc = web_server_run(&so, up, &stop);
    web_upstream_destroy(&up);
    return rc ? 1 : 0;
}
