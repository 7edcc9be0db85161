/* The page builders of the public web front: pure functions from broker
 * records (as the web role sees them) to one complete HTML page each, in
 * Simplified Chinese or English (sj_tr), every dynamic value escaped
 * (html.h) and wrapped in <bdi> with its own lang when its script differs
 * from the page's. No sockets, no clock but the formatting of the times
 * given: tested with hostile text by test_web_pages. */
#ifndef SJ_WEB_PAGES_H
#define SJ_WEB_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "html.h"
#include "i18n.h"
#include "shangju.pb-c.h"

/* Largest page built, bytes (a full listing or compact is far smaller). */
#define WEB_PAGE_MAX (512u * 1024)

/* What every page needs besides its records. Strings are borrowed. */
typedef struct {
    sj_lang_t lang;
    bool lang_chosen; /* ?lang= given: internal links carry it */
    const char *path; /* this page's path, for the language switch */
    const char *code; /* /w/ID?code=: kept across the switch, or NULL */
} web_ctx_t;

/* A compact's party as the page names it: merchants and the committee by
 * name (name may be NULL or "" when unknown), residents by role only. */
typedef struct {
    uint64_t id;
    Shangju__Role role;
    const char *name;
    bool has_listing; /* a merchant with a page: link to /m/ID */
} web_party_t;

/* The notice key as the compact page shows it: base64 (as in
 * DATA/notice.pub) and a short fingerprint; either may be NULL when the
 * notice is missing or does not verify (then `valid` is false). */
typedef struct {
    bool valid;
    const char *key_b64;
    const char *fingerprint;
} web_notice_key_t;

/* The board "/": open wishes, merchants by category, published compacts.
 * Any page pointer may be NULL (nothing of that kind). */
void web_page_board(web_buf_t *b, const web_ctx_t *x,
                    const Shangju__WishPage *wishes,
                    const Shangju__ListingPage *listings,
                    const Shangju__CompactPage *compacts);

/* "/wishes?after=N": open wishes, one page, a link to the next. */
void web_page_wishes(web_buf_t *b, const web_ctx_t *x,
                     const Shangju__WishPage *wishes);

/* "/merchants?after=N": listings, one page, a link to the next. */
void web_page_merchants(web_buf_t *b, const web_ctx_t *x,
                        const Shangju__ListingPage *listings);

/* "/m/ID": a merchant's listing and record (the read fields of l). */
void web_page_merchant(web_buf_t *b, const web_ctx_t *x,
                       const Shangju__Listing *l);

/* "/w/ID": a wish; merchant is the claiming merchant's shop name (NULL
 * when unknown or none). With x->code the page also shows that code in
 * large type — as given, never checked. */
void web_page_wish(web_buf_t *b, const web_ctx_t *x, const Shangju__Wish *w,
                   const char *merchant);

/* "/c/ID": a published compact's notice with its parties (n, in the
 * order of cp->parties) and the notice key. */
void web_page_compact(web_buf_t *b, const web_ctx_t *x,
                      const Shangju__Compact *cp, const web_party_t *parties,
                      size_t n, const web_notice_key_t *key);

/* A friendly error page for status 400, 404, 405, 500 or 503. */
void web_page_error(web_buf_t *b, const web_ctx_t *x, int status);

/* The stylesheet served at /style.css (static, NUL-terminated). */
extern const char web_style_css[];

#endif
