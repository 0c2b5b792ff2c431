/* store_internal.h - what the store's files share: the handle, its prepared statements and the
 * helpers that keep SQLite's message on the handle. Only kiosk/store/ includes this. */
#ifndef KIOSK_STORE_INTERNAL_H
#define KIOSK_STORE_INTERNAL_H

#include "audit.h"
#include <sqlite3.h>
#include <stdbool.h>

#include "store.h"
#include "sync_sql.h"

/* A meal staff voided (staff_store.c) counts no more: not in the limits, reports or exports. */
#define STORE_NOT_VOIDED " AND record_id NOT IN (SELECT voided_id FROM meal_void)"

/* The prepared statements of the hot paths, kept for the life of the handle. */
#define STORE_STATEMENTS(X)                                                                       \
    X(find_card, "SELECT p.person_id, p.name_masked, p.birth_date, p.categories, p.city,"         \
                 " p.district, p.street, p.local_hukou, p.local_resident, p.active, c.blocked,"   \
                 " c.issuing_canteen FROM card c JOIN person p USING (person_id)"                 \
                 " WHERE c.card_key = ?1")                                                        \
    X(find_id_number, "SELECT person_id, name_masked, birth_date, categories, city, district,"    \
                      " street, local_hukou, local_resident, active, 0, '' FROM person"           \
                      " WHERE id_key = ?1")                                                       \
    X(month_subsidy,                                                                              \
      "SELECT coalesce(sum(subsidy_fen - canteen_fen), 0) FROM meal"                              \
      " WHERE person_id = ?1 AND business_date BETWEEN ?2 AND ?3 AND subsidy_fen > 0"           \
      STORE_NOT_VOIDED)                                                                           \
    X(meals_today,                                                                                \
      "SELECT business_date, local_minute, meal_type, subsidy_fen, canteen_fen, day_subsidy_fen," \
      " canteen_id FROM meal WHERE person_id = ?1 AND business_date = ?2 AND subsidy_fen > 0"     \
      STORE_NOT_VOIDED                                                                            \
      " ORDER BY local_minute DESC, created_utc_ms DESC")                                         \
    X(next_seq, "SELECT COALESCE(MAX(device_seq), 0) + 1 FROM outbox")                            \
    X(insert_meal, "INSERT INTO meal(record_id, person_id, card_key, kiosk_id, canteen_id,"       \
                   " business_date, local_minute, meal_type, created_utc_ms, price_fen,"          \
                   " subsidy_fen, pay_fen, city_fen, district_fen, street_fen, class_id,"         \
                   " policy_version, payment_method, canteen_fen, day_subsidy_fen,"               \
                   " price_source, menu_item, offline)"                                           \
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"        \
                   " ?15, ?16, ?17, 'counter', ?18, ?19, ?20, ?21, ?22)")                         \
    X(insert_outbox, "INSERT INTO outbox(record_id, device_seq, kind, payload,"                   \
                     " payload_sha256, created_wall_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")         \
    X(upsert_person,                                                                              \
      "INSERT INTO person(person_id, name_masked, birth_date, categories, city, district,"        \
      " street, local_hukou, local_resident, active, id_key)"                                     \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"                                    \
      " ON CONFLICT(person_id) DO UPDATE SET name_masked = excluded.name_masked,"                 \
      " birth_date = excluded.birth_date, categories = excluded.categories,"                      \
      " city = excluded.city, district = excluded.district, street = excluded.street,"            \
      " local_hukou = excluded.local_hukou, local_resident = excluded.local_resident,"            \
      " active = excluded.active, id_key = COALESCE(excluded.id_key, person.id_key)")             \
    X(upsert_card,                                                                                \
      "INSERT INTO card(card_key, person_id, blocked, issuing_canteen) VALUES (?1, ?2, ?3, ?4)"   \
      " ON CONFLICT(card_key) DO UPDATE SET person_id = excluded.person_id,"                      \
      " blocked = excluded.blocked, issuing_canteen = excluded.issuing_canteen")                  \
    X(delete_person, "DELETE FROM person WHERE person_id = ?1")                                   \
    X(delete_person_cards, "DELETE FROM card WHERE person_id = ?1")                               \
    X(delete_card, "DELETE FROM card WHERE card_key = ?1")                                        \
    X(begin_immediate, "BEGIN IMMEDIATE")                                                         \
    X(commit, "COMMIT")                                                                           \
    X(rollback, "ROLLBACK")                                                                       \
    STORE_SYNC_STATEMENTS(X)

