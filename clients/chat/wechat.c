/* The WeChat Official Account and WeCom application transports, and the
 * WeCom group robot (issue 14). One thread, one loop: the callback server
 * (libmicrohttpd, external epoll), the outbound APIs (libcurl multi) and
 * the broker (runtime.c) wait together in curl_multi_wait().
 *
 * A callback is checked (signature, timestamp, AppId / CorpId inside the
 * ciphertext), its connection suspended, and its text given to the bot; the
 * bot's first reply to that handle within reply_ms becomes the passive
 * reply, else the callback answers "success" and the reply goes out later
 * through the customer-service (OA) or message/send (WeCom) API. Each
 * MsgId is handled once: the ones in flight here are answered "success",
 * the ones done are remembered per user on disk (and the change a message
 * causes carries a request id derived from it: the broker's dedup table).
 *
 * Everything sent later goes through a durable outbox per user (wxstate.c):
 * written before send() returns, so the notifier's cursor never passes a
 * message that is not on disk. The OA's 48-hour / 5-message window is
 * tracked; outside it (or on 45015) messages wait and are told, with
 * "While you were away", in the reply to the resident's next message. */
#include "runtime.h"
#include "wxproto.h"
#include "wxstate.h"
#include "sj_zone.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STALE_S 300 /* a timestamp further off is refused */
#define HTTP_TIMEOUT_MS 10000
#define MAX_OUT_BODY 65536    /* an API answer read, at most */
#define TOKEN_EARLY_S 300     /* renew the access token this long before */
#define CS_MAX_BYTES 1800     /* one customer-service message, at most */
#define ROBOT_MINUTE_MS 61000 /* 20 (SJ_WX_ROBOT_KEEP) per this */

typedef struct wx wx_t;

/* One callback waiting for the bot's reply (its connection suspended). */
typedef struct conn conn_t;

typedef struct {
    struct MHD_Connection *conn;
    conn_t *cs;
    char *handle, *account, *dedup;
    char nonce[40];
    int64_t deadline;
    char *reply; /* the bot's text, once it answered */
} pending_t;

/* What a finished callback answers (set before resuming it). */
struct conn {
    GString *body; /* the request body */
    bool too_big, queued;
    pending_t *p;
    unsigned status;
    char *answer;
};

typedef enum { X_TOKEN, X_SEND, X_ROBOT } xkind_t;

typedef struct {
    xkind_t kind;
    CURL *e;
    struct curl_slist *hdrs;
    char *req_body;
    GString *resp;
    char *handle; /* X_SEND: whose outbox */
    unsigned n;   /* X_SEND: entries sent */
} xfer_t;

struct wx {
    const sj_chat_opts_t *o;
    sj_chat_rt_t rt;
    bool wecom; /* the WeCom application, not the Official Account */
    char token[128], appid[128], secret[256], webhook[1024];
    uint8_t key[32];
    bool aes;
    struct MHD_Daemon *httpd;
    CURLM *multi;
    GQueue pending;   /* pending_t * */
    GQueue xfers;     /* xfer_t *: transfers in flight */
    GHashTable *busy; /* dedup keys in flight -> 1 */
    sj_wx_state_t *st;
    /* access token: one holder, renewed before it expires */
    char access[600];
    int64_t access_until, token_retry_at;
    bool token_busy, send_busy;
    int64_t send_retry_at, send_backoff;
    uint64_t token_fetches;
    /* WeCom group robot */
    int64_t robot_at, robot_backoff;
    bool robot_busy;
    int64_t last_leave_scan;
};

