/* `shangju compact ...`: the six steps of a partnership compact (六约) from
 * the command line (draft, edit, sign, publish, perform, complain, resolve,
 * rate, close, show, list; confirm a performance, dismiss a complaint),
 * saving a published notice, and checking one (`verify`: offline against
 * a pinned key, or with the key fetched from the broker and pinned). */
#include "cli.h"
#include "i18n.h"
#include "sj_limits.h"

#include "pbjson.h"
#include "signed_notice.h"
#include "sj_zone.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef unsigned long long ull;

/* ------------------------------------------------------------- parsing */

/* "YYYY-MM-DD" (midnight in the community's zone; with end, the midnight
 * after that day, so the day is in the term), "YYYY-MM-DD HH:MM[:SS]"
 * (local) or with a "Z" / "+08:00" suffix (that instant). A date that does
 * not exist (2027-02-30) is refused, never moved to another day. */
static int parse_when(const char *path, const char *opt, const char *s,
                      bool end, int64_t *ms)
{
    char buf[64]; /* full-width digits and '－' '：' typed in Chinese */
    const char *when = sj_cli_halfwidth(s, buf, sizeof buf);
    if (!when || sj_zone_parse(when, end, ms) != 0)
        return sj_cli_usage(path,
                            _("--%s wants a real date YYYY-MM-DD or "
                              "YYYY-MM-DD HH:MM[:SS][Z|+HH:MM] (%s), not '%s'"),
                            opt, sj_zone_name(), s);
    return SJ_CLI_OK;
}

/* The frequency the broker enforces, read from HOW_OFTEN when it is one
 * of daily / weekly / monthly / once (每天 每周 每月 一次) or N/day,
 * N/week, N/month, N/term; other text leaves the period unset (the broker
 * then allows once a day). */
static void parse_frequency(const char *how, Shangju__ServiceItem *it)
{
#define IP(x) SHANGJU__ITEM_PERIOD__ITEM_PERIOD_##x
    static const struct {
        const char *word, *word_zh, *unit;
        Shangju__ItemPeriod period;
    } units[] = {
        {"daily", "每天", "day", IP(DAY)},
        {"weekly", "每周", "week", IP(WEEK)},
        {"monthly", "每月", "month", IP(MONTH)},
        {"once", "一次", "term", IP(TERM)},
    };
#undef IP
    unsigned n = 0;
    int used = 0;
    char unit[8], buf[64];
    if (!(how = sj_cli_halfwidth(how, buf, sizeof buf))) /* "２/week" */
        return;
    bool counted = sscanf(how, "%u/%7[a-z]%n", &n, unit, &used) == 2 &&
                   (size_t)used == strlen(how) && n >= 1;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (counted ? strcmp(unit, units[i].unit) == 0
                    : strcmp(how, units[i].word) == 0 ||
                          strcmp(how, units[i].word_zh) == 0) {
            it->period = units[i].period;
            it->times = counted ? n : 1;
            return;
        }
}

/* "GIVER:RECEIVER:WHAT[:HOW_OFTEN]" into it (strings point into text,
 * which is modified). WHAT cannot hold ':'; HOW_OFTEN may. The separators
 * may be full-width ('：'), the ids full-width digits. */
static int parse_item(const char *path, char *text, Shangju__ServiceItem *it)
{
    shangju__service_item__init(it);
    char *f[3] = {text, NULL, NULL}, *how = NULL;
    for (int i = 1; i < 3; i++)
        if (!(f[i] = sj_cli_split(f[i - 1])))
            return sj_cli_usage(
                path, _("--item wants GIVER:RECEIVER:WHAT[:HOW_OFTEN]"));
    how = sj_cli_split(f[2]);
    if (sj_cli_u64(f[0], &it->giver_id) != 0 ||
        sj_cli_u64(f[1], &it->receiver_id) != 0)
        return sj_cli_usage(path, _("--item: GIVER and RECEIVER are member ids "
                                    "(RECEIVER 0 = the community)"));
    it->what = f[2];
    it->how_often = how ? how : (char *)"";
    parse_frequency(it->how_often, it);
    int rc;
    if ((rc = sj_cli_text(path, "--item WHAT", it->what, SJ_MAX_WHAT, true)) ||
        (rc = sj_cli_text(path, "--item HOW_OFTEN", it->how_often,
                          SJ_MAX_HOW_OFTEN, false)))
        return rc;
    return SJ_CLI_OK;
}

