/* hall_import.c - appointments and the calendar as stream rows (hall_import.h). */
#include "hall_import.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_csv.h"
#include "appointment_json.h"
#include "workcal.h"

/* Writes text under key unless the live row is the same already, counting what it wrote. */
static kiosk_rc put_if_changed(srv_store *st, const char *site_id, const char *stream,
                               const char *key, const char *text, int64_t now_ms, long *written)
{
    bool wrote;
    kiosk_rc rc = srv_store_stream_put_changed(st, site_id, stream, key, text, now_ms, &wrote);
    *written += wrote;
    return rc;
}

/* --- appointments -------------------------------------------------------------------------- */

typedef struct appt_import {
    srv_store *st;
    const char *site_id;
    int64_t now_ms;
    srv_hall_report *report;
    /* The ids and booking numbers seen in this file, with their lines: a file naming one twice
     * is refused, as the kiosk's own import refuses it. */
    json_t *ids, *bookings;
} appt_import;

static kiosk_rc seen_twice(json_t *seen, const char *key, size_t line, long *first)
{
    json_t *before = json_object_get(seen, key);
    if (before) {
        *first = (long)json_integer_value(before);
        return KIOSK_ERR_PARSE;
    }
    return json_object_set_new(seen, key, json_integer((json_int_t)line)) == 0 ? KIOSK_OK
                                                                             : KIOSK_ERR_NOMEM;
}

static kiosk_rc appt_row(void *user, size_t line, const kiosk_appointment *a, char *err,
                         size_t err_size)
{
    appt_import *s = user;
    long first = 0;
    kiosk_rc rc = seen_twice(s->ids, a->id, line, &first);
    if (rc == KIOSK_ERR_PARSE)
        return kiosk_fail(rc, err, err_size, "line %zu: appointment_id: %s is on line %ld already",
                          line, a->id, first);
    if (rc == KIOSK_OK)
        rc = seen_twice(s->bookings, a->booking_no, line, &first);
    if (rc == KIOSK_ERR_PARSE)
        return kiosk_fail(rc, err, err_size, "line %zu: booking_no: the same as line %ld's", line,
                          first);
    if (rc != KIOSK_OK)
        return rc;
    char *text = kiosk_appointment_to_json(a);
    if (!text)
        return KIOSK_ERR_NOMEM;
    s->report->rows++;
    rc = put_if_changed(s->st, s->site_id, "appointments", a->id, text, s->now_ms,
                        &s->report->written);
    free(text);
    if (rc != KIOSK_OK)
        snprintf(err, err_size, "line %zu: %s", line, srv_store_errmsg(s->st));
    return rc;
}

kiosk_rc srv_appointments_import(srv_store *st, const char *site_id, const char *text, size_t len,
                                 kiosk_date today, int64_t now_ms, srv_hall_report *out, char *err,
                                 size_t err_size)
{
    memset(out, 0, sizeof *out);
    srv_site site;
    uint8_t key[32];
    kiosk_rc rc = srv_store_site_get(st, site_id, &site);
    if (rc == KIOSK_ERR_NOT_FOUND)
        return kiosk_fail(rc, err, err_size, "no site '%s' (server site add ...)", site_id);
    if (rc == KIOSK_OK)
        rc = srv_store_card_key(st, key);
    if (rc != KIOSK_OK)
        return rc;
    appt_import s = {.st = st,
                     .site_id = site_id,
                     .now_ms = now_ms,
                     .report = out,
                     .ids = json_object(),
                     .bookings = json_object()};
    rc = s.ids && s.bookings ? srv_store_begin(st, true) : KIOSK_ERR_NOMEM;
    if (rc == KIOSK_OK) {
        rc = kiosk_appointment_csv_parse(text, len, key, today, appt_row, &s, err, err_size);
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    sodium_memzero(key, sizeof key);
    json_decref(s.ids);
    json_decref(s.bookings);
    if (rc != KIOSK_OK)
        out->written = 0;
    return rc;
}

/* --- the calendar -------------------------------------------------------------------------- */

/* One year of the calendar as a calendar file of its own (the format workcal.h reads): a row
 * per year, so a later file that covers the year replaces exactly that year at every kiosk,
 * whichever order a pull or a snapshot brings the rows in. */
static char *year_file(const kiosk_workcal *cal, int year)
{
    size_t cap = 64 + cal->day_count * (32 + 2 * KIOSK_WORKCAL_NOTE_MAX), len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    len += (size_t)snprintf(out + len, cap - len, "kind,date,note\nyear,%d,\n", year);
    for (size_t i = 0; i < cal->day_count; i++) {
        const kiosk_workcal_day *d = &cal->days[i];
        if (d->date.year != year)
            continue;
        char date[11];
        kiosk_date_format(d->date, date);
        len += (size_t)snprintf(out + len, cap - len, "%s,%s,\"", d->working ? "work" : "rest",
                                date);
        for (const char *c = d->note; *c; c++) /* a quote inside a quoted field is doubled */
            len += (size_t)snprintf(out + len, cap - len, *c == '"' ? "\"\"" : "%c", *c);
        len += (size_t)snprintf(out + len, cap - len, "\"\n");
    }
    return out;
}

kiosk_rc srv_calendar_import(srv_store *st, const char *text, size_t len, int64_t now_ms,
                             srv_hall_report *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    kiosk_workcal *cal = malloc(sizeof *cal);
    if (!cal)
        return KIOSK_ERR_NOMEM;
    kiosk_rc rc = kiosk_workcal_parse(text, len, cal, err, err_size);
    if (rc == KIOSK_ERR_TOO_BIG)
        rc = KIOSK_ERR_PARSE;
    if (rc == KIOSK_OK)
        rc = srv_store_begin(st, true);
    if (rc != KIOSK_OK) {
        free(cal);
        return rc;
    }
    for (size_t i = 0; rc == KIOSK_OK && i < cal->year_count; i++) {
        int year = cal->years[i];
        char key[8], *file = year_file(cal, year);
        snprintf(key, sizeof key, "%d", year);
        json_t *row = file ? json_pack("{s:i, s:s}", "year", year, "file", file) : NULL;
        char *row_text = row ? json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        /* Every kiosk of the city works by the same calendar. */
        rc = row_text ? put_if_changed(st, SRV_ANY_SITE, "calendar", key, row_text, now_ms,
                                       &out->written)
                      : KIOSK_ERR_NOMEM;
        free(row_text);
        json_decref(row);
        free(file);
        out->rows++;
    }
    free(cal);
    if (rc == KIOSK_OK)
        return srv_store_commit(st);
    srv_store_rollback(st);
    out->written = 0;
    return rc;
}
