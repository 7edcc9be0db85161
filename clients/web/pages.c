/* The page builders of pages.h: one frame (head, language switch, footer)
 * and one function per page. Every string from a record goes through
 * text()/web_buf_esc(); every user-facing literal through sj_tr(). */
#include "pages.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sj_zone.h"

#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static const char *other_tag(const web_ctx_t *x)
{
    return sj_lang_tag(x->lang == SJ_LANG_ZH ? SJ_LANG_EN : SJ_LANG_ZH);
}

/* The script of s, as a lang tag for a <bdi>: Chinese when it holds a CJK
 * character, English when it holds Latin letters only, NULL otherwise. */
static const char *script_of(const char *s)
{
    bool latin = false;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p >= 0xE3 && *p <= 0xE9)
            return sj_lang_tag(SJ_LANG_ZH); /* U+3000..U+9FFF */
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            latin = true;
    }
    return latin ? sj_lang_tag(SJ_LANG_EN) : NULL;
}

/* A value someone wrote: escaped, isolated, with its own lang when its
 * script is not the page's (WCAG 3.1.2). */
static void text(web_buf_t *b, const web_ctx_t *x, const char *s)
{
    const char *tag = script_of(s);
    if (tag && strcmp(tag, sj_lang_tag(x->lang)) != 0)
        web_buf_printf(b, "<bdi lang=\"%s\">", tag);
    else
        web_buf_put(b, "<bdi>");
    web_buf_esc(b, s);
    web_buf_put(b, "</bdi>");
}

static bool empty(const char *s)
{
    return !s || !*s;
}

/* An internal link target: path (trusted, built here) plus the chosen
 * language. */
static void href(web_buf_t *b, const web_ctx_t *x, const char *path,
                 uint64_t after)
{
    web_buf_put(b, path);
    const char *sep = "?";
    if (after) {
        web_buf_printf(b, "?after=%" PRIu64, after);
        sep = "&amp;";
    }
    if (x->lang_chosen)
        web_buf_printf(b, "%slang=%s", sep,
                       x->lang == SJ_LANG_ZH ? "zh" : "en");
}

static void link_id(web_buf_t *b, const web_ctx_t *x, char kind, uint64_t id)
{
    char path[32];
    snprintf(path, sizeof path, "/%c/%" PRIu64, kind, id);
    web_buf_put(b, "<a href=\"");
    href(b, x, path, 0);
    web_buf_put(b, "\">");
}

/* A moment, in the community's zone (sj_zone_use at start): the minute
 * people read, with the offset it is in (a phone may be set to another
 * zone), and the full instant for machines. */
static void date(web_buf_t *b, int64_t ms)
{
    char iso[SJ_ZONE_TIME_MAX];
    sj_zone_rfc3339_seconds(ms, iso, sizeof iso);
    /* "2023-11-15T06:13:20+08:00": date, minute and offset at fixed places */
    if (ms <= 0 || strlen(iso) != 25) {
        web_buf_put(b, "<time>-</time>");
        return;
    }
    web_buf_printf(b, "<time datetime=\"%s\">%.10s %.5s (UTC%s)</time>", iso,
                   iso, iso + 11, iso + 19);
}

/* A day (a compact's term) in the community's zone. */
static void day(web_buf_t *b, int64_t ms)
{
    char d[SJ_ZONE_TIME_MAX];
    sj_zone_format_day(ms, d, sizeof d);
    if (ms <= 0 || strcmp(d, "-") == 0) {
        web_buf_put(b, "<time>-</time>");
        return;
    }
    web_buf_printf(b, "<time datetime=\"%s\">%s</time>", d, d);
}

/* ------------------------------------------------------------- the frame */

