/* clock.h - the injectable clock. Business rules ask this module for "now" so tests (and the
 * sim reader's `time` command) can set it; once set, the clock keeps running from that moment.
 * Local times are in the configured zone (Asia/Shanghai by default). Any thread. */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "caltime.h"
#include "error.h"

/* Whether zone names a zone file of the system's tz database ("Asia/Shanghai", "UTC"); false for
 * names glibc would silently treat as UTC ("Beijing", "UTC+8", "CST", a folder). */
bool kiosk_clock_zone_exists(const char *zone);
/* Selects the time zone for local business times (a tz database name); KIOSK_ERR_NOT_FOUND
 * unless kiosk_clock_zone_exists. Call before threads. */
KIOSK_MUST_CHECK kiosk_rc kiosk_clock_set_zone(const char *zone);
/* Current UTC time in ms since the epoch, including any injected offset. */
int64_t kiosk_clock_now_ms(void);
/* Monotonic ms for deadlines and latencies; never jumps when the clock is set. */
int64_t kiosk_clock_mono_ms(void);
/* Makes kiosk_clock_now_ms() return utc_ms now and run on from there. */
void kiosk_clock_set_ms(int64_t utc_ms);
/* Back to the system clock. */
void kiosk_clock_reset(void);
/* The local date and wall time of a UTC instant. */
kiosk_local_time kiosk_clock_local(int64_t utc_ms);
/* The local date and wall time of a UTC instant as "YYYY-MM-DD HH:MM:SS" (tables, pages, logs). */
#define KIOSK_CLOCK_TEXT_SIZE 20
void kiosk_clock_format_local(int64_t utc_ms, char out[static KIOSK_CLOCK_TEXT_SIZE]);
/* The UTC instant of local midnight starting date d. */
int64_t kiosk_clock_local_midnight_ms(kiosk_date d);
/* Parses ISO 8601 "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]"; without a zone it is local time. */
bool kiosk_clock_parse_iso(const char *text, int64_t *out_utc_ms);

#endif
