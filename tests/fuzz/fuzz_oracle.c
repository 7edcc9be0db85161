/* The fuzz oracles; see fuzz_oracle.h. The privacy rules are written out
 * here from ARCHITECTURE.md, not taken from the handlers, so a handler
 * that forgets one is caught. */
#include "fuzz_oracle.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "fuzz_world.h"

#define ROLE(x) SHANGJU__ROLE__ROLE_##x
#define WS(x) SHANGJU__WISH_STATE__WISH_STATE_##x

static bool set(const char *s)
{
    return s && *s;
}

static void print_problem(void *ud, const char *problem)
{
    fprintf(stderr, "fuzz: verify (%s): %s\n", (const char *)ud, problem);
}

void fw_check_store(sj_txn_t *txn, const char *after)
{
    sj_verify_t v;
    memset(&v, 0, sizeof v);
    int err = sj_store_verify(txn, print_problem, (void *)after, &v);
    if (err)
        fw_die("verify could not run after %s: %s", after, sj_strerror(err));
    if (v.problems)
        fw_die("the store is inconsistent after %s (%llu problems)", after,
               (unsigned long long)v.problems);
}

static bool is_committee(const Shangju__Member *me)
{
    return me && me->role == ROLE(COMMITTEE);
}

/* May reader see ledger entry e: the committee, the entry's member, or
 * the payee of a payment ("spend" names the payee in ref). */
static bool entry_party(const Shangju__Member *reader,
                        const Shangju__LedgerEntry *e)
{
    return is_committee(reader) ||
           (reader &&
            (reader->id == e->member_id ||
             (strcmp(e->kind, "spend") == 0 && reader->id == e->ref)));
}

/* Why event e may not be shown to reader (NULL: the PUB socket, where
 * only stubs go), or NULL when it may. */
static const char *event_leak(const Shangju__Event *e,
                              const Shangju__Member *reader)
{
    if (!e->seq || !set(e->topic))
        return "no seq or topic";
    if (e->base.n_unknown_fields)
        return "fields the schema does not know";
    if (!reader &&
        (e->body_case != SHANGJU__EVENT__BODY__NOT_SET || e->actor_id))
        return "more than a stub on the PUB socket";
    if (e->actor_id && !is_committee(reader) &&
        (!reader || e->actor_id != reader->id))
        return "who acted";
    if (e->body_case == SHANGJU__EVENT__BODY_MEMBER &&
        (set(e->member->contact) || set(e->member->chat_handle) ||
         e->member->public_key.len || e->member->bridge_id))
        return "a member's contact, key or bridge link";
    if (e->body_case == SHANGJU__EVENT__BODY_WISH &&
        (set(e->wish->owner_contact) || set(e->wish->handover_code)))
        return "a wish's owner contact or hand-over code";
    if (e->body_case == SHANGJU__EVENT__BODY_ENTRY &&
        !entry_party(reader, e->entry))
        return "someone else's points";
    return NULL;
}

void fw_check_event(const uint8_t *data, size_t len)
{
    Shangju__Event *e = sj_codec_event_decode(data, len);
    if (!e)
        fw_die("an event of %zu bytes does not decode", len);
    const char *leak = event_leak(e, NULL);
    if (leak)
        fw_die("event %s (seq %llu) carries %s", e->topic ? e->topic : "?",
               (unsigned long long)e->seq, leak);
    shangju__event__free_unpacked(e, NULL);
}

static void check_member(const Shangju__Member *me, const Shangju__Member *m)
{
    if (is_committee(me) || (me && me->id == m->id))
        return;
    if (set(m->contact) || set(m->chat_handle) || m->public_key.len ||
        m->bridge_id)
        fw_die("member %llu's contact, key or bridge shown to member %llu",
               (unsigned long long)m->id,
               (unsigned long long)(me ? me->id : 0));
}

static void check_wish(sj_txn_t *txn, const Shangju__Member *me,
                       const Shangju__Wish *w)
{
    if (set(w->handover_code))
        fw_die("wish %llu's hand-over code in a reply",
               (unsigned long long)w->id);
    if (!set(w->owner_contact) || is_committee(me))
        return;
    if (me && me->id == w->owner_id)
        return;
    if (me && w->claim && w->claim->merchant_id == me->id &&
        (w->state == WS(CLAIMED) || w->state == WS(FULFILLED)))
        return;
    Shangju__Member *owner = NULL;
    bool bridge = me && me->role == ROLE(BRIDGE) &&
                  sj_member_get(txn, w->owner_id, &owner) == 0 &&
                  owner->bridge_id == me->id;
    if (owner)
        shangju__member__free_unpacked(owner, NULL);
    if (!bridge)
        fw_die("wish %llu's owner contact shown to member %llu",
               (unsigned long long)w->id,
               (unsigned long long)(me ? me->id : 0));
}

Shangju__Reply *fw_check_reply(sj_txn_t *txn, const Shangju__Member *caller,
                               uint64_t request_id, const uint8_t *data,
                               size_t len)
{
    Shangju__Reply *r = sj_codec_reply_decode(data, len);
    if (!r)
        fw_die("a reply of %zu bytes does not decode on the client", len);
    if (r->request_id != request_id)
        fw_die("reply names request %llu, not %llu",
               (unsigned long long)r->request_id,
               (unsigned long long)request_id);
    if (r->status != SHANGJU__STATUS__STATUS_OK && !set(r->message))
        fw_die("error reply %s without a message", sj_status_name(r->status));
    /* Nothing the schema does not know comes back, however deep. */
    if (sj_codec_strip_unknown(&r->base))
        fw_die("a reply carries fields the schema does not know");
    switch (r->body_case) {
    case SHANGJU__REPLY__BODY_MEMBER:
        check_member(caller, r->member);
        break;
    case SHANGJU__REPLY__BODY_MEMBERS:
        for (size_t i = 0; i < r->members->n_items; i++)
            check_member(caller, r->members->items[i]);
        break;
    case SHANGJU__REPLY__BODY_WISH:
        check_wish(txn, caller, r->wish);
        break;
    case SHANGJU__REPLY__BODY_WISHES:
        for (size_t i = 0; i < r->wishes->n_items; i++)
            check_wish(txn, caller, r->wishes->items[i]);
        break;
    case SHANGJU__REPLY__BODY_EVENTS:
        for (size_t i = 0; i < r->events->n_items; i++) {
            const char *leak = event_leak(r->events->items[i], caller);
            if (leak)
                fw_die("replayed event %llu carries %s",
                       (unsigned long long)r->events->items[i]->seq, leak);
        }
        break;
    default:
        break;
    }
    return r;
}
