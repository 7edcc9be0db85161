/* The web front's routes: from a parsed GET request to a complete reply
 * (status, body, type), asking the broker through upstream.h and building
 * the page with pages.h. Knows nothing of HTTP connections (server.c) or
 * caching (cache.h).
 *   /             the community board       /wishes?after=N  open wishes
 *   /merchants?after=N  listings            /m/ID            a merchant
 *   /w/ID[?code=C]      a wish              /c/ID            a compact
 *   /c/ID/notice        the signed notice (download)
 *   /style.css, /healthz   static */
#ifndef SJ_WEB_ROUTES_H
#define SJ_WEB_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "upstream.h"

/* Longest URL path and ?code= value accepted (longer: 400). */
#define WEB_PATH_MAX 256
#define WEB_CODE_MAX 64

typedef struct {
    const char *path; /* the URL path */
    sj_lang_t lang;
    bool lang_chosen;  /* by ?lang= rather than Accept-Language */
    const char *after; /* ?after=, or NULL */
    const char *code;  /* ?code=, or NULL */
} web_req_t;

typedef struct {
    int status;
    char *body; /* malloc'd, owned by the reply */
    size_t len;
    const char *ctype; /* static */
    bool cacheable;    /* same for everyone until the generation changes */
    bool private_page; /* carries a hand-over code: never stored */
    char filename[64]; /* set: a download (Content-Disposition) */
} web_reply_t;

/* Build the reply to rq into *out (which the caller frees with
 * web_reply_free). Always fills a reply: errors become friendly pages. */
void web_route(web_upstream_t *up, const web_req_t *rq, web_reply_t *out);

/* What the page at path shows, for the cache (*id: its merchant, wish or
 * compact). */
web_page_kind_t web_route_kind(const char *path, uint64_t *id);

/* An error page for status in lang (405 from the server, for one). */
void web_route_error(const web_req_t *rq, int status, web_reply_t *out);

void web_reply_free(web_reply_t *r);

#endif
