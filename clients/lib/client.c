/* The client connection: CURVE sockets, request ids, the pending-request
 * table and the Lazy Pirate retry (close, reopen, resend the same bytes
 * under the same id). The event subscription lives in client_sub.c. */
#include "client_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* Replies may carry a page of records; requests stay within SJ_MAX_FRAME. */
#define REPLY_MAX ((int64_t)SJ_MAX_FRAME * 16)

int64_t client__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_opt(void *s, int opt, const void *val, size_t len)
{
    return zmq_setsockopt(s, opt, val, len);
}

static int socket_fd(void *s)
{
    int fd = -1;
    size_t len = sizeof fd;
    if (zmq_getsockopt(s, ZMQ_FD, &fd, &len) != 0)
        return -1;
    return fd;
}

void *client__open(sj_client_t *c, int type, const char *ep, int64_t maxmsg,
                   const char *subscribe)
{
    void *s = zmq_socket(c->ctx, type);
    if (!s)
        return NULL;
    int linger = 0;
    if (set_opt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        set_opt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0 ||
        set_opt(s, ZMQ_CURVE_SERVERKEY, c->server_key, SJ_KEY_BYTES) != 0 ||
        set_opt(s, ZMQ_CURVE_PUBLICKEY, c->public_key, SJ_KEY_BYTES) != 0 ||
        set_opt(s, ZMQ_CURVE_SECRETKEY, c->secret_key, SJ_KEY_BYTES) != 0)
        goto err;
    if (subscribe &&
        set_opt(s, ZMQ_SUBSCRIBE, subscribe, strlen(subscribe)) != 0)
        goto err;
    if (zmq_connect(s, ep) != 0)
        goto err;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    int fd = socket_fd(s);
    if (fd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        goto err;
    return s;
err:
    zmq_close(s);
    return NULL;
}

void client__close(sj_client_t *c, void **s)
{
    if (!*s)
        return;
    int fd = socket_fd(*s);
    if (fd >= 0)
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL);
    zmq_close(*s);
    *s = NULL;
}

bool client__readable(void *s)
{
    int events = 0;
    size_t len = sizeof events;
    if (!s || zmq_getsockopt(s, ZMQ_EVENTS, &events, &len) != 0)
        return false;
    return (events & ZMQ_POLLIN) != 0;
}

/* Keys come either inline or from files; the secret must be there. */
static int load_keys(sj_client_t *c, const sj_client_opts_t *o)
{
    sj_keypair_t kp;
    if (o->keypair)
        kp = *o->keypair;
    else if (!o->key_file)
        return SJ_EINVAL;
    else {
        int rc = sj_keyfile_load(o->key_file, &kp);
        if (rc != 0)
            return rc;
    }
    if (!kp.has_secret)
        return SJ_EINVAL;
    memcpy(c->public_key, kp.public_key, SJ_KEY_BYTES);
    memcpy(c->secret_key, kp.secret_key, SJ_KEY_BYTES);
    memset(&kp, 0, sizeof kp);
    if (o->server_key) {
        memcpy(c->server_key, o->server_key, SJ_KEY_BYTES);
        return SJ_OK;
    }
    if (!o->server_key_file)
        return SJ_EINVAL;
    int rc = sj_keyfile_load(o->server_key_file, &kp);
    if (rc == 0)
        memcpy(c->server_key, kp.public_key, SJ_KEY_BYTES);
    return rc;
}

static int setup(sj_client_t *c, const sj_client_opts_t *o)
{
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : SJ_CLIENT_TIMEOUT_MS;
    c->retries = o->retries > 0 ? o->retries : 0;
    if (o->retries == 0)
        c->retries = SJ_CLIENT_RETRIES;
    c->sync_ms = o->sync_ms > 0 ? o->sync_ms : SJ_CLIENT_SYNC_MS;
    c->requests = strdup(o->requests ? o->requests : SJ_CLIENT_REQUESTS);
    c->events = strdup(o->events ? o->events : SJ_CLIENT_EVENTS);
    if (!c->requests || !c->events)
        return SJ_ENOMEM;
    int rc = load_keys(c, o);
    if (rc != 0)
        return rc;
    if (getrandom(&c->id_base, sizeof c->id_base, 0) !=
        (ssize_t)sizeof c->id_base)
        return SJ_EIO;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    c->ctx = zmq_ctx_new();
    if (c->epfd < 0 || !c->ctx)
        return SJ_EIO;
    c->req = client__open(c, ZMQ_DEALER, c->requests, REPLY_MAX, NULL);
    return c->req ? SJ_OK : SJ_EIO;
}

