#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: the store's limits with real brokers. A wrong schema version
# is refused with a clear log line and exit 1; a second broker on the same
# directory is refused; a full map answers RESOURCE_EXHAUSTED while reads
# keep working, and a restart with a larger map recovers.
# Usage: it_store_limits.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

# ---- a second broker on the same directory is refused
broker_start
OTHER_REQ=tcp://127.0.0.1:$("$IT_TOOL" port)
OTHER_EV=tcp://127.0.0.1:$("$IT_TOOL" port)
rc=0
timeout 10 "$BROKER" --data "$DATA" --requests "$OTHER_REQ" \
    --events "$OTHER_EV" 2>"$WORK/second.log" || rc=$?
expect_eq "second broker on the same directory exits" "$rc" 1
expect_rc 0 sj ping # the first one is unharmed
broker_stop

# ---- wrong schema version: refused, clearly, and nothing is touched
"$IT_TOOL" set-schema "$DATA" 99
rc=0
timeout 10 "$BROKER" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
    2>"$WORK/refused.log" || rc=$?
expect_eq "broker on a schema-99 store exits" "$rc" 1
grep -q 'event=store_refused' "$WORK/refused.log" ||
    fail "no store_refused line: $(cat "$WORK/refused.log")"
grep -q 'schema_found=99' "$WORK/refused.log" ||
    fail "no schema_found=99: $(cat "$WORK/refused.log")"
grep -q 'event=started' "$WORK/refused.log" && fail "it started anyway"
"$IT_TOOL" set-schema "$DATA" 1
broker_start # the store itself was not harmed by the refusal
expect_rc 0 sj --json whoami
broker_stop

# ---- a full map: RESOURCE_EXHAUSTED, reads keep working, grow to recover
DATA=$WORK/small
broker_start --map-size 1 --map-max 1 --rate 0 --max-open-wishes 0
sj member add --role resident --name "Big Wisher" --contact 130-6666 \
    --key-out "$WORK/res.key" >/dev/null
res() { sj --key "$WORK/res.key" "$@"; }
DETAILS=$(head -c 1900 /dev/zero | tr '\0' 'x')
posted=0
refused=0
# post_one: one big wish; counts it as posted or (RESOURCE_EXHAUSTED
# only, exit 1) refused.
post_one() {
    local rc=0
    res wish post "A big wish" --details "$DETAILS" >/dev/null \
        2>"$WORK/post.err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        posted=$((posted + 1))
        return 0
    fi
    expect_eq "exit status of a post into a full map" "$rc" 1
    grep -q RESOURCE_EXHAUSTED "$WORK/post.err" ||
        fail "a failed post did not say RESOURCE_EXHAUSTED: $(cat "$WORK/post.err")"
    refused=$((refused + 1))
}
for _ in $(seq 1 3000); do
    post_one
    [ "$refused" -eq 0 ] || break
done
[ "$refused" -gt 0 ] || fail "3000 big wishes fit in a 1 MiB map"
[ "$posted" -gt 0 ] || fail "not a single wish fit"
# Near the limit LMDB may still find a freed page now and then; keep
# pushing until it is refused again several times.
for _ in $(seq 1 40); do
    post_one
done
[ "$refused" -ge 5 ] || fail "only $refused refusals: not full"
grep -qi "full" "$BROKER_LOG" || fail "no log line about the full map (posted $posted, refused $refused)"

# Reads and writes arriving together (one batch or several): every read
# is answered, every write is OK or RESOURCE_EXHAUSTED.
PIDS=()
for i in $(seq 1 6); do
    res wish post "Burst" --details "$DETAILS" >"$WORK/burst_w$i.out" \
        2>"$WORK/burst_w$i.err" &
    PIDS+=($!)
    res --json wish show 1 >"$WORK/burst_r$i.out" 2>&1 &
    PIDS+=($!)
done
rcs=()
for p in "${PIDS[@]}"; do
    rc=0
    wait "$p" || rc=$?
    rcs+=("$rc")
done
for i in $(seq 1 6); do
    wrc=${rcs[$(((i - 1) * 2))]} rrc=${rcs[$(((i - 1) * 2 + 1))]}
    expect_eq "read $i during a full map" "$rrc" 0
    expect_eq "read $i title" "$(jq -r .title "$WORK/burst_r$i.out")" \
        "A big wish"
    if [ "$wrc" -eq 0 ]; then
        posted=$((posted + 1))
    else
        expect_eq "burst write $i status" "$wrc" 1
        grep -q RESOURCE_EXHAUSTED "$WORK/burst_w$i.err" ||
            fail "burst write $i: $(cat "$WORK/burst_w$i.err")"
    fi
done

# Full, but still serving reads; nothing half-applied.
expect_rc 0 sj --json ping
expect_eq "events = 1 member + posted wishes" \
    "$(jq -r '.last_seq // 0' <<<"$OUT")" $((posted + 1))
count=0
after=
while :; do
    expect_rc 0 sj --json wish list --limit 500 ${after:+--after "$after"}
    count=$((count + $(jq '.items | length' <<<"$OUT")))
    after=$(jq -r .next <<<"$OUT")
    [ "$after" != null ] || break
done
expect_eq "wishes stored" "$count" "$posted"
expect_rc 0 res --json wish show 1
expect_eq "first wish intact" "$(jq -r .title <<<"$OUT")" "A big wish"
expect_rc 0 sj --json member list
expect_rc 0 sj --json watch --from 1 --count 1
kill -0 "$BROKER_PID" || fail "the broker died on a full map"
grep -Eq 'level=warn event=store_(reserved|full) ' "$BROKER_LOG" ||
    fail "no store_reserved / store_full line"
broker_stop

# Started again on the nearly full map, it warns at once (the map's use is
# looked at on start, then every 10 s) from 80%, before writes fail.
: >"$BROKER_LOG"
broker_start --map-size 1 --map-max 1 --rate 0 --max-open-wishes 0
grep -Eq 'level=warn event=map_use_high percent=(8[0-9]|9[0-9]|100) ' \
    "$BROKER_LOG" || fail "no map_use_high warning: $(cat "$BROKER_LOG")"
broker_stop

# The operator grows the map: writes work again, nothing was lost.
broker_start --map-size 64 --rate 0 --max-open-wishes 0
expect_rc 0 res --json wish post "After growing the map" --details "$DETAILS"
expect_eq "next wish id" "$(jq -r .id <<<"$OUT")" $((posted + 1))
expect_rc 0 sj --json ping
expect_eq "events after growing" "$(jq -r .last_seq <<<"$OUT")" $((posted + 2))
broker_stop
echo "it_store_limits: ok ($posted wishes fit, $refused refused)"
