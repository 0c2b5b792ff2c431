/* frame.h - fills the parts of a kiosk_frame that come from the clock. */
#ifndef KIOSK_FRAME_H
#define KIOSK_FRAME_H

#include <stdint.h>

#include "view.h"

/* Writes the date ("2026年11月23日 星期一") and time ("11:30") of the local time of utc_ms. */
void kiosk_frame_set_clock(kiosk_frame *f, int64_t utc_ms);

#endif
