/* QR symbols (libqrencode, byte mode) drawn as 1-bit PNG (libpng), SVG or
 * half-block terminal text into a bounded buffer, and the URLs they carry;
 * see qr.h. libqrencode's and libpng's errors are translated here. */
#include "qr.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <png.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sj_error.h"
#include "text.h"

struct sj_qr {
    QRcode *code;
};

/* ---- a growable output buffer with a hard cap and a sticky error ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int err;
} buf_t;

static void buf_add(buf_t *b, const void *data, size_t n)
{
    if (b->err)
        return;
    if (n > SJ_QR_MAX_OUTPUT - b->len) {
        b->err = SJ_EINVAL;
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > SJ_QR_MAX_OUTPUT)
            cap = SJ_QR_MAX_OUTPUT;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->err = SJ_ENOMEM;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_str(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static __attribute__((format(printf, 2, 3))) void
buf_printf(buf_t *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert(n >= 0 && (size_t)n < sizeof tmp); /* only short numeric items */
    buf_add(b, tmp, (size_t)n);
}

/* Hand the buffer to the caller, or free it on error: all or nothing. */
static int buf_finish(buf_t *b, uint8_t **out, size_t *len)
{
    if (b->err) {
        free(b->p);
        return b->err;
    }
    *out = b->p, *len = b->len;
    return 0;
}

/* ---- the symbol ---- */

static const char level_letters[] = "LMQH";

char sj_qr_level_letter(sj_qr_level_t level)
{
    return (unsigned)level < 4 ? level_letters[level] : '?';
}

static QRecLevel to_qrenc(sj_qr_level_t level)
{
    switch (level) {
    case SJ_QR_LEVEL_L:
        return QR_ECLEVEL_L;
    case SJ_QR_LEVEL_Q:
        return QR_ECLEVEL_Q;
    case SJ_QR_LEVEL_H:
        return QR_ECLEVEL_H;
    case SJ_QR_LEVEL_M:
    default:
        return QR_ECLEVEL_M;
    }
}

/* Encode, and say why not in msg (may be NULL). */
static int encode(const char *text, sj_qr_level_t level, sj_qr_t **out,
                  char *msg, size_t cap)
{
    *out = NULL;
    size_t n = text ? strnlen(text, SJ_QR_MAX_TEXT + 1) : 0;
    if (n == 0) {
        if (msg)
            snprintf(msg, cap, "nothing to encode in a QR code");
        return SJ_EINVAL;
    }
    if ((unsigned)level > SJ_QR_LEVEL_H) {
        if (msg)
            snprintf(msg, cap, "unknown QR error-correction level %d",
                     (int)level);
        return SJ_EINVAL;
    }
    if (n > SJ_QR_MAX_TEXT) {
        if (msg)
            snprintf(msg, cap,
                     "text too long for a QR code at level %c (%zu bytes)",
                     sj_qr_level_letter(level), strlen(text));
        return SJ_EINVAL;
    }
    if (!sj_text_ok(text, true)) {
        if (msg)
            snprintf(msg, cap,
                     "text for a QR code must be UTF-8 without control "
                     "characters");
        return SJ_EINVAL;
    }
    sj_qr_t *qr = malloc(sizeof *qr);
    if (!qr)
        return SJ_ENOMEM;
    errno = 0;
    qr->code = QRcode_encodeData((int)n, (const unsigned char *)text, 0,
                                 to_qrenc(level));
    if (!qr->code) {
        int e = errno;
        free(qr);
        if (e == ENOMEM)
            return SJ_ENOMEM;
        if (msg && e == ERANGE)
            snprintf(msg, cap,
                     "text too long for a QR code at level %c (%zu bytes)",
                     sj_qr_level_letter(level), n);
        else if (msg)
            snprintf(msg, cap, "cannot encode this text as a QR code");
        return SJ_EINVAL;
    }
    *out = qr;
    return 0;
}

