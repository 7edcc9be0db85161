/* The broker's data directory: the LMDB store, the server key pair and the
 * first committee key, created on first start; a lock so that only one
 * broker serves a directory. */
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
    bool fresh; /* the store had no members before this start */
} sj_datadir_t;

/* Prepare dir (created 0700 if missing): take the lock, open the store,
 * load or create server.key / server.pub, and on first start create
 * committee.key and register it as member 1. Every failure is logged with a
 * reason a person can act on. Returns 0 or an SJ_E* code. */
int sj_datadir_open(const char *dir, size_t map_size, sj_datadir_t *d);

void sj_datadir_close(sj_datadir_t *d);

/* Write path "dir/name" into buf; returns buf, or NULL if it does not fit. */
char *sj_datadir_path(char *buf, size_t cap, const char *dir, const char *name);

/* Load DATA/notice.key (one line: base64 of the 64-byte Ed25519 secret
 * key) into a new signer *out (free with sj_signer_free), or create it
 * (mode 0600) on first start; (re)write DATA/notice.pub (one line: base64
 * of the public key, mode 0644) when it is missing. Failures are logged
 * with the file name. Returns 0, SJ_EIO (cannot read or write), SJ_EINVAL
 * (the key file is malformed or its halves disagree) or SJ_ENOMEM. */
int sj_notice_key_open(const char *dir, sj_signer_t **out);

#endif
