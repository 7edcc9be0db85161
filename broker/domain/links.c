/* The chat bridge's requests: the committee links a chat handle to a
 * member or issues a one-time invite code; a bridge redeems codes, resolves
 * the handles linked to it, remembers each resident's language and keeps
 * its cursor in the event log here, so the bridge itself holds no state. */
#include "dispatch.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"
#include "visibility.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x
#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define ACTIVE SHANGJU__MEMBER_STATUS__MEMBER_STATUS_ACTIVE

typedef unsigned long long ull;

/* Invites: valid 72 hours unless asked otherwise (at most 30 days); three
 * wrong codes void one. The code is "ID-NNNNNN": the id says which invite
 * to count a wrong try against, the six digits are the secret. */
#define INVITE_HOURS_DEFAULT 72
#define INVITE_HOURS_MAX SJ_MAX_INVITE_HOURS
#define INVITE_TRIES 3
#define INVITE_DIGITS 6

/* One polite refusal for every way a code can be wrong: an invalid code
 * must not tell a stranger whether the member or an invite exists. */
#define BAD_INVITE(c)                                                          \
    sj_call_fail((c), ST(PERMISSION_DENIED), SJ_R_CHAT_INVITE_INVALID,         \
                 "that invite code is not valid")

static Shangju__Member *copy_of(sj_call_t *c, const Shangju__Member *m)
{
    Shangju__Member *v = sj_call_alloc(c, sizeof *v);
    if (v)
        *v = *m;
    return v;
}

/* What the caller is shown of a member: the committee its full view, a
 * bridge the link view of a member linked to it (visibility.h), never the
 * invite's hash. */
static int reply_member(sj_call_t *c, const Shangju__Member *m)
{
    Shangju__Member *v = sj_call_alloc(c, sizeof *v);
    if (!v)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    sj_vis_member_link(c->caller, m, v);
    c->reply.body_case = SHANGJU__REPLY__BODY_MEMBER;
    c->reply.member = v;
    return 0;
}

/* Load member id (owned by c); NOT_FOUND reply when absent. */
static int load(sj_call_t *c, uint64_t id, Shangju__Member **out)
{
    int err = sj_member_get(c->txn, id, out);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_MEMBER_NOT_FOUND,
                            "no member %llu", (ull)id);
    if (err || !sj_call_own(c, *out))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    return 0;
}

/* Only residents (and committee members, who act for residents) are
 * linked to a chat handle. */
static int check_linkable(sj_call_t *c, const Shangju__Member *m)
{
    if (m->role != ROLE(RESIDENT) && m->role != ROLE(COMMITTEE))
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_CHAT_NOT_LINKABLE,
                            "member %llu is not a resident or committee member",
                            (ull)m->id);
    if (m->status != ACTIVE)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_MEMBER_SUSPENDED,
                            "member %llu is suspended", (ull)m->id);
    return 0;
}

/* The bridge named by id, or the only bridge there is when id is 0. */
static int pick_bridge(sj_call_t *c, uint64_t id, uint64_t *out)
{
    if (id) {
        Shangju__Member *b;
        int rc = load(c, id, &b);
        if (rc)
            return rc;
        if (b->role != ROLE(BRIDGE))
            return sj_call_fail(c, ST(FAILED_PRECONDITION),
                                SJ_R_MEMBER_NOT_BRIDGE,
                                "member %llu is not a bridge", (ull)id);
        *out = id;
        return 0;
    }
    Shangju__Member **items;
    size_t n;
    uint64_t next;
    int err = sj_member_list(c->txn, ROLE(BRIDGE), 0, 2, &items, &n, &next);
    if (err)
        return sj_call_store_fail(c, err, "member");
    *out = n ? items[0]->id : 0;
    sj_member_page_free(items, n);
    if (n == 1)
        return 0;
    if (n == 0)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_CHAT_NO_BRIDGE,
                            "there is no bridge member yet");
    return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_CHAT_BRIDGE_AMBIGUOUS,
                        "there are several bridges: name one");
}

/* Refuse a handle already linked on bridge to someone other than id. */
static int check_handle_free(sj_call_t *c, uint64_t bridge, const char *handle,
                             uint64_t id)
{
    Shangju__Member *o;
    int err = sj_member_by_handle(c->txn, bridge, handle, &o);
    if (err == SJ_ENOTFOUND)
        return 0;
    if (err)
        return sj_call_store_fail(c, err, "member");
    uint64_t holder = o->id;
    shangju__member__free_unpacked(o, NULL);
    if (holder == id)
        return 0;
    return sj_call_fail(c, ST(ALREADY_EXISTS), SJ_R_CHAT_HANDLE_TAKEN,
                        "that chat handle is already linked on bridge %llu",
                        (ull)bridge);
}

