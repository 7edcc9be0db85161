/* The merchant placard (赋码): one A5 page laid out in points with pango for
 * the text (CJK through fontconfig) and cairo rectangles for the QR modules,
 * written to a bounded buffer as SVG, PNG or PDF; see placard.h. */
#include "placard.h"

#include <assert.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "qr.h"
#include "sj_error.h"
#include "sj_limits.h" /* SJ_UTF8_BYTES */
#include "text.h"

/* Page geometry in points (1/72 inch): A5 portrait. */
#define PAGE_W (148.0 / 25.4 * 72.0)
#define PAGE_H (210.0 / 25.4 * 72.0)
#define MARGIN 30.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define QR_BOX (70.0 / 25.4 * 72.0) /* QR with its quiet zone, at most */
#define QR_QUIET 4
#define QR_MIN_MODULE_PX 2

#define FOOTER "扫码了解本店  Scan to see our shop"
#define SPECIALTIES_HEADING "本店特色  Specialties"

static const double RED[3] = {0.72, 0.11, 0.11};
static const double WHITE[3] = {1, 1, 1};
static const double GOLD[3] = {0.98, 0.85, 0.45};
static const double INK[3] = {0.13, 0.13, 0.13};
static const double GREY[3] = {0.36, 0.36, 0.36};

/* ---- the output buffer (cairo write callback) ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int err;
} buf_t;

static cairo_status_t buf_write(void *closure, const unsigned char *data,
                                unsigned int n)
{
    buf_t *b = closure;
    if (b->err)
        return CAIRO_STATUS_WRITE_ERROR;
    if (n > SJ_PLACARD_MAX_OUTPUT - b->len) {
        b->err = SJ_EINVAL;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > SJ_PLACARD_MAX_OUTPUT)
            cap = SJ_PLACARD_MAX_OUTPUT;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->err = SJ_ENOMEM;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

/* ---- input checks ---- */

/* s is valid one-line text of at most max characters (or, with bytes, of
 * at most max bytes); the scan stops past the most a valid field takes. */
static bool field_ok(const char *s, size_t max, bool required, bool bytes)
{
    if (!s || !*s)
        return !required;
    size_t n = strnlen(s, (bytes ? max : SJ_UTF8_BYTES(max)) + 1);
    if (n > (bytes ? max : SJ_UTF8_BYTES(max)) || !sj_text_ok(s, false))
        return false;
    return bytes || sj_text_chars(s) <= max;
}

static int check(const sj_placard_t *p)
{
    if (!field_ok(p->name, SJ_PLACARD_MAX_NAME, true, false) ||
        !field_ok(p->category, SJ_PLACARD_MAX_CATEGORY, false, false) ||
        !field_ok(p->address, SJ_PLACARD_MAX_ADDRESS, false, false) ||
        !field_ok(p->hours, SJ_PLACARD_MAX_HOURS, false, false) ||
        !field_ok(p->url, SJ_PLACARD_MAX_URL, true, true))
        return SJ_EINVAL;
    if (p->n_specialties > SJ_PLACARD_MAX_SPECIALTIES ||
        (p->n_specialties && !p->specialties))
        return SJ_EINVAL;
    for (size_t i = 0; i < p->n_specialties; i++)
        if (!field_ok(p->specialties[i], SJ_PLACARD_MAX_SPECIALTY, false,
                      false))
            return SJ_EINVAL;
    return 0;
}

/* ---- text ---- */

typedef struct {
    cairo_t *cr;
    PangoContext *pc;
    double dpi; /* device pixels per inch; 72 for the SVG (points) */
} page_t;

/* A layout of text in the placard's fonts, wrapped at width points and cut
 * with an ellipsis after max_lines lines (max_lines < 0: at most -max_lines
 * points high). */
static PangoLayout *text_new(page_t *pg, const char *text, double size,
                             bool bold, double width, int max_lines,
                             PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(pg->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, SJ_PLACARD_FONTS);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
                                               : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(l, max_lines > 0 ? -max_lines
                                             : (int)(-max_lines * PANGO_SCALE));
    pango_layout_set_alignment(l, align);
    pango_layout_set_spacing(l, (int)(size * 0.2 * PANGO_SCALE));
    pango_layout_set_text(l, text, -1);
    return l;
}

static double text_height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* Draw l with its top-left at (x, y) and free it; returns its height. */
static double text_show(page_t *pg, PangoLayout *l, double x, double y,
                        const double rgb[3])
{
    double h = text_height(l);
    cairo_set_source_rgb(pg->cr, rgb[0], rgb[1], rgb[2]);
    cairo_move_to(pg->cr, x, y);
    pango_cairo_show_layout(pg->cr, l);
    g_object_unref(l);
    return h;
}

/* ---- the QR code ---- */

/* Draw qr centred on the page with its top at y; returns the box height.
 * Module size and origin are whole device pixels, so a PNG is crisp. */
