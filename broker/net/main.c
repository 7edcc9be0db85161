/* shangju-broker: parse the command line; `init` makes a new community in
 * the data directory and exits, otherwise open the initialised directory
 * and run the server until SIGTERM or SIGINT (the batch in progress is
 * finished, committed and answered before exit). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "datadir.h"
#include "demo.h"
#include "i18n.h"
#include "log.h"
#include "notify.h"
#include "notice.h"
#include "server.h"
#include "sj_zone.h"
#include "text.h"

static volatile sig_atomic_t stop;
static bool want_monitor; /* init --monitor */

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* --help, in the operator's language: one piece an option, so a changed
 * option leaves the others translated. In English it is what help2man
 * makes the man page from. */
static const char *const help_options[] = {
    /* TRANSLATORS: shangju-broker --help. Keep option names, metavariables
     * (DIR, EP, N ...), file and environment names and values as they are
     * and start each description in the English column, so the columns
     * still line up; keep lines within 79 columns (a Chinese character
     * takes two). */
    N_("  --requests EP      request endpoint (default "
       "tcp://127.0.0.1:7400)\n"),
    N_("  --events EP        event endpoint (default tcp://127.0.0.1:7401)\n"),
    N_("  --public-url URL   base of links in QR codes\n"),
    N_("  --time-zone ZONE   the community's zone, a tzdata name\n"
       "                     (default Asia/Shanghai): report years,\n"
       "                     compact terms, printed times\n"),
    N_("  --log-level L      debug, info, warn or error (default info)\n"),
    N_("  --map-size MIB     LMDB map size in MiB (default 1024)\n"),
    N_("  --demo             (init) seed a demo community\n"),
    N_("  --monitor          (init) also register a member of the\n"
       "                     monitor role, its key in DIR/monitor.key\n"
       "                     (statistics only: health checks, metrics)\n"),
    N_("  --points-per-wish N         points a merchant earns for a\n"
       "                              closed wish (default 10)\n"),
    N_("  --points-per-performance N  points earned per performed\n"
       "                              compact item (default 5)\n"),
    N_("  --max-claims N              wishes a merchant may hold claimed\n"
       "                              at once (default 5)\n"),
    N_("  --max-claim-days N          the longest due period of a claim\n"
       "                              (default 14)\n"),
    N_("  --quick-release-minutes N   a release this soon after claiming\n"
       "                              counts as a lapse (default 60)\n"),
    N_("  --map-max MIB      the map grows by itself up to this (default\n"
       "                     8 x --map-size, at least 8192); the last\n"
       "                     1/32 is kept for the committee\n"),
    N_("  --readers N        threads answering reads beside the writer\n"
       "                     (default: one less than the processors,\n"
       "                     at least 1; 0: the writer answers them)\n"),
    N_("  --rate [ROLE=]N    requests per second a member may make\n"
       "                     (3 s of burst); ROLE: resident, merchant,\n"
       "                     committee, bridge, web, monitor; without\n"
       "                     ROLE residents and merchants (default 20;\n"
       "                     others unlimited); 0 = unlimited\n"),
    N_("  --max-open-wishes N  live wishes one member may own (default\n"
       "                     50; 0 = unlimited)\n"),
    N_("  --max-connections N  connections one member may hold that\n"
       "                     have sent a request (default 32;\n"
       "                     0 = unlimited)\n"),
    N_("  --silent-timeout S   close a connection that sent no request\n"
       "                     within S seconds (default 30; 0 = never)\n"),
    N_("  --help             show this help\n"),
    N_("  --version          show the version\n"),
};

