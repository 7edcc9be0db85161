/* The signed public notice of a compact and the notice key; see notice.h.
 * The text is built in a capped buffer; the signature is libsodium's
 * Ed25519 (crypto_sign_detached) with the key in DATA/notice.key. */
#include "notice.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "datadir.h"
#include "log.h"

typedef unsigned long long ull;

#define B64_KEY sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define B64_SIG sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)

/* ------------------------------------------------------------------ key */

int sj_notice_key_generate(sj_config_t *cfg)
{
    if (sodium_init() < 0)
        return SJ_EIO;
    crypto_sign_ed25519_keypair(cfg->notice_public, cfg->notice_secret);
    cfg->has_notice_key = true;
    return SJ_OK;
}

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

int sj_notice_key_open(const char *dir, sj_config_t *cfg)
{
    char sec[4096], pub[4096];
    if (!sj_datadir_path(sec, sizeof sec, dir, "notice.key") ||
        !sj_datadir_path(pub, sizeof pub, dir, "notice.pub"))
        return SJ_EINVAL;
    if (sodium_init() < 0) {
        sj_log(SJ_LOG_ERROR, "event=notice_key_failed reason=sodium_init");
        return SJ_EIO;
    }
    int err;
    if (access(sec, F_OK) == 0) {
        err = read_secret(sec, cfg->notice_secret);
        uint8_t pk[32];
        if (!err && (crypto_sign_ed25519_sk_to_pk(pk, cfg->notice_secret) ||
                     memcmp(pk, cfg->notice_secret + 32, 32) != 0))
            err = SJ_EINVAL;
        if (err) {
            sj_log(SJ_LOG_ERROR,
                   "event=bad_key file=%s msg=\"not a base64 Ed25519 "
                   "secret key\"",
                   sec);
            return err;
        }
        memcpy(cfg->notice_public, pk, 32);
    } else {
        crypto_sign_ed25519_keypair(cfg->notice_public, cfg->notice_secret);
        if ((err = write_b64(sec, cfg->notice_secret, 64, 0600))) {
            sj_log(SJ_LOG_ERROR, "event=notice_key_failed file=%s err=\"%s\"",
                   sec, strerror(errno));
            return err;
        }
        unlink(pub); /* a stale public half would mislead verifiers */
        sj_log(SJ_LOG_INFO, "event=notice_key_created file=%s", pub);
    }
    if (access(pub, F_OK) != 0 &&
        (err = write_b64(pub, cfg->notice_public, 32, 0644))) {
        sj_log(SJ_LOG_ERROR, "event=notice_key_failed file=%s err=\"%s\"", pub,
               strerror(errno));
        return err;
    }
    cfg->has_notice_key = true;
    return SJ_OK;
}

/* --------------------------------------------------------------- buffer */

typedef struct {
    char *p;
    size_t n, cap;
    int err;
} buf_t;

static void put(buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(buf_t *b, const char *fmt, ...)
{
    if (b->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->n) {
        b->err = SJ_EINVAL; /* over SJ_NOTICE_MAX */
        b->p[b->n] = '\0';
        return;
    }
    b->n += (size_t)n;
}

/* Each line of multi-line text, indented, so no line of it can pass for
 * the notice's own structure (or its signature block). */
static void put_indented(buf_t *b, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        put(b, "  %.*s\n", (int)n, s);
        s += n;
        if (*s == '\n')
            s++;
    }
}

static void utc(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%lld", (long long)ms);
}

/* ------------------------------------------------------------ the text */

/* "Name (role)" of a member; "member N" when it cannot be read. */
static void put_member(sj_call_t *c, buf_t *b, uint64_t id, bool role)
{
    Shangju__Member *m = NULL;
    if (sj_member_get(c->txn, id, &m) != 0) {
        put(b, "member %llu", (ull)id);
        return;
    }
    const char *r = sj_enum_short(&shangju__role__descriptor, m->role);
    if (role)
        put(b, "%s (%s, member %llu)", m->name, r ? r : "?", (ull)id);
    else
        put(b, "%s (member %llu)", m->name, (ull)id);
    shangju__member__free_unpacked(m, NULL);
}

static void put_body(sj_call_t *c, buf_t *b, const Shangju__Compact *cp,
                     const char *url)
{
    char t1[32], t2[32], hex[65];
    put(b, "SHANGJU COMPACT NOTICE 商居联盟公约公示\n\n");
    put(b, "compact: %llu\n", (ull)cp->id);
    put(b, "title: %s\n", cp->title);
    utc(cp->term_start, t1);
    utc(cp->term_end, t2);
    put(b, "term: %s to %s\n", t1, t2);
    put(b, "version: %u\n", cp->version);
    if (cp->version_hash.len == 32)
        sodium_bin2hex(hex, sizeof hex, cp->version_hash.data, 32);
    else
        snprintf(hex, sizeof hex, "-");
    put(b, "version-sha256: %s\n", hex);
    put(b, "\nparties:\n");
    for (size_t i = 0; i < cp->n_parties; i++) {
        put(b, "  - ");
        put_member(c, b, cp->parties[i], true);
        put(b, "\n");
    }
    put(b, "\nservice items:\n");
    for (size_t i = 0; i < cp->n_items; i++) {
        const Shangju__ServiceItem *it = cp->items[i];
        put(b, "  %u. ", it->id);
        put_member(c, b, it->giver_id, false);
        put(b, " gives ");
        if (it->receiver_id)
            put_member(c, b, it->receiver_id, false);
        else
            put(b, "the community");
        put(b, ": %s", it->what);
        if (it->how_often && *it->how_often)
            put(b, " (%s)", it->how_often);
        put(b, "\n");
    }
    put(b, "\ncovenant:\n");
    put_indented(b, cp->covenant ? cp->covenant : "");
    put(b, "\nsignatures:\n");
    for (size_t i = 0; i < cp->n_signatures; i++) {
        const Shangju__Signature *s = cp->signatures[i];
        utc(s->at, t1);
        put(b, "  - ");
        put_member(c, b, s->party_id, false);
        put(b, " signed version %u at %s\n", s->version, t1);
    }
    utc(cp->published_at, t1);
    put(b, "\npublished: %s\n", t1);
    put(b, "url: %s\n", url);
}

int sj_notice_write(sj_call_t *c, const Shangju__Compact *cp, const char *url,
                    char **text)
{
    const sj_config_t *cfg = c->cfg;
    if (!cfg->has_notice_key)
        return SJ_EINVAL;
    buf_t b = {.cap = SJ_NOTICE_MAX};
    if (!(b.p = sj_call_alloc(c, b.cap)))
        return SJ_ENOMEM;
    put_body(c, &b, cp, url);
    if (b.err)
        return b.err;
    uint8_t sig[64];
    crypto_sign_ed25519_detached(sig, NULL, (const uint8_t *)b.p, b.n,
                                 cfg->notice_secret);
    char k64[B64_KEY], s64[B64_SIG];
    sodium_bin2base64(k64, sizeof k64, cfg->notice_public, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(s64, sizeof s64, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    put(&b, "%s\n%s%s\n%s%s\n%s\n", SJ_NOTICE_BEGIN, SJ_NOTICE_KEY_LABEL, k64,
        SJ_NOTICE_SIG_LABEL, s64, SJ_NOTICE_END);
    if (b.err)
        return b.err;
    *text = b.p;
    return SJ_OK;
}
