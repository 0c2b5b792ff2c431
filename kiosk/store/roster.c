/* roster.c - reference data of the canteen: persons and their cards. Sync's pulls change it
 * row by row through the upsert and delete functions (the CSV import applies a whole file with
 * set-based SQL instead, roster_import.c); lookups by keyed card hash or ID-number hash serve
 * the taps. */
#include <string.h>

#include "store_internal.h"

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

/* --- lookups ------------------------------------------------------------------------------ */

static void decode_area(sqlite3_stmt *st, int col, kiosk_area *area)
{
    store_copy_text(area->city, sizeof area->city, st, col);
    store_copy_text(area->district, sizeof area->district, st, col + 1);
    store_copy_text(area->street, sizeof area->street, st, col + 2);
}

/* The holder of a row of the holder queries' columns (find_card, find_id_number, find_person). */
static void read_holder(sqlite3_stmt *st, kiosk_holder *out)
{
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
}

/* Runs a holder query (find_card or find_id_number: the same columns) for one key. */
static kiosk_rc find_holder(kiosk_store *store, sqlite3_stmt *st, const uint8_t key[32],
                            const char *what, kiosk_holder *out)
{
    sqlite3_bind_blob(st, 1, key, 32, SQLITE_STATIC);
    int code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW)
        read_holder(st, out);
    else if (code == SQLITE_DONE)
        rc = KIOSK_ERR_NOT_FOUND;
    else
        rc = store_fail(store, code, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Staff look a person up rarely (staff mode's manual meal): prepared per call. */
kiosk_rc kiosk_store_find_person(kiosk_store *store, const char *person_id, kiosk_holder *out)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT person_id, name_masked, birth_date, categories, city,"
                                  " district, street, local_hukou, local_resident, active, 0, ''"
                                  " FROM person WHERE person_id = ?1",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "find person");
    sqlite3_bind_text(st, 1, person_id, -1, SQLITE_STATIC);
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW)
        read_holder(st, out);
    else if (code == SQLITE_DONE)
        rc = KIOSK_ERR_NOT_FOUND;
    else
        rc = store_fail(store, code, "find person");
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_persons_born(kiosk_store *store, kiosk_date birth, kiosk_person_hit *out,
                                  size_t max, size_t *count)
{
    *count = 0;
    char date[11];
    kiosk_date_format(birth, date);
    sqlite3_stmt *st;
    /* No index on birth_date: a scan of the roster, for a member of staff's search only. */
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT person_id, name_masked, active FROM person"
                                  " WHERE birth_date = ?1 ORDER BY name_masked, person_id",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "persons born");
    sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count < max) {
            kiosk_person_hit *h = &out[*count];
            store_copy_text(h->person_id, sizeof h->person_id, st, 0);
            store_copy_text(h->name_masked, sizeof h->name_masked, st, 1);
            h->active = sqlite3_column_int(st, 2) != 0;
        }
        (*count)++;
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "persons born");
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
