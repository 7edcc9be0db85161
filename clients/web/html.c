/* The bounded page buffer and the escaper of html.h. */
#include "html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_buf_init(web_buf_t *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

void web_buf_free(web_buf_t *b)
{
    free(b->data);
    size_t max = b->max;
    web_buf_init(b, max);
}

static bool grow(web_buf_t *b, size_t more)
{
    if (b->failed)
        return false;
    if (more > b->max || b->len + more > b->max) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + more + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void web_buf_putn(web_buf_t *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void web_buf_put(web_buf_t *b, const char *s)
{
    if (s)
        web_buf_putn(b, s, strlen(s));
}

void web_buf_printf(web_buf_t *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->failed = true; /* formats here are short; longer is a bug */
        return;
    }
    web_buf_putn(b, tmp, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0
 * when it is not one (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool refused(uint32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n';
    if (cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return true;
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

static void esc(web_buf_t *b, const char *s, bool lines)
{
    static const char fffd[] = "\xEF\xBF\xBD";
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p && !b->failed) {
        /* Copy the longest run that needs nothing. */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7F && !strchr("&<>\"'", *p))
            p++;
        if (p > run)
            web_buf_putn(b, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        uint32_t cp;
        size_t n = utf8_next(p, &cp);
        if (n == 0) {
            web_buf_put(b, fffd);
            p++;
            continue;
        }
        switch (cp) {
        case '&':
            web_buf_put(b, "&amp;");
            break;
        case '<':
            web_buf_put(b, "&lt;");
            break;
        case '>':
            web_buf_put(b, "&gt;");
            break;
        case '"':
            web_buf_put(b, "&quot;");
            break;
        case '\'':
            web_buf_put(b, "&#39;");
            break;
        case '\n':
            web_buf_put(b, lines ? "<br>\n" : "\n");
            break;
        default:
            if (refused(cp))
                web_buf_put(b, fffd);
            else
                web_buf_putn(b, (const char *)p, n);
        }
        p += n;
    }
}

void web_buf_esc(web_buf_t *b, const char *s)
{
    esc(b, s, false);
}

void web_buf_esc_lines(web_buf_t *b, const char *s)
{
    esc(b, s, true);
}

void web_buf_url(web_buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            web_buf_putn(b, (const char *)p, 1);
        else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            web_buf_putn(b, e, 3);
        }
    }
}

char *web_buf_take(web_buf_t *b, size_t *len)
{
    if (b->failed) {
        web_buf_free(b);
        return NULL;
    }
    if (!b->data && !grow(b, 0))
        return NULL;
    if (!b->data) {
        /* grow(0) with cap 0 allocated nothing: make an empty string. */
        b->data = calloc(1, 1);
        if (!b->data)
            return NULL;
    }
    char *d = b->data;
    *len = b->len;
    size_t max = b->max;
    web_buf_init(b, max);
    return d;
}
