/* Telling the service manager how the broker is doing (systemd's sd_notify
 * protocol, spoken directly: one datagram to $NOTIFY_SOCKET), so a unit of
 * Type=notify starts dependants only once the broker serves. Without
 * NOTIFY_SOCKET (a terminal, a container) every call does nothing. */
#ifndef SJ_NOTIFY_H
#define SJ_NOTIFY_H

/* Send state (e.g. "READY=1\nSTATUS=serving") to the service manager.
 * Returns 0 when sent or when there is no manager to tell, SJ_EIO when
 * the socket refused it (the broker keeps running either way). */
int sj_notify(const char *state);

#endif
