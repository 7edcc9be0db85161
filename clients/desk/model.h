/* The desk client's live lists: the wish board (open wishes, newest on
 * top) and my claims (wishes this merchant holds), as GListModels of
 * SjDeskWish items that GTK list views show directly. Both are fed from
 * one place, sj_desk_model_apply(), with every wish record the broker
 * sends (list replies, Replay events), so a record seen twice or out of
 * date changes nothing: the newest updated_at wins and an id is never in
 * a list twice. GLib/GIO only. */
#ifndef SJ_DESK_MODEL_H
#define SJ_DESK_MODEL_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stdint.h>

#include "codec.h"

/* One wish as the desk shows it: a copy of the fields it needs. Items are
 * immutable: a change makes a new item that replaces the old one. */
#define SJ_DESK_TYPE_WISH (sj_desk_wish_get_type())
G_DECLARE_FINAL_TYPE(SjDeskWish, sj_desk_wish, SJ_DESK, WISH, GObject)

struct _SjDeskWish {
    GObject parent;
    uint64_t id;
    char *title;
    char *details;
    char *category;
    char *community;
    char *building;
    char *owner_name;
    char *owner_contact; /* only while this merchant holds the claim */
    int state;           /* Shangju__WishState */
    int64_t created_at;
    int64_t updated_at;
    uint64_t claimant; /* claim.merchant_id, 0 without a claim */
    int64_t due_at;
    bool verified;
};

/* A new item copied from w (which stays the caller's). */
SjDeskWish *sj_desk_wish_new(const Shangju__Wish *w);

typedef struct sj_desk_model sj_desk_model_t;

/* What sj_desk_model_apply() did, for the alert (sound on a new wish). */
typedef enum {
    SJ_DESK_APPLY_NONE = 0, /* stale or unchanged: nothing moved */
    SJ_DESK_APPLY_CHANGED,  /* updated, removed or moved between lists */
    SJ_DESK_APPLY_NEW_OPEN, /* an open wish the board did not have */
} sj_desk_apply_t;

/* An empty model for the merchant `me` (the member id whose claims are
 * "mine"). Free with sj_desk_model_free(). */
sj_desk_model_t *sj_desk_model_new(uint64_t me);
void sj_desk_model_free(sj_desk_model_t **self);

/* Set the member id (learnt from WhoAmI after connecting). */
void sj_desk_model_set_me(sj_desk_model_t *m, uint64_t me);

/* Take one wish record into account: an OPEN wish goes on the board
 * (newest created first), a CLAIMED one held by `me` into my claims,
 * anything else leaves both. A record older than the one held
 * (updated_at) is ignored. */
sj_desk_apply_t sj_desk_model_apply(sj_desk_model_t *m, const Shangju__Wish *w);

/* Forget wish id (e.g. a NOT_FOUND answer). */
void sj_desk_model_remove(sj_desk_model_t *m, uint64_t id);

/* The item for id on either list, or NULL (borrowed). */
SjDeskWish *sj_desk_model_find(sj_desk_model_t *m, uint64_t id);

/* The two lists (borrowed; valid while the model lives). */
GListModel *sj_desk_model_board(sj_desk_model_t *m);
GListModel *sj_desk_model_claims(sj_desk_model_t *m);

/* Whether a board item passes the filters: its category and building
 * contain the given text (case-folded, trimmed; NULL or "" means any). */
bool sj_desk_wish_matches(const SjDeskWish *w, const char *category,
                          const char *building);

#endif
