/* The HTTP server of server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "pages.h"
#include "routes.h"
#include "sj_zone.h"

/* Per-connection memory: the request line and headers must fit. */
#define CONN_MEMORY (16u * 1024)

static const char csp[] = "default-src 'none'; style-src 'self'; "
                          "img-src 'self'; base-uri 'none'; "
                          "form-action 'none'; frame-ancestors 'none'";

typedef struct {
    web_upstream_t *up;
    web_cache_t *cache;
    char css_etag[24];
    char ok_etag[24];
} ctx_t;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* logfmt value: quoted, with " \ and controls escaped, at most 200 bytes
 * (request paths are the client's). */
static void logval(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    out[n++] = '"';
    for (; s && *s && n + 6 < cap && n < 200; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[n++] = '\\';
            out[n++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7F)
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", ch);
        else
            out[n++] = (char)ch;
    }
    out[n++] = '"';
    out[n] = '\0';
}

static void peer(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

void web_log(const char *level, const char *fmt, ...)
{
    char ts[SJ_ZONE_TIME_MAX];
    sj_zone_now_rfc3339(ts, sizeof ts);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ts=%s level=%s %s\n", ts, level, line);
}

static void access_log(struct MHD_Connection *conn, const char *method,
                       const char *url, int status, size_t bytes,
                       const char *cache, sj_lang_t lang, int64_t t0)
{
    char ip[INET6_ADDRSTRLEN + 1], path[256], m[32];
    peer(conn, ip, sizeof ip);
    logval(path, sizeof path, url);
    logval(m, sizeof m, method);
    web_log("info",
            "event=http method=%s path=%s status=%d "
            "bytes=%zu us=%lld cache=%s lang=%s ip=%s",
            m, path, status, bytes, (long long)(mono_us() - t0), cache,
            lang == SJ_LANG_ZH ? "zh" : "en", ip);
}

/* Accept-Language: the first of zh / en with the highest q, zh when
 * neither. */
static sj_lang_t accept_lang(const char *h)
{
    if (!h)
        return SJ_LANG_ZH;
    double best = 0;
    sj_lang_t lang = SJ_LANG_ZH;
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ')
            p++;
        size_t n = (size_t)(p - tag);
        double q = 1;
        while (*p && *p != ',') {
            if (strncmp(p, ";q=", 3) == 0)
                q = strtod(p + 3, NULL);
            p++;
        }
        int which = -1;
        if (n >= 2 && strncasecmp(tag, "zh", 2) == 0 &&
            (n == 2 || tag[2] == '-'))
            which = SJ_LANG_ZH;
        else if (n >= 2 && strncasecmp(tag, "en", 2) == 0 &&
                 (n == 2 || tag[2] == '-'))
            which = SJ_LANG_EN;
        if (which >= 0 && q > best) {
            best = q;
            lang = (sj_lang_t)which;
        }
    }
    return lang;
}

static void security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

/* Queue a reply: 304 when the client holds this ETag already. */
static enum MHD_Result send_reply(struct MHD_Connection *conn,
                                  const web_reply_t *rep, const char *etag,
                                  sj_lang_t lang, int *status, size_t *bytes)
{
    const char *inm =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
    bool fresh = rep->status == 200 && etag && inm && strcmp(inm, etag) == 0;
    struct MHD_Response *r =
        fresh ? MHD_create_response_from_buffer(0, (void *)"",
                                                MHD_RESPMEM_PERSISTENT)
              : MHD_create_response_from_buffer(rep->len, rep->body,
                                                MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    security_headers(r);
    MHD_add_response_header(r, "Content-Type", rep->ctype);
    MHD_add_response_header(r, "Content-Language", sj_lang_tag(lang));
    MHD_add_response_header(r, "Vary", "Accept-Language");
    if (etag)
        MHD_add_response_header(r, "ETag", etag);
    if (rep->private_page)
        MHD_add_response_header(r, "Cache-Control", "private, no-store");
    else if (rep->status == 200)
        MHD_add_response_header(r, "Cache-Control",
                                "public, max-age=1, must-revalidate");
    else
        MHD_add_response_header(r, "Cache-Control", "no-store");
    if (rep->status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    if (rep->filename[0]) {
        char cd[128];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", rep->filename);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    *status = fresh ? MHD_HTTP_NOT_MODIFIED : rep->status;
    *bytes = fresh ? 0 : rep->len;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)*status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result static_reply(struct MHD_Connection *conn,
                                    const char *body, const char *ctype,
                                    const char *etag, sj_lang_t lang,
                                    int *status, size_t *bytes)
{
    web_reply_t r = {0};
    r.status = 200;
    r.body = (char *)body;
    r.len = strlen(body);
    r.ctype = ctype;
    return send_reply(conn, &r, etag, lang, status, bytes);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload_data;
    ctx_t *ctx = cls;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (get && !*con_cls) {
        /* The headers are in; answering now, before the (empty) body is
         * read, would make the library close the connection. */
        static int seen;
        *con_cls = &seen;
        return MHD_YES;
    }
    int64_t t0 = mono_us();
    web_req_t rq = {0};
    rq.path = url;
    const char *lq =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
    if (lq && (strcmp(lq, "en") == 0 || strcmp(lq, "zh") == 0)) {
        rq.lang = strcmp(lq, "en") == 0 ? SJ_LANG_EN : SJ_LANG_ZH;
        rq.lang_chosen = true;
    } else
        rq.lang = accept_lang(MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
    rq.after =
        MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after");
    rq.code = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "code");

    int status = 0;
    size_t bytes = 0;
    enum MHD_Result ret;
    const char *how = "none";
    web_reply_t rep = {0};
    if (!get) {
        *upload_size = 0; /* the body, if any, is not read */
        web_route_error(&rq, 405, &rep);
        ret = send_reply(conn, &rep, NULL, rq.lang, &status, &bytes);
    } else if (strlen(url) > WEB_PATH_MAX ||
               (rq.code && strlen(rq.code) > WEB_CODE_MAX) ||
               (rq.after && strlen(rq.after) > 20)) {
        web_route_error(&rq, 400, &rep);
        ret = send_reply(conn, &rep, NULL, rq.lang, &status, &bytes);
    } else if (strcmp(url, "/style.css") == 0) {
        ret = static_reply(conn, web_style_css, "text/css; charset=utf-8",
                           ctx->css_etag, rq.lang, &status, &bytes);
    } else if (strcmp(url, "/healthz") == 0) {
        ret = static_reply(conn, "ok\n", "text/plain; charset=utf-8",
                           ctx->ok_etag, rq.lang, &status, &bytes);
    } else {
        char key[WEB_PATH_MAX + 64];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", sj_lang_tag(rq.lang),
                 rq.lang_chosen ? "q" : "h", url);
        if (rq.after && *rq.after) {
            strncat(key, "\x1f", sizeof key - strlen(key) - 1);
            strncat(key, rq.after, sizeof key - strlen(key) - 1);
        }
        bool codeful = rq.code && *rq.code && strncmp(url, "/w/", 3) == 0;
        uint64_t gen = web_upstream_generation(ctx->up), id;
        web_page_kind_t kind = web_route_kind(url, &id);
        const web_entry_t *e =
            codeful
                ? NULL
                : web_cache_get(ctx->cache, key,
                                web_upstream_fresh_since(ctx->up, kind, id));
        how = e ? "hit" : "miss";
        if (!e) {
            web_route(ctx->up, &rq, &rep);
            /* The generation read before building: an event during the
             * build makes this entry stale at once, never wrongly fresh. */
            if (rep.cacheable && !codeful)
                e = web_cache_put(ctx->cache, key, gen, &rep);
        }
        if (e)
            ret =
                send_reply(conn, &e->reply, e->etag, rq.lang, &status, &bytes);
        else {
            char etag[24];
            web_etag(rep.body, rep.len, etag);
            ret = send_reply(conn, &rep, rep.status == 200 ? etag : NULL,
                             rq.lang, &status, &bytes);
        }
    }
    web_reply_free(&rep);
    access_log(conn, method, url, status, bytes, how, rq.lang, t0);
    return ret;
}

/* Parse "ADDR:PORT" / "[V6]:PORT" into ss. */
static int parse_listen(const char *s, struct sockaddr_storage *ss,
                        socklen_t *len)
{
    char host[128];
    const char *port;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return SJ_EINVAL;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return SJ_EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
    }
    struct addrinfo hints = {0}, *res;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    if (!*port || getaddrinfo(host, port, &hints, &res) != 0)
        return SJ_EINVAL;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int web_server_run(const web_server_opts_t *o, web_upstream_t *up,
                   volatile sig_atomic_t *stop)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_listen(o->listen, &ss, &sl) != 0) {
        web_log("error", "event=bad_listen listen=\"%s\"", o->listen);
        return SJ_EINVAL;
    }
    ctx_t ctx = {.up = up};
    if (!(ctx.cache = web_cache_new(o->cache_slots ? o->cache_slots : 1024)))
        return SJ_ENOMEM;
    web_etag(web_style_css, strlen(web_style_css), ctx.css_etag);
    web_etag("ok\n", 3, ctx.ok_etag);
    unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, &ctx, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)o->timeout_s, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int)o->per_ip, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)o->max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (!d) {
        web_log("error", "event=listen_failed listen=\"%s\" err=\"%s\"",
                o->listen, strerror(errno));
        web_cache_destroy(&ctx.cache);
        return SJ_EIO;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
    int epfd = di ? di->epoll_fd : -1;
    web_log("info",
            "event=listening listen=\"%s\" timeout_s=%u "
            "per_ip=%u max_connections=%u",
            o->listen, o->timeout_s, o->per_ip, o->max_connections);
    while (!*stop) {
        int t = 1000;
        MHD_UNSIGNED_LONG_LONG mt;
        if (MHD_get_timeout(d, &mt) == MHD_YES && mt < (unsigned)t)
            t = (int)mt;
        int ut = web_upstream_timeout_ms(up);
        if (ut >= 0 && ut < t)
            t = ut;
        struct pollfd fds[2] = {{.fd = epfd, .events = POLLIN},
                                {.fd = web_upstream_fd(up), .events = POLLIN}};
        if (poll(fds, 2, t) < 0 && errno != EINTR)
            break;
        web_upstream_process(up);
        MHD_run(d);
    }
    MHD_stop_daemon(d);
    web_cache_destroy(&ctx.cache);
    web_log("info", "event=stopped");
    return 0;
}
