/* The Shangju client library: a CURVE-secured connection to the broker,
 * blocking and asynchronous calls retried under the same request id (Lazy
 * Pirate), and an event subscription with replay-then-live catch-up (Clone).
 *
 * One sj_client_t is one connection; it has no global state, but it is not
 * thread-safe: use each client from one thread at a time.
 *
 * Two ways to drive it:
 *  - blocking: sj_client_call() and sj_client_wait() poll internally;
 *  - inside a foreign event loop (GLib, libstrophe, poll): watch
 *    sj_client_fd() for readability, and whenever it fires or the time from
 *    sj_client_next_timeout_ms() passes, call sj_client_process(). */
#ifndef SJ_CLIENT_H
#define SJ_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "keyfile.h"
#include "sj_error.h"
#include "sj_limits.h"

#define SJ_CLIENT_REQUESTS "tcp://127.0.0.1:7400"
#define SJ_CLIENT_EVENTS "tcp://127.0.0.1:7401"
#define SJ_CLIENT_TIMEOUT_MS 3000
#define SJ_CLIENT_RETRIES 3
#define SJ_CLIENT_SYNC_MS 2000
/* Events asked for per Replay request: as many as the broker sends. */
#define SJ_CLIENT_REPLAY_PAGE SJ_MAX_REPLAY

typedef struct sj_client sj_client_t;

/* Connection options. Zero-initialise, then set what you need; every field
 * left 0 / NULL takes the default named beside it. Strings are copied by
 * sj_client_new(); the struct may be freed afterwards. */
typedef struct {
    const char *requests; /* broker ROUTER; SJ_CLIENT_REQUESTS */
    const char *events;   /* broker PUB; SJ_CLIENT_EVENTS */
    /* The member's key pair: either `keypair` (must have a secret) or the
     * CZMQ-format secret key file `key_file`. One is required. */
    const sj_keypair_t *keypair;
    const char *key_file;
    /* The broker's public key: either the 32 raw bytes `server_key` or the
     * key file `server_key_file`. One is required. */
    const uint8_t *server_key;
    const char *server_key_file;
    int timeout_ms; /* per attempt; SJ_CLIENT_TIMEOUT_MS */
    int retries;    /* resends after the first attempt; SJ_CLIENT_RETRIES.
                       A negative value means no retry at all. */
    int sync_ms;    /* idle check of a subscription; SJ_CLIENT_SYNC_MS */
} sj_client_opts_t;

/* Called once per request sent with sj_client_send(): with the broker's
 * reply and err 0, or with reply NULL and err SJ_ETIMEOUT after every retry
 * went unanswered. A reply with a non-OK status is still err 0: look at
 * reply->status and reply->message. The reply belongs to the library and is
 * freed when the callback returns; copy what you need. */
typedef void sj_client_reply_fn(sj_client_t *c, const Shangju__Reply *reply,
                                int err, void *ud);

/* Called once per event, in seq order, never twice for one seq: with the
 * event and err 0, or with ev NULL and err < 0 (SJ_ETIMEOUT, SJ_EPROTO)
 * when a catch-up Replay failed; the subscription then retries on its own
 * after sync_ms. Each event is what the broker's Replay shows this member:
 * the body (ev->body_case) when the member may see it under the request
 * API's rules, else only the stub — seq, at, topic, subject and subject_id
 * with ev->withheld set — so every seq still arrives; ev->actor_id only for
 * the committee and the actor. The event is freed when the callback
 * returns. */
typedef void sj_client_event_fn(sj_client_t *c, const Shangju__Event *ev,
                                int err, void *ud);

/* Create a client and connect its request socket (connecting is
 * asynchronous: an unreachable broker shows up as timeouts, as does an
 * unregistered key, which the broker refuses silently).
 * Returns NULL on failure with *err (if err is not NULL) set to SJ_EINVAL
 * (no key given, key without a secret, malformed key file), SJ_EIO (a key
 * file cannot be read: errno is set; or ZeroMQ refused an endpoint) or
 * SJ_ENOMEM. Destroy with sj_client_destroy(). */
sj_client_t *sj_client_new(const sj_client_opts_t *opts, int *err);

/* Close the sockets, drop pending requests without calling their callbacks,
 * free everything and set *self to NULL. Safe on NULL and twice; not
 * from inside one of the client's own callbacks. */
void sj_client_destroy(sj_client_t **self);

/* The member public key this client authenticates with (32 bytes, owned by
 * the client, valid until it is destroyed). */
const uint8_t *sj_client_public_key(const sj_client_t *c);

