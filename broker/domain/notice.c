/* The signed public notice of a compact and the notice key; see notice.h.
 * The text is built in a capped buffer; the signature is libsodium's
 * Ed25519 (crypto_sign_detached) with the key in DATA/notice.key. */
#include "notice.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "dispatch.h"
#include "sj_zone.h"

typedef unsigned long long ull;

#define B64_KEY sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)
#define B64_SIG sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)

/* ------------------------------------------------------------------ key */

struct sj_signer {
    uint8_t sk[64]; /* seed, then the public key */
};

int sj_signer_new(const uint8_t sk[64], sj_signer_t **out)
{
    uint8_t pk[32];
    *out = NULL;
    if (sodium_init() < 0)
        return SJ_EIO;
    if (crypto_sign_ed25519_sk_to_pk(pk, sk) != 0 ||
        sodium_memcmp(pk, sk + 32, 32) != 0)
        return SJ_EINVAL;
    sj_signer_t *s = malloc(sizeof *s);
    if (!s)
        return SJ_ENOMEM;
    memcpy(s->sk, sk, sizeof s->sk);
    *out = s;
    return SJ_OK;
}

int sj_signer_generate(sj_signer_t **out)
{
    uint8_t pk[32], sk[64];
    *out = NULL;
    if (sodium_init() < 0)
        return SJ_EIO;
    crypto_sign_ed25519_keypair(pk, sk);
    int err = sj_signer_new(sk, out);
    sodium_memzero(sk, sizeof sk);
    return err;
}

void sj_signer_sign(const sj_signer_t *s, const uint8_t *msg, size_t len,
                    uint8_t sig[64])
{
    crypto_sign_ed25519_detached(sig, NULL, msg, len, s->sk);
}

void sj_signer_public(const sj_signer_t *s, uint8_t pk[32])
{
    memcpy(pk, s->sk + 32, 32);
}

