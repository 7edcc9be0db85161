#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration: key files are checked where they are read (issue 9 finding
# 8). A server.pub that does not match server.key stops the broker's start
# with a line naming the file; the CLI refuses a secret key others may
# read, a key file whose halves do not match, and a FIFO (at once, instead
# of hanging), each with its own message.
# Usage: it_keys.sh BROKER CLI IT_TOOL
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"

broker_start
expect_rc 0 sj ping
broker_stop

# ---- a server.pub of another key: the start stops, naming the file
cp "$DATA/server.pub" "$WORK/server.pub.good"
"$IT_TOOL" keygen "$WORK/other.key" >/dev/null 2>&1 ||
    fail "keygen failed"
grep -v 'secret-key' "$WORK/other.key" >"$DATA/server.pub"
rc=0
timeout 10 "$BROKER" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
    2>"$WORK/mismatch.log" || rc=$?
expect_eq "broker with a foreign server.pub exits" "$rc" 1
grep -q 'event=bad_key file=.*server.pub' "$WORK/mismatch.log" ||
    fail "no bad_key line for server.pub: $(cat "$WORK/mismatch.log")"
grep -q 'event=started' "$WORK/mismatch.log" && fail "it started anyway"
cp "$WORK/server.pub.good" "$DATA/server.pub"
broker_start

# ---- a secret key readable by others is refused, like ssh does
chmod 0644 "$DATA/committee.key"
expect_rc 4 sj ping
grep -q 'readable by other users' <<<"$ERR" || fail "loose mode: $ERR"
chmod 0600 "$DATA/committee.key"
expect_rc 0 sj ping

# ---- a key file whose public half is another key's
# (awk, not sed: Z85 text may hold & and |)
awk 'NR == FNR { if ($1 == "public-key") pub = $0; next }
     $1 == "public-key" { print pub; next } { print }' \
    "$WORK/other.key" "$DATA/committee.key" >"$WORK/mixed.key"
chmod 0600 "$WORK/mixed.key"
expect_rc 4 sj --key "$WORK/mixed.key" ping
grep -q 'do not belong together' <<<"$ERR" || fail "mixed halves: $ERR"

# ---- a FIFO as --key: refused at once, not a hang
mkfifo "$WORK/fifo.key"
rc=0
timeout 5 "$CLI" --data "$DATA" --requests "$REQ_EP" --events "$EV_EP" \
    --key "$WORK/fifo.key" ping 2>"$WORK/fifo.err" || rc=$?
[ "$rc" -ne 124 ] || fail "the CLI hung on a FIFO"
expect_eq "CLI exit on a FIFO key" "$rc" 4
grep -q 'not a regular file' "$WORK/fifo.err" || fail "FIFO: $(cat "$WORK/fifo.err")"
broker_stop
echo "it_keys: ok"
