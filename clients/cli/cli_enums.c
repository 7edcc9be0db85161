/* The enum value names of `shangju` in both languages (see cli_enums.h):
 * one table per enum, each row the value and its display name marked with
 * a translation context; parsing and printing both read these rows. */
#include "cli_enums.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "shangju.pb-c.h"
#include "sj_error.h"

/* A display name with its context, as gettext keys it: "ctx\004name".
 * xgettext finds these with -kNC_:1c,2. */
#define NC_(ctx, s) ctx "\004" s

typedef struct {
    int value;
    const char *key; /* NC_(): context, \004, English display name */
} row_t;

#define R(x) SHANGJU__ROLE__ROLE_##x
static const row_t roles[] = {
    {R(RESIDENT), NC_("role", "resident")},
    {R(MERCHANT), NC_("role", "merchant")},
    {R(COMMITTEE), NC_("role", "committee")},
    {R(BRIDGE), NC_("role", "bridge")},
    {R(WEB), NC_("role", "web")},
    {R(MONITOR), NC_("role", "monitor")},
};
#undef R

#define MS(x) SHANGJU__MEMBER_STATUS__MEMBER_STATUS_##x
static const row_t member_statuses[] = {
    {MS(ACTIVE), NC_("member status", "active")},
    {MS(SUSPENDED), NC_("member status", "suspended")},
};
#undef MS

#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x
static const row_t wish_states[] = {
    {WS(OPEN), NC_("wish state", "open")},
    {WS(CLAIMED), NC_("wish state", "claimed")},
    {WS(FULFILLED), NC_("wish state", "fulfilled")},
    {WS(CLOSED), NC_("wish state", "closed")},
    {WS(CANCELLED), NC_("wish state", "cancelled")},
    {WS(EXPIRED), NC_("wish state", "expired")},
};
#undef WS

#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
static const row_t compact_states[] = {
    {CS(NEGOTIATING), NC_("compact state", "negotiating")},
    {CS(SIGNED), NC_("compact state", "signed")},
    {CS(PUBLISHED), NC_("compact state", "published")},
    {CS(ACTIVE), NC_("compact state", "active")},
    {CS(EVALUATING), NC_("compact state", "evaluating")},
    {CS(CLOSED), NC_("compact state", "closed")},
};
#undef CS

#define IP(x) SHANGJU__ITEM_PERIOD__ITEM_PERIOD_##x
static const row_t item_periods[] = {
    {IP(DAY), NC_("item period", "day")},
    {IP(WEEK), NC_("item period", "week")},
    {IP(MONTH), NC_("item period", "month")},
    {IP(TERM), NC_("item period", "term")},
};
#undef IP

#define QS(x) SHANGJU__QR_SUBJECT__QR_SUBJECT_##x
static const row_t qr_subjects[] = {
    {QS(MERCHANT), NC_("qr subject", "merchant")},
    {QS(WISH), NC_("qr subject", "wish")},
    {QS(HANDOVER), NC_("qr subject", "handover")},
    {QS(COMPACT), NC_("qr subject", "compact")},
};
#undef QS

#define ES(x) SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_##x
static const row_t event_subjects[] = {
    {ES(MEMBER), NC_("event subject", "member")},
    {ES(WISH), NC_("event subject", "wish")},
    {ES(LISTING), NC_("event subject", "listing")},
    {ES(COMPACT), NC_("event subject", "compact")},
    {ES(POINTS), NC_("event subject", "points")},
};
#undef ES

#define T(d, rows)                                                             \
    {                                                                          \
        &d, rows, sizeof rows / sizeof *rows                                   \
    }
static const struct {
    const ProtobufCEnumDescriptor *d;
    const row_t *rows;
    size_t n;
} tables[] = {
    T(shangju__role__descriptor, roles),
    T(shangju__member_status__descriptor, member_statuses),
    T(shangju__wish_state__descriptor, wish_states),
    T(shangju__compact_state__descriptor, compact_states),
    T(shangju__item_period__descriptor, item_periods),
    T(shangju__qr_subject__descriptor, qr_subjects),
    T(shangju__event_subject__descriptor, event_subjects),
};
#undef T

