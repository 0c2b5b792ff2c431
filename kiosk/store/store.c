/* store.c - opening the local database: schema and numbered migrations, durability pragmas,
 * the quick check, the card key and the idle checkpoint. The queries of each concern are in
 * roster.c, policies.c, meals.c, outbox.c, reports.c and recovery.c. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "card_key.h"
#include "log.h"
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
    "  kind TEXT NOT NULL CHECK(kind IN ('meal', 'checkin', 'override', 'audit', 'help_call',"
    "    'help_answer')),"
    "  payload TEXT NOT NULL, payload_sha256 BLOB NOT NULL, created_wall_ms INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'acked', 'rejected')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, acked_at_ms INTEGER)"
    "  STRICT, WITHOUT ROWID;"
    "CREATE INDEX outbox_pending ON outbox(state, device_seq);"
    "CREATE TRIGGER outbox_immutable BEFORE UPDATE OF record_id, device_seq, kind, payload,"
    "  payload_sha256 ON outbox BEGIN SELECT RAISE(ABORT, 'outbox is append-only'); END;"
    "CREATE TRIGGER outbox_nodelete BEFORE DELETE ON outbox WHEN OLD.state <> 'acked'"
    "  BEGIN SELECT RAISE(ABORT, 'cannot delete an unacknowledged record'); END;",
    /* 2: who gave each part of a subsidy (a canteen's own discount), the once-a-day part, and
     * where the price came from (set meal, menu item, bill). Earlier rows: all government, no
     * daily part, the set price. */
    "ALTER TABLE meal ADD COLUMN canteen_fen INTEGER NOT NULL DEFAULT 0"
    "  CHECK(canteen_fen >= 0);"
    "ALTER TABLE meal ADD COLUMN day_subsidy_fen INTEGER NOT NULL DEFAULT 0"
    "  CHECK(day_subsidy_fen >= 0);"
    "ALTER TABLE meal ADD COLUMN price_source TEXT NOT NULL DEFAULT 'set'"
    "  CHECK(price_source IN ('set', 'menu', 'bill'));"
    "ALTER TABLE meal ADD COLUMN menu_item TEXT NOT NULL DEFAULT '';",
    /* 3: sync (docs/sync-protocol.md): the server's version of each pulled row (NULL for rows
     * imported here), meals made while the kiosk was out of touch with the server, and each
     * stream's cursor and the time it was last up to date. */
    "ALTER TABLE person ADD COLUMN sync_version INTEGER;"
    "ALTER TABLE card ADD COLUMN sync_version INTEGER;"
    "ALTER TABLE policy ADD COLUMN sync_version INTEGER;"
    "ALTER TABLE meal ADD COLUMN offline INTEGER NOT NULL DEFAULT 0 CHECK(offline IN (0, 1));"
    "CREATE TABLE sync_cursor(stream TEXT PRIMARY KEY, cursor TEXT NOT NULL,"
    "  applied_at_ms INTEGER, up_to_date_ms INTEGER) STRICT;",
    /* 4: the marriage hall (docs/marriage.md): appointments (parties by keyed ID-number hash,
     * masked names), the queue tickets issued (a number once a day; the payload is the outbox
     * row's), the now-serving board's calls, and the working-day calendar. */
    "CREATE TABLE appointment(appointment_id TEXT PRIMARY KEY, booking_no TEXT NOT NULL UNIQUE,"
    "  service TEXT NOT NULL, date TEXT NOT NULL, slot_start INTEGER NOT NULL,"
    "  slot_end INTEGER NOT NULL, lane TEXT NOT NULL CHECK(lane IN ('booked', 'priority')),"
    "  party1_key BLOB NOT NULL CHECK(length(party1_key) = 32), party1_name TEXT NOT NULL,"
    "  party1_sex TEXT NOT NULL, party1_birth TEXT NOT NULL,"
    "  party2_key BLOB CHECK(party2_key IS NULL OR length(party2_key) = 32),"
    "  party2_name TEXT NOT NULL, party2_sex TEXT NOT NULL, party2_birth TEXT NOT NULL,"
    "  application_date TEXT,"
    "  status TEXT NOT NULL CHECK(status IN ('booked', 'checked_in', 'cancelled')),"
    "  updated_utc_ms INTEGER NOT NULL) STRICT;"
    "CREATE INDEX appointment_by_party1 ON appointment(party1_key, date);"
    "CREATE INDEX appointment_by_party2 ON appointment(party2_key, date);"
    "CREATE TABLE checkin(record_id BLOB PRIMARY KEY CHECK(length(record_id) = 16),"
    "  appointment_id TEXT NOT NULL, business_date TEXT NOT NULL, prefix TEXT NOT NULL,"
    "  value INTEGER NOT NULL, number TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  service TEXT NOT NULL, lane TEXT NOT NULL, kiosk_id TEXT NOT NULL,"
    "  created_utc_ms INTEGER NOT NULL, local_minute INTEGER NOT NULL,"
    "  under_age INTEGER NOT NULL, payload TEXT NOT NULL,"
    "  source TEXT NOT NULL DEFAULT 'local' CHECK(source IN ('local', 'server')),"
    "  UNIQUE(business_date, number)) STRICT, WITHOUT ROWID;"
    "CREATE UNIQUE INDEX checkin_once ON checkin(appointment_id)"
    "  WHERE appointment_id <> '' AND source = 'local';"
    "CREATE INDEX checkin_by_appointment ON checkin(appointment_id);"
    "CREATE INDEX checkin_by_day ON checkin(business_date, created_utc_ms);"
    "CREATE TRIGGER checkin_immutable BEFORE UPDATE ON checkin"
    "  BEGIN SELECT RAISE(ABORT, 'check-ins are append-only'); END;"
    "CREATE TABLE queue_call(call_id INTEGER PRIMARY KEY, business_date TEXT NOT NULL,"
    "  number TEXT NOT NULL, counter INTEGER NOT NULL, kiosk_id TEXT NOT NULL,"
    "  called_utc_ms INTEGER NOT NULL, UNIQUE(business_date, number)) STRICT;"
    "CREATE TABLE calendar_year(year INTEGER PRIMARY KEY, applied_utc_ms INTEGER NOT NULL)"
    "  STRICT;"
    "CREATE TABLE calendar_day(date TEXT PRIMARY KEY,"
    "  working INTEGER NOT NULL CHECK(working IN (0, 1)), note TEXT NOT NULL) STRICT;",
    /* 5: staff mode (docs/staff.md): the staff roster and their cards (keyed hashes), the
     * wrong-PIN lock of each staff card (kept across restarts), the hash-chained audit log
     * (append-only), and the compensating voids of meals (the meal itself stays). */
    "CREATE TABLE staff(staff_id TEXT PRIMARY KEY, name_masked TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK(role IN ('operator', 'supervisor')), pin_hash TEXT NOT NULL,"
    "  active INTEGER NOT NULL CHECK(active IN (0, 1)), sync_version INTEGER) STRICT;"
    "CREATE TABLE staff_card(card_key BLOB PRIMARY KEY CHECK(length(card_key) = 32),"
    "  staff_id TEXT NOT NULL REFERENCES staff(staff_id)) STRICT, WITHOUT ROWID;"
    "CREATE INDEX staff_card_by_staff ON staff_card(staff_id);"
    "CREATE TABLE staff_lock(card_key BLOB PRIMARY KEY CHECK(length(card_key) = 32),"
    "  failures INTEGER NOT NULL, locked_until_ms INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY,"
    "  record_id BLOB NOT NULL UNIQUE CHECK(length(record_id) = 16),"
    "  created_utc_ms INTEGER NOT NULL, payload TEXT NOT NULL,"
    "  hash BLOB NOT NULL CHECK(length(hash) = 32)) STRICT;"
    "CREATE TRIGGER audit_immutable BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_nodelete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TABLE meal_void(record_id BLOB PRIMARY KEY CHECK(length(record_id) = 16),"
    "  voided_id BLOB NOT NULL UNIQUE REFERENCES meal(record_id), staff_id TEXT NOT NULL,"
    "  reason TEXT NOT NULL, created_utc_ms INTEGER NOT NULL, payload TEXT NOT NULL)"
    "  STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER meal_void_immutable BEFORE UPDATE ON meal_void"
    "  BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;"
    "CREATE TRIGGER meal_void_nodelete BEFORE DELETE ON meal_void"
    "  BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;",
