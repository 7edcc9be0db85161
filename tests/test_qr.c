/* broker/qr and broker/placard: every image is decoded by zbarimg and must
 * give back the exact URL bytes (SVG through rsvg-convert, terminal text
 * re-rasterised here); SVG is well-formed (xmllint); bad input is refused
 * cleanly. Set SJ_QR_KEEP=1 to keep the images and print their folder. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "placard.h"
#include "qr.h"
#include "sj_error.h"

static char dir[64];

/* Under LeakSanitizer (make sanitize): fontconfig keeps a few bytes it
 * allocates while parsing its configuration once per process, out of
 * reach of any pointer. Not ours to free; everything else is checked. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

/* ---- helpers ---- */

static void path_of(char *p, size_t cap, const char *name)
{
    int n = snprintf(p, cap, "%s/%s", dir, name);
    ck_assert(n > 0 && (size_t)n < cap);
}

static void write_file(const char *name, const void *data, size_t n)
{
    char p[256];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Run cmd (paths are mkdtemp names: no quoting needed), capture up to cap
 * bytes of stdout; returns the byte count, *status the exit status. */
static size_t run(const char *cmd, char *out, size_t cap, int *status)
{
    FILE *f = popen(cmd, "r");
    ck_assert_msg(f != NULL, "popen %s", cmd);
    size_t n = fread(out, 1, cap, f);
    int st = pclose(f);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return n;
}

/* zbarimg must find exactly one symbol in the image, and its bytes must be
 * want's bytes exactly. With -Sbinary zbar prints the raw data alone; by
 * default it guesses the charset (as phone scanners do) and converts to
 * UTF-8, then adds '\n': both must give the URL back. */
static void expect_scan(const char *name, const char *want)
{
    char cmd[512], p[256], got[8192];
    int st;
    size_t w = strlen(want);
    path_of(p, sizeof p, name);
    for (int binary = 1; binary >= 0; binary--) {
        snprintf(cmd, sizeof cmd, "zbarimg --nodbus --raw -q %s %s",
                 binary ? "-Sbinary" : "", p);
        size_t n = run(cmd, got, sizeof got - 1, &st);
        got[n] = '\0';
        ck_assert_msg(st == 0, "%s: exit %d", cmd, st);
        size_t nl = binary ? 0 : 1;
        ck_assert_msg(n == w + nl && memcmp(got, want, w) == 0 &&
                          (binary || got[w] == '\n'),
                      "%s decoded %zu bytes \"%.200s\", want %zu \"%.200s\"",
                      cmd, n, got, w, want);
    }
}

static void expect_xml(const char *name)
{
    char cmd[512], p[256], got[4096];
    int st;
    path_of(p, sizeof p, name);
    snprintf(cmd, sizeof cmd, "xmllint --noout %s 2>&1", p);
    size_t n = run(cmd, got, sizeof got - 1, &st);
    got[n] = '\0';
    ck_assert_msg(st == 0 && n == 0, "xmllint %s: %s", name, got);
}

/* SVG file name.svg → name.svg.png with rsvg-convert at zoom. */
static void svg_to_png(const char *name, const char *zoom)
{
    char cmd[768], p[256], got[4096];
    int st;
    path_of(p, sizeof p, name);
    snprintf(cmd, sizeof cmd,
             "rsvg-convert -z %s -b white -f png -o %s.png %s 2>&1", zoom, p,
             p);
    size_t n = run(cmd, got, sizeof got - 1, &st);
    got[n] = '\0';
    ck_assert_msg(st == 0, "rsvg-convert %s: %s", name, got);
}

/* PDF file name.pdf → name.pdf.png (its one page) with pdftoppm at dpi. */
static void pdf_to_png(const char *name, int dpi)
{
    char cmd[1400], p[256], got[4096];
    int st;
    path_of(p, sizeof p, name);
    snprintf(cmd, sizeof cmd,
             "pdftoppm -r %d -png -singlefile %s %s.pdf.png.tmp 2>&1 && "
             "mv %s.pdf.png.tmp.png %s.png",
             dpi, p, p, p, p);
    size_t n = run(cmd, got, sizeof got - 1, &st);
    got[n] = '\0';
    ck_assert_msg(st == 0, "pdftoppm %s: %s", name, got);
}

static void render_ok(const char *text, const sj_qr_opts_t *o,
                      sj_qr_format_t fmt, const char *name)
{
    uint8_t *img = NULL;
    size_t len = 0;
    char why[200];
    int rc = sj_qr_render(text, o, fmt, &img, &len);
    sj_qr_check(text, o, fmt, why, sizeof why);
    ck_assert_msg(rc == 0, "render %s: %d %s", name, rc, why);
    ck_assert(img != NULL && len > 0 && len <= SJ_QR_MAX_OUTPUT);
    write_file(name, img, len);
    free(img);
}

static int version_of(const char *text, sj_qr_level_t level)
{
    sj_qr_t *qr = NULL;
    ck_assert_int_eq(sj_qr_encode(text, level, &qr), 0);
    int v = sj_qr_version(qr);
    ck_assert_uint_eq(sj_qr_width(qr), 17 + 4 * (unsigned)v);
    sj_qr_destroy(&qr);
    sj_qr_destroy(&qr); /* safe twice */
    return v;
}

/* ---- the URLs every image below carries ---- */

#define BASE "https://shangju.example.cn/"
#define CJK_BASE                                                                                \
    "https://商居联盟.example.cn/上海市/长宁区/新华路街道/番禺路社区/"      \
    "心愿墙/中秋节前学做月饼/老两口重拍结婚照/社区合伙人/商居联盟/" \
    "一家店认领一个心愿/谈约签约亮约履约信约评约/志愿积分/"            \
    "居委会公告栏/街坊邻里/便民服务/"                                             \
    "王阿姨老上海点心铺/鲜肉月饼/苏式月饼/葱油饼/亲子烘焙课"

static char url_m[SJ_QR_MAX_URL + 1], url_w[SJ_QR_MAX_URL + 1],
    url_h[SJ_QR_MAX_URL + 1], url_cjk[SJ_QR_MAX_URL + 1];
static const char url_tiny[] = "http://sj.cn/m/7";

static void make_urls(void)
{
    ck_assert_int_eq(sj_qr_url(url_m, sizeof url_m, BASE, 'm', 42, NULL), 0);
    ck_assert_int_eq(
        sj_qr_url(url_w, sizeof url_w, BASE "//", 'w', 1234567, NULL), 0);
    ck_assert_int_eq(sj_qr_url(url_h, sizeof url_h, BASE, 'h',
                               18446744073709551615u, "Xk3-9_pQzR"),
                     0);
    ck_assert_int_eq(
        sj_qr_url(url_cjk, sizeof url_cjk, CJK_BASE, 'h', 987654321, "月"),
        SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(url_cjk, sizeof url_cjk, CJK_BASE, 'h',
                               987654321, "a1B2c3D4e5F6"),
                     0);
}

/* ---- tests ---- */

START_TEST(urls)
{
    char b[256];
    make_urls();
    ck_assert_str_eq(url_m, "https://shangju.example.cn/m/42");
    ck_assert_str_eq(url_w, "https://shangju.example.cn/w/1234567");
    ck_assert_str_eq(url_h, "https://shangju.example.cn/w/"
                            "18446744073709551615?code=Xk3-9_pQzR");
    ck_assert_int_eq(sj_qr_url(b, sizeof b, "HTTP://x.cn/a/", 'c', 0, NULL), 0);
    ck_assert_str_eq(b, "HTTP://x.cn/a/c/0");
    ck_assert_int_eq(sj_qr_url(b, sizeof b, "http://商居.cn", 'm', 5, NULL), 0);
    ck_assert_str_eq(b, "http://商居.cn/m/5");

    /* Refused: scheme, empty host, '?', '#', space, control, kinds, codes,
     * and a buffer too small (which is left empty). */
    const char *bad[] = {"ftp://x.cn", "x.cn",       "http://",
                         "https:///",  "http:///x",  "http://x.cn/?a=1",
                         "http://x#y", "http://x y", "http://x\ty",
                         "",           "https:/x.cn"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        strcpy(b, "junk");
        ck_assert_msg(sj_qr_url(b, sizeof b, bad[i], 'm', 1, NULL) == SJ_EINVAL,
                      "base %s accepted", bad[i]);
        ck_assert_str_eq(b, "");
    }
    ck_assert_int_eq(sj_qr_url(b, sizeof b, NULL, 'm', 1, NULL), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'x', 1, NULL), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'm', 1, "abc"), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, NULL), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, ""), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, "a b"), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, "a&b=c"), SJ_EINVAL);
    char code[SJ_QR_MAX_CODE + 2];
    memset(code, 'k', sizeof code - 1);
    code[sizeof code - 1] = '\0';
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, code), SJ_EINVAL);
    code[SJ_QR_MAX_CODE] = '\0';
    ck_assert_int_eq(sj_qr_url(b, sizeof b, BASE, 'h', 1, code), 0);
    ck_assert_int_eq(sj_qr_url(b, 31, BASE, 'm', 42, NULL), SJ_EINVAL);
    ck_assert_str_eq(b, "");
    ck_assert_int_eq(sj_qr_url(b, 32, BASE, 'm', 42, NULL), 0);
}
END_TEST

