/* broker/domain/visibility: each record kind's rule for each kind of
 * viewer (committee, the record's own member, a party, a bystander, the
 * log), the stub every PUB subscriber gets, and the per-reader event view;
 * plus proto/codec's stripping of fields the schema does not know. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "visibility.h"

#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x

static uint8_t key[32] = {1, 2, 3};

static Shangju__Member person(uint64_t id, Shangju__Role role)
{
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    m.id = id;
    m.role = role;
    m.name = (char *)"Name";
    m.status = SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    return m;
}

START_TEST(member_rule)
{
    Shangju__Member r = person(5, ROLE(RESIDENT));
    r.contact = (char *)"139";
    r.chat_handle = (char *)"wx";
    r.bridge_id = 9;
    r.public_key.data = key;
    r.public_key.len = 32;
    Shangju__Member com = person(1, ROLE(COMMITTEE));
    Shangju__Member bridge = person(9, ROLE(BRIDGE));
    Shangju__Member other = person(6, ROLE(RESIDENT));
    Shangju__Member v;
    sj_vis_member(&com, &r, &v);
    ck_assert_str_eq(v.contact, "139");
    ck_assert_uint_eq(v.public_key.len, 32);
    ck_assert_uint_eq(v.bridge_id, 9);
    sj_vis_member(&r, &r, &v); /* oneself */
    ck_assert_str_eq(v.chat_handle, "wx");
    const Shangju__Member *hidden_from[] = {&bridge, &other, NULL};
    for (size_t i = 0; i < 3; i++) {
        sj_vis_member(hidden_from[i], &r, &v);
        ck_assert_str_eq(v.contact, "");
        ck_assert_str_eq(v.chat_handle, "");
        ck_assert_uint_eq(v.bridge_id, 0);
        ck_assert_uint_eq(v.public_key.len, 0);
        ck_assert_str_eq(v.name, "Name");
        ck_assert_uint_eq(v.id, 5);
    }
}
END_TEST

/* The chat fields (links.c): the committee and the member themself see
 * them, the invite's hash no one; the member's own bridge gets the link
 * (handle, language) through the link view only, and never the contact,
 * key, invite or cursor; another bridge gets nothing of it. */
START_TEST(member_chat_fields)
{
    static uint8_t hash[32] = {7};
    Shangju__Member r = person(5, ROLE(RESIDENT));
    r.contact = (char *)"139";
    r.chat_handle = (char *)"wx";
    r.bridge_id = 9;
    r.public_key.data = key;
    r.public_key.len = 32;
    r.chat_lang = (char *)"en";
    r.chat_cursor = 44;
    r.invite_hash.data = hash;
    r.invite_hash.len = 32;
    r.invite_expires_at = 1000;
    r.invite_bridge_id = 9;
    Shangju__Member com = person(1, ROLE(COMMITTEE));
    Shangju__Member bridge = person(9, ROLE(BRIDGE));
    Shangju__Member other_bridge = person(10, ROLE(BRIDGE));
    Shangju__Member v;
    sj_vis_member(&com, &r, &v);
    ck_assert_str_eq(v.chat_lang, "en");
    ck_assert_int_eq(v.invite_expires_at, 1000);
    ck_assert_uint_eq(v.invite_hash.len, 0);
    sj_vis_member(&r, &r, &v);
    ck_assert_uint_eq(v.chat_cursor, 44);
    ck_assert_uint_eq(v.invite_hash.len, 0);
    sj_vis_member(&bridge, &r, &v);
    ck_assert_str_eq(v.chat_lang, "");
    ck_assert_int_eq(v.invite_expires_at, 0);
    sj_vis_member_link(&bridge, &r, &v);
    ck_assert_str_eq(v.chat_handle, "wx");
    ck_assert_uint_eq(v.bridge_id, 9);
    ck_assert_str_eq(v.chat_lang, "en");
    ck_assert_str_eq(v.contact, "");
    ck_assert_uint_eq(v.public_key.len, 0);
    ck_assert_uint_eq(v.invite_hash.len, 0);
    ck_assert_int_eq(v.invite_expires_at, 0);
    ck_assert_uint_eq(v.invite_bridge_id, 0);
    ck_assert_uint_eq(v.chat_cursor, 0);
    const Shangju__Member *not_its[] = {&other_bridge, &com, NULL};
    sj_vis_member_link(not_its[0], &r, &v);
    ck_assert_str_eq(v.chat_handle, "");
    ck_assert_str_eq(v.chat_lang, "");
    sj_vis_member_link(not_its[2], &r, &v);
    ck_assert_str_eq(v.chat_handle, "");
    sj_vis_member_link(not_its[1], &r, &v); /* the committee: its full view */
    ck_assert_str_eq(v.contact, "139");
    ck_assert_uint_eq(v.invite_hash.len, 0);
}
END_TEST

