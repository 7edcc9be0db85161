#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: the whole wish lifecycle through the `shangju` CLI against a
# real broker — members, post, claim, contact privacy, fulfil, confirm,
# cancel, release — with the states and exit codes of illegal moves.
# Usage: it_lifecycle.sh BROKER_BIN CLI_BIN IT_TOOL_BIN
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start
K=$WORK/keys
mkdir -p "$K"

# ---- members (committee key by default)
expect_rc 0 sj --json whoami
expect_eq "committee role" "$(jq -r .role <<<"$OUT")" committee
expect_rc 0 sj --json member add --role bridge --name WeChat \
    --key-out "$K/bridge.key"
BRI=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role resident --name "Grandma Wang" \
    --community Xinhua --building B3 --contact 138-0013-8000 --bridge "$BRI" \
    --key-out "$K/res.key"
RES=$(jq -r .id <<<"$OUT")
expect_eq "resident role" "$(jq -r .role <<<"$OUT")" resident
expect_eq "resident status" "$(jq -r .status <<<"$OUT")" active
expect_rc 0 sj --json member add --role merchant --name Bakery \
    --key-out "$K/m1.key"
M1=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role merchant --name Studio \
    --key-out "$K/m2.key"
M2=$(jq -r .id <<<"$OUT")
[ -s "$K/m2.key" ] || fail "no key file written"
# The key file is never overwritten.
expect_rc 4 sj member add --role merchant --name Again --key-out "$K/m2.key"

res() { sj --key "$K/res.key" "$@"; }
m1() { sj --key "$K/m1.key" "$@"; }
m2() { sj --key "$K/m2.key" "$@"; }
bri() { sj --key "$K/bridge.key" "$@"; }

expect_rc 0 res --json whoami
expect_eq "whoami id" "$(jq -r .id <<<"$OUT")" "$RES"
expect_rc 1 res member list
grep -q PERMISSION_DENIED <<<"$ERR" || fail "member list by a resident: $ERR"

# ---- post
expect_rc 0 res --json wish post "Retake our wedding photos" \
    --details "50th anniversary" --category photo
W=$(jq -r .id <<<"$OUT")
expect_eq "posted state" "$(jq -r .state <<<"$OUT")" open
expect_eq "owner" "$(jq -r .owner_id <<<"$OUT")" "$RES"
expect_eq "building" "$(jq -r .building <<<"$OUT")" B3

# ---- illegal moves on an OPEN wish
expect_rc 1 m1 wish fulfil "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "fulfil open: $ERR"
expect_rc 1 res wish confirm "$W" --rating 5
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "confirm open: $ERR"
expect_rc 1 m1 wish release "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "release open: $ERR"
expect_rc 1 res wish claim "$W"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "claim by a resident: $ERR"
expect_rc 1 m1 wish cancel "$W"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "cancel by a merchant: $ERR"

# Nobody but the committee, the owner and the owner's bridge sees the
# contact of an unclaimed wish.
expect_rc 0 m1 --json wish show "$W"
expect_eq "contact before claim" "$(jq -r '.owner_contact // ""' <<<"$OUT")" ""
expect_eq "owner name" "$(jq -r .owner_name <<<"$OUT")" "Grandma Wang"

# ---- claim: one merchant wins, the other is refused
expect_rc 0 m1 --json wish claim "$W"
expect_eq "claimed state" "$(jq -r .state <<<"$OUT")" claimed
expect_eq "claimant" "$(jq -r .claim.merchant_id <<<"$OUT")" "$M1"
expect_rc 1 m2 wish claim "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "second claim: $ERR"

# ---- contact visibility while claimed
expect_rc 0 m1 --json wish show "$W"
expect_eq "contact for the claimant" "$(jq -r .owner_contact <<<"$OUT")" \
    138-0013-8000
expect_rc 0 m2 --json wish show "$W"
expect_eq "contact for another merchant" \
    "$(jq -r '.owner_contact // ""' <<<"$OUT")" ""
expect_rc 0 m2 --json wish list
expect_eq "contact in another merchant's list" \
    "$(jq -r --argjson w "$W" \
        '.items[] | select(.id == $w) | .owner_contact // ""' <<<"$OUT")" ""
for who in sj res bri; do
    expect_rc 0 "$who" --json wish show "$W"
    expect_eq "contact for $who" "$(jq -r .owner_contact <<<"$OUT")" \
        138-0013-8000
done
expect_rc 0 m2 --json member show "$RES"
expect_eq "member contact for a merchant" \
    "$(jq -r '.contact // ""' <<<"$OUT")" ""

# ---- fulfil
expect_rc 1 m2 wish fulfil "$W"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "fulfil by a non-claimant: $ERR"
expect_rc 0 m1 --json wish fulfil "$W"
expect_eq "fulfilled state" "$(jq -r .state <<<"$OUT")" fulfilled
expect_rc 1 res wish cancel "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "cancel fulfilled: $ERR"
expect_rc 1 m1 wish fulfil "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "fulfil twice: $ERR"