START_TEST(names)
{
    sj_qr_level_t l;
    sj_qr_format_t f;
    ck_assert_int_eq(sj_qr_level_parse("q", &l), 0);
    ck_assert_int_eq(l, SJ_QR_LEVEL_Q);
    ck_assert_int_eq(sj_qr_level_parse("H", &l), 0);
    ck_assert_int_eq(l, SJ_QR_LEVEL_H);
    ck_assert_int_eq(sj_qr_level_parse("X", &l), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_level_parse("", &l), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_level_parse("MM", &l), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_level_letter(SJ_QR_LEVEL_L), 'L');
    ck_assert_int_eq(sj_qr_level_letter((sj_qr_level_t)9), '?');
    ck_assert_int_eq(sj_qr_format_parse("SVG", &f), 0);
    ck_assert_int_eq(f, SJ_QR_SVG);
    ck_assert_int_eq(sj_qr_format_parse("text", &f), 0);
    ck_assert_int_eq(f, SJ_QR_TEXT);
    ck_assert_int_eq(sj_qr_format_parse("jpeg", &f), SJ_EINVAL);
}
END_TEST

/* Smallest to long CJK, every level, PNG and SVG → PNG, all decoded. */
START_TEST(scan_png_and_svg)
{
    make_urls();
    ck_assert_int_le(version_of(url_tiny, SJ_QR_LEVEL_L), 1);
    ck_assert_int_le(version_of(url_tiny, SJ_QR_LEVEL_M), 2);
    int v = version_of(url_cjk, SJ_QR_LEVEL_M);
    ck_assert_msg(v >= 15 && v <= 25, "CJK URL is version %d at M (%zu bytes)",
                  v, strlen(url_cjk));
    ck_assert_int_gt(version_of(url_cjk, SJ_QR_LEVEL_H), v);

    const struct {
        const char *name, *url;
    } cases[] = {{"tiny", url_tiny},
                 {"merchant", url_m},
                 {"wish", url_w},
                 {"handover", url_h},
                 {"cjk", url_cjk}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int lv = SJ_QR_LEVEL_L; lv <= SJ_QR_LEVEL_H; lv++) {
            sj_qr_opts_t o = SJ_QR_OPTS_INIT;
            o.level = (sj_qr_level_t)lv;
            /* Vary the sizes: small modules, a wide quiet zone. */
            o.module_px = (unsigned)(3 + lv * 2);
            o.quiet = lv == SJ_QR_LEVEL_H ? SJ_QR_QUIET_MAX : SJ_QR_QUIET_MIN;
            char name[64];
            snprintf(name, sizeof name, "%s-%c.png", cases[i].name,
                     sj_qr_level_letter(o.level));
            render_ok(cases[i].url, &o, SJ_QR_PNG, name);
            expect_scan(name, cases[i].url);

            snprintf(name, sizeof name, "%s-%c.svg", cases[i].name,
                     sj_qr_level_letter(o.level));
            render_ok(cases[i].url, &o, SJ_QR_SVG, name);
            expect_xml(name);
            svg_to_png(name, "1");
            strcat(name, ".png");
            expect_scan(name, cases[i].url);
        }
    }
}
END_TEST