static void head(web_buf_t *b, const web_ctx_t *x, const char *title,
                 bool user_title)
{
    web_buf_printf(b,
                   "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, "
                   "initial-scale=1\">\n<title>",
                   sj_lang_tag(x->lang));
    web_buf_esc(b, title);
    if (user_title) {
        web_buf_put(b, " · ");
        web_buf_esc(b, sj_tr(x->lang, "Neighbourhood alliance"));
    }
    web_buf_put(b, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n"
                   "</head>\n<body>\n<header>\n<a class=\"home\" href=\"");
    href(b, x, "/", 0);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Neighbourhood alliance"));
    web_buf_printf(b,
                   "</a>\n<a class=\"lang\" lang=\"%s\" hreflang=\"%s\" "
                   "href=\"",
                   other_tag(x), other_tag(x));
    web_buf_esc(b, x->path ? x->path : "/");
    web_buf_put(b, "?lang=");
    web_buf_put(b, x->lang == SJ_LANG_ZH ? "en" : "zh");
    if (!empty(x->code)) {
        web_buf_put(b, "&amp;code=");
        web_buf_url(b, x->code);
    }
    web_buf_put(b, "\">");
    web_buf_put(b, x->lang == SJ_LANG_ZH ? "English" : "中文");
    web_buf_put(b, "</a>\n</header>\n<main>\n");
}

static void foot(web_buf_t *b, const web_ctx_t *x)
{
    web_buf_put(b, "</main>\n<footer>\n<nav><a href=\"");
    href(b, x, "/", 0);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Community board"));
    web_buf_put(b, "</a> <a href=\"");
    href(b, x, "/wishes", 0);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Open wishes"));
    web_buf_put(b, "</a> <a href=\"");
    href(b, x, "/merchants", 0);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Merchants"));
    web_buf_put(b, "</a></nav>\n<p>");
    web_buf_esc(b, sj_tr(x->lang,
                         "A merchant–resident alliance of the neighbourhood."));
    web_buf_put(b, "</p>\n</footer>\n</body>\n</html>\n");
}

static void h1_user(web_buf_t *b, const web_ctx_t *x, const char *s)
{
    web_buf_put(b, "<h1>");
    text(b, x, s);
    web_buf_put(b, "</h1>\n");
}

static void h2(web_buf_t *b, const web_ctx_t *x, const char *msgid)
{
    web_buf_put(b, "<h2>");
    web_buf_esc(b, sj_tr(x->lang, msgid));
    web_buf_put(b, "</h2>\n");
}

static void dt(web_buf_t *b, const web_ctx_t *x, const char *msgid)
{
    web_buf_put(b, "<dt>");
    web_buf_esc(b, sj_tr(x->lang, msgid));
    web_buf_put(b, "</dt><dd>");
}

/* ----------------------------------------------------------- the records */

static const char *wish_state(sj_lang_t lang, Shangju__WishState s)
{
    switch (s) {
    case WS(OPEN):
        return sj_tr(lang, "Waiting for a merchant to take it on");
    case WS(CLAIMED):
        return sj_tr(lang, "A merchant has taken it on and is on the way");
    case WS(FULFILLED):
        return sj_tr(lang,
                     "The merchant has done it; the resident is to confirm");
    case WS(CLOSED):
        return sj_tr(lang, "Fulfilled, with the resident's thanks");
    case WS(CANCELLED):
        return sj_tr(lang, "Withdrawn");
    case WS(EXPIRED):
        return sj_tr(lang, "Expired: no one took it on in time");
    default:
        return "";
    }
}

static const char *state_class(Shangju__WishState s)
{
    switch (s) {
    case WS(OPEN):
        return "open";
    case WS(CLAIMED):
    case WS(FULFILLED):
        return "taken";
    case WS(CLOSED):
        return "done";
    default:
        return "over";
    }
}

static const char *compact_state(sj_lang_t lang, Shangju__CompactState s)
{
    switch (s) {
    case CS(PUBLISHED):
        return sj_tr(lang, "Published: about to start");
    case CS(ACTIVE):
        return sj_tr(lang, "In force: the parties are keeping it");
    case CS(EVALUATING):
        return sj_tr(lang, "Term over: the parties are rating one another");
    case CS(CLOSED):
        return sj_tr(lang, "Closed, with results");
    default:
        return sj_tr(lang, "Not yet published");
    }
}

