/* The power-cut test's two halves: libsj_powercut.so (powercut.c), an
 * LD_PRELOAD shim that journals the pre-image of every write to the store
 * not yet covered by a sync, and powercut_rollback() (powercut_rollback.c),
 * which the test calls after SIGKILL to take those writes away. */
#ifndef SJ_POWERCUT_H
#define SJ_POWERCUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Environment variables the shim reads (set them before exec). */
#define POWERCUT_FILE_ENV "SJ_POWERCUT_FILE"       /* the store file */
#define POWERCUT_JOURNAL_ENV "SJ_POWERCUT_JOURNAL" /* its journal */
#define POWERCUT_LIE_FLAG_ENV                                                  \
    "SJ_POWERCUT_LIE_FLAG" /* syncs ignored while                              \
                             this file exists */

typedef struct {
    size_t records;   /* unsynced writes in the journal */
    size_t undone;    /* of which taken away */
    uint64_t bytes;   /* bytes restored to their pre-image */
    uint64_t size_to; /* the file's size after the rollback */
} powercut_stats_t;

/* Undo the journalled writes of file, newest first: each is taken away
 * unless a draw from *rng (xorshift64*, never 0) keeps it, with
 * probability keep_pct percent; then truncate file to its last synced
 * size and empty the journal. Returns 0 or -1 (message on stderr). */
int powercut_rollback(const char *file, const char *journal, unsigned keep_pct,
                      uint64_t *rng, powercut_stats_t *st);

#endif
