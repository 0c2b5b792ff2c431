/* hall_import.h - the marriage hall's reference data for the sync streams: a site's appointments
 * (the booking system's file, appointment_csv.h, parsed by the kiosk's own parser with the city's
 * card key, so ID numbers never reach the database) as rows of the `appointments` stream keyed by
 * appointment id, and the working-day calendar (workcal.h) as rows of the city-wide `calendar`
 * stream, one per year ({"year", "file": that year as a calendar file of its own}). A row equal to the stored one is not written again
 * (its version stays, kiosks pull nothing). All or nothing, one transaction. The caller's
 * thread. */
#ifndef SRV_HALL_IMPORT_H
#define SRV_HALL_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "storage.h"

typedef struct srv_hall_report {
    long rows;    /* rows in the file (appointments) or years covered (calendar) */
    long written; /* stream rows written (new or changed) */
} srv_hall_report;

/* KIOSK_ERR_PARSE with "line N: column: ..." in err for the file's faults (or a duplicate id or
 * booking number); KIOSK_ERR_NOT_FOUND: no such site. today bounds birth dates. */
KIOSK_MUST_CHECK kiosk_rc srv_appointments_import(srv_store *st, const char *site_id,
                                                  const char *text, size_t len, kiosk_date today,
                                                  int64_t now_ms, srv_hall_report *out, char *err,
                                                  size_t err_size);

/* KIOSK_ERR_PARSE with "line N: ..." in err when the file is not a calendar the kiosk takes. */
KIOSK_MUST_CHECK kiosk_rc srv_calendar_import(srv_store *st, const char *text, size_t len,
                                              int64_t now_ms, srv_hall_report *out, char *err,
                                              size_t err_size);

#endif
