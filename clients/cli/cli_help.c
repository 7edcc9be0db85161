/* The help of every `shangju` command, generated from its option table
 * (sj_cli_spec_t): the usage line, the about text, and one line per
 * option with its help and the limit the parser enforces, so the help
 * cannot drift from the code. */
#include "cli.h"
#include "cli_enums.h"
#include "sj_zone.h"

#include <stdbool.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>
#include <uniwidth.h>

#define WIDTH 79   /* columns of a help line */
#define OPT_COL 24 /* where an option's help starts */

static void (*help_seen)(const sj_cli_spec_t *spec);

void sj_cli_on_help(void (*fn)(const sj_cli_spec_t *spec))
{
    help_seen = fn;
}

/* Display columns of the first n bytes of UTF-8 text s (a Chinese
 * character takes two, a combining mark none). */
static size_t cols(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    int w = u8_width((const uint8_t *)s, len, "UTF-8");
    return w > 0 ? (size_t)w : 0;
}

static bool wide(ucs4_t uc)
{
    return uc_width(uc, "UTF-8") == 2;
}

/* Punctuation that may not start a line, and that may not end one. */
static bool closing(ucs4_t uc)
{
    return uc &&
           (strchr(",.;:!?)]}%", (int)(uc < 128 ? uc : 1)) ||
            (uc >= 128 && u32_strchr(U"，。、；：！？）」』》〉】”’…", uc)));
}

static bool opening(ucs4_t uc)
{
    return uc && (strchr("([{", (int)(uc < 128 ? uc : 1)) ||
                  (uc >= 128 && u32_strchr(U"（「『《〈【“‘", uc)));
}

/* Write the len bytes at text wrapped at WIDTH display columns,
 * continuation lines indented by indent; *col is the current column,
 * updated. Lines break at spaces (dropped) and between Chinese characters
 * (which have no spaces), never before a closing or after an opening
 * punctuation mark. */
static void wrap_n(FILE *out, const char *text, size_t len, size_t indent,
                   size_t *col)
{
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    bool space = true; /* between two calls, as between words */
    while (p < end) {
        if (*p == ' ') {
            space = true;
            p++;
            continue;
        }
        const uint8_t *seg = p;
        size_t w = 0;
        ucs4_t prev = 0, uc;
        while (p < end && *p != ' ') {
            int n = u8_mbtouc(&uc, p, (size_t)(end - p));
            if (p > seg && (wide(prev) || wide(uc)) && !closing(uc) &&
                !opening(prev))
                break; /* a place to break between Chinese characters */
            int cw = uc_width(uc, "UTF-8");
            w += cw > 0 ? (size_t)cw : 0;
            prev = uc;
            p += n;
        }
        if (*col > indent && *col + (space ? 1 : 0) + w > WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            *col = indent;
        } else if (*col > indent && space) {
            fputc(' ', out);
            (*col)++;
        }
        fwrite(seg, 1, (size_t)(p - seg), out);
        *col += w;
        space = false;
    }
}

static void wrap(FILE *out, const char *text, size_t indent, size_t *col)
{
    wrap_n(out, text, strlen(text), indent, col);
}

/* The numbers and defaults help texts name, as "{NAME}" (one literal per
 * text for xgettext; the value is the code's, so help cannot drift). */
static const struct {
    const char *name, *value;
} constants[] = {
    {"MAX_TITLE", SJ_STR(SJ_MAX_TITLE)},
    {"MAX_NAME", SJ_STR(SJ_MAX_NAME)},
    {"MAX_NOTE", SJ_STR(SJ_MAX_NOTE)},
    {"MAX_WHAT", SJ_STR(SJ_MAX_WHAT)},
    {"MAX_HOW_OFTEN", SJ_STR(SJ_MAX_HOW_OFTEN)},
    {"MAX_COVENANT", SJ_STR(SJ_MAX_COVENANT)},
    {"MAX_POINTS", SJ_STR(SJ_MAX_POINTS)},
    {"MAX_STARS", SJ_STR(SJ_MAX_STARS)},
    {"MAX_RANKING", SJ_STR(SJ_MAX_RANKING)},
    {"MAX_BACKUP_NAME", SJ_STR(SJ_MAX_BACKUP_NAME)},
    {"MIN_PARTIES", SJ_STR(SJ_MIN_PARTIES)},
    {"MIN_QR_QUIET", SJ_STR(SJ_MIN_QR_QUIET)},
    {"DEFAULT_PAGE", SJ_STR(SJ_DEFAULT_PAGE)},
    {"DATA_DIR", SJ_CLI_DATA_DEFAULT},
    {"REQUESTS", SJ_CLIENT_REQUESTS},
    {"EVENTS", SJ_CLIENT_EVENTS},
    {"TIMEOUT_MS", SJ_STR(SJ_CLIENT_TIMEOUT_MS)},
    {"RETRIES", SJ_STR(SJ_CLIENT_RETRIES)},
    {"TIME_ZONE", SJ_ZONE_DEFAULT},
};

