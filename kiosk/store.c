/* store.c - SQLite schema, migrations and every query of the kiosk. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card_uid.h"
#include "clock.h"
#include "log.h"
#include "roster_csv.h"
#define KIOSK_LOG_MODULE "store"

/* Numbered migrations: migrations[i] brings user_version from i to i + 1. Never edit a released
 * one; append a new one. */
static const char *const migrations[] = {
    /* 1: roster, policies, meals and the outbox (sync design §2.2). */
    "CREATE TABLE device_state(k TEXT PRIMARY KEY, v ANY) STRICT;"
    "CREATE TABLE person("
    "  person_id TEXT PRIMARY KEY, name_masked TEXT NOT NULL, birth_date TEXT NOT NULL,"
    "  categories INTEGER NOT NULL DEFAULT 0, city TEXT NOT NULL DEFAULT '',"
    "  district TEXT NOT NULL DEFAULT '', street TEXT NOT NULL DEFAULT '',"
    "  local_hukou INTEGER NOT NULL, local_resident INTEGER NOT NULL, active INTEGER NOT NULL,"
    "  id_key BLOB) STRICT;"
    "CREATE INDEX person_by_id_key ON person(id_key) WHERE id_key IS NOT NULL;"
    "CREATE TABLE card("
    "  card_key BLOB PRIMARY KEY, person_id TEXT NOT NULL REFERENCES person(person_id),"
    "  blocked INTEGER NOT NULL, issuing_canteen TEXT NOT NULL DEFAULT '') STRICT, WITHOUT ROWID;"
    "CREATE INDEX card_by_person ON card(person_id);"
    "CREATE TABLE policy(version TEXT PRIMARY KEY, effective_from TEXT NOT NULL,"
    "  body TEXT NOT NULL, stored_utc_ms INTEGER NOT NULL) STRICT;"
    "CREATE TABLE meal("
    "  record_id BLOB PRIMARY KEY CHECK(length(record_id) = 16), person_id TEXT NOT NULL,"
    "  card_key BLOB, kiosk_id TEXT NOT NULL, canteen_id TEXT NOT NULL,"
    "  business_date TEXT NOT NULL, local_minute INTEGER NOT NULL, meal_type TEXT NOT NULL,"
    "  created_utc_ms INTEGER NOT NULL, price_fen INTEGER NOT NULL,"
    "  subsidy_fen INTEGER NOT NULL CHECK(subsidy_fen >= 0 AND subsidy_fen <= price_fen),"
    "  pay_fen INTEGER NOT NULL CHECK(pay_fen = price_fen - subsidy_fen),"
    "  city_fen INTEGER NOT NULL, district_fen INTEGER NOT NULL, street_fen INTEGER NOT NULL,"
    "  class_id TEXT NOT NULL, policy_version TEXT NOT NULL, payment_method TEXT NOT NULL,"
    "  source TEXT NOT NULL DEFAULT 'local') STRICT, WITHOUT ROWID;"
    "CREATE INDEX meal_by_person_date ON meal(person_id, business_date);"
    "CREATE INDEX meal_by_date ON meal(business_date);"
    "CREATE TRIGGER meal_immutable BEFORE UPDATE ON meal"
    "  BEGIN SELECT RAISE(ABORT, 'meal records are append-only'); END;"
    "CREATE TABLE outbox("
    "  record_id BLOB PRIMARY KEY CHECK(length(record_id) = 16),"
    "  device_seq INTEGER NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK(kind IN ('meal', 'checkin', 'override', 'audit')),"
    "  payload TEXT NOT NULL, payload_sha256 BLOB NOT NULL, created_wall_ms INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'acked', 'rejected')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, acked_at_ms INTEGER)"
    "  STRICT, WITHOUT ROWID;"
    "CREATE INDEX outbox_pending ON outbox(state, device_seq);"
    "CREATE TRIGGER outbox_immutable BEFORE UPDATE OF record_id, device_seq, kind, payload,"
    "  payload_sha256 ON outbox BEGIN SELECT RAISE(ABORT, 'outbox is append-only'); END;"
    "CREATE TRIGGER outbox_nodelete BEFORE DELETE ON outbox WHEN OLD.state <> 'acked'"
    "  BEGIN SELECT RAISE(ABORT, 'cannot delete an unacknowledged record'); END;",
};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