typedef struct {
    Shangju__ServiceItem items[SJ_CLI_MAX_LIST];
    Shangju__ServiceItem *ptrs[SJ_CLI_MAX_LIST];
    char covenant[SJ_UTF8_BYTES(SJ_MAX_COVENANT) + 2];
} item_buf_t;

static int parse_items(const char *path, sj_cli_list_t *l, item_buf_t *b)
{
    for (size_t i = 0; i < l->n; i++) {
        int rc = parse_item(path, l->items[i], &b->items[i]);
        if (rc != SJ_CLI_OK)
            return rc;
        b->ptrs[i] = &b->items[i];
    }
    return SJ_CLI_OK;
}

/* The covenant from --covenant TEXT or --covenant-file FILE (not both). */
static int covenant_arg(const char *path, const char *text, const char *file,
                        item_buf_t *b, char **out)
{
    if (text && file)
        return sj_cli_usage(path, _("give --covenant or --covenant-file"));
    *out = (char *)(text ? text : "");
    if (!file)
        return SJ_CLI_OK;
    FILE *f = fopen(file, "rb");
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot open '%s': %s"), file,
                           strerror(errno));
    size_t n = fread(b->covenant, 1, sizeof b->covenant - 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot read '%s'"), file);
    b->covenant[n] = '\0';
    /* Characters, as the broker counts them (issue 15). */
    if (n > SJ_UTF8_BYTES(SJ_MAX_COVENANT) ||
        sj_text_nfc_chars(b->covenant) > SJ_MAX_COVENANT)
        return sj_cli_usage(path, _("the covenant is at most %d characters"),
                            SJ_MAX_COVENANT);
    *out = b->covenant;
    return SJ_CLI_OK;
}

/* Fetch compact id; *reply is freed by the caller. */
static int get_compact(sj_cli_t *cli, uint64_t id, Shangju__Reply **reply)
{
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_GET;
    req.compact_get = &g;
    int rc = sj_cli_call(cli, &req, reply);
    if (rc == SJ_CLI_OK &&
        (*reply)->body_case != SHANGJU__REPLY__BODY_COMPACT) {
        shangju__reply__free_unpacked(*reply, NULL);
        *reply = NULL;
        return sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                             N_("the broker sent no compact"));
    }
    return rc;
}

static void hex(const ProtobufCBinaryData *b, char out[65])
{
    out[0] = '\0';
    if (b->len == 32)
        sodium_bin2hex(out, 65, b->data, 32);
}

/* ------------------------------------------------------- draft and edit */

/* The options draft and edit share. */
#define ITEM_ARG(list)                                                         \
    {                                                                          \
        "item", SJ_CLI_LIST, (list), "G:R:W[:H]",                              \
            SJ_HELP("member G gives W (up to {MAX_WHAT} characters, no ':') "  \
                    "to member R (0 = the community), how often H (up to "     \
                    "{MAX_HOW_OFTEN} characters; daily, weekly, monthly, "     \
                    "once or N/day, N/week, N/month, N/term is enforced, "     \
                    "other text counts as once a day)"),                       \
            .count = SJ_MAX_ITEMS                                              \
    }
#define COVENANT_ARGS(text, file)                                              \
    {"covenant",                                                               \
     SJ_CLI_STR,                                                               \
     (text),                                                                   \
     "TEXT",                                                                   \
     SJ_HELP("the code of conduct (信约)"),                                    \
     SJ_MAX_COVENANT},                                                         \
    {                                                                          \
        "covenant-file", SJ_CLI_LOCAL, (file), "FILE",                         \
            SJ_HELP("read the covenant from FILE (up to {MAX_COVENANT} "       \
                    "characters)")                                             \
    }