START_TEST(wish_rule)
{
    Shangju__Member owner = person(5, ROLE(RESIDENT));
    owner.contact = (char *)"139";
    owner.bridge_id = 9;
    Shangju__Member bridge = person(9, ROLE(BRIDGE));
    Shangju__Member other_bridge = person(10, ROLE(BRIDGE));
    Shangju__Member claimant = person(7, ROLE(MERCHANT));
    Shangju__Member merchant = person(8, ROLE(MERCHANT));
    Shangju__Member com = person(1, ROLE(COMMITTEE));
    Shangju__Claim cl = SHANGJU__CLAIM__INIT;
    cl.merchant_id = 7;
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = 3;
    w.owner_id = 5;
    w.posted_by = 9; /* the bridge posted for the owner */
    w.state = WS(CLAIMED);
    w.claim = &cl;
    w.title = (char *)"Photos";
    w.handover_code = (char *)"SECRET";
    Shangju__Wish v;
    struct {
        const Shangju__Member *who;
        bool contact, poster;
    } rows[] = {
        {&com, true, true},        {&owner, true, true},
        {&bridge, true, true},     {&claimant, true, false},
        {&merchant, false, false}, {&other_bridge, false, false},
        {NULL, false, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sj_vis_wish(rows[i].who, &w, &owner, &v);
        ck_assert_str_eq(v.owner_contact, rows[i].contact ? "139" : "");
        ck_assert_uint_eq(v.posted_by, rows[i].poster ? 9 : 0);
        ck_assert_str_eq(v.handover_code, "");
        ck_assert_str_eq(v.title, "Photos");
    }
    /* Without the owner record (an event) there is no contact at all. */
    sj_vis_wish(&com, &w, NULL, &v);
    ck_assert_str_eq(v.owner_contact, "");
    /* A released claim shows no more contact. */
    w.state = WS(OPEN);
    sj_vis_wish(&claimant, &w, &owner, &v);
    ck_assert_str_eq(v.owner_contact, "");
    /* Posted by the owner: public. */
    w.posted_by = 5;
    sj_vis_wish(NULL, &w, NULL, &v);
    ck_assert_uint_eq(v.posted_by, 5);
}
END_TEST

START_TEST(entry_rule)
{
    Shangju__LedgerEntry e = SHANGJU__LEDGER_ENTRY__INIT;
    uint8_t h[32] = {7};
    e.seq = 11;
    e.transfer_id = 4;
    e.member_id = 5; /* the payer */
    e.amount = -3;
    e.kind = (char *)"spend";
    e.ref = 8; /* the payee */
    e.memo = (char *)"tea: thanks";
    e.hash.data = h;
    e.hash.len = 32;
    Shangju__Member payer = person(5, ROLE(RESIDENT));
    Shangju__Member payee = person(8, ROLE(MERCHANT));
    Shangju__Member com = person(1, ROLE(COMMITTEE));
    Shangju__Member other = person(6, ROLE(MERCHANT));
    Shangju__LedgerEntry v;
    ck_assert_int_eq(sj_vis_entry(&payer, &e, &v), SJ_VIS_FULL);
    ck_assert_uint_eq(v.seq, 11);
    ck_assert_int_eq(sj_vis_entry(&com, &e, &v), SJ_VIS_FULL);
    ck_assert_uint_eq(v.hash.len, 32);
    ck_assert_int_eq(sj_vis_entry(&payee, &e, &v), SJ_VIS_PARTY);
    ck_assert_int_eq(v.amount, -3);
    ck_assert_str_eq(v.memo, "tea: thanks");
    ck_assert_uint_eq(v.seq, 0);
    ck_assert_uint_eq(v.hash.len, 0);
    ck_assert_int_eq(sj_vis_entry(&other, &e, &v), SJ_VIS_NONE);
    ck_assert_int_eq(v.amount, 0);
    ck_assert_str_eq(v.memo, "");
    ck_assert_int_eq(sj_vis_entry(NULL, &e, &v), SJ_VIS_NONE);
    /* An earning's ref is the wish: it makes nobody a party. */
    e.kind = (char *)"earn.wish";
    ck_assert_int_eq(sj_vis_entry(&payee, &e, &v), SJ_VIS_NONE);
}
END_TEST

START_TEST(event_views)
{
    Shangju__LedgerEntry e = SHANGJU__LEDGER_ENTRY__INIT;
    e.transfer_id = 4;
    e.member_id = 5;
    e.amount = 10;
    e.kind = (char *)"earn.wish";
    e.memo = (char *)"wish 3";
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.seq = 42;
    ev.at = 1000;
    ev.topic = (char *)"points.earned";
    ev.actor_id = 5;
    ev.body_case = SHANGJU__EVENT__BODY_ENTRY;
    ev.entry = &e;
    sj_vis_event_t v;

    sj_vis_stub(&ev, &v); /* the PUB socket */
    ck_assert_uint_eq(v.ev.seq, 42);
    ck_assert_int_eq(v.ev.subject,
                     SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_POINTS);
    ck_assert_uint_eq(v.ev.subject_id, 4);
    ck_assert(v.ev.withheld);
    ck_assert_int_eq(v.ev.body_case, SHANGJU__EVENT__BODY__NOT_SET);
    ck_assert_uint_eq(v.ev.actor_id, 0);

    Shangju__Member earner = person(5, ROLE(MERCHANT));
    Shangju__Member other = person(6, ROLE(MERCHANT));
    Shangju__Member com = person(1, ROLE(COMMITTEE));
    sj_vis_event(&earner, &ev, &v);
    ck_assert_int_eq(v.ev.body_case, SHANGJU__EVENT__BODY_ENTRY);
    ck_assert_int_eq(v.ev.entry->amount, 10);
    ck_assert_uint_eq(v.ev.actor_id, 5);
    ck_assert(!v.ev.withheld);
    sj_vis_event(&other, &ev, &v);
    ck_assert_int_eq(v.ev.body_case, SHANGJU__EVENT__BODY__NOT_SET);
    ck_assert(v.ev.withheld);
    ck_assert_uint_eq(v.ev.actor_id, 0);
    ck_assert_uint_eq(v.ev.seq, 42);
    sj_vis_event(&com, &ev, &v);
    ck_assert_uint_eq(v.ev.actor_id, 5);

    /* A member event, even to the committee, carries no key or link. */
    Shangju__Member m = person(5, ROLE(RESIDENT));
    m.public_key.data = key;
    m.public_key.len = 32;
    m.bridge_id = 9;
    ev.body_case = SHANGJU__EVENT__BODY_MEMBER;
    ev.member = &m;
    ev.topic = (char *)"member.rekeyed";
    sj_vis_event(&com, &ev, &v);
    ck_assert_int_eq(v.ev.body_case, SHANGJU__EVENT__BODY_MEMBER);
    ck_assert_uint_eq(v.ev.member->public_key.len, 0);
    ck_assert_uint_eq(v.ev.member->bridge_id, 0);
    ck_assert_uint_eq(v.ev.subject_id, 5);
}
END_TEST

static size_t varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    for (;; v >>= 7) {
        out[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80)
            return n;
    }
}

