/* The per-request context handlers fill; see call.h. */
#include "call.h"

#include "sj_limits.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "log.h"
#include "visibility.h"

void sj_call_init(sj_call_t *c, sj_txn_t *txn, const Shangju__Member *caller,
                  int64_t now, const sj_config_t *cfg)
{
    memset(c, 0, sizeof *c);
    c->txn = txn;
    c->caller = caller;
    c->now = now;
    c->cfg = cfg;
    shangju__reply__init(&c->reply);
}

void sj_call_drop_events(sj_call_t *c)
{
    for (size_t i = 0; i < c->n_events; i++)
        free(c->events[i].data);
    c->n_events = 0;
}

void sj_call_end(sj_call_t *c)
{
    for (size_t i = 0; i < c->n_owned; i++)
        protobuf_c_message_free_unpacked(c->owned[i], NULL);
    for (size_t i = 0; i < c->n_mem; i++)
        free(c->mem[i]);
    sj_call_drop_events(c);
    free(c->owned);
    free(c->mem);
    free(c->events);
    memset(c, 0, sizeof *c);
}

int sj_call_fail(sj_call_t *c, Shangju__Status status, sj_reason_t reason,
                 const char *fmt, ...)
{
    assert(sj_reason_code(reason)); /* a refusal always says why */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->reply.status = status;
    c->reply.message = c->message;
    const char *code = sj_reason_code(reason);
    c->reply.reason = (char *)(code ? code : "");
    c->reply.body_case = SHANGJU__REPLY__BODY__NOT_SET;
    return (int)status;
}

int sj_call_store_fail(sj_call_t *c, int err, const char *what)
{
    switch (err) {
    case SJ_ENOTFOUND:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_NOT_FOUND,
                            SJ_R_STORE_NOT_FOUND, "no such %s", what);
    case SJ_EFULL:
        sj_log(SJ_LOG_WARN,
               "event=store_full what=\"%s\" msg=\"the map is full; "
               "restart with a larger --map-size\"",
               what);
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED,
                            SJ_R_STORE_FULL,
                            "the store is full; ask the operator to grow "
                            "the map size");
    case SJ_ENOSPC:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED,
                            SJ_R_STORE_DISK_FULL,
                            "the broker's disk is full; ask the operator to "
                            "free space");
    case SJ_EEXIST:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_ALREADY_EXISTS,
                            SJ_R_STORE_EXISTS, "%s already exists", what);
    default:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INTERNAL,
                            SJ_R_BROKER_INTERNAL, "internal error (%s) on %s",
                            sj_strerror(err), what);
    }
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

void *sj_call_own(sj_call_t *c, void *m)
{
    if (!m)
        return NULL;
    if (grow((void **)&c->owned, &c->cap_owned, c->n_owned, sizeof(void *))) {
        protobuf_c_message_free_unpacked(m, NULL);
        return NULL;
    }
    c->owned[c->n_owned++] = m;
    return m;
}

void *sj_call_own_mem(sj_call_t *c, void *p)
{
    if (!p)
        return NULL;
    if (grow((void **)&c->mem, &c->cap_mem, c->n_mem, sizeof(void *))) {
        free(p);
        return NULL;
    }
    c->mem[c->n_mem++] = p;
    return p;
}

void *sj_call_alloc(sj_call_t *c, size_t n)
{
    return sj_call_own_mem(c, calloc(1, n ? n : 1));
}

int sj_call_own_page(sj_call_t *c, void **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sj_call_own(c, items[i])) {
            for (size_t j = i + 1; j < n; j++)
                protobuf_c_message_free_unpacked(items[j], NULL);
            free(items);
            return SJ_ENOMEM;
        }
    return sj_call_own_mem(c, items) ? SJ_OK : SJ_ENOMEM;
}

char *sj_call_strdup(sj_call_t *c, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sj_call_alloc(c, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Topics after which a member's old key no longer works. */
static bool revokes_key(sj_topic_t t)
{
    return t == SJ_TOPIC_MEMBER_SUSPENDED || t == SJ_TOPIC_MEMBER_REKEYED;
}

/* Log ev (its body set by the caller) and queue its stub. On error nothing
 * is queued; the log write sticks to c->txn, which the caller aborts. */
static int emit(sj_call_t *c, sj_topic_t t, Shangju__Event *ev)
{
    const char *topic = sj_topic_name(t);
    assert(topic); /* a handler names a topic of the table */
    ev->at = c->now;
    ev->topic = (char *)topic;
    ev->actor_id = c->caller ? c->caller->id : 0;
    sj_vis_subject(ev);
    /* The size cap of an event (issue 13): one always fits a Replay page
     * and a reply. Field limits keep every record far below it. */
    if (protobuf_c_message_get_packed_size(&ev->base) > SJ_MAX_PAGE_BYTES)
        return SJ_EINVAL;
    if (grow((void **)&c->events, &c->cap_events, c->n_events,
             sizeof *c->events))
        return SJ_ENOMEM;
    int err = sj_event_append(c->txn, ev);
    if (err)
        return err;
    sj_outevent_t *o = &c->events[c->n_events];
    memset(o, 0, sizeof *o);
    snprintf(o->topic, sizeof o->topic, "%s", topic);
    sj_vis_event_t stub;
    sj_vis_stub(ev, &stub);
    o->data = sj_codec_encode(&stub.ev.base, &o->len);
    if (!o->data)
        return SJ_ENOMEM;
    o->seq = ev->seq;
    o->revokes_key = revokes_key(t);
    c->n_events++;
    return SJ_OK;
}

int sj_call_emit_wish(sj_call_t *c, sj_topic_t topic, const Shangju__Wish *w)
{
    Shangju__Wish view;
    sj_vis_wish(NULL, w, NULL, &view);
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_WISH;
    ev.wish = &view;
    return emit(c, topic, &ev);
}

int sj_call_emit_compact(sj_call_t *c, sj_topic_t topic,
                         const Shangju__Compact *v)
{
    Shangju__Compact view;
    sj_vis_compact(v, &view);
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_COMPACT;
    ev.compact = &view;
    return emit(c, topic, &ev);
}

int sj_call_emit_listing(sj_call_t *c, sj_topic_t topic,
                         const Shangju__Listing *l)
{
    Shangju__Listing view;
    sj_vis_listing(l, &view);
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_LISTING;
    ev.listing = &view;
    return emit(c, topic, &ev);
}

int sj_call_emit_entry(sj_call_t *c, sj_topic_t topic,
                       const Shangju__LedgerEntry *e)
{
    Shangju__LedgerEntry view;
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_POINTS;
    if (e) {
        sj_vis_entry_log(e, &view); /* Replay shows it to the parties */
        ev.body_case = SHANGJU__EVENT__BODY_ENTRY;
        ev.entry = &view;
    }
    return emit(c, topic, &ev);
}

int sj_call_emit_member(sj_call_t *c, sj_topic_t topic,
                        const Shangju__Member *m)
{
    Shangju__Member view;
    sj_vis_member(NULL, m, &view);
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_MEMBER;
    ev.member = &view;
    return emit(c, topic, &ev);
}