struct kiosk_store {
    sqlite3 *db;
    char path[1024];
    /* The file this handle opened, to notice when it is deleted or replaced under us. */
    unsigned long long dev, ino;
    uint8_t card_key[32];
    char message[256];
    bool damaged; /* SQLite said the file is corrupt: kiosk_store_damaged */
    int busy_ms;  /* kiosk_store_set_busy_timeout's wait */
#define STORE_STMT_FIELD(name, sql) sqlite3_stmt *name;
    STORE_STATEMENTS(STORE_STMT_FIELD)
#undef STORE_STMT_FIELD
    sqlite3_stmt *sync_shadow_insert; /* a snapshot's staging insert (sync_state.c), or NULL */
};

/* The damage check of an opening (integrity.c): the tables a start cannot do without. */
kiosk_rc store_check_at_open(kiosk_store *store, char *err, size_t err_size);
/* kiosk_rc for an SQLite result code. */
kiosk_rc store_rc(int code);
/* Keeps "what: SQLite's message" on the handle, logs it once and returns the kiosk_rc. */
kiosk_rc store_fail(kiosk_store *store, int code, const char *what);
/* Runs SQL without results (several statements allowed). */
kiosk_rc store_exec(kiosk_store *store, const char *sql);
/* Steps a statement that returns no row and resets it; false (with *code) unless DONE. */
bool store_step_done(sqlite3_stmt *st, int *code);
/* Runs a query whose first column is one integer (a count). */
kiosk_rc store_count(kiosk_store *store, const char *sql, long *out);
/* KIOSK_ERR_GONE when the database file at the configured path is no longer the one this
 * handle opened (deleted, or replaced by another file): a commit would then land in a file
 * nobody will ever read again. One stat(2) per call. */
kiosk_rc store_check_file(kiosk_store *store);
/* A write transaction that cannot land in a replaced file: store_check_file, then BEGIN
 * IMMEDIATE (kiosk_store_begin). */
kiosk_rc store_write_begin(kiosk_store *store);
/* Ends it: COMMIT when rc is KIOSK_OK, else (or when the commit fails) ROLLBACK; the outcome. */
kiosk_rc store_write_end(kiosk_store *store, kiosk_rc rc);
/* Appends an outbox row inside the caller's transaction (outbox.c). */
kiosk_rc store_outbox_append(kiosk_store *store, const kiosk_recid *id, const char *kind,
                             const char *payload, int64_t created_ms);
/* Appends an audit entry (seq and prev filled here) with its outbox row inside the caller's
 * transaction (staff_store.c). */
kiosk_rc store_audit_append_in(kiosk_store *store, kiosk_audit_entry *e);
/* After a recovery (recovery.c): the check-ins whose own row was lost come back, as local ones,
 * from their outbox rows (the payload is the check-in's), so a couple keeps its number and no
 * number is issued twice; a payload that does not parse or whose number another check-in holds
 * stays out. restored gets how many (hall.c). */
kiosk_rc store_restore_checkins(kiosk_store *store, long *restored);
/* Inserts a meal record and its outbox row inside the caller's transaction (meals.c). */
kiosk_rc store_meal_insert_in(kiosk_store *store, const kiosk_meal_entry *meal);
/* Copies a text column into dst (always NUL-terminated, "" for NULL). */
void store_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col);

#endif
