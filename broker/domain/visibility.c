/* The visibility rules of visibility.h: one function per record kind, each
 * building its view field by field from a fresh message, so what a record
 * shows is decided here and nowhere else, and fields the schema does not
 * know never travel along. */
#include "visibility.h"

#include <string.h>

#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x

static char empty[] = "";

static bool is_committee(const Shangju__Member *viewer)
{
    return viewer && viewer->role == ROLE(COMMITTEE);
}

/* The public web front: only what a passer-by may read (issue 10). */
static bool is_web(const Shangju__Member *viewer)
{
    return viewer && viewer->role == ROLE(WEB);
}

static bool is_self(const Shangju__Member *viewer, uint64_t id)
{
    return viewer && id != 0 && viewer->id == id;
}

void sj_vis_member(const Shangju__Member *viewer, const Shangju__Member *m,
                   Shangju__Member *view)
{
    shangju__member__init(view);
    view->id = m->id;
    view->role = m->role;
    view->status = m->status;
    if (is_web(viewer)) {
        /* A resident's name never reaches a public page; a merchant's or
         * the committee's does, with the merchant's public record. */
        if (m->role == ROLE(MERCHANT) || m->role == ROLE(COMMITTEE))
            view->name = m->name;
        if (m->role == ROLE(MERCHANT)) {
            view->wishes_fulfilled = m->wishes_fulfilled;
            view->ratings_received = m->ratings_received;
            view->rating_sum = m->rating_sum;
            view->compacts_closed = m->compacts_closed;
            view->compact_ratings = m->compact_ratings;
            view->compact_rating_sum = m->compact_rating_sum;
        }
        return;
    }
    view->name = m->name;
    view->community = m->community;
    view->building = m->building;
    view->status = m->status;
    view->created_at = m->created_at;
    view->claims_lapsed = m->claims_lapsed;
    view->wishes_fulfilled = m->wishes_fulfilled;
    view->ratings_received = m->ratings_received;
    view->rating_sum = m->rating_sum;
    view->compacts_closed = m->compacts_closed;
    view->compact_ratings = m->compact_ratings;
    view->compact_rating_sum = m->compact_rating_sum;
    view->created_by = m->created_by;
    if (!is_committee(viewer) && !is_self(viewer, m->id))
        return;
    view->contact = m->contact;
    view->public_key = m->public_key;
    view->chat_handle = m->chat_handle;
    view->bridge_id = m->bridge_id;
    /* The chat link's own fields (links.c); never the invite's hash. */
    view->chat_lang = m->chat_lang;
    view->chat_cursor = m->chat_cursor;
    view->invite_expires_at = m->invite_expires_at;
    view->invite_failures = m->invite_failures;
    view->invite_bridge_id = m->invite_bridge_id;
}

void sj_vis_member_link(const Shangju__Member *viewer, const Shangju__Member *m,
                        Shangju__Member *view)
{
    sj_vis_member(viewer, m, view);
    if (!viewer || viewer->role != ROLE(BRIDGE) || m->bridge_id == 0 ||
        m->bridge_id != viewer->id || !*m->chat_handle)
        return;
    view->chat_handle = m->chat_handle;
    view->bridge_id = m->bridge_id;
    view->chat_lang = m->chat_lang;
}

/* The owner, the owner's bridge or the committee: who acts for the owner.
 * Without the owner record only the owner and the committee are known. */
static bool owner_side(const Shangju__Member *viewer, const Shangju__Wish *w,
                       const Shangju__Member *owner)
{
    if (!viewer)
        return false;
    if (is_committee(viewer) || viewer->id == w->owner_id)
        return true;
    return owner && viewer->role == ROLE(BRIDGE) && owner->bridge_id != 0 &&
           owner->bridge_id == viewer->id;
}

static bool holds_claim(const Shangju__Member *viewer, const Shangju__Wish *w)
{
    return viewer && w->claim && w->claim->merchant_id == viewer->id &&
           (w->state == WS(CLAIMED) || w->state == WS(FULFILLED));
}

