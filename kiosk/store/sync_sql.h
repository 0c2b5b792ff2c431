/* sync_sql.h - the prepared statements of sync's apply path (sync_state.c), kept on every store
 * handle beside the tap path's (store_internal.h): a million-row pull applies each row through
 * one of these. Only kiosk/store/ includes this. */
#ifndef KIOSK_STORE_SYNC_SQL_H
#define KIOSK_STORE_SYNC_SQL_H

/* A row of the server replaces the kiosk's only when its version is newer than the one held
 * (a row imported from a CSV file holds none, so any version replaces it); a tombstone removes
 * only an older row. Re-applying a page is therefore a no-op. */
#define STORE_SYNC_STATEMENTS(X)                                                              \
    X(sync_upsert_person,                                                                     \
      "INSERT INTO person(person_id, name_masked, birth_date, categories, city, district,"    \
      " street, local_hukou, local_resident, active, id_key, sync_version)"                   \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"                           \
      " ON CONFLICT(person_id) DO UPDATE SET name_masked = excluded.name_masked,"             \
      " birth_date = excluded.birth_date, categories = excluded.categories,"                  \
      " city = excluded.city, district = excluded.district, street = excluded.street,"        \
      " local_hukou = excluded.local_hukou, local_resident = excluded.local_resident,"        \
      " active = excluded.active, id_key = excluded.id_key,"                                  \
      " sync_version = excluded.sync_version"                                                 \
      " WHERE excluded.sync_version > coalesce(person.sync_version, -1)")                     \
    X(sync_delete_person_cards,                                                               \
      "DELETE FROM card WHERE person_id = ?1 AND EXISTS (SELECT 1 FROM person WHERE"          \
      " person_id = ?1 AND coalesce(sync_version, -1) < ?2)")                                 \
    X(sync_delete_person,                                                                     \
      "DELETE FROM person WHERE person_id = ?1 AND coalesce(sync_version, -1) < ?2")          \
    /* A card may come before its holder (cards are pulled first): the holder is held by an   \
     * inactive placeholder without a version, which the roster's row then replaces. */       \
    X(sync_placeholder_person,                                                                \
      "INSERT INTO person(person_id, name_masked, birth_date, local_hukou, local_resident,"   \
      " active) VALUES (?1, '', '1900-01-01', 0, 0, 0) ON CONFLICT(person_id) DO NOTHING")    \
    X(sync_upsert_card,                                                                       \
      "INSERT INTO card(card_key, person_id, blocked, issuing_canteen, sync_version)"         \
      " VALUES (?1, ?2, ?3, ?4, ?5)"                                                          \
      " ON CONFLICT(card_key) DO UPDATE SET person_id = excluded.person_id,"                  \
      " blocked = excluded.blocked, issuing_canteen = excluded.issuing_canteen,"              \
      " sync_version = excluded.sync_version"                                                 \
      " WHERE excluded.sync_version > coalesce(card.sync_version, -1)")                       \
    X(sync_delete_card,                                                                       \
      "DELETE FROM card WHERE card_key = ?1 AND coalesce(sync_version, -1) < ?2")             \
    X(sync_upsert_policy,                                                                     \
      "INSERT INTO policy(version, effective_from, body, stored_utc_ms, sync_version)"        \
      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(version) DO UPDATE SET"                       \
      " effective_from = excluded.effective_from, body = excluded.body,"                      \
      " stored_utc_ms = excluded.stored_utc_ms, sync_version = excluded.sync_version"         \
      " WHERE excluded.sync_version > coalesce(policy.sync_version, -1)")                     \
    X(sync_delete_policy,                                                                     \
      "DELETE FROM policy WHERE version = ?1 AND coalesce(sync_version, -1) < ?2")            \
    /* Another kiosk's meal: into meal only (never the outbox), once. */                      \
    X(sync_insert_meal,                                                                       \
      "INSERT INTO meal(record_id, person_id, card_key, kiosk_id, canteen_id, business_date," \
      " local_minute, meal_type, created_utc_ms, price_fen, subsidy_fen, pay_fen, city_fen,"  \
      " district_fen, street_fen, class_id, policy_version, payment_method, canteen_fen,"     \
      " day_subsidy_fen, price_source, menu_item, offline, source)"                           \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"  \
      " 'counter', ?18, ?19, ?20, ?21, ?22, 'server') ON CONFLICT(record_id) DO NOTHING")     \
    X(sync_get_cursor, "SELECT cursor, up_to_date_ms FROM sync_cursor WHERE stream = ?1")     \
    X(sync_set_cursor,                                                                        \
      "INSERT INTO sync_cursor(stream, cursor, applied_at_ms, up_to_date_ms)"                 \
      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor,"  \
      " applied_at_ms = excluded.applied_at_ms,"                                              \
      " up_to_date_ms = coalesce(excluded.up_to_date_ms, sync_cursor.up_to_date_ms)")         \
    X(sync_get_state, "SELECT v FROM device_state WHERE k = ?1")                              \
    X(sync_set_state, "INSERT INTO device_state(k, v) VALUES (?1, ?2)"                        \
                      " ON CONFLICT(k) DO UPDATE SET v = excluded.v")                         \
    X(sync_offline_pending,                                                                   \
      "SELECT count(*) FROM outbox o JOIN meal m USING (record_id) WHERE o.state = 'pending'" \
      " AND m.offline = 1 AND m.subsidy_fen > 0 AND m.source = 'local'")

#endif
