#!/usr/bin/env bash
# Issue 13's acceptance tests against the broker before the issue: builds
# the broker of COMMIT (default 6d38483, main just before the reader pool)
# in a throwaway worktree and runs this tree's it_load and it_quota against
# it (SJ_IT_BROKER), dropping the options that broker does not know
# (SJ_IT_DROP_OPTIONS: --rate, --max-open-wishes, --map-max,
# --max-connections, --silent-timeout; without them
# it has no limits, which is what it did) and the `init` step it did not
# have (SJ_IT_NO_INIT). Every case should fail there;
# the figures each case prints are the demonstration
# (docs/ARCHITECTURE.md, "Load", has the table).
#
#   tests/bench/old13.sh BUILD_DIR [COMMIT]
set -euo pipefail
BUILD=$(cd "${1:?usage: old13.sh BUILD_DIR [COMMIT]}" && pwd)
COMMIT=${2:-6d38483}
SRC=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
OLD=$(mktemp -d "${TMPDIR:-/tmp}/sj-old13-XXXXXX")
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    git -C "$SRC" worktree remove --force "$OLD/src" >/dev/null 2>&1 || true
    rm -rf "$OLD"
}
trap cleanup EXIT

git -C "$SRC" worktree add --detach "$OLD/src" "$COMMIT" >/dev/null
cmake -S "$OLD/src" -B "$OLD/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$OLD/cmake.log"
cmake --build "$OLD/build" -j2 --target shangju-broker >"$OLD/build.log"
broker=$(find "$OLD/build" -name shangju-broker -type f -perm -u+x | head -1)
[ -x "$broker" ] || {
    echo "old13: no broker built at $COMMIT" >&2
    exit 2
}

export SJ_IT_BROKER=$broker
export SJ_IT_DROP_OPTIONS=--rate,--max-open-wishes,--map-max,--max-connections,--silent-timeout
export SJ_IT_NO_INIT=1 # it made its store on first start
export SJ_ENOSPC_SHIM=$BUILD/tests/libenospc_shim.so
for t in it_load it_quota; do
    echo "== $t against the broker of $COMMIT"
    # Line-buffered, so a failing case's figures are not lost in its fork.
    stdbuf -oL "$BUILD/tests/$t" "$broker" | grep -v '^$' || true
done
echo "== (every case above should have failed; $COMMIT's broker: $broker)"
exit 0
