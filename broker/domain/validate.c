/* Text and paging checks; see validate.h. */
#include "validate.h"

#include <stdint.h>
#include <string.h>

int sj_check_text(sj_call_t *c, const char *field, const char *s, size_t min,
                  size_t max, bool multiline)
{
    /* Valid text first: only then is the count of characters exact. */
    if (s && *s && !sj_text_ok(s, multiline))
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            SJ_R_ARG_BAD_TEXT,
                            "%s is not valid text (UTF-8, no control or "
                            "invisible characters)",
                            field);
    size_t n = sj_text_chars(s);
    if (n < min)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            SJ_R_ARG_REQUIRED, "%s is required", field);
    if (n > max)
        return sj_call_fail(
            c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT, SJ_R_ARG_TOO_LONG,
            "%s is too long (%zu characters; at most %zu)", field, n, max);
    return 0;
}

int sj_check_handle(sj_call_t *c, const char *s, size_t min)
{
    size_t n = s ? strlen(s) : 0;
    if (n > SJ_MAX_HANDLE)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            SJ_R_ARG_TOO_LONG,
                            "chat handle is too long (%zu bytes; at most %d)",
                            n, SJ_MAX_HANDLE);
    return sj_check_text(c, "chat handle", s, min, SJ_MAX_HANDLE, false);
}

int sj_check_year(sj_call_t *c, uint32_t year)
{
    if (year < SJ_YEAR_MIN || year > SJ_YEAR_MAX)
        return sj_call_fail(
            c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT, SJ_R_ARG_OUT_OF_RANGE,
            "year must be %d..%d (got %u)", SJ_YEAR_MIN, SJ_YEAR_MAX, year);
    return 0;
}

int sj_check_limit(sj_call_t *c, unsigned asked, size_t *limit)
{
    if (asked > SJ_MAX_PAGE)
        return sj_call_fail(
            c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT, SJ_R_ARG_OUT_OF_RANGE,
            "limit %u is too large (at most %d)", asked, SJ_MAX_PAGE);
    *limit = asked ? asked : SJ_DEFAULT_PAGE;
    return 0;
}

int sj_check_cursor(sj_call_t *c, uint64_t after)
{
    if (after == UINT64_MAX)
        return sj_call_fail(c, SHANGJU__STATUS__STATUS_INVALID_ARGUMENT,
                            SJ_R_ARG_BAD_CURSOR, "cursor %llu is past every id",
                            (unsigned long long)after);
    return 0;
}