static int compact_draft(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    const char *from = NULL, *to = NULL, *cov = NULL, *cov_file = NULL;
    sj_cli_list_t parties = {0}, items = {0};
    static item_buf_t b;
    uint64_t ids[SJ_CLI_MAX_LIST];
    int first;
    const sj_cli_arg_t args[] = {
        {"from", SJ_CLI_LOCAL, &from, "DATE",
         SJ_HELP("the term starts (YYYY-MM-DD: midnight in the community's "
                 "time zone, or YYYY-MM-DD HH:MM)"),
         .required = true},
        {"to", SJ_CLI_LOCAL, &to, "DATE",
         SJ_HELP("the term ends (YYYY-MM-DD: at the end of that day)"),
         .required = true},
        {"party", SJ_CLI_LIST, &parties, "ID",
         SJ_HELP("a party: committee member, merchant or resident (at least "
                 "{MIN_PARTIES})"),
         .count = SJ_MAX_PARTIES},
        ITEM_ARG(&items),
        COVENANT_ARGS(&cov, &cov_file),
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact draft", "TITLE",
        SJ_HELP("Start negotiating a compact (committee): version 1, "
                "NEGOTIATING. TITLE up to {MAX_TITLE} characters."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first + 1 < argc)
        return sj_cli_usage(path,
                            _("unexpected argument '%s' (quote a title "
                              "with spaces)"),
                            argv[first + 1]);
    if ((rc = sj_cli_text(path, "TITLE", first < argc ? argv[first] : "",
                          SJ_MAX_TITLE, true)))
        return rc;
    if ((rc = parse_when(path, "from", from, false, &d.term_start)) ||
        (rc = parse_when(path, "to", to, true, &d.term_end)) ||
        (rc = parse_items(path, &items, &b)) ||
        (rc = covenant_arg(path, cov, cov_file, &b, &d.covenant)))
        return rc;
    for (size_t i = 0; i < parties.n; i++)
        if ((rc = sj_cli_opt_u64(path, "--party", parties.items[i], &ids[i])))
            return rc;
    d.title = argv[first];
    d.parties = ids;
    d.n_parties = parties.n;
    d.items = b.ptrs;
    d.n_items = items.n;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_DRAFT;
    req.compact_draft = &d;
    return sj_cli_run(cli, &req);
}

static int compact_edit(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactEdit e = SHANGJU__COMPACT_EDIT__INIT;
    const char *cov = NULL, *cov_file = NULL;
    sj_cli_list_t items = {0};
    static item_buf_t b;
    int first;
    const sj_cli_arg_t args[] = {
        ITEM_ARG(&items),
        COVENANT_ARGS(&cov, &cov_file),
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact edit", "ID",
        SJ_HELP("Change a NEGOTIATING compact (a party or the committee): "
                "--item given replace the whole list of service items "
                "(without --item the items stay as they are); --covenant "
                "replaces the covenant. The version goes up and every earlier "
                "signature stops counting: parties sign again."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &e.id)) ||
        (rc = parse_items(path, &items, &b)) ||
        (rc = covenant_arg(path, cov, cov_file, &b, &e.covenant)))
        return rc;
    if (!items.n && !*e.covenant)
        return sj_cli_usage(path, _("nothing to change: give --item or "
                                    "--covenant"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_EDIT;
    req.compact_edit = &e;
    e.items = b.ptrs;
    e.n_items = items.n;
    if (items.n)
        return sj_cli_run(cli, &req);
    /* Only the covenant changes: send the current items back. */
    Shangju__Reply *cur = NULL;
    if ((rc = get_compact(cli, e.id, &cur)) != SJ_CLI_OK)
        return rc;
    e.items = cur->compact->items;
    e.n_items = cur->compact->n_items;
    rc = sj_cli_run(cli, &req);
    shangju__reply__free_unpacked(cur, NULL);
    return rc;
}

/* ----------------------------------------------------------------- sign */

static int parse_hex32(const char *path, const char *s, uint8_t out[32])
{
    size_t len = 0;
    const char *end;
    if (strlen(s) != 64 ||
        sodium_hex2bin(out, 32, s, 64, NULL, &len, &end) != 0 || len != 32)
        return sj_cli_usage(path, _("--hash wants 64 hex digits"));
    return SJ_CLI_OK;
}

static int compact_sign(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactSign s = SHANGJU__COMPACT_SIGN__INIT;
    const char *hash = NULL;
    uint8_t bin[32];
    int first;
    const sj_cli_arg_t args[] = {
        {"version", SJ_CLI_U32, &s.version, "N",
         SJ_HELP("sign exactly version N (with --hash)")},
        {"hash", SJ_CLI_LOCAL, &hash, "HEX",
         SJ_HELP("the version's SHA-256, 64 hex digits (with --version)")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact sign", "ID",
        SJ_HELP("Sign a NEGOTIATING compact (a party). Without options, fetch "
                "it and sign its current version, printing the version and "
                "its SHA-256 first: read the compact (`shangju compact show "
                "ID`) before signing. With --version and --hash, sign exactly "
                "that version; the broker refuses a signature on any version "
                "but the current one."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &s.id)))
        return rc;
    if (!s.version != !hash)
        return sj_cli_usage(path, _("give both --version and --hash, or "
                                    "neither"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_SIGN;
    req.compact_sign = &s;
    if (hash) {
        if ((rc = parse_hex32(path, hash, bin)))
            return rc;
        s.version_hash.data = bin;
        s.version_hash.len = 32;
        return sj_cli_run(cli, &req);
    }
    Shangju__Reply *cur = NULL;
    if ((rc = get_compact(cli, s.id, &cur)) != SJ_CLI_OK)
        return rc;
    char h[65];
    s.version = cur->compact->version;
    s.version_hash = cur->compact->version_hash;
    hex(&s.version_hash, h);
    if (!cli->opts.json)
        printf(_("signing compact %llu version %u, SHA-256 %s\n"), (ull)s.id,
               s.version, h);
    rc = sj_cli_run(cli, &req);
    shangju__reply__free_unpacked(cur, NULL);
    return rc;
}

/* ---------------------------------------------- the other requests on ID */

static int compact_publish(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "compact publish", "ID",
        SJ_HELP("Publish a SIGNED compact (committee): the broker writes and "
                "signs its public notice, and the term's start makes it "
                "ACTIVE. Save the notice with `shangju compact notice ID -o "
                "FILE`."),
        NULL, 0};
    Shangju__CompactPublish b = SHANGJU__COMPACT_PUBLISH__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_PUBLISH;
    req.compact_publish = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_perform(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactPerform b = SHANGJU__COMPACT_PERFORM__INIT;
    const char *date = NULL;
    int first;
    const sj_cli_arg_t args[] = {
        {"item", SJ_CLI_U32, &b.item_id, "N",
         SJ_HELP("the service item performed"), .required = true},
        {"date", SJ_CLI_LOCAL, &date, "DATE",
         SJ_HELP("when it was given (YYYY-MM-DD, the community's date; "
                 "default now)")},
        {"note", SJ_CLI_STR, &b.note, "TEXT", SJ_HELP("what was done"),
         SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact perform", "ID",
        SJ_HELP("Record a service given under item N of an ACTIVE compact "
                "(the item's giver, or the committee for anyone), dated "
                "within the term and as often as the item allows. The giver "
                "earns points once the receiver confirms it (compact "
                "confirm)."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &b.id)) ||
        (date && (rc = parse_when(path, "date", date, false, &b.date))))
        return rc;
    if (!b.item_id)
        return sj_cli_usage(path, _("--item N starts at 1"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_PERFORM;
    req.compact_perform = &b;
    return sj_cli_run(cli, &req);
}

static int compact_complain(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactComplain b = SHANGJU__COMPACT_COMPLAIN__INIT;
    const sj_cli_arg_t args[] = {
        {"against", SJ_CLI_U64, &b.against_id, "MEMBER",
         SJ_HELP("the party complained about"), .required = true},
        {"text", SJ_CLI_STR, &b.text, "TEXT", SJ_HELP("what happened"),
         SJ_MAX_COMPLAINT, .required = true},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact complain", "ID",
        SJ_HELP("File a complaint against a party of an ACTIVE compact (a "
                "resident or a party; not against oneself). The committee "
                "resolves it."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_COMPLAIN;
    req.compact_complain = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_resolve(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactResolve b = SHANGJU__COMPACT_RESOLVE__INIT;
    const sj_cli_arg_t args[] = {
        {"complaint", SJ_CLI_U32, &b.complaint_id, "N",
         SJ_HELP("the complaint's number"), .required = true},
        {"resolution", SJ_CLI_STR, &b.resolution, "TEXT",
         SJ_HELP("how it was resolved"), SJ_MAX_RESOLUTION, .required = true},
    };
    const sj_cli_spec_t spec =
        SJ_CLI_SPEC("compact resolve", "ID",
                    SJ_HELP("Resolve an open complaint (committee)."), args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_RESOLVE;
    req.compact_resolve = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_confirm(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactConfirm b = SHANGJU__COMPACT_CONFIRM__INIT;
    const sj_cli_arg_t args[] = {
        {"performance", SJ_CLI_U32, &b.performance_id, "N",
         SJ_HELP("the performance's number (compact show)"), .required = true},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact confirm", "ID",
        SJ_HELP("Confirm that a recorded service was received (the receiving "
                "party; the committee for a community item; never its giver "
                "or whoever recorded it). Only then does the giver earn "
                "points."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_CONFIRM;
    req.compact_confirm = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_dismiss(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactDismiss b = SHANGJU__COMPACT_DISMISS__INIT;
    const sj_cli_arg_t args[] = {
        {"complaint", SJ_CLI_U32, &b.complaint_id, "N",
         SJ_HELP("the complaint's number"), .required = true},
        {"resolution", SJ_CLI_STR, &b.resolution, "TEXT",
         SJ_HELP("why it is dismissed"), SJ_MAX_RESOLUTION},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact dismiss", "ID",
        SJ_HELP("Dismiss an open complaint as unfounded (committee): it no "
                "longer counts against the party it names."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_DISMISS;
    req.compact_dismiss = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_rate(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactRate b = SHANGJU__COMPACT_RATE__INIT;
    const sj_cli_arg_t args[] = {
        {"of", SJ_CLI_U64, &b.of_id, "MEMBER", SJ_HELP("the party rated"),
         .required = true},
        {"stars", SJ_CLI_U32, &b.stars, "N",
         SJ_HELP("1 (poor) to {MAX_STARS} (best)"), SJ_MAX_STARS,
         .required = true},
        {"comment", SJ_CLI_STR, &b.comment, "TEXT", SJ_HELP("why"),
         SJ_MAX_NOTE},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact rate", "ID",
        SJ_HELP("Rate another party of an EVALUATING compact, once (a "
                "party)."),
        args);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_RATE;
    req.compact_rate = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_close(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "compact close", "ID",
        SJ_HELP("Close an EVALUATING compact with the results per party "
                "(committee)."),
        NULL, 0};
    Shangju__CompactClose b = SHANGJU__COMPACT_CLOSE__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_CLOSE;
    req.compact_close = &b;
    return sj_cli_run_on_id(cli, &spec, argc, argv, &b.id, &req);
}

static int compact_show(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "compact show", "ID",
        SJ_HELP("Show one compact, whole: items, covenant, signatures, "
                "performance records, complaints, ratings, results and the "
                "notice."),
        NULL, 0};
    const char *path = spec.path;
    uint64_t id;
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &id)))
        return rc;
    Shangju__Reply *r = NULL;
    if ((rc = get_compact(cli, id, &r)) != SJ_CLI_OK)
        return rc;
    rc = sj_cli_print_reply(cli, r);
    char h[65];
    hex(&r->compact->version_hash, h);
    if (rc == SJ_CLI_OK && !cli->opts.json && *h)
        printf(_("version %u SHA-256 (hex): %s\n"), r->compact->version, h);
    shangju__reply__free_unpacked(r, NULL);
    return rc;
}

static int compact_list(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__CompactList l = SHANGJU__COMPACT_LIST__INIT;
    int state = 0, first;
    const sj_cli_arg_t args[] = {
        {"state", SJ_CLI_ENUM, &state, "S", SJ_HELP("only compacts in state S"),
         .en = &shangju__compact_state__descriptor},
        {"limit", SJ_CLI_U32, &l.limit, "N",
         SJ_HELP("page size (the broker keeps pages of summaries short)")},
        {"after", SJ_CLI_U64, &l.after, "CURSOR",
         SJ_HELP("continue after this cursor")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact list", NULL,
        SJ_HELP("List compacts (summaries), by state when given, a page at a "
                "time."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(path, _("unexpected argument '%s'"), argv[first]);
    l.state = (Shangju__CompactState)state;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_LIST;
    req.compact_list = &l;
    return sj_cli_run(cli, &req);
}

/* ---------------------------------------------------------- the notice */

/* {"file": FILE, "bytes": N} (no "file" when file is NULL), or NULL when
 * memory runs out. */
static json_object *file_json(const char *file, size_t n)
{
    json_object *j = json_object_new_object();
    if (j && ((file && sj_pbjson_add_string(j, "file", file) != 0) ||
              json_object_object_add(j, "bytes", json_object_new_uint64(n)))) {
        json_object_put(j);
        return NULL;
    }
    return j;
}

static int write_text(const char *file, const char *text, size_t n)
{
    FILE *f = file ? fopen(file, "wb") : stdout;
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot create '%s': %s"), file,
                           strerror(errno));
    bool ok = fwrite(text, 1, n, f) == n;
    if (file)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    return ok ? SJ_CLI_OK
              : sj_cli_fail(SJ_CLI_ELOCAL, _("cannot write '%s'"),
                            file ? file : "stdout");
}

static int compact_notice(sj_cli_t *cli, int argc, char **argv)
{
    const char *file = NULL;
    uint64_t id;
    int first;
    const sj_cli_arg_t args[] = {
        {"output", SJ_CLI_LOCAL, &file, "FILE",
         SJ_HELP("save the notice to FILE (default: print it)"), .shrt = 'o'},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact notice", "ID",
        SJ_HELP("Save the signed public notice of a published compact to FILE "
                "(or print it). Anyone can check it with `shangju compact "
                "verify FILE`."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if ((rc = sj_cli_one_id(path, argc, argv, first, &id)))
        return rc;
    Shangju__Reply *r = NULL;
    if ((rc = get_compact(cli, id, &r)) != SJ_CLI_OK)
        return rc;
    const char *text = r->compact->notice ? r->compact->notice : "";
    size_t n = strlen(text);
    if (!n)
        rc = sj_cli_refuse(
            cli, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
            N_("compact %llu has no notice: it is not published"), (ull)id);
    else if (!file && cli->opts.json) {
        json_object *j = file_json(NULL, n);
        if (j && sj_pbjson_add_string(j, "notice", text) != 0) {
            json_object_put(j);
            j = NULL;
        }
        rc = sj_cli_emit(j);
    } else if ((rc = write_text(file, text, n)) == SJ_CLI_OK && file) {
        if (cli->opts.json)
            rc = sj_cli_emit(file_json(file, n));
        else
            printf(_("%s: %zu bytes, the notice of compact %llu\n"), file, n,
                   (ull)id);
    }
    shangju__reply__free_unpacked(r, NULL);
    return rc;
}

/* ------------------------------------------------------------- verify */

/* The reasons sj_notice_verify gives (proto/signed_notice.c) and the one
 * given here, marked for the catalogue: a reason prints in the user's
 * language, an unknown one as it is. --json keeps them in English. */
static const char *const notice_reasons[] = {
    N_("cannot initialise libsodium"),
    N_("too large to be a notice"),
    N_("not text (contains a NUL byte)"),
    N_("no signature block"),
    N_("malformed public key line"),
    N_("malformed signature line"),
    N_("malformed end of the signature block"),
    N_("signed with another key than the one given"),
    N_("the signature does not match the text"),
};

static const char *notice_reason_text(const char *why)
{
    for (size_t i = 0; i < sizeof notice_reasons / sizeof *notice_reasons; i++)
        if (strcmp(why, notice_reasons[i]) == 0)
            return _(notice_reasons[i]);
    return why;
}

/* Read all of file (at most max bytes) into a malloc'd buffer. */
static int slurp(const char *file, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot open '%s': %s"), file,
                           strerror(errno));
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool err = !buf || ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return sj_cli_fail(SJ_CLI_ELOCAL, _("cannot read '%s'"), file);
    }
    if (n > max) {
        free(buf);
        return SJ_CLI_EVERIFY;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SJ_CLI_OK;
}

/* The broker's public key from file (one base64 line). */
static int read_pub(const char *file, uint8_t pk[32])
{
    char *text;
    size_t n, got = 0;
    int rc = slurp(file, 256, &text, &n);
    if (rc == SJ_CLI_EVERIFY)
        return sj_cli_fail(SJ_CLI_ELOCAL, _("'%s' is not a public key"), file);
    if (rc != SJ_CLI_OK)
        return rc;
    n = strcspn(text, "\r\n");
    const char *stop;
    bool ok = sodium_base642bin(pk, 32, text, n, NULL, &got, &stop,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              got == 32 && stop == text + n;
    free(text);
    return ok ? SJ_CLI_OK
              : sj_cli_fail(SJ_CLI_ELOCAL,
                            _("'%s' does not hold a base64 Ed25519 public key"),
                            file);
}

/* Ask the broker for its notice key (NoticeKeyGet) over the CURVE
 * connection, which authenticates the broker by its server key; pin it to
 * pin_path (when not NULL; created, never replaced). Quiet: a broker that
 * cannot be reached leaves the notice unverified. True when pk is set;
 * *pinned when the key was written. */
static bool fetch_notice_key(sj_cli_t *cli, const char *pin_path,
                             uint8_t pk[32], bool *pinned)
{
    *pinned = false;
    if (!cli->opts.key || !cli->opts.server_key ||
        access(cli->opts.key, R_OK) != 0 ||
        access(cli->opts.server_key, R_OK) != 0)
        return false;
    if (cli->opts.timeout_ms == 0)
        cli->opts.timeout_ms = 1000; /* a verify need not wait long */
    if (sj_cli_connect(cli) != SJ_CLI_OK)
        return false;
    Shangju__NoticeKeyGet g = SHANGJU__NOTICE_KEY_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_NOTICE_KEY_GET;
    req.notice_key_get = &g;
    Shangju__Reply *r = NULL;
    bool ok = sj_client_call(cli->client, &req, &r) == 0 &&
              r->status == SHANGJU__STATUS__STATUS_OK &&
              r->body_case == SHANGJU__REPLY__BODY_NOTICE_KEY &&
              r->notice_key->public_key.len == 32;
    if (ok)
        memcpy(pk, r->notice_key->public_key.data, 32);
    shangju__reply__free_unpacked(r, NULL);
    if (!ok || !pin_path)
        return ok;
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, pk, 32, sodium_base64_VARIANT_ORIGINAL);
    FILE *f = NULL;
    int fd = open(pin_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0 && !(f = fdopen(fd, "w")))
        close(fd);
    if (f) {
        bool wrote = fprintf(f, "%s\n", b64) > 0;
        *pinned = (fclose(f) == 0) && wrote;
        if (!*pinned)
            unlink(pin_path);
    }
    return true;
}

static int compact_verify(sj_cli_t *cli, int argc, char **argv)
{
    const char *pub = NULL;
    protobuf_c_boolean offline = 0;
    char def[PATH_MAX];
    int first;
    const sj_cli_arg_t args[] = {
        {"public-key", SJ_CLI_LOCAL, &pub, "FILE",
         SJ_HELP("the alliance's notice key (base64; default DATA/notice.pub "
                 "when present)")},
        {"offline", SJ_CLI_FLAG, &offline, NULL,
         SJ_HELP("do not ask the broker for its notice key")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "compact verify", "FILE",
        SJ_HELP("Check a saved compact notice: its Ed25519 signature must "
                "match every byte of the text, and the signing key must be "
                "the alliance's notice key: --public-key FILE, else "
                "DATA/notice.pub, else the key the broker gives (then pinned "
                "to DATA/notice.pub). Exit 0 when valid, 5 when not, 6 when "
                "the signature holds but no trusted key was at hand "
                "(unverified: compare the printed fingerprint with the one "
                "on the notice board)."),
        args);
    const char *path = spec.path;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first >= argc)
        return sj_cli_usage(path, _("missing FILE"));
    if (first + 1 < argc)
        return sj_cli_usage(path, _("unexpected argument '%s'"),
                            argv[first + 1]);
    if (sodium_init() < 0)
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s",
                           _("cannot initialise libsodium"));
    bool have_def = cli->opts.data &&
                    snprintf(def, sizeof def, "%s/notice.pub", cli->opts.data) <
                        (int)sizeof def;
    if (!pub && have_def && access(def, R_OK) == 0)
        pub = def;
    uint8_t pk[32], key[32];
    bool trusted = false, pinned = false, fetched = false;
    if (pub) {
        if ((rc = read_pub(pub, pk)) != SJ_CLI_OK)
            return rc;
        trusted = true;
    }
    char *text;
    size_t n;
    const char *why = NULL;
    char reason[160];
    rc = slurp(argv[first], SJ_NOTICE_MAX, &text, &n);
    if (rc == SJ_CLI_EVERIFY)
        why = "too large to be a notice";
    else if (rc != SJ_CLI_OK)
        return rc;
    else {
        struct stat st;
        bool dir =
            have_def && stat(cli->opts.data, &st) == 0 && S_ISDIR(st.st_mode);
        if (!trusted && !offline)
            trusted = fetched =
                fetch_notice_key(cli, dir ? def : NULL, pk, &pinned);
        if (sj_notice_verify(text, n, trusted ? pk : NULL, key, reason,
                             sizeof reason) != 0)
            why = reason;
        free(text);
    }
    char k64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    char fp[SJ_NOTICE_FP_LEN] = "";
    if (!why) {
        sodium_bin2base64(k64, sizeof k64, key, 32,
                          sodium_base64_VARIANT_ORIGINAL);
        sj_notice_fingerprint(key, fp);
    }
    const char *status = why ? "invalid" : trusted ? "valid" : "unverified";
    const char *source = pub ? pub : fetched ? "broker" : "";
    if (cli->opts.json) {
        json_object *j = json_object_new_object();
        if (j &&
            (sj_pbjson_add_string(j, "file", argv[first]) != 0 ||
             sj_pbjson_add_string(j, "status", status) != 0 ||
             json_object_object_add(
                 j, "valid", json_object_new_boolean(!why && trusted)) != 0 ||
             sj_pbjson_add_string(j, "reason", why ? why : "") != 0 ||
             sj_pbjson_add_string(j, "public_key", why ? "" : k64) != 0 ||
             sj_pbjson_add_string(j, "fingerprint", fp) != 0 ||
             json_object_object_add(j, "key_checked",
                                    json_object_new_boolean(trusted)) != 0 ||
             sj_pbjson_add_string(j, "key_source", source) != 0 ||
             sj_pbjson_add_string(j, "pinned", pinned ? def : "") != 0)) {
            json_object_put(j);
            j = NULL;
        }
        if ((rc = sj_cli_emit(j)) != SJ_CLI_OK)
            return rc;
    }
    if (why)
        return sj_cli_fail(SJ_CLI_EVERIFY, _("%s: invalid notice: %s"),
                           argv[first], notice_reason_text(why));
    if (pinned)
        fprintf(stderr, _("shangju: pinned the broker's notice key to %s\n"),
                def);
    if (!trusted) {
        if (!cli->opts.json)
            printf(_("%s: unverified: the signature holds, but no trusted "
                     "notice key was at hand to check the signer %s (%s); "
                     "compare this fingerprint with the one on the notice "
                     "board, or give --public-key FILE\n"),
                   argv[first], k64, fp);
        return SJ_CLI_EUNVERIFIED;
    }
    if (!cli->opts.json)
        printf(_("%s: valid, signed by the alliance's notice key %s (%s) = "
                 "%s\n"),
               argv[first], k64, fp, fetched ? _("the broker's") : pub);
    return SJ_CLI_OK;
}

/* The alliance's notice key, as DATA/notice.pub holds it (base64), and
 * the fingerprint every notice prints, for the notice board. */
static int compact_key(sj_cli_t *cli, int argc, char **argv)
{
    static const sj_cli_spec_t spec = {
        "compact key", "",
        SJ_HELP("Show the alliance's notice key (base64, as DATA/notice.pub "
                "holds it) and its fingerprint, which every notice prints: "
                "put the fingerprint on the notice board, so readers can "
                "compare it with what `compact verify` shows."),
        NULL, 0};
    int first;
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    Shangju__NoticeKeyGet g = SHANGJU__NOTICE_KEY_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_NOTICE_KEY_GET;
    req.notice_key_get = &g;
    Shangju__Reply *r = NULL;
    if ((rc = sj_cli_call(cli, &req, &r)) != SJ_CLI_OK)
        return rc;
    const Shangju__NoticeKey *k = r->notice_key;
    if (r->body_case != SHANGJU__REPLY__BODY_NOTICE_KEY ||
        k->public_key.len != 32) {
        shangju__reply__free_unpacked(r, NULL);
        return sj_cli_fail(SJ_CLI_ELOCAL, "%s",
                           _("the broker sent no notice key"));
    }
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    char fp[SJ_NOTICE_FP_LEN];
    sodium_bin2base64(b64, sizeof b64, k->public_key.data, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sj_notice_fingerprint(k->public_key.data, fp); /* ours, not the wire's */
    shangju__reply__free_unpacked(r, NULL);
    if (!cli->opts.json) {
        printf(_("notice key: %s\nfingerprint: %s\n"), b64, fp);
        return SJ_CLI_OK;
    }
    json_object *j = json_object_new_object();
    if (j && (sj_pbjson_add_string(j, "public_key", b64) != 0 ||
              sj_pbjson_add_string(j, "fingerprint", fp) != 0)) {
        json_object_put(j);
        j = NULL;
    }
    return sj_cli_emit(j);
}

const sj_cli_cmd_t sj_cli_compact_cmds[] = {
    {"draft", compact_draft, SJ_HELP("start negotiating a compact (committee)"),
     NULL},
    {"edit", compact_edit,
     SJ_HELP("replace the items or covenant: a new version"), NULL},
    {"sign", compact_sign, SJ_HELP("sign the current version (a party)"), NULL},
    {"publish", compact_publish,
     SJ_HELP("publish with a signed notice (committee)"), NULL},
    {"perform", compact_perform,
     SJ_HELP("record a service given under an item"), NULL},
    {"complain", compact_complain, SJ_HELP("complain about a party"), NULL},
    {"confirm", compact_confirm,
     SJ_HELP("confirm a service received (its receiver)"), NULL},
    {"resolve", compact_resolve, SJ_HELP("resolve a complaint (committee)"),
     NULL},
    {"dismiss", compact_dismiss,
     SJ_HELP("dismiss an unfounded complaint (committee)"), NULL},
    {"rate", compact_rate, SJ_HELP("rate another party after the term"), NULL},
    {"close", compact_close, SJ_HELP("close with the results (committee)"),
     NULL},
    {"show", compact_show, SJ_HELP("show one compact"), NULL},
    {"list", compact_list, SJ_HELP("list compacts, by state"), NULL},
    {"notice", compact_notice, SJ_HELP("save the signed notice of a compact"),
     NULL},
    {"verify", compact_verify,
     SJ_HELP("check a saved notice (exit 6: unverified)"), NULL},
    {"key", compact_key, SJ_HELP("show the notice key and its fingerprint"),
     NULL},
    {NULL, NULL, NULL, NULL},
};
