/* Compacts (六约) the shop is a party to: each with its state, version,
 * term, items and covenant, and the shop's part in it: sign the current
 * version (谈约/签约), record a performance of an item it gives (履约),
 * confirm a performance another party recorded of an item given to the shop
 * (only then does its giver earn points), rate the other parties when the
 * term is over (评约). The broker decides
 * what is allowed when; the view offers each action in the state where it
 * applies and shows the broker's answer. */
#include <inttypes.h>

#include "ui.h"

struct sj_desk_compacts {
    sj_desk_t *d;
    GtkWidget *list;
    bool loading;
    bool again; /* asked for while loading: load once more after */
};

static const char *state_text(Shangju__CompactState s)
{
    switch (s) {
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_NEGOTIATING:
        return _("negotiating (谈约)");
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_SIGNED:
        return _("signed (签约)");
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_PUBLISHED:
        return _("published (亮约)");
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE:
        return _("active (履约)");
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_EVALUATING:
        return _("evaluating (评约)");
    case SHANGJU__COMPACT_STATE__COMPACT_STATE_CLOSED:
        return _("closed");
    default:
        return "-";
    }
}

typedef struct {
    sj_desk_t *d;
    uint64_t id;
    uint32_t version;
    GBytes *hash;
    GtkWidget *item, *note, *party, *stars;
    GArray *items;   /* uint32 item ids, as in the item drop-down */
    GArray *parties; /* uint64 party ids, as in the party drop-down */
} card_t;

static void card_free(gpointer p)
{
    card_t *c = p;
    g_bytes_unref(c->hash);
    g_array_unref(c->items);
    g_array_unref(c->parties);
    g_free(c);
}

static void on_done(const Shangju__Reply *r, int err, void *ud)
{
    sj_desk_t *d = ud;
    if (sj_desk_ok(d, _("Compact"), r, err)) {
        sj_desk_say(d, _("Done: the compact was updated."));
        sj_desk_compacts_refresh(d);
    }
}

static void on_sign(GtkButton *b, gpointer ud)
{
    (void)b;
    card_t *c = ud;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactSign s = SHANGJU__COMPACT_SIGN__INIT;
    s.id = c->id;
    s.version = c->version;
    gsize n = 0;
    s.version_hash.data = (uint8_t *)g_bytes_get_data(c->hash, &n);
    s.version_hash.len = n;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_SIGN;
    req.compact_sign = &s;
    sj_desk_send(c->d, &req, on_done, c->d);
}

static void on_perform(GtkButton *b, gpointer ud)
{
    (void)b;
    card_t *c = ud;
    guint i = gtk_drop_down_get_selected(GTK_DROP_DOWN(c->item));
    if (i == GTK_INVALID_LIST_POSITION || i >= c->items->len)
        return;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactPerform p = SHANGJU__COMPACT_PERFORM__INIT;
    p.id = c->id;
    p.item_id = g_array_index(c->items, uint32_t, i);
    p.note = (char *)gtk_editable_get_text(GTK_EDITABLE(c->note));
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_PERFORM;
    req.compact_perform = &p;
    sj_desk_send(c->d, &req, on_done, c->d);
}

static void on_rate(GtkButton *b, gpointer ud)
{
    (void)b;
    card_t *c = ud;
    guint i = gtk_drop_down_get_selected(GTK_DROP_DOWN(c->party));
    if (i == GTK_INVALID_LIST_POSITION || i >= c->parties->len)
        return;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactRate r = SHANGJU__COMPACT_RATE__INIT;
    r.id = c->id;
    r.of_id = g_array_index(c->parties, uint64_t, i);
    r.stars =
        (uint32_t)gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(c->stars));
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_RATE;
    req.compact_rate = &r;
    sj_desk_send(c->d, &req, on_done, c->d);
}

/* Confirm one performance: the button carries its number. */
static void on_confirm(GtkButton *b, gpointer ud)
{
    card_t *c = ud;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactConfirm q = SHANGJU__COMPACT_CONFIRM__INIT;
    q.id = c->id;
    q.performance_id =
        GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(b), "performance"));
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_CONFIRM;
    req.compact_confirm = &q;
    sj_desk_send(c->d, &req, on_done, c->d);
}

static GtkWidget *text(GtkWidget *box, const char *s, const char *css)
{
    GtkWidget *l = gtk_label_new(s);
    gtk_label_set_xalign(GTK_LABEL(l), 0);
    gtk_label_set_wrap(GTK_LABEL(l), TRUE);
    if (css)
        gtk_widget_add_css_class(l, css);
    gtk_box_append(GTK_BOX(box), l);
    return l;
}

static GtkWidget *action(GtkWidget *box, const char *label, const char *title,
                         GCallback cb, card_t *c)
{
    GtkWidget *b = gtk_button_new_with_label(label);
    char *n = g_strdup_printf("%s: %s", label, title);
    sj_desk_a11y(b, n);
    g_free(n);
    g_signal_connect(b, "clicked", cb, c);
    gtk_box_append(GTK_BOX(box), b);
    return b;
}

