/* Integration: the event feed and what it may tell, over the real sockets.
 * Case "findings" (issue 9, findings 1 and 2): the PUB socket carries only
 * stubs; Replay answers each caller under the request API's rules; a
 * suspended or rekeyed member's open SUB connection stops receiving; a
 * request's unknown fields are neither stored nor served. Case "privacy"
 * (ctest it_feed_privacy): a member of each role, and the web front,
 * subscribes and replays the whole log of a scenario with points, a
 * transfer with a memo, rekeys and bridge links, and nothing it receives
 * is a field the request API would refuse to show it (checked field by
 * field against the request API; the web front gets stubs alone). */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_harness.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define K(x) SHANGJU__REQUEST__BODY_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

#define R1_CONTACT "r1-phone-13900000001"
#define R1_HANDLE "wx-r1-private-handle"
#define R2_CONTACT "r2-phone-13900000002"
#define M1_CONTACT "m1-phone-13900000003"
#define MEMO "SECRET-MEMO-7"

/* The cast of a scenario: the committee, a bridge, two residents (R1
 * linked to the bridge, with a chat handle), three merchants. */
typedef struct {
    it_broker_t b;
    sj_client_t *com, *bri, *r1, *r2, *m1, *m2, *m3;
    sj_keypair_t kb, kr1, kr2, km1, km2, km3, kcom;
    uint64_t id_com, id_b, id_r1, id_r2, id_m1, id_m2, id_m3;
    uint64_t w1, w2;
    /* every public key the broker has seen, to look for in the feed */
    uint8_t keys[16][32];
    size_t n_keys;
} cast_t;

static void remember_key(cast_t *k, const sj_keypair_t *kp)
{
    ck_assert_uint_lt(k->n_keys, 16);
    memcpy(k->keys[k->n_keys++], kp->public_key, 32);
}

static uint64_t whoami(sj_client_t *c)
{
    Shangju__Request req;
    it_bodies_t bodies;
    it_request(&req, &bodies, K(WHOAMI), 0);
    Shangju__Reply *r = it_call(c, &req);
    ck_assert_int_eq(r->status, ST(OK));
    uint64_t id = r->member->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

/* R1: a resident linked to the bridge, with a chat handle. */
static uint64_t add_linked_resident(cast_t *k)
{
    ck_assert_int_eq(sj_keyfile_generate(&k->kr1), 0);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__MemberAdd a = SHANGJU__MEMBER_ADD__INIT;
    a.role = ROLE(RESIDENT);
    a.name = (char *)"Old Li";
    a.community = (char *)"Xinhua";
    a.building = (char *)"B3";
    a.contact = (char *)R1_CONTACT;
    a.chat_handle = (char *)R1_HANDLE;
    a.bridge_id = k->id_b;
    a.public_key.data = k->kr1.public_key;
    a.public_key.len = 32;
    req.body_case = K(MEMBER_ADD);
    req.member_add = &a;
    Shangju__Reply *r = it_call(k->com, &req);
    ck_assert_int_eq(r->status, ST(OK));
    uint64_t id = r->member->id;
    shangju__reply__free_unpacked(r, NULL);
    return id;
}

static void cast_new(cast_t *k)
{
    memset(k, 0, sizeof *k);
    it_broker_new(&k->b, NULL);
    k->com = it_client(&k->b, NULL, 3000, 3);
    k->id_com = whoami(k->com);
    ck_assert_int_eq(sj_keyfile_load(k->b.committee_key, &k->kcom), 0);
    remember_key(k, &k->kcom);
    k->id_b =
        it_member_add(k->com, ROLE(BRIDGE), "Chat bridge", NULL, 0, &k->kb);
    k->id_r1 = add_linked_resident(k);
    k->id_r2 = it_member_add(k->com, ROLE(RESIDENT), "Auntie Wang", R2_CONTACT,
                             0, &k->kr2);
    k->id_m1 = it_member_add(k->com, ROLE(MERCHANT), "Photo studio", M1_CONTACT,
                             0, &k->km1);
    k->id_m2 =
        it_member_add(k->com, ROLE(MERCHANT), "Tea house", NULL, 0, &k->km2);
    k->id_m3 = it_member_add(k->com, ROLE(MERCHANT), "Soon suspended", NULL, 0,
                             &k->km3);
    remember_key(k, &k->kb);
    remember_key(k, &k->kr1);
    remember_key(k, &k->kr2);
    remember_key(k, &k->km1);
    remember_key(k, &k->km2);
    remember_key(k, &k->km3);
    k->bri = it_client(&k->b, &k->kb, 3000, 3);
    k->r1 = it_client(&k->b, &k->kr1, 3000, 3);
    k->r2 = it_client(&k->b, &k->kr2, 3000, 3);
    k->m1 = it_client(&k->b, &k->km1, 3000, 3);
    k->m2 = it_client(&k->b, &k->km2, 3000, 3);
    /* No retry: after the suspension a reopened socket would be refused. */
    k->m3 = it_client(&k->b, &k->km3, 3000, -1);
    ck_assert_uint_gt(it_last_seq(k->m3), 0); /* connected, admitted */
}

static void cast_free(cast_t *k)
{
    sj_client_t **all[] = {&k->com, &k->bri, &k->r1, &k->r2,
                           &k->m1,  &k->m2,  &k->m3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sj_client_destroy(all[i]);
    it_broker_stop(&k->b);
}

static void listing_put(sj_client_t *c, const char *name, const char *service,
                        uint32_t price)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    Shangju__Service s = SHANGJU__SERVICE__INIT;
    Shangju__Service *ss[] = {&s};
    s.name = (char *)service;
    s.points = price;
    l.name = (char *)name;
    l.category = (char *)"shop";
    l.services = ss;
    l.n_services = 1;
    p.listing = &l;
    p.create = true;
    req.body_case = K(LISTING_PUT);
    req.listing_put = &p;
    ck_assert_int_eq(it_status(c, &req), ST(OK));
}

static int transfer(sj_client_t *c, uint64_t to, const char *service,
                    const char *memo)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__PointsTransfer t = SHANGJU__POINTS_TRANSFER__INIT;
    t.to_member = to;
    t.service = (char *)service;
    t.memo = (char *)memo;
    t.expected_points = 3; /* the tea house's price */
    req.body_case = K(POINTS_TRANSFER);
    req.points_transfer = &t;
    return it_status(c, &req);
}