static void usage(FILE *out)
{
    fputs(_("Usage: shangju-broker [OPTION]...\n"
            "       shangju-broker init [--data DIR] [--monitor] [--demo]\n"
            "Run the Shangju merchant-resident alliance broker on an\n"
            "initialised data directory; `init` makes a new community there\n"
            "first (once: it refuses a directory that holds one).\n\n"),
          out);
    fprintf(out,
            _("  --data DIR         store and keys (default %s);\n"
              "                     init writes server.key, server.pub,\n"
              "                     notice.key, committee.key there\n"),
            SJ_DEFAULT_DATA);
    for (size_t i = 0; i < sizeof help_options / sizeof help_options[0]; i++)
        fputs(_(help_options[i]), out);
    fputs(_("\nEnvironment: SHANGJU_DATA, SHANGJU_REQUESTS, SHANGJU_EVENTS,\n"
            "SHANGJU_PUBLIC_URL, SHANGJU_LOG_LEVEL, SHANGJU_MAP_SIZE,\n"
            "SHANGJU_TIME_ZONE,\n"
            "SHANGJU_POINTS_PER_WISH, SHANGJU_POINTS_PER_PERFORMANCE,\n"
            "SHANGJU_MAX_CLAIMS, SHANGJU_MAX_CLAIM_DAYS,\n"
            "SHANGJU_QUICK_RELEASE_MINUTES, SHANGJU_MAP_MAX, "
            "SHANGJU_READERS,\n"
            "SHANGJU_RATE, SHANGJU_MAX_OPEN_WISHES, SHANGJU_MAX_CONNECTIONS,\n"
            "SHANGJU_SILENT_TIMEOUT (flags win).\n"),
          out);
    fputs(_("Exit status: 0 after a clean stop, 1 on a start-up failure, 2 "
            "on a usage error.\n"),
          out);
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || v == 0 || v > (1ULL << 30))
        return -1;
    *out = (size_t)v << 20;
    return 0;
}

/* Points per event: 0 (none) .. 1,000,000. name is an N_() string. */
static int parse_points(const char *name, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-' || v > 1000000) {
        fprintf(stderr, _("shangju-broker: bad %s '%s' (0..1000000)\n"),
                _(name), s);
        return -1;
    }
    *out = v;
    return 0;
}

