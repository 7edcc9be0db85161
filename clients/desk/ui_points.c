/* Points: the shop's balance and history, and paying another member for a
 * service their listing offers. The price is read from the listing and
 * shown before paying; the transfer carries it as expected_points, so a
 * price changed meanwhile is refused by the broker, not charged. */
#include <inttypes.h>

#include "sj_topics.h"
#include "ui.h"

struct sj_desk_points {
    sj_desk_t *d;
    GtkWidget *balance, *history, *to, *service, *memo, *pay;
};

static void clear_box(GtkWidget *box)
{
    GtkWidget *c;
    while ((c = gtk_widget_get_first_child(box)))
        gtk_list_box_remove(GTK_LIST_BOX(box), c);
}

static void on_balance(const Shangju__Reply *r, int err, void *ud)
{
    struct sj_desk_points *p = ud;
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_ACCOUNT)
        return;
    const Shangju__Account *a = r->account;
    char *t = g_strdup_printf(_("Balance: %" PRId64 " points (earned %" PRIu64
                                ", spent %" PRIu64 ", received %" PRIu64 ")"),
                              a->balance, a->earned, a->spent, a->received);
    gtk_label_set_text(GTK_LABEL(p->balance), t);
    sj_desk_a11y(p->balance, t);
    g_free(t);
}

static const char *kind_text(const char *kind)
{
    switch (sj_entry_kind_parse(kind)) {
    case SJ_ENTRY_EARN_WISH:
        return _("earned: wish");
    case SJ_ENTRY_EARN_COMPACT:
        return _("earned: compact");
    case SJ_ENTRY_SPEND:
        return _("paid for a service");
    case SJ_ENTRY_RECEIVE:
        return _("received for a service");
    default:
        return kind;
    }
}

static void on_history(const Shangju__Reply *r, int err, void *ud)
{
    struct sj_desk_points *p = ud;
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_ENTRIES)
        return;
    clear_box(p->history);
    for (size_t i = 0; i < r->entries->n_items; i++) {
        const Shangju__LedgerEntry *e = r->entries->items[i];
        char *when = sj_desk_time_text(e->at);
        /* TRANSLATORS: a history line: time, amount, kind, memo. */
        char *t =
            g_strdup_printf(_("%s  %+" PRId64 "  %s  %s"), when, e->amount,
                            kind_text(e->kind), e->memo ? e->memo : "");
        GtkWidget *l = gtk_label_new(t);
        gtk_label_set_xalign(GTK_LABEL(l), 0);
        gtk_list_box_append(GTK_LIST_BOX(p->history), l);
        g_free(t);
        g_free(when);
    }
}

void sj_desk_points_refresh(sj_desk_t *d)
{
    struct sj_desk_points *p = d->points;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__PointsBalance b = SHANGJU__POINTS_BALANCE__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_BALANCE;
    req.points_balance = &b;
    sj_desk_session_send(d->session, &req, on_balance, p);
    Shangju__PointsHistory h = SHANGJU__POINTS_HISTORY__INIT;
    h.limit = 100;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_HISTORY;
    req.points_history = &h;
    sj_desk_session_send(d->session, &req, on_history, p);
}

/* -------------------------------------------------------------- paying */

typedef struct {
    struct sj_desk_points *p;
    uint64_t to;
    char *service, *memo, *shop;
    uint32_t price;
} pay_t;

static void pay_free(pay_t *j)
{
    g_free(j->service);
    g_free(j->memo);
    g_free(j->shop);
    g_free(j);
}

static void on_paid(const Shangju__Reply *r, int err, void *ud)
{
    pay_t *j = ud;
    if (sj_desk_ok(j->p->d, _("Pay"), r, err)) {
        char *m = g_strdup_printf(_("Paid %u points to %s for “%s”."), j->price,
                                  j->shop, j->service);
        sj_desk_say(j->p->d, m);
        g_free(m);
        sj_desk_points_refresh(j->p->d);
    }
    pay_free(j);
}

static void on_confirm(GtkDialog *dlg, int resp, gpointer ud)
{
    pay_t *j = ud;
    gtk_window_destroy(GTK_WINDOW(dlg));
    if (resp != GTK_RESPONSE_ACCEPT) {
        sj_desk_say(j->p->d, _("Payment cancelled."));
        pay_free(j);
        return;
    }
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__PointsTransfer t = SHANGJU__POINTS_TRANSFER__INIT;
    t.to_member = j->to;
    t.service = j->service;
    t.memo = j->memo;
    t.expected_points = j->price;
    req.body_case = SHANGJU__REQUEST__BODY_POINTS_TRANSFER;
    req.points_transfer = &t;
    if (!sj_desk_send(j->p->d, &req, on_paid, j))
        pay_free(j);
}

