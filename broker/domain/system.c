/* Handlers that concern the session rather than the domain: ping, whoami,
 * and replay of the event log for clients catching up, each event shown to
 * the caller under the visibility rules of the request API. */
#include "dispatch.h"

#include "codec.h"
#include "visibility.h"

#define REPLAY_DEFAULT 1000

static int last_seq(sj_call_t *c, uint64_t *seq)
{
    int err = sj_txn_last_id(c->txn, SJ_COUNTER_EVENT, seq);
    return err ? sj_call_store_fail(c, err, "event log") : 0;
}

int sj_h_ping(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    Shangju__Pong *p = sj_call_alloc(c, sizeof *p);
    if (!p)
        return sj_call_store_fail(c, SJ_ENOMEM, "pong");
    shangju__pong__init(p);
    p->version = (char *)SJ_VERSION;
    p->now = c->now;
    int rc = last_seq(c, &p->last_seq);
    if (rc)
        return rc;
    c->reply.body_case = SHANGJU__REPLY__BODY_PONG;
    c->reply.pong = p;
    return 0;
}

int sj_h_whoami(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    Shangju__Member *m;
    int err = sj_member_get(c->txn, c->caller->id, &m);
    if (err || !sj_call_own(c, m))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = m;
    return 0;
}

/* Replay is a request, answered per caller: every event of the range is
 * there (the sequence stays gapless for every reader), each shown through
 * sj_vis_event — in full, or as its stub when the body is not the
 * caller's to see. A suspended caller never gets here (sj_dispatch). */
int sj_h_replay(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__Replay *r = req->replay;
    size_t limit = r->limit ? r->limit : REPLAY_DEFAULT;
    if (limit > REPLAY_DEFAULT)
        limit = REPLAY_DEFAULT;
    Shangju__EventPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "event page");
    shangju__event_page__init(page);
    int rc = last_seq(c, &page->last_seq);
    if (rc)
        return rc;
    Shangju__Event **items;
    size_t n;
    int err = sj_event_range(c->txn, r->from_seq, limit, &items, &n);
    if (err)
        return sj_call_store_fail(c, err, "event log");
    err = sj_call_own_page(c, (void **)items, n);
    if (err)
        return sj_call_store_fail(c, err, "event page");
    sj_vis_event_t *views = sj_call_alloc(c, n * sizeof *views);
    Shangju__Event **shown = sj_call_alloc(c, n * sizeof *shown);
    if (!views || !shown)
        return sj_call_store_fail(c, SJ_ENOMEM, "event page");
    for (size_t i = 0; i < n; i++) {
        /* Events logged before requests were stripped may hold fields
         * the schema does not know, deep inside the body too. */
        sj_codec_strip_unknown(&items[i]->base);
        sj_vis_event(c->caller, items[i], &views[i]);
        shown[i] = &views[i].ev;
    }
    page->items = shown;
    page->n_items = n;
    c->reply.body_case = SHANGJU__REPLY__BODY_EVENTS;
    c->reply.events = page;
    return 0;
}
