/* The integration harness: real broker processes (fork + exec, killed with
 * the test by PR_SET_PDEATHSIG), free loopback ports, temporary directories
 * removed at the end, and small request builders over sj_client. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "it_harness.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define READY_MS 15000

static const char *broker_bin;
static char base_dir[128];
static int n_brokers;

int64_t it_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void it_init(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH/TO/shangju-broker\n", argv[0]);
        exit(2);
    }
    /* SJ_IT_BROKER runs the tests against another broker binary (an
     * older build, to show a test fails there: tests/old_broker.sh). */
    const char *other = getenv("SJ_IT_BROKER");
    broker_bin = other && *other ? other : argv[1];
    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof base_dir, "%s/sj-it-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base_dir)) {
        perror("mkdtemp");
        exit(2);
    }
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void it_cleanup(void)
{
    if (base_dir[0] && !getenv("IT_KEEP"))
        nftw(base_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Is opt named in SJ_IT_DROP_OPTIONS (comma-separated options that take
 * a value, such as "--rate,--map-max")? A broker older than an option
 * would refuse to start with it; dropped, the test runs and shows what the
 * older broker does without the setting. */
static bool dropped(const char *opt)
{
    const char *list = getenv("SJ_IT_DROP_OPTIONS");
    size_t n = strlen(opt);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, opt, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* The broker on b's directory and ports; with init, `shangju-broker init`
 * (which takes the same options and exits). */
static pid_t spawn_as(it_broker_t *b, bool init, const char *const *extra)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = broker_bin;
    if (init)
        argv[n++] = "init";
    argv[n++] = "--data";
    argv[n++] = b->dir;
    argv[n++] = "--requests";
    argv[n++] = b->requests;
    argv[n++] = "--events";
    argv[n++] = b->events;
    for (; extra && *extra && n < 31; extra++) {
        if (dropped(*extra)) { /* and its value */
            if (extra[1])
                extra++;
            continue;
        }
        argv[n++] = *extra;
    }
    argv[n] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* Die with the test, whatever way it ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(99);
        int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            if (init) /* its "Initialised ..." too */
                dup2(fd, 1);
            close(fd);
        }
        execv(broker_bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid, int timeout_ms);

/* A directory without a store is initialised first, explicitly (a start
 * refuses it); a restart finds the store and starts at once. A broker
 * from before `init` (SJ_IT_NO_INIT set) makes its store on first start. */
static pid_t spawn(it_broker_t *b, const char *const *extra)
{
    char store[sizeof b->dir + 16];
    snprintf(store, sizeof store, "%s/data.mdb", b->dir);
    const char *no_init = getenv("SJ_IT_NO_INIT");
    if (access(store, F_OK) != 0 && !(no_init && *no_init)) {
        int code = wait_exit(spawn_as(b, true, extra), 10000);
        ck_assert_msg(code == 0, "shangju-broker init exited with %d", code);
    }
    return spawn_as(b, false, extra);
}

/* Wait for pid's exit up to timeout_ms; -1 if still running. */
static int wait_exit(pid_t pid, int timeout_ms)
{
    int64_t end = it_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (it_now_ms() > end)
            return -1;
        usleep(10000);
    }
}

static void wait_ready(it_broker_t *b)
{
    int64_t end = it_now_ms() + READY_MS;
    while (access(b->committee_key, R_OK) != 0 ||
           access(b->server_pub, R_OK) != 0) {
        int code = wait_exit(b->pid, 0);
        if (code >= 0) {
            b->pid = 0;
            ck_abort_msg("broker exited with %d before it was ready", code);
        }
        ck_assert_msg(it_now_ms() < end, "broker wrote no keys in time");
        usleep(20000);
    }
    for (;;) {
        sj_client_t *c = it_client(b, NULL, 300, -1);
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__Ping ping = SHANGJU__PING__INIT;
        req.body_case = SHANGJU__REQUEST__BODY_PING;
        req.ping = &ping;
        Shangju__Reply *r = NULL;
        int rc = sj_client_call(c, &req, &r);
        sj_client_destroy(&c);
        if (rc == 0) {
            bool ok = r->status == ST(OK);
            shangju__reply__free_unpacked(r, NULL);
            ck_assert_msg(ok, "the committee ping was refused");
            return;
        }
        int code = wait_exit(b->pid, 0);
        if (code >= 0) {
            b->pid = 0;
            ck_abort_msg("broker exited with %d before it was ready", code);
        }
        ck_assert_msg(it_now_ms() < end, "broker did not answer in time");
    }
}

void it_broker_new(it_broker_t *b, const char *const *extra)
{
    memset(b, 0, sizeof *b);
    char home[192];
    snprintf(home, sizeof home, "%s/b%d-%d", base_dir, (int)getpid(),
             n_brokers++);
    ck_assert_int_eq(mkdir(home, 0700), 0);
    snprintf(b->dir, sizeof b->dir, "%s/data", home);
    snprintf(b->log, sizeof b->log, "%s/broker.log", home);
    snprintf(b->server_pub, sizeof b->server_pub, "%s/server.pub", b->dir);
    snprintf(b->committee_key, sizeof b->committee_key, "%s/committee.key",
             b->dir);
    int p1 = free_port(), p2;
    do
        p2 = free_port();
    while (p2 == p1);
    snprintf(b->requests, sizeof b->requests, "tcp://127.0.0.1:%d", p1);
    snprintf(b->events, sizeof b->events, "tcp://127.0.0.1:%d", p2);
    it_broker_start(b, extra);
}

void it_broker_start(it_broker_t *b, const char *const *extra)
{
    ck_assert_int_eq(b->pid, 0);
    b->pid = spawn(b, extra);
    wait_ready(b);
}

int it_broker_run_expect_exit(it_broker_t *b, const char *const *extra,
                              int timeout_ms)
{
    ck_assert_int_eq(b->pid, 0);
    pid_t pid = spawn(b, extra);
    int code = wait_exit(pid, timeout_ms);
    if (code < 0) {
        kill(pid, SIGKILL);
        wait_exit(pid, 5000);
    }
    return code;
}

int it_broker_stop(it_broker_t *b)
{
    if (!b->pid)
        return 0;
    kill(b->pid, SIGTERM);
    int code = wait_exit(b->pid, 10000);
    if (code < 0) {
        kill(b->pid, SIGKILL);
        code = wait_exit(b->pid, 5000);
        code = code < 0 ? 128 + SIGKILL : code;
    }
    b->pid = 0;
    return code;
}

char *it_broker_log(const it_broker_t *b)
{
    FILE *f = fopen(b->log, "r");
    ck_assert_ptr_nonnull(f);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 1024) {
            cap *= 2;
            s = realloc(s, cap);
            ck_assert_ptr_nonnull(s);
        }
    }
    s[n] = '\0';
    fclose(f);
    return s;
}

