/* The main window: a header with the view switcher and the settings
 * (larger text, sound), the offline banner, the new-wish alert bar, the
 * five views in a stack, and the status line. Also the glue from the
 * session's callbacks to the model and the views. */
#include <string.h>

#include "sj_topics.h"
#include "ui.h"
#include "ui_setup.h"

#define TICK_S 60

static const char css[] =
    ".age-fresh { background-color: alpha(@success_color, 0.18); }\n"
    ".age-warm { background-color: alpha(@warning_color, 0.18); }\n"
    ".age-stale { background-color: alpha(@warning_color, 0.35); }\n"
    ".age-old { background-color: alpha(@error_color, 0.25); }\n"
    ".wish-row { padding: 10px 12px; border-radius: 8px; }\n"
    ".wish-title { font-size: 1.3em; font-weight: bold; }\n"
    ".offline-banner { background-color: @error_color; color: white;"
    " padding: 10px; font-weight: bold; }\n"
    ".alert-bar { background-color: @accent_bg_color; color: white;"
    " padding: 8px; }\n"
    ".stale-data { opacity: 0.55; }\n"
    ".large-text { font-size: 1.35em; }\n";

void sj_desk_a11y(GtkWidget *w, const char *text)
{
    gtk_accessible_update_property(GTK_ACCESSIBLE(w),
                                   GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

char *sj_desk_plain(const char *text)
{
    /* "店名(N)": a translation's mnemonic in brackets, as GNOME writes
     * them for languages whose words have no Latin letters. */
    size_t n = strlen(text);
    if (n >= 3 && text[n - 1] == ')' && text[n - 3] == '(' &&
        g_ascii_isalnum(text[n - 2]))
        return g_strstrip(g_strndup(text, n - 3));
    return g_strdup(text);
}

void sj_desk_a11y_plain(GtkWidget *w, const char *text)
{
    char *p = sj_desk_plain(text);
    sj_desk_a11y(w, p);
    g_free(p);
    /* GTK 4.8 would join the mnemonic label's text ("店名(N)") to the
     * name; the label property says it already. */
    gtk_accessible_reset_relation(GTK_ACCESSIBLE(w),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

GtkWidget *sj_desk_button(const char *mnemonic)
{
    GtkWidget *b = gtk_button_new_with_mnemonic(mnemonic);
    GtkWidget *l = gtk_button_get_child(GTK_BUTTON(b));
    sj_desk_a11y_plain(b, gtk_label_get_text(GTK_LABEL(l)));
    return b;
}

GtkWidget *sj_desk_bar(void)
{
    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
    gtk_widget_set_margin_start(bar, 12);
    gtk_widget_set_margin_end(bar, 12);
    gtk_widget_set_margin_top(bar, 8);
    return bar;
}

GtkWidget *sj_desk_grid_entry(GtkWidget *grid, int row, const char *label)
{
    GtkWidget *l = gtk_label_new_with_mnemonic(label);
    gtk_label_set_xalign(GTK_LABEL(l), 1);
    GtkWidget *e = gtk_entry_new();
    gtk_widget_set_hexpand(e, TRUE);
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), e);
    sj_desk_a11y_plain(e, gtk_label_get_text(GTK_LABEL(l)));
    gtk_grid_attach(GTK_GRID(grid), l, 0, row, 1, 1);
    gtk_grid_attach(GTK_GRID(grid), e, 1, row, 1, 1);
    return e;
}

GtkWidget *sj_desk_list_view(GListModel *model, GtkListItemFactory *f,
                             const char *name)
{
    GtkNoSelection *sel = gtk_no_selection_new(model);
    GtkWidget *list = gtk_list_view_new(GTK_SELECTION_MODEL(sel), f);
    sj_desk_a11y(list, name);
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), list);
    gtk_widget_set_vexpand(scroll, TRUE);
    return scroll;
}

