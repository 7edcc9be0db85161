/* logfmt lines on stderr; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sj_zone.h"

static sj_log_level_t min_level = SJ_LOG_INFO;
static const char *const names[] = {"debug", "info", "warn", "error"};

void sj_log_set_level(sj_log_level_t level)
{
    min_level = level;
}

int sj_log_parse_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void sj_log(sj_log_level_t level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[2048], when[40];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* The community's local time with its offset: both readable and exact. */
    sj_zone_rfc3339((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, when,
                    sizeof when);
    int k = snprintf(line, sizeof line, "ts=%s level=%s ", when, names[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line); /* one write per line */
}

const char *sj_log_q(char *buf, unsigned cap, const char *s)
{
    unsigned j = 0;
    if (cap < 8) {
        buf[0] = '\0';
        return buf;
    }
    buf[j++] = '"';
    for (; s && *s && j + 6 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            buf[j++] = '\\';
            buf[j++] = (char)ch;
        } else if (ch < 0x20) {
            buf[j++] = ' ';
        } else {
            buf[j++] = (char)ch;
        }
    }
    if (s && *s) {
        memcpy(buf + j, "...", 3);
        j += 3;
    }
    buf[j++] = '"';
    buf[j] = '\0';
    return buf;
}
