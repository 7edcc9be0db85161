/* QR codes for merchants, wishes and hand-overs (赋码): the URLs they carry
 * and their images as PNG, SVG or terminal text. Pure functions: no sockets,
 * no store; the request handlers and the CLI call them. */
#ifndef SJ_QR_H
#define SJ_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text accepted, in bytes, before asking libqrencode at all. The
 * real limit depends on the level: in byte mode a version 40 symbol holds
 * 2953 bytes at L, 2331 at M, 1663 at Q and 1273 at H. */
#define SJ_QR_MAX_TEXT 2048

/* Ceiling on any image sj_qr_render returns, in bytes. */
#define SJ_QR_MAX_OUTPUT (4u << 20)

/* Option bounds. The quiet zone (light margin around the symbol) must be at
 * least 4 modules by the QR specification. */
#define SJ_QR_MODULE_PX_MIN 1
#define SJ_QR_MODULE_PX_MAX 40
#define SJ_QR_QUIET_MIN 4
#define SJ_QR_QUIET_MAX 10

/* Longest URL sj_qr_url builds, in bytes, without the NUL. */
#define SJ_QR_MAX_URL 1024

/* Longest hand-over code, in bytes; codes use only [A-Za-z0-9_-]. */
#define SJ_QR_MAX_CODE 64

/* Error-correction level: the share of the symbol that may be damaged and
 * still read (about 7%, 15%, 25%, 30%). Higher levels make larger symbols. */
typedef enum {
    SJ_QR_LEVEL_L,
    SJ_QR_LEVEL_M,
    SJ_QR_LEVEL_Q,
    SJ_QR_LEVEL_H,
} sj_qr_level_t;

typedef enum {
    /* 1-bit grayscale PNG, module_px pixels per module. */
    SJ_QR_PNG,
    /* SVG 1.1: a white background and one <path> of the dark modules, in a
     * viewBox of one unit per module; width/height are module_px per
     * module. The encoded text is in <title>, XML-escaped. */
    SJ_QR_SVG,
    /* UTF-8 text for terminals: two module rows per line drawn with the
     * half blocks U+2580 ▀, U+2584 ▄, U+2588 █ and spaces; every line is
     * (width + 2 * quiet) characters and ends in '\n'; there are
     * ceil((width + 2 * quiet) / 2) lines; a missing last half row counts
     * as light. See ink_is_dark for the polarity. No NUL is appended. */
    SJ_QR_TEXT,
} sj_qr_format_t;

typedef struct {
    sj_qr_level_t level; /* default SJ_QR_LEVEL_M */
    unsigned module_px;  /* PNG/SVG pixels per module, 1..40; default 8 */
    unsigned quiet;      /* quiet zone in modules, 4..10; default 4 */
    /* TEXT only. Terminals usually draw light glyphs on a dark background,
     * and a QR code must be dark on light to scan with most phone cameras.
     * So by default (false) the glyphs draw the LIGHT modules and the
     * quiet zone, and the terminal's dark background shows through as the
     * dark modules. Set true for dark-on-light output (paper, a terminal
     * with a light theme): the glyphs then draw the dark modules. */
    bool ink_is_dark;
} sj_qr_opts_t;

/* The defaults: level M, 8 px per module, quiet zone 4, light ink. */
#define SJ_QR_OPTS_INIT                                                        \
    {                                                                          \
        SJ_QR_LEVEL_M, 8, 4, false                                             \
    }

/* An encoded symbol: the matrix of modules, without the quiet zone. */
typedef struct sj_qr sj_qr_t;

/* Encode text as one QR symbol in 8-bit byte mode, case and bytes kept
 * exactly (UTF-8 in, the same bytes out of a decoder), the smallest version
 * that fits at level.
 * @param[in] text NUL-terminated; 1..SJ_QR_MAX_TEXT bytes of valid UTF-8
 *  with no control characters other than '\n' and '\t'.
 * @param[out] out the symbol, owned by the caller: free with
 *  sj_qr_destroy(). Set to NULL on error.
 * @return 0, or
 *  SJ_EINVAL  text empty, not valid text, or too long for a symbol at level;
 *  SJ_ENOMEM  out of memory. */
