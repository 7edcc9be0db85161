/* The store on its own: records and indexes, paging cursors, counters,
 * events, dedup, timers, nested transactions, the schema version check, a
 * full map turned into SJ_EFULL, sticky decode failures, the key encoder
 * and the cursor loop. Each test gets a fresh directory. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compacts.h"
#include "store.h"
/* The key encoder and the cursor loop are tested directly. */
#include "store_internal.h"

static const uint8_t fill_bytes[STORE_KEY_MAX] = {1};

static char dir[64];
static sj_store_t *st;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/sj-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
}

static void teardown(void)
{
    sj_store_close(&st);
    sj_store_close(&st); /* safe twice */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static sj_txn_t *begin(void)
{
    sj_txn_t *t;
    ck_assert_int_eq(sj_txn_begin(st, true, &t), 0);
    return t;
}

static void put_member(sj_txn_t *t, uint64_t id, Shangju__Role role,
                       uint8_t keybyte)
{
    uint8_t key[32];
    memset(key, keybyte, sizeof key);
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    m.id = id;
    m.role = role;
    m.name = (char *)"m";
    m.public_key.data = key;
    m.public_key.len = 32;
    ck_assert_int_eq(sj_member_put(t, &m, NULL), 0);
}

START_TEST(members_and_key_index)
{
    sj_txn_t *t = begin();
    put_member(t, 1, SHANGJU__ROLE__ROLE_COMMITTEE, 1);
    put_member(t, 2, SHANGJU__ROLE__ROLE_MERCHANT, 2);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    ck_assert_ptr_null(t);

    t = begin();
    uint8_t key[32];
    memset(key, 2, sizeof key);
    Shangju__Member *m;
    ck_assert_int_eq(sj_member_by_key(t, key, &m), 0);
    ck_assert_uint_eq(m->id, 2);
    shangju__member__free_unpacked(m, NULL);
    memset(key, 9, sizeof key);
    ck_assert_int_eq(sj_member_by_key(t, key, &m), SJ_ENOTFOUND);
    ck_assert_int_eq(sj_txn_error(t), 0); /* not found is not sticky */

    /* Another member may not take a registered key. */
    Shangju__Member dup = SHANGJU__MEMBER__INIT;
    memset(key, 1, sizeof key);
    dup.id = 3;
    dup.public_key.data = key;
    dup.public_key.len = 32;
    ck_assert_int_eq(sj_member_put(t, &dup, NULL), SJ_EEXIST);

    /* Key rotation: the old key stops resolving. */
    ck_assert_int_eq(sj_member_get(t, 2, &m), 0);
    Shangju__Member nm = *m;
    uint8_t newkey[32];
    memset(newkey, 7, sizeof newkey);
    nm.public_key.data = newkey;
    ck_assert_int_eq(sj_member_put(t, &nm, m), 0);
    shangju__member__free_unpacked(m, NULL);
    memset(key, 2, sizeof key);
    ck_assert_int_eq(sj_member_by_key(t, key, &m), SJ_ENOTFOUND);
    ck_assert_int_eq(sj_member_by_key(t, newkey, &m), 0);
    shangju__member__free_unpacked(m, NULL);

    Shangju__Member **items;
    size_t n;
    uint64_t next;
    ck_assert_int_eq(sj_member_list(t, SHANGJU__ROLE__ROLE_MERCHANT, 0, 10,
                                    &items, &n, &next),
                     0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(items[0]->id, 2);
    ck_assert_uint_eq(next, 0);
    sj_member_page_free(items, n);
    sj_txn_abort(&t);
    sj_txn_abort(&t); /* safe on NULL */
}
END_TEST

static void put_wish(sj_txn_t *t, uint64_t id, Shangju__WishState s,
                     uint64_t owner, const char *community)
{
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = id;
    w.state = s;
    w.owner_id = owner;
    w.title = (char *)"t";
    w.community = (char *)community;
    ck_assert_int_eq(sj_wish_put(t, &w, NULL), 0);
}

static size_t count_pages(sj_txn_t *t, const sj_wish_filter_t *f, size_t limit,
                          unsigned char *seen)
{
    uint64_t after = 0, next;
    size_t total = 0;
    do {
        Shangju__Wish **items;
        size_t n;
        ck_assert_int_eq(sj_wish_list(t, f, after, limit, &items, &n, &next),
                         0);
        for (size_t i = 0; i < n; i++) {
            ck_assert(!seen[items[i]->id]);
            seen[items[i]->id] = 1;
            ck_assert_uint_gt(items[i]->id, after);
        }
        total += n;
        sj_wish_page_free(items, n);
        after = next;
    } while (next);
    return total;
}

START_TEST(wish_indexes_follow_moves)
{
    sj_txn_t *t = begin();
    for (uint64_t id = 1; id <= 500; id++)
        put_wish(t, id,
                 id % 5 ? SHANGJU__WISH_STATE__WISH_STATE_OPEN
                        : SHANGJU__WISH_STATE__WISH_STATE_CLAIMED,
                 100 + id % 2, id % 2 ? "North" : "Nor");
    unsigned char seen[501];
    sj_wish_filter_t all = {0};
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(count_pages(t, &all, 7, seen), 500);
    sj_wish_filter_t open = {.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN};
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(count_pages(t, &open, 33, seen), 400);
    /* "Nor" is a prefix of "North": the index must keep them apart. */
    sj_wish_filter_t nor = {.community = "Nor"};
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(count_pages(t, &nor, 50, seen), 250);
    sj_wish_filter_t owner = {.owner_id = 101, .state = 2};
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(count_pages(t, &owner, 10, seen), 50);

    /* Move wish 1 to CLAIMED: it leaves the OPEN index. */
    Shangju__Wish *old;
    ck_assert_int_eq(sj_wish_get(t, 1, &old), 0);
    Shangju__Wish nw = *old;
    nw.state = SHANGJU__WISH_STATE__WISH_STATE_CLAIMED;
    ck_assert_int_eq(sj_wish_put(t, &nw, old), 0);
    shangju__wish__free_unpacked(old, NULL);
    memset(seen, 0, sizeof seen);
    ck_assert_uint_eq(count_pages(t, &open, 1000, seen), 399);
    ck_assert(!seen[1]);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
}
END_TEST

static size_t open_of(sj_txn_t *t, uint64_t owner, size_t max)
{
    size_t n = 99999;
    ck_assert_int_eq(sj_wish_count_open(t, owner, max, &n), 0);
    return n;
}

/* Issue 13: the open-wish quota counts on the index of OPEN wishes by
 * owner, which every put keeps (a wish enters it open, leaves it on any
 * move out of OPEN, comes back on a release). */
START_TEST(open_wishes_counted_per_owner)
{
    sj_txn_t *t = begin();
    for (uint64_t id = 1; id <= 300; id++) /* owner 7's history */
        put_wish(t, id,
                 id <= 3 ? SHANGJU__WISH_STATE__WISH_STATE_OPEN
                         : SHANGJU__WISH_STATE__WISH_STATE_CLOSED,
                 7, "North");
    put_wish(t, 301, SHANGJU__WISH_STATE__WISH_STATE_OPEN, 8, "North");
    ck_assert_uint_eq(open_of(t, 7, 50), 3);
    ck_assert_uint_eq(open_of(t, 7, 2), 2); /* stops at max */
    ck_assert_uint_eq(open_of(t, 8, 50), 1);
    ck_assert_uint_eq(open_of(t, 9, 50), 0);
    Shangju__Wish *old;
    ck_assert_int_eq(sj_wish_get(t, 2, &old), 0);
    Shangju__Wish nw = *old;
    nw.state = SHANGJU__WISH_STATE__WISH_STATE_CLAIMED;
    ck_assert_int_eq(sj_wish_put(t, &nw, old), 0);
    ck_assert_uint_eq(open_of(t, 7, 50), 2);
    Shangju__Wish back = nw; /* released: OPEN again */
    back.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    ck_assert_int_eq(sj_wish_put(t, &back, &nw), 0);
    shangju__wish__free_unpacked(old, NULL);
    ck_assert_uint_eq(open_of(t, 7, 50), 3);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
}
END_TEST

static void force_schema(uint64_t v);

/* Empty the index of OPEN wishes by owner and stamp the schema 1, as a
 * store written before schema 2 is. */
static void make_schema_1(void)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 32), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "wish_open_by_owner", 0, &dbi), 0);
    ck_assert_int_eq(mdb_drop(txn, dbi, 1), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    force_schema(1);
}

