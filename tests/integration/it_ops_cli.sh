#!/usr/bin/env bash
# Integration (issue 15): what an operator meets. The monitor role reads the
# statistics and nothing else; `admin stats` readable and as Prometheus
# text; shangju-metrics scraped over HTTP with the monitor key and parsed
# by prometheus_client's parser, its values matching `admin stats`; the
# debug access line; dates typed in the community's zone (impossible ones
# refused) and times printed with their offset.
# Usage: it_ops_cli.sh BROKER CLI IT_TOOL   (SJ_METRICS_BIN: shangju-metrics)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
METRICS=${SJ_METRICS_BIN:?set SJ_METRICS_BIN to shangju-metrics}
PY=/usr/bin/python3

broker_start --log-level debug --time-zone Asia/Shanghai
sj member add --role monitor --name "Prometheus" --key-out "$WORK/mon.key" \
    >/dev/null
sj member add --role resident --name "Auntie Wang" --community Jinqiao \
    --key-out "$WORK/wang.key" >/dev/null
for i in 1 2 3; do
    sj --key "$WORK/wang.key" wish post "wish $i" >/dev/null
done

# ---- the monitor: stats yes, everything else no
expect_rc 0 sj --key "$WORK/mon.key" admin stats
grep -q "MiB of" <<<"$OUT" || fail "stats not readable: $OUT"
grep -q "time zone *Asia/Shanghai" <<<"$OUT" || fail "no time zone: $OUT"
# issue 13's figures an operator watches: the map's ceiling, what the
# reader threads answered, refusals for rate, placards from the cache
grep -qE "MiB of [0-9.]+ MiB \([0-9]+%\), grows to [0-9.]+ MiB" <<<"$OUT" ||
    fail "no map ceiling: $OUT"
for label in "requests applied" "reads by reader threads" \
    "refused for rate" "placards from the cache"; do
    grep -qE "^$label +[0-9]+$" <<<"$OUT" || fail "no '$label': $OUT"
done
for cmd in "wish list" "whoami" "member list" "admin backup x" "report"; do
    # shellcheck disable=SC2086 # the command's words
    expect_rc 1 sj --key "$WORK/mon.key" $cmd
    grep -q PERMISSION_DENIED <<<"$ERR" || fail "monitor ran '$cmd': $ERR"
done

# ---- the debug access line: member, kind, status, milliseconds
grep -q 'event=access member=[0-9]* kind=wish_post status=OK request_id=[0-9]* ms=[0-9]*' \
    "$BROKER_LOG" || fail "no access line for wish_post"
grep -q 'kind=wish_list status=PERMISSION_DENIED' "$BROKER_LOG" ||
    fail "no access line for the monitor's refusal"
grep -q 'ts=[0-9-]*T[0-9:.]*+08:00 ' "$BROKER_LOG" ||
    fail "log times without the community's offset"

# ---- a refused key is counted
"$IT_TOOL" keygen "$WORK/stranger.key" >/dev/null
SJ_TIMEOUT=300 expect_rc 3 sj --key "$WORK/stranger.key" ping
# ... and the CLI says why, naming the endpoint and the key
grep -q "refused the key $WORK/stranger.key" <<<"$ERR" ||
    fail "unregistered key not named: $ERR"
grep -q "$REQ_EP" <<<"$ERR" || fail "endpoint not named: $ERR"
# a server key of another broker: the handshake fails
"$IT_TOOL" keygen "$WORK/other.key" >/dev/null
SJ_TIMEOUT=300 expect_rc 3 sj --server-key "$WORK/other.key" ping
grep -q "handshake with $REQ_EP failed.*$WORK/other.key" <<<"$ERR" ||
    fail "wrong server key not named: $ERR"

# ---- Prometheus text from the CLI, and a textfile written whole
expect_rc 0 sj --key "$WORK/mon.key" admin stats --format prometheus \
    -o "$WORK/shangju.prom"
[ -s "$WORK/shangju.prom" ] || fail "no textfile"
ls "$WORK"/shangju.prom.tmp.* 2>/dev/null && fail "temporary file left"

# ---- shangju-metrics over HTTP with the monitor key
MPORT=$("$IT_TOOL" port)
"$METRICS" --listen "127.0.0.1:$MPORT" --data "$DATA" --key "$WORK/mon.key" \
    --requests "$REQ_EP" 2>>"$WORK/metrics.log" &