static void rekey(sj_client_t *c, uint64_t id, sj_keypair_t *kp)
{
    ck_assert_int_eq(sj_keyfile_generate(kp), 0);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__MemberRekey r = SHANGJU__MEMBER_REKEY__INIT;
    r.id = id;
    r.public_key.data = kp->public_key;
    r.public_key.len = 32;
    req.body_case = K(MEMBER_REKEY);
    req.member_rekey = &r;
    ck_assert_int_eq(it_status(c, &req), ST(OK));
}

static void suspend(sj_client_t *c, uint64_t id)
{
    ck_assert_int_eq(it_wish_move(c, K(MEMBER_SUSPEND), id), ST(OK));
}

/* One page of Replay as c sees it (caller frees); asserts a reply. */
static Shangju__Reply *replay(sj_client_t *c, uint64_t from, uint32_t limit)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Replay r = SHANGJU__REPLAY__INIT;
    r.from_seq = from;
    r.limit = limit;
    req.body_case = K(REPLAY);
    req.replay = &r;
    return it_call(c, &req);
}

/* The wish scenario that earns M1 points, then M1 pays M2 with a memo,
 * and the bridge posts for R1. */
static void points_scenario(cast_t *k)
{
    listing_put(k->m1, "Photo studio", "portrait", 8);
    listing_put(k->m2, "Tea house", "tea", 3);
    k->w1 = it_wish_post(k->r1, "Retake our wedding photos", 0);
    ck_assert_int_eq(it_wish_move(k->m1, K(WISH_CLAIM), k->w1), ST(OK));
    ck_assert_int_eq(it_wish_move(k->m1, K(WISH_FULFIL), k->w1), ST(OK));
    ck_assert_int_eq(it_wish_move(k->r1, K(WISH_CONFIRM), k->w1), ST(OK));
    ck_assert_int_eq(transfer(k->m1, k->id_m2, "tea", MEMO), ST(OK));
    k->w2 = it_wish_post(k->bri, "Fix the stair light", k->id_r1);
}

/* ---------------------------------------------------- field-level checks */

