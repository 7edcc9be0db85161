/* Integration (issue 13): budgets and quotas with real broker processes.
 * A member over its rate gets RESOURCE_EXHAUSTED rate.limited with a
 * retry-after hint while others are served; a member hits the open-wish
 * quota; a member flooding a small map is stopped by the committee's
 * reserve and the committee can still suspend them and cancel their
 * wishes; a map below its ceiling grows by itself; a full disk (ENOSPC,
 * from an LD_PRELOAD shim) answers RESOURCE_EXHAUSTED store.disk_full,
 * reads go on, and writes work again once space is back. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "codec.h"
#include "it_harness.h"
#include "keyfile.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define K(x) SHANGJU__REQUEST__BODY_##x

/* Post a wish of details_len bytes as c (for_member 0: own). The reply's
 * status; *reason (if not NULL) gets a copy of its reason (caller frees). */
static int post(sj_client_t *c, size_t details_len, uint64_t for_member,
                char **reason, uint32_t *retry_after)
{
    static char details[2001];
    memset(details, 'x', details_len);
    details[details_len] = 0;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)"a wish";
    p.details = details;
    p.for_member = for_member;
    req.body_case = K(WISH_POST);
    req.wish_post = &p;
    Shangju__Reply *r = it_call(c, &req);
    int st = r->status;
    if (reason)
        *reason = strdup(r->reason ? r->reason : "");
    if (retry_after)
        *retry_after = r->retry_after_ms;
    shangju__reply__free_unpacked(r, NULL);
    return st;
}

