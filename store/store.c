/* The only file that calls LMDB (Knot's knot_lmdb.c): the environment,
 * transactions with a sticky error, the one translation of LMDB's codes,
 * and the record, value and cursor primitives every table file builds on
 * (store_internal.h); also counters, schema check, stats. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include "store_internal.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const db_names[DB__COUNT] = {
    [DB_META] = "meta",
    [DB_MEMBERS] = "members",
    [DB_MEMBER_KEYS] = "member_keys",
    [DB_MEMBER_BY_ROLE] = "member_by_role",
    [DB_WISHES] = "wishes",
    [DB_WISH_BY_STATE] = "wish_by_state",
    [DB_WISH_BY_OWNER] = "wish_by_owner",
    [DB_WISH_BY_CLAIMANT] = "wish_by_claimant",
    [DB_WISH_BY_COMMUNITY] = "wish_by_community",
    [DB_TIMERS] = "timers",
    [DB_EVENTS] = "events",
    [DB_DEDUP] = "dedup",
    [DB_DEDUP_BY_TIME] = "dedup_by_time",
    [DB_LISTINGS] = "listings",
    [DB_LISTING_BY_CATEGORY] = "listing_by_category",
    [DB_COMPACTS] = "compacts",
    [DB_COMPACT_BY_STATE] = "compact_by_state",
    [DB_LEDGER] = "ledger",
    [DB_LEDGER_BY_MEMBER] = "ledger_by_member",
    [DB_BALANCES] = "balances",
    [DB_EARNED] = "earned",
    [DB_RANK] = "rank",
    [DB_RANKINGS] = "rankings",
    [DB_ANCHORS] = "ledger_anchors",
    [DB_MEMBER_BY_HANDLE] = "member_by_handle",
    [DB_WISH_BY_CATEGORY] = "wish_by_category",
    [DB_WISH_OPEN_BY_OWNER] = "wish_open_by_owner",
};

static const char *const counter_keys[SJ_COUNTER__MAX] = {
    [SJ_COUNTER_MEMBER] = "next_member_id",
    [SJ_COUNTER_WISH] = "next_wish_id",
    [SJ_COUNTER_EVENT] = "last_seq",
    [SJ_COUNTER_COMPACT] = "next_compact_id",
    [SJ_COUNTER_LEDGER] = "last_ledger_seq",
    [SJ_COUNTER_TRANSFER] = "next_transfer_id",
};

#define META_SCHEMA "schema_version"

struct sj_store {
    MDB_env *env;
    MDB_dbi dbi[DB__COUNT];
    size_t map_size;
    /* Read transactions (any thread) hold it shared; growing the map
     * holds it exclusive, since mdb_env_set_mapsize remaps the file under
     * every reader of this process. Writer-preferring, so a flood of
     * readers cannot starve a resize. */
    pthread_rwlock_t map_lock;
};

struct sj_txn {
    sj_store_t *store;
    MDB_txn *txn;
    bool shared;     /* holds store->map_lock (a top-level read) */
    int err;         /* sticky: first failure, 0 when none */
    char detail[96]; /* what caused err, for sj_txn_error_detail */
};

/* LMDB's (or the system's) code as an SJ_E* code. Pure: the callers keep
 * the cause (sj_txn_error_detail, errno) and the broker logs it. */
static int map_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return SJ_OK;
    case MDB_NOTFOUND:
        return SJ_ENOTFOUND;
    case MDB_KEYEXIST:
        return SJ_EEXIST;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_MAP_RESIZED:
        return SJ_EFULL;
    case ENOSPC:
    case EDQUOT:
        return SJ_ENOSPC;
    case ENOMEM:
        return SJ_ENOMEM;
    case EINVAL:
        return SJ_EINVAL;
    default:
        return SJ_EIO;
    }
}

/* Record err (with the table and the cause) as t's sticky error unless one
 * is there already; SJ_ENOTFOUND is an answer, not a failure. */
