/* meals.c - meal records: the durable commit of a served meal with its outbox row, and the
 * summary of a person's earlier meals that the policy's limits need. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

kiosk_rc store_meal_insert_in(kiosk_store *store, const kiosk_meal_entry *meal)
{
    const kiosk_decision *d = &meal->decision;
    char *payload = kiosk_meal_payload(meal);
    if (!payload)
        return KIOSK_ERR_NOMEM;
    char date[11];
    kiosk_date_format(meal->at.date, date);
    sqlite3_stmt *st = store->insert_meal;
    sqlite3_bind_blob(st, 1, meal->record_id.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, meal->person_id, -1, SQLITE_STATIC);
    if (meal->has_card)
        sqlite3_bind_blob(st, 3, meal->card_key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, meal->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, meal->canteen_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, date, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, meal->at.minute_of_day);
    sqlite3_bind_text(st, 8, kiosk_meal_type_code(d->meal_type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, meal->created_utc_ms);
    sqlite3_bind_int64(st, 10, d->price_fen);
    sqlite3_bind_int64(st, 11, d->subsidy_fen);
    sqlite3_bind_int64(st, 12, d->pay_fen);
    sqlite3_bind_int64(st, 13, d->funding_fen[KIOSK_LEVEL_CITY]);
    sqlite3_bind_int64(st, 14, d->funding_fen[KIOSK_LEVEL_DISTRICT]);
    sqlite3_bind_int64(st, 15, d->funding_fen[KIOSK_LEVEL_STREET]);
    sqlite3_bind_text(st, 16, d->class_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 17, d->policy_version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 18, d->canteen_fen);
    sqlite3_bind_int64(st, 19, d->day_subsidy_fen);
    sqlite3_bind_text(st, 20, kiosk_price_source_code(meal->order.source), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 21, meal->order.item, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 22, meal->offline ? 1 : 0);
    int code;
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    kiosk_rc rc =
        ok ? store_outbox_append(store, &meal->record_id, "meal", payload, meal->created_utc_ms)
           : store_fail(store, code, "insert meal");
    free(payload);
    return rc;
}

kiosk_rc kiosk_store_add_meal(kiosk_store *store, const kiosk_meal_entry *meal)
{
    kiosk_rc rc = store_write_begin(store);
    return rc == KIOSK_OK ? store_write_end(store, store_meal_insert_in(store, meal)) : rc;
}

/* Sums and counts in integer SQL over every record of the month, however many: the limits are
 * exact for any number of meals. Today's subsidised meals are read one by one for the counts by
 * type and the latest of each (a day holds a handful). */
kiosk_rc kiosk_store_meal_summary(kiosk_store *store, const char *person_id, kiosk_date today,
                                  kiosk_meal_summary *out)
{
    memset(out, 0, sizeof *out);
    char from[11], to[11], day[11];
    kiosk_date first = {today.year, today.month, 1};
    kiosk_date last = {today.year, today.month, kiosk_date_days_in_month(today.year, today.month)};
    kiosk_date_format(first, from);
    kiosk_date_format(last, to);
    kiosk_date_format(today, day);
    sqlite3_stmt *st = store->month_subsidy;
    sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW)
        out->month_subsidy_fen = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (code != SQLITE_ROW)
        return store_fail(store, code, "month subsidy");

    st = store->meals_today;
    sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_meal_record r;
        memset(&r, 0, sizeof r);
        char type[16];
        r.at.date = today;
        r.at.minute_of_day = sqlite3_column_int(st, 1);
        store_copy_text(type, sizeof type, st, 2);
        r.meal_type = kiosk_meal_type_from_code(type);
        r.subsidy_fen = sqlite3_column_int64(st, 3);
        r.canteen_fen = sqlite3_column_int64(st, 4);
        r.day_subsidy_fen = sqlite3_column_int64(st, 5);
        store_copy_text(r.canteen_id, sizeof r.canteen_id, st, 6);
        /* Rows come latest first: the first of the day and of each type is the latest. */
        if (!out->has_last_of_day) {
            out->has_last_of_day = true;
            out->last_of_day = r;
        }
        out->day_count++;
        out->day_subsidy_given_fen += r.day_subsidy_fen;
        if (r.meal_type >= 0 && r.meal_type < KIOSK_MEAL_COUNT) {
            if (!out->has_last_of_type[r.meal_type]) {
                out->has_last_of_type[r.meal_type] = true;
                out->last_of_type[r.meal_type] = r;
            }
            out->type_count[r.meal_type]++;
        }
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "meals today");
}

kiosk_rc kiosk_store_count_meals(kiosk_store *store, long *meals, long *outbox_pending)
{
    kiosk_rc rc = store_count(store, "SELECT count(*) FROM meal", meals);
    if (rc == KIOSK_OK)
        rc = store_count(store, "SELECT count(*) FROM outbox WHERE state = 'pending'",
                         outbox_pending);
    return rc;
}

kiosk_rc kiosk_store_has_meal(kiosk_store *store, const kiosk_recid *id, bool *exists)
{
    sqlite3_stmt *st;
    int code =
        sqlite3_prepare_v2(store->db, "SELECT 1 FROM meal WHERE record_id = ?1", -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "has meal");
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    code = sqlite3_step(st);
    *exists = code == SQLITE_ROW;
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK
                                                     : store_fail(store, code, "has meal");
}
