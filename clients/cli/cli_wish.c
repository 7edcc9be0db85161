/* `shangju wish ...`: the wish lifecycle from the command line: post,
 * list, show, cancel, claim, release, fulfil, confirm. Each subcommand
 * builds one request; the broker applies the rules. */
#include "cli.h"
#include "pbjson.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int wish_post(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishPost post = SHANGJU__WISH_POST__INIT;
    int first;
    const sj_cli_arg_t args[] = {
        {"details", SJ_CLI_STR, &post.details, "TEXT",
         SJ_HELP("more about the wish"), SJ_MAX_DETAILS},
        {"category", SJ_CLI_STR, &post.category, "C",
         SJ_HELP("e.g. photo, food, repair"), SJ_MAX_CATEGORY},
        {"for", SJ_CLI_U64, &post.for_member, "MEMBER_ID",
         SJ_HELP("post on behalf of this resident (committee, bridge)")},
        {"expires-in-days", SJ_CLI_U32, &post.expires_in_days, "N",
         SJ_HELP("expiry (broker default when absent)")},
    };
    const sj_cli_spec_t spec =
        SJ_CLI_SPEC("wish post", "TITLE",
                    SJ_HELP("Post a wish, TITLE up to {MAX_TITLE} characters "
                            "(quote it when it has spaces). Prints the new "
                            "wish (with --json, its record with \"id\")."),
                    args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first + 1 < argc)
        return sj_cli_usage(spec.path,
                            _("unexpected argument '%s' (quote a title "
                              "with spaces)"),
                            argv[first + 1]);
    if ((rc = sj_cli_text(spec.path, "TITLE", first < argc ? argv[first] : "",
                          SJ_MAX_TITLE, true)))
        return rc;
    post.title = argv[first];
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &post;
    return sj_cli_run(cli, &req);
}

/* One page newest first: as any page, but the line under the table names
 * --before, the option that takes its cursor (--json keeps "next"). */
static int wish_list_newest(sj_cli_t *cli, Shangju__Request *req)
{
    Shangju__Reply *r;
    int rc = sj_cli_call(cli, req, &r);
    if (rc != SJ_CLI_OK)
        return rc;
    uint64_t next = 0;
    if (!cli->opts.json && r->body_case == SHANGJU__REPLY__BODY_WISHES) {
        next = r->wishes->next;
        r->wishes->next = 0; /* said below instead */
    }
    rc = sj_cli_print_reply(cli, r);
    shangju__reply__free_unpacked(r, NULL);
    if (rc == SJ_CLI_OK && next &&
        (printf(_("more: the next page is --before %llu\n"),
                (unsigned long long)next) < 0 ||
         fflush(stdout) != 0))
        rc = sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write output: %s"),
                         strerror(errno));
    return rc;
}

/* `wish list --all`: follow the cursor until the broker has no more, then
 * print every wish as one table (with --json, one array). The pages stay
 * alive in replies until printed; a cursor that does not move on is the
 * broker's fault, reported rather than followed for ever. */
