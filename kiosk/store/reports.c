/* reports.c - settlement: the totals of a period by meal, class, canteen and funding level, and
 * the settlement CSV export. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

static kiosk_rc report_groups(kiosk_store *store, const char *column, const char *from,
                              const char *to, kiosk_report_group *groups, size_t max, size_t *count)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT %s, count(*), sum(price_fen), sum(subsidy_fen), sum(pay_fen) FROM meal"
             " WHERE business_date BETWEEN ?1 AND ?2" STORE_NOT_VOIDED " GROUP BY 1 ORDER BY 1",
             column);
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "report");
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    *count = 0;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == max) {
            KLOG_WARN("report: more than %zu groups by %s; the rest are in the totals", max,
                      column);
            continue;
        }
        kiosk_report_group *g = &groups[(*count)++];
        store_copy_text(g->key, sizeof g->key, st, 0);
        g->meals = (long)sqlite3_column_int64(st, 1);
        g->price_fen = sqlite3_column_int64(st, 2);
        g->subsidy_fen = sqlite3_column_int64(st, 3);
        g->pay_fen = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "report");
}

kiosk_rc kiosk_store_report(kiosk_store *store, kiosk_date from, kiosk_date to, kiosk_report *out)
{
    memset(out, 0, sizeof *out);
    out->from = from;
    out->to = to;
    char a[11], b[11];
    kiosk_date_format(from, a);
    kiosk_date_format(to, b);
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(
        store->db,
        "SELECT count(*), coalesce(sum(price_fen), 0), coalesce(sum(subsidy_fen), 0),"
        " coalesce(sum(pay_fen), 0), coalesce(sum(city_fen), 0), coalesce(sum(district_fen), 0),"
        " coalesce(sum(street_fen), 0), coalesce(sum(canteen_fen), 0) FROM meal"
        " WHERE business_date BETWEEN ?1 AND ?2" STORE_NOT_VOIDED,
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "report");
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    code = sqlite3_step(st);
    if (code == SQLITE_ROW) {
        out->meals = (long)sqlite3_column_int64(st, 0);
        out->price_fen = sqlite3_column_int64(st, 1);
        out->subsidy_fen = sqlite3_column_int64(st, 2);
        out->pay_fen = sqlite3_column_int64(st, 3);
        for (int l = 0; l < KIOSK_LEVEL_COUNT; l++)
            out->funding_fen[l] = sqlite3_column_int64(st, 4 + l);
        out->canteen_fen = sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    if (code != SQLITE_ROW)
        return store_fail(store, code, "report");

    kiosk_report_group meals[KIOSK_MEAL_COUNT + 1];
    size_t n = 0;
    kiosk_rc rc = report_groups(store, "meal_type", a, b, meals, KIOSK_MEAL_COUNT + 1, &n);
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        snprintf(out->by_meal[t].key, sizeof out->by_meal[t].key, "%s",
                 kiosk_meal_type_code((kiosk_meal_type)t));
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        kiosk_meal_type t = kiosk_meal_type_from_code(meals[i].key);
        if (t != KIOSK_MEAL_NONE)
            out->by_meal[t] = meals[i];
    }
    if (rc == KIOSK_OK)
        rc = report_groups(store, "class_id", a, b, out->by_class, KIOSK_REPORT_GROUPS_MAX,
                           &out->class_count);
    if (rc == KIOSK_OK)
        rc = report_groups(store, "canteen_id", a, b, out->by_canteen, KIOSK_REPORT_GROUPS_MAX,
                           &out->canteen_count);
    return rc;
}

/* Ids from the roster and policy use a restricted charset, but the kiosk and canteen ids come
 * from the configuration: quote (RFC 4180) whatever a spreadsheet could misread. */
static void write_csv_field(FILE *out, const char *v)
{
    if (!v)
        return;
    if (!v[strcspn(v, ",\"\r\n")]) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', out);
        fputc(*v, out);
    }
    fputc('"', out);
}

kiosk_rc kiosk_store_export_meals_csv(kiosk_store *store, kiosk_date from, kiosk_date to, FILE *out)
{
    char a[11], b[11];
    kiosk_date_format(from, a);
    kiosk_date_format(to, b);
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(
        store->db,
        "SELECT record_id, business_date, printf('%02d:%02d', local_minute / 60,"
        " local_minute % 60), kiosk_id, canteen_id, person_id, class_id, meal_type, price_fen,"
        " subsidy_fen, pay_fen, city_fen, district_fen, street_fen, policy_version,"
        " payment_method, canteen_fen, day_subsidy_fen, price_source, menu_item FROM meal"
        " WHERE business_date BETWEEN ?1 AND ?2" STORE_NOT_VOIDED
        " ORDER BY business_date, local_minute, record_id",
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "export");
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    fputs("record_id,business_date,local_time,kiosk_id,canteen_id,person_id,class_id,meal_type,"
          "price_fen,subsidy_fen,pay_fen,city_fen,district_fen,street_fen,policy_version,"
          "payment_method,canteen_fen,day_subsidy_fen,price_source,menu_item\n",
          out);
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        /* The id as the events file writes it (the column's CHECK keeps it 16 bytes). */
        kiosk_recid id;
        char id_text[KIOSK_RECID_TEXT];
        memcpy(id.bytes, sqlite3_column_blob(st, 0), sizeof id.bytes);
        kiosk_recid_format(&id, id_text);
        fputs(id_text, out);
        for (int c = 1; c < 20; c++) {
            fputc(',', out);
            write_csv_field(out, (const char *)sqlite3_column_text(st, c));
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    if (code != SQLITE_DONE)
        return store_fail(store, code, "export");
    return ferror(out) ? KIOSK_ERR_IO : KIOSK_OK;
}
