/* Reading and writing CZMQ-format (ZPL) CURVE key files; see keyfile.h.
 * Files are small and untrusted, so reads are capped and parsing is strict:
 * only the curve section's public-key and secret-key lines matter. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define MAX_KEYFILE 8192

int sj_keyfile_generate(sj_keypair_t *kp)
{
    char pub[SJ_KEY_Z85_LEN + 1], sec[SJ_KEY_Z85_LEN + 1];
    if (zmq_curve_keypair(pub, sec) != 0)
        return SJ_EIO;
    if (sj_key_from_z85(pub, kp->public_key) != 0 ||
        sj_key_from_z85(sec, kp->secret_key) != 0)
        return SJ_EIO;
    kp->has_secret = true;
    return SJ_OK;
}

void sj_key_z85(const uint8_t key[SJ_KEY_BYTES], char out[SJ_KEY_Z85_LEN + 1])
{
    zmq_z85_encode(out, key, SJ_KEY_BYTES);
}

int sj_key_from_z85(const char *text, uint8_t key[SJ_KEY_BYTES])
{
    if (!text || strlen(text) != SJ_KEY_Z85_LEN)
        return SJ_EINVAL;
    return zmq_z85_decode(key, text) ? SJ_OK : SJ_EINVAL;
}

static int write_atomic(const char *path, const char *text, mode_t mode)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return SJ_ENOMEM;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    int rc = SJ_EIO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        goto out;
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        goto out;
    }
    rc = SJ_OK;
out:
    free(tmp);
    return rc;
}

static void header(char *buf, size_t cap, const char *kind)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, cap,
             "#   ****  Generated on %s by Shangju (CZMQ format)  ****\n"
             "#   ZeroMQ CURVE **%s** Certificate\n",
             when, kind);
}

/* Metadata values are quoted; drop characters that would break the line. */
static void clean_name(const char *name, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = 0; name && name[i] && j + 1 < cap; i++)
        if (name[i] != '"' && name[i] != '\n' && name[i] != '\r')
            out[j++] = name[i];
    out[j] = '\0';
}

int sj_keyfile_save_secret(const char *path, const sj_keypair_t *kp,
                           const char *name)
{
    if (!kp->has_secret)
        return SJ_EINVAL;
    char head[256], pub[41], sec[41], nm[128], text[1024];
    header(head, sizeof head, "Secret");
    sj_key_z85(kp->public_key, pub);
    sj_key_z85(kp->secret_key, sec);
    clean_name(name, nm, sizeof nm);
    snprintf(text, sizeof text,
             "%s#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its "
             "permissions.\n\nmetadata\n    name = \"%s\"\ncurve\n"
             "    public-key = \"%s\"\n    secret-key = \"%s\"\n",
             head, nm, pub, sec);
    return write_atomic(path, text, 0600);
}

int sj_keyfile_save_public(const char *path, const sj_keypair_t *kp)
{
    char head[256], pub[41], text[1024];
    header(head, sizeof head, "Public");
    sj_key_z85(kp->public_key, pub);
    snprintf(text, sizeof text,
             "%s#   Edit this file to add metadata.\n\nmetadata\ncurve\n"
             "    public-key = \"%s\"\n",
             head, pub);
    return write_atomic(path, text, 0644);
}

/* If line is `<indent><key> = "<value>"`, copy value into out. */
static int match_value(const char *line, const char *key, char *out, size_t cap)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t k = strlen(key);
    if (strncmp(line, key, k) != 0)
        return 0;
    line += k;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line++ != '=')
        return 0;
    while (*line == ' ' || *line == '\t')
        line++;
    char quote = (*line == '"' || *line == '\'') ? *line++ : 0;
    size_t j = 0;
    while (*line && *line != '\n' && *line != quote && j + 1 < cap)
        out[j++] = *line++;
    out[j] = '\0';
    if (!quote) /* unquoted values end at whitespace */
        out[strcspn(out, " \t\r")] = '\0';
    return 1;
}

/* Read at most MAX_KEYFILE + 1 bytes of path into a malloc'd buffer.
 * Opened non-blocking and checked to be a regular file first, so a FIFO or
 * a device given as a key file is refused instead of blocking forever;
 * *mode gets the file's permission bits. */
static int read_capped(const char *path, char **out, size_t *len, mode_t *mode)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENXIO ? SJ_ENOTREG : SJ_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return SJ_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return SJ_ENOTREG;
    }
    *mode = st.st_mode & 07777;
    char *buf = malloc(MAX_KEYFILE + 2);
    if (!buf) {
        close(fd);
        return SJ_ENOMEM;
    }
    size_t n = 0;
    while (n <= MAX_KEYFILE) {
        ssize_t r = read(fd, buf + n, MAX_KEYFILE + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return SJ_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return SJ_OK;
}

int sj_keyfile_load(const char *path, sj_keypair_t *kp)
{
    char *buf;
    size_t n;
    mode_t mode;
    int rc = read_capped(path, &buf, &n, &mode);
    if (rc)
        return rc;
    if (n > MAX_KEYFILE) {
        free(buf);
        return SJ_EINVAL;
    }
    buf[n] = '\0';

    char pub[64] = "", sec[64] = "";
    int in_curve = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        if (line[0] != ' ' && line[0] != '\t') { /* a top-level section */
            in_curve = strncmp(line, "curve", 5) == 0;
            continue;
        }
        if (!in_curve)
            continue;
        if (!match_value(line, "public-key", pub, sizeof pub))
            match_value(line, "secret-key", sec, sizeof sec);
    }
    free(buf);

    memset(kp, 0, sizeof *kp);
    if (sj_key_from_z85(pub, kp->public_key) != 0)
        return SJ_EINVAL;
    if (sec[0]) {
        if (sj_key_from_z85(sec, kp->secret_key) != 0)
            return SJ_EINVAL;
        /* Like ssh: a secret others can read is no longer a secret. */
        if (mode & 077)
            return SJ_EPERM;
        /* The public half must be the one the secret half makes. */
        char derived[SJ_KEY_Z85_LEN + 1];
        if (zmq_curve_public(derived, sec) != 0 || strcmp(derived, pub) != 0)
            return SJ_EMISMATCH;
        kp->has_secret = true;
    }
    return SJ_OK;
}

char *sj_keyfile_default(char *buf, size_t cap, const char *data,
                         const char *name)
{
    snprintf(buf, cap, "%s/%s.key", data, name);
    if (access(buf, R_OK) != 0)
        snprintf(buf, cap, "%s/demo/%s.key", data, name);
    return buf;
}
