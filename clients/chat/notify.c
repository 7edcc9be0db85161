/* Notifications from the event feed (notify.h): a queue of the events that
 * matter, handled one at a time (resolve the owner among this bridge's
 * members, fetch the merchant's name (and for a claim the shop's public
 * phone), send, store the cursor), and the
 * paced queue of room announcements. */
#include "notify.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "sj_error.h"
#include "sj_topics.h"
#include "sj_zone.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define K(x) SHANGJU__REQUEST__BODY_##x

typedef unsigned long long ull;

#define RETRY_MS 3000            /* after the broker did not answer */
#define LATE_MS (15 * 60 * 1000) /* a notice this late says when */
#define EARNED_RING 64

typedef struct {
    uint64_t seq;
    sj_topic_t topic;
    uint64_t wish_id, owner_id, merchant_id;
    int64_t at, expires_at;
    char *title, *building;
    /* points.earned */
    uint64_t ref;
    int64_t amount;
    bool earn_wish;
    bool announced; /* taken again after a broker timeout: not twice */
} item_t;

typedef enum {
    STEP_IDLE,
    STEP_RESOLVE,
    STEP_MERCHANT,
    STEP_SHOP,
    STEP_REMIND,
    STEP_CURSOR,
    STEP_FLUSH,
    STEP_START,
} step_t;

struct sj_chat_notify {
    sj_chat_broker_t broker;
    sj_chat_transport_t out;
    sj_chat_notify_opts_t opts;
    GQueue items; /* item_t *, in seq order */
    item_t *cur;
    step_t step;
    char *handle;   /* of cur's owner */
    char *merchant; /* cur's merchant's name, while its listing is read */
    sj_lang_t lang;
    uint64_t handled, stored;
    uint64_t sent;
    int64_t now, retry_at;
    GQueue room; /* room_msg_t *, waiting announcements */
    int64_t room_last;
    unsigned room_dropped;
    struct {
        uint64_t wish;
        int64_t amount;
    } earned[EARNED_RING];
    unsigned earned_next;
    sj_chat_ready_fn *ready;
    void *ready_ud;
    bool dm_ready, room_ready;
};

static const char *tr(sj_lang_t lang, const char *msgid)
    __attribute__((format_arg(2)));
static const char *tr(sj_lang_t lang, const char *msgid)
{
    return sj_tr(lang, msgid);
}

static void item_free(item_t *it)
{
    if (!it)
        return;
    g_free(it->title);
    g_free(it->building);
    g_free(it);
}

static bool is_notice(sj_topic_t topic)
{
    switch (topic) {
    case SJ_TOPIC_WISH_CLAIMED:
    case SJ_TOPIC_WISH_FULFILLED:
    case SJ_TOPIC_WISH_RELEASED:
    case SJ_TOPIC_WISH_LAPSED:
    case SJ_TOPIC_WISH_EXPIRED:
    case SJ_TOPIC_WISH_CLOSED:
    case SJ_TOPIC_WISH_EXPIRING:
        return true;
    default:
        return false;
    }
}

/* Events after which an open wish should get a reminder before expiry. */
static bool wants_remind(sj_topic_t topic)
{
    return topic == SJ_TOPIC_WISH_POSTED || topic == SJ_TOPIC_WISH_RELEASED ||
           topic == SJ_TOPIC_WISH_LAPSED;
}

static void pump(sj_chat_notify_t *n);
static void on_reply(void *vn, const Shangju__Reply *r, int err);

/* Ask the broker; on_reply continues at step. A call refused at once
 * (the client closing, its queue full) is answered as a timeout is: the
 * event is taken again after RETRY_MS (it stalled the notifier for good
 * when only the step was reset). */
static void call(sj_chat_notify_t *n, step_t step, Shangju__Request *req)
{
    n->step = step;
    if (n->broker.call(n->broker.ctx, req, on_reply, n) != 0)
        on_reply(n, NULL, SJ_EIO);
}

/* cur is handled: remember its seq and take the next. */
static void done(sj_chat_notify_t *n)
{
    if (n->cur && n->cur->seq > n->handled)
        n->handled = n->cur->seq;
    item_free(n->cur);
    n->cur = NULL;
    g_free(n->handle);
    n->handle = NULL;
    n->step = STEP_IDLE;
}

static void store_cursor(sj_chat_notify_t *n, step_t step, uint64_t seq)
{
    Shangju__ChatCursorSet cs = SHANGJU__CHAT_CURSOR_SET__INIT;
    cs.seq = seq;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_CURSOR_SET);
    req.chat_cursor_set = &cs;
    call(n, step, &req);
}

