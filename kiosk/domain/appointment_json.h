/* appointment_json.h - an appointment as a row of the `appointments` sync stream
 * (docs/sync-protocol.md): the server writes it from its import of the booking system's file,
 * the kiosk reads it back into what its own import gives (kiosk_store_upsert_appointment). One
 * writer and one reader, both here, so the two sides cannot drift. The parties travel as their
 * keyed hashes and masked names only, never an ID number or a full name.
 *
 *   {"id", "booking_no", "service": "marriage", "date": "YYYY-MM-DD", "slot": "HH:MM-HH:MM",
 *    "lane": "booked"|"priority", "status": "booked"|"checked_in"|"cancelled",
 *    "application_date": "YYYY-MM-DD"|null,
 *    "parties": [{"id_key": "<64 hex>", "name_masked", "sex": "M"|"F"|null,
 *                 "birth_date": "YYYY-MM-DD"|null}, ...1 or 2]} */
#ifndef KIOSK_APPOINTMENT_JSON_H
#define KIOSK_APPOINTMENT_JSON_H

#include <stddef.h>

#include "error.h"
#include "marriage.h"

/* The row's canonical JSON (compact, keys sorted), malloc'd; NULL when out of memory. */
char *kiosk_appointment_to_json(const kiosk_appointment *a);

/* Reads a row (a JSON object given as text) back. key is the stream row's key: it must be the
 * appointment's id. KIOSK_ERR_PARSE with the field in err for anything missing or malformed;
 * never a name or a number in err. */
KIOSK_MUST_CHECK kiosk_rc kiosk_appointment_from_json(const char *json, size_t len, const char *key,
                                                      kiosk_appointment *out, char *err,
                                                      size_t err_size);

#endif