static void wish_item(web_buf_t *b, const web_ctx_t *x, const Shangju__Wish *w)
{
    web_buf_put(b, "<li>");
    link_id(b, x, 'w', w->id);
    text(b, x, w->title);
    web_buf_put(b, "</a><br><span class=\"meta\">");
    if (!empty(w->category)) {
        text(b, x, w->category);
        web_buf_put(b, " · ");
    }
    if (!empty(w->building)) {
        text(b, x, w->building);
        web_buf_put(b, " · ");
    }
    day(b, w->created_at);
    web_buf_put(b, "</span></li>\n");
}

static void listing_item(web_buf_t *b, const web_ctx_t *x,
                         const Shangju__Listing *l)
{
    web_buf_put(b, "<li>");
    link_id(b, x, 'm', l->merchant_id);
    text(b, x, l->name);
    web_buf_put(b, "</a>");
    if (l->n_specialties) {
        web_buf_put(b, "<br><span class=\"meta\">");
        text(b, x, l->specialties[0]);
        web_buf_put(b, "</span>");
    }
    web_buf_put(b, "</li>\n");
}

static void next_link(web_buf_t *b, const web_ctx_t *x, const char *path,
                      uint64_t next)
{
    if (!next)
        return;
    web_buf_put(b, "<p><a class=\"button\" href=\"");
    href(b, x, path, next);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Next page"));
    web_buf_put(b, "</a></p>\n");
}

/* -------------------------------------------------------------- the pages */

void web_page_board(web_buf_t *b, const web_ctx_t *x,
                    const Shangju__WishPage *wishes,
                    const Shangju__ListingPage *listings,
                    const Shangju__CompactPage *compacts)
{
    head(b, x, sj_tr(x->lang, "Community board"), false);
    web_buf_put(b, "<h1>");
    web_buf_esc(b, sj_tr(x->lang, "Community board"));
    web_buf_put(b, "</h1>\n<p>");
    web_buf_esc(b,
                sj_tr(x->lang, "Residents post small wishes; the shops of the "
                               "neighbourhood take them on."));
    web_buf_put(b, "</p>\n<section>\n");
    h2(b, x, N_("Open wishes"));
    if (wishes && wishes->n_items) {
        web_buf_put(b, "<ul class=\"list\">\n");
        for (size_t i = 0; i < wishes->n_items; i++)
            wish_item(b, x, wishes->items[i]);
        web_buf_put(b, "</ul>\n");
    } else {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "No open wishes right now."));
        web_buf_put(b, "</p>\n");
    }
    next_link(b, x, "/wishes", wishes ? wishes->next : 0);
    web_buf_put(b, "</section>\n<section>\n");
    h2(b, x, N_("Merchants"));
    /* By category, in the order categories first appear. */
    size_t n = listings ? listings->n_items : 0;
    for (size_t i = 0; i < n; i++) {
        const char *cat = listings->items[i]->category;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(listings->items[j]->category, cat) == 0;
        if (seen)
            continue;
        web_buf_put(b, "<h3>");
        text(b, x, cat);
        web_buf_put(b, "</h3>\n<ul class=\"list\">\n");
        for (size_t j = i; j < n; j++)
            if (strcmp(listings->items[j]->category, cat) == 0)
                listing_item(b, x, listings->items[j]);
        web_buf_put(b, "</ul>\n");
    }
    if (!n) {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "No merchants have registered yet."));
        web_buf_put(b, "</p>\n");
    }
    next_link(b, x, "/merchants", listings ? listings->next : 0);
    web_buf_put(b, "</section>\n");
    if (compacts && compacts->n_items) {
        web_buf_put(b, "<section>\n");
        h2(b, x, N_("Published compacts"));
        web_buf_put(b, "<ul class=\"list\">\n");
        for (size_t i = 0; i < compacts->n_items; i++) {
            web_buf_put(b, "<li>");
            link_id(b, x, 'c', compacts->items[i]->id);
            text(b, x, compacts->items[i]->title);
            web_buf_put(b, "</a></li>\n");
        }
        web_buf_put(b, "</ul>\n</section>\n");
    }
    foot(b, x);
}

