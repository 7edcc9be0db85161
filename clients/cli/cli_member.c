/* `shangju member ...`: register members (generating their key pair here,
 * so the secret never crosses the wire), list, show and suspend them. */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Reserve path with O_EXCL so an existing file is never replaced, then
 * write the key over the placeholder. Returns an exit code. */
static int write_key(const char *path, const sj_keypair_t *kp, const char *name)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("refusing to overwrite '%s'"),
                           path);
    if (fd < 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot create '%s': %s"), path,
                           strerror(errno));
    close(fd);
    if (sj_keyfile_save_secret(path, kp, name) != 0) {
        int e = errno;
        unlink(path);
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write '%s': %s"), path,
                           strerror(e));
    }
    return SJ_CLI_OK;
}

/* Generate a key pair, write its secret to key_out, point *pub at the
 * public key and send req; on refusal the key file is removed. Used by
 * `member add` and `member rekey`. Returns an exit code. */
static int send_with_new_key(sj_cli_t *cli, Shangju__Request *req,
                             ProtobufCBinaryData *pub, const char *key_out,
                             const char *name)
{
    sj_keypair_t kp;
    int rc = sj_cli_connect(cli); /* our own keys first: fail early */
    if (rc != 0)
        return rc;
    if (sj_keyfile_generate(&kp) != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s",
                           _("cannot generate a key pair"));
    rc = write_key(key_out, &kp, name);
    if (rc != 0)
        return rc;
    pub->data = kp.public_key;
    pub->len = SJ_KEY_BYTES;
    Shangju__Reply *reply = NULL;
    char note[PATH_MAX + 64];
    snprintf(note, sizeof note, _(" (key kept in '%s': the member may exist)"),
             key_out);
    rc = sj_cli_call_note(cli, req, &reply, note);
    memset(&kp, 0, sizeof kp);
    if (rc == SJ_CLI_EREPLY || rc == SJ_CLI_ELOCAL)
        unlink(key_out); /* refused: the key is useless */
    if (rc != 0)
        return rc;
    rc = sj_cli_print_reply(cli, reply);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}