sj_client_t *it_client(const it_broker_t *b, const sj_keypair_t *kp,
                       int timeout_ms, int retries)
{
    sj_client_opts_t o = {0};
    o.requests = b->requests;
    o.events = b->events;
    o.keypair = kp;
    o.key_file = kp ? NULL : b->committee_key;
    o.server_key_file = b->server_pub;
    o.timeout_ms = timeout_ms;
    o.retries = retries;
    o.sync_ms = 500;
    int err = 0;
    sj_client_t *c = sj_client_new(&o, &err);
    ck_assert_msg(c != NULL, "sj_client_new: %s", sj_strerror(err));
    return c;
}

Shangju__Reply *it_call(sj_client_t *c, Shangju__Request *req)
{
    Shangju__Reply *r = NULL;
    int rc = sj_client_call(c, req, &r);
    ck_assert_msg(rc == 0, "%s: no reply: %s", sj_request_kind(req),
                  sj_strerror(rc));
    ck_assert_uint_eq(r->request_id, req->request_id);
    return r;
}

int it_status(sj_client_t *c, Shangju__Request *req)
{
    Shangju__Reply *r = it_call(c, req);
    int st = r->status;
    if (st != ST(OK))
        ck_assert_msg(r->message && *r->message, "%s: %s without a message",
                      sj_request_kind(req), sj_status_name(st));
    shangju__reply__free_unpacked(r, NULL);
    return st;
}

