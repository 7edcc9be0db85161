/* The routes of routes.h: parse the path, fetch the records as the web
 * role (public reads only), build the page. */
#include "routes.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages.h"
#include "signed_notice.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define K(x) SHANGJU__REQUEST__BODY_##x
#define R(x) SHANGJU__REPLY__BODY_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

#define BOARD_WISHES 10
#define BOARD_LISTINGS 50
#define PAGE_ITEMS 20
#define MAX_PARTIES 32

static const char html_type[] = "text/html; charset=utf-8";

void web_reply_free(web_reply_t *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* A decimal id: 1..2^63-1, digits only, no leading zero; 0 when not. */
static uint64_t parse_id(const char *s, const char **end)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '1' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (p - s >= 18)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *end = p;
    return v;
}

static void ctx_of(const web_req_t *rq, web_ctx_t *x)
{
    x->lang = rq->lang;
    x->lang_chosen = rq->lang_chosen;
    x->path = rq->path;
    x->code = NULL;
}

/* Take the built page into out; a page too large or out of memory is a
 * 500 of its own (a tiny fixed text). */
static void finish(web_buf_t *b, int status, web_reply_t *out)
{
    out->status = status;
    out->ctype = html_type;
    out->body = web_buf_take(b, &out->len);
    if (!out->body) {
        static const char oops[] = "internal error\n";
        out->status = 500;
        out->ctype = "text/plain; charset=utf-8";
        out->body = strdup(oops);
        out->len = out->body ? sizeof oops - 1 : 0;
        out->cacheable = false;
    }
}

void web_route_error(const web_req_t *rq, int status, web_reply_t *out)
{
    web_ctx_t x;
    ctx_of(rq, &x);
    x.path = "/";
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    web_page_error(&b, &x, status);
    finish(&b, status, out);
}

/* One call; its HTTP status when it failed (503 down, 404 not found or
 * not public, 400 a bad argument, 500 anything else), 0 when OK. */
static int ask(web_upstream_t *up, Shangju__Request *req, Shangju__Reply **rep)
{
    int rc = web_upstream_call(up, req, rep);
    if (rc)
        return 503;
    switch ((*rep)->status) {
    case ST(OK):
        return 0;
    case ST(NOT_FOUND):
    case ST(PERMISSION_DENIED):
        return 404;
    case ST(INVALID_ARGUMENT):
        return 400;
    default:
        return 500;
    }
}

static void release(Shangju__Reply **r)
{
    if (*r)
        shangju__reply__free_unpacked(*r, NULL);
    *r = NULL;
}

static int list_wishes(web_upstream_t *up, uint64_t after, uint32_t limit,
                       Shangju__Reply **rep)
{
    Shangju__WishList l = SHANGJU__WISH_LIST__INIT;
    l.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    l.limit = limit;
    l.after = after;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_LIST);
    req.wish_list = &l;
    return ask(up, &req, rep);
}

static int list_listings(web_upstream_t *up, uint64_t after, uint32_t limit,
                         Shangju__Reply **rep)
{
    Shangju__ListingList l = SHANGJU__LISTING_LIST__INIT;
    l.limit = limit;
    l.after = after;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(LISTING_LIST);
    req.listing_list = &l;
    return ask(up, &req, rep);
}

static int get_listing(web_upstream_t *up, uint64_t id, Shangju__Reply **rep)
{
    Shangju__ListingGet g = SHANGJU__LISTING_GET__INIT;
    g.merchant_id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(LISTING_GET);
    req.listing_get = &g;
    return ask(up, &req, rep);
}

static int get_compact(web_upstream_t *up, uint64_t id, Shangju__Reply **rep)
{
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_GET);
    req.compact_get = &g;
    return ask(up, &req, rep);
}

static int board(web_upstream_t *up, const web_ctx_t *x, web_buf_t *b)
{
    Shangju__Reply *w = NULL, *l = NULL, *c = NULL;
    int st = list_wishes(up, 0, BOARD_WISHES, &w);
    if (!st)
        st = list_listings(up, 0, BOARD_LISTINGS, &l);
    if (!st) {
        Shangju__CompactList cl = SHANGJU__COMPACT_LIST__INIT;
        cl.limit = 10;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(COMPACT_LIST);
        req.compact_list = &cl;
        if (ask(up, &req, &c) == 503)
            st = 503;
    }
    if (!st)
        web_page_board(b, x, w->wishes, l->listings,
                       c && c->status == ST(OK) ? c->compacts : NULL);
    release(&w), release(&l), release(&c);
    return st;
}