static uint64_t verify_problems(int *lines); /* below, with verify's tests */

/* A schema-1 store gains the index, filled from its wishes, when it is
 * opened; verify finds no more than before and the schema is 2. */
START_TEST(schema_1_store_gains_the_open_index)
{
    sj_txn_t *t = begin();
    for (uint64_t id = 1; id <= 40; id++)
        put_wish(t, id,
                 id % 4 ? SHANGJU__WISH_STATE__WISH_STATE_OPEN
                        : SHANGJU__WISH_STATE__WISH_STATE_CANCELLED,
                 100 + id % 2, "North");
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    int lines = 0;
    /* wishes of owners not registered: the same problems after */
    uint64_t before = verify_problems(&lines);
    sj_store_close(&st);
    make_schema_1();
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
    t = begin();
    ck_assert_uint_eq(open_of(t, 100, 50), 10); /* 2, 6, 10, ... 38 */
    ck_assert_uint_eq(open_of(t, 101, 50), 20); /* every odd id */
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    ck_assert_uint_eq(verify_problems(&lines), before);
    sj_store_close(&st);
    uint32_t found = 0; /* stamped 2: a schema-1 broker would refuse it */
    force_schema(SJ_SCHEMA_VERSION + 1);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), SJ_ESCHEMA);
    force_schema(2);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
}
END_TEST