uint64_t it_member_add(sj_client_t *c, int role, const char *name,
                       const char *contact, uint64_t bridge_id,
                       sj_keypair_t *kp)
{
    ck_assert_int_eq(sj_keyfile_generate(kp), 0);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = (Shangju__Role)role;
    a.name = (char *)name;
    a.community = (char *)"Xinhua";
    a.building = (char *)(role == SHANGJU__ROLE__ROLE_RESIDENT ? "B3" : "");
    a.contact = (char *)(contact ? contact : "");
    a.public_key.data = kp->public_key;
    a.public_key.len = SJ_KEY_BYTES;
    a.bridge_id = bridge_id;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &a;
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_msg(r->status == ST(OK), "member add: %s: %s",
                  sj_status_name(r->status), r->message);
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_MEMBER);
    uint64_t id = r->member->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

uint64_t it_wish_post(sj_client_t *c, const char *title, uint64_t for_member)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)title;
    p.for_member = for_member;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &p;
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_msg(r->status == ST(OK), "wish post: %s: %s",
                  sj_status_name(r->status), r->message);
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_WISH);
    uint64_t id = r->wish->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

int it_wish_move(sj_client_t *c, int kind, uint64_t id)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    it_bodies_t b;
    it_request(&req, &b, kind, id);
    return it_status(c, &req);
}

Shangju__Reply *it_wish_get(sj_client_t *c, uint64_t id)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    it_bodies_t b;
    it_request(&req, &b, SHANGJU__REQUEST__BODY_WISH_GET, id);
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_msg(r->status == ST(OK), "wish get %llu: %s: %s",
                  (unsigned long long)id, sj_status_name(r->status),
                  r->message);
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_WISH);
    return r;
}

uint64_t it_last_seq(sj_client_t *c)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    it_bodies_t b;
    it_request(&req, &b, SHANGJU__REQUEST__BODY_PING, 0);
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_PONG);
    uint64_t seq = r->pong->last_seq;
    shangju__reply__free_unpacked(r, NULL);
    return seq;
}

size_t it_wish_count(sj_client_t *c)
{
    size_t n = 0;
    uint64_t after = 0;
    for (;;) {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__WishList l = SHANGJU__WISH_LIST__INIT;
        l.limit = 500;
        l.after = after;
        req.body_case = SHANGJU__REQUEST__BODY_WISH_LIST;
        req.wish_list = &l;
        Shangju__Reply *r = it_call(c, &req);
        ck_assert_msg(r->status == ST(OK), "wish list: %s",
                      sj_status_name(r->status));
        ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY_WISHES);
        n += r->wishes->n_items;
        after = r->wishes->next;
        shangju__reply__free_unpacked(r, NULL);
        if (!after)
            return n;
    }
}