/* The prepared statements of the hot paths, kept for the life of the handle. */
#define STORE_STATEMENTS(X)                                                                     \
    X(find_card, "SELECT p.person_id, p.name_masked, p.birth_date, p.categories, p.city,"       \
                 " p.district, p.street, p.local_hukou, p.local_resident, p.active, c.blocked," \
                 " c.issuing_canteen FROM card c JOIN person p USING (person_id)"               \
                 " WHERE c.card_key = ?1")                                                      \
    X(find_id_number, "SELECT person_id, name_masked, birth_date, categories, city, district,"  \
                      " street, local_hukou, local_resident, active, 0, '' FROM person"         \
                      " WHERE id_key = ?1")                                                     \
    X(month_meals, "SELECT business_date, local_minute, meal_type, subsidy_fen, canteen_id"     \
                   " FROM meal WHERE person_id = ?1 AND business_date BETWEEN ?2 AND ?3")       \
    X(next_seq, "SELECT COALESCE(MAX(device_seq), 0) + 1 FROM outbox")                          \
    X(insert_meal, "INSERT INTO meal(record_id, person_id, card_key, kiosk_id, canteen_id,"     \
                   " business_date, local_minute, meal_type, created_utc_ms, price_fen,"        \
                   " subsidy_fen, pay_fen, city_fen, district_fen, street_fen, class_id,"       \
                   " policy_version, payment_method)"                                           \
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"      \
                   " ?15, ?16, ?17, 'counter')")                                                \
    X(insert_outbox, "INSERT INTO outbox(record_id, device_seq, kind, payload,"                 \
                     " payload_sha256, created_wall_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")       \
    X(begin_immediate, "BEGIN IMMEDIATE")                                                       \
    X(commit, "COMMIT")                                                                         \
    X(rollback, "ROLLBACK")

struct kiosk_store {
    sqlite3 *db;
    uint8_t card_key[32];
    char message[256];
#define STORE_STMT_FIELD(name, sql) sqlite3_stmt *name;
    STORE_STATEMENTS(STORE_STMT_FIELD)
#undef STORE_STMT_FIELD
};

static kiosk_rc rc_from_sqlite(int code)
{
    switch (code & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return KIOSK_OK;
    case SQLITE_NOMEM:
        return KIOSK_ERR_NOMEM;
    case SQLITE_FULL:
        return KIOSK_ERR_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return KIOSK_ERR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return KIOSK_ERR_CORRUPT;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return KIOSK_ERR_IO;
    default:
        return KIOSK_ERR_DB;
    }
}

/* Keeps the library's message on the handle and logs it once. */
static kiosk_rc fail(kiosk_store *store, int code, const char *what)
{
    snprintf(store->message, sizeof store->message, "%s: %s", what, sqlite3_errmsg(store->db));
    KLOG_ERROR("%s", store->message);
    return rc_from_sqlite(code);
}

const char *kiosk_store_errmsg(const kiosk_store *store)
{
    return store ? store->message : "no database";
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? s : "");
}

static kiosk_rc exec(kiosk_store *store, const char *sql)
{
    int code = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    return code == SQLITE_OK ? KIOSK_OK : fail(store, code, "exec");
}

int kiosk_store_schema_version(kiosk_store *store)
{
    sqlite3_stmt *st;
    int version = -1;
    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

static kiosk_rc pragma_text(kiosk_store *store, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, sql);
    code = sqlite3_step(st);
    if (code == SQLITE_ROW)
        copy_text(out, size, st, 0);
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : fail(store, code, sql);
}

kiosk_rc kiosk_store_durability(kiosk_store *store, bool *wal, int *sync_level)
{
    char mode[16], level[16];
    kiosk_rc rc = pragma_text(store, "PRAGMA journal_mode", mode, sizeof mode);
    if (rc == KIOSK_OK)
        rc = pragma_text(store, "PRAGMA synchronous", level, sizeof level);
    if (rc == KIOSK_OK) {
        *wal = strcmp(mode, "wal") == 0;
        *sync_level = atoi(level);
    }
    return rc;
}

static kiosk_rc quick_check(kiosk_store *store, char *err, size_t err_size)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, "PRAGMA quick_check", -1, &st, NULL);
    if (code != SQLITE_OK) {
        kiosk_rc rc = fail(store, code, "quick_check");
        snprintf(err, err_size, "%s", store->message);
        return rc;
    }
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(st, 0);
        if (!verdict || strcmp(verdict, "ok") != 0) {
            snprintf(err, err_size, "integrity check failed: %s", verdict ? verdict : "?");
            rc = KIOSK_ERR_CORRUPT;
        }
    } else {
        rc = rc_from_sqlite(code);
        snprintf(err, err_size, "integrity check could not run: %s", sqlite3_errmsg(store->db));
        if (rc == KIOSK_OK)
            rc = KIOSK_ERR_DB;
    }
    sqlite3_finalize(st);
    return rc;
}