START_TEST(counters_events_and_nesting)
{
    sj_txn_t *t = begin(), *child;
    uint64_t id;
    ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_WISH, &id), 0);
    ck_assert_uint_eq(id, 1);
    for (int i = 0; i < 3; i++) {
        Shangju__Event ev = SHANGJU__EVENT__INIT;
        ev.topic = (char *)"wish.posted";
        ck_assert_int_eq(sj_event_append(t, &ev), 0);
        ck_assert_uint_eq(ev.seq, (uint64_t)i + 1);
    }
    /* An aborted child leaves no trace: the next seq is still 4. */
    ck_assert_int_eq(sj_txn_begin_nested(t, &child), 0);
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.topic = (char *)"wish.claimed";
    ck_assert_int_eq(sj_event_append(child, &ev), 0);
    ck_assert_uint_eq(ev.seq, 4);
    sj_txn_abort(&child);
    ck_assert_int_eq(sj_txn_begin_nested(t, &child), 0);
    ck_assert_int_eq(sj_event_append(child, &ev), 0);
    ck_assert_uint_eq(ev.seq, 4);
    ck_assert_int_eq(sj_txn_commit(&child), 0);
    ck_assert_int_eq(sj_txn_commit(&t), 0);

    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    Shangju__Event **items;
    size_t n;
    ck_assert_int_eq(sj_event_range(t, 2, 10, &items, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(items[0]->seq, 2);
    ck_assert_str_eq(items[2]->topic, "wish.claimed");
    sj_event_page_free(items, n);
    ck_assert_int_eq(sj_txn_last_id(t, SJ_COUNTER_EVENT, &id), 0);
    ck_assert_uint_eq(id, 4);
    sj_txn_abort(&t);
    sj_store_stats_t s;
    ck_assert_int_eq(sj_store_stats(st, &s), 0);
    ck_assert_uint_eq(s.events, 4);
    ck_assert_uint_eq(s.last_seq, 4);
}
END_TEST

START_TEST(dedup_and_prune)
{
    sj_txn_t *t = begin();
    uint8_t key[32] = {1};
    ck_assert_int_eq(sj_dedup_put(t, key, 42, 1000, (const uint8_t *)"abc", 3),
                     0);
    ck_assert_int_eq(sj_dedup_put(t, key, 43, 5000, (const uint8_t *)"de", 2),
                     0);
    uint8_t *r;
    size_t len;
    ck_assert_int_eq(sj_dedup_get(t, key, 42, &r, &len), 0);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(r, "abc", 3);
    free(r);
    key[1] = 1; /* another client, same request id */
    ck_assert_int_eq(sj_dedup_get(t, key, 42, &r, &len), SJ_ENOTFOUND);
    key[1] = 0;
    size_t n;
    ck_assert_int_eq(sj_dedup_prune(t, 2000, 100, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(sj_dedup_get(t, key, 42, &r, &len), SJ_ENOTFOUND);
    ck_assert_int_eq(sj_dedup_get(t, key, 43, &r, &len), 0);
    free(r);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
}
END_TEST

START_TEST(timers_in_due_order)
{
    sj_txn_t *t = begin();
    sj_timer_t a = {300, SJ_TIMER_WISH_EXPIRE, 1};
    sj_timer_t b = {100, SJ_TIMER_CLAIM_DUE, 2};
    sj_timer_t c = {200, SJ_TIMER_AUTO_CLOSE, 3};
    ck_assert_int_eq(sj_timer_set(t, &a), 0);
    ck_assert_int_eq(sj_timer_set(t, &b), 0);
    ck_assert_int_eq(sj_timer_set(t, &c), 0);
    int64_t next;
    ck_assert_int_eq(sj_timer_next(t, &next), 0);
    ck_assert_int_eq(next, 100);
    sj_timer_t due[4];
    size_t n;
    ck_assert_int_eq(sj_timer_due(t, 250, due, 4, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(due[0].id, 2);
    ck_assert_int_eq(due[1].kind, SJ_TIMER_AUTO_CLOSE);
    ck_assert_int_eq(sj_timer_clear(t, &b), 0);
    ck_assert_int_eq(sj_timer_clear(t, &b), 0); /* absent: fine */
    ck_assert_int_eq(sj_timer_next(t, &next), 0);
    ck_assert_int_eq(next, 200);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
}
END_TEST

/* Write schema_version = v straight into the meta table. */
static void force_schema(uint64_t v)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 32), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    uint8_t buf[8] = {0};
    buf[7] = (uint8_t)v;
    MDB_val k = {14, (void *)"schema_version"}, d = {8, buf};
    ck_assert_int_eq(mdb_put(txn, dbi, &k, &d, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

START_TEST(wrong_schema_is_refused)
{
    sj_store_close(&st);
    force_schema(SJ_SCHEMA_VERSION + 1);
    uint32_t found = 0;
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), SJ_ESCHEMA);
    ck_assert_ptr_null(st);
    ck_assert_uint_eq(found, SJ_SCHEMA_VERSION + 1);
    force_schema(SJ_SCHEMA_VERSION);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
}
END_TEST

/* Delete schema_version from the meta table, as a damaged or foreign
 * store would lack it. */
static void drop_schema(void)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 32), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    MDB_val k = {14, (void *)"schema_version"};
    ck_assert_int_eq(mdb_del(txn, dbi, &k, NULL), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* Issue 9 §9: a store that holds records but no schema version was
 * silently stamped with this broker's version; it must be refused (found
 * version 0), since nothing says how its records were written. An empty
 * store without one is simply new. */
START_TEST(populated_store_without_schema_is_refused)
{
    sj_txn_t *t = begin();
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    m.id = 1;
    m.role = SHANGJU__ROLE__ROLE_COMMITTEE;
    m.name = (char *)"Committee";
    uint8_t key[32] = {7};
    m.public_key.data = key;
    m.public_key.len = sizeof key;
    m.status = SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    ck_assert_int_eq(sj_member_put(t, &m, NULL), 0);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    sj_store_close(&st);
    drop_schema();
    uint32_t found = 99;
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), SJ_ESCHEMA);
    ck_assert_ptr_null(st);
    ck_assert_uint_eq(found, 0);
    /* still refused the second time: nothing was stamped */
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), SJ_ESCHEMA);
    force_schema(SJ_SCHEMA_VERSION);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
}
END_TEST

