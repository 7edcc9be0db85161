/* Seeding the demo community; see demo.h. Requests go through sj_dispatch
 * exactly as if the committee and the demo members had sent them. */
#include "demo.h"

#include <stdio.h>
#include <sys/stat.h>

#include "codec.h"
#include "datadir.h"
#include "dispatch.h"
#include "keyfile.h"
#include "log.h"

typedef struct {
    const char *file;
    Shangju__Role role;
    const char *name, *community, *building, *contact;
} demo_member_t;

static const demo_member_t members[] = {
    {"resident-wang", SHANGJU__ROLE__ROLE_RESIDENT, "[DEMO] 王阿姨 Auntie Wang",
     "Jinqiao", "Building 3", "138-0000-0003"},
    {"resident-li", SHANGJU__ROLE__ROLE_RESIDENT, "[DEMO] 李小明 Li Xiaoming",
     "Jinqiao", "Building 5", "138-0000-0005"},
    {"merchant-bakery", SHANGJU__ROLE__ROLE_MERCHANT,
     "[DEMO] 金麦烘焙 Golden Wheat Bakery", "Jinqiao", "", "021-0000-1001"},
    {"merchant-photo", SHANGJU__ROLE__ROLE_MERCHANT,
     "[DEMO] 幸福照相馆 Happiness Photo Studio", "Jinqiao", "",
     "021-0000-1002"},
    /* The public web front's key (issue 10): shangju-web finds it here
     * (DATA/demo/web.key) when DATA/web.key does not exist. */
    {"web", SHANGJU__ROLE__ROLE_WEB, "[DEMO] 公共网页 Public pages", "", "",
     ""},
};
#define N_MEMBERS (sizeof members / sizeof members[0])

/* The chat bridge (DATA/demo/bridge.key, found by shangju-chat when
 * DATA/bridge.key does not exist), with the two residents linked to the
 * handles below: `shangju-chat --console --as wang@demo.example` talks as
 * Auntie Wang. Added last, so it starts at the present (a new bridge does
 * not announce what happened before it). */
static const demo_member_t bridge = {
    "bridge", SHANGJU__ROLE__ROLE_BRIDGE, "[DEMO] 聊天桥 Chat bridge", "", "",
    ""};
static const char *const handles[] = {"wang@demo.example", "li@demo.example"};

/* Run one request as caller inside txn; 0 when the reply is OK. *id gets
 * the new record's id when the reply carries one. */
static int run(sj_txn_t *txn, const sj_config_t *cfg,
               const Shangju__Member *caller, Shangju__Request *req,
               uint64_t *id)
{
    sj_txn_t *child;
    int err = sj_txn_begin_nested(txn, &child);
    if (err)
        return err;
    sj_call_t c;
    sj_call_init(&c, child, caller, sj_now_ms(), cfg);
    req->request_id = 1;
    int rc = sj_dispatch(&c, req);
    if (rc == 0 && id)
        *id = c.reply.body_case == SHANGJU__REPLY__BODY_MEMBER
                  ? c.reply.member->id
                  : c.reply.wish->id;
    if (rc)
        sj_log(SJ_LOG_ERROR, "event=demo_failed status=%s msg=\"%s\"",
               sj_status_name(rc), c.reply.message);
    sj_call_end(&c);
    if (rc) {
        sj_txn_abort(&child);
        return SJ_EINVAL;
    }
    return sj_txn_commit(&child);
}

static int add_member(sj_txn_t *txn, const sj_config_t *cfg,
                      const Shangju__Member *committee, const demo_member_t *d,
                      Shangju__Member **out)
{
    char path[4096], name[64];
    snprintf(name, sizeof name, "demo/%s.key", d->file);
    if (!sj_datadir_path(path, sizeof path, cfg->data_dir, name))
        return SJ_EINVAL;
    sj_keypair_t kp;
    int err = sj_keyfile_generate(&kp);
    if (!err)
        err = sj_keyfile_save_secret(path, &kp, d->name);
    if (err)
        return err;
    Shangju__MemberAdd add = SHANGJU__MEMBER_ADD__INIT;
    add.role = d->role;
    add.name = (char *)d->name;
    add.community = (char *)d->community;
    add.building = (char *)d->building;
    add.contact = (char *)d->contact;
    add.public_key.data = kp.public_key;
    add.public_key.len = 32;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &add;
    uint64_t id;
    err = run(txn, cfg, committee, &req, &id);
    return err ? err : sj_member_get(txn, id, out);
}

static int post(sj_txn_t *txn, const sj_config_t *cfg,
                const Shangju__Member *who, const char *title,
                const char *details, const char *category, uint64_t *id)
{
    Shangju__WishPost p = SHANGJU__WISH_POST__INIT;
    p.title = (char *)title;
    p.details = (char *)details;
    p.category = (char *)category;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_POST;
    req.wish_post = &p;
    return run(txn, cfg, who, &req, id);
}

