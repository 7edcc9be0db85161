/* The fuzz world; see fuzz_world.h. Seeding goes through sj_dispatch, so
 * the records are exactly what the broker would have written. */
#include "fuzz_world.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "dispatch.h"
#include "log.h"
#include "fuzz_oracle.h"
#include "notice.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define T0 1700000000000LL /* 2023-11-14, when seeding starts */

/* The directories this process made and has not removed yet: fw_die
 * removes them too, so findings do not fill /dev/shm (set SJ_FUZZ_KEEP to
 * keep the store of a failed input for a look with mdb_dump). */
#define MAX_DIRS 4
static char dirs[MAX_DIRS][256];

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

void fw_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    for (int i = 0; i < MAX_DIRS; i++)
        if (dirs[i][0] && getenv("SJ_FUZZ_KEEP"))
            fprintf(stderr, "fuzz: kept %s\n", dirs[i]);
        else if (dirs[i][0])
            remove_dir(dirs[i]);
    abort();
}

static const char *tmp_root(void)
{
    const char *env = getenv("SJ_FUZZ_TMP");
    if (env && *env)
        return env;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

void fw_mkdtemp(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/sj-fuzz-XXXXXX", tmp_root());
    if (!mkdtemp(buf))
        fw_die("cannot create a directory under %s", tmp_root());
    for (int i = 0; i < MAX_DIRS; i++)
        if (!dirs[i][0]) {
            snprintf(dirs[i], sizeof dirs[i], "%s", buf);
            break;
        }
}

void fw_rmdir(const char *dir)
{
    remove_dir(dir);
    for (int i = 0; i < MAX_DIRS; i++)
        if (!strcmp(dirs[i], dir))
            dirs[i][0] = '\0';
}

int fw_call(fw_t *w, uint64_t as, Shangju__Request *req, Shangju__Reply **reply)
{
    if (!req->request_id)
        req->request_id = 77;
    sj_txn_t *txn;
    if (sj_txn_begin(w->store, true, &txn))
        fw_die("setup: cannot begin");
    Shangju__Member *caller = NULL;
    if (as && sj_member_get(txn, as, &caller))
        fw_die("setup: no member %llu", (unsigned long long)as);
    sj_call_t c;
    sj_call_init(&c, txn, caller, w->now, &w->cfg);
    c.signer = w->signer;
    int rc = sj_dispatch(&c, req);
    if (reply) {
        size_t len;
        uint8_t *buf = sj_codec_encode(&c.reply.base, &len);
        *reply = buf ? shangju__reply__unpack(NULL, len, buf) : NULL;
        free(buf);
        if (!*reply)
            fw_die("setup: reply does not round-trip");
    }
    bool keep = rc == 0 || c.commit_on_error;
    if (rc && !c.commit_on_error)
        fprintf(stderr, "fuzz: setup %s refused: %s\n", sj_request_kind(req),
                c.reply.message ? c.reply.message : "");
    sj_call_end(&c);
    if (caller)
        shangju__member__free_unpacked(caller, NULL);
    if (keep) {
        if (sj_txn_commit(&txn))
            fw_die("setup: commit failed");
    } else {
        sj_txn_abort(&txn);
    }
    return rc;
}

/* fw_call that must succeed; returns the reply (caller frees). */
static Shangju__Reply *must(fw_t *w, uint64_t as, Shangju__Request *req)
{
    Shangju__Reply *r;
    if (fw_call(w, as, req, &r))
        fw_die("setup: %s failed: %s", sj_request_kind(req), r->message);
    return r;
}

unsigned fw_fire_timers(sj_txn_t *txn, const sj_config_t *cfg, int64_t now)
{
    sj_timer_t due[64];
    size_t n = 0;
    if (sj_timer_due(txn, now, due, 64, &n))
        return 0;
    unsigned fired = 0;
    for (size_t i = 0; i < n; i++) {
        sj_txn_t *child;
        if (sj_txn_begin_nested(txn, &child))
            return fired;
        sj_call_t c;
        sj_call_init(&c, child, NULL, now, cfg);
        int rc = due[i].kind >= SJ_TIMER_COMPACT_START
                     ? sj_compact_timer_fire(&c, &due[i])
                     : sj_wish_timer_fire(&c, &due[i]);
        if (rc == 0 && sj_txn_commit(&child) == 0)
            fired++;
        else
            sj_txn_abort(&child);
        sj_call_end(&c);
    }
    return fired;
}

/* Fire timers at w->now until none is due, committed. */
static void tick(fw_t *w)
{
    for (int round = 0; round < 10; round++) {
        sj_txn_t *txn;
        if (sj_txn_begin(w->store, true, &txn))
            fw_die("setup: cannot begin");
        unsigned n = fw_fire_timers(txn, &w->cfg, w->now);
        if (sj_txn_commit(&txn))
            fw_die("setup: timer commit failed");
        if (n == 0)
            return;
    }
}

int64_t fw_time(const fw_t *w, unsigned step)
{
    static const int64_t days[4] = {0, 1, 31, 400};
    return w->now + days[step & 3] * SJ_DAY_MS;
}

/* ------------------------------------------------------------- the cast */

static void first_committee(fw_t *w)
{
    sj_txn_t *txn;
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    if (sj_txn_begin(w->store, true, &txn) ||
        sj_txn_next_id(txn, SJ_COUNTER_MEMBER, &m.id))
        fw_die("setup: cannot begin");
    m.role = ROLE(COMMITTEE);
    m.name = (char *)"Committee";
    m.public_key.data = w->key[FW_COMMITTEE];
    m.public_key.len = 32;
    m.status = SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m.created_at = w->now;
    if (sj_member_put(txn, &m, NULL) || sj_txn_commit(&txn))
        fw_die("setup: cannot store the committee");
    w->member[FW_COMMITTEE] = m.id;
}

static void add(fw_t *w, fw_caller_t who, Shangju__Role role, const char *name,
                uint64_t bridge)
{
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = role;
    a.name = (char *)name;
    a.community = (char *)"Jinqiao";
    a.building = (char *)"Building 3";
    a.contact = (char *)"138-0000-0000";
    a.public_key.data = w->key[who];
    a.public_key.len = 32;
    a.bridge_id = bridge;
    if (bridge)
        a.chat_handle = (char *)"wx:auntie";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_ADD);
    req.member_add = &a;
    Shangju__Reply *r = must(w, w->member[FW_COMMITTEE], &req);
    w->member[who] = r->member->id;
    shangju__reply__free_unpacked(r, NULL);
}