static int64_t earned_for(const sj_chat_notify_t *n, uint64_t wish)
{
    for (unsigned i = 0; i < EARNED_RING; i++)
        if (n->earned[i].wish == wish)
            return n->earned[i].amount;
    return 0;
}

/* Compose and send cur's notification to n->handle; phone (of the shop's
 * listing, public) goes with a claim, so a resident can call. */
static void send_notice(sj_chat_notify_t *n, const char *merchant,
                        const char *phone)
{
    const item_t *it = n->cur;
    sj_lang_t l = n->lang;
    const char *shop = merchant ? merchant : tr(l, N_("the shop"));
    ull id = (ull)it->wish_id;
    char *s = NULL;
    if (it->topic == SJ_TOPIC_WISH_CLAIMED && phone && *phone)
        s = g_strdup_printf(tr(l, N_("Good news! Your wish #%llu “%s” has "
                                     "been taken on by %s. They will be in "
                                     "touch with you; you can also call "
                                     "them: %s")),
                            id, it->title, shop, phone);
    else if (it->topic == SJ_TOPIC_WISH_CLAIMED)
        s = g_strdup_printf(tr(l, N_("Good news! Your wish #%llu “%s” has "
                                     "been taken on by %s. They will be in "
                                     "touch with you.")),
                            id, it->title, shop);
    else if (it->topic == SJ_TOPIC_WISH_FULFILLED)
        s = g_strdup_printf(tr(l, N_("%s says your wish #%llu “%s” is done. "
                                     "If all went well, send “thanks %llu "
                                     "5” (1-5 stars, and a few words if you "
                                     "like).")),
                            shop, id, it->title, id);
    else if (it->topic == SJ_TOPIC_WISH_RELEASED)
        s = g_strdup_printf(tr(l, N_("The shop gave up your wish #%llu "
                                     "“%s”. It is open again for other "
                                     "shops.")),
                            id, it->title);
    else if (it->topic == SJ_TOPIC_WISH_LAPSED)
        s = g_strdup_printf(tr(l, N_("The shop did not do your wish #%llu "
                                     "“%s” in time. It is open again for "
                                     "other shops.")),
                            id, it->title);
    else if (it->topic == SJ_TOPIC_WISH_EXPIRING &&
             it->expires_at - it->at >= 3600 * 1000)
        s = g_strdup_printf(tr(l, N_("Your wish #%llu “%s” has no taker yet "
                                     "and expires in about %lld hours. If "
                                     "you still need it, you can post it "
                                     "again when it expires.")),
                            id, it->title,
                            (long long)((it->expires_at - it->at) / 3600000));
    else if (it->topic == SJ_TOPIC_WISH_EXPIRING)
        s = g_strdup_printf(tr(l, N_("Your wish #%llu “%s” has no taker yet "
                                     "and expires within the hour.")),
                            id, it->title);
    else if (it->topic == SJ_TOPIC_WISH_EXPIRED)
        s = g_strdup_printf(tr(l, N_("Your wish #%llu “%s” has expired "
                                     "without a taker. You can post it "
                                     "again with “wish”.")),
                            id, it->title);
    else {
        int64_t pts = earned_for(n, it->wish_id);
        s = pts > 0 ? g_strdup_printf(tr(l, N_("Your wish #%llu “%s” is "
                                               "closed. Thank you! %s "
                                               "earned %lld points for "
                                               "it.")),
                                      id, it->title, shop, (long long)pts)
                    : g_strdup_printf(tr(l, N_("Your wish #%llu “%s” is "
                                               "closed. Thank you!")),
                                      id, it->title);
    }
    int64_t wall = n->opts.wall_ms ? n->opts.wall_ms()
                                   : (int64_t)(g_get_real_time() / 1000);
    if (it->at > 0 && wall - it->at > LATE_MS) {
        /* The bridge or the broker was away: say when it happened, so a
         * claim heard of the next morning is not taken for news. */
        char when[SJ_ZONE_TIME_MAX];
        sj_zone_format_minute(it->at, when, sizeof when);
        char *late = g_strdup_printf(
            tr(l, N_("(Sent late: this happened at %s.)")), when);
        char *both = g_strconcat(s, "\n", late, NULL);
        g_free(late);
        g_free(s);
        s = both;
    }
    if (n->out.send_keyed) {
        char key[40];
        snprintf(key, sizeof key, "shangju-ev-%llu", (ull)it->seq);
        n->out.send_keyed(n->out.ctx, n->handle, s, key);
    } else {
        n->out.send(n->out.ctx, n->handle, s);
    }
    g_free(s);
    n->sent++;
}

