/* My shop: the listing (name, category, specialties, address, hours,
 * phone, services for points) edited and saved to the broker, and the QR
 * placard the broker renders: shown, saved as PNG, SVG or PDF, and
 * printed (GtkPrintOperation; PDF is the same operation exported to a
 * file). */
#include <cairo.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

struct sj_desk_shop {
    sj_desk_t *d;
    GtkWidget *name, *category, *specialties, *address, *hours, *phone;
    GtkTextBuffer *services;
    GtkWidget *picture, *url;
    GBytes *png; /* the placard as the broker rendered it */
};

typedef enum { SAVE_PNG, SAVE_SVG, SAVE_PDF } save_kind_t;

static void set(GtkWidget *e, const char *v)
{
    gtk_editable_set_text(GTK_EDITABLE(e), v ? v : "");
}

static const char *get(GtkWidget *e)
{
    return gtk_editable_get_text(GTK_EDITABLE(e));
}

/* ------------------------------------------------------------- listing */

static void show_listing(struct sj_desk_shop *s, const Shangju__Listing *l)
{
    set(s->name, l->name);
    set(s->category, l->category);
    char *spec = sj_desk_join(l->specialties, l->n_specialties, ", ");
    set(s->specialties, spec);
    g_free(spec);
    set(s->address, l->address);
    set(s->hours, l->hours);
    set(s->phone, l->phone);
    GString *svc = g_string_new("");
    for (size_t i = 0; i < l->n_services; i++)
        g_string_append_printf(
            svc, "%s | %u | %s\n", l->services[i]->name, l->services[i]->points,
            l->services[i]->description ? l->services[i]->description : "");
    gtk_text_buffer_set_text(s->services, svc->str, -1);
    g_string_free(svc, TRUE);
}

static void keep_listing(sj_desk_t *d, const Shangju__Listing *l)
{
    if (d->listing)
        shangju__listing__free_unpacked(d->listing, NULL);
    d->listing = NULL;
    size_t n = shangju__listing__get_packed_size(l);
    uint8_t *buf = g_malloc(n ? n : 1);
    shangju__listing__pack(l, buf);
    d->listing = shangju__listing__unpack(NULL, n, buf);
    g_free(buf);
    d->listing_exists = true;
}

static void fetch_placard(struct sj_desk_shop *s);

static void on_listing(const Shangju__Reply *r, int err, void *ud)
{
    struct sj_desk_shop *s = ud;
    if (err)
        return;
    if (r->status == SHANGJU__STATUS__STATUS_NOT_FOUND) {
        s->d->listing_exists = false;
        sj_desk_say(s->d, _("Your shop has no listing yet: fill in My shop "
                            "and save it."));
        return;
    }
    if (r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_LISTING)
        return;
    keep_listing(s->d, r->listing);
    show_listing(s, r->listing);
    fetch_placard(s);
}

void sj_desk_shop_me(sj_desk_t *d)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__ListingGet g = SHANGJU__LISTING_GET__INIT;
    g.merchant_id = d->me;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_GET;
    req.listing_get = &g;
    sj_desk_session_send(d->session, &req, on_listing, d->shop);
}

static void on_saved(const Shangju__Reply *r, int err, void *ud)
{
    struct sj_desk_shop *s = ud;
    if (!sj_desk_ok(s->d, _("Save listing"), r, err))
        return;
    if (r->body_case == SHANGJU__REPLY__BODY_LISTING)
        keep_listing(s->d, r->listing);
    sj_desk_say(s->d, _("Listing saved."));
    fetch_placard(s);
}

/* Services from the text: one per line, "name | points | description".
 * Returns false (and says which line) when a line does not read. */
static bool parse_services(struct sj_desk_shop *s, GPtrArray *out)
{
    GtkTextIter a, b;
    gtk_text_buffer_get_bounds(s->services, &a, &b);
    char *text = gtk_text_buffer_get_text(s->services, &a, &b, FALSE);
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    bool ok = true;
    for (guint i = 0; lines[i] && ok; i++) {
        char *line = g_strstrip(lines[i]);
        if (!*line)
            continue;
        char **f = g_strsplit(line, "|", 3);
        char *end = NULL;
        guint64 pts =
            f[0] && f[1] ? g_ascii_strtoull(g_strstrip(f[1]), &end, 10) : 0;
        if (!f[0] || !f[1] || !*g_strstrip(f[0]) || !end || *end || pts == 0 ||
            pts > G_MAXUINT32) {
            char *m = g_strdup_printf(
                _("Service line %u should read: name | points | "
                  "description"),
                i + 1);
            sj_desk_say(s->d, m);
            g_free(m);
            ok = false;
        } else {
            Shangju__Service *sv = g_new(Shangju__Service, 1);
            shangju__service__init(sv);
            sv->name = g_strdup(f[0]);
            sv->points = (uint32_t)pts;
            sv->description = g_strdup(f[2] ? g_strstrip(f[2]) : "");
            g_ptr_array_add(out, sv);
        }
        g_strfreev(f);
    }
    g_strfreev(lines);
    return ok;
}

