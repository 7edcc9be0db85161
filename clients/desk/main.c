/* shangju-desk: the merchant's desktop client (GTK 4 / libadwaita). Reads
 * the command line and the remembered settings, asks for the connection on
 * first run, then opens the window on the broker session. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sj_zone.h"
#include "ui.h"

static void usage(FILE *f)
{
    fprintf(f, "%s",
            _("Usage: shangju-desk [OPTION]...\n"
              "The merchant's desktop client: the live wish board, claims "
              "and hand-over,\n"
              "the shop's listing and QR placard, compacts and points.\n"
              "\n"
              "  --key FILE          the merchant's secret key file\n"
              "  --server-key FILE   the broker's public key file\n"
              "  --requests EP       the broker's request endpoint\n"
              "                      (default tcp://127.0.0.1:7400)\n"
              "  --events EP         the broker's event endpoint\n"
              "                      (default tcp://127.0.0.1:7401)\n"
              "  --time-zone ZONE    the community's time zone for every "
              "time shown\n"
              "                      (default $SHANGJU_TIME_ZONE, else "
              "Asia/Shanghai)\n"
              "  --help              show this help and exit\n"
              "  --version           show the version and exit\n"
              "\n"
              "Without --key and --server-key, the settings remembered in\n"
              "$XDG_CONFIG_HOME/shangju/desk.ini are used; on first run a "
              "dialog asks\n"
              "for them and remembers them. The language follows the locale "
              "(LANGUAGE).\n"));
}

/* Replace *slot with a copy of v when v is given. */
static void take(char **slot, const char *v)
{
    if (v) {
        g_free(*slot);
        *slot = g_strdup(v);
    }
}

static int parse(int argc, char **argv, sj_desk_config_t *cfg,
                 const char **zone)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"server-key", required_argument, NULL, 's'},
        {"requests", required_argument, NULL, 'r'},
        {"events", required_argument, NULL, 'e'},
        {"time-zone", required_argument, NULL, 'z'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'k':
            take(&cfg->key_file, optarg);
            break;
        case 's':
            take(&cfg->server_key_file, optarg);
            break;
        case 'r':
            take(&cfg->requests, optarg);
            break;
        case 'e':
            take(&cfg->events, optarg);
            break;
        case 'z':
            *zone = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("shangju-desk %s\n", SJ_VERSION);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static void on_activate(GApplication *app, gpointer ud)
{
    (void)app;
    sj_desk_window_build(ud);
}

int main(int argc, char **argv)
{
    sj_i18n_init();
    static sj_desk_t d;
    sj_desk_config_load(&d.cfg);
    const char *zone = getenv("SHANGJU_TIME_ZONE");
    if (!zone || !*zone)
        zone = SJ_ZONE_DEFAULT;
    int rc = parse(argc, argv, &d.cfg, &zone);
    if (rc)
        return rc;
    /* Before GTK starts its threads: every time shown is the
     * community's. */
    if (sj_zone_use(zone) != 0) {
        fprintf(stderr,
                _("shangju-desk: unknown time zone '%s' (a tzdata "
                  "name such as Asia/Shanghai)\n"),
                zone);
        return 2;
    }
    if (d.cfg.key_file || d.cfg.server_key_file) {
        if (!d.cfg.requests)
            d.cfg.requests = g_strdup(SJ_CLIENT_REQUESTS);
        if (!d.cfg.events)
            d.cfg.events = g_strdup(SJ_CLIENT_EVENTS);
    }
    d.app = adw_application_new("org.shangju.Desk", G_APPLICATION_NON_UNIQUE);
    g_signal_connect(d.app, "activate", G_CALLBACK(on_activate), &d);
    char *args[] = {argv[0], NULL};
    rc = g_application_run(G_APPLICATION(d.app), 1, args);
    sj_desk_session_free(&d.session);
    sj_desk_alert_free(&d.alert);
    sj_desk_model_free(&d.model);
    if (d.listing)
        shangju__listing__free_unpacked(d.listing, NULL);
    g_free(d.me_name);
    sj_desk_config_clear(&d.cfg);
    g_object_unref(d.app);
    return rc;
}
