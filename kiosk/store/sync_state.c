/* sync_state.c - the sync worker's tables and apply functions (sync_state.h): identity and card
 * key in device_state, cursors in sync_cursor, pulled rows through the version-checked
 * statements of sync_sql.h, snapshots staged in TEMP tables and swapped in by difference. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "store_internal.h"
#include "sync_state.h"
#define KIOSK_LOG_MODULE "store"

/* A statement that returns no row: KIOSK_ERR_INVALID (and the transaction still usable) when a
 * constraint refused the row. */
static kiosk_rc step_row(kiosk_store *store, sqlite3_stmt *st, const char *what)
{
    int code = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (code == SQLITE_DONE)
        return KIOSK_OK;
    if ((code & 0xff) == SQLITE_CONSTRAINT) {
        snprintf(store->message, sizeof store->message, "%s: %s", what, sqlite3_errmsg(store->db));
        return KIOSK_ERR_INVALID;
    }
    return store_fail(store, code, what);
}

/* --- device_state values -----------------------------------------------------------------------
 */

/* Reads one device_state value; KIOSK_ERR_NOT_FOUND when unset. Text into text (when given),
 * an integer into *num, a blob of exactly blob_len bytes into blob. */
static kiosk_rc get_state(kiosk_store *store, const char *key, char *text, size_t text_size,
                          int64_t *num, uint8_t *blob, size_t blob_len)
{
    sqlite3_stmt *st = store->sync_get_state;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW) {
        int type = sqlite3_column_type(st, 0);
        if (text && type == SQLITE_TEXT)
            store_copy_text(text, text_size, st, 0);
        else if (num && type == SQLITE_INTEGER)
            *num = sqlite3_column_int64(st, 0);
        else if (blob && type == SQLITE_BLOB && (size_t)sqlite3_column_bytes(st, 0) == blob_len)
            memcpy(blob, sqlite3_column_blob(st, 0), blob_len);
        else
            rc = KIOSK_ERR_NOT_FOUND; /* of another type: as good as unset */
    } else if (code == SQLITE_DONE) {
        rc = KIOSK_ERR_NOT_FOUND;
    } else {
        rc = store_fail(store, code, "device state");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static kiosk_rc set_state_text(kiosk_store *store, const char *key, const char *value)
{
    sqlite3_stmt *st = store->sync_set_state;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return step_row(store, st, "device state");
}

static kiosk_rc set_state_blob(kiosk_store *store, const char *key, const uint8_t *value,
                               size_t len)
{
    sqlite3_stmt *st = store->sync_set_state;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
    return step_row(store, st, "device state");
}

kiosk_rc kiosk_store_sync_get_int(kiosk_store *store, const char *key, int64_t *out)
{
    if (strncmp(key, "sync_", 5) != 0)
        return KIOSK_ERR_INVALID;
    return get_state(store, key, NULL, 0, out, NULL, 0);
}

kiosk_rc kiosk_store_sync_set_int(kiosk_store *store, const char *key, int64_t value)
{
    if (strncmp(key, "sync_", 5) != 0)
        return KIOSK_ERR_INVALID;
    sqlite3_stmt *st = store->sync_set_state;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, value);
    return step_row(store, st, "device state");
}

/* --- identity ----------------------------------------------------------------------------------
 */