BG_PIDS+=($!)
scrape() {
    "$PY" - "http://127.0.0.1:$MPORT$1" <<'PYEOF'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    sys.stdout.write(str(r.status) + "\n" + r.headers.get("Content-Type", "")
                     + "\n" + r.read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(str(e.code) + "\n")
PYEOF
}
for _ in $(seq 50); do
    BODY=$(scrape /metrics 2>/dev/null) && break
    sleep 0.1
done
[ "$(head -1 <<<"$BODY")" = 200 ] || fail "scrape: $BODY"
sed -n 2p <<<"$BODY" | grep -q "text/plain; version=0.0.4" ||
    fail "content type: $(sed -n 2p <<<"$BODY")"
[ "$(scrape /nope | head -1)" = 404 ] || fail "/nope was not 404"
expect_rc 0 sj --json admin stats
STATS=$OUT
tail -n +3 <<<"$BODY" >"$WORK/scraped.prom"
"$PY" - "$WORK/scraped.prom" "$WORK/shangju.prom" <<PYEOF
import json, sys
from prometheus_client.parser import text_string_to_metric_families as parse
stats = json.loads('''$STATS''')
def load(path):
    out = {}
    for fam in parse(open(path, encoding="utf-8").read()):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out
for path in sys.argv[1:]:
    m = load(path)
    def v(name, **labels):
        return m[(name, tuple(sorted(labels.items())))]
    for name, key in [("shangju_members", "members"),
                      ("shangju_wishes", "wishes"),
                      ("shangju_map_size_bytes", "map_size"),
                      ("shangju_map_max_bytes", "map_max")]:
        assert v(name) == int(stats[key]), (path, name, v(name), stats[key])
    # counters (the files were written at other moments than STATS): there,
    # zero or more; the posts and the reads so far counted
    for name in ["shangju_rate_limited_total",
                 "shangju_placard_cache_hits_total"]:
        assert v(name) >= 0, (path, name)
    assert v("shangju_requests_applied_total") >= 3, path
    assert v("shangju_reads_offloaded_total") >= 1, path
    assert v("shangju_info", version=stats["version"],
             time_zone="Asia/Shanghai") == 1, path
    assert v("shangju_requests_total", kind="wish_post", status="OK") == 3, path
    assert v("shangju_requests_total", kind="wish_list",
             status="PERMISSION_DENIED") >= 1, path
    assert 0 < v("shangju_map_used_bytes") <= v("shangju_map_size_bytes")
    assert v("shangju_connections") >= 1, path
    assert v("shangju_start_time_seconds") > 1.7e9, path
    assert v("shangju_auth_failures_total") >= 1, path
    # counters at zero are exposed too, so alerts need no "absent" rule
    assert v("shangju_connections_refused_total") == 0, path
    assert v("shangju_connections_silent_closed_total") >= 0, path
print("prometheus ok")
PYEOF

# ---- the broker away: 503, not stale numbers; the CLI says nothing
# listens there, within 5 s
broker_stop
[ "$(scrape /metrics | head -1)" = 503 ] || fail "no 503 with the broker away"
# its log lines carry the community's time with its offset, like the broker's
grep -q 'event=scrape_failed' "$WORK/metrics.log" || fail "no scrape_failed"
grep -v '^ts=[0-9-]*T[0-9:.]*+08:00 level=' "$WORK/metrics.log" |
    grep 'level=' && fail "metrics log lines not in +08:00"
T0=$(date +%s%N)
SJ_TIMEOUT=500 expect_rc 3 sj ping
T1=$(date +%s%N)
[ $(((T1 - T0) / 1000000)) -lt 5000 ] || fail "stopped broker: $(((T1 - T0) / 1000000)) ms"
grep -q "nothing is listening at $REQ_EP" <<<"$ERR" ||
    fail "stopped broker not named: $ERR"
broker_start --time-zone Asia/Shanghai

# ---- dates in the community's zone; impossible dates refused
expect_rc 2 sj compact draft "Spring" --from 2027-02-30 --to 2027-03-30 \
    --party 1
grep -q "real date" <<<"$ERR" || fail "2027-02-30 not refused clearly: $ERR"
expect_rc 2 sj --time-zone Mars/Base ping
ID=$(sj --json --key "$WORK/wang.key" wish post "tz" | jq -r .id)
expect_rc 0 sj --time-zone Asia/Shanghai wish show "$ID"
grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+08:00' <<<"$OUT" ||
    fail "a time without its zone: $OUT"
expect_rc 0 sj --time-zone UTC wish show "$ID"
grep -Eq '[0-9:]{8} \+00:00' <<<"$OUT" || fail "UTC not shown: $OUT"
echo "it_ops_cli: ok"
