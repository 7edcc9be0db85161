/* My claims: the wishes this shop holds, soonest due first, with the time
 * left, the resident's contact (shown while the claim is live), Fulfil
 * with the hand-over code and Release. The hand-over field takes what a
 * USB barcode scanner types (the whole hand-over URL, then Enter) as well
 * as a typed code: a URL names its wish and fulfils it at once; a bare
 * code goes with the row's Fulfil button (or the only claim there is). */
#include "ui.h"

struct sj_desk_claims {
    sj_desk_t *d;
    GtkWidget *code;
    GPtrArray *rows;
};

typedef struct {
    sj_desk_t *d;
    char *title;
} act_job_t;

static act_job_t *job(sj_desk_t *d, const char *title)
{
    act_job_t *j = g_new(act_job_t, 1);
    j->d = d;
    j->title = g_strdup(title);
    return j;
}

static void job_free(act_job_t *j)
{
    g_free(j->title);
    g_free(j);
}

static void on_fulfilled(const Shangju__Reply *r, int err, void *ud)
{
    act_job_t *j = ud;
    sj_desk_t *d = j->d;
    if (sj_desk_ok(d, _("Fulfil"), r, err)) {
        if (r->body_case == SHANGJU__REPLY__BODY_WISH)
            sj_desk_model_apply(d->model, r->wish);
        bool verified =
            r->body_case == SHANGJU__REPLY__BODY_WISH && r->wish->verified;
        char *m = g_strdup_printf(
            verified ? _("Fulfilled “%s”, verified with the hand-over code.")
                     : _("Fulfilled “%s”. The resident will confirm."),
            j->title);
        sj_desk_say(d, m);
        g_free(m);
        gtk_editable_set_text(GTK_EDITABLE(d->claims->code), "");
    }
    job_free(j);
}

static void fulfil(sj_desk_t *d, uint64_t id, const char *title,
                   const char *code)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishFulfil wf = SHANGJU__WISH_FULFIL__INIT;
    wf.id = id;
    wf.handover_code = (char *)code;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_FULFIL;
    req.wish_fulfil = &wf;
    act_job_t *j = job(d, title);
    if (!sj_desk_send(d, &req, on_fulfilled, j))
        job_free(j);
}

/* The code in the hand-over field for wish `id` (0: whichever the URL
 * names). Says what is wrong and returns false otherwise. */
static bool read_code(sj_desk_t *d, uint64_t *id, char **code)
{
    const char *in = gtk_editable_get_text(GTK_EDITABLE(d->claims->code));
    uint64_t named = 0;
    if (!sj_desk_handover_parse(in, &named, code)) {
        sj_desk_say(d, _("That is not a hand-over code: scan the resident's "
                         "hand-over QR or type the code."));
        gtk_widget_error_bell(d->window);
        return false;
    }
    if (*id && named && named != *id) {
        sj_desk_say(d, _("That hand-over code belongs to another wish."));
        gtk_widget_error_bell(d->window);
        g_free(*code);
        *code = NULL;
        return false;
    }
    if (!*id)
        *id = named;
    return true;
}

static void on_code_activate(GtkEntry *e, gpointer ud)
{
    (void)e;
    sj_desk_t *d = ud;
    uint64_t id = 0;
    char *code = NULL;
    if (!read_code(d, &id, &code))
        return;
    GListModel *mine = sj_desk_model_claims(d->model);
    if (!id && g_list_model_get_n_items(mine) == 1) {
        SjDeskWish *w = g_list_model_get_item(mine, 0);
        id = w->id;
        g_object_unref(w);
    }
    if (!id) {
        sj_desk_say(d, _("Press Fulfil on the claim this code is for."));
        g_free(code);
        return;
    }
    SjDeskWish *w = sj_desk_model_find(d->model, id);
    char *title = g_strdup_printf("#%" G_GUINT64_FORMAT, id);
    fulfil(d, id, w ? w->title : title, code);
    g_free(title);
    g_free(code);
}

