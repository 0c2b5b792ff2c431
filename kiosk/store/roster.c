/* roster.c - reference data of the canteen: persons and their cards. The CSV import and sync's
 * pulls change it through the same upsert and delete functions; lookups by keyed card hash or
 * ID-number hash serve the taps. */
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "log.h"
#include "roster_csv.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

/* --- the apply functions ---------------------------------------------------------------- */

kiosk_rc kiosk_store_begin(kiosk_store *store)
{
    int code;
    return store_step_done(store->begin_immediate, &code) ? KIOSK_OK
                                                          : store_fail(store, code, "begin");
}

kiosk_rc kiosk_store_commit(kiosk_store *store)
{
    int code;
    if (store_step_done(store->commit, &code))
        return KIOSK_OK;
    kiosk_rc rc = store_fail(store, code, "commit");
    store_step_done(store->rollback, &code);
    return rc;
}

void kiosk_store_rollback(kiosk_store *store)
{
    int code;
    if (!sqlite3_get_autocommit(store->db))
        store_step_done(store->rollback, &code);
}

kiosk_rc kiosk_store_upsert_person(kiosk_store *store, const kiosk_person_row *row)
{
    sqlite3_stmt *st = store->upsert_person;
    char birth[11];
    kiosk_date_format(row->person.birth, birth);
    sqlite3_bind_text(st, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->name_masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, birth, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, row->person.categories);
    sqlite3_bind_text(st, 5, row->person.home.city, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, row->person.home.district, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, row->person.home.street, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, row->person.local_hukou);
    sqlite3_bind_int(st, 9, row->person.local_resident);
    sqlite3_bind_int(st, 10, row->person.active);
    if (row->has_id_key)
        sqlite3_bind_blob(st, 11, row->id_key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 11);
    int code;
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    return ok ? KIOSK_OK : store_fail(store, code, "upsert person");
}

kiosk_rc kiosk_store_delete_person(kiosk_store *store, const char *person_id)
{
    int code;
    sqlite3_bind_text(store->delete_person_cards, 1, person_id, -1, SQLITE_STATIC);
    bool ok = store_step_done(store->delete_person_cards, &code);
    sqlite3_clear_bindings(store->delete_person_cards);
    if (!ok)
        return store_fail(store, code, "delete person's cards");
    sqlite3_bind_text(store->delete_person, 1, person_id, -1, SQLITE_STATIC);
    ok = store_step_done(store->delete_person, &code);
    sqlite3_clear_bindings(store->delete_person);
    return ok ? KIOSK_OK : store_fail(store, code, "delete person");
}

kiosk_rc kiosk_store_upsert_card(kiosk_store *store, const kiosk_card_row *row)
{
    sqlite3_stmt *st = store->upsert_card;
    sqlite3_bind_blob(st, 1, row->card_key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, row->info.blocked);
    sqlite3_bind_text(st, 4, row->info.issuing_canteen, -1, SQLITE_STATIC);
    int code;
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    return ok ? KIOSK_OK : store_fail(store, code, "upsert card");
}

