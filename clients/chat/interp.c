/* The chat bridge's command reader (see interp.h): clean the text, NFKC it
 * with GLib, find the command word (Chinese by prefix, English as a word,
 * near misses by edit distance or a list of input-method slips), then read
 * the arguments: ids and ratings in digits or Chinese numerals, codes,
 * languages, the wish's text. */
#include "interp.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    sj_cmd_kind_t kind;
    const char *word;
} word_t;

/* Command words. Chinese words match as a prefix (Chinese needs no space
 * after them); English words as a whole word, any case. */
static const word_t zh_words[] = {
    {SJ_CMD_MINE, "我的心愿"},
    {SJ_CMD_MINE, "我的愿望"},
    {SJ_CMD_MINE, "我的"},
    {SJ_CMD_WISH, "心愿"},
    {SJ_CMD_WISH, "许愿"},
    {SJ_CMD_WISH, "愿望"},
    {SJ_CMD_SHOW, "查看"},
    {SJ_CMD_SHOW, "看"},
    {SJ_CMD_CANCEL, "取消"},
    {SJ_CMD_THANKS, "谢谢"},
    {SJ_CMD_THANKS, "感谢"},
    {SJ_CMD_THANKS, "确认"},
    {SJ_CMD_POINTS, "积分"},
    {SJ_CMD_JOIN, "加入"},
    {SJ_CMD_LANG, "语言"},
    {SJ_CMD_HELP, "帮助"},
    {SJ_CMD_HELP, "菜单"},
    {SJ_CMD_HELP, "?"},
    {SJ_CMD_POINTS, "我的积分"}, /* before 我的 */
    /* a greeting gets the menu */
    {SJ_CMD_HELP, "你好"},
    {SJ_CMD_HELP, "您好"},
    {SJ_CMD_HELP, "在吗"},
};

static const word_t en_words[] = {
    {SJ_CMD_MINE, "my wishes"},   {SJ_CMD_MINE, "mine"},
    {SJ_CMD_WISH, "wish"},        {SJ_CMD_SHOW, "show"},
    {SJ_CMD_SHOW, "view"},        {SJ_CMD_CANCEL, "cancel"},
    {SJ_CMD_THANKS, "thank you"}, {SJ_CMD_THANKS, "thanks"},
    {SJ_CMD_THANKS, "thank"},     {SJ_CMD_THANKS, "confirm"},
    {SJ_CMD_POINTS, "points"},    {SJ_CMD_JOIN, "join"},
    {SJ_CMD_LANG, "language"},    {SJ_CMD_LANG, "lang"},
    {SJ_CMD_HELP, "help"},        {SJ_CMD_HELP, "menu"},
    {SJ_CMD_HELP, "hello"},       {SJ_CMD_HELP, "hi"},
};

/* Slips of pinyin input methods (same sound, other character), read as
 * near misses of the command they sound like. */
static const word_t zh_slips[] = {
    {SJ_CMD_WISH, "心原"},   {SJ_CMD_WISH, "新愿"},   {SJ_CMD_WISH, "心院"},
    {SJ_CMD_WISH, "许原"},   {SJ_CMD_CANCEL, "取销"}, {SJ_CMD_CANCEL, "去消"},
    {SJ_CMD_POINTS, "积份"}, {SJ_CMD_POINTS, "基分"}, {SJ_CMD_HELP, "帮主"},
    {SJ_CMD_HELP, "帮组"},   {SJ_CMD_JOIN, "加人"},   {SJ_CMD_JOIN, "家入"},
    {SJ_CMD_THANKS, "谢了"},
};

/* The words replies use for each command. */
static const char *const reply_words[SJ_CMD__COUNT][SJ_LANG_COUNT] = {
    [SJ_CMD_WISH] = {"心愿", "wish"},     [SJ_CMD_MINE] = {"我的心愿", "mine"},
    [SJ_CMD_SHOW] = {"看", "show"},       [SJ_CMD_CANCEL] = {"取消", "cancel"},
    [SJ_CMD_THANKS] = {"谢谢", "thanks"}, [SJ_CMD_POINTS] = {"积分", "points"},
    [SJ_CMD_JOIN] = {"加入", "join"},     [SJ_CMD_LANG] = {"语言", "lang"},
    [SJ_CMD_HELP] = {"帮助", "help"},
};