#ifdef KIOSK_TEST_FUTURE_MIGRATION
    /* Test builds only (kiosk_next, tests/deploy/): a schema this release does not know, to
     * prove that an older program refuses the newer file and leaves it untouched. */
    "CREATE TABLE test_future(k TEXT PRIMARY KEY, v ANY) STRICT;",
#endif
};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))
/* Forward-only migrations and older programs: every database records, in device_state
 * 'min_reader_schema', the oldest schema a program must know to use it. An older program
 * (kiosk-update rolling back, a downgrade) whose schema is below that refuses the file before
 * writing anything; one at or above it may run on it. MIGRATION_COUNT: every migration is taken
 * to change what older programs rely on; a release whose newest migrations only add what older
 * programs can ignore (an index, a table they never read) may set a lower number. */
#define STORE_MIN_READER_SCHEMA MIGRATION_COUNT
/* PRAGMA application_id of a kiosk database: "KIOS". */
#define STORE_APPLICATION_ID 0x4B494F53


kiosk_rc store_rc(int code)
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
kiosk_rc store_fail(kiosk_store *store, int code, const char *what)
{
    kiosk_rc rc = kiosk_fail(store_rc(code), store->message, sizeof store->message, "%s: %s", what,
                             sqlite3_errmsg(store->db));
    KLOG_ERROR("%s", store->message);
    if (rc == KIOSK_ERR_CORRUPT)
        store->damaged = true;
    return rc;
}

