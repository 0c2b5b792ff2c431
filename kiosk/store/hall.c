/* hall.c - the marriage hall's tables (see hall.h): appointments, queue tickets and their
 * outbox rows, the board's calls, the working-day calendar. The statements run rarely (a
 * couple's check-in, a call), so they are prepared per call rather than kept on the handle. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "hall.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_csv.h"
#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

static kiosk_rc prepare(kiosk_store *store, const char *sql, sqlite3_stmt **st, const char *what)
{
    int code = sqlite3_prepare_v2(store->db, sql, -1, st, NULL);
    return code == SQLITE_OK ? KIOSK_OK : store_fail(store, code, what);
}

static void bind_date(sqlite3_stmt *st, int col, kiosk_date d)
{
    char text[11];
    kiosk_date_format(d, text);
    sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
}

static bool column_date(sqlite3_stmt *st, int col, kiosk_date *out)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return s && kiosk_date_parse(s, out);
}

/* --- appointments ------------------------------------------------------------------------ */

#define APPOINTMENT_COLUMNS                                                                      \
    "appointment_id, booking_no, service, date, slot_start, slot_end, lane, party1_key,"         \
    " party1_name, party1_sex, party1_birth, party2_key, party2_name, party2_sex, party2_birth," \
    " application_date, status"

static void bind_party(sqlite3_stmt *st, int col, const kiosk_appointment *a, size_t i)
{
    const kiosk_party *p = &a->party[i];
    if (i >= a->party_count) {
        sqlite3_bind_null(st, col);
        for (int k = 1; k <= 3; k++)
            sqlite3_bind_text(st, col + k, "", -1, SQLITE_STATIC);
        return;
    }
    char sex[2] = {p->sex == 'M' || p->sex == 'F' ? p->sex : '\0', '\0'};
    sqlite3_bind_blob(st, col, p->key, KIOSK_CARD_KEY_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, col + 1, p->name_masked, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, col + 2, sex, -1, SQLITE_TRANSIENT);
    if (p->has_birth)
        bind_date(st, col + 3, p->birth);
    else
        sqlite3_bind_text(st, col + 3, "", -1, SQLITE_STATIC);
}

static bool read_party(sqlite3_stmt *st, int col, kiosk_party *p)
{
    memset(p, 0, sizeof *p);
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return false;
    if (sqlite3_column_bytes(st, col) == KIOSK_CARD_KEY_BYTES)
        memcpy(p->key, sqlite3_column_blob(st, col), KIOSK_CARD_KEY_BYTES);
    store_copy_text(p->name_masked, sizeof p->name_masked, st, col + 1);
    const char *sex = (const char *)sqlite3_column_text(st, col + 2);
    p->sex = sex && (sex[0] == 'M' || sex[0] == 'F') ? sex[0] : 0;
    p->has_birth = column_date(st, col + 3, &p->birth);
    return true;
}

/* A row of APPOINTMENT_COLUMNS into *a. */
static void read_appointment(sqlite3_stmt *st, kiosk_appointment *a)
{
    memset(a, 0, sizeof *a);
    store_copy_text(a->id, sizeof a->id, st, 0);
    store_copy_text(a->booking_no, sizeof a->booking_no, st, 1);
    const char *service = (const char *)sqlite3_column_text(st, 2);
    if (!service || !kiosk_service_parse(service, &a->service))
        a->service = KIOSK_SERVICE_MARRIAGE;
    column_date(st, 3, &a->date);
    a->slot_start = sqlite3_column_int(st, 4);
    a->slot_end = sqlite3_column_int(st, 5);
    const char *lane = (const char *)sqlite3_column_text(st, 6);
    if (!lane || !kiosk_lane_parse(lane, &a->lane))
        a->lane = KIOSK_LANE_BOOKED;
    a->party_count = read_party(st, 7, &a->party[0]) ? 1 : 0;
    if (read_party(st, 11, &a->party[1]))
        a->party_count = 2;
    a->has_application = column_date(st, 15, &a->application_date);
    const char *status = (const char *)sqlite3_column_text(st, 16);
    if (!status || !kiosk_appt_status_parse(status, &a->status))
        a->status = KIOSK_APPT_CANCELLED; /* unreadable: never served from */
}

