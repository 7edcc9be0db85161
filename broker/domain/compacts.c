/* Compact handlers (六约): NEGOTIATING -> SIGNED -> PUBLISHED -> ACTIVE ->
 * EVALUATING -> CLOSED, with the versioned service items, signatures bound
 * to a version's hash, the signed public notice, performance records that
 * earn points, complaints, ratings and the results. The term's start and
 * end move the compact by timers (sj_compact_timer_fire).
 *
 * Version hash: SHA-256 of the protobuf packing of a Compact holding ONLY
 * id, title, term_start, term_end, parties, version, items and covenant
 * (every other field unset). protobuf-c packs fields in field-number order
 * and omits proto3 defaults, so the bytes, and the hash, are deterministic.
 *
 * Sizes: a compact record grows with performances, complaints and ratings,
 * so write replies and events carry a summary (the record without those
 * three lists and without the notice, which only compact.published
 * carries) plus the one element the request added or changed; get returns
 * the whole record and list returns summaries. */
#include "dispatch.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "compacts.h"
#include "visibility.h"
#include "lifecycle.h"
#include "notice.h"
#include "points.h"
#include "qr.h"
#include "validate.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define CS(x) SHANGJU__COMPACT_STATE__COMPACT_STATE_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

#define MIN_PARTIES 2
#define LIST_DEFAULT 20
#define LIST_MAX 50

typedef unsigned long long ull;

/* ---------------------------------------------------------------- helpers */

static const sj_family_t compacts; /* the family, below */

/* A copy of arr (n pointers) with elem appended; lives until the call
 * ends. NULL when out of memory. */
static void *append(sj_call_t *c, void *arr, size_t n, void *elem)
{
    void **a = sj_call_alloc(c, (n + 1) * sizeof *a);
    if (a) {
        if (n)
            memcpy(a, arr, n * sizeof *a);
        a[n] = elem;
    }
    return a;
}

static bool is_party(const Shangju__Compact *cp, uint64_t id)
{
    for (size_t i = 0; i < cp->n_parties; i++)
        if (cp->parties[i] == id)
            return true;
    return false;
}

static bool is_committee(const sj_call_t *c)
{
    return c->caller && c->caller->role == ROLE(COMMITTEE);
}

static const Shangju__ServiceItem *find_item(const Shangju__Compact *cp,
                                             uint32_t id)
{
    for (size_t i = 0; i < cp->n_items; i++)
        if (cp->items[i]->id == id)
            return cp->items[i];
    return NULL;
}

/* Set cp->version_hash: see the top of this file. */
static int hash_version(sj_call_t *c, Shangju__Compact *cp)
{
    Shangju__Compact v = SHANGJU__COMPACT__INIT;
    v.id = cp->id;
    v.title = cp->title;
    v.term_start = cp->term_start;
    v.term_end = cp->term_end;
    v.n_parties = cp->n_parties;
    v.parties = cp->parties;
    v.version = cp->version;
    v.n_items = cp->n_items;
    v.items = cp->items;
    v.covenant = cp->covenant;
    size_t len = protobuf_c_message_get_packed_size(&v.base);
    uint8_t *buf = malloc(len ? len : 1);
    uint8_t *h = sj_call_alloc(c, crypto_hash_sha256_BYTES);
    if (!buf || !h) {
        free(buf);
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    }
    protobuf_c_message_pack(&v.base, buf);
    crypto_hash_sha256(h, buf, len);
    free(buf);
    cp->version_hash.data = h;
    cp->version_hash.len = crypto_hash_sha256_BYTES;
    return 0;
}

/* ----------------------------------------------------------- the family */

static int compact_get(sj_txn_t *t, uint64_t id, void **out)
{
    Shangju__Compact *cp = NULL;
    int err = sj_compact_get(t, id, &cp);
    *out = cp;
    return err;
}

static int compact_put(sj_txn_t *t, const void *rec, const void *old)
{
    return sj_compact_put(t, rec, old);
}

/* The timer a compact in its state waits on, if any. */
static bool timer_of(const sj_call_t *c, const void *rec, sj_timer_t *tm)
{
    const Shangju__Compact *cp = rec;
    (void)c;
    tm->id = cp->id;
    if (cp->state == CS(PUBLISHED)) {
        tm->kind = SJ_TIMER_COMPACT_START;
        tm->due = cp->term_start;
        return true;
    }
    if (cp->state == CS(ACTIVE)) {
        tm->kind = SJ_TIMER_COMPACT_END;
        tm->due = cp->term_end;
        return true;
    }
    return false;
}

/* What replies and events carry (see the top of this file): cp without
 * the growing lists, and without the notice unless notice is set. */
static Shangju__Compact *summary(sj_call_t *c, const Shangju__Compact *cp,
                                 bool notice)
{
    Shangju__Compact *v = sj_rec_edit(c, &compacts, cp);
    if (!v)
        return NULL;
    v->n_performances = v->n_complaints = v->n_ratings = 0;
    v->performances = NULL;
    v->complaints = NULL;
    v->ratings = NULL;
    if (!notice)
        v->notice = (char *)"";
    return v;
}

/* The elements of list (n) that are not those of old (n_old) at the same
 * place: what this version added or changed. Sets *out and *n_out; false
 * when out of memory. */
