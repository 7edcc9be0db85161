#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: the points ledger through the `shangju` CLI against a real
# broker — a closed wish earns the merchant points (--points-per-wish),
# balance, history, paying for a listed service and the refusal of a short
# balance, the yearly ranking frozen by close-year; then the ledger edited
# and an entry deleted directly in the LMDB file, each reported by
# `shangju admin verify` (exit 5) with the entry's position.
# Usage: it_points.sh BROKER_BIN CLI_BIN IT_TOOL_BIN
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start --points-per-wish 20
K=$WORK/keys
mkdir -p "$K"
expect_rc 0 sj --json member add --role resident --name "Grandma Wang" \
    --community Xinhua --building B3 --key-out "$K/res.key"
expect_rc 0 sj --json member add --role merchant --name Bakery \
    --key-out "$K/m1.key"
M1=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role merchant --name Studio \
    --key-out "$K/m2.key"
M2=$(jq -r .id <<<"$OUT")
res() { sj --key "$K/res.key" "$@"; }
m1() { sj --key "$K/m1.key" "$@"; }
m2() { sj --key "$K/m2.key" "$@"; }
expect_rc 0 m2 merchant register --name "Studio Lin" --category photo \
    --service haircut:5 --service photo:30:portrait --service tea:0

# serve MERCHANT_FN TITLE: a wish posted by the resident, claimed,
# fulfilled by the merchant and confirmed: the merchant earns.
serve() {
    local id
    id=$(res --json wish post "$2" | jq -r .id)
    "$1" wish claim "$id" >/dev/null
    "$1" wish fulfil "$id" >/dev/null
    res wish confirm "$id" --rating 5 >/dev/null
}

# ---- earning: 20 points per closed wish (the broker flag)
expect_rc 0 m1 --json points balance
expect_eq "balance before" "$(jq -r '.balance // 0' <<<"$OUT")" 0
serve m1 "Bake a birthday cake"
expect_rc 0 m1 --json points balance
expect_eq "balance after a closed wish" "$(jq -r .balance <<<"$OUT")" 20
expect_eq "earned" "$(jq -r .earned <<<"$OUT")" 20
expect_rc 0 sj --json points balance "$M1" # the committee reads anyone's
expect_eq "committee view" "$(jq -r .balance <<<"$OUT")" 20
expect_rc 1 res points balance "$M1"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "resident read a balance: $ERR"
expect_rc 0 m1 points balance # human output
grep -q 20 <<<"$OUT" || fail "human balance: $OUT"

# ---- spending: a listed service at the listing's price
expect_rc 1 m1 points transfer "$M2" photo --price 30
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "short balance: $ERR"
grep -q "not enough points.*points.not_enough" <<<"$ERR" ||
    fail "short balance message: $ERR"
expect_rc 1 m1 --json points transfer "$M2" photo --price 30
grep -q "balance 20, the service costs 30" <<<"$OUT" ||
    fail "short balance message: $OUT"
expect_rc 1 m1 points transfer "$M2" tea --price 1
grep -q INVALID_ARGUMENT <<<"$ERR" || fail "free service: $ERR"
expect_rc 1 m1 points transfer "$M2" massage --price 1
grep -q NOT_FOUND <<<"$ERR" || fail "unknown service: $ERR"
expect_rc 1 m2 points transfer "$M1" haircut --price 5
grep -q NOT_FOUND <<<"$ERR" || fail "no listing: $ERR"
expect_rc 2 m1 points transfer "$M2"
expect_rc 2 m1 points transfer "$M2" haircut # no agreed price
expect_rc 1 m1 --json points transfer "$M2" haircut --price 4
expect_eq "repriced" "$(jq -r .reason <<<"$OUT")" transfer.price_changed
expect_rc 0 m1 --json points transfer "$M2" haircut --price 5 --memo "for Grandpa"
expect_eq "payer balance" "$(jq -r .balance <<<"$OUT")" 15
expect_eq "payer spent" "$(jq -r .spent <<<"$OUT")" 5
expect_rc 0 m2 --json points balance
expect_eq "payee received" "$(jq -r .received <<<"$OUT")" 5