int sj_qr_encode(const char *text, sj_qr_level_t level, sj_qr_t **out);

/* Free a symbol and set *qr to NULL; safe on NULL and twice. */
void sj_qr_destroy(sj_qr_t **qr);

/* Modules per side (17 + 4 * version), without the quiet zone. */
unsigned sj_qr_width(const sj_qr_t *qr);

/* The symbol's version, 1..40. */
int sj_qr_version(const sj_qr_t *qr);

/* True when the module at column x, row y (both < width) is dark. */
bool sj_qr_dark(const sj_qr_t *qr, unsigned x, unsigned y);

/* Render text as a QR image.
 * @param[in] o options, NULL for SJ_QR_OPTS_INIT; every field is checked
 *  (a zeroed struct is refused: module size 0, quiet zone 0).
 * @param[out] out the image bytes, malloc'd, owned by the caller (free());
 *  at most SJ_QR_MAX_OUTPUT bytes. On error *out is NULL and *len 0:
 *  there is never partial output.
 * @return 0, or
 *  SJ_EINVAL  bad options or format, text not valid (see sj_qr_encode), too
 *             long for a QR code at the level, or an image over
 *             SJ_QR_MAX_OUTPUT; sj_qr_check says which in words;
 *  SJ_ENOMEM  out of memory. */
int sj_qr_render(const char *text, const sj_qr_opts_t *o, sj_qr_format_t fmt,
                 uint8_t **out, size_t *len);

/* Check text and options as sj_qr_render would (without drawing).
 * @param[out] msg when not NULL and cap > 0, a one-line English reason for
 *  a refusal, e.g. "text too long for a QR code at level M (2400 bytes)" or
 *  "quiet zone must be 4..10 modules (got 0)"; "" on success. Always
 *  NUL-terminated, truncated to cap.
 * @return the code sj_qr_render would return for these inputs, except
 *  failures only found while drawing (output over SJ_QR_MAX_OUTPUT). */
int sj_qr_check(const char *text, const sj_qr_opts_t *o, sj_qr_format_t fmt,
                char *msg, size_t cap);

/* Build the URL a QR code carries:
 *   kind 'm'  <base>/m/<id>              a merchant's listing (placard)
 *   kind 'w'  <base>/w/<id>              a wish (notice board)
 *   kind 'c'  <base>/c/<id>              a published compact
 *   kind 'h'  <base>/w/<id>?code=<code>  a wish at hand-over, with its
 *             one-time code; the same page as 'w', so a phone that is not
 *             the merchant's client still shows the wish, and the client
 *             finds the code in the query.
 * @param[in] base "http://" or "https://" (any case) followed by a host and
 *  optional path, valid UTF-8 without spaces, control characters, '?' or
 *  '#'; trailing '/' are dropped. CJK in the path is kept as UTF-8.
 * @param[in] code NULL unless kind is 'h'; then 1..SJ_QR_MAX_CODE bytes
 *  of [A-Za-z0-9_-].
 * @param[out] buf receives the NUL-terminated URL.
 * @return 0, or SJ_EINVAL for a bad base, kind or code, or when the URL
 *  would not fit in cap or exceed SJ_QR_MAX_URL bytes (buf is then ""). */
int sj_qr_url(char *buf, size_t cap, const char *base, char kind, uint64_t id,
              const char *code);

/* Parse a level name "L", "M", "Q", "H" (any case). 0 or SJ_EINVAL. */
int sj_qr_level_parse(const char *s, sj_qr_level_t *level);

/* The level's letter: 'L', 'M', 'Q' or 'H' ('?' when out of range). */
char sj_qr_level_letter(sj_qr_level_t level);

/* Parse a format name "png", "svg", "text" (any case). 0 or SJ_EINVAL. */
int sj_qr_format_parse(const char *s, sj_qr_format_t *fmt);

#endif
