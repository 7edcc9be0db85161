/* Descriptor-driven protobuf-c to json-c conversion; see pbjson.h.
 * Walks ProtobufCMessageDescriptor fields, so it needs no change when the
 * schema grows. The schema has no recursive messages, so depth is bounded. */
#include "pbjson.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "keyfile.h"

/* CURVE keys (fields named *key) as Z85, as in key files; hashes and
 * everything else as lower-case hex. */
static json_object *bytes_json(const ProtobufCFieldDescriptor *f,
                               const ProtobufCBinaryData *b)
{
    size_t n = strlen(f->name);
    bool key = n >= 3 && strcmp(f->name + n - 3, "key") == 0;
    if (key && b->len == SJ_KEY_BYTES) {
        char z85[SJ_KEY_Z85_LEN + 1];
        sj_key_z85(b->data, z85);
        return json_object_new_string(z85);
    }
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(b->len * 2 + 1);
    if (!hex)
        return NULL;
    for (size_t i = 0; i < b->len; i++) {
        hex[2 * i] = digits[b->data[i] >> 4];
        hex[2 * i + 1] = digits[b->data[i] & 15];
    }
    hex[b->len * 2] = '\0';
    json_object *j = json_object_new_string(hex);
    free(hex);
    return j;
}

static json_object *enum_json(const ProtobufCFieldDescriptor *f, int v)
{
    const char *name = sj_enum_short(f->descriptor, v);
    return name ? json_object_new_string(name) : json_object_new_int(v);
}

/* One value of field f stored at p. */
static json_object *value_json(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_object_new_int(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_object_new_int64(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_object_new_int64(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return json_object_new_uint64(*(const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_object_new_double(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_object_new_double(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_object_new_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM:
        return enum_json(f, *(const int *)p);
    case PROTOBUF_C_TYPE_STRING:
        return sj_pbjson_string(*(char *const *)p);
    case PROTOBUF_C_TYPE_BYTES:
        return bytes_json(f, p);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sj_pbjson_message(*(ProtobufCMessage *const *)p);
    }
    return NULL;
}

static size_t elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4; /* 32-bit integers, float, enum */
    }
}

/* A proto3 default: zero number, false, "", empty bytes, unset message. */
static bool is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(void *const *)p == NULL;
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)p)->len == 0;
    default: {
        static const uint8_t zero[8];
        return memcmp(p, zero, elem_size(f->type)) == 0;
    }
    }
}

static json_object *repeated_json(const ProtobufCFieldDescriptor *f,
                                  const uint8_t *m)
{
    size_t n = *(const size_t *)(m + f->quantifier_offset);
    const uint8_t *arr = *(uint8_t *const *)(m + f->offset);
    json_object *a = json_object_new_array_ext((int)n);
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *v = value_json(f, arr + i * elem_size(f->type));
        if (!v || json_object_array_add(a, v) != 0) {
            json_object_put(v);
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

/* Whether field f of message m is printed: set oneof members, present
 * optional fields, non-empty repeated fields, non-default plain ones. */
static bool present(const ProtobufCFieldDescriptor *f, const uint8_t *m)
{
    const void *p = m + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)(m + f->quantifier_offset) > 0;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(m + f->quantifier_offset) == f->id;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
        f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
        return *(const protobuf_c_boolean *)(m + f->quantifier_offset);
    return strcmp(f->name, "id") == 0 || !is_default(f, p);
}

json_object *sj_pbjson_message(const ProtobufCMessage *msg)
{
    if (!msg)
        return NULL;
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    const uint8_t *m = (const uint8_t *)msg;
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!present(f, m))
            continue;
        json_object *v = f->label == PROTOBUF_C_LABEL_REPEATED
                             ? repeated_json(f, m)
                             : value_json(f, m + f->offset);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && !v &&
            f->label != PROTOBUF_C_LABEL_REPEATED &&
            !*(void *const *)(m + f->offset))
            continue; /* a set oneof holding a NULL message */
        if (!v || json_object_object_add(o, f->name, v) != 0) {
            json_object_put(v);
            json_object_put(o);
            return NULL;
        }
    }
    return o;
}

json_object *sj_pbjson_page(ProtobufCMessage *const *items, size_t n,
                            uint64_t next)
{
    json_object *o = json_object_new_object();
    json_object *a = json_object_new_array_ext((int)n);
    if (!o || !a)
        goto err;
    for (size_t i = 0; i < n; i++) {
        if (!items[i])
            continue;
        json_object *v = sj_pbjson_message(items[i]);
        if (!v || json_object_array_add(a, v) != 0) {
            json_object_put(v);
            goto err;
        }
    }
    if (json_object_object_add(o, "items", a) != 0)
        goto err;
    a = NULL;
    json_object *nx = next ? json_object_new_uint64(next) : NULL;
    if ((next && !nx) || json_object_object_add(o, "next", nx) != 0) {
        json_object_put(nx);
        goto err;
    }
    return o;
err:
    json_object_put(a);
    json_object_put(o);
    return NULL;
}

/* The length of the well-formed UTF-8 sequence at p (1 to 4), or 0 when
 * the bytes there are not one (stray continuation byte, truncated or
 * overlong sequence, surrogate, beyond U+10FFFF). */
static size_t utf8_len(const unsigned char *p)
{
    unsigned cp;
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0)
        n = 2, cp = p[0] & 0x1fu;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0fu;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, cp = p[0] & 0x07u;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

json_object *sj_pbjson_string(const char *s)
{
    static const char fffd[] = "\xef\xbf\xbd";
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t bad = 0, n = 0;
    while (p[n]) {
        size_t k = utf8_len(p + n);
        bad += k == 0;
        n += k ? k : 1;
    }
    if (!bad)
        return json_object_new_string_len((const char *)p, (int)n);
    /* Each bad byte (1) becomes three. */
    char *out = malloc(n + 2 * bad + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; p[i];) {
        size_t k = utf8_len(p + i);
        if (k) {
            memcpy(out + o, p + i, k);
            o += k, i += k;
        } else {
            memcpy(out + o, fffd, 3);
            o += 3, i++;
        }
    }
    json_object *j = json_object_new_string_len(out, (int)o);
    free(out);
    return j;
}

int sj_pbjson_add_string(json_object *o, const char *key, const char *s)
{
    json_object *v = sj_pbjson_string(s);
    if (!v || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

int sj_pbjson_print(FILE *out, json_object *j)
{
    const char *text = json_object_to_json_string_ext(
        j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text)
        return -1;
    return fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
}
