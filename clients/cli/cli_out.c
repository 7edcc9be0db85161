/* Human-readable output of `shangju`: a record as aligned "label value"
 * lines, a page as a table with a "next page" hint, in the user's language
 * (labels from cli_labels.c, enum values from cli_enums.c, yes/no), times
 * in the community's zone with their offset, widths by display columns.
 * Works on the JSON form (pbjson.h) beside the message descriptor, so
 * every record prints the same way and zero values are shown. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistr.h>
#include <uniwidth.h>

#include "cli_enums.h"
#include "i18n.h"
#include "pbjson.h"
#include "sj_zone.h"

#define CELL_MAX 40 /* display columns a table cell may take */

void sj_cli_time(int64_t ms, char *buf, size_t cap)
{
    sj_zone_format(ms, buf, cap); /* the community's zone, offset shown */
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n > t && strcmp(s + n - t, tail) == 0;
}

/* Fields holding a moment (Unix ms); 0 means "not yet", never 1970. */
static bool is_time_field(const char *key)
{
    return strcmp(key, "now") == 0 || strcmp(key, "at") == 0 ||
           strcmp(key, "date") == 0 || strcmp(key, "term_start") == 0 ||
           strcmp(key, "term_end") == 0 || ends_with(key, "_at");
}

/* Whether a field left out of the JSON (at its proto3 default) is shown
 * as 0 / no: plain numbers and yes/no fields are; a moment, a reference
 * to another record (0: none) and fields with presence are not. */
static bool shows_default(const ProtobufCFieldDescriptor *f)
{
    if (f->label != PROTOBUF_C_LABEL_NONE ||
        (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || is_time_field(f->name) ||
        ends_with(f->name, "_id") || ends_with(f->name, "_by") ||
        strcmp(f->name, "ref") == 0 || strcmp(f->name, "chat_cursor") == 0)
        return false;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
    case PROTOBUF_C_TYPE_ENUM: /* 0 is UNSPECIFIED: nothing to say */
        return false;
    default:
        return true;
    }
}

void sj_cli_json_defaults(const ProtobufCMessageDescriptor *d, json_object *o)
{
    if (!d || !o || !json_object_is_type(o, json_type_object))
        return;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        json_object *v = NULL;
        bool has = json_object_object_get_ex(o, f->name, &v);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && has) {
            if (json_object_is_type(v, json_type_array))
                for (size_t k = 0; k < json_object_array_length(v); k++)
                    sj_cli_json_defaults(f->descriptor,
                                         json_object_array_get_idx(v, k));
            else
                sj_cli_json_defaults(f->descriptor, v);
        } else if (!has && shows_default(f)) {
            json_object *z = f->type == PROTOBUF_C_TYPE_BOOL
                                 ? json_object_new_boolean(0)
                                 : json_object_new_int(0);
            if (z && json_object_object_add(o, f->name, z) != 0)
                json_object_put(z); /* out of memory: the field stays out */
        }
    }
}

json_object *sj_cli_message_json(const ProtobufCMessage *m)
{
    json_object *j = sj_pbjson_message(m);
    if (j)
        sj_cli_json_defaults(m->descriptor, j);
    return j;
}

/* The enum value of d whose short name is name, or -1. */
static int enum_value(const ProtobufCEnumDescriptor *d, const char *name)
{
    for (unsigned i = 0; i < d->n_values; i++) {
        const char *s = sj_enum_short(d, d->values[i].value);
        if (s && strcmp(s, name) == 0)
            return d->values[i].value;
    }
    return -1;
}

/* Text of a scalar for people, or NULL when there is nothing to show. f
 * (NULL when unknown) gives enum display names and defaults; times
 * become dates in the community's zone. */
static const char *value_text(const ProtobufCFieldDescriptor *f,
                              const char *key, json_object *v, char *buf,
                              size_t cap)
{
    /* A wish's rating is 1-5 once given; 0 is none yet, not zero stars. */
    if (f &&
        f == protobuf_c_message_descriptor_get_field_by_name(
                 &shangju__wish__descriptor, "rating") &&
        (!v || json_object_get_int64(v) == 0))
        return _("not rated yet");
    if (!v || json_object_is_type(v, json_type_null)) {
        if (!f || !shows_default(f))
            return NULL;
        return f->type == PROTOBUF_C_TYPE_BOOL ? sj_cli_yes_no(false) : "0";
    }
    if (json_object_is_type(v, json_type_boolean))
        return sj_cli_yes_no(json_object_get_boolean(v));
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        if (f && f->type == PROTOBUF_C_TYPE_ENUM) {
            int e = enum_value(f->descriptor, s);
            const char *name =
                e < 0 ? NULL : sj_cli_enum_name(f->descriptor, e);
            return name ? name : s;
        }
        if (strcmp(key, "topic") == 0 || strcmp(key, "kind") == 0)
            return sj_cli_code_label(s); /* an event's, an entry's */
        return s;
    }
    if (json_object_is_type(v, json_type_int) && is_time_field(key)) {
        int64_t ms = json_object_get_int64(v);
        if (ms == 0)
            return NULL;
        /* A compact's term typed as days shows those days; its end is the
         * midnight after the last one (exclusive). */
        bool end = strcmp(key, "term_end") == 0;
        if ((end || strcmp(key, "term_start") == 0) &&
            sj_zone_is_midnight(ms)) {
            sj_zone_format_day(end ? ms - 1 : ms, buf, cap);
            return buf;
        }
        sj_cli_time(ms, buf, cap);
        return buf;
    }
    if (json_object_is_type(v, json_type_double)) {
        snprintf(buf, cap, "%.1f", json_object_get_double(v));
        return buf;
    }
    snprintf(buf, cap, "%s",
             json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
    return buf;
}

