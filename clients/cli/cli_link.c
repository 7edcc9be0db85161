/* `shangju member link|unlink|invite`: the committee ties residents (or
 * committee members) to their chat handle on a chat bridge, directly or
 * through a one-time invite code the resident sends to the bridge. */
#include "cli.h"

#include <stdio.h>

#define NARGS(a) (sizeof(a) / sizeof *(a))

static const char link_help[] =
    "usage: shangju member link ID --chat HANDLE [--bridge BRIDGE_ID]\n"
    "\n"
    "Link chat handle HANDLE on a chat bridge to member ID (a resident, or\n"
    "a committee member who then acts for residents through the bridge).\n"
    "Handles are unique per bridge. Without --bridge the only bridge there\n"
    "is is used.\n"
    "\n"
    "  --chat HANDLE      the handle as the bridge sees it (e.g. a JID)\n"
    "  --bridge ID        the bridge member\n";

int sj_cli_member_link(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member link";
    Shangju__MemberLink l = SHANGJU__MEMBER_LINK__INIT;
    const sj_cli_arg_t args[] = {
        {"chat", SJ_CLI_STR, &l.chat_handle, NULL},
        {"bridge", SJ_CLI_U64, &l.bridge_id, NULL},
    };
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_LINK;
    req.member_link = &l;
    return sj_cli_run_on_id(cli, path, link_help, args, NARGS(args), argc, argv,
                            &l.id, &req);
}

static const char unlink_help[] =
    "usage: shangju member unlink ID\n"
    "\n"
    "Remove member ID's chat handle and bridge link (and any open invite).\n";

int sj_cli_member_unlink(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberUnlink u = SHANGJU__MEMBER_UNLINK__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_UNLINK;
    req.member_unlink = &u;
    return sj_cli_run_on_id(cli, "member unlink", unlink_help, NULL, 0, argc,
                            argv, &u.id, &req);
}

static const char invite_help[] =
    "usage: shangju member invite ID [--bridge BRIDGE_ID] [--hours H]\n"
    "\n"
    "Issue a one-time invite code for member ID and print it. The member\n"
    "sends \"加入 CODE\" (or \"join CODE\") to the chat bridge to link their\n"
    "handle. The code works once, expires (default 72 hours, at most 720),\n"
    "and three wrong tries void it. A new invite replaces the previous one.\n"
    "\n"
    "  --bridge ID        only this bridge may redeem it\n"
    "  --hours H          validity in hours\n";

int sj_cli_member_invite(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member invite";
    Shangju__MemberInvite in = SHANGJU__MEMBER_INVITE__INIT;
    const sj_cli_arg_t args[] = {
        {"bridge", SJ_CLI_U64, &in.bridge_id, NULL},
        {"hours", SJ_CLI_U32, &in.valid_hours, NULL},
    };
    int first;
    int rc =
        sj_cli_args(path, invite_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &in.id)) != 0)
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_INVITE;
    req.member_invite = &in;
    Shangju__Reply *reply = NULL;
    if ((rc = sj_cli_call(cli, &req, &reply)) != 0)
        return rc;
    const Shangju__Invite *inv = reply->invite;
    if (reply->body_case != SHANGJU__REPLY__BODY_INVITE || !inv) {
        shangju__reply__free_unpacked(reply, NULL);
        return sj_cli_fail(SJ_CLI_EREPLY, "the broker sent no invite");
    }
    char until[32];
    sj_cli_time(inv->expires_at, until, sizeof until);
    if (cli->opts.json)
        printf("{\"member_id\":%llu,\"code\":\"%s\",\"expires_at\":%lld,"
               "\"bridge_id\":%llu}\n",
               (unsigned long long)inv->member_id, inv->code,
               (long long)inv->expires_at, (unsigned long long)inv->bridge_id);
    else
        printf("code:     %s\nmember:   %llu\nexpires:  %s\n"
               "The member sends \"加入 %s\" to the chat bridge.\n",
               inv->code, (unsigned long long)inv->member_id, until, inv->code);
    shangju__reply__free_unpacked(reply, NULL);
    return fflush(stdout) == 0 ? SJ_CLI_OK
                               : sj_cli_fail(SJ_CLI_ELOCAL, "cannot write");
}
