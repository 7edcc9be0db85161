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
