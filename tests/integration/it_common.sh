# Shared helpers of the bash integration tests (sourced, not run): a real
# shangju-broker on free loopback ports in a temporary directory, killed and
# removed on any exit, and wrappers around the `shangju` CLI.
# Usage: source it_common.sh BROKER_BIN CLI_BIN IT_TOOL_BIN
# shellcheck shell=bash

BROKER=${1:?usage: $0 BROKER CLI IT_TOOL}
CLI=${2:?usage: $0 BROKER CLI IT_TOOL}
IT_TOOL=${3:?usage: $0 BROKER CLI IT_TOOL}
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sj-it-sh.XXXXXX")
DATA=$WORK/data
BROKER_LOG=$WORK/broker.log
BROKER_PID=
BG_PIDS=()
REQ_EP=tcp://127.0.0.1:$("$IT_TOOL" port)
EV_EP=tcp://127.0.0.1:$("$IT_TOOL" port)
while [ "$EV_EP" = "$REQ_EP" ]; do
    EV_EP=tcp://127.0.0.1:$("$IT_TOOL" port)
done

cleanup() {
    local rc=$?
    for p in "${BG_PIDS[@]}" $BROKER_PID; do
        kill -KILL "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ "$rc" -ne 0 ] && [ -f "$BROKER_LOG" ]; then
        echo "---- broker log ----" >&2
        tail -n 40 "$BROKER_LOG" >&2
    fi
    [ -n "${IT_KEEP:-}" ] || rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# sj [CLI args...]: the CLI against this broker (committee key by default).
sj() {
    "$CLI" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
        --timeout "${SJ_TIMEOUT:-3000}" "$@"
}

# broker_init [extra broker args...]: `shangju-broker init` on $DATA when it
# holds no store yet (a start refuses an uninitialised directory).
broker_init() {
    [ -e "$DATA/data.mdb" ] && return 0
    "$BROKER" init --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
        "$@" >/dev/null 2>>"$BROKER_LOG" || fail "shangju-broker init failed"
}

# broker_start [extra broker args...]: start (after broker_init) and wait
# until a ping answers.
broker_start() {
    broker_init "$@"
    "$BROKER" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" "$@" \
        2>>"$BROKER_LOG" &
    BROKER_PID=$!
    local _
    for _ in $(seq 1 100); do
        if [ -f "$DATA/committee.key" ] &&
            SJ_TIMEOUT=300 sj ping >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$BROKER_PID" 2>/dev/null ||
            fail "broker exited before it was ready"
        sleep 0.1
    done
    fail "broker not ready after 10 s"
}

# broker_stop: SIGTERM, wait, and require a clean exit (status 0).
broker_stop() {
    local rc=0
    kill -TERM "$BROKER_PID"
    wait "$BROKER_PID" || rc=$?
    BROKER_PID=
    [ "$rc" -eq 0 ] || fail "broker exited with $rc after SIGTERM"
}

# expect_rc WANT CMD...: run CMD, require exit status WANT; stdout kept in
# $OUT and stderr in $ERR.
expect_rc() {
    local want=$1 rc=0
    shift
    # shellcheck disable=SC2034 # OUT and ERR are read by the callers
    OUT=$("$@" 2>"$WORK/stderr") || rc=$?
    ERR=$(cat "$WORK/stderr")
    [ "$rc" -eq "$want" ] ||
        fail "'$*' exited $rc, expected $want (stderr: $ERR)"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# last_seq: the broker's newest event seq (0 when there is none).
last_seq() {
    sj --json ping | jq -r '.last_seq // 0'
}