static void service_free(gpointer p)
{
    Shangju__Service *sv = p;
    g_free(sv->name);
    g_free(sv->description);
    g_free(sv);
}

static void on_save(GtkButton *b, gpointer ud)
{
    (void)b;
    struct sj_desk_shop *s = ud;
    if (!sj_desk_guard(s->d))
        return;
    GPtrArray *svc = g_ptr_array_new_with_free_func(service_free);
    if (!parse_services(s, svc)) {
        g_ptr_array_unref(svc);
        return;
    }
    /* Commas as typed in Chinese too; split on whole characters (a
     * byte set would cut multi-byte characters apart). */
    GString *sp_text = g_string_new(get(s->specialties));
    g_string_replace(sp_text, "，", ",", 0);
    g_string_replace(sp_text, "、", ",", 0);
    char **spec = g_strsplit(sp_text->str, ",", -1);
    g_string_free(sp_text, TRUE);
    GPtrArray *sp = g_ptr_array_new();
    for (char **p = spec; *p; p++)
        if (*g_strstrip(*p))
            g_ptr_array_add(sp, *p);
    Shangju__Listing l = SHANGJU__LISTING__INIT;
    l.merchant_id = s->d->me;
    l.name = (char *)get(s->name);
    l.category = (char *)get(s->category);
    l.address = (char *)get(s->address);
    l.hours = (char *)get(s->hours);
    l.phone = (char *)get(s->phone);
    l.n_specialties = sp->len;
    l.specialties = (char **)sp->pdata;
    l.n_services = svc->len;
    l.services = (Shangju__Service **)svc->pdata;
    Shangju__ListingPut put = SHANGJU__LISTING_PUT__INIT;
    put.listing = &l;
    put.create = !s->d->listing_exists;
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_LISTING_PUT;
    req.listing_put = &put;
    sj_desk_send(s->d, &req, on_saved, s);
    g_ptr_array_unref(sp);
    g_strfreev(spec);
    g_ptr_array_unref(svc);
}

/* ------------------------------------------------------------- placard */

static void on_placard(const Shangju__Reply *r, int err, void *ud)
{
    struct sj_desk_shop *s = ud;
    if (err || r->status != SHANGJU__STATUS__STATUS_OK ||
        r->body_case != SHANGJU__REPLY__BODY_IMAGE)
        return;
    g_clear_pointer(&s->png, g_bytes_unref);
    s->png = g_bytes_new(r->image->data.data, r->image->data.len);
    GdkTexture *t = gdk_texture_new_from_bytes(s->png, NULL);
    gtk_picture_set_paintable(GTK_PICTURE(s->picture), GDK_PAINTABLE(t));
    if (t)
        g_object_unref(t);
    gtk_label_set_text(GTK_LABEL(s->url), r->image->url);
    sj_desk_a11y(s->url, r->image->url);
}

static void placard_request(struct sj_desk_shop *s, Shangju__ImageFormat fmt,
                            sj_desk_reply_fn *cb, void *ud)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__PlacardGet p = SHANGJU__PLACARD_GET__INIT;
    p.merchant_id = s->d->me;
    p.format = fmt;
    req.body_case = SHANGJU__REQUEST__BODY_PLACARD_GET;
    req.placard_get = &p;
    sj_desk_session_send(s->d->session, &req, cb, ud);
}

static void fetch_placard(struct sj_desk_shop *s)
{
    placard_request(s, SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_PNG, on_placard, s);
}

typedef struct {
    const uint8_t *p;
    size_t left;
} png_reader_t;

static cairo_status_t read_png(void *ud, unsigned char *out, unsigned len)
{
    png_reader_t *r = ud;
    if (len > r->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, r->p, len);
    r->p += len;
    r->left -= len;
    return CAIRO_STATUS_SUCCESS;
}

/* The placard scaled to fit the printable page, centred. */
static void draw_page(GtkPrintOperation *op, GtkPrintContext *ctx, int page,
                      gpointer ud)
{
    (void)op, (void)page;
    struct sj_desk_shop *s = ud;
    gsize n = 0;
    png_reader_t r = {g_bytes_get_data(s->png, &n), 0};
    r.left = n;
    cairo_surface_t *img =
        cairo_image_surface_create_from_png_stream(read_png, &r);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        double w = cairo_image_surface_get_width(img);
        double h = cairo_image_surface_get_height(img);
        double pw = gtk_print_context_get_width(ctx);
        double ph = gtk_print_context_get_height(ctx);
        double k = MIN(pw / w, ph / h);
        cairo_t *cr = gtk_print_context_get_cairo_context(ctx);
        cairo_translate(cr, (pw - w * k) / 2, (ph - h * k) / 2);
        cairo_scale(cr, k, k);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_paint(cr);
    }
    cairo_surface_destroy(img);
}