void web_page_wishes(web_buf_t *b, const web_ctx_t *x,
                     const Shangju__WishPage *wishes)
{
    head(b, x, sj_tr(x->lang, "Open wishes"), false);
    web_buf_put(b, "<h1>");
    web_buf_esc(b, sj_tr(x->lang, "Open wishes"));
    web_buf_put(b, "</h1>\n");
    if (wishes && wishes->n_items) {
        web_buf_put(b, "<ul class=\"list\">\n");
        for (size_t i = 0; i < wishes->n_items; i++)
            wish_item(b, x, wishes->items[i]);
        web_buf_put(b, "</ul>\n");
    } else {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "No open wishes right now."));
        web_buf_put(b, "</p>\n");
    }
    next_link(b, x, "/wishes", wishes ? wishes->next : 0);
    foot(b, x);
}

void web_page_merchants(web_buf_t *b, const web_ctx_t *x,
                        const Shangju__ListingPage *listings)
{
    head(b, x, sj_tr(x->lang, "Merchants"), false);
    web_buf_put(b, "<h1>");
    web_buf_esc(b, sj_tr(x->lang, "Merchants"));
    web_buf_put(b, "</h1>\n");
    if (listings && listings->n_items) {
        web_buf_put(b, "<ul class=\"list\">\n");
        for (size_t i = 0; i < listings->n_items; i++) {
            const Shangju__Listing *l = listings->items[i];
            web_buf_put(b, "<li>");
            link_id(b, x, 'm', l->merchant_id);
            text(b, x, l->name);
            web_buf_put(b, "</a><br><span class=\"meta\">");
            text(b, x, l->category);
            web_buf_put(b, "</span></li>\n");
        }
        web_buf_put(b, "</ul>\n");
    } else {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "No merchants have registered yet."));
        web_buf_put(b, "</p>\n");
    }
    next_link(b, x, "/merchants", listings ? listings->next : 0);
    foot(b, x);
}

/* A tel: link dials only digits and a leading +. */
static void tel(web_buf_t *b, const char *phone)
{
    for (const char *p = phone; *p; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && p == phone))
            web_buf_putn(b, p, 1);
}

