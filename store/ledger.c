/* The points ledger tables (see ledger.h): hash-chained entries and their
 * member index, the derived balances, yearly earnings and ranking index,
 * frozen rankings; the rebuild of the derived tables and the ledger part
 * of `admin verify`. */
#include "ledger.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"

#define MAX_PACKED 2048 /* an entry packs well below this (kind, memo caps) */

static const uint8_t zero_hash[SJ_LEDGER_HASH_BYTES];

uint32_t sj_ledger_year(int64_t at_ms)
{
    int64_t s = at_ms / 1000 - (at_ms % 1000 < 0 ? 1 : 0);
    time_t tt = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return 0;
    return (uint32_t)(tm.tm_year + 1900);
}

static void be32(uint8_t *out, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static bool is_earn(const char *kind)
{
    return kind && strncmp(kind, "earn.", 5) == 0;
}

/* SHA-256 over e packed with its hash field empty. */
static int entry_hash(const Shangju__LedgerEntry *e,
                      uint8_t out[SJ_LEDGER_HASH_BYTES])
{
    Shangju__LedgerEntry c = *e;
    c.hash.len = 0;
    c.hash.data = NULL;
    uint8_t buf[MAX_PACKED];
    size_t n = protobuf_c_message_get_packed_size(&c.base);
    if (n > sizeof buf)
        return SJ_EINVAL;
    protobuf_c_message_pack(&c.base, buf);
    crypto_hash_sha256(out, buf, n);
    return SJ_OK;
}

/* The one rule deriving an account from entries (ledger.h). */
static void account_apply(Shangju__Account *a, const Shangju__LedgerEntry *e)
{
    a->balance += e->amount;
    if (e->amount > 0 && is_earn(e->kind))
        a->earned += (uint64_t)e->amount;
    else if (e->amount < 0 && e->kind && strcmp(e->kind, "spend") == 0)
        a->spent += (uint64_t)-e->amount;
    else if (e->amount > 0 && e->kind && strcmp(e->kind, "receive") == 0)
        a->received += (uint64_t)e->amount;
}

/* ---------------------------------------------------------------- reads */

int sj_ledger_account(sj_txn_t *t, uint64_t member, Shangju__Account **out)
{
    uint8_t k[8];
    store__be64(k, member);
    return store__get_msg(t, DB_BALANCES, k, 8, &shangju__account__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_ledger_entry_get(sj_txn_t *t, uint64_t seq, Shangju__LedgerEntry **out)
{
    uint8_t k[8];
    store__be64(k, seq);
    return store__get_msg(t, DB_LEDGER, k, 8,
                          &shangju__ledger_entry__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_ledger_history(sj_txn_t *t, uint64_t member, uint64_t after,
                      size_t limit, Shangju__LedgerEntry ***items,
                      size_t *n_items, uint64_t *next)
{
    uint8_t prefix[8];
    store__be64(prefix, member);
    store__page_q q = {
        .index_db = DB_LEDGER_BY_MEMBER,
        .prefix = prefix,
        .plen = 8,
        .record_db = DB_LEDGER,
        .desc = &shangju__ledger_entry__descriptor,
        .after = after,
        .limit = limit,
    };
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_ledger_page_free(Shangju__LedgerEntry **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}

int sj_ledger_earned(sj_txn_t *t, uint32_t year, uint64_t member,
                     uint64_t *earned)
{
    if (t->err)
        return t->err;
    uint8_t k[12];
    be32(k, year);
    store__be64(k + 4, member);
    MDB_val key = {sizeof k, k}, d;
    int rc = mdb_get(t->txn, t->store->dbi[DB_EARNED], &key, &d);
    if (rc == MDB_NOTFOUND) {
        *earned = 0;
        return SJ_OK;
    }
    if (rc)
        return store__fail(t, rc);
    if (d.mv_size != 8)
        return SJ_EIO;
    *earned = store__get_be64(d.mv_data);
    return SJ_OK;
}

struct rank_ctx {
    sj_rank_row_t *rows;
    size_t max, n;
};

static int visit_rank(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    struct rank_ctx *c = vc;
    if (c->n == c->max)
        return 1;
    if (key->mv_size != 20)
        return SJ_EIO;
    const uint8_t *k = key->mv_data;
    c->rows[c->n].earned = ~store__get_be64(k + 4);
    c->rows[c->n].member_id = store__get_be64(k + 12);
    c->n++;
    return 0;
}

int sj_ledger_rank(sj_txn_t *t, uint32_t year, sj_rank_row_t *rows, size_t max,
                   size_t *n)
{
    *n = 0;
    if (max == 0)
        return SJ_OK;
    uint8_t prefix[4];
    be32(prefix, year);
    struct rank_ctx c = {.rows = rows, .max = max};
    int err = store__scan(t, DB_RANK, prefix, 4, prefix, 4, visit_rank, &c);
    *n = c.n;
    return err;
}

int sj_ranking_get(sj_txn_t *t, uint32_t year, Shangju__Ranking **out)
{
    uint8_t k[4];
    be32(k, year);
    return store__get_msg(t, DB_RANKINGS, k, 4, &shangju__ranking__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_ranking_put(sj_txn_t *t, const Shangju__Ranking *r)
{
    if (r->n_items > SJ_RANKING_MAX)
        return SJ_EINVAL;
    Shangju__Ranking *old = NULL;
    int err = sj_ranking_get(t, r->year, &old);
    if (err == 0) {
        shangju__ranking__free_unpacked(old, NULL);
        return SJ_EEXIST;
    }
    if (err != SJ_ENOTFOUND)
        return err;
    uint8_t k[4];
    be32(k, r->year);
    return store__put_msg(t, DB_RANKINGS, k, 4, &r->base);
}

struct totals_ctx {
    uint32_t year;
    uint64_t issued, spent;
};

static int visit_totals(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)key;
    struct totals_ctx *c = vc;
    Shangju__LedgerEntry *e =
        shangju__ledger_entry__unpack(NULL, val->mv_size, val->mv_data);
    if (!e)
        return SJ_EIO;
    if (e->year == c->year && e->member_id != SJ_LEDGER_ALLIANCE) {
        if (e->amount > 0 && is_earn(e->kind))
            c->issued += (uint64_t)e->amount;
        else if (e->amount < 0 && e->kind && strcmp(e->kind, "spend") == 0)
            c->spent += (uint64_t)-e->amount;
    }
    shangju__ledger_entry__free_unpacked(e, NULL);
    return 0;
}

int sj_ledger_year_totals(sj_txn_t *t, uint32_t year, uint64_t *issued,
                          uint64_t *spent)
{
    struct totals_ctx c = {.year = year};
    int err = store__scan(t, DB_LEDGER, "", 0, "", 0, visit_totals, &c);
    *issued = err ? 0 : c.issued;
    *spent = err ? 0 : c.spent;
    return err;
}

/* --------------------------------------------------------------- writes */

/* Apply e to its member's stored account. */
static int account_add(sj_txn_t *t, const Shangju__LedgerEntry *e)
{
    Shangju__Account *old = NULL, a = SHANGJU__ACCOUNT__INIT;
    int err = sj_ledger_account(t, e->member_id, &old);
    if (err && err != SJ_ENOTFOUND)
        return err;
    if (old) {
        a = *old; /* no strings: a plain copy is enough */
        shangju__account__free_unpacked(old, NULL);
        a.base.unknown_fields = NULL;
        a.base.n_unknown_fields = 0;
    }
    a.member_id = e->member_id;
    account_apply(&a, e);
    uint8_t k[8];
    store__be64(k, e->member_id);
    return store__put_msg(t, DB_BALANCES, k, 8, &a.base);
}

/* Raise member's earnings in year by amount and move its rank key. */
static int earned_add(sj_txn_t *t, uint32_t year, uint64_t member,
                      uint64_t amount)
{
    uint64_t old;
    int err = sj_ledger_earned(t, year, member, &old);
    if (err)
        return err;
    uint8_t ek[12], rk[20], v[8];
    be32(ek, year);
    store__be64(ek + 4, member);
    be32(rk, year);
    store__be64(rk + 12, member);
    if (old) {
        store__be64(rk + 4, ~old);
        store__del(t, DB_RANK, rk, sizeof rk);
    }
    store__be64(v, old + amount);
    store__put(t, DB_EARNED, ek, sizeof ek, v, sizeof v);
    store__be64(rk + 4, ~(old + amount));
    return store__put(t, DB_RANK, rk, sizeof rk, "", 0);
}

/* The hash of the newest entry, or zeros for an empty ledger. */
static int last_hash(sj_txn_t *t, uint8_t out[SJ_LEDGER_HASH_BYTES])
{
    uint64_t last;
    int err = sj_txn_last_id(t, SJ_COUNTER_LEDGER, &last);
    if (err)
        return err;
    if (last == 0) {
        memset(out, 0, SJ_LEDGER_HASH_BYTES);
        return SJ_OK;
    }
    Shangju__LedgerEntry *e;
    if ((err = sj_ledger_entry_get(t, last, &e)))
        return err == SJ_ENOTFOUND ? SJ_EIO : err; /* the chain is broken */
    bool ok = e->hash.len == SJ_LEDGER_HASH_BYTES;
    if (ok)
        memcpy(out, e->hash.data, SJ_LEDGER_HASH_BYTES);
    shangju__ledger_entry__free_unpacked(e, NULL);
    return ok ? SJ_OK : SJ_EIO;
}

/* Append e (seq, prev_hash and hash filled here) and its index entry. */
static int append(sj_txn_t *t, Shangju__LedgerEntry *e, uint8_t *prev,
                  uint8_t *hash)
{
    int err = sj_txn_next_id(t, SJ_COUNTER_LEDGER, &e->seq);
    if (err)
        return err;
    e->prev_hash.data = prev;
    e->prev_hash.len = SJ_LEDGER_HASH_BYTES;
    e->hash.data = NULL;
    e->hash.len = 0;
    if ((err = entry_hash(e, hash)))
        return err;
    e->hash.data = hash;
    e->hash.len = SJ_LEDGER_HASH_BYTES;
    uint8_t k[16];
    store__be64(k, e->member_id);
    store__be64(k + 8, e->seq);
    store__put(t, DB_LEDGER_BY_MEMBER, k, 16, "", 0);
    store__put_msg(t, DB_LEDGER, k + 8, 8, &e->base);
    return account_add(t, e);
}

static bool kind_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    return n > 0 && n <= SJ_LEDGER_MAX_KIND;
}

int sj_ledger_move(sj_txn_t *t, const sj_ledger_move_t *m,
                   sj_ledger_pair_t *out)
{
    if (t->err)
        return t->err;
    if (m->amount == 0 || m->amount > SJ_LEDGER_MAX_AMOUNT ||
        m->from == m->to || !kind_ok(m->from_kind) || !kind_ok(m->to_kind) ||
        (m->memo && strlen(m->memo) > SJ_LEDGER_MAX_MEMO))
        return SJ_EINVAL;
    if (m->from != SJ_LEDGER_ALLIANCE) {
        Shangju__Account *a = NULL;
        int err = sj_ledger_account(t, m->from, &a);
        if (err && err != SJ_ENOTFOUND)
            return err;
        int64_t balance = a ? a->balance : 0;
        if (a)
            shangju__account__free_unpacked(a, NULL);
        if (balance < (int64_t)m->amount)
            return SJ_EINVAL; /* no member balance goes below zero */
    }
    uint64_t tid;
    int err = sj_txn_next_id(t, SJ_COUNTER_TRANSFER, &tid);
    if (!err)
        err = last_hash(t, out->prev[0]);
    if (err)
        return err;
    uint32_t year = sj_ledger_year(m->at);
    Shangju__LedgerEntry *side[2] = {&out->debit, &out->credit};
    for (int i = 0; i < 2; i++) {
        Shangju__LedgerEntry *e = side[i];
        shangju__ledger_entry__init(e);
        e->transfer_id = tid;
        e->member_id = i ? m->to : m->from;
        e->amount = i ? (int64_t)m->amount : -(int64_t)m->amount;
        e->kind = (char *)(i ? m->to_kind : m->from_kind);
        e->ref = m->ref;
        e->memo = (char *)(m->memo ? m->memo : "");
        e->at = m->at;
        e->year = year;
        if (i)
            memcpy(out->prev[1], out->hash[0], SJ_LEDGER_HASH_BYTES);
        if ((err = append(t, e, out->prev[i], out->hash[i])))
            return err;
    }
    if (is_earn(m->to_kind) && m->to != SJ_LEDGER_ALLIANCE)
        err = earned_add(t, year, m->to, m->amount);
    return err ? err : t->err;
}

/* -------------------------------------------------------------- rebuild */

static int visit_rebuild(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)key;
    sj_txn_t *t = vc;
    Shangju__LedgerEntry *e =
        shangju__ledger_entry__unpack(NULL, val->mv_size, val->mv_data);
    if (!e)
        return SJ_EIO;
    int err = account_add(t, e);
    if (!err && e->amount > 0 && is_earn(e->kind) &&
        e->member_id != SJ_LEDGER_ALLIANCE)
        err = earned_add(t, e->year, e->member_id, (uint64_t)e->amount);
    shangju__ledger_entry__free_unpacked(e, NULL);
    return err;
}

int sj_ledger_rebuild_balances(sj_txn_t *t)
{
    if (t->err)
        return t->err;
    static const int derived[] = {DB_BALANCES, DB_EARNED, DB_RANK};
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++) {
        int rc = mdb_drop(t->txn, t->store->dbi[derived[i]], 0);
        if (rc)
            return store__fail(t, rc);
    }
    return store__scan(t, DB_LEDGER, "", 0, "", 0, visit_rebuild, t);
}

/* --------------------------------------------------------------- verify */

/* The sums of one member's entries: all of them (year 0), or its earnings
 * in one year (sum.earned of year Y). */
typedef struct {
    uint64_t member;
    uint32_t year;
    bool used, seen;
    Shangju__Account sum;
} acc_slot;

/* An open-addressing map (year, member) -> sums, grown as they appear. */
typedef struct {
    acc_slot *slots;
    size_t cap, n;
} acc_map;

static size_t slot_of(const acc_map *m, uint32_t year, uint64_t member)
{
    uint64_t h = (member ^ ((uint64_t)year << 40)) * 0x9E3779B97F4A7C15ULL;
    size_t i = (size_t)(h >> 17) & (m->cap - 1);
    while (m->slots[i].used &&
           (m->slots[i].member != member || m->slots[i].year != year))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int acc_grow(acc_map *m)
{
    acc_map g = {.cap = m->cap ? m->cap * 2 : 256};
    g.slots = calloc(g.cap, sizeof *g.slots);
    if (!g.slots)
        return SJ_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].used)
            g.slots[slot_of(&g, m->slots[i].year, m->slots[i].member)] =
                m->slots[i];
    g.n = m->n;
    free(m->slots);
    *m = g;
    return SJ_OK;
}

static acc_slot *acc_get(acc_map *m, uint32_t year, uint64_t member,
                         bool create)
{
    if (m->cap == 0 && (!create || acc_grow(m)))
        return NULL;
    acc_slot *s = &m->slots[slot_of(m, year, member)];
    if (s->used || !create)
        return s->used ? s : NULL;
    if ((m->n + 1) * 10 > m->cap * 7) {
        if (acc_grow(m))
            return NULL;
        s = &m->slots[slot_of(m, year, member)];
    }
    s->used = true;
    s->member = member;
    s->year = year;
    shangju__account__init(&s->sum);
    s->sum.member_id = member;
    m->n++;
    return s;
}

typedef struct {
    store__check_t base; /* first: the walk's t, report, ud, v */
    uint64_t last;       /* the ledger counter */
    uint64_t expect;     /* next seq expected */
    bool have_prev;      /* the previous seq was read: prev_hash is its hash */
    uint8_t prev_hash[SJ_LEDGER_HASH_BYTES];
    uint64_t run_tid, run_first, run_last; /* the current transfer */
    int64_t run_sum;
    acc_map acc;
    int err; /* out of memory while accumulating */
} lctx;

#define problem(c, ...) store__problem(&(c)->base, __VA_ARGS__)

typedef unsigned long long ull;

static void missing(lctx *c, uint64_t seq)
{
    problem(c, "ledger entry %llu is missing (deleted)", (ull)seq);
    c->have_prev = false;
}

/* The entries of one transfer are appended together: check the run. */
static void close_run(lctx *c)
{
    if (c->run_tid && c->run_sum != 0)
        problem(c,
                "ledger transfer %llu (entries %llu..%llu) does not sum to "
                "zero (sum %lld)",
                (ull)c->run_tid, (ull)c->run_first, (ull)c->run_last,
                (long long)c->run_sum);
    c->run_tid = 0;
    c->run_sum = 0;
}

static void check_entry(lctx *c, uint64_t seq, const Shangju__LedgerEntry *e)
{
    uint8_t h[SJ_LEDGER_HASH_BYTES];
    if (e->seq != seq)
        problem(c, "ledger entry %llu: record says seq %llu", (ull)seq,
                (ull)e->seq);
    if (entry_hash(e, h) != 0 || e->hash.len != SJ_LEDGER_HASH_BYTES ||
        memcmp(h, e->hash.data, SJ_LEDGER_HASH_BYTES) != 0)
        problem(c, "ledger entry %llu was altered: hash mismatch", (ull)seq);
    const uint8_t *want = seq == 1 ? zero_hash : c->prev_hash;
    if ((seq == 1 || c->have_prev) &&
        (e->prev_hash.len != SJ_LEDGER_HASH_BYTES ||
         memcmp(e->prev_hash.data, want, SJ_LEDGER_HASH_BYTES) != 0)) {
        if (seq == 1)
            problem(c, "ledger entry 1: prev_hash is not 32 zero bytes");
        else
            problem(c, "ledger entry %llu: prev_hash does not match entry %llu",
                    (ull)seq, (ull)(seq - 1));
    }
    c->have_prev = e->hash.len == SJ_LEDGER_HASH_BYTES;
    if (c->have_prev)
        memcpy(c->prev_hash, e->hash.data, SJ_LEDGER_HASH_BYTES);
    uint8_t k[16];
    store__be64(k, e->member_id);
    store__be64(k + 8, seq);
    MDB_val key = {16, k}, d;
    if (mdb_get(c->base.t->txn, c->base.t->store->dbi[DB_LEDGER_BY_MEMBER],
                &key, &d))
        problem(c, "ledger entry %llu: missing from the member index",
                (ull)seq);
}

static int visit_entry(void *vc, const MDB_val *key, const MDB_val *val)
{
    lctx *c = vc;
    if (key->mv_size != 8) {
        problem(c, "ledger: malformed key");
        return 0;
    }
    uint64_t seq = store__get_be64(key->mv_data);
    if (seq > c->last) {
        problem(c, "ledger entry %llu is beyond the ledger counter (%llu)",
                (ull)seq, (ull)c->last);
        c->have_prev = false;
    }
    for (; c->expect < seq && c->expect <= c->last; c->expect++)
        missing(c, c->expect);
    c->expect = seq + 1;
    c->base.v->ledger_entries++;
    Shangju__LedgerEntry *e =
        shangju__ledger_entry__unpack(NULL, val->mv_size, val->mv_data);
    if (!e) {
        problem(c, "ledger entry %llu does not decode", (ull)seq);
        c->have_prev = false;
        return 0;
    }
    check_entry(c, seq, e);
    if (e->transfer_id != c->run_tid) {
        close_run(c);
        c->run_tid = e->transfer_id;
        c->run_first = seq;
    }
    c->run_last = seq;
    c->run_sum += e->amount;
    acc_slot *s = acc_get(&c->acc, 0, e->member_id, true);
    if (s)
        account_apply(&s->sum, e);
    else
        c->err = SJ_ENOMEM;
    if (e->year != sj_ledger_year(e->at))
        problem(c, "ledger entry %llu: year %u is not the year of its time",
                (ull)seq, e->year);
    if (!c->err && e->amount > 0 && is_earn(e->kind) &&
        e->member_id != SJ_LEDGER_ALLIANCE && e->year) {
        s = acc_get(&c->acc, e->year, e->member_id, true);
        if (s)
            s->sum.earned += (uint64_t)e->amount;
        else
            c->err = SJ_ENOMEM;
    }
    shangju__ledger_entry__free_unpacked(e, NULL);
    return c->err ? c->err : 0;
}

static bool same_account(const Shangju__Account *a, const Shangju__Account *b)
{
    return a->member_id == b->member_id && a->balance == b->balance &&
           a->earned == b->earned && a->spent == b->spent &&
           a->received == b->received;
}

static int visit_balance(void *vc, const MDB_val *key, const MDB_val *val)
{
    lctx *c = vc;
    uint64_t member = key->mv_size == 8 ? store__get_be64(key->mv_data) : 0;
    Shangju__Account *a =
        shangju__account__unpack(NULL, val->mv_size, val->mv_data);
    if (key->mv_size != 8 || !a) {
        problem(c, "balances: the row of member %llu does not decode",
                (ull)member);
        if (a)
            shangju__account__free_unpacked(a, NULL);
        return 0;
    }
    acc_slot *s = acc_get(&c->acc, 0, member, false);
    Shangju__Account none = SHANGJU__ACCOUNT__INIT;
    none.member_id = member;
    const Shangju__Account *want = s ? &s->sum : &none;
    if (s)
        s->seen = true;
    if (!same_account(a, want))
        problem(c,
                "balances: member %llu has balance %lld (earned %llu, spent "
                "%llu, received %llu) but its entries give %lld (%llu, %llu, "
                "%llu)",
                (ull)member, (long long)a->balance, (ull)a->earned,
                (ull)a->spent, (ull)a->received, (long long)want->balance,
                (ull)want->earned, (ull)want->spent, (ull)want->received);
    shangju__account__free_unpacked(a, NULL);
    return 0;
}

/* Member index entries must have their entry (below the counter a missing
 * one was reported by the walk already). */
static int visit_member_index(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    lctx *c = vc;
    if (key->mv_size != 16) {
        problem(c, "ledger member index: malformed key");
        return 0;
    }
    uint64_t seq = store__get_be64((const uint8_t *)key->mv_data + 8);
    uint8_t k[8];
    store__be64(k, seq);
    MDB_val ek = {8, k}, d;
    if (seq > c->last &&
        mdb_get(c->base.t->txn, c->base.t->store->dbi[DB_LEDGER], &ek, &d) != 0)
        problem(c,
                "ledger member index: entry %llu of member %llu does not "
                "exist",
                (ull)seq, (ull)store__get_be64(key->mv_data));
    return 0;
}

/* The earnings table (year, member) -> earned must hold the sums of the
 * year's earn entries, and each row its one rank key. */
static int visit_earned(void *vc, const MDB_val *key, const MDB_val *val)
{
    lctx *c = vc;
    if (key->mv_size != 12 || val->mv_size != 8) {
        problem(c, "earnings: malformed row");
        return 0;
    }
    const uint8_t *k = key->mv_data;
    uint32_t year = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
                    (uint32_t)k[2] << 8 | k[3];
    uint64_t member = store__get_be64(k + 4);
    uint64_t earned = store__get_be64(val->mv_data);
    acc_slot *s = acc_get(&c->acc, year, member, false);
    uint64_t want = s ? s->sum.earned : 0;
    if (s)
        s->seen = true;
    if (earned != want)
        problem(c,
                "earnings: member %llu earned %llu in %u but its entries "
                "give %llu",
                (ull)member, (ull)earned, year, (ull)want);
    uint8_t rk[20];
    memcpy(rk, k, 4);
    store__be64(rk + 4, ~earned);
    store__be64(rk + 12, member);
    MDB_val r = {sizeof rk, rk}, d;
    if (mdb_get(c->base.t->txn, c->base.t->store->dbi[DB_RANK], &r, &d))
        problem(c, "ranking: member %llu is missing from %u's ranking",
                (ull)member, year);
    return 0;
}

/* Every rank key must be the one its earnings row gives. */
static int visit_rank_key(void *vc, const MDB_val *key, const MDB_val *val)
{
    (void)val;
    lctx *c = vc;
    if (key->mv_size != 20) {
        problem(c, "ranking: malformed key");
        return 0;
    }
    const uint8_t *k = key->mv_data;
    uint32_t year = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
                    (uint32_t)k[2] << 8 | k[3];
    uint64_t member = store__get_be64(k + 12), earned;
    int err = sj_ledger_earned(c->base.t, year, member, &earned);
    if (err)
        return err;
    if (~store__get_be64(k + 4) != earned || earned == 0)
        problem(c, "ranking: stale entry for member %llu in %u", (ull)member,
                year);
    return 0;
}

static void check_sums(lctx *c)
{
    for (size_t i = 0; i < c->acc.cap; i++) {
        const acc_slot *s = &c->acc.slots[i];
        if (!s->used)
            continue;
        if (s->year) {
            if (!s->seen)
                problem(c, "earnings: member %llu has no row for %u",
                        (ull)s->member, s->year);
            continue;
        }
        if (s->member != SJ_LEDGER_ALLIANCE && s->sum.balance < 0)
            problem(c,
                    "ledger: member %llu's entries give a negative "
                    "balance (%lld)",
                    (ull)s->member, (long long)s->sum.balance);
        if (!s->seen)
            problem(c,
                    "balances: member %llu has ledger entries but no "
                    "balance row",
                    (ull)s->member);
    }
}

int sj_ledger_verify(sj_txn_t *t, sj_verify_fn *report, void *ud,
                     sj_verify_t *v)
{
    lctx c = {.base = {.t = t, .report = report, .ud = ud, .v = v},
              .expect = 1};
    int err = sj_txn_last_id(t, SJ_COUNTER_LEDGER, &c.last);
    if (!err)
        err = store__scan(t, DB_LEDGER, "", 0, "", 0, visit_entry, &c);
    if (!err) {
        close_run(&c);
        for (; c.expect <= c.last; c.expect++)
            missing(&c, c.expect);
        err = store__scan(t, DB_LEDGER_BY_MEMBER, "", 0, "", 0,
                          visit_member_index, &c);
    }
    if (!err)
        err = store__scan(t, DB_BALANCES, "", 0, "", 0, visit_balance, &c);
    if (!err)
        err = store__scan(t, DB_EARNED, "", 0, "", 0, visit_earned, &c);
    if (!err)
        err = store__scan(t, DB_RANK, "", 0, "", 0, visit_rank_key, &c);
    if (!err)
        check_sums(&c);
    free(c.acc.slots);
    return err;
}
