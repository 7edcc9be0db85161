/* The signed text format of a published compact notice (亮约), part of the
 * public contract like the key files: readable UTF-8 followed by an Ed25519
 * signature block that anyone can check offline. The broker writes notices
 * (broker/notice.c); the broker and `shangju compact verify` check them
 * with sj_notice_verify, the one verifier.
 *
 *   -----BEGIN SHANGJU SIGNATURE-----
 *   ed25519-public-key: <base64 of the 32-byte public key>
 *   signature: <base64 of the 64-byte signature>
 *   -----END SHANGJU SIGNATURE-----
 *
 * The signature is detached, over every byte before the BEGIN line (up to
 * and including the newline ending the line before it); base64 is standard
 * (RFC 4648, padded); nothing may follow the END line but one newline. */
#ifndef SJ_SIGNED_NOTICE_H
#define SJ_SIGNED_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "sj_error.h"

#define SJ_NOTICE_BEGIN "-----BEGIN SHANGJU SIGNATURE-----"
#define SJ_NOTICE_END "-----END SHANGJU SIGNATURE-----"
#define SJ_NOTICE_KEY_LABEL "ed25519-public-key: "
#define SJ_NOTICE_SIG_LABEL "signature: "

/* Largest notice written or checked, bytes. */
#define SJ_NOTICE_MAX (256u * 1024)

/* Check a notice: the block is well formed and its signature verifies over
 * the text before it; with pk (32 bytes, may be NULL) the block's key must
 * also equal pk. key_out (32 bytes, may be NULL) gets the block's key.
 * Returns 0 when valid; SJ_EINVAL with a one-line reason in why (cap bytes,
 * always NUL-terminated) otherwise; SJ_EIO when libsodium cannot start. */
int sj_notice_verify(const char *text, size_t len, const uint8_t *pk,
                     uint8_t *key_out, char *why, size_t cap);

/* The fingerprint of a notice key, as the notice prints it and the CLI
 * shows it for a reader to compare: "SHA256:" and the first 16 bytes of
 * the SHA-256 of the 32-byte key in hex, in groups of four, e.g.
 * "SHA256:9f86 d081 884c 7d65 9a2f eaa0 c55a d015". */
#define SJ_NOTICE_FP_LEN 48 /* with the NUL */
#define SJ_NOTICE_FP_LABEL "notice-key-fingerprint: "
void sj_notice_fingerprint(const uint8_t pk[32], char out[SJ_NOTICE_FP_LEN]);

#endif
