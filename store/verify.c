/* Whole-store consistency check for `shangju admin verify`: every record
 * (members, wishes, listings, compacts) decodes, every index entry matches
 * its record and every record its index entries (one table of tables, the
 * keys computed by the tables' own key functions), the event log is
 * gapless, and the id counters are ahead of every id in use. The points
 * ledger's check is in ledger_verify.c. Runs in a read transaction, so the
 * broker keeps serving. A record that does not decode is a finding here,
 * reported and counted, not an error: the walks decode values themselves
 * instead of through store__get_msg, which would make it sticky. */
#include "store_internal.h"
#include "ledger.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    store__check_t base; /* first: the walk's t, report, ud, v */
    uint64_t expect_seq; /* events: next seq expected */
} vctx;

void store__problem(store__check_t *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->v->problems++;
    if (c->report)
        c->report(c->ud, msg);
}

#define problem(c, ...) store__problem(&(c)->base, __VA_ARGS__)

static bool has_key(vctx *c, int db, const store__key_t *k)
{
    return store__get(c->base.t, db, k, NULL) == SJ_OK;
}

/* A table of records keyed by id(8) and the indexes derived from them. */
typedef struct {
    const char *what; /* "wish" */
    int db;
    const ProtobufCMessageDescriptor *desc;
    size_t id_offset; /* of the record's uint64 id field */
    store__index_key_fn *key;
    int index[6];
    const char *index_name[6];
    size_t n_index;
    sj_counter_t counter; /* SJ_COUNTER__MAX: ids not from a counter */
    size_t count_offset;  /* of the records-checked count in sj_verify_t */
} table_t;

#define ID_AT(type, field) offsetof(type, field)
#define COUNT_AT(field) offsetof(sj_verify_t, field)

static const table_t tables[] = {
    {"member",
     DB_MEMBERS,
     &shangju__member__descriptor,
     ID_AT(Shangju__Member, id),
     store__member_index_key,
     {DB_MEMBER_BY_ROLE, DB_MEMBER_BY_HANDLE},
     {"role", "chat handle"},
     2,
     SJ_COUNTER_MEMBER,
     COUNT_AT(members)},
    {"wish",
     DB_WISHES,
     &shangju__wish__descriptor,
     ID_AT(Shangju__Wish, id),
     store__wish_index_key,
     {DB_WISH_BY_STATE, DB_WISH_BY_OWNER, DB_WISH_BY_CLAIMANT,
      DB_WISH_BY_COMMUNITY, DB_WISH_BY_CATEGORY, DB_WISH_OPEN_BY_OWNER},
     {"state", "owner", "claimant", "community", "category", "open by owner"},
     6,
     SJ_COUNTER_WISH,
     COUNT_AT(wishes)},
    {"listing",
     DB_LISTINGS,
     &shangju__listing__descriptor,
     ID_AT(Shangju__Listing, merchant_id),
     store__listing_index_key,
     {DB_LISTING_BY_CATEGORY},
     {"category"},
     1,
     SJ_COUNTER__MAX,
     COUNT_AT(listings)},
    {"compact",
     DB_COMPACTS,
     &shangju__compact__descriptor,
     ID_AT(Shangju__Compact, id),
     store__compact_index_key,
     {DB_COMPACT_BY_STATE},
     {"state"},
     1,
     SJ_COUNTER_COMPACT,
     COUNT_AT(compacts)},
};

static uint64_t id_of(const table_t *tb, const ProtobufCMessage *rec)
{
    return *(const uint64_t *)(const void *)((const char *)rec + tb->id_offset);
}

/* Forward: every record decodes, has the id of its key and every index
 * entry it should have. *max_id gets the largest id seen. */
static int check_records(vctx *c, const table_t *tb, uint64_t *max_id)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, tb->db, NULL) {
        uint64_t id = it.key.len == 8 ? store__get_be64(it.key.data) : 0;
        (*(uint64_t *)(void *)((char *)c->base.v + tb->count_offset))++;
        if (id > *max_id)
            *max_id = id;
        ProtobufCMessage *rec =
            protobuf_c_message_unpack(tb->desc, NULL, it.val.len, it.val.data);
        if (!rec || id == 0 || id_of(tb, rec) != id) {
            problem(c, "%s %llu: record does not decode or has another id",
                    tb->what, (unsigned long long)id);
        } else {
            for (size_t i = 0; i < tb->n_index; i++) {
                store__key_t k;
                if (tb->key(rec, tb->index[i], &k) &&
                    !has_key(c, tb->index[i], &k))
                    problem(c, "%s %llu: missing from the %s index", tb->what,
                            (unsigned long long)id, tb->index_name[i]);
            }
        }
        if (rec)
            protobuf_c_message_free_unpacked(rec, NULL);
    }
    return store__iter_end(&it);
}

/* The record id (8 bytes) as a decoded record, or NULL (not found, or
 * not decodable: a problem for the caller to report). */
