/* roster.h - the server's roster import for one site (docs/roster.md): the same CSV, parsed by
 * the domain's roster_csv.h, checked across rows and against the site's stored roster by the
 * same rules as the kiosk's import (one card and one ID number per person, full and delta
 * modes, persons left out become inactive, cards left out are blocked), with the same
 * messages. What the server stores are the roster and cards streams' rows: card keys and
 * ID-number keys under the city's card key, masked names, never a UID or an ID number. Only
 * rows that change get a new version. The file is staged in memory, then the difference is
 * written in one write transaction. The caller's thread. */
#ifndef SRV_ROSTER_H
#define SRV_ROSTER_H

#include <stdint.h>
#include <stdio.h>

#include "roster_csv.h"
#include "storage.h"

#define SRV_ROSTER_DUPLICATES_NAMED 5

/* The counts of the kiosk's import report (kiosk/store/roster_import.h), the same meanings. */
typedef struct srv_roster_report {
    kiosk_roster_mode mode;
    long rows, duplicate_rows;
    size_t duplicate_line[SRV_ROSTER_DUPLICATES_NAMED];
    size_t duplicate_of[SRV_ROSTER_DUPLICATES_NAMED];
    long persons, persons_added, persons_changed, persons_unchanged, persons_inactivated;
    long cards, cards_added, cards_moved, cards_blocked, cards_changed, cards_unchanged;
    long versions; /* stream rows written */
} srv_roster_report;

/* Imports csv (binary mode, read to its end, not closed) into site_id's roster. today bounds
 * birth dates. On KIOSK_ERR_PARSE err names the line and column of the first problem (never a
 * name, ID number or UID); nothing changes unless KIOSK_OK. */
KIOSK_MUST_CHECK kiosk_rc srv_roster_import(srv_store *st, const char *site_id, FILE *csv,
                                            kiosk_date today, kiosk_roster_mode mode,
                                            int64_t now_ms, srv_roster_report *out, char *err,
                                            size_t err_size);

/* Removes a person and their cards from the site's streams (tombstones), e.g. to erase a
 * person's data; *cards = how many cards went with them. KIOSK_ERR_NOT_FOUND when the site has
 * no such person. */
KIOSK_MUST_CHECK kiosk_rc srv_roster_remove(srv_store *st, const char *site_id,
                                            const char *person_id, int64_t now_ms, long *cards);

#endif
