/* Text checks every program shares: what counts as acceptable text in a
 * field of the contract. */
#ifndef SJ_TEXT_H
#define SJ_TEXT_H

#include <stdbool.h>

/* True when s (NUL-terminated) is valid UTF-8 with no control characters
 * other than newline and tab (allowed only when multiline), and none of
 * the invisible characters that can disguise text: C1 controls, bidi
 * marks, embeddings, overrides and isolates, the byte-order mark, and in
 * one-line fields zero-width spaces and joiners. */
bool sj_text_ok(const char *s, bool multiline);

#endif
