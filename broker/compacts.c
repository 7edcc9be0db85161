/* SCAFFOLD (being replaced): compact handlers. */
#include "dispatch.h"

int sj_h_compact_draft(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_edit(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_sign(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_publish(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_perform(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_complain(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_resolve(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_rate(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_close(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_get(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_compact_list(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_compact_timer_fire(sj_call_t *c, const sj_timer_t *tm)
{
    return sj_timer_clear(c->txn, tm);
}
