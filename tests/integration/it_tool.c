/* it_tool: small helpers for the bash integration tests.
 *   it_tool port                   print a free loopback TCP port
 *   it_tool keygen FILE            write a fresh (unregistered) key file
 *   it_tool set-schema DIR N       overwrite meta/schema_version in DIR's
 *                                  LMDB store (to test the refusal)
 * The set-schema helper is the one test program that opens LMDB itself. */
#include <lmdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "keyfile.h"

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

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "port") == 0)
        return port();
    if (argc == 3 && strcmp(argv[1], "keygen") == 0)
        return keygen(argv[2]);
    if (argc == 4 && strcmp(argv[1], "set-schema") == 0)
        return set_schema(argv[2], argv[3]);
    fprintf(stderr, "usage: it_tool port | keygen FILE | "
                    "set-schema DIR N\n");
    return 2;
}
