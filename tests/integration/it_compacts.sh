#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: a compact through a real broker and the CLI. Negotiate (an
# edit voids a signature; a signature on the old version is refused), sign
# by every party, publish, save the signed notice and verify it offline
# (exit 0); one changed byte anywhere (text, hash, key, signature, block)
# makes `compact verify` exit 5; without a trusted key it is "unverified"
# (exit 6), with the broker reachable the CLI fetches and pins its notice
# key, and a notice forged with another key is refused (issue 9 §6); the
# term starts at once (ACTIVE), the giver records a service within the
# term and the item's frequency, paid once the committee confirms; a
# resident complains, the committee resolves one complaint and dismisses
# another; the compact's QR code decodes to <public-url>/c/ID.
# Usage: it_compacts.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
command -v zbarimg >/dev/null || fail "zbarimg is required"

BASE="https://alliance.example.org/金桥社区"
broker_start --public-url "$BASE"
[ "$(stat -c %a "$DATA/notice.key")" = 600 ] || fail "notice.key is not 0600"
[ -s "$DATA/notice.pub" ] || fail "no notice.pub"

COM=$(sj --json whoami | jq -r .id)
RES=$(sj --json member add --role resident --name "Auntie Wang" \
    --community Jinqiao --building "Building 3" --contact 138-0000-0000 \
    --key-out "$WORK/res.key" | jq -r .id)
MER=$(sj --json member add --role merchant --name Bakery \
    --key-out "$WORK/mer.key" | jq -r .id)
sj member add --role merchant --name Outsider --key-out "$WORK/out.key" \
    >/dev/null
res() { sj --key "$WORK/res.key" "$@"; }
mer() { sj --key "$WORK/mer.key" "$@"; }
out() { sj --key "$WORK/out.key" "$@"; }

# 谈约: only the committee drafts.
TODAY=$(date -u +%F)
draft_args=(--from "$TODAY" --to 2035-12-31 --party "$COM" --party "$MER"
    --party "$RES" --item "$MER:0:免费理发 Free haircuts:2/week"
    --item "$RES:$MER:Help at the shop" --covenant "Be kind.")
expect_rc 1 mer compact draft "Mine" "${draft_args[@]}"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "merchant drafted: $ERR"
expect_rc 2 sj compact draft "No term" --party "$COM" --party "$MER"
expect_rc 2 sj compact draft "Bad item" --from "$TODAY" --to 2035-12-31 \
    --party "$COM" --party "$MER" --item "$MER-0-nothing"
expect_rc 0 sj --json compact draft "金桥社区共建公约 Jinqiao compact" \
    "${draft_args[@]}"
ID=$(jq -r .id <<<"$OUT")
expect_eq "state" "$(jq -r .state <<<"$OUT")" negotiating
expect_eq "version" "$(jq -r .version <<<"$OUT")" 1
expect_eq "items" "$(jq -r '.items | length' <<<"$OUT")" 2

# 签约: the merchant signs version 1; an edit voids it; the old version's
# signature is refused; a non-party cannot sign.
expect_rc 0 mer compact sign "$ID"
V1=$(sed -n 's/^signing compact .* version 1, SHA-256 \([0-9a-f]\{64\}\)$/\1/p' \
    <<<"$OUT")
[ -n "$V1" ] || fail "sign did not print version 1's hash: $OUT"
expect_rc 0 res --json compact edit "$ID" --covenant "Be kind. 守信 Keep your word."
expect_eq "version after edit" "$(jq -r .version <<<"$OUT")" 2
expect_eq "signatures after edit" \
    "$(jq -r '.signatures // [] | length' <<<"$OUT")" 0
expect_eq "items kept" "$(jq -r '.items | length' <<<"$OUT")" 2
expect_rc 1 mer compact sign "$ID" --version 1 --hash "$V1"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "old version signed: $ERR"
expect_rc 1 out compact sign "$ID"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "non-party signed: $ERR"
expect_rc 0 mer compact sign "$ID"
grep -q "version 2, SHA-256" <<<"$OUT" || fail "sign output: $OUT"
expect_rc 1 mer compact sign "$ID"
grep -q ALREADY_EXISTS <<<"$ERR" || fail "signed twice: $ERR"
expect_rc 0 res compact sign "$ID"
expect_rc 1 sj qr compact "$ID" -o "$WORK/early.png"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "QR before publishing: $ERR"
expect_rc 0 sj --json compact sign "$ID"
expect_eq "state after all signed" "$(jq -r .state <<<"$OUT")" signed

# 亮约: publish, save the notice, verify it offline.
expect_rc 1 mer compact publish "$ID"
expect_rc 0 sj --json compact publish "$ID"
expect_eq "published" "$(jq -r .state <<<"$OUT")" published
expect_rc 1 sj compact notice 999 -o "$WORK/none.txt"
expect_rc 0 sj compact notice "$ID" -o "$WORK/notice.txt"
N=$WORK/notice.txt
grep -q "^网址 url: $BASE/c/$ID\$" "$N" || fail "notice has no URL line"
grep -q "Auntie Wang（居民 resident，成员 member $RES）" "$N" ||
    fail "no party line"
