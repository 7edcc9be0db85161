/* `shangju report --year YYYY [--format text|csv]`: the committee's yearly
 * report (wishes, medians, active merchants, compacts, complaints, points
 * and the ranking) as a readable page, CSV for spreadsheets, or --json. */
#include "cli.h"

#include <string.h>

/* "3h 30m", "2d 4h", "45s" for a duration in ms. */
static void duration(char *buf, size_t cap, int64_t ms)
{
    int64_t s = ms / 1000, d = s / 86400, h = s % 86400 / 3600,
            m = s % 3600 / 60;
    if (d)
        snprintf(buf, cap, "%lldd %lldh", (long long)d, (long long)h);
    else if (h)
        snprintf(buf, cap, "%lldh %lldm", (long long)h, (long long)m);
    else if (m)
        snprintf(buf, cap, "%lldm %llds", (long long)m, (long long)(s % 60));
    else
        snprintf(buf, cap, "%llds", (long long)s);
}

static void median_line(const char *what, const Shangju__MedianMs *m)
{
    char d[32];
    if (!m || m->samples == 0) {
        printf("  %-30s -\n", what);
        return;
    }
    duration(d, sizeof d, m->ms);
    printf("  %-30s %s (%u wish%s)\n", what, d, m->samples,
           m->samples == 1 ? "" : "es");
}

static void print_text(const Shangju__Report *r)
{
    printf("Shangju yearly report %u\n\nWishes\n", r->year);
    printf("  %-30s %u\n", "posted", r->wishes_posted);
    printf("  %-30s %u\n", "claimed", r->wishes_claimed);
    printf("  %-30s %u\n", "fulfilled", r->wishes_fulfilled);
    printf("  %-30s %u\n", "closed", r->wishes_closed);
    printf("  %-30s %u\n", "expired", r->wishes_expired);
    printf("  %-30s %u\n", "cancelled", r->wishes_cancelled);
    median_line("median posting -> claim", r->posted_to_claimed);
    median_line("median posting -> fulfilment", r->posted_to_fulfilled);
    printf("\nMerchants\n  %-30s %u\n", "active", r->active_merchants);
    printf("\nCompacts active in the year (state at its end)\n");
    printf("  negotiating %u, signed %u, published %u, active %u, "
           "evaluating %u, closed %u\n",
           r->compacts_negotiating, r->compacts_signed, r->compacts_published,
           r->compacts_active, r->compacts_evaluating, r->compacts_closed);
    printf("  complaints filed %u, resolved %u\n", r->complaints_filed,
           r->complaints_resolved);
    printf("\nPoints\n  %-30s %llu\n  %-30s %llu\n", "issued",
           (unsigned long long)r->points_issued, "spent",
           (unsigned long long)r->points_spent);
    const Shangju__Ranking *k = r->ranking;
    printf("\nRanking%s\n", k && k->frozen ? " (frozen)" : "");
    if (!k || k->n_items == 0)
        printf("  (nobody earned points)\n");
    for (size_t i = 0; k && i < k->n_items; i++)
        printf("  %2u. %-40s %llu  (member %llu)\n", k->items[i]->rank,
               k->items[i]->name, (unsigned long long)k->items[i]->earned,
               (unsigned long long)k->items[i]->member_id);
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

/* section,item,value then the ranking's rank,member_id,name (empty for
 * the other rows); CRLF ends every row. */
static void csv_row(FILE *out, const char *section, const char *item,
                    unsigned long long value)
{
    csv_field(out, section);
    fputc(',', out);
    csv_field(out, item);
    fprintf(out, ",%llu,,,\r\n", value);
}

void sj_cli_report_csv(FILE *out, const Shangju__Report *r)
{
    /* UTF-8 with a byte-order mark: Excel on a Chinese Windows otherwise
     * reads the names as GBK. */
    fputs("\xEF\xBB\xBFsection,item,value,rank,member_id,name\r\n", out);
    csv_row(out, "report", "year", r->year);
    csv_row(out, "wishes", "posted", r->wishes_posted);
    csv_row(out, "wishes", "claimed", r->wishes_claimed);
    csv_row(out, "wishes", "fulfilled", r->wishes_fulfilled);
    csv_row(out, "wishes", "closed", r->wishes_closed);
    csv_row(out, "wishes", "expired", r->wishes_expired);
    csv_row(out, "wishes", "cancelled", r->wishes_cancelled);
    const Shangju__MedianMs *m = r->posted_to_claimed;
    csv_row(out, "median_ms", "posted_to_claimed",
            m ? (unsigned long long)m->ms : 0);
    m = r->posted_to_fulfilled;
    csv_row(out, "median_ms", "posted_to_fulfilled",
            m ? (unsigned long long)m->ms : 0);
    csv_row(out, "merchants", "active", r->active_merchants);
    csv_row(out, "compacts", "negotiating", r->compacts_negotiating);
    csv_row(out, "compacts", "signed", r->compacts_signed);
    csv_row(out, "compacts", "published", r->compacts_published);
    csv_row(out, "compacts", "active", r->compacts_active);
    csv_row(out, "compacts", "evaluating", r->compacts_evaluating);
    csv_row(out, "compacts", "closed", r->compacts_closed);
    csv_row(out, "complaints", "filed", r->complaints_filed);
    csv_row(out, "complaints", "resolved", r->complaints_resolved);
    csv_row(out, "points", "issued", r->points_issued);
    csv_row(out, "points", "spent", r->points_spent);
    const Shangju__Ranking *k = r->ranking;
    for (size_t i = 0; k && i < k->n_items; i++) {
        fprintf(out, "ranking,earned,%llu,%u,%llu,",
                (unsigned long long)k->items[i]->earned, k->items[i]->rank,
                (unsigned long long)k->items[i]->member_id);
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
                 "byte-order mark, CRLF rows of section,item,value,rank,"
                 "member_id,name")},
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
                             "the broker sent no report");
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
