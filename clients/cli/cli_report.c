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

/* One CSV field, quoted when it holds a comma, quote or line break. */
static void csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_row(const char *section, const char *item,
                    unsigned long long value)
{
    csv_field(section);
    putchar(',');
    csv_field(item);
    printf(",%llu\n", value);
}

static void print_csv(const Shangju__Report *r)
{
    puts("section,item,value");
    csv_row("report", "year", r->year);
    csv_row("wishes", "posted", r->wishes_posted);
    csv_row("wishes", "claimed", r->wishes_claimed);
    csv_row("wishes", "fulfilled", r->wishes_fulfilled);
    csv_row("wishes", "closed", r->wishes_closed);
    csv_row("wishes", "expired", r->wishes_expired);
    csv_row("wishes", "cancelled", r->wishes_cancelled);
    const Shangju__MedianMs *m = r->posted_to_claimed;
    csv_row("median_ms", "posted_to_claimed",
            m ? (unsigned long long)m->ms : 0);
    m = r->posted_to_fulfilled;
    csv_row("median_ms", "posted_to_fulfilled",
            m ? (unsigned long long)m->ms : 0);
    csv_row("merchants", "active", r->active_merchants);
    csv_row("compacts", "negotiating", r->compacts_negotiating);
    csv_row("compacts", "signed", r->compacts_signed);
    csv_row("compacts", "published", r->compacts_published);
    csv_row("compacts", "active", r->compacts_active);
    csv_row("compacts", "evaluating", r->compacts_evaluating);
    csv_row("compacts", "closed", r->compacts_closed);
    csv_row("complaints", "filed", r->complaints_filed);
    csv_row("complaints", "resolved", r->complaints_resolved);
    csv_row("points", "issued", r->points_issued);
    csv_row("points", "spent", r->points_spent);
    const Shangju__Ranking *k = r->ranking;
    for (size_t i = 0; k && i < k->n_items; i++) {
        char item[160];
        snprintf(item, sizeof item, "%u %s", k->items[i]->rank,
                 k->items[i]->name);
        csv_row("ranking", item, k->items[i]->earned);
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
         SJ_HELP("text (default) or csv (section,item,value rows)")},
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
        return sj_cli_usage(spec.path, "unexpected argument '%s'", argv[first]);
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "text") != 0)
        return sj_cli_usage(spec.path, "--format must be text or csv");
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
        print_csv(reply->report);
    else
        print_text(reply->report);
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}
