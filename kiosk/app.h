/* app.h - the running kiosk: wires the devices, the inbox, the router (and through it the flows)
 * and the UI, and runs the main loop. The one place that sees core, ui and drivers together; it
 * names no flow and no driver. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include "config.h"
#include "store.h"

/* Runs until `quit`, the end of standard input, or the window closes. Returns the process exit
 * status (0 ok, 1 runtime failure, 2 bad configuration). Borrows store. staff_notice: a line for
 * staff on the idle screen (e.g. after the database was recovered), or NULL. */
int kiosk_app_run(const kiosk_config *cfg, kiosk_store *store, const char *staff_notice);

/* Prints each configured device with its driver, then every driver the kiosk knows. */
void kiosk_app_list_devices(const kiosk_config *cfg, FILE *out);

#endif
