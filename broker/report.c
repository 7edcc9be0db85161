/* SCAFFOLD (being replaced): the yearly report. */
#include "dispatch.h"

int sj_h_report_get(sj_call_t *c, const Shangju__Request *req)
{
    (void)req;
    return sj_call_fail(c, SHANGJU__STATUS__STATUS_FAILED_PRECONDITION,
                        "not available yet");
}