static int wishes(web_upstream_t *up, const web_ctx_t *x, uint64_t after,
                  web_buf_t *b)
{
    Shangju__Reply *w = NULL;
    int st = list_wishes(up, after, PAGE_ITEMS, &w);
    if (!st)
        web_page_wishes(b, x, w->wishes);
    release(&w);
    return st;
}

static int merchants(web_upstream_t *up, const web_ctx_t *x, uint64_t after,
                     web_buf_t *b)
{
    Shangju__Reply *l = NULL;
    int st = list_listings(up, after, PAGE_ITEMS, &l);
    if (!st)
        web_page_merchants(b, x, l->listings);
    release(&l);
    return st;
}

static int merchant(web_upstream_t *up, const web_ctx_t *x, uint64_t id,
                    web_buf_t *b)
{
    Shangju__Reply *l = NULL;
    int st = get_listing(up, id, &l);
    if (!st)
        web_page_merchant(b, x, l->listing);
    release(&l);
    return st;
}

static int wish(web_upstream_t *up, const web_ctx_t *x, uint64_t id,
                web_buf_t *b)
{
    Shangju__WishGet g = SHANGJU__WISH_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_GET);
    req.wish_get = &g;
    Shangju__Reply *w = NULL, *l = NULL;
    int st = ask(up, &req, &w);
    if (st) {
        release(&w);
        return st;
    }
    const char *name = NULL;
    const Shangju__Claim *cl = w->wish->claim;
    if (cl && cl->merchant_id) {
        int ls = get_listing(up, cl->merchant_id, &l);
        if (ls == 503) {
            release(&w), release(&l);
            return 503;
        }
        if (ls == 0)
            name = l->listing->name;
    }
    web_page_wish(b, x, w->wish, name);
    release(&w), release(&l);
    return 0;
}

/* The notice key of a compact's signed notice: verified here, shown as
 * base64 and as its fingerprint, spelled as the notice and the CLI spell
 * it (sj_notice_fingerprint), so a reader can compare them by eye. */
static void notice_key(const Shangju__Compact *cp, char *b64, size_t b64cap,
                       char fp[SJ_NOTICE_FP_LEN], web_notice_key_t *k)
{
    uint8_t key[32];
    char why[160];
    k->valid = false;
    k->key_b64 = k->fingerprint = NULL;
    if (!cp->notice || !*cp->notice ||
        sj_notice_verify(cp->notice, strlen(cp->notice), NULL, key, why,
                         sizeof why) != 0)
        return;
    sodium_bin2base64(b64, b64cap, key, sizeof key,
                      sodium_base64_VARIANT_ORIGINAL);
    sj_notice_fingerprint(key, fp);
    k->valid = true;
    k->key_b64 = b64;
    k->fingerprint = fp;
}

static int compact(web_upstream_t *up, const web_ctx_t *x, uint64_t id,
                   web_buf_t *b)
{
    Shangju__Reply *c = NULL;
    int st = get_compact(up, id, &c);
    if (st) {
        release(&c);
        return st;
    }
    const Shangju__Compact *cp = c->compact;
    size_t n = cp->n_parties < MAX_PARTIES ? cp->n_parties : MAX_PARTIES;
    web_party_t ps[MAX_PARTIES];
    Shangju__Reply *held[2 * MAX_PARTIES] = {0};
    size_t nh = 0;
    for (size_t i = 0; i < n && !st; i++) {
        web_party_t *p = &ps[i];
        memset(p, 0, sizeof *p);
        p->id = cp->parties[i];
        Shangju__MemberGet g = SHANGJU__MEMBER_GET__INIT;
        g.id = p->id;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(MEMBER_GET);
        req.member_get = &g;
        Shangju__Reply *m = NULL;
        int ms = ask(up, &req, &m);
        held[nh++] = m;
        if (ms == 503)
            st = 503;
        if (ms)
            continue;
        p->role = m->member->role;
        p->name = m->member->name;
        if (p->role == ROLE(MERCHANT)) {
            Shangju__Reply *l = NULL;
            int ls = get_listing(up, p->id, &l);
            held[nh++] = l;
            if (ls == 503)
                st = 503;
            else if (ls == 0) {
                p->has_listing = true;
                p->name = l->listing->name;
            }
        }
    }
    if (!st) {
        char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
        char fp[SJ_NOTICE_FP_LEN];
        web_notice_key_t k;
        notice_key(cp, b64, sizeof b64, fp, &k);
        web_page_compact(b, x, cp, ps, n, &k);
    }
    for (size_t i = 0; i < nh; i++)
        release(&held[i]);
    release(&c);
    return st;
}