static bool changed(sj_call_t *c, void *const *list, size_t n, void *const *old,
                    size_t n_old, void ***out, size_t *n_out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += i >= n_old || list[i] != old[i];
    *n_out = 0;
    *out = NULL;
    if (k == 0)
        return true;
    void **a = sj_call_alloc(c, k * sizeof *a);
    if (!a)
        return false;
    for (size_t i = 0; i < n; i++)
        if (i >= n_old || list[i] != old[i])
            a[(*n_out)++] = list[i];
    *out = a;
    return true;
}

/* The summary of cp plus the performance, complaint or rating this
 * version added or changed (so a perform or a resolve publishes only the
 * element it touched); the notice only when the compact is published. */
static Shangju__Compact *view(sj_call_t *c, const Shangju__Compact *cp,
                              const Shangju__Compact *old, sj_topic_t topic)
{
    static const Shangju__Compact none = SHANGJU__COMPACT__INIT;
    Shangju__Compact *v = summary(c, cp, topic == SJ_TOPIC_COMPACT_PUBLISHED);
    if (!old)
        old = &none;
    if (!v ||
        !changed(c, (void *const *)cp->performances, cp->n_performances,
                 (void *const *)old->performances, old->n_performances,
                 (void ***)&v->performances, &v->n_performances) ||
        !changed(c, (void *const *)cp->complaints, cp->n_complaints,
                 (void *const *)old->complaints, old->n_complaints,
                 (void ***)&v->complaints, &v->n_complaints) ||
        !changed(c, (void *const *)cp->ratings, cp->n_ratings,
                 (void *const *)old->ratings, old->n_ratings,
                 (void ***)&v->ratings, &v->n_ratings))
        return NULL;
    return v;
}

/* Every state a compact enters is added to its history (the report counts
 * compacts by their state at a date). */
static int prepare(sj_call_t *c, void *rec, const void *o)
{
    Shangju__Compact *cp = rec;
    const Shangju__Compact *old = o;
    if (old && old->state == cp->state)
        return SJ_OK;
    Shangju__CompactStateChange *sc = sj_call_alloc(c, sizeof *sc);
    void *h = sc ? append(c, cp->history, cp->n_history, sc) : NULL;
    if (!h)
        return SJ_ENOMEM;
    shangju__compact_state_change__init(sc);
    sc->state = cp->state;
    sc->at = c->now;
    cp->history = h;
    cp->n_history++;
    return SJ_OK;
}

/* Log the event with the view, and reply with the same view. */
static int publish(sj_call_t *c, sj_topic_t topic, void *rec, const void *old)
{
    Shangju__Compact *v = view(c, rec, old, topic);
    if (!v)
        return SJ_ENOMEM;
    int err = sj_call_emit_compact(c, topic, v);
    if (err)
        return err;
    c->reply.body_case = SHANGJU__REPLY__BODY_COMPACT;
    c->reply.compact = v;
    return SJ_OK;
}

static const sj_reason_t not_in[] = {
    [CS(NEGOTIATING)] = SJ_R_COMPACT_NOT_NEGOTIATING,
    [CS(SIGNED)] = SJ_R_COMPACT_NOT_SIGNED,
    [CS(PUBLISHED)] = SJ_R_COMPACT_NOT_PUBLISHED,
    [CS(ACTIVE)] = SJ_R_COMPACT_NOT_ACTIVE,
    [CS(EVALUATING)] = SJ_R_COMPACT_NOT_EVALUATING,
};

static const sj_family_t compacts = {
    .noun = "compact",
    .msg = &shangju__compact__descriptor,
    .states = &shangju__compact_state__descriptor,
    .off_id = offsetof(Shangju__Compact, id),
    .off_state = offsetof(Shangju__Compact, state),
    .not_found = SJ_R_COMPACT_NOT_FOUND,
    .not_in = not_in,
    .n_not_in = sizeof not_in / sizeof not_in[0],
    .get = compact_get,
    .put = compact_put,
    .timer_of = timer_of,
    .prepare = prepare,
    .publish = publish,
};

/* ------------------------------------------------------------ validation */

/* 2..50 distinct parties, each an active committee member, merchant or
 * resident. */
static int check_parties(sj_call_t *c, const uint64_t *p, size_t n)
{
    if (n < MIN_PARTIES || n > SJ_MAX_PARTIES)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "a compact has %d to %d parties (got %zu)",
                            MIN_PARTIES, SJ_MAX_PARTIES, n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (p[j] == p[i])
                return sj_call_fail(
                    c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                    "member %llu is named twice as a party", (ull)p[i]);
        Shangju__Member *m;
        int err = sj_member_get(c->txn, p[i], &m);
        if (err == SJ_ENOTFOUND)
            return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                                "no member %llu", (ull)p[i]);
        if (err)
            return sj_call_store_fail(c, err, "member");
        bool bridge = m->role == ROLE(BRIDGE);
        bool active = m->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
        shangju__member__free_unpacked(m, NULL);
        if (bridge)
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                                "member %llu is a bridge; parties are the "
                                "committee, merchants and residents",
                                (ull)p[i]);
        if (!active)
            return sj_call_fail(c, ST(FAILED_PRECONDITION),
                                SJ_R_MEMBER_SUSPENDED,
                                "member %llu is suspended", (ull)p[i]);
    }
    return 0;
}

/* Check items against the parties and make the compact's copy of them,
 * numbered 1..n in the order given. */