void web_page_merchant(web_buf_t *b, const web_ctx_t *x,
                       const Shangju__Listing *l)
{
    head(b, x, l->name, true);
    h1_user(b, x, l->name);
    web_buf_put(b, "<p class=\"meta\">");
    text(b, x, l->category);
    web_buf_put(b, "</p>\n");
    if (!empty(l->phone)) {
        web_buf_put(b, "<p><a class=\"button call\" href=\"tel:");
        tel(b, l->phone);
        web_buf_put(b, "\">");
        web_buf_esc(b, sj_tr(x->lang, "Call"));
        web_buf_put(b, " ");
        text(b, x, l->phone);
        web_buf_put(b, "</a></p>\n");
    }
    if (l->n_specialties) {
        web_buf_put(b, "<section>\n");
        h2(b, x, N_("What this shop is known for"));
        web_buf_put(b, "<ul class=\"specialties\">\n");
        for (size_t i = 0; i < l->n_specialties; i++) {
            web_buf_put(b, "<li>");
            text(b, x, l->specialties[i]);
            web_buf_put(b, "</li>\n");
        }
        web_buf_put(b, "</ul>\n</section>\n");
    }
    web_buf_put(b, "<dl class=\"facts\">\n");
    if (!empty(l->address)) {
        dt(b, x, N_("Address"));
        text(b, x, l->address);
        web_buf_put(b, "</dd>\n");
    }
    if (!empty(l->hours)) {
        dt(b, x, N_("Opening hours"));
        text(b, x, l->hours);
        web_buf_put(b, "</dd>\n");
    }
    web_buf_put(b, "</dl>\n");
    if (l->n_services) {
        web_buf_put(b, "<section>\n");
        h2(b, x, N_("Services for reciprocity points"));
        web_buf_put(b, "<ul class=\"list\">\n");
        for (size_t i = 0; i < l->n_services; i++) {
            const Shangju__Service *s = l->services[i];
            web_buf_put(b, "<li>");
            text(b, x, s->name);
            web_buf_printf(b, " · <strong>%u</strong> ", s->points);
            web_buf_esc(b, sj_tr(x->lang, "points"));
            if (!empty(s->description)) {
                web_buf_put(b, "<br><span class=\"meta\">");
                text(b, x, s->description);
                web_buf_put(b, "</span>");
            }
            web_buf_put(b, "</li>\n");
        }
        web_buf_put(b, "</ul>\n</section>\n");
    }
    web_buf_put(b, "<section>\n");
    h2(b, x, N_("Its record in the alliance"));
    web_buf_put(b, "<dl class=\"facts\">\n");
    dt(b, x, N_("Wishes fulfilled"));
    web_buf_printf(b, "%u</dd>\n", l->wishes_fulfilled);
    dt(b, x, N_("Average rating"));
    if (l->ratings)
        web_buf_printf(b, "%.1f / 5 (%u)</dd>\n", l->average_rating,
                       l->ratings);
    else {
        web_buf_esc(b, sj_tr(x->lang, "not rated yet"));
        web_buf_put(b, "</dd>\n");
    }
    /* Its recognitions: the compacts it saw through to the end, and how
     * its partners in them rated it. */
    dt(b, x, N_("Compacts completed"));
    web_buf_printf(b, "%u</dd>\n", l->compacts_closed);
    if (l->compacts_closed) {
        dt(b, x, N_("Rating by its compact partners"));
        if (l->compact_ratings)
            web_buf_printf(b, "%.1f / 5 (%u)</dd>\n", l->compact_average_rating,
                           l->compact_ratings);
        else {
            web_buf_esc(b, sj_tr(x->lang, "not rated yet"));
            web_buf_put(b, "</dd>\n");
        }
    }
    web_buf_put(b, "</dl>\n</section>\n");
    foot(b, x);
}

void web_page_wish(web_buf_t *b, const web_ctx_t *x, const Shangju__Wish *w,
                   const char *merchant)
{
    head(b, x, w->title, true);
    h1_user(b, x, w->title);
    web_buf_printf(b, "<p class=\"state %s\">", state_class(w->state));
    web_buf_esc(b, wish_state(x->lang, w->state));
    web_buf_put(b, "</p>\n");
    if (!empty(x->code)) {
        web_buf_put(b, "<section class=\"handover\">\n");
        h2(b, x, N_("Hand-over code"));
        web_buf_put(b, "<p class=\"code\" lang=\"en\">");
        web_buf_esc(b, x->code);
        web_buf_put(b, "</p>\n<p>");
        web_buf_esc(b, sj_tr(x->lang,
                             "Merchant: type this code into the shop's desk "
                             "client when you hand the wish over."));
        web_buf_put(b, "</p>\n</section>\n");
    }
    if (!empty(w->details)) {
        web_buf_put(b, "<p class=\"details\"><bdi>");
        web_buf_esc_lines(b, w->details);
        web_buf_put(b, "</bdi></p>\n");
    }
    web_buf_put(b, "<dl class=\"facts\">\n");
    if (!empty(w->category)) {
        dt(b, x, N_("Category"));
        text(b, x, w->category);
        web_buf_put(b, "</dd>\n");
    }
    if (!empty(w->community) || !empty(w->building)) {
        dt(b, x, N_("Where"));
        text(b, x, w->community);
        if (!empty(w->community) && !empty(w->building))
            web_buf_put(b, " · ");
        text(b, x, w->building);
        web_buf_put(b, "</dd>\n");
    }
    dt(b, x, N_("Posted"));
    date(b, w->created_at);
    web_buf_put(b, "</dd>\n");
    if (w->claim && w->claim->merchant_id &&
        (w->state == WS(CLAIMED) || w->state == WS(FULFILLED) ||
         w->state == WS(CLOSED))) {
        dt(b, x,
           w->state == WS(CLAIMED) ? N_("Taken on by") : N_("Fulfilled by"));
        link_id(b, x, 'm', w->claim->merchant_id);
        if (!empty(merchant))
            text(b, x, merchant);
        else
            web_buf_esc(b, sj_tr(x->lang, "a merchant of the alliance"));
        web_buf_put(b, "</a></dd>\n");
    }
    if (w->state == WS(CLOSED)) {
        if (!empty(w->thanks)) {
            dt(b, x, N_("Thanks"));
            text(b, x, w->thanks);
            web_buf_put(b, "</dd>\n");
        }
        if (w->rating) {
            dt(b, x, N_("Rating"));
            web_buf_printf(b, "%u / 5</dd>\n", w->rating);
        }
    }
    web_buf_put(b, "</dl>\n");
    foot(b, x);
}

