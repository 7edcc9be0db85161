/* Protobuf-c message to json-c conversion, driven only by the message
 * descriptors, so every record of the schema (and any added later) prints
 * the same way: .proto field names, enums as lower-case short names. */
#ifndef SJ_PBJSON_H
#define SJ_PBJSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/* A new JSON object for msg. Fields at their proto3 default (0, "", false,
 * empty, unset) are left out, except a field named "id", which is always
 * present. Oneof members are present when set. Enums become short names
 * ("open"; a number when the value is unknown), 64-bit integers JSON
 * numbers, bytes fields of 32 bytes (CURVE keys) Z85 text, other bytes
 * lower-case hex. Returns NULL if msg is NULL or memory runs out; the
 * caller releases the result with json_object_put(). */
json_object *sj_pbjson_message(const ProtobufCMessage *msg);

/* The list shape every listing prints: {"items": [...], "next": N} with
 * next null when it is 0 (no more pages). items holds n messages (NULL
 * entries are skipped). Returns NULL on allocation failure; the caller
 * releases the result with json_object_put(). */
json_object *sj_pbjson_page(ProtobufCMessage *const *items, size_t n,
                            uint64_t next);

/* A JSON string holding s (NULL counts as ""). json-c escapes quotes,
 * backslashes and control characters but copies other bytes as they are,
 * so text that is not UTF-8 (a file name, a string from a broker that did
 * not check it) would make invalid JSON: each byte of s that does not
 * belong to a well-formed UTF-8 sequence becomes U+FFFD. Returns NULL when
 * memory runs out; the caller releases the result with json_object_put(). */
json_object *sj_pbjson_string(const char *s);

/* Add key: sj_pbjson_string(s) to object o. Returns 0, or -1 when memory
 * runs out (o is unchanged). */
int sj_pbjson_add_string(json_object *o, const char *key, const char *s);

/* Print j to out as one line of plain JSON (no "\/" escapes) and a newline.
 * Returns 0, or -1 when writing failed (errno tells why). */
int sj_pbjson_print(FILE *out, json_object *j);

#endif
