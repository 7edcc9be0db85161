#!/bin/sh
# The image's entrypoint. With no arguments, or options only, it runs the
# broker on /var/lib/shangju (`docker run IMAGE --demo`); any other command
# is run as given (`docker run IMAGE shangju ping`). Started as root (for
# example with a bind-mounted data directory owned by someone else), it
# gives the data directory to the shangju user and drops to that user
# before running anything: the broker never runs as root.
set -eu
uid=$(id -u shangju)
gid=$(id -g shangju)
data=${SHANGJU_DATA:-/var/lib/shangju}

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- shangju-broker --data "$data" "$@"
fi

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$data"
    if [ "$(stat -c %u "$data")" != "$uid" ]; then
        echo "entrypoint: giving $data to shangju ($uid:$gid)" >&2
        chown -R "$uid:$gid" "$data"
    fi
    chmod 0700 "$data"
    exec setpriv --reuid "$uid" --regid "$gid" --clear-groups \
        --inh-caps=-all --no-new-privs -- "$@"
fi
exec "$@"
