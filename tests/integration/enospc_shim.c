/* libenospc_shim.so: an LD_PRELOAD shim for it_quota (issue 13) that makes
 * the disk look full. While the file named by SJ_ENOSPC_FLAG exists, every
 * write to a file called data.mdb fails with ENOSPC, as a full disk would
 * fail LMDB's page writes; other files are untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int disk_full(int fd)
{
    const char *flag = getenv("SJ_ENOSPC_FLAG");
    if (!flag || access(flag, F_OK) != 0)
        return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = 0;
    size_t len = (size_t)n;
    return len >= 9 && strcmp(path + len - 9, "/data.mdb") == 0;
}

#define REAL(name, type)                                                       \
    static type real_##name;                                                   \
    if (!real_##name)                                                          \
        *(void **)(&real_##name) = dlsym(RTLD_NEXT, #name);

typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, pwrite_fn);
    if (disk_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, write_fn);
    if (disk_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev, writev_fn);
    if (disk_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_writev(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
    REAL(pwritev, pwritev_fn);
    if (disk_full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwritev(fd, iov, n, off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
{
    return pwritev(fd, iov, n, off);
}
