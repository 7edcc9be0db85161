/* Taking away the writes a power cut would have lost: reads the journal
 * libsj_powercut.so kept for the store file (see powercut.c for its
 * format) and restores pre-images newest first; see powercut.h. */
#include "powercut.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    uint64_t off, len, have; /* have: bytes of pre-image that existed */
    long at;                 /* where its bytes start in the journal */
} rec_t;

static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "powercut: %s %s: %s\n", what, path, strerror(errno));
    return -1;
}

/* Read the records of j (positioned after the header) into *out. A record
 * cut short at the end was being appended when the process died, before
 * its write: it is left out. */
static int read_records(FILE *j, const char *path, rec_t **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    struct stat sb;
    if (fstat(fileno(j), &sb) != 0)
        return fail("cannot stat", path);
    uint64_t h[3];
    while (fread(h, sizeof h, 1, j) == 1) {
        if ((uint64_t)ftell(j) + h[2] > (uint64_t)sb.st_size)
            break;
        if (h[2] > h[1]) {
            errno = EINVAL;
            return fail("corrupt record in", path);
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            rec_t *r = realloc(*out, cap * sizeof *r);
            if (!r)
                return fail("out of memory reading", path);
            *out = r;
        }
        (*out)[*n] = (rec_t){h[0], h[1], h[2], ftell(j)};
        if (fseek(j, (long)h[2], SEEK_CUR) != 0)
            return fail("cannot skip in", path);
        (*n)++;
    }
    return 0;
}

int powercut_rollback(const char *file, const char *journal, unsigned keep_pct,
                      uint64_t *rng, powercut_stats_t *st)
{
    memset(st, 0, sizeof *st);
    FILE *j = fopen(journal, "rb");
    if (!j)
        return fail("cannot open", journal);
    uint64_t synced;
    rec_t *recs = NULL;
    size_t n = 0;
    int fd = -1, rc = -1;
    char *buf = NULL;
    if (fread(&synced, sizeof synced, 1, j) != 1) {
        errno = EINVAL;
        fail("no header in", journal);
        goto out;
    }
    if (read_records(j, journal, &recs, &n) != 0)
        goto out;
    if ((fd = open(file, O_WRONLY | O_CLOEXEC)) < 0) {
        fail("cannot open", file);
        goto out;
    }
    st->records = n;
    for (size_t i = n; i-- > 0;) {
        if (keep_pct && next(rng) % 100 < keep_pct)
            continue; /* this write happened to reach the disk */
        const rec_t *r = &recs[i];
        if (r->have) {
            char *nb = realloc(buf, r->have);
            if (!nb || fseek(j, r->at, SEEK_SET) != 0 ||
                fread(nb, r->have, 1, j) != 1) {
                buf = nb ? nb : buf;
                fail("cannot read a pre-image from", journal);
                goto out;
            }
            buf = nb;
            if (pwrite(fd, buf, r->have, (off_t)r->off) != (ssize_t)r->have) {
                fail("cannot restore", file);
                goto out;
            }
        }
        st->undone++;
        st->bytes += r->have;
    }
    /* A size the file reached after the last sync was never durable. */
    struct stat sb;
    if (fstat(fd, &sb) != 0 ||
        ((uint64_t)sb.st_size > synced && ftruncate(fd, (off_t)synced) != 0) ||
        fsync(fd) != 0) {
        fail("cannot truncate", file);
        goto out;
    }
    st->size_to = (uint64_t)sb.st_size > synced ? synced : (uint64_t)sb.st_size;
    if (truncate(journal, 0) != 0) {
        fail("cannot empty", journal);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    fclose(j);
    free(recs);
    free(buf);
    return rc;
}