static void cast(fw_t *w)
{
    /* Deterministic keys, so reproducers mean the same thing every run. */
    for (int i = 0; i < FW_CALLERS; i++)
        for (int j = 0; j < 32; j++)
            w->key[i][j] = (uint8_t)(0x10 * (i + 1) + j);
    first_committee(w);
    add(w, FW_BRIDGE, ROLE(BRIDGE), "Bridge", 0);
    add(w, FW_RESIDENT, ROLE(RESIDENT), "Auntie Wang", w->member[FW_BRIDGE]);
    add(w, FW_RESIDENT2, ROLE(RESIDENT), "Li", 0);
    add(w, FW_MERCHANT, ROLE(MERCHANT), "Bakery", 0);
    add(w, FW_MERCHANT2, ROLE(MERCHANT), "Photo", 0);
    add(w, FW_SUSPENDED, ROLE(RESIDENT), "Gone", 0);
    Shangju__MemberSuspend s = SHANGJU__MEMBER_SUSPEND__INIT;
    s.id = w->member[FW_SUSPENDED];
    s.reason = (char *)"moved away";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(MEMBER_SUSPEND);
    req.member_suspend = &s;
    shangju__reply__free_unpacked(must(w, w->member[FW_COMMITTEE], &req), NULL);
}

/* ------------------------------------------------------------ listings */

static void listing(fw_t *w, fw_caller_t who, const char *name,
                    const char *svc1, uint32_t price1, const char *svc2,
                    uint32_t price2)
{
    Shangju__Service s[2] = {SHANGJU__SERVICE__INIT, SHANGJU__SERVICE__INIT};
    Shangju__Service *sp[2] = {&s[0], &s[1]};
    s[0].name = (char *)svc1;
    s[0].points = price1;
    s[1].name = (char *)svc2;
    s[1].points = price2;
    s[1].description = (char *)"by appointment";
    char *spec[] = {(char *)"老字号", (char *)"delivery"};
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.name = (char *)name;
    l.category = (char *)"food";
    l.specialties = spec;
    l.n_specialties = 2;
    l.address = (char *)"12 Jinqiao Rd";
    l.hours = (char *)"8-20";
    l.services = sp;
    l.n_services = 2;
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    p.listing = &l;
    p.create = true;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(LISTING_PUT);
    req.listing_put = &p;
    shangju__reply__free_unpacked(must(w, w->member[who], &req), NULL);
}