static int check_items(sj_call_t *c, const Shangju__Compact *cp,
                       Shangju__ServiceItem *const *in, size_t n,
                       Shangju__ServiceItem ***out)
{
    if (n > SJ_MAX_ITEMS)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "at most %d service items (got %zu)", SJ_MAX_ITEMS,
                            n);
    Shangju__ServiceItem **items = sj_call_alloc(c, (n + 1) * sizeof *items);
    Shangju__ServiceItem *copy = sj_call_alloc(c, (n + 1) * sizeof *copy);
    if (!items || !copy)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    for (size_t i = 0; i < n; i++) {
        const Shangju__ServiceItem *it = in[i];
        char what[32], how[32];
        snprintf(what, sizeof what, "item %zu what", i + 1);
        snprintf(how, sizeof how, "item %zu how_often", i + 1);
        int rc;
        if ((rc = sj_check_text(c, what, it->what, 1, SJ_MAX_WHAT, false)) ||
            (rc = sj_check_text(c, how, it->how_often, 0, SJ_MAX_HOW_OFTEN,
                                false)))
            return rc;
        if (!is_party(cp, it->giver_id))
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                                "item %zu: the giver %llu is not a party",
                                i + 1, (ull)it->giver_id);
        if (it->receiver_id && !is_party(cp, it->receiver_id))
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                                "item %zu: the receiver %llu is not a party "
                                "(0 means the community)",
                                i + 1, (ull)it->receiver_id);
        if (it->receiver_id == it->giver_id)
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_SELF,
                                "item %zu: a party cannot give to itself",
                                i + 1);
        if (!protobuf_c_enum_descriptor_get_value(
                &shangju__item_period__descriptor, (int)it->period))
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                                "item %zu: unknown period %d", i + 1,
                                (int)it->period);
        if (it->times > SJ_MAX_ITEM_TIMES)
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                                "item %zu: at most %d times a period (got %u)",
                                i + 1, SJ_MAX_ITEM_TIMES, it->times);
        copy[i] = *it;
        copy[i].id = (uint32_t)(i + 1);
        items[i] = &copy[i];
    }
    *out = items;
    return 0;
}

/* ------------------------------------------------------- negotiate, sign */

int sj_h_compact_draft(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactDraft *d = req->compact_draft;
    int rc;
    if ((rc = sj_check_text(c, "title", d->title, 1, SJ_MAX_TITLE, false)) ||
        (rc = sj_check_text(c, "covenant", d->covenant, 0, SJ_MAX_COVENANT,
                            true)))
        return rc;
    if (d->term_start <= 0 || d->term_start >= d->term_end)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                            "the term must start before it ends");
    if ((rc = check_parties(c, d->parties, d->n_parties)))
        return rc;
    Shangju__Compact *cp = sj_call_alloc(c, sizeof *cp);
    if (!cp)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__compact__init(cp);
    cp->n_parties = d->n_parties;
    cp->parties = d->parties;
    if ((rc = check_items(c, cp, d->items, d->n_items, &cp->items)))
        return rc;
    cp->n_items = d->n_items;
    int err = sj_txn_next_id(c->txn, SJ_COUNTER_COMPACT, &cp->id);
    if (err)
        return sj_call_store_fail(c, err, "compact");
    cp->title = d->title;
    cp->term_start = d->term_start;
    cp->term_end = d->term_end;
    cp->covenant = d->covenant;
    cp->state = CS(NEGOTIATING);
    cp->version = 1;
    cp->created_at = c->now;
    cp->created_by = c->caller->id;
    if ((rc = hash_version(c, cp)))
        return rc;
    return sj_rec_save(c, &compacts, cp, NULL, SJ_TOPIC_COMPACT_DRAFTED);
}

/* ------------------------------------------------------------ who may */

static int a_party(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    const Shangju__Compact *cp = rec;
    (void)m;
    if (is_party(cp, c->caller->id))
        return 0;
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_COMPACT_NOT_PARTY,
                        "member %llu is not a party to compact %llu",
                        (ull)c->caller->id, (ull)cp->id);
}

static int a_party_or_committee(sj_call_t *c, const void *rec,
                                const sj_move_t *m)
{
    return is_committee(c) ? 0 : a_party(c, rec, m);
}

static int an_editor(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    const Shangju__Compact *cp = rec;
    if (is_party(cp, c->caller->id) || is_committee(c))
        return 0;
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_COMPACT_NOT_PARTY,
                        "only a party or the committee may %s compact %llu",
                        m->verb, (ull)cp->id);
}

/* Anyone the compact serves may complain: a resident, or a party. */
static int a_complainer(sj_call_t *c, const void *rec, const sj_move_t *m)
{
    const Shangju__Compact *cp = rec;
    (void)m;
    if (is_party(cp, c->caller->id) || c->caller->role == ROLE(RESIDENT))
        return 0;
    return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_COMPACT_MAY_NOT_COMPLAIN,
                        "complaints come from residents and parties");
}

/* Resolving, dismissing and confirming move no state, from either of two:
 * the predicate judges. */
static int active_or_evaluating(sj_call_t *c, const void *rec,
                                const sj_move_t *m)
{
    const Shangju__Compact *cp = rec;
    if (cp->state == CS(ACTIVE) || cp->state == CS(EVALUATING))
        return 0;
    return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_COMPACT_WRONG_STATE,
                        "compact %llu is %s; only while it is active or "
                        "evaluating can a record be %s",
                        (ull)cp->id, sj_rec_state_name(&compacts, cp->state),
                        m->action);
}