/* Defaults (o == NULL): 8 px modules, quiet 4, 1-bit PNG of known size. */
START_TEST(png_defaults)
{
    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_qr_render(url_tiny, NULL, SJ_QR_PNG, &img, &len), 0);
    ck_assert_uint_gt(len, 33);
    ck_assert_mem_eq(img, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: width, height (version 1 at M: 21 + 8 modules of 8 px), depth
     * 1, colour type 0 (grey). */
    unsigned wpx =
        (unsigned)img[16] << 24 | img[17] << 16 | img[18] << 8 | img[19];
    ck_assert_uint_eq(
        wpx, (17 + 4 * (unsigned)version_of(url_tiny, SJ_QR_LEVEL_M) + 8) * 8);
    ck_assert_int_eq(img[24], 1);
    ck_assert_int_eq(img[25], 0);
    write_file("defaults.png", img, len);
    free(img);
    expect_scan("defaults.png", url_tiny);
}
END_TEST

/* XML metacharacters in the text are escaped in <title>; still scans. */
START_TEST(svg_escapes)
{
    const char *t = "https://x.cn/w/1?a=<b>&c=\"d\"&e='商'";
    render_ok(t, NULL, SJ_QR_SVG, "escape.svg");
    expect_xml("escape.svg");
    svg_to_png("escape.svg", "1");
    expect_scan("escape.svg.png", t);

    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_qr_render(t, NULL, SJ_QR_SVG, &img, &len), 0);
    char *s = strndup((char *)img, len);
    free(img);
    ck_assert_ptr_nonnull(strstr(
        s, "<title>https://x.cn/w/1?a=&lt;b&gt;&amp;c=&quot;d&quot;&amp;e="
           "&apos;商&apos;</title>"));
    ck_assert_ptr_nonnull(strstr(s, "viewBox=\"0 0 "));
    ck_assert_ptr_null(strstr(s, "<b>"));
    free(s);
}
END_TEST

