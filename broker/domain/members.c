/* Member handlers: the committee registers, lists and suspends members;
 * anyone may look a member up, but contact details and keys are shown only
 * to the committee and to the member themself. */
#include "dispatch.h"

#include <string.h>

#include "validate.h"
#include "visibility.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x

static bool is_committee(const sj_call_t *c)
{
    return c->caller && c->caller->role == ROLE(COMMITTEE);
}

/* What the caller may see of m (owned by c): the member rule of
 * visibility.h, built into a view that lives until the call ends. */
static Shangju__Member *present(sj_call_t *c, Shangju__Member *m)
{
    Shangju__Member *v = sj_call_alloc(c, sizeof *v);
    if (v)
        sj_vis_member(c->caller, m, v);
    return v;
}

static int check_add(sj_call_t *c, const Shangju__MemberAdd *a)
{
    if (a->role < ROLE(RESIDENT) || a->role > ROLE(MONITOR))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "role must be resident, merchant, committee, "
                            "bridge, web or monitor");
    int rc;
    if ((rc = sj_check_text(c, "name", a->name, 1, SJ_MAX_NAME, false)) ||
        (rc = sj_check_text(c, "community", a->community, 0, SJ_MAX_COMMUNITY,
                            false)) ||
        (rc = sj_check_text(c, "building", a->building, 0, SJ_MAX_BUILDING,
                            false)) ||
        (rc = sj_check_text(c, "contact", a->contact, 0, SJ_MAX_CONTACT,
                            false)) ||
        (rc = sj_check_handle(c, a->chat_handle, 0)))
        return rc;
    if (a->public_key.len != 32)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_BAD_KEY,
                            "public key must be 32 bytes (got %zu)",
                            a->public_key.len);
    if (a->bridge_id && a->role != ROLE(RESIDENT))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                            "only residents are linked to a bridge");
    if (a->bridge_id) {
        Shangju__Member *b;
        int err = sj_member_get(c->txn, a->bridge_id, &b);
        if (err == SJ_ENOTFOUND)
            return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                                "no member %llu",
                                (unsigned long long)a->bridge_id);
        if (err)
            return sj_call_store_fail(c, err, "member");
        bool bridge = b->role == ROLE(BRIDGE);
        shangju__member__free_unpacked(b, NULL);
        if (!bridge)
            return sj_call_fail(c, ST(FAILED_PRECONDITION),
                                SJ_R_MEMBER_NOT_BRIDGE,
                                "member %llu is not a bridge",
                                (unsigned long long)a->bridge_id);
        /* Handles are unique per bridge (links.c). */
        err = sj_member_by_handle(c->txn, a->bridge_id, a->chat_handle, &b);
        if (err == 0)
            shangju__member__free_unpacked(b, NULL);
        if (err == 0)
            return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_CHAT_HANDLE_TAKEN,
                                "that chat handle is already linked on "
                                "bridge %llu",
                                (unsigned long long)a->bridge_id);
        if (err != SJ_ENOTFOUND)
            return sj_call_store_fail(c, err, "member");
    }
    return 0;
}

int sj_h_member_add(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberAdd *a = req->member_add;
    int rc = check_add(c, a);
    if (rc)
        return rc;
    Shangju__Member *m = sj_call_alloc(c, sizeof *m);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    shangju__member__init(m);
    int err = sj_txn_next_id(c->txn, SJ_COUNTER_MEMBER, &m->id);
    if (err)
        return sj_call_store_fail(c, err, "member");
    m->role = a->role;
    m->name = a->name;
    m->community = a->community;
    m->building = a->building;
    m->contact = a->contact;
    m->public_key = a->public_key;
    m->status = SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m->created_at = c->now;
    m->chat_handle = a->chat_handle;
    m->bridge_id = a->bridge_id;
    m->created_by = c->caller->id;
    /* A new bridge starts at the present: what happened before it is not
     * news to announce, nor to tell its residents. */
    if (m->role == ROLE(BRIDGE) &&
        (err = sj_txn_last_id(c->txn, SJ_COUNTER_EVENT, &m->chat_cursor)))
        return sj_call_store_fail(c, err, "event log");
    err = sj_member_put(c->txn, m, NULL);
    if (err == SJ_EEXIST)
        return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_MEMBER_KEY_TAKEN,
                            "that public key is already registered");
    if (err || (err = sj_call_emit_member(c, SJ_TOPIC_MEMBER_ADDED, m)))
        return sj_call_store_fail(c, err, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = m;
    return 0;
}

