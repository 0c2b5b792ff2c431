/* caltime.h - civil dates and local wall-clock times for business rules (meal windows, ages,
 * "today", months). Pure arithmetic on the proleptic Gregorian calendar; no time zone database
 * is consulted here (clock.c turns instants into local times). */
#ifndef KIOSK_CALTIME_H
#define KIOSK_CALTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kiosk_date {
    int year;  /* e.g. 2026 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
} kiosk_date;

/* A local wall-clock moment: the business date and minutes/seconds since local midnight. */
typedef struct kiosk_local_time {
    kiosk_date date;
    int minute_of_day; /* 0..1439 */
    int second;        /* 0..59 */
} kiosk_local_time;

bool kiosk_date_is_leap_year(int year);
int kiosk_date_days_in_month(int year, int month);
bool kiosk_date_is_valid(kiosk_date d);

/* Parses exactly "YYYY-MM-DD" (a valid calendar date); false on anything else. */
bool kiosk_date_parse(const char *text, kiosk_date *out);
/* Parses exactly "HH:MM" (00:00..23:59, or "24:00" when allow_24 is true) into minutes. */
bool kiosk_minutes_parse(const char *text, bool allow_24, int *out_minutes);

/* Writes "YYYY-MM-DD" into buf (at least 11 bytes). */
void kiosk_date_format(kiosk_date d, char buf[static 11]);

/* <0, 0, >0 like strcmp. */
int kiosk_date_cmp(kiosk_date a, kiosk_date b);
/* Days since 1970-01-01 (negative before). */
int64_t kiosk_date_to_days(kiosk_date d);
kiosk_date kiosk_date_from_days(int64_t days);
/* 0 = Monday ... 6 = Sunday. */
int kiosk_date_weekday(kiosk_date d);

/* Completed years of age on `on` for someone born on `birth`. A year is completed on the
 * birthday itself; someone born on 29 February completes a year on 1 March in common years. */
int kiosk_age_on(kiosk_date birth, kiosk_date on);

#endif
