/* staff_csv.h - the staff roster file (docs/staff.md): who may open staff mode, with which
 * role, cards and PIN hash. Owns the file format and the checks of each field; what a row means
 * for the database is the importer's (kiosk/store/staff_store.c). Pure; any thread.
 *
 * The format: UTF-8 CSV (csv_reader.h: quoting, line ends, a byte-order mark, lines starting with
 * '#' are comments). The first record names the columns, in any order, each once:
 *   staff_id*   1..39 of [A-Za-z0-9_-], not an ID number (ids are printed in messages)
 *   name*       full name (spaces and U+3000 around it dropped); only its masked form (mask.h)
 *               leaves the parser
 *   role*       operator or supervisor (staff.h)
 *   pin_hash*   an argon2id hash from `kiosk --hash-pin` (staff.h: its cost within bounds)
 *   card_uids   the member's staff cards: NFC UIDs in hex (8, 14 or 20 digits), separated by
 *               ';', at most KIOSK_STAFF_CARDS_MAX; empty = no card (cannot open staff mode)
 *   status      active (default) or inactive (kept on record; the cards no longer open anything)
 * Messages name the line and the column, never a name, a PIN hash or a UID. */
#ifndef KIOSK_STAFF_CSV_H
#define KIOSK_STAFF_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "staff.h"

#define KIOSK_STAFF_CARDS_MAX 4
#define KIOSK_STAFF_ID_MAX    40
#define KIOSK_STAFF_NAME_MAX  64 /* masked */
#define KIOSK_STAFF_FILE_MAX  (4 * 1024 * 1024)

typedef struct kiosk_staff_row {
    char staff_id[KIOSK_STAFF_ID_MAX];
    char name_masked[KIOSK_STAFF_NAME_MAX];
    kiosk_staff_role role;
    char pin_hash[KIOSK_PIN_HASH_MAX];
    bool active;
    uint8_t card_uid[KIOSK_STAFF_CARDS_MAX][KIOSK_UID_MAX];
    size_t card_uid_len[KIOSK_STAFF_CARDS_MAX];
    size_t card_count;
} kiosk_staff_row;

/* Called for each row; anything but KIOSK_OK stops the parse with that code (the callback
 * writes its own message into err). */
typedef kiosk_rc (*kiosk_staff_row_fn)(void *user, size_t line, const kiosk_staff_row *row,
                                       char *err, size_t err_size);

/* Parses text[0..len) and hands each row on. KIOSK_ERR_PARSE with "line N: column: why" in
 * err, KIOSK_ERR_TOO_BIG beyond KIOSK_STAFF_FILE_MAX; the callback's code otherwise. Rows
 * before an error were handed on already: the caller makes the import all or nothing. */
KIOSK_MUST_CHECK kiosk_rc kiosk_staff_csv_parse(const char *text, size_t len,
                                                kiosk_staff_row_fn on_row, void *user, char *err,
                                                size_t err_size);

#endif
