/* app.h - the running kiosk: wires the reader driver, the inbox, the canteen flow and the UI,
 * and runs the main loop. The one place that sees core, ui and drivers together. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include "config.h"
#include "store.h"

/* Runs until `quit`, the end of standard input, or the window closes. Returns the process exit
 * status (0 ok, 1 runtime failure). Borrows store. */
/* staff_notice: a line for staff on the idle screen (e.g. after the database was recovered), or
 * NULL. */
int kiosk_app_run(const kiosk_config *cfg, kiosk_store *store, const char *staff_notice);

#endif
