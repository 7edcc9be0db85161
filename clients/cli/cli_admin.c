/* `shangju admin ...`: operator commands for the committee: statistics of
 * the store and the group commit, hot backups written by the broker, and
 * the store's consistency check. */
#include "cli.h"

#define BACKUP_TIMEOUT_MS (10 * 60 * 1000)

static int admin_stats(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "admin stats", NULL,
        SJ_HELP("Counts (members, wishes, events, dedup entries), store size "
                "and map use, group-commit batch sizes and commit latency "
                "since the broker started. Committee only."),
        NULL, 0};
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, "unexpected argument '%s'", argv[first]);
    Shangju__AdminStats st = SHANGJU__ADMIN_STATS__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_ADMIN_STATS;
    req.admin_stats = &st;
    return sj_cli_run(cli, &req);
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
                "NAME: 1-" SJ_STR(
                    SJ_MAX_BACKUP_NAME) " characters of A-Z a-z "
                                        "0-9 . _ - (no leading dot).\n"
                                        "Waits up to 10 minutes (or --timeout) "
                                        "for the copy. "
                                        "Committee only."),
        NULL, 0};
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 1)
        return sj_cli_usage(spec.path, "give one backup NAME");
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
        return sj_cli_usage(spec.path, "unexpected argument '%s'", argv[first]);
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
    {"stats", admin_stats, "store and group-commit statistics", NULL},
    {"backup", admin_backup, "hot, compacted backup of the store", NULL},
    {"verify", admin_verify, "check the store's consistency", NULL},
    {NULL, NULL, NULL, NULL},
};