/* Display columns of UTF-8 text up to max columns, by libunistring's
 * uc_width (Unicode's East Asian Width): CJK and emoji take two columns,
 * combining marks none; an invalid byte counts as one. A character never
 * splits: *bytes ends on a character boundary, and combining marks stay
 * with the character before them. Stops at a line break. */
static size_t width_upto(const char *s, size_t max, size_t *bytes)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t w = 0, i = 0, n = strcspn(s, "\n");
    while (i < n) {
        ucs4_t uc;
        int len = u8_mbtouc(&uc, p + i, n - i);
        int cw = uc_width(uc, "UTF-8");
        if (cw < 0)
            cw = 1; /* a control character: shown as one column */
        if (w + (size_t)cw > max)
            break;
        i += (size_t)len;
        w += (size_t)cw;
    }
    if (bytes)
        *bytes = i;
    return w;
}

size_t sj_cli_width(const char *s)
{
    return width_upto(s, SIZE_MAX, NULL);
}

void sj_cli_pad(FILE *out, const char *s, size_t width)
{
    size_t w = sj_cli_width(s);
    fputs(s, out);
    fprintf(out, "%*s", (int)(w < width ? width - w : 0), "");
}

void sj_cli_row(size_t indent, const char *label, size_t cols, const char *fmt,
                ...)
{
    va_list ap;
    printf("%*s", (int)indent, "");
    sj_cli_pad(stdout, label, cols);
    fputc(' ', stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

/* One "label  value" line; the value's own line breaks continue under
 * it. Measures the label instead when keyw is to be found. */
static void line(FILE *out, const char *label, const char *text, size_t *keyw,
                 bool print)
{
    if (!print) {
        size_t w = sj_cli_width(label);
        *keyw = w > *keyw ? w : *keyw;
        return;
    }
    sj_cli_pad(out, label, *keyw + 2);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        fwrite(p, 1, n, out);
        p += n;
        if (*p == '\n' && *++p)
            fprintf(out, "\n%*s", (int)(*keyw + 2), "");
    }
    fputc('\n', out);
}

static void show_obj(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *o, const char *prefix, size_t *keyw,
                     bool print);

/* Field key (descriptor f, or NULL) holding v, at path prefix+key. */
static void show_field(FILE *out, const ProtobufCFieldDescriptor *f,
                       const char *key, json_object *v, const char *prefix,
                       size_t *keyw, bool print)
{
    char path[160], label[256], buf[64];
    snprintf(path, sizeof path, "%s%s", prefix, key);
    sj_cli_label_path(path, label, sizeof label);
    const ProtobufCMessageDescriptor *sub =
        f && f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor : NULL;
    if (v && json_object_is_type(v, json_type_array)) {
        /* A list prints as a list: one value a line, numbered records. */
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            if (json_object_is_type(e, json_type_object)) {
                char p[192];
                snprintf(p, sizeof p, "%s.%zu.", path, i + 1);
                show_obj(out, sub, e, p, keyw, print);
                continue;
            }
            const char *t = value_text(f, key, e, buf, sizeof buf);
            line(out, i ? "" : label, t ? t : "-", keyw, print);
        }
        return;
    }
    if (v && json_object_is_type(v, json_type_object)) {
        char p[192];
        snprintf(p, sizeof p, "%s.", path);
        show_obj(out, sub, v, p, keyw, print);
        return;
    }
    const char *t = value_text(f, key, v, buf, sizeof buf);
    if (t)
        line(out, label, t, keyw, print);
}

/* Whether field of record o (of type d) says nothing about this record,
 * so the text leaves it out (--json keeps it): a merchant's counters on a
 * member of another role, wrong invite codes when there is and was no
 * invite. */
