/* Long operator requests run beside the event loop: a background thread
 * with its own read transaction (LMDB readers never block the writer), so
 * the broker keeps serving. One job at a time; the loop polls sj_job_fd
 * and sends the job's reply when it is done.
 *  - backup: a compacted copy of the store (one consistent snapshot) and
 *    the key files into DATA/backups/NAME, usable as a data directory;
 *  - verify: sj_store_verify over a snapshot. */
#ifndef SJ_JOBS_H
#define SJ_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "call.h" /* sj_job_kind_t: what a handler may ask for */
#include "store.h"

typedef struct sj_job sj_job_t;

/* Start a job answering request_id. arg: the backup name (checked by the
 * handler). notice_pub: the alliance's notice public key (32 bytes, copied)
 * that verify checks the ledger's anchors against; NULL checks hashes
 * only. Returns 0, SJ_EEXIST (backup exists), SJ_EIO or SJ_ENOMEM. */
int sj_job_start(sj_job_kind_t kind, sj_store_t *store, const char *data_dir,
                 const char *arg, const uint8_t *notice_pub,
                 uint64_t request_id, sj_job_t **out);

/* Readable (POLLIN) once the job has finished. */
int sj_job_fd(const sj_job_t *j);

/* Wait for the thread, hand over the encoded Reply (malloc'd; the caller
 * frees it; NULL when out of memory) and free *j (set to NULL). */
void sj_job_finish(sj_job_t **j, uint8_t **reply, size_t *len);

#endif