/* After the notice (if any): ask for the reminder, or store the cursor. */
static void after_send(sj_chat_notify_t *n)
{
    if (!wants_remind(n->cur->topic)) {
        store_cursor(n, STEP_CURSOR, n->cur->seq);
        return;
    }
    Shangju__ChatRemind cr = SHANGJU__CHAT_REMIND__INIT;
    cr.wish_id = n->cur->wish_id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_REMIND);
    req.chat_remind = &cr;
    call(n, STEP_REMIND, &req);
}

static void resolved(sj_chat_notify_t *n, const Shangju__Reply *r)
{
    if (r->status != ST(OK) || r->body_case != SHANGJU__REPLY__BODY_MEMBER ||
        !*r->member->chat_handle) {
        done(n); /* not one of this bridge's residents */
        return;
    }
    n->handle = g_strdup(r->member->chat_handle);
    n->lang = sj_chat_lang_of(r->member->chat_lang);
    if (n->cur->topic == SJ_TOPIC_WISH_POSTED) {
        after_send(n); /* nothing to say: they posted it */
        return;
    }
    bool named = n->cur->topic == SJ_TOPIC_WISH_CLAIMED ||
                 n->cur->topic == SJ_TOPIC_WISH_FULFILLED ||
                 n->cur->topic == SJ_TOPIC_WISH_CLOSED;
    if (!n->cur->merchant_id || !named) {
        send_notice(n, NULL, NULL);
        after_send(n);
        return;
    }
    Shangju__MemberGet mg = SHANGJU__MEMBER_GET__INIT;
    mg.id = n->cur->merchant_id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_GET);
    req.member_get = &mg;
    call(n, STEP_MERCHANT, &req);
}

static void on_reply(void *vn, const Shangju__Reply *r, int err)
{
    sj_chat_notify_t *n = vn;
    step_t step = n->step;
    n->step = STEP_IDLE;
    if (step == STEP_START) {
        uint64_t from = 0;
        if (!err && r && r->status == ST(OK) &&
            r->body_case == SHANGJU__REPLY__BODY_CHAT_CURSOR) {
            n->handled = n->stored = r->chat_cursor->seq;
            from = r->chat_cursor->seq + 1;
        }
        if (n->ready)
            n->ready(n->ready_ud, from, from ? 0 : SJ_EPROTO);
        return;
    }
    if (err || !r) {
        if (step == STEP_RESOLVE || step == STEP_MERCHANT ||
            step == STEP_SHOP) {
            /* The broker is away: take the same event again later. */
            g_queue_push_head(&n->items, n->cur);
            n->cur = NULL;
            g_free(n->handle);
            n->handle = NULL;
            g_free(n->merchant);
            n->merchant = NULL;
        } else if (step == STEP_CURSOR || step == STEP_REMIND) {
            done(n); /* sent: a later flush stores the cursor */
        }
        n->retry_at = n->now + RETRY_MS;
        return;
    }
    switch (step) {
    case STEP_RESOLVE:
        resolved(n, r);
        break;
    case STEP_MERCHANT: {
        const char *name =
            r->status == ST(OK) && r->body_case == SHANGJU__REPLY__BODY_MEMBER
                ? r->member->name
                : NULL;
        if (n->cur->topic != SJ_TOPIC_WISH_CLAIMED || !name) {
            send_notice(n, name, NULL);
            after_send(n);
            break;
        }
        /* A claim also gives the shop's public phone, when it lists one. */
        n->merchant = g_strdup(name);
        Shangju__ListingGet lg = SHANGJU__LISTING_GET__INIT;
        lg.merchant_id = n->cur->merchant_id;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(LISTING_GET);
        req.listing_get = &lg;
        call(n, STEP_SHOP, &req);
        break;
    }
    case STEP_SHOP:
        send_notice(n, n->merchant,
                    r->status == ST(OK) &&
                            r->body_case == SHANGJU__REPLY__BODY_LISTING
                        ? r->listing->phone
                        : NULL);
        g_free(n->merchant);
        n->merchant = NULL;
        after_send(n);
        break;
    case STEP_REMIND: /* a refusal (claimed meanwhile) changes nothing */
        if (n->cur->topic == SJ_TOPIC_WISH_POSTED)
            done(n);
        else
            store_cursor(n, STEP_CURSOR, n->cur->seq);
        break;
    case STEP_CURSOR:
        if (r->status == ST(OK))
            n->stored = n->cur->seq;
        done(n);
        break;
    case STEP_FLUSH:
        if (r->status == ST(OK) &&
            r->body_case == SHANGJU__REPLY__BODY_CHAT_CURSOR)
            n->stored = r->chat_cursor->seq;
        break;
    default:
        break;
    }
    if (n->step == STEP_IDLE)
        pump(n);
}