/* A whole number in min..max for the setting name (an N_() string). */
static int parse_count(const char *name, const char *s, long long min,
                       long long max, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max) {
        fprintf(stderr, _("shangju-broker: bad %s '%s' (%lld..%lld)\n"),
                _(name), s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* The claim settings (issue 9 §3): flag, else environment, else default. */
static int parse_claims(const char *max_claims, const char *max_days,
                        const char *quick, sj_config_t *cfg)
{
    long long v;
    if (!max_claims)
        max_claims = getenv("SHANGJU_MAX_CLAIMS");
    if (!max_days)
        max_days = getenv("SHANGJU_MAX_CLAIM_DAYS");
    if (!quick)
        quick = getenv("SHANGJU_QUICK_RELEASE_MINUTES");
    if (max_claims && *max_claims) {
        if (parse_count(N_("max claims"), max_claims, 1, 1000, &v))
            return -1;
        cfg->max_live_claims = (unsigned)v;
    }
    if (max_days && *max_days) {
        if (parse_count(N_("max claim days"), max_days, 1, 90, &v))
            return -1;
        cfg->claim_due_max_ms = v * SJ_DAY_MS;
    }
    if (quick && *quick) {
        if (parse_count(N_("quick release minutes"), quick, 0, 7 * 24 * 60, &v))
            return -1;
        cfg->quick_release_ms = v * 60 * 1000;
    }
    return 0;
}

/* --rate [ROLE=]N: a role's rate, or residents' and merchants'. */
static int parse_rate(const char *s, sj_config_t *cfg)
{
    static const struct {
        const char *name;
        int role;
    } roles[] = {
        {"resident", SHANGJU__ROLE__ROLE_RESIDENT},
        {"merchant", SHANGJU__ROLE__ROLE_MERCHANT},
        {"committee", SHANGJU__ROLE__ROLE_COMMITTEE},
        {"bridge", SHANGJU__ROLE__ROLE_BRIDGE},
        {"web", SHANGJU__ROLE__ROLE_WEB},
        {"monitor", SHANGJU__ROLE__ROLE_MONITOR},
    };
    const char *eq = strchr(s, '=');
    long long v;
    if (parse_count(N_("rate"), eq ? eq + 1 : s, 0, 1000000, &v))
        return -1;
    if (!eq) {
        cfg->rate[SHANGJU__ROLE__ROLE_RESIDENT] = (unsigned)v;
        cfg->rate[SHANGJU__ROLE__ROLE_MERCHANT] = (unsigned)v;
        return 0;
    }
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strlen(roles[i].name) == (size_t)(eq - s) &&
            strncmp(roles[i].name, s, (size_t)(eq - s)) == 0) {
            cfg->rate[roles[i].role] = (unsigned)v;
            return 0;
        }
    fprintf(stderr, _("shangju-broker: bad rate role in '%s'\n"), s);
    return -1;
}

/* The load settings (issue 13): flag, else environment, else default. */
static int parse_load(const char *map_max, const char *readers,
                      const char *rate, const char *max_open,
                      const char *max_conns, const char *silent,
                      sj_config_t *cfg)
{
    long long v;
    if (!map_max)
        map_max = getenv("SHANGJU_MAP_MAX");
    if (!readers)
        readers = getenv("SHANGJU_READERS");
    if (!rate)
        rate = getenv("SHANGJU_RATE");
    if (!max_open)
        max_open = getenv("SHANGJU_MAX_OPEN_WISHES");
    if (!max_conns)
        max_conns = getenv("SHANGJU_MAX_CONNECTIONS");
    if (!silent)
        silent = getenv("SHANGJU_SILENT_TIMEOUT");
    if (max_conns && *max_conns) {
        if (parse_count(N_("max connections"), max_conns, 0, 1000000, &v))
            return -1;
        cfg->max_connections = (unsigned)v;
    }
    if (silent && *silent) {
        if (parse_count(N_("silent timeout"), silent, 0, 86400, &v))
            return -1;
        cfg->silent_ms = v * 1000;
    }
    if (map_max && *map_max) {
        if (parse_count(N_("map max"), map_max, 1, 1LL << 30, &v))
            return -1;
        cfg->map_max = (size_t)v << 20;
    }
    if (readers && *readers) {
        if (parse_count(N_("readers"), readers, 0, 64, &v))
            return -1;
        cfg->readers = (unsigned)v;
    }
    if (rate && *rate && parse_rate(rate, cfg))
        return -1;
    if (max_open && *max_open) {
        if (parse_count(N_("max open wishes"), max_open, 0, 1000000, &v))
            return -1;
        cfg->max_open_wishes = (unsigned)v;
    }
    return 0;
}

/* The base every QR code carries: http(s)://host[:port][/path], without
 * spaces, quotes or angle brackets (it is written into SVG and HTML), no
 * query or fragment, valid UTF-8 (an IRI such as https://商居.example/金桥
 * is fine), and short enough for a small code. */
static bool public_url_ok(const char *u)
{
    const char *rest = NULL;
    if (strncmp(u, "https://", 8) == 0)
        rest = u + 8;
    else if (strncmp(u, "http://", 7) == 0)
        rest = u + 7;
    if (!rest || !*rest || *rest == '/' || *rest == ':' || strlen(u) > 200 ||
        !sj_text_ok(u, false))
        return false;
    for (const char *p = u; *p; p++)
        if (*p == ' ' || strchr("\"'<>\\`?#{}|^", *p))
            return false;
    return true;
}

static int parse_args(int argc, char **argv, sj_config_t *cfg)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'},
        {"requests", required_argument, 0, 'r'},
        {"events", required_argument, 0, 'e'},
        {"public-url", required_argument, 0, 'u'},
        {"time-zone", required_argument, 0, 'z'},
        {"log-level", required_argument, 0, 'l'},
        {"map-size", required_argument, 0, 'm'},
        {"demo", no_argument, 0, 'D'},
        {"monitor", no_argument, 0, 'M'},
        {"points-per-wish", required_argument, 0, 'W'},
        {"points-per-performance", required_argument, 0, 'P'},
        {"max-claims", required_argument, 0, 'C'},
        {"max-claim-days", required_argument, 0, 'Y'},
        {"quick-release-minutes", required_argument, 0, 'Q'},
        {"map-max", required_argument, 0, 'X'},
        {"readers", required_argument, 0, 'R'},
        {"rate", required_argument, 0, 'T'},
        {"max-open-wishes", required_argument, 0, 'O'},
        {"max-connections", required_argument, 0, 'K'},
        {"silent-timeout", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0},
    };
    const char *env;
    if ((env = getenv("SHANGJU_DATA")) && *env)
        cfg->data_dir = env;
    if ((env = getenv("SHANGJU_REQUESTS")) && *env)
        cfg->requests_ep = env;
    if ((env = getenv("SHANGJU_EVENTS")) && *env)
        cfg->events_ep = env;
    if ((env = getenv("SHANGJU_PUBLIC_URL")) && *env)
        cfg->public_url = env;
    const char *level = getenv("SHANGJU_LOG_LEVEL");
    if ((env = getenv("SHANGJU_TIME_ZONE")) && *env)
        cfg->time_zone = env;
    const char *map = getenv("SHANGJU_MAP_SIZE");
    const char *per_wish = getenv("SHANGJU_POINTS_PER_WISH");
    const char *per_perf = getenv("SHANGJU_POINTS_PER_PERFORMANCE");
    const char *max_claims = NULL, *max_days = NULL, *quick = NULL;
    const char *map_max = NULL, *readers = NULL, *max_open = NULL;
    const char *max_conns = NULL, *silent = NULL;
    bool rates_given = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            cfg->data_dir = optarg;
            break;
        case 'r':
            cfg->requests_ep = optarg;
            break;
        case 'e':
            cfg->events_ep = optarg;
            break;
        case 'u':
            cfg->public_url = optarg;
            break;
        case 'z':
            cfg->time_zone = optarg;
            break;
        case 'l':
            level = optarg;
            break;
        case 'm':
            map = optarg;
            break;
        case 'D':
            cfg->demo = true;
            break;
        case 'M':
            want_monitor = true;
            break;
        case 'W':
            per_wish = optarg;
            break;
        case 'P':
            per_perf = optarg;
            break;
        case 'C':
            max_claims = optarg;
            break;
        case 'Y':
            max_days = optarg;
            break;
        case 'Q':
            quick = optarg;
            break;
        case 'X':
            map_max = optarg;
            break;
        case 'R':
            readers = optarg;
            break;
        case 'T':
            /* repeatable: each names a role (or residents and merchants) */
            if (parse_rate(optarg, cfg))
                return 2;
            rates_given = true;
            break;
        case 'O':
            max_open = optarg;
            break;
        case 'K':
            max_conns = optarg;
            break;
        case 'S':
            silent = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("shangju-broker %s\n", SJ_VERSION);
            exit(0);
        default:
            fputs(_("Try 'shangju-broker --help'.\n"), stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("shangju-broker: unexpected argument '%s'\n"),
                argv[optind]);
        return 2;
    }
    if (level && *level) {
        int l = sj_log_parse_level(level);
        if (l < 0) {
            fprintf(stderr, _("shangju-broker: bad log level '%s'\n"), level);
            return 2;
        }
        sj_log_set_level((sj_log_level_t)l);
    }
    if ((per_wish && *per_wish &&
         parse_points(N_("points per wish"), per_wish,
                      &cfg->points_per_wish)) ||
        (per_perf && *per_perf &&
         parse_points(N_("points per performance"), per_perf,
                      &cfg->points_per_performance)) ||
        parse_claims(max_claims, max_days, quick, cfg) ||
        parse_load(map_max, readers, rates_given ? "" : NULL, max_open,
                   max_conns, silent, cfg))
        return 2;
    if (!public_url_ok(cfg->public_url)) {
        fprintf(stderr,
                _("shangju-broker: bad public URL '%s' (want http:// or "
                  "https://, a host, no spaces or quotes, up to 200 "
                  "bytes)\n"),
                cfg->public_url);
        return 2;
    }
    /* Before any thread starts: every date rule and log line uses it. */
    if (sj_zone_use(cfg->time_zone) != 0) {
        fprintf(stderr,
                _("shangju-broker: unknown time zone '%s' (a tzdata name "
                  "such as Asia/Shanghai or UTC; is tzdata installed?)\n"),
                cfg->time_zone);
        return 2;
    }
    if (map && *map && parse_size(map, &cfg->map_size) != 0) {
        fprintf(stderr, _("shangju-broker: bad map size '%s' (MiB)\n"), map);
        return 2;
    }
    sj_config_fix(cfg);
    return 0;
}

