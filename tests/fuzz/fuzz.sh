#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan) and fuzz one of them.
#
#   tests/fuzz/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]
#
# TARGET is dispatch, batch or render; SECONDS defaults to 600. One
# process on one core (no -jobs/-fork): the machine is shared. New inputs go to
# $BUILD/fuzz/corpus/TARGET (the checked-in seeds are read, never written);
# findings to $BUILD/fuzz/artifacts/TARGET/. To keep a finding, minimise it
# and copy it to tests/fuzz/regressions/TARGET/ (see README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:?usage: $0 dispatch|batch|render [SECONDS] [flags...]}
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
BUILD=${BUILD:-build-fuzz}

case $target in
dispatch) max_len=4096 ;;
batch | render) max_len=16384 ;;
*) echo "unknown target $target" >&2; exit 2 ;;
esac

cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DSJ_SANITIZE=ON -DSJ_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j1 --target "fuzz_$target" >/dev/null

work="$BUILD/fuzz/corpus/$target"
artifacts="$BUILD/fuzz/artifacts/$target"
mkdir -p "$work" "$artifacts"

export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec "$BUILD/tests/fuzz_$target" -max_total_time="$seconds" \
    -rss_limit_mb=4096 -timeout=10 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
    "$work" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target"
