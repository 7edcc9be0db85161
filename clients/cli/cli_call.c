/* How `shangju` talks to the broker: load the keys (with messages that
 * name the file), make the client, call, map every failure to an exit code
 * with one line on stderr, and print replies and events. */
#include "cli.h"
#include "client_probe.h"

#define PROBE_MS 1500 /* how long the diagnosis may take */

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cli_enums.h"
#include "i18n.h"
#include "pbjson.h"
#include "sj_reasons.h"

/* Load a key file; server says whether it is the broker's public key
 * (--server-key) or the member's own (--key), for the messages. */
static int load_key(const char *path, bool server, sj_keypair_t *kp)
{
    int rc = sj_keyfile_load(path, kp);
    if (rc == SJ_EIO)
        return sj_cli_fail(SJ_CLI_ELOCAL,
                           server ? _("cannot read the server key file '%s': "
                                      "%s")
                                  : _("cannot read the key file '%s': %s"),
                           path, strerror(errno));
    if (rc == SJ_EINVAL)
        return sj_cli_fail(SJ_CLI_ELOCAL,
                           server ? _("the server key file '%s' is not a "
                                      "valid key file")
                                  : _("the key file '%s' is not a valid key "
                                      "file"),
                           path);
    if (rc != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL,
                           server ? _("the server key file '%s': %s")
                                  : _("the key file '%s': %s"),
                           path, _(sj_strerror(rc)));
    return SJ_CLI_OK;
}

int sj_cli_connect(sj_cli_t *cli)
{
    if (cli->client)
        return SJ_CLI_OK;
    sj_keypair_t kp, server;
    int rc = load_key(cli->opts.key, false, &kp);
    if (rc == 0 && !kp.has_secret)
        rc =
            sj_cli_fail(SJ_CLI_ELOCAL, _("the key file '%s' has no secret key"),
                        cli->opts.key);
    if (rc == 0)
        rc = load_key(cli->opts.server_key, true, &server);
    if (rc != 0)
        return rc;
    sj_client_opts_t o = {
        .requests = cli->opts.requests,
        .events = cli->opts.events,
        .keypair = &kp,
        .server_key = server.public_key,
        .timeout_ms = cli->opts.timeout_ms,
    };
    int err = 0;
    cli->client = sj_client_new(&o, &err);
    memset(&kp, 0, sizeof kp);
    if (!cli->client)
        return sj_cli_fail(SJ_CLI_ELOCAL,
                           _("cannot set up the connection "
                             "(check --requests / --events): %s"),
                           _(sj_strerror(err)));
    return SJ_CLI_OK;
}

/* No reply: find out why with one watched connection, and say so with
 * the endpoint and the key involved. */
static int unreachable(sj_cli_t *cli, const char *note)
{
    const char *ep =
        cli->opts.requests ? cli->opts.requests : SJ_CLIENT_REQUESTS;
    sj_keypair_t kp, server;
    sj_probe_t why = SJ_PROBE_ERROR;
    if (sj_keyfile_load(cli->opts.key, &kp) == 0 &&
        sj_keyfile_load(cli->opts.server_key, &server) == 0) {
        sj_client_opts_t o = {
            .requests = ep, .keypair = &kp, .server_key = server.public_key};
        why = sj_client_probe(&o, PROBE_MS);
    }
    memset(&kp, 0, sizeof kp);
    note = note ? note : "";
    switch (why) {
    case SJ_PROBE_NOT_LISTENING:
        return sj_cli_fail(SJ_CLI_EREACH,
                           _("nothing is listening at %s — is the broker "
                             "running, and is --requests right?%s"),
                           ep, note);
    case SJ_PROBE_KEY_REFUSED:
        return sj_cli_fail(SJ_CLI_EREACH,
                           _("the broker at %s refused the key %s: it is not "
                             "registered, or its member is suspended%s"),
                           ep, cli->opts.key, note);
    case SJ_PROBE_HANDSHAKE:
        return sj_cli_fail(SJ_CLI_EREACH,
                           _("the secure handshake with %s failed: %s is "
                             "probably not this broker's public key%s"),
                           ep, cli->opts.server_key, note);
    case SJ_PROBE_OK:
        return sj_cli_fail(SJ_CLI_EREACH,
                           _("the broker at %s accepts the key %s but did not "
                             "answer in time (busy? try a larger "
                             "--timeout)%s"),
                           ep, cli->opts.key, note);
    default:
        return sj_cli_fail(SJ_CLI_EREACH,
                           _("no reply from the broker at %s (timeout)%s"), ep,
                           note);
    }
}