int sj_h_member_list(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberList *l = req->member_list;
    /* any role the protocol defines (0: all of them) */
    if (!protobuf_c_enum_descriptor_get_value(&shangju__role__descriptor,
                                              (int)l->role))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "unknown role %d", (int)l->role);
    size_t limit;
    int rc = sj_check_limit(c, l->limit, &limit);
    if (!rc)
        rc = sj_check_cursor(c, l->after);
    if (rc)
        return rc;
    Shangju__MemberPage *page = sj_call_alloc(c, sizeof *page);
    if (!page)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    shangju__member_page__init(page);
    int err = sj_member_list(c->txn, l->role, l->after, limit, &page->items,
                             &page->n_items, &page->next);
    if (err ||
        (err = sj_call_own_page(c, (void **)page->items, page->n_items))) {
        page->n_items = 0;
        return sj_call_store_fail(c, err, "member");
    }
    for (size_t i = 0; i < page->n_items; i++)
        if (!(page->items[i] = present(c, page->items[i])))
            return sj_call_store_fail(c, SJ_ENOMEM, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBERS;
    c->reply.members = page;
    return 0;
}

int sj_h_member_get(sj_call_t *c, const Shangju__Request *req)
{
    uint64_t id = req->member_get->id;
    Shangju__Member *m;
    int err = sj_member_get(c->txn, id, &m);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (unsigned long long)id);
    if (err || !sj_call_own(c, m))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    if (!(m = present(c, m)))
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = m;
    return 0;
}

/* Suspend or lift a suspension: member id moves to status `to` (refused
 * with `same`, "member ID is <same_what>", when it is there already), the
 * change is published under topic, and the reply is the member (as present()
 * shows it when shown). */
static int move_status(sj_call_t *c, uint64_t id, Shangju__MemberStatus to,
                       sj_reason_t same, const char *same_what,
                       sj_topic_t topic, bool shown)
{
    Shangju__Member *old;
    int err = sj_member_get(c->txn, id, &old);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (unsigned long long)id);
    if (err || !sj_call_own(c, old))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    bool suspended =
        old->status == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_SUSPENDED;
    if (suspended == (to == SHANGJU__MEMBER_STATUS__MEMBER_STATUS_SUSPENDED))
        return sj_call_fail(c, ST(FAILED_PRECONDITION), same,
                            "member %llu is %s", (unsigned long long)id,
                            same_what);
    Shangju__Member *m = sj_call_alloc(c, sizeof *m);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    *m = *old;
    m->status = to;
    err = sj_member_put(c->txn, m, old);
    if (err || (err = sj_call_emit_member(c, topic, m)))
        return sj_call_store_fail(c, err, "member");
    if (shown && !(m = present(c, m)))
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = m;
    return 0;
}

int sj_h_member_suspend(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberSuspend *s = req->member_suspend;
    int rc = sj_check_text(c, "reason", s->reason, 0, SJ_MAX_NOTE, true);
    if (rc)
        return rc;
    if (s->id == c->caller->id)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_MEMBER_SELF,
                            "you cannot suspend yourself");
    return move_status(c, s->id,
                       SHANGJU__MEMBER_STATUS__MEMBER_STATUS_SUSPENDED,
                       SJ_R_MEMBER_ALREADY_SUSPENDED, "already suspended",
                       SJ_TOPIC_MEMBER_SUSPENDED, false);
}

int sj_h_member_unsuspend(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberUnsuspend *s = req->member_unsuspend;
    int rc = sj_check_text(c, "reason", s->reason, 0, SJ_MAX_NOTE, true);
    if (rc)
        return rc;
    return move_status(c, s->id, SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE,
                       SJ_R_MEMBER_NOT_SUSPENDED,
                       "member %llu is not suspended",
                       SJ_TOPIC_MEMBER_UNSUSPENDED, true);
}

/* The founding committee member: the one `shangju-broker init` created
 * (nobody registered it). */
static bool founding(const Shangju__Member *m)
{
    return m->role == ROLE(COMMITTEE) && m->created_by == 0;
}

int sj_h_member_rekey(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberRekey *r = req->member_rekey;
    if (r->id != c->caller->id && !is_committee(c))
        return sj_call_fail(c, ST(PERMISSION_DENIED), SJ_R_AUTH_NOT_YOURS,
                            "only the committee may change another member's "
                            "key");
    if (r->public_key.len != 32)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_BAD_KEY,
                            "public key must be 32 bytes (got %zu)",
                            r->public_key.len);
    Shangju__Member *old;
    int err = sj_member_get(c->txn, r->id, &old);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (unsigned long long)r->id);
    if (err || !sj_call_own(c, old))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    /* A committee member's key is theirs (or the founder's) to change:
     * another committee member could otherwise take over their account. */
    if (old->role == ROLE(COMMITTEE) && old->id != c->caller->id &&
        !founding(c->caller))
        return sj_call_fail(c, ST(PERMISSION_DENIED),
                            SJ_R_MEMBER_REKEY_COMMITTEE,
                            "only member %llu themself or the founding "
                            "committee member may change its key",
                            (unsigned long long)old->id);
    Shangju__Member *m = sj_call_alloc(c, sizeof *m);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    *m = *old;
    m->public_key = r->public_key;
    err = sj_member_put(c->txn, m, old);
    if (err == SJ_EEXIST)
        return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_MEMBER_KEY_TAKEN,
                            "that public key is already registered");
    if (err || (err = sj_call_emit_member(c, SJ_TOPIC_MEMBER_REKEYED, m)))
        return sj_call_store_fail(c, err, "member");
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = m;
    return 0;
}
