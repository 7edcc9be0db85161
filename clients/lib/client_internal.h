/* Internals shared by client.c (connection, requests, retries) and
 * client_sub.c (the event subscription). Not installed; not for programs. */
#ifndef SJ_CLIENT_INTERNAL_H
#define SJ_CLIENT_INTERNAL_H

#include "client.h"

/* One request in flight. Blocking calls (sj_client_call) own their entry:
 * it is unlinked when done, but freed by the caller, not by process. */
struct pending {
    struct pending *next;
    uint64_t id;
    uint8_t *bytes; /* the encoded Request, resent unchanged */
    size_t len;
    int64_t deadline; /* monotonic ms */
    int tries_left;
    sj_client_reply_fn *cb;
    void *ud;
    bool blocking;
    bool done;
    int err;
    Shangju__Reply *reply;
};

struct sub;

struct sj_client {
    void *ctx;
    void *req; /* DEALER; NULL only if a reopen failed */
    int epfd;  /* epoll over the sockets' ZMQ_FDs: sj_client_fd() */
    char *requests;
    char *events;
    uint8_t public_key[SJ_KEY_BYTES];
    uint8_t secret_key[SJ_KEY_BYTES];
    uint8_t server_key[SJ_KEY_BYTES];
    int timeout_ms;
    int retries;
    int sync_ms;
    uint64_t id_base; /* random, from getrandom() */
    uint64_t id_next;
    struct pending *pending; /* in sending order */
    struct sub *sub;
    uint64_t sub_gen; /* bumped per subscription, to spot stale replies */
    int calls;        /* callbacks run, for sj_client_process()'s result */
};

/* Monotonic clock in milliseconds. */
int64_t client__now(void);

/* Open a socket of type connected to ep with CURVE keys, linger 0 and
 * maxmsg as ZMQ_MAXMSGSIZE, and add its ZMQ_FD to the epoll set. Options
 * (subscriptions) go in before the connect through sub, which may be NULL.
 * Returns NULL on failure. */
void *client__open(sj_client_t *c, int type, const char *ep, int64_t maxmsg,
                   const char *subscribe);

/* Remove *s from the epoll set, close it and set *s to NULL. */
void client__close(sj_client_t *c, void **s);

/* True when socket s has a message waiting (ZMQ_EVENTS & ZMQ_POLLIN). */
bool client__readable(void *s);

/* The subscription's part of sj_client_process(): read live events and run
 * the idle check. Returns nothing; counts callbacks in c->calls. */
void client__sub_process(sj_client_t *c, int64_t now);

/* Monotonic ms of the subscription's next idle check, or -1. */
int64_t client__sub_deadline(const sj_client_t *c);

/* The events socket, or NULL without a subscription. */
void *client__sub_socket(const sj_client_t *c);

/* Free the subscription (no callbacks). */
void client__sub_free(sj_client_t *c);

#endif
