/* Request dispatch: the rule table (which roles may send each request, and
 * whether it changes state) and the entry point that validates the caller
 * and runs the handler. No sockets here: tests call sj_dispatch directly. */
#ifndef SJ_DISPATCH_H
#define SJ_DISPATCH_H

#include <stdbool.h>

#include "call.h"

/* Role bits for the rule table. */
#define SJ_ROLE_BIT(r) (1u << (unsigned)(r))
#define SJ_ANYONE                                                              \
    (SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_RESIDENT) |                               \
     SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_MERCHANT) |                               \
     SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_COMMITTEE) |                              \
     SJ_ROLE_BIT(SHANGJU__ROLE__ROLE_BRIDGE))

typedef int (*sj_handler_fn)(sj_call_t *c, const Shangju__Request *req);

typedef struct {
    Shangju__Request__BodyCase kind;
    unsigned roles; /* SJ_ROLE_BIT set of roles allowed */
    bool writes;    /* changes state: deduplicated, group-committed */
    sj_handler_fn handler;
} sj_rule_t;

/* The rule for a request kind, or NULL when the kind is unknown. */
const sj_rule_t *sj_rule_find(Shangju__Request__BodyCase kind);

/* The whole table (for tests that walk every request type). */
const sj_rule_t *sj_rules(size_t *n);

/* Check the caller (active, role allowed) and run the handler inside
 * c->txn, on req with its text in NFC (a copy when that changes a
 * string, owned by c). Returns 0 when the reply is OK, else the reply's status;
 * the reply in c is always set. */
int sj_dispatch(sj_call_t *c, const Shangju__Request *req);

/* Apply one due timer (c->caller is NULL) with the lifecycle of its kind,
 * from the {kind, fire} table in dispatch.c. Stale timers, and kinds this
 * broker does not know, are cleared. 0 or the failed status. */
int sj_dispatch_timer(sj_call_t *c, const sj_timer_t *tm);

/* Handlers, one family per file: a prototype for each row of rules.def. */
#define SJ_RULE(kind, roles, writes, handler)                                  \
    int handler(sj_call_t *c, const Shangju__Request *req);
#include "rules.def"
#undef SJ_RULE

/* Fire a SJ_TIMER_WISH_REMIND timer (c->caller is NULL): "wish.expiring"
 * when the wish is still open; the timer is cleared either way. */
int sj_chat_remind_fire(sj_call_t *c, const sj_timer_t *tm);

/* Apply a due compact timer (term start / end); c->caller is NULL. */
int sj_compact_timer_fire(sj_call_t *c, const sj_timer_t *tm);

/* May the caller act as w's owner: the resident, the committee, or the
 * bridge the resident is linked to. */
bool sj_wish_acts_for_owner(sj_call_t *c, const Shangju__Wish *w);

/* Apply one due timer (c->caller is NULL). Stale timers are dropped. */
int sj_wish_timer_fire(sj_call_t *c, const sj_timer_t *tm);

/* A merchant's claims (claims.c). Refuse (claim.limit_reached) when the
 * caller already holds cfg->max_live_claims CLAIMED wishes. */
int sj_claims_check_limit(sj_call_t *c);
/* Record on w (a new version, its claim set) that its owner's contact was
 * shown to the claiming merchant now. 0 or the failed reply's status. */
int sj_claims_record_reveal(sj_call_t *c, Shangju__Wish *w);

#endif