static kiosk_rc migrate(kiosk_store *store)
{
    int version = kiosk_store_schema_version(store);
    if (version < 0)
        return fail(store, sqlite3_errcode(store->db), "user_version");
    if (version > MIGRATION_COUNT) {
        snprintf(store->message, sizeof store->message,
                 "database schema %d is newer than this program (%d)", version, MIGRATION_COUNT);
        return KIOSK_ERR_DB;
    }
    for (int v = version; v < MIGRATION_COUNT; v++) {
        kiosk_rc rc = exec(store, "BEGIN IMMEDIATE");
        if (rc != KIOSK_OK)
            return rc;
        rc = exec(store, migrations[v]);
        if (rc == KIOSK_OK) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
            rc = exec(store, sql);
        }
        if (rc == KIOSK_OK)
            rc = exec(store, "COMMIT");
        if (rc != KIOSK_OK) {
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        KLOG_INFO("database migrated to schema %d", v + 1);
    }
    return KIOSK_OK;
}

/* The card key: the configured one, else a random one this database made for itself. */
static kiosk_rc load_device_card_key(kiosk_store *store)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, "SELECT v FROM device_state WHERE k = 'card_key'", -1,
                                  &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "card key");
    code = sqlite3_step(st);
    if (code == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(store->card_key, sqlite3_column_blob(st, 0), 32);
        sqlite3_finalize(st);
        return KIOSK_OK;
    }
    sqlite3_finalize(st);
    randombytes_buf(store->card_key, sizeof store->card_key);
    code = sqlite3_prepare_v2(store->db,
                              "INSERT OR REPLACE INTO device_state(k, v) VALUES ('card_key', ?1)",
                              -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "card key");
    sqlite3_bind_blob(st, 1, store->card_key, 32, SQLITE_STATIC);
    code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : fail(store, code, "card key");
}

kiosk_rc kiosk_store_open(const char *path, kiosk_store **out, char *err, size_t err_size)
{
    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, err_size, "libsodium failed to initialise");
        return KIOSK_ERR_IO;
    }
    kiosk_store *store = calloc(1, sizeof *store);
    if (!store) {
        snprintf(err, err_size, "out of memory");
        return KIOSK_ERR_NOMEM;
    }
    *out = store;
    int code = sqlite3_open_v2(
        path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (code != SQLITE_OK) {
        snprintf(err, err_size, "%s: cannot open: %s", path,
                 store->db ? sqlite3_errmsg(store->db) : "out of memory");
        return rc_from_sqlite(code);
    }
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, 2000);
    kiosk_rc rc = quick_check(store, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    /* WAL lets readers (reports, the sync worker) run beside the writer; FULL makes every
     * commit durable at the moment "success" is shown. */
    /* Checkpoints run when the kiosk is idle (kiosk_store_checkpoint), not inside a diner's
     * commit; the automatic one is kept, later, only as a bound on the WAL's size. */
    rc = exec(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 67108864;"
                     " PRAGMA wal_autocheckpoint = 4000;");
    if (rc == KIOSK_OK)
        rc = migrate(store);
    if (rc == KIOSK_OK)
        rc = load_device_card_key(store);
#define STORE_STMT_PREPARE(name, sql)                                                              \
    if (rc == KIOSK_OK) {                                                                          \
        code =                                                                                     \
            sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &store->name, NULL); \
        if (code != SQLITE_OK)                                                                     \
            rc = fail(store, code, "prepare " #name);                                              \
    }
    STORE_STATEMENTS(STORE_STMT_PREPARE)
#undef STORE_STMT_PREPARE
    if (rc != KIOSK_OK)
        snprintf(err, err_size, "%s: %s", path, store->message);
    return rc;
}

void kiosk_store_close(kiosk_store *store)
{
    if (!store)
        return;
#define STORE_STMT_FINALIZE(name, sql) sqlite3_finalize(store->name);
    STORE_STATEMENTS(STORE_STMT_FINALIZE)
#undef STORE_STMT_FINALIZE
    sqlite3_close(store->db);
    free(store);
}

kiosk_rc kiosk_store_set_card_key_hex(kiosk_store *store, const char *hex)
{
    uint8_t key[32];
    size_t len = 0;
    if (sodium_hex2bin(key, sizeof key, hex, strlen(hex), NULL, &len, NULL) != 0 || len != 32)
        return KIOSK_ERR_INVALID;
    memcpy(store->card_key, key, sizeof key);
    return KIOSK_OK;
}

void kiosk_store_card_key(const kiosk_store *store, const uint8_t *uid, size_t uid_len,
                          uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, store->card_key, sizeof store->card_key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"card:", 5);
    crypto_auth_hmacsha256_update(&st, uid, uid_len);
    crypto_auth_hmacsha256_final(&st, out);
}

