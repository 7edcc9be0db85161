/* `shangju`: the command-line client of the Shangju broker. main() merges
 * the global options with the environment and hands the rest of the
 * command line to the subcommand table; see `shangju --help`. */
#include "cli.h"

#include <stdlib.h>

static const sj_cli_cmd_t top_cmds[] = {
    {"ping", sj_cli_ping, "check the broker answers"},
    {"whoami", sj_cli_whoami, "the member your key belongs to"},
    {"member", sj_cli_member, "add, list, show, suspend, rekey members"},
    {"wish", sj_cli_wish, "post, list, claim, fulfil, ... wishes"},
    {"merchant", sj_cli_merchant, "register, update, show, list listings"},
    {"qr", sj_cli_qr, "QR code of a merchant, a wish or a hand-over"},
    {"placard", sj_cli_placard, "printable placard of a merchant"},
    {"compact", sj_cli_compact, "the six steps of a partnership compact"},
    {"points", sj_cli_points, "reciprocity points: balance, transfer, top"},
    {"report", sj_cli_report, "the committee's yearly report"},
    {"watch", sj_cli_watch, "follow the event feed"},
    {"admin", sj_cli_admin, "statistics and backups (committee)"},
    {NULL, NULL, NULL},
};

static const char *env(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    sj_cli_t cli = {0};
    int next = argc;
    int rc =
        sj_cli_parse_globals(&cli.opts, argc, argv, env, stdout, stderr, &next);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (next >= argc)
        return sj_cli_usage(NULL, "missing command");
    rc = sj_cli_dispatch(&cli, NULL, top_cmds, argc - next, argv + next);
    sj_client_destroy(&cli.client);
    return rc;
}
