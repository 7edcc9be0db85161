/* The signed public notice of a published compact (亮约) and the broker's
 * notice key (Ed25519, DATA/notice.key) that signs it. The notice is plain
 * UTF-8 text a person can read on a notice board, followed by a signature
 * block that anyone can check offline (`shangju compact verify`). */
#ifndef SJ_NOTICE_H
#define SJ_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "config.h"

/* The notice format and its checker: proto/signed_notice.h. */
#include "signed_notice.h"

/* A signer holding a copy of the 64-byte Ed25519 secret key sk (libsodium
 * layout: seed then public key). Returns 0, SJ_EINVAL when the two halves
 * of sk disagree, SJ_EIO when libsodium cannot start, or SJ_ENOMEM. Free
 * with sj_signer_free, which wipes the copy. */
int sj_signer_new(const uint8_t sk[64], sj_signer_t **out);

/* A signer with a fresh key, written nowhere (tests). 0, SJ_EIO, SJ_ENOMEM. */
int sj_signer_generate(sj_signer_t **out);

/* The public half, for verifiers. */
void sj_signer_public(const sj_signer_t *s, uint8_t pk[32]);

/* The Ed25519 signature of the len bytes at msg into sig. */
void sj_signer_sign(const sj_signer_t *s, const uint8_t *msg, size_t len,
                    uint8_t sig[64]);

/* Wipe and free *s and set it to NULL; safe on NULL and twice. */
void sj_signer_free(sj_signer_t **s);

/* Write the signed notice of compact cp (PUBLISHED, published_at set) whose
 * public page is url, signed with c->signer. Member names and roles are
 * read in c->txn; contact details never appear. *text is NUL-terminated
 * and lives until sj_call_end(c). Returns 0, SJ_EINVAL when c has no
 * signer or the text would exceed SJ_NOTICE_MAX, SJ_ENOMEM, or a store
 * error. */
int sj_notice_write(sj_call_t *c, const Shangju__Compact *cp, const char *url,
                    char **text);

#endif