const char *sj_chat_cmd_word(sj_cmd_kind_t kind, sj_lang_t lang)
{
    if (kind <= 0 || kind >= SJ_CMD__COUNT || lang >= SJ_LANG_COUNT ||
        !reply_words[kind][lang])
        return "";
    return reply_words[kind][lang];
}

bool sj_chat_cmd_changes(sj_cmd_kind_t kind)
{
    return kind == SJ_CMD_WISH || kind == SJ_CMD_CANCEL ||
           kind == SJ_CMD_THANKS || kind == SJ_CMD_JOIN || kind == SJ_CMD_LANG;
}

/* ------------------------------------------------------------- cleaning */

/* Characters that change how text is shown without being text: bidi
 * embeddings, overrides and isolates, marks, zero-width characters, BOM. */
static bool invisible(gunichar c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x200E || c == 0x200F || c == 0x061C ||
           (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* Clean valid UTF-8 into a new string: controls -> space (newlines kept),
 * invisible characters dropped, then NFKC. NULL when out of memory. */
static char *clean(const char *s, size_t len)
{
    GString *g = g_string_sized_new(len + 1);
    for (const char *p = s; p < s + len; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\r' && p + 1 < s + len && p[1] == '\n')
            continue; /* CR LF is one line break */
        if (c == '\r' || c == 0x2028 || c == 0x2029 || c == 0x85)
            c = '\n';
        if (invisible(c))
            continue;
        if (c != '\n' && (g_unichar_iscntrl(c) || c == 0x3000))
            c = ' ';
        g_string_append_unichar(g, c);
    }
    char *n = g_utf8_normalize(g->str, (gssize)g->len, G_NORMALIZE_NFKC);
    g_string_free(g, TRUE);
    return n;
}

static bool is_han(gunichar c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF);
}

static void guess_lang(const char *s, sj_cmd_t *cmd)
{
    bool latin = false;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (is_han(c)) {
            cmd->lang_known = true;
            cmd->said_in = SJ_LANG_ZH;
            return;
        }
        if (c < 0x80 && isalpha((int)c))
            latin = true;
    }
    if (latin) {
        cmd->lang_known = true;
        cmd->said_in = SJ_LANG_EN;
    }
}

/* Separators between a command and its arguments: blanks and the
 * punctuation people put there, in both widths (after NFKC: ASCII, plus
 * 。and 、which NFKC leaves alone). */
static bool is_sep(gunichar c)
{
    return c == ' ' || c == '\t' || c == ':' || c == ',' || c == ';' ||
           c == '.' || c == 0x3002 || c == 0x3001 || c == '!';
}

static const char *skip_seps(const char *p)
{
    while (*p && is_sep(g_utf8_get_char(p)))
        p = g_utf8_next_char(p);
    return p;
}

/* Is p at the end of a word: the end, a separator, a newline, '?'. */
static bool at_boundary(const char *p)
{
    gunichar c = g_utf8_get_char(p);
    return !*p || is_sep(c) || c == '\n' || c == '?';
}

/* Copy src into cmd->text without the blanks around it; false if it does
 * not fit. */
static bool set_text(sj_cmd_t *cmd, const char *src, size_t n)
{
    while (n && (src[0] == ' ' || src[0] == '\n')) {
        src++;
        n--;
    }
    while (n && (src[n - 1] == ' ' || src[n - 1] == '\n'))
        n--;
    if (n >= sizeof cmd->text)
        return false;
    memcpy(cmd->text, src, n);
    cmd->text[n] = 0;
    return true;
}

/* NFKC turned the resident's full-width punctuation into ASCII; next to
 * Chinese text put it back, so a wish reads as it was written. */
static void restore_cjk_punct(char *s, size_t cap)
{
    static const struct {
        char ascii;
        const char *wide;
    } map[] = {{',', "，"}, {'!', "！"}, {'?', "？"}, {':', "："},
               {';', "；"}, {'(', "（"}, {')', "）"}};
    GString *g = g_string_sized_new(strlen(s) + 16);
    gunichar prev = 0;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        gunichar next = g_utf8_get_char(g_utf8_next_char(p));
        const char *wide = NULL;
        for (size_t i = 0; i < sizeof map / sizeof *map && c < 0x80; i++)
            if ((char)c == map[i].ascii && (is_han(prev) || is_han(next)))
                wide = map[i].wide;
        if (wide)
            g_string_append(g, wide);
        else
            g_string_append_unichar(g, c);
        prev = c;
    }
    if (g->len < cap)
        memcpy(s, g->str, g->len + 1);
    g_string_free(g, TRUE);
}

