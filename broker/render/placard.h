/* A merchant's printable placard (赋码): shop name, category, specialties,
 * address, hours and the QR code of the shop's URL on one A5 portrait page,
 * as SVG, PNG or PDF (cairo + pango). Pure: no sockets, no store. */
#ifndef SJ_PLACARD_H
#define SJ_PLACARD_H

#include <stddef.h>
#include <stdint.h>

/* The page: A5 portrait, 148 x 210 mm. The SVG and the PDF are sized in
 * points (419.53 x 595.28 pt); the PNG is drawn at SJ_PLACARD_DPI (874 x
 * 1240 px). */
#define SJ_PLACARD_DPI 150

/* Input limits, in characters (code points, as the listing's fields;
 * sj_limits.h), but the URL's in bytes (a QR code holds bytes); checked
 * before anything is drawn. Text that does not fit its box on the page is
 * cut with an ellipsis. */
#define SJ_PLACARD_MAX_NAME 100
#define SJ_PLACARD_MAX_CATEGORY 50
#define SJ_PLACARD_MAX_SPECIALTY 100
#define SJ_PLACARD_MAX_SPECIALTIES 12
#define SJ_PLACARD_MAX_ADDRESS 200
#define SJ_PLACARD_MAX_HOURS 100
#define SJ_PLACARD_MAX_URL 1024

/* Ceiling on the returned image, in bytes. */
#define SJ_PLACARD_MAX_OUTPUT (8u << 20)

/* The fonts asked of fontconfig, in order: the first that is installed and
 * covers a character is used, so Chinese renders with a real CJK face
 * (Debian: fonts-wqy-microhei, or fonts-noto-cjk). */
#define SJ_PLACARD_FONTS "Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif"

/* What goes on the placard. The strings belong to the caller and are only
 * read during sj_placard_render. */
typedef struct {
    const char *name;     /* required, 1..SJ_PLACARD_MAX_NAME, one line */
    const char *category; /* optional (NULL or ""), one line */
    /* Up to SJ_PLACARD_MAX_SPECIALTIES lines, one per specialty; NULL or ""
     * entries are skipped. specialties may be NULL when n_specialties is
     * 0. */
    const char *const *specialties;
    size_t n_specialties;
    const char *address; /* optional, may wrap */
    const char *hours;   /* optional opening hours, may wrap */
    const char *url;     /* required: what the QR code carries (sj_qr_url) */
} sj_placard_t;

typedef enum {
    SJ_PLACARD_SVG, /* SVG 1.1 (cairo), text as glyph outlines */
    SJ_PLACARD_PNG, /* 24-bit RGB PNG at SJ_PLACARD_DPI */
    SJ_PLACARD_PDF, /* one-page PDF (cairo), the QR code as vector squares
                       and the text as embedded font subsets */
} sj_placard_format_t;

/* Draw the placard. The QR code (level Q, quiet zone 4) is drawn module by
 * module as filled squares aligned to whole pixels in the PNG, about 70 mm
 * wide, under the text and above the footer "扫码了解本店 Scan to see our
 * shop".
 * @param[out] out the image, malloc'd, owned by the caller (free()); at
 *  most SJ_PLACARD_MAX_OUTPUT bytes. On error *out is NULL and *len 0.
 * @return 0, or
 *  SJ_EINVAL  a required field missing, a field over its limit or not valid
 *             text (UTF-8, no control characters), too many specialties, a
 *             URL that does not fit a QR code, an unknown format, or an
 *             image over SJ_PLACARD_MAX_OUTPUT;
 *  SJ_ENOMEM  out of memory;
 *  SJ_EIO     cairo failed otherwise. */
int sj_placard_render(const sj_placard_t *p, sj_placard_format_t fmt,
                      uint8_t **out, size_t *len);

#endif
