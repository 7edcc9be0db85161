/* The settings file of config.h. */
#include "config.h"

#include <glib/gstdio.h>

#define GROUP_CONN "connection"
#define GROUP_DESK "desk"

char *sj_desk_config_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "shangju", "desk.ini",
                            NULL);
}

static char *str(GKeyFile *kf, const char *g, const char *k)
{
    char *v = g_key_file_get_string(kf, g, k, NULL);
    if (v && !*v) {
        g_free(v);
        return NULL;
    }
    return v;
}

static bool boolean(GKeyFile *kf, const char *g, const char *k, bool dflt)
{
    GError *e = NULL;
    gboolean v = g_key_file_get_boolean(kf, g, k, &e);
    if (e) {
        g_error_free(e);
        return dflt;
    }
    return v;
}

bool sj_desk_config_load(sj_desk_config_t *cfg)
{
    *cfg = (sj_desk_config_t){.sound = true};
    char *path = sj_desk_config_path();
    GKeyFile *kf = g_key_file_new();
    bool ok = g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
    g_free(path);
    if (ok) {
        cfg->key_file = str(kf, GROUP_CONN, "key");
        cfg->server_key_file = str(kf, GROUP_CONN, "server-key");
        cfg->requests = str(kf, GROUP_CONN, "requests");
        cfg->events = str(kf, GROUP_CONN, "events");
        cfg->categories = str(kf, GROUP_DESK, "categories");
        cfg->sound = boolean(kf, GROUP_DESK, "sound", true);
        cfg->large_text = boolean(kf, GROUP_DESK, "large-text", false);
    }
    g_key_file_free(kf);
    return ok;
}

static void put(GKeyFile *kf, const char *g, const char *k, const char *v)
{
    if (v)
        g_key_file_set_string(kf, g, k, v);
}

bool sj_desk_config_save(const sj_desk_config_t *cfg, GError **error)
{
    char *path = sj_desk_config_path();
    char *dir = g_path_get_dirname(path);
    bool ok = false;
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "%s: %s", dir, g_strerror(errno));
        goto out;
    }
    GKeyFile *kf = g_key_file_new();
    put(kf, GROUP_CONN, "key", cfg->key_file);
    put(kf, GROUP_CONN, "server-key", cfg->server_key_file);
    put(kf, GROUP_CONN, "requests", cfg->requests);
    put(kf, GROUP_CONN, "events", cfg->events);
    put(kf, GROUP_DESK, "categories", cfg->categories);
    g_key_file_set_boolean(kf, GROUP_DESK, "sound", cfg->sound);
    g_key_file_set_boolean(kf, GROUP_DESK, "large-text", cfg->large_text);
    gsize len = 0;
    char *data = g_key_file_to_data(kf, &len, NULL);
    g_key_file_free(kf);
    ok = g_file_set_contents_full(path, data, (gssize)len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
    g_free(data);
out:
    g_free(dir);
    g_free(path);
    return ok;
}

bool sj_desk_config_ready(const sj_desk_config_t *cfg)
{
    return cfg->key_file && cfg->server_key_file && cfg->requests &&
           cfg->events;
}

void sj_desk_config_clear(sj_desk_config_t *cfg)
{
    g_free(cfg->key_file);
    g_free(cfg->server_key_file);
    g_free(cfg->requests);
    g_free(cfg->events);
    g_free(cfg->categories);
    *cfg = (sj_desk_config_t){0};
}