# ---- confirm with thanks and rating
expect_rc 2 res wish confirm "$W" --rating 9
expect_rc 1 m1 wish confirm "$W" --rating 5
grep -q PERMISSION_DENIED <<<"$ERR" || fail "confirm by a merchant: $ERR"
expect_rc 0 res --json wish confirm "$W" --thanks "谢谢 — thank you" --rating 5
expect_eq "closed state" "$(jq -r .state <<<"$OUT")" closed
expect_eq "rating" "$(jq -r .rating <<<"$OUT")" 5
expect_eq "thanks" "$(jq -r .thanks <<<"$OUT")" "谢谢 — thank you"
expect_rc 1 res wish confirm "$W" --rating 4
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "confirm twice: $ERR"
expect_rc 0 sj --json member show "$M1"
expect_eq "merchant credited" "$(jq -r .wishes_fulfilled <<<"$OUT")" 1

# ---- on behalf (bridge), cancel
expect_rc 0 bri --json wish post "Mooncake class for the kids" --for "$RES"
W2=$(jq -r .id <<<"$OUT")
expect_eq "on-behalf owner" "$(jq -r .owner_id <<<"$OUT")" "$RES"
expect_rc 0 res --json wish cancel "$W2"
expect_eq "cancelled state" "$(jq -r .state <<<"$OUT")" cancelled
expect_rc 1 m1 wish claim "$W2"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "claim cancelled: $ERR"
expect_rc 1 res wish cancel "$W2"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "cancel twice: $ERR"

# ---- release by the claimant and by the committee
expect_rc 0 sj --json wish post "Fix the stairwell light" --for "$RES"
W3=$(jq -r .id <<<"$OUT")
expect_rc 0 m1 wish claim "$W3"
expect_rc 1 m2 wish release "$W3"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "release by another: $ERR"
expect_rc 0 m1 --json wish release "$W3"
expect_eq "released state" "$(jq -r .state <<<"$OUT")" open
expect_eq "claim cleared" "$(jq -r '.claim.merchant_id // 0' <<<"$OUT")" 0
expect_rc 0 m1 --json wish show "$W3"
expect_eq "contact after release" "$(jq -r '.owner_contact // ""' <<<"$OUT")" ""
expect_rc 0 m2 wish claim "$W3"
expect_rc 0 sj --json wish release "$W3"
expect_eq "committee release" "$(jq -r .state <<<"$OUT")" open

# ---- lists
expect_rc 0 sj --json wish list --state closed
expect_eq "closed list" "$(jq -c '[.items[].id]' <<<"$OUT")" "[$W]"
expect_rc 0 sj --json wish list --state open
expect_eq "open list" "$(jq -c '[.items[].id]' <<<"$OUT")" "[$W3]"
expect_rc 0 res --json wish list --mine
expect_eq "mine" "$(jq -c '[.items[].id] | sort' <<<"$OUT")" "[$W,$W2,$W3]"
expect_rc 0 sj --json wish list --limit 2
expect_eq "page size" "$(jq '.items | length' <<<"$OUT")" 2
NEXT=$(jq -r .next <<<"$OUT")
[ "$NEXT" != null ] || fail "no next cursor on a full page"
expect_rc 0 sj --json wish list --limit 2 --after "$NEXT"
expect_eq "second page" "$(jq '.items | length' <<<"$OUT")" 1
expect_eq "last page" "$(jq -r .next <<<"$OUT")" null

# ---- errors and exit codes
expect_rc 1 sj wish show 999999
grep -q NOT_FOUND <<<"$ERR" || fail "show missing: $ERR"
expect_rc 2 sj wish frobnicate 1
expect_rc 2 sj wish show
expect_rc 2 sj wish post ""

# A suspended merchant is refused (and cannot even connect).
expect_rc 0 sj --json member suspend "$M2"
expect_eq "suspended" "$(jq -r .status <<<"$OUT")" suspended
SJ_TIMEOUT=500 expect_rc 3 m2 ping
# An unregistered key never gets a reply: exit 3.
"$IT_TOOL" keygen "$K/stranger.key"
SJ_TIMEOUT=500 expect_rc 3 sj --key "$K/stranger.key" ping

# ---- durable across a clean restart; unreachable broker is exit 3
broker_stop
SJ_TIMEOUT=300 expect_rc 3 sj ping
broker_start
expect_rc 0 sj --json wish show "$W"
expect_eq "closed after restart" "$(jq -r .state <<<"$OUT")" closed
expect_eq "rating after restart" "$(jq -r .rating <<<"$OUT")" 5
broker_stop
echo "it_lifecycle: ok"