static const Shangju__ServiceItem *item_of(const Shangju__Compact *k,
                                           uint32_t id)
{
    for (size_t i = 0; i < k->n_items; i++)
        if (k->items[i]->id == id)
            return k->items[i];
    return NULL;
}

/* Performances the shop is to confirm: of items given to it, recorded by
 * someone else, not confirmed yet (the broker's rule, shown, not
 * enforced here). */
static void awaiting(GtkWidget *box, const Shangju__Compact *k, card_t *c)
{
    uint64_t me = c->d->me;
    GtkWidget *ch;
    while ((ch = gtk_widget_get_first_child(box)))
        gtk_box_remove(GTK_BOX(box), ch);
    for (size_t i = 0; i < k->n_performances; i++) {
        const Shangju__Performance *p = k->performances[i];
        const Shangju__ServiceItem *it = item_of(k, p->item_id);
        if (p->confirmed || !p->id || !it || it->receiver_id != me ||
            it->giver_id == me || p->party_id == me)
            continue;
        GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
        char *when = sj_desk_time_text(p->date);
        char *line = g_strdup_printf(
            _("Performance %u: #%" PRIu64 " gave “%s” on %s%s%s"), p->id,
            it->giver_id, it->what, when, p->note && *p->note ? " — " : "",
            p->note ? p->note : "");
        text(row, line, NULL);
        GtkWidget *b = gtk_button_new_with_label(_("Confirm received"));
        char *n =
            g_strdup_printf(_("Confirm performance %u: %s"), p->id, k->title);
        sj_desk_a11y(b, n);
        g_object_set_data(G_OBJECT(b), "performance", GUINT_TO_POINTER(p->id));
        g_signal_connect(b, "clicked", G_CALLBACK(on_confirm), c);
        gtk_box_append(GTK_BOX(row), b);
        gtk_box_append(GTK_BOX(box), row);
        g_free(n);
        g_free(line);
        g_free(when);
    }
}

/* The list carries summaries (no performances): the whole compact comes
 * with CompactGet. The card may be gone by then (a newer list): the reply
 * finds its box through a weak reference. */
static void on_whole(const Shangju__Reply *r, int err, void *ud)
{
    GWeakRef *ref = ud;
    GtkWidget *box = g_weak_ref_get(ref);
    g_weak_ref_clear(ref);
    g_free(ref);
    if (!box)
        return;
    card_t *c = g_object_get_data(G_OBJECT(box), "card");
    if (!err && r->status == SHANGJU__STATUS__STATUS_OK &&
        r->body_case == SHANGJU__REPLY__BODY_COMPACT && r->compact &&
        r->compact->id == c->id)
        awaiting(box, r->compact, c);
    g_object_unref(box);
}

/* Does the shop receive an item someone else gives? */
static bool receives(const Shangju__Compact *k, uint64_t me)
{
    for (size_t i = 0; i < k->n_items; i++)
        if (k->items[i]->receiver_id == me && k->items[i]->giver_id != me)
            return true;
    return false;
}

static void load_awaiting(GtkWidget *card_box, card_t *c)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
    g_object_set_data(G_OBJECT(box), "card", c);
    gtk_box_append(GTK_BOX(card_box), box);
    GWeakRef *ref = g_new0(GWeakRef, 1);
    g_weak_ref_init(ref, box);
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactGet g = SHANGJU__COMPACT_GET__INIT;
    g.id = c->id;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_GET;
    req.compact_get = &g;
    if (sj_desk_session_send(c->d->session, &req, on_whole, ref) != 0) {
        g_weak_ref_clear(ref);
        g_free(ref);
    }
}

static bool signed_by(const Shangju__Compact *k, uint64_t me)
{
    for (size_t i = 0; i < k->n_signatures; i++)
        if (k->signatures[i]->party_id == me &&
            k->signatures[i]->version == k->version)
            return true;
    return false;
}

