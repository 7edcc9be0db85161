/* The new-wish alert: when a wish in the shop's categories appears, a bar
 * names it with an Acknowledge button, a sound repeats every few seconds
 * until someone acknowledges (unless sound is turned off), and a desktop
 * notification is raised. The categories are the settings' list, or else
 * the listing's category, or else every category. */
#include <gsound.h>

#include "ui.h"

#define REPEAT_S 4

struct sj_desk_alert {
    sj_desk_t *d;
    GSoundContext *snd; /* NULL when no sound system is there */
    GtkWidget *bar, *label;
    guint repeat;
    unsigned pending; /* wishes not yet acknowledged */
};

static void play(sj_desk_alert_t *a)
{
    if (!a->snd || !a->d->cfg.sound)
        return;
    gsound_context_play_simple(
        a->snd, NULL, NULL, GSOUND_ATTR_EVENT_ID, "message-new-instant",
        GSOUND_ATTR_EVENT_DESCRIPTION, _("New wish"), NULL);
}

static gboolean again(gpointer ud)
{
    play(ud);
    return G_SOURCE_CONTINUE;
}

static void acknowledge(GtkButton *b, gpointer ud)
{
    (void)b;
    sj_desk_alert_t *a = ud;
    a->pending = 0;
    if (a->repeat) {
        g_source_remove(a->repeat);
        a->repeat = 0;
    }
    gtk_revealer_set_reveal_child(GTK_REVEALER(a->bar), FALSE);
    gtk_widget_set_visible(a->bar, FALSE);
    g_application_withdraw_notification(G_APPLICATION(a->d->app), "new-wish");
}

sj_desk_alert_t *sj_desk_alert_new(sj_desk_t *d)
{
    sj_desk_alert_t *a = g_new0(sj_desk_alert_t, 1);
    a->d = d;
    a->snd = gsound_context_new(NULL, NULL); /* NULL: no sound, no alarm */
    a->bar = gtk_revealer_new();
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_add_css_class(box, "alert-bar");
    a->label = gtk_label_new("");
    gtk_widget_set_hexpand(a->label, TRUE);
    gtk_label_set_xalign(GTK_LABEL(a->label), 0);
    gtk_label_set_wrap(GTK_LABEL(a->label), TRUE);
    GtkWidget *ack = sj_desk_button(_("_Acknowledge"));
    g_signal_connect(ack, "clicked", G_CALLBACK(acknowledge), a);
    gtk_box_append(GTK_BOX(box), a->label);
    gtk_box_append(GTK_BOX(box), ack);
    gtk_revealer_set_child(GTK_REVEALER(a->bar), box);
    gtk_widget_set_visible(a->bar, FALSE);
    return a;
}

void sj_desk_alert_free(sj_desk_alert_t **self)
{
    if (!self || !*self)
        return;
    sj_desk_alert_t *a = *self;
    if (a->repeat)
        g_source_remove(a->repeat);
    g_clear_object(&a->snd);
    g_free(a);
    *self = NULL;
}

GtkWidget *sj_desk_alert_bar(sj_desk_alert_t *a)
{
    return a->bar;
}

static bool wanted(sj_desk_alert_t *a, const Shangju__Wish *w)
{
    const char *cats = a->d->cfg.categories;
    if ((!cats || !*cats) && a->d->listing)
        cats = a->d->listing->category;
    return sj_desk_category_in(cats, w->category);
}

void sj_desk_alert_wish(sj_desk_alert_t *a, const Shangju__Wish *w)
{
    if (!wanted(a, w))
        return;
    a->pending++;
    /* TRANSLATORS: the alert bar: how many new wishes, the newest title. */
    char *text = g_strdup_printf(dngettext(SJ_TEXTDOMAIN, "%u new wish: “%s”",
                                           "%u new wishes: “%s”", a->pending),
                                 a->pending, w->title);
    gtk_label_set_text(GTK_LABEL(a->label), text);
    sj_desk_a11y(a->label, text);
    gtk_widget_set_visible(a->bar, TRUE);
    gtk_revealer_set_reveal_child(GTK_REVEALER(a->bar), TRUE);
    GNotification *n = g_notification_new(_("New wish"));
    g_notification_set_body(n, text);
    g_notification_set_priority(n, G_NOTIFICATION_PRIORITY_HIGH);
    g_application_send_notification(G_APPLICATION(a->d->app), "new-wish", n);
    g_object_unref(n);
    g_free(text);
    play(a);
    if (!a->repeat)
        a->repeat = g_timeout_add_seconds(REPEAT_S, again, a);
}