/* An announcement waiting for its turn; a "new wish" one remembers the
 * wish, so that it is dropped if the wish is taken or gone before it goes
 * out (the room is paced: a burst waits seconds to minutes). */
typedef struct {
    uint64_t new_wish; /* 0: not a "new wish" announcement */
    char *text;
} room_msg_t;

static void room_msg_free(gpointer p)
{
    room_msg_t *m = p;
    g_free(m->text);
    g_free(m);
}

static void room_push(sj_chat_notify_t *n, uint64_t new_wish, char *text)
{
    room_msg_t *m = g_new(room_msg_t, 1);
    m->new_wish = new_wish;
    m->text = text;
    g_queue_push_tail(&n->room, m);
}

/* The wish is no longer open: its "new wish" announcement, if still
 * waiting, would now mislead. */
static void unannounce(sj_chat_notify_t *n, uint64_t wish)
{
    for (GList *l = n->room.head; l; l = l->next) {
        room_msg_t *m = l->data;
        if (m->new_wish == wish) {
            room_msg_free(m);
            g_queue_delete_link(&n->room, l);
            return;
        }
    }
}

static void announce(sj_chat_notify_t *n, const item_t *it)
{
    if (!n->out.announce)
        return;
    if (g_queue_get_length(&n->room) >= n->opts.room_queue) {
        n->room_dropped++;
        return;
    }
    sj_lang_t l = n->opts.room_lang;
    if (it->topic == SJ_TOPIC_WISH_CLOSED) {
        room_push(n, 0,
                  g_strdup_printf(tr(l, N_("Wish #%llu “%s” is "
                                           "fulfilled. Thank you, "
                                           "neighbours!")),
                                  (ull)it->wish_id, it->title));
        return;
    }
    char *s = *it->building
                  ? g_strdup_printf(tr(l, N_("New wish #%llu: %s (%s)")),
                                    (ull)it->wish_id, it->title, it->building)
                  : g_strdup_printf(tr(l, N_("New wish #%llu: %s")),
                                    (ull)it->wish_id, it->title);
    room_push(n, it->wish_id, s);
}

/* The wish is no longer waiting for a merchant after this. */
static bool taken_or_gone(sj_topic_t t)
{
    return t == SJ_TOPIC_WISH_CLAIMED || t == SJ_TOPIC_WISH_FULFILLED ||
           t == SJ_TOPIC_WISH_CLOSED || t == SJ_TOPIC_WISH_CANCELLED ||
           t == SJ_TOPIC_WISH_EXPIRED;
}

/* Handle queued events until one needs the broker. */
static void pump(sj_chat_notify_t *n)
{
    while (n->step == STEP_IDLE && !n->cur && n->now >= n->retry_at &&
           n->dm_ready) {
        item_t *it = g_queue_pop_head(&n->items);
        if (!it)
            return;
        n->cur = it;
        if (it->earn_wish) {
            n->earned[n->earned_next % EARNED_RING].wish = it->ref;
            n->earned[n->earned_next++ % EARNED_RING].amount = it->amount;
        } else if ((it->topic == SJ_TOPIC_WISH_POSTED ||
                    (it->topic == SJ_TOPIC_WISH_CLOSED &&
                     n->opts.announce_closed)) &&
                   !it->announced) {
            announce(n, it);
            it->announced = true;
        } else if (it->wish_id && taken_or_gone(it->topic)) {
            unannounce(n, it->wish_id);
        }
        if (!it->earn_wish && it->owner_id &&
            (is_notice(it->topic) || wants_remind(it->topic))) {
            Shangju__ChatResolve cr = SHANGJU__CHAT_RESOLVE__INIT;
            cr.member_id = it->owner_id;
            Shangju__Request req = SHANGJU__REQUEST__INIT;
            req.body_case = K(CHAT_RESOLVE);
            req.chat_resolve = &cr;
            call(n, STEP_RESOLVE, &req);
            continue;
        }
        done(n);
    }
}

