/* Shared harness of the C integration tests: a real shangju-broker process
 * on loopback with free ports in a temporary directory, started, stopped and
 * always killed (PR_SET_PDEATHSIG) when the test process dies, plus client
 * helpers that build requests and register members over the real socket. */
#ifndef IT_HARNESS_H
#define IT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"

typedef struct {
    char dir[256];     /* the broker's --data directory */
    char requests[64]; /* tcp://127.0.0.1:PORT */
    char events[64];   /* tcp://127.0.0.1:PORT */
    char server_pub[320];
    char committee_key[320];
    char log[320]; /* the broker's stderr, appended across restarts */
    pid_t pid;     /* 0 when not running */
} it_broker_t;

/* Called from main(): remembers the broker binary (argv[1], or the
 * environment's SJ_IT_BROKER) and creates the base temporary directory
 * every broker of this run lives under. SJ_IT_DROP_OPTIONS (comma-
 * separated) names broker options, each with one value, that every start
 * leaves out, and SJ_IT_NO_INIT skips `shangju-broker init` (a broker
 * from before it makes its store on first start): for running a suite
 * against an older broker (tests/bench/old13.sh). */
void it_init(int argc, char **argv);

/* Remove the base temporary directory (from main(), after the run). */
void it_cleanup(void);

/* A fresh broker: new data directory, two free loopback ports. Starts it
 * with the extra arguments (NULL-terminated list, may be just NULL) and
 * waits until it answers a committee Ping. Asserts on failure. */
void it_broker_new(it_broker_t *b, const char *const *extra);

/* (Re)start the broker on the same directory and ports. Asserts on
 * failure; returns once a committee Ping is answered. */
void it_broker_start(it_broker_t *b, const char *const *extra);

/* Start without waiting for readiness; wait for the exit status within
 * timeout_ms. Returns the exit code, or -1 if it did not exit in time
 * (then it is killed). For brokers expected to refuse to start. */
int it_broker_run_expect_exit(it_broker_t *b, const char *const *extra,
                              int timeout_ms);

/* SIGTERM and wait (up to 10 s, then SIGKILL). Returns the exit code (128 +
 * signal when killed by one). */
int it_broker_stop(it_broker_t *b);

/* The whole broker log as a malloc'd string (caller frees). */
char *it_broker_log(const it_broker_t *b);

/* A client of b for a key pair (NULL: the committee key file), with a
 * per-attempt timeout and retries as in sj_client_opts_t. Asserts. */
sj_client_t *it_client(const it_broker_t *b, const sj_keypair_t *kp,
                       int timeout_ms, int retries);

/* Send req and return the reply; asserts that a reply came. */
Shangju__Reply *it_call(sj_client_t *c, Shangju__Request *req);

/* The status of a reply to req; the reply is freed. */
int it_status(sj_client_t *c, Shangju__Request *req);

/* Register a member (committee client c). Fills kp with a fresh key pair
 * and returns the new member id; asserts OK. */
uint64_t it_member_add(sj_client_t *c, int role, const char *name,
                       const char *contact, uint64_t bridge_id,
                       sj_keypair_t *kp);

/* Post a wish with the given client (for_member 0: the caller's own);
 * asserts OK and returns its id. */
uint64_t it_wish_post(sj_client_t *c, const char *title, uint64_t for_member);

/* Claim (or another one-id move) and return the reply status. kind is a
 * SHANGJU__REQUEST__BODY_WISH_* of a request whose body is just an id. */
int it_wish_move(sj_client_t *c, int kind, uint64_t id);

/* The wish as seen by c (caller frees the reply); asserts OK. */
Shangju__Reply *it_wish_get(sj_client_t *c, uint64_t id);

/* pong.last_seq as seen by c. */
uint64_t it_last_seq(sj_client_t *c);

/* Number of wishes in the store (committee client; pages through). */
size_t it_wish_count(sj_client_t *c);

/* Fill req (zeroed storage supplied by the caller) with a minimal body of
 * the given kind targeting id. Bodies live in *bodies. */
typedef struct {
    Shangju__Ping ping;
    Shangju__WhoAmI whoami;
    Shangju__MemberAdd member_add;
    Shangju__MemberList member_list;
    Shangju__MemberGet member_get;
    Shangju__MemberSuspend member_suspend;
    Shangju__WishPost wish_post;
    Shangju__WishList wish_list;
    Shangju__WishGet wish_get;
    Shangju__WishCancel wish_cancel;
    Shangju__WishClaim wish_claim;
    Shangju__WishRelease wish_release;
    Shangju__WishFulfil wish_fulfil;
    Shangju__WishConfirm wish_confirm;
    Shangju__Replay replay;
    Shangju__MemberRekey member_rekey;
    Shangju__AdminStats admin_stats;
    Shangju__AdminBackup admin_backup;
    Shangju__AdminVerify admin_verify;
    Shangju__ListingPut listing_put;
    Shangju__Listing listing;
    Shangju__ListingGet listing_get;
    Shangju__ListingList listing_list;
    Shangju__QrGet qr_get;
    Shangju__PlacardGet placard_get;
    Shangju__HandoverReissue handover_reissue;
    uint8_t key[32];
    char name[32];
    _Alignas(16) unsigned char generic[512]; /* kinds without a case */
} it_bodies_t;

void it_request(Shangju__Request *req, it_bodies_t *b, int kind, uint64_t id);

/* A raw SUB socket on b's events endpoint — what any member's program
 * could open, without the client library — authenticated with kp (NULL:
 * the committee key) and subscribed to every topic. Asserts. Close with
 * it_sub_close(). */
void *it_sub_open(const it_broker_t *b, const sj_keypair_t *kp);

/* The next [topic][Event] message within timeout_ms, decoded (caller
 * frees with shangju__event__free_unpacked), or NULL when none came.
 * *frame_len (if not NULL) gets the size of the Event frame as sent. */
Shangju__Event *it_sub_recv(void *sub, int timeout_ms, size_t *frame_len);

/* Close a socket from it_sub_open and set *sub to NULL. */
void it_sub_close(void **sub);

/* Monotonic milliseconds. */
int64_t it_now_ms(void);

#endif
