/* Event topics and ledger entry kinds: each written once, as an enum with
 * its wire name. The names are the public contract (the PUB topic, the
 * Event.topic and LedgerEntry.kind fields); clients filter and switch on
 * the enum instead of comparing strings. */
#ifndef SJ_TOPICS_H
#define SJ_TOPICS_H

#include <stdbool.h>

/* X(ENUM, "wire.name"): one row per topic, in no particular order. A new
 * topic is one row here; its number is not on the wire, only its name. */
#define SJ_TOPICS(X)                                                           \
    X(WISH_POSTED, "wish.posted")                                              \
    X(WISH_CLAIMED, "wish.claimed")                                            \
    X(WISH_RELEASED, "wish.released")                                          \
    X(WISH_FULFILLED, "wish.fulfilled")                                        \
    X(WISH_CLOSED, "wish.closed")                                              \
    X(WISH_CANCELLED, "wish.cancelled")                                        \
    X(WISH_EXPIRED, "wish.expired")                                            \
    X(WISH_LAPSED, "wish.lapsed")                                              \
    X(WISH_HANDOVER_REFUSED, "wish.handover_refused")                          \
    X(WISH_HANDOVER_LOCKED, "wish.handover_locked")                            \
    X(WISH_HANDOVER_REISSUED, "wish.handover_reissued")                        \
    X(WISH_EXPIRING, "wish.expiring")                                          \
    X(WISH_DISPUTED, "wish.disputed")                                          \
    X(MEMBER_ADDED, "member.added")                                            \
    X(MEMBER_SUSPENDED, "member.suspended")                                    \
    X(MEMBER_REKEYED, "member.rekeyed")                                        \
    X(MEMBER_UNSUSPENDED, "member.unsuspended")                                \
    X(MEMBER_LINKED, "member.linked")                                          \
    X(MEMBER_UNLINKED, "member.unlinked")                                      \
    X(MERCHANT_REGISTERED, "merchant.registered")                              \
    X(MERCHANT_UPDATED, "merchant.updated")                                    \
    X(COMPACT_DRAFTED, "compact.drafted")                                      \
    X(COMPACT_EDITED, "compact.edited")                                        \
    X(COMPACT_SIGNED, "compact.signed")                                        \
    X(COMPACT_PUBLISHED, "compact.published")                                  \
    X(COMPACT_ACTIVATED, "compact.activated")                                  \
    X(COMPACT_EVALUATING, "compact.evaluating")                                \
    X(COMPACT_PERFORMED, "compact.performed")                                  \
    X(COMPACT_COMPLAINED, "compact.complained")                                \
    X(COMPACT_RESOLVED, "compact.resolved")                                    \
    X(COMPACT_RATED, "compact.rated")                                          \
    X(COMPACT_CLOSED, "compact.closed")                                        \
    X(COMPACT_CONFIRMED, "compact.confirmed")                                  \
    X(COMPACT_DISMISSED, "compact.dismissed")                                  \
    X(POINTS_EARNED, "points.earned")                                          \
    X(POINTS_TRANSFERRED, "points.transferred")                                \
    X(POINTS_YEAR_CLOSED, "points.year_closed")

#define SJ_TOPIC_ENUM_(e, name) SJ_TOPIC_##e,
typedef enum {
    SJ_TOPIC_NONE = 0, /* not a topic (an unknown name parses to this) */
    SJ_TOPICS(SJ_TOPIC_ENUM_) SJ_TOPIC_COUNT
} sj_topic_t;
#undef SJ_TOPIC_ENUM_

/* "wish.posted" for SJ_TOPIC_WISH_POSTED; NULL for SJ_TOPIC_NONE or a
 * value out of range. The string is static. */
const char *sj_topic_name(sj_topic_t t);

/* The topic named exactly name (case-sensitive, as on the wire), or
 * SJ_TOPIC_NONE for NULL or an unknown name. */
sj_topic_t sj_topic_parse(const char *name);

/* Ledger entry kinds (LedgerEntry.kind). Kinds starting "earn." are points
 * the alliance issued; they count as earnings in the yearly ranking. */
#define SJ_ENTRY_KINDS(X)                                                      \
    X(EARN_WISH, "earn.wish")                                                  \
    X(EARN_COMPACT, "earn.compact")                                            \
    X(SPEND, "spend")                                                          \
    X(RECEIVE, "receive")

#define SJ_ENTRY_ENUM_(e, name) SJ_ENTRY_##e,
typedef enum {
    SJ_ENTRY_NONE = 0, /* not a kind (an unknown name parses to this) */
    SJ_ENTRY_KINDS(SJ_ENTRY_ENUM_) SJ_ENTRY_COUNT
} sj_entry_kind_t;
#undef SJ_ENTRY_ENUM_

/* "earn.wish" for SJ_ENTRY_EARN_WISH; NULL for SJ_ENTRY_NONE or out of
 * range. The string is static. */
const char *sj_entry_kind_name(sj_entry_kind_t k);

/* The kind named exactly name, or SJ_ENTRY_NONE for NULL or unknown. */
sj_entry_kind_t sj_entry_kind_parse(const char *name);

/* Is k points issued by the alliance (an "earn." kind)? */
bool sj_entry_kind_is_earning(sj_entry_kind_t k);

#endif
