/* `shangju member link|unlink|invite`: the committee ties residents (or
 * committee members) to their chat handle on a chat bridge, directly or
 * through a one-time invite code the resident sends to the bridge. */
#include "cli.h"
#include "i18n.h"

#include <stdio.h>

#include "pbjson.h"

int sj_cli_member_link(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberLink l = SHANGJU__MEMBER_LINK__INIT;
    const sj_cli_arg_t args[] = {
        {"chat", SJ_CLI_STR, &l.chat_handle, "HANDLE",
         SJ_HELP("the handle as the bridge sees it (e.g. a JID)"),
         SJ_MAX_HANDLE, .required = true, .bytes = true},
        {"bridge", SJ_CLI_U64, &l.bridge_id, "ID",
         SJ_HELP("the bridge member (default: the only bridge there is)")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "member link", "ID",
        SJ_HELP("Link chat handle HANDLE on a chat bridge to member ID (a "
                "resident, or a committee member who then acts for residents "
                "through the bridge). Handles are unique per bridge; any open "
                "invite of the member is withdrawn."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_LINK;
    req.member_link = &l;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &l.id, &req);
}

int sj_cli_member_unlink(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberUnlink u = SHANGJU__MEMBER_UNLINK__INIT;
    const sj_cli_spec_t spec = {
        "member unlink", "ID",
        SJ_HELP("Remove member ID's chat handle and bridge link, and any "
                "open invite."),
        NULL, 0};
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_UNLINK;
    req.member_unlink = &u;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &u.id, &req);
}

/* The invite in human form: the code is the point, so it comes first. */
static int print_invite(sj_cli_t *cli, const Shangju__Invite *inv)
{
    if (cli->opts.json)
        return sj_cli_emit(sj_cli_message_json(&inv->base));
    char until[48], member[24];
    const char *label[3] = {sj_cli_label("code"), sj_cli_label("member_id"),
                            sj_cli_label("expires_at")};
    size_t w = 0;
    for (int i = 0; i < 3; i++)
        w = sj_cli_width(label[i]) > w ? sj_cli_width(label[i]) : w;
    sj_cli_time(inv->expires_at, until, sizeof until);
    snprintf(member, sizeof member, "%llu", (unsigned long long)inv->member_id);
    const char *value[3] = {inv->code, member, until};
    for (int i = 0; i < 3; i++) {
        sj_cli_pad(stdout, label[i], w + 2);
        printf("%s\n", value[i]);
    }
    printf(_("The member sends \"加入 %s\" to the chat bridge.\n"), inv->code);
    return fflush(stdout) == 0
               ? SJ_CLI_OK
               : sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("cannot write"));
}

int sj_cli_member_invite(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberInvite in = SHANGJU__MEMBER_INVITE__INIT;
    const sj_cli_arg_t args[] = {
        {"bridge", SJ_CLI_U64, &in.bridge_id, "ID",
         SJ_HELP("only this bridge may redeem the code (default: any)")},
        {"hours", SJ_CLI_U32, &in.valid_hours, "H",
         SJ_HELP("validity in hours (default 72)"), SJ_MAX_INVITE_HOURS},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "member invite", "ID",
        SJ_HELP("Issue a one-time invite code for member ID and print it. The "
                "member sends \"加入 CODE\" (or \"join CODE\") to the chat "
                "bridge to link their handle. The code works once, expires, "
                "and three wrong tries void it. A new invite replaces the "
                "previous one."),
        args);
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(spec.path, argc, argv, first, &in.id)) != 0)
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_INVITE;
    req.member_invite = &in;
    Shangju__Reply *reply = NULL;
    if ((rc = sj_cli_call(cli, &req, &reply)) != 0)
        return rc;
    if (reply->body_case != SHANGJU__REPLY__BODY_INVITE || !reply->invite)
        rc = sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                           N_("the broker sent no invite"));
    else
        rc = print_invite(cli, reply->invite);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}