START_TEST(full_map_is_a_clean_error)
{
    sj_store_close(&st);
    ck_assert_int_eq(sj_store_open(dir, 1 << 20, &st, NULL), 0);
    sj_txn_t *t = begin();
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    int err = 0;
    uint64_t id;
    for (id = 1; id < 100000 && !err; id++) {
        sj_txn_t *child;
        ck_assert_int_eq(sj_txn_begin_nested(t, &child), 0);
        Shangju__Wish w = SHANGJU__WISH__INIT;
        w.id = id;
        w.title = big;
        w.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
        err = sj_wish_put(child, &w, NULL);
        if (err) {
            ck_assert_int_eq(sj_txn_error(child), SJ_EFULL);
            ck_assert_int_eq(sj_txn_commit(&child), SJ_EFULL); /* sticky */
        } else {
            ck_assert_int_eq(sj_txn_commit(&child), 0);
        }
    }
    ck_assert_int_eq(err, SJ_EFULL);
    /* LMDB may need a few more pages to commit the parent (its free list):
     * that too is a clean SJ_EFULL, and the store stays usable. */
    err = sj_txn_commit(&t);
    ck_assert(err == 0 || err == SJ_EFULL);
    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    Shangju__Wish *w;
    ck_assert_int_eq(sj_wish_get(t, 1, &w), err ? SJ_ENOTFOUND : 0);
    if (!err)
        shangju__wish__free_unpacked(w, NULL);
    sj_txn_abort(&t);

    /* Growing the map (what an operator does) makes room again. */
    sj_store_close(&st);
    ck_assert_int_eq(sj_store_open(dir, 8 << 20, &st, NULL), 0);
    t = begin();
    put_wish(t, id + 1, SHANGJU__WISH_STATE__WISH_STATE_OPEN, 1, "c");
    ck_assert_int_eq(sj_txn_commit(&t), 0);
}
END_TEST

static void count_problem(void *ud, const char *problem)
{
    (void)problem;
    (*(int *)ud)++;
}

/* Put key -> val (put) or delete key (!put) in a named table, behind the
 * store's back. */
static void raw_edit(const char *table, const void *key, size_t len,
                     const void *val, size_t vlen, bool put)
{
    sj_store_close(&st);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 32), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, table, 0, &dbi), 0);
    MDB_val k = {len, (void *)key}, d = {vlen, (void *)val};
    ck_assert_int_eq(
        put ? mdb_put(txn, dbi, &k, &d, 0) : mdb_del(txn, dbi, &k, NULL), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, NULL), 0);
}

static void raw_delete(const char *table, const void *key, size_t len)
{
    raw_edit(table, key, len, NULL, 0, false);
}

/* An index entry (empty value). */
static void raw_put(const char *table, const void *key, size_t len)
{
    raw_edit(table, key, len, "", 0, true);
}

/* Bytes that are no protobuf message: a varint that never ends. */
static const uint8_t garbage[] = {0xff, 0xff, 0xff};

static void raw_garbage(const char *table, const void *key, size_t len)
{
    raw_edit(table, key, len, garbage, sizeof garbage, true);
}

static uint64_t verify_problems(int *lines)
{
    sj_txn_t *t;
    sj_verify_t v = {0};
    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    ck_assert_int_eq(sj_store_verify(t, count_problem, lines, &v), 0);
    sj_txn_abort(&t);
    return v.problems;
}

START_TEST(verify_finds_damage)
{
    sj_txn_t *t = begin();
    put_member(t, 1, SHANGJU__ROLE__ROLE_RESIDENT, 1);
    uint64_t id;
    ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_MEMBER, &id), 0);
    for (uint64_t w = 1; w <= 3; w++) {
        ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_WISH, &id), 0);
        put_wish(t, id, SHANGJU__WISH_STATE__WISH_STATE_OPEN, 1, "c");
        Shangju__Event ev = SHANGJU__EVENT__INIT;
        ev.topic = (char *)"wish.posted";
        ck_assert_int_eq(sj_event_append(t, &ev), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    int lines = 0;
    ck_assert_uint_eq(verify_problems(&lines), 0);
    ck_assert_int_eq(lines, 0);

    uint8_t k[9] = {SHANGJU__WISH_STATE__WISH_STATE_OPEN};
    k[8] = 2; /* state index entry of wish 2 */
    raw_delete("wish_by_state", k, sizeof k);
    ck_assert_uint_eq(verify_problems(&lines), 1);
    uint8_t seq[8] = {0, 0, 0, 0, 0, 0, 0, 2};
    raw_delete("events", seq, sizeof seq); /* a gap in the log */
    lines = 0;
    ck_assert_uint_eq(verify_problems(&lines), 2);
    ck_assert_int_eq(lines, 2);
}
END_TEST

