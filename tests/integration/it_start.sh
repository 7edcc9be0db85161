#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: the broker's start-up rails (issue 15). A start on an
# uninitialised directory refuses, names the init command and creates
# nothing; `init` makes the community once and never again over it (nor
# over its keys); `init --monitor` adds a statistics-only key. A data
# directory it cannot write is reported as a permission problem, not as "another broker
# is serving"; --public-url is validated and the example default is warned
# about; SIGHUP does not stop the broker.
# Usage: it_start.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

run_broker() { # run_broker LOG [init] [flags...]: exit status of a failing run
    local log=$1 rc=0 init=()
    shift
    [ "${1:-}" = init ] && init=(init) && shift
    timeout 10 "$BROKER" "${init[@]}" --requests "$REQ_EP" --events "$EV_EP" "$@" \
        2>"$log" || rc=$?
    echo "$rc"
}

# ---- initialising is explicit: a start on a missing or empty directory
# refuses, says how to initialise, and leaves nothing behind
rc=$(run_broker "$WORK/none.log" --data "$WORK/none")
expect_eq "start on a missing directory exits" "$rc" 1
grep -q "event=datadir_uninitialised dir=$WORK/none .*run: shangju-broker init --data $WORK/none" \
    "$WORK/none.log" || fail "no init hint: $(cat "$WORK/none.log")"
[ -e "$WORK/none" ] && fail "a refused start made the directory"
mkdir "$WORK/empty"
rc=$(run_broker "$WORK/empty.log" --data "$WORK/empty")
expect_eq "start on an empty directory exits" "$rc" 1
grep -q 'event=datadir_uninitialised' "$WORK/empty.log" || fail "no refusal"
[ -z "$(ls -A "$WORK/empty")" ] || fail "a refused start wrote: $(ls -A "$WORK/empty")"

# init, then start; a second init refuses and keeps every key
"$BROKER" init --data "$DATA" --monitor >"$WORK/init.out" 2>>"$BROKER_LOG" ||
    fail "init failed: $(cat "$BROKER_LOG")"
grep -q "$DATA/committee.key" "$WORK/init.out" || fail "init names no key"
for f in server.key server.pub committee.key monitor.key notice.key; do
    [ -s "$DATA/$f" ] || fail "init wrote no $f"
done
sums=$(cat "$DATA"/*.key "$DATA"/*.pub | md5sum)
rc=$(run_broker "$WORK/again.log" init --data "$DATA")
expect_eq "init on an initialised directory exits" "$rc" 1
grep -q 'event=init_refused' "$WORK/again.log" || fail "no init_refused line"
expect_eq "keys kept" "$(cat "$DATA"/*.key "$DATA"/*.pub | md5sum)" "$sums"
# keys alone (a store lost or not yet restored) are not overwritten either
mkdir "$WORK/keys" && cp "$DATA/committee.key" "$WORK/keys/"
rc=$(run_broker "$WORK/keys.log" init --data "$WORK/keys")
expect_eq "init beside a committee.key exits" "$rc" 1
cmp -s "$DATA/committee.key" "$WORK/keys/committee.key" || fail "key overwritten"
expect_eq "a refused init made" "$(ls -A "$WORK/keys")" committee.key

# the monitor key reads statistics and nothing else
broker_start --public-url http://192.168.1.20:8080
expect_rc 0 sj --key "$DATA/monitor.key" admin stats
expect_rc 0 sj whoami
sj --key "$DATA/monitor.key" wish list >/dev/null 2>&1 &&
    fail "the monitor read the wishes"
broker_stop
: >"$BROKER_LOG"

# ---- a lock file that cannot be opened is not "another broker"
mkdir -p "$WORK/odd/broker.lock" # a directory where the lock file goes
rc=$(run_broker "$WORK/odd.log" init --data "$WORK/odd")
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
