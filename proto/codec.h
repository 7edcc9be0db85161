/* Thin codec over the generated protobuf-c code: bounded decode and encode
 * of the envelopes, and the names used by logs and JSON output (status
 * names, enum short names such as "open", request kind names). */
#ifndef SJ_CODEC_H
#define SJ_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "shangju.pb-c.h"
#include "sj_error.h"

/* Largest frame any socket accepts (ZMQ_MAXMSGSIZE) and any decoder reads. */
#define SJ_MAX_FRAME (256 * 1024)
/* What CURVE adds to a message on the wire ("\x07MESSAGE", an 8-byte
 * nonce, a flags byte and a 16-byte MAC: 33 bytes), rounded up. The
 * broker's transport limit is SJ_MAX_FRAME plus this, so that every request
 * a client may send (at most SJ_MAX_FRAME encoded bytes) reaches the
 * decoder and is answered instead of silently dropped. */
#define SJ_CURVE_OVERHEAD 64

/* Decode a Request from buf. Returns NULL when len exceeds SJ_MAX_FRAME or
 * the bytes are not a valid Request. Free with
 * shangju__request__free_unpacked(r, NULL). */
Shangju__Request *sj_codec_request_decode(const void *buf, size_t len);
Shangju__Reply *sj_codec_reply_decode(const void *buf, size_t len);
Shangju__Event *sj_codec_event_decode(const void *buf, size_t len);

/* Drop every field the schema does not know from m and, recursively, from
 * the messages inside it (protobuf-c keeps them in base.unknown_fields and
 * would pack them back verbatim). m must come from an unpack with the
 * default allocator; it stays valid and is freed as before. Returns the
 * number of bytes dropped. */
size_t sj_codec_strip_unknown(ProtobufCMessage *m);

/* Encode any message into a fresh malloc'd buffer; *len gets its size.
 * Returns NULL on allocation failure. The caller frees the buffer. */
uint8_t *sj_codec_encode(const ProtobufCMessage *msg, size_t *len);

/* "INVALID_ARGUMENT" for STATUS_INVALID_ARGUMENT, etc.; never NULL. */
const char *sj_status_name(int status);

/* The lower-case short name of an enum value: "open" for WISH_STATE_OPEN,
 * "resident" for ROLE_RESIDENT. Returns NULL for an unknown value. The
 * string is static. */
const char *sj_enum_short(const ProtobufCEnumDescriptor *d, int value);

/* Parse a short name (case-insensitive, as sj_enum_short prints it) or a
 * number. Returns 0 and sets *value, or SJ_EINVAL. */
int sj_enum_parse(const ProtobufCEnumDescriptor *d, const char *name,
                  int *value);

/* "wish_post" for SHANGJU__REQUEST__BODY_WISH_POST; "none" when unset. */
const char *sj_request_kind(const Shangju__Request *r);

/* The same for a body case number; "malformed" for 0 (a frame that did not
 * decode), "unknown" for a number the schema lacks. */
const char *sj_request_kind_name(int body_case);

/* Current time in Unix milliseconds (UTC). */
int64_t sj_now_ms(void);

#endif