static void logkv(const char *level, const char *event, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void logkv(const char *level, const char *event, const char *fmt, ...)
{
    char ts[SJ_ZONE_TIME_MAX];
    sj_zone_now_rfc3339(ts, sizeof ts);
    fprintf(stderr, "ts=%s level=%s module=chat transport=wechat event=%s", ts,
            level, event);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputc(' ', stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}

static int64_t wall_s(void)
{
    return (int64_t)time(NULL);
}

/* ------------------------------------------------------- secret files */

/* The first line of path into out (cap bytes); -1 with a line on stderr
 * naming what (an N_() string). */
static int read_secret(const char *path, char *out, size_t cap,
                       const char *what)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, _("shangju-chat: cannot read %s '%s': %s\n"), _(what),
                path, strerror(errno));
        return -1;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (!*out) {
        fprintf(stderr, _("shangju-chat: no %s in '%s'\n"), _(what), path);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- outbound */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    GString *g = ud;
    if (g->len + size * n > MAX_OUT_BODY)
        return 0; /* abort: an answer this big is not the API's */
    g_string_append_len(g, data, (gssize)(size * n));
    return size * n;
}

/* Start a request: POST json when body is not NULL, else GET. */
static bool start(wx_t *x, xkind_t kind, const char *url, char *body,
                  char *handle, unsigned n)
{
    xfer_t *t = g_new0(xfer_t, 1);
    t->kind = kind;
    t->e = curl_easy_init();
    t->resp = g_string_new(NULL);
    t->req_body = body;
    t->handle = handle;
    t->n = n;
    if (!t->e) {
        g_string_free(t->resp, TRUE);
        g_free(body);
        g_free(handle);
        g_free(t);
        return false;
    }
    curl_easy_setopt(t->e, CURLOPT_URL, url);
    curl_easy_setopt(t->e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->e, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    curl_easy_setopt(t->e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(t->e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->e, CURLOPT_WRITEDATA, t->resp);
    curl_easy_setopt(t->e, CURLOPT_PRIVATE, t);
    if (body) {
        t->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(t->e, CURLOPT_HTTPHEADER, t->hdrs);
        curl_easy_setopt(t->e, CURLOPT_POSTFIELDS, body);
    }
    curl_multi_add_handle(x->multi, t->e);
    g_queue_push_tail(&x->xfers, t);
    return true;
}

static void xfer_free(wx_t *x, xfer_t *t)
{
    g_queue_remove(&x->xfers, t);
    curl_multi_remove_handle(x->multi, t->e);
    curl_easy_cleanup(t->e);
    curl_slist_free_all(t->hdrs);
    g_string_free(t->resp, TRUE);
    g_free(t->req_body);
    g_free(t->handle);
    g_free(t);
}

static char *api_url(wx_t *x, const char *path)
{
    const char *dflt =
        x->wecom ? "https://qyapi.weixin.qq.com" : "https://api.weixin.qq.com";
    const char *base = x->o->wechat_api ? x->o->wechat_api : dflt;
    return g_strdup_printf("%s%s", base, path);
}

/* errcode of a JSON answer (0 when absent), -1 when it is not JSON. */
static long errcode_of(json_object *j)
{
    json_object *v;
    if (!j || !json_object_is_type(j, json_type_object))
        return -1;
    return json_object_object_get_ex(j, "errcode", &v) ? json_object_get_int(v)
                                                       : 0;
}

/* ---- the access token: one holder for the account */

static void token_fetch(wx_t *x, int64_t now)
{
    if (x->token_busy || now < x->token_retry_at || !*x->secret)
        return;
    char *url, *body = NULL;
    if (x->wecom) {
        CURL *e = curl_easy_init();
        char *id = curl_easy_escape(e, x->appid, 0);
        char *sec = curl_easy_escape(e, x->secret, 0);
        char *path = g_strdup_printf(
            "/cgi-bin/gettoken?corpid=%s&corpsecret=%s", id, sec);
        url = api_url(x, path);
        g_free(path);
        curl_free(id);
        curl_free(sec);
        curl_easy_cleanup(e);
    } else {
        /* stable_token: a new fetch does not void the token in use. */
        json_object *j = json_object_new_object();
        json_object_object_add(j, "grant_type",
                               json_object_new_string("client_credential"));
        json_object_object_add(j, "appid", json_object_new_string(x->appid));
        json_object_object_add(j, "secret", json_object_new_string(x->secret));
        body =
            g_strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        json_object_put(j);
        url = api_url(x, "/cgi-bin/stable_token");
    }
    x->token_busy = start(x, X_TOKEN, url, body, NULL, 0);
    g_free(url);
    if (x->token_busy)
        x->token_fetches++;
}

static void token_done(wx_t *x, xfer_t *t, bool ok, int64_t now)
{
    x->token_busy = false;
    json_object *j = ok ? json_tokener_parse(t->resp->str) : NULL;
    json_object *tok, *exp;
    if (errcode_of(j) == 0 &&
        json_object_object_get_ex(j, "access_token", &tok) &&
        json_object_object_get_ex(j, "expires_in", &exp) &&
        json_object_get_string_len(tok) > 0 &&
        (size_t)json_object_get_string_len(tok) < sizeof x->access) {
        snprintf(x->access, sizeof x->access, "%s",
                 json_object_get_string(tok));
        int64_t s = json_object_get_int64(exp);
        if (s < 60)
            s = 60;
        x->access_until =
            now + (s - (s > 2 * TOKEN_EARLY_S ? TOKEN_EARLY_S : s / 2)) * 1000;
        logkv("info", "token_fetched", "expires_in=%lld fetches=%llu",
              (long long)s, (unsigned long long)x->token_fetches);
    } else {
        logkv("warn", "token_failed", "errcode=%ld", errcode_of(j));
        x->token_retry_at = now + 5000;
    }
    json_object_put(j);
}

static bool token_ready(wx_t *x, int64_t now)
{
    if (*x->access && now < x->access_until)
        return true;
    token_fetch(x, now);
    return false;
}

/* ---- sending from the outbox */

static bool window_open(wx_t *x, const sj_wx_user_t *u)
{
    return x->wecom || sj_wx_window_open(u, wall_s());
}

/* The text of the next message for u: ready entries one at a time, or the
 * entries that waited joined under one heading. *n gets how many. */
static char *next_text(wx_t *x, const sj_wx_user_t *u, unsigned *n)
{
    const sj_wx_entry_t *e = g_queue_peek_head(u->outbox);
    if (!e->waited) {
        *n = 1;
        return g_strdup(e->text);
    }
    GString *g =
        g_string_new(sj_tr(x->o->bot.lang, N_("While you were away:")));
    *n = 0;
    for (GList *l = u->outbox->head; l; l = l->next) {
        const sj_wx_entry_t *w = l->data;
        if (!w->waited || (*n && g->len + strlen(w->text) + 1 > CS_MAX_BYTES))
            break;
        g_string_append_c(g, '\n');
        g_string_append(g, w->text);
        (*n)++;
    }
    return g_string_free(g, FALSE);
}

static bool has_pending(wx_t *x, const char *handle)
{
    for (GList *l = x->pending.head; l; l = l->next)
        if (strcmp(((pending_t *)l->data)->handle, handle) == 0)
            return true;
    return false;
}

/* Start one send for a user whose outbox has something deliverable. */
static void send_next(wx_t *x, int64_t now)
{
    if (x->send_busy || now < x->send_retry_at || !*x->secret)
        return;
    sj_wx_user_t *u = sj_wx_state_next(x->st, x->wecom ? 0 : wall_s());
    /* Entries that waited go with the reply to the resident's message
     * when one is coming. */
    if (!u || (((sj_wx_entry_t *)g_queue_peek_head(u->outbox))->waited &&
               has_pending(x, u->handle)))
        return;
    if (!token_ready(x, now))
        return;
    unsigned n;
    char *text = next_text(x, u, &n);
    json_object *j = json_object_new_object(), *t = json_object_new_object();
    json_object_object_add(j, "touser", json_object_new_string(u->handle));
    json_object_object_add(j, "msgtype", json_object_new_string("text"));
    if (x->wecom)
        json_object_object_add(j, "agentid",
                               json_object_new_int64(x->o->wecom_agentid));
    json_object_object_add(t, "content", json_object_new_string(text));
    json_object_object_add(j, "text", t);
    char *body =
        g_strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
    json_object_put(j);
    g_free(text);
    char *path = g_strdup_printf(x->wecom ? "/cgi-bin/message/send?"
                                            "access_token=%s"
                                          : "/cgi-bin/message/custom/send?"
                                            "access_token=%s",
                                 x->access);
    char *url = api_url(x, path);
    x->send_busy = start(x, X_SEND, url, body, g_strdup(u->handle), n);
    g_free(path);
    g_free(url);
}

static void send_done(wx_t *x, xfer_t *t, bool ok, int64_t now)
{
    x->send_busy = false;
    json_object *j = ok ? json_tokener_parse(t->resp->str) : NULL;
    long code = errcode_of(j);
    json_object_put(j);
    sj_wx_user_t *u = sj_wx_state_get(x->st, t->handle);
    if (!u)
        return; /* unsubscribed meanwhile: its outbox is gone */
    if (code == 0) {
        sj_wx_state_sent(x->st, u, t->n);
        x->send_backoff = 0;
        logkv("info", "sent", "messages=%u", t->n);
    } else if (code == 45015 || code == 45047) {
        /* Out of the window or over the quota: wait for the resident. */
        sj_wx_state_close_window(x->st, u);
        logkv("info", "window_closed", "errcode=%ld", code);
    } else if (code == 40001 || code == 42001 || code == 40014) {
        x->access[0] = 0; /* renewed by the one holder, then resent */
        x->access_until = 0;
    } else if (code == 43004 || code == 40003) {
        /* Not following any more (or never): nothing can reach them. */
        logkv("warn", "recipient_gone", "errcode=%ld", code);
        sj_wx_state_drop_outbox(x->st, u);
    } else {
        x->send_backoff = x->send_backoff ? x->send_backoff * 2 : 1000;
        if (x->send_backoff > 60000)
            x->send_backoff = 60000;
        x->send_retry_at = now + x->send_backoff;
        logkv("warn", "send_failed", "errcode=%ld retry_ms=%lld", code,
              (long long)x->send_backoff);
    }
}

/* ---- the WeCom group robot: paced under 20 a minute */

static void robot_next(wx_t *x, int64_t now)
{
    /* Nothing new starts once stopping: what is queued waits on disk. */
    const char *text = sj_wx_state_robot_head(x->st);
    if (sj_chat_stop || x->robot_busy || !*x->webhook || !text ||
        now < x->robot_at)
        return;
    /* The oldest of the last 20 sends (this process's or the one
     * before) must be a minute old — plus a second, for the way to the
     * platform and its clock. */
    int64_t last[SJ_WX_ROBOT_KEEP], wall = g_get_real_time() / 1000;
    sj_wx_state_robot_times(x->st, last);
    if (last[0] && wall - last[0] < ROBOT_MINUTE_MS) {
        x->robot_at = now + (last[0] + ROBOT_MINUTE_MS - wall);
        return;
    }
    json_object *j = json_object_new_object(), *t = json_object_new_object();
    json_object_object_add(j, "msgtype", json_object_new_string("text"));
    json_object_object_add(t, "content", json_object_new_string(text));
    json_object_object_add(j, "text", t);
    char *body =
        g_strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
    json_object_put(j);
    x->robot_busy = start(x, X_ROBOT, x->webhook, body, NULL, 0);
    if (x->robot_busy) /* counted when sent: a refused one counts too */
        sj_wx_state_robot_sent(x->st, wall);
}

static void robot_done(wx_t *x, xfer_t *t, bool ok, int64_t now)
{
    x->robot_busy = false;
    json_object *j = ok ? json_tokener_parse(t->resp->str) : NULL;
    long code = errcode_of(j);
    json_object_put(j);
    int64_t gap = x->o->webhook_interval_ms ? x->o->webhook_interval_ms : 3000;
    if (code == 0) {
        sj_wx_state_robot_pop(x->st);
        x->robot_backoff = 0;
        x->robot_at = now + gap;
        return;
    }
    int64_t base =
        code == 130101
            ? (x->o->webhook_backoff_ms ? x->o->webhook_backoff_ms : 60000)
            : 2000;
    x->robot_backoff = x->robot_backoff ? x->robot_backoff * 2 : base;
    if (x->robot_backoff > 600000)
        x->robot_backoff = 600000;
    x->robot_at = now + x->robot_backoff;
    logkv("warn", "robot_refused", "errcode=%ld retry_ms=%lld", code,
          (long long)x->robot_backoff);
}

static void w_announce(void *ctx, const char *text)
{
    wx_t *x = ctx;
    /* On disk before the broker's cursor moves past the event. */
    if (sj_wx_state_robot_push(x->st, text) == 1)
        logkv("warn", "robot_queue_full", NULL);
}

static void pump_curl(wx_t *x)
{
    int running, left;
    curl_multi_perform(x->multi, &running);
    CURLMsg *m;
    while ((m = curl_multi_info_read(x->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        xfer_t *t;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        long http = 0;
        curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &http);
        bool ok = m->data.result == CURLE_OK && http == 200;
        int64_t now = sj_chat_now_ms();
        if (t->kind == X_TOKEN)
            token_done(x, t, ok, now);
        else if (t->kind == X_SEND)
            send_done(x, t, ok, now);
        else
            robot_done(x, t, ok, now);
        xfer_free(x, t);
    }
}

/* ---------------------------------------------------------- the bot side */

/* A reply of the bot: the passive reply to the handle's waiting callback,
 * else into the outbox. */
static void w_send(void *ctx, const char *handle, const char *text)
{
    wx_t *x = ctx;
    for (GList *l = x->pending.head; l; l = l->next) {
        pending_t *p = l->data;
        if (!p->reply && strcmp(p->handle, handle) == 0) {
            p->reply = g_strdup(text);
            return;
        }
    }
    if (sj_wx_state_push(x->st, handle, text, NULL,
                         !window_open(x, sj_wx_state_get(x->st, handle))) != 0)
        logkv("error", "outbox_write_failed", NULL);
}

static void w_send_keyed(void *ctx, const char *handle, const char *text,
                         const char *key)
{
    wx_t *x = ctx;
    sj_wx_user_t *u = sj_wx_state_get(x->st, handle);
    if (sj_wx_state_push(x->st, handle, text, key, !window_open(x, u)) != 0)
        logkv("error", "outbox_write_failed", NULL);
}

/* ---------------------------------------------------------- callbacks */

static char *dup_arg(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && strlen(v) < 1024 ? g_strdup(v) : NULL;
}

static void refuse(conn_t *cs, unsigned status, const char *event,
                   const char *why)
{
    logkv("warn", event, "reason=%s", why);
    cs->status = status;
    cs->answer = g_strdup(status == 403 ? "forbidden" : "bad request");
}

/* The reply body for text to handle (encrypted in safe mode). */
static char *reply_body(wx_t *x, const pending_t *p, const char *text)
{
    char *xml = sj_wx_text_reply(p->handle, p->account, wall_s(), text);
    if (!x->aes)
        return xml;
    char *enc = sj_wx_encrypt(x->key, NULL, xml, strlen(xml), x->appid);
    g_free(xml);
    if (!enc)
        return g_strdup("success");
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)wall_s());
    char *env = sj_wx_envelope(x->token, enc, ts, p->nonce);
    free(enc);
    return env;
}

/* Answer p's callback now: the bot's reply (with what waited while the
 * resident was away), or "success". */
static void finish(wx_t *x, pending_t *p)
{
    conn_t *cs = p->cs;
    cs->status = 200;
    if (p->reply) {
        GString *g = g_string_new(p->reply);
        char *meanwhile = sj_wx_state_take_waited(
            x->st, p->handle, sj_tr(x->o->bot.lang, N_("While you were away:")),
            CS_MAX_BYTES);
        if (meanwhile) {
            g_string_append(g, "\n\n");
            g_string_append(g, meanwhile);
            g_free(meanwhile);
        }
        cs->answer = reply_body(x, p, g->str);
        g_string_free(g, TRUE);
    } else {
        cs->answer = g_strdup("success");
        logkv("info", "reply_later", NULL);
    }
    sj_wx_state_seen_add(x->st, p->handle, p->dedup);
    g_hash_table_remove(x->busy, p->dedup);
    cs->p = NULL;
    MHD_resume_connection(p->conn);
    g_queue_remove(&x->pending, p);
    g_free(p->handle);
    g_free(p->account);
    g_free(p->dedup);
    g_free(p->reply);
    g_free(p);
}

static void on_leave(sj_client_t *c, const Shangju__Reply *r, int err, void *ud)
{
    (void)c;
    wx_t *x = ud ? *(wx_t **)ud : NULL;
    char *handle = (char *)ud + sizeof(wx_t *);
    if (!err && r &&
        (r->status == SHANGJU__STATUS__STATUS_OK ||
         r->status == SHANGJU__STATUS__STATUS_NOT_FOUND)) {
        sj_wx_state_forget(x->st, handle);
        logkv("info", "unlinked", NULL);
    } else {
        sj_wx_state_leave_retry(x->st, handle, sj_chat_now_ms() + 5000);
    }
    g_free(ud);
}

/* Tell the broker the handle left; its state goes when it answers. */
static void send_leave(wx_t *x, const char *handle)
{
    size_t hl = strlen(handle);
    char *ud = g_malloc(sizeof(wx_t *) + hl + 1);
    *(wx_t **)ud = x;
    memcpy(ud + sizeof(wx_t *), handle, hl + 1);
    Shangju__ChatLeave l = SHANGJU__CHAT_LEAVE__INIT;
    l.handle = (char *)handle;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_CHAT_LEAVE;
    req.chat_leave = &l;
    sj_wx_state_leave_retry(x->st, handle, INT64_MAX); /* in flight */
    if (sj_client_send(x->rt.client, &req, on_leave, ud) != 0) {
        sj_wx_state_leave_retry(x->st, handle, sj_chat_now_ms() + 5000);
        g_free(ud);
    }
}

/* A message for the bot: suspend the callback until it answers. */
static void to_bot(wx_t *x, conn_t *cs, struct MHD_Connection *c,
                   const sj_wx_msg_t *m, const char *dedup, const char *text,
                   const char *nonce)
{
    if (g_hash_table_contains(x->busy, dedup) ||
        sj_wx_state_seen(x->st, m->from, dedup)) {
        logkv("info", "duplicate_dropped", NULL);
        cs->status = 200;
        cs->answer = g_strdup("success");
        return;
    }
    sj_wx_state_inbound(x->st, m->from, wall_s());
    pending_t *p = g_new0(pending_t, 1);
    p->conn = c;
    p->cs = cs;
    p->handle = g_strdup(m->from);
    p->account = g_strdup(m->to);
    p->dedup = g_strdup(dedup);
    snprintf(p->nonce, sizeof p->nonce, "%s", nonce ? nonce : "0");
    int reply_ms = x->o->wechat_reply_ms ? x->o->wechat_reply_ms : 4500;
    p->deadline = sj_chat_now_ms() + reply_ms;
    g_hash_table_add(x->busy, g_strdup(dedup));
    g_queue_push_tail(&x->pending, p);
    cs->p = p;
    MHD_suspend_connection(c);
    sj_chat_bot_message(x->rt.bot, m->from, text, strlen(text),
                        sj_chat_now_ms(), dedup);
}

/* A verified, decrypted message. */
static void handle_msg(wx_t *x, conn_t *cs, struct MHD_Connection *c,
                       const sj_wx_msg_t *m, const char *nonce)
{
    if (!*m->from || strlen(m->from) > SJ_WX_MAX_HANDLE) {
        refuse(cs, 400, "bad_message", "from");
        return;
    }
    char dedup[200];
    if (*m->msg_id)
        snprintf(dedup, sizeof dedup, "m%s", m->msg_id);
    else
        snprintf(dedup, sizeof dedup, "e%lld-%s", (long long)m->create_time,
                 m->event);
    cs->status = 200;
    if (!strcmp(m->type, "text") || !strcmp(m->type, "voice")) {
        if (!*m->content) { /* voice without recognition */
            sj_wx_msg_t say = *m;
            snprintf(say.content, sizeof say.content, "%s",
                     sj_tr(x->o->bot.lang,
                           N_("Sorry, I could not make out that voice "
                              "message. Please write it.")));
            pending_t tmp = {.handle = say.from, .account = say.to};
            snprintf(tmp.nonce, sizeof tmp.nonce, "%s", nonce ? nonce : "0");
            cs->answer = reply_body(x, &tmp, say.content);
            return;
        }
        to_bot(x, cs, c, m, dedup, m->content, nonce);
        return;
    }
    if (strcmp(m->type, "event") != 0) {
        cs->answer = g_strdup("success"); /* images, links: not for us */
        return;
    }
    if (!strcmp(m->event, "unsubscribe")) {
        /* Forget what the bridge holds and unlink in the broker. */
        send_leave(x, m->from);
        cs->answer = g_strdup("success");
        return;
    }
    if (!strcmp(m->event, "subscribe") || !strcmp(m->event, "SCAN") ||
        !strcmp(m->event, "enter_agent")) {
        /* A parameter QR carries a join code: join with it. */
        const char *code = m->event_key;
        if (!strncmp(code, "qrscene_", 8))
            code += 8;
        if (*code && strlen(code) < 64) {
            char text[sizeof m->event_key + 16];
            snprintf(text, sizeof text, "加入 %s", code);
            to_bot(x, cs, c, m, dedup, text, nonce);
            return;
        }
        if (!strcmp(m->event, "subscribe")) {
            sj_wx_state_inbound(x->st, m->from, wall_s());
            pending_t tmp = {.handle = (char *)m->from,
                             .account = (char *)m->to};
            snprintf(tmp.nonce, sizeof tmp.nonce, "%s", nonce ? nonce : "0");
            cs->answer = reply_body(
                x, &tmp,
                sj_tr(x->o->bot.lang,
                      N_("Welcome to the neighbourhood wish board! To join, "
                         "send the code your neighbourhood committee gave "
                         "you, for example: join 12-345678. Then send "
                         "“help” to see what you can do.")));
            return;
        }
    }
    cs->answer = g_strdup("success");
}

/* Check a callback and answer it (or suspend it for the bot). */
static void callback(wx_t *x, conn_t *cs, struct MHD_Connection *c,
                     const char *method)
{
    g_autofree char *sig = dup_arg(c, "signature");
    g_autofree char *msig = dup_arg(c, "msg_signature");
    g_autofree char *ts = dup_arg(c, "timestamp");
    g_autofree char *nonce = dup_arg(c, "nonce");
    g_autofree char *echo = dup_arg(c, "echostr");
    if (!ts || !nonce) {
        refuse(cs, 400, "callback_refused", "no_timestamp");
        return;
    }
    char *end;
    long long t = strtoll(ts, &end, 10);
    if (!*ts || *end || llabs(t - (long long)wall_s()) > STALE_S) {
        refuse(cs, 403, "callback_refused", "stale_timestamp");
        return;
    }
    bool get = !strcmp(method, "GET");
    if (get) {
        if (!echo) {
            refuse(cs, 400, "callback_refused", "no_echostr");
            return;
        }
        if (x->wecom) { /* the echostr is encrypted and signed */
            char *plain;
            size_t len;
            if (!sj_wx_check(msig, x->token, ts, nonce, echo)) {
                refuse(cs, 403, "callback_refused", "bad_signature");
                return;
            }
            if (sj_wx_decrypt(x->key, echo, x->appid, &plain, &len) != 0) {
                refuse(cs, 403, "callback_refused", "bad_ciphertext");
                return;
            }
            cs->status = 200;
            cs->answer = plain;
        } else {
            if (!sj_wx_check(sig, x->token, ts, nonce, NULL)) {
                refuse(cs, 403, "callback_refused", "bad_signature");
                return;
            }
            cs->status = 200;
            cs->answer = g_strdup(echo);
        }
        logkv("info", "url_verified", NULL);
        return;
    }
    if (strcmp(method, "POST") != 0) {
        cs->status = 405;
        cs->answer = g_strdup("method not allowed");
        return;
    }
    if (cs->too_big) {
        refuse(cs, 413, "callback_refused", "too_big");
        cs->status = 413;
        return;
    }
    /* The OA's plain signature is on every POST, safe mode or not. */
    if (!x->wecom && !sj_wx_check(sig, x->token, ts, nonce, NULL)) {
        refuse(cs, 403, "callback_refused", "bad_signature");
        return;
    }
    sj_wx_msg_t *m = g_new(sj_wx_msg_t, 1);
    if (sj_wx_parse(cs->body->str, cs->body->len, m) != 0) {
        refuse(cs, 400, "callback_refused", "bad_xml");
        g_free(m);
        return;
    }
    if (x->aes) {
        if (!*m->encrypt) {
            refuse(cs, 400, "callback_refused", "not_encrypted");
            g_free(m);
            return;
        }
        if (!sj_wx_check(msig, x->token, ts, nonce, m->encrypt)) {
            refuse(cs, 403, "callback_refused", "bad_msg_signature");
            g_free(m);
            return;
        }
        char *plain;
        size_t len;
        int rc = sj_wx_decrypt(x->key, m->encrypt, x->appid, &plain, &len);
        if (rc != 0 || sj_wx_parse(plain, len, m) != 0) {
            refuse(cs, 403, "callback_refused",
                   rc == SJ_WX_EAPPID ? "wrong_appid" : "bad_ciphertext");
            free(plain);
            g_free(m);
            return;
        }
        free(plain);
    }
    handle_msg(x, cs, c, m, nonce);
    g_free(m);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *data,
                                 size_t *size, void **con_cls)
{
    (void)url;
    (void)version;
    wx_t *x = cls;
    conn_t *cs = *con_cls;
    if (!cs) {
        cs = g_new0(conn_t, 1);
        cs->body = g_string_new(NULL);
        *con_cls = cs;
        return MHD_YES;
    }
    if (*size) {
        if (cs->body->len + *size > SJ_WX_MAX_BODY)
            cs->too_big = true;
        else
            g_string_append_len(cs->body, data, (gssize)*size);
        *size = 0;
        return MHD_YES;
    }
    if (cs->queued)
        return MHD_YES;
    if (!cs->answer && !cs->p)
        callback(x, cs, c, method);
    if (cs->p) /* suspended: the bot is at work */
        return MHD_YES;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(cs->answer), cs->answer, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type",
                            cs->status == 200 && cs->answer[0] == '<'
                                ? "application/xml; charset=utf-8"
                                : "text/plain; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, cs->status, r);
    MHD_destroy_response(r);
    cs->queued = true;
    return ret;
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    conn_t *cs = *con_cls;
    if (!cs)
        return;
    g_string_free(cs->body, TRUE);
    g_free(cs->answer);
    g_free(cs);
    *con_cls = NULL;
}

/* ----------------------------------------------------------- the loop */

static struct MHD_Daemon *listen_on(wx_t *x, const char *addr)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    if (!colon || (size_t)(colon - addr) >= sizeof host || port < 1 ||
        port > 65535) {
        fputs(_("shangju-chat: --wechat-listen wants ADDR:PORT\n"), stderr);
        return NULL;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = 0;
    static struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fputs(_("shangju-chat: --wechat-listen wants an IPv4 address\n"),
              stderr);
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)port, NULL, NULL,
        access_cb, x, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_NOTIFY_COMPLETED,
        completed_cb, x, MHD_OPTION_END);
    if (!d)
        fprintf(stderr, _("shangju-chat: cannot listen on %s\n"), addr);
    return d;
}