static void hex(web_buf_t *b, ProtobufCBinaryData d)
{
    for (size_t i = 0; i < d.len; i++)
        web_buf_printf(b, "%02x", d.data[i]);
}

static void party(web_buf_t *b, const web_ctx_t *x, const web_party_t *ps,
                  size_t n, uint64_t id)
{
    if (id == 0) {
        web_buf_esc(b, sj_tr(x->lang, "the community"));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const web_party_t *p = &ps[i];
        if (p->id != id)
            continue;
        if (p->role == ROLE(RESIDENT) || empty(p->name)) {
            web_buf_esc(b, p->role == ROLE(RESIDENT)
                               ? sj_tr(x->lang, "a residents' representative")
                               : sj_tr(x->lang, "a party"));
            return;
        }
        if (p->has_listing)
            link_id(b, x, 'm', id);
        text(b, x, p->name);
        if (p->has_listing)
            web_buf_put(b, "</a>");
        return;
    }
    web_buf_esc(b, sj_tr(x->lang, "a party"));
}

void web_page_compact(web_buf_t *b, const web_ctx_t *x,
                      const Shangju__Compact *cp, const web_party_t *parties,
                      size_t n, const web_notice_key_t *key)
{
    head(b, x, cp->title, true);
    h1_user(b, x, cp->title);
    web_buf_put(b, "<p class=\"state\">");
    web_buf_esc(b, compact_state(x->lang, cp->state));
    web_buf_put(b, "</p>\n<dl class=\"facts\">\n");
    dt(b, x, N_("Term"));
    day(b, cp->term_start);
    web_buf_put(b, " – ");
    day(b, cp->term_end > 0 ? cp->term_end - 1 : 0); /* the end is exclusive */
    web_buf_put(b, "</dd>\n");
    dt(b, x, N_("Published"));
    date(b, cp->published_at);
    web_buf_put(b, "</dd>\n</dl>\n<section>\n");
    h2(b, x, N_("Parties"));
    web_buf_put(b, "<ul class=\"list\">\n");
    for (size_t i = 0; i < cp->n_parties; i++) {
        web_buf_put(b, "<li>");
        party(b, x, parties, n, cp->parties[i]);
        web_buf_put(b, "</li>\n");
    }
    web_buf_put(b, "</ul>\n</section>\n");
    if (cp->n_items) {
        web_buf_put(b, "<section>\n");
        h2(b, x, N_("Services promised"));
        web_buf_put(b, "<ol class=\"list\">\n");
        for (size_t i = 0; i < cp->n_items; i++) {
            const Shangju__ServiceItem *it = cp->items[i];
            web_buf_put(b, "<li>");
            text(b, x, it->what);
            web_buf_put(b, "<br><span class=\"meta\">");
            party(b, x, parties, n, it->giver_id);
            web_buf_put(b, " → ");
            party(b, x, parties, n, it->receiver_id);
            if (!empty(it->how_often)) {
                web_buf_put(b, " · ");
                text(b, x, it->how_often);
            }
            web_buf_put(b, "</span></li>\n");
        }
        web_buf_put(b, "</ol>\n</section>\n");
    }
    if (!empty(cp->covenant)) {
        web_buf_put(b, "<section>\n");
        h2(b, x, N_("Covenant"));
        web_buf_put(b, "<p class=\"details\"><bdi>");
        web_buf_esc_lines(b, cp->covenant);
        web_buf_put(b, "</bdi></p>\n</section>\n");
    }
    web_buf_put(b, "<section>\n");
    h2(b, x, N_("Signatures"));
    web_buf_put(b, "<ul class=\"list\">\n");
    for (size_t i = 0; i < cp->n_signatures; i++) {
        const Shangju__Signature *s = cp->signatures[i];
        web_buf_put(b, "<li>");
        party(b, x, parties, n, s->party_id);
        web_buf_put(b, "<br><span class=\"meta\">");
        date(b, s->at);
        web_buf_printf(b, " · v%u</span></li>\n", s->version);
    }
    web_buf_put(b, "</ul>\n<p class=\"meta\">");
    web_buf_esc(b, sj_tr(x->lang, "Version hash (SHA-256)"));
    web_buf_printf(b, " v%u: <code class=\"hash\">", cp->version);
    hex(b, cp->version_hash);
    web_buf_put(b, "</code></p>\n</section>\n<section class=\"notice\">\n");
    h2(b, x, N_("The signed notice"));
    if (!empty(cp->notice)) {
        char path[64];
        snprintf(path, sizeof path, "/c/%" PRIu64 "/notice", cp->id);
        web_buf_put(b, "<p><a class=\"button\" download href=\"");
        web_buf_put(b, path);
        web_buf_put(b, "\">");
        web_buf_esc(b, sj_tr(x->lang, "Download the signed notice"));
        web_buf_put(b, "</a></p>\n");
    }
    if (key && key->valid) {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "Signed with the alliance's notice key, "
                                      "fingerprint:"));
        web_buf_put(b, "</p>\n<p><code class=\"hash\">");
        web_buf_esc(b, key->fingerprint);
        web_buf_put(b, "</code></p>\n<p>");
        web_buf_esc(b, sj_tr(x->lang,
                             "To check the file offline, save the key below as "
                             "notice.pub and run:"));
        web_buf_put(b, "</p>\n<pre lang=\"en\">shangju compact verify "
                       "--public-key notice.pub notice.txt</pre>\n"
                       "<p><code class=\"hash\">");
        web_buf_esc(b, key->key_b64);
        web_buf_put(b, "</code></p>\n");
    } else {
        web_buf_put(b, "<p>");
        web_buf_esc(b, sj_tr(x->lang, "The signed notice is not available."));
        web_buf_put(b, "</p>\n");
    }
    web_buf_put(b, "</section>\n");
    foot(b, x);
}

