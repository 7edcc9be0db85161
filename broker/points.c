/* SCAFFOLD (being replaced): points handlers. */
#include "points.h"
#include "dispatch.h"

int sj_h_points_balance(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_points_history(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_points_transfer(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_points_top(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_h_points_close_year(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}

int sj_points_earn(sj_call_t *c, uint64_t member_id, uint64_t amount,
                   const char *kind, uint64_t ref, const char *memo)
{
    (void)c, (void)member_id, (void)amount, (void)kind, (void)ref, (void)memo;
    return 0;
}