/* ID numbers are matched by a keyed hash too, in a separate domain from card UIDs. */
void kiosk_store_id_number_key(const kiosk_store *store, const char *number,
                               uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, store->card_key, sizeof store->card_key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"id:", 3);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)number, strlen(number));
    crypto_auth_hmacsha256_final(&st, out);
}

static bool step_done(sqlite3_stmt *st, int *code)
{
    *code = sqlite3_step(st);
    sqlite3_reset(st);
    return *code == SQLITE_DONE;
}

/* --- roster ------------------------------------------------------------------------------ */

typedef struct import_ctx {
    kiosk_store *store;
    sqlite3_stmt *seen, *same_person, *upsert_person, *upsert_card, *find_person_key;
    kiosk_import_stats *stats;
    char problem[200];
} import_ctx;

static void bind_person(sqlite3_stmt *st, const kiosk_roster_row *row)
{
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
}

/* Applies one roster row inside the caller's transaction. Sync will apply rows through here. */
static kiosk_rc apply_roster_row(import_ctx *ctx, const kiosk_roster_row *row)
{
    kiosk_store *store = ctx->store;
    int code;
    ctx->stats->rows++;
    sqlite3_bind_text(ctx->seen, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ctx->seen, 2, (sqlite3_int64)row->line);
    if (!step_done(ctx->seen, &code))
        return fail(store, code, "import");
    bool first_time = sqlite3_changes(store->db) > 0;
    uint8_t id_key[32];
    if (row->id_number[0])
        kiosk_store_id_number_key(store, row->id_number, id_key);
    if (first_time) {
        bind_person(ctx->upsert_person, row);
        if (row->id_number[0])
            sqlite3_bind_blob(ctx->upsert_person, 11, id_key, 32, SQLITE_STATIC);
        else
            sqlite3_bind_null(ctx->upsert_person, 11);
        if (!step_done(ctx->upsert_person, &code))
            return fail(store, code, "import person");
        ctx->stats->persons++;
    } else {
        /* A person on several rows (several cards): the person columns must agree. */
        bind_person(ctx->same_person, row);
        code = sqlite3_step(ctx->same_person);
        bool same = code == SQLITE_ROW && sqlite3_column_int(ctx->same_person, 0) == 1;
        long first_line = code == SQLITE_ROW ? sqlite3_column_int(ctx->same_person, 1) : 0;
        sqlite3_reset(ctx->same_person);
        if (!same) {
            snprintf(ctx->problem, sizeof ctx->problem,
                     "line %zu: person_id %s: person columns differ from line %ld", row->line,
                     row->person_id, first_line);
            return KIOSK_ERR_PARSE;
        }
    }
    if (row->card_uid[0]) {
        uint8_t uid[KIOSK_UID_MAX], key[32];
        int uid_len = kiosk_card_uid_from_hex(row->card_uid, strlen(row->card_uid), uid);
        if (uid_len <= 0) {
            snprintf(ctx->problem, sizeof ctx->problem, "line %zu: card_uid: not hexadecimal",
                     row->line);
            return KIOSK_ERR_PARSE;
        }
        kiosk_store_card_key(store, uid, (size_t)uid_len, key);
        sqlite3_bind_blob(ctx->upsert_card, 1, key, 32, SQLITE_STATIC);
        sqlite3_bind_text(ctx->upsert_card, 2, row->person_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(ctx->upsert_card, 3, row->card_blocked);
        sqlite3_bind_text(ctx->upsert_card, 4, row->issuing_canteen, -1, SQLITE_STATIC);
        if (!step_done(ctx->upsert_card, &code))
            return fail(store, code, "import card");
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
    import_ctx ctx = {.store = store, .stats = stats};
    kiosk_rc rc = exec(store, "CREATE TEMP TABLE IF NOT EXISTS import_seen("
                              " person_id TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID;"
                              "DELETE FROM import_seen;");
    if (rc != KIOSK_OK)
        goto out_msg;
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
        {&ctx.upsert_person,
         "INSERT INTO person(person_id, name_masked, birth_date, categories, city, district,"
         " street, local_hukou, local_resident, active, id_key)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
         " ON CONFLICT(person_id) DO UPDATE SET name_masked = excluded.name_masked,"
         " birth_date = excluded.birth_date, categories = excluded.categories,"
         " city = excluded.city, district = excluded.district, street = excluded.street,"
         " local_hukou = excluded.local_hukou, local_resident = excluded.local_resident,"
         " active = excluded.active, id_key = COALESCE(excluded.id_key, person.id_key)"},
        {&ctx.upsert_card,
         "INSERT INTO card(card_key, person_id, blocked, issuing_canteen) VALUES (?1, ?2, ?3, ?4)"
         " ON CONFLICT(card_key) DO UPDATE SET person_id = excluded.person_id,"
         " blocked = excluded.blocked, issuing_canteen = excluded.issuing_canteen"},
    };
    for (size_t i = 0; i < sizeof prepared / sizeof prepared[0]; i++) {
        int code = sqlite3_prepare_v2(store->db, prepared[i].sql, -1, prepared[i].st, NULL);
        if (code != SQLITE_OK) {
            rc = fail(store, code, "import prepare");
            goto out_finalize;
        }
    }
    rc = exec(store, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        goto out_finalize;
    rc = kiosk_roster_csv_read(csv, today, on_roster_row, &ctx, err, err_size);
    if (rc == KIOSK_OK) {
        rc = exec(store, "COMMIT");
    } else {
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
        if (ctx.problem[0])
            snprintf(err, err_size, "%s", ctx.problem);
        else if (rc != KIOSK_ERR_PARSE)
            snprintf(err, err_size, "%s", store->message);
        memset(stats, 0, sizeof *stats);
        goto out_finalize;
    }
out_finalize:
    for (size_t i = 0; i < sizeof prepared / sizeof prepared[0]; i++)
        sqlite3_finalize(*prepared[i].st);
    sqlite3_exec(store->db, "DELETE FROM import_seen", NULL, NULL, NULL);
    if (rc == KIOSK_OK || rc == KIOSK_ERR_PARSE)
        return rc;
out_msg:
    if (!err[0])
        snprintf(err, err_size, "%s", store->message);
    return rc;
}

static void decode_area(sqlite3_stmt *st, int col, kiosk_area *area)
{
    copy_text(area->city, sizeof area->city, st, col);
    copy_text(area->district, sizeof area->district, st, col + 1);
    copy_text(area->street, sizeof area->street, st, col + 2);
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
        copy_text(out->person_id, sizeof out->person_id, st, 0);
        copy_text(out->name_masked, sizeof out->name_masked, st, 1);
        copy_text(birth, sizeof birth, st, 2);
        if (!kiosk_date_parse(birth, &out->person.birth))
            out->person.birth = (kiosk_date){1900, 1, 1};
        out->person.categories = (uint32_t)sqlite3_column_int64(st, 3);
        decode_area(st, 4, &out->person.home);
        out->person.local_hukou = sqlite3_column_int(st, 7) != 0;
        out->person.local_resident = sqlite3_column_int(st, 8) != 0;
        out->person.active = sqlite3_column_int(st, 9) != 0;
        out->card.blocked = sqlite3_column_int(st, 10) != 0;
        copy_text(out->card.issuing_canteen, sizeof out->card.issuing_canteen, st, 11);
    } else if (code == SQLITE_DONE) {
        rc = KIOSK_ERR_NOT_FOUND;
    } else {
        rc = fail(store, code, what);
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

/* --- policy ------------------------------------------------------------------------------ */

kiosk_rc kiosk_store_put_policy(kiosk_store *store, const char *json, size_t len, char *err,
                                size_t err_size)
{
    kiosk_policy *policy = NULL;
    kiosk_rc rc = kiosk_policy_parse(json, len, &policy, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    int code = sqlite3_prepare_v2(store->db,
                                  "INSERT INTO policy(version, effective_from, body, stored_utc_ms)"
                                  " VALUES (?1, ?2, ?3, ?4)"
                                  " ON CONFLICT(version) DO UPDATE SET"
                                  " effective_from = excluded.effective_from, body = excluded.body,"
                                  " stored_utc_ms = excluded.stored_utc_ms",
                                  -1, &st, NULL);
    if (code == SQLITE_OK) {
        char from[11];
        kiosk_date_format(kiosk_policy_effective_from(policy), from);
        sqlite3_bind_text(st, 1, kiosk_policy_version(policy), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, kiosk_clock_now_ms());
        code = sqlite3_step(st);
    }
    if (code != SQLITE_DONE) {
        rc = fail(store, code, "store policy");
        snprintf(err, err_size, "%s", store->message);
    }
    sqlite3_finalize(st);
    kiosk_policy_free(policy);
    return rc;
}

kiosk_rc kiosk_store_load_policies(kiosk_store *store, kiosk_policy_set **out)
{
    *out = NULL;
    kiosk_policy_set *set = kiosk_policy_set_new();
    if (!set)
        return KIOSK_ERR_NOMEM;
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, "SELECT version, body FROM policy", -1, &st, NULL);
    if (code != SQLITE_OK) {
        kiosk_policy_set_free(set);
        return fail(store, code, "load policies");
    }
    kiosk_rc rc = KIOSK_OK;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_policy *policy = NULL;
        char err[256];
        const char *body = (const char *)sqlite3_column_text(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        /* A stored policy that no longer parses is skipped loudly, not fatal: the others
         * still serve diners. */
        if (kiosk_policy_parse(body ? body : "", (size_t)len, &policy, err, sizeof err) !=
            KIOSK_OK) {
            KLOG_ERROR("stored policy %s is invalid and ignored: %s",
                       (const char *)sqlite3_column_text(st, 0), err);
            continue;
        }
        rc = kiosk_policy_set_take(set, policy);
        if (rc != KIOSK_OK)
            break;
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = fail(store, code, "load policies");
    sqlite3_finalize(st);
    if (rc != KIOSK_OK) {
        kiosk_policy_set_free(set);
        return rc;
    }
    *out = set;
    return KIOSK_OK;
}

/* --- meals ------------------------------------------------------------------------------- */

static kiosk_meal_type meal_type_from_code(const char *code)
{
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        if (strcmp(code, kiosk_meal_type_code((kiosk_meal_type)t)) == 0)
            return (kiosk_meal_type)t;
    return KIOSK_MEAL_NONE;
}

/* The canonical JSON payload of a meal for the outbox (sorted keys, compact). */
static char *meal_payload(const kiosk_meal_entry *meal)
{
    char id[KIOSK_RECID_TEXT], date[11], card_hex[65] = "";
    kiosk_recid_format(&meal->record_id, id);
    kiosk_date_format(meal->at.date, date);
    if (meal->has_card)
        sodium_bin2hex(card_hex, sizeof card_hex, meal->card_key, KIOSK_CARD_KEY_BYTES);
    const kiosk_decision *d = &meal->decision;
    json_t *obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s}",
        "record_id", id, "person_id", meal->person_id, "card_key", card_hex, "kiosk_id",
        meal->kiosk_id, "canteen_id", meal->canteen_id, "business_date", date, "local_minute",
        meal->at.minute_of_day, "meal_type", kiosk_meal_type_code(d->meal_type), "created_utc_ms",
        (json_int_t)meal->created_utc_ms, "price_fen", (json_int_t)d->price_fen, "subsidy_fen",
        (json_int_t)d->subsidy_fen, "pay_fen", (json_int_t)d->pay_fen, "city_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_CITY], "district_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_DISTRICT], "street_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_STREET], "class_id", d->class_id, "policy_version",
        d->policy_version);
    if (!obj)
        return NULL;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

kiosk_rc kiosk_store_add_meal(kiosk_store *store, const kiosk_meal_entry *meal)
{
    const kiosk_decision *d = &meal->decision;
    char *payload = meal_payload(meal);
    if (!payload)
        return KIOSK_ERR_NOMEM;
    uint8_t sha[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sha, (const unsigned char *)payload, strlen(payload));

    int code;
    kiosk_rc rc = KIOSK_OK;
    if (!step_done(store->begin_immediate, &code)) {
        rc = fail(store, code, "begin meal");
        goto out;
    }
    code = sqlite3_step(store->next_seq);
    sqlite3_int64 seq = sqlite3_column_int64(store->next_seq, 0);
    sqlite3_reset(store->next_seq);
    if (code != SQLITE_ROW) {
        rc = fail(store, code, "next seq");
        goto rollback;
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
    bool ok = step_done(st, &code);
    sqlite3_clear_bindings(st);
    if (!ok) {
        rc = fail(store, code, "insert meal");
        goto rollback;
    }

    st = store->insert_outbox;
    sqlite3_bind_blob(st, 1, meal->record_id.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_text(st, 3, "meal", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, sha, sizeof sha, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, meal->created_utc_ms);
    ok = step_done(st, &code);
    sqlite3_clear_bindings(st);
    if (!ok) {
        rc = fail(store, code, "insert outbox");
        goto rollback;
    }
    if (!step_done(store->commit, &code)) {
        rc = fail(store, code, "commit meal");
        goto rollback;
    }
    goto out;
rollback:
    step_done(store->rollback, &code);
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
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == max)
            continue; /* a month holds at most ~93 meals; max is sized well above it */
        kiosk_meal_record *r = &out[(*count)++];
        memset(r, 0, sizeof *r);
        char date[16], type[16];
        copy_text(date, sizeof date, st, 0);
        if (!kiosk_date_parse(date, &r->at.date))
            r->at.date = first;
        r->at.minute_of_day = sqlite3_column_int(st, 1);
        copy_text(type, sizeof type, st, 2);
        r->meal_type = meal_type_from_code(type);
        r->subsidy_fen = sqlite3_column_int64(st, 3);
        copy_text(r->canteen_id, sizeof r->canteen_id, st, 4);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return code == SQLITE_DONE ? KIOSK_OK : fail(store, code, "month meals");
}

static kiosk_rc count_query(kiosk_store *store, const char *sql, long *out)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "count");
    code = sqlite3_step(st);
    *out = code == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : fail(store, code, "count");
}

kiosk_rc kiosk_store_count_meals(kiosk_store *store, long *meals, long *outbox_pending)
{
    kiosk_rc rc = count_query(store, "SELECT count(*) FROM meal", meals);
    if (rc == KIOSK_OK)
        rc = count_query(store, "SELECT count(*) FROM outbox WHERE state = 'pending'",
                         outbox_pending);
    return rc;
}

kiosk_rc kiosk_store_has_meal(kiosk_store *store, const kiosk_recid *id, bool *exists)
{
    sqlite3_stmt *st;
    int code =
        sqlite3_prepare_v2(store->db, "SELECT 1 FROM meal WHERE record_id = ?1", -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "has meal");
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    code = sqlite3_step(st);
    *exists = code == SQLITE_ROW;
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK : fail(store, code, "has meal");
}

/* --- settlement ---------------------------------------------------------------------------- */

static kiosk_rc report_groups(kiosk_store *store, const char *column, const char *from,
                              const char *to, kiosk_report_group *groups, size_t max, size_t *count)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT %s, count(*), sum(price_fen), sum(subsidy_fen), sum(pay_fen) FROM meal"
             " WHERE business_date BETWEEN ?1 AND ?2 GROUP BY 1 ORDER BY 1",
             column);
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "report");
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
        copy_text(g->key, sizeof g->key, st, 0);
        g->meals = (long)sqlite3_column_int64(st, 1);
        g->price_fen = sqlite3_column_int64(st, 2);
        g->subsidy_fen = sqlite3_column_int64(st, 3);
        g->pay_fen = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : fail(store, code, "report");
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
        "SELECT count(*), total(price_fen), total(subsidy_fen), total(pay_fen), total(city_fen),"
        " total(district_fen), total(street_fen) FROM meal WHERE business_date BETWEEN ?1 AND ?2",
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "report");
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
    }
    sqlite3_finalize(st);
    if (code != SQLITE_ROW)
        return fail(store, code, "report");

    kiosk_report_group meals[KIOSK_MEAL_COUNT + 1];
    size_t n = 0;
    kiosk_rc rc = report_groups(store, "meal_type", a, b, meals, KIOSK_MEAL_COUNT + 1, &n);
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        snprintf(out->by_meal[t].key, sizeof out->by_meal[t].key, "%s",
                 kiosk_meal_type_code((kiosk_meal_type)t));
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++) {
        kiosk_meal_type t = meal_type_from_code(meals[i].key);
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
        " payment_method FROM meal WHERE business_date BETWEEN ?1 AND ?2"
        " ORDER BY business_date, local_minute, record_id",
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return fail(store, code, "export");
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    fputs("record_id,business_date,local_time,kiosk_id,canteen_id,person_id,class_id,meal_type,"
          "price_fen,subsidy_fen,pay_fen,city_fen,district_fen,street_fen,policy_version,"
          "payment_method\n",
          out);
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        /* The id as the events file writes it (the column's CHECK keeps it 16 bytes). */
        kiosk_recid id;
        char id_text[KIOSK_RECID_TEXT];
        memcpy(id.bytes, sqlite3_column_blob(st, 0), sizeof id.bytes);
        kiosk_recid_format(&id, id_text);
        fputs(id_text, out);
        for (int c = 1; c < 16; c++) {
            fputc(',', out);
            write_csv_field(out, (const char *)sqlite3_column_text(st, c));
        }
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    if (code != SQLITE_DONE)
        return fail(store, code, "export");
    return ferror(out) ? KIOSK_ERR_IO : KIOSK_OK;
}

