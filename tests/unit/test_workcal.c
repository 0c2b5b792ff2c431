/* test_workcal.c - the working-day calendar and the cooling-off periods: the calendar file's
 * format and refusals (with the 2026 notice of tests/data/calendar-2026.csv), working days,
 * weekends, holidays and make-up working days, rolling to the next working day; then the
 * divorce periods on day 30/31/60/61, at month ends, in a leap year, with a period ending in the
 * Spring Festival or on a make-up Saturday, and a calendar that lacks the year. The weekdays
 * were checked with Python's datetime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cooling.h"
#include "workcal.h"

static const char *data_dir;

static kiosk_date D(int y, int m, int d)
{
    return (kiosk_date){y, m, d};
}

static void check_date(kiosk_date got, kiosk_date want, const char *what)
{
    char a[11], b[11];
    kiosk_date_format(got, a);
    kiosk_date_format(want, b);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "%s: %s, expected %s\n", what, a, b);
    CHECK_STR(a, b);
}

static kiosk_workcal *load_2026(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/calendar-2026.csv", data_dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char text[8192];
    size_t n = f ? fread(text, 1, sizeof text, f) : 0;
    if (f)
        fclose(f);
    kiosk_workcal *cal = malloc(sizeof *cal);
    char err[256] = "";
    kiosk_rc rc = kiosk_workcal_parse(text, n, cal, err, sizeof err);
    if (rc != KIOSK_OK)
        fprintf(stderr, "calendar-2026.csv: %s\n", err);
    CHECK_INT(rc, KIOSK_OK);
    return cal;
}

static bool working(const kiosk_workcal *cal, kiosk_date d)
{
    bool w = false;
    CHECK_INT(kiosk_workcal_is_working(cal, d, &w), KIOSK_OK);
    return w;
}

static void test_days(const kiosk_workcal *cal)
{
    CHECK_INT(cal->year_count, 1);
    CHECK(kiosk_workcal_covers(cal, 2026));
    CHECK(!kiosk_workcal_covers(cal, 2027));
    CHECK(working(cal, D(2026, 11, 23)));  /* a Monday */
    CHECK(!working(cal, D(2026, 11, 28))); /* a Saturday */
    CHECK(!working(cal, D(2026, 10, 1)));  /* National Day, a Thursday */
    CHECK(!working(cal, D(2026, 2, 23)));  /* the last day of the Spring Festival, a Monday */
    CHECK(working(cal, D(2026, 2, 24)));
    CHECK(working(cal, D(2026, 2, 28))); /* a make-up Saturday */
    CHECK(working(cal, D(2026, 1, 4)));  /* a make-up Sunday */
    CHECK(working(cal, D(2026, 10, 10)));
    bool w;
    CHECK_INT(kiosk_workcal_is_working(cal, D(2027, 1, 4), &w), KIOSK_ERR_NOT_FOUND);
    kiosk_date r;
    CHECK_INT(kiosk_workcal_roll(cal, D(2026, 11, 23), &r), KIOSK_OK);
    check_date(r, D(2026, 11, 23), "a working day stays");
    CHECK_INT(kiosk_workcal_roll(cal, D(2026, 2, 15), &r), KIOSK_OK);
    check_date(r, D(2026, 2, 24), "the Spring Festival rolls to its end");
    CHECK_INT(kiosk_workcal_roll(cal, D(2026, 9, 26), &r), KIOSK_OK);
    check_date(r, D(2026, 9, 28), "Mid-Autumn");
    CHECK_INT(kiosk_workcal_roll(cal, D(2026, 10, 3), &r), KIOSK_OK);
    check_date(r, D(2026, 10, 8), "National Day");
    CHECK_INT(kiosk_workcal_roll(cal, D(2026, 12, 26), &r), KIOSK_OK);
    check_date(r, D(2026, 12, 28), "a weekend");
    /* 2027-01-02 is a Saturday: rolling needs the 2027 notice. */
    CHECK_INT(kiosk_workcal_roll(cal, D(2027, 1, 2), &r), KIOSK_ERR_NOT_FOUND);
}

static kiosk_rc parse(const char *text, char *err, size_t size)
{
    kiosk_workcal *cal = malloc(sizeof *cal);
    kiosk_rc rc = kiosk_workcal_parse(text, strlen(text), cal, err, size);
    free(cal);
    return rc;
}

static void refused(const char *text, const char *want)
{
    char err[256] = "";
    CHECK_INT(parse(text, err, sizeof err), KIOSK_ERR_PARSE);
    if (!strstr(err, want))
        fprintf(stderr, "message '%s' lacks '%s'\n", err, want);
    CHECK(strstr(err, want) != NULL);
}

