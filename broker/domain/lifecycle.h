/* Lifecycles as data: a record family (wishes, compacts) says how to load,
 * store, time and publish its records; a table of moves says, per request
 * (or timer), from which state to which, who may, the event and a hook.
 * One function applies any move: load -> may -> require state -> edit ->
 * hook -> save. The families' own files hold their tables and hooks. */
#ifndef SJ_LIFECYCLE_H
#define SJ_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"

/* Records are handled as void * to a protobuf-c message of the family's
 * type. Every record passed to the family's functions is owned by the call
 * (sj_call_own) or allocated in it, so nothing here frees. */
typedef struct sj_family {
    const char *noun;                      /* "wish": messages, store errors */
    const ProtobufCMessageDescriptor *msg; /* the record type (its size) */
    const ProtobufCEnumDescriptor *states; /* the state enum (its names) */
    size_t off_id, off_state;              /* offsetof the id, the state */
    size_t off_updated;        /* offsetof an updated_at set on edit, or 0 */
    sj_reason_t not_found;     /* refusal reason: no such record */
    const sj_reason_t *not_in; /* [state]: refusal reason when a move
                                  needs that state and the record is not
                                  in it */
    size_t n_not_in;
    int (*get)(sj_txn_t *t, uint64_t id, void **out);
    int (*put)(sj_txn_t *t, const void *rec, const void *old);
    /* The timer a record in its state waits on, if any. */
    bool (*timer_of)(const sj_call_t *c, const void *rec, sj_timer_t *tm);
    /* Before the put: what every new version needs (a compact's state
     * history). 0 or an SJ_E* code. NULL: nothing. */
    int (*prepare)(sj_call_t *c, void *rec, const void *old);
    /* After the put: append the event (and set the reply where the family
     * replies with the stored view). 0 or an SJ_E* code. */
    int (*publish)(sj_call_t *c, sj_topic_t topic, void *rec, const void *old);
} sj_family_t;

struct sj_move;

/* Who may make a move on rec: 0, or the refusal (sj_call_fail) status. */
typedef int (*sj_may_fn)(sj_call_t *c, const void *rec,
                         const struct sj_move *m);

/* The move's own edit of rec (a new version of old, its state already
 * set to the move's target): 0, or the refusal's status. arg is the
 * request body (NULL for a timer). */
typedef int (*sj_hook_fn)(sj_call_t *c, void *rec, const void *old,
                          const void *arg);

typedef struct sj_move {
    int kind;           /* request body case, or timer kind */
    int from;           /* the state it starts from (0: the predicate
                           judges the state, for a move from several) */
    int to;             /* the state it leads to (0: stays) */
    sj_may_fn may;      /* NULL: the rule table's roles suffice */
    sj_topic_t topic;   /* the event the move appends */
    sj_hook_fn hook;    /* NULL: the state change is all */
    const char *action; /* "claimed": "only an open wish can be claimed" */
    const char *verb;   /* "claim": for the predicates' refusals */
} sj_move_t;

/* The move for kind in moves[0..n), or NULL. */
const sj_move_t *sj_move_find(const sj_move_t *moves, size_t n, int kind);

/* Apply move m to the record id: load (NOT_FOUND "no wish 7") -> m->may
 * -> require state -> edit -> set state -> hook -> save. On 0 *out is the
 * stored new version (owned by c). Otherwise the reply holds the refusal
 * and nothing was saved (a hook may still have saved and asked for
 * commit_on_error). */
int sj_move_apply(sj_call_t *c, const sj_family_t *f, const sj_move_t *m,
                  uint64_t id, const void *arg, void **out);

/* Apply the due timer tm with the move of its kind (c->caller is NULL). A
 * timer whose record is gone, or no longer waits on it, is stale and
 * cleared. */
int sj_move_timer(sj_call_t *c, const sj_family_t *f, const sj_move_t *moves,
                  size_t n, const sj_timer_t *tm);

/* The generic steps, for the family files' own requests (create, get). */
int sj_rec_load(sj_call_t *c, const sj_family_t *f, uint64_t id, void **rec);
/* A shallow copy of old to change (records from the store are never
 * edited in place; its strings and arrays still belong to old). NULL when
 * out of memory. */
void *sj_rec_edit(sj_call_t *c, const sj_family_t *f, const void *old);
int sj_rec_state(const sj_family_t *f, const void *rec);
uint64_t sj_rec_id(const sj_family_t *f, const void *rec);
/* "open" for a wish's WISH_STATE_OPEN ("unknown" when out of range). */
const char *sj_rec_state_name(const sj_family_t *f, int state);
/* The refusal reason for a record not in state (broker.internal for a
 * state the family gave none: a bug the tests' reason check catches). */
sj_reason_t sj_rec_not_in(const sj_family_t *f, int state);
/* Refuse (FAILED_PRECONDITION) unless rec is in m's from-state. */
int sj_rec_require(sj_call_t *c, const sj_family_t *f, const void *rec,
                   const sj_move_t *m);
/* Store rec (new version of old, NULL when new): prepare, move its timer,
 * put, publish. 0 or the failed reply's status. */
int sj_rec_save(sj_call_t *c, const sj_family_t *f, void *rec, const void *old,
                sj_topic_t topic);

#endif
