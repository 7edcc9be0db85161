/* The live lists of model.h. The board is kept sorted by created_at
 * (newest first) with ids as tie-break, so the order does not depend on
 * the order records arrive in (a list reply and Replay interleave). */
#include "model.h"

#include <string.h>

G_DEFINE_FINAL_TYPE(SjDeskWish, sj_desk_wish, G_TYPE_OBJECT)

static void wish_finalize(GObject *o)
{
    SjDeskWish *w = SJ_DESK_WISH(o);
    g_free(w->title);
    g_free(w->details);
    g_free(w->category);
    g_free(w->community);
    g_free(w->building);
    g_free(w->owner_name);
    g_free(w->owner_contact);
    G_OBJECT_CLASS(sj_desk_wish_parent_class)->finalize(o);
}

static void sj_desk_wish_class_init(SjDeskWishClass *k)
{
    G_OBJECT_CLASS(k)->finalize = wish_finalize;
}

static void sj_desk_wish_init(SjDeskWish *w)
{
    (void)w;
}

SjDeskWish *sj_desk_wish_new(const Shangju__Wish *src)
{
    SjDeskWish *w = g_object_new(SJ_DESK_TYPE_WISH, NULL);
    w->id = src->id;
    w->title = g_strdup(src->title ? src->title : "");
    w->details = g_strdup(src->details ? src->details : "");
    w->category = g_strdup(src->category ? src->category : "");
    w->community = g_strdup(src->community ? src->community : "");
    w->building = g_strdup(src->building ? src->building : "");
    w->owner_name = g_strdup(src->owner_name ? src->owner_name : "");
    w->owner_contact = g_strdup(src->owner_contact ? src->owner_contact : "");
    w->state = src->state;
    w->created_at = src->created_at;
    w->updated_at = src->updated_at;
    w->claimant = src->claim ? src->claim->merchant_id : 0;
    w->due_at = src->claim ? src->claim->due_at : 0;
    w->verified = src->verified;
    return w;
}

struct sj_desk_model {
    uint64_t me;
    GListStore *board;
    GListStore *claims;
    /* id -> updated_at of the newest record seen (also for wishes on no
     * list, so an old record cannot bring a closed wish back). */
    GHashTable *seen;
};

sj_desk_model_t *sj_desk_model_new(uint64_t me)
{
    sj_desk_model_t *m = g_new0(sj_desk_model_t, 1);
    m->me = me;
    m->board = g_list_store_new(SJ_DESK_TYPE_WISH);
    m->claims = g_list_store_new(SJ_DESK_TYPE_WISH);
    m->seen =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return m;
}

void sj_desk_model_free(sj_desk_model_t **self)
{
    if (!self || !*self)
        return;
    sj_desk_model_t *m = *self;
    g_object_unref(m->board);
    g_object_unref(m->claims);
    g_hash_table_destroy(m->seen);
    g_free(m);
    *self = NULL;
}

void sj_desk_model_set_me(sj_desk_model_t *m, uint64_t me)
{
    m->me = me;
}

static bool find_in(GListStore *s, uint64_t id, guint *pos)
{
    guint n = g_list_model_get_n_items(G_LIST_MODEL(s));
    for (guint i = 0; i < n; i++) {
        SjDeskWish *w = g_list_model_get_item(G_LIST_MODEL(s), i);
        bool hit = w->id == id;
        g_object_unref(w);
        if (hit) {
            *pos = i;
            return true;
        }
    }
    return false;
}

static bool drop(GListStore *s, uint64_t id)
{
    guint pos;
    if (!find_in(s, id, &pos))
        return false;
    g_list_store_remove(s, pos);
    return true;
}

/* Newest first; equal times by id, higher first. */
static gint newest_first(gconstpointer a, gconstpointer b, gpointer ud)
{
    (void)ud;
    const SjDeskWish *x = a, *y = b;
    if (x->created_at != y->created_at)
        return x->created_at > y->created_at ? -1 : 1;
    if (x->id != y->id)
        return x->id > y->id ? -1 : 1;
    return 0;
}

