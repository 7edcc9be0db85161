/* The LMDB environment, transactions with sticky errors, error translation,
 * id counters, schema version check, statistics and the generic record
 * helpers the table files build on. */
#include "store_internal.h"

#include <errno.h>
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
    [DB_MEMBER_BY_HANDLE] = "member_by_handle",
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

int store__err(int rc)
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
    case ENOMEM:
        return SJ_ENOMEM;
    case EINVAL:
        return SJ_EINVAL;
    default:
        fprintf(stderr, "level=error module=store code=%d msg=\"%s\"\n", rc,
                mdb_strerror(rc));
        return SJ_EIO;
    }
}

int store__fail(sj_txn_t *t, int rc)
{
    int e = store__err(rc);
    if (e != SJ_OK && e != SJ_ENOTFOUND && !t->err)
        t->err = e;
    return e;
}

void store__be64(uint8_t *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

uint64_t store__get_be64(const uint8_t *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
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

/* Open every table, creating them in a new store, and check the schema. */
static int open_tables(sj_store_t *s, uint32_t *found)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc)
        return store__err(rc);
    for (int i = 0; i < DB__COUNT && rc == 0; i++)
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
    uint64_t version = 0;
    if (rc == 0) {
        rc = meta_get_u64(txn, s->dbi[DB_META], META_SCHEMA, &version);
        if (rc == MDB_NOTFOUND) { /* a new store */
            version = SJ_SCHEMA_VERSION;
            rc = meta_put_u64(txn, s->dbi[DB_META], META_SCHEMA, version);
        }
    }
    if (rc) {
        mdb_txn_abort(txn);
        return store__err(rc);
    }
    if (version != SJ_SCHEMA_VERSION) {
        mdb_txn_abort(txn);
        if (found)
            *found = (uint32_t)version;
        return SJ_ESCHEMA;
    }
    return store__err(mdb_txn_commit(txn));
}

int sj_store_open(const char *dir, size_t map_size, sj_store_t **out,
                  uint32_t *found_version)
{
    sj_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return SJ_ENOMEM;
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
    int err = store__err(rc);
    if (err == 0)
        err = open_tables(s, found_version);
    if (err) {
        if (s->env)
            mdb_env_close(s->env);
        free(s);
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
    return store__err(rc);
}

int sj_store_stats(sj_store_t *s, sj_store_stats_t *st)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return store__err(rc);
    int err = stats(s, txn, st);
    mdb_txn_abort(txn);
    return err;
}

int sj_txn_stats(sj_txn_t *t, sj_store_stats_t *st)
{
    return t->err ? t->err : stats(t->store, t->txn, st);
}

int sj_store_backup(sj_store_t *s, const char *dir, uint64_t *bytes)
{
    int rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
    if (rc)
        return store__err(rc) == SJ_OK ? SJ_EIO : store__err(rc);
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
    int rc = mdb_txn_begin(s->env, parent, flags, &t->txn);
    if (rc) {
        free(t);
        return store__err(rc);
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
        err = store__err(mdb_txn_commit(x->txn));
    free(x);
    return err;
}

void sj_txn_abort(sj_txn_t **t)
{
    if (!t || !*t)
        return;
    mdb_txn_abort((*t)->txn);
    free(*t);
    *t = NULL;
}

int sj_txn_error(const sj_txn_t *t)
{
    return t->err;
}

/* --------------------------------------------------------------- counters */

int sj_txn_last_id(sj_txn_t *t, sj_counter_t c, uint64_t *id)
{
    if (t->err)
        return t->err;
    int rc = meta_get_u64(t->txn, t->store->dbi[DB_META], counter_keys[c], id);
    if (rc == MDB_NOTFOUND) {
        *id = 0;
        return SJ_OK;
    }
    return store__fail(t, rc);
}

int sj_txn_next_id(sj_txn_t *t, sj_counter_t c, uint64_t *id)
{
    uint64_t last;
    int err = sj_txn_last_id(t, c, &last);
    if (err)
        return err;
    int rc =
        meta_put_u64(t->txn, t->store->dbi[DB_META], counter_keys[c], last + 1);
    if (rc)
        return store__fail(t, rc);
    *id = last + 1;
    return SJ_OK;
}

/* ---------------------------------------------------------------- records */

int store__put(sj_txn_t *t, int db, const void *key, size_t klen,
               const void *val, size_t vlen)
{
    if (t->err)
        return t->err;
    MDB_val k = {klen, (void *)key}, d = {vlen, (void *)val};
    return store__fail(t, mdb_put(t->txn, t->store->dbi[db], &k, &d, 0));
}

int store__del(sj_txn_t *t, int db, const void *key, size_t klen)
{
    if (t->err)
        return t->err;
    MDB_val k = {klen, (void *)key};
    int rc = mdb_del(t->txn, t->store->dbi[db], &k, NULL);
    return rc == MDB_NOTFOUND ? SJ_OK : store__fail(t, rc);
}

int store__put_msg(sj_txn_t *t, int db, const void *key, size_t klen,
                   const ProtobufCMessage *msg)
{
    if (t->err)
        return t->err;
    size_t n = protobuf_c_message_get_packed_size(msg);
    MDB_val k = {klen, (void *)key}, d = {n, NULL};
    /* Pack straight into the page LMDB reserves for the value. */
    int rc = mdb_put(t->txn, t->store->dbi[db], &k, &d, MDB_RESERVE);
    if (rc)
        return store__fail(t, rc);
    protobuf_c_message_pack(msg, d.mv_data);
    return SJ_OK;
}

int store__get_msg(sj_txn_t *t, int db, const void *key, size_t klen,
                   const ProtobufCMessageDescriptor *desc,
                   ProtobufCMessage **out)
{
    if (t->err)
        return t->err;
    MDB_val k = {klen, (void *)key}, d;
    int rc = mdb_get(t->txn, t->store->dbi[db], &k, &d);
    if (rc)
        return store__fail(t, rc);
    *out = protobuf_c_message_unpack(desc, NULL, d.mv_size, d.mv_data);
    if (!*out) {
        fprintf(stderr,
                "level=error module=store msg=\"undecodable record\" "
                "table=%s\n",
                db_names[db]);
        return SJ_EIO;
    }
    return SJ_OK;
}

int store__scan(sj_txn_t *t, int db, const void *prefix, size_t plen,
                const void *start, size_t slen, store__visit_fn visit,
                void *ctx)
{
    if (t->err)
        return t->err;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur);
    if (rc)
        return store__fail(t, rc);
    MDB_val k = {slen, (void *)start}, d;
    MDB_cursor_op op = slen ? MDB_SET_RANGE : MDB_FIRST;
    int err = SJ_OK;
    for (;;) {
        rc = mdb_cursor_get(cur, &k, &d, op);
        op = MDB_NEXT;
        if (rc == MDB_NOTFOUND)
            break;
        if (rc) {
            err = store__fail(t, rc);
            break;
        }
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        int v = visit(ctx, &k, &d);
        if (v < 0)
            err = v;
        if (v != 0)
            break;
    }
    mdb_cursor_close(cur);
    return err;
}