void sj_vis_wish(const Shangju__Member *viewer, const Shangju__Wish *w,
                 const Shangju__Member *owner, Shangju__Wish *view)
{
    shangju__wish__init(view);
    view->id = w->id;
    view->owner_id = w->owner_id;
    view->title = w->title;
    view->details = w->details;
    view->category = w->category;
    view->community = w->community;
    view->building = w->building;
    view->state = w->state;
    view->created_at = w->created_at;
    view->updated_at = w->updated_at;
    view->expires_at = w->expires_at;
    view->claim = w->claim;
    view->fulfilled_at = w->fulfilled_at;
    view->closed_at = w->closed_at;
    view->thanks = w->thanks;
    view->rating = w->rating;
    view->lapses = w->lapses;
    view->owner_name = owner ? owner->name : w->owner_name;
    view->auto_closed = w->auto_closed;
    view->handover_failures = w->handover_failures;
    view->handover_locked = w->handover_locked;
    view->verified = w->verified;
    view->disputed = w->disputed;
    view->disputed_at = w->disputed_at;
    view->dispute = empty; /* the owner's words: their side, the claimant */
    if (owner && (owner_side(viewer, w, owner) || holds_claim(viewer, w)))
        view->dispute = w->dispute;
    view->handover_code = empty; /* only ever inside the hand-over QR */
    view->owner_contact = empty;
    if (is_web(viewer)) {
        /* Public fields only: no owner (not even the id, which would link
         * a resident's wishes), no poster, no hand-over state. */
        view->owner_id = 0;
        view->owner_name = empty;
        view->handover_failures = 0;
        view->handover_locked = false;
        return;
    }
    if (w->posted_by == w->owner_id || owner_side(viewer, w, owner) ||
        is_self(viewer, w->posted_by))
        view->posted_by = w->posted_by;
    if (owner && (owner_side(viewer, w, owner) || holds_claim(viewer, w)))
        view->owner_contact = owner->contact;
}

void sj_vis_listing(const Shangju__Listing *l, Shangju__Listing *view)
{
    shangju__listing__init(view);
    view->merchant_id = l->merchant_id;
    view->name = l->name;
    view->category = l->category;
    view->n_specialties = l->n_specialties;
    view->specialties = l->specialties;
    view->address = l->address;
    view->hours = l->hours;
    view->n_services = l->n_services;
    view->services = l->services;
    view->created_at = l->created_at;
    view->updated_at = l->updated_at;
    view->updated_by = l->updated_by;
    view->phone = l->phone;
}

void sj_vis_compact(const Shangju__Compact *cp, Shangju__Compact *view)
{
    shangju__compact__init(view);
    view->id = cp->id;
    view->title = cp->title;
    view->term_start = cp->term_start;
    view->term_end = cp->term_end;
    view->n_parties = cp->n_parties;
    view->parties = cp->parties;
    view->state = cp->state;
    view->version = cp->version;
    view->n_items = cp->n_items;
    view->items = cp->items;
    view->covenant = cp->covenant;
    view->n_signatures = cp->n_signatures;
    view->signatures = cp->signatures;
    view->created_at = cp->created_at;
    view->created_by = cp->created_by;
    view->published_at = cp->published_at;
    view->n_performances = cp->n_performances;
    view->performances = cp->performances;
    view->n_complaints = cp->n_complaints;
    view->complaints = cp->complaints;
    view->n_ratings = cp->n_ratings;
    view->ratings = cp->ratings;
    view->closed_at = cp->closed_at;
    view->n_results = cp->n_results;
    view->results = cp->results;
    view->version_hash = cp->version_hash;
    view->notice = cp->notice;
    view->n_history = cp->n_history;
    view->history = cp->history;
}

void sj_vis_compact_public(const Shangju__Compact *cp, Shangju__Compact *view)
{
    sj_vis_compact(cp, view);
    view->n_performances = 0;
    view->performances = NULL;
    view->n_complaints = 0;
    view->complaints = NULL;
    view->n_ratings = 0;
    view->ratings = NULL;
}

/* The other member of a movement, as the ledger records it: a payment's
 * debit ("spend") names the payee in ref; earnings come from the alliance
 * (no member). */
static uint64_t other_party(const Shangju__LedgerEntry *e)
{
    return e->kind && strcmp(e->kind, "spend") == 0 ? e->ref : 0;
}

static void copy_entry(const Shangju__LedgerEntry *e, sj_vis_t how,
                       Shangju__LedgerEntry *view)
{
    shangju__ledger_entry__init(view);
    if (how == SJ_VIS_NONE)
        return;
    view->transfer_id = e->transfer_id;
    view->member_id = e->member_id;
    view->amount = e->amount;
    view->kind = e->kind;
    view->ref = e->ref;
    view->memo = e->memo;
    view->at = e->at;
    view->year = e->year;
    if (how == SJ_VIS_FULL) {
        view->seq = e->seq;
        view->prev_hash = e->prev_hash;
        view->hash = e->hash;
    }
}