/* Decode one UTF-8 glyph of the TEXT format into its two halves. */
static int glyph(const char **p, int *top, int *bottom)
{
    const unsigned char *s = (const unsigned char *)*p;
    if (s[0] == ' ') {
        *p += 1, *top = *bottom = 0;
        return 1;
    }
    if (s[0] != 0xe2 || s[1] != 0x96)
        return 0;
    switch (s[2]) {
    case 0x80: /* ▀ */
        *top = 1, *bottom = 0;
        break;
    case 0x84: /* ▄ */
        *top = 0, *bottom = 1;
        break;
    case 0x88: /* █ */
        *top = *bottom = 1;
        break;
    default:
        return 0;
    }
    *p += 3;
    return 1;
}

/* Check the TEXT layout, then paint it back into a PGM (4 px per module,
 * ink per polarity) and scan it. */
static void text_scans(const char *url, bool ink_is_dark, const char *name)
{
    sj_qr_opts_t o = SJ_QR_OPTS_INIT;
    o.ink_is_dark = ink_is_dark;
    sj_qr_t *qr = NULL;
    ck_assert_int_eq(sj_qr_encode(url, o.level, &qr), 0);
    unsigned side = sj_qr_width(qr) + 2 * o.quiet;
    sj_qr_destroy(&qr);

    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_qr_render(url, &o, SJ_QR_TEXT, &img, &len), 0);
    char *s = strndup((char *)img, len);
    free(img);
    ck_assert_uint_eq(strlen(s), len); /* no NUL inside */

    enum { PX = 4 };
    size_t w = (size_t)side * PX, h = (side + 1) / 2 * 2 * PX;
    unsigned char *pix = malloc(w * h);
    ck_assert_ptr_nonnull(pix);
    unsigned lines = 0;
    const char *p = s;
    while (*p) {
        unsigned cols = 0;
        while (*p && *p != '\n') {
            int top, bottom;
            ck_assert_msg(glyph(&p, &top, &bottom), "bad glyph at line %u",
                          lines);
            ck_assert_uint_lt(cols, side);
            for (int half = 0; half < 2; half++) {
                int ink = half ? bottom : top;
                int dark = ink_is_dark ? ink : !ink;
                for (int dy = 0; dy < PX; dy++)
                    memset(pix + ((size_t)(lines * 2 + half) * PX + dy) * w +
                               (size_t)cols * PX,
                           dark ? 0 : 255, PX);
            }
            cols++;
        }
        ck_assert_int_eq(*p, '\n');
        ck_assert_uint_eq(cols, side);
        p++, lines++;
    }
    ck_assert_uint_eq(lines, (side + 1) / 2);
    /* The quiet zone: the first line is all light ink (█) or all blank. */
    const char *first = ink_is_dark ? " " : "█";
    for (unsigned i = 0; i < side; i++)
        ck_assert_int_eq(strncmp(s + i * strlen(first), first, strlen(first)),
                         0);
    free(s);

    char head[64];
    int hn = snprintf(head, sizeof head, "P5\n%zu %zu\n255\n", w, h);
    char pgm[128];
    snprintf(pgm, sizeof pgm, "%s.pgm", name);
    char path[256];
    path_of(path, sizeof path, pgm);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(head, 1, (size_t)hn, f), (size_t)hn);
    ck_assert_uint_eq(fwrite(pix, 1, w * h, f), w * h);
    ck_assert_int_eq(fclose(f), 0);
    free(pix);
    expect_scan(pgm, url);
}