static int notice(web_upstream_t *up, uint64_t id, web_reply_t *out)
{
    Shangju__Reply *c = NULL;
    int st = get_compact(up, id, &c);
    if (!st && (!c->compact->notice || !*c->compact->notice))
        st = 404;
    if (!st) {
        out->len = strlen(c->compact->notice);
        out->body = malloc(out->len ? out->len : 1);
        if (!out->body)
            st = 500;
        else {
            memcpy(out->body, c->compact->notice, out->len);
            out->status = 200;
            out->ctype = "text/plain; charset=utf-8";
            snprintf(out->filename, sizeof out->filename,
                     "compact-%" PRIu64 "-notice.txt", id);
        }
    }
    release(&c);
    return st;
}

web_page_kind_t web_route_kind(const char *p, uint64_t *id)
{
    const char *end = NULL;
    *id = 0;
    if (!strcmp(p, "/") || !strcmp(p, "/wishes") || !strcmp(p, "/merchants"))
        return WEB_PAGE_LIST;
    if (p[0] != '/' || !p[1] || !strchr("mwc", p[1]) || p[2] != '/' ||
        !(*id = parse_id(p + 3, &end)))
        return WEB_PAGE_OTHER;
    if (p[1] == 'm' && !*end)
        return WEB_PAGE_MERCHANT;
    if (p[1] == 'w' && !*end)
        return WEB_PAGE_WISH;
    if (p[1] == 'c' && (!*end || !strcmp(end, "/notice")))
        return WEB_PAGE_COMPACT;
    return WEB_PAGE_OTHER;
}

void web_route(web_upstream_t *up, const web_req_t *rq, web_reply_t *out)
{
    memset(out, 0, sizeof *out);
    web_ctx_t x;
    ctx_of(rq, &x);
    web_buf_t b;
    web_buf_init(&b, WEB_PAGE_MAX);
    const char *p = rq->path, *end = NULL;
    uint64_t after = 0, id = 0;
    int st = 404;
    if (rq->after && *rq->after && !(after = parse_id(rq->after, &end)))
        st = 400;
    else if (rq->after && *rq->after && *end)
        st = 400;
    else if (strcmp(p, "/") == 0)
        st = board(up, &x, &b);
    else if (strcmp(p, "/wishes") == 0)
        st = wishes(up, &x, after, &b);
    else if (strcmp(p, "/merchants") == 0)
        st = merchants(up, &x, after, &b);
    else if (p[0] == '/' && p[1] && strchr("mwc", p[1]) && p[2] == '/') {
        char kind = p[1];
        if (!(id = parse_id(p + 3, &end)))
            st = 400;
        else if (kind == 'm' && !*end)
            st = merchant(up, &x, id, &b);
        else if (kind == 'w' && !*end) {
            x.code = rq->code && *rq->code ? rq->code : NULL;
            st = wish(up, &x, id, &b);
            out->private_page = x.code != NULL;
        } else if (kind == 'c' && !*end)
            st = compact(up, &x, id, &b);
        else if (kind == 'c' && strcmp(end, "/notice") == 0) {
            st = notice(up, id, out);
            if (!st) {
                out->cacheable = true;
                return;
            }
        } else
            st = 404;
    }
    if (st) {
        web_buf_free(&b);
        web_route_error(rq, st, out);
        /* Not-found pages are cached too (a scan of a stale code repeats);
         * 503 and 500 never. */
        out->cacheable = st == 404 || st == 400;
        return;
    }
    finish(&b, 200, out);
    out->cacheable = out->status == 200 && !out->private_page;
}