typedef struct {
    int n;
    char last[256];
} lines_t;

static void keep_problem(void *ud, const char *problem)
{
    lines_t *l = ud;
    l->n++;
    snprintf(l->last, sizeof l->last, "%s", problem);
}

/* Verify, expecting exactly one problem whose line contains want. */
static void expect_one(const char *want)
{
    lines_t l = {0};
    sj_txn_t *t;
    sj_verify_t v = {0};
    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    ck_assert_int_eq(sj_store_verify(t, keep_problem, &l, &v), 0);
    sj_txn_abort(&t);
    ck_assert_msg(v.problems == 1 && strstr(l.last, want),
                  "expected one problem \"%s\", got %llu, last \"%s\"", want,
                  (unsigned long long)v.problems, l.last);
}

static void be64(uint8_t *k, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        k[i] = (uint8_t)v;
}

/* Every index of every table is checked both ways: a record missing its
 * entry, and an entry that is stale or whose record is gone. */
START_TEST(verify_checks_every_index)
{
    sj_txn_t *t = begin();
    put_member(t, 1, SHANGJU__ROLE__ROLE_RESIDENT, 1);
    put_member(t, 2, SHANGJU__ROLE__ROLE_MERCHANT, 2);
    uint64_t id;
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_MEMBER, &id), 0);
    ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_WISH, &id), 0);
    Shangju__Claim claim = SHANGJU__CLAIM__INIT;
    claim.merchant_id = 2;
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = id;
    w.state = SHANGJU__WISH_STATE__WISH_STATE_CLAIMED;
    w.owner_id = 1;
    w.title = (char *)"t";
    w.community = (char *)"east";
    w.claim = &claim;
    ck_assert_int_eq(sj_wish_put(t, &w, NULL), 0);
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.merchant_id = 2;
    l.name = (char *)"shop";
    l.category = (char *)"food";
    ck_assert_int_eq(sj_listing_put(t, &l, NULL), 0);
    ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_COMPACT, &id), 0);
    Shangju__Compact cp = SHANGJU__COMPACT__INIT;
    cp.id = id;
    cp.title = (char *)"c";
    cp.state = SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE;
    ck_assert_int_eq(sj_compact_put(t, &cp, NULL), 0);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    int lines = 0;
    ck_assert_uint_eq(verify_problems(&lines), 0);

    uint8_t k[32];
    k[0] = SHANGJU__ROLE__ROLE_MERCHANT;
    be64(k + 1, 2);
    raw_delete("member_by_role", k, 9);
    expect_one("member 2: missing from the role index");
    raw_put("member_by_role", k, 9);
    k[0] = SHANGJU__ROLE__ROLE_COMMITTEE; /* a stale role */
    raw_put("member_by_role", k, 9);
    expect_one("member role index: stale entry for member 2");
    raw_delete("member_by_role", k, 9);

    be64(k, 2);
    be64(k + 8, 1);
    raw_delete("wish_by_claimant", k, 16);
    expect_one("wish 1: missing from the claimant index");
    raw_put("wish_by_claimant", k, 16);
    be64(k, 1);
    be64(k + 8, 7); /* owner 1, wish 7: no such wish */
    raw_put("wish_by_owner", k, 16);
    expect_one("wish owner index: wish 7 does not exist");
    raw_delete("wish_by_owner", k, 16);
    memcpy(k, "east", 5);
    be64(k + 5, 1);
    raw_delete("wish_by_community", k, 13);
    expect_one("wish 1: missing from the community index");
    raw_put("wish_by_community", k, 13);
    memcpy(k, "west", 5);
    raw_put("wish_by_community", k, 13);
    expect_one("wish community index: stale entry for wish 1");
    raw_delete("wish_by_community", k, 13);
    memcpy(k, "food", 5);
    be64(k + 5, 2);
    raw_delete("listing_by_category", k, 13);
    expect_one("listing 2: missing from the category index");
    raw_put("listing_by_category", k, 13);
    k[0] = SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE;
    be64(k + 1, 1);
    raw_delete("compact_by_state", k, 9);
    expect_one("compact 1: missing from the state index");
    k[0] = SHANGJU__COMPACT_STATE__COMPACT_STATE_SIGNED;
    raw_put("compact_by_state", k, 9);
    lines = 0;
    ck_assert_uint_eq(verify_problems(&lines), 2); /* missing and stale */
}
END_TEST

/* An OPEN wish id of owner 1 in community, of category. */
static void put_wish_of(sj_txn_t *t, uint64_t id, const char *community,
                        const char *category)
{
    Shangju__Wish w = SHANGJU__WISH__INIT;
    w.id = id;
    w.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    w.owner_id = 1;
    w.title = (char *)"t";
    w.community = (char *)community;
    w.category = (char *)category;
    ck_assert_int_eq(sj_wish_put(t, &w, NULL), 0);
}

