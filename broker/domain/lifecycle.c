/* The one path every lifecycle move takes (lifecycle.h): the generic steps
 * on a record family, and the move and timer appliers built from them. */
#include "lifecycle.h"

#include <assert.h>
#include <string.h>

#include "codec.h"

#define ST(x) SHANGJU__STATUS__STATUS_##x

typedef unsigned long long ull;

static int *state_field(const sj_family_t *f, void *rec)
{
    return (int *)((char *)rec + f->off_state);
}

int sj_rec_state(const sj_family_t *f, const void *rec)
{
    return *(const int *)((const char *)rec + f->off_state);
}

uint64_t sj_rec_id(const sj_family_t *f, const void *rec)
{
    return *(const uint64_t *)((const char *)rec + f->off_id);
}

const char *sj_rec_state_name(const sj_family_t *f, int state)
{
    const char *n = sj_enum_short(f->states, state);
    return n ? n : "unknown";
}

sj_reason_t sj_rec_not_in(const sj_family_t *f, int state)
{
    if (state > 0 && (size_t)state < f->n_not_in && f->not_in[state])
        return f->not_in[state];
    return SJ_R_BROKER_INTERNAL;
}

int sj_rec_load(sj_call_t *c, const sj_family_t *f, uint64_t id, void **rec)
{
    int err = f->get(c->txn, id, rec);
    if (err == SJ_ENOTFOUND)
        return sj_call_fail(c, ST(NOT_FOUND), f->not_found, "no %s %llu",
                            f->noun, (ull)id);
    if (err || !sj_call_own(c, *rec))
        return sj_call_store_fail(c, err ? err : SJ_ENOMEM, f->noun);
    return 0;
}

void *sj_rec_edit(sj_call_t *c, const sj_family_t *f, const void *old)
{
    void *rec = sj_call_alloc(c, f->msg->sizeof_message);
    if (!rec)
        return NULL;
    memcpy(rec, old, f->msg->sizeof_message);
    if (f->off_updated)
        *(int64_t *)((char *)rec + f->off_updated) = c->now;
    return rec;
}

static bool in_from(const sj_family_t *f, const void *rec, const sj_move_t *m)
{
    return !m->from || sj_rec_state(f, rec) == m->from;
}

int sj_rec_require(sj_call_t *c, const sj_family_t *f, const void *rec,
                   const sj_move_t *m)
{
    if (in_from(f, rec, m))
        return 0;
    int s = sj_rec_state(f, rec);
    const char *now = sj_rec_state_name(f, s);
    ull id = (ull)sj_rec_id(f, rec);
    const char *want = sj_rec_state_name(f, m->from);
    bool vowel = want[0] && strchr("aeiou", want[0]) != NULL;
    return sj_call_fail(c, ST(FAILED_PRECONDITION), sj_rec_not_in(f, m->from),
                        "%s %llu is %s; only a%s %s %s can be %s", f->noun, id,
                        now, vowel ? "n" : "", want, f->noun, m->action);
}

int sj_rec_save(sj_call_t *c, const sj_family_t *f, void *rec, const void *old,
                sj_topic_t topic)
{
    sj_timer_t tm;
    int err = f->prepare ? f->prepare(c, rec, old) : 0;
    if (!err && old && f->timer_of(c, old, &tm))
        err = sj_timer_clear(c->txn, &tm);
    if (!err && f->timer_of(c, rec, &tm))
        err = sj_timer_set(c->txn, &tm);
    if (!err)
        err = f->put(c->txn, rec, old);
    if (!err)
        err = f->publish(c, topic, rec, old);
    return err ? sj_call_store_fail(c, err, f->noun) : 0;
}

const sj_move_t *sj_move_find(const sj_move_t *moves, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++)
        if (moves[i].kind == kind)
            return &moves[i];
    return NULL;
}

/* edit -> set state -> hook -> save, from a loaded and checked old. */
static int finish(sj_call_t *c, const sj_family_t *f, const sj_move_t *m,
                  const void *old, const void *arg, void **out)
{
    void *rec = sj_rec_edit(c, f, old);
    if (!rec)
        return sj_call_store_fail(c, SJ_ENOMEM, f->noun);
    if (m->to)
        *state_field(f, rec) = m->to;
    int rc;
    if ((m->hook && (rc = m->hook(c, rec, old, arg))) ||
        (rc = sj_rec_save(c, f, rec, old, m->topic)))
        return rc;
    if (out)
        *out = rec;
    return 0;
}

int sj_move_apply(sj_call_t *c, const sj_family_t *f, const sj_move_t *m,
                  uint64_t id, const void *arg, void **out)
{
    assert(m); /* the handler's kind has a row in its family's table */
    void *old;
    int rc;
    if ((rc = sj_rec_load(c, f, id, &old)) ||
        (m->may && (rc = m->may(c, old, m))) ||
        (rc = sj_rec_require(c, f, old, m)))
        return rc;
    return finish(c, f, m, old, arg, out);
}

int sj_move_timer(sj_call_t *c, const sj_family_t *f, const sj_move_t *moves,
                  size_t n, const sj_timer_t *tm)
{
    void *old;
    int err = f->get(c->txn, tm->id, &old);
    if (err == 0 && !sj_call_own(c, old))
        err = SJ_ENOMEM;
    if (err == SJ_ENOTFOUND)
        return sj_timer_clear(c->txn, tm);
    if (err)
        return sj_call_store_fail(c, err, f->noun);
    sj_timer_t want;
    const sj_move_t *m = sj_move_find(moves, n, (int)tm->kind);
    /* Stale: the record moved on and waits on another timer (or none). */
    if (!m || !f->timer_of(c, old, &want) || want.kind != tm->kind ||
        want.due != tm->due || !in_from(f, old, m))
        return sj_timer_clear(c->txn, tm);
    return finish(c, f, m, old, NULL, NULL);
}
