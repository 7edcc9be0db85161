#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration (issue 15): text through a real broker and the CLI. Limits
# count characters, not bytes: a name of 100 Chinese characters, a
# community of 100 emoji (a store key of 400 bytes) and a title of 200
# Chinese characters are taken, one more character is refused. Text is
# stored in NFC: a decomposed "é" (e + U+0301) is read back composed, and
# a list filtered by a decomposed community finds the composed one.
# Usage: it_text.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

# rep UNIT N: UNIT N times.
rep() {
    local s="" i
    for ((i = 0; i < $2; i++)); do s+=$1; done
    printf '%s' "$s"
}

E_DECOMPOSED=$'e\xcc\x81'
E_COMPOSED=$'\xc3\xa9'
broker_start

NAME=$(rep 王 100)
COMMUNITY=$(rep 🏘 100)
expect_rc 0 sj --json member add --role resident --name "$NAME" \
    --community "$COMMUNITY" --key-out "$WORK/res.key"
expect_eq "name kept whole" "$(jq -r .name <<<"$OUT")" "$NAME"
res() { sj --key "$WORK/res.key" "$@"; }
expect_rc 2 sj member add --role resident --name "$(rep 王 101)" \
    --key-out "$WORK/x.key"
grep -q "101 characters" <<<"$ERR" || fail "over-long name: $ERR"

# 200 Chinese characters (600 bytes) make a title; 201 do not.
expect_rc 0 res --json wish post "$(rep 愿 200)"
expect_rc 2 res wish post "$(rep 愿 201)"
grep -q "201 characters" <<<"$ERR" || fail "over-long title: $ERR"

# NFC: posted decomposed, stored and read back composed.
expect_rc 0 res --json wish post "Caf$E_DECOMPOSED"
WISH=$(jq -r .id <<<"$OUT")
expect_eq "posted title" "$(jq -r .title <<<"$OUT")" "Caf$E_COMPOSED"
expect_rc 0 res --json wish show "$WISH"
expect_eq "stored title" "$(jq -r .title <<<"$OUT")" "Caf$E_COMPOSED"
# 200 decomposed "é" are 400 code points as typed and 200 stored: taken.
expect_rc 0 res --json wish post "$(rep "$E_DECOMPOSED" 200)"
expect_eq "title in NFC" "$(jq -r .title <<<"$OUT")" "$(rep "$E_COMPOSED" 200)"

# A community named decomposed is the one stored composed.
sj member add --role resident --name "Zoé" --community "Montr${E_COMPOSED}al" \
    --key-out "$WORK/zoe.key" >/dev/null
expect_rc 0 sj --key "$WORK/zoe.key" --json wish post "Fix the gate"
ZWISH=$(jq -r .id <<<"$OUT")
MER_KEY=$WORK/mer.key
sj member add --role merchant --name Shop --key-out "$MER_KEY" >/dev/null
expect_rc 0 sj --key "$MER_KEY" --json wish list \
    --community "Montr${E_DECOMPOSED}al"
expect_eq "list by a decomposed community" \
    "$(jq -r '[.items[].id] | join(",")' <<<"$OUT")" "$ZWISH"
expect_rc 0 sj --key "$MER_KEY" --json wish list --community "$COMMUNITY"
[ "$(jq '.items | length' <<<"$OUT")" -ge 3 ] ||
    fail "list by the 400-byte community: $OUT"
broker_stop
echo "it_text: limits count characters; text is stored in NFC"
