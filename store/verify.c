/* Whole-store consistency check for `shangju admin verify`: every record
 * decodes, every index entry matches its record and every record its index
 * entries, the event log is gapless, and the id counters are ahead of every
 * id in use. Runs in a read transaction, so the broker keeps serving. */
#include "store_internal.h"
#include "ledger.h"

#include <stdarg.h>
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

static int visit_member(void *vc, const MDB_val *key, const MDB_val *val)
{
    vctx *c = vc;
    uint64_t id = key->mv_size == 8 ? store__get_be64(key->mv_data) : 0;
    Shangju__Member *m =
        shangju__member__unpack(NULL, val->mv_size, val->mv_data);
    c->base.v->members++;
    if (!m || m->id != id) {
        problem(c, "member %llu: record does not decode or has id %llu",
                (unsigned long long)id, m ? (unsigned long long)m->id : 0ULL);
    } else {
        MDB_val k = {m->public_key.len, m->public_key.data}, d;
        int rc = mdb_get(c->base.t->txn, c->base.t->store->dbi[DB_MEMBER_KEYS],
                         &k, &d);
        if (rc || d.mv_size != 8 || store__get_be64(d.mv_data) != id)
            problem(c, "member %llu: key index does not point to it",
                    (unsigned long long)id);
        uint8_t rk[9];
        rk[0] = (uint8_t)m->role;
        store__be64(rk + 1, id);
        if (!has_key(c, DB_MEMBER_BY_ROLE, rk, sizeof rk))
            problem(c, "member %llu: missing from the role index",
                    (unsigned long long)id);
        if (id > c->base.v->max_member)
            c->base.v->max_member = id;
    }
    if (m)
        shangju__member__free_unpacked(m, NULL);
    return 0;
}

/* The index keys a wish must have (same layout as wishes.c). */
static void check_wish_indexes(vctx *c, const Shangju__Wish *w)
{
    uint8_t k[16 + 256];
    k[0] = (uint8_t)w->state;
    store__be64(k + 1, w->id);
    if (!has_key(c, DB_WISH_BY_STATE, k, 9))
        problem(c, "wish %llu: missing from the state index",
                (unsigned long long)w->id);
    store__be64(k, w->owner_id);
    store__be64(k + 8, w->id);
    if (!has_key(c, DB_WISH_BY_OWNER, k, 16))
        problem(c, "wish %llu: missing from the owner index",
                (unsigned long long)w->id);
    size_t n = w->community ? strlen(w->community) : 0;
    if (n && n < 256) {
        memcpy(k, w->community, n);
        k[n] = 0;
        store__be64(k + n + 1, w->id);
        if (!has_key(c, DB_WISH_BY_COMMUNITY, k, n + 9))
            problem(c, "wish %llu: missing from the community index",
                    (unsigned long long)w->id);
    }
}

static int visit_wish(void *vc, const MDB_val *key, const MDB_val *val)
{
    vctx *c = vc;
    uint64_t id = key->mv_size == 8 ? store__get_be64(key->mv_data) : 0;
    Shangju__Wish *w = shangju__wish__unpack(NULL, val->mv_size, val->mv_data);
    c->base.v->wishes++;
    if (!w || w->id != id)
        problem(c, "wish %llu: record does not decode or has another id",
                (unsigned long long)id);
    else
        check_wish_indexes(c, w);
    if (id > c->base.v->max_wish)
        c->base.v->max_wish = id;
    if (w)
        shangju__wish__free_unpacked(w, NULL);
    return 0;
}

/* Index entries whose wish is gone or has moved on. */
static int visit_state_index(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    vctx *c = vc;
    if (key->mv_size != 9) {
        problem(c, "state index: malformed key");
        return 0;
    }
    const uint8_t *k = key->mv_data;
    uint64_t id = store__get_be64(k + 1);
    Shangju__Wish *w;
    if (sj_wish_get(c->base.t, id, &w) != 0) {
        problem(c, "state index: wish %llu does not exist",
                (unsigned long long)id);
        return 0;
    }
    if ((uint8_t)w->state != k[0])
        problem(c, "state index: wish %llu listed as state %u but is %d",
                (unsigned long long)id, k[0], (int)w->state);
    shangju__wish__free_unpacked(w, NULL);
    return 0;
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

int sj_store_verify(sj_txn_t *t, sj_verify_fn *report, void *ud, sj_verify_t *v)
{
    memset(v, 0, sizeof *v);
    vctx c = {.base = {.t = t, .report = report, .ud = ud, .v = v},
              .expect_seq = 1};
    int err = store__scan(t, DB_MEMBERS, "", 0, "", 0, visit_member, &c);
    if (!err)
        err = store__scan(t, DB_WISHES, "", 0, "", 0, visit_wish, &c);
    if (!err)
        err = store__scan(t, DB_WISH_BY_STATE, "", 0, "", 0, visit_state_index,
                          &c);
    if (!err)
        err = store__scan(t, DB_EVENTS, "", 0, "", 0, visit_event, &c);
    if (err)
        return err;
    check_counter(&c, SJ_COUNTER_MEMBER, v->max_member, "member");
    check_counter(&c, SJ_COUNTER_WISH, v->max_wish, "wish");
    check_counter(&c, SJ_COUNTER_EVENT, c.expect_seq - 1, "event");
    return sj_ledger_verify(t, report, ud, v);
}
