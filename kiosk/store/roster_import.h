/* roster_import.h - the staff import of a roster CSV (docs/roster.md) in an explicit mode, full
 * or delta. The file is read and checked into TEMP staging tables while the live tables stay
 * unlocked, so diners' taps go on committing; the difference to the stored roster is then
 * written to person and card in one short transaction of set-based SQL. All rows or none. */
#ifndef KIOSK_ROSTER_IMPORT_H
#define KIOSK_ROSTER_IMPORT_H

#include <stdio.h>

#include "roster_csv.h"
#include "store.h"

/* How many duplicate rows a report names by line (all of them are counted). */
#define KIOSK_ROSTER_DUPLICATES_NAMED 5

/* What an import did. Persons and cards are counted once however many rows name them; each one
 * of the file is exactly one of added, changed (moved, blocked) or unchanged. */
typedef struct kiosk_roster_report {
    kiosk_roster_mode mode;
    long rows;           /* data rows read */
    long duplicate_rows; /* rows identical to an earlier row: counted once, applied once */
    size_t duplicate_line[KIOSK_ROSTER_DUPLICATES_NAMED]; /* the first few: this line ... */
    size_t duplicate_of[KIOSK_ROSTER_DUPLICATES_NAMED];   /* ... repeats this earlier one */
    long persons;                                         /* distinct person_ids in the file */
    long persons_added, persons_changed, persons_unchanged;
    long persons_inactivated; /* full mode: active persons the file leaves out */
    long cards;               /* distinct cards in the file */
    long cards_added;
    long cards_moved;   /* held by another person before (one this file changes) */
    long cards_blocked; /* usable before, blocked now; in full mode also the cards the file no
                           longer lists for its persons (not among `cards`) */
    long cards_changed; /* any other change: unblocked, another issuing canteen */
    long cards_unchanged;
    /* CLOCK_MONOTONIC milliseconds: the whole import, and the final transaction from the moment
     * BEGIN IMMEDIATE holds the write lock until COMMIT has released it. */
    double started_ms, lock_from_ms, lock_until_ms, finished_ms;
} kiosk_roster_report;

/* Imports the roster CSV `csv` (opened in binary mode, read to its end, not closed) in `mode`;
 * KIOSK_ROSTER_MODE_NONE is refused with KIOSK_ERR_INVALID. `today` bounds birth dates.
 * Rows are parsed (roster_csv.h) and checked across the file (one person's rows agree, a card
 * or an ID number belongs to one person; one already stored for a person the file does not name
 * is refused, one of a person the file names moves) without the write lock; then one
 * transaction applies the difference. On KIOSK_ERR_PARSE err names the line and the column of the
 * first problem, never a name, an ID number or a UID; on KIOSK_ERR_BUSY the stored roster changed
 * between the check and the apply (run it again); otherwise the database's message. Nothing is
 * changed unless KIOSK_OK. *out is filled on success and zeroed otherwise. Uses TEMP tables of this
 * handle, which it drops before returning; the caller's thread only, outside a transaction. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_import_roster_mode(kiosk_store *store, FILE *csv,
                                                         kiosk_date today, kiosk_roster_mode mode,
                                                         kiosk_roster_report *out, char *err,
                                                         size_t err_size);

#endif
