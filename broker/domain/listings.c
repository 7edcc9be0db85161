/* Merchant listing handlers (赋码): a merchant registers and edits its own
 * listing, the committee any; anyone reads them and lists them by
 * category. Every field has a size limit with a clear error past it. */
#include "dispatch.h"

#include <string.h>

#include "validate.h"
#include "visibility.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

typedef unsigned long long ull;

/* A phone number to publish: digits, spaces and + - ( ), at least three
 * digits, so that a tel: link built from it dials what it shows. */
static int check_phone(sj_call_t *c, const char *p)
{
    size_t n = p ? strlen(p) : 0, digits = 0;
    if (n == 0)
        return 0;
    if (n > SJ_MAX_PHONE)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_TOO_LONG,
                            "phone is too long (%zu characters; at most %d)", n,
                            SJ_MAX_PHONE);
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9')
            digits++;
        else if (!strchr("+-() ", p[i]))
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                                "phone may hold only digits, spaces and "
                                "+ - ( )");
    }
    if (digits < 3)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                            "phone needs at least three digits");
    return 0;
}

static int check_listing(sj_call_t *c, const Shangju__Listing *l)
{
    int rc = check_phone(c, l->phone);
    if (rc)
        return rc;
    if ((rc = sj_check_text(c, "name", l->name, 1, SJ_MAX_NAME, false)) ||
        (rc = sj_check_text(c, "category", l->category, 1, SJ_MAX_CATEGORY,
                            false)) ||
        (rc = sj_check_text(c, "address", l->address, 0, SJ_MAX_ADDRESS,
                            false)) ||
        (rc = sj_check_text(c, "hours", l->hours, 0, SJ_MAX_HOURS, false)))
        return rc;
    if (l->n_specialties > SJ_MAX_SPECIALTIES)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "too many specialties (%zu; at most %d)",
                            l->n_specialties, SJ_MAX_SPECIALTIES);
    for (size_t i = 0; i < l->n_specialties; i++)
        if ((rc = sj_check_text(c, "specialty", l->specialties[i], 1,
                                SJ_MAX_SPECIALTY, false)))
            return rc;
    if (l->n_services > SJ_MAX_SERVICES)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "too many services (%zu; at most %d)",
                            l->n_services, SJ_MAX_SERVICES);
    for (size_t i = 0; i < l->n_services; i++) {
        const Shangju__Service *s = l->services[i];
        if ((rc = sj_check_text(c, "service name", s->name, 1, SJ_MAX_NAME,
                                false)) ||
            (rc = sj_check_text(c, "service description", s->description, 0,
                                SJ_MAX_NOTE, true)))
            return rc;
        if (s->points > SJ_MAX_POINTS)
            return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                                "service '%s' costs too many points (%u; at "
                                "most %d)",
                                s->name, s->points, SJ_MAX_POINTS);
    }
    return 0;
}

/* The merchant a listing request is about: the caller (a merchant) or, for
 * the committee, the one named. It must be a merchant member. */
static int listing_owner(sj_call_t *c, uint64_t asked, uint64_t *id)
{
    const Shangju__Member *me = c->caller;
    if (me->role == ROLE(MERCHANT) && asked && asked != me->id)
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                            "a merchant edits only its own listing");
    if (me->role != ROLE(MERCHANT) && !asked)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "say which merchant (merchant_id)");
    *id = asked ? asked : me->id;
    Shangju__Member *m;
    int err = sj_member_get(c->txn, *id, &m);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (ull)*id);
    if (err)
        return sj_call_store_fail(c, err, "member");
    bool merchant = m->role == ROLE(MERCHANT);
    shangju__member__free_unpacked(m, NULL);
    if (!merchant)
        return sj_call_fail(c, ST(FAILED_PRECONDITION),
                            SJ_R_MEMBER_NOT_MERCHANT,
                            "member %llu is not a merchant", (ull)*id);
    return 0;
}