int sj_qr_encode(const char *text, sj_qr_level_t level, sj_qr_t **out)
{
    assert(out);
    return encode(text, level, out, NULL, 0);
}

void sj_qr_destroy(sj_qr_t **qr)
{
    if (!qr || !*qr)
        return;
    QRcode_free((*qr)->code);
    free(*qr);
    *qr = NULL;
}

unsigned sj_qr_width(const sj_qr_t *qr)
{
    return (unsigned)qr->code->width;
}

int sj_qr_version(const sj_qr_t *qr)
{
    return qr->code->version;
}

bool sj_qr_dark(const sj_qr_t *qr, unsigned x, unsigned y)
{
    unsigned w = sj_qr_width(qr);
    assert(x < w && y < w);
    return qr->code->data[(size_t)y * w + x] & 1;
}

/* Dark at (x, y) of the whole image, quiet zone q included; outside the
 * symbol everything is light. */
static bool dark_at(const sj_qr_t *qr, unsigned q, unsigned x, unsigned y)
{
    unsigned w = sj_qr_width(qr);
    if (x < q || y < q || x - q >= w || y - q >= w)
        return false;
    return sj_qr_dark(qr, x - q, y - q);
}

/* ---- options ---- */

static int check_opts(const sj_qr_opts_t *o, sj_qr_format_t fmt, char *msg,
                      size_t cap)
{
    if ((unsigned)fmt > SJ_QR_TEXT) {
        if (msg)
            snprintf(msg, cap, "unknown QR image format %d", (int)fmt);
        return SJ_EINVAL;
    }
    if ((unsigned)o->level > SJ_QR_LEVEL_H) {
        if (msg)
            snprintf(msg, cap, "unknown QR error-correction level %d",
                     (int)o->level);
        return SJ_EINVAL;
    }
    if (o->module_px < SJ_QR_MODULE_PX_MIN ||
        o->module_px > SJ_QR_MODULE_PX_MAX) {
        if (msg)
            snprintf(msg, cap, "module size must be %d..%d pixels (got %u)",
                     SJ_QR_MODULE_PX_MIN, SJ_QR_MODULE_PX_MAX, o->module_px);
        return SJ_EINVAL;
    }
    if (o->quiet < SJ_QR_QUIET_MIN || o->quiet > SJ_QR_QUIET_MAX) {
        if (msg)
            snprintf(msg, cap, "quiet zone must be %d..%d modules (got %u)",
                     SJ_QR_QUIET_MIN, SJ_QR_QUIET_MAX, o->quiet);
        return SJ_EINVAL;
    }
    return 0;
}

static int prepare(const char *text, const sj_qr_opts_t *o, sj_qr_format_t fmt,
                   sj_qr_t **qr, char *msg, size_t cap)
{
    int rc = check_opts(o, fmt, msg, cap);
    return rc ? rc : encode(text, o->level, qr, msg, cap);
}

int sj_qr_check(const char *text, const sj_qr_opts_t *o, sj_qr_format_t fmt,
                char *msg, size_t cap)
{
    static const sj_qr_opts_t defaults = SJ_QR_OPTS_INIT;
    char scratch[1];
    if (!msg || cap == 0)
        msg = scratch, cap = sizeof scratch;
    msg[0] = '\0';
    sj_qr_t *qr = NULL;
    int rc = prepare(text, o ? o : &defaults, fmt, &qr, msg, cap);
    if (rc == SJ_ENOMEM)
        snprintf(msg, cap, "out of memory");
    sj_qr_destroy(&qr);
    return rc;
}

/* ---- PNG ---- */

static void png_fail(png_structp png, png_const_charp what)
{
    (void)what;
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp what)
{
    (void)png, (void)what;
}

static void png_put(png_structp png, png_bytep data, size_t n)
{
    buf_t *b = png_get_io_ptr(png);
    buf_add(b, data, n);
    if (b->err)
        png_error(png, "output");
}

static void png_flush(png_structp png)
{
    (void)png;
}