/* Print the placard: to the printer through the dialog, or (pdf set) to
 * that PDF file. */
static void print(struct sj_desk_shop *s, const char *pdf)
{
    GtkPrintOperation *op = gtk_print_operation_new();
    gtk_print_operation_set_n_pages(op, 1);
    gtk_print_operation_set_job_name(op, _("Shop placard"));
    gtk_print_operation_set_embed_page_setup(op, TRUE);
    g_signal_connect(op, "draw-page", G_CALLBACK(draw_page), s);
    if (pdf)
        gtk_print_operation_set_export_filename(op, pdf);
    GError *e = NULL;
    GtkPrintOperationResult res =
        gtk_print_operation_run(op,
                                pdf ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                    : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                GTK_WINDOW(s->d->window), &e);
    if (res == GTK_PRINT_OPERATION_RESULT_ERROR) {
        sj_desk_say(s->d, e->message);
        g_error_free(e);
    } else if (pdf) {
        char *m = g_strdup_printf(_("Placard saved: %s"), pdf);
        sj_desk_say(s->d, m);
        g_free(m);
    } else if (res == GTK_PRINT_OPERATION_RESULT_APPLY) {
        sj_desk_say(s->d, _("Placard sent to the printer."));
    }
    g_object_unref(op);
}

static bool have_placard(struct sj_desk_shop *s)
{
    if (s->png)
        return true;
    sj_desk_say(s->d, _("No placard yet: save the listing first."));
    return false;
}

static void on_print(GtkButton *b, gpointer ud)
{
    (void)b;
    struct sj_desk_shop *s = ud;
    if (have_placard(s))
        print(s, NULL);
}

typedef struct {
    struct sj_desk_shop *s;
    char *path;
} svg_job_t;

static void write_file(sj_desk_t *d, const char *path, const void *data,
                       gsize len)
{
    GError *e = NULL;
    char *m;
    if (g_file_set_contents(path, data, (gssize)len, &e)) {
        m = g_strdup_printf(_("Placard saved: %s"), path);
    } else {
        m = g_strdup(e->message);
        g_error_free(e);
    }
    sj_desk_say(d, m);
    g_free(m);
}

static void on_svg(const Shangju__Reply *r, int err, void *ud)
{
    svg_job_t *j = ud;
    if (sj_desk_ok(j->s->d, _("Save placard"), r, err) &&
        r->body_case == SHANGJU__REPLY__BODY_IMAGE)
        write_file(j->s->d, j->path, r->image->data.data, r->image->data.len);
    g_free(j->path);
    g_free(j);
}

static void save_to(struct sj_desk_shop *s, save_kind_t kind, const char *path)
{
    if (kind == SAVE_PDF) {
        print(s, path);
    } else if (kind == SAVE_PNG) {
        gsize n = 0;
        const void *p = g_bytes_get_data(s->png, &n);
        write_file(s->d, path, p, n);
    } else {
        svg_job_t *j = g_new(svg_job_t, 1);
        j->s = s;
        j->path = g_strdup(path);
        if (!sj_desk_guard(s->d)) {
            g_free(j->path);
            g_free(j);
            return;
        }
        placard_request(s, SHANGJU__IMAGE_FORMAT__IMAGE_FORMAT_SVG, on_svg, j);
    }
}

static void on_chooser(GtkNativeDialog *dlg, int resp, gpointer ud)
{
    struct sj_desk_shop *s = ud;
    save_kind_t kind =
        GPOINTER_TO_INT(g_object_get_data(G_OBJECT(dlg), "kind"));
    if (resp == GTK_RESPONSE_ACCEPT) {
        GFile *f = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dlg));
        char *path = f ? g_file_get_path(f) : NULL;
        if (path)
            save_to(s, kind, path);
        g_free(path);
        if (f)
            g_object_unref(f);
    }
    g_object_unref(dlg);
}

