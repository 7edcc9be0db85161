/* The first-run dialog of ui_setup.h. Paths and endpoints are typed (the
 * endpoints' defaults filled in). */
#include "ui_setup.h"

typedef struct {
    sj_desk_t *d;
    void (*done)(sj_desk_t *d);
    GtkWidget *win, *key, *server_key, *requests, *events, *error;
} setup_t;

static GtkWidget *field(GtkWidget *grid, int row, const char *label,
                        const char *value)
{
    GtkWidget *e = sj_desk_grid_entry(grid, row, label);
    if (value)
        gtk_editable_set_text(GTK_EDITABLE(e), value);
    return e;
}

static void on_connect(GtkButton *b, gpointer ud)
{
    (void)b;
    setup_t *s = ud;
    const char *vals[4] = {
        gtk_editable_get_text(GTK_EDITABLE(s->key)),
        gtk_editable_get_text(GTK_EDITABLE(s->server_key)),
        gtk_editable_get_text(GTK_EDITABLE(s->requests)),
        gtk_editable_get_text(GTK_EDITABLE(s->events)),
    };
    for (int i = 0; i < 4; i++)
        if (!*vals[i]) {
            gtk_label_set_text(GTK_LABEL(s->error),
                               _("Please fill in every field."));
            sj_desk_a11y(s->error, _("Please fill in every field."));
            return;
        }
    for (int i = 0; i < 2; i++)
        if (!g_file_test(vals[i], G_FILE_TEST_IS_REGULAR)) {
            char *m = g_strdup_printf(_("No such file: %s"), vals[i]);
            gtk_label_set_text(GTK_LABEL(s->error), m);
            sj_desk_a11y(s->error, m);
            g_free(m);
            return;
        }
    sj_desk_config_t *c = &s->d->cfg;
    g_free(c->key_file);
    c->key_file = g_strdup(vals[0]);
    g_free(c->server_key_file);
    c->server_key_file = g_strdup(vals[1]);
    g_free(c->requests);
    c->requests = g_strdup(vals[2]);
    g_free(c->events);
    c->events = g_strdup(vals[3]);
    GError *e = NULL;
    if (!sj_desk_config_save(c, &e)) {
        gtk_label_set_text(GTK_LABEL(s->error), e->message);
        g_error_free(e);
        return;
    }
    gtk_window_destroy(GTK_WINDOW(s->win));
    s->done(s->d);
    g_free(s);
}

void sj_desk_setup_run(sj_desk_t *d, void (*done)(sj_desk_t *d))
{
    setup_t *s = g_new0(setup_t, 1);
    s->d = d;
    s->done = done;
    s->win = gtk_window_new();
    gtk_window_set_title(GTK_WINDOW(s->win), _("Connect to the broker"));
    gtk_window_set_modal(GTK_WINDOW(s->win), TRUE);
    gtk_window_set_transient_for(GTK_WINDOW(s->win), GTK_WINDOW(d->window));
    gtk_window_set_deletable(GTK_WINDOW(s->win), FALSE);
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(grid), 8);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
    gtk_widget_set_margin_start(grid, 16);
    gtk_widget_set_margin_end(grid, 16);
    gtk_widget_set_margin_top(grid, 16);
    gtk_widget_set_margin_bottom(grid, 16);
    GtkWidget *intro = gtk_label_new(
        _("The committee gave you a key file for your shop and the broker's "
          "key file and address. They are remembered for next time."));
    gtk_label_set_wrap(GTK_LABEL(intro), TRUE);
    gtk_grid_attach(GTK_GRID(grid), intro, 0, 0, 2, 1);
    const sj_desk_config_t *c = &d->cfg;
    s->key = field(grid, 1, _("Your _key file"), c->key_file);
    s->server_key =
        field(grid, 2, _("The _broker's key file"), c->server_key_file);
    s->requests = field(grid, 3, _("_Request address"),
                        c->requests ? c->requests : SJ_CLIENT_REQUESTS);
    s->events = field(grid, 4, _("_Event address"),
                      c->events ? c->events : SJ_CLIENT_EVENTS);
    s->error = gtk_label_new("");
    gtk_widget_add_css_class(s->error, "error");
    gtk_grid_attach(GTK_GRID(grid), s->error, 0, 5, 2, 1);
    GtkWidget *ok = sj_desk_button(_("_Connect"));
    gtk_widget_add_css_class(ok, "suggested-action");
    g_signal_connect(ok, "clicked", G_CALLBACK(on_connect), s);
    gtk_grid_attach(GTK_GRID(grid), ok, 1, 6, 1, 1);
    gtk_window_set_child(GTK_WINDOW(s->win), grid);
    gtk_window_set_default_widget(GTK_WINDOW(s->win), ok);
    gtk_window_present(GTK_WINDOW(s->win));
}