/* Soonest due first. */
static gint soonest_due(gconstpointer a, gconstpointer b, gpointer ud)
{
    (void)ud;
    const SjDeskWish *x = a, *y = b;
    if (x->due_at != y->due_at)
        return x->due_at < y->due_at ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

sj_desk_apply_t sj_desk_model_apply(sj_desk_model_t *m, const Shangju__Wish *w)
{
    if (!w || !w->id)
        return SJ_DESK_APPLY_NONE;
    int64_t key = (int64_t)w->id;
    int64_t *known = g_hash_table_lookup(m->seen, &key);
    if (known && *known > w->updated_at)
        return SJ_DESK_APPLY_NONE;
    int64_t *k = g_new(int64_t, 1), *v = g_new(int64_t, 1);
    *k = key;
    *v = w->updated_at;
    g_hash_table_replace(m->seen, k, v);

    /* Events never carry the owner's contact: keep the one the claim's
     * reply (or my claims' list) gave while the claim stays mine. */
    char *contact = NULL;
    guint pos;
    if (find_in(m->claims, w->id, &pos)) {
        SjDeskWish *old = g_list_model_get_item(G_LIST_MODEL(m->claims), pos);
        contact = g_strdup(old->owner_contact);
        g_object_unref(old);
    }
    bool was_open = drop(m->board, w->id);
    bool was_mine = drop(m->claims, w->id);
    bool open = w->state == SHANGJU__WISH_STATE__WISH_STATE_OPEN;
    bool mine = w->state == SHANGJU__WISH_STATE__WISH_STATE_CLAIMED &&
                w->claim && m->me && w->claim->merchant_id == m->me;
    if (open || mine) {
        SjDeskWish *item = sj_desk_wish_new(w);
        if (mine && !*item->owner_contact && contact) {
            g_free(item->owner_contact);
            item->owner_contact = g_steal_pointer(&contact);
        }
        if (open)
            g_list_store_insert_sorted(m->board, item, newest_first, NULL);
        else
            g_list_store_insert_sorted(m->claims, item, soonest_due, NULL);
        g_object_unref(item);
    }
    g_free(contact);
    if (open && !was_open)
        return SJ_DESK_APPLY_NEW_OPEN;
    return (open || mine || was_open || was_mine) ? SJ_DESK_APPLY_CHANGED
                                                  : SJ_DESK_APPLY_NONE;
}

void sj_desk_model_remove(sj_desk_model_t *m, uint64_t id)
{
    drop(m->board, id);
    drop(m->claims, id);
}

SjDeskWish *sj_desk_model_find(sj_desk_model_t *m, uint64_t id)
{
    guint pos;
    GListStore *s = m->board;
    if (!find_in(s, id, &pos)) {
        s = m->claims;
        if (!find_in(s, id, &pos))
            return NULL;
    }
    SjDeskWish *w = g_list_model_get_item(G_LIST_MODEL(s), pos);
    g_object_unref(w); /* the store keeps it alive */
    return w;
}

GListModel *sj_desk_model_board(sj_desk_model_t *m)
{
    return G_LIST_MODEL(m->board);
}

GListModel *sj_desk_model_claims(sj_desk_model_t *m)
{
    return G_LIST_MODEL(m->claims);
}

/* Whether needle (trimmed, case-folded) is part of hay; "" always is. */
static bool contains(const char *hay, const char *needle)
{
    if (!needle)
        return true;
    char *n = g_strstrip(g_utf8_casefold(needle, -1));
    char *h = g_utf8_casefold(hay, -1);
    bool hit = !*n || strstr(h, n) != NULL;
    g_free(n);
    g_free(h);
    return hit;
}

bool sj_desk_wish_matches(const SjDeskWish *w, const char *category,
                          const char *building)
{
    return contains(w->category, category) && contains(w->building, building);
}