void sj_signer_free(sj_signer_t **s)
{
    if (!s || !*s)
        return;
    sodium_memzero((*s)->sk, sizeof(*s)->sk);
    free(*s);
    *s = NULL;
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

/* ------------------------------------------------------------ the text */

/* The roles in Chinese, the words the CLI prints (po/zh_CN.po, context
 * "role"). Fixed here rather than read from the catalogue: a signed
 * notice must not depend on what the broker's machine has installed. */
static const char *role_zh(Shangju__Role r)
{
    switch (r) {
    case SHANGJU__ROLE__ROLE_RESIDENT:
        return "居民";
    case SHANGJU__ROLE__ROLE_MERCHANT:
        return "商户";
    case SHANGJU__ROLE__ROLE_COMMITTEE:
        return "居委会";
    case SHANGJU__ROLE__ROLE_BRIDGE:
        return "聊天桥";
    case SHANGJU__ROLE__ROLE_WEB:
        return "网站";
    case SHANGJU__ROLE__ROLE_MONITOR:
        return "监控";
    default:
        return "?";
    }
}

/* "Name（居民 resident，成员 member N）" of a member (without the role
 * when role is false); "成员 member N" when it cannot be read. */
static void put_member(sj_call_t *c, buf_t *b, uint64_t id, bool role)
{
    Shangju__Member *m = NULL;
    if (sj_member_get(c->txn, id, &m) != 0) {
        put(b, "成员 member %llu", (ull)id);
        return;
    }
    const char *r = sj_enum_short(&shangju__role__descriptor, m->role);
    if (role)
        put(b, "%s（%s %s，成员 member %llu）", m->name, role_zh(m->role),
            r ? r : "?", (ull)id);
    else
        put(b, "%s（成员 member %llu）", m->name, (ull)id);
    shangju__member__free_unpacked(m, NULL);
}

/* The notice's fixed text is in both languages, Chinese first (the
 * notice board's), each label followed by its English key. */
static void put_body(sj_call_t *c, buf_t *b, const Shangju__Compact *cp,
                     const char *url)
{
    char t1[SJ_ZONE_TIME_MAX], t2[SJ_ZONE_TIME_MAX], hex[65];
    put(b, "SHANGJU COMPACT NOTICE 商居联盟公约公示\n\n");
    put(b, "公约 compact: %llu\n", (ull)cp->id);
    put(b, "标题 title: %s\n", cp->title);
    sj_zone_rfc3339_seconds(cp->term_start, t1, sizeof t1);
    sj_zone_rfc3339_seconds(cp->term_end, t2, sizeof t2);
    put(b, "期限 term: %s — %s\n", t1, t2);
    put(b, "版本 version: %u\n", cp->version);
    if (cp->version_hash.len == 32)
        sodium_bin2hex(hex, sizeof hex, cp->version_hash.data, 32);
    else
        snprintf(hex, sizeof hex, "-");
    put(b, "版本哈希 version-sha256: %s\n", hex);
    put(b, "\n参与方 parties:\n");
    for (size_t i = 0; i < cp->n_parties; i++) {
        put(b, "  - ");
        put_member(c, b, cp->parties[i], true);
        put(b, "\n");
    }
    put(b, "\n服务项目 service items:\n");
    for (size_t i = 0; i < cp->n_items; i++) {
        const Shangju__ServiceItem *it = cp->items[i];
        put(b, "  %u. ", it->id);
        put_member(c, b, it->giver_id, false);
        put(b, " 提供给 gives ");
        if (it->receiver_id)
            put_member(c, b, it->receiver_id, false);
        else
            put(b, "社区 the community");
        put(b, ": %s", it->what);
        if (it->how_often && *it->how_often)
            put(b, " (%s)", it->how_often);
        put(b, "\n");
    }
    put(b, "\n信约 covenant:\n");
    put_indented(b, cp->covenant ? cp->covenant : "");
    put(b, "\n签署 signatures:\n");
    for (size_t i = 0; i < cp->n_signatures; i++) {
        const Shangju__Signature *s = cp->signatures[i];
        sj_zone_rfc3339_seconds(s->at, t1, sizeof t1);
        put(b, "  - ");
        put_member(c, b, s->party_id, false);
        put(b, " 签署第 %u 版 signed version %u at %s\n", s->version,
            s->version, t1);
    }
    sj_zone_rfc3339_seconds(cp->published_at, t1, sizeof t1);
    put(b, "\n亮约 published: %s\n", t1);
    put(b, "网址 url: %s\n", url);
    char fp[SJ_NOTICE_FP_LEN];
    sj_notice_fingerprint(c->signer->sk + 32, fp);
    put(b, "%s%s\n", SJ_NOTICE_FP_LABEL, fp);
}

int sj_notice_write(sj_call_t *c, const Shangju__Compact *cp, const char *url,
                    char **text)
{
    const sj_signer_t *key = c->signer;
    if (!key)
        return SJ_EINVAL;
    buf_t b = {.cap = SJ_NOTICE_MAX};
    if (!(b.p = sj_call_alloc(c, b.cap)))
        return SJ_ENOMEM;
    put_body(c, &b, cp, url);
    if (b.err)
        return b.err;
    uint8_t sig[64];
    crypto_sign_ed25519_detached(sig, NULL, (const uint8_t *)b.p, b.n, key->sk);
    char k64[B64_KEY], s64[B64_SIG];
    sodium_bin2base64(k64, sizeof k64, key->sk + 32, 32,
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

/* ------------------------------------------------------ NoticeKeyGet */

/* The alliance's notice key and its fingerprint, to any member or the web
 * front: the CLI pins it (DATA/notice.pub) to check notices offline. */
int sj_h_notice_key_get(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    if (!c->signer)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                            SJ_R_BROKER_NO_NOTICE_KEY,
                            "the broker has no notice key");
    Shangju__NoticeKey *k = sj_call_alloc(c, sizeof *k);
    uint8_t *pk = sj_call_alloc(c, 32);
    char *fp = sj_call_alloc(c, SJ_NOTICE_FP_LEN);
    if (!k || !pk || !fp)
        return sj_call_store_fail(c, SJ_ENOMEM, "notice key");
    shangju__notice_key__init(k);
    sj_signer_public(c->signer, pk);
    sj_notice_fingerprint(pk, fp);
    k->public_key.data = pk;
    k->public_key.len = 32;
    k->fingerprint = fp;
    c->reply.body_case = SHANGJU__REPLY__BODY_NOTICE_KEY;
    c->reply.notice_key = k;
    return 0;
}
