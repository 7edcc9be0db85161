/* The request ROUTER's connections by file descriptor (issue 13): the cap
 * on a member's speaking connections and the close of silent ones. A
 * table indexed by fd; connections are closed with shutdown(2) only, so
 * libzmq sees the end of the stream, closes the descriptor itself and
 * reports DISCONNECTED (closing an fd libzmq owns would break it). */
#include "conns.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "sj_error.h"

/* A refused connection is closed this long after its refusal, so that the
 * reply has left first. */
#define REFUSE_GRACE_MS 200
/* Sweeps are at least this far apart: each one reads the whole table. */
#define SWEEP_GAP_MS 100
/* Buckets of the count of speaking connections per key. */
#define KEY_BUCKETS 1024

enum conn_state {
    CONN_NONE,     /* nothing known (never seen, or gone) */
    CONN_SILENT,   /* accepted, no request yet: closed at due */
    CONN_SPEAKING, /* has sent a request as key */
    CONN_REFUSED,  /* over the cap: closed at due */
    CONN_CLOSING,  /* shut down; DISCONNECTED will clear it */
};

struct conn {
    uint8_t state;
    int64_t due;
    uint8_t key[32];
};

/* How many speaking connections a key has (present while > 0). */
struct key_count {
    uint8_t key[32];
    unsigned n;
    struct key_count *next;
};

struct sj_conns {
    struct key_count *keys[KEY_BUCKETS];
    unsigned max;
    int64_t silent_ms;
    struct conn *t; /* indexed by fd */
    size_t cap;
    int64_t next_due;
};

int sj_conns_new(unsigned max, int64_t silent_ms, sj_conns_t **out)
{
    sj_conns_t *c = calloc(1, sizeof *c);
    if (!c)
        return SJ_ENOMEM;
    c->max = max;
    c->silent_ms = silent_ms;
    c->next_due = INT64_MAX;
    *out = c;
    return SJ_OK;
}

void sj_conns_destroy(sj_conns_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; i < KEY_BUCKETS; i++)
        for (struct key_count *k = (*self)->keys[i], *next; k; k = next) {
            next = k->next;
            free(k);
        }
    free((*self)->t);
    free(*self);
    *self = NULL;
}

/* The entry of fd, the table grown to hold it; NULL when out of memory. */
static struct conn *entry(sj_conns_t *c, int fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= c->cap) {
        size_t n = c->cap ? c->cap : 256;
        while (n <= (size_t)fd)
            n *= 2;
        struct conn *t = realloc(c->t, n * sizeof *t);
        if (!t)
            return NULL;
        memset(t + c->cap, 0, (n - c->cap) * sizeof *t);
        c->t = t;
        c->cap = n;
    }
    return &c->t[fd];
}

/* The count of key's speaking connections (created at 0 when add); NULL
 * when there is none (or no memory for it). */
static struct key_count **count_of(sj_conns_t *c, const uint8_t key[32])
{
    uint32_t h;
    memcpy(&h, key, sizeof h); /* keys are uniformly random bytes */
    struct key_count **k = &c->keys[h % KEY_BUCKETS];
    while (*k && memcmp((*k)->key, key, 32) != 0)
        k = &(*k)->next;
    return k;
}

/* e stops (or starts) being a speaking connection of its key. */
static void unspeak(sj_conns_t *c, struct conn *e)
{
    if (e->state != CONN_SPEAKING)
        return;
    struct key_count **k = count_of(c, e->key), *kc = *k;
    if (kc && --kc->n == 0) {
        *k = kc->next;
        free(kc);
    }
    e->state = CONN_NONE;
}

static void speak(sj_conns_t *c, struct conn *e, const uint8_t key[32])
{
    unspeak(c, e);
    struct key_count **k = count_of(c, key);
    if (!*k && (*k = calloc(1, sizeof **k)))
        memcpy((*k)->key, key, 32);
    if (*k)
        (*k)->n++;
    memcpy(e->key, key, 32);
    e->state = CONN_SPEAKING;
    e->due = 0;
}

static unsigned speaking(sj_conns_t *c, const uint8_t key[32])
{
    struct key_count *k = *count_of(c, key);
    return k ? k->n : 0;
}

static void set_due(sj_conns_t *c, struct conn *e, int64_t due)
{
    e->due = due;
    if (due < c->next_due)
        c->next_due = due;
}

void sj_conns_accepted(sj_conns_t *c, int fd, int64_t now)
{
    struct conn *e = entry(c, fd);
    if (!e)
        return;
    unspeak(c, e);
    memset(e, 0, sizeof *e);
    if (c->silent_ms > 0) {
        e->state = CONN_SILENT;
        set_due(c, e, now + c->silent_ms);
    }
}

void sj_conns_gone(sj_conns_t *c, int fd)
{
    if (fd < 0 || (size_t)fd >= c->cap)
        return;
    unspeak(c, &c->t[fd]);
    memset(&c->t[fd], 0, sizeof c->t[fd]);
}

bool sj_conns_request(sj_conns_t *c, int fd, const uint8_t key[32], int64_t now)
{
    struct conn *e = entry(c, fd);
    if (!e)
        return true;
    if (e->state == CONN_REFUSED || e->state == CONN_CLOSING)
        return false;
    /* Known as this member's: the usual case, nothing to count. A
     * speaking entry of another key is a reused fd number whose
     * DISCONNECTED was read before a late frame of the old connection
     * (or the reverse): this request decides. */
    if (e->state == CONN_SPEAKING && memcmp(e->key, key, 32) == 0)
        return true;
    unspeak(c, e);
    if (c->max && speaking(c, key) >= c->max) {
        memcpy(e->key, key, 32);
        e->state = CONN_REFUSED;
        set_due(c, e, now + REFUSE_GRACE_MS);
        return false;
    }
    speak(c, e, key);
    return true;
}

/* Is fd still a connection to the ROUTER's port? (fd numbers are reused:
 * a late DISCONNECTED may leave an entry whose fd is now a subscriber's
 * or a file.) */
static bool routers(int fd, int listen_port)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return false;
    if (listen_port <= 0)
        return true; /* not TCP: nothing to compare */
    if (a.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&a)->sin_port) == listen_port;
    if (a.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&a)->sin6_port) == listen_port;
    return false;
}

void sj_conns_sweep(sj_conns_t *c, int64_t now, int listen_port,
                    uint64_t *silent, uint64_t *refused)
{
    if (now < c->next_due)
        return;
    c->next_due = INT64_MAX;
    for (size_t i = 0; i < c->cap; i++) {
        struct conn *e = &c->t[i];
        if (e->state != CONN_SILENT && e->state != CONN_REFUSED)
            continue;
        if (e->due > now) {
            if (e->due < c->next_due)
                c->next_due = e->due;
            continue;
        }
        if (routers((int)i, listen_port) && shutdown((int)i, SHUT_RDWR) == 0) {
            if (e->state == CONN_SILENT)
                (*silent)++;
            else
                (*refused)++;
        }
        e->state = CONN_CLOSING;
        e->due = 0;
    }
    if (c->next_due != INT64_MAX && c->next_due < now + SWEEP_GAP_MS)
        c->next_due = now + SWEEP_GAP_MS;
}

int64_t sj_conns_next_due(const sj_conns_t *c)
{
    return c->next_due;
}
