/* canteen.h - the canteen meal-assistance flow: card tap -> holder lookup -> policy decision ->
 * durable record -> result view and voice -> back to idle by itself. An explicit state machine
 * driven by the main loop on the main thread; it owns the view it produces. */
#ifndef KIOSK_CANTEEN_H
#define KIOSK_CANTEEN_H

#include <stdint.h>

#include "events_log.h"
#include "policy.h"
#include "store.h"
#include "view.h"

typedef struct kiosk_canteen kiosk_canteen;

typedef struct kiosk_canteen_options {
    char kiosk_id[KIOSK_ID_MAX];
    char site_name[128];
    kiosk_site site;
    int result_seconds;     /* result screen back to idle */
    int repeat_tap_seconds; /* the same card within this shows the same result */
} kiosk_canteen_options;

/* Borrows store, policies and log for its lifetime. NULL on allocation failure. */
kiosk_canteen *kiosk_canteen_new(const kiosk_canteen_options *opts, kiosk_store *store,
                                 const kiosk_policy_set *policies, kiosk_events_log *log);
void kiosk_canteen_free(kiosk_canteen *c);

/* A card was presented. now_utc_ms is the injectable clock; now_mono_ms drives timeouts. */
void kiosk_canteen_on_card(kiosk_canteen *c, const uint8_t *uid, size_t uid_len, int64_t now_utc_ms,
                           int64_t now_mono_ms);
/* The ID-card reader read a resident ID card (or a permit of the same format): the diner is
 * found by the number's keyed hash, for diners without a service card. The number is not kept. */
void kiosk_canteen_on_id_number(kiosk_canteen *c, const char *number, int64_t now_utc_ms,
                                int64_t now_mono_ms);
/* A touch on a widget of the current screen ("back", "help", "dayview"). */
void kiosk_canteen_on_press(kiosk_canteen *c, const char *widget, int64_t now_utc_ms,
                            int64_t now_mono_ms);
/* Time passed: returns to idle when the screen's deadline is reached, updates the countdown. */
void kiosk_canteen_on_tick(kiosk_canteen *c, int64_t now_mono_ms);
/* The monotonic time of the next thing to do (countdown or back to idle); INT64_MAX if none. */
int64_t kiosk_canteen_deadline(const kiosk_canteen *c);
/* A small line for staff kept on every screen (e.g. "本机数据曾损坏，已恢复"). */
void kiosk_canteen_set_status(kiosk_canteen *c, const char *text);
/* The current view (borrowed; valid until the next call on c). */
kiosk_view *kiosk_canteen_view(kiosk_canteen *c);
/* The receipt of the last meal served, laid out in `columns` for the receipt printer
 * (receipt.h); KIOSK_ERR_NOT_FOUND before the first meal. */
KIOSK_MUST_CHECK kiosk_rc kiosk_canteen_receipt(const kiosk_canteen *c, int columns, char *out,
                                                size_t size);
/* The record id of the last committed meal (for tests), "" if none. */
const char *kiosk_canteen_last_record_id(const kiosk_canteen *c);

#endif
