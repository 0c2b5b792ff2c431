/* hall.h - the marriage-registration hall's data in the local store: appointments (reference
 * data, from the import file or sync), the queue tickets issued (check-ins, business records
 * committed with their outbox row), the calls of the now-serving board, and the working-day
 * calendar. The apply functions (upsert, delete, calendar, another kiosk's check-in) are what
 * the import and sync's pulls both call, inside kiosk_store_begin .. kiosk_store_commit. One
 * handle per thread, like the rest of the store. */
#ifndef KIOSK_STORE_HALL_H
#define KIOSK_STORE_HALL_H

#include "audit.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marriage.h"
#include "store.h"
#include "workcal.h"

/* --- appointments ------------------------------------------------------------------------ */

/* Inserts or replaces the appointment with a->id (its parties by keyed hash, names masked). A
 * booking the kiosk has checked in stays checked in when the row says booked (the server may not
 * know yet); cancelled always wins. KIOSK_ERR_INVALID when a->booking_no belongs to another
 * appointment. Call inside a transaction. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_upsert_appointment(kiosk_store *store,
                                                         const kiosk_appointment *a,
                                                         int64_t now_utc_ms);
/* Removes an appointment (a tombstone from sync); its check-in, if any, stays. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_delete_appointment(kiosk_store *store, const char *id);

/* Imports an appointment file (appointment_csv.h) in one transaction, all rows or none: every
 * row through kiosk_store_upsert_appointment. A file that names an appointment id or a booking
 * number twice is refused naming both lines. *rows counts the rows applied. KIOSK_ERR_PARSE with
 * "line N: ..." in err for the file's faults; another code for the database's. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_import_appointments(kiosk_store *store, const char *text,
                                                          size_t len, kiosk_date today,
                                                          int64_t now_utc_ms, long *rows, char *err,
                                                          size_t err_size);

#define KIOSK_APPOINTMENTS_OF_MAX 8

typedef struct kiosk_appointment_list {
    kiosk_appointment items[KIOSK_APPOINTMENTS_OF_MAX];
    size_t count;
} kiosk_appointment_list;

/* The appointments with the person whose ID-number hash is key as a party, dated from `from` on,
 * the earliest first (at most KIOSK_APPOINTMENTS_OF_MAX). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_appointments_of(kiosk_store *store,
                                                      const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                      kiosk_date from, kiosk_appointment_list *out);
/* The appointment with this booking number; KIOSK_ERR_NOT_FOUND when none. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_appointment_by_booking(kiosk_store *store,
                                                             const char *booking_no,
                                                             kiosk_appointment *out);
/* The appointment with this id; KIOSK_ERR_NOT_FOUND when none. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_appointment_by_id(kiosk_store *store, const char *id,
                                                        kiosk_appointment *out);

/* --- queue tickets ------------------------------------------------------------------------- */

typedef struct kiosk_ticket_request {
    const char *appointment_id; /* NULL or "" for a walk-in */
    kiosk_service service;
    kiosk_lane lane;
    char prefix; /* the service's queue prefix, 'A'..'Z' */
    kiosk_numbering numbering;
    const char *kiosk_id;
    int64_t now_utc_ms;
    kiosk_local_time at; /* now, local: the business date and minute */
    bool under_age;
    /* Staff mode's ticket (kiosk_store_staff_ticket): this audit entry is appended in the same
     * transaction, its target the number issued; NULL otherwise. */
    kiosk_audit_entry *audit;
} kiosk_ticket_request;

/* Issues the next queue number and commits the check-in with its outbox row (kind "checkin") in
 * one durable transaction (BEGIN IMMEDIATE, synchronous=FULL); only after KIOSK_OK may the
 * number be shown. The number is this kiosk's next of the prefix that day by the numbering rule
 * (marriage.h); should the store hold that number already (another kiosk given the same slot, its
 * records brought in by sync; or an outbox row of a check-in a damaged database's recovery could
 * not carry), the next one of this kiosk's is taken and a warning logged, so a number is never
 * issued twice from one store. An appointment checked in before (here or, as far
 * as sync has told, elsewhere) gets no second number: *existing is set and *out is the first
 * check-in. KIOSK_ERR_BUSY when locked, KIOSK_ERR_FULL, KIOSK_ERR_GONE as for meals. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_issue_ticket(kiosk_store *store,
                                                   const kiosk_ticket_request *req,
                                                   kiosk_checkin_entry *out, bool *existing);
/* The first check-in of an appointment; KIOSK_ERR_NOT_FOUND when it has none. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_find_checkin(kiosk_store *store, const char *appointment_id,
                                                   kiosk_checkin_entry *out);
/* Another kiosk's check-in (its canonical payload, brought by sync; tests merge two kiosks'
 * stores with it): stored as source 'server', never in this kiosk's outbox. Applying the same
 * record again is a no-op. KIOSK_ERR_PARSE for a bad payload; KIOSK_ERR_INVALID (with the number
 * in err) when the store already holds that day's number for another record: two kiosks issued
 * the same number, which the numbering rule exists to prevent. Call inside a transaction. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_apply_checkin(kiosk_store *store, const char *payload,
                                                    char *err, size_t err_size);
/* Every check-in payload of a day in this store, local and applied, in creation order; out is
 * malloc'd (free each item and the array). For tests and sync. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_checkin_payloads(kiosk_store *store, kiosk_date day,
                                                       char ***out, size_t *count);

/* --- calls (the now-serving board) ---------------------------------------------------------- */

typedef struct kiosk_queue_call {
    int64_t call_id; /* ascending in the store */
    char number[KIOSK_QUEUE_NUMBER_MAX];
    kiosk_service service;
    kiosk_lane lane;
    int counter;
    int64_t called_utc_ms;
} kiosk_queue_call;

/* Calls the next waiting ticket of the day whose prefix is in `prefixes` (letters; "" = any) to
 * `counter`: priority first, then booked, then walk-ins, each in check-in order. Records the
 * call and returns it. KIOSK_ERR_NOT_FOUND when nobody waits. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_call_next(kiosk_store *store, kiosk_date day, int counter,
                                                const char *prefixes, const char *kiosk_id,
                                                int64_t now_utc_ms, kiosk_queue_call *out);
/* Calls of the day with call_id > after, oldest first, at most max. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_calls_after(kiosk_store *store, kiosk_date day, int64_t after,
                                                  kiosk_queue_call *out, size_t max, size_t *count);
/* The latest calls of the day, newest first, at most max. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_recent_calls(kiosk_store *store, kiosk_date day,
                                                   kiosk_queue_call *out, size_t max,
                                                   size_t *count);
/* How many tickets of the day wait (issued, not called), per service. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_waiting(kiosk_store *store, kiosk_date day,
                                              long counts[KIOSK_SERVICE_COUNT]);

/* --- the working-day calendar --------------------------------------------------------------- */

/* Replaces every year the calendar covers with its days (years it does not cover are kept).
 * Call inside a transaction. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_apply_calendar(kiosk_store *store, const kiosk_workcal *cal,
                                                     int64_t now_utc_ms);
/* Parses a calendar file (workcal.h) and applies it in one transaction; err names the line. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_import_calendar(kiosk_store *store, const char *text,
                                                      size_t len, int64_t now_utc_ms, int *years,
                                                      char *err, size_t err_size);
/* The stored calendar into *out (initialised here). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_load_calendar(kiosk_store *store, kiosk_workcal *out);

#endif
