/* The gettext catalogue for the programs; see i18n.h. sj_tr() reads the
 * compiled .mo file directly (the format is GNU gettext's: a header, two
 * tables of (length, offset) pairs sorted by msgid), so one process can
 * answer each person in their own language without switching locales. */
#include "i18n.h"

#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MO_MAGIC 0x950412deu
#define MO_MAX (16u << 20) /* a catalogue larger than this is not ours */

/* The catalogue directories compiled in by CMake. */
#ifndef SJ_BUILD_LOCALEDIR
#define SJ_BUILD_LOCALEDIR ""
#endif
#ifndef SJ_INSTALL_LOCALEDIR
#define SJ_INSTALL_LOCALEDIR "/usr/share/locale"
#endif

static const char *const lang_dirs[SJ_LANG_COUNT] = {"zh_CN", NULL};

typedef struct {
    const uint8_t *data;
    size_t len;
    uint32_t n;
    uint32_t orig, trans; /* offsets of the two tables */
    bool swapped;
} catalog_t;

static catalog_t catalogs[SJ_LANG_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool has_catalog(const char *dir)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/zh_CN/LC_MESSAGES/%s.mo", dir,
                     SJ_TEXTDOMAIN);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

const char *sj_i18n_localedir(void)
{
    const char *env = getenv("SHANGJU_LOCALEDIR");
    if (env && *env)
        return env;
    if (has_catalog(SJ_INSTALL_LOCALEDIR) || !*SJ_BUILD_LOCALEDIR)
        return SJ_INSTALL_LOCALEDIR;
    return SJ_BUILD_LOCALEDIR;
}

static void bind_domain(void)
{
    bindtextdomain(SJ_TEXTDOMAIN, sj_i18n_localedir());
    bind_textdomain_codeset(SJ_TEXTDOMAIN, "UTF-8");
}

void sj_i18n_init(void)
{
    setlocale(LC_ALL, "");
    bind_domain();
}

void sj_i18n_init_messages(void)
{
    setlocale(LC_CTYPE, "");
    setlocale(LC_MESSAGES, "");
    bind_domain();
}

static uint32_t u32(const catalog_t *c, size_t off)
{
    uint32_t v;
    memcpy(&v, c->data + off, 4);
    return c->swapped ? __builtin_bswap32(v) : v;
}

/* Map path and check its header and tables; on any fault the catalogue
 * stays empty (English). */
static void map_catalog(catalog_t *c, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    void *p = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 28 &&
        (uint64_t)st.st_size <= MO_MAX)
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return;
    catalog_t t = {.data = p, .len = (size_t)st.st_size};
    uint32_t magic;
    memcpy(&magic, t.data, 4);
    t.swapped = magic == __builtin_bswap32(MO_MAGIC);
    if (magic != MO_MAGIC && !t.swapped)
        goto bad;
    t.n = u32(&t, 8);
    t.orig = u32(&t, 12);
    t.trans = u32(&t, 16);
    if (t.n > t.len / 16 || t.orig > t.len - (size_t)t.n * 8 ||
        t.trans > t.len - (size_t)t.n * 8)
        goto bad;
    for (uint32_t i = 0; i < t.n; i++) /* every string inside the file */
        for (int k = 0; k < 2; k++) {
            size_t e = (k ? t.trans : t.orig) + (size_t)i * 8;
            uint32_t len = u32(&t, e), off = u32(&t, e + 4);
            if (off > t.len || len >= t.len - off || t.data[off + len])
                goto bad;
        }
    *c = t;
    return;
bad:
    munmap(p, (size_t)st.st_size);
}

static void load_all(void)
{
    const char *dir = sj_i18n_localedir();
    for (int l = 0; l < SJ_LANG_COUNT; l++) {
        if (!lang_dirs[l])
            continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", dir,
                         lang_dirs[l], SJ_TEXTDOMAIN);
        if (n > 0 && (size_t)n < sizeof path)
            map_catalog(&catalogs[l], path);
    }
}

const char *sj_tr(sj_lang_t lang, const char *msgid)
{
    if (!msgid || !*msgid || lang < 0 || lang >= SJ_LANG_COUNT)
        return msgid ? msgid : "";
    pthread_once(&once, load_all);
    const catalog_t *c = &catalogs[lang];
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) { /* msgfmt sorts the msgids */
        uint32_t mid = lo + (hi - lo) / 2;
        const char *key = (const char *)c->data + u32(c, c->orig + mid * 8 + 4);
        int cmp = strcmp(msgid, key);
        if (cmp == 0) {
            uint32_t e = c->trans + mid * 8;
            const char *tr = (const char *)c->data + u32(c, e + 4);
            return u32(c, e) ? tr : msgid; /* untranslated: the source */
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return msgid;
}

const char *sj_lang_tag(sj_lang_t lang)
{
    return lang == SJ_LANG_EN ? "en" : "zh-Hans";
}

sj_lang_t sj_i18n_current(void)
{
    /* "English" is translated to the language's own name in every
     * catalogue; an untranslated answer means the locale is English. */
    return strcmp(_("English"), "English") == 0 ? SJ_LANG_EN : SJ_LANG_ZH;
}