/* -------------------------------------------------------------- numbers */

static int han_digit(gunichar c)
{
    static const gunichar d[] = {0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
                                 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D};
    for (int i = 0; i < 10; i++)
        if (c == d[i])
            return i;
    if (c == 0x3007) /* 〇 */
        return 0;
    if (c == 0x4E24) /* 两 */
        return 2;
    return -1;
}

static int han_unit(gunichar c)
{
    return c == 0x5341 ? 10 : c == 0x767E ? 100 : c == 0x5343 ? 1000 : 0;
}

#define NUM_MAX 1000000000000000ULL /* ids stay far below */

/* 十二 = 12, 二十三 = 23, 一百零五 = 105; without units digit by digit:
 * 一二三 = 123. */
static bool han_number(const char **pp, uint64_t *out)
{
    const char *p = *pp;
    uint64_t total = 0, cur = 0, digits = 0;
    bool units = false, any = false;
    for (;; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        int d = han_digit(c), u = han_unit(c);
        if (d < 0 && !u)
            break;
        any = true;
        if (d >= 0) {
            cur = (uint64_t)d;
            if (digits >= NUM_MAX / 10)
                return false;
            digits = digits * 10 + (uint64_t)d;
        } else {
            units = true;
            total += (cur ? cur : 1) * (uint64_t)u;
            cur = 0;
        }
    }
    if (!any)
        return false;
    *out = units ? total + cur : digits;
    *pp = p;
    return true;
}

bool sj_chat_number(const char *s, const char **end, uint64_t *out)
{
    const char *p = s;
    while (*p == ' ')
        p++;
    if (*p == '#')
        p++;
    else if (g_str_has_prefix(p, "第"))
        p += strlen("第");
    else if (g_ascii_strncasecmp(p, "no.", 3) == 0)
        p += 3;
    uint64_t v = 0;
    if (*p >= '0' && *p <= '9') {
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v >= NUM_MAX / 10)
                return false;
            v = v * 10 + (uint64_t)(*p - '0');
        }
    } else if (!han_number(&p, &v)) {
        return false;
    }
    static const char *const suffix[] = {"号", "个", "条", "件"};
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++)
        if (g_str_has_prefix(p, suffix[i])) {
            p += strlen(suffix[i]);
            break;
        }
    *out = v;
    *end = p;
    return true;
}

/* A number that stands alone (followed by a boundary). */
static bool word_number(const char *s, const char **end, uint64_t *out)
{
    const char *e;
    uint64_t v;
    if (!sj_chat_number(s, &e, &v) ||
        !(at_boundary(e) || g_str_has_prefix(e, "心愿") ||
          g_str_has_prefix(e, "的心愿")))
        return false;
    *out = v;
    *end = e;
    return true;
}

/* --------------------------------------------------------- command word */

/* The longest command word at the start of s: its kind, and *rest after
 * it; SJ_CMD_NONE when none. */
static sj_cmd_kind_t match_word(const char *s, const char **rest)
{
    size_t best = 0;
    sj_cmd_kind_t kind = SJ_CMD_NONE;
    for (size_t i = 0; i < sizeof zh_words / sizeof *zh_words; i++) {
        size_t n = strlen(zh_words[i].word);
        if (n > best && strncmp(s, zh_words[i].word, n) == 0) {
            best = n;
            kind = zh_words[i].kind;
        }
    }
    for (size_t i = 0; i < sizeof en_words / sizeof *en_words; i++) {
        size_t n = strlen(en_words[i].word);
        if (n > best && g_ascii_strncasecmp(s, en_words[i].word, n) == 0 &&
            !g_ascii_isalpha(s[n])) {
            best = n;
            kind = en_words[i].kind;
        }
    }
    *rest = s + best;
    return kind;
}

/* Optimal string alignment distance (Damerau-Levenshtein without
 * repeated edits of one substring), for short ASCII words. */