START_TEST(rate_limit_refuses_the_flooder_only)
{
    static const char *const args[] = {"--rate", "5", NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k1, k2;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Flooder", "1", 0,
                  &k1);
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Neighbour", "2", 0,
                  &k2);
    sj_client_t *flooder = it_client(&b, &k1, 5000, -1);
    sj_client_t *other = it_client(&b, &k2, 5000, -1);
    int ok = 0, limited = 0;
    uint32_t hint = 0;
    for (int i = 0; i < 40; i++) {
        Shangju__Request req;
        it_bodies_t bodies;
        it_request(&req, &bodies, K(WISH_LIST), 0);
        Shangju__Reply *r = it_call(flooder, &req);
        if (r->status == ST(OK))
            ok++;
        else {
            ck_assert_int_eq(r->status, ST(RESOURCE_EXHAUSTED));
            ck_assert_str_eq(r->reason, "rate.limited");
            ck_assert_uint_gt(r->retry_after_ms, 0);
            hint = r->retry_after_ms;
            limited++;
        }
        shangju__reply__free_unpacked(r, NULL);
    }
    printf("it_quota: at --rate 5, 40 requests at once: %d answered, %d "
           "refused (retry after %u ms)\n",
           ok, limited, hint);
    ck_assert_int_ge(ok, 15); /* the burst: 3 s worth */
    ck_assert_int_gt(limited, 10);
    /* the neighbour is served meanwhile; writes are limited as well */
    ck_assert_int_eq(post(other, 10, 0, NULL, NULL), ST(OK));
    char *why;
    uint32_t after;
    ck_assert_int_eq(post(flooder, 10, 0, &why, &after),
                     ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(why, "rate.limited");
    free(why);
    /* after the hint, the flooder is served again */
    usleep((after + 50) * 1000);
    ck_assert_int_eq(post(flooder, 10, 0, NULL, NULL), ST(OK));
    sj_client_destroy(&flooder);
    sj_client_destroy(&other);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(rate_per_role)
{
    /* residents unlimited, merchants at 5 a second */
    static const char *const args[] = {"--rate", "0", "--rate", "merchant=5",
                                       NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t kr, km;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Resident", "1", 0,
                  &kr);
    it_member_add(committee, SHANGJU__ROLE__ROLE_MERCHANT, "Merchant", NULL, 0,
                  &km);
    sj_client_t *res = it_client(&b, &kr, 5000, -1);
    sj_client_t *mer = it_client(&b, &km, 5000, -1);
    int res_ok = 0, mer_ok = 0;
    for (int i = 0; i < 40; i++) {
        Shangju__Request req;
        it_bodies_t bodies;
        it_request(&req, &bodies, K(WISH_LIST), 0);
        res_ok += it_status(res, &req) == ST(OK);
        it_request(&req, &bodies, K(WISH_LIST), 0);
        mer_ok += it_status(mer, &req) == ST(OK);
    }
    printf("it_quota: --rate 0 --rate merchant=5, 40 requests each: the "
           "resident %d answered, the merchant %d\n",
           res_ok, mer_ok);
    ck_assert_int_eq(res_ok, 40);
    ck_assert_int_lt(mer_ok, 30);
    sj_client_destroy(&res);
    sj_client_destroy(&mer);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(open_wish_quota)
{
    static const char *const args[] = {"--rate", "0", "--max-open-wishes", "5",
                                       NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    uint64_t res = it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                 "Poster", "1", 0, &k);
    sj_client_t *me = it_client(&b, &k, 5000, 0);
    uint64_t first = 0;
    for (int i = 0; i < 5; i++) {
        uint64_t id = it_wish_post(me, "mine", 0);
        if (!first)
            first = id;
    }
    char *why;
    ck_assert_int_eq(post(me, 10, 0, &why, NULL), ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(why, "quota.exceeded");
    free(why);
    /* the committee may still post for them (now 6 open); cancelling
     * two brings them under the quota again */
    it_wish_post(committee, "for them", res);
    ck_assert_int_eq(it_wish_move(me, K(WISH_CANCEL), first), ST(OK));
    ck_assert_int_eq(post(me, 10, 0, NULL, NULL), ST(RESOURCE_EXHAUSTED));
    ck_assert_int_eq(it_wish_move(me, K(WISH_CANCEL), first + 1), ST(OK));
    ck_assert_int_eq(post(me, 10, 0, NULL, NULL), ST(OK));
    sj_client_destroy(&me);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(reserve_lets_the_committee_stop_a_flooder)
{
    /* an 8 MiB map that may not grow: the last 2 MiB are the committee's */
    static const char *const args[] = {
        "--rate", "0", "--max-open-wishes", "0", "--map-size", "8", "--map-max",
        "8",      NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    uint64_t flooder = it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                     "Flooder", "1", 0, &k);
    sj_client_t *me = it_client(&b, &k, 5000, 0);
    /* Large wishes until refused, then small ones until refused too: the
     * small ones fill what pages the large ones left, as a flood would. */
    int posted = 0;
    size_t size = 2000;
    char *why = NULL;
    for (;;) {
        free(why);
        int st = post(me, size, 0, &why, NULL);
        if (st != ST(OK)) {
            ck_assert_int_eq(st, ST(RESOURCE_EXHAUSTED));
            if (size == 10)
                break;
            size = 10;
            continue;
        }
        posted++;
        ck_assert_int_lt(posted, 40000);
    }
    /* the committee suspends the flooder and cancels their wishes (looked
     * at before the reason: without the reserve the committee is refused
     * as well) */
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(MEMBER_SUSPEND), flooder);
    int suspended = it_status(committee, &req), cancelled = 0;
    for (uint64_t id = 1; id <= 50; id++)
        cancelled += it_wish_move(committee, K(WISH_CANCEL), id) == ST(OK);
    printf("it_quota: the flooder posted %d wishes, then: %s; the "
           "committee's suspend: status %d, cancels: %d of 50 OK\n",
           posted, why, suspended, cancelled);
    ck_assert_msg(suspended == ST(OK),
                  "the committee could not suspend the flooder (status %d)",
                  suspended);
    ck_assert_int_eq(cancelled, 50);
    ck_assert_str_eq(why, "store.reserved");
    free(why);
    sj_client_destroy(&me);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(map_grows_by_itself)
{
    static const char *const args[] = {
        "--rate", "0", "--max-open-wishes", "0", "--map-size", "2", "--map-max",
        "64",     NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Poster", "1", 0,
                  &k);
    sj_client_t *me = it_client(&b, &k, 5000, 0);
    for (int i = 0; i < 1500; i++) /* ~2 KB each: well past 2 MiB */
        ck_assert_int_eq(post(me, 2000, 0, NULL, NULL), ST(OK));
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(ADMIN_STATS), 0);
    Shangju__Reply *r = it_call(committee, &req);
    ck_assert_int_eq(r->status, ST(OK));
    printf("it_quota: the map grew from 2 MiB to %llu MiB (ceiling %llu)\n",
           (unsigned long long)(r->stats->map_size >> 20),
           (unsigned long long)(r->stats->map_max >> 20));
    ck_assert_uint_gt(r->stats->map_size, 2u << 20);
    ck_assert_uint_le(r->stats->map_size, 64u << 20);
    shangju__reply__free_unpacked(r, NULL);
    char *log = it_broker_log(&b);
    ck_assert_ptr_nonnull(strstr(log, "event=map_grown"));
    free(log);
    sj_client_destroy(&me);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

START_TEST(full_disk_answers_resource_exhausted)
{
    const char *shim = getenv("SJ_ENOSPC_SHIM");
    ck_assert_msg(shim && *shim, "SJ_ENOSPC_SHIM is not set");
    char flag[300];
    snprintf(flag, sizeof flag, "/tmp/sj-enospc-%d", (int)getpid());
    unlink(flag);
    setenv("SJ_ENOSPC_FLAG", flag, 1);
    setenv("LD_PRELOAD", shim, 1); /* for the broker forked next */
    /* a sanitizer build's broker accepts a preload before its runtime */
    char asan[512];
    const char *was = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "%s%sverify_asan_link_order=0", was ? was : "",
             was && *was ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    static const char *const args[] = {"--rate", "0", "--max-open-wishes", "0",
                                       NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    unsetenv("LD_PRELOAD");
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    uint64_t res = it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT,
                                 "Poster", "1", 0, &k);
    uint64_t before = it_wish_post(committee, "before the disk filled", res);
    int fd = open(flag, O_WRONLY | O_CREAT, 0600); /* the disk is full */
    ck_assert_int_ge(fd, 0);
    close(fd);
    char *why;
    ck_assert_int_eq(post(committee, 10, res, &why, NULL),
                     ST(RESOURCE_EXHAUSTED));
    ck_assert_str_eq(why, "store.disk_full");
    free(why);
    /* and says so in words (the old broker sent nothing, so the CLI
     * guessed at an unregistered key) */
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(MEMBER_SUSPEND), res);
    Shangju__Reply *full = it_call(committee, &req);
    ck_assert_int_eq(full->status, ST(RESOURCE_EXHAUSTED));
    ck_assert_msg(full->message && strstr(full->message, "disk is full"),
                  "message: %s", full->message ? full->message : "(none)");
    shangju__reply__free_unpacked(full, NULL);
    Shangju__Reply *r = it_wish_get(committee, before); /* reads go on */
    ck_assert_str_eq(r->wish->title, "before the disk filled");
    shangju__reply__free_unpacked(r, NULL);
    unlink(flag); /* space is back */
    uint64_t after = it_wish_post(committee, "after", res);
    ck_assert_uint_eq(after, before + 1);
    char *log = it_broker_log(&b);
    ck_assert_ptr_nonnull(strstr(log, "event=disk_full"));
    free(log);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
    unsetenv("SJ_ENOSPC_FLAG");
}
END_TEST

/* A DEALER with kp's key on b's request endpoint that has sent a Ping. */
static void *pinging_socket(void *ctx, const it_broker_t *b,
                            const sj_keypair_t *kp, uint64_t request_id)
{
    sj_keypair_t server;
    ck_assert_int_eq(sj_keyfile_load(b->server_pub, &server), 0);
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    ck_assert_ptr_nonnull(s);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server.public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp->public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp->secret_key, 32);
    ck_assert_int_eq(zmq_connect(s, b->requests), 0);
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(PING), 0);
    req.request_id = request_id;
    size_t len;
    uint8_t *buf = sj_codec_encode(&req.base, &len);
    ck_assert_int_eq(zmq_send(s, buf, len, ZMQ_DONTWAIT), (int)len);
    free(buf);
    return s;
}

#define CONNS 150
#define RATE 5                     /* --rate: requests and connections per s */
#define HANDSHAKE_BURST (3 * RATE) /* 3 s worth (rate.h) */

START_TEST(connections_per_key_are_bounded)
{
    static const char *const args[] = {"--rate", SJ_STR(RATE), NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k, other;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Opener", "1", 0,
                  &k);
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Neighbour", "2", 0,
                  &other);
    /* one resident's key opens CONNS connections at once, each asking a
     * Ping: only those the broker admits are answered */
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, CONNS + 16);
    void *socks[CONNS];
    bool answered[CONNS] = {false};
    int64_t t0 = it_now_ms();
    for (int i = 0; i < CONNS; i++)
        socks[i] = pinging_socket(ctx, &b, &k, 100 + (uint64_t)i);
    int n = 0;
    int64_t last_new = it_now_ms();
    while (it_now_ms() - last_new < 1000 && it_now_ms() - t0 < 10000) {
        zmq_pollitem_t items[CONNS];
        for (int i = 0; i < CONNS; i++)
            items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
        zmq_poll(items, CONNS, 100);
        for (int i = 0; i < CONNS; i++) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if ((items[i].revents & ZMQ_POLLIN) &&
                zmq_msg_recv(&m, socks[i], ZMQ_DONTWAIT) >= 0 && !answered[i]) {
                answered[i] = true;
                n++;
                last_new = it_now_ms();
            }
            zmq_msg_close(&m);
        }
    }
    double secs = (double)(it_now_ms() - t0) / 1000.0;
    printf("it_quota: one key opened %d connections at --rate %d: %d "
           "admitted in %.1f s\n",
           CONNS, RATE, n, secs);
    ck_assert_int_ge(n, HANDSHAKE_BURST - 2);
    ck_assert_int_le(n, HANDSHAKE_BURST + (int)(RATE * secs) + 3);
    /* a neighbour is admitted meanwhile */
    sj_client_t *c = it_client(&b, &other, 2000, 0);
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(PING), 0);
    ck_assert_int_eq(it_status(c, &req), ST(OK));
    sj_client_destroy(&c);
    for (int i = 0; i < CONNS; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    char *log = it_broker_log(&b);
    ck_assert_ptr_nonnull(strstr(log, "event=handshakes_throttled"));
    free(log);
    /* and the key itself gets in again once its bucket refills */
    sleep(1);
    c = it_client(&b, &k, 2000, 2);
    it_request(&req, &bodies, K(PING), 0);
    ck_assert_int_eq(it_status(c, &req), ST(OK));
    sj_client_destroy(&c);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

/* The broker's open descriptors (/proc/PID/fd). */
static int broker_fds(const it_broker_t *b)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)b->pid);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Wait up to timeout_ms for the broker to hold exactly want descriptors;
 * returns the count last seen. *peak (if not NULL) gets the most seen. */