static int listing(sj_txn_t *txn, const sj_config_t *cfg,
                   const Shangju__Member *merchant, const char *category,
                   const char *const *specialties, size_t n,
                   const char *address, const char *hours, const char *phone)
{
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.name = merchant->name;
    l.category = (char *)category;
    l.specialties = (char **)specialties;
    l.n_specialties = n;
    l.address = (char *)address;
    l.hours = (char *)hours;
    l.phone = (char *)phone;
    Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
    put.listing = &l;
    put.create = true;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &put;
    return run(txn, cfg, merchant, &req, NULL);
}

static int seed_listings(sj_txn_t *txn, const sj_config_t *cfg,
                         Shangju__Member **m)
{
    static const char *const bakery[] = {
        "鲜肉月饼 Fresh meat mooncakes", "苏式月饼 Suzhou-style mooncakes",
        "亲子烘焙课 Baking classes for families"};
    static const char *const photo[] = {"老照片修复 Old photo restoration",
                                        "婚纱照 Wedding portraits"};
    int err = listing(txn, cfg, m[2], "bakery", bakery, 3,
                      "[DEMO] 金桥路 12 号 12 Jinqiao Road", "7:00-19:00",
                      "021-0000-1001");
    if (!err)
        err = listing(txn, cfg, m[3], "photo", photo, 2,
                      "[DEMO] 金桥路 30 号 30 Jinqiao Road", "9:00-18:00", "");
    return err;
}

/* The bridge, and residents m[0] and m[1] linked to it. */
static int seed_bridge(sj_txn_t *txn, const sj_config_t *cfg,
                       const Shangju__Member *committee, Shangju__Member **m)
{
    Shangju__Member *b = NULL;
    int err = add_member(txn, cfg, committee, &bridge, &b);
    for (size_t i = 0; !err && i < sizeof handles / sizeof *handles; i++) {
        Shangju__MemberLink link = SHANGJU__MEMBER_LINK__INIT;
        link.id = m[i]->id;
        link.chat_handle = (char *)handles[i];
        link.bridge_id = b->id;
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        req.body_case = SHANGJU__REQUEST__BODY_MEMBER_LINK;
        req.member_link = &link;
        err = run(txn, cfg, committee, &req, NULL);
    }
    if (b)
        shangju__member__free_unpacked(b, NULL);
    return err;
}

static int seed(sj_txn_t *txn, const sj_config_t *cfg,
                const Shangju__Member *committee, Shangju__Member **m)
{
    for (size_t i = 0; i < N_MEMBERS; i++) {
        int err = add_member(txn, cfg, committee, &members[i], &m[i]);
        if (err)
            return err;
    }
    uint64_t w1, w2, w3;
    int err = seed_listings(txn, cfg, m);
    if (!err)
        err = post(
            txn, cfg, m[0], "[DEMO] 重拍结婚照 Retake our wedding photos",
            "We married in 1976 and lost the photos in a move.", "photo", &w1);
    if (!err)
        err = post(txn, cfg, m[1], "[DEMO] 学做月饼 Learn to bake mooncakes",
                   "Six children would like to bake before Mid-Autumn.",
                   "baking", &w2);
    if (!err)
        err = post(txn, cfg, m[0], "[DEMO] 修收音机 Fix an old radio", "",
                   "repair", &w3);
    if (err)
        return err;
    Shangju__WishClaim cl = SHANGJU__WISH_CLAIM__INIT;
    cl.id = w2;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &cl;
    err = run(txn, cfg, m[2], &req, NULL);
    return err ? err : seed_bridge(txn, cfg, committee, m);
}

int sj_demo_seed(sj_store_t *store, const sj_config_t *cfg)
{
    char dir[4096];
    if (!sj_datadir_path(dir, sizeof dir, cfg->data_dir, "demo"))
        return SJ_EINVAL;
    mkdir(dir, 0700);
    sj_txn_t *txn;
    int err = sj_txn_begin(store, true, &txn);
    if (err)
        return err;
    Shangju__Member *committee = NULL, *m[N_MEMBERS] = {0};
    err = sj_member_get(txn, 1, &committee);
    if (!err)
        err = seed(txn, cfg, committee, m);
    for (size_t i = 0; i < N_MEMBERS; i++)
        if (m[i])
            shangju__member__free_unpacked(m[i], NULL);
    if (committee)
        shangju__member__free_unpacked(committee, NULL);
    if (err) {
        sj_txn_abort(&txn);
        return err;
    }
    err = sj_txn_commit(&txn);
    if (!err)
        sj_log(SJ_LOG_INFO, "event=demo_seeded keys=%s", dir);
    return err;
}
