/* The wishes table and its indexes (state, owner, claimant, community,
 * category), kept in step on every put so each wish list is a range scan.
 * Communities and categories are indexed and matched folded (sj_text_fold),
 * so "Jinqiao" finds "JINQIAO" (issue 15). */
#include "page.h"

#include <string.h>

#include "sj_limits.h"
#include "text.h"

/* A community is limited in characters (issue 15); its bytes bound. */
#define MAX_COMMUNITY SJ_UTF8_BYTES(SJ_MAX_COMMUNITY)
_Static_assert(MAX_COMMUNITY + 1 + 8 <= STORE_KEY_MAX,
               "a community's index key fits the key encoder");
/* An index key holds a fold cut to MAX_COMMUNITY bytes (a fold can be
 * longer than its text); a list compares whole folds: of text in NFC at
 * most five bytes a character (ᾀ folds to ἀι), six leave room. */
#define FOLD_BYTES(chars) (6 * (chars) + 1)

static uint64_t claimant(const Shangju__Wish *w)
{
    if (!w->claim)
        return 0;
    if (w->state != SHANGJU__WISH_STATE__WISH_STATE_CLAIMED &&
        w->state != SHANGJU__WISH_STATE__WISH_STATE_FULFILLED &&
        w->state != SHANGJU__WISH_STATE__WISH_STATE_CLOSED)
        return 0;
    return w->claim->merchant_id;
}

/* Append s folded and cut to MAX_COMMUNITY bytes (NUL-terminated, like
 * every key string); false for an empty s, which has no entry. */
static bool fold_key(const char *s, store__key_t *k)
{
    char f[MAX_COMMUNITY + 1];
    if (!s || !*s || !sj_text_fold(s, f, sizeof f))
        return false;
    store__key_str(k, f);
    return true;
}

bool store__wish_index_key(const ProtobufCMessage *rec, int index_db,
                           store__key_t *k)
{
    const Shangju__Wish *w = (const Shangju__Wish *)rec;
    store__key_init(k);
    switch (index_db) {
    case DB_WISH_BY_STATE: /* state(1) id(8) */
        store__key_u8(k, (uint8_t)w->state);
        break;
    case DB_WISH_BY_OWNER: /* owner(8) id(8) */
        store__key_u64(k, w->owner_id);
        break;
    case DB_WISH_OPEN_BY_OWNER: /* owner(8) id(8), while OPEN */
        if (w->state != SHANGJU__WISH_STATE__WISH_STATE_OPEN)
            return false;
        store__key_u64(k, w->owner_id);
        break;
    case DB_WISH_BY_CLAIMANT: /* merchant(8) id(8), while it holds it */
        if (!claimant(w))
            return false;
        store__key_u64(k, claimant(w));
        break;
    case DB_WISH_BY_COMMUNITY: /* folded community NUL id(8) */
    case DB_WISH_BY_CATEGORY:  /* folded category NUL id(8) */
        if (!fold_key(index_db == DB_WISH_BY_COMMUNITY ? w->community
                                                       : w->category,
                      k))
            return false;
        break;
    default:
        return false;
    }
    store__key_u64(k, w->id);
    return true;
}

static const int index_db[] = {DB_WISH_BY_STATE,    DB_WISH_BY_OWNER,
                               DB_WISH_BY_CLAIMANT, DB_WISH_BY_COMMUNITY,
                               DB_WISH_BY_CATEGORY, DB_WISH_OPEN_BY_OWNER};
#define N_INDEX (sizeof index_db / sizeof index_db[0])