/* -------------------------------------------------------------- wishes */

static uint64_t post(fw_t *w, fw_caller_t as, uint64_t for_member,
                     uint32_t days)
{
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)"修水龙头 Fix a tap";
    p.details = (char *)"The kitchen tap drips.\nAfternoons are best.";
    p.category = (char *)"repair";
    p.for_member = for_member;
    p.expires_in_days = days;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(WISH_POST);
    req.wish_post = &p;
    Shangju__Reply *r = must(w, w->member[as], &req);
    uint64_t id = r->wish->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

/* A wish move by `as` with an optional code (fulfil) or rating (confirm);
 * returns the status (a wrong code is an expected refusal). */
static int move(fw_t *w, fw_caller_t as, Shangju__Request__BodyCase kind,
                uint64_t id, const char *code)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishClaim claim = SHANGJU__WISH_CLAIM__INIT;
    Shangju__WishFulfil fulfil = SHANGJU__WISH_FULFIL__INIT;
    Shangju__WishConfirm confirm = SHANGJU__WISH_CONFIRM__INIT;
    Shangju__WishCancel cancel = SHANGJU__WISH_CANCEL__INIT;
    req.body_case = kind;
    switch (kind) {
    case K(WISH_CLAIM):
        claim.id = id;
        req.wish_claim = &claim;
        break;
    case K(WISH_FULFIL):
        fulfil.id = id;
        fulfil.note = (char *)"done";
        fulfil.handover_code = (char *)(code ? code : "");
        req.wish_fulfil = &fulfil;
        break;
    case K(WISH_CONFIRM):
        confirm.id = id;
        confirm.rating = 5;
        confirm.thanks = (char *)"谢谢 thank you";
        req.wish_confirm = &confirm;
        break;
    case K(WISH_CANCEL):
        cancel.id = id;
        cancel.reason = (char *)"solved";
        req.wish_cancel = &cancel;
        break;
    default:
        fw_die("setup: not a move");
    }
    return fw_call(w, w->member[as], &req, NULL);
}

static void wishes(fw_t *w)
{
    uint64_t *id = w->wish;
    id[FW_WISH_OPEN] = post(w, FW_RESIDENT, 0, 0);
    id[FW_WISH_CLAIMED] = post(w, FW_RESIDENT, 0, 0);
    id[FW_WISH_FULFILLED] = post(w, FW_RESIDENT, 0, 0);
    id[FW_WISH_CLOSED] = post(w, FW_RESIDENT, 0, 0);
    id[FW_WISH_CANCELLED] = post(w, FW_RESIDENT, 0, 0);
    id[FW_WISH_EXPIRED] = post(w, FW_RESIDENT2, 0, 1);
    id[FW_WISH_LOCKED] = post(w, FW_RESIDENT2, 0, 0);
    id[FW_WISH_ONBEHALF] = post(w, FW_BRIDGE, w->member[FW_RESIDENT], 0);
    int bad = 0;
    bad |= move(w, FW_MERCHANT, K(WISH_CLAIM), id[FW_WISH_CLAIMED], NULL);
    bad |= move(w, FW_MERCHANT, K(WISH_CLAIM), id[FW_WISH_FULFILLED], NULL);
    bad |= move(w, FW_MERCHANT, K(WISH_FULFIL), id[FW_WISH_FULFILLED], NULL);
    bad |= move(w, FW_MERCHANT, K(WISH_CLAIM), id[FW_WISH_CLOSED], NULL);
    bad |= move(w, FW_MERCHANT, K(WISH_FULFIL), id[FW_WISH_CLOSED], NULL);
    bad |= move(w, FW_RESIDENT, K(WISH_CONFIRM), id[FW_WISH_CLOSED], NULL);
    bad |= move(w, FW_RESIDENT, K(WISH_CANCEL), id[FW_WISH_CANCELLED], NULL);
    bad |= move(w, FW_MERCHANT2, K(WISH_CLAIM), id[FW_WISH_LOCKED], NULL);
    if (bad)
        fw_die("setup: a wish move failed");
    /* Five wrong codes lock the hand-over (each refusal is committed). */
    for (int i = 0; i < 5; i++)
        if (move(w, FW_MERCHANT2, K(WISH_FULFIL), id[FW_WISH_LOCKED],
                 "WRONG000") == 0)
            fw_die("setup: a wrong hand-over code was accepted");
}

/* ------------------------------------------------------------- compacts */