static size_t osa(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

typedef struct {
    sj_cmd_kind_t kind, alt;
    const char *word;
    const char *rest;
} near_t;

/* A near miss of an English command word at the start of s (1 edit for
 * words of 4-6 letters, 2 from 7, none below 4), or of a Chinese one
 * (zh_slips). On a tie of two commands, alt is the second. */
static bool near_miss(const char *s, near_t *n)
{
    for (size_t i = 0; i < sizeof zh_slips / sizeof *zh_slips; i++)
        if (g_str_has_prefix(s, zh_slips[i].word)) {
            n->kind = zh_slips[i].kind;
            n->alt = SJ_CMD_NONE;
            n->word = reply_words[n->kind][SJ_LANG_ZH];
            n->rest = s + strlen(zh_slips[i].word);
            return true;
        }
    char tok[32];
    size_t len = 0;
    while (g_ascii_isalpha(s[len]) && len < sizeof tok - 1) {
        tok[len] = g_ascii_tolower(s[len]);
        len++;
    }
    tok[len] = 0;
    if (len < 4 || g_ascii_isalpha(s[len]))
        return false;
    size_t limit = len >= 7 ? 2 : 1, best = limit + 1;
    n->kind = n->alt = SJ_CMD_NONE;
    for (size_t i = 0; i < sizeof en_words / sizeof *en_words; i++) {
        if (strchr(en_words[i].word, ' '))
            continue;
        size_t d = osa(tok, en_words[i].word);
        if (d > limit || d > best)
            continue;
        if (d < best) {
            best = d;
            n->kind = en_words[i].kind;
            n->alt = SJ_CMD_NONE;
            n->word = en_words[i].word;
        } else if (en_words[i].kind != n->kind) {
            n->alt = en_words[i].kind;
        }
    }
    n->rest = s + len;
    return n->kind != SJ_CMD_NONE;
}

/* ------------------------------------------------------------ arguments */

static bool lang_word(const char *s, sj_lang_t *out)
{
    static const char *const zh[] = {"中文",  "汉语",    "华语", "普通话",
                                     "简体",  "chinese", "zh",   "zh_cn",
                                     "zh-cn", "cn"};
    static const char *const en[] = {"english", "英文", "英语", "en"};
    for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
        if (g_ascii_strcasecmp(s, zh[i]) == 0) {
            *out = SJ_LANG_ZH;
            return true;
        }
    for (size_t i = 0; i < sizeof en / sizeof *en; i++)
        if (g_ascii_strcasecmp(s, en[i]) == 0) {
            *out = SJ_LANG_EN;
            return true;
        }
    return false;
}

/* Drop trailing blanks and full stops (. and 。) in place. */
static void trim_trailer(char *w)
{
    size_t n = strlen(w), dot = strlen("。");
    for (;;) {
        if (n && (w[n - 1] == ' ' || w[n - 1] == '.' || w[n - 1] == '\n'))
            n--;
        else if (n >= dot && memcmp(w + n - dot, "。", dot) == 0)
            n -= dot;
        else
            break;
        w[n] = 0;
    }
}

/* Past the polite words people put before a command (请, 麻烦, 帮我, 我要,
 * 我想, please); p itself when there are none. Only used when a command
 * word follows, so "我想学做月饼" stays the resident's own words. */
static const char *skip_polite(const char *p)
{
    static const char *const polite[] = {"请",   "麻烦", "帮我",
                                         "我要", "我想", "please "};
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < sizeof polite / sizeof *polite; i++)
            if (g_ascii_strncasecmp(p, polite[i], strlen(polite[i])) == 0) {
                p = skip_seps(p + strlen(polite[i]));
                again = true;
            }
    }
    return p;
}

/* The rest after an id: only blanks and closing punctuation (and a
 * trailing 心愿, as in 取消3号心愿). */
static bool only_trailer(const char *p)
{
    p = skip_seps(p);
    if (g_str_has_prefix(p, "的心愿"))
        p += strlen("的心愿");
    else if (g_str_has_prefix(p, "心愿"))
        p += strlen("心愿");
    for (; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (!is_sep(c) && c != '\n' && c != '?')
            return false;
    }
    return true;
}

static void usage(sj_cmd_t *cmd, sj_cmd_kind_t of)
{
    cmd->id = 0;
    cmd->rating = 0;
    cmd->text[0] = 0;
    cmd->kind = SJ_CMD_USAGE;
    cmd->of = of;
}