int sj_wish_put(sj_txn_t *t, const Shangju__Wish *w, const Shangju__Wish *old)
{
    if (w->id == 0 || (w->community && strlen(w->community) > MAX_COMMUNITY) ||
        (old && old->community && strlen(old->community) > MAX_COMMUNITY))
        return SJ_EINVAL;
    /* Errors stick to t; the last put reports the first one. */
    for (size_t i = 0; i < N_INDEX; i++) {
        store__key_t nk, ok;
        bool has_new = store__wish_index_key(&w->base, index_db[i], &nk);
        bool has_old =
            old && store__wish_index_key(&old->base, index_db[i], &ok);
        if (has_old && has_new && store__key_eq(&ok, &nk))
            continue;
        if (has_old)
            store__del(t, index_db[i], &ok);
        if (has_new)
            store__put(t, index_db[i], &nk, "", 0);
    }
    store__key_t id;
    store__key_id(&id, w->id);
    return store__put_msg(t, DB_WISHES, &id, &w->base);
}

int sj_wish_get(sj_txn_t *t, uint64_t id, Shangju__Wish **out)
{
    store__key_t k;
    store__key_id(&k, id);
    return store__get_msg(t, DB_WISHES, &k, &shangju__wish__descriptor,
                          (ProtobufCMessage **)out);
}

/* One text filter of a list: the fold wanted ("" = any), and the last
 * text seen with its verdict, since neighbouring wishes mostly share their
 * community and category and a fold costs more than a comparison. */
typedef struct {
    char want[FOLD_BYTES(SJ_MAX_COMMUNITY)];
    size_t size;   /* folds compared are cut to this */
    bool by_index; /* the walk's range holds only matches: no check */
    char last[MAX_COMMUNITY + 1];
    bool seen, last_ok;
} text_match_t;

/* A filter with its community and category folded once per list. */
typedef struct {
    const sj_wish_filter_t *f;
    text_match_t *community, *category;
} match_t;

static void text_match_init(text_match_t *m, const char *s, size_t chars)
{
    m->size = FOLD_BYTES(chars);
    sj_text_fold(s, m->want, m->size);
    m->by_index = m->seen = false;
}

/* Whether text folds to m->want. */
static bool folds_to(text_match_t *m, const char *text)
{
    if (!*m->want || m->by_index)
        return true;
    text = text ? text : "";
    if (m->seen && strcmp(text, m->last) == 0)
        return m->last_ok;
    char f[sizeof m->want];
    sj_text_fold(text, f, m->size);
    bool ok = strcmp(f, m->want) == 0;
    m->seen = strlen(text) < sizeof m->last; /* longer: not remembered */
    if (m->seen) {
        strcpy(m->last, text);
        m->last_ok = ok;
    }
    return ok;
}

static bool keep(const ProtobufCMessage *rec, const void *ctx)
{
    const Shangju__Wish *w = (const Shangju__Wish *)rec;
    const match_t *m = ctx;
    const sj_wish_filter_t *f = m->f;
    if (f->state && w->state != f->state)
        return false;
    if (f->owner_id && w->owner_id != f->owner_id)
        return false;
    if (f->claimant_id && claimant(w) != f->claimant_id)
        return false;
    return folds_to(m->community, w->community) &&
           folds_to(m->category, w->category);
}