kiosk_rc kiosk_store_upsert_appointment(kiosk_store *store, const kiosk_appointment *a,
                                        int64_t now_utc_ms)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT appointment_id FROM appointment WHERE booking_no = ?1"
                          " AND appointment_id <> ?2",
                          &st, "booking number");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, a->booking_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->id, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    sqlite3_finalize(st);
    if (code == SQLITE_ROW)
        return kiosk_fail(KIOSK_ERR_INVALID, store->message, sizeof store->message,
                          "booking number of %s is another appointment's", a->id);
    if (code != SQLITE_DONE)
        return store_fail(store, code, "booking number");
    rc = prepare(store,
                 "INSERT INTO appointment(" APPOINTMENT_COLUMNS ", updated_utc_ms)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                 " ?17, ?18) ON CONFLICT(appointment_id) DO UPDATE SET"
                 " booking_no = excluded.booking_no, service = excluded.service,"
                 " date = excluded.date, slot_start = excluded.slot_start,"
                 " slot_end = excluded.slot_end, lane = excluded.lane,"
                 " party1_key = excluded.party1_key, party1_name = excluded.party1_name,"
                 " party1_sex = excluded.party1_sex, party1_birth = excluded.party1_birth,"
                 " party2_key = excluded.party2_key, party2_name = excluded.party2_name,"
                 " party2_sex = excluded.party2_sex, party2_birth = excluded.party2_birth,"
                 " application_date = excluded.application_date,"
                 " status = CASE WHEN appointment.status = 'checked_in'"
                 " AND excluded.status = 'booked' THEN 'checked_in' ELSE excluded.status END,"
                 " updated_utc_ms = excluded.updated_utc_ms",
                 &st, "upsert appointment");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->booking_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kiosk_service_code(a->service), -1, SQLITE_STATIC);
    bind_date(st, 4, a->date);
    sqlite3_bind_int(st, 5, a->slot_start);
    sqlite3_bind_int(st, 6, a->slot_end);
    sqlite3_bind_text(st, 7, kiosk_lane_code(a->lane), -1, SQLITE_STATIC);
    bind_party(st, 8, a, 0);
    bind_party(st, 12, a, 1);
    if (a->has_application)
        bind_date(st, 16, a->application_date);
    else
        sqlite3_bind_null(st, 16);
    sqlite3_bind_text(st, 17, kiosk_appt_status_code(a->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 18, now_utc_ms);
    code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "upsert appointment");
}

kiosk_rc kiosk_store_delete_appointment(kiosk_store *store, const char *id)
{
    sqlite3_stmt *st;
    kiosk_rc rc =
        prepare(store, "DELETE FROM appointment WHERE appointment_id = ?1", &st, "delete");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "delete appointment");
}

typedef struct import_state {
    kiosk_store *store;
    int64_t now_utc_ms;
    sqlite3_stmt *seen_id, *seen_booking;
    long rows;
} import_state;

/* Remembers a key of this file in a temporary table; the line that had it first, or 0. */
static long seen_before(sqlite3_stmt *st, const char *key, size_t line)
{
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)line);
    long first = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        first = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return first == (long)line ? 0 : first;
}

static kiosk_rc import_row(void *user, size_t line, const kiosk_appointment *a, char *err,
                           size_t err_size)
{
    import_state *s = user;
    long first = seen_before(s->seen_id, a->id, line);
    if (first)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "line %zu: appointment_id: %s is on line %ld already", line, a->id,
                          first);
    first = seen_before(s->seen_booking, a->booking_no, line);
    if (first)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "line %zu: booking_no: the same as line %ld's", line, first);
    kiosk_rc rc = kiosk_store_upsert_appointment(s->store, a, s->now_utc_ms);
    if (rc == KIOSK_ERR_INVALID)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "line %zu: booking_no: already the booking number of another stored"
                          " appointment",
                          line);
    if (rc != KIOSK_OK)
        return kiosk_fail(rc, err, err_size, "line %zu: %s", line, s->store->message);
    s->rows++;
    return KIOSK_OK;
}