/* Each connection, finished or not, holds a descriptor: take all the
 * system allows (the soft limit up to the hard one). */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rlim_t was = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        sj_log(SJ_LOG_INFO, "event=fd_limit_raised from=%llu to=%llu",
               (unsigned long long)was, (unsigned long long)rl.rlim_cur);
}

/* shangju-broker init: a new community in cfg->data_dir (its keys, the
 * first committee member, with --monitor a monitor, with --demo the demo
 * community), then exit. */
static int run_init(const sj_config_t *cfg)
{
    sj_datadir_t dd;
    if (sj_datadir_init(cfg->data_dir, cfg->map_size, want_monitor, &dd) != 0)
        return 1;
    sj_signer_t *signer = NULL;
    int rc = sj_notice_key_open(cfg->data_dir, &signer) != 0;
    if (!rc && cfg->demo)
        rc = sj_demo_seed(dd.store, cfg) != 0;
    sj_signer_free(&signer);
    sj_datadir_close(&dd);
    if (rc)
        return 1;
    sj_log(SJ_LOG_INFO, "event=initialised data=%s monitor=%s demo=%s",
           cfg->data_dir, want_monitor ? "yes" : "no",
           cfg->demo ? "yes" : "no");
    const char *dir = cfg->data_dir;
    if (want_monitor)
        printf(_("Initialised a new community in %s: the committee's key is "
                 "%s/committee.key, the monitor's %s/monitor.key; clients "
                 "need %s/server.pub.\n"),
               dir, dir, dir, dir);
    else
        printf(_("Initialised a new community in %s: the committee's key is "
                 "%s/committee.key; clients need %s/server.pub.\n"),
               dir, dir, dir);
    return 0;
}