START_TEST(text_format)
{
    make_urls();
    text_scans(url_tiny, false, "tiny-text");
    text_scans(url_h, false, "handover-text");
    text_scans(url_cjk, true, "cjk-text-dark");
}
END_TEST

START_TEST(too_long)
{
    char why[200];
    char *t = malloc(3000);
    ck_assert_ptr_nonnull(t);
    memset(t, 'a', 2400);
    t[2400] = '\0';
    uint8_t *img = (uint8_t *)"sentinel";
    size_t len = 99;
    /* Over SJ_QR_MAX_TEXT: refused before encoding. */
    sj_qr_opts_t o = SJ_QR_OPTS_INIT;
    ck_assert_int_eq(sj_qr_render(t, &o, SJ_QR_PNG, &img, &len), SJ_EINVAL);
    ck_assert_ptr_null(img);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(sj_qr_check(t, &o, SJ_QR_PNG, why, sizeof why), SJ_EINVAL);
    ck_assert_str_eq(why, "text too long for a QR code at level M (2400 "
                          "bytes)");
    /* 1700 bytes fit at M (2331) but not at Q (1663): libqrencode says. */
    t[1700] = '\0';
    ck_assert_int_eq(sj_qr_check(t, &o, SJ_QR_PNG, why, sizeof why), 0);
    ck_assert_str_eq(why, "");
    o.level = SJ_QR_LEVEL_Q;
    img = (uint8_t *)"sentinel", len = 99;
    ck_assert_int_eq(sj_qr_render(t, &o, SJ_QR_SVG, &img, &len), SJ_EINVAL);
    ck_assert_ptr_null(img);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(sj_qr_check(t, &o, SJ_QR_PNG, why, sizeof why), SJ_EINVAL);
    ck_assert_str_eq(why, "text too long for a QR code at level Q (1700 "
                          "bytes)");
    o.level = SJ_QR_LEVEL_L;
    /* Longer than the cap at any level: refused before encoding. */
    memset(t, 'a', SJ_QR_MAX_TEXT + 1);
    t[SJ_QR_MAX_TEXT + 1] = '\0';
    for (int f = SJ_QR_PNG; f <= SJ_QR_TEXT; f++) {
        img = (uint8_t *)"sentinel", len = 99;
        ck_assert_int_eq(sj_qr_render(t, &o, (sj_qr_format_t)f, &img, &len),
                         SJ_EINVAL);
        ck_assert_ptr_null(img);
        ck_assert_uint_eq(len, 0);
    }
    ck_assert_int_eq(sj_qr_check(t, &o, SJ_QR_SVG, why, sizeof why), SJ_EINVAL);
    ck_assert_str_eq(why, "text too long for a QR code at level L (2049 "
                          "bytes)");
    free(t);
    /* CJK near the edge at H: 1273 bytes is the most. */
    char cjk[1300 * 3];
    cjk[0] = '\0';
    for (int i = 0; i < 430; i++)
        strcat(cjk, "码");
    o.level = SJ_QR_LEVEL_H;
    ck_assert_int_eq(sj_qr_check(cjk, &o, SJ_QR_TEXT, why, sizeof why),
                     SJ_EINVAL);
    ck_assert_str_eq(why, "text too long for a QR code at level H (1290 "
                          "bytes)");
    /* Truncated messages stay terminated; a NULL message is fine. */
    ck_assert_int_eq(sj_qr_check(cjk, &o, SJ_QR_TEXT, why, 10), SJ_EINVAL);
    ck_assert_str_eq(why, "text too ");
    ck_assert_int_eq(sj_qr_check(cjk, &o, SJ_QR_TEXT, NULL, 0), SJ_EINVAL);
}
END_TEST