sj_client_t *sj_client_new(const sj_client_opts_t *opts, int *err)
{
    sj_client_opts_t none = {0};
    sj_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        if (err)
            *err = SJ_ENOMEM;
        return NULL;
    }
    c->epfd = -1;
    int rc = setup(c, opts ? opts : &none);
    if (rc != 0) {
        int saved = errno;
        sj_client_destroy(&c);
        errno = saved;
    }
    if (err)
        *err = rc;
    return c;
}

static void pending_free(struct pending *p)
{
    if (p->reply)
        shangju__reply__free_unpacked(p->reply, NULL);
    free(p->bytes);
    free(p);
}

void sj_client_destroy(sj_client_t **self)
{
    if (!self || !*self)
        return;
    sj_client_t *c = *self;
    client__sub_free(c);
    while (c->pending) {
        struct pending *p = c->pending;
        c->pending = p->next;
        if (!p->blocking)
            pending_free(p);
    }
    client__close(c, &c->req);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    if (c->epfd >= 0)
        close(c->epfd);
    memset(c->secret_key, 0, sizeof c->secret_key);
    free(c->requests);
    free(c->events);
    free(c);
    *self = NULL;
}

const uint8_t *sj_client_public_key(const sj_client_t *c)
{
    return c->public_key;
}

int sj_client_fd(const sj_client_t *c)
{
    return c->epfd;
}

/* ------------------------------------------------------------- requests */

static uint64_t next_id(sj_client_t *c)
{
    uint64_t id;
    do
        id = c->id_base + c->id_next++;
    while (id == 0);
    return id;
}

/* Send without blocking; a message the socket cannot take now is simply
 * lost and the retry timer brings it back. */
static void transmit(sj_client_t *c, struct pending *p)
{
    p->deadline = client__now() + c->timeout_ms;
    if (c->req)
        zmq_send(c->req, p->bytes, p->len, ZMQ_DONTWAIT);
}

static int enqueue(sj_client_t *c, Shangju__Request *req,
                   sj_client_reply_fn *cb, void *ud, struct pending **out)
{
    if (!req || req->body_case == SHANGJU__REQUEST__BODY__NOT_SET)
        return SJ_EINVAL;
    if (protobuf_c_message_get_packed_size(&req->base) > SJ_MAX_FRAME)
        return SJ_EINVAL;
    struct pending *p = calloc(1, sizeof *p);
    if (!p)
        return SJ_ENOMEM;
    if (req->request_id == 0)
        req->request_id = next_id(c);
    p->bytes = sj_codec_encode(&req->base, &p->len);
    if (!p->bytes) {
        free(p);
        return SJ_ENOMEM;
    }
    p->id = req->request_id;
    p->tries_left = c->retries;
    p->cb = cb;
    p->ud = ud;
    struct pending **pp = &c->pending;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    transmit(c, p);
    if (out)
        *out = p;
    return SJ_OK;
}

int sj_client_send(sj_client_t *c, Shangju__Request *req,
                   sj_client_reply_fn *cb, void *ud)
{
    return enqueue(c, req, cb, ud, NULL);
}

static struct pending *unlink_id(sj_client_t *c, uint64_t id)
{
    for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
        struct pending *p = *pp;
        if (p->id == id) {
            *pp = p->next;
            p->next = NULL;
            return p;
        }
    }
    return NULL;
}

/* Append p to the singly linked list whose tail pointer is *tail. */
static void push(struct pending ***tail, struct pending *p)
{
    p->next = NULL;
    **tail = p;
    *tail = &p->next;
}

/* Read one whole message from the request socket and decode its last frame
 * (the contract is one frame; a stray empty delimiter is tolerated).
 * Returns 1 with *out (NULL if undecodable), or 0 when nothing waits. */