bool kiosk_store_damaged(const kiosk_store *store)
{
    return store && store->damaged;
}

const char *kiosk_store_errmsg(const kiosk_store *store)
{
    return store ? store->message : "no database";
}

void store_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? s : "");
}

kiosk_rc store_exec(kiosk_store *store, const char *sql)
{
    int code = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    return code == SQLITE_OK ? KIOSK_OK : store_fail(store, code, "exec");
}

kiosk_rc store_count(kiosk_store *store, const char *sql, long *out)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "count");
    code = sqlite3_step(st);
    *out = code == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "count");
}

static bool file_id(const char *path, unsigned long long *dev, unsigned long long *ino)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    *dev = (unsigned long long)sb.st_dev;
    *ino = (unsigned long long)sb.st_ino;
    return true;
}

kiosk_rc store_check_file(kiosk_store *store)
{
    unsigned long long dev, ino;
    if (file_id(store->path, &dev, &ino) && dev == store->dev && ino == store->ino)
        return KIOSK_OK;
    kiosk_rc rc = kiosk_fail(KIOSK_ERR_GONE, store->message, sizeof store->message,
                             "%s was deleted or replaced while the kiosk was running", store->path);
    KLOG_ERROR("%s", store->message);
    return rc;
}

kiosk_rc store_write_begin(kiosk_store *store)
{
    kiosk_rc rc = store_check_file(store);
    return rc == KIOSK_OK ? kiosk_store_begin(store) : rc;
}

kiosk_rc store_write_end(kiosk_store *store, kiosk_rc rc)
{
    if (rc == KIOSK_OK)
        return kiosk_store_commit(store); /* rolls back itself on failure */
    kiosk_store_rollback(store);
    return rc;
}

static _Atomic int64_t lock_wanted_ms; /* kiosk_store_lock_wanted_since */

bool kiosk_store_lock_wanted_since(int64_t mono_ms)
{
    return atomic_load(&lock_wanted_ms) >= mono_ms;
}

/* SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between tries, so a tap that
 * meets the sync worker's write transaction of 3 ms waits 8; this one tries again every half
 * millisecond, until the timeout, and says that someone waits (kiosk_store_lock_wanted_since). */
static int busy_wait(void *arg, int tries)
{
    const kiosk_store *store = arg;
    atomic_store(&lock_wanted_ms, kiosk_clock_mono_ms());
    if ((int64_t)tries * 500 >= (int64_t)store->busy_ms * 1000)
        return 0;
    struct timespec half = {0, 500000};
    nanosleep(&half, NULL);
    return 1;
}

void kiosk_store_set_busy_timeout(kiosk_store *store, int ms)
{
    store->busy_ms = ms;
    sqlite3_busy_handler(store->db, busy_wait, store);
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
        return store_fail(store, code, sql);
    code = sqlite3_step(st);
    if (code == SQLITE_ROW)
        store_copy_text(out, size, st, 0);
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, sql);
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

static int pragma_int(kiosk_store *store, const char *sql)
{
    sqlite3_stmt *st;
    int value = -1;
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        value = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return value;
}

/* The stamp of the database (min_reader_schema), or `otherwise` when it has none. */
static int min_reader_schema(kiosk_store *store, int otherwise)
{
    int stamp = pragma_int(store, "SELECT v FROM device_state WHERE k = 'min_reader_schema'"
                                  " AND typeof(v) = 'integer'");
    return stamp >= 0 ? stamp : otherwise;
}