/* How many wishes f lists from the start, in one call of limit 100. */
static size_t list_count(const sj_wish_filter_t *f)
{
    sj_txn_t *t = begin();
    Shangju__Wish **items;
    size_t n;
    uint64_t next;
    ck_assert_int_eq(sj_wish_list(t, f, 0, 100, &items, &n, &next), 0);
    sj_wish_page_free(items, n);
    sj_txn_abort(&t);
    return n;
}

/* Issue 15: schema 3 indexes communities and categories folded. An older
 * store (its community index keyed by the bytes as written, no category
 * index) is brought to 3 when it opens, step by step in one transaction,
 * and then finds its wishes without regard to case and verifies clean. */
START_TEST(older_schema_gains_folded_indexes)
{
    sj_txn_t *t = begin();
    uint64_t id;
    ck_assert_int_eq(sj_txn_next_id(t, SJ_COUNTER_WISH, &id), 0);
    put_wish_of(t, id, "JINQIAO", "Food");
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    sj_wish_filter_t any_case = {.community = "Jinqiao", .category = "FOOD"};
    ck_assert_uint_eq(list_count(&any_case), 1);

    /* Make it a store of version 1 or 2 (_i): the community key as
     * written, no category index. */
    uint8_t k[32];
    memcpy(k, "jinqiao", 8);
    be64(k + 8, 1);
    raw_delete("wish_by_community", k, 16);
    memcpy(k, "JINQIAO", 8);
    raw_put("wish_by_community", k, 16);
    memcpy(k, "food", 5);
    be64(k + 5, 1);
    raw_delete("wish_by_category", k, 13);
    ck_assert_uint_eq(list_count(&any_case), 0);
    sj_store_close(&st);
    force_schema((uint64_t)_i);

    uint32_t found = 0;
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), 0);
    ck_assert_uint_eq(list_count(&any_case), 1);
    sj_wish_filter_t upper = {.community = "JINQIAO"};
    ck_assert_uint_eq(list_count(&upper), 1);
    int lines = 0;
    ck_assert_uint_eq(verify_problems(&lines), 0); /* the old key is gone */
    sj_store_close(&st);
    ck_assert_int_eq(sj_store_open(dir, 0, &st, &found), 0); /* now 3 */
}
END_TEST

/* Newest first under a filter that matches nothing: each call examines at
 * most the scan budget, and its cursor (the next `before`) goes on below
 * what it examined until the range is done. */
