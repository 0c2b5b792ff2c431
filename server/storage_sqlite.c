/* storage_sqlite.c - the SQLite backend of the server's storage (storage.h): one connection to a
 * WAL database with synchronous=FULL (a batch is acknowledged only after its commit is on disk),
 * its schema as numbered migrations keyed on PRAGMA user_version, and the statements of
 * storage.c prepared once per connection. Writers take the write lock at BEGIN IMMEDIATE, so a
 * transaction never fails half-way for want of it; busy_timeout lets them queue. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage.h"

#define BUSY_TIMEOUT_MS 10000

typedef struct sqlite_backend {
    sqlite3 *db;
    sqlite3_stmt **stmts;
    int count;
    bool writing; /* holds writer_lock */
    char message[300];
} sqlite_backend;

/* The writers of this process queue here rather than in SQLite's busy handler, which polls the
 * file lock with sleeps of up to 100 ms: with several request threads uploading at once, the
 * lock would sit free most of the time between them. Other processes (the administrator's
 * commands) still meet the file lock and busy_timeout. */
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;

static void release_writer(sqlite_backend *b)
{
    if (b->writing) {
        b->writing = false;
        pthread_mutex_unlock(&writer_lock);
    }
}

/* Never edit a released migration; append one. */
static const char *const migrations[] = {
    /* 1: sites, devices, records, review cases, reference-data streams. */
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT;"
    "CREATE TABLE counter(name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;"
    "INSERT INTO counter(name, value) VALUES ('stream_version', 0);"
    "CREATE TABLE site(site_id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL,"
    "  district TEXT NOT NULL, street TEXT NOT NULL, timezone TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL) STRICT;"
    "CREATE TABLE device(device_id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES site,"
    "  canteen_id TEXT NOT NULL, secret_hex TEXT, created_ms INTEGER NOT NULL,"
    "  enrolled_ms INTEGER, revoked_ms INTEGER, hw_info TEXT) STRICT;"
    "CREATE TABLE enroll_token(token_sha256 TEXT PRIMARY KEY,"
    "  device_id TEXT NOT NULL REFERENCES device, created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL, used_ms INTEGER) STRICT;"
    "CREATE INDEX enroll_token_by_device ON enroll_token(device_id);"
    "CREATE TABLE heartbeat(device_id TEXT PRIMARY KEY REFERENCES device,"
    "  received_ms INTEGER NOT NULL, body TEXT NOT NULL, pending INTEGER,"
    "  oldest_pending_ms INTEGER, clock_offset_ms INTEGER, app_version TEXT) STRICT;"
    "CREATE TABLE records(server_seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE,"
    "  device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  payload TEXT NOT NULL, payload_sha256 TEXT NOT NULL, created_wall_ms INTEGER NOT NULL,"
    "  received_ms INTEGER NOT NULL, est_created_ms INTEGER NOT NULL,"
    "  clock_offset_ms INTEGER NOT NULL, clock_suspect INTEGER NOT NULL,"
    "  site_id TEXT NOT NULL, canteen_id TEXT, person_id TEXT, meal_type TEXT,"
    "  business_date TEXT, subsidy_fen INTEGER, review_status TEXT, case_id INTEGER,"
    "  UNIQUE(device_id, device_seq)) STRICT;"
    "CREATE INDEX records_meal_group ON records(person_id, meal_type, business_date)"
    "  WHERE subsidy_fen > 0;"
    "CREATE INDEX records_site_meals ON records(site_id, server_seq) WHERE kind = 'meal';"
    "CREATE INDEX records_site_dates ON records(site_id, business_date) WHERE kind = 'meal';"
    "CREATE INDEX records_case ON records(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE seq_range(device_id TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
    "  PRIMARY KEY(device_id, lo)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE review_case(case_id INTEGER PRIMARY KEY, person_id TEXT NOT NULL,"
    "  meal_type TEXT NOT NULL, business_date TEXT NOT NULL, status TEXT NOT NULL,"
    "  opened_ms INTEGER NOT NULL, decided_ms INTEGER,"
    "  UNIQUE(person_id, meal_type, business_date)) STRICT;"
    "CREATE TABLE stream_row(site_id TEXT NOT NULL, stream TEXT NOT NULL, row_key TEXT NOT NULL,"
    "  version INTEGER NOT NULL, body TEXT, changed_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(site_id, stream, row_key)) STRICT, WITHOUT ROWID;"
    "CREATE INDEX stream_row_by_version ON stream_row(site_id, stream, version);"
    "CREATE TABLE stream_floor(site_id TEXT NOT NULL, stream TEXT NOT NULL,"
    "  floor_version INTEGER NOT NULL, PRIMARY KEY(site_id, stream)) STRICT, WITHOUT ROWID;",
    /* 2: the admin page's users (their lockout survives a restart) and the staff alerts. */
    "CREATE TABLE admin_user(name TEXT PRIMARY KEY, pwhash TEXT NOT NULL,"
    "  failures INTEGER NOT NULL, locked_until_ms INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL) STRICT;"
    "CREATE TABLE alert(alert_id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL,"
    "  site_id TEXT, device_id TEXT, kind TEXT NOT NULL, detail TEXT NOT NULL,"
    "  resolved_ms INTEGER) STRICT;"
    "CREATE INDEX alert_open ON alert(alert_id) WHERE resolved_ms IS NULL;",
    /* 3: each kiosk's signed remote configuration. */
    "CREATE TABLE device_config(device_id TEXT PRIMARY KEY REFERENCES device,"
    "  version INTEGER NOT NULL, body TEXT NOT NULL, signature TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL) STRICT;",
};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