# The fixed text in both languages, Chinese first (issue 15).
grep -q "^参与方 parties:$" "$N" || fail "no bilingual parties label"
grep -q "138-0000-0000" "$N" && fail "the notice shows a contact"
expect_rc 0 sj compact verify "$N" # against DATA/notice.pub
grep -q "valid" <<<"$OUT" || fail "verify output: $OUT"
expect_rc 0 sj --json compact verify "$N" --public-key "$DATA/notice.pub"
expect_eq "json valid" "$(jq -r .valid <<<"$OUT")" true
# The notice prints its key's fingerprint, inside the signed text.
FP=$(jq -r .fingerprint <<<"$OUT")
grep -qxF "notice-key-fingerprint: $FP" "$N" || fail "no fingerprint line ($FP)"
# The committee prints the same fingerprint for the notice board.
expect_rc 0 sj --json compact key
expect_eq "compact key fingerprint" "$(jq -r .fingerprint <<<"$OUT")" "$FP"
expect_eq "compact key" "$(jq -r .public_key <<<"$OUT")" \
    "$(cat "$DATA/notice.pub")"
# Without a trusted key and without a broker: the signature holds but the
# signer is unknown, "unverified" with its own exit code (issue 9 §6).
expect_rc 6 "$CLI" --data "$WORK/nowhere" compact verify "$N"
grep -q "unverified" <<<"$OUT" || fail "unverified output: $OUT"
grep -qF "$FP" <<<"$OUT" || fail "no fingerprint to compare: $OUT"
expect_rc 6 "$CLI" --json --data "$WORK/nowhere" compact verify "$N"
expect_eq "json unverified" "$(jq -r .status <<<"$OUT")" unverified
expect_eq "json not valid" "$(jq -r .valid <<<"$OUT")" false
# With the broker reachable the CLI fetches the notice key and pins it.
PIN=$WORK/pin
mkdir -m 700 "$PIN"
cp "$DATA/committee.key" "$DATA/server.pub" "$PIN/"
pin() { "$CLI" --data "$PIN" --requests "$REQ_EP" --events "$EV_EP" "$@"; }
expect_rc 0 pin compact verify "$N"
grep -q "pinned" <<<"$ERR" || fail "no pin message: $ERR"
cmp -s "$PIN/notice.pub" "$DATA/notice.pub" || fail "pinned another key"
expect_rc 0 pin --json compact verify "$N" --offline # the pinned key
expect_eq "pinned key used" "$(jq -r .key_source <<<"$OUT")" "$PIN/notice.pub"
# A notice forged with another key (openssl's Ed25519): unverified without
# a trusted key, refused against the pinned or fetched one.
BODY=$WORK/body.txt
sed -n '1,/^-----BEGIN SHANGJU SIGNATURE-----$/p' "$N" | sed '$d' >"$BODY"
openssl genpkey -algorithm ed25519 -out "$WORK/forger.pem" 2>/dev/null
openssl pkeyutl -sign -rawin -inkey "$WORK/forger.pem" -in "$BODY" \
    -out "$WORK/forged.sig"
FPK=$(openssl pkey -in "$WORK/forger.pem" -pubout -outform DER | tail -c 32 |
    base64)
F=$WORK/forged.txt
{
    cat "$BODY"
    echo "-----BEGIN SHANGJU SIGNATURE-----"
    echo "ed25519-public-key: $FPK"
    echo "signature: $(base64 -w0 <"$WORK/forged.sig")"
    echo "-----END SHANGJU SIGNATURE-----"
} >"$F"
expect_rc 6 "$CLI" --data "$WORK/nowhere" compact verify "$F"
expect_rc 5 pin compact verify "$F"
grep -q "another key" <<<"$ERR" || fail "forged notice: $ERR"
PIN2=$WORK/pin2
mkdir -m 700 "$PIN2"
cp "$DATA/committee.key" "$DATA/server.pub" "$PIN2/"
expect_rc 5 "$CLI" --data "$PIN2" --requests "$REQ_EP" --events "$EV_EP" \
    compact verify "$F"
[ -s "$PIN2/notice.pub" ] || fail "the fetched key was not pinned"
# Another broker's key: refused.
printf '%s\n' "$(head -c 32 /dev/urandom | base64)" >"$WORK/other.pub"
expect_rc 5 sj compact verify "$N" --public-key "$WORK/other.pub"
grep -q "another key" <<<"$ERR" || fail "wrong key: $ERR"