static int wait_fds(const it_broker_t *b, int want, int timeout_ms, int *peak)
{
    int64_t end = it_now_ms() + timeout_ms;
    int n;
    while ((n = broker_fds(b)) != want && it_now_ms() < end) {
        if (peak && n > *peak)
            *peak = n;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (peak && n > *peak)
        *peak = n;
    return n;
}

/* A DEALER with kp's key on b's request endpoint that never reconnects:
 * once the broker closes its connection it stays closed. */
static void *one_connection(void *ctx, const it_broker_t *b,
                            const sj_keypair_t *kp)
{
    sj_keypair_t server;
    ck_assert_int_eq(sj_keyfile_load(b->server_pub, &server), 0);
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    ck_assert_ptr_nonnull(s);
    int zero = 0, never = -1;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &never, sizeof never);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server.public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp->public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp->secret_key, 32);
    ck_assert_int_eq(zmq_connect(s, b->requests), 0);
    return s;
}

/* Send a Ping on s and wait up to 3 s for its reply (NULL: none). */
static Shangju__Reply *ping_on(void *s, uint64_t request_id)
{
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(PING), 0);
    req.request_id = request_id;
    size_t len;
    uint8_t *buf = sj_codec_encode(&req.base, &len);
    ck_assert_int_eq(zmq_send(s, buf, len, ZMQ_DONTWAIT), (int)len);
    free(buf);
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 3000) <= 0)
        return NULL;
    zmq_msg_t m;
    zmq_msg_init(&m);
    ck_assert_int_ge(zmq_msg_recv(&m, s, 0), 0);
    Shangju__Reply *r =
        shangju__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    zmq_msg_close(&m);
    ck_assert_ptr_nonnull(r);
    return r;
}