START_TEST(newest_first_keeps_the_scan_budget)
{
    enum { N = STORE_SCAN_BUDGET + 100 };
    sj_txn_t *t = begin();
    for (uint64_t id = 1; id <= N; id++)
        put_wish_of(t, id, "east", "food");
    sj_wish_filter_t f = {
        .community = "East", .category = "repair", .newest_first = true};
    Shangju__Wish **items;
    size_t n;
    uint64_t next;
    ck_assert_int_eq(sj_wish_list(t, &f, 0, 10, &items, &n, &next), 0);
    sj_wish_page_free(items, n);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(next, N - STORE_SCAN_BUDGET + 1); /* last examined */
    f.before = next;
    ck_assert_int_eq(sj_wish_list(t, &f, 0, 10, &items, &n, &next), 0);
    sj_wish_page_free(items, n);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(next, 0);
    /* A match below the budget's reach is found by the second call. */
    f.category = "FOOD";
    f.before = 3;
    ck_assert_int_eq(sj_wish_list(t, &f, 0, 10, &items, &n, &next), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(items[0]->id, 2);
    ck_assert_uint_eq(items[1]->id, 1);
    ck_assert_uint_eq(next, 0);
    sj_wish_page_free(items, n);
    sj_txn_abort(&t);
}
END_TEST

/* A record that does not decode is a failure of the transaction like any
 * other: sticky, named by sj_txn_error_detail, refused at commit. */
START_TEST(decode_failure_sticks)
{
    sj_txn_t *t = begin();
    put_wish(t, 1, SHANGJU__WISH_STATE__WISH_STATE_OPEN, 1, "c");
    put_wish(t, 2, SHANGJU__WISH_STATE__WISH_STATE_OPEN, 1, "c");
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    uint8_t k[8];
    be64(k, 2);
    raw_garbage("wishes", k, sizeof k);

    t = begin();
    ck_assert_ptr_null(sj_txn_error_detail(t));
    Shangju__Wish *w = NULL;
    ck_assert_int_eq(sj_wish_get(t, 1, &w), 0);
    shangju__wish__free_unpacked(w, NULL);
    ck_assert_int_eq(sj_wish_get(t, 2, &w), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    ck_assert_ptr_nonnull(strstr(sj_txn_error_detail(t), "wishes"));
    ck_assert_ptr_nonnull(strstr(sj_txn_error_detail(t), "decode"));
    ck_assert_int_eq(sj_wish_get(t, 1, &w), SJ_EIO); /* sticky */
    ck_assert_int_eq(sj_txn_commit(&t), SJ_EIO);

    /* In a list (a cursor walk) too. */
    t = begin();
    Shangju__Wish **items;
    size_t n;
    uint64_t next;
    sj_wish_filter_t all = {0};
    ck_assert_int_eq(sj_wish_list(t, &all, 0, 10, &items, &n, &next), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    sj_txn_abort(&t);
    sj_wish_filter_t open = {.state = SHANGJU__WISH_STATE__WISH_STATE_OPEN};
    t = begin();
    ck_assert_int_eq(sj_wish_list(t, &open, 0, 10, &items, &n, &next), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    sj_txn_abort(&t);

    /* The event log. */
    t = begin();
    Shangju__Event ev = SHANGJU__EVENT__INIT;
    ev.topic = (char *)"wish.posted";
    ck_assert_int_eq(sj_event_append(t, &ev), 0);
    ck_assert_int_eq(sj_txn_commit(&t), 0);
    be64(k, 1);
    raw_garbage("events", k, sizeof k);
    t = begin();
    Shangju__Event **evs;
    ck_assert_int_eq(sj_event_range(t, 1, 10, &evs, &n), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    ck_assert_ptr_nonnull(strstr(sj_txn_error_detail(t), "events"));
    sj_txn_abort(&t);

    /* A malformed key in the timers table, met by the walk. */
    raw_put("timers", "bad", 3);
    t = begin();
    sj_timer_t due[2];
    ck_assert_int_eq(sj_timer_due(t, 1000, due, 2, &n), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    sj_txn_abort(&t);
    t = begin();
    int64_t when;
    ck_assert_int_eq(sj_timer_next(t, &when), SJ_EIO);
    ck_assert_int_eq(sj_txn_commit(&t), SJ_EIO);

    /* verify reports what does not decode, and goes on. */
    lines_t l = {0};
    sj_verify_t v = {0};
    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    ck_assert_int_eq(sj_store_verify(t, keep_problem, &l, &v), 0);
    ck_assert_int_eq(sj_txn_error(t), 0);
    sj_txn_abort(&t);
    /* wish 2: its record and its four index entries (state, owner,
     * community, open by owner); event 1; and the wish counter, which
     * this test never moved */
    ck_assert_uint_eq(v.problems, 7);
    ck_assert_uint_eq(v.wishes, 2);
}
END_TEST

/* The store reports, its callers log: a failed open prints nothing and
 * leaves the system's reason in errno. */
START_TEST(errors_are_not_printed)
{
    char path[128];
    snprintf(path, sizeof path, "%s/no/such/dir", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *cap = tmpfile();
    ck_assert_ptr_nonnull(cap);
    ck_assert_int_ge(dup2(fileno(cap), 2), 0);
    sj_store_t *other = NULL;
    errno = 0;
    int err = sj_store_open(path, 0, &other, NULL);
    int why = errno;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ck_assert_int_eq(err, SJ_EIO);
    ck_assert_int_eq(why, ENOENT);
    ck_assert_ptr_null(other);
    ck_assert_int_eq(fseek(cap, 0, SEEK_END), 0);
    ck_assert_int_eq(ftell(cap), 0);
    fclose(cap);
}
END_TEST

/* The key encoder: big-endian numbers, NUL-ended strings, a hard cap. */
START_TEST(key_encoder)
{
    store__key_t k, a, b;
    store__key_id(&k, 0x0102030405060708ULL);
    ck_assert_uint_eq(k.len, 8);
    ck_assert_int_eq(k.b[0], 1);
    ck_assert_int_eq(k.b[7], 8);
    store__key_u32(&k, 7);
    store__key_u8(&k, 9);
    ck_assert_uint_eq(k.len, 13);
    ck_assert_int_eq(k.b[11], 7);
    ck_assert_int_eq(k.b[12], 9);

    /* "ab" and its ids sort before "abc" and its ids. */
    store__key_init(&a);
    store__key_str(&a, "ab");
    store__key_u64(&a, UINT64_MAX);
    store__key_init(&b);
    store__key_str(&b, "abc");
    store__key_u64(&b, 0);
    ck_assert_uint_eq(a.len, 3 + 8);
    ck_assert_int_lt(memcmp(a.b, b.b, a.len), 0);
    ck_assert(!store__key_eq(&a, &b));
    b = a;
    ck_assert(store__key_eq(&a, &b));

    /* Filled to the cap exactly: fine; one byte more: over, unchanged. */
    uint8_t fill[STORE_KEY_MAX];
    memset(fill, 'x', sizeof fill);
    store__key_init(&k);
    store__key_bytes(&k, fill, STORE_KEY_MAX - 1);
    ck_assert(!k.over);
    store__key_u8(&k, 1);
    ck_assert(!k.over);
    ck_assert_uint_eq(k.len, STORE_KEY_MAX);
    store__key_u8(&k, 2);
    ck_assert(k.over);
    ck_assert_uint_eq(k.len, STORE_KEY_MAX);
    char big[STORE_KEY_MAX];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    store__key_init(&k);
    store__key_str(&k, big); /* 255 bytes and the NUL: fits */
    ck_assert(!k.over);
    store__key_init(&k);
    store__key_u8(&k, 0);
    store__key_str(&k, big); /* one byte more: over */
    ck_assert(k.over);
    ck_assert_uint_eq(k.len, 1);
    ck_assert(!store__key_eq(&k, &k));

    /* An over key is refused, and the refusal sticks. */
    sj_txn_t *t = begin();
    ck_assert_int_eq(store__put(t, DB_TIMERS, &k, "", 0), SJ_EINVAL);
    ck_assert_int_eq(sj_txn_error(t), SJ_EINVAL);
    ck_assert_int_eq(sj_txn_commit(&t), SJ_EINVAL);
    t = begin();
    store__key_init(&k); /* an empty key: LMDB would refuse it too */
    ck_assert_int_eq(store__get(t, DB_TIMERS, &k, NULL), SJ_EINVAL);
    sj_txn_abort(&t);
}
END_TEST

/* The cursor loop: prefix ranges, break, errors from the body. */
START_TEST(foreach_loop)
{
    sj_txn_t *t = begin();
    for (uint64_t id = 1; id <= 3; id++) {
        sj_timer_t a = {.due = 100, .kind = SJ_TIMER_WISH_EXPIRE, .id = id};
        sj_timer_t b = {.due = 200, .kind = SJ_TIMER_CLAIM_DUE, .id = id};
        ck_assert_int_eq(sj_timer_set(t, &a), 0);
        ck_assert_int_eq(sj_timer_set(t, &b), 0);
    }
    ck_assert_int_eq(sj_txn_commit(&t), 0);

    /* Read transactions: a cursor left open would leak (ASan sees it). */
    ck_assert_int_eq(sj_txn_begin(st, false, &t), 0);
    store__key_t prefix, start;
    store__key_id(&prefix, 200);
    int n = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_TIMERS, &prefix) {
        ck_assert_uint_eq(it.key.len, 17);
        ck_assert_int_eq(it.key.data[8], SJ_TIMER_CLAIM_DUE);
        n++;
    }
    ck_assert_int_eq(store__iter_end(&it), 0);
    ck_assert_int_eq(store__iter_end(&it), 0); /* safe twice */
    ck_assert_int_eq(n, 3);

    start = prefix;
    store__key_u8(&start, SJ_TIMER_CLAIM_DUE);
    store__key_u64(&start, 2);
    n = 0;
    store__foreach_from(&it, t, DB_TIMERS, &prefix, &start)
        n++;
    ck_assert_int_eq(store__iter_end(&it), 0);
    ck_assert_int_eq(n, 2); /* ids 2 and 3 */

    n = 0;
    store__foreach(&it, t, DB_TIMERS, NULL) {
        if (++n == 2)
            break;
    }
    ck_assert_int_eq(store__iter_end(&it), 0);
    ck_assert_int_eq(n, 2);

    /* A failure the body reports ends the loop and sticks to t. */
    n = 0;
    store__foreach(&it, t, DB_TIMERS, NULL) {
        n++;
        store__iter_fail(&it, SJ_EIO, "test");
    }
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(store__iter_end(&it), SJ_EIO);
    ck_assert_int_eq(sj_txn_error(t), SJ_EIO);
    ck_assert_str_eq(sj_txn_error_detail(t), "timers: test");
    n = 0;
    store__foreach(&it, t, DB_TIMERS, NULL)
        n++; /* t failed: no walk */
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(store__iter_end(&it), SJ_EIO);
    sj_txn_abort(&t);

    /* So does a sticky failure of a call in the body, even after break. */
    t = begin();
    store__key_t over;
    store__key_init(&over);
    store__key_bytes(&over, fill_bytes, STORE_KEY_MAX);
    store__key_u8(&over, 0);
    n = 0;
    store__foreach(&it, t, DB_TIMERS, NULL) {
        n++;
        store__del(t, DB_WISHES, &over);
    }
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(store__iter_end(&it), SJ_EINVAL);
    store__foreach(&it, t, DB_TIMERS, NULL) {
        break;
    }
    ck_assert_int_eq(store__iter_end(&it), SJ_EINVAL);
    sj_txn_abort(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, members_and_key_index);
    tcase_add_test(tc, wish_indexes_follow_moves);
    tcase_add_test(tc, open_wishes_counted_per_owner);
    tcase_add_test(tc, schema_1_store_gains_the_open_index);
    tcase_add_test(tc, counters_events_and_nesting);
    tcase_add_test(tc, dedup_and_prune);
    tcase_add_test(tc, timers_in_due_order);
    tcase_add_test(tc, wrong_schema_is_refused);
    tcase_add_test(tc, populated_store_without_schema_is_refused);
    tcase_add_test(tc, full_map_is_a_clean_error);
    tcase_add_test(tc, verify_finds_damage);
    tcase_add_test(tc, verify_checks_every_index);
    tcase_add_loop_test(tc, older_schema_gains_folded_indexes, 1, 3);
    tcase_add_test(tc, newest_first_keeps_the_scan_budget);
    tcase_add_test(tc, decode_failure_sticks);
    tcase_add_test(tc, errors_are_not_printed);
    tcase_add_test(tc, key_encoder);
    tcase_add_test(tc, foreach_loop);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

SJ_CHECK_MAIN(suite)
