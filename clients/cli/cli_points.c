/* `shangju points ...`: reciprocity points (志愿积分) — a member's balance
 * and history, paying a member for a service its listing offers, the
 * yearly ranking, and the committee's closing of a year. */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <string.h>

#include "pbjson.h"

#define NARGS(a) (sizeof(a) / sizeof *(a)) /* of a table of columns */

/* Optional positional MEMBER (0 = oneself) of `path [MEMBER]`. */
static int opt_member(const char *path, int argc, char **argv, int first,
                      uint64_t *id)
{
    *id = 0;
    if (first >= argc)
        return SJ_CLI_OK;
    return sj_cli_one_id(path, argc, argv, first, id);
}

static int points_balance(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "points balance", "[MEMBER]",
        SJ_HELP("Show a points account: balance, points earned (issued by the "
                "alliance for closed wishes and performed compact items), "
                "spent on services, and received for one's own services. "
                "Without MEMBER, your own; the committee may name any "
                "member."),
        NULL, 0};
    Shangju__PointsBalance b = SHANGJU__POINTS_BALANCE__INIT;
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = opt_member(spec.path, argc, argv, first, &b.member_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_BALANCE;
    req.points_balance = &b;
    return sj_cli_run(cli, &req);
}

static int points_history(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__PointsHistory h = SHANGJU__POINTS_HISTORY__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"limit", SJ_CLI_U32, &h.limit, "N",
         SJ_HELP("entries per page (default {DEFAULT_PAGE})"), SJ_MAX_PAGE},
        {"after", SJ_CLI_U64, &h.after, "SEQ",
         SJ_HELP("only entries after ledger position SEQ")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "points history", "[MEMBER]",
        SJ_HELP("List the ledger entries of a member's account, oldest first, "
                "a page at a time (--after takes the 'next' cursor of the "
                "previous page). Without MEMBER, your own; the committee may "
                "name any member."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = opt_member(spec.path, argc, argv, first, &h.member_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_HISTORY;
    req.points_history = &h;
    return sj_cli_run(cli, &req);
}

static int points_transfer(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__PointsTransfer t = SHANGJU__POINTS_TRANSFER__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"memo", SJ_CLI_STR, &t.memo, "TEXT",
         SJ_HELP("a note kept with the payment"), SJ_MAX_NOTE},
        {"price", SJ_CLI_U32, &t.expected_points, "N",
         SJ_HELP("required: the price you agreed to, as the listing showed "
                 "it; a different current price is refused")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "points transfer", "MEMBER SERVICE --price N",
        SJ_HELP(
            "Pay MEMBER for SERVICE, a service named in MEMBER's listing (up "
            "to {MAX_NAME} characters), at the listing's price, which must be "
            "the N you agreed to. Refused (exit 1, FAILED_PRECONDITION) when "
            "your balance is short. Prints your account afterwards."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 2)
        return sj_cli_usage(spec.path, _("want MEMBER and SERVICE"));
    if (sj_cli_u64(argv[first], &t.to_member) != 0 || t.to_member == 0)
        return sj_cli_usage(spec.path,
                            _("MEMBER must be a positive number, not '%s'"),
                            argv[first]);
    if ((rc = sj_cli_text(spec.path, "SERVICE", argv[first + 1], SJ_MAX_NAME,
                          true)))
        return rc;
    t.service = argv[first + 1];
    if (t.expected_points == 0)
        return sj_cli_usage(spec.path, _("want --price N: the price you agreed "
                                         "to (merchant show MEMBER)"));
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
        return sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                             N_("the broker sent no ranking"));
    if (cli->opts.json)
        return sj_cli_print_reply(cli, reply);
    const Shangju__Ranking *r = reply->ranking;
    json_object *j = sj_pbjson_message(&r->base);
    if (!j)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
    printf(r->frozen ? _("%u: top members by points earned (year closed: "
                         "final)\n")
                     : _("%u: top members by points earned (so far)\n"),
           r->year);
    if (r->n_items)
        sj_cli_table_of(stdout, &shangju__rank_entry__descriptor, j, cols,
                        NARGS(cols));
    else
        printf(_("nobody has earned points in %u\n"), r->year);
    json_object_put(j);
    if (fflush(stdout) != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write output: %s"),
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

static int points_top(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__PointsTop t = SHANGJU__POINTS_TOP__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"year", SJ_CLI_U32, &t.year, "YEAR",
         SJ_HELP("e.g. 2024 (default: the current year in the community's "
                 "time zone)")},
        {"limit", SJ_CLI_U32, &t.limit, "N",
         SJ_HELP("how many (broker default when absent)"), SJ_MAX_TOP},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "points top", NULL,
        SJ_HELP("The members who earned the most points in a year (this year "
                "by default), most first; ties go to the lower member id. "
                "Once the committee has closed the year, its ranking is final "
                "and never changes."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_TOP;
    req.points_top = &t;
    return run_ranking(cli, &req);
}

static int points_close_year(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "points close-year", "YEAR",
        SJ_HELP("Close YEAR (the current one or a past one): its ranking is "
                "frozen as it stands (up to {MAX_RANKING} members) and later "
                "activity never changes it. A year is closed once. Committee "
                "only. Prints the frozen ranking."),
        NULL, 0};
    Shangju__PointsCloseYear y = SHANGJU__POINTS_CLOSE_YEAR__INIT;
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (argc - first != 1)
        return sj_cli_usage(spec.path, _("want one YEAR"));
    if (sj_cli_u32(argv[first], &y.year) != 0 || y.year == 0)
        return sj_cli_usage(spec.path,
                            _("YEAR must be a year like 2024, not '%s'"),
                            argv[first]);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_CLOSE_YEAR;
    req.points_close_year = &y;
    return run_ranking(cli, &req);
}

const sj_cli_cmd_t sj_cli_points_cmds[] = {
    {"balance", points_balance, SJ_HELP("a points account"), NULL},
    {"history", points_history, SJ_HELP("the ledger entries of an account"),
     NULL},
    {"transfer", points_transfer, SJ_HELP("pay a member for a listed service"),
     NULL},
    {"top", points_top, SJ_HELP("a year's ranking by points earned"), NULL},
    {"close-year", points_close_year,
     SJ_HELP("freeze a year's ranking (committee)"), NULL},
    {NULL, NULL, NULL, NULL},
};