/* The row of value in d's table, or NULL (no table, or not in it). */
static const row_t *find_row(const ProtobufCEnumDescriptor *d, int value)
{
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        if (tables[t].d != d)
            continue;
        for (size_t i = 0; i < tables[t].n; i++)
            if (tables[t].rows[i].value == value)
                return &tables[t].rows[i];
    }
    return NULL;
}

/* The English display name: the part of key after the context. */
static const char *english(const char *key)
{
    return strchr(key, '\004') + 1;
}

/* A translation of key, or its English name when there is none (gettext
 * answers an untranslated key with the key itself). */
static const char *shown(const char *key, const char *tr)
{
    return tr == key || strcmp(tr, key) == 0 ? english(key) : tr;
}

const char *sj_cli_enum_name(const ProtobufCEnumDescriptor *d, int value)
{
    const row_t *r = find_row(d, value);
    return r ? shown(r->key, _(r->key)) : sj_enum_short(d, value);
}

const char *sj_cli_enum_name_in(sj_lang_t lang,
                                const ProtobufCEnumDescriptor *d, int value)
{
    const row_t *r = find_row(d, value);
    return r ? shown(r->key, sj_tr(lang, r->key)) : sj_enum_short(d, value);
}

/* s without surrounding ASCII spaces and ideographic spaces (U+3000,
 * typed by a Chinese input method) into buf; false when it does not fit. */
static bool trimmed(const char *s, char *buf, size_t cap)
{
    static const char ideo[] = "\xe3\x80\x80";
    for (;;) {
        if (*s == ' ' || *s == '\t')
            s++;
        else if (strncmp(s, ideo, 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, ideo, 3) == 0)
            n -= 3;
        else
            break;
    }
    if (n >= cap)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return true;
}

int sj_cli_enum_parse(const ProtobufCEnumDescriptor *d, const char *s,
                      int *value)
{
    char v[128];
    int num;
    if (!d || !s || !trimmed(s, v, sizeof v) || !*v)
        return SJ_EINVAL;
    for (unsigned i = 0; i < d->n_values; i++) {
        int val = d->values[i].value;
        const char *shrt = sj_enum_short(d, val);
        const row_t *r = find_row(d, val);
        if (val == 0)
            continue;
        if ((shrt && strcasecmp(v, shrt) == 0) ||
            (r && (strcasecmp(v, english(r->key)) == 0 ||
                   strcmp(v, shown(r->key, sj_tr(SJ_LANG_ZH, r->key))) == 0 ||
                   strcmp(v, shown(r->key, _(r->key))) == 0))) {
            *value = val;
            return SJ_OK;
        }
    }
    /* A number (the value itself), as sj_enum_parse reads it. */
    if (sj_enum_parse(d, v, &num) == 0 && num != 0 &&
        protobuf_c_enum_descriptor_get_value(d, num)) {
        *value = num;
        return SJ_OK;
    }
    return SJ_EINVAL;
}

char *sj_cli_enum_choices(const ProtobufCEnumDescriptor *d, char *buf,
                          size_t cap)
{
    /* TRANSLATORS: between the values in "one of: a, b, c". */
    const char *sep = _(", ");
    size_t n = 0;
    if (!cap)
        return buf;
    buf[0] = '\0';
    for (unsigned i = 0; d && i < d->n_values; i++) {
        int val = d->values[i].value;
        const char *name = val ? sj_cli_enum_name(d, val) : NULL;
        if (!name)
            continue;
        size_t need = (n ? strlen(sep) : 0) + strlen(name);
        if (n + need >= cap)
            break;
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? sep : "", name);
    }
    return buf;
}
