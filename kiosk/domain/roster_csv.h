/* roster_csv.h - a streaming parser for the roster import file, the card-holder list a civil
 * affairs bureau exports. It owns the file format and the checks of each field; what a row means
 * for the database (persons, cards, several rows of one person) belongs to the caller (store.c).
 * Memory is bounded (one record of at most KIOSK_ROSTER_RECORD_MAX bytes), whatever the file.
 *
 * The format (docs/roster.md has a worked example):
 *   - UTF-8, an optional byte-order mark at the start is skipped. RFC 4180 CSV: comma separator,
 *     fields may be quoted with '"' and then hold commas, line breaks and "" for a quote; lines
 *     end with CRLF or LF (a CR alone is an error); the last line break is optional. Lines that
 *     are completely empty are skipped. No trimming: " local" is not "local" (except around the
 *     items of `categories` and around `name`, see below).
 *   - The first record is the header naming the columns, in any order, each once, names
 *     case-sensitive. An unknown column is an error, and so is a missing required one. Every
 *     later record has exactly as many fields as the header.
 *   - Columns ("*" = required; an empty optional field takes its default):
 *       person_id*      roster id of the person, 1..39 of [A-Za-z0-9_-]
 *       name*           full name; spaces (also U+3000) around it are dropped, control
 *                       characters are an error. Only the masked form (mask.h) leaves the
 *                       parser, and the full name is wiped from its buffer after the row.
 *       birth_date*     YYYY-MM-DD, a real date, not after `today`
 *       categories      hardship categories separated by ';': codes of KIOSK_CATEGORY_MAP
 *                       ("dibao") or their Chinese labels ("低保"); spaces and line breaks
 *                       around an item are ignored, so are empty items; empty = none
 *       city, district, street
 *                       area codes of the home area: digits only, at most 23; empty = unknown
 *       hukou*          "local" (local household registration, 户籍), "resident" (local
 *                       residence permit, 居住证) or "other"
 *       status          "active" (default) or "inactive"
 *       card_uid        the NFC card UID in hex, 4, 7 or 10 bytes (8, 14 or 20 hex digits),
 *                       any case, handed on upper-case; empty = this row has no card
 *       card_status     "active" (default), "blocked" or "lost"
 *       issuing_canteen canteen id (same characters as person_id) where the card is valid;
 *                       empty = valid at any canteen
 *       id_number       resident ID number or permit number (idnum.h), checked; handed on for
 *                       keyed hashing, never logged
 *     card_status and issuing_canteen describe the card of the row: on a row without card_uid
 *     they are checked and then cleared in the row handed on.
 *   - A person_id may not be an ID number itself (18 characters whose last one is the check
 *     character of the first 17, or 15 digits): ids are printed in messages, ID numbers never.
 *   - An id_number's birth date (characters 7-14) must be the row's birth_date.
 *   - A person with several cards has several rows with the same person_id; their person
 *     columns (name, birth_date, categories, area, hukou, status, id_number) must agree. The
 *     parser sees one row at a time and does NOT check that, nor that a card_uid or an
 *     id_number belongs to one person only: the importer does (kiosk/store/roster_import.c).
 *   - Limits: a field holds at most KIOSK_ROSTER_FIELD_MAX bytes, a record (as bytes in the
 *     file, quotes and line breaks included) at most KIOSK_ROSTER_RECORD_MAX.
 *
 * Errors name the physical line where the record starts (the header is line 1) and the column:
 *   "line 7: birth_date: '1950-02-30' is not a valid date", "line 3: expected 11 fields, found
 *   9", "line 12: unterminated quoted field". A header with tabs in it is named as a
 *   tab-separated file, one starting with a UTF-16 byte-order mark as a UTF-16 text file, rather
 *   than as unknown columns. No message repeats a name or an id_number, nor a value that is not
 *   short printable ASCII or that looks like an ID number. */
#ifndef KIOSK_ROSTER_CSV_H
#define KIOSK_ROSTER_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "caltime.h"
#include "error.h"
#include "idnum.h"
#include "policy.h"

#define KIOSK_ROSTER_FIELD_MAX       256
#define KIOSK_ROSTER_RECORD_MAX      4096
#define KIOSK_ROSTER_NAME_MASKED_MAX 64
#define KIOSK_ROSTER_CARD_UID_MAX    21 /* 20 hex digits and the terminator */

/* How an import file relates to the roster already stored (docs/roster.md, "Full and delta
 * imports"). There is no default: whoever imports says which she means. */
typedef enum kiosk_roster_mode {
    KIOSK_ROSTER_MODE_NONE,  /* not chosen: an import refuses it */
    KIOSK_ROSTER_MODE_FULL,  /* the file is the whole roster: persons it leaves out become
                                inactive, cards it no longer lists for its persons are blocked */
    KIOSK_ROSTER_MODE_DELTA, /* only the persons and cards of the file change */
} kiosk_roster_mode;

/* "full" or "delta" to its mode; KIOSK_ROSTER_MODE_NONE for anything else. Any thread. */
kiosk_roster_mode kiosk_roster_mode_parse(const char *text);
/* "full", "delta" or "none" (static). Any thread. */
const char *kiosk_roster_mode_name(kiosk_roster_mode mode);

/* One data record, checked. Strings are NUL-terminated; "" = the field was empty. */
typedef struct kiosk_roster_row {
    size_t line; /* physical line where the record starts */
    char person_id[KIOSK_ID_MAX];
    char name_masked[KIOSK_ROSTER_NAME_MASKED_MAX]; /* "张*明" */
    kiosk_person person;                            /* birth, categories, home, hukou, active */
    char card_uid[KIOSK_ROSTER_CARD_UID_MAX];       /* upper-case hex; "" = no card on this row */
    bool card_blocked;                              /* card_status blocked or lost */
    bool card_lost;                                 /* card_status lost (card_blocked is set too) */
    char issuing_canteen[KIOSK_ID_MAX];             /* "" = valid at any canteen */
    char id_number[KIOSK_IDNUM_LEN + 1];            /* normalised (X upper-case); "" = none */
} kiosk_roster_row;

/* Called once per data record, in file order. The row is borrowed for the call only and wiped
 * after it (it may hold an ID number). Returning anything but KIOSK_OK stops the read, and
 * kiosk_roster_csv_read returns that code; the callback may keep its own explanation in user. */
typedef kiosk_rc (*kiosk_roster_row_fn)(void *user, const kiosk_roster_row *row);

/* Reads the roster from `in` (opened in binary mode; read to its end or to the first error, not
 * closed) and calls on_row for each record. `today` is the local business date that bounds
 * birth dates. Returns KIOSK_OK after the last row; KIOSK_ERR_PARSE with a message in err for
 * a malformed file; KIOSK_ERR_IO when reading fails; or the callback's code. Rows before an
 * error have been handed on already: the caller wraps the read in one transaction and rolls it
 * back on error, so nothing is half-imported. err (err_size bytes, may be 0) always holds a
 * message on failure. Uses no global state; any thread, one stream per call. */
KIOSK_MUST_CHECK kiosk_rc kiosk_roster_csv_read(FILE *in, kiosk_date today,
                                                kiosk_roster_row_fn on_row, void *user, char *err,
                                                size_t err_size);

#endif