/* The bytes of an unknown length-delimited field (key, length, payload). */
static size_t unknown_field(uint8_t *out, uint32_t tag, size_t len)
{
    size_t n = varint(out, ((uint64_t)tag << 3) | 2);
    n += varint(out + n, len);
    memset(out + n, 'X', len);
    return n + len;
}

START_TEST(strip_unknown_fields)
{
    /* A ListingPut whose listing and service carry unknown fields, inside
     * a Request that carries one too. */
    Shangju__Service s = SHANGJU__SERVICE__INIT;
    Shangju__Service *ss[] = {&s};
    s.name = (char *)"tea";
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.name = (char *)"Tea house";
    l.services = ss;
    l.n_services = 1;
    Shangju__ListingPut p = SHANGJU__LISTING_PUT__INIT;
    p.listing = &l;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.request_id = 1;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &p;
    size_t len = protobuf_c_message_get_packed_size(&req.base);
    uint8_t *buf = malloc(len + 70000);
    protobuf_c_message_pack(&req.base, buf);
    /* Append a 65,000-byte unknown field 900 to the envelope. */
    len += unknown_field(buf + len, 900, 65000);
    Shangju__Request *q = sj_codec_request_decode(buf, len);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(q->base.n_unknown_fields, 1);
    ck_assert_uint_ge(sj_codec_strip_unknown(&q->base), 65000);
    ck_assert_uint_eq(q->base.n_unknown_fields, 0);
    ck_assert_str_eq(q->listing_put->listing->name, "Tea house");
    ck_assert_uint_eq(sj_codec_strip_unknown(&q->base), 0); /* twice: safe */
    shangju__request__free_unpacked(q, NULL);

    /* Deeper: unknown fields inside the service, found and dropped. */
    uint8_t inner[64];
    ProtobufCMessageUnknownField uf = {
        .tag = 900,
        .wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED,
        .len = 0,
        .data = inner,
    };
    inner[0] = 40;
    memset(inner + 1, 'Y', 40);
    uf.len = 41;
    s.base.unknown_fields = &uf;
    s.base.n_unknown_fields = 1;
    l.base.unknown_fields = &uf;
    l.base.n_unknown_fields = 1;
    len = protobuf_c_message_get_packed_size(&req.base);
    protobuf_c_message_pack(&req.base, buf);
    q = sj_codec_request_decode(buf, len);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq(q->listing_put->listing->base.n_unknown_fields, 1);
    ck_assert_uint_eq(
        q->listing_put->listing->services[0]->base.n_unknown_fields, 1);
    ck_assert_uint_eq(sj_codec_strip_unknown(&q->base), 82);
    ck_assert_uint_eq(q->listing_put->listing->base.n_unknown_fields, 0);
    ck_assert_uint_eq(
        q->listing_put->listing->services[0]->base.n_unknown_fields, 0);
    ck_assert_uint_lt(protobuf_c_message_get_packed_size(&q->base), 64);
    shangju__request__free_unpacked(q, NULL);
    free(buf);
}
END_TEST