/* An invite code "ID-NNNNNN", typed with spaces, any dash, or none. */
static void read_code(const char *rest, sj_cmd_t *cmd)
{
    char digits[64];
    size_t n = 0, dash = 0;
    for (const char *p = rest; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c >= '0' && c <= '9' && n < sizeof digits - 2)
            digits[n++] = (char)c;
        else if ((c == '-' || c == 0x2014 || c == 0x2013 || c == '_') && !dash)
            dash = n;
        else if (!is_sep(c) && c != '\n') {
            usage(cmd, SJ_CMD_JOIN);
            return;
        }
    }
    if (n < 7 || n > 26 || (dash && n - dash != 6)) {
        usage(cmd, SJ_CMD_JOIN);
        return;
    }
    size_t id_len = n - 6;
    snprintf(cmd->text, sizeof cmd->text, "%.*s-%.*s", (int)id_len, digits, 6,
             digits + id_len);
    cmd->kind = SJ_CMD_JOIN;
}

/* 谢谢 N [1-5] [words]: the rating may carry 星, 分 or "stars". */
static void read_thanks(const char *rest, sj_cmd_t *cmd)
{
    const char *p;
    if (!word_number(rest, &p, &cmd->id) || !cmd->id) {
        usage(cmd, SJ_CMD_THANKS);
        return;
    }
    if (g_str_has_prefix(p, "的心愿"))
        p += strlen("的心愿");
    else if (g_str_has_prefix(p, "心愿"))
        p += strlen("心愿");
    p = skip_seps(p);
    const char *e;
    uint64_t r;
    if (sj_chat_number(p, &e, &r)) {
        const char *after = e;
        static const char *const units[] = {"星",    "分",   " stars", " star",
                                            "stars", "star", "/5"};
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (g_str_has_prefix(after, units[i])) {
                after += strlen(units[i]);
                break;
            }
        if (at_boundary(after)) {
            if (r < 1 || r > 5) {
                usage(cmd, SJ_CMD_THANKS);
                return;
            }
            cmd->rating = (uint32_t)r;
            p = skip_seps(after);
        }
    }
    if (!set_text(cmd, p, strlen(p))) {
        usage(cmd, SJ_CMD_THANKS);
        return;
    }
    restore_cjk_punct(cmd->text, sizeof cmd->text);
    cmd->kind = SJ_CMD_THANKS;
}

static void read_args(sj_cmd_kind_t kind, const char *rest, sj_cmd_t *cmd)
{
    const char *p = skip_seps(rest), *e;
    switch (kind) {
    case SJ_CMD_WISH:
        if (!set_text(cmd, p, strlen(p))) {
            cmd->kind = SJ_CMD_TOO_LONG;
            return;
        }
        restore_cjk_punct(cmd->text, sizeof cmd->text);
        cmd->kind = kind;
        return;
    case SJ_CMD_SHOW:
    case SJ_CMD_CANCEL:
        if (kind == SJ_CMD_CANCEL && only_trailer(p)) {
            cmd->kind = kind; /* bare 取消: ends a dialogue */
            return;
        }
        if (!word_number(p, &e, &cmd->id) || !cmd->id || !only_trailer(e)) {
            usage(cmd, kind);
            return;
        }
        cmd->kind = kind;
        return;
    case SJ_CMD_THANKS: {
        read_thanks(p, cmd);
        return;
    }
    case SJ_CMD_JOIN: {
        read_code(p, cmd);
        return;
    }
    case SJ_CMD_LANG: {
        char word[64];
        snprintf(word, sizeof word, "%s", p);
        trim_trailer(word);
        cmd->kind = kind;
        if (!*word)
            return;
        if (!lang_word(word, &cmd->lang)) {
            usage(cmd, kind);
            return;
        }
        cmd->has_lang = true;
        return;
    }
    default: /* MINE, POINTS, HELP: whatever follows is ignored */
        cmd->kind = kind;
        return;
    }
}

/* ---------------------------------------------------------------- parse */

static void parse_clean(const char *s, sj_cmd_t *cmd, int depth);

/* Re-read "<word> <rest>" as a guessed command; a guess that would change
 * something becomes a suggestion. */
static void guess(const near_t *n, sj_cmd_t *cmd, int depth)
{
    char fixed[sizeof cmd->suggest];
    const char *rest = skip_seps(n->rest);
    snprintf(fixed, sizeof fixed, "%s%s%s", n->word, *rest ? " " : "", rest);
    /* Cut at a character boundary and at the first line. */
    const char *bad;
    if (!g_utf8_validate(fixed, -1, &bad))
        fixed[bad - fixed] = 0;
    char *nl = strchr(fixed, '\n');
    if (nl)
        *nl = 0;
    if (n->alt != SJ_CMD_NONE || sj_chat_cmd_changes(n->kind)) {
        cmd->kind = SJ_CMD_SUGGEST;
        cmd->of = n->kind;
        cmd->alt = n->alt;
        snprintf(cmd->suggest, sizeof cmd->suggest, "%s", fixed);
        return;
    }
    parse_clean(fixed, cmd, depth + 1);
    cmd->guessed = true;
}

