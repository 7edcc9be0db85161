/* fuzz_gen_corpus DIR: write the seed corpus of the fuzz targets into
 * DIR/dispatch, DIR/batch and DIR/render (which must exist): one valid
 * request of each main kind, addressed to the records of the seeded world
 * (fuzz_world.h), a few batches that retry, mix callers and carry bad
 * frames, and the replies and events those requests produce. Run it again
 * after the world or the schema changes; the files are small. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_world.h"

#define K(x) SHANGJU__REQUEST__BODY_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static fw_t w;
static const char *root;
static uint64_t next_id = 1000;

/* One dispatch seed, remembered for the replies it produces later. */
typedef struct {
    const char *name;
    fw_caller_t who;
    uint8_t *frame;
    size_t len;
} seed_t;

static seed_t seeds[128];
static size_t n_seeds;

static void put_file(const char *sub, const char *name, const uint8_t *head,
                     size_t head_len, const uint8_t *body, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(head, 1, head_len, f) != head_len ||
        (len && fwrite(body, 1, len, f) != len) || fclose(f) != 0)
        fw_die("cannot write %s", path);
}

/* Write a dispatch seed: [caller | step << 3][Request]. */
static void seed(const char *name, fw_caller_t who, unsigned step,
                 Shangju__Request *req)
{
    req->request_id = next_id++;
    size_t len;
    uint8_t *frame = sj_codec_encode(&req->base, &len);
    uint8_t head = (uint8_t)(who | step << 3);
    if (!frame || n_seeds == sizeof seeds / sizeof *seeds)
        fw_die("cannot encode %s", name);
    put_file("dispatch", name, &head, 1, frame, len);
    seeds[n_seeds++] = (seed_t){name, who, frame, len};
}

#define REQ(kind, field, type, init)                                           \
    Shangju__Request req = SHANGJU__REQUEST__INIT;                             \
    type body = init;                                                          \
    req.body_case = K(kind);                                                   \
    req.field = &body

