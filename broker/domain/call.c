/* The per-request context handlers fill; see call.h. */
#include "call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "log.h"

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

int sj_call_fail(sj_call_t *c, Shangju__Status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->reply.status = status;
    c->reply.message = c->message;
    c->reply.body_case = SHANGJU__REPLY__BODY__NOT_SET;
    return (int)status;
}

int sj_call_store_fail(sj_call_t *c, int err, const char *what)
{
    switch (err) {
    case SJ_ENOTFOUND:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_NOT_FOUND, "no such %s",
                            what);
    case SJ_EFULL:
        sj_log(SJ_LOG_WARN,
               "event=store_full what=\"%s\" msg=\"the map is full; "
               "restart with a larger --map-size\"",
               what);
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_RESOURCE_EXHAUSTED,
                            "the store is full; ask the operator to grow "
                            "the map size");
    case SJ_EEXIST:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_ALREADY_EXISTS,
                            "%s already exists", what);
    default:
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INTERNAL,
                            "internal error (%s) on %s", sj_strerror(err),
                            what);
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

static int emit(sj_call_t *c, const char *topic, Shangju__Event *ev)
{
    ev->at = c->now;
    ev->topic = (char *)topic;
    ev->actor_id = c->caller ? c->caller->id : 0;
    if (grow((void **)&c->events, &c->cap_events, c->n_events,
             sizeof *c->events))
        return SJ_ENOMEM;
    int err = sj_event_append(c->txn, ev);
    if (err)
        return err;
    sj_outevent_t *o = &c->events[c->n_events];
    snprintf(o->topic, sizeof o->topic, "%s", topic);
    o->data = sj_codec_encode(&ev->base, &o->len);
    if (!o->data)
        return SJ_ENOMEM;
    o->seq = ev->seq;
    c->n_events++;
    return SJ_OK;
}

int sj_call_emit_wish(sj_call_t *c, const char *topic, const Shangju__Wish *w)
{
    Shangju__Wish copy = *w; /* shallow: only the private fields change */
    copy.owner_contact = (char *)"";
    copy.handover_code = (char *)"";
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_WISH;
    ev.wish = &copy;
    return emit(c, topic, &ev);
}

int sj_call_emit_compact(sj_call_t *c, const char *topic,
                         const Shangju__Compact *v)
{
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_COMPACT;
    ev.compact = (Shangju__Compact *)v;
    return emit(c, topic, &ev);
}

int sj_call_emit_listing(sj_call_t *c, const char *topic,
                         const Shangju__Listing *l)
{
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_LISTING;
    ev.listing = (Shangju__Listing *)l;
    return emit(c, topic, &ev);
}

int sj_call_emit_entry(sj_call_t *c, const char *topic,
                       const Shangju__LedgerEntry *e)
{
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    if (e) {
        ev.body_case = SHANGJU__EVENT__BODY_ENTRY;
        ev.entry = (Shangju__LedgerEntry *)e;
    }
    return emit(c, topic, &ev);
}

int sj_call_emit_member(sj_call_t *c, const char *topic,
                        const Shangju__Member *m)
{
    Shangju__Member copy = *m;
    copy.contact = (char *)"";
    copy.chat_handle = (char *)"";
    copy.invite_hash.len = 0; /* links.c: the invite never leaves */
    copy.invite_hash.data = NULL;
    copy.chat_cursor = 0;
    copy.chat_lang = (char *)"";
    copy.invite_expires_at = 0;
    copy.invite_failures = 0;
    copy.invite_bridge_id = 0;
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.body_case = SHANGJU__EVENT__BODY_MEMBER;
    ev.member = &copy;
    return emit(c, topic, &ev);
}