static void on_fulfil(GtkButton *b, gpointer ud)
{
    sj_desk_t *d = ud;
    SjDeskWish *w = g_object_get_data(G_OBJECT(b), "wish");
    if (!w)
        return;
    uint64_t id = w->id;
    char *code = NULL;
    if (!read_code(d, &id, &code))
        return;
    fulfil(d, id, w->title, code);
    g_free(code);
}

static void on_released(const Shangju__Reply *r, int err, void *ud)
{
    act_job_t *j = ud;
    if (sj_desk_ok(j->d, _("Release"), r, err)) {
        if (r->body_case == SHANGJU__REPLY__BODY_WISH)
            sj_desk_model_apply(j->d->model, r->wish);
        char *m =
            g_strdup_printf(_("Released “%s”: it is open again."), j->title);
        sj_desk_say(j->d, m);
        g_free(m);
    }
    job_free(j);
}

static void on_release(GtkButton *b, gpointer ud)
{
    sj_desk_t *d = ud;
    SjDeskWish *w = g_object_get_data(G_OBJECT(b), "wish");
    if (!w)
        return;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__WishRelease wr = SHANGJU__WISH_RELEASE__INIT;
    wr.id = w->id;
    req.body_case = SHANGJU__REQUEST__BODY_WISH_RELEASE;
    req.wish_release = &wr;
    act_job_t *j = job(d, w->title);
    if (!sj_desk_send(d, &req, on_released, j))
        job_free(j);
}

/* ----------------------------------------------------------------- rows */

static GtkWidget *label(GtkWidget *box, const char *css)
{
    GtkWidget *l = gtk_label_new("");
    gtk_label_set_xalign(GTK_LABEL(l), 0);
    gtk_label_set_wrap(GTK_LABEL(l), TRUE);
    gtk_label_set_selectable(GTK_LABEL(l), FALSE);
    if (css)
        gtk_widget_add_css_class(l, css);
    gtk_box_append(GTK_BOX(box), l);
    return l;
}

static void setup(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_claims *c = ud;
    GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_add_css_class(row, "wish-row");
    GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    gtk_widget_set_hexpand(text, TRUE);
    g_object_set_data(G_OBJECT(row), "title", label(text, "wish-title"));
    g_object_set_data(G_OBJECT(row), "contact", label(text, NULL));
    g_object_set_data(G_OBJECT(row), "due", label(text, NULL));
    GtkWidget *ful = gtk_button_new_with_label(_("Fulfil"));
    gtk_widget_add_css_class(ful, "suggested-action");
    GtkWidget *rel = gtk_button_new_with_label(_("Release"));
    gtk_widget_set_valign(ful, GTK_ALIGN_CENTER);
    gtk_widget_set_valign(rel, GTK_ALIGN_CENTER);
    g_signal_connect(ful, "clicked", G_CALLBACK(on_fulfil), c->d);
    g_signal_connect(rel, "clicked", G_CALLBACK(on_release), c->d);
    gtk_box_append(GTK_BOX(row), text);
    gtk_box_append(GTK_BOX(row), ful);
    gtk_box_append(GTK_BOX(row), rel);
    g_object_set_data(G_OBJECT(row), "fulfil", ful);
    g_object_set_data(G_OBJECT(row), "release", rel);
    gtk_list_item_set_child(li, row);
}

static void paint(GtkWidget *row, SjDeskWish *w)
{
    char *left = sj_desk_countdown_text(sj_desk_now_ms(), w->due_at);
    char *when = sj_desk_time_text(w->due_at);
    /* TRANSLATORS: due date, then the time left. */
    char *due = g_strdup_printf(_("Due %s (%s)"), when, left);
    GtkWidget *l = g_object_get_data(G_OBJECT(row), "due");
    gtk_label_set_text(GTK_LABEL(l), due);
    sj_desk_a11y(l, due);
    g_free(due);
    g_free(when);
    g_free(left);
}