static Shangju__Compact *compact_get(fw_t *w, uint64_t id, Shangju__Reply **r)
{
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_GET);
    req.compact_get = &g;
    *r = must(w, w->member[FW_COMMITTEE], &req);
    return (*r)->compact;
}

/* A draft by the committee with the committee, merchant and resident as
 * parties; the term runs from start to end (days after T0). */
static uint64_t draft(fw_t *w, double start, double end)
{
    uint64_t parties[3] = {w->member[FW_COMMITTEE], w->member[FW_MERCHANT],
                           w->member[FW_RESIDENT]};
    Shangju__ServiceItem it[3] = {SHANGJU__SERVICE_ITEM__INIT,
                                  SHANGJU__SERVICE_ITEM__INIT,
                                  SHANGJU__SERVICE_ITEM__INIT};
    Shangju__ServiceItem *itp[3] = {&it[0], &it[1], &it[2]};
    it[0].giver_id = parties[1];
    it[0].what = (char *)"免费理发 Free haircuts for elders";
    it[0].how_often = (char *)"every Saturday";
    it[1].giver_id = parties[2];
    it[1].receiver_id = parties[1];
    it[1].what = (char *)"Help at the shop";
    it[1].how_often = (char *)"weekly";
    it[2].giver_id = parties[0];
    it[2].what = (char *)"Venue for the fair";
    Shangju__CompactDraft d = SHANGJU__COMPACT_DRAFT__INIT;
    d.title = (char *)"金桥社区共建公约 Jinqiao compact";
    d.term_start = T0 + (int64_t)(start * (double)SJ_DAY_MS);
    d.term_end = T0 + (int64_t)(end * (double)SJ_DAY_MS);
    d.parties = parties;
    d.n_parties = 3;
    d.items = itp;
    d.n_items = 3;
    d.covenant = (char *)"Be kind.\nKeep your word.";
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_DRAFT);
    req.compact_draft = &d;
    Shangju__Reply *r = must(w, w->member[FW_COMMITTEE], &req);
    uint64_t id = r->compact->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

static void sign_all(fw_t *w, uint64_t id)
{
    static const fw_caller_t parties[] = {FW_COMMITTEE, FW_MERCHANT,
                                          FW_RESIDENT};
    for (size_t i = 0; i < 3; i++) {
        Shangju__Reply *g;
        Shangju__Compact *cp = compact_get(w, id, &g);
        Shangju__CompactSign s = SHANGJU__COMPACT_SIGN__INIT;
        s.id = id;
        s.version = cp->version;
        s.version_hash = cp->version_hash;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = K(COMPACT_SIGN);
        req.compact_sign = &s;
        shangju__reply__free_unpacked(must(w, w->member[parties[i]], &req),
                                      NULL);
        shangju__reply__free_unpacked(g, NULL);
    }
}

static void compact_act(fw_t *w, fw_caller_t as, Shangju__Request *req)
{
    shangju__reply__free_unpacked(must(w, w->member[as], req), NULL);
}

static void publish(fw_t *w, uint64_t id)
{
    Shangju__CompactPublish p = SHANGJU__COMPACT_PUBLISH__INIT;
    p.id = id;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = K(COMPACT_PUBLISH);
    req.compact_publish = &p;
    compact_act(w, FW_COMMITTEE, &req);
}

static void compacts(fw_t *w)
{
    uint64_t *id = w->compact;
    id[FW_COMPACT_NEGOTIATING] = draft(w, 1, 10);
    id[FW_COMPACT_SIGNED] = draft(w, 1, 10);
    id[FW_COMPACT_PUBLISHED] = draft(w, 20, 60);
    id[FW_COMPACT_ACTIVE] = draft(w, 1, 30);
    id[FW_COMPACT_EVALUATING] = draft(w, 0.5, 1.5);
    id[FW_COMPACT_CLOSED] = draft(w, 0.5, 1.5);
    for (int i = FW_COMPACT_SIGNED; i < FW_COMPACTS; i++)
        sign_all(w, id[i]);
    for (int i = FW_COMPACT_PUBLISHED; i < FW_COMPACTS; i++)
        publish(w, id[i]);
}

/* Time passes (two days): terms start and end, the short wish expires;
 * then the parties act in the running compacts and points move. */
