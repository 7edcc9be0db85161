#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: `shangju watch --json` run in the background sees every
# event exactly once, in seq order, with the topics of the operations done
# meanwhile (sequential and concurrent), topic filters work, and no event
# carries a private contact. Usage: it_watch.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start
K=$WORK/keys
mkdir -p "$K"
sj member add --role resident --name "Old Li" --contact 131-5555 \
    --key-out "$K/res.key" >/dev/null
sj member add --role merchant --name Grocer --key-out "$K/m1.key" >/dev/null
sj member add --role merchant --name Florist --key-out "$K/m2.key" >/dev/null
res() { sj --key "$K/res.key" "$@"; }
m1() { sj --key "$K/m1.key" "$@"; }
m2() { sj --key "$K/m2.key" "$@"; }

S=$(last_seq)
expect_eq "events before" "$S" 3
N=37       # events the operations below produce
CLAIMS=7   # of which wish.claimed

# Watchers: everything from S+1; only claims; the whole history.
sj --json watch --from $((S + 1)) --count "$N" >"$WORK/all.out" &
W_ALL=$!
sj --json watch --from $((S + 1)) --count "$CLAIMS" wish.claimed \
    >"$WORK/claims.out" &
W_CLAIMS=$!
sj --json watch --from 1 --count $((S + N)) >"$WORK/history.out" &
W_HIST=$!
BG_PIDS+=("$W_ALL" "$W_CLAIMS" "$W_HIST")

EXP=()
op() { # op TOPIC CMD...: run CMD (must succeed), expect one TOPIC event
    local topic=$1
    shift
    "$@" >/dev/null || fail "'$*' failed"
    EXP+=("$topic")
}
W=()
for i in $(seq 1 10); do
    W+=("$(res --json wish post "Wish $i" | jq -r .id)")
    EXP+=(wish.posted)
done
for i in 0 1 2 3 4 5; do
    op wish.claimed m1 wish claim "${W[$i]}"
done
op wish.released m1 wish release "${W[5]}"
for i in 0 1 2; do
    op wish.fulfilled m1 wish fulfil "${W[$i]}"
done
# A wish closing issues the merchant's points first (points.earned).
EXP+=(points.earned)
op wish.closed res wish confirm "${W[0]}" --rating 5 --thanks thanks
EXP+=(points.earned)
op wish.closed res wish confirm "${W[1]}" --rating 4
op wish.cancelled res wish cancel "${W[6]}"
op wish.cancelled res wish cancel "${W[7]}"
M3=$(sj --json member add --role merchant --name Later \
    --key-out "$K/m3.key" | jq -r .id)
EXP+=(member.added)
op member.suspended sj member suspend "$M3"
op wish.claimed m2 wish claim "${W[8]}"
# Eight concurrent postings: order among them is the broker's to choose.
PIDS=()
for i in $(seq 1 8); do
    res wish post "Concurrent $i" >/dev/null &
    PIDS+=($!)
done
for p in "${PIDS[@]}"; do
    wait "$p" || fail "a concurrent post failed"
done
for i in $(seq 1 8); do
    EXP+=(wish.posted)
done
expect_eq "operations planned" "${#EXP[@]}" "$N"
expect_eq "broker last_seq" "$(last_seq)" $((S + N))

# Every watcher must finish by itself (it has seen its --count).
for p in "$W_ALL" "$W_CLAIMS" "$W_HIST"; do
    for _ in $(seq 1 300); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$p" 2>/dev/null && fail "a watcher did not see all its events"
    wait "$p" || fail "a watcher exited with $?"
done

# All events once, in order, with the expected topics.
expect_eq "lines" "$(wc -l <"$WORK/all.out")" "$N"
expect_eq "seqs" "$(jq -c -s '[.[].seq]' "$WORK/all.out")" \
    "$(jq -c -n --argjson a $((S + 1)) --argjson b $((S + N + 1)) \
        '[range($a; $b)]')"
expect_eq "topics" "$(jq -r .topic "$WORK/all.out" | paste -sd ' ')" \
    "${EXP[*]}"
# Filtered: only the claims, in order, the same events as in the full feed.
expect_eq "claim lines" "$(wc -l <"$WORK/claims.out")" "$CLAIMS"
expect_eq "claim topics" \
    "$(jq -r .topic "$WORK/claims.out" | sort -u)" wish.claimed
expect_eq "claims match" "$(jq -c -s '[.[].seq]' "$WORK/claims.out")" \
    "$(jq -c -s '[.[] | select(.topic == "wish.claimed") | .seq]' \
        "$WORK/all.out")"
# The whole history: 1..S+N, the tail identical to the live watcher's.
expect_eq "history seqs" "$(jq -c -s '[.[].seq]' "$WORK/history.out")" \
    "$(jq -c -n --argjson b $((S + N + 1)) '[range(1; $b)]')"
expect_eq "history tail" "$(tail -n "$N" "$WORK/history.out" | jq -c .)" \
    "$(jq -c . "$WORK/all.out")"
# Events never carry private contact details.
expect_eq "contacts in events" \
    "$(jq -c 'select((.member.contact // "") != "" or
                     (.wish.owner_contact // "") != "")' \
        "$WORK/history.out" | wc -l)" 0

broker_stop
echo "it_watch: ok"
