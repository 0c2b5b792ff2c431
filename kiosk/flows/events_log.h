/* events_log.h - the outcome log: one JSON object per line (kind, result, reason, amounts in fen,
 * record id) appended to a file for tests, demos and audit tooling. No personal data goes in. */
#ifndef KIOSK_EVENTS_LOG_H
#define KIOSK_EVENTS_LOG_H

#include <jansson.h>

#include "error.h"

typedef struct kiosk_events_log kiosk_events_log;

/* Opens path for appending (created 0600 if missing). *out is NULL for path "" (no log). */
KIOSK_MUST_CHECK kiosk_rc kiosk_events_log_open(const char *path, kiosk_events_log **out);
void kiosk_events_log_close(kiosk_events_log *log);
/* Writes obj as one line with a single write(2), so a kill leaves whole lines only. Takes
 * ownership of obj (it is json_decref'd). A NULL log just drops obj. Main thread. */
kiosk_rc kiosk_events_log_take(kiosk_events_log *log, json_t *obj);

#endif
