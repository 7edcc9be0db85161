/* Initialising (shangju-broker init) and opening of the data directory,
 * and its lock; see datadir.h. */
#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "log.h"

char *sj_datadir_path(char *buf, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap ? buf : NULL;
}

/* mkdir -p with mode 0700 for the directories we create. */
static int make_dirs(const char *dir)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        return SJ_EINVAL;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return SJ_EIO;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return SJ_EIO;
    return SJ_OK;
}

/* A start that fails on permissions says so, with what to check. */
#define PERMISSION_HINT(e)                                                     \
    ((e) == EACCES || (e) == EPERM || (e) == EROFS                             \
         ? " msg=\"cannot write in the data directory; check its owner and "   \
           "permissions\""                                                     \
         : "")

static int take_lock(const char *dir, int *fd)
{
    char path[4096];
    if (!sj_datadir_path(path, sizeof path, dir, "broker.lock"))
        return SJ_EINVAL;
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0)
        return SJ_EIO;
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return SJ_EBUSY;
    }
    return SJ_OK;
}

static int server_key(const char *dir, sj_keypair_t *kp)
{
    char sec[4096], pub[4096];
    sj_datadir_path(sec, sizeof sec, dir, "server.key");
    sj_datadir_path(pub, sizeof pub, dir, "server.pub");
    if (access(sec, F_OK) == 0) {
        int err = sj_keyfile_load(sec, kp);
        if (err || !kp->has_secret) {
            err = err ? err : SJ_EINVAL;
            sj_log(SJ_LOG_ERROR, "event=bad_key file=%s msg=\"%s\"", sec,
                   err == SJ_EINVAL ? "not a secret key file"
                                    : sj_strerror(err));
            return err;
        }
        /* server.pub is what clients read: keep it present and true. A
         * server.pub of another key would lock every client out with a
         * handshake that silently fails, so it stops the start. */
        if (access(pub, F_OK) != 0)
            return sj_keyfile_save_public(pub, kp);
        sj_keypair_t on_disk;
        err = sj_keyfile_load(pub, &on_disk);
        if (!err && memcmp(on_disk.public_key, kp->public_key,
                           sizeof kp->public_key) != 0)
            err = SJ_EMISMATCH;
        if (err)
            sj_log(SJ_LOG_ERROR, "event=bad_key file=%s msg=\"%s\"", pub,
                   err == SJ_EMISMATCH
                       ? "server.pub does not match server.key; remove "
                         "server.pub and the broker writes the right one"
                       : sj_strerror(err));
        return err;
    }
    int err = sj_keyfile_generate(kp);
    if (!err)
        err = sj_keyfile_save_secret(sec, kp, "shangju broker");
    if (!err)
        err = sj_keyfile_save_public(pub, kp);
    if (!err)
        sj_log(SJ_LOG_INFO, "event=server_key_created file=%s", pub);
    return err;
}

/* Register a member of role, named name, in txn with a new key written to
 * DIR/file (init has made sure no such file is there); logs event. */
static int first_member(const char *dir, sj_txn_t *txn, Shangju__Role role,
                        const char *name, const char *file, const char *event)
{
    char path[4096];
    if (!sj_datadir_path(path, sizeof path, dir, file))
        return SJ_EINVAL;
    sj_keypair_t kp;
    int err = sj_keyfile_generate(&kp);
    if (!err)
        err = sj_keyfile_save_secret(path, &kp, name);
    Shangju__Member m = SHANGJU__MEMBER__INIT;
    if (!err)
        err = sj_txn_next_id(txn, SJ_COUNTER_MEMBER, &m.id);
    m.role = role;
    m.name = (char *)name;
    m.public_key.data = kp.public_key;
    m.public_key.len = 32;
    m.status = SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m.created_at = sj_now_ms();
    if (!err)
        err = sj_member_put(txn, &m, NULL);
    if (!err)
        sj_log(SJ_LOG_INFO, "event=%s file=%s member=%llu", event, path,
               (unsigned long long)m.id);
    else
        sj_log(SJ_LOG_ERROR, "event=init_failed file=%s err=\"%s\"", path,
               sj_strerror(err));
    return err;
}