static void on_save_as(GtkButton *b, gpointer ud)
{
    struct sj_desk_shop *s = ud;
    if (!have_placard(s))
        return;
    save_kind_t kind = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "kind"));
    static const char *const ext[] = {"png", "svg", "pdf"};
    GtkFileChooserNative *dlg = gtk_file_chooser_native_new(
        _("Save the placard"), GTK_WINDOW(s->d->window),
        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dlg), TRUE);
    char *name = g_strdup_printf("placard-%" G_GUINT64_FORMAT ".%s", s->d->me,
                                 ext[kind]);
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dlg), name);
    g_free(name);
    const char *docs = g_get_user_special_dir(G_USER_DIRECTORY_DOCUMENTS);
    GFile *dir = g_file_new_for_path(docs ? docs : g_get_home_dir());
    gtk_file_chooser_set_current_folder(GTK_FILE_CHOOSER(dlg), dir, NULL);
    g_object_unref(dir);
    g_object_set_data(G_OBJECT(dlg), "kind", GINT_TO_POINTER(kind));
    g_signal_connect(dlg, "response", G_CALLBACK(on_chooser), s);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(dlg));
}

/* ------------------------------------------------------------------ page */

static GtkWidget *button(struct sj_desk_shop *s, const char *label,
                         GCallback cb, int kind)
{
    GtkWidget *b = sj_desk_button(label);
    g_object_set_data(G_OBJECT(b), "kind", GINT_TO_POINTER(kind));
    g_signal_connect(b, "clicked", cb, s);
    return b;
}

GtkWidget *sj_desk_shop_new(sj_desk_t *d)
{
    struct sj_desk_shop *s = g_new0(struct sj_desk_shop, 1);
    s->d = d;
    d->shop = s;
    GtkWidget *page = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 24);
    gtk_widget_set_margin_start(page, 16);
    gtk_widget_set_margin_end(page, 16);
    gtk_widget_set_margin_top(page, 12);
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(grid), 8);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
    gtk_widget_set_hexpand(grid, TRUE);
    s->name = sj_desk_grid_entry(grid, 0, _("Shop _name"));
    s->category = sj_desk_grid_entry(grid, 1, _("Cate_gory"));
    s->specialties =
        sj_desk_grid_entry(grid, 2, _("S_pecialties (comma-separated)"));
    s->address = sj_desk_grid_entry(grid, 3, _("_Address"));
    s->hours = sj_desk_grid_entry(grid, 4, _("Opening _hours"));
    s->phone = sj_desk_grid_entry(grid, 5, _("P_hone (public)"));
    GtkWidget *sl = gtk_label_new_with_mnemonic(
        _("Ser_vices for points (one a line: name | points | description)"));
    gtk_label_set_xalign(GTK_LABEL(sl), 0);
    gtk_label_set_wrap(GTK_LABEL(sl), TRUE);
    GtkWidget *tv = gtk_text_view_new();
    gtk_widget_set_size_request(tv, -1, 120);
    gtk_label_set_mnemonic_widget(GTK_LABEL(sl), tv);
    sj_desk_a11y_plain(tv, gtk_label_get_text(GTK_LABEL(sl)));
    s->services = gtk_text_view_get_buffer(GTK_TEXT_VIEW(tv));
    gtk_grid_attach(GTK_GRID(grid), sl, 0, 6, 2, 1);
    gtk_grid_attach(GTK_GRID(grid), tv, 0, 7, 2, 1);
    GtkWidget *save = sj_desk_button(_("Save _listing"));
    gtk_widget_add_css_class(save, "suggested-action");
    g_signal_connect(save, "clicked", G_CALLBACK(on_save), s);
    gtk_grid_attach(GTK_GRID(grid), save, 1, 8, 1, 1);
    gtk_box_append(GTK_BOX(page), grid);

    GtkWidget *right = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
    s->picture = gtk_picture_new();
    gtk_widget_set_size_request(s->picture, 300, 400);
    sj_desk_a11y(s->picture, _("The shop's QR placard"));
    s->url = gtk_label_new("");
    gtk_label_set_selectable(GTK_LABEL(s->url), TRUE);
    gtk_box_append(GTK_BOX(right), s->picture);
    gtk_box_append(GTK_BOX(right), s->url);
    GtkWidget *btns = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_box_append(GTK_BOX(btns), button(s, _("Save as P_NG…"),
                                         G_CALLBACK(on_save_as), SAVE_PNG));
    gtk_box_append(GTK_BOX(btns), button(s, _("Save as S_VG…"),
                                         G_CALLBACK(on_save_as), SAVE_SVG));
    gtk_box_append(GTK_BOX(btns), button(s, _("Save as _PDF…"),
                                         G_CALLBACK(on_save_as), SAVE_PDF));
    gtk_box_append(GTK_BOX(btns),
                   button(s, _("P_rint…"), G_CALLBACK(on_print), 0));
    gtk_box_append(GTK_BOX(right), btns);
    gtk_box_append(GTK_BOX(page), right);
    return page;
}
