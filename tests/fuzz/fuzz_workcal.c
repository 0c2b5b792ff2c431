/* fuzz_workcal.c - fuzz target for the working-day calendar file (workcal.h) and the periods
 * computed from it (cooling.h). A calendar that parses must be sorted and consistent (years
 * ascending and distinct, days ascending and distinct, every day in a covered year, a working
 * listed day always a weekend day); every roll must land on a working day not before its start;
 * the cooling-off periods must be ordered; a refused file leaves an empty calendar and a
 * printable message naming its line. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cooling.h"
#include "workcal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kiosk_workcal cal;

static void check_calendar(void)
{
    for (size_t i = 1; i < cal.year_count; i++)
        if (cal.years[i - 1] >= cal.years[i])
            abort();
    for (size_t i = 0; i < cal.day_count; i++) {
        const kiosk_workcal_day *d = &cal.days[i];
        if (!kiosk_date_is_valid(d->date) || !kiosk_workcal_covers(&cal, d->date.year))
            abort();
        if (i && kiosk_date_cmp(cal.days[i - 1].date, d->date) >= 0)
            abort();
        if (d->working && kiosk_date_weekday(d->date) < 5)
            abort();
    }
    for (size_t y = 0; y < cal.year_count && y < 3; y++) {
        for (int m = 1; m <= 12; m += 5) {
            kiosk_date start = {cal.years[y], m, 28}, rolled;
            if (kiosk_workcal_roll(&cal, start, &rolled) == KIOSK_OK) {
                bool working = false;
                if (kiosk_date_cmp(rolled, start) < 0 ||
                    kiosk_workcal_is_working(&cal, rolled, &working) != KIOSK_OK || !working)
                    abort();
            }
            kiosk_cooling c;
            if (kiosk_cooling_compute(&cal, start, &c) == KIOSK_OK) {
                if (kiosk_date_cmp(c.withdraw_until, start) <= 0 ||
                    kiosk_date_cmp(c.certificate_from, c.withdraw_until) <= 0 ||
                    (c.has_certificate_until &&
                     kiosk_date_cmp(c.certificate_until, c.certificate_from) < 0))
                    abort();
                if (kiosk_cooling_withdrawal(&c, c.withdraw_until) != KIOSK_COOLING_OK ||
                    kiosk_cooling_certificate(&c, c.withdraw_until) != KIOSK_COOLING_TOO_EARLY)
                    abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_workcal_parse((const char *)data, size, &cal, err, sizeof err);
    if (rc == KIOSK_OK) {
        check_calendar();
        return 0;
    }
    if (rc != KIOSK_ERR_PARSE && rc != KIOSK_ERR_TOO_BIG)
        abort();
    if (cal.year_count || cal.day_count)
        abort();
    size_t n = strnlen(err, sizeof err);
    if (n == 0 || n >= sizeof err)
        abort();
    for (size_t i = 0; i < n; i++)
        if (err[i] < 0x20 || err[i] > 0x7e)
            abort();
    return 0;
}
