/* workcal.c - see workcal.h. */
#include "workcal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "utf8.h"

void kiosk_workcal_init(kiosk_workcal *cal)
{
    cal->year_count = 0;
    cal->day_count = 0;
}

bool kiosk_workcal_covers(const kiosk_workcal *cal, int year)
{
    for (size_t i = 0; i < cal->year_count; i++)
        if (cal->years[i] == year)
            return true;
    return false;
}

kiosk_rc kiosk_workcal_add_year(kiosk_workcal *cal, int year)
{
    if (year < 1950 || year > 2200)
        return KIOSK_ERR_INVALID;
    if (kiosk_workcal_covers(cal, year))
        return KIOSK_OK;
    if (cal->year_count == KIOSK_WORKCAL_YEARS_MAX)
        return KIOSK_ERR_TOO_BIG;
    size_t i = cal->year_count;
    while (i > 0 && cal->years[i - 1] > year) {
        cal->years[i] = cal->years[i - 1];
        i--;
    }
    cal->years[i] = year;
    cal->year_count++;
    return KIOSK_OK;
}

/* The index of date in days[], or where it would go (*found false). */
static size_t find_day(const kiosk_workcal *cal, kiosk_date date, bool *found)
{
    size_t lo = 0, hi = cal->day_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = kiosk_date_cmp(cal->days[mid].date, date);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static bool is_weekend(kiosk_date d)
{
    return kiosk_date_weekday(d) >= 5;
}

kiosk_rc kiosk_workcal_set_day(kiosk_workcal *cal, kiosk_date date, bool working, const char *note)
{
    if (!kiosk_date_is_valid(date) || !kiosk_workcal_covers(cal, date.year) ||
        (working && !is_weekend(date)))
        return KIOSK_ERR_INVALID;
    bool found;
    size_t at = find_day(cal, date, &found);
    if (found)
        return KIOSK_ERR_INVALID;
    if (cal->day_count == KIOSK_WORKCAL_DAYS_MAX)
        return KIOSK_ERR_TOO_BIG;
    memmove(&cal->days[at + 1], &cal->days[at], (cal->day_count - at) * sizeof cal->days[0]);
    kiosk_workcal_day *d = &cal->days[at];
    d->date = date;
    d->working = working;
    snprintf(d->note, sizeof d->note, "%s", note ? note : "");
    cal->day_count++;
    return KIOSK_OK;
}

kiosk_rc kiosk_workcal_is_working(const kiosk_workcal *cal, kiosk_date date, bool *working)
{
    if (!kiosk_date_is_valid(date) || !kiosk_workcal_covers(cal, date.year))
        return KIOSK_ERR_NOT_FOUND;
    bool found;
    size_t at = find_day(cal, date, &found);
    *working = found ? cal->days[at].working : !is_weekend(date);
    return KIOSK_OK;
}

kiosk_rc kiosk_workcal_roll(const kiosk_workcal *cal, kiosk_date date, kiosk_date *out)
{
    int64_t day = kiosk_date_to_days(date);
    /* The longest run of rest days in a real calendar is about ten (Spring Festival); a run of
     * 60 means the data is wrong, and saying so beats looping. */
    for (int i = 0; i < 60; i++, day++) {
        bool working;
        kiosk_date d = kiosk_date_from_days(day);
        kiosk_rc rc = kiosk_workcal_is_working(cal, d, &working);
        if (rc != KIOSK_OK)
            return rc;
        if (working) {
            *out = d;
            return KIOSK_OK;
        }
    }
    return KIOSK_ERR_NOT_FOUND;
}

/* --- the file ------------------------------------------------------------------------------ */

static bool parse_year(const char *s, int *year)
{
    if (strlen(s) != 4)
        return false;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *year = v;
    return true;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD". */
static bool parse_range(const char *s, kiosk_date *from, kiosk_date *to)
{
    size_t n = strlen(s);
    if (n == 10)
        return kiosk_date_parse(s, from) && (*to = *from, true);
    if (n != 22 || s[10] != '.' || s[11] != '.')
        return false;
    char first[11];
    memcpy(first, s, 10);
    first[10] = '\0';
    return kiosk_date_parse(first, from) && kiosk_date_parse(s + 12, to);
}

typedef struct pending_line {
    size_t line;
    bool working;
    kiosk_date from, to;
    char note[KIOSK_WORKCAL_NOTE_MAX];
} pending_line;

kiosk_rc kiosk_workcal_parse(const char *text, size_t len, kiosk_workcal *out, char *err,
                             size_t err_size)
{
    kiosk_workcal_init(out);
    if (len > KIOSK_WORKCAL_FILE_MAX)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size, "the file is larger than %d bytes",
                          KIOSK_WORKCAL_FILE_MAX);
    if (!kiosk_utf8_valid(text, len))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "not UTF-8 text (save the file as UTF-8)");
    kiosk_csv_reader *r = malloc(sizeof *r);
    /* The days are listed once every year is known, so a year line may follow its days. */
    pending_line *lines = calloc(KIOSK_WORKCAL_DAYS_MAX, sizeof *lines);
    size_t line_count = 0;
    kiosk_rc rc = r && lines ? KIOSK_OK : KIOSK_ERR_NOMEM;
    if (rc != KIOSK_OK)
        kiosk_fail(rc, err, err_size, "out of memory");
    else
        kiosk_csv_init(r, text, len, true);
    char *f[KIOSK_CSV_FIELDS_MAX];
    size_t n, line;
    bool header = false;
    while (rc == KIOSK_OK) {
        rc = kiosk_csv_next(r, f, &n, &line, err, err_size);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            rc = header ? KIOSK_OK
                        : kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                     "the file is empty: the first line must be kind,date,note");
            break;
        }
        if (rc != KIOSK_OK)
            break;
        if (!header) {
            if (n != 3 || strcmp(f[0], "kind") != 0 || strcmp(f[1], "date") != 0 ||
                strcmp(f[2], "note") != 0)
                rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                "line %zu: the first line must be kind,date,note", line);
            header = true;
            continue;
        }
        if (n != 3) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: expected 3 fields, found %zu", line, n);
            break;
        }
        if (strlen(f[2]) >= KIOSK_WORKCAL_NOTE_MAX) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: note: longer than %d bytes",
                            line, KIOSK_WORKCAL_NOTE_MAX - 1);
            break;
        }
        if (strcmp(f[0], "year") == 0) {
            int year;
            if (!parse_year(f[1], &year)) {
                rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                "line %zu: date: a year line gives the year as YYYY", line);
            } else if (kiosk_workcal_covers(out, year)) {
                rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                "line %zu: the year %d is declared twice", line, year);
            } else {
                kiosk_rc added = kiosk_workcal_add_year(out, year);
                if (added != KIOSK_OK)
                    rc =
                        kiosk_fail(added == KIOSK_ERR_TOO_BIG ? KIOSK_ERR_TOO_BIG : KIOSK_ERR_PARSE,
                                   err, err_size, "line %zu: year %d %s", line, year,
                                   added == KIOSK_ERR_TOO_BIG ? "is one year too many"
                                                              : "is out of range (1950..2200)");
            }
            continue;
        }
        bool working = strcmp(f[0], "work") == 0;
        if (!working && strcmp(f[0], "rest") != 0) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: kind: must be year, rest or work", line);
            break;
        }
        pending_line *p = &lines[line_count];
        if (line_count == KIOSK_WORKCAL_DAYS_MAX) {
            rc = kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size, "line %zu: more than %d day lines",
                            line, KIOSK_WORKCAL_DAYS_MAX);
            break;
        }
        if (!parse_range(f[1], &p->from, &p->to)) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: date: expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD", line);
            break;
        }
        if (kiosk_date_cmp(p->from, p->to) > 0 || p->from.year != p->to.year) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: date: a range runs forward within one year", line);
            break;
        }
        p->line = line;
        p->working = working;
        snprintf(p->note, sizeof p->note, "%s", f[2]);
        line_count++;
    }
    for (size_t i = 0; rc == KIOSK_OK && i < line_count; i++) {
        const pending_line *p = &lines[i];
        if (!kiosk_workcal_covers(out, p->from.year)) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: %d is not a year this file declares (add year,%d,)", p->line,
                            p->from.year, p->from.year);
            break;
        }
        for (int64_t d = kiosk_date_to_days(p->from); d <= kiosk_date_to_days(p->to); d++) {
            kiosk_date day = kiosk_date_from_days(d);
            char text_date[11];
            kiosk_date_format(day, text_date);
            kiosk_rc set = kiosk_workcal_set_day(out, day, p->working, p->note);
            if (set == KIOSK_ERR_TOO_BIG) {
                rc = kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size,
                                "line %zu: more than %d listed days", p->line,
                                KIOSK_WORKCAL_DAYS_MAX);
            } else if (set != KIOSK_OK) {
                bool weekday_work = p->working && kiosk_date_weekday(day) < 5;
                rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: %s %s", p->line,
                                text_date,
                                weekday_work ? "is a weekday: only a weekend day can be a make-up"
                                               " working day"
                                             : "is listed twice");
            }
            if (rc != KIOSK_OK)
                break;
        }
    }
    free(lines);
    free(r);
    if (rc != KIOSK_OK)
        kiosk_workcal_init(out);
    return rc;
}
