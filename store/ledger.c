/* The points ledger tables (see ledger.h): hash-chained entries and their
 * member index, the derived balances, yearly earnings and ranking index,
 * frozen rankings, and the rebuild of the derived tables. Its check for
 * `admin verify` is ledger_verify.c. */
#include "ledger_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "sj_zone.h"

#define MAX_PACKED 2048 /* an entry packs well below this (kind, memo caps) */

uint32_t sj_ledger_year(int64_t at_ms)
{
    return sj_zone_year(at_ms); /* the community's calendar year */
}

bool store__ledger_is_earn(const char *kind)
{
    return kind && strncmp(kind, "earn.", 5) == 0;
}

int store__ledger_hash(const Shangju__LedgerEntry *e,
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
void store__ledger_account_apply(Shangju__Account *a,
                                 const Shangju__LedgerEntry *e)
{
    a->balance += e->amount;
    if (e->amount > 0 && store__ledger_is_earn(e->kind))
        a->earned += (uint64_t)e->amount;
    else if (e->amount < 0 && e->kind && strcmp(e->kind, "spend") == 0)
        a->spent += (uint64_t)-e->amount;
    else if (e->amount > 0 && e->kind && strcmp(e->kind, "receive") == 0)
        a->received += (uint64_t)e->amount;
}

void store__ledger_member_key(store__key_t *k, uint64_t member, uint64_t seq)
{
    store__key_id(k, member);
    store__key_u64(k, seq);
}

void store__ledger_earned_key(store__key_t *k, uint32_t year, uint64_t member)
{
    store__key_init(k);
    store__key_u32(k, year);
    store__key_u64(k, member);
}

void store__ledger_rank_key(store__key_t *k, uint32_t year, uint64_t earned,
                            uint64_t member)
{
    store__key_init(k);
    store__key_u32(k, year);
    store__key_u64(k, ~earned);
    store__key_u64(k, member);
}

static void year_key(store__key_t *k, uint32_t year)
{
    store__key_init(k);
    store__key_u32(k, year);
}

/* ---------------------------------------------------------------- reads */

int sj_ledger_account(sj_txn_t *t, uint64_t member, Shangju__Account **out)
{
    store__key_t k;
    store__key_id(&k, member);
    return store__get_msg(t, DB_BALANCES, &k, &shangju__account__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_ledger_entry_get(sj_txn_t *t, uint64_t seq, Shangju__LedgerEntry **out)
{
    store__key_t k;
    store__key_id(&k, seq);
    return store__get_msg(t, DB_LEDGER, &k, &shangju__ledger_entry__descriptor,
                          (ProtobufCMessage **)out);
}

int sj_ledger_history(sj_txn_t *t, uint64_t member, uint64_t after,
                      size_t limit, Shangju__LedgerEntry ***items,
                      size_t *n_items, uint64_t *next)
{
    store__key_t prefix;
    store__key_id(&prefix, member);
    store__page_q q = {
        .index_db = DB_LEDGER_BY_MEMBER,
        .prefix = &prefix,
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
    store__key_t k;
    store__ledger_earned_key(&k, year, member);
    int err = store__get_u64(t, DB_EARNED, &k, earned);
    if (err == SJ_ENOTFOUND) {
        *earned = 0;
        return SJ_OK;
    }
    return err;
}

int sj_ledger_rank(sj_txn_t *t, uint32_t year, sj_rank_row_t *rows, size_t max,
                   size_t *n)
{
    *n = 0;
    if (max == 0)
        return SJ_OK;
    store__key_t prefix;
    year_key(&prefix, year);
    size_t count = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_RANK, &prefix) {
        if (count == max)
            break;
        if (it.key.len != STORE_LEDGER_RANK_KEY) {
            store__iter_fail(&it, SJ_EIO, "malformed rank key");
            break;
        }
        rows[count].earned = ~store__get_be64(it.key.data + 4);
        rows[count].member_id = store__get_be64(it.key.data + 12);
        count++;
    }
    *n = count;
    return store__iter_end(&it);
}

int sj_ranking_get(sj_txn_t *t, uint32_t year, Shangju__Ranking **out)
{
    store__key_t k;
    year_key(&k, year);
    return store__get_msg(t, DB_RANKINGS, &k, &shangju__ranking__descriptor,
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
    store__key_t k;
    year_key(&k, r->year);
    return store__put_msg(t, DB_RANKINGS, &k, &r->base);
}

int sj_ledger_year_totals(sj_txn_t *t, uint32_t year, uint64_t *issued,
                          uint64_t *spent)
{
    uint64_t in = 0, out = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_LEDGER, NULL) {
        Shangju__LedgerEntry *e = (Shangju__LedgerEntry *)store__iter_msg(
            &it, &shangju__ledger_entry__descriptor);
        if (!e)
            break;
        if (e->year == year && e->member_id != SJ_LEDGER_ALLIANCE) {
            if (e->amount > 0 && store__ledger_is_earn(e->kind))
                in += (uint64_t)e->amount;
            else if (e->amount < 0 && e->kind && strcmp(e->kind, "spend") == 0)
                out += (uint64_t)-e->amount;
        }
        shangju__ledger_entry__free_unpacked(e, NULL);
    }
    int err = store__iter_end(&it);
    *issued = err ? 0 : in;
    *spent = err ? 0 : out;
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
    store__ledger_account_apply(&a, e);
    store__key_t k;
    store__key_id(&k, e->member_id);
    return store__put_msg(t, DB_BALANCES, &k, &a.base);
}

/* Raise member's earnings in year by amount and move its rank key. */
static int earned_add(sj_txn_t *t, uint32_t year, uint64_t member,
                      uint64_t amount)
{
    uint64_t old;
    int err = sj_ledger_earned(t, year, member, &old);
    if (err)
        return err;
    store__key_t ek, rk;
    /* Errors stick to t; the last put reports the first one. */
    if (old) {
        store__ledger_rank_key(&rk, year, old, member);
        store__del(t, DB_RANK, &rk);
    }
    store__ledger_earned_key(&ek, year, member);
    store__put_u64(t, DB_EARNED, &ek, old + amount);
    store__ledger_rank_key(&rk, year, old + amount, member);
    return store__put(t, DB_RANK, &rk, "", 0);
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
    if ((err = store__ledger_hash(e, hash)))
        return err;
    e->hash.data = hash;
    e->hash.len = SJ_LEDGER_HASH_BYTES;
    store__key_t mk, k;
    store__ledger_member_key(&mk, e->member_id, e->seq);
    store__key_id(&k, e->seq);
    /* Errors stick to t; account_add's put reports the first one. */
    store__put(t, DB_LEDGER_BY_MEMBER, &mk, "", 0);
    store__put_msg(t, DB_LEDGER, &k, &e->base);
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
    if (sj_txn_error(t))
        return sj_txn_error(t);
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
    if (store__ledger_is_earn(m->to_kind) && m->to != SJ_LEDGER_ALLIANCE)
        err = earned_add(t, year, m->to, m->amount);
    return err ? err : sj_txn_error(t);
}

/* -------------------------------------------------------------- rebuild */

int sj_ledger_rebuild_balances(sj_txn_t *t)
{
    static const int derived[] = {DB_BALANCES, DB_EARNED, DB_RANK};
    for (size_t i = 0; i < sizeof derived / sizeof *derived; i++) {
        int err = store__drop(t, derived[i]);
        if (err)
            return err;
    }
    /* The walk reads DB_LEDGER and writes only the derived tables. */
    store__iter_t it;
    store__foreach(&it, t, DB_LEDGER, NULL) {
        Shangju__LedgerEntry *e = (Shangju__LedgerEntry *)store__iter_msg(
            &it, &shangju__ledger_entry__descriptor);
        if (!e)
            break;
        /* Errors stick to t and end the walk. */
        account_add(t, e);
        if (e->amount > 0 && store__ledger_is_earn(e->kind) &&
            e->member_id != SJ_LEDGER_ALLIANCE)
            earned_add(t, e->year, e->member_id, (uint64_t)e->amount);
        shangju__ledger_entry__free_unpacked(e, NULL);
    }
    return store__iter_end(&it);
}