void sj_desk_repaint(GPtrArray *rows,
                     void (*paint)(GtkWidget *row, SjDeskWish *w))
{
    for (guint i = 0; i < rows->len; i++) {
        GtkWidget *row = rows->pdata[i];
        SjDeskWish *w = g_object_get_data(G_OBJECT(row), "wish");
        if (w)
            paint(row, w);
    }
}

void sj_desk_say(sj_desk_t *d, const char *msg)
{
    if (!d->status)
        return;
    gtk_label_set_text(GTK_LABEL(d->status), msg);
    sj_desk_a11y(d->status, msg);
}

bool sj_desk_guard(sj_desk_t *d)
{
    if (d->session && sj_desk_session_link(d->session) == SJ_DESK_ONLINE)
        return true;
    sj_desk_say(d, _("Offline: the action was not sent. Try again when the "
                     "connection is back."));
    gtk_widget_error_bell(d->window);
    return false;
}

bool sj_desk_send(sj_desk_t *d, Shangju__Request *req, sj_desk_reply_fn *cb,
                  void *ud)
{
    if (!sj_desk_guard(d))
        return false;
    int rc = sj_desk_session_send(d->session, req, cb, ud);
    if (rc) {
        sj_desk_say(d, rc == SJ_EIO
                           ? _("Offline: the action was not sent. Try again "
                               "when the connection is back.")
                           : _("The request could not be sent."));
        return false;
    }
    return true;
}

bool sj_desk_ok(sj_desk_t *d, const char *what, const Shangju__Reply *r,
                int err)
{
    if (!err && r && r->status == SHANGJU__STATUS__STATUS_OK)
        return true;
    /* TRANSLATORS: an action's name, then the broker's reason. */
    char *msg =
        g_strdup_printf(_("%s failed: %s"), what, sj_desk_refusal(r, err));
    sj_desk_say(d, msg);
    g_free(msg);
    gtk_widget_error_bell(d->window);
    return false;
}

void sj_desk_window_link(sj_desk_t *d, sj_desk_link_t link)
{
    bool off = link == SJ_DESK_OFFLINE;
    gtk_revealer_set_reveal_child(GTK_REVEALER(d->banner), off);
    gtk_widget_set_visible(d->banner, off);
    if (off) {
        gtk_widget_add_css_class(d->stack, "stale-data");
        gtk_label_set_text(GTK_LABEL(d->subtitle),
                           _("Offline — data shown may be out of date"));
    } else {
        gtk_widget_remove_css_class(d->stack, "stale-data");
        gtk_label_set_text(GTK_LABEL(d->subtitle), link == SJ_DESK_ONLINE
                                                       ? _("Connected")
                                                       : _("Connecting…"));
    }
    sj_desk_a11y(d->subtitle, gtk_label_get_text(GTK_LABEL(d->subtitle)));
}

/* ---------------------------------------------------- session callbacks */

static void on_link(void *ud, sj_desk_link_t link)
{
    sj_desk_window_link(ud, link);
}

static void on_me(void *ud, const Shangju__Member *me)
{
    sj_desk_t *d = ud;
    d->me = me->id;
    g_free(d->me_name);
    d->me_name = g_strdup(me->name);
    sj_desk_model_set_me(d->model, me->id);
    gtk_window_set_title(GTK_WINDOW(d->window), me->name);
    sj_desk_shop_me(d);
    sj_desk_compacts_refresh(d);
    sj_desk_points_refresh(d);
}

static void on_wish(void *ud, const Shangju__Wish *w, bool live)
{
    sj_desk_t *d = ud;
    sj_desk_apply_t a = sj_desk_model_apply(d->model, w);
    if (a == SJ_DESK_APPLY_NEW_OPEN && live)
        sj_desk_alert_wish(d->alert, w);
}

