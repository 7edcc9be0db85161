/* Text checks, lengths and normal form, shared by the broker and the
 * clients; see text.h. */
#include "text.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unistr.h>
#include <uninorm.h>

#include "sj_error.h"

/* Characters that change how text around them looks without showing
 * themselves, so a name or title could pass for another: C1 controls
 * (U+0080..U+009F, terminal escapes among them), the bidirectional marks,
 * embeddings, overrides and isolates ("Trojan source"), and the byte-order
 * mark. Zero-width spaces and joiners are refused in one-line fields; a
 * long text may keep them, since emoji sequences are joined by U+200D. */
static bool invisible(unsigned cp, bool multiline)
{
    if (cp >= 0x80 && cp <= 0x9f)
        return true;
    if (cp == 0x200e || cp == 0x200f || cp == 0x061c ||
        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
        return true;
    if (cp == 0xfeff)
        return true;
    return !multiline && ((cp >= 0x200b && cp <= 0x200d) || cp == 0x2060);
}

bool sj_text_ok(const char *s, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char b = *p;
        size_t n;
        unsigned cp;
        if (b < 0x80) {
            if ((b < 0x20 && !(multiline && (b == '\n' || b == '\t'))) ||
                b == 0x7f)
                return false;
            p++;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            n = 1, cp = b & 0x1f;
        } else if ((b & 0xf0) == 0xe0) {
            n = 2, cp = b & 0x0f;
        } else if ((b & 0xf8) == 0xf0) {
            n = 3, cp = b & 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
            (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        if (invisible(cp, multiline))
            return false;
        p += n + 1;
    }
    return true;
}

size_t sj_text_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

static bool ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            return false;
    return true;
}

size_t sj_text_nfc_chars(const char *s)
{
    if (!s || ascii(s))
        return s ? strlen(s) : 0;
    char *nfc = sj_text_nfc(s);
    size_t n = sj_text_chars(nfc ? nfc : s);
    free(nfc);
    return n;
}

char *sj_text_nfc(const char *s)
{
    size_t len = strlen(s) + 1;
    /* u8_normalize would make U+FFFD of bad bytes: refuse them instead. */
    if (u8_check((const uint8_t *)s, len)) {
        errno = EILSEQ;
        return NULL;
    }
    /* The terminating NUL goes through too: it is its own normal form, so
     * the result comes back terminated. */
    uint8_t *out =
        u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &len);
    if (out && (len == 0 || out[len - 1] != '\0')) {
        free(out);
        return NULL;
    }
    return (char *)out;
}

/* Copy n bytes of s to buf (size > 0), cut to fit at a character
 * boundary, NUL-terminated; the length copied. */
static size_t copy_cut(const uint8_t *s, size_t n, char *buf, size_t size)
{
    if (n >= size) {
        n = size - 1;
        while (n > 0 && (s[n] & 0xc0) == 0x80)
            n--; /* s[n] continues a character: cut before it */
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

size_t sj_text_fold(const char *s, char *buf, size_t size)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (ascii(s)) { /* the common case, and a list folds every record */
        size_t i = 0;
        for (; i < n && i + 1 < size; i++)
            buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
        buf[i] = '\0';
        return i;
    }
    if (u8_check((const uint8_t *)s, n))
        return copy_cut((const uint8_t *)s, n, buf, size);
    /* The fold of text in NFC is at most twice as long in bytes (և folds
     * to եւ; checked over every code point), so this buffer holds the fold
     * of any one-line field whole; libunistring allocates only past it. */
    uint8_t local[1024];
    size_t len = sizeof local;
    uint8_t *f =
        u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFC, local, &len);
    if (!f)
        return copy_cut((const uint8_t *)s, n, buf, size);
    size_t out = copy_cut(f, len, buf, size);
    if (f != local)
        free(f);
    return out;
}

/* The values of field f of m when it holds strings or messages (a char *
 * or a ProtobufCMessage * each): *n of them from the returned array; NULL
 * for other fields and an unset oneof member. */
static void **slots_of(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                       size_t *n)
{
    char *base = (char *)m;
    *n = 0;
    if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        *n = *(size_t *)(base + f->quantifier_offset);
        return *(void ***)(base + f->offset);
    }
    if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(uint32_t *)(base + f->quantifier_offset) != f->id)
        return NULL;
    void **one = (void **)(base + f->offset);
    *n = *one ? 1 : 0;
    return one;
}

/* Walk m's strings. With apply false, returns 1 at the first string whose
 * NFC differs, else 0 (SJ_ENOMEM when that cannot be told); m is only
 * read. With apply true, replaces each such string by its NFC (m from
 * protobuf_c_message_unpack with the default allocator, so its strings are
 * free()'d); SJ_ENOMEM on failure, leaving m valid (some strings
 * normalised, the rest not). */
static int walk(ProtobufCMessage *m, bool apply)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t n;
        void **slots = slots_of(m, f, &n);
        for (size_t j = 0; j < n; j++) {
            int rc = 0;
            if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (slots[j])
                    rc = walk(slots[j], apply);
                if (rc)
                    return rc;
                continue;
            }
            if (!slots[j] || ascii(slots[j]))
                continue;
            errno = 0;
            char *nfc = sj_text_nfc(slots[j]);
            if (!nfc && errno == ENOMEM)
                return SJ_ENOMEM;
            if (!nfc)
                continue; /* not UTF-8: left as sent, the field check refuses
                             it */
            if (strcmp(nfc, slots[j]) == 0) {
                free(nfc);
                continue;
            }
            if (!apply) {
                free(nfc);
                return 1;
            }
            free(slots[j]);
            slots[j] = nfc;
        }
    }
    return 0;
}

int sj_text_nfc_message(const ProtobufCMessage *m, ProtobufCMessage **out)
{
    *out = NULL;
    /* Read only: walk does not write when apply is false. */
    int rc = walk((ProtobufCMessage *)m, false);
    if (rc <= 0)
        return rc;
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return SJ_ENOMEM;
    protobuf_c_message_pack(m, buf);
    ProtobufCMessage *copy =
        protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
    free(buf);
    if (!copy)
        return SJ_ENOMEM;
    if (walk(copy, true) != 0) { /* only SJ_ENOMEM when applying */
        protobuf_c_message_free_unpacked(copy, NULL);
        return SJ_ENOMEM;
    }
    *out = copy;
    return 0;
}