int sj_cli_call(sj_cli_t *cli, Shangju__Request *req, Shangju__Reply **reply)
{
    return sj_cli_call_note(cli, req, reply, NULL);
}

int sj_cli_call_note(sj_cli_t *cli, Shangju__Request *req,
                     Shangju__Reply **reply, const char *note)
{
    *reply = NULL;
    int rc = sj_cli_connect(cli);
    if (rc != 0)
        return rc;
    int err = sj_client_call(cli->client, req, reply);
    if (err == SJ_ETIMEOUT)
        return unreachable(cli, note);
    if (err == SJ_EINVAL)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("request too large to send"));
    if (err != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _(sj_strerror(err)));
    Shangju__Reply *r = *reply;
    if (r->status != SHANGJU__STATUS__STATUS_OK) {
        rc = sj_cli_print_refusal(cli, r);
        shangju__reply__free_unpacked(r, NULL);
        *reply = NULL;
        return rc;
    }
    return SJ_CLI_OK;
}

/* A refusal in the user's language: the sentence of its reason code
 * (proto/sj_reasons, shared by every client), else one by its status.
 * Never the broker's English message, which may name internals. */
static const char *refusal_text(const Shangju__Reply *r)
{
    const char *text = sj_reason_text(sj_reason_parse(r->reason));
    if (text)
        return _(text);
    switch (r->status) {
    case SHANGJU__STATUS__STATUS_NOT_FOUND:
        return _("Not found. Please check the number.");
    case SHANGJU__STATUS__STATUS_ALREADY_EXISTS:
        return _(sj_reason_text(SJ_R_STORE_EXISTS));
    case SHANGJU__STATUS__STATUS_PERMISSION_DENIED:
        return _("Sorry, that is not allowed.");
    case SHANGJU__STATUS__STATUS_FAILED_PRECONDITION:
        return _("That cannot be done in the present state.");
    case SHANGJU__STATUS__STATUS_INVALID_ARGUMENT:
        return _(sj_reason_text(SJ_R_ARG_INVALID));
    case SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED:
        return _("The service is busy. Please try again later.");
    case SHANGJU__STATUS__STATUS_UNAUTHENTICATED:
        return _(sj_reason_text(SJ_R_AUTH_UNKNOWN_KEY));
    default:
        return _(sj_reason_text(SJ_R_BROKER_INTERNAL));
    }
}

/* Report refusal r; text is what people read (NULL: refusal_text). */
static int refusal(sj_cli_t *cli, const Shangju__Reply *r, const char *text)
{
    const char *status = sj_status_name(r->status);
    const char *msg = r->message && *r->message ? r->message : "";
    const char *why = r->reason ? r->reason : "";
    if (cli->opts.json) {
        json_object *j = json_object_new_object();
        if (!j || sj_pbjson_add_string(j, "status", status) != 0 ||
            sj_pbjson_add_string(j, "message", msg) != 0 ||
            sj_pbjson_add_string(j, "reason", why) != 0) {
            json_object_put(j);
            return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
        }
        int rc = sj_cli_emit(j);
        if (rc != SJ_CLI_OK)
            return rc;
    }
    /* People read stderr, in both modes: the sentence in their language,
     * and the stable codes (status, reason) to quote when asking for
     * help. */
    if (!text)
        text = refusal_text(r);
    if (*why)
        return sj_cli_fail(SJ_CLI_EREPLY, "%s [%s %s]", text, status, why);
    return sj_cli_fail(SJ_CLI_EREPLY, "%s [%s]", text, status);
}

int sj_cli_print_refusal(sj_cli_t *cli, const Shangju__Reply *r)
{
    return refusal(cli, r, NULL);
}

int sj_cli_refuse(sj_cli_t *cli, Shangju__Status status, const char *fmt, ...)
{
    char msg[512], text[512];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    vsnprintf(msg, sizeof msg, fmt, ap); /* English, for --json */
    vsnprintf(text, sizeof text, _(fmt), again);
    va_end(again);
    va_end(ap);
    Shangju__Reply r = SHANGJU__REPLY__INIT;
    r.status = status;
    r.message = msg;
    return refusal(cli, &r, text);
}