static void members(void)
{
    {
        REQ(PING, ping, Shangju__Ping, SHANGJU__PING__INIT);
        seed("ping", FW_RESIDENT, 0, &req);
    }
    {
        REQ(WHOAMI, whoami, Shangju__WhoAmI, SHANGJU__WHO_AM_I__INIT);
        seed("whoami_suspended", FW_SUSPENDED, 0, &req);
    }
    {
        REQ(REPLAY, replay, Shangju__Replay, SHANGJU__REPLAY__INIT);
        body.from_seq = 1;
        seed("replay", FW_BRIDGE, 0, &req);
    }
    {
        uint8_t key[32];
        memset(key, 0x5a, sizeof key);
        REQ(MEMBER_ADD, member_add, Shangju__MemberAdd,
            SHANGJU__MEMBER_ADD__INIT);
        body.role = ROLE(RESIDENT);
        body.name = (char *)"张阿姨 Auntie Zhang";
        body.community = (char *)"Jinqiao";
        body.building = (char *)"Building 7";
        body.contact = (char *)"139-0000-0000";
        body.chat_handle = (char *)"wx:zhang";
        body.bridge_id = w.member[FW_BRIDGE];
        body.public_key.data = key;
        body.public_key.len = 32;
        seed("member_add", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(MEMBER_LIST, member_list, Shangju__MemberList,
            SHANGJU__MEMBER_LIST__INIT);
        body.limit = 3;
        seed("member_list", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(MEMBER_GET, member_get, Shangju__MemberGet,
            SHANGJU__MEMBER_GET__INIT);
        body.id = w.member[FW_RESIDENT];
        seed("member_get_other", FW_RESIDENT2, 0, &req);
    }
    {
        REQ(MEMBER_SUSPEND, member_suspend, Shangju__MemberSuspend,
            SHANGJU__MEMBER_SUSPEND__INIT);
        body.id = w.member[FW_MERCHANT2];
        body.reason = (char *)"closed the shop";
        seed("member_suspend", FW_COMMITTEE, 0, &req);
    }
    {
        uint8_t key[32];
        memset(key, 0x6b, sizeof key);
        REQ(MEMBER_REKEY, member_rekey, Shangju__MemberRekey,
            SHANGJU__MEMBER_REKEY__INIT);
        body.id = w.member[FW_RESIDENT];
        body.public_key.data = key;
        body.public_key.len = 32;
        seed("member_rekey", FW_RESIDENT, 0, &req);
    }
}

static void wish_move(const char *name, fw_caller_t who, unsigned step,
                      Shangju__Request__BodyCase kind, fw_wish_t which,
                      const char *code)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishGet get = SHANGJU__WISH_GET__INIT;
    Shangju__WishCancel cancel = SHANGJU__WISH_CANCEL__INIT;
    Shangju__WishClaim claim = SHANGJU__WISH_CLAIM__INIT;
    Shangju__WishRelease release = SHANGJU__WISH_RELEASE__INIT;
    Shangju__WishFulfil fulfil = SHANGJU__WISH_FULFIL__INIT;
    Shangju__WishConfirm confirm = SHANGJU__WISH_CONFIRM__INIT;
    Shangju__HandoverReissue reissue = SHANGJU__HANDOVER_REISSUE__INIT;
    uint64_t id = w.wish[which];
    req.body_case = kind;
    switch (kind) {
    case K(WISH_GET):
        get.id = id;
        req.wish_get = &get;
        break;
    case K(WISH_CANCEL):
        cancel.id = id;
        cancel.reason = (char *)"found a plumber";
        req.wish_cancel = &cancel;
        break;
    case K(WISH_CLAIM):
        claim.id = id;
        claim.due_in_days = 3;
        req.wish_claim = &claim;
        break;
    case K(WISH_RELEASE):
        release.id = id;
        release.reason = (char *)"no parts";
        req.wish_release = &release;
        break;
    case K(WISH_FULFIL):
        fulfil.id = id;
        fulfil.note = (char *)"fixed";
        fulfil.handover_code = (char *)(code ? code : "");
        req.wish_fulfil = &fulfil;
        break;
    case K(WISH_CONFIRM):
        confirm.id = id;
        confirm.thanks = (char *)"多谢";
        confirm.rating = 4;
        req.wish_confirm = &confirm;
        break;
    case K(HANDOVER_REISSUE):
        reissue.wish_id = id;
        req.handover_reissue = &reissue;
        break;
    default:
        fw_die("not a wish move");
    }
    seed(name, who, step, &req);
}

static void wishes(void)
{
    {
        REQ(WISH_POST, wish_post, Shangju__WishPost, SHANGJU__WISH_POST__INIT);
        body.title = (char *)"买菜 Groceries";
        body.details = (char *)"Rice and eggs\nfrom the market";
        body.category = (char *)"errand";
        body.expires_in_days = 5;
        seed("wish_post", FW_RESIDENT, 0, &req);
    }
    {
        REQ(WISH_POST, wish_post, Shangju__WishPost, SHANGJU__WISH_POST__INIT);
        body.title = (char *)"Read the letters";
        body.for_member = w.member[FW_RESIDENT];
        seed("wish_post_onbehalf", FW_BRIDGE, 0, &req);
    }
    {
        REQ(WISH_LIST, wish_list, Shangju__WishList, SHANGJU__WISH_LIST__INIT);
        body.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
        body.community = (char *)"Jinqiao";
        body.limit = 5;
        seed("wish_list_open", FW_MERCHANT, 0, &req);
    }
    {
        REQ(WISH_LIST, wish_list, Shangju__WishList, SHANGJU__WISH_LIST__INIT);
        body.owner_id = w.member[FW_RESIDENT];
        seed("wish_list_owner_bridge", FW_BRIDGE, 0, &req);
    }
    {
        REQ(WISH_LIST, wish_list, Shangju__WishList, SHANGJU__WISH_LIST__INIT);
        body.mine = true;
        seed("wish_list_mine", FW_MERCHANT, 0, &req);
    }
    {
        REQ(WISH_LIST, wish_list, Shangju__WishList, SHANGJU__WISH_LIST__INIT);
        body.community = (char *)"JINQIAO";
        body.category = (char *)"Food";
        body.newest_first = true;
        body.before = 3;
        body.limit = 2;
        seed("wish_list_newest_category", FW_MERCHANT, 0, &req);
    }
    wish_move("wish_get_claimant", FW_MERCHANT, 0, K(WISH_GET), FW_WISH_CLAIMED,
              NULL);
    wish_move("wish_get_lapsed", FW_MERCHANT, 2, K(WISH_GET), FW_WISH_CLAIMED,
              NULL);
    wish_move("wish_cancel", FW_RESIDENT, 0, K(WISH_CANCEL), FW_WISH_OPEN,
              NULL);
    wish_move("wish_claim", FW_MERCHANT, 0, K(WISH_CLAIM), FW_WISH_OPEN, NULL);
    wish_move("wish_release", FW_MERCHANT, 0, K(WISH_RELEASE), FW_WISH_CLAIMED,
              NULL);
    wish_move("wish_fulfil", FW_MERCHANT, 0, K(WISH_FULFIL), FW_WISH_CLAIMED,
              "");
    wish_move("wish_fulfil_wrong_code", FW_MERCHANT, 0, K(WISH_FULFIL),
              FW_WISH_CLAIMED, "ABCDEFGH");
    wish_move("wish_confirm", FW_RESIDENT, 0, K(WISH_CONFIRM),
              FW_WISH_FULFILLED, NULL);
    wish_move("wish_confirm_bridge", FW_BRIDGE, 1, K(WISH_CONFIRM),
              FW_WISH_FULFILLED, NULL);
    wish_move("handover_reissue", FW_COMMITTEE, 0, K(HANDOVER_REISSUE),
              FW_WISH_LOCKED, NULL);
}

static void listings(void)
{
    {
        Shangju__Service s = SHANGJU__SERVICE__INIT;
        Shangju__Service *sp = &s;
        s.name = (char *)"cake";
        s.points = 8;
        s.description = (char *)"order a day ahead";
        Shangju__Listing l = SHANGJU__LISTING__INIT;
        l.name = (char *)"Bakery 面包房";
        l.category = (char *)"food";
        l.hours = (char *)"7-19";
        l.services = &sp;
        l.n_services = 1;
        REQ(LISTING_PUT, listing_put, Shangju__ListingPut,
            SHANGJU__LISTING_PUT__INIT);
        body.listing = &l;
        seed("listing_update", FW_MERCHANT, 0, &req);
    }
    {
        REQ(LISTING_GET, listing_get, Shangju__ListingGet,
            SHANGJU__LISTING_GET__INIT);
        body.merchant_id = w.member[FW_MERCHANT2];
        seed("listing_get", FW_RESIDENT, 0, &req);
    }
    {
        REQ(LISTING_LIST, listing_list, Shangju__ListingList,
            SHANGJU__LISTING_LIST__INIT);
        body.category = (char *)"food";
        seed("listing_list", FW_RESIDENT2, 0, &req);
    }
    {
        REQ(QR_GET, qr_get, Shangju__QrGet, SHANGJU__QR_GET__INIT);
        body.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_MERCHANT;
        body.id = w.member[FW_MERCHANT];
        body.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_TEXT;
        seed("qr_merchant_text", FW_RESIDENT, 0, &req);
    }
    {
        REQ(QR_GET, qr_get, Shangju__QrGet, SHANGJU__QR_GET__INIT);
        body.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_HANDOVER;
        body.id = w.wish[FW_WISH_CLAIMED];
        body.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG;
        body.level = (char *)"H";
        body.module_px = 2;
        seed("qr_handover_svg", FW_BRIDGE, 0, &req);
    }
    {
        REQ(QR_GET, qr_get, Shangju__QrGet, SHANGJU__QR_GET__INIT);
        body.subject = SHANGJU__QR_SUBJECT__QR_SUBJECT_COMPACT;
        body.id = w.compact[FW_COMPACT_PUBLISHED];
        body.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG;
        body.module_px = 1;
        body.quiet = 4;
        seed("qr_compact_png", FW_MERCHANT2, 0, &req);
    }
    {
        REQ(PLACARD_GET, placard_get, Shangju__PlacardGet,
            SHANGJU__PLACARD_GET__INIT);
        body.merchant_id = w.member[FW_MERCHANT];
        body.format = SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG;
        seed("placard_svg", FW_MERCHANT, 0, &req);
    }
}

static void compact_simple(const char *name, fw_caller_t who, unsigned step,
                           Shangju__Request__BodyCase kind, fw_compact_t which)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactPublish publish = SHANGJU__COMPACT_PUBLISH__INIT;
    Shangju__CompactClose close = SHANGJU__COMPACT_CLOSE__INIT;
    Shangju__CompactGet get = SHANGJU__COMPACT_GET__INIT;
    uint64_t id = w.compact[which];
    req.body_case = kind;
    if (kind == K(COMPACT_PUBLISH)) {
        publish.id = id;
        req.compact_publish = &publish;
    } else if (kind == K(COMPACT_CLOSE)) {
        close.id = id;
        req.compact_close = &close;
    } else {
        get.id = id;
        req.compact_get = &get;
    }
    seed(name, who, step, &req);
}

