/* ZAP: admit a CURVE connection only when its public key belongs to an
 * active member. The ZAP user id is the key's Z85 text; the server loop
 * reads it back from each frame ("User-Id") to know who is calling. */
#include "zap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "keyfile.h"
#include "log.h"
#include "rate.h"
#include "codec.h" /* sj_now_ms */

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FRAMES                                                             \
    7 /* version, id, domain, address, identity, mechanism,                    \
         credentials (one for CURVE) */

/* Connections a member's key may open (issue 13) are held to the rate of
 * its role, as its requests are (--rate: a burst of 3 s worth, then the
 * rate), in buckets of their own. ZAP sees every handshake's key but
 * never a disconnect, so a rate is what it can bound. A program keeps its
 * connection (the CLI opens one per call), so a member within the
 * request rate never meets it; a key opening connections by the hundred,
 * each with an outbound queue of its own, or reconnecting in a loop (each
 * handshake is a store lookup in this loop) is refused with ZAP's "300"
 * (try later). libzmq then closes that connection for good; the client
 * library opens a new one after its timeout, when the bucket has room. */

struct sj_zap {
    void *sock;
    sj_store_t *store;
    sj_rate_t *handshakes; /* per member */
    uint64_t refused;      /* for the metrics */
    uint64_t throttled;    /* refused by the handshake rate */
};

uint64_t sj_zap_refused(const sj_zap_t *z)
{
    return z->refused;
}

uint64_t sj_zap_throttled(const sj_zap_t *z)
{
    return z->throttled;
}

int sj_zap_new(void *ctx, sj_store_t *store, const sj_config_t *cfg,
               sj_zap_t **out)
{
    sj_zap_t *z = calloc(1, sizeof *z);
    if (!z)
        return SJ_ENOMEM;
    z->store = store;
    if (sj_rate_new(cfg, &z->handshakes) != 0) {
        free(z);
        return SJ_ENOMEM;
    }
    z->sock = zmq_socket(ctx, ZMQ_REP);
    int linger = 0;
    if (!z->sock ||
        zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(z->sock, ZAP_ENDPOINT) != 0) {
        sj_log(SJ_LOG_ERROR, "event=zap_bind_failed err=\"%s\"",
               zmq_strerror(zmq_errno()));
        if (z->sock)
            zmq_close(z->sock);
        sj_rate_destroy(&z->handshakes);
        free(z);
        return SJ_EIO;
    }
    *out = z;
    return SJ_OK;
}

void sj_zap_destroy(sj_zap_t **self)
{
    if (!self || !*self)
        return;
    zmq_close((*self)->sock);
    sj_rate_destroy(&(*self)->handshakes);
    free(*self);
    *self = NULL;
}

void *sj_zap_socket(sj_zap_t *z)
{
    return z->sock;
}

/* Is key an active member's? Then *id and *role are theirs. */
static bool admitted(sj_zap_t *z, const uint8_t key[32], uint64_t *id,
                     int *role)
{
    sj_txn_t *txn;
    if (sj_txn_begin(z->store, false, &txn) != 0)
        return false;
    Shangju__Member *m = NULL;
    bool ok = sj_member_by_key(txn, key, &m) == 0 &&
              m->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    if (ok) {
        *id = m->id;
        *role = m->role;
    }
    if (m)
        shangju__member__free_unpacked(m, NULL);
    sj_txn_abort(&txn);
    return ok;
}

static void send_str(void *sock, const char *s, bool more)
{
    zmq_send(sock, s, strlen(s), more ? ZMQ_SNDMORE : 0);
}

/* Read one request (all frames), answer it. Returns false when none. */
static bool handle_one(sj_zap_t *z)
{
    zmq_msg_t f[ZAP_FRAMES + 1];
    int n = 0, more = 1;
    for (; more; n++) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, z->sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            for (int i = 0; i < n && i <= ZAP_FRAMES; i++)
                zmq_msg_close(&f[i]);
            return false;
        }
        more = zmq_msg_more(&part);
        if (n <= ZAP_FRAMES)
            f[n] = part; /* keep the frames we need; drop any excess */
        else
            zmq_msg_close(&part);
    }
    int kept = n <= ZAP_FRAMES + 1 ? n : ZAP_FRAMES + 1;

    const char *code = "400", *text = "key not registered";
    char user[SJ_KEY_Z85_LEN + 1] = "";
    uint64_t id = 0;
    int role = 0;
    bool curve = kept >= ZAP_FRAMES && zmq_msg_size(&f[5]) == 5 &&
                 memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
                 zmq_msg_size(&f[6]) == 32;
    if (!curve) {
        text = "CURVE required";
    } else if (admitted(z, zmq_msg_data(&f[6]), &id, &role)) {
        uint32_t after;
        if (sj_rate_take(z->handshakes, id, role, sj_now_ms(), &after) == 0) {
            code = "200";
            text = "OK";
            sj_key_z85(zmq_msg_data(&f[6]), user);
        } else {
            code = "300";
            text = "too many connections; try again later";
        }
    }
    char peer[64] = "";
    if (kept > 3)
        snprintf(peer, sizeof peer, "%.*s", (int)zmq_msg_size(&f[3]),
                 (const char *)zmq_msg_data(&f[3]));
    if (code[0] == '3') { /* a flood: one log line per 100 */
        if (z->throttled++ % 100 == 0)
            sj_log(SJ_LOG_WARN,
                   "event=handshakes_throttled member=%llu peer=%s "
                   "total=%llu",
                   (unsigned long long)id, peer,
                   (unsigned long long)z->throttled);
    } else {
        if (code[0] != '2')
            z->refused++;
        sj_log(code[0] == '2' ? SJ_LOG_DEBUG : SJ_LOG_WARN,
               "event=auth result=%s peer=%s reason=\"%s\"", code, peer, text);
    }

    send_str(z->sock, "1.0", true);
    if (kept > 1)
        zmq_send(z->sock, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
                 ZMQ_SNDMORE);
    else
        send_str(z->sock, "", true);
    send_str(z->sock, code, true);
    send_str(z->sock, text, true);
    send_str(z->sock, user, true);
    send_str(z->sock, "", false); /* no metadata */
    for (int i = 0; i < kept; i++)
        zmq_msg_close(&f[i]);
    return true;
}

void sj_zap_handle(sj_zap_t *z)
{
    while (handle_one(z))
        ;
}