int sj_cli_emit(json_object *j)
{
    if (!j)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
    int rc = sj_pbjson_print(stdout, j);
    json_object_put(j);
    if (rc != 0 || fflush(stdout) != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write output: %s"),
                           strerror(errno));
    return SJ_CLI_OK;
}

static const char *const member_cols[] = {"id",   "role",      "status",
                                          "name", "community", "building"};
static const char *const wish_cols[] = {"id", "state", "category", "community",
                                        "title"};
static const char *const event_cols[] = {"seq", "at", "topic", "actor_id"};
static const char *const compact_cols[] = {"id", "state", "version", "title"};
static const char *const entry_cols[] = {"seq",    "at",  "kind",
                                         "amount", "ref", "memo"};
static const char *const listing_cols[] = {"merchant_id", "category", "name",
                                           "address"};
static const char *const reveal_cols[] = {"merchant_id", "wish_id", "at"};

#define PAGE(p)                                                                \
    sj_pbjson_page((ProtobufCMessage *const *)(p)->items, (p)->n_items,        \
                   (p)->next)

static json_object *reply_body(const Shangju__Reply *r,
                               const char *const **cols, size_t *ncols);

/* The descriptor of the record r carries, or of its page's items. */
static const ProtobufCMessageDescriptor *
body_descriptor(const Shangju__Reply *r, bool page)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &shangju__reply__descriptor, (unsigned)r->body_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    const ProtobufCMessageDescriptor *d = f->descriptor;
    if (!page)
        return d;
    f = protobuf_c_message_descriptor_get_field_by_name(d, "items");
    return f && f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor : NULL;
}

/* The JSON of reply's record or page; *d is set to the record's (or the
 * page items') descriptor, *cols to a page's table columns. */
static json_object *reply_json(const Shangju__Reply *r,
                               const ProtobufCMessageDescriptor **d,
                               const char *const **cols, size_t *ncols)
{
    json_object *j = reply_body(r, cols, ncols);
    *d = body_descriptor(r, *cols != NULL);
    if (*d && *cols) {
        json_object *items = NULL;
        json_object_object_get_ex(j, "items", &items);
        for (size_t i = 0; items && i < json_object_array_length(items); i++)
            sj_cli_json_defaults(*d, json_object_array_get_idx(items, i));
    } else if (*d)
        sj_cli_json_defaults(*d, j);
    return j;
}

static json_object *reply_body(const Shangju__Reply *r,
                               const char *const **cols, size_t *ncols)
{
    switch (r->body_case) {
    case SHANGJU__REPLY__BODY_PONG:
        return sj_pbjson_message(&r->pong->base);
    case SHANGJU__REPLY__BODY_MEMBER:
        return sj_pbjson_message(&r->member->base);
    case SHANGJU__REPLY__BODY_WISH:
        return sj_pbjson_message(&r->wish->base);
    case SHANGJU__REPLY__BODY_MEMBERS:
        *cols = member_cols;
        *ncols = sizeof member_cols / sizeof *member_cols;
        return PAGE(r->members);
    case SHANGJU__REPLY__BODY_WISHES:
        *cols = wish_cols;
        *ncols = sizeof wish_cols / sizeof *wish_cols;
        return PAGE(r->wishes);
    case SHANGJU__REPLY__BODY_STATS:
        return sj_pbjson_message(&r->stats->base);
    case SHANGJU__REPLY__BODY_BACKUP:
        return sj_pbjson_message(&r->backup->base);
    case SHANGJU__REPLY__BODY_VERIFY:
        return sj_pbjson_message(&r->verify->base);
    case SHANGJU__REPLY__BODY_LISTING:
        return sj_pbjson_message(&r->listing->base);
    case SHANGJU__REPLY__BODY_COMPACT:
        return sj_pbjson_message(&r->compact->base);
    case SHANGJU__REPLY__BODY_COMPACTS:
        *cols = compact_cols;
        *ncols = sizeof compact_cols / sizeof *compact_cols;
        return PAGE(r->compacts);
    case SHANGJU__REPLY__BODY_ACCOUNT:
        return sj_pbjson_message(&r->account->base);
    case SHANGJU__REPLY__BODY_ENTRIES:
        *cols = entry_cols;
        *ncols = sizeof entry_cols / sizeof *entry_cols;
        return PAGE(r->entries);
    case SHANGJU__REPLY__BODY_RANKING:
        return sj_pbjson_message(&r->ranking->base);
    case SHANGJU__REPLY__BODY_REPORT:
        return sj_pbjson_message(&r->report->base);
    case SHANGJU__REPLY__BODY_LISTINGS:
        *cols = listing_cols;
        *ncols = sizeof listing_cols / sizeof *listing_cols;
        return PAGE(r->listings);
    case SHANGJU__REPLY__BODY_EVENTS:
        *cols = event_cols;
        *ncols = sizeof event_cols / sizeof *event_cols;
        return sj_pbjson_page((ProtobufCMessage *const *)r->events->items,
                              r->events->n_items, 0);
    case SHANGJU__REPLY__BODY_REVEALS:
        *cols = reveal_cols;
        *ncols = sizeof reveal_cols / sizeof *reveal_cols;
        return sj_pbjson_page((ProtobufCMessage *const *)r->reveals->items,
                              r->reveals->n_items, 0);
    default:
        return json_object_new_object();
    }
}