void it_request(Shangju__Request *req, it_bodies_t *b, int kind, uint64_t id)
{
    static const Shangju__Request init = SHANGJU__REQUEST__INIT;
    *req = init;
    memset(b, 0, sizeof *b);
    req->body_case = (Shangju__Request__BodyCase)kind;
    switch (kind) {
    case SHANGJU__REQUEST__BODY_PING:
        shangju__ping__init(&b->ping);
        req->ping = &b->ping;
        break;
    case SHANGJU__REQUEST__BODY_WHOAMI:
        shangju__who_am_i__init(&b->whoami);
        req->whoami = &b->whoami;
        break;
    case SHANGJU__REQUEST__BODY_MEMBER_ADD: {
        shangju__member_add__init(&b->member_add);
        sj_keypair_t kp;
        ck_assert_int_eq(sj_keyfile_generate(&kp), 0);
        memcpy(b->key, kp.public_key, sizeof b->key);
        b->member_add.role = SHANGJU__ROLE__ROLE_MERCHANT;
        b->member_add.name = (char *)"Matrix shop";
        b->member_add.public_key.data = b->key;
        b->member_add.public_key.len = sizeof b->key;
        req->member_add = &b->member_add;
        break;
    }
    case SHANGJU__REQUEST__BODY_MEMBER_LIST:
        shangju__member_list__init(&b->member_list);
        req->member_list = &b->member_list;
        break;
    case SHANGJU__REQUEST__BODY_MEMBER_GET:
        shangju__member_get__init(&b->member_get);
        b->member_get.id = id;
        req->member_get = &b->member_get;
        break;
    case SHANGJU__REQUEST__BODY_MEMBER_SUSPEND:
        shangju__member_suspend__init(&b->member_suspend);
        b->member_suspend.id = id;
        b->member_suspend.reason = (char *)"test";
        req->member_suspend = &b->member_suspend;
        break;
    case SHANGJU__REQUEST__BODY_WISH_POST:
        shangju__wish_post__init(&b->wish_post);
        b->wish_post.title = (char *)"A matrix wish";
        b->wish_post.for_member = id;
        req->wish_post = &b->wish_post;
        break;
    case SHANGJU__REQUEST__BODY_WISH_LIST:
        shangju__wish_list__init(&b->wish_list);
        req->wish_list = &b->wish_list;
        break;
    case SHANGJU__REQUEST__BODY_WISH_GET:
        shangju__wish_get__init(&b->wish_get);
        b->wish_get.id = id;
        req->wish_get = &b->wish_get;
        break;
    case SHANGJU__REQUEST__BODY_WISH_CANCEL:
        shangju__wish_cancel__init(&b->wish_cancel);
        b->wish_cancel.id = id;
        req->wish_cancel = &b->wish_cancel;
        break;
    case SHANGJU__REQUEST__BODY_WISH_CLAIM:
        shangju__wish_claim__init(&b->wish_claim);
        b->wish_claim.id = id;
        req->wish_claim = &b->wish_claim;
        break;
    case SHANGJU__REQUEST__BODY_WISH_RELEASE:
        shangju__wish_release__init(&b->wish_release);
        b->wish_release.id = id;
        req->wish_release = &b->wish_release;
        break;
    case SHANGJU__REQUEST__BODY_WISH_FULFIL:
        shangju__wish_fulfil__init(&b->wish_fulfil);
        b->wish_fulfil.id = id;
        req->wish_fulfil = &b->wish_fulfil;
        break;
    case SHANGJU__REQUEST__BODY_WISH_CONFIRM:
        shangju__wish_confirm__init(&b->wish_confirm);
        b->wish_confirm.id = id;
        b->wish_confirm.thanks = (char *)"thank you";
        b->wish_confirm.rating = 5;
        req->wish_confirm = &b->wish_confirm;
        break;
    case SHANGJU__REQUEST__BODY_MEMBER_REKEY: /* the caller sets the key */
        shangju__member_rekey__init(&b->member_rekey);
        b->member_rekey.id = id;
        b->member_rekey.public_key.data = b->key;
        b->member_rekey.public_key.len = sizeof b->key;
        req->member_rekey = &b->member_rekey;
        break;
    case SHANGJU__REQUEST__BODY_ADMIN_STATS:
        shangju__admin_stats__init(&b->admin_stats);
        req->admin_stats = &b->admin_stats;
        break;
    case SHANGJU__REQUEST__BODY_ADMIN_BACKUP:
        shangju__admin_backup__init(&b->admin_backup);
        snprintf(b->name, sizeof b->name, "it-%llu", (unsigned long long)id);
        b->admin_backup.name = b->name;
        req->admin_backup = &b->admin_backup;
        break;
    case SHANGJU__REQUEST__BODY_LISTING_PUT: /* id 0: create one's own */
        shangju__listing__init(&b->listing);
        b->listing.merchant_id = id;
        b->listing.name = (char *)"Matrix tailor";
        b->listing.category = (char *)"tailor";
        shangju__listing_put__init(&b->listing_put);
        b->listing_put.listing = &b->listing;
        b->listing_put.create = id == 0;
        req->listing_put = &b->listing_put;
        break;
    case SHANGJU__REQUEST__BODY_LISTING_GET:
        shangju__listing_get__init(&b->listing_get);
        b->listing_get.merchant_id = id;
        req->listing_get = &b->listing_get;
        break;
    case SHANGJU__REQUEST__BODY_LISTING_LIST:
        shangju__listing_list__init(&b->listing_list);
        req->listing_list = &b->listing_list;
        break;
    case SHANGJU__REQUEST__BODY_QR_GET:
        shangju__qr_get__init(&b->qr_get);
        b->qr_get.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_MERCHANT;
        b->qr_get.id = id;
        req->qr_get = &b->qr_get;
        break;
    case SHANGJU__REQUEST__BODY_PLACARD_GET:
        shangju__placard_get__init(&b->placard_get);
        b->placard_get.merchant_id = id;
        b->placard_get.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG;
        req->placard_get = &b->placard_get;
        break;
    case SHANGJU__REQUEST__BODY_HANDOVER_REISSUE:
        shangju__handover_reissue__init(&b->handover_reissue);
        b->handover_reissue.wish_id = id;
        req->handover_reissue = &b->handover_reissue;
        break;
    case SHANGJU__REQUEST__BODY_ADMIN_VERIFY:
        shangju__admin_verify__init(&b->admin_verify);
        req->admin_verify = &b->admin_verify;
        break;
    case SHANGJU__REQUEST__BODY_REPLAY:
        shangju__replay__init(&b->replay);
        b->replay.from_seq = id ? id : 1;
        req->replay = &b->replay;
        break;
    default: { /* any other kind: an empty body of the right type */
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(
                &shangju__request__descriptor, (unsigned)kind);
        ck_assert_msg(f != NULL, "it_request: unknown kind %d", kind);
        const ProtobufCMessageDescriptor *d = f->descriptor;
        ck_assert_uint_le(d->sizeof_message, sizeof b->generic);
        protobuf_c_message_init(d, b->generic);
        *(void **)((char *)req + f->offset) = b->generic;
    }
    }
}