kiosk_rc kiosk_store_delete_card(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES])
{
    int code;
    sqlite3_bind_blob(store->delete_card, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    bool ok = store_step_done(store->delete_card, &code);
    sqlite3_clear_bindings(store->delete_card);
    return ok ? KIOSK_OK : store_fail(store, code, "delete card");
}

/* --- the CSV import --------------------------------------------------------------------- */

typedef struct import_ctx {
    kiosk_store *store;
    sqlite3_stmt *seen, *same_person;
    kiosk_import_stats *stats;
    char problem[200];
} import_ctx;

/* The person columns of a row, as the apply functions take them. */
static kiosk_person_row person_of(kiosk_store *store, const kiosk_roster_row *row)
{
    kiosk_person_row p = {.person = row->person};
    snprintf(p.person_id, sizeof p.person_id, "%s", row->person_id);
    snprintf(p.name_masked, sizeof p.name_masked, "%s", row->name_masked);
    if (row->id_number[0]) {
        p.has_id_key = true;
        kiosk_store_id_number_key(store, row->id_number, p.id_key);
    }
    return p;
}

/* Applies one roster row inside the import's transaction. */
static kiosk_rc apply_roster_row(import_ctx *ctx, const kiosk_roster_row *row)
{
    kiosk_store *store = ctx->store;
    int code;
    ctx->stats->rows++;
    sqlite3_bind_text(ctx->seen, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ctx->seen, 2, (sqlite3_int64)row->line);
    if (!store_step_done(ctx->seen, &code))
        return store_fail(store, code, "import");
    bool first_time = sqlite3_changes(store->db) > 0;
    kiosk_person_row person = person_of(store, row);
    if (first_time) {
        kiosk_rc rc = kiosk_store_upsert_person(store, &person);
        if (rc != KIOSK_OK)
            return rc;
        ctx->stats->persons++;
    } else {
        /* A person on several rows (several cards): the person columns must agree. */
        sqlite3_stmt *st = ctx->same_person;
        char birth[11];
        kiosk_date_format(row->person.birth, birth);
        sqlite3_bind_text(st, 1, row->person_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, row->name_masked, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, birth, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, row->person.categories);
        sqlite3_bind_text(st, 5, row->person.home.city, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, row->person.home.district, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, row->person.home.street, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, row->person.local_hukou);
        sqlite3_bind_int(st, 9, row->person.local_resident);
        sqlite3_bind_int(st, 10, row->person.active);
        code = sqlite3_step(st);
        bool same = code == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
        long first_line = code == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
        sqlite3_reset(st);
        if (!same) {
            snprintf(ctx->problem, sizeof ctx->problem,
                     "line %zu: person_id %s: person columns differ from line %ld", row->line,
                     row->person_id, first_line);
            return KIOSK_ERR_PARSE;
        }
    }
    if (row->card_uid[0]) {
        uint8_t uid[KIOSK_UID_MAX];
        int uid_len = kiosk_card_uid_from_hex(row->card_uid, strlen(row->card_uid), uid);
        if (uid_len <= 0) {
            snprintf(ctx->problem, sizeof ctx->problem, "line %zu: card_uid: not hexadecimal",
                     row->line);
            return KIOSK_ERR_PARSE;
        }
        kiosk_card_row card = {.info = {.blocked = row->card_blocked}};
        kiosk_store_card_key(store, uid, (size_t)uid_len, card.card_key);
        snprintf(card.person_id, sizeof card.person_id, "%s", row->person_id);
        snprintf(card.info.issuing_canteen, sizeof card.info.issuing_canteen, "%s",
                 row->issuing_canteen);
        kiosk_rc rc = kiosk_store_upsert_card(store, &card);
        if (rc != KIOSK_OK)
            return rc;
        ctx->stats->cards++;
    }
    return KIOSK_OK;
}

static kiosk_rc on_roster_row(void *user, const kiosk_roster_row *row)
{
    return apply_roster_row(user, row);
}

kiosk_rc kiosk_store_import_roster(kiosk_store *store, FILE *csv, kiosk_date today,
                                   kiosk_import_stats *stats, char *err, size_t err_size)
{
    memset(stats, 0, sizeof *stats);
    if (err_size)
        err[0] = '\0';
    import_ctx ctx = {.store = store, .stats = stats};
    kiosk_rc rc = store_exec(store, "CREATE TEMP TABLE IF NOT EXISTS import_seen("
                                    " person_id TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID;"
                                    "DELETE FROM import_seen;");
    if (rc != KIOSK_OK)
        goto out;
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } prepared[] = {
        {&ctx.seen, "INSERT OR IGNORE INTO import_seen(person_id, line) VALUES (?1, ?2)"},
        {&ctx.same_person,
         "SELECT p.name_masked = ?2 AND p.birth_date = ?3 AND p.categories = ?4 AND p.city = ?5"
         " AND p.district = ?6 AND p.street = ?7 AND p.local_hukou = ?8"
         " AND p.local_resident = ?9 AND p.active = ?10, s.line"
         " FROM person p JOIN import_seen s USING (person_id) WHERE p.person_id = ?1"},
    };
    for (size_t i = 0; i < sizeof prepared / sizeof prepared[0]; i++) {
        int code = sqlite3_prepare_v2(store->db, prepared[i].sql, -1, prepared[i].st, NULL);
        if (code != SQLITE_OK) {
            rc = store_fail(store, code, "import prepare");
            goto out_finalize;
        }
    }
    rc = kiosk_store_begin(store);
    if (rc != KIOSK_OK)
        goto out_finalize;
    rc = kiosk_roster_csv_read(csv, today, on_roster_row, &ctx, err, err_size);
    if (rc == KIOSK_OK) {
        rc = kiosk_store_commit(store);
    } else {
        kiosk_store_rollback(store);
        if (ctx.problem[0])
            snprintf(err, err_size, "%s", ctx.problem);
    }
    if (rc != KIOSK_OK)
        memset(stats, 0, sizeof *stats);
out_finalize:
    for (size_t i = 0; i < sizeof prepared / sizeof prepared[0]; i++)
        sqlite3_finalize(*prepared[i].st);
    sqlite3_exec(store->db, "DELETE FROM import_seen", NULL, NULL, NULL);
out:
    if (rc != KIOSK_OK && rc != KIOSK_ERR_PARSE && err_size && !err[0])
        snprintf(err, err_size, "%s", store->message);
    return rc;
}

/* --- lookups ------------------------------------------------------------------------------ */

static void decode_area(sqlite3_stmt *st, int col, kiosk_area *area)
{
    store_copy_text(area->city, sizeof area->city, st, col);
    store_copy_text(area->district, sizeof area->district, st, col + 1);
    store_copy_text(area->street, sizeof area->street, st, col + 2);
}

/* Runs a holder query (find_card or find_id_number: the same columns) for one key. */
static kiosk_rc find_holder(kiosk_store *store, sqlite3_stmt *st, const uint8_t key[32],
                            const char *what, kiosk_holder *out)
{
    sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
    int code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        char birth[16];
        store_copy_text(out->person_id, sizeof out->person_id, st, 0);
        store_copy_text(out->name_masked, sizeof out->name_masked, st, 1);
        store_copy_text(birth, sizeof birth, st, 2);
        if (!kiosk_date_parse(birth, &out->person.birth))
            out->person.birth = (kiosk_date){1900, 1, 1};
        out->person.categories = (uint32_t)sqlite3_column_int64(st, 3);
        decode_area(st, 4, &out->person.home);
        out->person.local_hukou = sqlite3_column_int(st, 7) != 0;
        out->person.local_resident = sqlite3_column_int(st, 8) != 0;
        out->person.active = sqlite3_column_int(st, 9) != 0;
        out->card.blocked = sqlite3_column_int(st, 10) != 0;
        store_copy_text(out->card.issuing_canteen, sizeof out->card.issuing_canteen, st, 11);
    } else if (code == SQLITE_DONE) {
        rc = KIOSK_ERR_NOT_FOUND;
    } else {
        rc = store_fail(store, code, what);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

kiosk_rc kiosk_store_find_card(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                               kiosk_holder *out)
{
    return find_holder(store, store->find_card, key, "find card", out);
}

kiosk_rc kiosk_store_find_id_number(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                    kiosk_holder *out)
{
    return find_holder(store, store->find_id_number, key, "find ID number", out);
}
