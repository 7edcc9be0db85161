/* The connection of session.h. Every request the session sends carries a
 * small job (callback, user data) that is freed when its reply comes or
 * when the session ends; the library drops its pending requests without
 * calling them on destroy, so the session frees the jobs itself. */
#include "session.h"

#include "client_gsource.h"
#include "i18n.h"
#include "sj_reasons.h"

#define HEARTBEAT_MS 1000
#define TIMEOUT_MS 750
#define LIST_PAGE 200

struct sj_desk_session {
    sj_client_t *c;
    GSource *src;
    guint heartbeat;
    sj_desk_session_cbs_t cbs;
    void *ud;
    sj_desk_link_t link;
    uint64_t me;
    bool ping_out;    /* a heartbeat Ping is in flight */
    GHashTable *jobs; /* job_t * pending: freed on reply or at the end */
};

typedef struct {
    sj_desk_session_t *s;
    sj_desk_reply_fn *cb;
    void *ud;
} job_t;

static void set_link(sj_desk_session_t *s, sj_desk_link_t link);

static void on_reply(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    job_t *j = ud;
    sj_desk_session_t *s = j->s;
    g_hash_table_steal(s->jobs, j);
    /* Any answer at all shows the broker is there. */
    if (!err)
        set_link(s, SJ_DESK_ONLINE);
    if (j->cb)
        j->cb(r, err, j->ud);
    g_free(j);
}

static int send_job(sj_desk_session_t *s, Shangju__Request *req,
                    sj_desk_reply_fn *cb, void *ud)
{
    job_t *j = g_new(job_t, 1);
    j->s = s;
    j->cb = cb;
    j->ud = ud;
    g_hash_table_add(s->jobs, j);
    int rc = sj_client_send(s->c, req, on_reply, j);
    if (rc) {
        g_hash_table_remove(s->jobs, j);
        g_free(j);
    }
    return rc;
}

/* ---------------------------------------------------------- the lists */

static void list_page(sj_desk_session_t *s, bool mine, uint64_t after);

typedef struct {
    sj_desk_session_t *s;
    bool mine;
} list_job_t;

static void on_list(const Shangju__Reply *r, int err, void *ud)
{
    list_job_t *lj = ud;
    sj_desk_session_t *s = lj->s;
    bool mine = lj->mine;
    g_free(lj);
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_WISHES)
        return; /* offline or refused: the next reconnection asks again */
    for (size_t i = 0; i < r->wishes->n_items; i++)
        if (s->cbs.wish)
            s->cbs.wish(s->ud, r->wishes->items[i], false);
    if (r->wishes->next)
        list_page(s, mine, r->wishes->next);
}

static void list_page(sj_desk_session_t *s, bool mine, uint64_t after)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishList wl = SHANGJU__WISH_LIST__INIT;
    wl.state = mine ? SHANGJU__WISH_STATE__WISH_STATE_CLAIMED
                    : SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    wl.mine = mine;
    wl.limit = LIST_PAGE;
    wl.after = after;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
    req.wish_list = &wl;
    list_job_t *lj = g_new(list_job_t, 1);
    lj->s = s;
    lj->mine = mine;
    if (send_job(s, &req, on_list, lj))
        g_free(lj);
}

static void on_whoami(const Shangju__Reply *r, int err, void *ud)
{
    sj_desk_session_t *s = ud;
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_MEMBER)
        return;
    s->me = r->member->id;
    if (s->cbs.me)
        s->cbs.me(s->ud, r->member);
    /* My claims need to know who I am. */
    list_page(s, true, 0);
}

void sj_desk_session_refresh(sj_desk_session_t *s)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WhoAmI who = SHANGJU__WHO_AM_I__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WHOAMI;
    req.whoami = &who;
    send_job(s, &req, on_whoami, s);
    list_page(s, false, 0);
}

