/* The community's time zone (sj_zone.h): the process's TZ set once from a
 * checked tzdata name, and the calendar arithmetic every date rule and
 * every printed time shares. */
#include "sj_zone.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sj_error.h"

static char zone_name[64];

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof zone_name || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9') || strchr("_+-/", *p)))
            return false;
    return true;
}

bool sj_zone_known(const char *name)
{
    if (!name || !name_ok(name))
        return false;
    const char *dir = getenv("TZDIR");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s",
             dir && *dir ? dir : "/usr/share/zoneinfo", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char magic[4];
    bool ok = read(fd, magic, 4) == 4 && memcmp(magic, "TZif", 4) == 0;
    close(fd);
    return ok;
}

int sj_zone_use(const char *name)
{
    if (!sj_zone_known(name))
        return SJ_EINVAL;
    if (setenv("TZ", name, 1) != 0)
        return SJ_EINVAL;
    tzset();
    snprintf(zone_name, sizeof zone_name, "%s", name);
    return SJ_OK;
}

const char *sj_zone_name(void)
{
    return zone_name;
}

/* Whole seconds of at_ms, rounded down (also for times before 1970). */
static time_t seconds(int64_t at_ms)
{
    return (time_t)(at_ms / 1000 - (at_ms % 1000 < 0 ? 1 : 0));
}

uint32_t sj_zone_year(int64_t at_ms)
{
    time_t t = seconds(at_ms);
    struct tm tm;
    if (!localtime_r(&t, &tm) || tm.tm_year + 1900 < 1)
        return 0;
    return (uint32_t)(tm.tm_year + 1900);
}

int sj_zone_local_ms(int y, int m, int d, int h, int mi, int s, int64_t *ms)
{
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 || h < 0 ||
        h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return SJ_EINVAL;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = m - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s,
                    .tm_isdst = -1};
    time_t t = mktime(&tm);
    /* mktime normalises 30 February to 2 March: refuse what moved. A
     * local time skipped by a clock change moves its hour: refused too. */
    if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 ||
        tm.tm_mday != d || tm.tm_hour != h || tm.tm_min != mi)
        return SJ_EINVAL;
    *ms = (int64_t)t * 1000;
    return SJ_OK;
}

int64_t sj_zone_year_start_ms(uint32_t year)
{
    int64_t ms = 0;
    if (sj_zone_local_ms((int)year, 1, 1, 0, 0, 0, &ms) != SJ_OK) {
        /* A zone whose clocks skip midnight on 1 January: the first
         * minute that exists. */
        for (int mi = 1; mi < 24 * 60; mi++)
            if (sj_zone_local_ms((int)year, 1, 1, mi / 60, mi % 60, 0, &ms) ==
                SJ_OK)
                break;
    }
    return ms;
}