static bool field_set(const ProtobufCMessage *m,
                      const ProtobufCFieldDescriptor *f)
{
    const char *base = (const char *)m;
    const void *p = base + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)(base + f->quantifier_offset) > 0;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return s && *s;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)p)->len > 0;
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(void *const *)p != NULL;
    case PROTOBUF_C_TYPE_BOOL:
        return *(const protobuf_c_boolean *)p;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return *(const uint64_t *)p != 0;
    default:
        return *(const uint32_t *)p != 0;
    }
}

static bool has(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    ck_assert_msg(f != NULL, "no field %s", name);
    return field_set(m, f);
}

/* Every field set in shown must be set in allowed (what the request API
 * shows the same member), and neither may carry unknown fields. */
static void assert_subset(const ProtobufCMessage *shown,
                          const ProtobufCMessage *allowed, const char *what,
                          uint64_t seq)
{
    ck_assert_uint_eq(shown->n_unknown_fields, 0);
    const ProtobufCMessageDescriptor *d = shown->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++)
        ck_assert_msg(!field_set(shown, &d->fields[i]) ||
                          field_set(allowed, &d->fields[i]),
                      "event %llu shows %s.%s, which the request API does "
                      "not show this member",
                      (unsigned long long)seq, what, d->fields[i].name);
}

/* Only seq, at, topic, subject, subject_id and withheld: a stub. */
static void assert_stub(const Shangju__Event *ev)
{
    static const char *const stub[] = {"seq",     "at",         "topic",
                                       "subject", "subject_id", "withheld"};
    const ProtobufCMessageDescriptor *d = ev->base.descriptor;
    ck_assert_uint_eq(ev->base.n_unknown_fields, 0);
    for (unsigned i = 0; i < d->n_fields; i++) {
        bool ok = false;
        for (size_t j = 0; j < sizeof stub / sizeof stub[0]; j++)
            ok = ok || strcmp(d->fields[i].name, stub[j]) == 0;
        ck_assert_msg(ok || !field_set(&ev->base, &d->fields[i]),
                      "stub %llu (%s) carries %s", (unsigned long long)ev->seq,
                      ev->topic, d->fields[i].name);
    }
    ck_assert_uint_ne(ev->subject_id, 0);
}

static void assert_no_secret(const uint8_t *buf, size_t len, const cast_t *k,
                             bool memo_ok, uint64_t seq)
{
    static const char *const never[] = {R1_CONTACT, R1_HANDLE, R2_CONTACT,
                                        M1_CONTACT};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        ck_assert_msg(!memmem(buf, len, never[i], strlen(never[i])),
                      "event %llu carries \"%s\"", (unsigned long long)seq,
                      never[i]);
    for (size_t i = 0; i < k->n_keys; i++)
        ck_assert_msg(!memmem(buf, len, k->keys[i], 32),
                      "event %llu carries a member's public key",
                      (unsigned long long)seq);
    if (!memo_ok)
        ck_assert_msg(!memmem(buf, len, MEMO, strlen(MEMO)),
                      "event %llu carries a payment memo",
                      (unsigned long long)seq);
}

/* ------------------------------------------------------------ findings */

/* Post wishes until sub sees one (after a re-bind the socket needs a
 * moment to reconnect); returns the seq it saw. */
static uint64_t until_heard(cast_t *k, void *sub)
{
    for (int i = 0; i < 50; i++) {
        uint64_t w = it_wish_post(k->r2, "Knock knock", 0);
        Shangju__Event *ev;
        while ((ev = it_sub_recv(sub, 200, NULL))) {
            /* (the body's id too, for a broker without stubs) */
            bool mine = strcmp(ev->topic, "wish.posted") == 0 &&
                        (ev->subject_id == w ||
                         (ev->body_case == SHANGJU__EVENT__BODY_WISH &&
                          ev->wish->id == w));
            uint64_t seq = ev->seq;
            shangju__event__free_unpacked(ev, NULL);
            if (mine)
                return seq;
        }
    }
    ck_abort_msg("the subscriber never heard a posting");
    return 0;
}