static void *sub_ctx;

void *it_sub_open(const it_broker_t *b, const sj_keypair_t *kp)
{
    sj_keypair_t server, me;
    ck_assert_int_eq(sj_keyfile_load(b->server_pub, &server), 0);
    if (kp)
        me = *kp;
    else
        ck_assert_int_eq(sj_keyfile_load(b->committee_key, &me), 0);
    if (!sub_ctx)
        sub_ctx = zmq_ctx_new();
    ck_assert_ptr_nonnull(sub_ctx);
    void *s = zmq_socket(sub_ctx, ZMQ_SUB);
    int zero = 0;
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero), 0);
    ck_assert_int_eq(
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server.public_key, 32), 0);
    ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, me.public_key, 32),
                     0);
    ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, me.secret_key, 32),
                     0);
    ck_assert_int_eq(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), 0);
    ck_assert_int_eq(zmq_connect(s, b->events), 0);
    return s;
}

Shangju__Event *it_sub_recv(void *sub, int timeout_ms, size_t *frame_len)
{
    zmq_pollitem_t it = {.socket = sub, .events = ZMQ_POLLIN};
    if (zmq_poll(&it, 1, timeout_ms) <= 0)
        return NULL;
    Shangju__Event *ev = NULL;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int part = 1; zmq_msg_recv(&msg, sub, 0) >= 0; part++) {
        if (part == 2) {
            ev = sj_codec_event_decode(zmq_msg_data(&msg), zmq_msg_size(&msg));
            ck_assert_ptr_nonnull(ev);
            if (frame_len)
                *frame_len = zmq_msg_size(&msg);
        }
        if (!zmq_msg_more(&msg))
            break;
    }
    zmq_msg_close(&msg);
    return ev;
}

void it_sub_close(void **sub)
{
    if (*sub)
        zmq_close(*sub);
    *sub = NULL;
}
