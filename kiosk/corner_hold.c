/* corner_hold.c - see corner_hold.h. */
#include "corner_hold.h"

bool kiosk_corner_hold_in_corner(int x, int y, int w, int h)
{
    int side = (w < h ? w : h) / 6;
    return x >= 0 && y >= 0 && x < side && y < side;
}

void kiosk_corner_hold_down(kiosk_corner_hold *c, int x, int y, int w, int h, int64_t mono_ms)
{
    c->holding = kiosk_corner_hold_in_corner(x, y, w, h);
    c->fired = false;
    c->since_ms = mono_ms;
}

void kiosk_corner_hold_move(kiosk_corner_hold *c, int x, int y, int w, int h)
{
    if (c->holding && !kiosk_corner_hold_in_corner(x, y, w, h))
        c->holding = false;
}

void kiosk_corner_hold_up(kiosk_corner_hold *c)
{
    c->holding = false;
}

bool kiosk_corner_hold_due(kiosk_corner_hold *c, int64_t mono_ms)
{
    if (!c->holding || c->fired || mono_ms - c->since_ms < KIOSK_CORNER_HOLD_MS)
        return false;
    c->fired = true;
    return true;
}

int64_t kiosk_corner_hold_deadline(const kiosk_corner_hold *c)
{
    return c->holding && !c->fired ? c->since_ms + KIOSK_CORNER_HOLD_MS : INT64_MAX;
}
