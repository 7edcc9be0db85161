#!/usr/bin/env bash
# Debian package test (issue 15): build the .deb with dpkg-buildpackage from
# the tracked sources, install it in a clean bookworm container with apt
# (which pulls its dependencies), and start the broker as its system user
# the way the systemd unit would (the container has no systemd): the
# package must create the user and a private data directory, and the
# installed CLI must reach the installed broker. Then the web front, set up
# as the README says (its own user, its key of the `web` role and the
# broker's public key in /var/lib/shangju-web), must serve a shop's page.
# Usage: bash tests/deb/run.sh   (podman or docker; see tests/compose/run.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sj-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    ENGINE=docker
elif command -v podman >/dev/null 2>&1; then
    ENGINE=podman
else
    fail "no container engine (bash ../shared/tools/container-engine.sh)"
fi

# ---- build from the tracked files only (what a clean clone holds)
mkdir "$WORK/src"
(cd "$ROOT" && git ls-files -z | xargs -0 tar -cf - --) | tar -C "$WORK/src" -xf -
(cd "$WORK/src" && dpkg-buildpackage -b -us -uc -j2 >"$WORK/build.log" 2>&1) ||
    { tail -n 40 "$WORK/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$WORK"/shangju_*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb -c "$deb" >"$WORK/contents"
for f in ./usr/bin/shangju-broker ./usr/bin/shangju ./usr/bin/shangju-web \
    ./usr/share/man/man1/shangju-broker.1.gz \
    ./usr/share/man/man1/shangju-web.1.gz \
    ./lib/systemd/system/shangju-web.service \
    ./usr/share/locale/zh_CN/LC_MESSAGES/shangju.mo \
    ./lib/systemd/system/shangju-broker.service ./etc/default/shangju \
    ./usr/share/bash-completion/completions/shangju; do
    grep -q " $f\$" "$WORK/contents" || fail "the package lacks $f"
done
dpkg-deb -f "$deb" Depends | grep -q 'libmicrohttpd12' ||
    fail "Depends lacks libmicrohttpd12: $(dpkg-deb -f "$deb" Depends)"

# ---- install in a clean container and start the broker as its user
cat >"$WORK/inside.sh" <<'SH'
set -eu
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /pkg/shangju_*.deb >/dev/null
getent passwd shangju >/dev/null || { echo "no system user"; exit 1; }
[ "$(stat -c '%U %a' /var/lib/shangju)" = "shangju 700" ] ||
    { echo "data dir: $(stat -c '%U %a' /var/lib/shangju)"; exit 1; }
grep -q 'Type=notify' /lib/systemd/system/shangju-broker.service
# the install initialised the community (the broker refuses an empty dir)
for f in data.mdb server.pub committee.key monitor.key; do
    [ "$(stat -c %U /var/lib/shangju/$f)" = shangju ] ||
        { echo "postinst made no $f owned by shangju"; exit 1; }
done
runuser -u shangju -- shangju-broker --public-url http://192.0.2.1:8080 \
    2>/tmp/broker.log &
for i in $(seq 1 50); do
    [ -f /var/lib/shangju/committee.key ] &&
        runuser -u shangju -- shangju --timeout 300 ping >/dev/null 2>&1 && break
    sleep 0.2
done
runuser -u shangju -- shangju --json whoami
for p in /proc/[0-9]*; do # the image has no ps
    [ "$(cat "$p/comm" 2>/dev/null)" = shangju-broker ] && owner=$(stat -c %U "$p")
done
[ "${owner:-}" = shangju ] || { echo "the broker runs as '${owner:-}'"; exit 1; }
# the installed default data directory is the FHS one
grep -q 'data=/var/lib/shangju' /tmp/broker.log || { cat /tmp/broker.log; exit 1; }

# The web front, set up as the README and the unit's comments say.
getent passwd shangju-web >/dev/null || { echo "no shangju-web user"; exit 1; }
[ "$(stat -c '%U %a' /var/lib/shangju-web)" = "shangju-web 700" ] ||
    { echo "web dir: $(stat -c '%U %a' /var/lib/shangju-web)"; exit 1; }
grep -q '^User=shangju-web' /lib/systemd/system/shangju-web.service
grep -q '^ConditionPathExists=/var/lib/shangju-web/web.key' \
    /lib/systemd/system/shangju-web.service
shangju --data /var/lib/shangju member add --role web --name "Web front" \
    --key-out /var/lib/shangju-web/web.key >/dev/null
install -o shangju-web -m 0644 /var/lib/shangju/server.pub /var/lib/shangju-web/
chown shangju-web: /var/lib/shangju-web/web.key
mer=$(runuser -u shangju -- shangju --json member add --role merchant \
    --name "Deb Bakery" --key-out /tmp/m.key | sed -n 's/.*"id": *"\{0,1\}\([0-9]*\).*/\1/p')
chown shangju /tmp/m.key
runuser -u shangju -- shangju --key /tmp/m.key merchant register \
    --name "晨光面包房" --category bakery >/dev/null
# As the unit runs it: its user, its directory (the unit's command line).
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/shangju-web.service)
runuser -u shangju-web -- ${cmd%% \$*} 2>/tmp/web.log &
page=
for i in $(seq 1 50); do
    # shellcheck disable=SC2016 # bash's /dev/tcp (this script runs in sh)
    page=$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 &&
        printf "GET /m/%s HTTP/1.0\r\n\r\n" "$1" >&3 && cat <&3' _ "$mer" \
        2>/dev/null) && [ -n "$page" ] && break
    sleep 0.2
done
echo "$page" | head -n1 | grep -q ' 200 ' || { echo "web: $page"; cat /tmp/web.log; exit 1; }
echo "$page" | grep -q '晨光面包房' || { echo "no shop name in: $page"; exit 1; }
runuser -u shangju-web -- test -r /var/lib/shangju/committee.key &&
    { echo "the web user reads the committee key"; exit 1; }
echo "web: /m/$mer served by the installed shangju-web"
echo "inside: ok"
SH
"$ENGINE" run --rm --network=host -v "$WORK:/pkg:Z" \
    docker.io/library/debian:bookworm-slim sh /pkg/inside.sh >"$WORK/run.log" 2>&1 ||
    { cat "$WORK/run.log"; fail "the package did not install and start"; }
grep -q 'inside: ok' "$WORK/run.log" || { cat "$WORK/run.log"; fail "no ok"; }
grep -q '"role"' "$WORK/run.log" || fail "whoami printed nothing"
grep '^web:' "$WORK/run.log"
echo "deb: ok"