sj_vis_t sj_vis_entry(const Shangju__Member *viewer,
                      const Shangju__LedgerEntry *e, Shangju__LedgerEntry *view)
{
    sj_vis_t how = SJ_VIS_NONE;
    if (is_committee(viewer) || is_self(viewer, e->member_id))
        how = SJ_VIS_FULL;
    else if (is_self(viewer, other_party(e)))
        how = SJ_VIS_PARTY;
    copy_entry(e, how, view);
    return how;
}

void sj_vis_entry_log(const Shangju__LedgerEntry *e, Shangju__LedgerEntry *view)
{
    copy_entry(e, SJ_VIS_FULL, view);
}

void sj_vis_subject(Shangju__Event *ev)
{
    switch (ev->body_case) {
    case SHANGJU__EVENT__BODY_MEMBER:
        ev->subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_MEMBER;
        ev->subject_id = ev->member ? ev->member->id : 0;
        break;
    case SHANGJU__EVENT__BODY_WISH:
        ev->subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_WISH;
        ev->subject_id = ev->wish ? ev->wish->id : 0;
        break;
    case SHANGJU__EVENT__BODY_LISTING:
        ev->subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_LISTING;
        ev->subject_id = ev->listing ? ev->listing->merchant_id : 0;
        break;
    case SHANGJU__EVENT__BODY_COMPACT:
        ev->subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_COMPACT;
        ev->subject_id = ev->compact ? ev->compact->id : 0;
        break;
    case SHANGJU__EVENT__BODY_ENTRY:
        ev->subject = SHANGJU__EVENT_SUBJECT__EVENT_SUBJECT_POINTS;
        ev->subject_id = ev->entry ? ev->entry->transfer_id : 0;
        break;
    default:
        /* Events without a body (points.year_closed) keep what the
         * emitter set. */
        break;
    }
}

void sj_vis_stub(const Shangju__Event *ev, sj_vis_event_t *out)
{
    Shangju__Event *v = &out->ev;
    shangju__event__init(v);
    v->seq = ev->seq;
    v->at = ev->at;
    v->topic = ev->topic ? ev->topic : empty;
    v->subject = ev->subject;
    v->subject_id = ev->subject_id;
    /* A body implies its subject; stored events older than the subject
     * fields get it here. */
    v->body_case = ev->body_case;
    v->member = ev->member; /* the union's pointer, read by sj_vis_subject */
    sj_vis_subject(v);
    v->withheld = v->body_case != SHANGJU__EVENT__BODY__NOT_SET;
    v->body_case = SHANGJU__EVENT__BODY__NOT_SET;
    v->member = NULL;
}

void sj_vis_event(const Shangju__Member *viewer, const Shangju__Event *ev,
                  sj_vis_event_t *out)
{
    sj_vis_stub(ev, out);
    Shangju__Event *v = &out->ev;
    if (!viewer || is_web(viewer) ||
        (ev->body_case != SHANGJU__EVENT__BODY__NOT_SET &&
         !ev->member)) /* the body's pointer, whatever its kind */
        return;
    if (is_committee(viewer) || is_self(viewer, ev->actor_id))
        v->actor_id = ev->actor_id;
    switch (ev->body_case) {
    case SHANGJU__EVENT__BODY_MEMBER:
        sj_vis_member(NULL, ev->member, &out->body.member);
        v->member = &out->body.member;
        break;
    case SHANGJU__EVENT__BODY_WISH:
        sj_vis_wish(viewer, ev->wish, NULL, &out->body.wish);
        v->wish = &out->body.wish;
        break;
    case SHANGJU__EVENT__BODY_LISTING:
        sj_vis_listing(ev->listing, &out->body.listing);
        v->listing = &out->body.listing;
        break;
    case SHANGJU__EVENT__BODY_COMPACT:
        sj_vis_compact(ev->compact, &out->body.compact);
        v->compact = &out->body.compact;
        break;
    case SHANGJU__EVENT__BODY_ENTRY:
        if (sj_vis_entry(viewer, ev->entry, &out->body.entry) == SJ_VIS_NONE)
            return; /* the stub: amounts and memos are the parties' */
        v->entry = &out->body.entry;
        break;
    default:
        return;
    }
    v->body_case = ev->body_case;
    v->withheld = false;
}