START_TEST(bad_options)
{
    char why[200];
    uint8_t *img = NULL;
    size_t len = 0;
    sj_qr_opts_t zero = {0};
    ck_assert_int_eq(sj_qr_render(url_tiny, &zero, SJ_QR_PNG, &img, &len),
                     SJ_EINVAL);
    ck_assert_ptr_null(img);

    sj_qr_opts_t o = SJ_QR_OPTS_INIT;
    o.quiet = 0;
    ck_assert_int_eq(sj_qr_check(url_tiny, &o, SJ_QR_PNG, why, sizeof why),
                     SJ_EINVAL);
    ck_assert_str_eq(why, "quiet zone must be 4..10 modules (got 0)");
    o.quiet = 11;
    ck_assert_int_eq(sj_qr_render(url_tiny, &o, SJ_QR_SVG, &img, &len),
                     SJ_EINVAL);
    o = (sj_qr_opts_t)SJ_QR_OPTS_INIT;
    o.module_px = 0;
    ck_assert_int_eq(sj_qr_check(url_tiny, &o, SJ_QR_PNG, why, sizeof why),
                     SJ_EINVAL);
    ck_assert_str_eq(why, "module size must be 1..40 pixels (got 0)");
    o.module_px = 41;
    ck_assert_int_eq(sj_qr_render(url_tiny, &o, SJ_QR_PNG, &img, &len),
                     SJ_EINVAL);
    o = (sj_qr_opts_t)SJ_QR_OPTS_INIT;
    o.level = (sj_qr_level_t)4;
    ck_assert_int_eq(sj_qr_render(url_tiny, &o, SJ_QR_PNG, &img, &len),
                     SJ_EINVAL);
    ck_assert_int_eq(
        sj_qr_render(url_tiny, NULL, (sj_qr_format_t)3, &img, &len), SJ_EINVAL);
    ck_assert_ptr_null(img);
    ck_assert_uint_eq(len, 0);

    /* Text: empty, NULL, invalid UTF-8, control characters. */
    ck_assert_int_eq(sj_qr_render("", NULL, SJ_QR_PNG, &img, &len), SJ_EINVAL);
    ck_assert_int_eq(sj_qr_render(NULL, NULL, SJ_QR_PNG, &img, &len),
                     SJ_EINVAL);
    ck_assert_int_eq(sj_qr_render("http://x/\xff", NULL, SJ_QR_SVG, &img, &len),
                     SJ_EINVAL);
    ck_assert_int_eq(sj_qr_render("http://x/\x01", NULL, SJ_QR_SVG, &img, &len),
                     SJ_EINVAL);
    ck_assert_ptr_null(img);
    sj_qr_t *qr = (sj_qr_t *)&o;
    ck_assert_int_eq(sj_qr_encode("", SJ_QR_LEVEL_M, &qr), SJ_EINVAL);
    ck_assert_ptr_null(qr);
}
END_TEST

/* The largest image: version 40 at L, 40 px modules, quiet 10 — under the
 * cap, and it scans. */