/* ------------------------------------------------------- negotiate, sign */

static int edit_items(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactEdit *e = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    int rc;
    if ((rc = check_items(c, old, e->items, e->n_items, &cp->items)))
        return rc;
    cp->n_items = e->n_items;
    if (e->covenant && *e->covenant)
        cp->covenant = e->covenant;
    cp->version++;
    cp->n_signatures = 0; /* an edit after signing voids earlier signatures */
    cp->signatures = NULL;
    return hash_version(c, cp);
}

static bool all_signed(const Shangju__Compact *cp)
{
    for (size_t i = 0; i < cp->n_parties; i++) {
        bool found = false;
        for (size_t j = 0; j < cp->n_signatures && !found; j++)
            found = cp->signatures[j]->party_id == cp->parties[i] &&
                    cp->signatures[j]->version == cp->version;
        if (!found)
            return false;
    }
    return true;
}

/* A signature binds the current version and its hash; the last party's
 * signature makes the compact SIGNED. */
static int sign(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactSign *s = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    uint64_t me = c->caller->id;
    if (s->version != old->version || s->version_hash.len != 32 ||
        old->version_hash.len != 32 ||
        memcmp(s->version_hash.data, old->version_hash.data, 32) != 0)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_COMPACT_OLD_VERSION,
                            "compact %llu is at version %u: a signature on "
                            "an old version (or with another hash) does not "
                            "count; read the current version and sign that",
                            (ull)old->id, old->version);
    for (size_t i = 0; i < old->n_signatures; i++)
        if (old->signatures[i]->party_id == me)
            return sj_call_fail(
                c, ST(ALREADY_EXISTS), SJ_R_COMPACT_ALREADY_SIGNED,
                "member %llu already signed version %u", (ull)me, old->version);
    Shangju__Signature *sig = sj_call_alloc(c, sizeof *sig);
    if (!sig)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__signature__init(sig);
    sig->party_id = me;
    sig->version = old->version;
    sig->version_hash = old->version_hash;
    sig->at = c->now;
    if (!(cp->signatures = append(c, old->signatures, old->n_signatures, sig)))
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    cp->n_signatures++;
    if (all_signed(cp))
        cp->state = CS(SIGNED);
    return 0;
}

/* --------------------------------------------------------------- publish */

static int publish_notice(sj_call_t *c, void *rec, const void *old,
                          const void *arg)
{
    Shangju__Compact *cp = rec;
    (void)old, (void)arg;
    if (!c->signer)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_BROKER_NO_NOTICE_KEY,
                            "the broker has no notice key to sign with");
    char url[SJ_QR_MAX_URL + 1];
    if (sj_qr_url(url, sizeof url, c->cfg->public_url, 'c', cp->id, NULL))
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_BROKER_BAD_PUBLIC_URL,
                            "the broker's --public-url '%s' cannot make a "
                            "link; the operator must fix it",
                            c->cfg->public_url);
    cp->published_at = c->now;
    int err = sj_notice_write(c, cp, url, &cp->notice);
    if (err == SJ_EINVAL)
        return sj_call_fail(c, ST(INTERNAL), SJ_R_BROKER_INTERNAL,
                            "the notice could not be made");
    return err ? sj_call_store_fail(c, err, "compact") : 0;
}

/* ------------------------------------------------- perform and complain */

/* The period of an item's frequency that date falls in, as a number: the
 * day, the Monday of the week or the month in the community's time zone
 * (the process's, set from --time-zone: sj_zone.h), or 0 for the whole
 * term. */
static int64_t period_of(Shangju__ItemPeriod p, int64_t date)
{
    time_t t = (time_t)(date / 1000);
    struct tm tm;
    if (p == SHANGJU__ITEM_PERIOD__ITEM_PERIOD_TERM || !localtime_r(&t, &tm))
        return 0;
    if (p == SHANGJU__ITEM_PERIOD__ITEM_PERIOD_MONTH)
        return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
    struct tm day = {
        .tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday};
    if (p == SHANGJU__ITEM_PERIOD__ITEM_PERIOD_WEEK)
        day.tm_mday -= (tm.tm_wday + 6) % 7; /* back to Monday */
    return (int64_t)timegm(&day) / 86400;    /* timegm normalises the day */
}

/* Refuse a performance of it dated date unless it lies in the term and
 * the item's frequency leaves room in date's period (every record counts,
 * confirmed or not). */
static int check_when(sj_call_t *c, const Shangju__Compact *cp,
                      const Shangju__ServiceItem *it, int64_t date)
{
    if (date > c->now)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "the date must not be in the future");
    if (date < cp->term_start || date >= cp->term_end)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_OUT_OF_TERM,
                            "the date lies outside the term of compact %llu",
                            (ull)cp->id);
    uint32_t times = it->times ? it->times : 1, n = 0;
    int64_t period = period_of(it->period, date);
    for (size_t i = 0; i < cp->n_performances; i++) {
        const Shangju__Performance *p = cp->performances[i];
        n += p->item_id == it->id && period_of(it->period, p->date) == period;
    }
    if (n < times)
        return 0;
    const char *per =
        sj_enum_short(&shangju__item_period__descriptor, (int)it->period);
    return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_COMPACT_TOO_OFTEN,
                        "item %u may be performed %u time%s a %s; that %s "
                        "already has %u",
                        it->id, times, times == 1 ? "" : "s",
                        it->period ? per : "day", it->period ? per : "day", n);
}

