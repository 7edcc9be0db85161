/* Who sees what: one rule per record kind (member, wish, listing, compact,
 * ledger entry), used by every path that shows a record — the request
 * handlers, the event log (what an event may ever carry), the PUB socket
 * (stubs only) and Replay (per caller). docs/ARCHITECTURE.md "Who sees
 * what" states the rules in words.
 *
 * Views are shallow: built field by field into a struct the caller
 * provides (so fields the schema does not know are never carried over),
 * with strings, bytes and sub-messages still pointing into the source
 * record, which must outlive the view. A viewer of NULL is "anyone": what
 * a record may show to every member, and what the event log keeps. */
#ifndef SJ_VISIBILITY_H
#define SJ_VISIBILITY_H

#include <stdbool.h>

#include "shangju.pb-c.h"

/* How much of a record the viewer may see. */
typedef enum {
    SJ_VIS_NONE = 0, /* nothing but the event stub */
    SJ_VIS_PARTY,    /* a party's view (ledger: without chain positions) */
    SJ_VIS_FULL,
} sj_vis_t;

/* Member: every field to the committee and to the member themself; to
 * everyone else (and in events, viewer NULL) never the contact, the public
 * key, the chat handle or the bridge link, nor the chat fields (language,
 * cursor, invite); the invite's hash goes to no one. */
void sj_vis_member(const Shangju__Member *viewer, const Shangju__Member *m,
                   Shangju__Member *view);

/* Member, as a chat bridge's own requests (ChatResolve, ChatJoin,
 * ChatLangSet: links.c) show it: the rule above, plus, to the bridge the
 * member is linked to and only to it, the link itself (chat handle, bridge
 * id, chat language) so it can write to them. Never the contact, key,
 * invite or cursor. Everything else shows members through sj_vis_member,
 * where a bridge is any other member. */
void sj_vis_member_link(const Shangju__Member *viewer, const Shangju__Member *m,
                        Shangju__Member *view);

/* Wish: public but for three fields. The owner's contact (owner may be
 * NULL, then none) only to the committee, the owner, the owner's bridge
 * and the merchant holding a live claim; the hand-over code never (it
 * leaves the broker only inside the hand-over QR); who posted it, when
 * someone posted on the owner's behalf, only to the committee, the owner
 * side and the poster (a bridge posting would reveal its link). */
void sj_vis_wish(const Shangju__Member *viewer, const Shangju__Wish *w,
                 const Shangju__Member *owner, Shangju__Wish *view);

/* Listing and compact: public notices, every field to everyone. */
void sj_vis_listing(const Shangju__Listing *l, Shangju__Listing *view);
void sj_vis_compact(const Shangju__Compact *cp, Shangju__Compact *view);

/* A compact as the public web front sees it (compacts.c): its notice —
 * parties, term, items, covenant, signatures, results — without the
 * performance notes, complaints and rating comments that members wrote to
 * one another. The handlers also hide unpublished compacts from it. */
void sj_vis_compact_public(const Shangju__Compact *cp, Shangju__Compact *view);

/* The web role (the public web front, issue 10) sees least of all: a
 * member's id, role and status, with the name and record of merchants and
 * the committee only; a wish without owner, poster, contact or hand-over
 * state; and in Replay only stubs (a web front uses the feed as a
 * doorbell to drop its cache, never to read records). */

/* Ledger entry: in full to the committee and to the entry's member; to the
 * other party of a payment without the chain positions (seq, hashes); to
 * anyone else nothing (amounts and memos are private). Returns which. */
sj_vis_t sj_vis_entry(const Shangju__Member *viewer,
                      const Shangju__LedgerEntry *e,
                      Shangju__LedgerEntry *view);

/* What the event log keeps of a ledger entry: all of it (Replay then
 * shows it per reader through sj_vis_entry). */
void sj_vis_entry_log(const Shangju__LedgerEntry *e,
                      Shangju__LedgerEntry *view);

/* An event as one reader may see it, with room for the body's view. */
typedef struct {
    Shangju__Event ev;
    union {
        Shangju__Member member;
        Shangju__Wish wish;
        Shangju__Listing listing;
        Shangju__Compact compact;
        Shangju__LedgerEntry entry;
    } body;
} sj_vis_event_t;

/* Set ev->subject and ev->subject_id from its body. */
void sj_vis_subject(Shangju__Event *ev);

/* The stub of ev: seq, at, topic, subject and subject_id, and withheld
 * when ev has a body. What the PUB socket carries and what Replay returns
 * for a body the reader may not see. */
void sj_vis_stub(const Shangju__Event *ev, sj_vis_event_t *out);

/* ev (a stored event) as viewer may see it: each body kind through its
 * rule above, the actor only to the committee and the actor. out->ev is
 * the view; it points into ev. viewer NULL gives the stub. */
void sj_vis_event(const Shangju__Member *viewer, const Shangju__Event *ev,
                  sj_vis_event_t *out);

#endif
