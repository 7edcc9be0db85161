/* CURVE key files in the ZPL text format of CZMQ certificates, so ZeroMQ
 * tooling (zcert_load, zauth) can read what Shangju writes and vice versa:
 *
 *     curve
 *         public-key = "<40 Z85 chars>"
 *         secret-key = "<40 Z85 chars>"     (secret files only)
 */
#ifndef SJ_KEYFILE_H
#define SJ_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sj_error.h"

#define SJ_KEY_BYTES 32
#define SJ_KEY_Z85_LEN 40

typedef struct {
    uint8_t public_key[SJ_KEY_BYTES];
    uint8_t secret_key[SJ_KEY_BYTES];
    bool has_secret;
} sj_keypair_t;

/* Fill kp with a fresh CURVE key pair. Returns 0 or SJ_EIO. */
int sj_keyfile_generate(sj_keypair_t *kp);

/* Write kp (public and secret key) to path with mode 0600, atomically
 * (temporary file, fsync, rename). name goes into the metadata section and
 * may be NULL. Returns 0, SJ_EINVAL (no secret) or SJ_EIO (errno set). */
int sj_keyfile_save_secret(const char *path, const sj_keypair_t *kp,
                           const char *name);

/* Write only the public key to path with mode 0644, atomically. */
int sj_keyfile_save_public(const char *path, const sj_keypair_t *kp);

/* Read a key file. Sets has_secret when it holds a secret key. Returns 0,
 * SJ_EIO (cannot read; errno set), SJ_ENOTREG (not a regular file: a FIFO
 * or a directory is refused without blocking), SJ_EINVAL (not a valid key
 * file), SJ_EPERM (it holds a secret key but group or others may read it,
 * as ssh refuses) or SJ_EMISMATCH (its secret key does not make its public
 * key). sj_strerror() words each for people. */
int sj_keyfile_load(const char *path, sj_keypair_t *kp);

/* The key file a program uses when none is given: DATA/NAME.key, or the
 * demo's DATA/demo/NAME.key (make run) when the first cannot be read.
 * Written into buf; returns buf. */
char *sj_keyfile_default(char *buf, size_t cap, const char *data,
                         const char *name);

/* Z85 text of a 32-byte key into out (41 bytes, NUL-terminated). */
void sj_key_z85(const uint8_t key[SJ_KEY_BYTES], char out[SJ_KEY_Z85_LEN + 1]);

/* Decode 40 Z85 characters into key. Returns 0 or SJ_EINVAL. */
int sj_key_from_z85(const char *text, uint8_t key[SJ_KEY_BYTES]);

#endif
