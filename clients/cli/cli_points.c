/* `shangju points ...`: reciprocity points (志愿积分) — a member's balance
 * and history, paying a member for a service its listing offers, the
 * yearly ranking, and the committee's closing of a year. */
#include "cli.h"

#include <errno.h>
#include <string.h>

#include "pbjson.h"

#define NARGS(a) (sizeof(a) / sizeof *(a))

/* Optional positional MEMBER (0 = oneself) of `path [MEMBER]`. */
static int opt_member(const char *path, int argc, char **argv, int first,
                      uint64_t *id)
{
    *id = 0;
    if (first >= argc)
        return SJ_CLI_OK;
    return sj_cli_one_id(path, argc, argv, first, id);
}

static const char balance_help[] =
    "usage: shangju points balance [MEMBER]\n"
    "\n"
    "Show a points account: balance, points earned (issued by the alliance\n"
    "for closed wishes and performed compact items), spent on services, and\n"
    "received for one's own services. Without MEMBER, your own; the\n"
    "committee may name any member.\n";

static int points_balance(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "points balance";
    Shangju__PointsBalance b = SHANGJU__POINTS_BALANCE__INIT;
    int first;
    int rc = sj_cli_args(path, balance_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = opt_member(path, argc, argv, first, &b.member_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_BALANCE;
    req.points_balance = &b;
    return sj_cli_run(cli, &req);
}

static const char history_help[] =
    "usage: shangju points history [MEMBER] [--limit N] [--after SEQ]\n"
    "\n"
    "List the ledger entries of a member's account, oldest first, a page at\n"
    "a time (--after takes the 'next' cursor of the previous page). Without\n"
    "MEMBER, your own; the committee may name any member.\n"
    "\n"
    "  --limit N     entries per page (default 50, at most 500)\n"
    "  --after SEQ   only entries after ledger position SEQ\n";

static int points_history(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "points history";
    Shangju__PointsHistory h = SHANGJU__POINTS_HISTORY__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"limit", SJ_CLI_U32, &h.limit, NULL},
        {"after", SJ_CLI_U64, &h.after, NULL},
    };
    int rc =
        sj_cli_args(path, history_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = opt_member(path, argc, argv, first, &h.member_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_HISTORY;
    req.points_history = &h;
    return sj_cli_run(cli, &req);
}

static const char transfer_help[] =
    "usage: shangju points transfer MEMBER SERVICE [--memo TEXT]\n"
    "\n"
    "Pay MEMBER for SERVICE, a service named in MEMBER's listing, at the\n"
    "listing's price. Refused (exit 1, FAILED_PRECONDITION) when your\n"
    "balance is short. Prints your account afterwards.\n"
    "\n"
    "  --memo TEXT   a note kept with the payment (up to 500 bytes)\n";

static int points_transfer(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "points transfer";
    Shangju__PointsTransfer t = SHANGJU__POINTS_TRANSFER__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"memo", SJ_CLI_STR, &t.memo, NULL},
    };
    int rc =
        sj_cli_args(path, transfer_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 2)
        return sj_cli_usage(path, "want MEMBER and SERVICE");
    if (sj_cli_u64(argv[first], &t.to_member) != 0 || t.to_member == 0)
        return sj_cli_usage(path, "MEMBER must be a positive number, not '%s'",
                            argv[first]);
    t.service = argv[first + 1];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_TRANSFER;
    req.points_transfer = &t;
    return sj_cli_run(cli, &req);
}

/* A ranking: JSON as is, or a title line and a table for humans. */
static int print_ranking(sj_cli_t *cli, const Shangju__Reply *reply)
{
    static const char *const cols[] = {"rank", "member_id", "name", "earned"};
    if (reply->body_case != SHANGJU__REPLY__BODY_RANKING || !reply->ranking)
        return sj_cli_fail(SJ_CLI_EREPLY, "the broker sent no ranking");
    if (cli->opts.json)
        return sj_cli_print_reply(cli, reply);
    const Shangju__Ranking *r = reply->ranking;
    json_object *j = sj_pbjson_message(&r->base);
    if (!j)
        return sj_cli_fail(SJ_CLI_ELOCAL, "out of memory");
    printf("%u: top members by points earned%s\n", r->year,
           r->frozen ? " (closed: final)" : " (so far)");
    if (r->n_items)
        sj_cli_table(stdout, j, cols, NARGS(cols));
    else
        printf("nobody has earned points in %u\n", r->year);
    json_object_put(j);
    if (fflush(stdout) != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot write output: %s",
                           strerror(errno));
    return SJ_CLI_OK;
}

static int run_ranking(sj_cli_t *cli, Shangju__Request *req)
{
    Shangju__Reply *reply = NULL;
    int rc = sj_cli_call(cli, req, &reply);
    if (rc != SJ_CLI_OK)
        return rc;
    rc = print_ranking(cli, reply);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}

static const char top_help[] =
    "usage: shangju points top [--year YEAR] [--limit N]\n"
    "\n"
    "The members who earned the most points in a year (this year by\n"
    "default), most first; ties go to the lower member id. Once the\n"
    "committee has closed the year, its ranking is final and never\n"
    "changes.\n"
    "\n"
    "  --year YEAR   e.g. 2024 (default: the current year, UTC)\n"
    "  --limit N     how many (default 10, at most 100)\n";

static int points_top(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "points top";
    Shangju__PointsTop t = SHANGJU__POINTS_TOP__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"year", SJ_CLI_U32, &t.year, NULL},
        {"limit", SJ_CLI_U32, &t.limit, NULL},
    };
    int rc = sj_cli_args(path, top_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_TOP;
    req.points_top = &t;
    return run_ranking(cli, &req);
}

static const char close_help[] =
    "usage: shangju points close-year YEAR\n"
    "\n"
    "Close YEAR (the current one or a past one): its ranking is frozen as\n"
    "it stands (up to 1000 members) and later activity never changes it.\n"
    "A year is closed once. Committee only. Prints the frozen ranking.\n";

static int points_close_year(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "points close-year";
    Shangju__PointsCloseYear y = SHANGJU__POINTS_CLOSE_YEAR__INIT;
    int first;
    int rc = sj_cli_args(path, close_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 1)
        return sj_cli_usage(path, "want one YEAR");
    if (sj_cli_u32(argv[first], &y.year) != 0 || y.year == 0)
        return sj_cli_usage(path, "YEAR must be a year like 2024, not '%s'",
                            argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_CLOSE_YEAR;
    req.points_close_year = &y;
    return run_ranking(cli, &req);
}

static const sj_cli_cmd_t points_cmds[] = {
    {"balance", points_balance, "a points account"},
    {"history", points_history, "the ledger entries of an account"},
    {"transfer", points_transfer, "pay a member for a listed service"},
    {"top", points_top, "a year's ranking by points earned"},
    {"close-year", points_close_year, "freeze a year's ranking (committee)"},
    {NULL, NULL, NULL},
};

int sj_cli_points(sj_cli_t *cli, int argc, char **argv)
{
    return sj_cli_dispatch(cli, "points", points_cmds, argc - 1, argv + 1);
}