static void clear_invite(Shangju__Member *m)
{
    m->invite_hash.len = 0;
    m->invite_hash.data = NULL;
    m->invite_expires_at = 0;
    m->invite_failures = 0;
    m->invite_bridge_id = 0;
}

/* Store m (a copy of old) and emit topic; reply with the member. */
static int save(sj_call_t *c, Shangju__Member *m, const Shangju__Member *old,
                sj_topic_t topic)
{
    int err = sj_member_put(c->txn, m, old);
    if (!err && topic != SJ_TOPIC_NONE)
        err = sj_call_emit_member(c, topic, m);
    if (err)
        return sj_call_store_fail(c, err, "member");
    return reply_member(c, m);
}

int sj_h_member_link(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberLink *l = req->member_link;
    int rc = sj_check_handle(c, l->chat_handle, 1);
    Shangju__Member *old;
    uint64_t bridge;
    if (rc || (rc = load(c, l->id, &old)) || (rc = check_linkable(c, old)) ||
        (rc = pick_bridge(c, l->bridge_id, &bridge)) ||
        (rc = check_handle_free(c, bridge, l->chat_handle, old->id)))
        return rc;
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    m->chat_handle = l->chat_handle;
    m->bridge_id = bridge;
    clear_invite(m); /* linked: an open invite has no purpose left */
    return save(c, m, old, SJ_TOPIC_MEMBER_LINKED);
}

int sj_h_member_unlink(sj_call_t *c, const Shangju__Request *req)
{
    Shangju__Member *old;
    int rc = load(c, req->member_unlink->id, &old);
    if (rc)
        return rc;
    if (!old->bridge_id && !*old->chat_handle && !old->invite_expires_at)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_CHAT_NOT_LINKED,
                            "member %llu is not linked to a chat handle",
                            (ull)old->id);
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    m->chat_handle = (char *)"";
    m->bridge_id = 0;
    clear_invite(m);
    return save(c, m, old, SJ_TOPIC_MEMBER_UNLINKED);
}

static void invite_hash(const char *code, uint8_t out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)code, strlen(code));
}

int sj_h_member_invite(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__MemberInvite *in = req->member_invite;
    uint32_t hours = in->valid_hours ? in->valid_hours : INVITE_HOURS_DEFAULT;
    if (hours > INVITE_HOURS_MAX)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_OUT_OF_RANGE,
                            "an invite is valid for at most %d hours",
                            INVITE_HOURS_MAX);
    Shangju__Member *old;
    uint64_t bridge = 0;
    int rc = load(c, in->id, &old);
    if (rc || (rc = check_linkable(c, old)) ||
        (in->bridge_id && (rc = pick_bridge(c, in->bridge_id, &bridge))))
        return rc;
    Shangju__Invite *inv = sj_call_alloc(c, sizeof *inv);
    uint8_t *hash = sj_call_alloc(c, 32);
    char *code = sj_call_alloc(c, 32);
    Shangju__Member *m = copy_of(c, old);
    if (!inv || !hash || !code || !m)
        return sj_call_store_fail(c, SJ_ENOMEM, "invite");
    snprintf(code, 32, "%llu-%06u", (ull)old->id,
             (unsigned)randombytes_uniform(1000000));
    invite_hash(code, hash);
    m->invite_hash.data = hash;
    m->invite_hash.len = 32;
    m->invite_expires_at = c->now + (int64_t)hours * 3600 * 1000;
    m->invite_failures = 0;
    m->invite_bridge_id = bridge;
    int err = sj_member_put(c->txn, m, old);
    if (err)
        return sj_call_store_fail(c, err, "member");
    shangju__invite__init(inv);
    inv->member_id = m->id;
    inv->code = code;
    inv->expires_at = m->invite_expires_at;
    inv->bridge_id = bridge;
    c->reply.body_case = SHANGJU__REPLY__BODY_INVITE;
    c->reply.invite = inv;
    return 0;
}

