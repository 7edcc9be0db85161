/* The programs' languages: the gettext catalogue (domain "shangju",
 * English source, Simplified Chinese in po/zh_CN.po).
 *
 * Two ways to translate:
 *  - a program with one user at a time (the CLI, the desktop client) calls
 *    sj_i18n_init() once and marks strings with _() / N_(); the locale
 *    (LANGUAGE, LC_ALL, LANG) picks the language. The daemons (broker, web
 *    front, metrics, chat bridge) do the same for their help, usage errors
 *    and start-up failures, after sj_i18n_init_messages();
 *  - a program serving many people at once, each in their own language
 *    (the web front, the chat bridge), calls sj_tr(lang, msgid): it reads
 *    the compiled catalogue itself, so it is thread-safe and needs no
 *    locale switching. xgettext finds these with -ksj_tr:2.
 * Both read the same .mo files, found in SHANGJU_LOCALEDIR when set, else
 * the installed locale directory when it holds the catalogue, else the
 * build tree's (so programs run from build/ speak Chinese too). */
#ifndef SJ_I18N_H
#define SJ_I18N_H

#include <libintl.h>

#define SJ_TEXTDOMAIN "shangju"
#define _(s) dgettext(SJ_TEXTDOMAIN, s)
#define N_(s) s

typedef enum {
    SJ_LANG_ZH = 0, /* Simplified Chinese: the community's default */
    SJ_LANG_EN,
    SJ_LANG_COUNT
} sj_lang_t;

/* setlocale(LC_ALL, ""), and bind the domain to the catalogue directory in
 * UTF-8. Safe to call more than once. */
void sj_i18n_init(void);

/* For the daemons: the locale for LC_MESSAGES and LC_CTYPE only, then bind
 * the domain as sj_i18n_init() does. Numbers, times and collation stay
 * "C", so log lines and parsed values (strtod) never change with the
 * operator's locale. Safe to call more than once. */
void sj_i18n_init_messages(void);

/* The directory holding LANG/LC_MESSAGES/shangju.mo (see above). The
 * string is static. */
const char *sj_i18n_localedir(void);

/* msgid in lang: the translation from the catalogue, or msgid itself when
 * lang is English, the catalogue is missing or has no entry. The result
 * lives as long as the process (the catalogue is mapped once). Thread-safe.
 * An empty msgid gives "". */
const char *sj_tr(sj_lang_t lang, const char *msgid);

/* The BCP 47 tag of lang for HTML lang attributes: "zh-Hans" or "en". */
const char *sj_lang_tag(sj_lang_t lang);

/* The language of the current gettext locale (for _() programs that also
 * call sj_tr): English when the catalogue does not translate. */
sj_lang_t sj_i18n_current(void);

#endif
