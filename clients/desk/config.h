/* The desk client's settings, remembered in the user's configuration
 * directory (XDG: $XDG_CONFIG_HOME/shangju/desk.ini, a GKeyFile, so no
 * GSettings schema has to be installed): the connection (key file, the
 * broker's key file, the two endpoints) and the counter's preferences
 * (the shop's categories that sound an alert, sound on or off, larger
 * text). GLib only. */
#ifndef SJ_DESK_CONFIG_H
#define SJ_DESK_CONFIG_H

#include <glib.h>
#include <stdbool.h>

typedef struct {
    char *key_file;        /* the merchant's secret key file */
    char *server_key_file; /* the broker's public key file */
    char *requests;        /* endpoint, e.g. tcp://host:7400 */
    char *events;          /* endpoint, e.g. tcp://host:7401 */
    char *categories;      /* comma-separated; "" = the listing's */
    bool sound;            /* alert sound on a new wish */
    bool large_text;
} sj_desk_config_t;

/* The file's path (g_free). */
char *sj_desk_config_path(void);

/* Fill cfg from the file (missing file or keys: defaults: sound on, large
 * text off, endpoints NULL). Returns true when the file existed and was
 * read. cfg's strings are g_free'd by sj_desk_config_clear(). */
bool sj_desk_config_load(sj_desk_config_t *cfg);

/* Write cfg to the file (creating the directory, mode 0600). Returns true,
 * or false with *error set. */
bool sj_desk_config_save(const sj_desk_config_t *cfg, GError **error);

/* Whether the connection settings are complete enough to connect. */
bool sj_desk_config_ready(const sj_desk_config_t *cfg);

void sj_desk_config_clear(sj_desk_config_t *cfg);

#endif
