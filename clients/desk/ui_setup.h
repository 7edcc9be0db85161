/* The first-run dialog: asks for the key file and the broker's address
 * (key file and endpoints), remembers them (config.h) and connects. */
#ifndef SJ_DESK_UI_SETUP_H
#define SJ_DESK_UI_SETUP_H

#include "ui.h"

/* Show the dialog over d->window; when the user confirms complete
 * settings, they are saved into d->cfg and the file, and done(d) runs. */
void sj_desk_setup_run(sj_desk_t *d, void (*done)(sj_desk_t *d));

#endif