/* "ID-NNNNNN" → id; the whole code is hashed as given. */
static bool parse_code(const char *code, uint64_t *id)
{
    const char *dash = strchr(code, '-');
    if (!dash || dash == code || dash - code > 19 ||
        strlen(dash + 1) != INVITE_DIGITS)
        return false;
    uint64_t v = 0;
    for (const char *p = code; p < dash; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    *id = v;
    return v != 0;
}

int sj_h_chat_join(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ChatJoin *j = req->chat_join;
    int rc = sj_check_handle(c, j->handle, 1);
    if (rc)
        return rc;
    uint64_t id;
    if (strlen(j->code) > 40 || !parse_code(j->code, &id))
        return BAD_INVITE(c);
    Shangju__Member *old;
    int err = sj_member_get(c->txn, id, &old);
    if (err == SJ_ENOTFOUND)
        return BAD_INVITE(c);
    if (err || !sj_call_own(c, old))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    if (old->invite_expires_at <= c->now || old->invite_hash.len != 32 ||
        old->status != ACTIVE ||
        (old->invite_bridge_id && old->invite_bridge_id != c->caller->id))
        return BAD_INVITE(c);
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    uint8_t h[32];
    invite_hash(j->code, h);
    if (sodium_memcmp(h, old->invite_hash.data, 32) != 0) {
        /* The count must stick although the request fails. */
        if (++m->invite_failures >= INVITE_TRIES)
            clear_invite(m);
        if ((err = sj_member_put(c->txn, m, old)))
            return sj_call_store_fail(c, err, "member");
        c->commit_on_error = true;
        return BAD_INVITE(c);
    }
    if ((rc = check_handle_free(c, c->caller->id, j->handle, old->id)))
        return rc;
    m->chat_handle = j->handle;
    m->bridge_id = c->caller->id;
    clear_invite(m);
    return save(c, m, old, SJ_TOPIC_MEMBER_LINKED);
}

/* The member behind a handle, or a member id, among those linked to the
 * calling bridge. Anything else is the same NOT_FOUND. */
static int linked_to_caller(sj_call_t *c, const char *handle, uint64_t id,
                            Shangju__Member **out)
{
    int err = id ? sj_member_get(c->txn, id, out)
                 : sj_member_by_handle(c->txn, c->caller->id, handle, out);
    if (err == SJ_ENOTFOUND)
        goto unlinked;
    if (err || !sj_call_own(c, *out))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "member");
    if ((*out)->bridge_id == c->caller->id && *(*out)->chat_handle)
        return 0;
unlinked:
    return sj_call_fail(c, ST(NOT_FOUND), SJ_R_CHAT_UNLINKED,
                        "no member is linked to that handle on this bridge");
}

int sj_h_chat_resolve(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ChatResolve *r = req->chat_resolve;
    if ((r->member_id != 0) == (*r->handle != 0))
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_INVALID,
                            "give either a handle or a member id");
    int rc = r->member_id ? 0 : sj_check_handle(c, r->handle, 1);
    Shangju__Member *m;
    if (rc || (rc = linked_to_caller(c, r->handle, r->member_id, &m)))
        return rc;
    return reply_member(c, m);
}

/* A follower left (issue 14): unlink the member behind handle on the
 * calling bridge and forget their chat language. */
int sj_h_chat_leave(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ChatLeave *l = req->chat_leave;
    int rc = sj_check_handle(c, l->handle, 1);
    Shangju__Member *old;
    if (rc || (rc = linked_to_caller(c, l->handle, 0, &old)))
        return rc;
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    m->chat_handle = (char *)"";
    m->bridge_id = 0;
    m->chat_lang = (char *)"";
    clear_invite(m);
    return save(c, m, old, SJ_TOPIC_MEMBER_UNLINKED);
}

static int reply_cursor(sj_call_t *c, uint64_t seq, uint64_t last)
{
    Shangju__ChatCursor *cur = sj_call_alloc(c, sizeof *cur);
    if (!cur)
        return sj_call_store_fail(c, SJ_ENOMEM, "cursor");
    shangju__chat_cursor__init(cur);
    cur->seq = seq;
    cur->last_seq = last;
    c->reply.body_case = SHANGJU__REPLY__BODY_CHAT_CURSOR;
    c->reply.chat_cursor = cur;
    return 0;
}

int sj_h_chat_cursor_get(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    uint64_t last;
    int err = sj_txn_last_id(c->txn, SJ_COUNTER_EVENT, &last);
    if (err)
        return sj_call_store_fail(c, err, "event log");
    return reply_cursor(c, c->caller->chat_cursor, last);
}

