/* The one checker of signed compact notices; see signed_notice.h. Input
 * is untrusted (a file from anywhere): sizes are checked first, parsing is
 * strict, and the signature is verified over the exact bytes. */
#include "signed_notice.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int bad(char *why, size_t cap, const char *reason)
{
    snprintf(why, cap, "%s", reason);
    return SJ_EINVAL;
}

/* The last occurrence of needle (n bytes) in hay (len bytes), or NULL. */
static const char *last_of(const char *hay, size_t len, const char *needle,
                           size_t n)
{
    for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* Parse "<label><base64>\n" at *p (ending before end) into out (want
 * bytes exactly); advance *p past the line. */
static bool b64_line(const char **p, const char *end, const char *label,
                     uint8_t *out, size_t want)
{
    size_t ln = strlen(label);
    if ((size_t)(end - *p) < ln || memcmp(*p, label, ln) != 0)
        return false;
    const char *s = *p + ln, *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl)
        return false;
    size_t got = 0;
    const char *stop;
    if (sodium_base642bin(out, want, s, (size_t)(nl - s), NULL, &got, &stop,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != want || stop != nl)
        return false;
    *p = nl + 1;
    return true;
}

int sj_notice_verify(const char *text, size_t len, const uint8_t *pk,
                     uint8_t *key_out, char *why, size_t cap)
{
    static const char begin[] = "\n" SJ_NOTICE_BEGIN "\n";
    static const char end_line[] = SJ_NOTICE_END "\n";
    if (sodium_init() < 0) {
        bad(why, cap, "cannot initialise libsodium");
        return SJ_EIO;
    }
    if (len > SJ_NOTICE_MAX)
        return bad(why, cap, "too large to be a notice");
    if (memchr(text, '\0', len))
        return bad(why, cap, "not text (contains a NUL byte)");
    const char *b = last_of(text, len, begin, sizeof begin - 1);
    if (!b)
        return bad(why, cap, "no signature block");
    size_t body = (size_t)(b - text) + 1;
    const char *p = b + sizeof begin - 1, *end = text + len;
    uint8_t key[32], sig[64];
    if (!b64_line(&p, end, SJ_NOTICE_KEY_LABEL, key, sizeof key))
        return bad(why, cap, "malformed public key line");
    if (!b64_line(&p, end, SJ_NOTICE_SIG_LABEL, sig, sizeof sig))
        return bad(why, cap, "malformed signature line");
    size_t rest = (size_t)(end - p), el = sizeof end_line - 1;
    if (!(rest == el || rest == el - 1) || memcmp(p, end_line, rest) != 0)
        return bad(why, cap, "malformed end of the signature block");
    if (pk && sodium_memcmp(pk, key, 32) != 0)
        return bad(why, cap, "signed with another key than the one given");
    if (crypto_sign_ed25519_verify_detached(sig, (const uint8_t *)text, body,
                                            key) != 0)
        return bad(why, cap, "the signature does not match the text");
    if (key_out)
        memcpy(key_out, key, sizeof key);
    snprintf(why, cap, "valid");
    return SJ_OK;
}

void sj_notice_fingerprint(const uint8_t pk[32], char out[SJ_NOTICE_FP_LEN])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, 32);
    char *o = out + sizeof "SHA256:" - 1;
    memcpy(out, "SHA256:", sizeof "SHA256:" - 1);
    for (int i = 0; i < 16; i++) {
        if (i && i % 2 == 0)
            *o++ = ' ';
        *o++ = hex[h[i] >> 4];
        *o++ = hex[h[i] & 15];
    }
    *o = '\0';
}
