/* The words and numbers of format.h. */
#include "format.h"

#include <string.h>

#include "i18n.h"
#include "sj_zone.h"

#define MINUTE_MS ((int64_t)60 * 1000)
#define HOUR_MS (60 * MINUTE_MS)
#define DAY_MS (24 * HOUR_MS)
#define CODE_MAX 64

int64_t sj_desk_now_ms(void)
{
    return g_get_real_time() / 1000;
}

char *sj_desk_age_text(int64_t now, int64_t at)
{
    int64_t d = now - at;
    if (d < MINUTE_MS)
        return g_strdup(_("just now"));
    if (d < HOUR_MS) {
        unsigned long n = (unsigned long)(d / MINUTE_MS);
        return g_strdup_printf(
            dngettext(SJ_TEXTDOMAIN, "%lu minute ago", "%lu minutes ago", n),
            n);
    }
    if (d < DAY_MS) {
        unsigned long n = (unsigned long)(d / HOUR_MS);
        return g_strdup_printf(
            dngettext(SJ_TEXTDOMAIN, "%lu hour ago", "%lu hours ago", n), n);
    }
    unsigned long n = (unsigned long)(d / DAY_MS);
    return g_strdup_printf(
        dngettext(SJ_TEXTDOMAIN, "%lu day ago", "%lu days ago", n), n);
}

sj_desk_age_t sj_desk_age_class(int64_t now, int64_t at)
{
    int64_t d = now - at;
    if (d < 15 * MINUTE_MS)
        return SJ_DESK_AGE_FRESH;
    if (d < HOUR_MS)
        return SJ_DESK_AGE_WARM;
    if (d < DAY_MS)
        return SJ_DESK_AGE_STALE;
    return SJ_DESK_AGE_OLD;
}

const char *sj_desk_age_css(sj_desk_age_t a)
{
    static const char *const names[] = {"age-fresh", "age-warm", "age-stale",
                                        "age-old"};
    g_assert((unsigned)a < G_N_ELEMENTS(names));
    return names[a];
}

char *sj_desk_countdown_text(int64_t now, int64_t due)
{
    if (due <= 0)
        return g_strdup("");
    int64_t d = due - now;
    if (d <= 0)
        return g_strdup(_("overdue"));
    unsigned long days = (unsigned long)(d / DAY_MS);
    unsigned long hours = (unsigned long)(d % DAY_MS / HOUR_MS);
    unsigned long mins = (unsigned long)(d % HOUR_MS / MINUTE_MS);
    if (days > 0)
        /* TRANSLATORS: time left on a claim: days and hours. */
        return g_strdup_printf(_("%lu d %lu h left"), days, hours);
    if (hours > 0)
        return g_strdup_printf(_("%lu h %lu min left"), hours, mins);
    return g_strdup_printf(_("%lu min left"), mins ? mins : 1);
}

char *sj_desk_time_text(int64_t ms)
{
    if (ms <= 0)
        return g_strdup("-");
    GDateTime *t = g_date_time_new_from_unix_local(ms / 1000);
    if (!t)
        return g_strdup("-");
    char *s = g_date_time_format(t, "%Y-%m-%d %H:%M");
    g_date_time_unref(t);
    return s ? s : g_strdup("-");
}

static char *day_text(int64_t ms)
{
    char d[SJ_ZONE_TIME_MAX];
    sj_zone_format_day(ms > 0 ? ms : 0, d, sizeof d);
    return g_strdup(d);
}

char *sj_desk_term_text(int64_t start, int64_t end)
{
    char *from = day_text(start);
    char *to = day_text(end > 0 ? end - 1 : 0); /* the last day it covers */
    /* TRANSLATORS: a compact's term, first day – last day. */
    char *s = g_strdup_printf(_("%s – %s"), from, to);
    g_free(from);
    g_free(to);
    return s;
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CODE_MAX)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

/* The value of parameter `code` in query q (after '?'), unescaped. */
static char *query_code(const char *q)
{
    char **parts = g_strsplit(q, "&", -1);
    char *out = NULL;
    for (char **p = parts; *p && !out; p++)
        if (g_str_has_prefix(*p, "code="))
            out = g_uri_unescape_string(*p + 5, NULL);
    g_strfreev(parts);
    return out;
}

/* The id after "/w/" in path, or 0. */
static uint64_t path_wish(const char *path)
{
    const char *w = g_strrstr(path, "/w/");
    if (!w)
        return 0;
    guint64 id = 0;
    const char *end = NULL;
    id = g_ascii_strtoull(w + 3, (char **)&end, 10);
    if (end == w + 3 || (*end && *end != '?' && *end != '/' && *end != '#'))
        return 0;
    return id;
}

bool sj_desk_handover_parse(const char *input, uint64_t *wish_id, char **code)
{
    *code = NULL;
    *wish_id = 0;
    if (!input)
        return false;
    char *s = g_strstrip(g_strdup(input));
    char *c = NULL;
    uint64_t id = 0;
    const char *q = strchr(s, '?');
    if (strstr(s, "://") || q) {
        if (q) {
            char *path = g_strndup(s, (gsize)(q - s));
            id = path_wish(path);
            g_free(path);
            char *frag = strchr(q, '#');
            if (frag)
                *frag = '\0';
            c = query_code(q + 1);
        }
    } else {
        c = g_strdup(s);
    }
    g_free(s);
    if (!c || !code_ok(c)) {
        g_free(c);
        return false;
    }
    *code = c;
    *wish_id = id;
    return true;
}

bool sj_desk_category_in(const char *cats, const char *category)
{
    if (!cats || !*cats)
        return true;
    /* No category (a wish sent from chat has none): any shop may help. */
    char *trimmed = g_strstrip(g_strdup(category ? category : ""));
    if (!*trimmed) {
        g_free(trimmed);
        return true;
    }
    char *want = g_utf8_casefold(trimmed, -1);
    g_free(trimmed);
    char **parts = g_strsplit(cats, ",", -1);
    bool hit = false;
    for (char **p = parts; *p && !hit; p++) {
        char *t = g_utf8_casefold(g_strstrip(*p), -1);
        hit = *t && strcmp(t, want) == 0;
        g_free(t);
    }
    g_strfreev(parts);
    g_free(want);
    return hit;
}

char *sj_desk_join(char *const *items, size_t n, const char *sep)
{
    GString *s = g_string_new("");
    for (size_t i = 0; i < n; i++) {
        if (i)
            g_string_append(s, sep);
        g_string_append(s, items[i] ? items[i] : "");
    }
    return g_string_free(s, FALSE);
}