const char *sj_cli_glue(const char *word)
{
    size_t n = strlen(word);
    return n && (unsigned char)word[n - 1] >= 0x80 ? "" : " ";
}

const char *sj_cli_expand(const char *text, char *buf, size_t cap)
{
    size_t n = 0;
    if (!cap)
        return "";
    while (*text && n + 1 < cap) {
        size_t k =
            *text == '{' ? strspn(text + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") : 0;
        const char *value = NULL;
        if (k && text[1 + k] == '}')
            for (size_t i = 0; i < sizeof constants / sizeof *constants; i++)
                if (strlen(constants[i].name) == k &&
                    memcmp(constants[i].name, text + 1, k) == 0)
                    value = constants[i].value;
        if (!value) {
            buf[n++] = *text++;
            continue;
        }
        int w = snprintf(buf + n, cap - n, "%s", value);
        n = w < 0 || (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
        text += k + 2;
    }
    buf[n] = '\0';
    return buf;
}

/* Paragraphs: each '\n' in text is a line break kept, the rest wrapped. */
static void paragraphs(FILE *out, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n"), col = 0;
        wrap_n(out, text, n, 0, &col);
        fputc('\n', out);
        text += n + (text[n] == '\n');
    }
}

/* The token of option a in the usage line: "--name META", "[--name]",
 * "[--name META]...". */
static void usage_token(char *buf, size_t cap, const sj_cli_arg_t *a)
{
    const char *open = a->required ? "" : "[", *close = a->required ? "" : "]";
    char name[64];
    if (a->shrt) /* the short form is the one people type */
        snprintf(name, sizeof name, "-%c", a->shrt);
    else
        snprintf(name, sizeof name, "--%s", a->name);
    if (a->kind == SJ_CLI_FLAG)
        snprintf(buf, cap, "%s%s%s", open, name, close);
    else
        snprintf(buf, cap, "%s%s %s%s%s", open, name,
                 a->meta ? a->meta : "VALUE", close,
                 a->kind == SJ_CLI_LIST ? "..." : "");
}

static void usage_line(FILE *out, const sj_cli_spec_t *spec)
{
    char tok[128];
    /* TRANSLATORS: starts the usage line: "usage: shangju wish post ...". */
    const char *usage = _("usage:");
    size_t col = 0, indent;
    const char *sp = sj_cli_glue(usage);
    fprintf(out, "%s%sshangju%s%s", usage, sp, spec->path ? " " : "",
            spec->path ? spec->path : "");
    col = cols(usage, strlen(usage)) + strlen(sp) + strlen("shangju") +
          (spec->path ? 1 + cols(spec->path, strlen(spec->path)) : 0);
    indent = col + 1 < 40 ? col + 1 : 40;
    /* Commands: ARGS first; the program itself: COMMAND last. */
    if (spec->path && spec->args) {
        if (col < indent) { /* wrap() spaces words after the indent only */
            fputc(' ', out);
            col++;
        }
        wrap(out, spec->args, indent, &col);
    }
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < spec->n; i++) {
            if (spec->opts[i].required != (pass == 0))
                continue;
            usage_token(tok, sizeof tok, &spec->opts[i]);
            /* A token is never broken across lines. */
            if (col > indent && col + 1 + cols(tok, sizeof tok) > WIDTH) {
                fprintf(out, "\n%*s", (int)indent, "");
                col = indent;
            } else {
                fputc(' ', out);
                col++;
            }
            fputs(tok, out);
            col += cols(tok, sizeof tok);
        }
    if (!spec->path && spec->args)
        wrap(out, spec->args, indent, &col);
    fputc('\n', out);
}

/* Append one part of the limit text to buf (n bytes used), after the
 * separator when it is not the first. */
