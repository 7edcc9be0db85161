/* Text rules every program shares: what counts as acceptable text in a
 * field of the contract, how long a text is (in characters), and its
 * normal form (Unicode NFC), in which the broker stores every text. */
#ifndef SJ_TEXT_H
#define SJ_TEXT_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

/* True when s (NUL-terminated) is valid UTF-8 with no control characters
 * other than newline and tab (allowed only when multiline), and none of
 * the invisible characters that can disguise text: C1 controls, bidi
 * marks, embeddings, overrides and isolates, the byte-order mark, and in
 * one-line fields zero-width spaces and joiners. */
bool sj_text_ok(const char *s, bool multiline);

/* The length of s in characters (Unicode code points), the unit of every
 * SJ_MAX_* text limit: "王阿姨" is 3. For valid UTF-8 (sj_text_ok); in
 * other bytes each byte that does not continue a sequence counts one.
 * NULL counts 0. */
size_t sj_text_chars(const char *s);

/* The length s will have once the broker has stored it: its characters
 * in NFC, the count the broker checks against a limit. What a client
 * checks early, so it never refuses text the broker would take (200
 * decomposed "é" are 400 code points as typed, 200 stored). Plain
 * sj_text_chars when s is not valid UTF-8 or memory is short. */
size_t sj_text_nfc_chars(const char *s);

/* s (not NULL) in Unicode NFC (composed: "e" + U+0301 becomes U+00E9),
 * malloc'd and NUL-terminated, the caller frees it. NULL when s is not
 * valid UTF-8 (errno EILSEQ) or out of memory (errno ENOMEM). */
char *sj_text_nfc(const char *s);

/* s folded for matching without regard to case, the form in which the
 * broker compares and indexes a community or category (issue 15): NFC of
 * its Unicode full case folding, language-independent ("JINQIAO",
 * "Jinqiao" and "jinqiao" fold alike; "Straße" as "strasse"). Written to
 * buf (size > 0 bytes), NUL-terminated, cut at a character boundary when
 * longer than size - 1 bytes (folding can make text longer: compare
 * only folds cut to the same size). Text that is not valid UTF-8, or no
 * memory for a long fold, is copied as it is (cut alike), so the call
 * never fails. Returns the length written. NULL folds as "". */
size_t sj_text_fold(const char *s, char *buf, size_t size);

/* A copy of message m in which every string field, at any depth, is in
 * NFC, for handlers to see instead of m. Returns 0 and sets *out to NULL
 * when every string already is (the common case: nothing is copied), or
 * to the copy, which the caller frees with
 * protobuf_c_message_free_unpacked(*out, NULL). Bytes fields (keys,
 * signatures, hashes) are never touched, and neither is a string that is
 * not valid UTF-8 (the field checks refuse it). SJ_ENOMEM when out of
 * memory (*out NULL). m itself is not changed. */
int sj_text_nfc_message(const ProtobufCMessage *m, ProtobufCMessage **out);

#endif
