/* it_tool: small helpers for the bash integration tests.
 *   it_tool port                   print a free loopback TCP port
 *   it_tool keygen FILE            write a fresh (unregistered) key file
 *   it_tool set-schema DIR N       overwrite meta/schema_version in DIR's
 *                                  LMDB store (to test the refusal)
 *   it_tool ledger-alter DIR SEQ   add 100 to the amount of points ledger
 *                                  entry SEQ, leaving its hash (tampering)
 *   it_tool ledger-delete DIR SEQ  delete ledger entry SEQ
 * These store helpers are the one test program that opens LMDB itself. */
#include <lmdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "keyfile.h"
#include "shangju.pb-c.h"

static int port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("it_tool port");
        return 1;
    }
    close(fd);
    printf("%d\n", ntohs(a.sin_port));
    return 0;
}

static int keygen(const char *path)
{
    sj_keypair_t kp;
    if (sj_keyfile_generate(&kp) != 0 ||
        sj_keyfile_save_secret(path, &kp, "stranger") != 0) {
        fprintf(stderr, "it_tool keygen: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int set_schema(const char *dir, const char *value)
{
    unsigned long long v = strtoull(value, NULL, 10);
    unsigned char buf[8];
    for (int i = 7; i >= 0; i--, v >>= 8)
        buf[i] = (unsigned char)(v & 0xff);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_maxdbs(env, 32);
    if (!rc)
        rc = mdb_env_open(env, dir, 0, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (!rc) {
        rc = mdb_dbi_open(txn, "meta", 0, &dbi);
        const char *key = "schema_version";
        MDB_val k = {strlen(key), (void *)key}, d = {8, buf};
        if (!rc)
            rc = mdb_put(txn, dbi, &k, &d, 0);
        rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    }
    if (rc)
        fprintf(stderr, "it_tool set-schema: %s\n", mdb_strerror(rc));
    mdb_env_close(env);
    return rc ? 1 : 0;
}

/* Open DIR's store for writing; *dbi is table `name`. Returns an LMDB code;
 * on success the caller commits or aborts txn and closes env. */
static int open_table(const char *dir, const char *name, MDB_env **env,
                      MDB_txn **txn, MDB_dbi *dbi)
{
    int rc = mdb_env_create(env);
    if (rc)
        return rc;
    if (!(rc = mdb_env_set_maxdbs(*env, 64)) &&
        !(rc = mdb_env_open(*env, dir, 0, 0600)) &&
        !(rc = mdb_txn_begin(*env, NULL, 0, txn))) {
        if (!(rc = mdb_dbi_open(*txn, name, 0, dbi)))
            return 0;
        mdb_txn_abort(*txn);
    }
    mdb_env_close(*env);
    return rc;
}

/* Alter (add 100 to the amount, keep the stored hash) or delete ledger
 * entry seq, as someone editing the file by hand would. */
static int ledger_tamper(const char *dir, const char *seq_text, bool delete)
{
    char *end;
    unsigned long long seq = strtoull(seq_text, &end, 10);
    if (!*seq_text || *end || seq == 0) {
        fprintf(stderr, "it_tool: bad ledger seq '%s'\n", seq_text);
        return 2;
    }
    unsigned char key[8];
    for (int i = 7; i >= 0; i--, seq >>= 8)
        key[i] = (unsigned char)(seq & 0xff);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = open_table(dir, "ledger", &env, &txn, &dbi);
    if (rc) {
        fprintf(stderr, "it_tool: %s: %s\n", dir, mdb_strerror(rc));
        return 1;
    }
    MDB_val k = {8, key}, d;
    if (delete) {
        rc = mdb_del(txn, dbi, &k, NULL);
    } else if (!(rc = mdb_get(txn, dbi, &k, &d))) {
        Shangju__LedgerEntry *e =
            shangju__ledger_entry__unpack(NULL, d.mv_size, d.mv_data);
        if (!e) {
            fprintf(stderr, "it_tool: ledger entry %s does not decode\n",
                    seq_text);
            rc = MDB_CORRUPTED;
        } else {
            e->amount += 100;
            unsigned char buf[4096];
            size_t n = shangju__ledger_entry__get_packed_size(e);
            if (n > sizeof buf) {
                rc = MDB_BAD_VALSIZE;
            } else {
                shangju__ledger_entry__pack(e, buf);
                MDB_val v = {n, buf};
                rc = mdb_put(txn, dbi, &k, &v, 0);
            }
            shangju__ledger_entry__free_unpacked(e, NULL);
        }
    }
    rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    if (rc)
        fprintf(stderr, "it_tool: ledger entry %s: %s\n", seq_text,
                mdb_strerror(rc));
    mdb_env_close(env);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "port") == 0)
        return port();
    if (argc == 3 && strcmp(argv[1], "keygen") == 0)
        return keygen(argv[2]);
    if (argc == 4 && strcmp(argv[1], "set-schema") == 0)
        return set_schema(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "ledger-alter") == 0)
        return ledger_tamper(argv[2], argv[3], false);
    if (argc == 4 && strcmp(argv[1], "ledger-delete") == 0)
        return ledger_tamper(argv[2], argv[3], true);
    fprintf(stderr, "usage: it_tool port | keygen FILE | "
                    "set-schema DIR N | ledger-alter DIR SEQ | "
                    "ledger-delete DIR SEQ\n");
    return 2;
}
