/* The chat bridge's conversation engine, independent of any chat network:
 * a transport hands it (handle, text) and gets short replies back through
 * sj_chat_transport_t; the bot talks to the broker only through
 * sj_chat_broker_t, so tests can answer in process and transports (console,
 * XMPP, later WeChat / WeCom) plug in without touching it. It acts only for
 * handles the broker links to this bridge; its only state is in memory and
 * disposable (a half-finished dialogue, rate-limit buckets). */
#ifndef SJ_CHAT_BOT_H
#define SJ_CHAT_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "shangju.pb-c.h"

/* ------------------------------------------------------------- plumbing */

/* The answer to one broker request: reply (err 0; any status) or err < 0
 * (no answer after every retry). reply is freed after the call returns. */
typedef void sj_chat_reply_fn(void *job, const Shangju__Reply *reply, int err);

/* Send req (owned by the caller, may be freed on return); cb(job, ...)
 * runs exactly once later (or before this returns). Returns 0, or a
 * negative SJ_E* code when it could not be sent (cb does not run). */
typedef int sj_chat_call_fn(void *ctx, Shangju__Request *req,
                            sj_chat_reply_fn *cb, void *job);

typedef struct {
    sj_chat_call_fn *call;
    void *ctx;
} sj_chat_broker_t;

/* How the bot reaches people. send: a direct message to handle (text is
 * UTF-8, may span lines, valid only during the call). announce: a message
 * to the community room (NULL: there is none). */
typedef struct {
    void (*send)(void *ctx, const char *handle, const char *text);
    void (*announce)(void *ctx, const char *text);
    void *ctx;
    /* Optional: send with a stable id (a notification's, from its event),
     * so the rare repeat after a crash is recognisably the same message. */
    void (*send_keyed)(void *ctx, const char *handle, const char *text,
                       const char *key);
} sj_chat_transport_t;

/* The bot's settings; 0 means the default. Per-handle limits against
 * floods: a bucket of `burst` messages refilled one per `refill_ms`. */
typedef struct {
    unsigned burst;      /* default 6 */
    int64_t refill_ms;   /* default 2000 */
    int64_t dialogue_ms; /* a bare 心愿 waits this long; default 10 min */
    sj_lang_t lang;      /* for messages that show no language (digits
                            only) from handles without a known one */
} sj_chat_bot_opts_t;

typedef struct sj_chat_bot sj_chat_bot_t;

/* A bot talking to broker and out (both copied). opts may be NULL for
 * the defaults. Returns NULL when out of memory. */
sj_chat_bot_t *sj_chat_bot_new(const sj_chat_broker_t *broker,
                               const sj_chat_transport_t *out,
                               const sj_chat_bot_opts_t *opts);

/* Free everything and set *self to NULL; safe on NULL. Requests in flight
 * must have been answered (sj_chat_bot_busy false) or the broker's
 * callbacks must never run again. */
void sj_chat_bot_destroy(sj_chat_bot_t **self);

/* One message from handle (len bytes of text, not necessarily valid UTF-8
 * nor NUL-terminated) at time now (ms). Replies go through out->send,
 * now or when the broker has answered. msg_id, when not NULL or "", is the
 * chat network's id of the message: the change it causes is sent under a
 * request id derived from (handle, msg_id), so a message delivered twice
 * (after a crash, a reconnect) is applied once — the broker's dedup table
 * is the durable memory. */
void sj_chat_bot_message(sj_chat_bot_t *b, const char *handle, const char *text,
                         size_t len, int64_t now, const char *msg_id);

/* Messages still waiting for the broker. */
bool sj_chat_bot_busy(const sj_chat_bot_t *b);

/* Forget idle per-handle state older than its use (call now and then). */
void sj_chat_bot_tick(sj_chat_bot_t *b, int64_t now);

/* --------------------------------------------------------- shared texts */

/* The sentence for a broker refusal, in lang: by reason code when known,
 * else by status; never NULL. (reasons.c) */
const char *sj_chat_refusal(sj_lang_t lang, const Shangju__Reply *reply);

/* The name of a wish state in lang ("open" / "等待认领"). */
const char *sj_chat_state_name(sj_lang_t lang, Shangju__WishState state);

/* "zh" / "en" <-> sj_lang_t; "" and unknown are zh (the community's). */
sj_lang_t sj_chat_lang_of(const char *code);
const char *sj_chat_lang_code(sj_lang_t lang);

#endif