kiosk_rc kiosk_store_import_appointments(kiosk_store *store, const char *text, size_t len,
                                         kiosk_date today, int64_t now_utc_ms, long *rows,
                                         char *err, size_t err_size)
{
    *rows = 0;
    import_state s = {.store = store, .now_utc_ms = now_utc_ms};
    /* RETURNING gives the line that first had the key: this one when it is new. */
    kiosk_rc rc = store_exec(store, "CREATE TEMP TABLE IF NOT EXISTS import_seen_id(k TEXT"
                                    " PRIMARY KEY, line INTEGER);"
                                    "CREATE TEMP TABLE IF NOT EXISTS import_seen_booking(k TEXT"
                                    " PRIMARY KEY, line INTEGER);"
                                    "DELETE FROM import_seen_id; DELETE FROM import_seen_booking;");
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO import_seen_id(k, line) VALUES (?1, ?2) ON CONFLICT(k) DO"
                     " UPDATE SET line = line RETURNING line",
                     &s.seen_id, "import");
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO import_seen_booking(k, line) VALUES (?1, ?2) ON CONFLICT(k) DO"
                     " UPDATE SET line = line RETURNING line",
                     &s.seen_booking, "import");
    if (rc == KIOSK_OK)
        rc = kiosk_store_begin(store);
    if (rc != KIOSK_OK) {
        kiosk_fail(rc, err, err_size, "%s", store->message);
    } else {
        rc = kiosk_appointment_csv_parse(text, len, store->card_key, today, import_row, &s, err,
                                         err_size);
        if (rc == KIOSK_OK) {
            rc = kiosk_store_commit(store);
            if (rc != KIOSK_OK)
                kiosk_fail(rc, err, err_size, "%s", store->message);
        } else {
            kiosk_store_rollback(store);
        }
    }
    sqlite3_finalize(s.seen_id);
    sqlite3_finalize(s.seen_booking);
    if (store_exec(store, "DELETE FROM import_seen_id; DELETE FROM import_seen_booking;") !=
        KIOSK_OK)
        KLOG_WARN("the import's scratch tables were not emptied");
    *rows = rc == KIOSK_OK ? s.rows : 0;
    return rc;
}

static kiosk_rc select_appointments(kiosk_store *store, sqlite3_stmt *st,
                                    kiosk_appointment_list *out)
{
    int code;
    out->count = 0;
    while ((code = sqlite3_step(st)) == SQLITE_ROW && out->count < KIOSK_APPOINTMENTS_OF_MAX)
        read_appointment(st, &out->items[out->count++]);
    kiosk_rc rc = code == SQLITE_ROW || code == SQLITE_DONE
                      ? KIOSK_OK
                      : store_fail(store, code, "appointments");
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_appointments_of(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                     kiosk_date from, kiosk_appointment_list *out)
{
    sqlite3_stmt *st;
    out->count = 0;
    kiosk_rc rc = prepare(store,
                          "SELECT " APPOINTMENT_COLUMNS " FROM appointment"
                          " WHERE (party1_key = ?1 OR party2_key = ?1) AND date >= ?2"
                          " ORDER BY date, slot_start, appointment_id LIMIT ?3",
                          &st, "appointments of");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_blob(st, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    bind_date(st, 2, from);
    sqlite3_bind_int(st, 3, KIOSK_APPOINTMENTS_OF_MAX);
    return select_appointments(store, st, out);
}

static kiosk_rc one_appointment(kiosk_store *store, const char *sql, const char *value,
                                kiosk_appointment *out)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store, sql, &st, "appointment");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    kiosk_appointment_list *list = malloc(sizeof *list);
    if (!list) {
        sqlite3_finalize(st);
        return KIOSK_ERR_NOMEM;
    }
    rc = select_appointments(store, st, list);
    if (rc == KIOSK_OK && list->count == 0)
        rc = KIOSK_ERR_NOT_FOUND;
    if (rc == KIOSK_OK)
        *out = list->items[0];
    free(list);
    return rc;
}

kiosk_rc kiosk_store_appointment_by_booking(kiosk_store *store, const char *booking_no,
                                            kiosk_appointment *out)
{
    return one_appointment(store,
                           "SELECT " APPOINTMENT_COLUMNS " FROM appointment WHERE booking_no = ?1",
                           booking_no, out);
}

