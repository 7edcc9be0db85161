/* Bounded protobuf decode/encode and the naming helpers declared in codec.h.
 * Enum short names are derived from the descriptors, so a new enum value in
 * the .proto needs no code here. */
#include "codec.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"

const char *sj_strerror(int code)
{
    switch (code) {
    case SJ_OK:
        return N_("success");
    case SJ_EINVAL:
        return N_("invalid argument");
    case SJ_ENOTFOUND:
        return N_("not found");
    case SJ_EEXIST:
        return N_("already exists");
    case SJ_EFULL:
        return N_("store is full (map size reached)");
    case SJ_ENOMEM:
        return N_("out of memory");
    case SJ_EIO:
        return N_("I/O error");
    case SJ_ESCHEMA:
        return N_("store schema version mismatch");
    case SJ_ETIMEOUT:
        return N_("timed out");
    case SJ_EPROTO:
        return N_("protocol error");
    case SJ_EBUSY:
        return N_("resource busy");
    case SJ_EPERM:
        return N_("secret key file is readable by other users (chmod 600 it)");
    case SJ_EMISMATCH:
        return N_(
            "the public and secret keys in the file do not belong together");
    case SJ_ENOTREG:
        return N_("not a regular file");
    case SJ_ENOSPC:
        return N_("no space left on the disk");
    default:
        return N_("unknown error");
    }
}

Shangju__Request *sj_codec_request_decode(const void *buf, size_t len)
{
    if (len > SJ_MAX_FRAME)
        return NULL;
    return shangju__request__unpack(NULL, len, buf);
}

/* The message-typed field f of m, present and not a oneof arm other than
 * the one set: its array (n > 1 possible) or NULL. */
static ProtobufCMessage **
sub_messages(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, size_t *n)
{
    char *base = (char *)m;
    *n = 0;
    if (f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        *n = *(size_t *)(base + f->quantifier_offset);
        return *(ProtobufCMessage ***)(base + f->offset);
    }
    if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(uint32_t *)(base + f->quantifier_offset) != f->id)
        return NULL;
    ProtobufCMessage **one = (ProtobufCMessage **)(base + f->offset);
    *n = *one ? 1 : 0;
    return one;
}

size_t sj_codec_strip_unknown(ProtobufCMessage *m)
{
    if (!m)
        return 0;
    size_t dropped = 0;
    for (size_t i = 0; i < m->n_unknown_fields; i++) {
        dropped += m->unknown_fields[i].len;
        free(m->unknown_fields[i].data);
    }
    free(m->unknown_fields);
    m->unknown_fields = NULL;
    m->n_unknown_fields = 0;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        size_t n;
        ProtobufCMessage **subs = sub_messages(m, &d->fields[i], &n);
        for (size_t j = 0; j < n; j++)
            dropped += sj_codec_strip_unknown(subs[j]);
    }
    return dropped;
}

Shangju__Reply *sj_codec_reply_decode(const void *buf, size_t len)
{
    if (len > SJ_MAX_FRAME * 16)
        return NULL;
    return shangju__reply__unpack(NULL, len, buf);
}

Shangju__Event *sj_codec_event_decode(const void *buf, size_t len)
{
    if (len > SJ_MAX_FRAME)
        return NULL;
    return shangju__event__unpack(NULL, len, buf);
}

uint8_t *sj_codec_encode(const ProtobufCMessage *msg, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    *len = protobuf_c_message_pack(msg, buf);
    return buf;
}

const char *sj_status_name(int status)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &shangju__status__descriptor, status);
    if (!v)
        return "UNKNOWN";
    return v->name + strlen("STATUS_");
}

/* ASCII case, whatever LC_CTYPE says: the daemons set it from the
 * operator's locale, and in a Turkish one tolower('I') is not 'i'. Enum
 * names go into logs, signed notices and replies. */
static bool ascii_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static char ascii_lower(char c)
{
    return ascii_upper(c) ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_case_eq(const char *a, const char *b)
{
    for (; *a && ascii_lower(*a) == ascii_lower(*b); a++, b++)
        ;
    return ascii_lower(*a) == ascii_lower(*b);
}

/* Length of the "WISH_STATE_" prefix shared by all values of d: the enum's
 * name in upper snake case plus the underscore. */
static size_t prefix_len(const ProtobufCEnumDescriptor *d)
{
    size_t n = 0;
    for (const char *p = d->short_name; *p; p++) {
        if (p != d->short_name && ascii_upper(*p))
            n++; /* the underscore before each inner capital */
        n++;
    }
    return n + 1;
}

/* Short names are built once per value and cached (entries never change once
 * written, so returned pointers stay valid); enums are small. */
#define MAX_CACHED 512
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    const ProtobufCEnumDescriptor *d;
    int value;
    char name[48];
} cache[MAX_CACHED];
static int cached;

static const char *enum_short_locked(const ProtobufCEnumDescriptor *d,
                                     int value)
{
    for (int i = 0; i < cached; i++)
        if (cache[i].d == d && cache[i].value == value)
            return cache[i].name;
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(d, value);
    if (!v)
        return NULL;
    size_t skip = prefix_len(d);
    const char *src = strlen(v->name) > skip ? v->name + skip : v->name;
    if (cached == MAX_CACHED)
        return NULL;
    char *dst = cache[cached].name;
    size_t i = 0;
    for (; src[i] && i < sizeof cache[0].name - 1; i++)
        dst[i] = ascii_lower(src[i]);
    dst[i] = '\0';
    cache[cached].d = d;
    cache[cached].value = value;
    cached++;
    return dst;
}

const char *sj_enum_short(const ProtobufCEnumDescriptor *d, int value)
{
    pthread_mutex_lock(&cache_lock);
    const char *s = enum_short_locked(d, value);
    pthread_mutex_unlock(&cache_lock);
    return s;
}

int sj_enum_parse(const ProtobufCEnumDescriptor *d, const char *name,
                  int *value)
{
    if (!name || !*name)
        return SJ_EINVAL;
    for (unsigned i = 0; i < d->n_values; i++) {
        const char *s = sj_enum_short(d, d->values[i].value);
        if (s && ascii_case_eq(s, name)) {
            *value = d->values[i].value;
            return SJ_OK;
        }
    }
    char *end = NULL;
    long n = strtol(name, &end, 10);
    if (end && *end == '\0' &&
        protobuf_c_enum_descriptor_get_value(d, (int)n)) {
        *value = (int)n;
        return SJ_OK;
    }
    return SJ_EINVAL;
}

const char *sj_request_kind(const Shangju__Request *r)
{
    if (!r || r->body_case == SHANGJU__REQUEST__BODY__NOT_SET)
        return "none";
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &shangju__request__descriptor, (unsigned)r->body_case);
    return f ? f->name : "unknown";
}

const char *sj_request_kind_name(int body_case)
{
    if (body_case <= 0)
        return "malformed";
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &shangju__request__descriptor, (unsigned)body_case);
    return f && f->id != 1 ? f->name : "unknown";
}

int64_t sj_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
