/* meals.c - meal records: the durable commit of a served meal with its outbox row, and the
 * person's meals of a month for the policy's limits. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

kiosk_rc kiosk_store_add_meal(kiosk_store *store, const kiosk_meal_entry *meal)
{
    const kiosk_decision *d = &meal->decision;
    char *payload = kiosk_meal_payload(meal);
    if (!payload)
        return KIOSK_ERR_NOMEM;

    int code;
    kiosk_rc rc = store_check_file(store);
    if (rc != KIOSK_OK)
        goto out;
    if (!store_step_done(store->begin_immediate, &code)) {
        rc = store_fail(store, code, "begin meal");
        goto out;
    }
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
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    if (!ok) {
        rc = store_fail(store, code, "insert meal");
        goto rollback;
    }
    rc = store_outbox_append(store, &meal->record_id, "meal", payload, meal->created_utc_ms);
    if (rc != KIOSK_OK)
        goto rollback;
    if (!store_step_done(store->commit, &code)) {
        rc = store_fail(store, code, "commit meal");
        goto rollback;
    }
    goto out;
rollback:
    store_step_done(store->rollback, &code);
out:
    free(payload);
    return rc;
}

kiosk_rc kiosk_store_month_meals(kiosk_store *store, const char *person_id, kiosk_date month,
                                 kiosk_meal_record *out, size_t max, size_t *count)
{
    char from[11], to[11];
    kiosk_date first = {month.year, month.month, 1};
    kiosk_date last = {month.year, month.month, kiosk_date_days_in_month(month.year, month.month)};
    kiosk_date_format(first, from);
    kiosk_date_format(last, to);
    sqlite3_stmt *st = store->month_meals;
    sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    *count = 0;
    int code;
    kiosk_rc rc = KIOSK_OK;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == max) {
            /* A limit judged on part of the history would be wrong: say so instead. */
            rc = kiosk_fail(KIOSK_ERR_TOO_BIG, store->message, sizeof store->message,
                            "month meals: more than %zu records this month", max);
            KLOG_ERROR("%s", store->message);
            break;
        }
        kiosk_meal_record *r = &out[(*count)++];
        memset(r, 0, sizeof *r);
        char date[16], type[16];
        store_copy_text(date, sizeof date, st, 0);
        if (!kiosk_date_parse(date, &r->at.date))
            r->at.date = first;
        r->at.minute_of_day = sqlite3_column_int(st, 1);
        store_copy_text(type, sizeof type, st, 2);
        r->meal_type = kiosk_meal_type_from_code(type);
        r->subsidy_fen = sqlite3_column_int64(st, 3);
        store_copy_text(r->canteen_id, sizeof r->canteen_id, st, 4);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != KIOSK_OK)
        return rc;
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "month meals");
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