kiosk_rc kiosk_store_appointment_by_id(kiosk_store *store, const char *id, kiosk_appointment *out)
{
    return one_appointment(
        store, "SELECT " APPOINTMENT_COLUMNS " FROM appointment WHERE appointment_id = ?1", id,
        out);
}

/* --- queue tickets ------------------------------------------------------------------------- */

/* A stored check-in from its payload column. */
static kiosk_rc read_checkin(kiosk_store *store, sqlite3_stmt *st, int col,
                             kiosk_checkin_entry *out)
{
    char err[128];
    const char *payload = (const char *)sqlite3_column_text(st, col);
    if (!payload || kiosk_checkin_from_payload(payload, out, err, sizeof err) != KIOSK_OK)
        return kiosk_fail(KIOSK_ERR_CORRUPT, store->message, sizeof store->message,
                          "a stored check-in cannot be read");
    return KIOSK_OK;
}

kiosk_rc kiosk_store_find_checkin(kiosk_store *store, const char *appointment_id,
                                  kiosk_checkin_entry *out)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT payload FROM checkin WHERE appointment_id = ?1"
                          " ORDER BY created_utc_ms, record_id LIMIT 1",
                          &st, "find check-in");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, appointment_id, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW)
        rc = read_checkin(store, st, 0, out);
    else
        rc = code == SQLITE_DONE ? KIOSK_ERR_NOT_FOUND : store_fail(store, code, "find check-in");
    sqlite3_finalize(st);
    return rc;
}

static kiosk_rc insert_checkin(kiosk_store *store, const kiosk_checkin_entry *e,
                               const char *payload, const char *source)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "INSERT INTO checkin(record_id, appointment_id, business_date, prefix,"
                          " value, number, seq, service, lane, kiosk_id, created_utc_ms,"
                          " local_minute, under_age, payload, source) VALUES (?1, ?2, ?3, ?4,"
                          " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                          &st, "insert check-in");
    if (rc != KIOSK_OK)
        return rc;
    char prefix[2] = {e->prefix, '\0'};
    sqlite3_bind_blob(st, 1, e->record_id.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->appointment_id, -1, SQLITE_STATIC);
    bind_date(st, 3, e->at.date);
    sqlite3_bind_text(st, 4, prefix, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, e->value);
    sqlite3_bind_text(st, 6, e->number, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, e->seq);
    sqlite3_bind_text(st, 8, kiosk_service_code(e->service), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, kiosk_lane_code(e->lane), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, e->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, e->created_utc_ms);
    sqlite3_bind_int(st, 12, e->at.minute_of_day);
    sqlite3_bind_int(st, 13, e->under_age);
    sqlite3_bind_text(st, 14, payload, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, source, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "insert check-in");
}

/* Runs a query with one integer result (0 without a row) and up to three text parameters. */
static kiosk_rc query_int(kiosk_store *store, const char *sql, const char *a, const char *b,
                          const char *c, int64_t *out)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store, sql, &st, "query");
    if (rc != KIOSK_OK)
        return rc;
    const char *params[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (params[i])
            sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    *out = code == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "query");
}

