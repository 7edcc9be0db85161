/* Loading the notice key from the data directory (DATA/notice.key and
 * DATA/notice.pub) at start: file handling belongs to the server's room,
 * signing with the key to the domain (domain/notice.c). */
#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define B64_KEY sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define B64_SIG sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)

/* Write one base64 line of bin into path, created with mode. */
static int write_b64(const char *path, const uint8_t *bin, size_t len,
                     mode_t mode)
{
    char b64[B64_SIG];
    sodium_bin2base64(b64, sizeof b64, bin, len,
                      sodium_base64_VARIANT_ORIGINAL);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return SJ_EIO;
    size_t n = strlen(b64);
    b64[n] = '\n';
    bool ok = write(fd, b64, n + 1) == (ssize_t)(n + 1) && fsync(fd) == 0;
    sodium_memzero(b64, sizeof b64);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return SJ_EIO;
    }
    return SJ_OK;
}

/* Read the 64-byte secret key from path (one base64 line). */
static int read_secret(const char *path, uint8_t sk[64])
{
    FILE *f = fopen(path, "re");
    if (!f)
        return SJ_EIO;
    char line[B64_SIG + 8];
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!got)
        return SJ_EINVAL;
    size_t n = strcspn(line, "\r\n"), len = 0;
    const char *end;
    int rc = sodium_base642bin(sk, 64, line, n, NULL, &len, &end,
                               sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(line, sizeof line);
    return rc == 0 && len == 64 && end == line + n ? SJ_OK : SJ_EINVAL;
}

int sj_notice_key_open(const char *dir, sj_signer_t **out)
{
    char sec[4096], pub[4096];
    *out = NULL;
    if (!sj_datadir_path(sec, sizeof sec, dir, "notice.key") ||
        !sj_datadir_path(pub, sizeof pub, dir, "notice.pub"))
        return SJ_EINVAL;
    if (sodium_init() < 0) {
        sj_log(SJ_LOG_ERROR, "event=notice_key_failed reason=sodium_init");
        return SJ_EIO;
    }
    uint8_t sk[64], pk[32];
    int err;
    if (access(sec, F_OK) == 0) {
        err = read_secret(sec, sk);
        if (!err)
            err = sj_signer_new(sk, out);
        if (err == SJ_EIO || err == SJ_EINVAL)
            sj_log(SJ_LOG_ERROR,
                   "event=bad_key file=%s msg=\"not a base64 Ed25519 "
                   "secret key\"",
                   sec);
    } else {
        crypto_sign_ed25519_keypair(pk, sk);
        if ((err = write_b64(sec, sk, 64, 0600)) == 0) {
            unlink(pub); /* a stale public half would mislead verifiers */
            sj_log(SJ_LOG_INFO, "event=notice_key_created file=%s", pub);
            err = sj_signer_new(sk, out);
        } else {
            sj_log(SJ_LOG_ERROR, "event=notice_key_failed file=%s err=\"%s\"",
                   sec, strerror(errno));
        }
    }
    sodium_memzero(sk, sizeof sk);
    if (err)
        return err;
    sj_signer_public(*out, pk);
    if (access(pub, F_OK) != 0 && (err = write_b64(pub, pk, 32, 0644))) {
        sj_log(SJ_LOG_ERROR, "event=notice_key_failed file=%s err=\"%s\"", pub,
               strerror(errno));
        sj_signer_free(out);
        return err;
    }
    return SJ_OK;
}
