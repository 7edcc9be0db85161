/* The help of every `shangju` command, generated from its option table
 * (sj_cli_spec_t): the usage line, the about text, and one line per
 * option with its help and the limit the parser enforces, so the help
 * cannot drift from the code. */
#include "cli.h"

#include <string.h>

#define WIDTH 79   /* columns of a help line */
#define OPT_COL 24 /* where an option's help starts */

static void (*help_seen)(const sj_cli_spec_t *spec);

void sj_cli_on_help(void (*fn)(const sj_cli_spec_t *spec))
{
    help_seen = fn;
}

/* Display columns of UTF-8 text, one per character (good enough for the
 * English help; wide characters are issue 15's). */
static size_t cols(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* Write the len bytes at text wrapped at WIDTH, continuation lines
 * indented by indent; *col is the current column, updated. */
static void wrap_n(FILE *out, const char *text, size_t len, size_t indent,
                   size_t *col)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        size_t word = sp ? (size_t)(sp - p) : (size_t)(end - p);
        size_t w = cols(p, word);
        if (*col > indent && *col + 1 + w > WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            *col = indent;
        } else if (*col > indent) {
            fputc(' ', out);
            (*col)++;
        }
        fwrite(p, 1, word, out);
        *col += w;
        p += word;
        while (p < end && *p == ' ')
            p++;
    }
}

static void wrap(FILE *out, const char *text, size_t indent, size_t *col)
{
    wrap_n(out, text, strlen(text), indent, col);
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
    size_t col = 0, indent;
    fprintf(out, "usage: shangju%s%s", spec->path ? " " : "",
            spec->path ? spec->path : "");
    col =
        strlen("usage: shangju") + (spec->path ? 1 + cols(spec->path, 999) : 0);
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

/* The limit part of an option's help: "(required; up to 200 characters)". */
static void limit_text(char *buf, size_t cap, const sj_cli_arg_t *a)
{
    size_t n = 0;
    buf[0] = '\0';
#define ADD(...)                                                               \
    do {                                                                       \
        if (n < cap)                                                           \
            n += (size_t)snprintf(buf + n, cap - n, "%s", n ? "; " : "(");     \
        if (n < cap)                                                           \
            n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);              \
    } while (0)
    if (a->required)
        ADD("required");
    switch (a->kind) {
    case SJ_CLI_STR:
        ADD("up to %llu character%s", (unsigned long long)a->max,
            a->max == 1 ? "" : "s");
        break;
    case SJ_CLI_U32:
    case SJ_CLI_U64:
        if (a->max)
            ADD("at most %llu", (unsigned long long)a->max);
        break;
    case SJ_CLI_LIST:
        ADD("repeat, up to %u times", a->count);
        if (a->max)
            ADD("each up to %llu characters", (unsigned long long)a->max);
        break;
    case SJ_CLI_ENUM:
        ADD("one of:");
        for (unsigned i = 0; a->en && i < a->en->n_values; i++) {
            const char *v = sj_enum_short(a->en, a->en->values[i].value);
            if (a->en->values[i].value != 0 && v && n < cap)
                n += (size_t)snprintf(buf + n, cap - n, "%s%s",
                                      buf[n - 1] == ':' ? " " : ", ", v);
        }
        break;
    case SJ_CLI_LOCAL:
    case SJ_CLI_FLAG:
        break;
    }
#undef ADD
    if (n && n + 1 < cap)
        strcat(buf, ")");
}

static void option_line(FILE *out, const sj_cli_arg_t *a)
{
    char left[96], limit[256];
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
    wrap(out, a->help ? a->help : "", OPT_COL, &col);
    limit_text(limit, sizeof limit, a);
    if (*limit)
        wrap(out, limit, OPT_COL, &col);
    fputc('\n', out);
}

void sj_cli_help(FILE *out, const sj_cli_spec_t *spec)
{
    if (help_seen)
        help_seen(spec);
    usage_line(out, spec);
    if (spec->about && *spec->about) {
        fputc('\n', out);
        paragraphs(out, spec->about);
    }
    fputs("\nOptions:\n", out);
    for (size_t i = 0; i < spec->n; i++)
        option_line(out, &spec->opts[i]);
    fprintf(out, "  -h, --help%*sthis help\n", OPT_COL - 12, "");
}