static void set_link(sj_desk_session_t *s, sj_desk_link_t link)
{
    if (s->link == link)
        return;
    sj_desk_link_t was = s->link;
    s->link = link;
    if (s->cbs.link)
        s->cbs.link(s->ud, link);
    /* Back online (or for the first time): catch up on the lists; the
     * subscription replays the events missed on its own. */
    if (link == SJ_DESK_ONLINE && was != SJ_DESK_ONLINE)
        sj_desk_session_refresh(s);
}

/* ---------------------------------------------------- heartbeat, events */

static void on_ping(const Shangju__Reply *r, int err, void *ud)
{
    (void)r;
    sj_desk_session_t *s = ud;
    s->ping_out = false;
    if (err)
        set_link(s, SJ_DESK_OFFLINE);
}

static gboolean heartbeat(gpointer ud)
{
    sj_desk_session_t *s = ud;
    if (s->ping_out)
        return G_SOURCE_CONTINUE;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Ping ping = SHANGJU__PING__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PING;
    req.ping = &ping;
    if (send_job(s, &req, on_ping, s) == 0)
        s->ping_out = true;
    return G_SOURCE_CONTINUE;
}

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c;
    sj_desk_session_t *s = ud;
    if (err || !ev) {
        /* A catch-up Replay went unanswered: the heartbeat decides. */
        return;
    }
    set_link(s, SJ_DESK_ONLINE);
    if (ev->body_case == SHANGJU__EVENT__BODY_WISH && s->cbs.wish)
        s->cbs.wish(s->ud, ev->wish, true);
    if (s->cbs.event)
        s->cbs.event(s->ud, ev);
}

sj_desk_session_t *sj_desk_session_new(const sj_client_opts_t *opts,
                                       const sj_desk_session_cbs_t *cbs,
                                       void *ud, int *err)
{
    sj_client_opts_t o = *opts;
    o.timeout_ms = TIMEOUT_MS;
    o.retries = 1;
    o.sync_ms = 1000;
    sj_client_t *c = sj_client_new(&o, err);
    if (!c)
        return NULL;
    sj_desk_session_t *s = g_new0(sj_desk_session_t, 1);
    s->c = c;
    s->cbs = *cbs;
    s->ud = ud;
    s->jobs = g_hash_table_new(NULL, NULL);
    int rc = sj_client_subscribe(c, NULL, 0, 0, on_event, s);
    if (rc) {
        if (err)
            *err = rc;
        sj_desk_session_free(&s);
        return NULL;
    }
    s->src = sj_client_gsource_new(c);
    g_source_attach(s->src, NULL);
    s->heartbeat = g_timeout_add(HEARTBEAT_MS, heartbeat, s);
    heartbeat(s);
    return s;
}

void sj_desk_session_free(sj_desk_session_t **self)
{
    if (!self || !*self)
        return;
    sj_desk_session_t *s = *self;
    if (s->heartbeat)
        g_source_remove(s->heartbeat);
    if (s->src) {
        g_source_destroy(s->src);
        g_source_unref(s->src);
    }
    sj_client_destroy(&s->c);
    /* The library dropped its pending requests without callbacks. */
    GHashTableIter it;
    gpointer j;
    g_hash_table_iter_init(&it, s->jobs);
    while (g_hash_table_iter_next(&it, &j, NULL))
        g_free(j);
    g_hash_table_destroy(s->jobs);
    g_free(s);
    *self = NULL;
}

sj_desk_link_t sj_desk_session_link(const sj_desk_session_t *s)
{
    return s->link;
}

uint64_t sj_desk_session_me(const sj_desk_session_t *s)
{
    return s->me;
}

int sj_desk_session_send(sj_desk_session_t *s, Shangju__Request *req,
                         sj_desk_reply_fn *cb, void *ud)
{
    if (s->link != SJ_DESK_ONLINE)
        return SJ_EIO;
    return send_job(s, req, cb, ud);
}

const char *sj_desk_refusal(const Shangju__Reply *r, int err)
{
    if (err || !r)
        return _("The broker did not answer. Nothing was changed that you "
                 "can see; please try again when the connection is back.");
    const char *text = sj_reason_text(sj_reason_parse(r->reason));
    if (text)
        return _(text);
    return r->message && *r->message ? r->message : _("Refused.");
}