static int stick(sj_txn_t *t, int db, int err, const char *why)
{
    if (err != SJ_OK && err != SJ_ENOTFOUND && !t->err) {
        t->err = err;
        snprintf(t->detail, sizeof t->detail, "%s%s%s",
                 db >= 0 ? db_names[db] : "", db >= 0 ? ": " : "",
                 why ? why : sj_strerror(err));
    }
    return err;
}

/* An LMDB return code from an operation on db (-1: none) in t. LMDB's text
 * is looked up only for an error that sticks (MDB_NOTFOUND is common). */
static int fail_mdb(sj_txn_t *t, int db, int rc)
{
    int err = map_err(rc);
    if (err == SJ_OK || err == SJ_ENOTFOUND || t->err)
        return err;
    return stick(t, db, err, mdb_strerror(rc));
}

/* ------------------------------------------------------------ environment */

static int meta_get_u64(MDB_txn *txn, MDB_dbi dbi, const char *name,
                        uint64_t *v)
{
    MDB_val k = {strlen(name), (void *)name}, d;
    int rc = mdb_get(txn, dbi, &k, &d);
    if (rc != MDB_SUCCESS)
        return rc;
    if (d.mv_size != 8)
        return MDB_CORRUPTED;
    *v = store__get_be64(d.mv_data);
    return MDB_SUCCESS;
}

static int meta_put_u64(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t v)
{
    uint8_t buf[8];
    store__be64(buf, v);
    MDB_val k = {strlen(name), (void *)name}, d = {8, buf};
    return mdb_put(txn, dbi, &k, &d, 0);
}

/* An LMDB code from opening, copying or committing outside a txn: the SJ
 * code, with errno left holding the reason for the caller's log (LMDB
 * returns system errors as errno values; its own failures, such as "not
 * an LMDB file", become EIO). */
static int env_err(int rc)
{
    int err = map_err(rc);
    if (err == SJ_EIO)
        errno = rc > 0 ? rc : EIO;
    return err;
}

/* Whether every table is empty. A store without a schema version is new
 * only then; one holding records was written by something that did not
 * say how, and stamping it with this version would misread it. */
static int all_empty(MDB_txn *txn, const sj_store_t *s, bool *empty)
{
    *empty = true;
    for (int i = 0; i < DB__COUNT; i++) {
        MDB_stat st;
        int rc = mdb_stat(txn, s->dbi[i], &st);
        if (rc)
            return rc;
        if (st.ms_entries)
            *empty = false;
    }
    return MDB_SUCCESS;
}

/* Open every table, creating them in a new store, and check the schema. */
static int open_tables(sj_store_t *s, uint32_t *found)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc)
        return env_err(rc);
    for (int i = 0; i < DB__COUNT && rc == 0; i++)
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
    uint64_t version = 0;
    if (rc == 0) {
        rc = meta_get_u64(txn, s->dbi[DB_META], META_SCHEMA, &version);
        if (rc == MDB_NOTFOUND) {
            bool empty = true;
            rc = all_empty(txn, s, &empty);
            if (rc == 0 && empty) { /* a new store */
                version = SJ_SCHEMA_VERSION;
                rc = meta_put_u64(txn, s->dbi[DB_META], META_SCHEMA, version);
            } /* else records of an unknown layout: version 0, refused */
        }
    }
    if (rc) {
        mdb_txn_abort(txn);
        return env_err(rc);
    }
    /* An older layout is brought forward step by step, in this
     * transaction: all or nothing. */
    static int (*const upgrade[])(sj_txn_t *) = {
        store__wish_open_index_fill, /* 1 -> 2 */
        store__wish_fold_index_fill, /* 2 -> 3 */
    };
    _Static_assert(sizeof upgrade / sizeof *upgrade == SJ_SCHEMA_VERSION - 1,
                   "a step from every older version");
    while (version >= 1 && version < SJ_SCHEMA_VERSION) {
        sj_txn_t t = {.store = s, .txn = txn};
        int err = upgrade[version - 1](&t);
        if (err == 0)
            err = map_err(
                meta_put_u64(txn, s->dbi[DB_META], META_SCHEMA, version + 1));
        if (err) {
            mdb_txn_abort(txn);
            return err;
        }
        version++;
    }
    if (version != SJ_SCHEMA_VERSION) {
        mdb_txn_abort(txn);
        if (found)
            *found = (uint32_t)version;
        return SJ_ESCHEMA;
    }
    return env_err(mdb_txn_commit(txn));
}