static kiosk_rc rc_of(int code)
{
    switch (code & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
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

static kiosk_rc fail(sqlite_backend *b, int code, const char *what)
{
    snprintf(b->message, sizeof b->message, "sqlite: %s: %s", what,
             b->db ? sqlite3_errmsg(b->db) : sqlite3_errstr(code));
    return rc_of(code);
}

static kiosk_rc exec(sqlite_backend *b, const char *sql)
{
    int code = sqlite3_exec(b->db, sql, NULL, NULL, NULL);
    return code == SQLITE_OK ? KIOSK_OK : fail(b, code, "exec");
}

static kiosk_rc sq_open(const char *path, srv_backend **out, char *err, size_t err_size)
{
    sqlite_backend *b = calloc(1, sizeof *b);
    if (!b)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    int code = sqlite3_open_v2(
        path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    kiosk_rc rc = code == SQLITE_OK ? KIOSK_OK : fail(b, code, path);
    if (rc == KIOSK_OK)
        sqlite3_busy_timeout(b->db, BUSY_TIMEOUT_MS);
    /* WAL lets pulls read while a batch is written; FULL makes each commit durable before the
     * reply that acknowledges it. */
    if (rc == KIOSK_OK)
        rc = exec(b, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON;");
    /* A bigger page cache than SQLite's 2 MiB keeps a batch's index pages at hand (the writer
     * connection keeps its cache between batches); reads map the file instead of copying it. */
    if (rc == KIOSK_OK)
        rc = exec(b, "PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456;");
    if (rc != KIOSK_OK) {
        snprintf(err, err_size, "%s", b->message);
        sqlite3_close(b->db);
        free(b);
        return rc;
    }
    *out = (srv_backend *)b;
    return KIOSK_OK;
}

static void sq_close(srv_backend *backend)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    release_writer(b);
    for (int i = 0; i < b->count; i++)
        sqlite3_finalize(b->stmts[i]);
    free(b->stmts);
    sqlite3_close(b->db);
    free(b);
}

static kiosk_rc sq_migrate(srv_backend *backend, bool *created)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    kiosk_rc rc = exec(b, "BEGIN IMMEDIATE");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(b->db, "PRAGMA user_version", -1, &st, NULL);
    int version = 0;
    if (code == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    *created = version == 0;
    if (version > MIGRATION_COUNT) {
        snprintf(b->message, sizeof b->message,
                 "sqlite: the database has schema %d, newer than this server's %d", version,
                 MIGRATION_COUNT);
        rc = KIOSK_ERR_CONFIG;
    }
    for (; rc == KIOSK_OK && version < MIGRATION_COUNT; version++) {
        rc = exec(b, migrations[version]);
        if (rc == KIOSK_OK) {
            char sql[48];
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
            rc = exec(b, sql);
        }
    }
    if (rc == KIOSK_OK)
        return exec(b, "COMMIT");
    sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static kiosk_rc sq_prepare(srv_backend *backend, int count, const char *const *sql)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    b->stmts = calloc((size_t)count, sizeof *b->stmts);
    if (!b->stmts)
        return KIOSK_ERR_NOMEM;
    b->count = count;
    for (int i = 0; i < count; i++) {
        int code =
            sqlite3_prepare_v3(b->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &b->stmts[i], NULL);
        if (code != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "prepare statement %d", i);
            return fail(b, code, what);
        }
    }
    return KIOSK_OK;
}

static kiosk_rc sq_begin(srv_backend *backend, bool write)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    if (write && !b->writing) {
        pthread_mutex_lock(&writer_lock);
        b->writing = true;
    }
    kiosk_rc rc = exec(b, write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc != KIOSK_OK)
        release_writer(b);
    return rc;
}

static kiosk_rc sq_commit(srv_backend *backend)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    kiosk_rc rc = exec(b, "COMMIT");
    if (rc != KIOSK_OK)
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    release_writer(b);
    return rc;
}

