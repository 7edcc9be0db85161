/* The broker connection of upstream.h. */
#include "upstream.h"

#include "sj_topics.h"

#include <stdlib.h>
#include <time.h>

/* How long the broker counts as down after a call went unanswered. */
#define DOWN_MS 1000
#define FRESH_SLOTS 4096 /* per page kind, direct-mapped by id */

struct web_upstream {
    sj_client_t *c;
    uint64_t generation;
    /* The generation of the last event that changed: any page, any list,
     * every merchant page, and the page of kind k whose id maps to slot i. */
    uint64_t all_at, lists_at, merchants_at;
    uint64_t at[WEB_PAGE_LIST][FRESH_SLOTS];
    int64_t down_until; /* monotonic ms; 0 = up */
    bool was_down;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t slot(uint64_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 52) % FRESH_SLOTS;
}

/* The web role sees stubs: topic, subject and subject id. */
static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c;
    web_upstream_t *u = ud;
    uint64_t g = ++u->generation;
    if (err || !ev) { /* a gap: anything may have changed */
        u->all_at = g;
        return;
    }
    sj_topic_t t = sj_topic_parse(ev->topic);
    switch (ev->subject) {
    case SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_WISH:
        u->at[WEB_PAGE_WISH][slot(ev->subject_id)] = g;
        u->lists_at = g;
        /* a claim, a fulfilment, a rating: the merchant's record and the
         * claimant's name; a new wish has neither */
        if (t != SJ_TOPIC_WISH_POSTED && t != SJ_TOPIC_WISH_EXPIRING)
            u->merchants_at = g;
        break;
    case SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_COMPACT:
        u->at[WEB_PAGE_COMPACT][slot(ev->subject_id)] = g;
        u->lists_at = g;
        if (t == SJ_TOPIC_COMPACT_CLOSED || t == SJ_TOPIC_NONE)
            u->merchants_at = g;
        break;
    case SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_POINTS:
        break; /* no public page shows balances or transfers */
    default:
        /* a listing's name shows on wish and compact pages, a member's
         * on compact pages: every page */
        u->all_at = g;
        break;
    }
}

web_upstream_t *web_upstream_new(const sj_client_opts_t *opts, int *err)
{
    web_upstream_t *u = calloc(1, sizeof *u);
    if (!u) {
        if (err)
            *err = SJ_ENOMEM;
        return NULL;
    }
    sj_client_opts_t o = *opts;
    if (!o.timeout_ms)
        o.timeout_ms = 800;
    o.retries = -1; /* a page waits for one attempt, then says 503 */
    o.sync_ms = 1000;
    u->c = sj_client_new(&o, err);
    if (!u->c) {
        free(u);
        return NULL;
    }
    int rc = sj_client_subscribe(u->c, NULL, 0, 0, on_event, u);
    if (rc) {
        if (err)
            *err = rc;
        web_upstream_destroy(&u);
        return NULL;
    }
    return u;
}

void web_upstream_destroy(web_upstream_t **self)
{
    if (!self || !*self)
        return;
    sj_client_destroy(&(*self)->c);
    free(*self);
    *self = NULL;
}

int web_upstream_call(web_upstream_t *u, Shangju__Request *req,
                      Shangju__Reply **reply)
{
    *reply = NULL;
    if (u->down_until && now_ms() < u->down_until)
        return SJ_ETIMEOUT;
    req->request_id = 0; /* a fresh id per call */
    int rc = sj_client_call(u->c, req, reply);
    if (rc == SJ_ETIMEOUT) {
        u->down_until = now_ms() + DOWN_MS;
        u->was_down = true;
        return rc;
    }
    u->down_until = 0;
    if (u->was_down) {
        /* Back: what was cached before may have changed meanwhile. */
        u->was_down = false;
        u->all_at = ++u->generation;
    }
    return rc;
}

uint64_t web_upstream_generation(const web_upstream_t *u)
{
    return u->generation;
}

uint64_t web_upstream_fresh_since(const web_upstream_t *u, web_page_kind_t kind,
                                  uint64_t id)
{
    uint64_t g = u->all_at;
    switch (kind) {
    case WEB_PAGE_MERCHANT:
        if (u->merchants_at > g)
            g = u->merchants_at;
        /* fall through */
    case WEB_PAGE_WISH:
    case WEB_PAGE_COMPACT:
        if (u->at[kind][slot(id)] > g)
            g = u->at[kind][slot(id)];
        return g;
    case WEB_PAGE_LIST:
        return u->lists_at > g ? u->lists_at : g;
    default:
        return u->generation;
    }
}

int web_upstream_fd(const web_upstream_t *u)
{
    return sj_client_fd(u->c);
}

int web_upstream_timeout_ms(web_upstream_t *u)
{
    return sj_client_next_timeout_ms(u->c);
}

void web_upstream_process(web_upstream_t *u)
{
    sj_client_process(u->c);
}
