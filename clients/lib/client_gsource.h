/* The client library inside GLib's main loop: a GSource that watches
 * sj_client_fd() and the library's deadlines and runs sj_client_process()
 * when either fires, so a GTK program never blocks on the broker.
 *
 * The source does not own the client: destroy the source (g_source_destroy
 * + g_source_unref) before sj_client_destroy(). */
#ifndef SJ_CLIENT_GSOURCE_H
#define SJ_CLIENT_GSOURCE_H

#include <glib.h>

#include "client.h"

/* A new source for c (not yet attached: g_source_attach() it to a
 * context). Its callback, if set with g_source_set_callback(), runs after
 * each sj_client_process() that ran at least one callback, with the
 * user data given there; the source stays attached whatever it returns.
 * Returns a new reference; never NULL. */
GSource *sj_client_gsource_new(sj_client_t *c);

#endif
