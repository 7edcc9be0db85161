#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: the broker's start-up rails (issue 15). A data directory it
# cannot write is reported as a permission problem, not as "another broker
# is serving"; --public-url is validated and the example default is warned
# about; SIGHUP does not stop the broker.
# Usage: it_start.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

run_broker() { # run_broker LOG [flags...]: exit status of a start that fails
    local log=$1 rc=0
    shift
    timeout 10 "$BROKER" --requests "$REQ_EP" --events "$EV_EP" "$@" \
        2>"$log" || rc=$?
    echo "$rc"
}

# ---- a lock file that cannot be opened is not "another broker"
mkdir -p "$WORK/odd/broker.lock" # a directory where the lock file goes
rc=$(run_broker "$WORK/odd.log" --data "$WORK/odd")
expect_eq "start on an unwritable lock exits" "$rc" 1
grep -q 'event=datadir_failed' "$WORK/odd.log" ||
    fail "no datadir_failed line: $(cat "$WORK/odd.log")"
grep -q 'another broker' "$WORK/odd.log" && fail "misreported as locked"

# ---- and a directory owned by someone else, for real, when we can drop
# privileges (CI runs as root, which permissions do not stop)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod 0711 "$WORK" # nobody may pass through to rootonly
    mkdir -m 0700 "$WORK/rootonly"
    for d in "$WORK/above" "$WORK/above/x"; do mkdir -m 0700 "$d"; done
    rc=0
    timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$BROKER" --data "$WORK/rootonly" --requests "$REQ_EP" \
        --events "$EV_EP" 2>"$WORK/perm.log" || rc=$?
    expect_eq "start as another user exits" "$rc" 1
    grep -q 'owner and permissions' "$WORK/perm.log" ||
        fail "permission not named: $(cat "$WORK/perm.log")"
    # a directory it cannot even reach or make
    chmod 0711 "$WORK" # only "above" blocks the way now
    rc=0
    timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$BROKER" --data "$WORK/above/x/new" --requests "$REQ_EP" \
        --events "$EV_EP" 2>"$WORK/perm2.log" || rc=$?
    expect_eq "start under an unreachable parent exits" "$rc" 1
    grep -q 'owner and permissions' "$WORK/perm2.log" ||
        fail "permission not named: $(cat "$WORK/perm2.log")"
fi

# ---- --public-url is checked
for bad in 'javascript:alert(1)' 'https://' 'https://a b' \
    'https://x.org/"><script>' 'ftp://x.org' 'https://x.org/?q=1'; do
    rc=$(run_broker "$WORK/url.log" --data "$DATA" --public-url "$bad")
    expect_eq "public URL '$bad' refused" "$rc" 2
    grep -q 'bad public URL' "$WORK/url.log" || fail "no message for '$bad'"
done

# ---- the example default is warned about; a real one is not
broker_start
grep -q 'event=public_url_default' "$BROKER_LOG" || fail "no warning"
broker_stop
: >"$BROKER_LOG"
broker_start --public-url http://192.168.1.20:8080
grep -q 'event=public_url_default' "$BROKER_LOG" && fail "warned for a real URL"

# ---- systemd's Type=notify: READY=1 once serving, STOPPING=1 on SIGTERM
broker_stop
python3 - "$WORK/notify.sock" >"$WORK/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
got = []
while "STOPPING=1" not in got:
    got += s.recv(4096).decode().split("\n")
print(" ".join(got))
PY
NOTIFY_PID=$!
for _ in $(seq 1 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$WORK/notify.sock broker_start --public-url http://192.168.1.20:8080
broker_stop
wait "$NOTIFY_PID" || fail "the broker did not notify: $(cat "$WORK/notify.out")"
grep -q 'READY=1' "$WORK/notify.out" || fail "no READY=1"
grep -q 'STOPPING=1' "$WORK/notify.out" || fail "no STOPPING=1"
broker_start --public-url http://192.168.1.20:8080

# ---- SIGHUP does not stop it
kill -HUP "$BROKER_PID"
sleep 0.3
kill -0 "$BROKER_PID" 2>/dev/null || fail "SIGHUP killed the broker"
expect_rc 0 sj ping
broker_stop
echo "it_start: ok"
