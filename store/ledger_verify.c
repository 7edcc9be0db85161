/* The ledger's part of `admin verify` (sj_ledger_verify, ledger.h): walks
 * the entries once (chain, hashes, transfers, per-member sums), then checks
 * every derived table against those sums. A malformed entry or row is a
 * finding, reported and counted, not an error. */
#include "ledger_anchor.h"
#include "ledger_internal.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t zero_hash[SJ_LEDGER_HASH_BYTES];

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

/* The slot of (year, member); created when asked. NULL when absent, or
 * (create) out of memory. */
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

static bool has_key(lctx *c, int db, const store__key_t *k)
{
    return store__get(c->base.t, db, k, NULL) == SJ_OK;
}

static void check_entry(lctx *c, uint64_t seq, const Shangju__LedgerEntry *e)
{
    uint8_t h[SJ_LEDGER_HASH_BYTES];
    if (e->seq != seq)
        problem(c, "ledger entry %llu: record says seq %llu", (ull)seq,
                (ull)e->seq);
    if (store__ledger_hash(e, h) != 0 || e->hash.len != SJ_LEDGER_HASH_BYTES ||
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
    store__key_t k;
    store__ledger_member_key(&k, e->member_id, seq);
    if (!has_key(c, DB_LEDGER_BY_MEMBER, &k))
        problem(c, "ledger entry %llu: missing from the member index",
                (ull)seq);
}

/* Add e to the sums; SJ_ENOMEM when the map cannot grow. */
static int add_sums(lctx *c, const Shangju__LedgerEntry *e)
{
    acc_slot *s = acc_get(&c->acc, 0, e->member_id, true);
    if (!s)
        return SJ_ENOMEM;
    store__ledger_account_apply(&s->sum, e);
    if (e->amount > 0 && store__ledger_is_earn(e->kind) &&
        e->member_id != SJ_LEDGER_ALLIANCE && e->year) {
        if (!(s = acc_get(&c->acc, e->year, e->member_id, true)))
            return SJ_ENOMEM;
        s->sum.earned += (uint64_t)e->amount;
    }
    return SJ_OK;
}

/* One entry of the walk, at seq. */
static int walk_entry(lctx *c, uint64_t seq, const store__val_t *val)
{
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
        shangju__ledger_entry__unpack(NULL, val->len, val->data);
    if (!e) {
        problem(c, "ledger entry %llu does not decode", (ull)seq);
        c->have_prev = false;
        return SJ_OK;
    }
    check_entry(c, seq, e);
    if (e->transfer_id != c->run_tid) {
        close_run(c);
        c->run_tid = e->transfer_id;
        c->run_first = seq;
    }
    c->run_last = seq;
    c->run_sum += e->amount;
    if (e->year != sj_ledger_year(e->at))
        problem(c, "ledger entry %llu: year %u is not the year of its time",
                (ull)seq, e->year);
    int err = add_sums(c, e);
    shangju__ledger_entry__free_unpacked(e, NULL);
    return err;
}

/* The chain, the hashes, the transfers; the sums for the checks after. */
static int check_entries(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_LEDGER, NULL) {
        if (it.key.len != 8) {
            problem(c, "ledger: malformed key");
            continue;
        }
        int err = walk_entry(c, store__get_be64(it.key.data), &it.val);
        if (err)
            store__iter_fail(&it, err, "out of memory for the ledger sums");
    }
    int err = store__iter_end(&it);
    if (!err) {
        close_run(c);
        for (; c->expect <= c->last; c->expect++)
            missing(c, c->expect);
    }
    return err;
}

/* Member index entries must have their entry (below the counter a missing
 * one was reported by the walk already). */
static int check_member_index(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_LEDGER_BY_MEMBER, NULL) {
        if (it.key.len != 16) {
            problem(c, "ledger member index: malformed key");
            continue;
        }
        uint64_t seq = store__get_be64(it.key.data + 8);
        store__key_t k;
        store__key_id(&k, seq);
        if (seq > c->last && !has_key(c, DB_LEDGER, &k))
            problem(c,
                    "ledger member index: entry %llu of member %llu does not "
                    "exist",
                    (ull)seq, (ull)store__get_be64(it.key.data));
    }
    return store__iter_end(&it);
}

static bool same_account(const Shangju__Account *a, const Shangju__Account *b)
{
    return a->member_id == b->member_id && a->balance == b->balance &&
           a->earned == b->earned && a->spent == b->spent &&
           a->received == b->received;
}

/* Every balances row is the sum of its member's entries. */
static int check_balances(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_BALANCES, NULL) {
        uint64_t member = it.key.len == 8 ? store__get_be64(it.key.data) : 0;
        Shangju__Account *a =
            shangju__account__unpack(NULL, it.val.len, it.val.data);
        if (it.key.len != 8 || !a) {
            problem(c, "balances: the row of member %llu does not decode",
                    (ull)member);
            if (a)
                shangju__account__free_unpacked(a, NULL);
            continue;
        }
        acc_slot *s = acc_get(&c->acc, 0, member, false);
        Shangju__Account none = SHANGJU__ACCOUNT__INIT;
        none.member_id = member;
        const Shangju__Account *want = s ? &s->sum : &none;
        if (s)
            s->seen = true;
        if (!same_account(a, want))
            problem(c,
                    "balances: member %llu has balance %lld (earned %llu, "
                    "spent %llu, received %llu) but its entries give %lld "
                    "(%llu, %llu, %llu)",
                    (ull)member, (long long)a->balance, (ull)a->earned,
                    (ull)a->spent, (ull)a->received, (long long)want->balance,
                    (ull)want->earned, (ull)want->spent, (ull)want->received);
        shangju__account__free_unpacked(a, NULL);
    }
    return store__iter_end(&it);
}