/* "+HH:MM", "-HH:MM" or "Z" at s (whole rest); seconds east of UTC. */
static bool parse_offset(const char *s, long *east)
{
    if (strcmp(s, "Z") == 0) {
        *east = 0;
        return true;
    }
    int hh, mm, used = 0;
    if ((s[0] != '+' && s[0] != '-') ||
        sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &used) != 2 || used != 5 ||
        s[6] != '\0' || hh > 14 || mm > 59)
        return false;
    *east = (s[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    return true;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int sj_zone_parse(const char *s, bool end, int64_t *ms)
{
    int y, m, d, h = 0, mi = 0, sec = 0;
    if (!s || strlen(s) < 10 || !digits(s, 4) || s[4] != '-' ||
        !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return SJ_EINVAL;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    const char *rest = s + 10;
    bool day = *rest == '\0';
    if (!day) {
        if ((*rest != ' ' && *rest != 'T') || !digits(rest + 1, 2) ||
            rest[3] != ':' || !digits(rest + 4, 2))
            return SJ_EINVAL;
        h = atoi(rest + 1);
        mi = atoi(rest + 4);
        rest += 6;
        if (*rest == ':') {
            if (!digits(rest + 1, 2))
                return SJ_EINVAL;
            sec = atoi(rest + 1);
            rest += 3;
        }
    }
    int64_t at;
    if (*rest == '\0') {
        if (sj_zone_local_ms(y, m, d, h, mi, sec, &at) != SJ_OK)
            return SJ_EINVAL;
    } else {
        long east;
        if (!parse_offset(rest, &east))
            return SJ_EINVAL;
        /* The calendar date must exist: check it as a UTC date. */
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = m - 1,
                        .tm_mday = d,
                        .tm_hour = h,
                        .tm_min = mi,
                        .tm_sec = sec};
        time_t t = timegm(&tm);
        if (y < 1900 || t == (time_t)-1 || tm.tm_mday != d ||
            tm.tm_mon != m - 1 || h > 23 || mi > 59 || sec > 59)
            return SJ_EINVAL;
        at = ((int64_t)t - east) * 1000;
    }
    if (day && end) {
        /* The next local midnight (a day is not always 24 hours). */
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = m - 1,
                        .tm_mday = d + 1,
                        .tm_isdst = -1};
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
            return SJ_EINVAL;
        at = (int64_t)t * 1000;
    }
    *ms = at;
    return SJ_OK;
}

/* "+08:00" for tm's offset. */
static void offset_text(const struct tm *tm, char *buf, size_t cap)
{
    long off = tm->tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(buf, cap, "%c%02ld:%02ld", sign, off / 3600, off % 3600 / 60);
}

void sj_zone_format(int64_t at_ms, char *buf, size_t cap)
{
    time_t t = seconds(at_ms);
    struct tm tm;
    char when[24], off[24];
    if (at_ms == 0) {
        snprintf(buf, cap, "-");
        return;
    }
    if (!localtime_r(&t, &tm) ||
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
        snprintf(buf, cap, "%lld", (long long)at_ms);
        return;
    }
    offset_text(&tm, off, sizeof off);
    snprintf(buf, cap, "%s %s", when, off);
}

/* at_ms as the local day, with the minute when asked; "-" for 0 or out of
 * range. */
static void local_text(int64_t at_ms, bool minute, char *buf, size_t cap)
{
    time_t t = seconds(at_ms);
    struct tm tm;
    if (at_ms == 0 || !localtime_r(&t, &tm) ||
        strftime(buf, cap, minute ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm) == 0)
        snprintf(buf, cap, "-");
}

void sj_zone_format_minute(int64_t at_ms, char *buf, size_t cap)
{
    local_text(at_ms, true, buf, cap);
}

void sj_zone_format_day(int64_t at_ms, char *buf, size_t cap)
{
    local_text(at_ms, false, buf, cap);
}

bool sj_zone_is_midnight(int64_t at_ms)
{
    time_t t = seconds(at_ms);
    struct tm tm;
    return at_ms % 1000 == 0 && localtime_r(&t, &tm) && tm.tm_hour == 0 &&
           tm.tm_min == 0 && tm.tm_sec == 0;
}

static void rfc3339(int64_t at_ms, bool millis, char *buf, size_t cap)
{
    time_t t = seconds(at_ms);
    struct tm tm;
    char when[24], off[24], ms[8] = "";
    if (!localtime_r(&t, &tm) ||
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(buf, cap, "%lld", (long long)at_ms);
        return;
    }
    offset_text(&tm, off, sizeof off);
    if (millis)
        snprintf(ms, sizeof ms, ".%03d", (int)(at_ms - (int64_t)t * 1000));
    snprintf(buf, cap, "%s%s%s", when, ms, off);
}

void sj_zone_rfc3339(int64_t at_ms, char *buf, size_t cap)
{
    rfc3339(at_ms, true, buf, cap);
}

void sj_zone_rfc3339_seconds(int64_t at_ms, char *buf, size_t cap)
{
    rfc3339(at_ms, false, buf, cap);
}

void sj_zone_now_rfc3339(char *buf, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    rfc3339((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, true, buf, cap);
}
