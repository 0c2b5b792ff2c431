/* workcal.h - the working-day calendar (工作日历): which days are working days, as data from the
 * State Council's yearly notice, never as a table in the code. Owns the calendar file format,
 * its checks, and the questions the cooling-off rule asks ("is this a working day", "the next
 * working day from here"). Pure: the kiosk's store and the central server use the same code.
 *
 * A day is a working day when the calendar says so for that date (a make-up working day, 调休上班,
 * on a weekend), or it is Monday to Friday and the calendar does not list it as a rest day (a
 * statutory holiday, 法定节假日). A year the calendar does not cover cannot be answered:
 * without its notice nobody knows its holidays.
 *
 * The file (docs/marriage.md, "The working-day calendar"): UTF-8 CSV with the header
 * `kind,date,note` and one line per fact; lines starting with '#' are comments.
 *   year,2026,<note>             the file covers 2026 completely: every rest day of 2026 that
 *                                falls on a weekday and every working weekend day is listed
 *   rest,2026-10-01..2026-10-07,国庆节   rest days (a date or an inclusive range in one year);
 *                                weekend days inside a range are allowed (they are rest anyway)
 *   work,2026-10-10,国庆节调休    a weekend day that is a working day (a weekday is an error)
 * Every date must lie in a year the file declares; a date may be listed once; a note is at most
 * KIOSK_WORKCAL_NOTE_MAX - 1 bytes of text. */
#ifndef KIOSK_WORKCAL_H
#define KIOSK_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "caltime.h"
#include "error.h"

#define KIOSK_WORKCAL_YEARS_MAX 32
#define KIOSK_WORKCAL_DAYS_MAX  2048 /* listed days over all years (a year lists about 35) */
#define KIOSK_WORKCAL_NOTE_MAX  64
#define KIOSK_WORKCAL_FILE_MAX  (1024 * 1024)

typedef struct kiosk_workcal_day {
    kiosk_date date;
    bool working; /* true: a make-up working day; false: a rest day */
    char note[KIOSK_WORKCAL_NOTE_MAX];
} kiosk_workcal_day;

/* Large (about 150 KiB): allocate it, do not put it on the stack. */
typedef struct kiosk_workcal {
    int years[KIOSK_WORKCAL_YEARS_MAX]; /* ascending */
    size_t year_count;
    kiosk_workcal_day days[KIOSK_WORKCAL_DAYS_MAX]; /* ascending by date, each date once */
    size_t day_count;
} kiosk_workcal;

/* An empty calendar (covers no year). */
void kiosk_workcal_init(kiosk_workcal *cal);

/* Declares that the calendar covers year completely (a no-op when it does already).
 * KIOSK_ERR_TOO_BIG beyond KIOSK_WORKCAL_YEARS_MAX years, KIOSK_ERR_INVALID for a year outside
 * 1950..2200. */
KIOSK_MUST_CHECK kiosk_rc kiosk_workcal_add_year(kiosk_workcal *cal, int year);

/* Lists date as a working day or a rest day, with its note (may be NULL). KIOSK_ERR_INVALID for
 * an invalid date, a date outside the covered years, a working day on a weekday, or a date
 * listed already; KIOSK_ERR_TOO_BIG when full. */
KIOSK_MUST_CHECK kiosk_rc kiosk_workcal_set_day(kiosk_workcal *cal, kiosk_date date, bool working,
                                                const char *note);

/* Whether the calendar covers year. */
bool kiosk_workcal_covers(const kiosk_workcal *cal, int year);

/* Whether date is a working day; KIOSK_ERR_NOT_FOUND when its year is not covered. */
KIOSK_MUST_CHECK kiosk_rc kiosk_workcal_is_working(const kiosk_workcal *cal, kiosk_date date,
                                                   bool *working);

/* date itself when it is a working day, else the next working day after it (Civil Code art.
 * 203: a period whose last day is a rest day ends on the next working day).
 * KIOSK_ERR_NOT_FOUND when a year it must look at is not covered. */
KIOSK_MUST_CHECK kiosk_rc kiosk_workcal_roll(const kiosk_workcal *cal, kiosk_date date,
                                             kiosk_date *out);

/* Parses a calendar file (see above) into *out (initialised here), all or nothing.
 * KIOSK_ERR_PARSE with "line N: ..." in err; KIOSK_ERR_TOO_BIG beyond the limits. */
KIOSK_MUST_CHECK kiosk_rc kiosk_workcal_parse(const char *text, size_t len, kiosk_workcal *out,
                                              char *err, size_t err_size);

#endif
