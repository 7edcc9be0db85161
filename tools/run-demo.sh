#!/usr/bin/env bash
# `make run`: the broker with the demo community and the public web front
# (shangju-web) together in the foreground; Ctrl-C stops both, and either
# stopping stops the other. The broker's QR codes carry PUBLIC_URL, so a
# phone on the same network can scan a placard off the screen when the web
# front listens on the machine's address and PUBLIC_URL names it:
#   make run WEB_LISTEN=0.0.0.0:8080 PUBLIC_URL=http://192.168.1.20:8080
# Usage: tools/run-demo.sh BUILD_DIR DATA_DIR WEB_LISTEN PUBLIC_URL
set -euo pipefail
build=$1 data=$2 listen=$3 public_url=$4
broker=
web=
stop_all() {
    trap - EXIT INT TERM
    for p in $web $broker; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# The first run initialises the demo community explicitly (a start never
# makes a community by itself); later runs keep what was done in it.
if [ ! -e "$data/data.mdb" ]; then
    "$build/broker/shangju-broker" init --data "$data" --demo --monitor \
        --public-url "$public_url"
fi
"$build/broker/shangju-broker" --data "$data" --public-url "$public_url" &
broker=$!
sj() { "$build/clients/shangju" --data "$data" --timeout 1000 "$@"; }
# Wait for a real answer.
for _ in $(seq 1 100); do
    [ -s "$data/server.pub" ] && sj ping >/dev/null 2>&1 && break
    kill -0 "$broker" 2>/dev/null || { echo "run: the broker stopped" >&2; exit 1; }
    sleep 0.1
done
"$build/clients/shangju-web" --data "$data" --listen "$listen" &
web=$!

host=${listen%:*}
case $host in 0.0.0.0 | "[::]" | "") host=localhost ;; esac
url="http://$host:${listen##*:}"
shop=$(sj --json merchant list 2>/dev/null |
    sed -n 's/.*"merchant_id": *"\{0,1\}\([0-9][0-9]*\).*/\1/p' | head -n1)
cat <<MSG

The web front:  $url/          (the community board)
${shop:+A demo shop:    $url/m/$shop
}QR codes point at $public_url (set PUBLIC_URL=http://<this machine>:PORT
with WEB_LISTEN=0.0.0.0:PORT so that a phone on the same network can open
them). In another terminal try:
    ./$build/clients/shangju --data $data wish list
    ./$build/clients/shangju --data $data qr merchant ${shop:-4} --format text

A resident in chat, as Auntie Wang (send 帮助 or help; Ctrl-D ends):
    ./$build/clients/shangju-chat --data $data --console --as wang@demo.example
MSG
# The counter's window needs GTK 4 (built when `make test` installed it).
if [ -x "$build/clients/shangju-desk" ]; then
    cat <<MSG
The demo bakery's counter (a window):
    ./$build/clients/shangju-desk --key $data/demo/merchant-bakery.key --server-key $data/server.pub
MSG
fi
echo
# Whichever stops first (Ctrl-C, an error) takes the other with it.
wait -n "$broker" "$web" || true
