#!/usr/bin/env bash
# cmake --install into a staging directory holds everything an operator's
# install needs: every program of the project (sj_program), its man page,
# the compiled catalogues, the systemd units (broker and web front),
# /etc/default/shangju and the bash completion; and the installed programs
# run (--version).
# Usage: install_check.sh BUILD_DIR "PROGRAM..." "LANG..."
set -euo pipefail
build=$1 programs=$2 langs=$3
stage=$(mktemp -d "${TMPDIR:-/tmp}/sj-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage cmake --install "$build" --prefix /usr >/dev/null
fail=0
need() { [ -e "$stage$1" ] || { echo "missing: $1"; fail=1; }; }
for p in $programs; do
    need "/usr/bin/$p"
    need "/usr/share/man/man1/$p.1"
done
for l in $langs; do need "/usr/share/locale/$l/LC_MESSAGES/shangju.mo"; done
need /usr/lib/systemd/system/shangju-broker.service
need /usr/lib/systemd/system/shangju-web.service
[ -n "$(find "$stage" -path '*/etc/default/shangju')" ] ||
    { echo "missing: etc/default/shangju"; fail=1; }
need /usr/share/bash-completion/completions/shangju
for p in $programs; do
    case $p in shangju-desk) continue ;; esac # needs a display
    "$stage/usr/bin/$p" --version >/dev/null || { echo "$p --version failed"; fail=1; }
done
# the man pages are real pages, made from the programs' own help
grep -q 'public.-url' "$stage/usr/share/man/man1/shangju-broker.1" ||
    { echo "shangju-broker.1 lacks the options"; fail=1; }
grep -q 'listen' "$stage/usr/share/man/man1/shangju-web.1" ||
    { echo "shangju-web.1 lacks the options"; fail=1; }
grep -q '^ExecStart=/usr/bin/shangju-web ' \
    "$stage/usr/lib/systemd/system/shangju-web.service" ||
    { echo "shangju-web.service does not start shangju-web"; fail=1; }
[ "$fail" = 0 ] && echo "install tree complete: $programs"
exit "$fail"
