/* The connection probe of client_probe.h: a DEALER with the member's CURVE
 * keys, its events read from an inproc PAIR until the handshake succeeds,
 * fails, or the time is up. */
#include "client_probe.h"

#include <stdio.h>
#include <string.h>
#include <zmq.h>

/* The next event: its number and value; false when none came in time. */
static bool next_event(void *mon, int wait_ms, uint16_t *ev, uint32_t *val)
{
    zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, wait_ms) <= 0)
        return false;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, mon, 0) < 0 || zmq_msg_size(&m) < 6) {
        zmq_msg_close(&m);
        return false;
    }
    memcpy(ev, zmq_msg_data(&m), 2);
    memcpy(val, (uint8_t *)zmq_msg_data(&m) + 2, 4);
    bool more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    if (more) { /* the endpoint frame */
        zmq_msg_init(&m);
        zmq_msg_recv(&m, mon, 0);
        zmq_msg_close(&m);
    }
    return true;
}

sj_probe_t sj_client_probe(const sj_client_opts_t *o, int wait_ms)
{
    if (!o || !o->keypair || !o->server_key)
        return SJ_PROBE_ERROR;
    sj_probe_t out = SJ_PROBE_ERROR;
    void *ctx = zmq_ctx_new(), *s = NULL, *mon = NULL;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://sj.probe.%p", (void *)&out);
    int zero = 0;
    if (!ctx || !(s = zmq_socket(ctx, ZMQ_DEALER)) ||
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, o->server_key, 32) ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, o->keypair->public_key, 32) ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, o->keypair->secret_key, 32) ||
        zmq_socket_monitor(s, ep, ZMQ_EVENT_ALL) ||
        !(mon = zmq_socket(ctx, ZMQ_PAIR)) || zmq_connect(mon, ep) ||
        zmq_connect(s, o->requests ? o->requests : SJ_CLIENT_REQUESTS))
        goto done;
    out = SJ_PROBE_NOT_LISTENING;
    int64_t end = sj_now_ms() + wait_ms;
    bool connected = false;
    for (;;) {
        int left = (int)(end - sj_now_ms());
        uint16_t ev;
        uint32_t val;
        if (left <= 0 || !next_event(mon, left, &ev, &val))
            break;
        if (ev == ZMQ_EVENT_CONNECTED)
            connected = true;
        else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            out = SJ_PROBE_OK;
            break;
        } else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            out = SJ_PROBE_KEY_REFUSED;
            break;
        } else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
                   ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
            out = SJ_PROBE_HANDSHAKE;
            break;
        }
    }
    /* Connected, then silence or a drop: the broker could not read our
     * hello, which is what a wrong server key looks like. */
    if (out == SJ_PROBE_NOT_LISTENING && connected)
        out = SJ_PROBE_HANDSHAKE;
done:
    if (s) {
        zmq_socket_monitor(s, NULL, 0);
        zmq_close(s);
    }
    if (mon) {
        zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(mon);
    }
    if (ctx)
        zmq_ctx_term(ctx);
    return out;
}
