/* Text and paging checks; see validate.h. */
#include "validate.h"

#include <string.h>

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
        p += n + 1;
    }
    return true;
}

int sj_check_text(sj_call_t *c, const char *field, const char *s, size_t min,
                  size_t max, bool multiline)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            "%s is required", field);
    if (n > max)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            "%s is too long (%zu bytes; at most %zu)", field, n,
                            max);
    if (n && !sj_text_ok(s, multiline))
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            "%s is not valid text (UTF-8, no control "
                            "characters)",
                            field);
    return 0;
}

int sj_check_year(sj_call_t *c, uint32_t year)
{
    if (year < SJ_YEAR_MIN || year > SJ_YEAR_MAX)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            "year must be %d..%d (got %u)", SJ_YEAR_MIN,
                            SJ_YEAR_MAX, year);
    return 0;
}

int sj_check_limit(sj_call_t *c, unsigned asked, size_t *limit)
{
    if (asked > SJ_MAX_PAGE)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            "limit %u is too large (at most %d)", asked,
                            SJ_MAX_PAGE);
    *limit = asked ? asked : SJ_DEFAULT_PAGE;
    return 0;
}
