/* `shangju ping`, `whoami` and `watch`: the connection checks and the live
 * event feed (replay-then-live catch-up by the client library, one line
 * per event, --count to stop after N for scripts and tests). */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <string.h>

/* A command with no options and no arguments sending one empty body. */
static int bare(sj_cli_t *cli, const sj_cli_spec_t *spec, int argc, char **argv,
                Shangju__Request *req)
{
    int first;
    int rc = sj_cli_args(spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec->path, _("unexpected argument '%s'"),
                            argv[first]);
    return sj_cli_run(cli, req);
}

int sj_cli_ping(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "ping", NULL,
        SJ_HELP("Check that the broker answers; shows its version, clock and "
                "the seq of its newest event. Exit 3 when there is no reply."),
        NULL, 0};
    Shangju__Ping ping = SHANGJU__PING__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PING;
    req.ping = &ping;
    return bare(cli, &spec, argc, argv, &req);
}

int sj_cli_whoami(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "whoami", NULL, SJ_HELP("Show the member your key belongs to."), NULL,
        0};
    Shangju__WhoAmI who = SHANGJU__WHO_AM_I__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WHOAMI;
    req.whoami = &who;
    return bare(cli, &spec, argc, argv, &req);
}

struct watch {
    sj_cli_t *cli;
    uint64_t count; /* 0: forever */
    uint64_t seen;
    int rc;
    bool stop;
};

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    struct watch *w = ud;
    (void)c;
    if (w->stop)
        return;
    if (!ev) {
        w->stop = true;
        if (err == SJ_ETIMEOUT)
            w->rc = sj_cli_fail(SJ_CLI_EREACH, "%s",
                                _("no reply from broker (timeout) — is it "
                                  "running, and is your key registered?"));
        else
            w->rc = sj_cli_fail(SJ_CLI_EREPLY, "%s",
                                _("the broker refused the event replay"));
        return;
    }
    w->rc = sj_cli_print_event(w->cli, ev);
    w->seen++;
    w->stop = w->rc != 0 || (w->count && w->seen >= w->count);
}

static int watch_loop(sj_cli_t *cli, struct watch *w)
{
    while (!w->stop) {
        int rc = sj_client_wait(cli->client, -1);
        if (rc == SJ_EIO && errno != EINTR)
            return sj_cli_fail(SJ_CLI_ELOCAL, _("poll failed: %s"),
                               strerror(errno));
    }
    return w->rc;
}

int sj_cli_watch(sj_cli_t *cli, int argc, char **argv)
{
    struct watch w = {.cli = cli};
    uint64_t from = 0;
    int first;
    const sj_cli_arg_t args[] = {
        {"from", SJ_CLI_U64, &from, "SEQ",
         SJ_HELP("start at event SEQ (1: the whole history); default: only "
                 "events from now on")},
        {"count", SJ_CLI_U64, &w.count, "N", SJ_HELP("exit after N events")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "watch", "[TOPIC...]",
        SJ_HELP("Follow the broker's event feed, one line per event (with "
                "--json one JSON object per line). TOPICs are prefixes such "
                "as 'wish.' or 'wish.claimed'; none means every event. Missed "
                "events are replayed, so each event is printed exactly once, "
                "in seq order."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_connect(cli)) != 0)
        return rc;
    const char *const *topics = (const char *const *)argv + first;
    int err = sj_client_subscribe(cli->client, topics, (size_t)(argc - first),
                                  from, on_event, &w);
    if (err != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot subscribe to %s: %s"),
                           cli->opts.events ? cli->opts.events
                                            : SJ_CLIENT_EVENTS,
                           _(sj_strerror(err)));
    return watch_loop(cli, &w);
}