int sj_h_chat_cursor_set(sj_call_t *c, const Shangju__Request *req)
{
    uint64_t seq = req->chat_cursor_set->seq, last;
    int err = sj_txn_last_id(c->txn, SJ_COUNTER_EVENT, &last);
    if (err)
        return sj_call_store_fail(c, err, "event log");
    if (seq > last)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_CHAT_CURSOR_AHEAD,
                            "event %llu does not exist yet (last is %llu)",
                            (ull)seq, (ull)last);
    /* Re-read: an earlier request of the same batch may have moved it. */
    Shangju__Member *old;
    int rc = load(c, c->caller->id, &old);
    if (rc)
        return rc;
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    m->chat_cursor = seq;
    /* No event: a cursor move is the bridge's bookkeeping, and an event
     * would give the bridge one more event to move past. */
    if ((err = sj_member_put(c->txn, m, old)))
        return sj_call_store_fail(c, err, "member");
    return reply_cursor(c, seq, last);
}

int sj_h_chat_lang_set(sj_call_t *c, const Shangju__Request *req)
{
    const Shangju__ChatLangSet *l = req->chat_lang_set;
    if (strcmp(l->lang, "zh") != 0 && strcmp(l->lang, "en") != 0)
        return sj_call_fail(c, ST(INVALID_ARGUMENT), SJ_R_ARG_UNKNOWN_VALUE,
                            "language must be \"zh\" or \"en\"");
    Shangju__Member *old;
    int rc = c->caller->role == ROLE(BRIDGE)
                 ? linked_to_caller(c, "", l->member_id, &old)
                 : load(c, l->member_id, &old);
    if (rc)
        return rc;
    if (strcmp(old->chat_lang, l->lang) == 0)
        return reply_member(c, old);
    Shangju__Member *m = copy_of(c, old);
    if (!m)
        return sj_call_store_fail(c, SJ_ENOMEM, "member");
    m->chat_lang = l->lang;
    return save(c, m, old, SJ_TOPIC_NONE); /* private: no event */
}

/* How long before expiry to remind: a day, or a quarter of the time left
 * when that is shorter (a wish posted to last hours, in tests). */
#define REMIND_LEAD_MS (24LL * 3600 * 1000)

int sj_h_chat_remind(sj_call_t *c, const Shangju__Request *req)
{
    Shangju__Wish *w;
    int err = sj_wish_get(c->txn, req->chat_remind->wish_id, &w);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), SJ_R_WISH_NOT_FOUND,
                            "no wish %llu", (ull)req->chat_remind->wish_id);
    if (err || !sj_call_own(c, w))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "wish");
    Shangju__Member *owner;
    int rc = linked_to_caller(c, "", w->owner_id, &owner);
    if (rc)
        return rc;
    if (w->state != SHANGJU__WISH_STATE__WISH_STATE_OPEN)
        return sj_call_fail(c, ST(FAILED_PRECONDITION), SJ_R_WISH_NOT_OPEN,
                            "wish %llu is not open", (ull)w->id);
    int64_t left = w->expires_at - c->now;
    int64_t lead = left / 4 < REMIND_LEAD_MS ? left / 4 : REMIND_LEAD_MS;
    if (left <= 0 || lead <= 0)
        return 0; /* too late to remind */
    sj_timer_t tm = {w->expires_at - lead, SJ_TIMER_WISH_REMIND, w->id};
    /* The same wish and expiry give the same timer key: asking twice (a
     * bridge repeating itself after a crash) sets one reminder. */
    if ((err = sj_timer_set(c->txn, &tm)))
        return sj_call_store_fail(c, err, "timer");
    return 0;
}

int sj_chat_remind_fire(sj_call_t *c, const sj_timer_t *tm)
{
    Shangju__Wish *w;
    int err = sj_timer_clear(c->txn, tm);
    if (!err)
        err = sj_wish_get(c->txn, tm->id, &w);
    if (err == SJ_ENOTFOUND)
        return 0;
    if (err || !sj_call_own(c, w))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, "wish");
    if (w->state != SHANGJU__WISH_STATE__WISH_STATE_OPEN ||
        w->expires_at <= c->now)
        return 0; /* claimed meanwhile, or gone: nothing to remind */
    if ((err = sj_call_emit_wish(c, SJ_TOPIC_WISH_EXPIRING, w)))
        return sj_call_store_fail(c, err, "event");
    return 0;
}
