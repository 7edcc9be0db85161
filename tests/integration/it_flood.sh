#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: a pre-authentication flood (issue 13). Plain TCP connections
# that never start the CURVE handshake take the broker's file descriptors;
# they must be dropped after a short handshake interval, so members are
# served again within seconds (the old 30 s default kept everyone out), and
# the broker raises its own descriptor limit to the hard limit at start.
# Usage: it_flood.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
command -v prlimit >/dev/null || fail "prlimit (util-linux) is required"

broker_start
expect_rc 0 sj ping
port=${REQ_EP##*:}
# ---- a connection that never starts the handshake is dropped in seconds
# (libzmq's default is 30 s: a flood of them held the broker's descriptors
# and kept every member out for that long)
python3 - "$port" <<'PY' || fail "an idle connection was not dropped in time"
import socket, sys, time
t0 = time.monotonic()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
try:
    while s.recv(4096):  # the greeting, then EOF when the broker hangs up
        pass
except (ConnectionResetError, socket.timeout):
    pass
took = time.monotonic() - t0
print(f"an idle pre-handshake connection was dropped after {took:.1f} s")
sys.exit(0 if took < 10 else 1)
PY
# ---- and a flood of them does not keep members out
python3 - "$port" 1000 3 <<'PY' &
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    try:
        socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        pass
time.sleep(hold)
PY
BG_PIDS+=($!)
sleep 1
expect_rc 0 sj ping
broker_stop
wait "${BG_PIDS[@]}" 2>/dev/null || true
BG_PIDS=()

# ---- with room to grow, the broker raises its soft limit at start
: >"$BROKER_LOG"
prlimit --nofile=256:8192 "$BROKER" --data "$DATA" --requests "$REQ_EP" \
    --events "$EV_EP" 2>>"$BROKER_LOG" &
BROKER_PID=$!
for _ in $(seq 1 100); do
    SJ_TIMEOUT=300 sj ping >/dev/null 2>&1 && break
    sleep 0.1
done
expect_rc 0 sj ping
soft=$(prlimit --pid "$BROKER_PID" --nofile --output SOFT --noheadings | tr -d ' ')
expect_eq "the broker's descriptor limit" "$soft" 8192
broker_stop
echo "it_flood: ok"
