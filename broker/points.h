/* The reciprocity points ledger as the other handlers use it: credit a
 * member with points the alliance issues (a closed wish, a performed
 * compact item), inside the caller's transaction and with its event. */
#ifndef SJ_POINTS_H
#define SJ_POINTS_H

#include <stdint.h>

#include "call.h"

/* Issue amount points to member_id (from the alliance's account 0): two
 * hash-chained ledger entries, the balances, the year's earnings and
 * ranking index, and a points.earned event. kind is e.g. "earn.wish";
 * ref the wish or compact. amount 0 does nothing. Returns 0 or an SJ_E*
 * store code (the caller turns it into a reply with sj_call_store_fail). */
int sj_points_earn(sj_call_t *c, uint64_t member_id, uint64_t amount,
                   const char *kind, uint64_t ref, const char *memo);

#endif
