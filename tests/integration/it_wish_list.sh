#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: a merchant's questions to `shangju wish list` (issue 15)
# against a real broker. --category and --community match without regard
# to case; the list is newest first; --all follows the cursor over many
# pages and prints one table (with --json, one array) holding each wish
# once; --oldest-first and --after keep the old ascending paging.
# Usage: it_wish_list.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start

# Three residents: two communities that differ only in case, and another.
for who in a:Jinqiao b:JINQIAO c:Lujiazui; do
    sj member add --role resident --name "${who%%:*}" \
        --community "${who#*:}" --key-out "$WORK/${who%%:*}.key" >/dev/null
done
sj member add --role merchant --name Shop --key-out "$WORK/mer.key" >/dev/null
mer() { sj --key "$WORK/mer.key" "$@"; }

# 23 wishes: ids 1..23 in order; food in three spellings, and repairs.
FOOD=() JQ=()
for i in $(seq 1 23); do
    who=$(printf 'a\nb\nc' | sed -n "$((i % 3 + 1))p")
    case $((i % 4)) in
    0) cat=repair ;;
    1) cat=Food ;;
    2) cat=FOOD ;;
    *) cat=food ;;
    esac
    sj --key "$WORK/$who.key" wish post "wish $i" --category "$cat" >/dev/null
    [ "$cat" = repair ] || FOOD+=("$i")
    [ "$who" = c ] || JQ+=("$i")
done
# The ids a list must give, newest first, as one JSON array.
desc() { printf '%s\n' "$@" | sort -rn | jq -sc .; }

# --all --json over pages of 4: one array, newest first, each wish once.
expect_rc 0 mer --json wish list --category fOOd --all --limit 4
expect_eq "food, every page" "$(jq -c 'map(.id)' <<<"$OUT")" \
    "$(desc "${FOOD[@]}")"
expect_rc 0 mer --json wish list --community jinqiao --all --limit 5
expect_eq "jinqiao in any case" "$(jq -c 'map(.id)' <<<"$OUT")" \
    "$(desc "${JQ[@]}")"
expect_rc 0 mer --json wish list --community JINQIAO --category repair --all
expect_eq "both filters" "$(jq -c 'map(.id)' <<<"$OUT")" \
    "$(jq -nc --argjson jq "$(desc "${JQ[@]}")" '$jq | map(select(. % 4 == 0))')"

# The table of --all: one header, a row per wish, no "next:" line.
expect_rc 0 mer wish list --category FOOD --all --limit 3
expect_eq "table rows" "$(grep -c 'wish [0-9]' <<<"$OUT")" "${#FOOD[@]}"
grep -q '^next:' <<<"$OUT" && fail "--all printed a next: line: $OUT"

# A page at a time, newest first: next is the --before of the following
# page; a wish posted between pages does not shift the walk.
expect_rc 0 mer --json wish list --limit 5
expect_eq "first page" "$(jq -c '[.items[].id]' <<<"$OUT")" "[23,22,21,20,19]"
NEXT=$(jq -r .next <<<"$OUT")
sj --key "$WORK/a.key" wish post "wish 24" >/dev/null
expect_rc 0 mer --json wish list --limit 5 --before "$NEXT"
expect_eq "second page" "$(jq -c '[.items[].id]' <<<"$OUT")" "[18,17,16,15,14]"
# For people, the line under the table names the option to use.
expect_rc 0 mer wish list --limit 5 --before "$NEXT"
grep -q -- "--before 14\$" <<<"$OUT" || fail "no --before hint: $OUT"

# The old order on demand, and --after pages as it always did.
expect_rc 0 mer --json wish list --oldest-first --all --limit 10
expect_eq "oldest first" "$(jq -c 'map(.id)' <<<"$OUT")" \
    "$(seq 1 24 | jq -sc .)"
expect_rc 0 mer --json wish list --after 20 --limit 2
expect_eq "--after" "$(jq -c '[.items[].id]' <<<"$OUT")" "[21,22]"
expect_eq "--after next" "$(jq -r .next <<<"$OUT")" 22

broker_stop
echo "it_wish_list: ok"