START_TEST(largest)
{
    char *t = malloc(2900);
    ck_assert_ptr_nonnull(t);
    memcpy(t, "https://x.cn/", 13);
    for (int i = 13; i < 2899; i++)
        t[i] = (char)('a' + i % 26);
    t[2899] = '\0';
    ck_assert_int_eq(sj_qr_check(t, NULL, SJ_QR_PNG, NULL, 0), SJ_EINVAL);
    t[SJ_QR_MAX_TEXT] = '\0';
    sj_qr_opts_t o = {SJ_QR_LEVEL_L, SJ_QR_MODULE_PX_MAX, SJ_QR_QUIET_MAX,
                      false};
    ck_assert_int_ge(version_of(t, o.level), 30);
    for (int f = SJ_QR_PNG; f <= SJ_QR_TEXT; f++) {
        uint8_t *img = NULL;
        size_t len = 0;
        ck_assert_int_eq(sj_qr_render(t, &o, (sj_qr_format_t)f, &img, &len), 0);
        ck_assert_uint_le(len, SJ_QR_MAX_OUTPUT);
        if (f == SJ_QR_PNG)
            write_file("largest.png", img, len);
        free(img);
    }
    o.module_px = 4;
    render_ok(t, &o, SJ_QR_PNG, "largest-small.png");
    expect_scan("largest-small.png", t);
    free(t);
}
END_TEST

/* ---- the placard ---- */

static const char *const specialties[] = {"鲜肉月饼（现烤）",
                                          "苏式月饼 · 五仁 / 豆沙",
                                          "老上海葱油饼",
                                          "",
                                          "中秋节亲子烘焙课：教孩子们学做月饼",
                                          "Custom birthday cakes to order"};

static sj_placard_t shop(void)
{
    sj_placard_t p = {
        .name = "王阿姨老上海点心铺",
        .category = "烘焙 · 点心 Bakery",
        .specialties = specialties,
        .n_specialties = sizeof specialties / sizeof *specialties,
        .address = "长宁区番禺路 123 号（新华路口）",
        .hours = "每天 7:00–19:00，周一休息",
        .url = url_m,
    };
    return p;
}

START_TEST(placard)
{
    make_urls();
    sj_placard_t p = shop();
    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_SVG, &img, &len), 0);
    ck_assert(len > 0 && len <= SJ_PLACARD_MAX_OUTPUT);
    write_file("placard.svg", img, len);
    free(img);
    expect_xml("placard.svg");
    svg_to_png("placard.svg", "2");
    expect_scan("placard.svg.png", url_m);

    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len), 0);
    ck_assert(len > 0 && len <= SJ_PLACARD_MAX_OUTPUT);
    ck_assert_mem_eq(img, "\x89PNG\r\n\x1a\n", 8);
    unsigned wpx =
        (unsigned)img[16] << 24 | img[17] << 16 | img[18] << 8 | img[19];
    unsigned hpx =
        (unsigned)img[20] << 24 | img[21] << 16 | img[22] << 8 | img[23];
    ck_assert_uint_eq(wpx, 874);
    ck_assert_uint_eq(hpx, 1240);
    write_file("placard.png", img, len);
    free(img);
    expect_scan("placard.png", url_m);
}
END_TEST

/* Issue 15: the placard as a PDF page, A5 in points; rendered by poppler,
 * its QR code scans to the URL. */
START_TEST(placard_pdf)
{
    make_urls();
    sj_placard_t p = shop();
    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PDF, &img, &len), 0);
    ck_assert(len > 8 && len <= SJ_PLACARD_MAX_OUTPUT);
    ck_assert_mem_eq(img, "%PDF-", 5);
    write_file("placard.pdf", img, len);
    free(img);
    char cmd[512], path[256], info[4096];
    int st;
    path_of(path, sizeof path, "placard.pdf");
    snprintf(cmd, sizeof cmd, "pdfinfo %s 2>&1", path);
    size_t n = run(cmd, info, sizeof info - 1, &st);
    info[n] = '\0';
    ck_assert_msg(st == 0, "pdfinfo: %s", info);
    /* One A5 page (148 x 210 mm in points), named after the shop. */
    ck_assert_msg(strstr(info, "Pages:           1\n") &&
                      strstr(info, "Page size:       419.528 x 595.276 pts") &&
                      strstr(info, "Title:           王阿姨老上海点心铺"),
                  "pdfinfo: %s", info);
    pdf_to_png("placard.pdf", 150);
    expect_scan("placard.pdf.png", url_m);
}
END_TEST

/* Only the required fields; and everything at its limit with a long CJK
 * URL: the text is cut to fit, the QR code still scans. */
