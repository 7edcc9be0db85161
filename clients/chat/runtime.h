/* What every transport's loop shares: the broker connection (the client
 * library in asynchronous mode), the bot, the notifier and the event
 * subscription started from the cursor stored in the broker. A transport
 * gives its sj_chat_transport_t, polls sj_chat_rt_fd() beside its own
 * sockets and calls sj_chat_rt_service() whenever it fires or
 * sj_chat_rt_timeout_ms() passes. */
#ifndef SJ_CHAT_RUNTIME_H
#define SJ_CHAT_RUNTIME_H

#include <glib.h>
#include <signal.h>
#include <stdbool.h>

#include "bot.h"
#include "client.h"
#include "interp.h"
#include "notify.h"

/* Input read at once by a transport: a line longer than a message may be
 * still becomes one (too long) message. */
#define SJ_CHAT_INPUT_BUF (SJ_CHAT_MAX_INPUT_BYTES * 2)

typedef struct {
    const char *data, *key, *server_key, *requests, *events;
    int timeout_ms;
    /* console */
    bool console;
    const char *as;
    /* xmpp */
    const char *jid, *password_file, *host, *room, *nick;
    unsigned short port;
    bool trust_tls;
    sj_lang_t room_lang;
    sj_chat_bot_opts_t bot;
    /* WeChat Official Account / WeCom application (wechat.c) */
    const char *wechat_listen, *wechat_token_file, *wechat_aes_key_file;
    const char *wechat_appid, *wechat_secret_file, *wechat_api;
    const char *wechat_state; /* default DATA/wechat or DATA/wecom */
    int wechat_reply_ms;      /* passive reply deadline; default 4500 */
    const char *wecom_corpid, *wecom_secret_file;
    int64_t wecom_agentid;
    /* WeCom group robot: announcements paced, backing off on 130101 */
    const char *wecom_webhook_file;
    int64_t webhook_interval_ms, webhook_backoff_ms;
} sj_chat_opts_t;

typedef struct {
    sj_client_t *client;
    GHashTable *pending; /* requests in flight (runtime.c), owned */
    sj_chat_bot_t *bot;
    sj_chat_notify_t *notify;
    bool subscribing, subscribed;
    int64_t restart_at, bot_ticked;
} sj_chat_rt_t;

/* Connect to the broker and make the bot and notifier talking through out.
 * Returns 0, or -1 after a line on stderr. */
int sj_chat_rt_init(sj_chat_rt_t *rt, const sj_chat_opts_t *o,
                    const sj_chat_transport_t *out);
void sj_chat_rt_end(sj_chat_rt_t *rt);

int sj_chat_rt_fd(const sj_chat_rt_t *rt);
/* Most ms to wait before the next service (bounded, for the ticks). */
int sj_chat_rt_timeout_ms(sj_chat_rt_t *rt);
/* Process the broker's answers and events, run the ticks. */
void sj_chat_rt_service(sj_chat_rt_t *rt);
/* Nothing in flight and the cursor stored: safe to exit. */
bool sj_chat_rt_idle(const sj_chat_rt_t *rt);

/* Monotonic milliseconds. */
int64_t sj_chat_now_ms(void);

/* Set by SIGTERM / SIGINT (sj_chat_rt_signals installs the handlers). */
extern volatile sig_atomic_t sj_chat_stop;
void sj_chat_rt_signals(void);

/* The transports' loops: run until stopped; return the exit code. */
int sj_chat_console_run(const sj_chat_opts_t *o);
int sj_chat_xmpp_run(const sj_chat_opts_t *o);
int sj_chat_wechat_run(const sj_chat_opts_t *o);

#endif
