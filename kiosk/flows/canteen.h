/* canteen.h - the canteen meal-assistance flow: card tap -> holder lookup -> policy decision ->
 * durable record -> result view and voice -> back to idle by itself. An explicit state machine
 * on the main thread; it owns the view it produces. The router drives it through
 * kiosk_canteen_flow; tests may call the typed functions below. */
#ifndef KIOSK_CANTEEN_H
#define KIOSK_CANTEEN_H

#include <stdint.h>

#include "flow.h"

extern const kiosk_flow_ops kiosk_canteen_flow;

typedef struct kiosk_canteen kiosk_canteen;

/* Borrows everything in env for its lifetime. NULL on allocation failure. */
kiosk_canteen *kiosk_canteen_new(const kiosk_flow_env *env);
void kiosk_canteen_free(kiosk_canteen *c);

/* A card was presented. */
void kiosk_canteen_on_card(kiosk_canteen *c, const kiosk_card *card, kiosk_now now);
/* The ID-card reader read an ID card: the diner is found by the number's keyed hash, for diners
 * without a service card. The number is not kept. */
void kiosk_canteen_on_idcard(kiosk_canteen *c, const kiosk_idcard *id, kiosk_now now);
/* An ID card was on the reader but could not be read (reason: the driver's words, for the
 * events file; no card data): the diner is asked to place it again. */
void kiosk_canteen_on_idcard_error(kiosk_canteen *c, const char *reason, kiosk_now now);
/* The cash register (or the counter's keypad) gave the bill of the meal (bill pricing). */
void kiosk_canteen_on_bill(kiosk_canteen *c, int64_t fen, kiosk_now now);
/* A touch on a widget of the current screen ("back", "help", keys, menu items). */
void kiosk_canteen_on_press(kiosk_canteen *c, const char *widget, kiosk_now now);
/* Time passed: a busy database is tried again, a result screen goes back to idle. */
void kiosk_canteen_on_tick(kiosk_canteen *c, kiosk_now now);
/* The monotonic time of the next thing to do; INT64_MAX if none. */
int64_t kiosk_canteen_deadline(const kiosk_canteen *c);
/* The current view (borrowed; valid until the next call on c). */
const kiosk_view *kiosk_canteen_view(const kiosk_canteen *c);
/* The receipt of the last meal served, laid out in `columns` for the receipt printer
 * (receipt.h); KIOSK_ERR_NOT_FOUND before the first meal. */
KIOSK_MUST_CHECK kiosk_rc kiosk_canteen_receipt(const kiosk_canteen *c, int columns, char *out,
                                                size_t size);
/* The record id of the last committed meal (for tests), "" if none. */
const char *kiosk_canteen_last_record_id(const kiosk_canteen *c);

#endif
