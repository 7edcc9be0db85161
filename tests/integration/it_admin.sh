#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: operations with real brokers. A hot backup taken under write
# load restores (as a data directory) to a store that `admin verify` finds
# sound and that holds every posting acknowledged before the backup began;
# a rotated key: the old key is refused, the new one works, history intact;
# `admin stats` reports the counts.
# Usage: it_admin.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_init --monitor # a monitor key too, as a container's init makes
broker_start --max-open-wishes 0 --rate 0
sj member add --role resident --name "Auntie Wang" --contact 138-1111 \
    --community Jinqiao --building "Building 3" \
    --key-out "$WORK/wang.key" >/dev/null
WANG=$(sj --json --key "$WORK/wang.key" whoami | jq -r .id)
sj member add --role merchant --name Bakery --key-out "$WORK/bakery.key" \
    >/dev/null

# ---- write load: three posters, each recording what was acknowledged
poster() { # poster N: post until $WORK/stop exists
    local i=0
    while [ ! -e "$WORK/stop" ] && [ "$i" -lt 2000 ]; do
        i=$((i + 1))
        if sj --key "$WORK/wang.key" wish post "load-$1-$i" >/dev/null \
            2>>"$WORK/poster.err"; then
            echo "load-$1-$i" >>"$WORK/acked.$1"
        fi
    done
}
for n in 1 2 3; do
    poster "$n" &
    BG_PIDS+=($!)
done
# Wait for real load (a slow, shared CI machine may need longer than a
# fast one), then back up while the posters keep going.
for _ in $(seq 600); do
    [ "$(cat "$WORK"/acked.* 2>/dev/null | wc -l)" -ge 30 ] && break
    sleep 0.1
done
# Everything acknowledged so far must be in the backup.
cat "$WORK"/acked.* | sort >"$WORK/before"
expect_rc 0 sj --json admin backup under-load
expect_eq "backup path" "$(jq -r .path <<<"$OUT")" "$DATA/backups/under-load"
[ "$(jq -r .bytes <<<"$OUT")" -gt 0 ] || fail "empty backup: $OUT"
# A backup holds every contact and hand-over code: only the broker's user
# may read it (issue 9 finding 7), whatever the umask.
expect_eq "backups directory mode" "$(stat -c %a "$DATA/backups")" 700
expect_eq "backup directory mode" "$(stat -c %a "$DATA/backups/under-load")" 700
# every key a restored broker needs, the health check's monitor key too
for f in server.key server.pub committee.key monitor.key notice.key; do
    [ -s "$DATA/backups/under-load/$f" ] || fail "the backup lacks $f"
done
for f in "$DATA"/backups/under-load/*; do
    expect_eq "mode of $(basename "$f")" "$(stat -c %a "$f")" 600
done
sleep 1
touch "$WORK/stop"
wait "${BG_PIDS[@]}"
BG_PIDS=()
before=$(wc -l <"$WORK/before")
[ "$before" -ge 20 ] || fail "too little load before the backup ($before)"
expect_rc 1 sj admin backup under-load # names are never reused
grep -q ALREADY_EXISTS <<<"$ERR" || fail "reused backup name: $ERR"
expect_rc 1 sj admin backup ../escape
grep -q INVALID_ARGUMENT <<<"$ERR" || fail "path escape accepted: $ERR"
expect_rc 0 sj admin verify # the live store is sound too

# ---- restore: the backup directory is a data directory
LIVE_DATA=$DATA
LIVE_PID=$BROKER_PID
DATA=$WORK/restored
cp -a "$LIVE_DATA/backups/under-load" "$DATA"
REQ_LIVE=$REQ_EP
EV_LIVE=$EV_EP
REQ_EP=tcp://127.0.0.1:$("$IT_TOOL" port)
EV_EP=tcp://127.0.0.1:$("$IT_TOOL" port)
broker_start --max-open-wishes 0 --rate 0
expect_rc 0 sj --json admin verify
expect_eq "restored store is sound" "$(jq -r .ok <<<"$OUT")" true
expect_rc 0 sj --key "$DATA/monitor.key" admin stats # the health check's
# Every title in the restored store, paging through all wishes.
: >"$WORK/restored.titles"
after=0
while :; do
    page=$(sj --json wish list --limit 500 --after "$after")
    jq -r '.items[].title' <<<"$page" >>"$WORK/restored.titles"
    after=$(jq -r '.next // 0' <<<"$page")
    [ "$after" != 0 ] || break
done
sort "$WORK/restored.titles" >"$WORK/restored.sorted"
dups=$(uniq -d "$WORK/restored.sorted" | wc -l)
expect_eq "titles stored twice in the restored store" "$dups" 0
missing=$(comm -23 "$WORK/before" "$WORK/restored.sorted" | wc -l)
expect_eq "acknowledged before the backup but missing from it" "$missing" 0
broker_stop
DATA=$LIVE_DATA
BROKER_PID=$LIVE_PID
REQ_EP=$REQ_LIVE
EV_EP=$EV_LIVE

# ---- key rotation: old key out, new key in, history intact
mine_before=$(sj --json --key "$WORK/wang.key" wish list --mine --limit 500 |
    jq '.items | length')
expect_rc 0 sj --json member rekey "$WANG" --key-out "$WORK/wang2.key"
expect_eq "rekeyed member" "$(jq -r .id <<<"$OUT")" "$WANG"
SJ_TIMEOUT=300 expect_rc 3 sj --key "$WORK/wang.key" whoami
expect_rc 0 sj --json --key "$WORK/wang2.key" whoami
expect_eq "new key is the same member" "$(jq -r .id <<<"$OUT")" "$WANG"
mine_after=$(sj --json --key "$WORK/wang2.key" wish list --mine --limit 500 |
    jq '.items | length')
expect_eq "wishes of the rekeyed member" "$mine_after" "$mine_before"
expect_rc 0 sj --key "$WORK/wang2.key" wish post "after rekey"
# A member may rotate their own key, but not someone else's.
expect_rc 0 sj --key "$WORK/wang2.key" member rekey "$WANG" \
    --key-out "$WORK/wang3.key"
expect_rc 1 sj --key "$WORK/bakery.key" member rekey "$WANG" \
    --key-out "$WORK/nope.key"
grep -q PERMISSION_DENIED <<<"$ERR" || fail "merchant rekeyed a resident: $ERR"
[ ! -e "$WORK/nope.key" ] || fail "refused rekey left its key file behind"

# ---- stats
expect_rc 0 sj --json admin stats
[ "$(jq -r .wishes <<<"$OUT")" -ge "$before" ] || fail "stats: $OUT"
[ "$(jq -r .batches <<<"$OUT")" -gt 0 ] || fail "stats: $OUT"
[ "$(jq -r .map_used <<<"$OUT")" -gt 0 ] || fail "stats: $OUT"
expect_rc 1 sj --key "$WORK/bakery.key" admin stats
broker_stop
echo "it_admin: backed up under load with $before acknowledged postings," \
    "restored, verified; key rotated"
