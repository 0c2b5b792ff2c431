/* clock.c - system clock plus an atomic offset; local time through the C library's tz code. */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Debian's tzdata. */
#define KIOSK_ZONEINFO_DIR "/usr/share/zoneinfo"

static _Atomic int64_t offset_ms;

static int64_t system_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool kiosk_clock_zone_exists(const char *zone)
{
    /* glibc runs in UTC, silently, for any name it cannot find ("Beijing", "UTC+8", "CST", a
     * folder such as "Asia"): accept only a name that is a zone file of the tz database. */
    if (!zone || !*zone || zone[0] == '/' || zone[0] == ':' || strstr(zone, "..") ||
        strlen(zone) > 64)
        return false;
    for (const char *c = zone; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '/' || *c == '_' || *c == '-' || *c == '+'))
            return false;
    char path[256], magic[4];
    snprintf(path, sizeof path, "%s/%s", KIOSK_ZONEINFO_DIR, zone);
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    FILE *f = fopen(path, "rb");
    bool tzif = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    if (f)
        fclose(f);
    return tzif;
}

kiosk_rc kiosk_clock_set_zone(const char *zone)
{
    if (!kiosk_clock_zone_exists(zone))
        return KIOSK_ERR_NOT_FOUND;
    if (setenv("TZ", zone, 1) != 0)
        return KIOSK_ERR_NOMEM;
    tzset();
    return KIOSK_OK;
}

int64_t kiosk_clock_now_ms(void)
{
    return system_now_ms() + atomic_load(&offset_ms);
}

int64_t kiosk_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kiosk_clock_set_ms(int64_t utc_ms)
{
    atomic_store(&offset_ms, utc_ms - system_now_ms());
}

void kiosk_clock_reset(void)
{
    atomic_store(&offset_ms, 0);
}

kiosk_local_time kiosk_clock_local(int64_t utc_ms)
{
    time_t secs = (time_t)(utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    return (kiosk_local_time){
        .date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday},
        .minute_of_day = tm.tm_hour * 60 + tm.tm_min,
        .second = tm.tm_sec > 59 ? 59 : tm.tm_sec,
    };
}

void kiosk_clock_format_local(int64_t utc_ms, char out[static KIOSK_CLOCK_TEXT_SIZE])
{
    kiosk_local_time t = kiosk_clock_local(utc_ms);
    char date[11];
    kiosk_date_format(t.date, date);
    /* Bounded values, so the compiler can see the text fits. */
    unsigned hh = (unsigned)t.minute_of_day / 60u % 100u, mm = (unsigned)t.minute_of_day % 60u,
             ss = (unsigned)t.second % 60u;
    snprintf(out, KIOSK_CLOCK_TEXT_SIZE, "%s %02u:%02u:%02u", date, hh, mm, ss);
}

int64_t kiosk_clock_local_midnight_ms(kiosk_date d)
{
    struct tm tm = {
        .tm_year = d.year - 1900, .tm_mon = d.month - 1, .tm_mday = d.day, .tm_isdst = -1};
    return (int64_t)mktime(&tm) * 1000;
}

static bool two_digits(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

bool kiosk_clock_parse_iso(const char *text, int64_t *out_utc_ms)
{
    char date_part[11];
    if (!text || strlen(text) < 16 || text[10] != 'T')
        return false;
    memcpy(date_part, text, 10);
    date_part[10] = '\0';
    kiosk_date d;
    int hh, mm, ss = 0;
    if (!kiosk_date_parse(date_part, &d) || !two_digits(text + 11, &hh) || text[13] != ':' ||
        !two_digits(text + 14, &mm) || hh > 23 || mm > 59)
        return false;
    const char *rest = text + 16;
    if (*rest == ':') {
        if (!two_digits(rest + 1, &ss) || ss > 59)
            return false;
        rest += 3;
    }
    int64_t day_secs = (int64_t)hh * 3600 + mm * 60 + ss;
    if (*rest == '\0') {
        struct tm tm = {.tm_year = d.year - 1900,
                        .tm_mon = d.month - 1,
                        .tm_mday = d.day,
                        .tm_hour = hh,
                        .tm_min = mm,
                        .tm_sec = ss,
                        .tm_isdst = -1};
        *out_utc_ms = (int64_t)mktime(&tm) * 1000;
        return true;
    }
    int64_t zone_secs = 0;
    if (rest[0] == 'Z' && rest[1] == '\0') {
        zone_secs = 0;
    } else if ((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 && rest[3] == ':') {
        int zh, zm;
        if (!two_digits(rest + 1, &zh) || !two_digits(rest + 4, &zm) || zh > 14 || zm > 59)
            return false;
        zone_secs = (rest[0] == '+' ? 1 : -1) * ((int64_t)zh * 3600 + zm * 60);
    } else {
        return false;
    }
    *out_utc_ms = (kiosk_date_to_days(d) * 86400 + day_secs - zone_secs) * 1000;
    return true;
}
