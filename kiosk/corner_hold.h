/* corner_hold.h - the long press that asks for a staff card: a touch held KIOSK_CORNER_HOLD_MS
 * in the screen's top-left corner (no diner's button is there). The app feeds it the touches
 * (down, moves, up) and asks at its ticks whether the hold is complete; staff mode then shows
 * 请刷工作人员卡 (router.h, kiosk_router_corner_hold). Pure: positions in pixels of the upright
 * picture, times in monotonic ms. Main thread. */
#ifndef KIOSK_CORNER_HOLD_H
#define KIOSK_CORNER_HOLD_H

#include <stdbool.h>
#include <stdint.h>

/* Three seconds: longer than any tap or a resting hand's brush, short enough for staff. */
#define KIOSK_CORNER_HOLD_MS 3000

typedef struct kiosk_corner_hold {
    bool holding;     /* a touch went down in the corner and has stayed there */
    bool fired;       /* this hold was reported: once per touch */
    int64_t since_ms; /* when it went down */
} kiosk_corner_hold;

/* Whether (x, y) is in the top-left corner of a w x h picture: a square of a sixth of the
 * shorter side (180 px on a 1080-pixel side), about 4 cm on a 21.5-inch panel, easy to find by
 * feel and far from the diners' buttons. */
bool kiosk_corner_hold_in_corner(int x, int y, int w, int h);

/* A touch went down (starts a hold when it is in the corner), moved (a hold that leaves the
 * corner ends), or was lifted (the hold ends). */
void kiosk_corner_hold_down(kiosk_corner_hold *c, int x, int y, int w, int h, int64_t mono_ms);
void kiosk_corner_hold_move(kiosk_corner_hold *c, int x, int y, int w, int h);
void kiosk_corner_hold_up(kiosk_corner_hold *c);

/* True once for a hold that has lasted KIOSK_CORNER_HOLD_MS at mono_ms. */
bool kiosk_corner_hold_due(kiosk_corner_hold *c, int64_t mono_ms);
/* When the hold will be complete (INT64_MAX: no hold under way): the main loop wakes then. */
int64_t kiosk_corner_hold_deadline(const kiosk_corner_hold *c);

#endif