void sj_chat_notify_event(sj_chat_notify_t *n, const Shangju__Event *ev)
{
    if (!ev || ev->seq <= n->handled)
        return;
    item_t *it = g_new0(item_t, 1);
    it->seq = ev->seq;
    it->topic = sj_topic_parse(ev->topic);
    if (ev->body_case == SHANGJU__EVENT__BODY_WISH && ev->wish) {
        const Shangju__Wish *w = ev->wish;
        it->wish_id = w->id;
        it->owner_id = w->owner_id;
        it->merchant_id = w->claim ? w->claim->merchant_id : 0;
        it->expires_at = w->expires_at;
        it->at = ev->at;
        it->title = g_strdup(w->title ? w->title : "");
        it->building = g_strdup(w->building ? w->building : "");
    } else if (ev->body_case == SHANGJU__EVENT__BODY_ENTRY && ev->entry) {
        it->earn_wish =
            sj_entry_kind_parse(ev->entry->kind) == SJ_ENTRY_EARN_WISH &&
            ev->entry->amount > 0;
        it->ref = ev->entry->ref;
        it->amount = ev->entry->amount;
    }
    if (!it->title)
        it->title = g_strdup("");
    if (!it->building)
        it->building = g_strdup("");
    g_queue_push_tail(&n->items, it);
    pump(n);
}

void sj_chat_notify_tick(sj_chat_notify_t *n, int64_t now)
{
    n->now = now;
    pump(n);
    if (n->step == STEP_IDLE && !n->cur && g_queue_is_empty(&n->items) &&
        n->handled > n->stored && now >= n->retry_at)
        store_cursor(n, STEP_FLUSH, n->handled);
    if (!g_queue_is_empty(&n->room) && n->room_ready &&
        now - n->room_last >= n->opts.room_interval_ms) {
        room_msg_t *m = g_queue_pop_head(&n->room);
        n->out.announce(n->out.ctx, m->text);
        room_msg_free(m);
        n->room_last = now;
        if (g_queue_is_empty(&n->room) && n->room_dropped) {
            char *more = g_strdup_printf(
                tr(n->opts.room_lang, N_("(%u more new wishes not shown)")),
                n->room_dropped);
            room_push(n, 0, more);
            n->room_dropped = 0;
        }
    }
}

void sj_chat_notify_set_ready(sj_chat_notify_t *n, bool dm, bool room)
{
    n->dm_ready = dm;
    n->room_ready = room;
    if (dm)
        pump(n);
}

bool sj_chat_notify_idle(const sj_chat_notify_t *n)
{
    return n->step == STEP_IDLE && !n->cur && n->items.length == 0 &&
           n->handled <= n->stored;
}

uint64_t sj_chat_notify_sent(const sj_chat_notify_t *n)
{
    return n->sent;
}

int sj_chat_notify_start(sj_chat_notify_t *n, sj_chat_ready_fn *ready, void *ud)
{
    n->ready = ready;
    n->ready_ud = ud;
    Shangju__ChatCursorGet g = SHANGJU__CHAT_CURSOR_GET__INIT;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(CHAT_CURSOR_GET);
    req.chat_cursor_get = &g;
    n->step = STEP_START;
    int rc = n->broker.call(n->broker.ctx, &req, on_reply, n);
    if (rc)
        n->step = STEP_IDLE;
    return rc;
}

sj_chat_notify_t *sj_chat_notify_new(const sj_chat_broker_t *broker,
                                     const sj_chat_transport_t *out,
                                     const sj_chat_notify_opts_t *opts)
{
    sj_chat_notify_t *n = g_try_new0(sj_chat_notify_t, 1);
    if (!n)
        return NULL;
    n->broker = *broker;
    n->out = *out;
    n->opts.room_interval_ms =
        opts && opts->room_interval_ms ? opts->room_interval_ms : 1300;
    n->opts.room_queue = opts && opts->room_queue ? opts->room_queue : 30;
    n->opts.room_lang = opts ? opts->room_lang : SJ_LANG_ZH;
    n->opts.announce_closed = opts && opts->announce_closed;
    n->opts.wall_ms = opts ? opts->wall_ms : NULL;
    g_queue_init(&n->items);
    g_queue_init(&n->room);
    n->dm_ready = n->room_ready = true;
    return n;
}

void sj_chat_notify_destroy(sj_chat_notify_t **self)
{
    if (!self || !*self)
        return;
    sj_chat_notify_t *n = *self;
    g_queue_clear_full(&n->items, (GDestroyNotify)item_free);
    g_queue_clear_full(&n->room, room_msg_free);
    item_free(n->cur);
    g_free(n->handle);
    g_free(n->merchant);
    g_free(n);
    *self = NULL;
}