# flip FILE OFFSET OUT: OUT is FILE with the byte at OFFSET changed.
flip() {
    local c
    cp "$1" "$3"
    c=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    # shellcheck disable=SC2059 # the format is the byte itself
    printf "\\$(printf %03o $((c ^ 1)))" |
        dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
    cmp -s "$1" "$3" && fail "flip at $2 changed nothing"
    return 0
}
# offset_of TEXT: the byte offset of TEXT's first occurrence in the notice.
offset_of() {
    grep -b -o -F -- "$1" "$N" | head -n1 | cut -d: -f1
}
SIZE=$(stat -c %s "$N")
positions=(0 "$(($(offset_of "title: ") + 8))"
    "$(($(offset_of "version-sha256: ") + 20))"
    "$(($(offset_of "Keep your word") + 3))"
    "$(($(offset_of "url: ") + 10))"
    "$(($(offset_of "-----BEGIN") - 1))"
    "$(($(offset_of "-----BEGIN") + 12))"
    "$(($(offset_of "ed25519-public-key: ") + 25))"
    "$(($(offset_of "signature: ") + 11))"
    "$(($(offset_of "signature: ") + 50))"
    "$(($(offset_of "-----END") + 7))"
    "$((SIZE - 2))")
for pos in "${positions[@]}"; do
    flip "$N" "$pos" "$WORK/bad.txt"
    expect_rc 5 sj compact verify "$WORK/bad.txt"
    grep -q "invalid notice" <<<"$ERR" || fail "flip at $pos: $ERR"
done
# Something appended after the block is refused too.
{ cat "$N"; echo "extra"; } >"$WORK/bad.txt"
expect_rc 5 sj compact verify "$WORK/bad.txt"

# 履约/信约: the term began today, so the compact is active at once.
state=
for _ in $(seq 1 50); do
    state=$(sj --json compact show "$ID" | jq -r .state)
    [ "$state" = active ] && break
    sleep 0.1
done
expect_eq "state once the term began" "$state" active
expect_rc 1 res compact perform "$ID" --item 1
grep -q PERMISSION_DENIED <<<"$ERR" || fail "non-giver performed: $ERR"
expect_rc 1 out compact perform "$ID" --item 1
expect_rc 0 mer --json compact perform "$ID" --item 1 --note "six elders"
expect_eq "performance" "$(jq -r '.performances[0].item_id' <<<"$OUT")" 1
PERF=$(jq -r '.performances[0].id' <<<"$OUT")
# Twice a week at most (the item's "2/week"), and paid only once the
# committee (the community's side) confirms; the giver cannot.
expect_rc 0 mer compact perform "$ID" --item 1
expect_rc 1 mer compact perform "$ID" --item 1
grep -q "compact.too_often" <<<"$ERR" || fail "third in a week: $ERR"
expect_rc 1 mer compact perform "$ID" --item 1 --date 2001-01-01
grep -q "compact.out_of_term" <<<"$ERR" || fail "dated 2001: $ERR"
expect_eq "unpaid" "$(sj --json points balance "$MER" | jq -r ".balance // 0")" 0
expect_rc 1 mer compact confirm "$ID" --performance "$PERF"
grep -q "compact.not_receiver" <<<"$ERR" || fail "giver confirmed: $ERR"
expect_rc 0 sj --json compact confirm "$ID" --performance "$PERF"
expect_eq "confirmed" "$(jq -r '.performances[0].confirmed' <<<"$OUT")" true
[ "$(sj --json points balance "$MER" | jq -r ".balance // 0")" -gt 0 ] ||
    fail "a confirmed performance did not pay"
expect_rc 0 res --json compact complain "$ID" --against "$MER" \
    --text "Closed last Saturday"
expect_rc 0 sj --json compact resolve "$ID" --complaint 1 \
    --resolution "Apologised; it reopens"
expect_eq "resolved" "$(jq -r '.complaints[0].resolved' <<<"$OUT")" true
expect_rc 0 res compact complain "$ID" --against "$MER" --text "junk"
expect_rc 1 mer compact dismiss "$ID" --complaint 2
expect_rc 0 sj --json compact dismiss "$ID" --complaint 2 --resolution "no"
expect_eq "dismissed" "$(jq -r '.complaints[0].dismissed' <<<"$OUT")" true
expect_rc 0 sj --json compact list --state active
expect_eq "listed" "$(jq -r '.items[0].id' <<<"$OUT")" "$ID"

# The compact's QR code: the public page of the notice.
expect_rc 0 sj --json qr compact "$ID" -o "$WORK/compact.png"
expect_eq "QR url" "$(jq -r .url <<<"$OUT")" "$BASE/c/$ID"
expect_eq "zbarimg" "$(zbarimg --raw -q -Sbinary "$WORK/compact.png")" \
    "$BASE/c/$ID"
broker_stop
echo "it_compacts: negotiated, signed, published; the notice verifies and" \
    "one changed byte fails; active; QR decodes"