kiosk_rc kiosk_store_checkpoint(kiosk_store *store)
{
    int code = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return code == SQLITE_OK ? KIOSK_OK : fail(store, code, "checkpoint");
}

/* --- recovery from a damaged file -------------------------------------------------------- */

/* Copies the readable rows of one table from the damaged file (schema "old") into the fresh one,
 * column by column as the fresh schema names them. Reading stops at the first damaged page: the
 * rows before it are kept. Returns the number of rows copied. */
static long salvage_table(sqlite3 *db, const char *table, bool *complete)
{
    char sql[1024], cols[600] = "", marks[200] = "";
    sqlite3_stmt *info = NULL, *read = NULL, *write = NULL;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s', 'main')", table);
    int ncols = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &info, NULL) == SQLITE_OK) {
        while (sqlite3_step(info) == SQLITE_ROW && ncols < 40) {
            size_t used = strlen(cols);
            snprintf(cols + used, sizeof cols - used, "%s\"%s\"", ncols ? "," : "",
                     (const char *)sqlite3_column_text(info, 0));
            used = strlen(marks);
            snprintf(marks + used, sizeof marks - used, "%s?", ncols ? "," : "");
            ncols++;
        }
    }
    sqlite3_finalize(info);
    long copied = 0;
    *complete = false;
    snprintf(sql, sizeof sql, "SELECT %s FROM old.\"%s\"", cols, table);
    int code = ncols ? sqlite3_prepare_v2(db, sql, -1, &read, NULL) : SQLITE_ERROR;
    if (code == SQLITE_OK) {
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO main.\"%s\"(%s) VALUES (%s)", table, cols,
                 marks);
        code = sqlite3_prepare_v2(db, sql, -1, &write, NULL);
    }
    while (code == SQLITE_OK && (code = sqlite3_step(read)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            sqlite3_bind_value(write, i + 1, sqlite3_column_value(read, i));
        int w = sqlite3_step(write);
        sqlite3_reset(write);
        if (w == SQLITE_DONE)
            copied++;
        code = SQLITE_OK;
    }
    *complete = code == SQLITE_DONE;
    if (!*complete)
        KLOG_WARN("recovery: %s: %ld rows read before: %s", table, copied, sqlite3_errmsg(db));
    sqlite3_finalize(read);
    sqlite3_finalize(write);
    return copied;
}

