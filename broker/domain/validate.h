/* Input checks shared by the handlers: every text field has a size limit
 * in characters and must be valid UTF-8 without control characters; each
 * failure becomes an INVALID_ARGUMENT reply naming the field. The text is
 * in NFC already (sj_dispatch) when it is counted. */
#ifndef SJ_VALIDATE_H
#define SJ_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "sj_limits.h" /* SJ_MAX_*: shared with the clients */
#include "text.h"

/* Check one text field: valid text of min..max characters (code points,
 * sj_text_chars). On failure sets the reply and returns its status; 0
 * when fine. */
int sj_check_text(sj_call_t *c, const char *field, const char *s, size_t min,
                  size_t max, bool multiline);

/* Check a chat handle: valid one-line text of min.. characters and at
 * most SJ_MAX_HANDLE bytes (it is part of a store key; sj_limits.h). */
int sj_check_handle(sj_call_t *c, const char *s, size_t min);

/* Years a report or ranking may name. */
#define SJ_YEAR_MIN 2000
#define SJ_YEAR_MAX 9999

/* Check a year named in a request (SJ_YEAR_MIN..SJ_YEAR_MAX). */
int sj_check_year(sj_call_t *c, uint32_t year);

/* The page size asked for, defaulted and checked (1..SJ_MAX_PAGE). */
int sj_check_limit(sj_call_t *c, unsigned asked, size_t *limit);

/* A list's cursor (the last id seen): every value but UINT64_MAX, after
 * which there is nothing to page (INVALID_ARGUMENT arg.bad_cursor). */
int sj_check_cursor(sj_call_t *c, uint64_t after);

#endif