kiosk_rc store_restore_checkins(kiosk_store *store, long *restored)
{
    *restored = 0;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT record_id, payload FROM outbox WHERE kind = 'checkin'"
                          " AND record_id NOT IN (SELECT record_id FROM checkin)",
                          &st, "restore check-ins");
    if (rc != KIOSK_OK)
        return rc;
    int code = SQLITE_DONE;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW) {
        const char *payload = (const char *)sqlite3_column_text(st, 1);
        kiosk_checkin_entry e;
        char why[160];
        if (!payload || sqlite3_column_bytes(st, 0) != 16 ||
            kiosk_checkin_from_payload(payload, &e, why, sizeof why) != KIOSK_OK ||
            memcmp(e.record_id.bytes, sqlite3_column_blob(st, 0), 16) != 0)
            continue; /* not this row's check-in: nothing trustworthy to restore */
        char day[11];
        kiosk_date_format(e.at.date, day);
        int64_t taken;
        rc = query_int(store,
                       "SELECT count(*) FROM checkin WHERE (business_date = ?1 AND number = ?2)"
                       " OR (appointment_id = ?3 AND appointment_id <> '' AND source = 'local')",
                       day, e.number, e.appointment_id, &taken);
        if (rc == KIOSK_OK && !taken) {
            rc = insert_checkin(store, &e, payload, "local");
            *restored += rc == KIOSK_OK;
        }
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = store_fail(store, code, "restore check-ins");
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_issue_ticket(kiosk_store *store, const kiosk_ticket_request *req,
                                  kiosk_checkin_entry *out, bool *existing)
{
    *existing = false;
    const char *appointment = req->appointment_id ? req->appointment_id : "";
    if (req->prefix < 'A' || req->prefix > 'Z' || req->numbering.hall_kiosks < 1 ||
        req->numbering.kiosk_slot < 1 || req->numbering.kiosk_slot > req->numbering.hall_kiosks)
        return KIOSK_ERR_INVALID;
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    char *payload = NULL;
    if (appointment[0]) {
        rc = kiosk_store_find_checkin(store, appointment, out);
        if (rc == KIOSK_OK) {
            *existing = true;
            goto rollback; /* nothing to write */
        }
        if (rc != KIOSK_ERR_NOT_FOUND)
            goto rollback;
    }
    char day[11], prefix[2] = {req->prefix, '\0'};
    kiosk_date_format(req->at.date, day);
    int64_t last;
    rc = query_int(store,
                   "SELECT coalesce(max(seq), 0) FROM checkin WHERE business_date = ?1 AND"
                   " prefix = ?2 AND kiosk_id = ?3 AND source = 'local'",
                   day, prefix, req->kiosk_id, &last);
    if (rc != KIOSK_OK)
        goto rollback;
    memset(out, 0, sizeof *out);
    out->seq = (int)last + 1;
    for (;; out->seq++) {
        out->value = kiosk_queue_value(&req->numbering, out->seq);
        if (out->value > 9999) {
            rc = kiosk_fail(KIOSK_ERR_TOO_BIG, store->message, sizeof store->message,
                            "no queue number left for %c today", req->prefix);
            goto rollback;
        }
        kiosk_queue_number_format(req->prefix, out->value, out->number);
        /* Taken by a stored check-in, or by one only the outbox remembers (a recovery that
         * could not carry the check-ins carries their outbox rows). */
        int64_t taken;
        rc = query_int(store,
                       "SELECT (SELECT count(*) FROM checkin WHERE business_date = ?1 AND"
                       " number = ?2) + (SELECT count(*) FROM outbox WHERE kind = 'checkin' AND"
                       " json_extract(payload, '$.business_date') = ?1 AND"
                       " json_extract(payload, '$.number') = ?2)",
                       day, out->number, NULL, &taken);
        if (rc != KIOSK_OK)
            goto rollback;
        if (!taken)
            break;
        KLOG_WARN("queue number %s was issued already (by another kiosk with the same [marriage]"
                  " kiosk_slot, or before a recovery of this database); skipping it",
                  out->number);
    }
    out->record_id = kiosk_recid_new(req->now_utc_ms);
    snprintf(out->appointment_id, sizeof out->appointment_id, "%s", appointment);
    out->service = req->service;
    out->lane = req->lane;
    out->prefix = req->prefix;
    snprintf(out->kiosk_id, sizeof out->kiosk_id, "%s", req->kiosk_id);
    out->created_utc_ms = req->now_utc_ms;
    out->at = req->at;
    out->under_age = req->under_age;
    payload = kiosk_checkin_payload(out);
    if (!payload) {
        rc = KIOSK_ERR_NOMEM;
        goto rollback;
    }
    rc = insert_checkin(store, out, payload, "local");
    if (rc == KIOSK_OK && appointment[0]) {
        sqlite3_stmt *st;
        rc = prepare(store,
                     "UPDATE appointment SET status = 'checked_in' WHERE appointment_id = ?1"
                     " AND status = 'booked'",
                     &st, "check in");
        if (rc == KIOSK_OK) {
            sqlite3_bind_text(st, 1, appointment, -1, SQLITE_STATIC);
            int code = sqlite3_step(st);
            sqlite3_finalize(st);
            if (code != SQLITE_DONE)
                rc = store_fail(store, code, "check in");
        }
    }
    if (rc == KIOSK_OK)
        rc = store_outbox_append(store, &out->record_id, "checkin", payload, req->now_utc_ms);
    if (rc == KIOSK_OK && req->audit) {
        snprintf(req->audit->target, sizeof req->audit->target, "%s", out->number);
        rc = store_audit_append_in(store, req->audit);
    }
    if (rc == KIOSK_OK)
        rc = kiosk_store_commit(store); /* rolls back itself on failure */
    free(payload);
    return rc;
rollback:
    kiosk_store_rollback(store);
    free(payload);
    return rc;
}

kiosk_rc kiosk_store_apply_checkin(kiosk_store *store, const char *payload, char *err,
                                   size_t err_size)
{
    kiosk_checkin_entry e;
    kiosk_rc rc = kiosk_checkin_from_payload(payload, &e, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    char day[11];
    kiosk_date_format(e.at.date, day);
    sqlite3_stmt *st;
    rc = prepare(store,
                 "SELECT record_id = ?1 FROM checkin WHERE business_date = ?2 AND number = ?3", &st,
                 "apply check-in");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_blob(st, 1, e.record_id.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e.number, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    int same = code == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (code != SQLITE_ROW && code != SQLITE_DONE)
        return store_fail(store, code, "apply check-in");
    if (same == 1)
        return KIOSK_OK; /* this record, applied before */
    if (same == 0)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "%s of %s was issued twice (by %s and by another kiosk)", e.number, day,
                          e.kiosk_id);
    return insert_checkin(store, &e, payload, "server");
}

kiosk_rc kiosk_store_checkin_payloads(kiosk_store *store, kiosk_date day, char ***out,
                                      size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT payload FROM checkin WHERE business_date = ?1"
                          " ORDER BY created_utc_ms, record_id",
                          &st, "check-ins");
    if (rc != KIOSK_OK)
        return rc;
    bind_date(st, 1, day);
    size_t cap = 0;
    int code;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == cap) {
            size_t more = cap ? cap * 2 : 64;
            char **grown = realloc(*out, more * sizeof *grown);
            if (!grown) {
                rc = KIOSK_ERR_NOMEM;
                break;
            }
            *out = grown;
            cap = more;
        }
        const char *p = (const char *)sqlite3_column_text(st, 0);
        (*out)[*count] = strdup(p ? p : "");
        if (!(*out)[*count]) {
            rc = KIOSK_ERR_NOMEM;
            break;
        }
        (*count)++;
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = store_fail(store, code, "check-ins");
    sqlite3_finalize(st);
    if (rc != KIOSK_OK) {
        for (size_t i = 0; i < *count; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return rc;
}

/* --- calls --------------------------------------------------------------------------------- */

#define CALL_COLUMNS                                                                       \
    "c.call_id, c.number, k.service, k.lane, c.counter, c.called_utc_ms FROM queue_call c" \
    " JOIN checkin k ON k.business_date = c.business_date AND k.number = c.number"

static void read_call(sqlite3_stmt *st, kiosk_queue_call *c)
{
    memset(c, 0, sizeof *c);
    c->call_id = sqlite3_column_int64(st, 0);
    store_copy_text(c->number, sizeof c->number, st, 1);
    const char *service = (const char *)sqlite3_column_text(st, 2);
    if (!service || !kiosk_service_parse(service, &c->service))
        c->service = KIOSK_SERVICE_MARRIAGE;
    const char *lane = (const char *)sqlite3_column_text(st, 3);
    if (!lane || !kiosk_lane_parse(lane, &c->lane))
        c->lane = KIOSK_LANE_WALKIN;
    c->counter = sqlite3_column_int(st, 4);
    c->called_utc_ms = sqlite3_column_int64(st, 5);
}

static kiosk_rc list_calls(kiosk_store *store, const char *sql, kiosk_date day, int64_t after,
                           kiosk_queue_call *out, size_t max, size_t *count)
{
    *count = 0;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store, sql, &st, "calls");
    if (rc != KIOSK_OK)
        return rc;
    bind_date(st, 1, day);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int code;
    while ((code = sqlite3_step(st)) == SQLITE_ROW && *count < max)
        read_call(st, &out[(*count)++]);
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "calls");
}

