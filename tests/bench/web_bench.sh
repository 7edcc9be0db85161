#!/usr/bin/env bash
# web_bench.sh: the public web front's benchmark (issue 10, acceptance 5).
# A real broker (with the demo community) and a real shangju-web on
# loopback; wrk with C connections on a merchant's page /m/ID prints
# pages/s and the latency percentiles, and shangju-bench posts wishes at a
# steady rate, once alone and once while wrk runs, for the broker's posting
# p99 with and without web load and their ratio. Prints figures; it fails
# only when something does not work (errors, non-200 pages, no postings),
# never over a figure. Targets (2-core machine): >= 5,000 pages/s, p99
# < 20 ms, the posting p99 unchanged beyond noise.
#
# Usage: web_bench.sh BUILD_DIR [--seconds S] [--connections C]
#        [--threads T] [--rate R] [--quick]
#   BUILD_DIR      the CMake build (broker, CLI, it_tool, shangju-web,
#                  shangju-bench)
#   --seconds S    each measured phase (default 10)
#   --connections  wrk connections (default 64)
#   --threads T    wrk threads (default 2)
#   --rate R       wish postings per second while measuring (default 100)
#   --quick        1-second phases: checks that it works
set -euo pipefail
BUILD=$(cd "${1:?usage: $0 BUILD_DIR [options]}" && pwd)
shift
SECS=10 CONNS=64 THREADS=2 RATE=100
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) SECS=$2 && shift ;;
    --connections) CONNS=$2 && shift ;;
    --threads) THREADS=$2 && shift ;;
    --rate) RATE=$2 && shift ;;
    --quick) SECS=1 RATE=50 ;;
    *) echo "web_bench: unknown option $1" >&2 && exit 2 ;;
    esac
    shift
done
command -v wrk >/dev/null || { echo "web_bench: wrk is required (apt install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "web_bench: curl is required" >&2; exit 1; }
WEB=$BUILD/clients/shangju-web
BENCH=$BUILD/tests/shangju-bench
# shellcheck source=tests/integration/it_common.sh
source "$(dirname "$0")/../integration/it_common.sh" \
    "$BUILD/broker/shangju-broker" "$BUILD/clients/shangju" \
    "$BUILD/tests/it_tool"

broker_start --demo --log-level warn
PORT=$("$IT_TOOL" port)
URL=http://127.0.0.1:$PORT
MER=$(sj --json merchant list | jq -r '.items[0].merchant_id')
case $MER in "" | null) fail "no demo merchant" ;; esac
# --per-ip 0: all of wrk's connections come from one address.
"$WEB" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
    --listen "127.0.0.1:$PORT" --per-ip 0 2>"$WORK/web.log" &
BG_PIDS+=($!)
for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/m/$MER" || true)
    [ "$code" = 200 ] && break
    sleep 0.1
done
[ "$code" = 200 ] || fail "GET /m/$MER answered $code"
# The access log costs a write per page; it stays on (it is the product's).

# posting_p99 OUT: wish postings at $RATE/s for $SECS s; the bench's line.
posting() {
    "$BENCH" --server-requests "$REQ_EP" --server-key "$DATA/server.pub" \
        --committee-key "$DATA/committee.key" --no-redis --clients 4 \
        --rate "$RATE" --seconds "$SECS" --warmup 0.5 >"$1" 2>&1 ||
        { cat "$1" >&2; fail "shangju-bench failed"; }
    grep -q 'errors=0 ' "$1" || { cat "$1" >&2; fail "postings had errors"; }
}
field() { sed -n "s/.* $2=\\([0-9.]*\\)ms.*/\\1/p" "$1" | tail -n1; }
# to_ms VALUE: wrk's 812.00us / 1.23ms / 1.01s in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}
pages() {
    wrk -t "$THREADS" -c "$CONNS" -d "${SECS}s" --latency \
        -H 'Accept-Language: zh-CN' "$URL/m/$MER" >"$1" 2>&1 ||
        { cat "$1" >&2; fail "wrk failed"; }
    if grep -q 'Non-2xx' "$1"; then cat "$1" >&2; fail "pages other than 200"; fi
    # (timeouts are figures, not failures: wrk's limit is 2 s)
    if grep -Eq 'Socket errors:.*(connect|read|write) [1-9]' "$1"; then
        cat "$1" >&2
        fail "socket errors"
    fi
}
wrk_rps() { awk '/^Requests\/sec:/ { printf "%d", $2 }' "$1"; }
wrk_timeouts() { sed -n 's/.*timeout \([0-9]*\).*/ (\1 timed out)/p' "$1"; }
wrk_pct() { to_ms "$(awk -v p="$2%" '$1 == p { print $2 }' "$1")"; }

echo "web_bench: /m/$MER on $URL; wrk -t$THREADS -c$CONNS, ${SECS} s per phase;" \
    "postings at $RATE/s by 4 clients"
posting "$WORK/post-alone"
pages "$WORK/pages-alone"
pages "$WORK/pages-loaded" &
wrk_pid=$!
posting "$WORK/post-loaded"
wait "$wrk_pid" || fail "wrk under posting load failed"

P_ALONE=$(field "$WORK/post-alone" p99)
P_LOADED=$(field "$WORK/post-loaded" p99)
printf 'web_bench: pages alone:        %6s pages/s  p50 %6s ms  p99 %6s ms%s\n' \
    "$(wrk_rps "$WORK/pages-alone")" "$(wrk_pct "$WORK/pages-alone" 50)" \
    "$(wrk_pct "$WORK/pages-alone" 99)" "$(wrk_timeouts "$WORK/pages-alone")"
printf 'web_bench: pages + postings:   %6s pages/s  p50 %6s ms  p99 %6s ms%s\n' \
    "$(wrk_rps "$WORK/pages-loaded")" "$(wrk_pct "$WORK/pages-loaded" 50)" \
    "$(wrk_pct "$WORK/pages-loaded" 99)" "$(wrk_timeouts "$WORK/pages-loaded")"
printf 'web_bench: posting p50 %s ms alone, %s ms under web load\n' \
    "$(field "$WORK/post-alone" p50)" "$(field "$WORK/post-loaded" p50)"
printf 'web_bench: posting p99 %s ms alone, %s ms under web load: ratio %s\n' \
    "$P_ALONE" "$P_LOADED" \
    "$(awk -v a="$P_ALONE" -v b="$P_LOADED" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')"
hits=$(grep -c 'cache=hit' "$WORK/web.log" || true)
all=$(grep -c 'event=http' "$WORK/web.log" || true)
echo "web_bench: $all pages served, $hits from the cache"