static bool not_for(const ProtobufCMessageDescriptor *d, const char *field,
                    json_object *o)
{
    static const char *const merchants[] = {
        "claims_lapsed",     "wishes_fulfilled", "ratings_received",
        "rating_sum",        "compacts_closed",  "compact_ratings",
        "compact_rating_sum"};
    if (d != &shangju__member__descriptor)
        return false;
    json_object *v = NULL;
    if (strcmp(field, "invite_failures") == 0)
        return !json_object_object_get_ex(o, "invite_expires_at", &v) &&
               (!json_object_object_get_ex(o, field, &v) ||
                json_object_get_int64(v) == 0);
    for (size_t i = 0; i < sizeof merchants / sizeof merchants[0]; i++)
        if (strcmp(field, merchants[i]) == 0)
            return !json_object_object_get_ex(o, "role", &v) ||
                   strcmp(json_object_get_string(v), "merchant") != 0;
    return false;
}

static void show_obj(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *o, const char *prefix, size_t *keyw,
                     bool print)
{
    if (d) {
        for (unsigned i = 0; i < d->n_fields; i++) {
            const ProtobufCFieldDescriptor *f = &d->fields[i];
            json_object *v = NULL;
            if (not_for(d, f->name, o))
                continue;
            json_object_object_get_ex(o, f->name, &v);
            show_field(out, f, f->name, v, prefix, keyw, print);
        }
        return;
    }
    json_object_object_foreach(o, key, v)
    {
        show_field(out, NULL, key, v, prefix, keyw, print);
    }
}

void sj_cli_show_msg(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *rec)
{
    size_t keyw = 0;
    show_obj(out, d, rec, "", &keyw, false);
    show_obj(out, d, rec, "", &keyw, true);
}

/* The value at a dotted path ("claim.merchant_id") of o, or NULL; *f is
 * set to its field in d when d knows it. */
static json_object *lookup(json_object *o, const ProtobufCMessageDescriptor *d,
                           const char *path, const ProtobufCFieldDescriptor **f)
{
    char part[64];
    *f = NULL;
    while (*path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        *f =
            d ? protobuf_c_message_descriptor_get_field_by_name(d, part) : NULL;
        d = *f && (*f)->type == PROTOBUF_C_TYPE_MESSAGE ? (*f)->descriptor
                                                        : NULL;
        json_object *v = NULL;
        if (o && !json_object_object_get_ex(o, part, &v))
            v = NULL;
        o = v;
        path += n + (path[n] == '.');
    }
    return o;
}

static void print_cell(FILE *out, const char *s, size_t colw, bool last)
{
    size_t bytes;
    size_t w = width_upto(s, CELL_MAX, &bytes);
    fprintf(out, "%.*s", (int)bytes, s);
    if (s[bytes]) {
        fputs("…", out);
        w++;
    }
    if (!last)
        fprintf(out, "%*s", (int)(colw - w + 2), "");
}

static size_t cell_width(const char *s)
{
    size_t bytes;
    size_t w = width_upto(s, CELL_MAX, &bytes);
    return w + (s[bytes] ? 1 : 0); /* the ellipsis */
}

/* A header row when item is NULL: the columns' labels. */
static void table_row(FILE *out, const ProtobufCMessageDescriptor *d,
                      json_object *item, const char *const *cols, size_t ncols,
                      size_t *w, bool measure)
{
    for (size_t c = 0; c < ncols; c++) {
        char buf[256];
        const char *s = buf;
        if (item) {
            const ProtobufCFieldDescriptor *f;
            json_object *v = lookup(item, d, cols[c], &f);
            const char *key = strrchr(cols[c], '.');
            s = value_text(f, key ? key + 1 : cols[c], v, buf, sizeof buf);
            s = s ? s : "-";
        } else
            sj_cli_label_path(cols[c], buf, sizeof buf);
        if (measure) {
            size_t cw = cell_width(s);
            w[c] = cw > w[c] ? cw : w[c];
        } else
            print_cell(out, s, w[c], c + 1 == ncols);
    }
    if (!measure)
        fputc('\n', out);
}

void sj_cli_table_of(FILE *out, const ProtobufCMessageDescriptor *d,
                     json_object *page, const char *const *cols, size_t ncols)
{
    const ProtobufCFieldDescriptor *f;
    json_object *items = lookup(page, NULL, "items", &f);
    json_object *next = lookup(page, NULL, "next", &f);
    size_t n = items ? json_object_array_length(items) : 0;
    size_t w[16] = {0};
    if (ncols > 16)
        ncols = 16;
    if (n == 0)
        fprintf(out, "%s\n", _("(none)"));
    else {
        table_row(out, d, NULL, cols, ncols, w, true);
        for (size_t i = 0; i < n; i++)
            table_row(out, d, json_object_array_get_idx(items, i), cols, ncols,
                      w, true);
        table_row(out, d, NULL, cols, ncols, w, false);
        for (size_t i = 0; i < n; i++)
            table_row(out, d, json_object_array_get_idx(items, i), cols, ncols,
                      w, false);
    }
    if (next && !json_object_is_type(next, json_type_null))
        fprintf(out, _("more: the next page is --after %s\n"),
                json_object_get_string(next));
}

void sj_cli_table(FILE *out, json_object *page, const char *const *cols,
                  size_t ncols)
{
    sj_cli_table_of(out, NULL, page, cols, ncols);
}