static void on_price(const Shangju__Reply *r, int err, void *ud)
{
    pay_t *j = ud;
    sj_desk_t *d = j->p->d;
    if (!sj_desk_ok(d, _("Pay"), r, err) ||
        r->body_case != SHANGJU__REPLY__BODY_LISTING) {
        pay_free(j);
        return;
    }
    const Shangju__Listing *l = r->listing;
    for (size_t i = 0; i < l->n_services; i++)
        if (g_strcmp0(l->services[i]->name, j->service) == 0)
            j->price = l->services[i]->points;
    if (!j->price) {
        char *m = g_strdup_printf(_("%s offers no service “%s”."), l->name,
                                  j->service);
        sj_desk_say(d, m);
        g_free(m);
        pay_free(j);
        return;
    }
    j->shop = g_strdup(l->name);
    GtkWidget *dlg = gtk_message_dialog_new(
        GTK_WINDOW(d->window),
        GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_QUESTION,
        GTK_BUTTONS_NONE, _("Pay %u points to %s for “%s”?"), j->price, l->name,
        j->service);
    gtk_dialog_add_buttons(GTK_DIALOG(dlg), _("_Cancel"), GTK_RESPONSE_CANCEL,
                           _("_Pay"), GTK_RESPONSE_ACCEPT, NULL);
    g_signal_connect(dlg, "response", G_CALLBACK(on_confirm), j);
    gtk_window_present(GTK_WINDOW(dlg));
}

static void on_pay(GtkButton *b, gpointer ud)
{
    (void)b;
    struct sj_desk_points *p = ud;
    const char *to = gtk_editable_get_text(GTK_EDITABLE(p->to));
    const char *svc = gtk_editable_get_text(GTK_EDITABLE(p->service));
    char *end = NULL;
    guint64 id = g_ascii_strtoull(to, &end, 10);
    if (!*to || *end || !id || !*svc) {
        sj_desk_say(p->d, _("Give the shop's member number and the service's "
                            "name."));
        return;
    }
    pay_t *j = g_new0(pay_t, 1);
    j->p = p;
    j->to = id;
    j->service = g_strdup(svc);
    j->memo = g_strdup(gtk_editable_get_text(GTK_EDITABLE(p->memo)));
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__ListingGet g = SHANGJU__LISTING_GET__INIT;
    g.merchant_id = id;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_GET;
    req.listing_get = &g;
    if (!sj_desk_send(p->d, &req, on_price, j))
        pay_free(j);
}

GtkWidget *sj_desk_points_new(sj_desk_t *d)
{
    struct sj_desk_points *p = g_new0(struct sj_desk_points, 1);
    p->d = d;
    d->points = p;
    GtkWidget *page = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
    gtk_widget_set_margin_start(page, 16);
    gtk_widget_set_margin_end(page, 16);
    gtk_widget_set_margin_top(page, 12);
    p->balance = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(p->balance), 0);
    gtk_widget_add_css_class(p->balance, "title-3");
    gtk_box_append(GTK_BOX(page), p->balance);
    p->history = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(p->history),
                                    GTK_SELECTION_NONE);
    sj_desk_a11y(p->history, _("Points history"));
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), p->history);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_box_append(GTK_BOX(page), scroll);
    GtkWidget *title = gtk_label_new(_("Pay for a listed service"));
    gtk_label_set_xalign(GTK_LABEL(title), 0);
    gtk_widget_add_css_class(title, "heading");
    gtk_box_append(GTK_BOX(page), title);
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
    p->to = sj_desk_grid_entry(grid, 0, _("Shop's _member number"));
    p->service = sj_desk_grid_entry(grid, 1, _("S_ervice"));
    p->memo = sj_desk_grid_entry(grid, 2, _("_Note"));
    p->pay = sj_desk_button(_("_Pay…"));
    g_signal_connect(p->pay, "clicked", G_CALLBACK(on_pay), p);
    gtk_grid_attach(GTK_GRID(grid), p->pay, 1, 3, 1, 1);
    gtk_box_append(GTK_BOX(page), grid);
    return page;
}