/* The members the store holds (0 for a new store). */
static int member_count(sj_store_t *store, uint64_t *last)
{
    sj_txn_t *txn;
    int err = sj_txn_begin(store, false, &txn);
    if (err)
        return err;
    err = sj_txn_last_id(txn, SJ_COUNTER_MEMBER, last);
    sj_txn_abort(&txn);
    return err;
}

/* Make the first members in one transaction: the committee member
 * (committee.key) and, when asked, a monitor (monitor.key). */
static int first_members(const char *dir, sj_store_t *store, bool monitor)
{
    sj_txn_t *txn;
    int err = sj_txn_begin(store, true, &txn);
    if (err)
        return err;
    err = first_member(dir, txn, SHANGJU__ROLE__ROLE_COMMITTEE, "Committee",
                       "committee.key", "committee_key_created");
    if (!err && monitor)
        err = first_member(dir, txn, SHANGJU__ROLE__ROLE_MONITOR, "Monitor",
                           "monitor.key", "monitor_key_created");
    if (err) {
        sj_txn_abort(&txn);
        return err;
    }
    return sj_txn_commit(&txn);
}

/* Lock dir and open its store; create dir (0700) first when create. */
static int open_dir(const char *dir, size_t map_size, bool create,
                    sj_datadir_t *d)
{
    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    int err = create ? make_dirs(dir) : SJ_OK;
    if (err) {
        int e = errno;
        sj_log(SJ_LOG_ERROR, "event=datadir_failed dir=%s err=\"%s\"%s", dir,
               strerror(e), PERMISSION_HINT(e));
        return err;
    }
    err = take_lock(dir, &d->lock_fd);
    if (err == SJ_EBUSY) {
        sj_log(SJ_LOG_ERROR,
               "event=datadir_locked dir=%s msg=\"another broker is serving "
               "this directory\"",
               dir);
        return err;
    }
    if (err) { /* could not even make the lock file: say why */
        int e = errno;
        sj_log(SJ_LOG_ERROR, "event=datadir_failed dir=%s err=\"%s\"%s", dir,
               strerror(e),
               PERMISSION_HINT(e)[0] ? PERMISSION_HINT(e)
                                     : " msg=\"cannot make the lock file\"");
        return err;
    }
    uint32_t found = 0;
    err = sj_store_open(dir, map_size, &d->store, &found);
    int why = errno; /* the reason of an SJ_EIO (store.h): the store never
                        prints, its callers log */
    if (err == SJ_ESCHEMA && found == 0) {
        sj_log(SJ_LOG_ERROR,
               "event=store_refused dir=%s schema_found=0 schema_supported=%d "
               "msg=\"this store holds records but no schema version, so "
               "nothing says how they were written; refusing to open it "
               "(restore a backup)\"",
               dir, SJ_SCHEMA_VERSION);
    } else if (err == SJ_ESCHEMA) {
        sj_log(SJ_LOG_ERROR,
               "event=store_refused dir=%s schema_found=%u schema_supported=%d "
               "msg=\"this store was written by another version of Shangju; "
               "refusing to open it (run the matching broker, or restore a "
               "backup)\"",
               dir, found, SJ_SCHEMA_VERSION);
    } else if (err) {
        sj_log(SJ_LOG_ERROR,
               "event=store_open_failed dir=%s err=\"%s\" reason=\"%s\"", dir,
               sj_strerror(err), err == SJ_EIO ? strerror(why) : "");
    }
    return err;
}

/* Whether dir holds a store (data.mdb). A reason other than "it is not
 * there" (a permission problem) is logged as what it is. */