static int read_reply(sj_client_t *c, Shangju__Reply **out)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    *out = NULL;
    if (zmq_msg_recv(&msg, c->req, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return 0;
    }
    while (zmq_msg_more(&msg)) {
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, c->req, ZMQ_DONTWAIT) < 0)
            break;
    }
    *out = sj_codec_reply_decode(zmq_msg_data(&msg), zmq_msg_size(&msg));
    zmq_msg_close(&msg);
    return 1;
}

/* Move answered requests to the done list; ignore replies nobody waits
 * for (a late duplicate after a retry, or a reply from before a reopen). */
static void take_replies(sj_client_t *c, struct pending ***done)
{
    Shangju__Reply *r;
    while (c->req && read_reply(c, &r)) {
        if (!r)
            continue;
        struct pending *p = unlink_id(c, r->request_id);
        if (!p) {
            shangju__reply__free_unpacked(r, NULL);
            continue;
        }
        p->reply = r;
        push(done, p);
    }
}

/* Lazy Pirate: after any timeout the old connection is suspect, so reopen
 * the socket and resend every pending request; replies to the old socket
 * would be routed to a peer that no longer exists. */
static void take_timeouts(sj_client_t *c, int64_t now, struct pending ***done)
{
    bool expired = false;
    for (struct pending *p = c->pending; p; p = p->next)
        expired |= p->deadline <= now;
    if (!expired)
        return;
    client__close(c, &c->req);
    c->req = client__open(c, ZMQ_DEALER, c->requests, REPLY_MAX, NULL);
    struct pending **pp = &c->pending;
    while (*pp) {
        struct pending *p = *pp;
        if (p->deadline <= now && p->tries_left-- <= 0) {
            *pp = p->next;
            p->err = SJ_ETIMEOUT;
            push(done, p);
            continue;
        }
        transmit(c, p);
        pp = &p->next;
    }
}

static void complete(sj_client_t *c, struct pending *p)
{
    p->done = true;
    if (p->blocking)
        return; /* sj_client_call() takes it from here */
    if (p->cb) {
        p->cb(c, p->reply, p->reply ? 0 : p->err, p->ud);
        c->calls++;
    }
    pending_free(p);
}

int sj_client_process(sj_client_t *c)
{
    int before = c->calls;
    struct pending *done = NULL, **tail = &done;
    take_replies(c, &tail);
    take_timeouts(c, client__now(), &tail);
    while (done) {
        struct pending *p = done;
        done = p->next;
        complete(c, p);
    }
    client__sub_process(c, client__now());
    return c->calls - before;
}

int sj_client_next_timeout_ms(sj_client_t *c)
{
    if (client__readable(c->req) || client__readable(client__sub_socket(c)))
        return 0;
    int64_t next = client__sub_deadline(c);
    for (struct pending *p = c->pending; p; p = p->next)
        if (next < 0 || p->deadline < next)
            next = p->deadline;
    if (next < 0)
        return -1;
    int64_t left = next - client__now();
    if (left < 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

int sj_client_wait(sj_client_t *c, int timeout_ms)
{
    int t = sj_client_next_timeout_ms(c);
    if (timeout_ms >= 0 && (t < 0 || t > timeout_ms))
        t = timeout_ms;
    if (t != 0) {
        zmq_pollitem_t items[2];
        int n = 0;
        void *sub = client__sub_socket(c);
        if (c->req)
            items[n++] =
                (zmq_pollitem_t){.socket = c->req, .events = ZMQ_POLLIN};
        if (sub)
            items[n++] = (zmq_pollitem_t){.socket = sub, .events = ZMQ_POLLIN};
        if (zmq_poll(items, n, t) < 0)
            return SJ_EIO;
    }
    return sj_client_process(c);
}

int sj_client_call(sj_client_t *c, Shangju__Request *req,
                   Shangju__Reply **reply)
{
    struct pending *p = NULL;
    *reply = NULL;
    int rc = enqueue(c, req, NULL, NULL, &p);
    if (rc != 0)
        return rc;
    p->blocking = true;
    while (!p->done) {
        if (sj_client_wait(c, -1) == SJ_EIO && errno != EINTR) {
            rc = SJ_EIO;
            break;
        }
    }
    if (!p->done) /* still listed: take it out before freeing */
        unlink_id(c, p->id);
    else if (p->reply) {
        *reply = p->reply;
        p->reply = NULL;
    } else
        rc = p->err;
    pending_free(p);
    return rc;
}
