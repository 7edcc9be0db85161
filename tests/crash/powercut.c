/* libsj_powercut.so: an LD_PRELOAD shim that lets the power-cut test take
 * away, after a SIGKILL, every write to the store that was never synced,
 * as a power failure would (kill -9 alone keeps them: the page cache
 * survives the process).
 *
 * In the broker it wraps the write calls (write, pwrite, writev, pwritev)
 * on the file named by SJ_POWERCUT_FILE (the store's data.mdb): before a
 * write reaches the file, the bytes it overwrites (its pre-image) are
 * appended to the journal SJ_POWERCUT_JOURNAL. A successful fsync or
 * fdatasync of the file empties the journal: what it covered is durable.
 * Writes through a descriptor opened O_SYNC / O_DSYNC are durable when
 * they return and are not journalled. While the file SJ_POWERCUT_LIE_FLAG
 * exists, syncs do not empty the journal, as with a disk cache that
 * ignores flushes: the test's negative control.
 *
 * After the kill, powercut_rollback() (built into the test, see
 * powercut.h) undoes the journalled writes, newest first (each kept with
 * probability keep_pct, for torn, reordered persistence), and truncates the
 * file to its size at the last sync.
 *
 * Journal: a header (u64 size of the file at the last sync) then records
 * (u64 offset, u64 length, u64 bytes of pre-image that existed, bytes). */
#define _GNU_SOURCE
#include "powercut.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int journal_fd = -1;
static const char *watched, *lie_flag;

/* Raw syscalls: the shim's own I/O must not come back through itself. */
static ssize_t raw_pread(int fd, void *buf, size_t n, off_t off)
{
    return syscall(SYS_pread64, fd, buf, n, off);
}

static ssize_t raw_write(int fd, const void *buf, size_t n)
{
    return syscall(SYS_write, fd, buf, n);
}

static bool write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = raw_write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Whether flushes are being ignored (the control). */
static bool lying(void)
{
    return lie_flag && access(lie_flag, F_OK) == 0;
}

/* Whether fd is the watched file and a write through it is not durable
 * when it returns: not a synchronous descriptor, or the disk is lying. */
static bool journalled(int fd)
{
    if (!watched)
        return false;
    struct stat a, b;
    if (fstat(fd, &a) != 0 || !S_ISREG(a.st_mode) || stat(watched, &b) != 0 ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return false;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (!(fl & (O_SYNC | O_DSYNC)) || lying());
}

/* Restart the journal at the file's current (durable) size. Killed in
 * between, the journal still holds the old size and no records: the
 * rollback then cuts pages of a commit whose meta page was not written
 * yet, which is harmless. */
static void journal_reset(int fd)
{
    struct stat st;
    uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (ftruncate(journal_fd, sizeof size) != 0 ||
        syscall(SYS_pwrite64, journal_fd, &size, sizeof size, 0) !=
            (long)sizeof size ||
        lseek(journal_fd, 0, SEEK_END) != (off_t)sizeof size)
        abort(); /* a shim that cannot journal would make the test lie */
}

__attribute__((constructor)) static void powercut_init(void)
{
    watched = getenv("SJ_POWERCUT_FILE");
    const char *j = getenv("SJ_POWERCUT_JOURNAL");
    lie_flag = getenv("SJ_POWERCUT_LIE_FLAG");
    if (!watched || !j) {
        watched = NULL;
        return;
    }
    journal_fd = (int)syscall(SYS_openat, AT_FDCWD, j,
                              O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (journal_fd < 0)
        abort();
    int fd = (int)syscall(SYS_openat, AT_FDCWD, watched, O_RDONLY | O_CLOEXEC);
    uint64_t size = 0;
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0)
        size = (uint64_t)st.st_size;
    if (fd >= 0)
        close(fd);
    if (!write_all(journal_fd, &size, sizeof size))
        abort();
}

/* Append the pre-image of [off, off+len) of the watched file to the
 * journal. It is read through a descriptor of our own: the writer's may be
 * write-only (LMDB's O_DSYNC one for meta pages is). */
static void record(off_t off, size_t len)
{
    uint64_t h[3] = {(uint64_t)off, len, 0};
    char *old = malloc(len ? len : 1);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, watched, O_RDONLY | O_CLOEXEC);
    if (!old || fd < 0)
        abort();
    ssize_t got = len ? raw_pread(fd, old, len, off) : 0;
    close(fd);
    if (got < 0)
        abort();
    h[2] = got > 0 ? (uint64_t)got : 0;
    if (!write_all(journal_fd, h, sizeof h) ||
        !write_all(journal_fd, old, (size_t)h[2]))
        abort();
    free(old);
}

static size_t iov_len(const struct iovec *iov, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += iov[i].iov_len;
    return len;
}

#define REAL(name, type)                                                       \
    static type real_##name;                                                   \
    if (!real_##name)                                                          \
        *(void **)(&real_##name) = dlsym(RTLD_NEXT, #name);

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef int (*sync_fn)(int);

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, pwrite_fn);
    if (!journalled(fd))
        return real_pwrite(fd, buf, n, off);
    pthread_mutex_lock(&mu);
    record(off, n);
    ssize_t r = real_pwrite(fd, buf, n, off);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, write_fn);
    if (!journalled(fd))
        return real_write(fd, buf, n);
    pthread_mutex_lock(&mu);
    record(lseek(fd, 0, SEEK_CUR), n);
    ssize_t r = real_write(fd, buf, n);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev, writev_fn);
    if (!journalled(fd))
        return real_writev(fd, iov, n);
    pthread_mutex_lock(&mu);
    record(lseek(fd, 0, SEEK_CUR), iov_len(iov, n));
    ssize_t r = real_writev(fd, iov, n);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    REAL(pwritev, pwritev_fn);
    if (!journalled(fd))
        return real_pwritev(fd, iov, n, off);
    pthread_mutex_lock(&mu);
    record(off, iov_len(iov, n));
    ssize_t r = real_pwritev(fd, iov, n, off);
    pthread_mutex_unlock(&mu);
    return r;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
{
    return pwritev(fd, iov, n, off);
}

static int synced(int fd, int r)
{
    if (r == 0 && !lying() && journalled(fd))
        journal_reset(fd);
    return r;
}

int fsync(int fd)
{
    REAL(fsync, sync_fn);
    pthread_mutex_lock(&mu);
    int r = synced(fd, real_fsync(fd));
    pthread_mutex_unlock(&mu);
    return r;
}

int fdatasync(int fd)
{
    REAL(fdatasync, sync_fn);
    pthread_mutex_lock(&mu);
    int r = synced(fd, real_fdatasync(fd));
    pthread_mutex_unlock(&mu);
    return r;
}