static void parse_clean(const char *s, sj_cmd_t *cmd, int depth)
{
    const char *p = skip_seps(s);
    while (*p == '\n' || *p == ' ')
        p = skip_seps(p + 1);
    if (!*p) {
        cmd->kind = SJ_CMD_NONE;
        return;
    }
    if (*p == '/') /* some people type commands like a bot's */
        p++;

    /* 代 ID … / for ID …: a committee member acting for a resident. Only
     * with a number after it: "For my grandson …" is a resident's words. */
    const char *rest;
    bool zh_for = g_str_has_prefix(p, "代");
    if (depth == 0 && (zh_for || (g_ascii_strncasecmp(p, "for", 3) == 0 &&
                                  !g_ascii_isalpha(p[3])))) {
        const char *q = skip_seps(p + (zh_for ? strlen("代") : 3)), *e;
        uint64_t id;
        if (sj_chat_number(q, &e, &id) && id && at_boundary(e)) {
            parse_clean(e, cmd, depth + 1);
            cmd->for_id = id;
            if (cmd->kind == SJ_CMD_NONE) { /* 代 12 and nothing more */
                cmd->kind = SJ_CMD_USAGE;
                cmd->of = SJ_CMD_NONE;
            }
            if (cmd->kind != SJ_CMD_UNKNOWN)
                return;
            /* "for 5 cakes": no command after the number, so plain words */
            bool known = cmd->lang_known;
            sj_lang_t said = cmd->said_in;
            memset(cmd, 0, sizeof *cmd);
            cmd->lang_known = known;
            cmd->said_in = said;
        }
    }

    /* A language's name alone switches to it. */
    char whole[64];
    snprintf(whole, sizeof whole, "%s", p);
    trim_trailer(whole);
    if (lang_word(whole, &cmd->lang) && strlen(whole) > 2) {
        cmd->kind = SJ_CMD_LANG;
        cmd->has_lang = true;
        return;
    }

    sj_cmd_kind_t kind = match_word(p, &rest);
    if (kind == SJ_CMD_NONE) /* 请看 3, 帮我取消 3, 我要许愿 …, please show 3 */
        kind = match_word(skip_polite(p), &rest);
    if (kind != SJ_CMD_NONE) {
        read_args(kind, rest, cmd);
        return;
    }
    near_t n;
    if (depth < 2 && near_miss(p, &n)) {
        guess(&n, cmd, depth);
        return;
    }
    /* Kept: in a dialogue the next plain message is the wish itself. */
    cmd->kind = set_text(cmd, p, strlen(p)) ? SJ_CMD_UNKNOWN : SJ_CMD_TOO_LONG;
    restore_cjk_punct(cmd->text, sizeof cmd->text);
}

void sj_chat_parse(const char *msg, size_t len, sj_cmd_t *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->said_in = SJ_LANG_ZH;
    if (!msg || len == 0)
        return;
    if (len > SJ_CHAT_MAX_INPUT_BYTES) {
        cmd->kind = SJ_CMD_TOO_LONG;
        return;
    }
    if (!g_utf8_validate(msg, (gssize)len, NULL)) {
        cmd->kind = SJ_CMD_BAD_TEXT;
        return;
    }
    if (g_utf8_strlen(msg, (gssize)len) > SJ_CHAT_MAX_INPUT) {
        cmd->kind = SJ_CMD_TOO_LONG;
        return;
    }
    char *s = clean(msg, len);
    if (!s) {
        cmd->kind = SJ_CMD_BAD_TEXT;
        return;
    }
    guess_lang(s, cmd);
    parse_clean(s, cmd, 0);
    if (cmd->kind != SJ_CMD_TOO_LONG) {
        char *t = g_strstrip(s);
        if (strlen(t) < sizeof cmd->plain) {
            memcpy(cmd->plain, t, strlen(t) + 1);
            restore_cjk_punct(cmd->plain, sizeof cmd->plain);
        }
    }
    g_free(s);
}
