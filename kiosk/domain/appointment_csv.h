/* appointment_csv.h - the appointment import file of a marriage-registration hall (the day's
 * bookings exported by the booking system). Owns the format and the checks of each field; the
 * store applies the rows (kiosk_store_upsert_appointment), all or nothing. ID numbers are
 * validated, turned into keyed hashes with the city's card key (card_key.h) and wiped; names
 * are masked (mask.h). No message repeats an ID number or a name.
 *
 * The format (docs/marriage.md, "Appointment import"): UTF-8 CSV (csv_reader.h), a header naming
 * the columns in any order, each once:
 *   appointment_id*   the booking system's id, 1..39 of [A-Za-z0-9_-] (never an ID number)
 *   booking_no*       the booking number (预约号) the couple was given: 4..15 digits
 *   service*          marriage, divorce_apply, divorce_cert, divorce_withdraw, reissue_marriage,
 *                     reissue_divorce, or their Chinese names (结婚登记 ...)
 *   date*             YYYY-MM-DD
 *   slot*             HH:MM-HH:MM, the start before the end (a half day: 08:30-12:00)
 *   lane              booked (default) or priority (the green channel)
 *   party1_id*        resident ID number or permit number, 18 characters (idnum.h)
 *   party1_name*      full name (spaces around it dropped); only the masked form is kept
 *   party2_id, party2_name
 *                     the other party: required for marriage, divorce_apply and divorce_cert,
 *                     optional for a withdrawal or a replacement certificate
 *   application_date  YYYY-MM-DD, the day the hall received the divorce application: required
 *                     for divorce_cert and divorce_withdraw, empty otherwise, not after date
 *   status            booked (default), checked_in or cancelled
 * Errors name the line and the column: "line 4: party2_id: not a valid ID number (the check
 * character is wrong)". */
#ifndef KIOSK_APPOINTMENT_CSV_H
#define KIOSK_APPOINTMENT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "card_key.h"
#include "error.h"
#include "marriage.h"

#define KIOSK_APPOINTMENT_FILE_MAX (32 * 1024 * 1024)

/* Called once per data row, in file order; line is where the row starts. Returning anything but
 * KIOSK_OK stops the parse with that code (the callback writes its own message into err). */
typedef kiosk_rc (*kiosk_appointment_row_fn)(void *user, size_t line, const kiosk_appointment *a,
                                             char *err, size_t err_size);

/* Parses text[0..len): each row is checked and handed to on_row with its parties' keyed hashes
 * under key. today bounds birth dates (idnum.h). KIOSK_ERR_PARSE with "line N: column: ..." in
 * err; the callback's code otherwise. Rows before an error were handed on already: the caller
 * applies them in one transaction and rolls it back on error. */
KIOSK_MUST_CHECK kiosk_rc kiosk_appointment_csv_parse(const char *text, size_t len,
                                                      const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                      kiosk_date today,
                                                      kiosk_appointment_row_fn on_row, void *user,
                                                      char *err, size_t err_size);

/* Parses "HH:MM-HH:MM" into minutes; false unless start < end (24:00 allowed as the end). */
bool kiosk_slot_parse(const char *text, int *start, int *end);

#endif
