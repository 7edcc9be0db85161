-- A throwaway XMPP server for the `demo` compose profile only: plain
-- connections allowed, open registration so people can try the bridge from
-- any XMPP app. Never expose this to the internet; run a real server with
-- TLS and closed registration in production.
pidfile = "/var/run/prosody/prosody.pid"
data_path = "/var/lib/prosody"
interfaces = { "*" }
c2s_ports = { 5222 }
s2s_ports = { }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = true
authentication = "internal_hashed"
modules_enabled = { "roster"; "saslauth"; "disco"; "presence"; "message";
                    "iq"; "offline"; "ping"; "register"; "carbons" }
modules_disabled = { "s2s"; "tls" }
log = { info = "*console" }
daemonize = false
VirtualHost "shangju.local"
Component "conference.shangju.local" "muc"
