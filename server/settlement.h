/* settlement.h - the month's settlement from the meal records the kiosks uploaded, and the
 * review of suspected second subsidies. A meal flagged duplicate_subsidy_suspected (pending
 * review) or duplicate_subsidy_waived has its subsidy held back: it is listed, never paid; one
 * accepted on review is paid like any other. Money in fen. The caller's thread. */
#ifndef SRV_SETTLEMENT_H
#define SRV_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "storage.h"

/* The totals of month "YYYY-MM" (of one site, or every site when site_id is NULL) as CSV, one
 * row per site x canteen x class x funding level:
 *   month,site_id,canteen_id,class_id,funding_level,meals,subsidy_fen,held_meals,held_subsidy_fen
 * funding_level is city, district, street or canteen (the canteen's own discount); meals and
 * subsidy_fen count the meals whose subsidy is paid (subsidy_fen: that level's share of them),
 * held_* the flagged meals whose subsidy is held back; a meal staff voided (review status
 * "voided") counts in neither. Rows sorted; a header line first.
 * KIOSK_ERR_INVALID for a month that is not YYYY-MM; KIOSK_ERR_CORRUPT for a stored payload that
 * is not a meal (its record id in err). */
KIOSK_MUST_CHECK kiosk_rc srv_settlement_totals(srv_store *st, const char *month,
                                                const char *site_id, FILE *out, char *err,
                                                size_t err_size);
/* Every meal of the month, one row each: the columns of the kiosk's settlement export
 * (README.md) and review_status ("" for a meal nothing is wrong with). */
KIOSK_MUST_CHECK kiosk_rc srv_settlement_meals(srv_store *st, const char *month,
                                               const char *site_id, FILE *out, char *err,
                                               size_t err_size);

/* `review list`: the open cases (all with all_cases), each with its meals. */
KIOSK_MUST_CHECK kiosk_rc srv_review_list(srv_store *st, bool all_cases, FILE *out);
/* `review accept|waive ID`: accept pays the suspected meals' subsidy, waive holds it back for
 * good. *decided = how many meals changed; KIOSK_ERR_NOT_FOUND for an unknown case. */
KIOSK_MUST_CHECK kiosk_rc srv_review_decide(srv_store *st, int64_t case_id, bool accept,
                                            int64_t now_ms, long *decided);

#endif
