/* `shangju admin ...`: operator commands for the committee: statistics of
 * the store and the group commit, and hot backups written by the broker. */
#include "cli.h"

#define NARGS(a) (sizeof(a) / sizeof *(a))
#define BACKUP_TIMEOUT_MS (10 * 60 * 1000)

static const char stats_help[] =
    "usage: shangju admin stats\n"
    "\n"
    "Counts (members, wishes, events, dedup entries), store size and map\n"
    "use, group-commit batch sizes and commit latency since the broker\n"
    "started. Committee only.\n";

static int admin_stats(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "admin stats";
    int first;
    int rc = sj_cli_args(path, stats_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    Shangju__AdminStats st = SHANGJU__ADMIN_STATS__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_STATS;
    req.admin_stats = &st;
    return sj_cli_run(cli, &req);
}

static const char backup_help[] =
    "usage: shangju admin backup NAME\n"
    "\n"
    "Have the broker write a hot, consistent, compacted copy of its store,\n"
    "with its key files, into DATA/backups/NAME on the broker's machine,\n"
    "while it keeps serving. The directory is a complete data directory:\n"
    "to restore, stop the broker and start it with --data on a copy of it.\n"
    "NAME: 1-64 characters of A-Z a-z 0-9 . _ - (no leading dot).\n"
    "Waits up to 10 minutes (or --timeout) for the copy. Committee only.\n";

static int admin_backup(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "admin backup";
    int first;
    int rc = sj_cli_args(path, backup_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 1)
        return sj_cli_usage(path, "give one backup NAME");
    if (cli->opts.timeout_ms == 0) /* a copy takes longer than a request */
        cli->opts.timeout_ms = BACKUP_TIMEOUT_MS;
    Shangju__AdminBackup b = SHANGJU__ADMIN_BACKUP__INIT;
    b.name = argv[first];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_BACKUP;
    req.admin_backup = &b;
    return sj_cli_run(cli, &req);
}

static const char verify_help[] =
    "usage: shangju admin verify\n"
    "\n"
    "Check the whole store from a consistent snapshot while the broker keeps\n"
    "serving: every record decodes, indexes and records agree both ways, the\n"
    "event log has no gap, id counters are ahead of the ids in use. Prints\n"
    "the counts checked and each problem found (the first 100; the count is\n"
    "exact). Exit status 0 when the store is sound, 5 when problems were\n"
    "found. Committee only.\n";

static int admin_verify(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "admin verify";
    int first;
    int rc = sj_cli_args(path, verify_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
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

static const sj_cli_cmd_t admin_cmds[] = {
    {"stats", admin_stats, "store and group-commit statistics"},
    {"backup", admin_backup, "hot, compacted backup of the store"},
    {"verify", admin_verify, "check the store's consistency"},
    {NULL, NULL, NULL},
};

int sj_cli_admin(sj_cli_t *cli, int argc, char **argv)
{
    return sj_cli_dispatch(cli, "admin", admin_cmds, argc - 1, argv + 1);
}