static size_t add_part(char *buf, size_t cap, size_t n, const char *part)
{
    /* TRANSLATORS: between the parts of an option's limits, as in
     * "(required; up to 200 characters)". */
    const char *sep = _("; ");
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? sep : "", part);
    return n < cap ? n : cap - 1;
}

/* The limit part of an option's help in the user's language:
 * "(required; up to 200 characters)". */
static void limit_text(char *buf, size_t cap, const sj_cli_arg_t *a)
{
    char parts[512] = "", part[448];
    size_t n = 0;
    unsigned long long max = a->max;
    buf[0] = '\0';
    if (a->required)
        n = add_part(parts, sizeof parts, n, _("required"));
    switch (a->kind) {
    case SJ_CLI_STR:
        snprintf(part, sizeof part,
                 a->bytes ? dngettext(SJ_TEXTDOMAIN, "up to %llu byte",
                                      "up to %llu bytes", max)
                          : dngettext(SJ_TEXTDOMAIN, "up to %llu character",
                                      "up to %llu characters", max),
                 max);
        n = add_part(parts, sizeof parts, n, part);
        break;
    case SJ_CLI_U32:
    case SJ_CLI_U64:
        if (a->max) {
            snprintf(part, sizeof part, _("at most %llu"), max);
            n = add_part(parts, sizeof parts, n, part);
        }
        break;
    case SJ_CLI_LIST:
        snprintf(part, sizeof part,
                 dngettext(SJ_TEXTDOMAIN, "repeat, up to %u time",
                           "repeat, up to %u times", a->count),
                 a->count);
        n = add_part(parts, sizeof parts, n, part);
        if (a->max) {
            snprintf(part, sizeof part,
                     dngettext(SJ_TEXTDOMAIN, "each up to %llu character",
                               "each up to %llu characters", max),
                     max);
            n = add_part(parts, sizeof parts, n, part);
        }
        break;
    case SJ_CLI_ENUM: {
        char choices[384];
        snprintf(part, sizeof part, _("one of: %s"),
                 sj_cli_enum_choices(a->en, choices, sizeof choices));
        n = add_part(parts, sizeof parts, n, part);
        break;
    }
    case SJ_CLI_LOCAL:
    case SJ_CLI_FLAG:
        break;
    }
    if (n)
        /* TRANSLATORS: the limits after an option's help, in brackets. */
        snprintf(buf, cap, _("(%s)"), parts);
}

static void option_line(FILE *out, const sj_cli_arg_t *a)
{
    char left[96], limit[600], help[1024];
    const char *meta = a->kind == SJ_CLI_FLAG ? "" : a->meta ? a->meta : "V";
    const char *sp = *meta ? " " : "";
    int n = a->shrt
                ? snprintf(left, sizeof left, "  -%c, --%s%s%s", a->shrt,
                           a->name, sp, meta)
                : snprintf(left, sizeof left, "  --%s%s%s", a->name, sp, meta);
    if (n < 0 || (size_t)n >= sizeof left)
        n = (int)strlen(left);
    fputs(left, out);
    size_t col = (size_t)n;
    if (col + 1 >= OPT_COL) {
        fprintf(out, "\n%*s", OPT_COL, "");
    } else
        fprintf(out, "%*s", (int)(OPT_COL - col), "");
    col = OPT_COL;
    if (a->help && *a->help)
        sj_cli_expand(_(a->help), help, sizeof help);
    else
        help[0] = '\0';
    limit_text(limit, sizeof limit, a);
    /* No space before a limit in full-width brackets: "说明（必填）". */
    if (*limit && *help) {
        size_t h = strlen(help);
        snprintf(help + h, sizeof help - h, "%s%s",
                 (unsigned char)limit[0] >= 0x80 ? "" : " ", limit);
    } else if (*limit)
        snprintf(help, sizeof help, "%s", limit);
    wrap(out, help, OPT_COL, &col);
    fputc('\n', out);
}

void sj_cli_help(FILE *out, const sj_cli_spec_t *spec)
{
    if (help_seen)
        help_seen(spec);
    usage_line(out, spec);
    if (spec->about && *spec->about) {
        fputc('\n', out);
        char buf[4096];
        paragraphs(out, sj_cli_expand(_(spec->about), buf, sizeof buf));
    }
    fprintf(out, "\n%s\n", _("Options:"));
    for (size_t i = 0; i < spec->n; i++)
        option_line(out, &spec->opts[i]);
    fprintf(out, "  -h, --help%*s%s\n", OPT_COL - 12, "", _("this help"));
}