static int wish_list_all(sj_cli_t *cli, Shangju__Request *req)
{
    Shangju__WishList *wl = req->wish_list;
    Shangju__Reply **replies = NULL, *r = NULL;
    Shangju__Wish **all = NULL;
    size_t n_replies = 0, n = 0;
    int rc;
    for (;;) {
        if ((rc = sj_cli_call(cli, req, &r)) != SJ_CLI_OK)
            goto done;
        if (r->body_case != SHANGJU__REPLY__BODY_WISHES) {
            rc = sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                               _("the reply holds no wishes"));
            goto done;
        }
        Shangju__WishPage *p = r->wishes;
        Shangju__Reply **kept =
            realloc(replies, (n_replies + 1) * sizeof *kept);
        Shangju__Wish **grown =
            kept ? realloc(all, (n + p->n_items + 1) * sizeof *grown) : NULL;
        if (kept)
            replies = kept;
        if (!grown) {
            rc = sj_cli_fail(SJ_CLI_ELOCAL, "%s", _("out of memory"));
            goto done;
        }
        all = grown;
        replies[n_replies++] = r;
        r = NULL;
        for (size_t i = 0; i < p->n_items; i++)
            all[n++] = p->items[i];
        if (!p->next)
            break;
        uint64_t *cursor = wl->newest_first ? &wl->before : &wl->after;
        if (wl->newest_first ? (*cursor && p->next >= *cursor)
                             : p->next <= *cursor) {
            rc = sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                               _("the broker's cursor did not move on"));
            goto done;
        }
        *cursor = p->next;
    }
    if (cli->opts.json) {
        json_object *a = json_object_new_array_ext((int)n);
        for (size_t i = 0; a && i < n; i++) {
            json_object *v = sj_pbjson_message(&all[i]->base);
            if (!v || json_object_array_add(a, v) != 0) {
                json_object_put(v);
                json_object_put(a);
                a = NULL;
            }
        }
        rc = sj_cli_emit(a);
    } else {
        Shangju__WishPage page = SHANGJU__WISH_PAGE__INIT;
        page.items = all;
        page.n_items = n;
        Shangju__Reply one = SHANGJU__REPLY__INIT;
        one.body_case = SHANGJU__REPLY__BODY_WISHES;
        one.wishes = &page;
        rc = sj_cli_print_reply(cli, &one);
    }
done:
    if (r)
        shangju__reply__free_unpacked(r, NULL);
    for (size_t i = 0; i < n_replies; i++)
        shangju__reply__free_unpacked(replies[i], NULL);
    free(replies);
    free(all);
    return rc;
}

