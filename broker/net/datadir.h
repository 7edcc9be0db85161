/* The broker's data directory: the LMDB store, the server key pair and the
 * first committee key, created by an explicit `shangju-broker init` (a start
 * never creates a community); a lock so that only one broker serves a
 * directory. */
#ifndef SJ_DATADIR_H
#define SJ_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "keyfile.h"
#include "notice.h"
#include "store.h"

typedef struct {
    sj_store_t *store;
    sj_keypair_t server;
    int lock_fd;
    bool fresh; /* sj_datadir_init made this community */
} sj_datadir_t;

/* Open an initialised dir to serve it: take the lock, open the store, load
 * server.key (writing server.pub when it is missing; a missing server.key
 * is made anew). A dir without a store, or whose store has no member, is
 * refused (SJ_ENOTFOUND) with a log line naming the init command, and
 * nothing is created in it. Every failure is logged with a reason a person
 * can act on. Returns 0 or an SJ_E* code. */
int sj_datadir_open(const char *dir, size_t map_size, sj_datadir_t *d);

/* Initialise dir (created 0700 if missing) for a new community: take the
 * lock, create the store, load or create server.key / server.pub, create
 * committee.key and register it as member 1, and with monitor also
 * monitor.key as member 2 (role monitor: statistics only). Refuses
 * (SJ_EEXIST, logged) a store that has members or a committee.key or
 * monitor.key already there: init never overwrites a key. On success d is
 * open as after sj_datadir_open, with fresh set. */
int sj_datadir_init(const char *dir, size_t map_size, bool monitor,
                    sj_datadir_t *d);

void sj_datadir_close(sj_datadir_t *d);

/* Write path "dir/name" into buf; returns buf, or NULL if it does not fit. */
char *sj_datadir_path(char *buf, size_t cap, const char *dir, const char *name);

/* Load DATA/notice.key (one line: base64 of the 64-byte Ed25519 secret
 * key) into a new signer *out (free with sj_signer_free), or create it
 * (mode 0600) at init, or at a start that finds none; (re)write DATA/notice.pub
 * (one line: base64 of the public key, mode 0644) when it is missing. Failures
 * are logged with the file name. Returns 0, SJ_EIO (cannot read or write),
 * SJ_EINVAL (the key file is malformed or its halves disagree) or SJ_ENOMEM. */
int sj_notice_key_open(const char *dir, sj_signer_t **out);

#endif