int sj_wish_list(sj_txn_t *t, const sj_wish_filter_t *f, uint64_t after,
                 size_t limit, Shangju__Wish ***items, size_t *n_items,
                 uint64_t *next)
{
    size_t c = f->community ? strlen(f->community) : 0;
    size_t g = f->category ? strlen(f->category) : 0;
    if (c > MAX_COMMUNITY || g > SJ_UTF8_BYTES(SJ_MAX_CATEGORY))
        return SJ_EINVAL;
    text_match_t community, category;
    text_match_init(&community, f->community, SJ_MAX_COMMUNITY);
    text_match_init(&category, f->category, SJ_MAX_CATEGORY);
    match_t m = {.f = f, .community = &community, .category = &category};
    store__key_t prefix;
    store__key_init(&prefix);
    store__page_q q = {
        .index_db = DB_WISHES,
        .prefix = &prefix,
        .record_db = DB_WISHES,
        .desc = &shangju__wish__descriptor,
        .keep = keep,
        .keep_ctx = &m,
        .after = after,
        .before = f->before,
        .descending = f->newest_first,
        .limit = limit,
    };
    /* The narrowest index first: one person's wishes, then a community,
     * then a category, then a state; the remaining filters apply within
     * that range (the scan budget bounds a call whatever they are). */
    if (f->owner_id) {
        q.index_db = DB_WISH_BY_OWNER;
        store__key_u64(&prefix, f->owner_id);
    } else if (f->claimant_id) {
        q.index_db = DB_WISH_BY_CLAIMANT;
        store__key_u64(&prefix, f->claimant_id);
    } else if (*community.want || *category.want) {
        bool c_index = *community.want;
        text_match_t *by = c_index ? &community : &category;
        q.index_db = c_index ? DB_WISH_BY_COMMUNITY : DB_WISH_BY_CATEGORY;
        fold_key(c_index ? f->community : f->category, &prefix);
        /* A fold the key holds whole: every entry of the range matches. */
        by->by_index = prefix.len == strlen(by->want) + 1;
    } else if (f->state) {
        q.index_db = DB_WISH_BY_STATE;
        store__key_u8(&prefix, (uint8_t)f->state);
    }
    return store__page(t, &q, (ProtobufCMessage ***)items, n_items, next);
}

void sj_wish_page_free(Shangju__Wish **items, size_t n)
{
    store__page_free((ProtobufCMessage **)items, n);
}

int store__wish_fold_index_fill(sj_txn_t *t)
{
    /* Errors stick to t; store__iter_end reports the first one. */
    store__drop(t, DB_WISH_BY_COMMUNITY);
    store__drop(t, DB_WISH_BY_CATEGORY);
    store__iter_t it;
    store__foreach(&it, t, DB_WISHES, NULL) {
        ProtobufCMessage *w = store__iter_msg(&it, &shangju__wish__descriptor);
        if (!w)
            break; /* SJ_EIO is on it: the open fails, nothing changes */
        store__key_t k;
        if (store__wish_index_key(w, DB_WISH_BY_COMMUNITY, &k))
            store__put(t, DB_WISH_BY_COMMUNITY, &k, "", 0);
        if (store__wish_index_key(w, DB_WISH_BY_CATEGORY, &k))
            store__put(t, DB_WISH_BY_CATEGORY, &k, "", 0);
        protobuf_c_message_free_unpacked(w, NULL);
    }
    return store__iter_end(&it);
}

int sj_wish_count_open(sj_txn_t *t, uint64_t owner, size_t max, size_t *n)
{
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u64(&prefix, owner);
    size_t count = 0;
    store__iter_t it;
    store__foreach(&it, t, DB_WISH_OPEN_BY_OWNER, &prefix) {
        if (count == max)
            break;
        count++;
    }
    *n = count;
    return store__iter_end(&it);
}

int store__wish_open_index_fill(sj_txn_t *t)
{
    store__key_t prefix;
    store__key_init(&prefix);
    store__key_u8(&prefix, (uint8_t)SHANGJU__WISH_STATE__WISH_STATE_OPEN);
    store__iter_t it;
    store__foreach(&it, t, DB_WISH_BY_STATE, &prefix) {
        if (it.key.len != prefix.len + 8) {
            store__iter_fail(&it, SJ_EIO, "wish_by_state: bad key");
            break;
        }
        Shangju__Wish *w = NULL;
        int err = sj_wish_get(t, store__get_be64(it.key.data + prefix.len), &w);
        store__key_t k;
        if (err)
            store__iter_fail(&it, err, "wish_by_state: no such wish");
        else if (store__wish_index_key(&w->base, DB_WISH_OPEN_BY_OWNER, &k))
            store__put(t, DB_WISH_OPEN_BY_OWNER, &k, "", 0);
        if (w)
            shangju__wish__free_unpacked(w, NULL);
    }
    return store__iter_end(&it);
}