kiosk_rc kiosk_store_calls_after(kiosk_store *store, kiosk_date day, int64_t after,
                                 kiosk_queue_call *out, size_t max, size_t *count)
{
    return list_calls(store,
                      "SELECT " CALL_COLUMNS " WHERE c.business_date = ?1 AND c.call_id > ?2"
                      " ORDER BY c.call_id LIMIT ?3",
                      day, after, out, max, count);
}

kiosk_rc kiosk_store_recent_calls(kiosk_store *store, kiosk_date day, kiosk_queue_call *out,
                                  size_t max, size_t *count)
{
    return list_calls(store,
                      "SELECT " CALL_COLUMNS " WHERE c.business_date = ?1 AND c.call_id > ?2"
                      " ORDER BY c.call_id DESC LIMIT ?3",
                      day, 0, out, max, count);
}

kiosk_rc kiosk_store_call_next(kiosk_store *store, kiosk_date day, int counter,
                               const char *prefixes, const char *kiosk_id, int64_t now_utc_ms,
                               kiosk_queue_call *out)
{
    kiosk_rc rc = kiosk_store_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st;
    rc = prepare(store,
                 "SELECT k.number FROM checkin k WHERE k.business_date = ?1"
                 " AND (?2 = '' OR instr(?2, k.prefix) > 0) AND NOT EXISTS (SELECT 1 FROM"
                 " queue_call c WHERE c.business_date = k.business_date AND c.number = k.number)"
                 " ORDER BY CASE k.lane WHEN 'priority' THEN 0 WHEN 'booked' THEN 1 ELSE 2 END,"
                 " k.created_utc_ms, k.number LIMIT 1",
                 &st, "next to call");
    char number[KIOSK_QUEUE_NUMBER_MAX] = "";
    if (rc == KIOSK_OK) {
        bind_date(st, 1, day);
        sqlite3_bind_text(st, 2, prefixes ? prefixes : "", -1, SQLITE_STATIC);
        int code = sqlite3_step(st);
        if (code == SQLITE_ROW)
            store_copy_text(number, sizeof number, st, 0);
        else
            rc = code == SQLITE_DONE ? KIOSK_ERR_NOT_FOUND : store_fail(store, code, "next");
        sqlite3_finalize(st);
    }
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO queue_call(business_date, number, counter, kiosk_id,"
                     " called_utc_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                     &st, "call");
    if (rc == KIOSK_OK) {
        bind_date(st, 1, day);
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, counter);
        sqlite3_bind_text(st, 4, kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now_utc_ms);
        int code = sqlite3_step(st);
        sqlite3_finalize(st);
        if (code != SQLITE_DONE)
            rc = store_fail(store, code, "call");
    }
    if (rc != KIOSK_OK) {
        kiosk_store_rollback(store);
        return rc;
    }
    int64_t id = sqlite3_last_insert_rowid(store->db);
    rc = kiosk_store_commit(store);
    if (rc != KIOSK_OK)
        return rc;
    size_t n = 0;
    rc = kiosk_store_calls_after(store, day, id - 1, out, 1, &n);
    return rc == KIOSK_OK && n == 0 ? KIOSK_ERR_NOT_FOUND : rc;
}