int sj_store_open(const char *dir, size_t map_size, sj_store_t **out,
                  uint32_t *found_version)
{
    sj_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return SJ_ENOMEM;
    pthread_rwlockattr_t la;
    pthread_rwlockattr_init(&la);
    pthread_rwlockattr_setkind_np(&la,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int lrc = pthread_rwlock_init(&s->map_lock, &la);
    pthread_rwlockattr_destroy(&la);
    if (lrc) {
        free(s);
        return SJ_ENOMEM;
    }
    s->map_size = map_size ? map_size : SJ_DEFAULT_MAP_SIZE;
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, DB__COUNT + 4);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, s->map_size);
    /* Synced commits (no MDB_NOSYNC / MDB_NOMETASYNC): an acknowledgement
     * means the change is on disk. */
    if (rc == 0)
        rc = mdb_env_open(s->env, dir, MDB_NORDAHEAD, 0600);
    int err = env_err(rc);
    if (err == 0)
        err = open_tables(s, found_version);
    if (err) {
        int saved = errno; /* closing must not lose the reason */
        if (s->env)
            mdb_env_close(s->env);
        pthread_rwlock_destroy(&s->map_lock);
        free(s);
        errno = saved;
        return err;
    }
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) == 0)
        s->map_size = info.me_mapsize;
    *out = s;
    return SJ_OK;
}

void sj_store_close(sj_store_t **self)
{
    if (!self || !*self)
        return;
    mdb_env_close((*self)->env);
    pthread_rwlock_destroy(&(*self)->map_lock);
    free(*self);
    *self = NULL;
}

static int table_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *n)
{
    MDB_stat st;
    int rc = mdb_stat(txn, dbi, &st);
    if (rc == 0)
        *n = st.ms_entries;
    return rc;
}

/* The statistics from txn; an LMDB code. */
static int stats(sj_store_t *s, MDB_txn *txn, sj_store_stats_t *st)
{
    memset(st, 0, sizeof *st);
    MDB_envinfo info;
    MDB_stat est;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &est);
    if (rc == 0) {
        st->map_size = info.me_mapsize;
        st->used_bytes = (info.me_last_pgno + 1) * (size_t)est.ms_psize;
        rc = table_count(txn, s->dbi[DB_MEMBERS], &st->members);
    }
    if (rc == 0)
        rc = table_count(txn, s->dbi[DB_WISHES], &st->wishes);
    if (rc == 0)
        rc = table_count(txn, s->dbi[DB_EVENTS], &st->events);
    if (rc == 0)
        rc = table_count(txn, s->dbi[DB_DEDUP], &st->dedup);
    if (rc == 0) {
        rc = meta_get_u64(txn, s->dbi[DB_META], counter_keys[SJ_COUNTER_EVENT],
                          &st->last_seq);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    return rc;
}

int sj_store_stats(sj_store_t *s, sj_store_stats_t *st)
{
    MDB_txn *txn;
    pthread_rwlock_rdlock(&s->map_lock);
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = stats(s, txn, st);
        mdb_txn_abort(txn);
    }
    pthread_rwlock_unlock(&s->map_lock);
    return env_err(rc);
}

/* Pages on LMDB's free list, waiting to be reused: the sum of its IDLs
 * (each value is a count followed by that many page numbers). */
