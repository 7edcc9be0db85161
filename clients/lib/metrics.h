/* The broker's statistics (a Stats record from `admin stats`) in the
 * Prometheus text exposition format (version 0.0.4), shared by
 * `shangju admin stats --format prometheus` (a textfile for
 * node_exporter) and `shangju-metrics` (served over HTTP). */
#ifndef SJ_METRICS_H
#define SJ_METRICS_H

#include <stddef.h>

#include "shangju.pb-c.h"

/* The exposition text of s, NUL-terminated, in a malloc'd buffer the
 * caller frees; *len (when not NULL) gets its length. NULL when memory
 * ran out. */
char *sj_metrics_render(const Shangju__Stats *s, size_t *len);

#endif