#define CAP 4

/* The broker's statistics, read by the committee (admin stats). */
static Shangju__Reply *stats_of(sj_client_t *committee)
{
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(ADMIN_STATS), 0);
    Shangju__Reply *r = it_call(committee, &req);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->status, ST(OK));
    return r;
}

/* One key opens CAP + 10 connections that each send a Ping: CAP are
 * answered, the others refused with rate.connections and closed, so the
 * broker's descriptors drop back; a neighbour is not affected, and once
 * the key closes its connections it can open new ones. */
START_TEST(connections_over_the_cap_are_refused_and_closed)
{
    static const char *const args[] = {"--max-connections", SJ_STR(CAP), NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k, other;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Holder", "1", 0,
                  &k);
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Neighbour", "2", 0,
                  &other);
    int base = broker_fds(&b);
    void *ctx = zmq_ctx_new();
    void *socks[CAP + 10];
    int ok = 0, refused = 0, peak = base;
    for (int i = 0; i < CAP + 10; i++) {
        socks[i] = one_connection(ctx, &b, &k);
        Shangju__Reply *r = ping_on(socks[i], 1000 + (uint64_t)i);
        ck_assert_msg(r != NULL, "connection %d: no reply", i);
        if (i < CAP) {
            ck_assert_int_eq(r->status, ST(OK));
            ok++;
        } else {
            ck_assert_int_eq(r->status, ST(RESOURCE_EXHAUSTED));
            ck_assert_str_eq(r->reason, "rate.connections");
            ck_assert_uint_eq(r->request_id, 1000 + (uint64_t)i);
            refused++;
        }
        shangju__reply__free_unpacked(r, NULL);
        int n = broker_fds(&b);
        if (n > peak)
            peak = n;
    }
    int after = wait_fds(&b, base + CAP, 5000, &peak);
    printf("it_quota: --max-connections %d, one key opened %d connections: "
           "%d answered, %d refused; broker fds %d before, %d at most, %d "
           "after\n",
           CAP, CAP + 10, ok, refused, base, peak, after);
    ck_assert_int_eq(after, base + CAP);
    /* the answered connections still work; a neighbour is served */
    Shangju__Reply *r = ping_on(socks[0], 2000);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->status, ST(OK));
    shangju__reply__free_unpacked(r, NULL);
    void *o = one_connection(ctx, &b, &other);
    r = ping_on(o, 2001);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->status, ST(OK));
    shangju__reply__free_unpacked(r, NULL);
    zmq_close(o);
    /* closed connections free their places */
    for (int i = 0; i < CAP + 10; i++)
        zmq_close(socks[i]);
    ck_assert_int_eq(wait_fds(&b, base, 5000, NULL), base);
    /* the operator sees them: admin stats and the metrics count them */
    r = stats_of(committee);
    ck_assert_uint_eq(r->stats->connections_refused, 10);
    shangju__reply__free_unpacked(r, NULL);
    void *again = one_connection(ctx, &b, &k);
    r = ping_on(again, 2002);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->status, ST(OK));
    shangju__reply__free_unpacked(r, NULL);
    zmq_close(again);
    zmq_ctx_term(ctx);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