/* The public web front (issue 10): no resident's name, no contact, key,
 * owner, poster or hand-over state; a merchant's name and record; only
 * stubs in Replay, whatever the body. */
START_TEST(web_sees_least)
{
    Shangju__Member web = person(20, ROLE(WEB));
    Shangju__Member r = person(5, ROLE(RESIDENT));
    r.name = (char *)"Auntie Wang";
    r.contact = (char *)"139";
    r.community = (char *)"Garden";
    r.public_key.data = key;
    r.public_key.len = 32;
    Shangju__Member v;
    sj_vis_member(&web, &r, &v);
    ck_assert_str_eq(v.name, "");
    ck_assert_str_eq(v.contact, "");
    ck_assert_str_eq(v.community, "");
    ck_assert_uint_eq(v.public_key.len, 0);
    ck_assert_int_eq(v.role, ROLE(RESIDENT));
    Shangju__Member m = person(7, ROLE(MERCHANT));
    m.wishes_fulfilled = 3;
    m.ratings_received = 2;
    m.rating_sum = 9;
    m.contact = (char *)"138";
    sj_vis_member(&web, &m, &v);
    ck_assert_str_eq(v.name, "Name");
    ck_assert_str_eq(v.contact, "");
    ck_assert_uint_eq(v.wishes_fulfilled, 3);
    ck_assert_uint_eq(v.rating_sum, 9);

    Shangju__Claim claim = SHANGJU__CLAIM__INIT;
    claim.merchant_id = 7;
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = 3;
    w.owner_id = 5;
    w.posted_by = 5;
    w.title = (char *)"Radio";
    w.state = WS(CLAIMED);
    w.claim = &claim;
    w.handover_code = (char *)"ABCDEFGH";
    w.handover_failures = 2;
    Shangju__Wish wv;
    sj_vis_wish(&web, &w, &r, &wv);
    ck_assert_str_eq(wv.title, "Radio");
    ck_assert_str_eq(wv.owner_contact, "");
    ck_assert_str_eq(wv.owner_name, "");
    ck_assert_str_eq(wv.handover_code, "");
    ck_assert_uint_eq(wv.owner_id, 0);
    ck_assert_uint_eq(wv.posted_by, 0);
    ck_assert_uint_eq(wv.handover_failures, 0);
    ck_assert_uint_eq(wv.claim->merchant_id, 7);

    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.seq = 4;
    ev.topic = (char *)"member.added";
    ev.actor_id = 20;
    ev.body_case = SHANGJU__EVENT__BODY_MEMBER;
    ev.member = &r;
    sj_vis_event_t out;
    sj_vis_event(&web, &ev, &out);
    ck_assert(out.ev.withheld);
    ck_assert_int_eq(out.ev.body_case, SHANGJU__EVENT__BODY__NOT_SET);
    ck_assert_uint_eq(out.ev.subject_id, 5);
    ck_assert_uint_eq(out.ev.actor_id, 0);
    ev.body_case = SHANGJU__EVENT__BODY_WISH;
    ev.wish = &w;
    sj_vis_event(&web, &ev, &out);
    ck_assert(out.ev.withheld);
    ck_assert_uint_eq(out.ev.subject_id, 3);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("visibility");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, member_rule);
    tcase_add_test(tc, web_sees_least);
    tcase_add_test(tc, member_chat_fields);
    tcase_add_test(tc, wish_rule);
    tcase_add_test(tc, entry_rule);
    tcase_add_test(tc, event_views);
    tcase_add_test(tc, strip_unknown_fields);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
