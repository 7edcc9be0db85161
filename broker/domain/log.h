/* logfmt logging to stderr: one line per event, `key=value` pairs, a
 * timestamp and level first. Values with spaces or quotes must be passed
 * through sj_log_q so the line stays machine-readable. */
#ifndef SJ_LOG_H
#define SJ_LOG_H

typedef enum {
    SJ_LOG_DEBUG = 0,
    SJ_LOG_INFO = 1,
    SJ_LOG_WARN = 2,
    SJ_LOG_ERROR = 3,
} sj_log_level_t;

/* Set the lowest level printed; parse "debug|info|warn|error" (returns -1
 * for anything else). */
void sj_log_set_level(sj_log_level_t level);
int sj_log_parse_level(const char *name);

/* Print `ts=... level=L <formatted pairs>` as one line. */
void sj_log(sj_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Quote s for a logfmt value into buf (cap bytes); returns buf. Long values
 * are cut with "..." so a hostile string cannot flood the log. */
const char *sj_log_q(char *buf, unsigned cap, const char *s);

#endif