static int free_pages(MDB_txn *txn, size_t *n)
{
    MDB_cursor *cur;
    MDB_val k, d;
    *n = 0;
    int rc = mdb_cursor_open(txn, 0, &cur);
    if (rc)
        return rc;
    while ((rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) == 0)
        if (d.mv_size >= sizeof(size_t))
            *n += d.mv_size / sizeof(size_t) - 1;
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int sj_store_space(sj_store_t *s, bool exact, sj_store_space_t *sp)
{
    MDB_envinfo info;
    MDB_stat est;
    memset(sp, 0, sizeof *sp);
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &est);
    if (rc)
        return env_err(rc);
    sp->map_size = info.me_mapsize;
    sp->high_water = (info.me_last_pgno + 1) * (size_t)est.ms_psize;
    sp->used = sp->high_water;
    if (!exact)
        return SJ_OK;
    MDB_txn *txn;
    size_t nfree = 0;
    pthread_rwlock_rdlock(&s->map_lock);
    rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = free_pages(txn, &nfree);
        mdb_txn_abort(txn);
    }
    pthread_rwlock_unlock(&s->map_lock);
    if (rc)
        return env_err(rc);
    size_t fb = nfree * (size_t)est.ms_psize;
    sp->used = fb < sp->high_water ? sp->high_water - fb : 0;
    return SJ_OK;
}

int sj_store_grow(sj_store_t *s, size_t map_size)
{
    pthread_rwlock_wrlock(&s->map_lock);
    int rc = mdb_env_set_mapsize(s->env, map_size);
    MDB_envinfo info;
    if (rc == 0 && mdb_env_info(s->env, &info) == 0)
        s->map_size = info.me_mapsize;
    pthread_rwlock_unlock(&s->map_lock);
    return env_err(rc);
}

int sj_txn_stats(sj_txn_t *t, sj_store_stats_t *st)
{
    if (t->err)
        return t->err;
    return fail_mdb(t, -1, stats(t->store, t->txn, st));
}

int sj_store_backup(sj_store_t *s, const char *dir, uint64_t *bytes)
{
    pthread_rwlock_rdlock(&s->map_lock);
    int rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
    pthread_rwlock_unlock(&s->map_lock);
    if (rc)
        return env_err(rc) == SJ_OK ? SJ_EIO : env_err(rc);
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &sb) != 0)
        return SJ_EIO;
    *bytes = (uint64_t)sb.st_size;
    return SJ_OK;
}

/* ----------------------------------------------------------- transactions */

static int txn_new(sj_store_t *s, MDB_txn *parent, unsigned flags,
                   sj_txn_t **out)
{
    sj_txn_t *t = calloc(1, sizeof *t);
    if (!t)
        return SJ_ENOMEM;
    t->shared = !parent && (flags & MDB_RDONLY);
    if (t->shared)
        pthread_rwlock_rdlock(&s->map_lock);
    int rc = mdb_txn_begin(s->env, parent, flags, &t->txn);
    if (rc) {
        if (t->shared)
            pthread_rwlock_unlock(&s->map_lock);
        free(t);
        return env_err(rc);
    }
    t->store = s;
    *out = t;
    return SJ_OK;
}

int sj_txn_begin(sj_store_t *s, bool write, sj_txn_t **out)
{
    return txn_new(s, NULL, write ? 0 : MDB_RDONLY, out);
}

int sj_txn_begin_nested(sj_txn_t *parent, sj_txn_t **out)
{
    if (parent->err)
        return parent->err;
    return txn_new(parent->store, parent->txn, 0, out);
}

int sj_txn_commit(sj_txn_t **t)
{
    sj_txn_t *x = *t;
    *t = NULL;
    int err = x->err;
    if (err)
        mdb_txn_abort(x->txn);
    else
        err = env_err(mdb_txn_commit(x->txn));
    if (x->shared)
        pthread_rwlock_unlock(&x->store->map_lock);
    free(x);
    return err;
}

void sj_txn_abort(sj_txn_t **t)
{
    if (!t || !*t)
        return;
    mdb_txn_abort((*t)->txn);
    if ((*t)->shared)
        pthread_rwlock_unlock(&(*t)->store->map_lock);
    free(*t);
    *t = NULL;
}

int sj_txn_error(const sj_txn_t *t)
{
    return t->err;
}

const char *sj_txn_error_detail(const sj_txn_t *t)
{
    return t->err ? t->detail : NULL;
}

/* --------------------------------------------------------------- counters */