kiosk_rc kiosk_store_waiting(kiosk_store *store, kiosk_date day, long counts[KIOSK_SERVICE_COUNT])
{
    for (int i = 0; i < KIOSK_SERVICE_COUNT; i++)
        counts[i] = 0;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT k.service, count(*) FROM checkin k WHERE k.business_date = ?1"
                          " AND NOT EXISTS (SELECT 1 FROM queue_call c WHERE"
                          " c.business_date = k.business_date AND c.number = k.number)"
                          " GROUP BY k.service",
                          &st, "waiting");
    if (rc != KIOSK_OK)
        return rc;
    bind_date(st, 1, day);
    int code;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_service s;
        const char *code_text = (const char *)sqlite3_column_text(st, 0);
        if (code_text && kiosk_service_parse(code_text, &s))
            counts[s] = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "waiting");
}

/* --- the calendar -------------------------------------------------------------------------- */

kiosk_rc kiosk_store_apply_calendar(kiosk_store *store, const kiosk_workcal *cal,
                                    int64_t now_utc_ms)
{
    sqlite3_stmt *clear = NULL, *year = NULL, *day = NULL;
    kiosk_rc rc = prepare(store, "DELETE FROM calendar_day WHERE substr(date, 1, 4) = ?1", &clear,
                          "calendar");
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT OR REPLACE INTO calendar_year(year, applied_utc_ms) VALUES (?1, ?2)",
                     &year, "calendar");
    if (rc == KIOSK_OK)
        rc = prepare(store, "INSERT INTO calendar_day(date, working, note) VALUES (?1, ?2, ?3)",
                     &day, "calendar");
    int code;
    for (size_t i = 0; rc == KIOSK_OK && i < cal->year_count; i++) {
        char text[8];
        snprintf(text, sizeof text, "%04d", cal->years[i]);
        sqlite3_bind_text(clear, 1, text, -1, SQLITE_TRANSIENT);
        if (!store_step_done(clear, &code))
            rc = store_fail(store, code, "calendar");
        sqlite3_bind_int(year, 1, cal->years[i]);
        sqlite3_bind_int64(year, 2, now_utc_ms);
        if (rc == KIOSK_OK && !store_step_done(year, &code))
            rc = store_fail(store, code, "calendar");
    }
    for (size_t i = 0; rc == KIOSK_OK && i < cal->day_count; i++) {
        const kiosk_workcal_day *d = &cal->days[i];
        bind_date(day, 1, d->date);
        sqlite3_bind_int(day, 2, d->working);
        sqlite3_bind_text(day, 3, d->note, -1, SQLITE_STATIC);
        if (!store_step_done(day, &code))
            rc = store_fail(store, code, "calendar");
    }
    sqlite3_finalize(clear);
    sqlite3_finalize(year);
    sqlite3_finalize(day);
    return rc;
}

