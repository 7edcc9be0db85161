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

/* Load DATA/notice.key (one line: base64 of the 64-byte Ed25519 secret
 * key) into cfg, or create it (mode 0600) on first start; (re)write
 * DATA/notice.pub (one line: base64 of the public key, mode 0644) when it
 * is missing. Sets cfg->has_notice_key. Failures are logged with the file
 * name. Returns 0, SJ_EIO (cannot read or write), SJ_EINVAL (the key file
 * is malformed or its halves disagree). */
int sj_notice_key_open(const char *dir, sj_config_t *cfg);

/* A fresh notice key in cfg only, written nowhere (tests). 0 or SJ_EIO. */
int sj_notice_key_generate(sj_config_t *cfg);

/* Write the signed notice of compact cp (PUBLISHED, published_at set) whose
 * public page is url. Member names and roles are read in c->txn; contact
 * details never appear. *text is NUL-terminated and lives until
 * sj_call_end(c). Returns 0, SJ_EINVAL when cfg has no notice key or the
 * text would exceed SJ_NOTICE_MAX, SJ_ENOMEM, or a store error. */
int sj_notice_write(sj_call_t *c, const Shangju__Compact *cp, const char *url,
                    char **text);

#endif
