#!/bin/sh
# Entry point of the demo XMPP server: make sure the bridge's account exists
# with the password in the shared secret volume (made on first start), then
# run prosody in the foreground.
set -eu
secret=/run/shangju-xmpp/bridge.pw
if [ ! -s "$secret" ]; then
    umask 022 # the bridge container (another uid) reads it: demo only
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$secret"
fi
prosodyctl register bridge shangju.local "$(cat "$secret")"
exec prosody
