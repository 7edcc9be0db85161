#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: every `--json` output of the CLI is valid JSON that gives
# back the exact text, whatever the text holds. Hostile titles, names and
# file names (quotes, backslashes, newlines, tabs, control characters,
# 4-byte UTF-8, invalid UTF-8) go through wish post, merchant register, qr
# -o, compact draft / notice -o / verify; every output must parse with jq
# and compare equal byte for byte. An error reply under --json is a JSON
# object {status, message, reason} on stdout with exit status 1.
# Usage: it_cli_json.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start --public-url "https://alliance.example.org/金桥"

# is_json TEXT: exactly one JSON value that jq accepts in strict mode.
is_json() {
    jq -e . >/dev/null 2>&1 <<<"$1" || fail "not JSON: $1"
    [ "$(jq -s length <<<"$1")" = 1 ] || fail "not one JSON value: $1"
}

# A title the broker accepts (one line, no control characters) but that
# breaks hand-made JSON: quotes, backslashes, a JSON-looking tail, an
# escaped-unicode look-alike and characters outside the BMP.
TITLE='He said "hi" \ back\slash \", "x":1} \u0041 😀𠮷 月饼'
DETAILS=$'line one\n\t"tabbed" line two \\ end'

sj member add --role resident --name "Auntie \"Wang\"" --community Jinqiao \
    --key-out "$WORK/res.key" >/dev/null
res() { sj --key "$WORK/res.key" "$@"; }
expect_rc 0 res --json wish post "$TITLE" --details "$DETAILS"
is_json "$OUT"
jq -e --arg t "$TITLE" --arg d "$DETAILS" '.title == $t and .details == $d' \
    <<<"$OUT" >/dev/null || fail "wish post round trip: $OUT"
WISH=$(jq -r .id <<<"$OUT")

MER=$(sj --json member add --role merchant --name "Shop \"A\"" \
    --key-out "$WORK/mer.key" | jq -r .id)
mer() { sj --key "$WORK/mer.key" "$@"; }
expect_rc 0 mer --json merchant register --name "$TITLE" --category bakery \
    --service 'Cut "short":5:a \ b'
is_json "$OUT"
jq -e --arg t "$TITLE" '.name == $t and .services[0].name == "Cut \"short\""' \
    <<<"$OUT" >/dev/null || fail "merchant register round trip: $OUT"

# File names may hold anything but '/' and NUL.
mkdir -p "$WORK/out"
for name in 'q"uote.png' 'back\slash.png' $'new\nline.png' $'tab\tand\x01ctl.png' \
    '😀 "x":1}.png'; do
    f=$WORK/out/$name
    expect_rc 0 sj --json qr merchant "$MER" -o "$f"
    is_json "$OUT"
    jq -e --arg f "$f" '.file == $f and .bytes > 0 and .media_type == "image/png"' \
        <<<"$OUT" >/dev/null || fail "qr -o '$name': $OUT"
    [ -s "$f" ] || fail "qr -o '$name' wrote nothing"
done
# Without -o, --json carries the image itself, in base64.
sj qr wish "$WISH" --format png >"$WORK/direct.png"
expect_rc 0 sj --json qr wish "$WISH" --format png
is_json "$OUT"
jq -r .data <<<"$OUT" | base64 -d >"$WORK/fromjson.png"
cmp -s "$WORK/direct.png" "$WORK/fromjson.png" || fail "qr --json data differs"
expect_eq "qr --json bytes" "$(jq -r .bytes <<<"$OUT")" \
    "$(stat -c %s "$WORK/direct.png")"
# A file name that is not UTF-8 still gives valid JSON (the bad byte
# becomes U+FFFD); the file itself is written under its real name.
bad=$WORK/out/$'lat\xe9n.png'
expect_rc 0 sj --json qr wish "$WISH" -o "$bad"
is_json "$OUT"
jq -e --arg f "$WORK/out/lat�n.png" '.file == $f' <<<"$OUT" >/dev/null ||
    fail "non-UTF-8 file name: $OUT"
