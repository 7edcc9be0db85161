#!/bin/sh
# compose's `web-key` step (docker-compose.yml): once, make the web front's
# own key — a member of the `web` role, which may make public reads only —
# with the committee key of the broker's volume, and put it with the
# broker's public key into the web front's volume, which is all the `web`
# service mounts. Run again, it finds the key and does nothing.
# Usage: shangju-web-key [DIR]   (default /var/lib/shangju-web)
set -eu
out=${1:-/var/lib/shangju-web}
data=${SHANGJU_DATA:-/var/lib/shangju}
if [ -s "$out/web.key" ] && [ -s "$out/server.pub" ]; then
    echo "web-key: $out/web.key exists"
    exit 0
fi
# podman-compose 1.0 ignores `condition: service_healthy`: wait for the
# broker here (60 s at most; compose restarts this step on failure).
i=0
until [ -s "$data/committee.key" ] && shangju --timeout 1000 ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 60 ]; then
        echo "web-key: the broker did not answer within 60 s" >&2
        exit 1
    fi
    sleep 1
done
rm -f "$out/web.key.new"
shangju --timeout 3000 member add --role web --name "${SHANGJU_WEB_NAME:-Web front}" \
    --key-out "$out/web.key.new"
cp "$data/server.pub" "$out/server.pub.new"
mv "$out/server.pub.new" "$out/server.pub"
mv "$out/web.key.new" "$out/web.key"
echo "web-key: made $out/web.key (role web)"