static double draw_qr(page_t *pg, const sj_qr_t *qr, double y)
{
    unsigned w = sj_qr_width(qr), side = w + 2 * QR_QUIET;
    double pt = 72.0 / pg->dpi; /* points per device pixel */
    unsigned box_px = (unsigned)(QR_BOX / pt);
    unsigned mod_px = box_px / side;
    if (mod_px < QR_MIN_MODULE_PX)
        mod_px = QR_MIN_MODULE_PX;
    box_px = mod_px * side;
    double x0 = floor((PAGE_W / pt - box_px) / 2) * pt;
    double y0 = floor(y / pt) * pt;
    double m = mod_px * pt;

    cairo_t *cr = pg->cr;
    cairo_save(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x0, y0, box_px * pt, box_px * pt);
    cairo_fill(cr);
    for (unsigned r = 0; r < w; r++) {
        for (unsigned c = 0; c < w;) {
            if (!sj_qr_dark(qr, c, r)) {
                c++;
                continue;
            }
            unsigned run = 1;
            while (c + run < w && sj_qr_dark(qr, c + run, r))
                run++;
            cairo_rectangle(cr, x0 + (QR_QUIET + c) * m,
                            y0 + (QR_QUIET + r) * m, run * m, m);
            c += run;
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_fill(cr);
    cairo_restore(cr);
    return box_px * pt;
}

/* ---- the page ---- */

/* "• a\n• b" for the non-empty specialties, into s (cap bytes). */
static void join_specialties(const sj_placard_t *p, char *s, size_t cap)
{
    size_t n = 0;
    s[0] = '\0';
    for (size_t i = 0; i < p->n_specialties; i++) {
        const char *item = p->specialties[i];
        if (!item || !*item)
            continue;
        int w = snprintf(s + n, cap - n, "%s• %s", n ? "\n" : "", item);
        assert(w > 0 && (size_t)w < cap - n); /* cap covers the limits */
        n += (size_t)w;
    }
}

/* The red band across the top with name and category; returns where the
 * content below it may start. */
static double draw_band(page_t *pg, const sj_placard_t *p)
{
    PangoLayout *name =
        text_new(pg, p->name, 30, true, CONTENT_W, 2, PANGO_ALIGN_CENTER);
    PangoLayout *cat = p->category && *p->category
                           ? text_new(pg, p->category, 14, false, CONTENT_W, 1,
                                      PANGO_ALIGN_CENTER)
                           : NULL;
    double band = MARGIN + text_height(name) + 0.7 * MARGIN;
    if (cat)
        band += text_height(cat) + 6;
    cairo_set_source_rgb(pg->cr, RED[0], RED[1], RED[2]);
    cairo_rectangle(pg->cr, 0, 0, PAGE_W, band);
    cairo_fill(pg->cr);
    double name_h = text_show(pg, name, MARGIN, MARGIN, WHITE);
    if (cat)
        text_show(pg, cat, MARGIN, MARGIN + name_h + 6, GOLD);
    return band + 18;
}

/* Address and hours against the bottom margin; returns where the content
 * above them must end. */
static double draw_info(page_t *pg, const sj_placard_t *p)
{
    char
        info[SJ_UTF8_BYTES(SJ_PLACARD_MAX_ADDRESS + SJ_PLACARD_MAX_HOURS) + 64];
    int n = 0;
    info[0] = '\0';
    if (p->address && *p->address)
        n = snprintf(info, sizeof info, "地址 Address: %s", p->address);
    if (p->hours && *p->hours)
        snprintf(info + n, sizeof info - (size_t)n, "%s营业时间 Hours: %s",
                 n ? "\n" : "", p->hours);
    double bottom = PAGE_H - MARGIN;
    if (!info[0])
        return bottom;
    PangoLayout *l =
        text_new(pg, info, 10.5, false, CONTENT_W, 4, PANGO_ALIGN_CENTER);
    bottom -= text_height(l);
    text_show(pg, l, MARGIN, bottom, GREY);
    return bottom - 14;
}

/* The specialties from top down, at most to limit (text past it is cut
 * with an ellipsis); returns where the content below may start. */
static double draw_specialties(page_t *pg, const sj_placard_t *p, double top,
                               double limit)
{
    char list[SJ_PLACARD_MAX_SPECIALTIES *
              (SJ_UTF8_BYTES(SJ_PLACARD_MAX_SPECIALTY) + 8)];
    join_specialties(p, list, sizeof list);
    if (!list[0] || limit - top < 60)
        return top;
    PangoLayout *head = text_new(pg, SPECIALTIES_HEADING, 13, true, CONTENT_W,
                                 1, PANGO_ALIGN_LEFT);
    top += text_show(pg, head, MARGIN, top, RED) + 8;
    PangoLayout *items = text_new(pg, list, 16, false, CONTENT_W - 10,
                                  -(int)(limit - top), PANGO_ALIGN_LEFT);
    /* Wrapped lines hang under the text, not under the bullet. */
    PangoLayout *bullet =
        text_new(pg, "• ", 16, false, CONTENT_W, 1, PANGO_ALIGN_LEFT);
    int bw, bh;
    pango_layout_get_size(bullet, &bw, &bh);
    g_object_unref(bullet);
    pango_layout_set_indent(items, -bw);
    return top + text_show(pg, items, MARGIN + 10, top, INK);
}

/* Top to bottom: the band, the specialties in what room the QR block
 * leaves, the QR block (code, footer, the URL in small type) centred in the
 * space that remains, and address and hours at the bottom margin. */
static void draw_page(page_t *pg, const sj_placard_t *p, const sj_qr_t *qr)
{
    cairo_set_source_rgb(pg->cr, 1, 1, 1);
    cairo_paint(pg->cr);
    double top = draw_band(pg, p);
    double bottom = draw_info(pg, p);

    PangoLayout *foot =
        text_new(pg, FOOTER, 15, true, CONTENT_W, 1, PANGO_ALIGN_CENTER);
    PangoLayout *url =
        text_new(pg, p->url, 8, false, CONTENT_W, 1, PANGO_ALIGN_CENTER);
    pango_layout_set_ellipsize(url, PANGO_ELLIPSIZE_MIDDLE);
    double block = QR_BOX + 6 + text_height(foot) + 2 + text_height(url);
    top = draw_specialties(pg, p, top, bottom - block - 16);

    double y = top + (bottom - top - block) / 2;
    y += draw_qr(pg, qr, y) + 6;
    y += text_show(pg, foot, MARGIN, y, INK) + 2;
    text_show(pg, url, MARGIN, y, GREY);
}

/* A pango context for cr on font map fm: points as units, no hinting (the
 * SVG and the PNG lay out alike), Simplified Chinese forms for Han. */
static PangoContext *context_new(cairo_t *cr, PangoFontMap *fm)
{
    PangoContext *pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(cr, pc);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(pc, pango_language_from_string("zh-cn"));
    return pc;
}

static int from_cairo(cairo_status_t st, const buf_t *b)
{
    if (st == CAIRO_STATUS_SUCCESS)
        return 0;
    if (b->err)
        return b->err;
    return st == CAIRO_STATUS_NO_MEMORY ? SJ_ENOMEM : SJ_EIO;
}

/* The PDF names its shop (a print queue shows the title) and its maker. */
static void pdf_metadata(cairo_surface_t *s, const sj_placard_t *p)
{
    cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_5);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, p->name);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "shangju");
}

