#!/bin/bash
# The `web` service's health check (docker-compose.yml): the web front
# answers GET / with 200 — which it does only while it reaches the broker
# (503 otherwise). The runtime image has no HTTP client: bash's /dev/tcp.
# Usage: shangju-web-health [PORT]   (default 8080)
set -eu
port=${1:-8080}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.0\r\nHost: localhost\r\nAccept-Language: en\r\n\r\n' >&3
IFS=' ' read -r -t 3 _ code _ <&3
[ "$code" = 200 ] || { echo "GET / answered ${code:-nothing}" >&2; exit 1; }