#define SILENT 10

/* Connections that send no request within --silent-timeout are closed
 * (the broker's descriptors drop back); one that spoke stays open. */
START_TEST(silent_connections_are_closed)
{
    static const char *const args[] = {"--silent-timeout", "1", NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Idler", "1", 0, &k);
    int base = broker_fds(&b);
    void *ctx = zmq_ctx_new();
    void *talker = one_connection(ctx, &b, &k);
    Shangju__Reply *r = ping_on(talker, 1);
    ck_assert_ptr_nonnull(r);
    shangju__reply__free_unpacked(r, NULL);
    void *socks[SILENT];
    int64_t t0 = it_now_ms();
    for (int i = 0; i < SILENT; i++)
        socks[i] = one_connection(ctx, &b, &k);
    int peak = base;
    int64_t end = it_now_ms() + 5000; /* all of them accepted */
    while ((peak = broker_fds(&b)) < base + 1 + SILENT && it_now_ms() < end) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    ck_assert_int_ge(peak, base + 1 + SILENT);
    int after = wait_fds(&b, base + 1, 5000, &peak);
    double secs = (double)(it_now_ms() - t0) / 1000.0;
    printf("it_quota: --silent-timeout 1, %d silent connections: broker fds "
           "%d before, %d at most, %d after %.1f s\n",
           SILENT, base, peak, after, secs);
    ck_assert_int_eq(after, base + 1);
    ck_assert_double_ge(secs, 0.9);
    r = ping_on(talker, 2); /* the one that spoke is still open */
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->status, ST(OK));
    shangju__reply__free_unpacked(r, NULL);
    r = stats_of(committee);
    ck_assert_uint_ge(r->stats->connections_silent_closed, SILENT);
    ck_assert_uint_eq(r->stats->connections_refused, 0);
    shangju__reply__free_unpacked(r, NULL);
    for (int i = 0; i < SILENT; i++)
        zmq_close(socks[i]);
    zmq_close(talker);
    zmq_ctx_term(ctx);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

/* A client whose idle connection the broker shut reconnects by itself:
 * its next request is answered at once, without a retry. */
START_TEST(idle_client_reconnects_transparently)
{
    static const char *const args[] = {"--silent-timeout", "1", "--log-level",
                                       "debug", NULL};
    it_broker_t b;
    it_broker_new(&b, args);
    sj_client_t *committee = it_client(&b, NULL, 5000, 0);
    sj_keypair_t k;
    it_member_add(committee, SHANGJU__ROLE__ROLE_RESIDENT, "Sleeper", "1", 0,
                  &k);
    sj_client_t *c = it_client(&b, &k, 2000, 0); /* no retry */
    int64_t end = it_now_ms() + 5000;
    bool shut = false;
    while (!shut && it_now_ms() < end) {
        char *log = it_broker_log(&b);
        shut = strstr(log, "event=silent_closed") != NULL;
        free(log);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    ck_assert_msg(shut, "no silent connection was closed");
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(PING), 0);
    int64_t t0 = it_now_ms();
    ck_assert_int_eq(it_status(c, &req), ST(OK));
    int64_t ms = it_now_ms() - t0;
    printf("it_quota: a client's idle connection was shut; its next Ping "
           "answered in %lld ms\n",
           (long long)ms);
    ck_assert_int_lt(ms, 1000);
    sj_client_destroy(&c);
    sj_client_destroy(&committee);
    ck_assert_int_eq(it_broker_stop(&b), 0);
}
END_TEST

int main(int argc, char **argv)
{
    it_init(argc, argv);
    Suite *s = suite_create("it_quota");
    TCase *tc = tcase_create("quota");
    tcase_set_timeout(tc, 150);
    tcase_add_test(tc, rate_limit_refuses_the_flooder_only);
    tcase_add_test(tc, rate_per_role);
    tcase_add_test(tc, open_wish_quota);
    tcase_add_test(tc, reserve_lets_the_committee_stop_a_flooder);
    tcase_add_test(tc, map_grows_by_itself);
    tcase_add_test(tc, full_disk_answers_resource_exhausted);
    tcase_add_test(tc, connections_per_key_are_bounded);
    suite_add_tcase(s, tc);
    /* connections held per member (CK_RUN_CASE=conns runs just these) */
    TCase *conns = tcase_create("conns");
    tcase_set_timeout(conns, 60);
    tcase_add_test(conns, connections_over_the_cap_are_refused_and_closed);
    tcase_add_test(conns, silent_connections_are_closed);
    tcase_add_test(conns, idle_client_reconnects_transparently);
    suite_add_tcase(s, conns);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    it_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
