/* Text checks shared by the broker and the clients; see text.h. */
#include "text.h"

#include <stddef.h>

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
