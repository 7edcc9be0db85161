/* The wish board: open wishes, live, newest on top, filtered by category
 * and building; each row with title, building, age (refreshed each minute)
 * and a Claim button, coloured by age. */
#include "ui.h"

struct sj_desk_board {
    sj_desk_t *d;
    GtkWidget *category, *building, *count;
    GtkCustomFilter *filter;
    GtkFilterListModel *filtered;
    GPtrArray *rows; /* bound row boxes, for the minute tick */
};

static gboolean keep(gpointer item, gpointer ud)
{
    struct sj_desk_board *b = ud;
    return sj_desk_wish_matches(
        item, gtk_editable_get_text(GTK_EDITABLE(b->category)),
        gtk_editable_get_text(GTK_EDITABLE(b->building)));
}

static void on_filter(GtkEditable *e, gpointer ud)
{
    (void)e;
    struct sj_desk_board *b = ud;
    gtk_filter_changed(GTK_FILTER(b->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void update_count(struct sj_desk_board *b)
{
    guint n = g_list_model_get_n_items(G_LIST_MODEL(b->filtered));
    char *s = g_strdup_printf(
        dngettext(SJ_TEXTDOMAIN, "%u open wish", "%u open wishes", n), n);
    gtk_label_set_text(GTK_LABEL(b->count), s);
    g_free(s);
}

static void on_items(GListModel *m, guint pos, guint rem, guint add,
                     gpointer ud)
{
    (void)m, (void)pos, (void)rem, (void)add;
    update_count(ud);
}

/* ------------------------------------------------------------- claiming */

typedef struct {
    sj_desk_t *d;
    uint64_t id;
    char *title;
} claim_job_t;

static void on_claimed(const Shangju__Reply *r, int err, void *ud)
{
    claim_job_t *j = ud;
    sj_desk_t *d = j->d;
    if (sj_desk_ok(d, _("Claim"), r, err)) {
        if (r->body_case == SHANGJU__REPLY__BODY_WISH)
            sj_desk_model_apply(d->model, r->wish);
        char *m = g_strdup_printf(_("Claimed “%s”. It is under My claims."),
                                  j->title);
        sj_desk_say(d, m);
        g_free(m);
    } else if (!err &&
               r->status == SHANGJU__STATUS__STATUS_FAILED_PRECONDITION) {
        /* Someone else was faster: the board shows the truth on refresh. */
        sj_desk_session_refresh(d->session);
    }
    g_free(j->title);
    g_free(j);
}

static void on_claim(GtkButton *btn, gpointer ud)
{
    struct sj_desk_board *b = ud;
    SjDeskWish *w = g_object_get_data(G_OBJECT(btn), "wish");
    if (!w)
        return;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishClaim wc = SHANGJU__WISH_CLAIM__INIT;
    wc.id = w->id;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_CLAIM;
    req.wish_claim = &wc;
    claim_job_t *j = g_new(claim_job_t, 1);
    j->d = b->d;
    j->id = w->id;
    j->title = g_strdup(w->title);
    if (!sj_desk_send(b->d, &req, on_claimed, j)) {
        g_free(j->title);
        g_free(j);
    }
}

/* ----------------------------------------------------------------- rows */

static void setup(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_board *b = ud;
    GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_add_css_class(row, "wish-row");
    GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    gtk_widget_set_hexpand(text, TRUE);
    GtkWidget *title = gtk_label_new("");
    gtk_widget_add_css_class(title, "wish-title");
    gtk_label_set_xalign(GTK_LABEL(title), 0);
    gtk_label_set_wrap(GTK_LABEL(title), TRUE);
    GtkWidget *meta = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(meta), 0);
    gtk_label_set_wrap(GTK_LABEL(meta), TRUE);
    gtk_box_append(GTK_BOX(text), title);
    gtk_box_append(GTK_BOX(text), meta);
    GtkWidget *claim = gtk_button_new_with_label(_("Claim"));
    gtk_widget_add_css_class(claim, "suggested-action");
    gtk_widget_set_valign(claim, GTK_ALIGN_CENTER);
    g_signal_connect(claim, "clicked", G_CALLBACK(on_claim), b);
    gtk_box_append(GTK_BOX(row), text);
    gtk_box_append(GTK_BOX(row), claim);
    g_object_set_data(G_OBJECT(row), "title", title);
    g_object_set_data(G_OBJECT(row), "meta", meta);
    g_object_set_data(G_OBJECT(row), "claim", claim);
    gtk_list_item_set_child(li, row);
}

/* Fill a row's age-dependent parts for now. */
static void paint(GtkWidget *row, SjDeskWish *w)
{
    int64_t now = sj_desk_now_ms();
    for (int a = SJ_DESK_AGE_FRESH; a <= SJ_DESK_AGE_OLD; a++)
        gtk_widget_remove_css_class(row, sj_desk_age_css(a));
    gtk_widget_add_css_class(
        row, sj_desk_age_css(sj_desk_age_class(now, w->created_at)));
    char *age = sj_desk_age_text(now, w->created_at);
    /* TRANSLATORS: a board row: category · building · age. */
    char *meta = g_strdup_printf(_("%s · %s · %s"),
                                 *w->category ? w->category : _("other"),
                                 *w->building ? w->building : "-", age);
    GtkWidget *l = g_object_get_data(G_OBJECT(row), "meta");
    gtk_label_set_text(GTK_LABEL(l), meta);
    sj_desk_a11y(l, meta);
    g_free(meta);
    g_free(age);
}

static void bind(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_board *b = ud;
    SjDeskWish *w = gtk_list_item_get_item(li);
    GtkWidget *row = gtk_list_item_get_child(li);
    GtkWidget *title = g_object_get_data(G_OBJECT(row), "title");
    gtk_label_set_text(GTK_LABEL(title), w->title);
    GtkWidget *claim = g_object_get_data(G_OBJECT(row), "claim");
    g_object_set_data_full(G_OBJECT(claim), "wish", g_object_ref(w),
                           g_object_unref);
    /* TRANSLATORS: the accessible name of a board row's Claim button. */
    char *name = g_strdup_printf(_("Claim “%s”"), w->title);
    sj_desk_a11y(claim, name);
    g_free(name);
    g_object_set_data_full(G_OBJECT(row), "wish", g_object_ref(w),
                           g_object_unref);
    paint(row, w);
    g_ptr_array_add(b->rows, row);
}

static void unbind(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_board *b = ud;
    GtkWidget *row = gtk_list_item_get_child(li);
    g_ptr_array_remove_fast(b->rows, row);
    g_object_set_data(G_OBJECT(row), "wish", NULL);
    g_object_set_data(G_OBJECT(g_object_get_data(G_OBJECT(row), "claim")),
                      "wish", NULL);
}

void sj_desk_board_tick(sj_desk_t *d)
{
    sj_desk_repaint(d->board->rows, paint);
}

static GtkWidget *filter_entry(struct sj_desk_board *b, const char *label,
                               GtkWidget *box)
{
    GtkWidget *l = gtk_label_new_with_mnemonic(label);
    GtkWidget *e = gtk_entry_new();
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), e);
    sj_desk_a11y_plain(e, gtk_label_get_text(GTK_LABEL(l)));
    g_signal_connect(e, "changed", G_CALLBACK(on_filter), b);
    gtk_box_append(GTK_BOX(box), l);
    gtk_box_append(GTK_BOX(box), e);
    return e;
}