static void counter_key(store__key_t *k, sj_counter_t c)
{
    store__key_init(k);
    store__key_bytes(k, counter_keys[c], strlen(counter_keys[c]));
}

int sj_txn_last_id(sj_txn_t *t, sj_counter_t c, uint64_t *id)
{
    store__key_t k;
    counter_key(&k, c);
    int err = store__get_u64(t, DB_META, &k, id);
    if (err == SJ_ENOTFOUND) {
        *id = 0;
        return SJ_OK;
    }
    return err;
}

int sj_txn_next_id(sj_txn_t *t, sj_counter_t c, uint64_t *id)
{
    uint64_t last;
    int err = sj_txn_last_id(t, c, &last);
    if (err)
        return err;
    store__key_t k;
    counter_key(&k, c);
    if ((err = store__put_u64(t, DB_META, &k, last + 1)))
        return err;
    *id = last + 1;
    return SJ_OK;
}

/* ---------------------------------------------------------------- records */

/* The sticky error, or SJ_EINVAL (made sticky) for a key that overflowed
 * or is empty (LMDB refuses empty keys). */
static int check(sj_txn_t *t, int db, const store__key_t *k)
{
    if (t->err)
        return t->err;
    if (k->over || k->len == 0)
        return stick(t, db, SJ_EINVAL, "key too long or empty");
    return SJ_OK;
}

static MDB_val val_of(const store__key_t *k)
{
    return (MDB_val){k->len, (void *)k->b};
}

int store__get(sj_txn_t *t, int db, const store__key_t *k, store__val_t *v)
{
    int err = check(t, db, k);
    if (err)
        return err;
    MDB_val key = val_of(k), d;
    int rc = mdb_get(t->txn, t->store->dbi[db], &key, &d);
    if (rc)
        return fail_mdb(t, db, rc);
    if (v)
        *v = (store__val_t){d.mv_data, d.mv_size};
    return SJ_OK;
}

int store__get_u64(sj_txn_t *t, int db, const store__key_t *k, uint64_t *v)
{
    store__val_t d;
    int err = store__get(t, db, k, &d);
    if (err)
        return err;
    if (d.len != 8)
        return stick(t, db, SJ_EIO, "a number value is not 8 bytes");
    *v = store__get_be64(d.data);
    return SJ_OK;
}

int store__get_msg(sj_txn_t *t, int db, const store__key_t *k,
                   const ProtobufCMessageDescriptor *desc,
                   ProtobufCMessage **out)
{
    store__val_t d;
    int err = store__get(t, db, k, &d);
    if (err)
        return err;
    *out = protobuf_c_message_unpack(desc, NULL, d.len, d.data);
    if (!*out)
        return stick(t, db, SJ_EIO, "record does not decode");
    return SJ_OK;
}

int store__put(sj_txn_t *t, int db, const store__key_t *k, const void *val,
               size_t vlen)
{
    int err = check(t, db, k);
    if (err)
        return err;
    MDB_val key = val_of(k), d = {vlen, (void *)val};
    return fail_mdb(t, db, mdb_put(t->txn, t->store->dbi[db], &key, &d, 0));
}

int store__put_u64(sj_txn_t *t, int db, const store__key_t *k, uint64_t v)
{
    uint8_t b[8];
    store__be64(b, v);
    return store__put(t, db, k, b, sizeof b);
}

int store__put_msg(sj_txn_t *t, int db, const store__key_t *k,
                   const ProtobufCMessage *msg)
{
    int err = check(t, db, k);
    if (err)
        return err;
    size_t n = protobuf_c_message_get_packed_size(msg);
    MDB_val key = val_of(k), d = {n, NULL};
    /* Pack straight into the page LMDB reserves for the value. */
    int rc = mdb_put(t->txn, t->store->dbi[db], &key, &d, MDB_RESERVE);
    if (rc)
        return fail_mdb(t, db, rc);
    protobuf_c_message_pack(msg, d.mv_data);
    return SJ_OK;
}

