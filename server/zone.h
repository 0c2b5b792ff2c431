/* zone.h - local dates in a site's time zone. The C library keeps one zone per process (TZ), so
 * every conversion goes through here, under one lock, switching the zone only when a site's
 * differs from the last one used (a city's sites normally share one, chosen at start-up before
 * any thread runs). Any thread. */
#ifndef SRV_ZONE_H
#define SRV_ZONE_H

#include <stdint.h>

#include "caltime.h"
#include "error.h"

/* Selects the zone before threads start; KIOSK_ERR_NOT_FOUND for a name that is not a zone of
 * the tz database (kiosk_clock_zone_exists). */
KIOSK_MUST_CHECK kiosk_rc srv_zone_init(const char *zone);
/* The local date of utc_ms in zone (an unknown zone counts as the one selected last). */
kiosk_date srv_zone_date(const char *zone, int64_t utc_ms);

#endif