static cairo_status_t draw(cairo_surface_t *s, double dpi,
                           const sj_placard_t *p, const sj_qr_t *qr)
{
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    /* A font map of our own rather than pango's per-thread default: its
     * caches go with it, and a long-running broker holds no font state. */
    PangoFontMap *fm = pango_cairo_font_map_new();
    page_t pg = {cr, context_new(cr, fm), dpi};
    draw_page(&pg, p, qr);
    g_object_unref(pg.pc);
    g_object_unref(fm);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    return st;
}

int sj_placard_render(const sj_placard_t *p, sj_placard_format_t fmt,
                      uint8_t **out, size_t *len)
{
    assert(p && out && len);
    *out = NULL, *len = 0;
    if ((fmt != SJ_PLACARD_SVG && fmt != SJ_PLACARD_PNG &&
         fmt != SJ_PLACARD_PDF) ||
        check(p))
        return SJ_EINVAL;
    sj_qr_t *qr = NULL;
    int rc = sj_qr_encode(p->url, SJ_QR_LEVEL_Q, &qr);
    if (rc)
        return rc;

    buf_t b = {0};
    cairo_status_t st;
    cairo_surface_t *s;
    if (fmt == SJ_PLACARD_SVG) {
        s = cairo_svg_surface_create_for_stream(buf_write, &b, PAGE_W, PAGE_H);
        cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
        cairo_svg_surface_set_document_unit(s, CAIRO_SVG_UNIT_PT);
        st = draw(s, 72, p, qr);
        cairo_surface_finish(s);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(s);
    } else if (fmt == SJ_PLACARD_PDF) {
        s = cairo_pdf_surface_create_for_stream(buf_write, &b, PAGE_W, PAGE_H);
        pdf_metadata(s, p);
        st = draw(s, 72, p, qr);
        cairo_surface_finish(s);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(s);
    } else {
        int wpx = (int)lround(PAGE_W / 72.0 * SJ_PLACARD_DPI);
        int hpx = (int)lround(PAGE_H / 72.0 * SJ_PLACARD_DPI);
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
        st = draw(s, SJ_PLACARD_DPI, p, qr);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_write_to_png_stream(s, buf_write, &b);
    }
    cairo_surface_destroy(s);
    sj_qr_destroy(&qr);
    rc = from_cairo(st, &b);
    if (rc) {
        free(b.p);
        return rc;
    }
    *out = b.p, *len = b.len;
    return 0;
}