int store__del(sj_txn_t *t, int db, const store__key_t *k)
{
    int err = check(t, db, k);
    if (err)
        return err;
    MDB_val key = val_of(k);
    int rc = mdb_del(t->txn, t->store->dbi[db], &key, NULL);
    return rc == MDB_NOTFOUND ? SJ_OK : fail_mdb(t, db, rc);
}

int store__drop(sj_txn_t *t, int db)
{
    if (t->err)
        return t->err;
    return fail_mdb(t, db, mdb_drop(t->txn, t->store->dbi[db], 0));
}

/* ---------------------------------------------------------------- cursors */

void store__iter_begin(store__iter_t *it, sj_txn_t *t, int db,
                       const store__key_t *prefix, const store__key_t *start)
{
    memset(it, 0, sizeof *it);
    it->t = t;
    it->db = db;
    store__key_init(&it->prefix);
    if (prefix)
        it->prefix = *prefix;
    it->start = start ? *start : it->prefix;
    if (t->err) {
        it->err = t->err;
        return;
    }
    if (it->prefix.over || it->start.over) {
        it->err = stick(t, db, SJ_EINVAL, "key too long");
        return;
    }
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &it->cur);
    if (rc) {
        it->cur = NULL;
        it->err = fail_mdb(t, db, rc);
    }
}

static void iter_close(store__iter_t *it)
{
    if (it->cur)
        mdb_cursor_close(it->cur);
    it->cur = NULL;
    it->key = it->val = (store__val_t){NULL, 0};
}

/* One step of a backward walk: first the last entry below it->start (the
 * one before the first at or above it, or the table's last when there is
 * none, or when start is empty), then each previous one. */
static int step_back(store__iter_t *it, MDB_val *k, MDB_val *d)
{
    if (it->started)
        return mdb_cursor_get(it->cur, k, d, MDB_PREV);
    int rc = MDB_NOTFOUND;
    if (it->start.len)
        rc = mdb_cursor_get(it->cur, k, d, MDB_SET_RANGE);
    if (rc == MDB_SUCCESS)
        return mdb_cursor_get(it->cur, k, d, MDB_PREV);
    if (rc == MDB_NOTFOUND)
        return mdb_cursor_get(it->cur, k, d, MDB_LAST);
    return rc;
}

bool store__iter_next(store__iter_t *it)
{
    if (!it->err && it->t->err) /* the body's own call failed */
        it->err = it->t->err;
    if (it->err || !it->cur) {
        iter_close(it);
        return false;
    }
    MDB_val k = val_of(&it->start), d;
    int rc;
    if (it->backward) {
        rc = step_back(it, &k, &d);
    } else {
        MDB_cursor_op op = MDB_NEXT;
        if (!it->started)
            op = it->start.len ? MDB_SET_RANGE : MDB_FIRST;
        rc = mdb_cursor_get(it->cur, &k, &d, op);
    }
    it->started = true;
    if (rc) {
        if (rc != MDB_NOTFOUND)
            it->err = fail_mdb(it->t, it->db, rc);
        iter_close(it);
        return false;
    }
    if (k.mv_size < it->prefix.len ||
        memcmp(k.mv_data, it->prefix.b, it->prefix.len) != 0) {
        iter_close(it); /* past the range */
        return false;
    }
    it->key = (store__val_t){k.mv_data, k.mv_size};
    it->val = (store__val_t){d.mv_data, d.mv_size};
    return true;
}

int store__iter_end(store__iter_t *it)
{
    iter_close(it);
    if (!it->err && it->t->err) /* the body failed, then broke out */
        it->err = it->t->err;
    return it->err;
}

int store__iter_fail(store__iter_t *it, int err, const char *why)
{
    if (err && !it->err)
        it->err = err;
    return stick(it->t, it->db, err, why);
}

ProtobufCMessage *store__iter_msg(store__iter_t *it,
                                  const ProtobufCMessageDescriptor *d)
{
    ProtobufCMessage *m =
        protobuf_c_message_unpack(d, NULL, it->val.len, it->val.data);
    if (!m)
        store__iter_fail(it, SJ_EIO, "record does not decode");
    return m;
}
