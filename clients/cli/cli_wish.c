/* `shangju wish ...`: the wish lifecycle from the command line: post,
 * list, show, cancel, claim, release, fulfil, confirm. Each subcommand
 * builds one request; the broker applies the rules. */
#include "cli.h"

#include <string.h>

#define NARGS(a) (sizeof(a) / sizeof *(a))

static const char post_help[] =
    "usage: shangju wish post TITLE [--details T] [--category C]\n"
    "                              [--for MEMBER_ID] [--expires-in-days N]\n"
    "\n"
    "Post a wish. Prints the new wish (with --json, its record with \"id\").\n"
    "\n"
    "  --details T          more about the wish\n"
    "  --category C         e.g. photo, food, repair\n"
    "  --for MEMBER_ID      post on behalf of this resident (committee,\n"
    "                       bridge)\n"
    "  --expires-in-days N  expiry (broker default when absent)\n";

static int wish_post(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "wish post";
    Shangju__WishPost post = SHANGJU__WISH_POST__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"details", SJ_CLI_STR, &post.details, NULL},
        {"category", SJ_CLI_STR, &post.category, NULL},
        {"for", SJ_CLI_U64, &post.for_member, NULL},
        {"expires-in-days", SJ_CLI_U32, &post.expires_in_days, NULL},
    };
    int rc =
        sj_cli_args(path, post_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first >= argc || !*argv[first])
        return sj_cli_usage(path, "missing TITLE");
    if (first + 1 < argc)
        return sj_cli_usage(path,
                            "unexpected argument '%s' (quote a title "
                            "with spaces)",
                            argv[first + 1]);
    post.title = argv[first];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &post;
    return sj_cli_run(cli, &req);
}

static const char list_help[] =
    "usage: shangju wish list [--state S] [--mine] [--community C]\n"
    "                         [--owner ID] [--limit N] [--after CURSOR]\n"
    "\n"
    "List wishes, a page at a time; a \"next: CURSOR\" line (with --json,\n"
    "\"next\") gives the --after value of the next page.\n"
    "\n"
    "  --state S       open, claimed, fulfilled, closed, cancelled, expired\n"
    "  --mine          residents: my wishes; merchants: wishes I claimed\n"
    "  --community C   only this community\n"
    "  --owner ID      one resident's wishes (committee, bridge)\n"
    "  --limit N       page size (broker default when absent)\n"
    "  --after CURSOR  continue after this cursor\n";

static int wish_list(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "wish list";
    Shangju__WishList wl = SHANGJU__WISH_LIST__INIT;
    int state = 0, first;
    const sj_cli_arg_t args[] = {
        {"state", SJ_CLI_ENUM, &state, &shangju__wish_state__descriptor},
        {"mine", SJ_CLI_FLAG, &wl.mine, NULL},
        {"community", SJ_CLI_STR, &wl.community, NULL},
        {"owner", SJ_CLI_U64, &wl.owner_id, NULL},
        {"limit", SJ_CLI_U32, &wl.limit, NULL},
        {"after", SJ_CLI_U64, &wl.after, NULL},
    };
    int rc =
        sj_cli_args(path, list_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    wl.state = (Shangju__WishState)state;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
    req.wish_list = &wl;
    return sj_cli_run(cli, &req);
}

static int wish_show(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] = "usage: shangju wish show ID\n\n"
                               "Show one wish.\n";
    Shangju__WishGet b = SHANGJU__WISH_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_GET;
    req.wish_get = &b;
    return sj_cli_run_on_id(cli, "wish show", help, NULL, 0, argc, argv, &b.id,
                            &req);
}

static int wish_cancel(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish cancel ID [--reason TEXT]\n\n"
        "Cancel an open wish (its owner or the committee).\n";
    Shangju__WishCancel b = SHANGJU__WISH_CANCEL__INIT;
    const sj_cli_arg_t args[] = {{"reason", SJ_CLI_STR, &b.reason, NULL}};
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CANCEL;
    req.wish_cancel = &b;
    return sj_cli_run_on_id(cli, "wish cancel", help, args, NARGS(args), argc,
                            argv, &b.id, &req);
}

