/* The desk client's words and numbers: how old a wish is ("12 分钟前"),
 * how long a claim has left, dates in the community's time zone (the
 * process's zone, set once at start by sj_zone_use() as everywhere in
 * Shangju), the age colour of a row, the
 * hand-over input a barcode scanner types (a URL or the bare code), and a
 * counted list of strings joined.
 * GLib only; no GTK, no sockets. Strings returned are newly allocated
 * (g_free) unless said otherwise. */
#ifndef SJ_DESK_FORMAT_H
#define SJ_DESK_FORMAT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Age classes of a board row, coloured by the UI (CSS classes
 * "age-fresh" … "age-old"). */
typedef enum {
    SJ_DESK_AGE_FRESH = 0, /* under 15 minutes */
    SJ_DESK_AGE_WARM,      /* under an hour */
    SJ_DESK_AGE_STALE,     /* under a day */
    SJ_DESK_AGE_OLD,       /* a day or more */
} sj_desk_age_t;

/* Unix ms now (wall clock). */
int64_t sj_desk_now_ms(void);

/* "刚刚" / "12 分钟前" / "3 小时前" / "2 天前" (in the gettext language)
 * for a time `at` seen at `now` (both Unix ms). A time in the future counts
 * as just now. */
char *sj_desk_age_text(int64_t now, int64_t at);

/* The age class of a wish posted at `at`. */
sj_desk_age_t sj_desk_age_class(int64_t now, int64_t at);

/* The CSS class name of an age class ("age-fresh" …). Static string. */
const char *sj_desk_age_css(sj_desk_age_t a);

/* Time left until `due`: "还剩 2 天 3 小时" / "还剩 45 分钟" / "已过期".
 * due 0 gives "". */
char *sj_desk_countdown_text(int64_t now, int64_t due);

/* "2026-12-02 09:30" in the local (community) time zone; "-" for 0. */
char *sj_desk_time_text(int64_t ms);

/* A compact's term as the days it covers, "2026-01-01 – 2027-12-31": the
 * end is exclusive (the midnight after the last day). "-" for a 0. */
char *sj_desk_term_text(int64_t start, int64_t end);

/* What the hand-over entry holds, as typed or scanned: either the
 * hand-over URL ".../w/ID?code=CODE" (any base, other query parameters
 * allowed, %-escapes decoded) or the bare code. Surrounding white space
 * (a scanner's Enter) is ignored.
 * Returns true and sets *code (g_free) and *wish_id (the id in the URL, 0
 * for a bare code); false for empty input, a URL without a code, or a
 * code with characters other than letters, digits, '-' and '_' (at most
 * 64), leaving *code NULL. */
bool sj_desk_handover_parse(const char *input, uint64_t *wish_id, char **code);

/* Whether category appears in the comma-separated list cats (trimmed,
 * case-folded). An empty or NULL list matches every category, and an
 * empty or NULL category (a wish sent from chat) every list. */
bool sj_desk_category_in(const char *cats, const char *category);

/* The n strings of items joined with sep ("" for none). For protobuf-c's
 * repeated strings, which are counted (n_*), not NULL-terminated as
 * g_strjoinv() needs. */
char *sj_desk_join(char *const *items, size_t n, const char *sep);

#endif