static void on_event(void *ud, const Shangju__Event *ev)
{
    sj_desk_t *d = ud;
    const char *t = ev->topic ? ev->topic : "";
    if (g_str_has_prefix(t, "compact."))
        sj_desk_compacts_refresh(d);
    else if (g_str_has_prefix(t, "points."))
        sj_desk_points_refresh(d);
}

static gboolean tick(gpointer ud)
{
    sj_desk_board_tick(ud);
    sj_desk_claims_tick(ud);
    return G_SOURCE_CONTINUE;
}

/* Connect with the settings; on failure say why and ask again. */
static void connect_session(sj_desk_t *d)
{
    sj_client_opts_t o = {
        .requests = d->cfg.requests,
        .events = d->cfg.events,
        .key_file = d->cfg.key_file,
        .server_key_file = d->cfg.server_key_file,
    };
    sj_desk_session_cbs_t cbs = {
        .link = on_link, .me = on_me, .wish = on_wish, .event = on_event};
    int err = 0;
    d->session = sj_desk_session_new(&o, &cbs, d, &err);
    if (!d->session) {
        char *msg = g_strdup_printf(
            _("Cannot use these settings (%s). Please check the key files "
              "and addresses."),
            _(sj_strerror(err)));
        sj_desk_say(d, msg);
        g_free(msg);
        sj_desk_setup_run(d, connect_session);
    }
}

/* ----------------------------------------------------------- settings */

static void apply_text_size(sj_desk_t *d)
{
    if (d->cfg.large_text)
        gtk_widget_add_css_class(d->window, "large-text");
    else
        gtk_widget_remove_css_class(d->window, "large-text");
}

static void save_cfg(sj_desk_t *d)
{
    GError *e = NULL;
    if (!sj_desk_config_save(&d->cfg, &e)) {
        sj_desk_say(d, e->message);
        g_error_free(e);
    }
}

static void on_large(GtkToggleButton *b, gpointer ud)
{
    sj_desk_t *d = ud;
    d->cfg.large_text = gtk_toggle_button_get_active(b);
    apply_text_size(d);
    save_cfg(d);
}

static void on_sound(GtkToggleButton *b, gpointer ud)
{
    sj_desk_t *d = ud;
    d->cfg.sound = gtk_toggle_button_get_active(b);
    save_cfg(d);
}

static GtkWidget *toggle(sj_desk_t *d, const char *label, bool on, GCallback cb)
{
    GtkWidget *b = gtk_toggle_button_new_with_mnemonic(label);
    sj_desk_a11y_plain(
        b, gtk_label_get_text(GTK_LABEL(gtk_button_get_child(GTK_BUTTON(b)))));
    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(b), on);
    g_signal_connect(b, "toggled", cb, d);
    return b;
}

static void add_page(sj_desk_t *d, GtkWidget *page, const char *name,
                     const char *title)
{
    GtkStackPage *p =
        gtk_stack_add_titled(GTK_STACK(d->stack), page, name, title);
    (void)p;
    sj_desk_a11y(page, title);
}

/* Alt+1 … Alt+5 switch views (full keyboard use). */
static gboolean on_key(GtkEventControllerKey *k, guint key, guint code,
                       GdkModifierType mods, gpointer ud)
{
    (void)k, (void)code;
    sj_desk_t *d = ud;
    static const char *const pages[] = {"board", "claims", "shop", "compacts",
                                        "points"};
    if ((mods & GDK_ALT_MASK) && key >= GDK_KEY_1 && key <= GDK_KEY_5) {
        gtk_stack_set_visible_child_name(GTK_STACK(d->stack),
                                         pages[key - GDK_KEY_1]);
        return TRUE;
    }
    return FALSE;
}