START_TEST(placard_extremes)
{
    make_urls();
    sj_placard_t p = {.name = "小店", .url = url_tiny};
    uint8_t *img = NULL;
    size_t len = 0;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len), 0);
    write_file("placard-min.png", img, len);
    free(img);
    expect_scan("placard-min.png", url_tiny);

    /* The limits are characters (issue 15): 100 Chinese ones are 300
     * bytes. The name has room for one more, the one that is over. */
    static char name[3 * (SJ_PLACARD_MAX_NAME + 1) + 1];
    static char addr[3 * SJ_PLACARD_MAX_ADDRESS + 1];
    static char items[SJ_PLACARD_MAX_SPECIALTIES]
                     [3 * SJ_PLACARD_MAX_SPECIALTY + 1];
    const char *list[SJ_PLACARD_MAX_SPECIALTIES];
    for (int i = 0; i < SJ_PLACARD_MAX_NAME; i++)
        strcat(name, i % 2 ? "铺" : "店");
    for (int i = 0; i < SJ_PLACARD_MAX_ADDRESS; i++)
        strcat(addr, "路");
    for (int i = 0; i < SJ_PLACARD_MAX_SPECIALTIES; i++) {
        for (int j = 0; j < SJ_PLACARD_MAX_SPECIALTY; j++)
            strcat(items[i], "饼");
        list[i] = items[i];
    }
    p = shop();
    p.name = name, p.address = addr, p.specialties = list;
    p.n_specialties = SJ_PLACARD_MAX_SPECIALTIES;
    p.url = url_cjk;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len), 0);
    write_file("placard-max.png", img, len);
    free(img);
    expect_scan("placard-max.png", url_cjk);
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_SVG, &img, &len), 0);
    write_file("placard-max.svg", img, len);
    free(img);
    expect_xml("placard-max.svg");
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PDF, &img, &len), 0);
    write_file("placard-max.pdf", img, len);
    free(img);
    pdf_to_png("placard-max.pdf", 150);
    expect_scan("placard-max.pdf.png", url_cjk);
    /* One character more is over. */
    strcat(name, "店");
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PDF, &img, &len),
                     SJ_EINVAL);
}
END_TEST

START_TEST(placard_refuses)
{
    make_urls();
    uint8_t *img = NULL;
    size_t len = 0;
    sj_placard_t p = shop();
    p.name = NULL;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len),
                     SJ_EINVAL);
    p = shop();
    p.url = "";
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len),
                     SJ_EINVAL);
    p = shop();
    p.n_specialties = SJ_PLACARD_MAX_SPECIALTIES + 1;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_SVG, &img, &len),
                     SJ_EINVAL);
    p = shop();
    p.specialties = NULL;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_SVG, &img, &len),
                     SJ_EINVAL);
    p = shop();
    p.category = "line\nbreak";
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_SVG, &img, &len),
                     SJ_EINVAL);
    char big[SJ_PLACARD_MAX_NAME + 2];
    memset(big, 'n', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    p = shop();
    p.name = big;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len),
                     SJ_EINVAL);
    /* A URL over the field limit (every URL within it fits level Q). */
    static char url[SJ_PLACARD_MAX_URL + 8];
    strcpy(url, "https://x.cn/");
    for (int i = 0; i < 338; i++)
        strcat(url, "码");
    p = shop();
    p.url = url;
    ck_assert_int_eq(sj_placard_render(&p, SJ_PLACARD_PNG, &img, &len),
                     SJ_EINVAL);
    p = shop();
    ck_assert_int_eq(sj_placard_render(&p, (sj_placard_format_t)7, &img, &len),
                     SJ_EINVAL);
    ck_assert_ptr_null(img);
    ck_assert_uint_eq(len, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("qr");
    TCase *tc = tcase_create("qr");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, urls);
    tcase_add_test(tc, names);
    tcase_add_test(tc, png_defaults);
    tcase_add_test(tc, scan_png_and_svg);
    tcase_add_test(tc, svg_escapes);
    tcase_add_test(tc, text_format);
    tcase_add_test(tc, too_long);
    tcase_add_test(tc, bad_options);
    tcase_add_test(tc, largest);
    tcase_add_test(tc, placard);
    tcase_add_test(tc, placard_pdf);
    tcase_add_test(tc, placard_extremes);
    tcase_add_test(tc, placard_refuses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    strcpy(dir, "/tmp/sj-qr-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (getenv("SJ_QR_KEEP")) {
        printf("images kept in %s\n", dir);
    } else {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