static void later(fw_t *w)
{
    w->now = T0 + 2 * SJ_DAY_MS;
    tick(w);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactPerform p = SHANGJU__COMPACT_PERFORM__INIT;
    p.id = w->compact[FW_COMPACT_ACTIVE];
    p.item_id = 2; /* given by the resident: earns points */
    p.note = (char *)"two afternoons";
    req.body_case = K(COMPACT_PERFORM);
    req.compact_perform = &p;
    compact_act(w, FW_RESIDENT, &req);
    Shangju__CompactConfirm cf = SHANGJU__COMPACT_CONFIRM__INIT;
    cf.id = w->compact[FW_COMPACT_ACTIVE];
    cf.performance_id = 1; /* its receiver, the merchant: now it pays */
    req.body_case = K(COMPACT_CONFIRM);
    req.compact_confirm = &cf;
    compact_act(w, FW_MERCHANT, &req);
    Shangju__CompactComplain q = SHANGJU__COMPACT_COMPLAIN__INIT;
    q.id = w->compact[FW_COMPACT_ACTIVE];
    q.against_id = w->member[FW_MERCHANT];
    q.text = (char *)"The shop was closed on Saturday";
    req.body_case = K(COMPACT_COMPLAIN);
    req.compact_complain = &q;
    compact_act(w, FW_RESIDENT2, &req);
    for (int i = FW_COMPACT_EVALUATING; i <= FW_COMPACT_CLOSED; i++) {
        Shangju__CompactRate r = SHANGJU__COMPACT_RATE__INIT;
        r.id = w->compact[i];
        r.of_id = w->member[FW_RESIDENT];
        r.stars = 4;
        r.comment = (char *)"reliable";
        req.body_case = K(COMPACT_RATE);
        req.compact_rate = &r;
        compact_act(w, FW_MERCHANT, &req);
    }
    Shangju__CompactClose cl = SHANGJU__COMPACT_CLOSE__INIT;
    cl.id = w->compact[FW_COMPACT_CLOSED];
    req.body_case = K(COMPACT_CLOSE);
    req.compact_close = &cl;
    compact_act(w, FW_COMMITTEE, &req);

    /* The merchant earned 10 for the closed wish, the resident 5 for the
     * performance: each pays for a listed service. */
    Shangju__PointsTransfer t = SHANGJU__POINTS_TRANSFER__INIT;
    t.to_member = w->member[FW_MERCHANT2];
    t.service = (char *)"portrait";
    t.expected_points = 5;
    t.memo = (char *)"for the fair";
    req.body_case = K(POINTS_TRANSFER);
    req.points_transfer = &t;
    compact_act(w, FW_MERCHANT, &req);
    t.to_member = w->member[FW_MERCHANT];
    t.service = (char *)"bread";
    t.expected_points = 3;
    t.memo = (char *)"";
    compact_act(w, FW_RESIDENT, &req);
}

/* ------------------------------------------------------------- the world */

void fw_init(fw_t *w)
{
    memset(w, 0, sizeof *w);
    sj_log_set_level((sj_log_level_t)(SJ_LOG_ERROR +
                                      1)); /* quiet: hostile input logs a lot */
    fw_mkdtemp(w->dir, sizeof w->dir);
    if (sj_store_open(w->dir, FW_MAP_SIZE, &w->store, NULL))
        fw_die("setup: cannot open a store in %s", w->dir);
    sj_config_defaults(&w->cfg);
    w->cfg.data_dir = w->dir;
    if (sj_signer_generate(&w->signer))
        fw_die("setup: no notice key");
    w->now = T0;
    cast(w);
    listing(w, FW_MERCHANT, "Bakery 面包房", "haircut", 10, "bread", 3);
    listing(w, FW_MERCHANT2, "Photo studio", "portrait", 5, "passport", 2);
    wishes(w);
    compacts(w);
    later(w);
    sj_txn_t *txn;
    if (sj_txn_begin(w->store, false, &txn))
        fw_die("setup: cannot read");
    fw_check_store(txn, "setup");
    sj_txn_abort(&txn);
}

void fw_end(fw_t *w)
{
    sj_signer_free(&w->signer);
    sj_store_close(&w->store);
    fw_rmdir(w->dir);
}

Shangju__Member *fw_caller(fw_t *w, sj_txn_t *txn, fw_caller_t who)
{
    if (who >= FW_UNKNOWN || !w->member[who])
        return NULL;
    Shangju__Member *m = NULL;
    int err = sj_member_get(txn, w->member[who], &m);
    if (err)
        fw_die("cannot load member %llu: %s",
               (unsigned long long)w->member[who], sj_strerror(err));
    return m;
}