static int wish_reissue_code(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish reissue-code ID\n\n"
        "Give a claimed wish a new hand-over code, e.g. after too many wrong\n"
        "tries locked the old one (committee).\n";
    Shangju__HandoverReissue b = SHANGJU__HANDOVER_REISSUE__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_HANDOVER_REISSUE;
    req.handover_reissue = &b;
    return sj_cli_run_on_id(cli, "wish reissue-code", help, NULL, 0, argc, argv,
                            &b.wish_id, &req);
}

static int wish_claim(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish claim ID [--due-in-days N]\n\n"
        "Claim an open wish for your shop (merchants). If the due date\n"
        "passes unfulfilled, the wish reopens and the lapse is recorded.\n\n"
        "  --due-in-days N  due date (broker default when absent)\n";
    Shangju__WishClaim b = SHANGJU__WISH_CLAIM__INIT;
    const sj_cli_arg_t args[] = {
        {"due-in-days", SJ_CLI_U32, &b.due_in_days, NULL}};
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &b;
    return sj_cli_run_on_id(cli, "wish claim", help, args, NARGS(args), argc,
                            argv, &b.id, &req);
}

static int wish_release(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish release ID [--reason TEXT]\n\n"
        "Give up your claim; the wish is open again.\n";
    Shangju__WishRelease b = SHANGJU__WISH_RELEASE__INIT;
    const sj_cli_arg_t args[] = {{"reason", SJ_CLI_STR, &b.reason, NULL}};
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_RELEASE;
    req.wish_release = &b;
    return sj_cli_run_on_id(cli, "wish release", help, args, NARGS(args), argc,
                            argv, &b.id, &req);
}

static int wish_fulfil(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish fulfil ID [--note TEXT] [--code CODE]\n\n"
        "Mark a wish you claimed as fulfilled.\n\n"
        "  --note TEXT  what was done\n"
        "  --code CODE  the hand-over code from the resident's wish QR\n";
    Shangju__WishFulfil b = SHANGJU__WISH_FULFIL__INIT;
    const sj_cli_arg_t args[] = {
        {"note", SJ_CLI_STR, &b.note, NULL},
        {"code", SJ_CLI_STR, &b.handover_code, NULL},
    };
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_FULFIL;
    req.wish_fulfil = &b;
    return sj_cli_run_on_id(cli, "wish fulfil", help, args, NARGS(args), argc,
                            argv, &b.id, &req);
}

static int wish_confirm(sj_cli_t *cli, int argc, char **argv)
{
    static const char help[] =
        "usage: shangju wish confirm ID [--thanks TEXT] [--rating 1-5]\n\n"
        "Confirm a fulfilled wish and close it (its owner).\n\n"
        "  --thanks TEXT  a thank-you note for the merchant\n"
        "  --rating N     1 (poor) to 5 (excellent)\n";
    Shangju__WishConfirm b = SHANGJU__WISH_CONFIRM__INIT;
    const sj_cli_arg_t args[] = {
        {"thanks", SJ_CLI_STR, &b.thanks, NULL},
        {"rating", SJ_CLI_U32, &b.rating, NULL},
    };
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CONFIRM;
    req.wish_confirm = &b;
    int first;
    int rc = sj_cli_args("wish confirm", help, args, NARGS(args), argc, argv,
                         &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (b.rating > 5) /* 0 means no rating, as on the wire */
        return sj_cli_usage("wish confirm", "--rating must be 1 to 5");
    if ((rc = sj_cli_one_id("wish confirm", argc, argv, first, &b.id)) != 0)
        return rc;
    return sj_cli_run(cli, &req);
}

static const sj_cli_cmd_t wish_cmds[] = {
    {"post", wish_post, "post a wish"},
    {"list", wish_list, "list wishes"},
    {"show", wish_show, "show one wish"},
    {"cancel", wish_cancel, "cancel a wish"},
    {"claim", wish_claim, "claim a wish (merchants)"},
    {"release", wish_release, "give up a claim"},
    {"fulfil", wish_fulfil, "mark a claimed wish fulfilled"},
    {"confirm", wish_confirm, "confirm fulfilment, thank and rate"},
    {"reissue-code", wish_reissue_code, "new hand-over code (committee)"},
    {NULL, NULL, NULL},
};

int sj_cli_wish(sj_cli_t *cli, int argc, char **argv)
{
    return sj_cli_dispatch(cli, "wish", wish_cmds, argc - 1, argv + 1);
}