START_TEST(pub_carries_only_stubs)
{
    static cast_t k;
    cast_new(&k);
    void *sub = it_sub_open(&k.b, &k.kr2); /* any member may open one */
    until_heard(&k, sub);                  /* connected and subscribed */
    uint64_t first = it_last_seq(k.com) + 1;
    points_scenario(&k);
    uint64_t last = it_last_seq(k.com);
    size_t n = 0;
    Shangju__Event *ev;
    size_t len;
    while ((ev = it_sub_recv(sub, 2000, &len))) {
        ck_assert_uint_eq(ev->seq, first + n);
        assert_stub(ev);
        ck_assert_msg(ev->withheld, "stub %llu not marked withheld",
                      (unsigned long long)ev->seq);
        uint8_t buf[4096];
        ck_assert_uint_le(len, sizeof buf);
        ck_assert_uint_eq(protobuf_c_message_pack(&ev->base, buf), len);
        assert_no_secret(buf, len, &k, false, ev->seq);
        n++;
        shangju__event__free_unpacked(ev, NULL);
        if (first + n > last)
            break;
    }
    ck_assert_uint_eq(n, last - first + 1);
    it_sub_close(&sub);
    cast_free(&k);
}
END_TEST

/* The event of topic in page, or NULL. */
static const Shangju__Event *find_topic(const Shangju__EventPage *pg,
                                        const char *topic, size_t nth)
{
    for (size_t i = 0; i < pg->n_items; i++)
        if (strcmp(pg->items[i]->topic, topic) == 0 && nth-- == 0)
            return pg->items[i];
    return NULL;
}

START_TEST(replay_answers_per_caller)
{
    static cast_t k;
    cast_new(&k);
    points_scenario(&k);
    uint64_t last = it_last_seq(k.com);

    /* A bystander (R2): every seq is there, the transfer only as a stub. */
    Shangju__Reply *r = replay(k.r2, 1, 0);
    ck_assert_int_eq(r->status, ST(OK));
    const Shangju__EventPage *pg = r->events;
    ck_assert_uint_eq(pg->n_items, last);
    for (size_t i = 0; i < pg->n_items; i++)
        ck_assert_uint_eq(pg->items[i]->seq, i + 1);
    const Shangju__Event *t = find_topic(pg, "points.transferred", 0);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->body_case, SHANGJU__EVENT__BODY__NOT_SET);
    ck_assert(t->withheld);
    ck_assert_uint_eq(t->actor_id, 0);
    const Shangju__Event *e = find_topic(pg, "points.earned", 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->body_case, SHANGJU__EVENT__BODY__NOT_SET);
    /* Members: never a key or a bridge link, nor a chat handle. */
    const Shangju__Event *a = find_topic(pg, "member.added", 1); /* R1 */
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->member->id, k.id_r1);
    ck_assert_uint_eq(a->member->public_key.len, 0);
    ck_assert_uint_eq(a->member->bridge_id, 0);
    ck_assert_str_eq(a->member->chat_handle, "");
    ck_assert_str_eq(a->member->contact, "");
    /* The bridge's posting for R1 does not name the bridge. */
    const Shangju__Event *p = find_topic(pg, "wish.posted", 1);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->wish->id, k.w2);
    ck_assert_uint_eq(p->wish->posted_by, 0);
    ck_assert_uint_eq(p->actor_id, 0);
    shangju__reply__free_unpacked(r, NULL);

    /* The payer and the payee see the amount and the memo. */
    sj_client_t *party[] = {k.m1, k.m2, k.com};
    for (size_t i = 0; i < 3; i++) {
        r = replay(party[i], 1, 0);
        ck_assert_int_eq(r->status, ST(OK));
        t = find_topic(r->events, "points.transferred", 0);
        ck_assert_int_eq(t->body_case, SHANGJU__EVENT__BODY_ENTRY);
        ck_assert_int_eq(t->entry->amount, -3);
        ck_assert(strstr(t->entry->memo, MEMO) != NULL);
        ck_assert(!t->withheld);
        a = find_topic(r->events, "member.added", 1);
        ck_assert_uint_eq(a->member->public_key.len, 0); /* not even them */
        shangju__reply__free_unpacked(r, NULL);
    }

    /* A suspended member gets nothing. */
    suspend(k.com, k.id_m3);
    r = replay(k.m3, 1, 0);
    ck_assert_int_eq(r->status, ST(PERMISSION_DENIED));
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY__NOT_SET);
    shangju__reply__free_unpacked(r, NULL);
    cast_free(&k);
}
END_TEST

/* Whatever sub receives from now on: must be nothing newer than seq. */
static void assert_silent_after(void *sub, uint64_t seq, const char *who)
{
    Shangju__Event *ev;
    while ((ev = it_sub_recv(sub, 300, NULL))) {
        ck_assert_msg(ev->seq <= seq, "%s still receives event %llu (%s)", who,
                      (unsigned long long)ev->seq, ev->topic);
        shangju__event__free_unpacked(ev, NULL);
    }
}

