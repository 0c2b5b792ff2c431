/* caltime.c - civil calendar arithmetic (days-from-civil after H. Hinnant's public algorithm). */
#include "caltime.h"

#include <stdio.h>
#include <string.h>

bool kiosk_date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int kiosk_date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && kiosk_date_is_leap_year(year))
        return 29;
    return days[month - 1];
}

bool kiosk_date_is_valid(kiosk_date d)
{
    return d.year >= 1800 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= kiosk_date_days_in_month(d.year, d.month);
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool kiosk_date_parse(const char *text, kiosk_date *out)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 4) ||
        !digits(text + 5, 2) || !digits(text + 8, 2))
        return false;
    kiosk_date d = {number(text, 4), number(text + 5, 2), number(text + 8, 2)};
    if (!kiosk_date_is_valid(d))
        return false;
    *out = d;
    return true;
}

bool kiosk_minutes_parse(const char *text, bool allow_24, int *out_minutes)
{
    if (!text || strlen(text) != 5 || text[2] != ':' || !digits(text, 2) || !digits(text + 3, 2))
        return false;
    int h = number(text, 2), m = number(text + 3, 2);
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
        return false;
    *out_minutes = h * 60 + m;
    return true;
}

void kiosk_date_format(kiosk_date d, char buf[static 11])
{
    /* Unsigned and bounded so the compiler can see the text always fits in ten characters. */
    unsigned y = (unsigned)d.year % 10000u, m = (unsigned)d.month % 100u,
             day = (unsigned)d.day % 100u;
    snprintf(buf, 11, "%04u-%02u-%02u", y, m, day);
}

int kiosk_date_cmp(kiosk_date a, kiosk_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

int64_t kiosk_date_to_days(kiosk_date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

kiosk_date kiosk_date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    return (kiosk_date){y, m, d};
}

int kiosk_date_weekday(kiosk_date d)
{
    int64_t days = kiosk_date_to_days(d); /* 1970-01-01 was a Thursday (3) */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int kiosk_age_on(kiosk_date birth, kiosk_date on)
{
    int age = on.year - birth.year;
    /* Before this year's birthday? A 29 February birthday falls on 1 March in common years. */
    int bm = birth.month, bd = birth.day;
    if (bm == 2 && bd == 29 && !kiosk_date_is_leap_year(on.year)) {
        bm = 3;
        bd = 1;
    }
    if (on.month < bm || (on.month == bm && on.day < bd))
        age--;
    return age;
}
