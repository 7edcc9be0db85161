/* The community's time zone (issue 15): every date rule (a year's report
 * and ranking, a compact's term, "today") and every printed time uses it.
 * One zone per process, chosen once at start before any thread runs
 * (sj_zone_use); times stay Unix milliseconds (UTC) on the wire and on
 * disk. The zone database is the system's tzdata. */
#ifndef SJ_ZONE_H
#define SJ_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The community's zone when none is given (the demo's). */
#define SJ_ZONE_DEFAULT "Asia/Shanghai"

/* Room for a formatted time: "2027-01-01 07:00:00 +08:00". */
#define SJ_ZONE_TIME_MAX 32

/* True when name is a zone of the tzdata ("Asia/Shanghai", "UTC"): a
 * relative path of letters, digits and "_+-/" naming a TZif file under
 * $TZDIR or /usr/share/zoneinfo. */
bool sj_zone_known(const char *name);

/* Make name the zone of this process (TZ, tzset). Call before threads
 * start. Returns 0, or SJ_EINVAL for an unknown zone (nothing changes). */
int sj_zone_use(const char *name);

/* The zone set by sj_zone_use, or "" when the process uses its
 * environment's (TZ or /etc/localtime). Static storage. */
const char *sj_zone_name(void);

/* The local calendar year of at_ms (0 when out of range). */
uint32_t sj_zone_year(int64_t at_ms);

/* Unix ms of local midnight opening 1 January of year. */
int64_t sj_zone_year_start_ms(uint32_t year);

/* Unix ms of the local time y-m-d h:mi:s. Returns 0, or SJ_EINVAL when
 * no such date or time exists (2027-02-30, 25:00) and *ms is untouched. */
int sj_zone_local_ms(int y, int m, int d, int h, int mi, int s, int64_t *ms);

/* Parse a date or time as people type it: "YYYY-MM-DD" (local midnight;
 * with end, the midnight that ends the day), "YYYY-MM-DD HH:MM[:SS]" or
 * with a 'T' (local), and either with a "Z" or "+HH:MM" suffix (that
 * offset). Full-width digits and colons are not accepted here; normalise
 * first. Returns 0 or SJ_EINVAL (malformed or impossible date). */
int sj_zone_parse(const char *s, bool end, int64_t *ms);

/* Write at_ms as local "YYYY-MM-DD HH:MM:SS +HH:MM" into buf (cap bytes,
 * SJ_ZONE_TIME_MAX is enough); "-" for 0. */
void sj_zone_format(int64_t at_ms, char *buf, size_t cap);

/* Write at_ms as local "YYYY-MM-DD HH:MM" (no offset: for a person in
 * the community, e.g. a chat message); "-" for 0. */
void sj_zone_format_minute(int64_t at_ms, char *buf, size_t cap);

/* Write at_ms as the local day "YYYY-MM-DD"; "-" for 0. */
void sj_zone_format_day(int64_t at_ms, char *buf, size_t cap);

/* True when at_ms is a local midnight (00:00:00.000): a day boundary, such
 * as the ends of a compact's term typed as dates. */
bool sj_zone_is_midnight(int64_t at_ms);

/* Write at_ms as RFC 3339 with its local offset and milliseconds
 * ("2027-01-01T07:00:00.123+08:00"), for logs. */
void sj_zone_rfc3339(int64_t at_ms, char *buf, size_t cap);

/* The same without the milliseconds ("2027-01-01T07:00:00+08:00"), for
 * documents such as a compact's notice. */
void sj_zone_rfc3339_seconds(int64_t at_ms, char *buf, size_t cap);

/* The current time as sj_zone_rfc3339 writes it: the stamp of a log line. */
void sj_zone_now_rfc3339(char *buf, size_t cap);

#endif
