#!/usr/bin/env bash
# cmake --install into a staging directory holds everything an operator's
# install needs: every program of the project (sj_program), its man page,
# the compiled catalogues, the systemd units (broker, web front, chat
# bridge template, metrics exporter) with each ExecStart naming its
# program, the chat bridge's example instance files, /etc/default/shangju
# and the bash completion; and the installed programs run (--version).
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
need /usr/lib/systemd/system/shangju-chat@.service
need /usr/lib/systemd/system/shangju-metrics.service
need /usr/share/doc/shangju/examples/shangju-chat-xmpp
need /usr/share/doc/shangju/examples/shangju-chat-wechat
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
# each unit starts its own program, as its own user, in its own directory
unit_runs() { # UNIT PROGRAM USER DIR
    local u=$stage/usr/lib/systemd/system/$1
    grep -q "^ExecStart=/usr/bin/$2 --data $4 " "$u" ||
        { echo "$1 does not start $2 --data $4"; fail=1; }
    grep -q "^User=$3\$" "$u" || { echo "$1 does not run as $3"; fail=1; }
}
unit_runs shangju-web.service shangju-web shangju-web /var/lib/shangju-web
unit_runs shangju-metrics.service shangju-metrics shangju-metrics \
    /var/lib/shangju-metrics
unit_runs shangju-chat@.service shangju-chat shangju-chat \
    '/var/lib/shangju-chat/%i'
[ "$fail" = 0 ] && echo "install tree complete: $programs"
exit "$fail"