START_TEST(revoked_key_stops_live_feed)
{
    static cast_t k;
    cast_new(&k);
    void *sus = it_sub_open(&k.b, &k.km3);   /* to be suspended */
    void *rek = it_sub_open(&k.b, &k.km2);   /* to be rekeyed (old key) */
    void *other = it_sub_open(&k.b, &k.kr2); /* stays */
    until_heard(&k, sus);
    until_heard(&k, rek);
    until_heard(&k, other);

    suspend(k.com, k.id_m3);
    sj_keypair_t fresh;
    rekey(k.m2, k.id_m2, &fresh); /* M2 rekeys itself */
    uint64_t revoked_at = it_last_seq(k.com);
    /* The member who stays hears postings again after its reconnect... */
    uint64_t heard = until_heard(&k, other);
    ck_assert_uint_gt(heard, revoked_at);
    for (int i = 0; i < 3; i++)
        it_wish_post(k.r2, "After", 0);
    /* ...the revoked keys do not. */
    assert_silent_after(sus, revoked_at, "a suspended member");
    assert_silent_after(rek, revoked_at, "a rekeyed member's old key");
    /* The new key works on a new connection. */
    void *again = it_sub_open(&k.b, &fresh);
    until_heard(&k, again);
    it_sub_close(&again);
    it_sub_close(&sus);
    it_sub_close(&rek);
    it_sub_close(&other);
    cast_free(&k);
}
END_TEST

/* An unknown length-delimited field: protobuf-c keeps (and packs) an
 * unknown field's bytes after its tag, so the data starts with the length
 * varint. Returns the buffer to free. */
static uint8_t *plant(ProtobufCMessage *m, ProtobufCMessageUnknownField *uf,
                      uint32_t tag, const uint8_t *blob, size_t len)
{
    uint8_t *data = malloc(len + 10);
    ck_assert_ptr_nonnull(data);
    size_t n = 0;
    for (size_t v = len;; v >>= 7) {
        data[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80)
            break;
    }
    memcpy(data + n, blob, len);
    uf->tag = tag;
    uf->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    uf->len = n + len;
    uf->data = data;
    m->unknown_fields = uf;
    m->n_unknown_fields = 1;
    return data;
}

/* Does file path contain needle? */
static bool file_has(const char *path, const uint8_t *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *buf = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    bool found = memmem(buf, (size_t)size, needle, n) != NULL;
    free(buf);
    return found;
}

