/* Whole-store consistency check for `shangju admin verify`: every record
 * (members, wishes, listings, compacts) decodes, every index entry matches
 * its record and every record its index entries (one table of tables, the
 * keys computed by the tables' own key functions), the event log is
 * gapless, and the id counters are ahead of every id in use. The points
 * ledger's check is in ledger.c. Runs in a read transaction, so the broker
 * keeps serving. */
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

static bool has_key(vctx *c, int db, const uint8_t *key, size_t len)
{
    MDB_val k = {len, (void *)key}, d;
    return mdb_get(c->base.t->txn, c->base.t->store->dbi[db], &k, &d) == 0;
}

/* A table of records keyed by id(8) and the indexes derived from them. */
typedef struct {
    const char *what; /* "wish" */
    int db;
    const ProtobufCMessageDescriptor *desc;
    size_t id_offset; /* of the record's uint64 id field */
    store__index_key_fn *key;
    int index[4];
    const char *index_name[4];
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
      DB_WISH_BY_COMMUNITY},
     {"state", "owner", "claimant", "community"},
     4,
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

typedef struct {
    vctx *c;
    const table_t *tb;
    size_t index; /* reverse walk: which of tb's indexes */
    uint64_t max_id;
} table_walk;

static uint64_t id_of(const table_t *tb, const ProtobufCMessage *rec)
{
    return *(const uint64_t *)(const void *)((const char *)rec + tb->id_offset);
}

/* Forward: every record decodes, has the id of its key and every index
 * entry it should have. */
static int visit_record(void *vw, const MDB_val *key, const MDB_val *val)
{
    table_walk *w = vw;
    const table_t *tb = w->tb;
    uint64_t id = key->mv_size == 8 ? store__get_be64(key->mv_data) : 0;
    (*(uint64_t *)(void *)((char *)w->c->base.v + tb->count_offset))++;
    if (id > w->max_id)
        w->max_id = id;
    ProtobufCMessage *rec =
        protobuf_c_message_unpack(tb->desc, NULL, val->mv_size, val->mv_data);
    if (!rec || id == 0 || id_of(tb, rec) != id) {
        problem(w->c, "%s %llu: record does not decode or has another id",
                tb->what, (unsigned long long)id);
    } else {
        for (size_t i = 0; i < tb->n_index; i++) {
            uint8_t k[STORE_MAX_INDEX_KEY];
            size_t n = tb->key(rec, tb->index[i], k);
            if (n && !has_key(w->c, tb->index[i], k, n))
                problem(w->c, "%s %llu: missing from the %s index", tb->what,
                        (unsigned long long)id, tb->index_name[i]);
        }
    }
    if (rec)
        protobuf_c_message_free_unpacked(rec, NULL);
    return 0;
}

/* Backward: every index entry is the key its record has now. */
static int visit_index_entry(void *vw, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    table_walk *w = vw;
    const table_t *tb = w->tb;
    const char *name = tb->index_name[w->index];
    if (key->mv_size < 8 || key->mv_size > STORE_MAX_INDEX_KEY) {
        problem(w->c, "%s %s index: malformed key", tb->what, name);
        return 0;
    }
    uint64_t id =
        store__get_be64((const uint8_t *)key->mv_data + key->mv_size - 8);
    uint8_t rk[8], k[STORE_MAX_INDEX_KEY];
    store__be64(rk, id);
    ProtobufCMessage *rec = NULL;
    int err = store__get_msg(w->c->base.t, tb->db, rk, 8, tb->desc, &rec);
    if (err == SJ_ENOTFOUND || err == SJ_EIO) {
        problem(w->c, "%s %s index: %s %llu does not exist", tb->what, name,
                tb->what, (unsigned long long)id);
        return 0;
    }
    if (err)
        return err;
    size_t n = tb->key(rec, tb->index[w->index], k);
    if (n != key->mv_size || memcmp(k, key->mv_data, n) != 0)
        problem(w->c, "%s %s index: stale entry for %s %llu", tb->what, name,
                tb->what, (unsigned long long)id);
    protobuf_c_message_free_unpacked(rec, NULL);
    return 0;
}

/* The member key index (public key -> id) is not keyed by id: check that
 * every entry points at the member holding that key. */
static int visit_member_key(void *vc, const MDB_val *key, const MDB_val *val)
{
    vctx *c = vc;
    uint64_t id = val->mv_size == 8 ? store__get_be64(val->mv_data) : 0;
    Shangju__Member *m = NULL;
    if (key->mv_size != 32 || id == 0 || sj_member_get(c->base.t, id, &m)) {
        problem(c, "member key index: entry for member %llu has no member",
                (unsigned long long)id);
        return 0;
    }
    if (m->public_key.len != 32 || memcmp(m->public_key.data, key->mv_data, 32))
        problem(c, "member key index: member %llu no longer has that key",
                (unsigned long long)id);
    shangju__member__free_unpacked(m, NULL);
    return 0;
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
    table_walk w = {.c = c, .tb = tb};
    int err = store__scan(c->base.t, tb->db, "", 0, "", 0, visit_record, &w);
    for (w.index = 0; !err && w.index < tb->n_index; w.index++)
        err = store__scan(c->base.t, tb->index[w.index], "", 0, "", 0,
                          visit_index_entry, &w);
    if (!err && tb->counter != SJ_COUNTER__MAX)
        check_counter(c, tb->counter, w.max_id, tb->what);
    if (tb->db == DB_MEMBERS)
        c->base.v->max_member = w.max_id;
    else if (tb->db == DB_WISHES)
        c->base.v->max_wish = w.max_id;
    return err;
}

static int visit_event(void *vc, const MDB_val *key, const MDB_val *val)
{
    vctx *c = vc;
    uint64_t seq = key->mv_size == 8 ? store__get_be64(key->mv_data) : 0;
    c->base.v->events++;
    if (seq != c->expect_seq)
        problem(c, "event log: expected seq %llu, found %llu",
                (unsigned long long)c->expect_seq, (unsigned long long)seq);
    c->expect_seq = seq + 1;
    Shangju__Event *e =
        shangju__event__unpack(NULL, val->mv_size, val->mv_data);
    if (!e || e->seq != seq)
        problem(c, "event %llu: record does not decode or has another seq",
                (unsigned long long)seq);
    if (e)
        shangju__event__free_unpacked(e, NULL);
    return 0;
}

int sj_store_verify(sj_txn_t *t, sj_verify_fn *report, void *ud, sj_verify_t *v)
{
    memset(v, 0, sizeof *v);
    vctx c = {.base = {.t = t, .report = report, .ud = ud, .v = v},
              .expect_seq = 1};
    int err = 0;
    for (size_t i = 0; !err && i < sizeof tables / sizeof *tables; i++)
        err = check_table(&c, &tables[i]);
    if (!err)
        err =
            store__scan(t, DB_MEMBER_KEYS, "", 0, "", 0, visit_member_key, &c);
    if (!err)
        err = store__scan(t, DB_EVENTS, "", 0, "", 0, visit_event, &c);
    if (err)
        return err;
    check_counter(&c, SJ_COUNTER_EVENT, c.expect_seq - 1, "event");
    return sj_ledger_verify(t, report, ud, v);
}