static void sq_rollback(srv_backend *backend)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    if (!sqlite3_get_autocommit(b->db))
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    release_writer(b);
}

static const char *sq_col_text(const srv_row *row, int col)
{
    return (const char *)sqlite3_column_text((sqlite3_stmt *)row->impl, col);
}

static int64_t sq_col_int(const srv_row *row, int col)
{
    return sqlite3_column_int64((sqlite3_stmt *)row->impl, col);
}

static bool sq_col_null(const srv_row *row, int col)
{
    return sqlite3_column_type((sqlite3_stmt *)row->impl, col) == SQLITE_NULL;
}

static kiosk_rc sq_run(srv_backend *backend, int q, const srv_value *params, int nparams,
                       srv_row_fn fn, void *user, long *changes)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    if (q < 0 || q >= b->count)
        return KIOSK_ERR_INVALID;
    sqlite3_stmt *st = b->stmts[q];
    for (int i = 0; i < nparams; i++) {
        const srv_value *v = &params[i];
        if (v->kind == SRV_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else if (v->kind == SRV_TEXT)
            sqlite3_bind_text(st, i + 1, v->s, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    srv_row row = {.ops = &srv_sqlite_ops, .impl = st};
    kiosk_rc rc = KIOSK_OK;
    int code;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn && rc == KIOSK_OK)
            rc = fn(user, &row);
        if (rc != KIOSK_OK)
            break;
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = fail(b, code, "step");
    if (changes)
        *changes = rc == KIOSK_OK ? (long)sqlite3_changes(b->db) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static kiosk_rc sq_checkpoint(srv_backend *backend)
{
    sqlite_backend *b = (sqlite_backend *)backend;
    int code = sqlite3_wal_checkpoint_v2(b->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return code == SQLITE_OK || code == SQLITE_BUSY ? KIOSK_OK : fail(b, code, "checkpoint");
}

static kiosk_rc sq_manual_checkpoints(srv_backend *backend)
{
    return exec((sqlite_backend *)backend, "PRAGMA wal_autocheckpoint = 0");
}

static const char *sq_message(const srv_backend *backend)
{
    return ((const sqlite_backend *)backend)->message;
}

const srv_backend_ops srv_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .prepare = sq_prepare,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .run = sq_run,
    .message = sq_message,
    .checkpoint = sq_checkpoint,
    .manual_checkpoints = sq_manual_checkpoints,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_null = sq_col_null,
};
