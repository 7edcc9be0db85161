#!/usr/bin/env bash
# Debian package test (issue 15): build the .deb with dpkg-buildpackage from
# the tracked sources, install it in a clean bookworm container with apt
# (which pulls its dependencies), and start the broker as its system user
# the way the systemd unit would (the container has no systemd): the
# package must create the user and a private data directory, and the
# installed CLI must reach the installed broker. Then the web front, set up
# as the README says (its own user, its key of the `web` role and the
# broker's public key in /var/lib/shangju-web), must serve a shop's page.
# The metrics exporter and a chat bridge instance are set up by running the
# commands in their units' header comments, then started the way their
# units start them (User, Environment, EnvironmentFile, ExecStart with %i
# and $VAR): /metrics must answer, and the bridge on the console must
# answer a linked resident in Chinese; neither user may read the committee
# key.
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
    ./lib/systemd/system/shangju-metrics.service \
    ./lib/systemd/system/shangju-chat@.service \
    ./usr/share/doc/shangju/examples/shangju-chat-xmpp \
    ./usr/share/doc/shangju/examples/shangju-chat-wechat \
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

# Setup commands from a unit's header comment (the lines after "#   ",
# continuations joined), without sudo; systemctl is the unit's own start.
unit_setup() { # UNIT
    sed -n '/^\[Unit\]/q; s/^#   //p' "/lib/systemd/system/$1" |
        sed -e ':a' -e '/\\$/{N;s/\\\n *//;ba' -e '}' |
        sed -e 's/^sudo //' -e '/systemctl /d'
}
# Run a unit's ExecStart as systemd would (near enough): its User, its
# Environment= then its EnvironmentFile=s in order, %i and $VAR expanded;
# under `timeout $UNIT_TIMEOUT` when that is set.
run_unit() { # UNIT INSTANCE
    (
        u=/lib/systemd/system/$1
        set +u
        for kv in $(sed -n 's/^Environment=//p' "$u"); do export "$kv"; done
        for f in $(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$u" | sed "s/%i/$2/g"); do
            if [ -f "$f" ]; then set -a; . "$f"; set +a; fi
        done
        eval "set -- $(sed -n 's/^ExecStart=//p' "$u" | sed "s/%i/$2/g")"
        exec ${UNIT_TIMEOUT:+timeout "$UNIT_TIMEOUT"} \
            runuser -u "$(sed -n 's/^User=//p' "$u")" -- "$@"
    )
}

# The metrics exporter, set up as its unit's comments say.
getent passwd shangju-metrics >/dev/null || { echo "no shangju-metrics user"; exit 1; }
[ "$(stat -c '%U %a' /var/lib/shangju-metrics)" = "shangju-metrics 700" ] ||
    { echo "metrics dir: $(stat -c '%U %a' /var/lib/shangju-metrics)"; exit 1; }
grep -q '^ConditionPathExists=/var/lib/shangju-metrics/monitor.key' \
    /lib/systemd/system/shangju-metrics.service
unit_setup shangju-metrics.service >/tmp/metrics-setup.sh
grep -q 'member add --role monitor' /tmp/metrics-setup.sh ||
    { cat /tmp/metrics-setup.sh; exit 1; }
sh -e /tmp/metrics-setup.sh >/dev/null
run_unit shangju-metrics.service "" 2>/tmp/metrics.log &
metrics=
for i in $(seq 1 50); do
    # shellcheck disable=SC2016 # bash's /dev/tcp (this script runs in sh)
    metrics=$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464 &&
        printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' 2>/dev/null) &&
        [ -n "$metrics" ] && break
    sleep 0.2
done
echo "$metrics" | head -n1 | grep -q ' 200 ' ||
    { echo "metrics: $metrics"; cat /tmp/metrics.log; exit 1; }
echo "$metrics" | grep -q '^shangju_members [1-9]' ||
    { echo "no shangju_ metric in: $metrics"; exit 1; }
grep -q 'event=listening listen=127.0.0.1:9464 key=/var/lib/shangju-metrics/monitor.key' \
    /tmp/metrics.log || { cat /tmp/metrics.log; exit 1; }
runuser -u shangju-metrics -- test -r /var/lib/shangju/committee.key &&
    { echo "the metrics user reads the committee key"; exit 1; }
echo "metrics: $(echo "$metrics" | grep -c '^shangju_') samples from the installed shangju-metrics"

# A chat bridge instance, set up as its unit's comments say (instance xmpp,
# then on the console: no chat server here).
getent passwd shangju-chat >/dev/null || { echo "no shangju-chat user"; exit 1; }
[ "$(stat -c '%U %a' /var/lib/shangju-chat)" = "shangju-chat 700" ] ||
    { echo "chat dir: $(stat -c '%U %a' /var/lib/shangju-chat)"; exit 1; }
grep -q '^ConditionPathExists=/var/lib/shangju-chat/%i/bridge.key' \
    '/lib/systemd/system/shangju-chat@.service'
echo xmpp-secret >/tmp/pw
unit_setup shangju-chat@.service | sed 's|PASSWORD_FILE|/tmp/pw|' >/tmp/chat-setup.sh
grep -q 'member add --role bridge' /tmp/chat-setup.sh ||
    { cat /tmp/chat-setup.sh; exit 1; }
sh -e /tmp/chat-setup.sh >/dev/null
grep -q '^SHANGJU_CHAT_OPTS=' /etc/default/shangju-chat-xmpp ||
    { echo "no example options"; exit 1; }
[ "$(stat -c '%U %a' /var/lib/shangju-chat/xmpp/xmpp.password)" = "shangju-chat 600" ] ||
    { echo "password file: $(stat -c '%U %a' /var/lib/shangju-chat/xmpp/xmpp.password)"; exit 1; }
res=$(runuser -u shangju -- shangju --json member add --role resident \
    --name "王阿姨" --building "3号楼" --key-out /tmp/r.key |
    sed -n 's/.*"id": *"\{0,1\}\([0-9]*\).*/\1/p')
runuser -u shangju -- shangju member link "$res" --chat wang@example.org >/dev/null
echo 'SHANGJU_CHAT_OPTS="--console --as wang@example.org"' \
    >/etc/default/shangju-chat-xmpp
# "123" shows no language: the unit's default (Chinese) answers, and the
# answer is the one for a linked resident (the broker said who wang is).
printf '123\n' | UNIT_TIMEOUT=30 run_unit shangju-chat@.service xmpp \
    >/tmp/chat.out 2>/tmp/chat.log ||
    { cat /tmp/chat.out /tmp/chat.log; exit 1; }
grep -q '没看懂' /tmp/chat.out || { echo "chat:"; cat /tmp/chat.out /tmp/chat.log; exit 1; }
runuser -u shangju-chat -- test -r /var/lib/shangju/committee.key &&
    { echo "the chat user reads the committee key"; exit 1; }
echo "chat: $(head -n1 /tmp/chat.out)"
echo "inside: ok"
SH
# The container shares the host's network and the package's default
# ports: a broker already listening there would answer the installed CLI
# (seen as "wrong server key"), so say so instead.
for port in 7400 7401 8080 9464; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        fail "port $port is in use on this machine: stop what listens there"
    fi
done
"$ENGINE" run --rm --network=host -v "$WORK:/pkg:Z" \
    docker.io/library/debian:bookworm-slim sh /pkg/inside.sh >"$WORK/run.log" 2>&1 ||
    { cat "$WORK/run.log"; fail "the package did not install and start"; }
grep -q 'inside: ok' "$WORK/run.log" || { cat "$WORK/run.log"; fail "no ok"; }
grep -q '"role"' "$WORK/run.log" || fail "whoami printed nothing"
grep '^web:\|^metrics:\|^chat:' "$WORK/run.log"
echo "deb: ok"