int main(int argc, char **argv)
{
    /* Help, usage errors and `init`'s answer in the operator's language;
     * log lines and numbers stay in the C locale (see i18n.h). */
    sj_i18n_init_messages();
    sj_config_t cfg;
    sj_config_defaults(&cfg);
    /* Leave a processor to the writer loop and ZeroMQ's I/O thread. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.readers = cpus > 2 ? (unsigned)(cpus - 1 > 8 ? 8 : cpus - 1) : 1;
    /* `init` is a word before the options; they are the broker's own. */
    bool init = argc > 1 && strcmp(argv[1], "init") == 0;
    if (init) {
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    int rc = parse_args(argc, argv, &cfg);
    if (rc)
        return rc;
    if (init)
        return run_init(&cfg);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A closed terminal or `kill -HUP` (log rotation habits) must not stop
     * the community's broker: there is nothing to reload. */
    signal(SIGHUP, SIG_IGN);
    raise_fd_limit();

    sj_datadir_t dd;
    if (sj_datadir_open(cfg.data_dir, cfg.map_size, &dd) != 0)
        return 1;
    sj_signer_t *signer = NULL; /* the notice key: only for the engine */
    if (sj_notice_key_open(cfg.data_dir, &signer) != 0) {
        sj_datadir_close(&dd);
        return 1;
    }
    /* ZeroMQ's I/O threads inherit the signal mask: block the stop signals
     * while they are made, so SIGTERM always lands in the loop's thread
     * and interrupts its poll at once. */
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stops, &old);
    sj_server_t *server = NULL;
    rc = sj_server_new(&cfg, dd.store, &dd.server, signer, &server);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        sj_signer_free(&signer);
        sj_datadir_close(&dd);
        return 1;
    }
    if (cfg.demo)
        sj_log(SJ_LOG_INFO,
               "event=demo_ignored msg=\"--demo seeds a new community at "
               "init only (shangju-broker init --demo)\"");
    if (strcmp(cfg.public_url, SJ_EXAMPLE_PUBLIC_URL) == 0)
        sj_log(SJ_LOG_WARN,
               "event=public_url_default url=%s msg=\"QR codes point at the "
               "example address; set --public-url to where shangju-web is "
               "reachable\"",
               cfg.public_url);
    sj_log(SJ_LOG_INFO,
           "event=started version=%s data=%s requests=%s events=%s "
           "time_zone=%s pid=%ld",
           SJ_VERSION, cfg.data_dir, cfg.requests_ep, cfg.events_ep,
           cfg.time_zone, (long)getpid());
    sj_notify("READY=1\nSTATUS=serving");
    rc = sj_server_run(server, &stop);
    sj_notify("STOPPING=1");
    sj_server_destroy(&server);
    sj_signer_free(&signer);
    sj_datadir_close(&dd);
    sj_log(SJ_LOG_INFO, "event=stopped");
    return rc ? 1 : 0;
}
