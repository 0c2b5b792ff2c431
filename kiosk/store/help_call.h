/* help_call.h - a diner's call for staff (呼叫工作人员) as records that go to the server like
 * meals: a help_call record when the button is pressed (the kiosk and the time), and a
 * help_answer record when staff answer it with their card (the call, the time and how long the
 * diner waited). The server raises an alert for each call (server/help_calls.c). The records are
 * the outbox rows themselves: no table of their own. */
#ifndef KIOSK_HELP_CALL_H
#define KIOSK_HELP_CALL_H

#include <stdint.h>

#include "error.h"
#include "recid.h"
#include "store.h"

/* Records a call made at now_utc_ms on kiosk kiosk_id; its record id in *out (may be NULL). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_help_call(kiosk_store *store, const char *kiosk_id,
                                                int64_t now_utc_ms, kiosk_recid *out);

/* The newest call not yet answered: when it was made. KIOSK_ERR_NOT_FOUND when there is none. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_help_call_open(kiosk_store *store, int64_t *called_utc_ms);

/* Staff answered (a staff card's tap) at now_utc_ms: the newest open call is answered, and
 * *waited_ms (may be NULL) is the time from the call. KIOSK_ERR_NOT_FOUND when no call is open. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_help_call_answer(kiosk_store *store, const char *staff_id,
                                                       int64_t now_utc_ms, int64_t *waited_ms);

#endif