void web_page_error(web_buf_t *b, const web_ctx_t *x, int status)
{
    const char *title, *say;
    switch (status) {
    case 400:
        title = sj_tr(x->lang, "This address is not right");
        say = sj_tr(x->lang, "Please check the link or scan the code again.");
        break;
    case 404:
        title = sj_tr(x->lang, "Nothing here");
        say = sj_tr(x->lang,
                    "This page does not exist, or it is no longer public.");
        break;
    case 405:
        title = sj_tr(x->lang, "Not allowed");
        say = sj_tr(x->lang, "These pages can only be read.");
        break;
    case 503:
        title = sj_tr(x->lang, "Please try again in a moment");
        say = sj_tr(x->lang,
                    "The alliance's service cannot be reached right now.");
        break;
    default:
        title = sj_tr(x->lang, "Something went wrong");
        say = sj_tr(x->lang, "Please try again later.");
        break;
    }
    head(b, x, title, false);
    web_buf_put(b, "<h1>");
    web_buf_esc(b, title);
    web_buf_put(b, "</h1>\n<p>");
    web_buf_esc(b, say);
    web_buf_printf(b, "</p>\n<p class=\"meta\">%d</p>\n", status);
    web_buf_put(b, "<p><a class=\"button\" href=\"");
    href(b, x, "/", 0);
    web_buf_put(b, "\">");
    web_buf_esc(b, sj_tr(x->lang, "Go to the community board"));
    web_buf_put(b, "</a></p>\n");
    foot(b, x);
}
