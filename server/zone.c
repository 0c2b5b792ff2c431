/* zone.c - local dates in a site's time zone (zone.h). */
#include "zone.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char current[64];

kiosk_rc srv_zone_init(const char *zone)
{
    pthread_mutex_lock(&zone_lock);
    kiosk_rc rc = kiosk_clock_set_zone(zone);
    if (rc == KIOSK_OK)
        snprintf(current, sizeof current, "%s", zone);
    pthread_mutex_unlock(&zone_lock);
    return rc;
}

kiosk_date srv_zone_date(const char *zone, int64_t utc_ms)
{
    pthread_mutex_lock(&zone_lock);
    if (zone && zone[0] && strcmp(zone, current) != 0 && kiosk_clock_set_zone(zone) == KIOSK_OK)
        snprintf(current, sizeof current, "%s", zone);
    kiosk_date d = kiosk_clock_local(utc_ms).date;
    pthread_mutex_unlock(&zone_lock);
    return d;
}