/* Refuse (compact.full) to add about `adding` bytes of text to old when
 * the record would pass SJ_MAX_COMPACT_BYTES (sj_limits.h); 64 bytes more
 * cover the element's other fields. */
static int room_for(sj_call_t *c, const Shangju__Compact *old,
                    const char *adding)
{
    size_t have = protobuf_c_message_get_packed_size(&old->base);
    size_t more = (adding ? strlen(adding) : 0) + 64;
    if (have + more > SJ_MAX_COMPACT_BYTES)
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_COMPACT_FULL,
                            "compact %llu is full (%zu bytes; at most %u)",
                            (ull)old->id, have, SJ_MAX_COMPACT_BYTES);
    return 0;
}

/* Record a performance; it pays its giver once confirmed (confirm). */
static int perform(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactPerform *p = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    uint64_t me = c->caller->id;
    const Shangju__ServiceItem *it = find_item(old, p->item_id);
    if (!it)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_COMPACT_NO_ITEM,
                            "compact %llu has no item %u", (ull)old->id,
                            p->item_id);
    if (it->giver_id != me && !is_committee(c))
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_COMPACT_NOT_GIVER,
                            "item %u is given by member %llu; only the giver "
                            "or the committee records it",
                            it->id, (ull)it->giver_id);
    int64_t date = p->date ? p->date : c->now;
    int rc = check_when(c, old, it, date);
    if (rc)
        return rc;
    if (old->n_performances >= SJ_MAX_PERFORMANCES)
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_COMPACT_FULL,
                            "compact %llu holds its limit of %d performance "
                            "records",
                            (ull)old->id, SJ_MAX_PERFORMANCES);
    if ((rc = room_for(c, old, p->note)))
        return rc;
    Shangju__Performance *perf = sj_call_alloc(c, sizeof *perf);
    if (!perf)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__performance__init(perf);
    perf->id = (uint32_t)old->n_performances + 1;
    perf->item_id = it->id;
    perf->party_id = me;
    perf->date = date;
    perf->note = p->note;
    perf->at = c->now;
    if (!(cp->performances =
              append(c, old->performances, old->n_performances, perf)))
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    cp->n_performances++;
    return 0;
}

/* May the caller confirm a performance of it recorded by recorder: the
 * receiving party, or for a community item (receiver 0) the committee;
 * never the giver or whoever recorded it (both sides must agree). */
static bool may_confirm(const sj_call_t *c, const Shangju__ServiceItem *it,
                        uint64_t recorder)
{
    uint64_t me = c->caller->id;
    if (me == it->giver_id || me == recorder)
        return false;
    return it->receiver_id ? it->receiver_id == me : is_committee(c);
}

/* The receiving side confirms a performance: it pays the giver now. */
static int confirm(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactConfirm *q = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    size_t i = 0;
    while (i < old->n_performances &&
           (q->performance_id == 0 ||
            old->performances[i]->id != q->performance_id))
        i++;
    if (i == old->n_performances)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_COMPACT_NO_PERFORMANCE,
                            "compact %llu has no performance %u", (ull)old->id,
                            q->performance_id);
    const Shangju__Performance *was = old->performances[i];
    const Shangju__ServiceItem *it = find_item(old, was->item_id);
    if (was->confirmed)
        return sj_call_fail(c, ST(ALREADY_EXISTS),
                            SJ_R_COMPACT_ALREADY_CONFIRMED,
                            "performance %u is already confirmed", was->id);
    if (!it || !may_confirm(c, it, was->party_id))
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_COMPACT_NOT_RECEIVER,
                            "only the receiving party (the committee for a "
                            "community item), neither the giver nor who "
                            "recorded it, confirms performance %u",
                            was->id);
    Shangju__Performance *perf = sj_call_alloc(c, sizeof *perf);
    Shangju__Performance **list =
        sj_call_alloc(c, old->n_performances * sizeof *list);
    if (!perf || !list)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    *perf = *was;
    perf->confirmed = true;
    perf->confirmed_by = c->caller->id;
    perf->confirmed_at = c->now;
    memcpy(list, old->performances, old->n_performances * sizeof *list);
    list[i] = perf;
    cp->performances = list;
    char memo[80];
    snprintf(memo, sizeof memo, "compact %llu item %u performance %u",
             (ull)cp->id, it->id, perf->id);
    int err = sj_points_earn(c, it->giver_id, c->cfg->points_per_performance,
                             SJ_ENTRY_EARN_COMPACT, cp->id, memo);
    return err ? sj_call_store_fail(c, err, "points") : 0;
}