kiosk_rc kiosk_store_sync_identity(kiosk_store *store, kiosk_sync_identity *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc =
        get_state(store, "sync_device_id", out->device_id, sizeof out->device_id, NULL, NULL, 0);
    if (rc == KIOSK_OK)
        rc = get_state(store, "sync_device_secret", NULL, 0, NULL, out->secret, sizeof out->secret);
    if (rc == KIOSK_OK && !out->device_id[0])
        rc = KIOSK_ERR_NOT_FOUND;
    if (rc == KIOSK_OK) {
        /* Informative: a missing one is no reason to refuse the identity. */
        if (get_state(store, "sync_site_id", out->site_id, sizeof out->site_id, NULL, NULL, 0) !=
            KIOSK_OK)
            out->site_id[0] = '\0';
        if (get_state(store, "sync_canteen_id", out->canteen_id, sizeof out->canteen_id, NULL, NULL,
                      0) != KIOSK_OK)
            out->canteen_id[0] = '\0';
    }
    if (rc != KIOSK_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

kiosk_rc kiosk_store_sync_enroll(kiosk_store *store, const kiosk_sync_identity *id,
                                 const uint8_t card_key[KIOSK_CARD_KEY_BYTES], bool *hashes_dropped)
{
    *hashes_dropped = false;
    bool differs = sodium_memcmp(store->card_key, card_key, KIOSK_CARD_KEY_BYTES) != 0;
    kiosk_rc rc = kiosk_store_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    rc = set_state_text(store, "sync_device_id", id->device_id);
    if (rc == KIOSK_OK)
        rc = set_state_text(store, "sync_site_id", id->site_id);
    if (rc == KIOSK_OK)
        rc = set_state_text(store, "sync_canteen_id", id->canteen_id);
    if (rc == KIOSK_OK)
        rc = set_state_blob(store, "sync_device_secret", id->secret, sizeof id->secret);
    if (rc == KIOSK_OK)
        rc = set_state_blob(store, "card_key", card_key, KIOSK_CARD_KEY_BYTES);
    if (rc == KIOSK_OK)
        rc = set_state_text(store, "card_key_source", "server");
    /* Hashes under another key can never match a card again; the streams bring them back. */
    if (rc == KIOSK_OK && differs)
        rc = store_exec(store, "DELETE FROM card; UPDATE person SET id_key = NULL"
                               " WHERE id_key IS NOT NULL;"
                               " DELETE FROM sync_cursor WHERE stream IN ('cards', 'roster')");
    if (rc == KIOSK_OK)
        rc = kiosk_store_commit(store);
    else
        kiosk_store_rollback(store);
    if (rc == KIOSK_OK) {
        memcpy(store->card_key, card_key, KIOSK_CARD_KEY_BYTES);
        *hashes_dropped = differs;
    }
    return rc;
}

kiosk_rc kiosk_store_sync_set_config_key(kiosk_store *store,
                                         const uint8_t key[KIOSK_CONFIG_PUBLIC_BYTES])
{
    return set_state_blob(store, "sync_config_key", key, KIOSK_CONFIG_PUBLIC_BYTES);
}

kiosk_rc kiosk_store_sync_config_key(kiosk_store *store, uint8_t out[KIOSK_CONFIG_PUBLIC_BYTES])
{
    return get_state(store, "sync_config_key", NULL, 0, NULL, out, KIOSK_CONFIG_PUBLIC_BYTES);
}

kiosk_rc kiosk_store_card_key_from_server(kiosk_store *store, bool *out)
{
    char source[16] = "";
    kiosk_rc rc = get_state(store, "card_key_source", source, sizeof source, NULL, NULL, 0);
    *out = rc == KIOSK_OK && strcmp(source, "server") == 0;
    return rc == KIOSK_ERR_NOT_FOUND ? KIOSK_OK : rc;
}

kiosk_rc kiosk_store_reload_card_key(kiosk_store *store)
{
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_rc rc = get_state(store, "card_key", NULL, 0, NULL, key, sizeof key);
    if (rc == KIOSK_OK)
        memcpy(store->card_key, key, sizeof key);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* --- cursors and pages -------------------------------------------------------------------------
 */

kiosk_rc kiosk_store_sync_cursor(kiosk_store *store, const char *stream, char *cursor, size_t size,
                                 int64_t *up_to_date_ms)
{
    sqlite3_stmt *st = store->sync_get_cursor;
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    cursor[0] = '\0';
    *up_to_date_ms = -1;
    if (code == SQLITE_ROW) {
        store_copy_text(cursor, size, st, 0);
        if (sqlite3_column_type(st, 1) == SQLITE_INTEGER)
            *up_to_date_ms = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK
                                                     : store_fail(store, code, "sync cursor");
}

static void bind_person(sqlite3_stmt *st, const kiosk_person_row *row, int64_t version,
                        char birth[11])
{
    kiosk_date_format(row->person.birth, birth);
    sqlite3_bind_text(st, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->name_masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, birth, -1, SQLITE_STATIC);
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
    sqlite3_bind_int64(st, 12, version);
}

kiosk_rc kiosk_store_sync_put_person(kiosk_store *store, const kiosk_person_row *row,
                                     int64_t version)
{
    char birth[11];
    bind_person(store->sync_upsert_person, row, version, birth);
    return step_row(store, store->sync_upsert_person, "sync person");
}

kiosk_rc kiosk_store_sync_drop_person(kiosk_store *store, const char *person_id, int64_t version)
{
    sqlite3_bind_text(store->sync_delete_person_cards, 1, person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(store->sync_delete_person_cards, 2, version);
    kiosk_rc rc = step_row(store, store->sync_delete_person_cards, "sync person's cards");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(store->sync_delete_person, 1, person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(store->sync_delete_person, 2, version);
    return step_row(store, store->sync_delete_person, "sync person tombstone");
}

static void bind_card(sqlite3_stmt *st, const kiosk_card_row *row, int64_t version)
{
    sqlite3_bind_blob(st, 1, row->card_key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, row->info.blocked);
    sqlite3_bind_text(st, 4, row->info.issuing_canteen, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, version);
}

kiosk_rc kiosk_store_sync_put_card(kiosk_store *store, const kiosk_card_row *row, int64_t version)
{
    sqlite3_bind_text(store->sync_placeholder_person, 1, row->person_id, -1, SQLITE_STATIC);
    kiosk_rc rc = step_row(store, store->sync_placeholder_person, "sync card holder");
    if (rc != KIOSK_OK)
        return rc;
    bind_card(store->sync_upsert_card, row, version);
    return step_row(store, store->sync_upsert_card, "sync card");
}

kiosk_rc kiosk_store_sync_drop_card(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                    int64_t version)
{
    sqlite3_bind_blob(store->sync_delete_card, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(store->sync_delete_card, 2, version);
    return step_row(store, store->sync_delete_card, "sync card tombstone");
}

/* Parses a policy body; its version and effective date are the stored row's. */
static kiosk_rc parse_policy(const char *json, size_t len, char *version, size_t version_size,
                             char from[11], char *err, size_t err_size)
{
    kiosk_policy *policy = NULL;
    kiosk_rc rc = kiosk_policy_parse(json, len, &policy, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    snprintf(version, version_size, "%s", kiosk_policy_version(policy));
    kiosk_date_format(kiosk_policy_effective_from(policy), from);
    kiosk_policy_free(policy);
    return KIOSK_OK;
}

kiosk_rc kiosk_store_sync_put_policy(kiosk_store *store, const char *json, size_t len,
                                     int64_t version, bool *changed, char *err, size_t err_size)
{
    *changed = false;
    char name[KIOSK_ID_MAX], from[11];
    kiosk_rc rc = parse_policy(json, len, name, sizeof name, from, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st = store->sync_upsert_policy;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, json, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, kiosk_clock_now_ms());
    sqlite3_bind_int64(st, 5, version);
    rc = step_row(store, st, "sync policy");
    *changed = rc == KIOSK_OK && sqlite3_changes(store->db) > 0;
    return rc;
}

kiosk_rc kiosk_store_sync_drop_policy(kiosk_store *store, const char *name, int64_t version,
                                      bool *changed)
{
    sqlite3_stmt *st = store->sync_delete_policy;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, version);
    kiosk_rc rc = step_row(store, st, "sync policy tombstone");
    *changed = rc == KIOSK_OK && sqlite3_changes(store->db) > 0;
    return rc;
}

/* Binds a meal's columns in the order of sync_insert_meal (and the meal shadow's insert). */
static void bind_meal(sqlite3_stmt *st, const kiosk_meal_entry *meal, char date[11])
{
    const kiosk_decision *d = &meal->decision;
    kiosk_date_format(meal->at.date, date);
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
}

kiosk_rc kiosk_store_sync_put_meal(kiosk_store *store, const kiosk_meal_entry *meal)
{
    char date[11];
    bind_meal(store->sync_insert_meal, meal, date);
    return step_row(store, store->sync_insert_meal, "sync meal");
}

static kiosk_rc save_cursor(kiosk_store *store, const char *stream, const char *cursor,
                            bool up_to_date, int64_t now_ms)
{
    sqlite3_stmt *st = store->sync_set_cursor;
    sqlite3_bind_text(st, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cursor, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms);
    if (up_to_date)
        sqlite3_bind_int64(st, 4, now_ms);
    else
        sqlite3_bind_null(st, 4);
    return step_row(store, st, "sync cursor");
}

kiosk_rc kiosk_store_sync_page_commit(kiosk_store *store, const char *stream, const char *cursor,
                                      bool up_to_date, int64_t now_ms)
{
    kiosk_rc rc = save_cursor(store, stream, cursor, up_to_date, now_ms);
    if (rc != KIOSK_OK) {
        kiosk_store_rollback(store);
        return rc;
    }
    return kiosk_store_commit(store);
}

/* --- snapshots ---------------------------------------------------------------------------------
 */

/* Per stream: the staging table, its insert, the difference to the live table (rows to write,
 * and the keys the snapshot does not have), and how each is applied to a range of rowids of
 * temp.sync_write / temp.sync_gone (?1 .. ?2). */
typedef struct snapshot_sql {
    const char *stream;
    const char *create, *insert, *write_set, *gone_set, *apply_write, *apply_gone;
} snapshot_sql;

#define PERSON_COLS                                                                        \
    "person_id, name_masked, birth_date, categories, city, district, street, local_hukou," \
    " local_resident, active, id_key, sync_version"
#define MEAL_COLS                                                                          \
    "record_id, person_id, card_key, kiosk_id, canteen_id, business_date, local_minute,"   \
    " meal_type, created_utc_ms, price_fen, subsidy_fen, pay_fen, city_fen, district_fen," \
    " street_fen, class_id, policy_version, payment_method, canteen_fen, day_subsidy_fen," \
    " price_source, menu_item, offline"

static const snapshot_sql snapshots[] = {
    {"roster",
     "CREATE TEMP TABLE sync_shadow(person_id TEXT PRIMARY KEY, name_masked TEXT,"
     " birth_date TEXT, categories INTEGER, city TEXT, district TEXT, street TEXT,"
     " local_hukou INTEGER, local_resident INTEGER, active INTEGER, id_key BLOB,"
     " sync_version INTEGER) WITHOUT ROWID",
     "INSERT OR REPLACE INTO temp.sync_shadow(" PERSON_COLS ")"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
     "CREATE TEMP TABLE sync_write AS SELECT s.* FROM temp.sync_shadow s"
     " LEFT JOIN main.person p ON p.person_id = s.person_id WHERE p.person_id IS NULL"
     " OR p.sync_version IS NOT s.sync_version OR p.name_masked IS NOT s.name_masked"
     " OR p.birth_date IS NOT s.birth_date OR p.categories IS NOT s.categories"
     " OR p.city IS NOT s.city OR p.district IS NOT s.district OR p.street IS NOT s.street"
     " OR p.local_hukou IS NOT s.local_hukou OR p.local_resident IS NOT s.local_resident"
     " OR p.active IS NOT s.active OR p.id_key IS NOT s.id_key",
     "CREATE TEMP TABLE sync_gone AS SELECT p.person_id AS key FROM main.person p"
     " WHERE p.active = 1 AND NOT EXISTS (SELECT 1 FROM temp.sync_shadow s"
     " WHERE s.person_id = p.person_id)",
     "INSERT INTO main.person(" PERSON_COLS ") SELECT " PERSON_COLS " FROM temp.sync_write"
     " WHERE rowid BETWEEN ?1 AND ?2 ON CONFLICT(person_id) DO UPDATE SET"
     " name_masked = excluded.name_masked, birth_date = excluded.birth_date,"
     " categories = excluded.categories, city = excluded.city, district = excluded.district,"
     " street = excluded.street, local_hukou = excluded.local_hukou,"
     " local_resident = excluded.local_resident, active = excluded.active,"
     " id_key = excluded.id_key, sync_version = excluded.sync_version",
     /* Inactive, not deleted: their meals and cards stay on record, their taps are refused. */
     "UPDATE main.person SET active = 0 WHERE person_id IN (SELECT key FROM temp.sync_gone"
     " WHERE rowid BETWEEN ?1 AND ?2)"},
    {"cards",
     "CREATE TEMP TABLE sync_shadow(card_key BLOB PRIMARY KEY, person_id TEXT,"
     " blocked INTEGER, issuing_canteen TEXT, sync_version INTEGER) WITHOUT ROWID",
     "INSERT OR REPLACE INTO temp.sync_shadow(card_key, person_id, blocked, issuing_canteen,"
     " sync_version) VALUES (?1, ?2, ?3, ?4, ?5)",
     "CREATE TEMP TABLE sync_write AS SELECT s.* FROM temp.sync_shadow s"
     " LEFT JOIN main.card c ON c.card_key = s.card_key WHERE c.card_key IS NULL"
     " OR c.person_id IS NOT s.person_id OR c.blocked IS NOT s.blocked"
     " OR c.issuing_canteen IS NOT s.issuing_canteen OR c.sync_version IS NOT s.sync_version",
     "CREATE TEMP TABLE sync_gone AS SELECT c.card_key AS key FROM main.card c"
     " WHERE NOT EXISTS (SELECT 1 FROM temp.sync_shadow s WHERE s.card_key = c.card_key)",
     "INSERT INTO main.person(person_id, name_masked, birth_date, local_hukou, local_resident,"
     " active) SELECT DISTINCT person_id, '', '1900-01-01', 0, 0, 0 FROM temp.sync_write"
     " WHERE rowid BETWEEN ?1 AND ?2 ON CONFLICT(person_id) DO NOTHING;"
     "INSERT INTO main.card(card_key, person_id, blocked, issuing_canteen, sync_version)"
     " SELECT card_key, person_id, blocked, issuing_canteen, sync_version FROM temp.sync_write"
     " WHERE rowid BETWEEN ?1 AND ?2 ON CONFLICT(card_key) DO UPDATE SET"
     " person_id = excluded.person_id, blocked = excluded.blocked,"
     " issuing_canteen = excluded.issuing_canteen, sync_version = excluded.sync_version",
     "DELETE FROM main.card WHERE card_key IN (SELECT key FROM temp.sync_gone"
     " WHERE rowid BETWEEN ?1 AND ?2)"},
    {"policy",
     "CREATE TEMP TABLE sync_shadow(version TEXT PRIMARY KEY, effective_from TEXT, body TEXT,"
     " sync_version INTEGER) WITHOUT ROWID",
     "INSERT OR REPLACE INTO temp.sync_shadow(version, effective_from, body, sync_version)"
     " VALUES (?1, ?2, ?3, ?4)",
     "CREATE TEMP TABLE sync_write AS SELECT s.* FROM temp.sync_shadow s"
     " LEFT JOIN main.policy p ON p.version = s.version WHERE p.version IS NULL"
     " OR p.effective_from IS NOT s.effective_from OR p.body IS NOT s.body"
     " OR p.sync_version IS NOT s.sync_version",
     "CREATE TEMP TABLE sync_gone AS SELECT p.version AS key FROM main.policy p"
     " WHERE NOT EXISTS (SELECT 1 FROM temp.sync_shadow s WHERE s.version = p.version)",
     "INSERT INTO main.policy(version, effective_from, body, stored_utc_ms, sync_version)"
     " SELECT version, effective_from, body, ?3, sync_version FROM temp.sync_write"
     " WHERE rowid BETWEEN ?1 AND ?2 ON CONFLICT(version) DO UPDATE SET"
     " effective_from = excluded.effective_from, body = excluded.body,"
     " stored_utc_ms = excluded.stored_utc_ms, sync_version = excluded.sync_version",
     "DELETE FROM main.policy WHERE version IN (SELECT key FROM temp.sync_gone"
     " WHERE rowid BETWEEN ?1 AND ?2)"},
    {"meals_today",
     "CREATE TEMP TABLE sync_shadow(record_id BLOB PRIMARY KEY, person_id TEXT, card_key BLOB,"
     " kiosk_id TEXT, canteen_id TEXT, business_date TEXT, local_minute INTEGER,"
     " meal_type TEXT, created_utc_ms INTEGER, price_fen INTEGER, subsidy_fen INTEGER,"
     " pay_fen INTEGER, city_fen INTEGER, district_fen INTEGER, street_fen INTEGER,"
     " class_id TEXT, policy_version TEXT, payment_method TEXT, canteen_fen INTEGER,"
     " day_subsidy_fen INTEGER, price_source TEXT, menu_item TEXT, offline INTEGER)"
     " WITHOUT ROWID",
     "INSERT OR REPLACE INTO temp.sync_shadow(" MEAL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
     " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 'counter', ?18, ?19, ?20, ?21, ?22)",
     "CREATE TEMP TABLE sync_write AS SELECT s.* FROM temp.sync_shadow s"
     " WHERE NOT EXISTS (SELECT 1 FROM main.meal m WHERE m.record_id = s.record_id)",
     /* A meal is a fact: one the snapshot no longer lists stays (the window only bounds what
      * the server sends). */
     "CREATE TEMP TABLE sync_gone(key)",
     "INSERT INTO main.meal(" MEAL_COLS ", source) SELECT " MEAL_COLS ", 'server'"
     " FROM temp.sync_write WHERE rowid BETWEEN ?1 AND ?2 ON CONFLICT(record_id) DO NOTHING",
     NULL},
};

static const snapshot_sql *snapshot_for(const char *stream)
{
    for (size_t i = 0; i < sizeof snapshots / sizeof snapshots[0]; i++)
        if (strcmp(snapshots[i].stream, stream) == 0)
            return &snapshots[i];
    return NULL;
}

void kiosk_store_sync_snapshot_drop(kiosk_store *store)
{
    sqlite3_finalize(store->sync_shadow_insert);
    store->sync_shadow_insert = NULL;
    sqlite3_exec(store->db,
                 "DROP TABLE IF EXISTS temp.sync_shadow; DROP TABLE IF EXISTS temp.sync_write;"
                 " DROP TABLE IF EXISTS temp.sync_gone",
                 NULL, NULL, NULL);
}

kiosk_rc kiosk_store_sync_snapshot_start(kiosk_store *store, const char *stream)
{
    const snapshot_sql *s = snapshot_for(stream);
    if (!s)
        return KIOSK_ERR_INVALID;
    kiosk_store_sync_snapshot_drop(store);
    kiosk_rc rc = store_exec(store, s->create);
    if (rc != KIOSK_OK)
        return rc;
    int code = sqlite3_prepare_v2(store->db, s->insert, -1, &store->sync_shadow_insert, NULL);
    return code == SQLITE_OK ? KIOSK_OK : store_fail(store, code, "snapshot staging");
}

kiosk_rc kiosk_store_sync_shadow_begin(kiosk_store *store)
{
    /* Deferred: only the temporary database is written, never the live file. */
    return store_exec(store, "BEGIN");
}

kiosk_rc kiosk_store_sync_shadow_commit(kiosk_store *store)
{
    kiosk_rc rc = store_exec(store, "COMMIT");
    if (rc != KIOSK_OK)
        kiosk_store_rollback(store);
    return rc;
}

static kiosk_rc shadow_step(kiosk_store *store)
{
    if (!store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    return step_row(store, store->sync_shadow_insert, "snapshot staging");
}

kiosk_rc kiosk_store_sync_shadow_person(kiosk_store *store, const kiosk_person_row *row,
                                        int64_t version)
{
    if (!store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    char birth[11];
    bind_person(store->sync_shadow_insert, row, version, birth);
    return shadow_step(store);
}

kiosk_rc kiosk_store_sync_shadow_card(kiosk_store *store, const kiosk_card_row *row,
                                      int64_t version)
{
    if (!store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    bind_card(store->sync_shadow_insert, row, version);
    return shadow_step(store);
}

kiosk_rc kiosk_store_sync_shadow_policy(kiosk_store *store, const char *json, size_t len,
                                        int64_t version, char *err, size_t err_size)
{
    if (!store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    char name[KIOSK_ID_MAX], from[11];
    kiosk_rc rc = parse_policy(json, len, name, sizeof name, from, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st = store->sync_shadow_insert;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, json, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, version);
    return shadow_step(store);
}

kiosk_rc kiosk_store_sync_shadow_meal(kiosk_store *store, const kiosk_meal_entry *meal)
{
    if (!store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    char date[11];
    bind_meal(store->sync_shadow_insert, meal, date);
    return shadow_step(store);
}

/* Runs one apply statement (possibly several, separated by ';') over rowids lo..hi. */
static kiosk_rc apply_range(kiosk_store *store, const char *sql, long lo, long hi, int64_t now_ms)
{
    const char *next = sql;
    while (next && *next) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int code = sqlite3_prepare_v2(store->db, next, -1, &st, &tail);
        if (code != SQLITE_OK)
            return store_fail(store, code, "snapshot swap");
        if (!st)
            break;
        sqlite3_bind_int64(st, 1, lo);
        sqlite3_bind_int64(st, 2, hi);
        if (sqlite3_bind_parameter_count(st) >= 3)
            sqlite3_bind_int64(st, 3, now_ms);
        code = sqlite3_step(st);
        sqlite3_finalize(st);
        if (code != SQLITE_DONE)
            return store_fail(store, code, "snapshot swap");
        next = tail;
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_store_sync_snapshot_swap(kiosk_store *store, const char *stream, const char *cursor,
                                        int64_t now_ms, long chunk, kiosk_snapshot_report *out)
{
    memset(out, 0, sizeof *out);
    const snapshot_sql *s = snapshot_for(stream);
    if (!s || !store->sync_shadow_insert)
        return KIOSK_ERR_INVALID;
    if (chunk < 1)
        chunk = 1;
    sqlite3_finalize(store->sync_shadow_insert);
    store->sync_shadow_insert = NULL;
    /* The difference, on a read snapshot of the live file: no write lock yet. */
    kiosk_rc rc = store_exec(store, "DROP TABLE IF EXISTS temp.sync_write;"
                                    " DROP TABLE IF EXISTS temp.sync_gone");
    if (rc == KIOSK_OK)
        rc = store_exec(store, "BEGIN");
    if (rc == KIOSK_OK)
        rc = store_exec(store, s->write_set);
    if (rc == KIOSK_OK)
        rc = store_exec(store, s->gone_set);
    if (rc == KIOSK_OK)
        rc = store_exec(store, "COMMIT");
    if (rc == KIOSK_OK)
        rc = store_count(store, "SELECT count(*) FROM temp.sync_shadow", &out->rows);
    long writes = 0, gone = 0;
    if (rc == KIOSK_OK)
        rc = store_count(store, "SELECT coalesce(max(rowid), 0) FROM temp.sync_write", &writes);
    if (rc == KIOSK_OK)
        rc = store_count(store, "SELECT coalesce(max(rowid), 0) FROM temp.sync_gone", &gone);
    if (rc != KIOSK_OK) {
        kiosk_store_rollback(store);
        kiosk_store_sync_snapshot_drop(store);
        return rc;
    }
    /* The rows to write in bounded transactions (each is newer than what it replaces, as a
     * pulled page's would be), then the removals; the last transaction also saves the cursor. */
    long write_chunks = (writes + chunk - 1) / chunk;
    long gone_chunks = s->apply_gone ? (gone + chunk - 1) / chunk : 0;
    long steps = write_chunks + gone_chunks > 0 ? write_chunks + gone_chunks : 1;
    for (long i = 0; rc == KIOSK_OK && i < steps; i++) {
        rc = kiosk_store_begin(store);
        if (rc != KIOSK_OK)
            break;
        if (i < write_chunks)
            rc = apply_range(store, s->apply_write, i * chunk + 1, (i + 1) * chunk, now_ms);
        else if (i - write_chunks < gone_chunks)
            rc = apply_range(store, s->apply_gone, (i - write_chunks) * chunk + 1,
                             (i - write_chunks + 1) * chunk, now_ms);
        if (rc == KIOSK_OK && i == steps - 1)
            rc = save_cursor(store, stream, cursor, true, now_ms);
        if (rc == KIOSK_OK)
            rc = kiosk_store_commit(store);
        else
            kiosk_store_rollback(store);
    }
    if (rc == KIOSK_OK) {
        out->written = writes;
        out->removed = s->apply_gone ? gone : 0;
    }
    kiosk_store_sync_snapshot_drop(store);
    return rc;
}

/* --- figures -----------------------------------------------------------------------------------
 */

kiosk_rc kiosk_store_sync_outbox_after(kiosk_store *store, int64_t after, size_t max_records,
                                       size_t max_bytes, kiosk_outbox_batch *out)
{
    memset(out, 0, sizeof *out);
    if (max_records == 0)
        return KIOSK_OK;
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT record_id, device_seq, kind, payload, payload_sha256,"
                                  " created_wall_ms, attempts FROM outbox WHERE state = 'pending'"
                                  " AND device_seq > ?2 ORDER BY device_seq LIMIT ?1",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "outbox after");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max_records);
    sqlite3_bind_int64(st, 2, after);
    out->items = calloc(max_records, sizeof *out->items);
    kiosk_rc rc = out->items ? KIOSK_OK : KIOSK_ERR_NOMEM;
    size_t bytes = 0;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW) {
        int len = sqlite3_column_bytes(st, 3);
        if (out->count > 0 && bytes + (size_t)len > max_bytes)
            break;
        kiosk_outbox_record *r = &out->items[out->count];
        if (sqlite3_column_bytes(st, 0) != 16 || sqlite3_column_bytes(st, 4) != 32) {
            rc = KIOSK_ERR_CORRUPT;
            break;
        }
        memcpy(r->record_id.bytes, sqlite3_column_blob(st, 0), 16);
        r->device_seq = sqlite3_column_int64(st, 1);
        store_copy_text(r->kind, sizeof r->kind, st, 2);
        r->payload = malloc((size_t)len + 1);
        if (!r->payload) {
            rc = KIOSK_ERR_NOMEM;
            break;
        }
        memcpy(r->payload, sqlite3_column_text(st, 3), (size_t)len);
        r->payload[len] = '\0';
        memcpy(r->payload_sha256, sqlite3_column_blob(st, 4), 32);
        r->created_wall_ms = sqlite3_column_int64(st, 5);
        r->attempts = sqlite3_column_int(st, 6);
        out->count++;
        bytes += (size_t)len;
    }
    if (rc == KIOSK_OK && code != SQLITE_ROW && code != SQLITE_DONE)
        rc = store_fail(store, code, "outbox after");
    sqlite3_finalize(st);
    if (rc != KIOSK_OK)
        kiosk_outbox_batch_cleanup(out);
    return rc;
}

kiosk_rc kiosk_store_set_durable(kiosk_store *store, bool durable)
{
    return store_exec(store, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

kiosk_rc kiosk_store_sync_outbox_figures(kiosk_store *store, long *pending, long *rejected,
                                         int64_t *oldest_ms)
{
    *oldest_ms = -1;
    kiosk_rc rc =
        store_count(store, "SELECT count(*) FROM outbox WHERE state = 'pending'", pending);
    if (rc == KIOSK_OK)
        rc = store_count(store, "SELECT count(*) FROM outbox WHERE state = 'rejected'", rejected);
    if (rc != KIOSK_OK || *pending == 0)
        return rc;
    long oldest = -1;
    rc = store_count(store,
                     "SELECT created_wall_ms FROM outbox WHERE state = 'pending'"
                     " ORDER BY device_seq LIMIT 1",
                     &oldest);
    *oldest_ms = oldest;
    return rc;
}

kiosk_rc kiosk_store_sync_offline_pending(kiosk_store *store, long *out)
{
    sqlite3_stmt *st = store->sync_offline_pending;
    int code = sqlite3_step(st);
    *out = code == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "offline meals");
}

kiosk_rc kiosk_store_sync_offline_meals_on(kiosk_store *store, kiosk_date day, long *out)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT count(*) FROM meal WHERE business_date = ?1"
                                  " AND offline = 1 AND source = 'local'",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "offline meals");
    char date[11];
    kiosk_date_format(day, date);
    sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
    code = sqlite3_step(st);
    *out = code == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "offline meals");
}
