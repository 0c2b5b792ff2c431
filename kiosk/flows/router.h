/* router.h - the active flow: a base flow from the config's mode and the dormant overlays
 * (every registered non-base flow), which claim the events they want (a staff card) and hand
 * control back when done. The app feeds it events and draws router's view. Main thread. */
#ifndef KIOSK_ROUTER_H
#define KIOSK_ROUTER_H

#include "flow.h"

typedef struct kiosk_router kiosk_router;

/* The base flow of a kiosk that must not serve: its database is damaged beyond recovery, or is
 * being recovered. It needs no database; overlays that need one are left out. */
#define KIOSK_MODE_OUT_OF_SERVICE "out_of_service"

/* Starts the base flow named mode and every overlay. NULL with a message in err (an unknown
 * mode, or a flow that failed to start). */
kiosk_router *kiosk_router_new(const char *mode, const kiosk_flow_env *env, char *err,
                               size_t err_size);
void kiosk_router_free(kiosk_router *r);

void kiosk_router_card(kiosk_router *r, const kiosk_card *card, kiosk_now now);
void kiosk_router_card_removed(kiosk_router *r, kiosk_now now);
void kiosk_router_idcard(kiosk_router *r, const kiosk_idcard *id, kiosk_now now);
void kiosk_router_idcard_error(kiosk_router *r, const char *reason, kiosk_now now);
void kiosk_router_bill(kiosk_router *r, int64_t fen, kiosk_now now);
void kiosk_router_press(kiosk_router *r, const char *widget, kiosk_now now);
/* A long press in the corner (corner_hold.h): over the base flow, the overlay that answers it
 * takes over; otherwise (an overlay already active) nothing. */
void kiosk_router_corner_hold(kiosk_router *r, kiosk_now now);
/* Whether the active flow takes a press of a widget it does not show (flow.h, takes_press). */
bool kiosk_router_takes_press(const kiosk_router *r, const char *widget);
void kiosk_router_tick(kiosk_router *r, kiosk_now now);
int64_t kiosk_router_deadline(const kiosk_router *r);
const kiosk_view *kiosk_router_view(const kiosk_router *r);
/* The name of the flow events now go to ("canteen", "staff"). */
const char *kiosk_router_active(const kiosk_router *r);

#endif