static int has_store(const char *dir, bool *yes)
{
    char path[4096];
    struct stat st;
    if (!sj_datadir_path(path, sizeof path, dir, "data.mdb"))
        return SJ_EINVAL;
    *yes = stat(path, &st) == 0;
    if (*yes || errno == ENOENT || errno == ENOTDIR)
        return SJ_OK;
    int e = errno;
    sj_log(SJ_LOG_ERROR, "event=datadir_failed dir=%s err=\"%s\"%s", dir,
           strerror(e), PERMISSION_HINT(e));
    return SJ_EIO;
}

static void log_uninitialised(const char *dir)
{
    sj_log(SJ_LOG_ERROR,
           "event=datadir_uninitialised dir=%s msg=\"%s is not an "
           "initialised data directory (no community store in it); to start "
           "a new community there run: shangju-broker init --data %s\"",
           dir, dir, dir);
}

int sj_datadir_open(const char *dir, size_t map_size, sj_datadir_t *d)
{
    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    /* Nothing is created in a directory that was never initialised: a
     * mistyped --data or an unmounted volume must not become a new
     * community with new keys. */
    bool store = false;
    int err = has_store(dir, &store);
    if (err)
        return err;
    if (!store) {
        log_uninitialised(dir);
        return SJ_ENOTFOUND;
    }
    err = open_dir(dir, map_size, false, d);
    uint64_t members = 0;
    if (!err)
        err = member_count(d->store, &members);
    if (!err && members == 0) {
        log_uninitialised(dir);
        err = SJ_ENOTFOUND;
    }
    if (!err)
        err = server_key(dir, &d->server);
    if (err)
        sj_datadir_close(d);
    return err;
}

static const char *const first_keys[] = {"committee.key", "monitor.key"};

/* Is a key file of init's already in dir? Logged when it is. */
static bool key_in_the_way(const char *dir)
{
    char path[4096];
    for (size_t i = 0; i < 2; i++)
        if (sj_datadir_path(path, sizeof path, dir, first_keys[i]) &&
            access(path, F_OK) == 0) {
            sj_log(SJ_LOG_ERROR,
                   "event=init_refused dir=%s file=%s msg=\"a key file is "
                   "there already; init never overwrites a key (move it "
                   "away if it is not needed)\"",
                   dir, path);
            return true;
        }
    return false;
}

int sj_datadir_init(const char *dir, size_t map_size, bool monitor,
                    sj_datadir_t *d)
{
    memset(d, 0, sizeof *d);
    d->lock_fd = -1;
    /* Refused before anything is made when a key is in the way. */
    bool store = false;
    int err = has_store(dir, &store);
    if (err)
        return err;
    if (!store && key_in_the_way(dir))
        return SJ_EEXIST;
    err = open_dir(dir, map_size, true, d);
    uint64_t members = 0;
    if (!err)
        err = member_count(d->store, &members);
    if (!err && members > 0) {
        sj_log(SJ_LOG_ERROR,
               "event=init_refused dir=%s members=%llu msg=\"this directory "
               "holds a community already; init never overwrites it or its "
               "keys (start the broker on it)\"",
               dir, (unsigned long long)members);
        err = SJ_EEXIST;
    } else if (!err && store && key_in_the_way(dir)) {
        err = SJ_EEXIST;
    }
    if (!err)
        err = server_key(dir, &d->server);
    if (!err) {
        err = first_members(dir, d->store, monitor);
        char path[4096];
        if (err) /* nothing half-made: a retry starts clean */
            for (size_t i = 0; i < 2; i++)
                if (sj_datadir_path(path, sizeof path, dir, first_keys[i]))
                    unlink(path);
    }
    d->fresh = !err;
    if (err)
        sj_datadir_close(d);
    return err;
}

void sj_datadir_close(sj_datadir_t *d)
{
    sj_store_close(&d->store);
    if (d->lock_fd >= 0)
        close(d->lock_fd);
    d->lock_fd = -1;
}