static ProtobufCMessage *load(vctx *c, const table_t *tb, uint64_t id)
{
    store__key_t k;
    store__val_t val;
    store__key_id(&k, id);
    if (store__get(c->base.t, tb->db, &k, &val) != SJ_OK)
        return NULL;
    return protobuf_c_message_unpack(tb->desc, NULL, val.len, val.data);
}

/* Backward: every entry of index i is the key its record has now. */
static int check_index(vctx *c, const table_t *tb, size_t i)
{
    const char *name = tb->index_name[i];
    store__iter_t it;
    store__foreach(&it, c->base.t, tb->index[i], NULL) {
        if (it.key.len < 8 || it.key.len > STORE_KEY_MAX) {
            problem(c, "%s %s index: malformed key", tb->what, name);
            continue;
        }
        uint64_t id = store__get_be64(it.key.data + it.key.len - 8);
        ProtobufCMessage *rec = load(c, tb, id);
        if (!rec) {
            problem(c, "%s %s index: %s %llu does not exist", tb->what, name,
                    tb->what, (unsigned long long)id);
            continue;
        }
        store__key_t k;
        if (!tb->key(rec, tb->index[i], &k) || k.len != it.key.len ||
            memcmp(k.b, it.key.data, k.len) != 0)
            problem(c, "%s %s index: stale entry for %s %llu", tb->what, name,
                    tb->what, (unsigned long long)id);
        protobuf_c_message_free_unpacked(rec, NULL);
    }
    return store__iter_end(&it);
}

/* The member key index (public key -> id) is not keyed by id: check that
 * every entry points at the member holding that key. */
static int check_member_keys(vctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_MEMBER_KEYS, NULL) {
        uint64_t id = it.val.len == 8 ? store__get_be64(it.val.data) : 0;
        Shangju__Member *m =
            it.key.len == 32 && id
                ? (Shangju__Member *)load(c, &tables[0] /* members */, id)
                : NULL;
        if (!m) {
            problem(c, "member key index: entry for member %llu has no member",
                    (unsigned long long)id);
            continue;
        }
        if (m->public_key.len != 32 ||
            memcmp(m->public_key.data, it.key.data, 32))
            problem(c, "member key index: member %llu no longer has that key",
                    (unsigned long long)id);
        shangju__member__free_unpacked(m, NULL);
    }
    return store__iter_end(&it);
}

static void check_counter(vctx *c, sj_counter_t k, uint64_t max,
                          const char *what)
{
    uint64_t last;
    if (sj_txn_last_id(c->base.t, k, &last) != 0)
        problem(c, "%s counter unreadable", what);
    else if (last < max)
        problem(c, "%s counter %llu is behind id %llu in use", what,
                (unsigned long long)last, (unsigned long long)max);
}

static int check_table(vctx *c, const table_t *tb)
{
    uint64_t max_id = 0;
    int err = check_records(c, tb, &max_id);
    for (size_t i = 0; !err && i < tb->n_index; i++)
        err = check_index(c, tb, i);
    if (!err && tb->counter != SJ_COUNTER__MAX)
        check_counter(c, tb->counter, max_id, tb->what);
    if (tb->db == DB_MEMBERS)
        c->base.v->max_member = max_id;
    else if (tb->db == DB_WISHES)
        c->base.v->max_wish = max_id;
    return err;
}

/* The event log is gapless from 1 and every event decodes. */
static int check_events(vctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_EVENTS, NULL) {
        uint64_t seq = it.key.len == 8 ? store__get_be64(it.key.data) : 0;
        c->base.v->events++;
        if (seq != c->expect_seq)
            problem(c, "event log: expected seq %llu, found %llu",
                    (unsigned long long)c->expect_seq, (unsigned long long)seq);
        c->expect_seq = seq + 1;
        Shangju__Event *e =
            shangju__event__unpack(NULL, it.val.len, it.val.data);
        if (!e || e->seq != seq)
            problem(c, "event %llu: record does not decode or has another seq",
                    (unsigned long long)seq);
        if (e)
            shangju__event__free_unpacked(e, NULL);
    }
    return store__iter_end(&it);
}

int sj_store_verify(sj_txn_t *t, sj_verify_fn *report, void *ud, sj_verify_t *v)
{
    const uint8_t *anchor_key = v->anchor_key; /* the one input */
    memset(v, 0, sizeof *v);
    v->anchor_key = anchor_key;
    vctx c = {.base = {.t = t, .report = report, .ud = ud, .v = v},
              .expect_seq = 1};
    int err = 0;
    for (size_t i = 0; !err && i < sizeof tables / sizeof *tables; i++)
        err = check_table(&c, &tables[i]);
    if (!err)
        err = check_member_keys(&c);
    if (!err)
        err = check_events(&c);
    if (err)
        return err;
    check_counter(&c, SJ_COUNTER_EVENT, c.expect_seq - 1, "event");
    return sj_ledger_verify(t, report, ud, v);
}