static void move_aside(const char *from, const char *to, const char *suffix)
{
    char a[1100], b[1100];
    snprintf(a, sizeof a, "%s%s", from, suffix);
    snprintf(b, sizeof b, "%s%s", to, suffix);
    if (rename(a, b) != 0 && errno != ENOENT)
        KLOG_ERROR("recovery: cannot move %s aside: %s", a, strerror(errno));
}

kiosk_rc kiosk_store_recover(const char *path, kiosk_recovery *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out->aside_path, sizeof out->aside_path, "%s.damaged-%s", path, stamp);
    if (rename(path, out->aside_path) != 0) {
        snprintf(err, err_size, "cannot move %s aside: %s", path, strerror(errno));
        return KIOSK_ERR_IO;
    }
    /* The WAL belongs with its database: it may hold the last committed meals. */
    move_aside(path, out->aside_path, "-wal");
    move_aside(path, out->aside_path, "-shm");

    kiosk_store *fresh = NULL;
    kiosk_rc rc = kiosk_store_open(path, &fresh, err, err_size);
    if (rc != KIOSK_OK) {
        kiosk_store_close(fresh);
        return rc;
    }
    sqlite3_stmt *attach = NULL;
    int code = sqlite3_prepare_v2(fresh->db, "ATTACH ?1 AS old", -1, &attach, NULL);
    if (code == SQLITE_OK) {
        sqlite3_bind_text(attach, 1, out->aside_path, -1, SQLITE_STATIC);
        code = sqlite3_step(attach) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(attach);
    if (code != SQLITE_OK) {
        /* Not even a database: a fresh, empty store is all there is. */
        KLOG_ERROR("recovery: nothing readable in %s: %s", out->aside_path,
                   sqlite3_errmsg(fresh->db));
        kiosk_store_close(fresh);
        return KIOSK_OK;
    }
    out->complete = true;
    if (sqlite3_exec(fresh->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(fresh, sqlite3_errcode(fresh->db), "recovery");
        snprintf(err, err_size, "%s", fresh->message);
        out->complete = false;
    } else {
        /* In an order that satisfies the references; device_state first, so the card key (and
         * with it every stored card hash) survives. */
        long ignored;
        const struct {
            const char *table;
            long *copied;
        } salvage[] = {{"device_state", &ignored}, {"person", &out->persons},
                       {"card", &out->cards},      {"policy", &ignored},
                       {"meal", &out->meals},      {"outbox", &out->outbox}};
        for (size_t t = 0; t < sizeof salvage / sizeof salvage[0]; t++) {
            bool complete;
            *salvage[t].copied = salvage_table(fresh->db, salvage[t].table, &complete);
            out->complete = out->complete && complete;
        }
        if (sqlite3_exec(fresh->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            rc = fail(fresh, sqlite3_errcode(fresh->db), "recovery commit");
            snprintf(err, err_size, "%s", fresh->message);
            sqlite3_exec(fresh->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(fresh->db, "DETACH old", NULL, NULL, NULL);
    kiosk_store_close(fresh);
    return rc;
}
