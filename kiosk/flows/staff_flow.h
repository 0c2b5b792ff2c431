/* staff_flow.h - staff mode, an overlay over the canteen or marriage flow: a staff card tap
 * takes over, a PIN typed on the large keypad (shown as dots) opens the staff menu, and the
 * menu's actions go through the store's staff functions, which check the role and write the
 * audit entry (staff_store.h). It leaves after [staff] timeout_seconds without a touch, on the
 * next diner's tap (which the base flow then serves), or by its leave button; "out of service"
 * keeps the screen until a member of staff signs in again. Its INI section [staff]:
 *   lockout_minutes = 5        how long five wrong PINs lock a staff card (1..1440)
 *   timeout_seconds = 60       leave after this long without a touch (15..600)
 *   reasons = wrong_person:刷错人;wrong_meal:餐次错误;duplicate:重复刷卡;other:其他
 *                              the reason codes staff choose from (code:label, at most 6)
 * Main thread. */
#ifndef KIOSK_STAFF_FLOW_H
#define KIOSK_STAFF_FLOW_H

#include "flow.h"

extern const kiosk_flow_ops kiosk_staff_flow;

#endif
