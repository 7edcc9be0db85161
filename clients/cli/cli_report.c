/* `shangju report --year YYYY [--format text|csv]`: the committee's yearly
 * report (wishes, medians, active merchants, compacts, complaints, points
 * and the ranking) as a readable page, CSV for spreadsheets, or --json. */
#include "cli.h"

#include <string.h>

#include "cli_enums.h"
#include "i18n.h"

/* "3h 30m", "2d 4h", "45s" for a duration in ms, in the user's language. */
static void duration(char *buf, size_t cap, int64_t ms)
{
    long long s = ms / 1000, d = s / 86400, h = s % 86400 / 3600,
              m = s % 3600 / 60;
    if (d)
        snprintf(buf, cap, _("%lldd %lldh"), d, h);
    else if (h)
        snprintf(buf, cap, _("%lldh %lldm"), h, m);
    else if (m)
        snprintf(buf, cap, _("%lldm %llds"), m, s % 60);
    else
        snprintf(buf, cap, _("%llds"), s);
}

#define LABEL_COLS 32 /* display columns of the report's labels */

/* "  label          value": the label padded by display width, so
 * Chinese labels line up too. */
#define row(label, ...) sj_cli_row(2, label, LABEL_COLS, __VA_ARGS__)

static void count_row(const char *field, uint64_t n)
{
    row(sj_cli_label(field), "%llu", (unsigned long long)n);
}

static void median_row(const char *what, const Shangju__MedianMs *m)
{
    char d[64];
    if (!m || m->samples == 0) {
        row(what, "-");
        return;
    }
    char n[128];
    duration(d, sizeof d, m->ms);
    /* TRANSLATORS: a median duration, then how many wishes it was taken
     * over. */
    snprintf(
        n, sizeof n,
        dngettext(SJ_TEXTDOMAIN, "%s (%u wish)", "%s (%u wishes)", m->samples),
        d, m->samples);
    row(what, "%s", n);
}

static void compact_row(Shangju__CompactState st, uint32_t n)
{
    row(sj_cli_enum_name(&shangju__compact_state__descriptor, (int)st), "%u",
        n);
}

static void ranking_text(const Shangju__Ranking *k)
{
    printf("\n%s%s\n", _("Ranking"), k && k->frozen ? _(" (final)") : "");
    if (!k || k->n_items == 0)
        printf("  %s\n", _("(nobody earned points)"));
    size_t namew = 0;
    for (size_t i = 0; k && i < k->n_items; i++) {
        size_t w = sj_cli_width(k->items[i]->name ? k->items[i]->name : "");
        namew = w > namew ? w : namew;
    }
    for (size_t i = 0; k && i < k->n_items; i++) {
        const Shangju__RankEntry *e = k->items[i];
        printf("  %2u. ", e->rank);
        sj_cli_pad(stdout, e->name ? e->name : "", namew);
        printf(_("  %llu points  (member %llu)\n"),
               (unsigned long long)e->earned, (unsigned long long)e->member_id);
    }
}

#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x

static void print_text(const Shangju__Report *r)
{
    printf(_("Shangju yearly report %u"), r->year);
    printf("\n\n%s\n", _("Wishes"));
    count_row("wishes_posted", r->wishes_posted);
    count_row("wishes_claimed", r->wishes_claimed);
    count_row("wishes_fulfilled", r->wishes_fulfilled);
    count_row("wishes_closed", r->wishes_closed);
    count_row("wishes_expired", r->wishes_expired);
    count_row("wishes_cancelled", r->wishes_cancelled);
    median_row(_("median time from posting to claim"), r->posted_to_claimed);
    median_row(_("median time from posting to fulfilment"),
               r->posted_to_fulfilled);
    printf("\n%s\n", _("Merchants"));
    count_row("active_merchants", r->active_merchants);
    printf("\n%s\n", _("Compacts active in the year, by their state at its "
                       "end"));
    compact_row(CS(NEGOTIATING), r->compacts_negotiating);
    compact_row(CS(SIGNED), r->compacts_signed);
    compact_row(CS(PUBLISHED), r->compacts_published);
    compact_row(CS(ACTIVE), r->compacts_active);
    compact_row(CS(EVALUATING), r->compacts_evaluating);
    compact_row(CS(CLOSED), r->compacts_closed);
    count_row("complaints_filed", r->complaints_filed);
    count_row("complaints_resolved", r->complaints_resolved);
    printf("\n%s\n", _("Points"));
    count_row("points_issued", r->points_issued);
    count_row("points_spent", r->points_spent);
    ranking_text(r->ranking);
}

/* One CSV field for a spreadsheet: a cell that would start a formula
 * (= + - @, tab, carriage return) gets a leading apostrophe so Excel shows
 * it as text (OWASP "CSV injection"); quoted when it holds a comma, quote
 * or line break. */
