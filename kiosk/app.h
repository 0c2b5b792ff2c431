/* app.h - the running kiosk: wires the devices, the inbox, the router (and through it the flows)
 * and the UI, and runs the main loop. The one place that sees core, ui and drivers together; it
 * names no flow and no driver. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include "config.h"
#include "store.h"

/* kiosk_app_run's exit status when the kiosk ended out of service (its database damaged beyond
 * recovery). */
#define KIOSK_APP_EXIT_OUT_OF_SERVICE 3

/* Runs until `quit`, the end of standard input, a stop signal or the window closes. Returns the
 * process exit status (0 ok, 1 runtime failure, KIOSK_APP_EXIT_OUT_OF_SERVICE). Takes store
 * (and closes it): NULL when the database could not be opened or recovered, and the kiosk is
 * then out of service. Damage found while it runs (by the whole-file check after the first
 * frame, or by SQLite on a tap) is recovered in place: out of service meanwhile, then serving
 * again, or out of service for good. staff_notice: a line for staff on every screen (static
 * words, e.g. after a recovery), or NULL. */
int kiosk_app_run(const kiosk_config *cfg, kiosk_store *store, const char *staff_notice);

/* Prints each configured device with its driver, then every driver the kiosk knows. */
void kiosk_app_list_devices(const kiosk_config *cfg, FILE *out);

#endif
