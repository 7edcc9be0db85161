/* Protobuf-c message to json-c conversion, driven only by the message
 * descriptors, so every record of the schema (and any added later) prints
 * the same way: .proto field names, enums as lower-case short names. */
#ifndef SJ_PBJSON_H
#define SJ_PBJSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