static int setup(wx_t *x, const sj_chat_opts_t *o)
{
    x->o = o;
    x->wecom = o->wecom_corpid != NULL;
    if (read_secret(o->wechat_token_file, x->token, sizeof x->token,
                    N_("callback token")) != 0)
        return -1;
    if (o->wechat_aes_key_file) {
        char k[128];
        if (read_secret(o->wechat_aes_key_file, k, sizeof k,
                        N_("EncodingAESKey")) != 0)
            return -1;
        if (!sj_wx_key(k, x->key)) {
            fputs(_("shangju-chat: the EncodingAESKey must be 43 base64 "
                    "characters\n"),
                  stderr);
            return -1;
        }
        x->aes = true;
    }
    if (x->wecom && !x->aes) {
        fputs(_("shangju-chat: WeCom needs --wechat-aes-key-file\n"), stderr);
        return -1;
    }
    const char *id = x->wecom ? o->wecom_corpid : o->wechat_appid;
    snprintf(x->appid, sizeof x->appid, "%s", id ? id : "");
    if (x->aes && !*x->appid) {
        fputs(_("shangju-chat: safe mode needs --wechat-appid\n"), stderr);
        return -1;
    }
    const char *sf = x->wecom ? o->wecom_secret_file : o->wechat_secret_file;
    if (sf &&
        read_secret(sf, x->secret, sizeof x->secret, N_("app secret")) != 0)
        return -1;
    if (o->wecom_webhook_file &&
        read_secret(o->wecom_webhook_file, x->webhook, sizeof x->webhook,
                    N_("webhook URL")) != 0)
        return -1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s",
             o->wechat_state ? o->wechat_state : o->data);
    if (!o->wechat_state)
        g_strlcat(dir, x->wecom ? "/wecom" : "/wechat", sizeof dir);
    x->st = sj_wx_state_open(dir);
    if (!x->st) {
        fprintf(stderr,
                _("shangju-chat: cannot use the state directory '%s'\n"), dir);
        return -1;
    }
    return 0;
}