/* Before anything is written: is this a kiosk database, and one this program can use? A file a
 * newer program made, whose stamp says this program is too old for it, is refused untouched. */
static kiosk_rc check_schema_readable(kiosk_store *store, char *err, size_t err_size)
{
    int app_id = pragma_int(store, "PRAGMA application_id");
    int version = kiosk_store_schema_version(store);
    if (app_id < 0 || version < 0)
        return KIOSK_OK; /* unreadable: the damage checks that follow say so */
    if (app_id != 0 && app_id != STORE_APPLICATION_ID)
        return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size,
                          "%s is not a kiosk database (application_id %#x); it was left untouched",
                          store->path, (unsigned)app_id);
    if (version <= MIGRATION_COUNT)
        return KIOSK_OK;
    int needed = min_reader_schema(store, version);
    if (needed <= MIGRATION_COUNT) {
        KLOG_WARN("database schema %d is newer than this program's (%d), and usable by it"
                  " (min_reader_schema %d)",
                  version, MIGRATION_COUNT, needed);
        return KIOSK_OK;
    }
    return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size,
                      "%s was made by a newer kiosk (database schema %d, usable from schema %d"
                      " on); this program knows schema %d and will not touch it: the file was"
                      " left untouched. Install the newer kiosk again (kiosk-update rolls back"
                      " the program and the database together)",
                      store->path, version, needed, MIGRATION_COUNT);
}

/* The stamp and the application id, in the transaction of the migration that reached
 * `version`: the newest migration writes this program's STORE_MIN_READER_SCHEMA, earlier ones
 * their own version. */
static kiosk_rc stamp_schema(kiosk_store *store, int version)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "PRAGMA application_id = %d; INSERT OR REPLACE INTO device_state(k, v)"
             " VALUES ('min_reader_schema', %d)",
             STORE_APPLICATION_ID,
             version == MIGRATION_COUNT ? STORE_MIN_READER_SCHEMA : version);
    return store_exec(store, sql);
}

static kiosk_rc migrate(kiosk_store *store)
{
    int version = kiosk_store_schema_version(store);
    if (version < 0)
        return store_fail(store, sqlite3_errcode(store->db), "user_version");
    if (version > MIGRATION_COUNT)
        return KIOSK_OK; /* a newer schema that allowed this program (check_schema_readable) */
    /* A database from before the stamp existed gets it once. */
    if (version == MIGRATION_COUNT && version > 0 && min_reader_schema(store, -1) < 0) {
        kiosk_rc rc = store_exec(store, "BEGIN IMMEDIATE");
        if (rc == KIOSK_OK)
            rc = stamp_schema(store, version);
        if (rc == KIOSK_OK)
            rc = store_exec(store, "COMMIT");
        if (rc != KIOSK_OK)
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    for (int v = version; v < MIGRATION_COUNT; v++) {
        kiosk_rc rc = store_exec(store, "BEGIN IMMEDIATE");
        if (rc != KIOSK_OK)
            return rc;
        rc = store_exec(store, migrations[v]);
        if (rc == KIOSK_OK) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
            rc = store_exec(store, sql);
        }
        if (rc == KIOSK_OK)
            rc = stamp_schema(store, v + 1);
        if (rc == KIOSK_OK)
            rc = store_exec(store, "COMMIT");
        if (rc != KIOSK_OK) {
            sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        KLOG_INFO("database migrated to schema %d", v + 1);
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_store_staff_notice(kiosk_store *store, char *out, size_t size)
{
    out[0] = '\0';
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT v FROM device_state WHERE k = 'staff_notice'"
                                  " AND typeof(v) = 'text'",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "staff notice");
    code = sqlite3_step(st);
    if (code == SQLITE_ROW)
        store_copy_text(out, size, st, 0);
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK
                                                     : store_fail(store, code, "staff notice");
}

kiosk_rc kiosk_store_set_staff_notice(kiosk_store *store, const char *notice)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  notice[0] ? "INSERT OR REPLACE INTO device_state(k, v)"
                                              " VALUES ('staff_notice', ?1)"
                                            : "DELETE FROM device_state WHERE k = 'staff_notice'",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "staff notice");
    if (notice[0])
        sqlite3_bind_text(st, 1, notice, -1, SQLITE_STATIC);
    code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "staff notice");
}