/* One pixel row of image row y (in modules); 1-bit gray, 1 = white. */
static void png_row(const sj_qr_t *qr, const sj_qr_opts_t *o, unsigned y,
                    png_bytep row, size_t row_bytes)
{
    unsigned side = sj_qr_width(qr) + 2 * o->quiet;
    memset(row, 0xff, row_bytes);
    for (unsigned x = 0; x < side; x++) {
        if (!dark_at(qr, o->quiet, x, y))
            continue;
        for (unsigned i = 0; i < o->module_px; i++) {
            size_t px = (size_t)x * o->module_px + i;
            row[px / 8] &= (png_byte) ~(0x80u >> (px % 8));
        }
    }
}

static int render_png(const sj_qr_t *qr, const sj_qr_opts_t *o, buf_t *b)
{
    unsigned side = sj_qr_width(qr) + 2 * o->quiet;
    size_t px = (size_t)side * o->module_px; /* <= 197 * 40 */
    size_t row_bytes = (px + 7) / 8;
    png_bytep row = malloc(row_bytes);
    if (!row)
        return SJ_ENOMEM;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              png_fail, png_warn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        free(row);
        return SJ_ENOMEM;
    }
    /* Nothing assigned below is read after a longjmp except b (memory). */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return b->err ? b->err : SJ_ENOMEM;
    }
    png_set_write_fn(png, b, png_put, png_flush);
    png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 1,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < side; y++) {
        png_row(qr, o, y, row, row_bytes);
        for (unsigned i = 0; i < o->module_px; i++)
            png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return b->err;
}

/* ---- SVG ---- */

static void xml_escape(buf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_str(b, "&amp;");
            break;
        case '<':
            buf_str(b, "&lt;");
            break;
        case '>':
            buf_str(b, "&gt;");
            break;
        case '"':
            buf_str(b, "&quot;");
            break;
        case '\'':
            buf_str(b, "&apos;");
            break;
        default:
            buf_add(b, s, 1);
        }
    }
}

static int render_svg(const sj_qr_t *qr, const sj_qr_opts_t *o,
                      const char *text, buf_t *b)
{
    unsigned w = sj_qr_width(qr), side = w + 2 * o->quiet;
    unsigned px = side * o->module_px;
    buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
               "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" ",
               px, px, side, side);
    buf_str(b, "shape-rendering=\"crispEdges\">\n<title>");
    xml_escape(b, text);
    buf_printf(b,
               "</title>\n<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n",
               side, side);
    buf_str(b, "<path fill=\"#000\" d=\"");
    /* One closed rectangle per horizontal run of dark modules. */
    for (unsigned y = 0; y < w; y++) {
        for (unsigned x = 0; x < w;) {
            if (!sj_qr_dark(qr, x, y)) {
                x++;
                continue;
            }
            unsigned run = 1;
            while (x + run < w && sj_qr_dark(qr, x + run, y))
                run++;
            buf_printf(b, "M%u %uh%uv1h-%uz", x + o->quiet, y + o->quiet, run,
                       run);
            x += run;
        }
    }
    buf_str(b, "\"/>\n</svg>\n");
    return b->err;
}

/* ---- terminal text ---- */

static int render_text(const sj_qr_t *qr, const sj_qr_opts_t *o, buf_t *b)
{
    static const char *const glyph[4] = {" ", "\xe2\x96\x84", /* ▄ */
                                         "\xe2\x96\x80",      /* ▀ */
                                         "\xe2\x96\x88"};     /* █ */
    unsigned side = sj_qr_width(qr) + 2 * o->quiet;
    for (unsigned y = 0; y < side; y += 2) {
        for (unsigned x = 0; x < side; x++) {
            /* Rows past the image are light, like the quiet zone. */
            bool top = dark_at(qr, o->quiet, x, y);
            bool bottom = y + 1 < side && dark_at(qr, o->quiet, x, y + 1);
            bool ink_top = o->ink_is_dark ? top : !top;
            bool ink_bottom = o->ink_is_dark ? bottom : !bottom;
            buf_str(b, glyph[(ink_top ? 2 : 0) | (ink_bottom ? 1 : 0)]);
        }
        buf_str(b, "\n");
    }
    return b->err;
}