int sj_h_listing_put(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ListingPut *p = req->listing_put;
    if (!p->listing)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_REQUIRED,
                            "listing is required");
    uint64_t id = 0;
    int rc;
    if ((rc = listing_owner(c, p->listing->merchant_id, &id)) ||
        (rc = check_listing(c, p->listing)))
        return rc;
    Shangju__Listing *old = NULL;
    int err = sj_listing_get(c->txn, id, &old);
    if (err && err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "listing");
    if (old && !sj_call_own(c, old))
        return sj_call_store_fail(c, SJ_ENOMEM, "listing");
    if (p->create && old)
        return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_LISTING_EXISTS,
                            "merchant %llu already has a listing; update it",
                            (ull)id);
    if (!p->create && !old)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_LISTING_NOT_FOUND,
                            "merchant %llu has no listing yet; register it",
                            (ull)id);
    Shangju__Listing *l = sj_call_alloc(c, sizeof *l);
    if (!l)
        return sj_call_store_fail(c, SJ_ENOMEM, "listing");
    /* Field by field (strings stay owned by the request): only what the
     * schema defines is stored. */
    sj_vis_listing(p->listing, l);
    l->merchant_id = id;
    l->created_at = old ? old->created_at : c->now;
    l->updated_at = c->now;
    l->updated_by = c->caller->id;
    err = sj_listing_put(c->txn, l, old);
    if (!err)
        err = sj_call_emit_listing(
            c, old ? SJ_TOPIC_MERCHANT_UPDATED : SJ_TOPIC_MERCHANT_REGISTERED,
            l);
    if (err)
        return sj_call_store_fail(c, err, "listing");
    c->reply.body_case = SHANGJU__REPLY__BODY_LISTING;
    c->reply.listing = l;
    return 0;
}

int sj_h_listing_get(sj_call_t *c, const Shangju__Request *req)
{
    uint64_t id = req->listing_get->merchant_id;
    Shangju__Listing *l;
    int err = sj_listing_get(c->txn, id, &l);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_LISTING_NOT_FOUND,
                            "merchant %llu has no listing", (ull)id);
    if (err || !sj_call_own(c, l))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "listing");
    Shangju__Member *m;
    err = sj_member_get(c->txn, id, &m);
    if (err == 0) {
        /* The merchant's public record, read fields of the reply. */
        l->wishes_fulfilled = m->wishes_fulfilled;
        l->ratings = m->ratings_received;
        l->average_rating = m->ratings_received
                                ? (double)m->rating_sum / m->ratings_received
                                : 0;
        l->compacts_closed = m->compacts_closed;
        l->compact_ratings = m->compact_ratings;
        l->compact_average_rating =
            m->compact_ratings
                ? (double)m->compact_rating_sum / m->compact_ratings
                : 0;
        shangju__member__free_unpacked(m, NULL);
    } else if (err != SJ_ENOTFOUND)
        return sj_call_store_fail(c, err, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_LISTING;
    c->reply.listing = l;
    return 0;
}

int sj_h_listing_list(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ListingList *l = req->listing_list;
    size_t limit;
    int rc;
    if ((rc = sj_check_text(c, "category", l->category, 0, SJ_MAX_CATEGORY,
                            false)) ||
        (rc = sj_check_limit(c, l->limit, &limit)) ||
        (rc = sj_check_cursor(c, l->after)))
        return rc;
    Shangju__ListingPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "listing");
    shangju__listing_page__init(page);
    int err = sj_listing_list(c->txn, l->category, l->after, limit,
                              &page->items, &page->n_items, &page->next);
    if (err ||
        (err = sj_call_own_page(c, (void **)page->items, page->n_items))) {
        page->n_items = 0;
        return sj_call_store_fail(c, err, "listing");
    }
    c->reply.body_case = SHANGJU__REPLY__BODY_LISTINGS;
    c->reply.listings = page;
    return 0;
}