static GtkWidget *card(sj_desk_t *d, const Shangju__Compact *k)
{
    card_t *c = g_new0(card_t, 1);
    c->d = d;
    c->id = k->id;
    c->version = k->version;
    c->hash = g_bytes_new(k->version_hash.data, k->version_hash.len);
    c->items = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->parties = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
    gtk_widget_add_css_class(box, "wish-row");
    g_object_set_data_full(G_OBJECT(box), "card", c, card_free);
    text(box, k->title, "wish-title");
    char *term = sj_desk_term_text(k->term_start, k->term_end);
    char *head = g_strdup_printf(_("%s · version %u · term %s"),
                                 state_text(k->state), k->version, term);
    text(box, head, NULL);
    g_free(head);
    g_free(term);
    GtkStringList *mine = gtk_string_list_new(NULL);
    for (size_t i = 0; i < k->n_items; i++) {
        const Shangju__ServiceItem *it = k->items[i];
        char *to_whom = it->receiver_id
                            ? g_strdup_printf("#%" PRIu64, it->receiver_id)
                            : g_strdup(_("the community"));
        char *line =
            g_strdup_printf(_("%u. #%" PRIu64 " gives “%s” (%s) to %s"), it->id,
                            it->giver_id, it->what, it->how_often, to_whom);
        text(box, line, NULL);
        g_free(line);
        g_free(to_whom);
        if (it->giver_id == d->me) {
            g_array_append_val(c->items, it->id);
            gtk_string_list_append(mine, it->what);
        }
    }
    if (k->covenant && *k->covenant) {
        char *cov = g_strdup_printf(_("Covenant: %s"), k->covenant);
        text(box, cov, NULL);
        g_free(cov);
    }
    GtkWidget *acts = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    Shangju__CompactState st = k->state;
    if (st == SHANGJU__COMPACT_STATE__COMPACT_STATE_NEGOTIATING) {
        if (signed_by(k, d->me))
            text(acts, _("You signed this version."), NULL);
        else
            action(acts, _("Sign this version"), k->title, G_CALLBACK(on_sign),
                   c);
    }
    if (st == SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE && c->items->len) {
        c->item = gtk_drop_down_new(G_LIST_MODEL(mine), NULL);
        mine = NULL;
        sj_desk_a11y(c->item, _("Item performed"));
        c->note = gtk_entry_new();
        sj_desk_a11y(c->note, _("Performance note"));
        gtk_box_append(GTK_BOX(acts), c->item);
        gtk_box_append(GTK_BOX(acts), c->note);
        action(acts, _("Record performance"), k->title, G_CALLBACK(on_perform),
               c);
    }
    if ((st == SHANGJU__COMPACT_STATE__COMPACT_STATE_ACTIVE ||
         st == SHANGJU__COMPACT_STATE__COMPACT_STATE_EVALUATING) &&
        receives(k, d->me))
        load_awaiting(box, c);
    if (st == SHANGJU__COMPACT_STATE__COMPACT_STATE_EVALUATING) {
        GtkStringList *others = gtk_string_list_new(NULL);
        for (size_t i = 0; i < k->n_parties; i++)
            if (k->parties[i] != d->me) {
                char *n = g_strdup_printf("#%" PRIu64, k->parties[i]);
                gtk_string_list_append(others, n);
                g_free(n);
                g_array_append_val(c->parties, k->parties[i]);
            }
        c->party = gtk_drop_down_new(G_LIST_MODEL(others), NULL);
        sj_desk_a11y(c->party, _("Party to rate"));
        c->stars = gtk_spin_button_new_with_range(1, 5, 1);
        gtk_spin_button_set_value(GTK_SPIN_BUTTON(c->stars), 5);
        sj_desk_a11y(c->stars, _("Stars (1–5)"));
        gtk_box_append(GTK_BOX(acts), c->party);
        gtk_box_append(GTK_BOX(acts), c->stars);
        action(acts, _("Rate"), k->title, G_CALLBACK(on_rate), c);
    }
    if (mine)
        g_object_unref(mine);
    gtk_box_append(GTK_BOX(box), acts);
    return box;
}

static bool party(const Shangju__Compact *k, uint64_t me)
{
    for (size_t i = 0; i < k->n_parties; i++)
        if (k->parties[i] == me)
            return true;
    return false;
}

static void on_list(const Shangju__Reply *r, int err, void *ud)
{
    sj_desk_t *d = ud;
    struct sj_desk_compacts *v = d->compacts;
    v->loading = false;
    if (v->again) { /* the list changed meanwhile: this one may be stale */
        v->again = false;
        sj_desk_compacts_refresh(d);
    }
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_COMPACTS)
        return;
    GtkWidget *ch;
    while ((ch = gtk_widget_get_first_child(v->list)))
        gtk_list_box_remove(GTK_LIST_BOX(v->list), ch);
    unsigned n = 0;
    for (size_t i = 0; i < r->compacts->n_items; i++)
        if (party(r->compacts->items[i], d->me)) {
            gtk_list_box_append(GTK_LIST_BOX(v->list),
                                card(d, r->compacts->items[i]));
            n++;
        }
    if (!n) {
        GtkWidget *l = gtk_label_new(_("Your shop is party to no compact."));
        gtk_list_box_append(GTK_LIST_BOX(v->list), l);
    }
}

void sj_desk_compacts_refresh(sj_desk_t *d)
{
    if (!d->me)
        return;
    if (d->compacts->loading) {
        d->compacts->again = true;
        return;
    }
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__CompactList l = SHANGJU__COMPACT_LIST__INIT;
    l.limit = 200;
    req.body_case = SHANGJU__REQUEST__BODY_COMPACT_LIST;
    req.compact_list = &l;
    if (sj_desk_session_send(d->session, &req, on_list, d) == 0)
        d->compacts->loading = true;
}

GtkWidget *sj_desk_compacts_new(sj_desk_t *d)
{
    struct sj_desk_compacts *v = g_new0(struct sj_desk_compacts, 1);
    v->d = d;
    d->compacts = v;
    v->list = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(v->list), GTK_SELECTION_NONE);
    sj_desk_a11y(v->list, _("Compacts"));
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), v->list);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_widget_set_margin_start(scroll, 12);
    gtk_widget_set_margin_end(scroll, 12);
    return scroll;
}
