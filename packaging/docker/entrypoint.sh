#!/bin/sh
# The image's entrypoint. With no arguments, or options only, it runs the
# broker on /var/lib/shangju (`docker run IMAGE --log-level debug`); any
# other command is run as given (`docker run IMAGE shangju ping`). Started
# as root (for example with a bind-mounted data directory owned by someone
# else), it gives the data directory to the shangju user and drops to that
# user before running anything: the broker never runs as root.
#
# A data directory without a community is initialised only when asked:
# with SHANGJU_INIT=1 (docker-compose.yml sets it) the first start runs
# `shangju-broker init --monitor` (the committee's key, and the monitor key
# the health check uses) with the same options, then the broker. Without
# it the broker refuses the empty volume (a forgotten or misspelt volume
# must not become a new community with new keys).
set -eu
uid=$(id -u shangju)
gid=$(id -g shangju)
data=${SHANGJU_DATA:-/var/lib/shangju}
broker=no

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    broker=yes
fi

as_shangju() { # run "$@" as the shangju user (the image's user already)
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid "$uid" --regid "$gid" --clear-groups \
            --inh-caps=-all --no-new-privs -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$data"
    if [ "$(stat -c %u "$data")" != "$uid" ]; then
        echo "entrypoint: giving $data to shangju ($uid:$gid)" >&2
        chown -R "$uid:$gid" "$data"
    fi
    chmod 0700 "$data"
fi

if [ "$broker" = yes ] && [ ! -e "$data/data.mdb" ]; then
    if [ "${SHANGJU_INIT:-0}" = 1 ]; then
        echo "entrypoint: SHANGJU_INIT=1 and $data holds no community:" \
            "initialising it" >&2
        as_shangju shangju-broker init --data "$data" --monitor "$@"
    else
        echo "entrypoint: $data holds no community; start once with" \
            "SHANGJU_INIT=1 to make a new one there (or mount the volume" \
            "that holds yours)" >&2
    fi
fi

if [ "$broker" = yes ]; then
    set -- shangju-broker --data "$data" "$@"
fi
if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid "$uid" --regid "$gid" --clear-groups \
        --inh-caps=-all --no-new-privs -- "$@"
fi
exec "$@"