static int complain(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactComplain *q = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    uint64_t me = c->caller->id;
    if (!is_party(old, q->against_id))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                            "member %llu is not a party to compact %llu",
                            (ull)q->against_id, (ull)old->id);
    if (q->against_id == me)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_SELF,
                            "a complaint is against another party");
    /* Bounded per complainer, and outsiders (residents who are not
     * parties) share all but the places kept for the parties, so nobody
     * can fill the budget and silence a party's complaint. */
    unsigned mine = 0, open = 0, outsiders = 0;
    for (size_t i = 0; i < old->n_complaints; i++) {
        const Shangju__Complaint *k = old->complaints[i];
        if (k->by_id == me) {
            mine++;
            open += !k->resolved && !k->dismissed;
        }
        outsiders += !is_party(old, k->by_id);
    }
    if (open >= SJ_MAX_OPEN_COMPLAINTS_EACH || mine >= SJ_MAX_COMPLAINTS_EACH)
        return sj_call_fail(
            c, ST(RESOURCE_EXHAUSTED), SJ_R_COMPACT_COMPLAINT_LIMIT,
            "member %llu has %u complaints on compact %llu "
            "(%u open); at most %d open and %d in all",
            (ull)me, mine, (ull)old->id, open, SJ_MAX_OPEN_COMPLAINTS_EACH,
            SJ_MAX_COMPLAINTS_EACH);
    if (old->n_complaints >= SJ_MAX_COMPLAINTS ||
        (!is_party(old, me) &&
         outsiders >= SJ_MAX_COMPLAINTS - SJ_COMPLAINTS_FOR_PARTIES))
        return sj_call_fail(c, ST(RESOURCE_EXHAUSTED), SJ_R_COMPACT_FULL,
                            "compact %llu holds its limit of %d complaints "
                            "(%d of them kept for its parties)",
                            (ull)old->id, SJ_MAX_COMPLAINTS,
                            SJ_COMPLAINTS_FOR_PARTIES);
    int rc = room_for(c, old, q->text);
    if (rc)
        return rc;
    Shangju__Complaint *k = sj_call_alloc(c, sizeof *k);
    if (!k)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__complaint__init(k);
    k->id = (uint32_t)old->n_complaints + 1;
    k->by_id = me;
    k->against_id = q->against_id;
    k->text = q->text;
    k->at = c->now;
    if (!(cp->complaints = append(c, old->complaints, old->n_complaints, k)))
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    cp->n_complaints++;
    return 0;
}

/* Resolve (or, with dismiss, dismiss as junk) complaint id of old in cp
 * with the committee's resolution text. */
static int settle(sj_call_t *c, Shangju__Compact *cp,
                  const Shangju__Compact *old, uint32_t id,
                  const char *resolution, bool dismiss)
{
    size_t i = 0;
    while (i < old->n_complaints && old->complaints[i]->id != id)
        i++;
    if (i == old->n_complaints)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_COMPACT_NO_COMPLAINT,
                            "compact %llu has no complaint %u", (ull)old->id,
                            id);
    if (old->complaints[i]->resolved || old->complaints[i]->dismissed)
        return sj_call_fail(
            c, ST(FAILED_PRECONDITION), SJ_R_COMPACT_ALREADY_RESOLVED,
            "complaint %u is already %s", id,
            old->complaints[i]->dismissed ? "dismissed" : "resolved");
    int rc = room_for(c, old, resolution);
    if (rc)
        return rc;
    Shangju__Complaint *k = sj_call_alloc(c, sizeof *k);
    Shangju__Complaint **list =
        sj_call_alloc(c, old->n_complaints * sizeof *list);
    if (!k || !list)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    *k = *old->complaints[i];
    k->resolved = !dismiss;
    k->dismissed = dismiss;
    k->resolution = (char *)resolution;
    k->resolved_by = c->caller->id;
    k->resolved_at = c->now;
    memcpy(list, old->complaints, old->n_complaints * sizeof *list);
    list[i] = k;
    cp->complaints = list;
    return 0;
}

static int resolve(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactResolve *r = arg;
    return settle(c, rec, o, r->complaint_id, r->resolution, false);
}

/* A dismissed complaint counts for nobody: not against the party it
 * names (results), while its complainer's budget still holds it. */
static int dismiss(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactDismiss *r = arg;
    return settle(c, rec, o, r->complaint_id, r->resolution, true);
}

/* ----------------------------------------------------- evaluate, close */

static int rate(sj_call_t *c, void *rec, const void *o, const void *arg)
{
    const Shangju__CompactRate *r = arg;
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    uint64_t me = c->caller->id;
    if (r->of_id == me)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_SELF,
                            "a party rates the other parties, not itself");
    if (!is_party(old, r->of_id))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_COMPACT_BAD_PARTY,
                            "member %llu is not a party to compact %llu",
                            (ull)r->of_id, (ull)old->id);
    if (r->stars < 1 || r->stars > 5)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "stars must be 1 to 5");
    for (size_t i = 0; i < old->n_ratings; i++)
        if (old->ratings[i]->by_id == me && old->ratings[i]->of_id == r->of_id)
            return sj_call_fail(c, ST(ALREADY_EXISTS),
                                SJ_R_COMPACT_ALREADY_RATED,
                                "member %llu already rated member %llu",
                                (ull)me, (ull)r->of_id);
    int rc = room_for(c, old, r->comment);
    if (rc)
        return rc;
    Shangju__Rating *g = sj_call_alloc(c, sizeof *g);
    if (!g)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__rating__init(g);
    g->by_id = me;
    g->of_id = r->of_id;
    g->stars = r->stars;
    g->comment = r->comment;
    g->at = c->now;
    if (!(cp->ratings = append(c, old->ratings, old->n_ratings, g)))
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    cp->n_ratings++;
    return 0;
}