START_TEST(unknown_fields_not_stored)
{
    static cast_t k;
    cast_new(&k);
    enum { BLOB = 200 * 1024 };
    uint8_t *blob = malloc(BLOB);
    ck_assert_ptr_nonnull(blob);
    static const char mark[] = "PLANTED-FOR-A-FUTURE-SCHEMA-";
    for (size_t i = 0; i < BLOB; i++)
        blob[i] = (uint8_t)mark[i % (sizeof mark - 1)];

    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    Shangju__Service s = SHANGJU__SERVICE__INIT;
    Shangju__Service *ss[] = {&s};
    ProtobufCMessageUnknownField u1, u2, u3;
    s.name = (char *)"tea";
    s.points = 3;
    l.name = (char *)"Tea house";
    l.category = (char *)"shop";
    l.services = ss;
    l.n_services = 1;
    p.listing = &l;
    p.create = true;
    req.body_case = K(LISTING_PUT);
    req.listing_put = &p;
    uint8_t *d1 = plant(&l.base, &u1, 900, blob, BLOB - 64); /* record */
    uint8_t *d2 = plant(&s.base, &u2, 901, blob, 16);        /* deeper */
    uint8_t *d3 = plant(&req.base, &u3, 902, blob, 16);      /* the envelope */
    ck_assert_uint_gt(protobuf_c_message_get_packed_size(&req.base), BLOB);
    Shangju__Reply *r = it_call(k.m2, &req);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_uint_eq(r->listing->base.n_unknown_fields, 0);
    ck_assert_uint_eq(r->listing->services[0]->base.n_unknown_fields, 0);
    ck_assert_uint_eq(r->base.n_unknown_fields, 0);
    shangju__reply__free_unpacked(r, NULL);
    /* A retry gets the stored reply (dedup): nothing planted in it. */
    r = it_call(k.m2, &req);
    ck_assert_int_eq(r->status, ST(OK));
    size_t len = protobuf_c_message_get_packed_size(&r->base);
    ck_assert_uint_lt(len, 1024);
    shangju__reply__free_unpacked(r, NULL);

    /* Served to readers: neither by get nor in the feed. */
    Shangju__Request g = SHANGJU__REQUEST__INIT;
    Shangju__ListingGet lg = SHANGJU__LISTING_GET__INIT;
    lg.merchant_id = k.id_m2;
    g.body_case = K(LISTING_GET);
    g.listing_get = &lg;
    r = it_call(k.r2, &g);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_uint_lt(protobuf_c_message_get_packed_size(&r->base), 1024);
    ck_assert_uint_eq(r->listing->base.n_unknown_fields, 0);
    shangju__reply__free_unpacked(r, NULL);
    r = replay(k.r2, 1, 0);
    ck_assert_int_eq(r->status, ST(OK));
    ck_assert_uint_lt(protobuf_c_message_get_packed_size(&r->base), 8192);
    const Shangju__Event *ev = find_topic(r->events, "merchant.registered", 0);
    ck_assert_ptr_nonnull(ev);
    ck_assert_uint_eq(ev->listing->base.n_unknown_fields, 0);
    shangju__reply__free_unpacked(r, NULL);

    /* Stored: not a trace of the marker in the store file. */
    it_broker_stop(&k.b);
    char path[320];
    snprintf(path, sizeof path, "%s/data.mdb", k.b.dir);
    ck_assert_msg(!file_has(path, blob, 64),
                  "the planted field was written to the store");
    it_broker_start(&k.b, NULL);
    free(blob);
    free(d1);
    free(d2);
    free(d3);
    cast_free(&k);
}
END_TEST

/* ------------------------------------------------------------- privacy */

/* What viewer's request API shows of the event body's record. */
static Shangju__Reply *api_view(sj_client_t *viewer, const Shangju__Event *ev)
{
    Shangju__Request req;
    it_bodies_t bodies;
    switch (ev->body_case) {
    case SHANGJU__EVENT__BODY_MEMBER:
        it_request(&req, &bodies, K(MEMBER_GET), ev->member->id);
        break;
    case SHANGJU__EVENT__BODY_WISH:
        it_request(&req, &bodies, K(WISH_GET), ev->wish->id);
        break;
    case SHANGJU__EVENT__BODY_LISTING:
        it_request(&req, &bodies, K(LISTING_GET), ev->listing->merchant_id);
        break;
    default:
        ck_abort_msg("no request view for event %llu",
                     (unsigned long long)ev->seq);
    }
    Shangju__Reply *r = it_call(viewer, &req);
    ck_assert_msg(r->status == ST(OK), "%s: %s", sj_request_kind(&req),
                  r->message);
    return r;
}

/* viewer's whole points history (caller frees). */
static Shangju__Reply **history(sj_client_t *viewer, size_t *n_pages)
{
    Shangju__Reply **pages = NULL;
    uint64_t after = 0;
    *n_pages = 0;
    do {
        Shangju__Request req = SHANGJU__REQUEST__INIT;
        Shangju__PointsHistory h = SHANGJU__POINTS_HISTORY__INIT;
        h.after = after;
        req.body_case = K(POINTS_HISTORY);
        req.points_history = &h;
        Shangju__Reply *r = it_call(viewer, &req);
        ck_assert_int_eq(r->status, ST(OK));
        pages = realloc(pages, (*n_pages + 1) * sizeof *pages);
        pages[(*n_pages)++] = r;
        after = r->entries->next;
    } while (after);
    return pages;
}

