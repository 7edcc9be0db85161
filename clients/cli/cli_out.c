/* Human-readable output of `shangju`: a record as aligned "field value"
 * lines, a page as a table with a "next:" hint, times as local dates.
 * Works on the JSON form (pbjson.h) so every record prints the same way. */
#include "cli.h"

#include <ctype.h>
#include <string.h>
#include <time.h>
#include <unistr.h>
#include <uniwidth.h>

#include "sj_zone.h"

#define CELL_MAX 40 /* display columns a table cell may take */

void sj_cli_time(int64_t ms, char *buf, size_t cap)
{
    sj_zone_format(ms, buf, cap); /* the community's zone, offset shown */
}

static bool is_time_field(const char *key)
{
    size_t n = strlen(key);
    return strcmp(key, "now") == 0 || strcmp(key, "at") == 0 ||
           (n > 3 && strcmp(key + n - 3, "_at") == 0);
}

/* Text of a scalar for humans; times become dates. */
static const char *cell_text(const char *key, json_object *v, char *buf,
                             size_t cap)
{
    if (!v)
        return "-";
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    if (json_object_is_type(v, json_type_int) && is_time_field(key)) {
        sj_cli_time(json_object_get_int64(v), buf, cap);
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
 * with the character before them. */
static size_t width_upto(const char *s, size_t max, size_t *bytes)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t w = 0, i = 0, n = strlen(s);
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

static void show_obj(FILE *out, json_object *o, const char *prefix,
                     size_t *keyw, bool print)
{
    json_object_object_foreach(o, key, v)
    {
        char name[128], buf[64];
        snprintf(name, sizeof name, "%s%s", prefix, key);
        if (json_object_is_type(v, json_type_object)) {
            char sub[130];
            snprintf(sub, sizeof sub, "%s.", name);
            show_obj(out, v, sub, keyw, print);
            continue;
        }
        size_t w = strlen(name);
        if (!print) {
            *keyw = w > *keyw ? w : *keyw;
            continue;
        }
        fprintf(out, "%-*s  %s\n", (int)*keyw, name,
                cell_text(key, v, buf, sizeof buf));
    }
}

void sj_cli_show(FILE *out, json_object *rec)
{
    size_t keyw = 0;
    show_obj(out, rec, "", &keyw, false);
    show_obj(out, rec, "", &keyw, true);
}

/* The value at a dotted path ("claim.merchant_id") of o, or NULL. */
static json_object *lookup(json_object *o, const char *path)
{
    char part[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof part)
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        json_object *v = NULL;
        if (!json_object_object_get_ex(o, part, &v))
            return NULL;
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

/* A header row when item is NULL: the column names in capitals. */
static void table_row(FILE *out, json_object *item, const char *const *cols,
                      size_t ncols, size_t *w, bool measure)
{
    for (size_t c = 0; c < ncols; c++) {
        char buf[64];
        const char *s = buf;
        if (item)
            s = cell_text(cols[c], lookup(item, cols[c]), buf, sizeof buf);
        else {
            size_t i = 0;
            for (; cols[c][i] && i + 1 < sizeof buf; i++)
                buf[i] = (char)toupper((unsigned char)cols[c][i]);
            buf[i] = '\0';
        }
        if (measure) {
            size_t cw = cell_width(s);
            w[c] = cw > w[c] ? cw : w[c];
        } else
            print_cell(out, s, w[c], c + 1 == ncols);
    }
    if (!measure)
        fputc('\n', out);
}

void sj_cli_table(FILE *out, json_object *page, const char *const *cols,
                  size_t ncols)
{
    json_object *items = lookup(page, "items"), *next = lookup(page, "next");
    size_t n = items ? json_object_array_length(items) : 0;
    size_t w[16] = {0};
    if (ncols > 16)
        ncols = 16;
    if (n == 0)
        fputs("(none)\n", out);
    else {
        table_row(out, NULL, cols, ncols, w, true);
        for (size_t i = 0; i < n; i++)
            table_row(out, json_object_array_get_idx(items, i), cols, ncols, w,
                      true);
        table_row(out, NULL, cols, ncols, w, false);
        for (size_t i = 0; i < n; i++)
            table_row(out, json_object_array_get_idx(items, i), cols, ncols, w,
                      false);
    }
    if (next && !json_object_is_type(next, json_type_null))
        fprintf(out, "next: %s\n", json_object_get_string(next));
}