/* One result per party: what it gave, what was held against it, how the
 * others rated it. */
static Shangju__PartyResult *result_of(sj_call_t *c, const Shangju__Compact *cp,
                                       uint64_t party)
{
    Shangju__PartyResult *r = sj_call_alloc(c, sizeof *r);
    if (!r)
        return NULL;
    shangju__party_result__init(r);
    r->party_id = party;
    for (size_t i = 0; i < cp->n_performances; i++) {
        const Shangju__Performance *p = cp->performances[i];
        const Shangju__ServiceItem *it = find_item(cp, p->item_id);
        /* confirmed ones; records without an id predate confirmation
         * and were paid when recorded */
        r->performances +=
            it && it->giver_id == party && (p->confirmed || p->id == 0);
    }
    for (size_t i = 0; i < cp->n_complaints; i++)
        r->complaints += cp->complaints[i]->against_id == party &&
                         !cp->complaints[i]->dismissed;
    uint64_t stars = 0;
    for (size_t i = 0; i < cp->n_ratings; i++)
        if (cp->ratings[i]->of_id == party) {
            r->ratings++;
            stars += cp->ratings[i]->stars;
        }
    r->average_rating = r->ratings ? (double)stars / r->ratings : 0.0;
    return r;
}

/* A merchant's recognitions on its public page: one more closed compact,
 * with the ratings its partners gave it there. Other parties keep no such
 * record. */
static int recognise(sj_call_t *c, const Shangju__Compact *cp,
                     const Shangju__PartyResult *r)
{
    Shangju__Member *m;
    int err = sj_member_get(c->txn, r->party_id, &m);
    if (err == SJ_ENOTFOUND)
        return 0;
    if (err)
        return sj_call_store_fail(c, err, "member");
    if (m->role == ROLE(MERCHANT)) {
        uint32_t stars = 0;
        for (size_t i = 0; i < cp->n_ratings; i++)
            if (cp->ratings[i]->of_id == r->party_id)
                stars += cp->ratings[i]->stars;
        Shangju__Member nm = *m;
        nm.compacts_closed++;
        nm.compact_ratings += r->ratings;
        nm.compact_rating_sum += stars;
        err = sj_member_put(c->txn, &nm, m);
    }
    shangju__member__free_unpacked(m, NULL);
    return err ? sj_call_store_fail(c, err, "member") : 0;
}

static int close_compact(sj_call_t *c, void *rec, const void *o,
                         const void *arg)
{
    const Shangju__Compact *old = o;
    Shangju__Compact *cp = rec;
    (void)arg;
    Shangju__PartyResult **res =
        sj_call_alloc(c, (old->n_parties + 1) * sizeof *res);
    if (!res)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    for (size_t i = 0; i < old->n_parties; i++) {
        if (!(res[i] = result_of(c, old, old->parties[i])))
            return sj_call_store_fail(c, SJ_ENOMEM, "compact");
        int rc = recognise(c, old, res[i]);
        if (rc)
            return rc;
    }
    cp->closed_at = c->now;
    cp->results = res;
    cp->n_results = old->n_parties;
    return 0;
}

/* ------------------------------------------------------------- the moves */

#define K(x) SHANGJU__REQUEST__BODY_COMPACT_##x
#define T(x) SJ_TOPIC_COMPACT_##x

/* The six steps (谈约 签约 亮约 履约 信约 评约), requested ... */
/* clang-format off */
static const sj_move_t moves[] = {
    /* request      from              to               who may
     *     event            hook             refusal words */
    {K(EDIT),       CS(NEGOTIATING),  CS(NEGOTIATING), an_editor,
         T(EDITED),         edit_items,      "edited", "edit"},
    {K(SIGN),       CS(NEGOTIATING),  0 /* SIGNED when all signed */, a_party,
         T(SIGNED),         sign,            "signed", "sign"},
    {K(PUBLISH),    CS(SIGNED),       CS(PUBLISHED),   NULL,
         T(PUBLISHED),      publish_notice,  "published", "publish"},
    {K(PERFORM),    CS(ACTIVE),       CS(ACTIVE),      a_party_or_committee,
         T(PERFORMED),      perform,         "performed", "perform"},
    {K(COMPLAIN),   CS(ACTIVE),       CS(ACTIVE),      a_complainer,
         T(COMPLAINED),     complain,        "complained about", "complain"},
    {K(RESOLVE),    0 /* active or evaluating */, 0,   active_or_evaluating,
         T(RESOLVED),       resolve,         "resolved", "resolve"},
    {K(DISMISS),    0 /* active or evaluating */, 0,   active_or_evaluating,
         T(DISMISSED),      dismiss,         "dismissed", "dismiss"},
    {K(CONFIRM),    0 /* active or evaluating */, 0,   active_or_evaluating,
         T(CONFIRMED),      confirm,         "confirmed", "confirm"},
    {K(RATE),       CS(EVALUATING),   CS(EVALUATING),  a_party,
         T(RATED),          rate,            "rated", "rate"},
    {K(CLOSE),      CS(EVALUATING),   CS(CLOSED),      NULL,
         T(CLOSED),         close_compact,   "closed", "close"},
};