static int wish_list(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishList wl = SHANGJU__WISH_LIST__INIT;
    int state = 0, first;
    protobuf_c_boolean oldest = false, every = false;
    const sj_cli_arg_t args[] = {
        {"state", SJ_CLI_ENUM, &state, "S", SJ_HELP("only wishes in state S"),
         .en = &shangju__wish_state__descriptor},
        {"mine", SJ_CLI_FLAG, &wl.mine, NULL,
         SJ_HELP("residents: my wishes; merchants: wishes I claimed")},
        {"community", SJ_CLI_STR, &wl.community, "C",
         SJ_HELP("only this community (upper or lower case alike)"),
         SJ_MAX_COMMUNITY},
        {"category", SJ_CLI_STR, &wl.category, "C",
         SJ_HELP("only this category (upper or lower case alike)"),
         SJ_MAX_CATEGORY},
        {"owner", SJ_CLI_U64, &wl.owner_id, "ID",
         SJ_HELP("one resident's wishes (committee, bridge)")},
        {"limit", SJ_CLI_U32, &wl.limit, "N",
         SJ_HELP("page size (default {DEFAULT_PAGE})"), SJ_MAX_PAGE},
        {"before", SJ_CLI_U64, &wl.before, "CURSOR",
         SJ_HELP("continue below this cursor (newest first)")},
        {"after", SJ_CLI_U64, &wl.after, "CURSOR",
         SJ_HELP("continue after this cursor (oldest first)")},
        {"oldest-first", SJ_CLI_FLAG, &oldest, NULL,
         SJ_HELP("oldest first, as --after pages")},
        {"all", SJ_CLI_FLAG, &every, NULL,
         SJ_HELP("every page, printed as one list")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish list", NULL,
        SJ_HELP("List wishes, newest first, a page at a time; a \"next: "
                "CURSOR\" line (with --json, \"next\") gives the --before "
                "value of the next page (--after with --oldest-first). --all "
                "follows it to the end and prints one list (with --json, one "
                "array)."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    wl.state = (Shangju__WishState)state;
    /* People see the newest first; --after pages as it always did. */
    wl.newest_first = !oldest && !wl.after;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
    req.wish_list = &wl;
    if (!every)
        return wl.newest_first ? wish_list_newest(cli, &req)
                               : sj_cli_run(cli, &req);
    if (!wl.limit)
        wl.limit = SJ_MAX_PAGE; /* fewer round trips; bytes still cap */
    return wish_list_all(cli, &req);
}

static int wish_show(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {"wish show", "ID",
                                       SJ_HELP("Show one wish."), NULL, 0};
    Shangju__WishGet b = SHANGJU__WISH_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_GET;
    req.wish_get = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int wish_cancel(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishCancel b = SHANGJU__WISH_CANCEL__INIT;
    const sj_cli_arg_t args[] = {
        {"reason", SJ_CLI_STR, &b.reason, "TEXT",
         SJ_HELP("why, for the record"), SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish cancel", "ID",
        SJ_HELP("Cancel an open wish (its owner or the committee)."), args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CANCEL;
    req.wish_cancel = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int wish_reissue_code(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "wish reissue-code", "ID",
        SJ_HELP("Give a claimed wish a new hand-over code, e.g. after too "
                "many wrong tries locked the old one (committee)."),
        NULL, 0};
    Shangju__HandoverReissue b = SHANGJU__HANDOVER_REISSUE__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_HANDOVER_REISSUE;
    req.handover_reissue = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.wish_id, &req);
}

static int wish_claim(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishClaim b = SHANGJU__WISH_CLAIM__INIT;
    const sj_cli_arg_t args[] = {
        {"due-in-days", SJ_CLI_U32, &b.due_in_days, "N",
         SJ_HELP("due date (broker default when absent)")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish claim", "ID",
        SJ_HELP("Claim an open wish for your shop (merchants). If the due "
                "date passes unfulfilled, the wish reopens and the lapse is "
                "recorded."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int wish_release(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishRelease b = SHANGJU__WISH_RELEASE__INIT;
    const sj_cli_arg_t args[] = {
        {"reason", SJ_CLI_STR, &b.reason, "TEXT",
         SJ_HELP("why, for the resident"), SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish release", "ID",
        SJ_HELP("Give up your claim; the wish is open again."), args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_RELEASE;
    req.wish_release = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

int sj_cli_handover_code(const char *arg, uint64_t *id, char *code, size_t cap)
{
    char buf[512];
    const char *s = sj_cli_halfwidth(arg, buf, sizeof buf), *w, *q;
    bool url = false;
    *id = 0;
    if (!s)
        return SJ_EINVAL;
    /* A URL: the last "/w/" path step, then the code parameter. */
    if (strstr(s, "://") || strstr(s, "/w/")) {
        const char *p = strstr(s, "/w/");
        if (!p)
            return SJ_EINVAL;
        while ((q = strstr(p + 1, "/w/")))
            p = q;
        w = p + 3;
        size_t digits = strspn(w, "0123456789");
        if (!digits || digits > 19 || w[digits] != '?')
            return SJ_EINVAL;
        *id = strtoull(w, NULL, 10);
        q = w + digits; /* "?code=..." or "?a=b&code=..." */
        const char *c = NULL;
        for (const char *t = q; t && *t && *t != '#'; t = strchr(t + 1, '&')) {
            if (strncmp(t + 1, "code=", 5) == 0) {
                c = t + 6;
                break;
            }
        }
        if (!c || *id == 0)
            return SJ_EINVAL;
        s = c;
        url = true;
    }
    size_t n = strcspn(s, "&# ");
    if (n == 0 || n > SJ_HANDOVER_CODE_LEN || n >= cap || s[n] == ' ')
        return SJ_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return SJ_EINVAL;
    if (s[n] && !url) /* trailing junk after a bare code */
        return SJ_EINVAL;
    memcpy(code, s, n);
    code[n] = '\0';
    return SJ_OK;
}

static int wish_fulfil(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishFulfil b = SHANGJU__WISH_FULFIL__INIT;
    const char *code_arg = NULL;
    char code[SJ_HANDOVER_CODE_LEN + 1];
    uint64_t url_id = 0;
    int first, rc;
    const sj_cli_arg_t args[] = {
        {"note", SJ_CLI_STR, &b.note, "TEXT", SJ_HELP("what was done"),
         SJ_MAX_NOTE},
        {"code", SJ_CLI_LOCAL, &code_arg, "CODE",
         SJ_HELP("the hand-over code from the resident's wish QR, or the "
                 "whole scanned URL (…/w/ID?code=CODE; then ID may be left "
                 "out)")},
    };
    const sj_cli_spec_t spec =
        SJ_CLI_SPEC("wish fulfil", "[ID]",
                    SJ_HELP("Mark a wish you claimed as fulfilled."), args);
    if ((rc = sj_cli_args(&spec, argc, argv, &first)) != SJ_CLI_CONTINUE)
        return rc;
    if (code_arg) {
        if (sj_cli_handover_code(code_arg, &url_id, code, sizeof code))
            return sj_cli_usage(spec.path,
                                _("--code wants the hand-over code (up to %d "
                                  "letters and digits) or the scanned URL "
                                  "…/w/ID?code=CODE, not '%s'"),
                                SJ_HANDOVER_CODE_LEN, code_arg);
        b.handover_code = code;
    }
    if (url_id && first >= argc)
        b.id = url_id;
    else if ((rc = sj_cli_one_id(spec.path, argc, argv, first, &b.id)))
        return rc;
    if (url_id && b.id != url_id)
        return sj_cli_usage(
            spec.path, _("the scanned code is for wish %llu, not %llu"),
            (unsigned long long)url_id, (unsigned long long)b.id);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_FULFIL;
    req.wish_fulfil = &b;
    return sj_cli_run(cli, &req);
}

static int wish_confirm(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishConfirm b = SHANGJU__WISH_CONFIRM__INIT;
    const sj_cli_arg_t args[] = {
        {"thanks", SJ_CLI_STR, &b.thanks, "TEXT",
         SJ_HELP("a thank-you note for the merchant"), SJ_MAX_NOTE},
        {"rating", SJ_CLI_U32, &b.rating, "N",
         SJ_HELP("1 (poor) to {MAX_STARS} (excellent); none when absent"),
         SJ_MAX_STARS},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish confirm", "ID",
        SJ_HELP("Confirm a fulfilled wish and close it (its owner)."), args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CONFIRM;
    req.wish_confirm = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int wish_dispute(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__WishDispute b = SHANGJU__WISH_DISPUTE__INIT;
    const sj_cli_arg_t args[] = {
        {"text", SJ_CLI_STR, &b.text, "TEXT",
         SJ_HELP("required: what went wrong"), SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "wish dispute", "ID",
        SJ_HELP("Dispute a fulfilment made without the hand-over code (the "
                "wish's owner, their bridge or the committee): it does not "
                "close or pay; the committee confirms it (wish confirm) or "
                "reopens it (wish release)."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_DISPUTE;
    req.wish_dispute = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

const sj_cli_cmd_t sj_cli_wish_cmds[] = {
    {"post", wish_post, SJ_HELP("post a wish"), NULL},
    {"list", wish_list, SJ_HELP("list wishes"), NULL},
    {"show", wish_show, SJ_HELP("show one wish"), NULL},
    {"cancel", wish_cancel, SJ_HELP("cancel a wish"), NULL},
    {"claim", wish_claim, SJ_HELP("claim a wish (merchants)"), NULL},
    {"release", wish_release, SJ_HELP("give up a claim"), NULL},
    {"fulfil", wish_fulfil, SJ_HELP("mark a claimed wish fulfilled"), NULL},
    {"confirm", wish_confirm, SJ_HELP("confirm fulfilment, thank and rate"),
     NULL},
    {"dispute", wish_dispute, SJ_HELP("dispute an unverified fulfilment"),
     NULL},
    {"reissue-code", wish_reissue_code,
     SJ_HELP("new hand-over code (committee)"), NULL},
    {NULL, NULL, NULL, NULL},
};
