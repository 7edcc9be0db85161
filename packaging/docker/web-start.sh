#!/bin/sh
# The `web` service's command (docker-compose.yml): wait until the
# `web-key` step has put the web front's key into its volume — podman-compose
# 1.0 ignores `condition: service_completed_successfully` — then become
# shangju-web with the arguments given.
# Usage: shangju-web-start [shangju-web options]   (--data DIR first, if any)
set -eu
dir=/var/lib/shangju-web
[ "${1:-}" = --data ] && dir=$2
i=0
until [ -s "$dir/web.key" ] && [ -s "$dir/server.pub" ]; do
    i=$((i + 1))
    if [ "$i" -ge 120 ]; then
        echo "web-start: no $dir/web.key after 120 s (see the web-key step)" >&2
        exit 1
    fi
    sleep 1
done
exec shangju-web "$@"