static void test_file_refusals(void)
{
    char err[256];
    CHECK_INT(parse("kind,date,note\nyear,2027,\n", err, sizeof err), KIOSK_OK);
    /* A year line may follow its days; comments and CRLF are fine. */
    CHECK_INT(
        parse("# c\r\nkind,date,note\r\nrest,2027-01-01,元旦\r\nyear,2027,\r\n", err, sizeof err),
        KIOSK_OK);
    refused("", "empty");
    refused("date,kind,note\n", "line 1: the first line must be kind,date,note");
    refused("kind,date,note\nrest,2026-01-01,元旦\n", "line 2: 2026 is not a year");
    refused("kind,date,note\nyear,2026,\nwork,2026-01-05,\n", "line 3: 2026-01-05 is a weekday");
    refused("kind,date,note\nyear,2026,\nrest,2026-01-01,\nrest,2026-01-01..2026-01-02,\n",
            "line 4: 2026-01-01 is listed twice");
    refused("kind,date,note\nyear,2026,\nrest,2026-02-30,\n", "line 3: date");
    refused("kind,date,note\nyear,2026,\nrest,2026-01-03..2026-01-01,\n", "runs forward");
    refused("kind,date,note\nyear,2026,\nyear,2026,\n", "line 3: the year 2026 is declared twice");
    refused("kind,date,note\nyear,26,\n", "line 2: date");
    refused("kind,date,note\nholiday,2026-01-01,\n", "line 2: kind");
    refused("kind,date,note\nyear,2026\n", "line 2: expected 3 fields");
    refused("kind,date,note\nyear,2026,\"open\n", "not closed");
    refused("kind,date,note\nyear,2026,\xff\n", "UTF-8");
}

static kiosk_cooling cooling(const kiosk_workcal *cal, kiosk_date applied)
{
    kiosk_cooling c;
    memset(&c, 0, sizeof c);
    CHECK_INT(kiosk_cooling_compute(cal, applied, &c), KIOSK_OK);
    return c;
}

static kiosk_date plus(kiosk_date d, int days)
{
    return kiosk_date_from_days(kiosk_date_to_days(d) + days);
}

/* No rest day at either end: day 30 is the last day to withdraw and the certificate's first day
 * is day 31; day 60 the certificate's last, day 61 deemed withdrawn. */
static void test_days_30_31_60_61(const kiosk_workcal *cal)
{
    kiosk_date applied = D(2026, 6, 1); /* Monday; +30 = Wed 07-01, +60 = Fri 07-31 */
    kiosk_cooling c = cooling(cal, applied);
    check_date(c.withdraw_until, D(2026, 7, 1), "withdraw until");
    check_date(c.certificate_from, D(2026, 7, 2), "certificate from");
    check_date(c.certificate_until, D(2026, 7, 31), "certificate until");
    CHECK_INT(kiosk_cooling_day(&c, D(2026, 7, 1)), 30);
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, 30)), KIOSK_COOLING_TOO_EARLY);
    CHECK_INT(kiosk_cooling_withdrawal(&c, plus(applied, 30)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, 31)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_withdrawal(&c, plus(applied, 31)), KIOSK_COOLING_WITHDRAW_CLOSED);
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, 60)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, 61)), KIOSK_COOLING_EXPIRED);
    CHECK_INT(kiosk_cooling_withdrawal(&c, plus(applied, 61)), KIOSK_COOLING_EXPIRED);
    CHECK_INT(kiosk_cooling_withdrawal(&c, applied), KIOSK_COOLING_OK); /* the same day */
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, -1)), KIOSK_COOLING_BEFORE_APPLICATION);
    CHECK_INT(kiosk_cooling_certificate(&c, plus(applied, 1)), KIOSK_COOLING_TOO_EARLY);
}

