/* What the desk client's views share: the application state (settings,
 * the broker session, the live lists, who I am, my listing) and small
 * helpers every view uses (accessible names, the status line, refusing
 * actions while offline). GTK lives only in the ui_*.c files and main.c;
 * the core (format, model, session, config) is GLib only. */
#ifndef SJ_DESK_UI_H
#define SJ_DESK_UI_H

#include <adwaita.h>
#include <gtk/gtk.h>

#include "config.h"
#include "format.h"
#include "i18n.h"
#include "model.h"
#include "session.h"

typedef struct sj_desk_alert sj_desk_alert_t;

typedef struct {
    AdwApplication *app;
    sj_desk_config_t cfg;
    sj_desk_session_t *session;
    sj_desk_model_t *model;
    uint64_t me;
    char *me_name;
    Shangju__Listing *listing; /* mine, NULL until known; unpacked copy */
    bool listing_exists;

    GtkWidget *window;
    GtkWidget *banner; /* revealer: offline */
    GtkWidget *banner_label;
    GtkWidget *status; /* one line: the last action's outcome */
    GtkWidget *stack;
    GtkWidget *subtitle;

    /* views */
    struct sj_desk_board *board;
    struct sj_desk_claims *claims;
    struct sj_desk_shop *shop;
    struct sj_desk_compacts *compacts;
    struct sj_desk_points *points;
    sj_desk_alert_t *alert;
} sj_desk_t;

/* Give w the accessible label text (what a screen reader says). */
void sj_desk_a11y(GtkWidget *w, const char *text);

/* text without a trailing bracketed mnemonic ("店名(N)" -> "店名"), for
 * accessible names (g_free). */
char *sj_desk_plain(const char *text);

/* sj_desk_a11y() with sj_desk_plain(text). */
void sj_desk_a11y_plain(GtkWidget *w, const char *text);

/* A button with a mnemonic label, its accessible name the plain text. */
GtkWidget *sj_desk_button(const char *mnemonic);

/* A horizontal tool bar with the views' margins. */
GtkWidget *sj_desk_bar(void);

/* A labelled entry in row `row` of grid: the mnemonic label on the left,
 * its plain text as the entry's accessible name. */
GtkWidget *sj_desk_grid_entry(GtkWidget *grid, int row, const char *label);

/* A scrolled list view of model (taken) with factory f (taken), its
 * accessible name `name`. */
GtkWidget *sj_desk_list_view(GListModel *model, GtkListItemFactory *f,
                             const char *name);

/* Run paint on every bound row (each row keeps its item as "wish"). */
void sj_desk_repaint(GPtrArray *rows,
                     void (*paint)(GtkWidget *row, SjDeskWish *w));

/* Show msg on the status line (and to screen readers). */
void sj_desk_say(sj_desk_t *d, const char *msg);

/* True when online; otherwise says that the action was not sent and
 * returns false. Every action button calls it first. */
bool sj_desk_guard(sj_desk_t *d);

/* Send req through the session; when it cannot be sent, say why. Returns
 * true when sent. */
bool sj_desk_send(sj_desk_t *d, Shangju__Request *req, sj_desk_reply_fn *cb,
                  void *ud);

/* Whether r is an OK reply; otherwise says the refusal and returns
 * false. `what` names the action ("Claim"). */
bool sj_desk_ok(sj_desk_t *d, const char *what, const Shangju__Reply *r,
                int err);

/* The window (ui_window.c): built once the app is activated. */
void sj_desk_window_build(sj_desk_t *d);
void sj_desk_window_link(sj_desk_t *d, sj_desk_link_t link);

/* Views: each builds its page and reacts to the shared state. */
GtkWidget *sj_desk_board_new(sj_desk_t *d);
void sj_desk_board_tick(sj_desk_t *d); /* each minute: ages, colours */
GtkWidget *sj_desk_claims_new(sj_desk_t *d);
void sj_desk_claims_tick(sj_desk_t *d);
GtkWidget *sj_desk_shop_new(sj_desk_t *d);
void sj_desk_shop_me(sj_desk_t *d); /* after WhoAmI: load listing, placard */
GtkWidget *sj_desk_compacts_new(sj_desk_t *d);
void sj_desk_compacts_refresh(sj_desk_t *d);
GtkWidget *sj_desk_points_new(sj_desk_t *d);
void sj_desk_points_refresh(sj_desk_t *d);

/* The new-wish alert (ui_alert.c): a sound repeating until acknowledged
 * and a desktop notification. */
sj_desk_alert_t *sj_desk_alert_new(sj_desk_t *d);
void sj_desk_alert_free(sj_desk_alert_t **self);
void sj_desk_alert_wish(sj_desk_alert_t *a, const Shangju__Wish *w);
GtkWidget *sj_desk_alert_bar(sj_desk_alert_t *a);

#endif