# ---- history: own entries, oldest first, paged
expect_rc 0 m1 --json points history
expect_eq "history kinds" "$(jq -r '[.items[].kind] | join(",")' <<<"$OUT")" \
    "earn.wish,spend"
expect_eq "history amounts" \
    "$(jq -r '[.items[].amount] | join(",")' <<<"$OUT")" "20,-5"
expect_eq "spend memo" "$(jq -r '.items[1].memo' <<<"$OUT")" \
    "haircut: for Grandpa"
expect_rc 0 m1 --json points history --limit 1
expect_eq "first page" "$(jq -r '.items | length' <<<"$OUT")" 1
NEXT=$(jq -r .next <<<"$OUT")
expect_rc 0 m1 --json points history --limit 1 --after "$NEXT"
expect_eq "second page" "$(jq -r '.items[0].kind' <<<"$OUT")" spend
expect_rc 0 m1 points history # human table
grep -q "earned for a wish" <<<"$OUT" || fail "human history: $OUT"

# ---- ranking, then the year closed: later activity leaves it alone
YEAR=$(date -u +%Y)
expect_rc 0 res --json points top
expect_eq "top year" "$(jq -r .year <<<"$OUT")" "$YEAR"
expect_eq "top member" "$(jq -r '.items[0].member_id' <<<"$OUT")" "$M1"
expect_eq "top name" "$(jq -r '.items[0].name' <<<"$OUT")" Bakery
expect_eq "top earned" "$(jq -r '.items[0].earned' <<<"$OUT")" 20
expect_eq "ranked" "$(jq -r '.items | length' <<<"$OUT")" 1 # receipts don't count
expect_rc 0 res points top
grep -q Bakery <<<"$OUT" || fail "human top: $OUT"
expect_rc 1 res points close-year "$YEAR"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "resident closed a year: $ERR"
expect_rc 1 sj points close-year $((YEAR + 1))
grep -q INVALID_ARGUMENT <<<"$ERR" || fail "closed a future year: $ERR"
expect_rc 0 sj --json points close-year "$YEAR"
expect_eq "frozen" "$(jq -r .frozen <<<"$OUT")" true
expect_rc 1 sj points close-year "$YEAR"
grep -q ALREADY_EXISTS <<<"$ERR" || fail "closed twice: $ERR"
expect_rc 0 res --json points top --year "$YEAR"
FROZEN=$OUT
serve m2 "Frame a photo"
serve m2 "Print photos"
expect_rc 0 m2 --json points balance
expect_eq "studio balance" "$(jq -r .balance <<<"$OUT")" 45
expect_rc 0 res --json points top --year "$YEAR"
expect_eq "closed year's ranking after more activity" "$OUT" "$FROZEN"
expect_rc 0 sj admin verify

# ---- tampering with the file: stop, edit, start, verify
broker_stop
cp -a "$DATA" "$WORK/pristine"
"$IT_TOOL" ledger-alter "$DATA" 4 # the studio's receipt of 5 points
broker_start
expect_rc 5 sj admin verify
grep -q "ledger entry 4 was altered" <<<"$OUT" ||
    fail "altered entry not named: $OUT"
expect_rc 5 sj --json admin verify
jq -e '.problems | any(test("ledger entry 4 was altered"))' <<<"$OUT" \
    >/dev/null || fail "altered entry not in JSON: $OUT"
broker_stop

rm -rf "$DATA"
cp -a "$WORK/pristine" "$DATA"
"$IT_TOOL" ledger-delete "$DATA" 3 # the bakery's payment
broker_start
expect_rc 5 sj admin verify
grep -q "ledger entry 3 is missing (deleted)" <<<"$OUT" ||
    fail "deleted entry not named: $OUT"
broker_stop

rm -rf "$DATA"
cp -a "$WORK/pristine" "$DATA"
broker_start
expect_rc 0 sj --json admin verify
expect_eq "untouched store" "$(jq -r .ok <<<"$OUT")" true
broker_stop
echo "it_points: earned, paid, refused, ranked, year $YEAR frozen;" \
    "altered and deleted ledger entries reported by admin verify"
