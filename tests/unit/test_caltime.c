/* test_caltime.c - civil dates, ages on birthdays and leap days, the clock's ISO parser. */
#include <stdlib.h>

#include "caltime.h"
#include "check.h"
#include "clock.h"

static void test_dates(void)
{
    kiosk_date d;
    CHECK(kiosk_date_parse("2024-02-29", &d));
    CHECK(!kiosk_date_parse("2023-02-29", &d));
    CHECK(!kiosk_date_parse("2026-13-01", &d));
    CHECK(!kiosk_date_parse("2026-1-01", &d));
    CHECK(!kiosk_date_parse("2026-01-01x", &d));
    CHECK(!kiosk_date_parse(NULL, &d));
    CHECK(kiosk_date_is_leap_year(2000));
    CHECK(!kiosk_date_is_leap_year(1900));
    CHECK_INT(kiosk_date_days_in_month(2026, 2), 28);
    CHECK_INT(kiosk_date_to_days((kiosk_date){1970, 1, 1}), 0);
    CHECK_INT(kiosk_date_to_days((kiosk_date){2000, 3, 1}), 11017);
    kiosk_date back = kiosk_date_from_days(kiosk_date_to_days((kiosk_date){2026, 11, 22}));
    CHECK_INT(back.year, 2026);
    CHECK_INT(back.month, 11);
    CHECK_INT(back.day, 22);
    CHECK_INT(kiosk_date_weekday((kiosk_date){2026, 11, 22}), 6); /* a Sunday */
    CHECK_INT(kiosk_date_weekday((kiosk_date){1970, 1, 1}), 3);   /* a Thursday */
    char buf[11];
    kiosk_date_format((kiosk_date){2026, 1, 5}, buf);
    CHECK_STR(buf, "2026-01-05");
    int m;
    CHECK(kiosk_minutes_parse("11:30", false, &m) && m == 690);
    CHECK(!kiosk_minutes_parse("24:00", false, &m));
    CHECK(kiosk_minutes_parse("24:00", true, &m) && m == 1440);
    CHECK(!kiosk_minutes_parse("12:60", true, &m));
}

static void test_ages(void)
{
    kiosk_date born = {1946, 11, 22};
    CHECK_INT(kiosk_age_on(born, (kiosk_date){2026, 11, 21}), 79);
    CHECK_INT(kiosk_age_on(born, (kiosk_date){2026, 11, 22}), 80); /* on the birthday */
    kiosk_date leap = {1944, 2, 29};
    CHECK_INT(kiosk_age_on(leap, (kiosk_date){2025, 2, 28}), 80);
    CHECK_INT(kiosk_age_on(leap, (kiosk_date){2025, 3, 1}), 81); /* common year: 1 March */
    CHECK_INT(kiosk_age_on(leap, (kiosk_date){2024, 2, 28}), 79);
    CHECK_INT(kiosk_age_on(leap, (kiosk_date){2024, 2, 29}), 80); /* leap year: the day itself */
}

static void test_clock(void)
{
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    CHECK(kiosk_clock_set_zone("Mars/Olympus") != KIOSK_OK);
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    int64_t ms;
    CHECK(kiosk_clock_parse_iso("2026-11-23T11:30:00+08:00", &ms));
    CHECK_INT(ms,
              1795404600000LL); /* 2026-11-23T03:30:00Z = (20780 days * 86400 + 12600 s) * 1000 */
    int64_t local_ms;
    CHECK(kiosk_clock_parse_iso("2026-11-23T11:30", &local_ms)); /* local = Shanghai */
    CHECK_INT(local_ms, ms);
    CHECK(kiosk_clock_parse_iso("2026-11-23T03:30:00Z", &local_ms));
    CHECK_INT(local_ms, ms);
    CHECK(!kiosk_clock_parse_iso("2026-11-23 11:30", &ms));
    CHECK(!kiosk_clock_parse_iso("2026-11-23T25:30", &ms));
    CHECK(!kiosk_clock_parse_iso("2026-11-23T11:30+0800", &ms));
    kiosk_local_time t = kiosk_clock_local(1795404600000LL);
    CHECK_INT(t.date.day, 23);
    CHECK_INT(t.minute_of_day, 11 * 60 + 30);
    /* Midnight in Shanghai is 16:00 UTC the day before. */
    kiosk_local_time mid = kiosk_clock_local(1795363200000LL); /* 2026-11-22T16:00:00Z */
    CHECK_INT(mid.date.day, 23);
    CHECK_INT(mid.minute_of_day, 0);
    CHECK_INT(kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}), 1795363200000LL);
    char text[KIOSK_CLOCK_TEXT_SIZE];
    kiosk_clock_format_local(1795404600000LL + 7000, text);
    CHECK_STR(text, "2026-11-23 11:30:07");
    kiosk_clock_format_local(1795363200000LL, text);
    CHECK_STR(text, "2026-11-23 00:00:00");

    kiosk_clock_set_ms(1795404600000LL);
    int64_t now = kiosk_clock_now_ms();
    CHECK(now >= 1795404600000LL && now < 1795404600000LL + 1000);
    kiosk_clock_reset();
    CHECK(kiosk_clock_now_ms() > 1700000000000LL);
}

int main(void)
{
    test_dates();
    test_ages();
    test_clock();
    CHECK_DONE();
}