/* Send req and wait for its reply, retrying on timeout: each attempt waits
 * timeout_ms; then the request socket is closed and reopened and the SAME
 * bytes, with the SAME request_id, are sent again, up to `retries` times.
 * If req->request_id is 0 a fresh nonzero id is written into it.
 * While waiting it also runs callbacks of async requests and events; it must
 * not be called from inside such a callback.
 * Returns 0 and sets *reply (whatever its status; the caller frees it with
 * shangju__reply__free_unpacked(*reply, NULL)), or SJ_ETIMEOUT (no reply
 * after every retry: broker down, or key not registered), SJ_EINVAL (req has
 * no body or is larger than SJ_MAX_FRAME) or SJ_ENOMEM; *reply is then
 * NULL. req stays owned by the caller. */
int sj_client_call(sj_client_t *c, Shangju__Request *req,
                   Shangju__Reply **reply);

/* Encode req and queue it for sending without blocking; cb(ud) runs from a
 * later sj_client_process() (or sj_client_call()/sj_client_wait()) exactly
 * once, unless the client is destroyed first. Assigns req->request_id if 0.
 * req stays owned by the caller and may be freed on return. cb may be NULL
 * (fire and forget: the reply is dropped).
 * Returns 0, SJ_EINVAL (no body / too large) or SJ_ENOMEM. */
int sj_client_send(sj_client_t *c, Shangju__Request *req,
                   sj_client_reply_fn *cb, void *ud);

/* A file descriptor that becomes readable when the client may have work.
 * It is an epoll descriptor over the sockets' ZMQ_FDs and so has ZMQ_FD
 * semantics: EDGE-triggered in effect. When it fires, call
 * sj_client_process(); readability is not re-signalled for messages that
 * were already waiting, so never wait on it again while
 * sj_client_next_timeout_ms() returns 0. Owned by the client; do not close.
 * Stable for the client's lifetime (survives socket reopens). */
int sj_client_fd(const sj_client_t *c);

/* Handle everything ready now, without blocking: read every waiting reply
 * (to its callback; unknown or duplicate request ids are ignored), every
 * waiting event (to the event callback, via catch-up when a gap is seen),
 * resend timed-out requests under their original ids, and fail those out of
 * retries. Returns the number of callbacks run (>= 0). */
int sj_client_process(sj_client_t *c);

/* Milliseconds until sj_client_process() must run again even if the fd
 * stays quiet: 0 when something is already waiting to be processed, -1 when
 * nothing is pending at all (no request in flight and no subscription). */
int sj_client_next_timeout_ms(sj_client_t *c);

/* Block up to timeout_ms (-1: until something happens; 0: just poll) for
 * replies, events or deadlines, then sj_client_process(). Returns the number
 * of callbacks run (0 on timeout), or SJ_EIO if polling failed (errno set,
 * EINTR included so a signal can stop a loop). Not from inside a callback. */
int sj_client_wait(sj_client_t *c, int timeout_ms);

/* Subscribe to the event feed: events whose topic starts with one of the n
 * prefixes in topics (n == 0: every event), from seq `from_seq` on
 * (from_seq 0: from now, i.e. from the broker's last_seq + 1 learnt by a
 * Ping; 1: the whole history). The broker's PUB socket carries only public
 * stubs and serves as a doorbell: a stub newer than what was delivered
 * makes the library ask Replay(last delivered + 1) over the request socket
 * (one at a time; stubs arriving meanwhile only extend it), and the events
 * of the Replay, which the broker answers per member, are what cb gets. An
 * idle period of sync_ms also sends a Replay, so a lost stub, a reconnect
 * or a slow join loses nothing: cb sees every matching event exactly once
 * and in seq order. When the broker drops the events connection (it does
 * after a key is revoked, so that ZAP checks every subscriber again) the
 * socket reconnects by itself; a suspended member's Replays are refused
 * and reported to cb as errors. The prefixes filter on this side (seq is
 * broker-wide, so only the full feed shows what is missing).
 * One subscription per client: a second call replaces the first. The topic
 * strings are copied. Events flow through sj_client_process() / _wait().
 * Returns 0, SJ_EINVAL (cb NULL, or a topic NULL), SJ_EIO (ZeroMQ socket
 * error) or SJ_ENOMEM. */
int sj_client_subscribe(sj_client_t *c, const char *const *topics, size_t n,
                        uint64_t from_seq, sj_client_event_fn *cb, void *ud);

/* The highest seq delivered (or seen and filtered out) so far; 0 before the
 * subscription has started. */
uint64_t sj_client_last_seq(const sj_client_t *c);

/* Stop the subscription and close the events socket. Safe without one. */
void sj_client_unsubscribe(sj_client_t *c);

#endif