static void compacts(void)
{
    Shangju__ServiceItem it = SHANGJU__SERVICE_ITEM__INIT;
    Shangju__ServiceItem *itp = &it;
    it.giver_id = w.member[FW_MERCHANT];
    it.what = (char *)"Free tea";
    it.how_often = (char *)"daily";
    {
        uint64_t parties[2] = {w.member[FW_COMMITTEE], w.member[FW_MERCHANT]};
        REQ(COMPACT_DRAFT, compact_draft, Shangju__CompactDraft,
            SHANGJU__COMPACT_DRAFT__INIT);
        body.title = (char *)"Tea compact";
        body.term_start = fw_time(&w, 1);
        body.term_end = fw_time(&w, 2);
        body.parties = parties;
        body.n_parties = 2;
        body.items = &itp;
        body.n_items = 1;
        body.covenant = (char *)"Be kind.";
        seed("compact_draft", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(COMPACT_EDIT, compact_edit, Shangju__CompactEdit,
            SHANGJU__COMPACT_EDIT__INIT);
        body.id = w.compact[FW_COMPACT_NEGOTIATING];
        body.items = &itp;
        body.n_items = 1;
        body.covenant = (char *)"Be kinder.";
        seed("compact_edit", FW_MERCHANT, 0, &req);
    }
    {
        /* The current version and its hash, as a party reads them. */
        Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
        g.id = w.compact[FW_COMPACT_NEGOTIATING];
        Shangju__Request get = SHANGJU__REQUEST__INIT;
        get.body_case = K(COMPACT_GET);
        get.compact_get = &g;
        Shangju__Reply *r;
        if (fw_call(&w, w.member[FW_MERCHANT], &get, &r))
            fw_die("cannot read compact");
        REQ(COMPACT_SIGN, compact_sign, Shangju__CompactSign,
            SHANGJU__COMPACT_SIGN__INIT);
        body.id = g.id;
        body.version = r->compact->version;
        body.version_hash = r->compact->version_hash;
        seed("compact_sign", FW_MERCHANT, 0, &req);
        shangju__reply__free_unpacked(r, NULL);
    }
    compact_simple("compact_publish", FW_COMMITTEE, 0, K(COMPACT_PUBLISH),
                   FW_COMPACT_SIGNED);
    compact_simple("compact_close", FW_COMMITTEE, 0, K(COMPACT_CLOSE),
                   FW_COMPACT_EVALUATING);
    compact_simple("compact_get_closed", FW_RESIDENT2, 0, K(COMPACT_GET),
                   FW_COMPACT_CLOSED);
    compact_simple("compact_get_later", FW_MERCHANT, 2, K(COMPACT_GET),
                   FW_COMPACT_ACTIVE);
    {
        REQ(COMPACT_PERFORM, compact_perform, Shangju__CompactPerform,
            SHANGJU__COMPACT_PERFORM__INIT);
        body.id = w.compact[FW_COMPACT_ACTIVE];
        body.item_id = 1;
        body.note = (char *)"six elders";
        seed("compact_perform", FW_MERCHANT, 0, &req);
    }
    {
        REQ(COMPACT_COMPLAIN, compact_complain, Shangju__CompactComplain,
            SHANGJU__COMPACT_COMPLAIN__INIT);
        body.id = w.compact[FW_COMPACT_ACTIVE];
        body.against_id = w.member[FW_RESIDENT];
        body.text = (char *)"Did not come";
        seed("compact_complain", FW_MERCHANT, 0, &req);
    }
    {
        REQ(COMPACT_RESOLVE, compact_resolve, Shangju__CompactResolve,
            SHANGJU__COMPACT_RESOLVE__INIT);
        body.id = w.compact[FW_COMPACT_ACTIVE];
        body.complaint_id = 1;
        body.resolution = (char *)"Talked it over";
        seed("compact_resolve", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(COMPACT_RATE, compact_rate, Shangju__CompactRate,
            SHANGJU__COMPACT_RATE__INIT);
        body.id = w.compact[FW_COMPACT_EVALUATING];
        body.of_id = w.member[FW_MERCHANT];
        body.stars = 5;
        seed("compact_rate", FW_RESIDENT, 0, &req);
    }
    {
        REQ(COMPACT_LIST, compact_list, Shangju__CompactList,
            SHANGJU__COMPACT_LIST__INIT);
        body.limit = 2;
        seed("compact_list", FW_BRIDGE, 0, &req);
    }
}

static void points(void)
{
    {
        REQ(POINTS_TRANSFER, points_transfer, Shangju__PointsTransfer,
            SHANGJU__POINTS_TRANSFER__INIT);
        body.to_member = w.member[FW_MERCHANT2];
        body.service = (char *)"passport";
        body.memo = (char *)"photos for the visa";
        seed("points_transfer", FW_MERCHANT, 0, &req);
    }
    {
        REQ(POINTS_BALANCE, points_balance, Shangju__PointsBalance,
            SHANGJU__POINTS_BALANCE__INIT);
        body.member_id = w.member[FW_MERCHANT];
        seed("points_balance", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(POINTS_HISTORY, points_history, Shangju__PointsHistory,
            SHANGJU__POINTS_HISTORY__INIT);
        body.limit = 10;
        seed("points_history", FW_RESIDENT, 0, &req);
    }
    {
        REQ(POINTS_TOP, points_top, Shangju__PointsTop,
            SHANGJU__POINTS_TOP__INIT);
        body.year = 2023;
        seed("points_top", FW_MERCHANT2, 0, &req);
    }
    {
        REQ(POINTS_CLOSE_YEAR, points_close_year, Shangju__PointsCloseYear,
            SHANGJU__POINTS_CLOSE_YEAR__INIT);
        body.year = 2023;
        seed("points_close_year", FW_COMMITTEE, 3, &req);
    }
    {
        REQ(REPORT_GET, report_get, Shangju__ReportGet,
            SHANGJU__REPORT_GET__INIT);
        body.year = 2023;
        seed("report", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(REPORT_GET, report_get, Shangju__ReportGet,
            SHANGJU__REPORT_GET__INIT);
        body.year = 2024;
        seed("report_next_year", FW_COMMITTEE, 3, &req);
    }
    {
        REQ(ADMIN_STATS, admin_stats, Shangju__AdminStats,
            SHANGJU__ADMIN_STATS__INIT);
        seed("admin_stats", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(ADMIN_BACKUP, admin_backup, Shangju__AdminBackup,
            SHANGJU__ADMIN_BACKUP__INIT);
        body.name = (char *)"nightly-1";
        seed("admin_backup", FW_COMMITTEE, 0, &req);
    }
    {
        REQ(ADMIN_VERIFY, admin_verify, Shangju__AdminVerify,
            SHANGJU__ADMIN_VERIFY__INIT);
        seed("admin_verify", FW_COMMITTEE, 0, &req);
    }
}

/* ---------------------------------------------------------------- batch */

typedef struct {
    uint8_t buf[65536];
    size_t len;
} batch_t;

static void frame(batch_t *b, fw_caller_t who, bool multipart, const uint8_t *p,
                  size_t len)
{
    if (b->len + 3 + len > sizeof b->buf)
        fw_die("batch seed too large");
    b->buf[b->len++] = (uint8_t)(who | (multipart ? 8 : 0));
    b->buf[b->len++] = (uint8_t)(len & 0xff);
    b->buf[b->len++] = (uint8_t)(len >> 8);
    memcpy(b->buf + b->len, p, len);
    b->len += len;
}

/* Frame of dispatch seed i, sent by its own caller. */
static void frame_seed(batch_t *b, size_t i)
{
    frame(b, seeds[i].who, false, seeds[i].frame, seeds[i].len);
}

static size_t find(const char *name)
{
    for (size_t i = 0; i < n_seeds; i++)
        if (!strcmp(seeds[i].name, name))
            return i;
    fw_die("no seed %s", name);
}

static void batch_file(const char *name, unsigned step, const batch_t *b)
{
    uint8_t head = (uint8_t)step;
    put_file("batch", name, &head, 1, b->buf, b->len);
}

/* The dispatch seeds are in order: members (8), then wishes, listings,
 * compacts, points. The batches mix them. */
static void batches(size_t first_wish)
{
    static batch_t b;
    /* post, claim, fulfil, confirm of seeded wishes; a retry of the post */
    b.len = 0;
    for (size_t i = first_wish; i < first_wish + 16 && i < n_seeds; i += 3)
        frame_seed(&b, i);
    frame_seed(&b, first_wish);
    batch_file("wishes_and_retry", 0, &b);
    /* every member seed, then one by an unknown key and a multipart one */
    b.len = 0;
    for (size_t i = 0; i < 8; i++)
        frame_seed(&b, i);
    frame(&b, FW_UNKNOWN, false, seeds[0].frame, seeds[0].len);
    frame(&b, FW_MERCHANT, true, seeds[0].frame, seeds[0].len);
    batch_file("members_unknown_multipart", 0, &b);
    /* garbage, an empty frame, a request without request_id */
    b.len = 0;
    static const uint8_t junk[] = {0x08, 0x96, 0x01, 0xff, 0xff, 0x0f};
    static const uint8_t no_id[] = {0x52, 0x00}; /* ping, request_id 0 */
    frame(&b, FW_RESIDENT, false, junk, sizeof junk);
    frame(&b, FW_RESIDENT, false, NULL, 0);
    frame(&b, FW_RESIDENT, false, no_id, sizeof no_id);
    frame_seed(&b, find("ping"));
    batch_file("bad_frames", 1, &b);
    /* the rekey, then the old key again, then a retry of the rekey */
    b.len = 0;
    frame_seed(&b, find("member_rekey"));
    frame_seed(&b, find("ping"));
    frame_seed(&b, find("member_rekey"));
    batch_file("rekey_then_old_key", 0, &b);
    /* everything at +31 days: lapses and expiries fire first */
    b.len = 0;
    for (size_t i = 8; i < n_seeds && i < 8 + 20; i += 2)
        frame_seed(&b, i);
    batch_file("late_mix", 2, &b);
    b.len = 0;
    for (size_t i = n_seeds > 14 ? n_seeds - 14 : 0; i < n_seeds; i++)
        frame_seed(&b, i);
    batch_file("compacts_points", 0, &b);
    /* the same with a map that fills up (64 KiB, 256 KiB more room) */
    batch_file("compacts_points_full_map", 1 << 2, &b);
    b.len = 0;
    for (size_t i = first_wish; i < first_wish + 16 && i < n_seeds; i++)
        frame_seed(&b, i);
    batch_file("wishes_full_map", 2 << 2, &b);
}

/* --------------------------------------------------------------- render */

static void renders(void)
{
    char name[64];
    size_t k = 0;
    for (size_t i = 0; i < n_seeds; i += 2) {
        Shangju__Request *req =
            sj_codec_request_decode(seeds[i].frame, seeds[i].len);
        Shangju__Reply *r = NULL;
        fw_call(&w, w.member[seeds[i].who], req, &r);
        size_t len;
        uint8_t *buf = sj_codec_encode(&r->base, &len);
        uint8_t head = (uint8_t)((k & 1) << 1); /* Reply, --json or not */
        snprintf(name, sizeof name, "reply_%s", sj_request_kind(req));
        put_file("render", name, &head, 1, buf, len);
        k++;
        /* The events the replay returns, one file each (a few). */
        if (r->body_case == SHANGJU__REPLY__BODY_EVENTS)
            for (size_t e = 0; e < r->events->n_items && e < 12; e++) {
                uint8_t *eb = sj_codec_encode(&r->events->items[e]->base, &len);
                uint8_t eh = (uint8_t)(1 | (e & 1) << 1);
                snprintf(name, sizeof name, "event_%02zu", e);
                put_file("render", name, &eh, 1, eb, len);
                free(eb);
            }
        free(buf);
        shangju__reply__free_unpacked(r, NULL);
        shangju__request__free_unpacked(req, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    root = argv[1];
    fw_init(&w);
    members();
    size_t first_wish = n_seeds;
    wishes();
    listings();
    compacts();
    points();
    batches(first_wish);
    renders();
    printf("%zu dispatch seeds\n", n_seeds);
    for (size_t i = 0; i < n_seeds; i++)
        free(seeds[i].frame);
    fw_end(&w);
    return 0;
}