int sj_qr_render(const char *text, const sj_qr_opts_t *o, sj_qr_format_t fmt,
                 uint8_t **out, size_t *len)
{
    static const sj_qr_opts_t defaults = SJ_QR_OPTS_INIT;
    assert(out && len);
    *out = NULL, *len = 0;
    if (!o)
        o = &defaults;
    sj_qr_t *qr = NULL;
    int rc = prepare(text, o, fmt, &qr, NULL, 0);
    if (rc)
        return rc;
    buf_t b = {0};
    switch (fmt) {
    case SJ_QR_PNG:
        b.err = render_png(qr, o, &b);
        break;
    case SJ_QR_SVG:
        b.err = render_svg(qr, o, text, &b);
        break;
    case SJ_QR_TEXT:
        b.err = render_text(qr, o, &b);
        break;
    }
    sj_qr_destroy(&qr);
    return buf_finish(&b, out, len);
}

/* ---- URLs ---- */

/* Length of base without trailing '/', or 0 when base is not acceptable. */
static size_t base_len(const char *base)
{
    size_t skip;
    if (strncasecmp(base, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(base, "https://", 8) == 0)
        skip = 8;
    else
        return 0;
    size_t n = strnlen(base, SJ_QR_MAX_URL + 1);
    if (n > SJ_QR_MAX_URL || !sj_text_ok(base, false))
        return 0;
    for (const char *p = base; *p; p++)
        if (*p == ' ' || *p == '?' || *p == '#')
            return 0;
    while (n > skip && base[n - 1] == '/')
        n--;
    /* A host must follow the scheme, and cannot start with '/'. */
    return n > skip && base[skip] != '/' ? n : 0;
}

static bool code_ok(const char *code)
{
    size_t n = code ? strnlen(code, SJ_QR_MAX_CODE + 1) : 0;
    if (n == 0 || n > SJ_QR_MAX_CODE)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int sj_qr_url(char *buf, size_t cap, const char *base, char kind, uint64_t id,
              const char *code)
{
    assert(buf && cap > 0);
    buf[0] = '\0';
    size_t n = base ? base_len(base) : 0;
    if (n == 0 || n > INT32_MAX)
        return SJ_EINVAL;
    int w;
    switch (kind) {
    case 'm':
    case 'w':
    case 'c':
        if (code)
            return SJ_EINVAL;
        w = snprintf(buf, cap, "%.*s/%c/%" PRIu64, (int)n, base, kind, id);
        break;
    case 'h':
        if (!code_ok(code))
            return SJ_EINVAL;
        w = snprintf(buf, cap, "%.*s/w/%" PRIu64 "?code=%s", (int)n, base, id,
                     code);
        break;
    default:
        return SJ_EINVAL;
    }
    if (w < 0 || (size_t)w >= cap || w > SJ_QR_MAX_URL) {
        buf[0] = '\0';
        return SJ_EINVAL;
    }
    return 0;
}

/* ---- names ---- */

int sj_qr_level_parse(const char *s, sj_qr_level_t *level)
{
    if (!s || strlen(s) != 1)
        return SJ_EINVAL;
    const char *p = strchr(level_letters, s[0] & ~0x20);
    if (!p || !*p)
        return SJ_EINVAL;
    *level = (sj_qr_level_t)(p - level_letters);
    return 0;
}

int sj_qr_format_parse(const char *s, sj_qr_format_t *fmt)
{
    if (!s)
        return SJ_EINVAL;
    if (strcasecmp(s, "png") == 0)
        *fmt = SJ_QR_PNG;
    else if (strcasecmp(s, "svg") == 0)
        *fmt = SJ_QR_SVG;
    else if (strcasecmp(s, "text") == 0)
        *fmt = SJ_QR_TEXT;
    else
        return SJ_EINVAL;
    return 0;
}