static void assert_entry_allowed(sj_client_t *viewer, uint64_t me,
                                 const Shangju__Event *ev)
{
    const Shangju__LedgerEntry *e = ev->entry;
    size_t n_pages;
    Shangju__Reply **pages = history(viewer, &n_pages);
    bool ok = false;
    for (size_t i = 0; i < n_pages && !ok; i++)
        for (size_t j = 0; j < pages[i]->entries->n_items && !ok; j++) {
            const Shangju__LedgerEntry *h = pages[i]->entries->items[j];
            if (e->member_id == me && h->seq == e->seq)
                /* Their own entry: the same one, field for field. */
                ok = protobuf_c_message_get_packed_size(&h->base) ==
                         protobuf_c_message_get_packed_size(&e->base) &&
                     h->amount == e->amount && strcmp(h->memo, e->memo) == 0 &&
                     h->transfer_id == e->transfer_id &&
                     h->hash.len == e->hash.len &&
                     memcmp(h->hash.data, e->hash.data, h->hash.len) == 0;
            else if (e->member_id != me && h->transfer_id == e->transfer_id)
                /* The other side: what their own entry already says, and
                 * no chain positions of someone else's entry. */
                ok = h->amount == -e->amount && strcmp(h->memo, e->memo) == 0 &&
                     !has(&e->base, "seq") && !has(&e->base, "hash") &&
                     !has(&e->base, "prev_hash");
        }
    ck_assert_msg(ok,
                  "event %llu shows member %llu a ledger entry its points "
                  "history does not",
                  (unsigned long long)ev->seq, (unsigned long long)me);
    for (size_t i = 0; i < n_pages; i++)
        shangju__reply__free_unpacked(pages[i], NULL);
    free(pages);
}

/* Collected by the subscription callback: each event packed. */
typedef struct {
    uint8_t *buf[512];
    size_t len[512];
    size_t n;
    int errors;
} got_t;

static void on_event(sj_client_t *c, const Shangju__Event *ev, int err,
                     void *ud)
{
    got_t *g = ud;
    (void)c;
    if (!ev) {
        g->errors++;
        (void)err;
        return;
    }
    ck_assert_uint_lt(g->n, 512);
    g->len[g->n] = protobuf_c_message_get_packed_size(&ev->base);
    g->buf[g->n] = malloc(g->len[g->n] + 1);
    protobuf_c_message_pack(&ev->base, g->buf[g->n]);
    g->n++;
}

/* web: the public web front (issue 10), which Replay answers with stubs
 * alone. */
static void check_viewer(cast_t *k, sj_client_t *viewer, uint64_t me,
                         bool committee, bool web, void *live, const char *role)
{
    uint64_t last = it_last_seq(k->com);
    /* Live stubs heard on a raw SUB socket during the scenario. */
    Shangju__Event *ev;
    size_t heard = 0, len;
    while ((ev = it_sub_recv(live, 200, &len))) {
        assert_stub(ev);
        uint8_t buf[4096];
        ck_assert_uint_le(len, sizeof buf);
        protobuf_c_message_pack(&ev->base, buf);
        assert_no_secret(buf, len, k, false, ev->seq);
        heard++;
        shangju__event__free_unpacked(ev, NULL);
    }
    ck_assert_msg(heard > 0, "%s heard no live stub", role);

    /* The whole log through the client library (Replay, per caller). */
    got_t *g = calloc(1, sizeof *g);
    ck_assert_int_eq(sj_client_subscribe(viewer, NULL, 0, 1, on_event, g), 0);
    int64_t end = it_now_ms() + 20000;
    while (sj_client_last_seq(viewer) < last && it_now_ms() < end)
        sj_client_wait(viewer, 100);
    sj_client_unsubscribe(viewer);
    ck_assert_uint_eq(g->n, last);
    for (size_t i = 0; i < g->n; i++) {
        ev = sj_codec_event_decode(g->buf[i], g->len[i]);
        ck_assert_ptr_nonnull(ev);
        ck_assert_uint_eq(ev->seq, i + 1); /* gapless for every reader */
        ck_assert_uint_eq(ev->base.n_unknown_fields, 0);
        if (!committee)
            ck_assert_msg(ev->actor_id == 0 || ev->actor_id == me,
                          "%s sees who acted in event %llu", role,
                          (unsigned long long)ev->seq);
        bool memo_ok = committee;
        if (web) {
            ck_assert_msg(ev->body_case == SHANGJU__EVENT__BODY__NOT_SET,
                          "the web front sees the body of event %llu",
                          (unsigned long long)ev->seq);
            assert_stub(ev);
        }
        switch (ev->body_case) {
        case SHANGJU__EVENT__BODY__NOT_SET:
            if (ev->withheld)
                assert_stub(ev);
            break;
        case SHANGJU__EVENT__BODY_MEMBER: {
            const Shangju__Member *m = ev->member;
            ck_assert(
                !has(&m->base, "contact") && !has(&m->base, "public_key") &&
                !has(&m->base, "chat_handle") && !has(&m->base, "bridge_id"));
            Shangju__Reply *r = api_view(viewer, ev);
            assert_subset(&m->base, &r->member->base, "member", ev->seq);
            shangju__reply__free_unpacked(r, NULL);
            break;
        }
        case SHANGJU__EVENT__BODY_WISH: {
            ck_assert(!has(&ev->wish->base, "owner_contact") &&
                      !has(&ev->wish->base, "handover_code"));
            Shangju__Reply *r = api_view(viewer, ev);
            assert_subset(&ev->wish->base, &r->wish->base, "wish", ev->seq);
            shangju__reply__free_unpacked(r, NULL);
            break;
        }
        case SHANGJU__EVENT__BODY_LISTING: {
            Shangju__Reply *r = api_view(viewer, ev);
            assert_subset(&ev->listing->base, &r->listing->base, "listing",
                          ev->seq);
            shangju__reply__free_unpacked(r, NULL);
            break;
        }
        case SHANGJU__EVENT__BODY_ENTRY:
            if (!committee)
                assert_entry_allowed(viewer, me, ev);
            memo_ok = true;
            break;
        default:
            ck_abort_msg("unexpected body in event %llu",
                         (unsigned long long)ev->seq);
        }
        assert_no_secret(g->buf[i], g->len[i], k, memo_ok, ev->seq);
        shangju__event__free_unpacked(ev, NULL);
        free(g->buf[i]);
    }
    free(g);
}