GtkWidget *sj_desk_board_new(sj_desk_t *d)
{
    struct sj_desk_board *b = g_new0(struct sj_desk_board, 1);
    b->d = d;
    d->board = b;
    b->rows = g_ptr_array_new();
    GtkWidget *page = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *bar = sj_desk_bar();
    b->category = filter_entry(b, _("_Category"), bar);
    b->building = filter_entry(b, _("_Building"), bar);
    b->count = gtk_label_new("");
    gtk_widget_set_hexpand(b->count, TRUE);
    gtk_label_set_xalign(GTK_LABEL(b->count), 1);
    gtk_box_append(GTK_BOX(bar), b->count);
    gtk_box_append(GTK_BOX(page), bar);

    b->filter = gtk_custom_filter_new(keep, b, NULL);
    GListModel *src = sj_desk_model_board(d->model);
    b->filtered = gtk_filter_list_model_new(
        g_object_ref(src), GTK_FILTER(g_object_ref(b->filter)));
    g_signal_connect(b->filtered, "items-changed", G_CALLBACK(on_items), b);
    GtkListItemFactory *f = gtk_signal_list_item_factory_new();
    g_signal_connect(f, "setup", G_CALLBACK(setup), b);
    g_signal_connect(f, "bind", G_CALLBACK(bind), b);
    g_signal_connect(f, "unbind", G_CALLBACK(unbind), b);
    gtk_box_append(GTK_BOX(page),
                   sj_desk_list_view(g_object_ref(G_LIST_MODEL(b->filtered)), f,
                                     _("Open wishes")));
    update_count(b);
    return page;
}