/* ... and by the term's start and end (sj_compact_timer_fire). */
static const sj_move_t timer_moves[] = {
    {SJ_TIMER_COMPACT_START, CS(PUBLISHED), CS(ACTIVE), NULL,
         T(ACTIVATED),      NULL,            "activated", "activate"},
    {SJ_TIMER_COMPACT_END, CS(ACTIVE),    CS(EVALUATING), NULL,
         T(EVALUATING),     NULL,            "evaluated", "evaluate"},
};
/* clang-format on */

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Apply the request's move to compact id; the reply is set by publish. */
static int move(sj_call_t *c, const Shangju__Request *req, uint64_t id,
                const void *arg)
{
    const sj_move_t *m = sj_move_find(moves, N(moves), (int)req->body_case);
    return sj_move_apply(c, &compacts, m, id, arg, NULL);
}

int sj_h_compact_edit(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactEdit *e = req->compact_edit;
    int rc =
        sj_check_text(c, "covenant", e->covenant, 0, SJ_MAX_COVENANT, true);
    return rc ? rc : move(c, req, e->id, e);
}

int sj_h_compact_sign(sj_call_t *c, const Shangju__Request *req)
{
    return move(c, req, req->compact_sign->id, req->compact_sign);
}

int sj_h_compact_publish(sj_call_t *c, const Shangju__Request *req)
{
    return move(c, req, req->compact_publish->id, NULL);
}

int sj_h_compact_perform(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactPerform *p = req->compact_perform;
    int rc = sj_check_text(c, "note", p->note, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, p->id, p);
}

int sj_h_compact_complain(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactComplain *q = req->compact_complain;
    int rc = sj_check_text(c, "text", q->text, 1, SJ_MAX_COMPLAINT, true);
    return rc ? rc : move(c, req, q->id, q);
}

int sj_h_compact_resolve(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactResolve *r = req->compact_resolve;
    int rc = sj_check_text(c, "resolution", r->resolution, 1, SJ_MAX_RESOLUTION,
                           true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_compact_dismiss(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactDismiss *r = req->compact_dismiss;
    int rc = sj_check_text(c, "resolution", r->resolution, 0, SJ_MAX_RESOLUTION,
                           true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_compact_confirm(sj_call_t *c, const Shangju__Request *req)
{
    return move(c, req, req->compact_confirm->id, req->compact_confirm);
}

int sj_h_compact_rate(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactRate *r = req->compact_rate;
    int rc = sj_check_text(c, "comment", r->comment, 0, SJ_MAX_NOTE, true);
    return rc ? rc : move(c, req, r->id, r);
}

int sj_h_compact_close(sj_call_t *c, const Shangju__Request *req)
{
    return move(c, req, req->compact_close->id, NULL);
}

int sj_compact_timer_fire(sj_call_t *c, const sj_timer_t *tm)
{
    return sj_move_timer(c, &compacts, timer_moves, N(timer_moves), tm);
}

/* ------------------------------------------------------------ get, list */

int sj_h_compact_get(sj_call_t *c, const Shangju__Request *req)
{
    void *cp;
    int rc = sj_rec_load(c, &compacts, req->compact_get->id, &cp);
    if (rc)
        return rc;
    if (c->caller->role == SHANGJU__ROLE__ROLE_WEB) {
        /* The public web front: a published notice or nothing at all. */
        if (!((Shangju__Compact *)cp)->published_at)
            return sj_call_fail(c, ST(NOT_FOUND), SJ_R_COMPACT_NOT_FOUND,
                                "no published compact %llu",
                                (unsigned long long)req->compact_get->id);
        Shangju__Compact *v = sj_call_alloc(c, sizeof *v);
        if (!v)
            return sj_call_store_fail(c, SJ_ENOMEM, "compact");
        sj_vis_compact_public(cp, v);
        cp = v;
    }
    c->reply.body_case = SHANGJU__REPLY__BODY_COMPACT;
    c->reply.compact = cp;
    return 0;
}

int sj_h_compact_list(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__CompactList *l = req->compact_list;
    if (l->state && !protobuf_c_enum_descriptor_get_value(
                        &shangju__compact_state__descriptor, l->state))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "unknown state %d", (int)l->state);
    int rc = sj_check_cursor(c, l->after);
    if (rc)
        return rc;
    size_t limit = l->limit ? l->limit : LIST_DEFAULT;
    if (limit > LIST_MAX)
        limit = LIST_MAX; /* summaries are large: a short page, a cursor */
    Shangju__CompactPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    shangju__compact_page__init(page);
    int err = sj_compact_list(c->txn, l->state, l->after, limit, &page->items,
                              &page->n_items, &page->next);
    if (err ||
        (err = sj_call_own_page(c, (void **)page->items, page->n_items))) {
        page->n_items = 0;
        return sj_call_store_fail(c, err, "compact");
    }
    for (size_t i = 0; i < page->n_items; i++)
        if (!(page->items[i] = summary(c, page->items[i], false)))
            return sj_call_store_fail(c, SJ_ENOMEM, "compact");
    if (c->caller->role == SHANGJU__ROLE__ROLE_WEB) {
        /* The public web front lists published notices only. */
        size_t n = 0;
        for (size_t i = 0; i < page->n_items; i++)
            if (page->items[i]->published_at)
                page->items[n++] = page->items[i];
        page->n_items = n;
    }
    c->reply.body_case = SHANGJU__REPLY__BODY_COMPACTS;
    c->reply.compacts = page;
    return 0;
}