START_TEST(every_role_sees_only_what_the_api_shows)
{
    static cast_t k;
    cast_new(&k);
    sj_keypair_t kw;
    uint64_t id_w = it_member_add(k.com, ROLE(WEB), "Web front", NULL, 0, &kw);
    remember_key(&k, &kw);
    sj_client_t *web = it_client(&k.b, &kw, 3000, 3);
    void *live[5] = {it_sub_open(&k.b, &k.kr2), it_sub_open(&k.b, &k.km2),
                     it_sub_open(&k.b, NULL), it_sub_open(&k.b, &k.kb),
                     it_sub_open(&k.b, &kw)};
    for (int i = 0; i < 5; i++)
        until_heard(&k, live[i]);
    points_scenario(&k);
    sj_keypair_t r1_new, m1_new;
    rekey(k.com, k.id_r1, &r1_new); /* the committee rekeys R1 */
    rekey(k.m1, k.id_m1, &m1_new);  /* M1 rekeys itself */
    remember_key(&k, &r1_new);
    remember_key(&k, &m1_new);
    suspend(k.com, k.id_m3);
    it_wish_post(k.r2, "Last one", 0);

    check_viewer(&k, k.r2, k.id_r2, false, false, live[0], "a resident");
    check_viewer(&k, k.m2, k.id_m2, false, false, live[1], "a merchant");
    check_viewer(&k, k.com, k.id_com, true, false, live[2], "the committee");
    check_viewer(&k, k.bri, k.id_b, false, false, live[3], "a bridge");
    check_viewer(&k, web, id_w, false, true, live[4], "the web front");
    sj_client_destroy(&web);

    /* A suspended member gets nothing. */
    Shangju__Reply *r = replay(k.m3, 1, 0);
    ck_assert_int_eq(r->status, ST(PERMISSION_DENIED));
    ck_assert_int_eq(r->body_case, SHANGJU__REPLY__BODY__NOT_SET);
    shangju__reply__free_unpacked(r, NULL);
    for (int i = 0; i < 5; i++)
        it_sub_close(&live[i]);
    cast_free(&k);
}
END_TEST

int main(int argc, char **argv)
{
    it_init(argc, argv);
    Suite *s = suite_create("it_feed");
    TCase *tc = tcase_create("findings");
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, pub_carries_only_stubs);
    tcase_add_test(tc, replay_answers_per_caller);
    tcase_add_test(tc, revoked_key_stops_live_feed);
    tcase_add_test(tc, unknown_fields_not_stored);
    suite_add_tcase(s, tc);
    TCase *pv = tcase_create("privacy");
    tcase_set_timeout(pv, 100);
    tcase_add_test(pv, every_role_sees_only_what_the_api_shows);
    suite_add_tcase(s, pv);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    it_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
