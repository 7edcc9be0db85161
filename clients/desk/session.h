/* The desk client's connection to the broker, inside GLib's main loop: the
 * client library's asynchronous mode on a GSource (client_gsource.h), a
 * heartbeat that tells online from offline within seconds, and on every
 * (re)connection a fresh WhoAmI and the open-wish and my-claims lists,
 * while the subscription (replay-then-live) delivers every event missed.
 * Requests are refused up front while offline, so no action is queued
 * silently. GLib only; the UI registers callbacks. */
#ifndef SJ_DESK_SESSION_H
#define SJ_DESK_SESSION_H

#include <glib.h>
#include <stdbool.h>

#include "client.h"

typedef struct sj_desk_session sj_desk_session_t;

typedef enum {
    SJ_DESK_CONNECTING = 0, /* no answer yet since start */
    SJ_DESK_ONLINE,
    SJ_DESK_OFFLINE, /* the broker stopped answering */
} sj_desk_link_t;

typedef struct {
    /* The link changed (the banner). */
    void (*link)(void *ud, sj_desk_link_t link);
    /* Who this key is, after each (re)connection. */
    void (*me)(void *ud, const Shangju__Member *me);
    /* A wish record from a list reply (live false) or an event (true). */
    void (*wish)(void *ud, const Shangju__Wish *w, bool live);
    /* Every event, after `wish` for a wish event. */
    void (*event)(void *ud, const Shangju__Event *ev);
} sj_desk_session_cbs_t;

/* Called once per request: reply (owned by the library, valid during the
 * call) with err 0, or reply NULL and err < 0 (SJ_ETIMEOUT: no answer
 * after the retries). */
typedef void sj_desk_reply_fn(const Shangju__Reply *reply, int err, void *ud);

/* Connect with opts (timeouts are set here: 0.75 s per attempt, one retry,
 * a 1 s subscription check) and start the heartbeat. cbs is copied.
 * Returns NULL with *err set as sj_client_new() does. */
sj_desk_session_t *sj_desk_session_new(const sj_client_opts_t *opts,
                                       const sj_desk_session_cbs_t *cbs,
                                       void *ud, int *err);

/* Stop everything; no callback runs afterwards. Safe on NULL / twice. */
void sj_desk_session_free(sj_desk_session_t **self);

sj_desk_link_t sj_desk_session_link(const sj_desk_session_t *s);

/* The member id from WhoAmI (0 before the first answer). */
uint64_t sj_desk_session_me(const sj_desk_session_t *s);

/* Send req (stays the caller's). Returns 0 when sent (cb, which may be
 * NULL, runs later exactly once unless the session is freed first),
 * SJ_EIO while offline (nothing sent, cb not called: the UI says so), or
 * the library's SJ_EINVAL / SJ_ENOMEM. */
int sj_desk_session_send(sj_desk_session_t *s, Shangju__Request *req,
                         sj_desk_reply_fn *cb, void *ud);

/* Ask again for the open wishes and my claims (as on reconnection). */
void sj_desk_session_refresh(sj_desk_session_t *s);

/* The user's words for a failed request: the refusal's reason in the
 * current language, or "no answer" for err < 0. Static or catalogue
 * string. */
const char *sj_desk_refusal(const Shangju__Reply *reply, int err);

#endif