/* Work that runs on time: deadlines, the outbox, the robot, leaves. */
static void tick(wx_t *x)
{
    int64_t now = sj_chat_now_ms();
    for (GList *l = x->pending.head; l;) {
        pending_t *p = l->data;
        l = l->next;
        if (p->reply || now >= p->deadline)
            finish(x, p);
    }
    if (*x->secret && (!*x->access || now >= x->access_until))
        token_fetch(x, now); /* before expiry, not per message */
    send_next(x, now);
    robot_next(x, now);
    if (now - x->last_leave_scan > 1000) {
        x->last_leave_scan = now;
        const char *h;
        while ((h = sj_wx_state_leave_due(x->st, now)))
            send_leave(x, h);
    }
}

static int next_wait(wx_t *x)
{
    int t = sj_chat_rt_timeout_ms(&x->rt);
    MHD_UNSIGNED_LONG_LONG mt;
    if (MHD_get_timeout(x->httpd, &mt) == MHD_YES && mt < (unsigned)t)
        t = (int)mt;
    if (!g_queue_is_empty(&x->pending) && t > 20)
        t = 20; /* the bot's replies arrive in rt service */
    return t;
}

int sj_chat_wechat_run(const sj_chat_opts_t *o)
{
    static wx_t x; /* the daemon and transfers hold its address */
    memset(&x, 0, sizeof x);
    if (setup(&x, o) != 0)
        return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
        !(x.multi = curl_multi_init())) {
        sj_wx_state_close(&x.st);
        return 1;
    }
    x.busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_queue_init(&x.pending);
    g_queue_init(&x.xfers);
    sj_chat_transport_t out = {w_send, *x.webhook ? w_announce : NULL, &x,
                               w_send_keyed};
    int rc = 1;
    if (sj_chat_rt_init(&x.rt, o, &out) != 0)
        goto out;
    if (!(x.httpd = listen_on(&x, o->wechat_listen)))
        goto out_rt;
    logkv("info", "listening", "platform=%s aes=%s",
          x.wecom ? "wecom" : "official_account", x.aes ? "yes" : "no");
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(x.httpd, MHD_DAEMON_INFO_EPOLL_FD);
    int mhd_fd = di ? di->epoll_fd : -1;
    while (!sj_chat_stop) {
        struct curl_waitfd fds[2] = {
            {mhd_fd, CURL_WAIT_POLLIN, 0},
            {sj_chat_rt_fd(&x.rt), CURL_WAIT_POLLIN, 0}};
        curl_multi_wait(x.multi, fds, 2, next_wait(&x), NULL);
        MHD_run(x.httpd);
        sj_chat_rt_service(&x.rt);
        pump_curl(&x);
        tick(&x);
        MHD_run(x.httpd);
    }
    /* An orderly stop: answer the callbacks, store the cursor. */
    int64_t until = sj_chat_now_ms() + 5000;
    while ((!sj_chat_rt_idle(&x.rt) || !g_queue_is_empty(&x.pending) ||
            x.robot_busy) &&
           sj_chat_now_ms() < until) {
        struct curl_waitfd fd = {sj_chat_rt_fd(&x.rt), CURL_WAIT_POLLIN, 0};
        curl_multi_wait(x.multi, &fd, 1, 20, NULL);
        sj_chat_rt_service(&x.rt);
        pump_curl(&x);
        tick(&x);
        MHD_run(x.httpd);
    }
    while (!g_queue_is_empty(&x.pending))
        finish(&x, g_queue_peek_head(&x.pending));
    MHD_run(x.httpd);
    rc = 0;
    MHD_stop_daemon(x.httpd);
out_rt:
    sj_chat_rt_end(&x.rt);
out:
    while (!g_queue_is_empty(&x.xfers))
        xfer_free(&x, g_queue_peek_head(&x.xfers));
    curl_multi_cleanup(x.multi);
    curl_global_cleanup();
    g_hash_table_destroy(x.busy);
    sj_wx_state_close(&x.st);
    memset(x.secret, 0, sizeof x.secret);
    memset(x.key, 0, sizeof x.key);
    return rc;
}