static void csv_field(FILE *out, const char *s)
{
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* The CSV's words: the reader's language (a committee opens it in Excel
 * and reads Chinese); under an English or C locale the keys below, as
 * scripts have read them. Their own context keeps them apart from the
 * same English words elsewhere. */
#define NC_(ctx, s) ctx "\004" s

/* section,item,value then the ranking's rank,member_id,name (empty for
 * the other rows); CRLF ends every row. */
static void csv_row(FILE *out, const char *section, const char *item,
                    unsigned long long value)
{
    csv_field(out, sj_cli_tr_ctx(section));
    fputc(',', out);
    csv_field(out, sj_cli_tr_ctx(item));
    fprintf(out, ",%llu,,,\r\n", value);
}

void sj_cli_report_csv(FILE *out, const Shangju__Report *r)
{
    static const char *const heads[] = {
        NC_("report csv", "section"),   NC_("report csv", "item"),
        NC_("report csv", "value"),     NC_("report csv", "rank"),
        NC_("report csv", "member_id"), NC_("report csv", "name")};
    /* UTF-8 with a byte-order mark: Excel on a Chinese Windows otherwise
     * reads the names as GBK. */
    fputs("\xEF\xBB\xBF", out);
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
        if (i)
            fputc(',', out);
        csv_field(out, sj_cli_tr_ctx(heads[i]));
    }
    fputs("\r\n", out);
    const Shangju__MedianMs *claim = r->posted_to_claimed,
                            *fulfil = r->posted_to_fulfilled;
    const struct {
        const char *section, *item;
        unsigned long long value;
    } rows[] = {
        {NC_("report csv", "report"), NC_("report csv", "year"), r->year},
        {NC_("report csv", "wishes"), NC_("report csv", "posted"),
         r->wishes_posted},
        {NC_("report csv", "wishes"), NC_("report csv", "claimed"),
         r->wishes_claimed},
        {NC_("report csv", "wishes"), NC_("report csv", "fulfilled"),
         r->wishes_fulfilled},
        {NC_("report csv", "wishes"), NC_("report csv", "closed"),
         r->wishes_closed},
        {NC_("report csv", "wishes"), NC_("report csv", "expired"),
         r->wishes_expired},
        {NC_("report csv", "wishes"), NC_("report csv", "cancelled"),
         r->wishes_cancelled},
        {NC_("report csv", "median_ms"), NC_("report csv", "posted_to_claimed"),
         claim ? (unsigned long long)claim->ms : 0},
        {NC_("report csv", "median_ms"),
         NC_("report csv", "posted_to_fulfilled"),
         fulfil ? (unsigned long long)fulfil->ms : 0},
        {NC_("report csv", "merchants"), NC_("report csv merchants", "active"),
         r->active_merchants},
        {NC_("report csv", "compacts"), NC_("report csv", "negotiating"),
         r->compacts_negotiating},
        {NC_("report csv", "compacts"), NC_("report csv", "signed"),
         r->compacts_signed},
        {NC_("report csv", "compacts"), NC_("report csv", "published"),
         r->compacts_published},
        {NC_("report csv", "compacts"), NC_("report csv", "active"),
         r->compacts_active},
        {NC_("report csv", "compacts"), NC_("report csv", "evaluating"),
         r->compacts_evaluating},
        {NC_("report csv", "compacts"), NC_("report csv", "closed"),
         r->compacts_closed},
        {NC_("report csv", "complaints"), NC_("report csv", "filed"),
         r->complaints_filed},
        {NC_("report csv", "complaints"), NC_("report csv", "resolved"),
         r->complaints_resolved},
        {NC_("report csv", "points"), NC_("report csv", "issued"),
         r->points_issued},
        {NC_("report csv", "points"), NC_("report csv", "spent"),
         r->points_spent},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        csv_row(out, rows[i].section, rows[i].item, rows[i].value);
    const Shangju__Ranking *k = r->ranking;
    for (size_t i = 0; k && i < k->n_items; i++) {
        csv_field(out, sj_cli_tr_ctx(NC_("report csv", "ranking")));
        fputc(',', out);
        csv_field(out, sj_cli_tr_ctx(NC_("report csv", "earned")));
        fprintf(out, ",%llu,%u,%llu,", (unsigned long long)k->items[i]->earned,
                k->items[i]->rank, (unsigned long long)k->items[i]->member_id);
        csv_field(out, k->items[i]->name);
        fputs("\r\n", out);
    }
}

int sj_cli_report(sj_cli_t *cli, int argc, char **argv)
{
    Shangju__ReportGet g = SHANGJU__REPORT_GET__INIT;
    const char *format = "text";
    int first;
    const sj_cli_arg_t args[] = {
        {"year", SJ_CLI_U32, &g.year, "YYYY",
         SJ_HELP(
             "the year, in the community's time zone (default: this year)")},
        {"format", SJ_CLI_LOCAL, &format, "F",
         SJ_HELP("text (default) or csv for spreadsheets: UTF-8 with a "
                 "byte-order mark, CRLF rows of section, item, value, rank, "
                 "member id and name, named in your language")},
    };
    const sj_cli_spec_t spec = SJ_CLI_SPEC(
        "report", NULL,
        SJ_HELP("The yearly report (committee): wishes posted, claimed, "
                "fulfilled, closed, expired and cancelled in the year; the "
                "median time from posting to the first claim and to "
                "fulfilment (wishes posted in the year); the merchants active "
                "in it; the compacts with activity in the year, by their "
                "state at its end; complaints; points issued and spent; and "
                "the ranking (frozen once the year is closed). --json prints "
                "the record."),
        args);
    int rc = sj_cli_args(&spec, argc, argv, &first);
    if (rc != SJ_CLI_CONTINUE)
        return rc;
    if (first < argc)
        return sj_cli_usage(spec.path, _("unexpected argument '%s'"),
                            argv[first]);
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "text") != 0)
        return sj_cli_usage(spec.path, _("--format must be text or csv"));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_REPORT_GET;
    req.report_get = &g;
    Shangju__Reply *reply = NULL;
    if ((rc = sj_cli_call(cli, &req, &reply)) != SJ_CLI_OK)
        return rc;
    if (reply->body_case != SHANGJU__REPLY__BODY_REPORT) {
        shangju__reply__free_unpacked(reply, NULL);
        return sj_cli_refuse(cli, SHANGJU__STATUS__STATUS_INTERNAL,
                             N_("the broker sent no report"));
    }
    if (cli->opts.json)
        rc = sj_cli_print_reply(cli, reply);
    else if (csv)
        sj_cli_report_csv(stdout, reply->report);
    else
        print_text(reply->report);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}
