/* `shangju member ...`: register members (generating their key pair here,
 * so the secret never crosses the wire), list, show and suspend them. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define NARGS(a) (sizeof(a) / sizeof *(a))

static const char add_help[] =
    "usage: shangju member add --role ROLE --name NAME --key-out FILE\n"
    "                          [--community C] [--building B] [--contact T]\n"
    "                          [--chat-handle H] [--bridge ID]\n"
    "\n"
    "Register a member. A new CURVE key pair is generated on this machine;\n"
    "its secret key is written to FILE (mode 0600, never overwritten) before\n"
    "the public key is sent, and FILE is removed if the broker refuses.\n"
    "Hand FILE to the member. Prints the new member (with --json, its\n"
    "record including \"id\").\n"
    "\n"
    "  --role ROLE        resident, merchant, committee or bridge\n"
    "  --name NAME        display name\n"
    "  --community C      neighbourhood community\n"
    "  --building B       building (residents; building level only)\n"
    "  --contact T        private contact (phone, ...)\n"
    "  --chat-handle H    chat handle (bridge-linked residents)\n"
    "  --bridge ID        the bridge member allowed to act for this resident\n"
    "  --key-out FILE     where to write the new secret key file\n";

/* Reserve path with O_EXCL so an existing file is never replaced, then
 * write the key over the placeholder. Returns an exit code. */
static int write_key(const char *path, const sj_keypair_t *kp, const char *name)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return sj_cli_fail(SJ_CLI_ELOCAL, "refusing to overwrite '%s'", path);
    if (fd < 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot create '%s': %s", path,
                           strerror(errno));
    close(fd);
    if (sj_keyfile_save_secret(path, kp, name) != 0) {
        int e = errno;
        unlink(path);
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot write '%s': %s", path,
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
        return sj_cli_fail(SJ_CLI_ELOCAL, "cannot generate a key pair");
    rc = write_key(key_out, &kp, name);
    if (rc != 0)
        return rc;
    pub->data = kp.public_key;
    pub->len = SJ_KEY_BYTES;
    Shangju__Reply *reply = NULL;
    char note[PATH_MAX + 64];
    snprintf(note, sizeof note, " (key kept in '%s': the member may exist)",
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
    static const char path[] = "member add";
    Shangju__MemberAdd add = SHANGJU__MEMBER_ADD__INIT;
    const char *key_out = NULL;
    int role = 0, first;
    const sj_cli_arg_t args[] = {
        {"role", SJ_CLI_ENUM, &role, &shangju__role__descriptor},
        {"name", SJ_CLI_STR, &add.name, NULL},
        {"community", SJ_CLI_STR, &add.community, NULL},
        {"building", SJ_CLI_STR, &add.building, NULL},
        {"contact", SJ_CLI_STR, &add.contact, NULL},
        {"chat-handle", SJ_CLI_STR, &add.chat_handle, NULL},
        {"bridge", SJ_CLI_U64, &add.bridge_id, NULL},
        {"key-out", SJ_CLI_STR, &key_out, NULL},
    };
    int rc = sj_cli_args(path, add_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    if (!role)
        return sj_cli_usage(path, "--role is required");
    if (!add.name || !*add.name)
        return sj_cli_usage(path, "--name is required");
    if (!key_out || !*key_out)
        return sj_cli_usage(path, "--key-out is required");
    add.role = (Shangju__Role)role;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &add;
    return send_with_new_key(cli, &req, &add.public_key, key_out, add.name);
}

static const char rekey_help[] =
    "usage: shangju member rekey ID --key-out FILE\n"
    "\n"
    "Give member ID a new CURVE key: a new key pair is generated here, its\n"
    "secret written to FILE (mode 0600, never overwritten), and the public\n"
    "key registered in place of the old one, which is refused from then on.\n"
    "The committee may rekey anyone; a member may rekey themself (e.g.\n"
    "after a lost phone). The member's history is unchanged.\n"
    "\n"
    "  --key-out FILE     where to write the new secret key file\n";

static int member_rekey(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member rekey";
    Shangju__MemberRekey rk = SHANGJU__MEMBER_REKEY__INIT;
    const char *key_out = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"key-out", SJ_CLI_STR, &key_out, NULL},
    };
    int rc =
        sj_cli_args(path, rekey_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &rk.id)) != 0)
        return rc;
    if (!key_out || !*key_out)
        return sj_cli_usage(path, "--key-out is required");
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_REKEY;
    req.member_rekey = &rk;
    return send_with_new_key(cli, &req, &rk.public_key, key_out, "rekeyed");
}

static const char list_help[] =
    "usage: shangju member list [--role ROLE] [--limit N] [--after CURSOR]\n"
    "\n"
    "List members, a page at a time; a \"next: CURSOR\" line (with --json,\n"
    "\"next\") gives the --after value of the next page.\n"
    "\n"
    "  --role ROLE     only resident, merchant, committee or bridge\n"
    "  --limit N       page size (broker default when absent)\n"
    "  --after CURSOR  continue after this cursor\n";

static int member_list(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member list";
    Shangju__MemberList ml = SHANGJU__MEMBER_LIST__INIT;
    int role = 0, first;
    const sj_cli_arg_t args[] = {
        {"role", SJ_CLI_ENUM, &role, &shangju__role__descriptor},
        {"limit", SJ_CLI_U32, &ml.limit, NULL},
        {"after", SJ_CLI_U64, &ml.after, NULL},
    };
    int rc =
        sj_cli_args(path, list_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, "unexpected argument '%s'", argv[first]);
    ml.role = (Shangju__Role)role;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_LIST;
    req.member_list = &ml;
    return sj_cli_run(cli, &req);
}

static const char show_help[] = "usage: shangju member show ID\n"
                                "\n"
                                "Show one member.\n";

static int member_show(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member show";
    Shangju__MemberGet get = SHANGJU__MEMBER_GET__INIT;
    int first;
    int rc = sj_cli_args(path, show_help, NULL, 0, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &get.id)) != 0)
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_GET;
    req.member_get = &get;
    return sj_cli_run(cli, &req);
}

static const char suspend_help[] =
    "usage: shangju member suspend ID [--reason TEXT]\n"
    "\n"
    "Suspend a member: their key stops working for new requests.\n";

static int member_suspend(sj_cli_t *cli, int argc, char **argv)
{
    static const char path[] = "member suspend";
    Shangju__MemberSuspend sus = SHANGJU__MEMBER_SUSPEND__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"reason", SJ_CLI_STR, &sus.reason, NULL},
    };
    int rc =
        sj_cli_args(path, suspend_help, args, NARGS(args), argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &sus.id)) != 0)
        return rc;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_SUSPEND;
    req.member_suspend = &sus;
    return sj_cli_run(cli, &req);
}

static const sj_cli_cmd_t member_cmds[] = {
    {"add", member_add, "register a member and write their key file"},
    {"list", member_list, "list members"},
    {"show", member_show, "show one member"},
    {"suspend", member_suspend, "suspend a member"},
    {"rekey", member_rekey, "replace a member's key (old key refused)"},
    {"link", sj_cli_member_link, "link a chat handle on a bridge"},
    {"unlink", sj_cli_member_unlink, "remove a member's chat link"},
    {"invite", sj_cli_member_invite, "one-time code to join from chat"},
    {NULL, NULL, NULL},
};

int sj_cli_member(sj_cli_t *cli, int argc, char **argv)
{
    return sj_cli_dispatch(cli, "member", member_cmds, argc - 1, argv + 1);
}