static void test_month_ends_and_holidays(const kiosk_workcal *cal)
{
    /* The 31st of March: day 30 is 04-30 (Thu); the second period's day 30 is Sat 05-30, a rest
     * day, so it ends on Mon 06-01. */
    kiosk_cooling c = cooling(cal, D(2026, 3, 31));
    check_date(c.withdraw_until, D(2026, 4, 30), "March 31: withdraw until");
    check_date(c.certificate_until, D(2026, 6, 1), "March 31: certificate until (rolled)");
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 5, 31)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 6, 1)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 6, 2)), KIOSK_COOLING_EXPIRED);
    /* Day 30 is Sun 02-15, inside the Spring Festival (02-15..02-23): the first period ends on
     * Tue 02-24, when a withdrawal is still accepted; the certificate from 02-25 to 03-26. */
    c = cooling(cal, D(2026, 1, 16));
    check_date(c.withdraw_until, D(2026, 2, 24), "Spring Festival: withdraw until");
    check_date(c.certificate_from, D(2026, 2, 25), "Spring Festival: certificate from");
    check_date(c.certificate_until, D(2026, 3, 26), "Spring Festival: certificate until");
    CHECK_INT(kiosk_cooling_withdrawal(&c, D(2026, 2, 24)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 2, 24)), KIOSK_COOLING_TOO_EARLY);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 2, 16)), KIOSK_COOLING_TOO_EARLY);
    /* Day 30 is Sat 02-28, a make-up working day: no roll. */
    c = cooling(cal, D(2026, 1, 29));
    check_date(c.withdraw_until, D(2026, 2, 28), "make-up Saturday");
    /* Day 60 of an application on 03-02 is 05-01, Labour Day: rolled to Wed 05-06. */
    c = cooling(cal, D(2026, 3, 2));
    check_date(c.withdraw_until, D(2026, 4, 1), "03-02: withdraw until");
    check_date(c.certificate_until, D(2026, 5, 6), "03-02: Labour Day rolls the second period");
    /* Reaching into 2027 needs its notice: no date is guessed. The first period of 12-15 ends
     * in 2027; that of 11-10 ends on 12-10, but the second one in 2027: a withdrawal can be
     * judged, the certificate only until its first day. */
    kiosk_cooling none;
    CHECK_INT(kiosk_cooling_compute(cal, D(2026, 12, 15), &none), KIOSK_ERR_NOT_FOUND);
    c = cooling(cal, D(2026, 11, 10));
    CHECK(!c.has_certificate_until);
    check_date(c.withdraw_until, D(2026, 12, 10), "11-10: withdraw until");
    CHECK_INT(kiosk_cooling_withdrawal(&c, D(2026, 12, 10)), KIOSK_COOLING_OK);
    CHECK_INT(kiosk_cooling_withdrawal(&c, D(2026, 12, 11)), KIOSK_COOLING_WITHDRAW_CLOSED);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 12, 10)), KIOSK_COOLING_TOO_EARLY);
    CHECK_INT(kiosk_cooling_certificate(&c, D(2026, 12, 11)), KIOSK_COOLING_UNKNOWN);
    CHECK_INT(kiosk_cooling_compute(cal, D(2026, 2, 30), &none), KIOSK_ERR_INVALID);
}

static void test_leap_year(void)
{
    /* A test's own calendar: 2028 and 2027 with no holidays listed (weekends only). */
    static const char text[] = "kind,date,note\nyear,2028,\nyear,2027,\n";
    kiosk_workcal *cal = malloc(sizeof *cal);
    char err[128];
    CHECK_INT(kiosk_workcal_parse(text, strlen(text), cal, err, sizeof err), KIOSK_OK);
    /* 2028-01-31 + 30 days = 03-01 (29 February exists); in 2027 the same is 03-02. */
    kiosk_cooling c = cooling(cal, D(2028, 1, 31));
    check_date(c.withdraw_until, D(2028, 3, 1), "leap year");
    c = cooling(cal, D(2027, 1, 31));
    check_date(c.withdraw_until, D(2027, 3, 2), "common year");
    /* 2028-02-29 + 30 = 03-30 (Thu), + 60 = 04-29 (Sat) -> Mon 05-01. */
    c = cooling(cal, D(2028, 2, 29));
    check_date(c.withdraw_until, D(2028, 3, 30), "29 February");
    check_date(c.certificate_until, D(2028, 5, 1), "29 February, second period");
    free(cal);
}

static void test_api_refusals(void)
{
    kiosk_workcal *cal = malloc(sizeof *cal);
    kiosk_workcal_init(cal);
    CHECK_INT(kiosk_workcal_add_year(cal, 1900), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_workcal_add_year(cal, 2027), KIOSK_OK);
    CHECK_INT(kiosk_workcal_add_year(cal, 2026), KIOSK_OK);
    CHECK_INT(cal->years[0], 2026);
    CHECK_INT(kiosk_workcal_set_day(cal, D(2025, 1, 1), false, NULL), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_workcal_set_day(cal, D(2026, 1, 4), true, NULL), KIOSK_OK);
    CHECK_INT(kiosk_workcal_set_day(cal, D(2026, 1, 4), true, NULL), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_workcal_set_day(cal, D(2026, 1, 5), true, NULL), KIOSK_ERR_INVALID);
    for (int y = 2028; y < 2028 + KIOSK_WORKCAL_YEARS_MAX - 2; y++)
        CHECK_INT(kiosk_workcal_add_year(cal, y), KIOSK_OK);
    CHECK_INT(kiosk_workcal_add_year(cal, 2100), KIOSK_ERR_TOO_BIG);
    free(cal);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    data_dir = argv[1];
    kiosk_workcal *cal = load_2026();
    test_days(cal);
    test_file_refusals();
    test_days_30_31_60_61(cal);
    test_month_ends_and_holidays(cal);
    test_leap_year();
    test_api_refusals();
    free(cal);
    CHECK_DONE();
}
