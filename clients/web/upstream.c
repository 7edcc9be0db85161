/* The broker connection of upstream.h. */
#include "upstream.h"

#include <stdlib.h>
#include <time.h>

/* How long the broker counts as down after a call went unanswered. */
#define DOWN_MS 1000

struct web_upstream {
    sj_client_t *c;
    uint64_t generation;
    int64_t down_until; /* monotonic ms; 0 = up */
    bool was_down;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    (void)c, (void)ev, (void)err;
    /* Whatever it is (the web role sees stubs only), something changed
     * or may have been missed: every cached page is stale. */
    ((web_upstream_t *)ud)->generation++;
}

web_upstream_t *web_upstream_new(const sj_client_opts_t *opts, int *err)
{
    web_upstream_t *u = calloc(1, sizeof *u);
    if (!u) {
        if (err)
            *err = SJ_ENOMEM;
        return NULL;
    }
    sj_client_opts_t o = *opts;
    if (!o.timeout_ms)
        o.timeout_ms = 800;
    o.retries = -1; /* a page waits for one attempt, then says 503 */
    o.sync_ms = 1000;
    u->c = sj_client_new(&o, err);
    if (!u->c) {
        free(u);
        return NULL;
    }
    int rc = sj_client_subscribe(u->c, NULL, 0, 0, on_event, u);
    if (rc) {
        if (err)
            *err = rc;
        web_upstream_destroy(&u);
        return NULL;
    }
    return u;
}

void web_upstream_destroy(web_upstream_t **self)
{
    if (!self || !*self)
        return;
    sj_client_destroy(&(*self)->c);
    free(*self);
    *self = NULL;
}

int web_upstream_call(web_upstream_t *u, Shangju__Request *req,
                      Shangju__Reply **reply)
{
    *reply = NULL;
    if (u->down_until && now_ms() < u->down_until)
        return SJ_ETIMEOUT;
    req->request_id = 0; /* a fresh id per call */
    int rc = sj_client_call(u->c, req, reply);
    if (rc == SJ_ETIMEOUT) {
        u->down_until = now_ms() + DOWN_MS;
        u->was_down = true;
        return rc;
    }
    u->down_until = 0;
    if (u->was_down) {
        /* Back: what was cached before may have changed meanwhile. */
        u->was_down = false;
        u->generation++;
    }
    return rc;
}

uint64_t web_upstream_generation(const web_upstream_t *u)
{
    return u->generation;
}

int web_upstream_fd(const web_upstream_t *u)
{
    return sj_client_fd(u->c);
}

int web_upstream_timeout_ms(web_upstream_t *u)
{
    return sj_client_next_timeout_ms(u->c);
}

void web_upstream_process(web_upstream_t *u)
{
    sj_client_process(u->c);
}