[ -s "$bad" ] || fail "the non-UTF-8 file was not written"

# A compact with a hostile title, through to its notice and verify.
COM=$(sj --json whoami | jq -r .id)
expect_rc 0 sj --json compact draft "$TITLE" --from "$(date -u +%F)" \
    --to 2035-12-31 --party "$COM" --party "$MER" \
    --item "$MER:0:say \"hi\" \\ twice:every \"day\"" \
    --covenant $'Be kind.\n"Quote" \\ me.'
is_json "$OUT"
jq -e --arg t "$TITLE" '.title == $t and .items[0].what == "say \"hi\" \\ twice"' \
    <<<"$OUT" >/dev/null || fail "compact draft round trip: $OUT"
CID=$(jq -r .id <<<"$OUT")
sj compact sign "$CID" >/dev/null
mer compact sign "$CID" >/dev/null
# Refused by the CLI itself (no notice before publishing): the same shape.
expect_rc 1 sj --json compact notice "$CID"
is_json "$OUT"
jq -e '.status == "FAILED_PRECONDITION" and (.message | test("not published"))' \
    <<<"$OUT" >/dev/null || fail "notice before publishing: $OUT"
sj compact publish "$CID" >/dev/null
N=$WORK/out/$'no"tice\\\n.txt'
expect_rc 0 sj --json compact notice "$CID" -o "$N"
is_json "$OUT"
jq -e --arg f "$N" '.file == $f and .bytes > 0' <<<"$OUT" >/dev/null ||
    fail "compact notice -o: $OUT"
# Without -o, --json carries the notice itself.
expect_rc 0 sj --json compact notice "$CID"
is_json "$OUT"
jq -e --rawfile n "$N" '.notice == $n and .bytes == ($n | utf8bytelength)' \
    <<<"$OUT" >/dev/null || fail "compact notice --json: $OUT"
expect_rc 0 sj --json compact verify "$N"
is_json "$OUT"
jq -e --arg f "$N" '.valid == true and .file == $f' <<<"$OUT" >/dev/null ||
    fail "compact verify: $OUT"
printf 'not a notice "at" \\ all\n' >"$WORK/out/x\"y.txt"
expect_rc 5 sj --json compact verify "$WORK/out/x\"y.txt"
is_json "$OUT"
jq -e '.valid == false and (.reason | length) > 0' <<<"$OUT" >/dev/null ||
    fail "compact verify (invalid): $OUT"

# Listings and events carry the same text.
expect_rc 0 sj --json wish list
is_json "$OUT"
jq -e --arg t "$TITLE" 'any(.items[]; .title == $t)' <<<"$OUT" >/dev/null ||
    fail "wish list: $OUT"
expect_rc 0 sj --json watch --from 1 --count 3
while IFS= read -r line; do is_json "$line"; done <<<"$OUT"

# An error reply under --json: one object on stdout, exit status 1, and
# still a line for people on stderr.
expect_rc 1 sj --json wish show 999999
is_json "$OUT"
jq -e '.status == "NOT_FOUND" and (.message | length) > 0 and
       (.reason | type) == "string"' <<<"$OUT" >/dev/null ||
    fail "error reply: $OUT"
grep -q NOT_FOUND <<<"$ERR" || fail "no error line on stderr: $ERR"
# Without --json, nothing on stdout.
expect_rc 1 sj wish show 999999
[ -z "$OUT" ] || fail "human error printed on stdout: $OUT"
# A cursor past every id is the caller's mistake, not the broker's
# (issue 9 §9: it answered INTERNAL).
expect_rc 1 sj --json wish list --after 18446744073709551615
jq -e '.status == "INVALID_ARGUMENT" and .reason == "arg.bad_cursor"' \
    <<<"$OUT" >/dev/null || fail "bad cursor: $OUT"

broker_stop
echo "it_cli_json: hostile text and file names round-trip through --json"