static void build_main(sj_desk_t *d)
{
    GtkCssProvider *p = gtk_css_provider_new();
    gtk_css_provider_load_from_data(p, css, -1);
    gtk_style_context_add_provider_for_display(
        gdk_display_get_default(), GTK_STYLE_PROVIDER(p),
        GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    g_object_unref(p);

    d->model = sj_desk_model_new(0);
    d->alert = sj_desk_alert_new(d);
    GtkWidget *win = adw_application_window_new(GTK_APPLICATION(d->app));
    d->window = win;
    gtk_window_set_title(GTK_WINDOW(win), _("Shangju merchant desk"));
    gtk_window_set_default_size(GTK_WINDOW(win), 1100, 760);

    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    GtkWidget *header = adw_header_bar_new();
    d->stack = gtk_stack_new();
    GtkWidget *sw = gtk_stack_switcher_new();
    gtk_stack_switcher_set_stack(GTK_STACK_SWITCHER(sw), GTK_STACK(d->stack));
    sj_desk_a11y(sw, _("Views"));
    adw_header_bar_set_title_widget(ADW_HEADER_BAR(header), sw);
    d->subtitle = gtk_label_new(_("Connecting…"));
    adw_header_bar_pack_start(ADW_HEADER_BAR(header), d->subtitle);
    GtkWidget *large =
        toggle(d, _("_Larger text"), d->cfg.large_text, G_CALLBACK(on_large));
    GtkWidget *sound =
        toggle(d, _("_Sound"), d->cfg.sound, G_CALLBACK(on_sound));
    adw_header_bar_pack_end(ADW_HEADER_BAR(header), large);
    adw_header_bar_pack_end(ADW_HEADER_BAR(header), sound);
    gtk_box_append(GTK_BOX(box), header);

    d->banner = gtk_revealer_new();
    d->banner_label = gtk_label_new(
        _("Offline: the broker cannot be reached. Reconnecting… The lists "
          "show the last data received; actions are refused until the "
          "connection is back."));
    gtk_label_set_wrap(GTK_LABEL(d->banner_label), TRUE);
    gtk_widget_add_css_class(d->banner_label, "offline-banner");
    gtk_revealer_set_child(GTK_REVEALER(d->banner), d->banner_label);
    gtk_widget_set_visible(d->banner, FALSE);
    gtk_box_append(GTK_BOX(box), d->banner);
    gtk_box_append(GTK_BOX(box), sj_desk_alert_bar(d->alert));

    add_page(d, sj_desk_board_new(d), "board", _("Wish board"));
    add_page(d, sj_desk_claims_new(d), "claims", _("My claims"));
    add_page(d, sj_desk_shop_new(d), "shop", _("My shop"));
    add_page(d, sj_desk_compacts_new(d), "compacts", _("Compacts"));
    add_page(d, sj_desk_points_new(d), "points", _("Points"));
    gtk_widget_set_vexpand(d->stack, TRUE);
    gtk_box_append(GTK_BOX(box), d->stack);

    d->status = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(d->status), 0);
    gtk_label_set_wrap(GTK_LABEL(d->status), TRUE);
    gtk_widget_set_margin_start(d->status, 12);
    gtk_widget_set_margin_end(d->status, 12);
    gtk_widget_set_margin_top(d->status, 6);
    gtk_widget_set_margin_bottom(d->status, 6);
    gtk_accessible_update_property(GTK_ACCESSIBLE(d->status),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                   _("Status"), -1);
    gtk_box_append(GTK_BOX(box), d->status);

    GtkEventController *keys = gtk_event_controller_key_new();
    gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
    g_signal_connect(keys, "key-pressed", G_CALLBACK(on_key), d);
    gtk_widget_add_controller(win, keys);

    adw_application_window_set_content(ADW_APPLICATION_WINDOW(win), box);
    apply_text_size(d);
    g_timeout_add_seconds(TICK_S, tick, d);
    gtk_window_present(GTK_WINDOW(win));
}

void sj_desk_window_build(sj_desk_t *d)
{
    if (d->window)
        return;
    build_main(d);
    if (sj_desk_config_ready(&d->cfg))
        connect_session(d);
    else
        sj_desk_setup_run(d, connect_session);
}