int sj_cli_print_reply(sj_cli_t *cli, const Shangju__Reply *reply)
{
    const char *const *cols = NULL;
    const ProtobufCMessageDescriptor *d = NULL;
    size_t ncols = 0;
    json_object *j = reply_json(reply, &d, &cols, &ncols);
    if (!j)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
    if (cli->opts.json)
        return sj_cli_emit(j);
    if (cols)
        sj_cli_table_of(stdout, d, j, cols, ncols);
    else
        sj_cli_show_msg(stdout, d, j);
    json_object_put(j);
    return fflush(stdout) == 0
               ? SJ_CLI_OK
               : sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write output: %s"),
                             strerror(errno));
}

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

/* "#12 2024-05-01 14:03:07 +08:00 wish claimed: wish 42 [claimed] Bake
 * mooncakes, by member 7", in the user's language. */
static void event_line(const Shangju__Event *ev)
{
    char when[48];
    sj_cli_time(ev->at, when, sizeof when);
    printf("#%llu %s %s", (unsigned long long)ev->seq, when,
           ev->topic ? sj_cli_code_label(ev->topic) : "");
    if (ev->body_case == SHANGJU__EVENT__BODY_WISH && ev->wish)
        printf(_(": wish %llu [%s] %s"), (unsigned long long)ev->wish->id,
               or_q(sj_cli_enum_name(&shangju__wish_state__descriptor,
                                     ev->wish->state)),
               ev->wish->title ? ev->wish->title : "");
    else if (ev->body_case == SHANGJU__EVENT__BODY_MEMBER && ev->member)
        printf(_(": member %llu [%s] %s"), (unsigned long long)ev->member->id,
               or_q(sj_cli_enum_name(&shangju__role__descriptor,
                                     ev->member->role)),
               ev->member->name ? ev->member->name : "");
    else if (ev->body_case == SHANGJU__EVENT__BODY_LISTING && ev->listing)
        printf(_(": merchant %llu [%s] %s"),
               (unsigned long long)ev->listing->merchant_id,
               ev->listing->category ? ev->listing->category : "",
               ev->listing->name ? ev->listing->name : "");
    else if (ev->body_case == SHANGJU__EVENT__BODY_COMPACT && ev->compact)
        printf(_(": compact %llu [%s] version %u %s"),
               (unsigned long long)ev->compact->id,
               or_q(sj_cli_enum_name(&shangju__compact_state__descriptor,
                                     ev->compact->state)),
               ev->compact->version,
               ev->compact->title ? ev->compact->title : "");
    else if (ev->body_case == SHANGJU__EVENT__BODY_ENTRY && ev->entry)
        printf(_(": member %llu %+lld points (%s)"),
               (unsigned long long)ev->entry->member_id,
               (long long)ev->entry->amount,
               ev->entry->kind ? sj_cli_code_label(ev->entry->kind) : "");
    if (ev->actor_id)
        printf(_(", by member %llu"), (unsigned long long)ev->actor_id);
    putchar('\n');
}

int sj_cli_print_event(sj_cli_t *cli, const Shangju__Event *ev)
{
    if (cli->opts.json)
        return sj_cli_emit(sj_cli_message_json(&ev->base));
    event_line(ev);
    if (fflush(stdout) != 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write output: %s"),
                           strerror(errno));
    return SJ_CLI_OK;
}

int sj_cli_run(sj_cli_t *cli, Shangju__Request *req)
{
    Shangju__Reply *reply = NULL;
    int rc = sj_cli_call(cli, req, &reply);
    if (rc != 0)
        return rc;
    rc = sj_cli_print_reply(cli, reply);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}