/* The card key: the configured one, else a random one this database made for itself. */
static kiosk_rc load_device_card_key(kiosk_store *store)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, "SELECT v FROM device_state WHERE k = 'card_key'", -1,
                                  &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "card key");
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
        return store_fail(store, code, "card key");
    sqlite3_bind_blob(st, 1, store->card_key, 32, SQLITE_STATIC);
    code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "card key");
}

/* The database and its folder must be writable: a read-only file would turn every meal into an
 * error, and SQLite keeps its -wal and -shm files beside the database. Checked by trying, not
 * by permission bits (which say nothing for root, or on a read-only mount). */
static kiosk_rc check_writable(const char *path, char *err, size_t err_size)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
    } else if (errno != ENOENT) {
        return kiosk_fail(KIOSK_ERR_IO, err, err_size,
                          "%s: cannot be written (%s): the kiosk must be able to store meals", path,
                          strerror(errno));
    }
    char probe[1100];
    snprintf(probe, sizeof probe, "%s.probe-%ld", path, (long)getpid());
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size,
                          "%s: its folder cannot be written (%s): SQLite keeps its journal"
                          " files beside the database",
                          path, strerror(errno));
    close(fd);
    unlink(probe);
    return KIOSK_OK;
}

/* beside: another handle on a file this process has open (the sync worker's): no writability
 * probe, because closing the probe's descriptor would drop every POSIX lock the process holds on
 * the file - SQLite's among them - and let another process delete the WAL under it. */
static kiosk_rc open_handle(const char *path, kiosk_store **out, char *err, size_t err_size,
                            bool beside)
{
    *out = NULL;
    kiosk_rc writable = beside ? KIOSK_OK : check_writable(path, err, err_size);
    if (writable != KIOSK_OK)
        return writable;
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
        return store_rc(code);
    }
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, 2000);
    snprintf(store->path, sizeof store->path, "%s", path);
    if (!file_id(path, &store->dev, &store->ino)) {
        snprintf(err, err_size, "%s: cannot stat the database file", path);
        return KIOSK_ERR_IO;
    }
    /* A damaged file must reach recovery exactly as it was: closing this handle must neither
     * checkpoint the WAL into it nor delete the WAL. Checkpoints on close come back once the file
     * is known to be sound. */
    sqlite3_db_config(store->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    kiosk_rc rc = check_schema_readable(store, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    rc = store_check_at_open(store, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_db_config(store->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
    /* WAL lets readers (reports, the sync worker) run beside the writer; FULL makes every
     * commit durable at the moment "success" is shown. */
    /* Checkpoints run when the kiosk is idle (kiosk_store_checkpoint), not inside a diner's
     * commit; the automatic one is kept, later, only as a bound on the WAL's size. */
    rc = store_exec(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
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
            rc = store_fail(store, code, "prepare " #name);                                        \
    }
    STORE_STATEMENTS(STORE_STMT_PREPARE)
#undef STORE_STMT_PREPARE
    if (rc != KIOSK_OK)
        snprintf(err, err_size, "%s: %s", path, store->message);
    return rc;
}

kiosk_rc kiosk_store_open(const char *path, kiosk_store **out, char *err, size_t err_size)
{
    return open_handle(path, out, err, err_size, false);
}

kiosk_rc kiosk_store_open_beside(const char *path, kiosk_store **out, char *err, size_t err_size)
{
    return open_handle(path, out, err, err_size, true);
}

void kiosk_store_close(kiosk_store *store)
{
    if (!store)
        return;
#define STORE_STMT_FINALIZE(name, sql) sqlite3_finalize(store->name);
    STORE_STATEMENTS(STORE_STMT_FINALIZE)
#undef STORE_STMT_FINALIZE
    sqlite3_finalize(store->sync_shadow_insert);
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
    kiosk_card_key_of_uid(store->card_key, uid, uid_len, out);
}

/* ID numbers are matched by a keyed hash too, in a separate domain from card UIDs. */
void kiosk_store_id_number_key(const kiosk_store *store, const char *number,
                               uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    kiosk_card_key_of_id_number(store->card_key, number, out);
}

bool store_step_done(sqlite3_stmt *st, int *code)
{
    *code = sqlite3_step(st);
    sqlite3_reset(st);
    return *code == SQLITE_DONE;
}

kiosk_rc kiosk_store_checkpoint(kiosk_store *store)
{
    int code = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return code == SQLITE_OK ? KIOSK_OK : store_fail(store, code, "checkpoint");
}
