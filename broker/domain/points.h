/* The reciprocity points ledger as the other handlers use it: credit a
 * member with points the alliance issues (a closed wish, a performed
 * compact item), inside the caller's transaction and with its event; and
 * a year's ranking for the report. */
#ifndef SJ_POINTS_H
#define SJ_POINTS_H

#include <stdint.h>

#include "call.h"

/* Issue amount points to member_id (from the alliance's account 0): two
 * hash-chained ledger entries, the balances, the year's earnings and
 * ranking index, and a points.earned event whose body is the member's
 * (credit) entry. kind is an earning (SJ_ENTRY_EARN_*); ref the wish or
 * compact; memo may be NULL (longer than SJ_LEDGER_MAX_MEMO bytes is cut
 * at a UTF-8 boundary). amount 0 does nothing. Returns 0, SJ_EINVAL
 * (member 0, an amount out of range, a kind that is not an earning) or an SJ_E*
 * store code (the caller turns it into a reply with sj_call_store_fail). */
int sj_points_earn(sj_call_t *c, uint64_t member_id, uint64_t amount,
                   sj_entry_kind_t kind, uint64_t ref, const char *memo);

/* Most entries sj_points_ranking returns. */
#define SJ_POINTS_RANKING_MAX 1000

/* The ranking of year (0 = the current UTC year, by c->now): the frozen
 * snapshot when the committee closed the year, else the live one, with at
 * most limit entries (0 = 10; capped at SJ_POINTS_RANKING_MAX). Ranks are
 * positions 1..n, most earned first, ties by member id ascending; names
 * are the members' display names (frozen with the year). *out and
 * everything it points to is owned by c (freed by sj_call_end). Returns 0
 * or an SJ_E* code. */
int sj_points_ranking(sj_call_t *c, uint32_t year, uint32_t limit,
                      Shangju__Ranking **out);

#endif