kiosk_rc kiosk_store_import_calendar(kiosk_store *store, const char *text, size_t len,
                                     int64_t now_utc_ms, int *years, char *err, size_t err_size)
{
    *years = 0;
    kiosk_workcal *cal = malloc(sizeof *cal);
    if (!cal)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_rc rc = kiosk_workcal_parse(text, len, cal, err, err_size);
    if (rc == KIOSK_OK) {
        rc = kiosk_store_begin(store);
        if (rc == KIOSK_OK)
            rc = kiosk_store_apply_calendar(store, cal, now_utc_ms);
        if (rc == KIOSK_OK)
            rc = kiosk_store_commit(store);
        else
            kiosk_store_rollback(store);
        if (rc != KIOSK_OK)
            kiosk_fail(rc, err, err_size, "%s", store->message);
        else
            *years = (int)cal->year_count;
    }
    free(cal);
    return rc;
}

kiosk_rc kiosk_store_load_calendar(kiosk_store *store, kiosk_workcal *out)
{
    kiosk_workcal_init(out);
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store, "SELECT year FROM calendar_year ORDER BY year", &st, "calendar");
    if (rc != KIOSK_OK)
        return rc;
    int code;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW)
        if (kiosk_workcal_add_year(out, sqlite3_column_int(st, 0)) != KIOSK_OK)
            KLOG_WARN("stored calendar year %d skipped", sqlite3_column_int(st, 0));
    sqlite3_finalize(st);
    if (code != SQLITE_DONE)
        return store_fail(store, code, "calendar");
    rc = prepare(store, "SELECT date, working, note FROM calendar_day ORDER BY date", &st,
                 "calendar");
    if (rc != KIOSK_OK)
        return rc;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_date d;
        const char *note = (const char *)sqlite3_column_text(st, 2);
        if (!column_date(st, 0, &d) ||
            kiosk_workcal_set_day(out, d, sqlite3_column_int(st, 1) != 0, note) != KIOSK_OK)
            KLOG_WARN("a stored calendar day was skipped");
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "calendar");
}
