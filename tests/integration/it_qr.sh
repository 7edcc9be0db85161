#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: QR codes and placards through a real broker and the CLI.
# Every image (merchant, wish, hand-over; PNG, and SVG rendered to PNG by
# rsvg-convert) is decoded by zbarimg to exactly the expected URL, with a
# CJK-bearing public URL; SVGs are well-formed (xmllint); the placard PNG
# decodes to the merchant's URL, and so does its PDF (rendered by
# pdftoppm; the broker's placard cache keys on the format); the merchant
# "scans" the resident's hand-over QR and fulfils with the code it carries:
# verified.
# Usage: it_qr.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
for tool in zbarimg rsvg-convert xmllint pdftoppm; do
    command -v "$tool" >/dev/null || fail "$tool is required"
done

BASE="https://商居联盟.example.org/金桥社区"
broker_start --public-url "$BASE"
sj member add --role resident --name "Auntie Wang" --community Jinqiao \
    --building "Building 3" --key-out "$WORK/res.key" >/dev/null
MERCHANT=$(sj --json member add --role merchant --name Bakery \
    --key-out "$WORK/mer.key" | jq -r .id)
res() { sj --key "$WORK/res.key" "$@"; }
mer() { sj --key "$WORK/mer.key" "$@"; }
mer merchant register --name "金麦烘焙 Golden Wheat" --category bakery \
    --specialty "鲜肉月饼 Fresh meat mooncakes" --specialty "苏式月饼" \
    --address "金桥路 12 号" --hours "7:00-19:00" >/dev/null
WISH=$(res --json wish post "学做月饼 Learn to bake mooncakes" | jq -r .id)
mer wish claim "$WISH" >/dev/null

# decode FILE: the exact bytes zbarimg reads from a PNG.
decode() {
    zbarimg --raw -q -Sbinary "$1" 2>/dev/null
}

# check_qr WHO SUBJECT ID WANT_URL: PNG and SVG->PNG both decode to it.
check_qr() {
    local who=$1 subject=$2 id=$3 want=$4 f
    for fmt in png svg; do
        f=$WORK/$subject-$id.$fmt
        expect_rc 0 "$who" --json qr "$subject" "$id" --format "$fmt" -o "$f"
        expect_eq "url reported for $subject $fmt" "$(jq -r .url <<<"$OUT")" \
            "$want"
        if [ "$fmt" = svg ]; then
            xmllint --noout "$f" || fail "$f is not well-formed XML"
            rsvg-convert -o "$f.png" "$f"
            f=$f.png
        fi
        expect_eq "zbarimg on $subject $fmt" "$(decode "$f")" "$want"
    done
}

check_qr sj merchant "$MERCHANT" "$BASE/m/$MERCHANT"
check_qr res wish "$WISH" "$BASE/w/$WISH"
# High error correction, big modules, wide quiet zone: still exact.
expect_rc 0 sj qr wish "$WISH" --level H --module-px 12 --quiet 10 \
    -o "$WORK/h.png"
expect_eq "level H" "$(decode "$WORK/h.png")" "$BASE/w/$WISH"

# The hand-over code is for the resident's side only.
expect_rc 1 mer qr handover "$WISH" -o "$WORK/stolen.png"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "merchant got the code: $ERR"
expect_rc 0 res --json qr handover "$WISH" -o "$WORK/handover.png"
HANDOVER_URL=$(jq -r .url <<<"$OUT")
case $HANDOVER_URL in
"$BASE/w/$WISH?code="*) ;;
*) fail "hand-over URL: $HANDOVER_URL" ;;
esac
check_qr res handover "$WISH" "$HANDOVER_URL"

# Terminal text: half blocks, as wide as the symbol plus its quiet zone.
expect_rc 0 sj qr merchant "$MERCHANT" --format text
width=$(head -n1 <<<"$OUT" | awk '{ print length($0) }')
[ "$width" -ge 29 ] || fail "text QR too narrow ($width)"
if LC_ALL=C.UTF-8 grep -q '[^ ▀▄█]' <<<"$OUT"; then
    fail "text QR uses other characters"
fi

# The placard: PNG scans to the merchant URL; SVG is XML and scans too.
expect_rc 0 sj placard "$MERCHANT" -o "$WORK/placard.png"
expect_eq "placard PNG" "$(decode "$WORK/placard.png")" "$BASE/m/$MERCHANT"
expect_rc 0 sj placard "$MERCHANT" -o "$WORK/placard.svg"
xmllint --noout "$WORK/placard.svg" || fail "placard SVG is not XML"
rsvg-convert -o "$WORK/placard.svg.png" "$WORK/placard.svg"
expect_eq "placard SVG" "$(decode "$WORK/placard.svg.png")" \
    "$BASE/m/$MERCHANT"
# PDF (issue 15): a PDF file whose page, rendered by poppler, scans too.
expect_rc 0 sj placard "$MERCHANT" -o "$WORK/placard.pdf"
[ "$(head -c 5 "$WORK/placard.pdf")" = "%PDF-" ] || fail "placard PDF: no %PDF"
pdftoppm -r 150 -png -singlefile "$WORK/placard.pdf" "$WORK/placard.pdf"
expect_eq "placard PDF" "$(decode "$WORK/placard.pdf.png")" \
    "$BASE/m/$MERCHANT"
expect_rc 2 sj placard "$MERCHANT" -o "$WORK/placard.gif"

# Hand-over: the merchant scans the resident's code and fulfils with it.
CODE=$(decode "$WORK/handover.png" | sed 's/.*?code=//')
expect_rc 1 mer --json wish fulfil "$WISH" --code WRONG234
grep -q "hand-over code is wrong.*wish.handover_wrong" <<<"$ERR" ||
    fail "wrong code: $ERR"
jq -e '.message | test("tries left")' <<<"$OUT" >/dev/null ||
    fail "wrong code: $OUT"
expect_rc 0 mer --json wish fulfil "$WISH" --code "$CODE"
expect_eq "verified" "$(jq -r .verified <<<"$OUT")" true
expect_eq "state" "$(jq -r .state <<<"$OUT")" fulfilled
broker_stop
echo "it_qr: merchant, wish, hand-over and placard codes decode exactly"