static void set_wish(GtkWidget *w, const char *key, SjDeskWish *item)
{
    g_object_set_data_full(G_OBJECT(w), key, item ? g_object_ref(item) : NULL,
                           item ? g_object_unref : NULL);
}

static void bind(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_claims *c = ud;
    SjDeskWish *w = gtk_list_item_get_item(li);
    GtkWidget *row = gtk_list_item_get_child(li);
    gtk_label_set_text(GTK_LABEL(g_object_get_data(G_OBJECT(row), "title")),
                       w->title);
    const char *contact = *w->owner_contact ? w->owner_contact : "-";
    const char *bld = *w->building ? w->building : "-";
    char *who = *w->owner_name
                    /* TRANSLATORS: the resident, the building, contact. */
                    ? g_strdup_printf(_("%s, %s — contact: %s"), w->owner_name,
                                      bld, contact)
                    : g_strdup_printf(_("%s — contact: %s"), bld, contact);
    GtkWidget *cl = g_object_get_data(G_OBJECT(row), "contact");
    gtk_label_set_text(GTK_LABEL(cl), who);
    sj_desk_a11y(cl, who);
    g_free(who);
    GtkWidget *ful = g_object_get_data(G_OBJECT(row), "fulfil");
    GtkWidget *rel = g_object_get_data(G_OBJECT(row), "release");
    set_wish(ful, "wish", w);
    set_wish(rel, "wish", w);
    set_wish(row, "wish", w);
    char *n = g_strdup_printf(_("Fulfil “%s”"), w->title);
    sj_desk_a11y(ful, n);
    g_free(n);
    n = g_strdup_printf(_("Release “%s”"), w->title);
    sj_desk_a11y(rel, n);
    g_free(n);
    paint(row, w);
    g_ptr_array_add(c->rows, row);
}

static void unbind(GtkSignalListItemFactory *f, GtkListItem *li, gpointer ud)
{
    (void)f;
    struct sj_desk_claims *c = ud;
    GtkWidget *row = gtk_list_item_get_child(li);
    g_ptr_array_remove_fast(c->rows, row);
    set_wish(row, "wish", NULL);
    set_wish(g_object_get_data(G_OBJECT(row), "fulfil"), "wish", NULL);
    set_wish(g_object_get_data(G_OBJECT(row), "release"), "wish", NULL);
}

void sj_desk_claims_tick(sj_desk_t *d)
{
    sj_desk_repaint(d->claims->rows, paint);
}

GtkWidget *sj_desk_claims_new(sj_desk_t *d)
{
    struct sj_desk_claims *c = g_new0(struct sj_desk_claims, 1);
    c->d = d;
    d->claims = c;
    c->rows = g_ptr_array_new();
    GtkWidget *page = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *bar = sj_desk_bar();
    GtkWidget *l =
        gtk_label_new_with_mnemonic(_("_Hand-over code (type or scan)"));
    c->code = gtk_entry_new();
    gtk_widget_set_hexpand(c->code, TRUE);
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), c->code);
    sj_desk_a11y_plain(c->code, gtk_label_get_text(GTK_LABEL(l)));
    g_signal_connect(c->code, "activate", G_CALLBACK(on_code_activate), d);
    gtk_box_append(GTK_BOX(bar), l);
    gtk_box_append(GTK_BOX(bar), c->code);
    gtk_box_append(GTK_BOX(page), bar);

    GtkListItemFactory *f = gtk_signal_list_item_factory_new();
    g_signal_connect(f, "setup", G_CALLBACK(setup), c);
    g_signal_connect(f, "bind", G_CALLBACK(bind), c);
    g_signal_connect(f, "unbind", G_CALLBACK(unbind), c);
    GListModel *src = sj_desk_model_claims(d->model);
    gtk_box_append(GTK_BOX(page),
                   sj_desk_list_view(g_object_ref(src), f, _("My claims")));
    return page;
}