/* The earnings table (year, member) -> earned must hold the sums of the
 * year's earn entries, and each row its one rank key. */
static int check_earnings(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_EARNED, NULL) {
        if (it.key.len != 12 || it.val.len != 8) {
            problem(c, "earnings: malformed row");
            continue;
        }
        uint32_t year = store__get_be32(it.key.data);
        uint64_t member = store__get_be64(it.key.data + 4);
        uint64_t earned = store__get_be64(it.val.data);
        acc_slot *s = acc_get(&c->acc, year, member, false);
        uint64_t want = s ? s->sum.earned : 0;
        if (s)
            s->seen = true;
        if (earned != want)
            problem(c,
                    "earnings: member %llu earned %llu in %u but its entries "
                    "give %llu",
                    (ull)member, (ull)earned, year, (ull)want);
        store__key_t rk;
        store__ledger_rank_key(&rk, year, earned, member);
        if (!has_key(c, DB_RANK, &rk))
            problem(c, "ranking: member %llu is missing from %u's ranking",
                    (ull)member, year);
    }
    return store__iter_end(&it);
}

/* Every rank key must be the one its earnings row gives. */
static int check_rank_keys(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_RANK, NULL) {
        if (it.key.len != STORE_LEDGER_RANK_KEY) {
            problem(c, "ranking: malformed key");
            continue;
        }
        uint32_t year = store__get_be32(it.key.data);
        uint64_t member = store__get_be64(it.key.data + 12);
        store__key_t ek;
        store__val_t row;
        store__ledger_earned_key(&ek, year, member);
        uint64_t earned =
            store__get(c->base.t, DB_EARNED, &ek, &row) == SJ_OK && row.len == 8
                ? store__get_be64(row.data)
                : 0;
        if (~store__get_be64(it.key.data + 4) != earned || earned == 0)
            problem(c, "ranking: stale entry for member %llu in %u",
                    (ull)member, year);
    }
    return store__iter_end(&it);
}

/* What only the sums can show: negative balances, missing rows. */
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

/* Each anchor against the chain as it is now: the entry it names must
 * still carry the hash it signed (else history up to it was rewritten),
 * and with the notice key known, the signature must be that key's. */
static int check_anchors(lctx *c)
{
    store__iter_t it;
    store__foreach(&it, c->base.t, DB_ANCHORS, NULL) {
        if (it.key.len == 4) /* "last": a copy of the newest */
            continue;
        Shangju__LedgerAnchor *a = (Shangju__LedgerAnchor *)store__iter_msg(
            &it, &shangju__ledger_anchor__descriptor);
        if (!a)
            break;
        c->base.v->ledger_anchors++;
        Shangju__LedgerEntry *e = NULL;
        int err = sj_ledger_entry_get(c->base.t, a->entries, &e);
        if (err == SJ_ENOTFOUND)
            problem(c, "ledger anchor of entry %llu: the entry is gone",
                    (ull)a->entries);
        else if (err == 0 &&
                 (e->hash.len != a->head_hash.len ||
                  memcmp(e->hash.data, a->head_hash.data, e->hash.len) != 0))
            problem(c,
                    "ledger anchor of entry %llu (signed at %lld) does not "
                    "match the chain: the history up to it was rewritten",
                    (ull)a->entries, (long long)a->at);
        if (c->base.v->anchor_key &&
            !sj_anchor_verify(a, c->base.v->anchor_key))
            problem(c,
                    "ledger anchor of entry %llu (signed at %lld): the "
                    "signature is not the alliance's notice key's",
                    (ull)a->entries, (long long)a->at);
        if (e)
            shangju__ledger_entry__free_unpacked(e, NULL);
        shangju__ledger_anchor__free_unpacked(a, NULL);
        if (err && err != SJ_ENOTFOUND)
            break;
    }
    return store__iter_end(&it);
}

int sj_ledger_verify(sj_txn_t *t, sj_verify_fn *report, void *ud,
                     sj_verify_t *v)
{
    lctx c = {.base = {.t = t, .report = report, .ud = ud, .v = v},
              .expect = 1};
    int err = sj_txn_last_id(t, SJ_COUNTER_LEDGER, &c.last);
    if (!err)
        err = check_entries(&c);
    if (!err)
        err = check_member_index(&c);
    if (!err)
        err = check_balances(&c);
    if (!err)
        err = check_earnings(&c);
    if (!err)
        err = check_rank_keys(&c);
    if (!err)
        err = check_anchors(&c);
    if (!err)
        check_sums(&c);
    free(c.acc.slots);
    return err;
}