static int member_add(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberAdd add = SHANGJU__MEMBER_ADD__INIT;
    const char *key_out = NULL;
    int role = 0, first;
    const sj_cli_arg_t args[] = {
        {"role", SJ_CLI_ENUM, &role, "ROLE", SJ_HELP("what the member is"),
         .en = &shangju__role__descriptor, .required = true},
        {"name", SJ_CLI_STR, &add.name, "NAME", SJ_HELP("display name"),
         SJ_MAX_NAME, .required = true},
        {"key-out", SJ_CLI_LOCAL, &key_out, "FILE",
         SJ_HELP("where to write the new secret key file"), .required = true},
        {"community", SJ_CLI_STR, &add.community, "C",
         SJ_HELP("neighbourhood community"), SJ_MAX_COMMUNITY},
        {"building", SJ_CLI_STR, &add.building, "B",
         SJ_HELP("building (residents; building level only)"), SJ_MAX_BUILDING},
        {"contact", SJ_CLI_STR, &add.contact, "T",
         SJ_HELP("private contact (phone, ...)"), SJ_MAX_CONTACT},
        {"chat-handle", SJ_CLI_STR, &add.chat_handle, "H",
         SJ_HELP("chat handle (bridge-linked residents)"), SJ_MAX_HANDLE,
         .bytes = true},
        {"bridge", SJ_CLI_U64, &add.bridge_id, "ID",
         SJ_HELP("the bridge member allowed to act for this resident")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "member add", NULL,
        SJ_HELP("Register a member. A new CURVE key pair is generated on this "
                "machine; its secret key is written to FILE (mode 0600, never "
                "overwritten) before the public key is sent, and FILE is "
                "removed if the broker refuses. Hand FILE to the member. "
                "Prints the new member (with --json, its record including "
                "\"id\")."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    if (!*add.name)
        return sj_cli_usage(spec.path, _("--name is empty"));
    if (!*key_out)
        return sj_cli_usage(spec.path, _("--key-out is empty"));
    add.role = (Shangju__Role)role;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &add;
    return send_with_new_key(cli, &req, &add.public_key, key_out, add.name);
}

static int member_rekey(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberRekey rk = SHANGJU__MEMBER_REKEY__INIT;
    const char *key_out = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"key-out", SJ_CLI_LOCAL, &key_out, "FILE",
         SJ_HELP("where to write the new secret key file"), .required = true},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "member rekey", "ID",
        SJ_HELP("Give member ID a new CURVE key: a new key pair is generated "
                "here, its secret written to FILE (mode 0600, never "
                "overwritten), and the public key registered in place of the "
                "old one, which is refused from then on. The committee may "
                "rekey anyone; a member may rekey themself (e.g. after a lost "
                "phone). The member's history is unchanged."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(spec.path, argc, argv, first, &rk.id)) != 0)
        return rc;
    if (!*key_out)
        return sj_cli_usage(spec.path, _("--key-out is empty"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_REKEY;
    req.member_rekey = &rk;
    return send_with_new_key(cli, &req, &rk.public_key, key_out, "rekeyed");
}

static int member_list(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberList ml = SHANGJU__MEMBER_LIST__INIT;
    int role = 0, first;
    const sj_cli_arg_t args[] = {
        {"role", SJ_CLI_ENUM, &role, "ROLE", SJ_HELP("only members of ROLE"),
         .en = &shangju__role__descriptor},
        {"limit", SJ_CLI_U32, &ml.limit, "N",
         SJ_HELP("page size (default {DEFAULT_PAGE})"), SJ_MAX_PAGE},
        {"after", SJ_CLI_U64, &ml.after, "CURSOR",
         SJ_HELP("continue after this cursor")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "member list", NULL,
        SJ_HELP("List members, a page at a time; a \"next: CURSOR\" line "
                "(with --json, \"next\") gives the --after value of the next "
                "page."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    ml.role = (Shangju__Role)role;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_LIST;
    req.member_list = &ml;
    return sj_cli_run(cli, &req);
}

static int member_show(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {"member show", "ID",
                                       SJ_HELP("Show one member."), NULL, 0};
    Shangju__MemberGet get = SHANGJU__MEMBER_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_GET;
    req.member_get = &get;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &get.id, &req);
}

static int member_suspend(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberSuspend sus = SHANGJU__MEMBER_SUSPEND__INIT;
    const sj_cli_arg_t args[] = {
        {"reason", SJ_CLI_STR, &sus.reason, "TEXT",
         SJ_HELP("why, for the record"), SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec =
        SJ_CLI_SPEC("member suspend", "ID",
                    SJ_HELP("Suspend a member: their key stops working for new "
                            "requests."),
                    args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_SUSPEND;
    req.member_suspend = &sus;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &sus.id, &req);
}

static int member_unsuspend(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__MemberUnsuspend uns = SHANGJU__MEMBER_UNSUSPEND__INIT;
    const sj_cli_arg_t args[] = {
        {"reason", SJ_CLI_STR, &uns.reason, "TEXT",
         SJ_HELP("why, for the record"), SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec =
        SJ_CLI_SPEC("member unsuspend", "ID",
                    SJ_HELP("Lift a member's suspension: their key works "
                            "again."),
                    args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_UNSUSPEND;
    req.member_unsuspend = &uns;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &uns.id, &req);
}

static int member_reveals(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "member reveals", "[ID]",
        SJ_HELP("Who was shown a resident's contact: every claim of their "
                "wishes (merchant, wish, when). Without ID, your own; the "
                "committee and the resident's bridge may name the "
                "resident."),
        NULL, 0};
    Shangju__ContactReveals r = SHANGJU__CONTACT_REVEALS__INIT;
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc &&
        (rc = sj_cli_one_id(spec.path, argc, argv, first, &r.member_id)))
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_CONTACT_REVEALS;
    req.contact_reveals = &r;
    return sj_cli_run(cli, &req);
}

const sj_cli_cmd_t sj_cli_member_cmds[] = {
    {"add", member_add, SJ_HELP("register a member and write their key file"),
     NULL},
    {"list", member_list, SJ_HELP("list members"), NULL},
    {"show", member_show, SJ_HELP("show one member"), NULL},
    {"suspend", member_suspend, SJ_HELP("suspend a member"), NULL},
    {"unsuspend", member_unsuspend, SJ_HELP("lift a member's suspension"),
     NULL},
    {"reveals", member_reveals, SJ_HELP("who was shown a resident's contact"),
     NULL},
    {"rekey", member_rekey, SJ_HELP("replace a member's key (old key refused)"),
     NULL},
    {"link", sj_cli_member_link, SJ_HELP("link a chat handle on a bridge"),
     NULL},
    {"unlink", sj_cli_member_unlink, SJ_HELP("remove a member's chat link"),
     NULL},
    {"invite", sj_cli_member_invite, SJ_HELP("one-time code to join from chat"),
     NULL},
    {NULL, NULL, NULL, NULL},
};
