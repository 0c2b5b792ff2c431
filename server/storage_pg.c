/* storage_pg.c - the PostgreSQL backend of the server's storage (storage.h), through libpq 15.
 * The statements of storage.c are prepared once per session ($N for ?N); rows come back one at
 * a time (single-row mode), so a month's settlement never sits in memory whole. Write
 * transactions take one transaction-level advisory lock: writers run one after another, as on
 * SQLite, so stream versions and server_seq grow in commit order (a puller can never skip a
 * change committed late with a smaller number). Reads run in REPEATABLE READ snapshots. Key
 * columns are COLLATE "C" so key order is byte order, the same as SQLite's. */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage.h"

/* Any constant: the one lock every writer of this database takes. */
#define WRITER_LOCK_KEY "7101954"

typedef struct pg_backend {
    PGconn *conn;
    const char *const *sql; /* borrowed from storage.c, for re-preparing after a reconnect */
    int count;
    char message[300];
} pg_backend;

typedef struct pg_row {
    PGresult *res;
} pg_row;

/* The schema, version 1 (meta.schema_version); the same tables and columns as SQLite's. */
static const char schema_v1[] =
    "CREATE TABLE meta(k text COLLATE \"C\" PRIMARY KEY, v text NOT NULL);"
    "CREATE TABLE counter(name text PRIMARY KEY, value bigint NOT NULL);"
    "INSERT INTO counter(name, value) VALUES ('stream_version', 0);"
    "CREATE TABLE site(site_id text COLLATE \"C\" PRIMARY KEY, name text NOT NULL,"
    "  city text NOT NULL, district text NOT NULL, street text NOT NULL,"
    "  timezone text NOT NULL, created_ms bigint NOT NULL);"
    "CREATE TABLE device(device_id text COLLATE \"C\" PRIMARY KEY,"
    "  site_id text COLLATE \"C\" NOT NULL REFERENCES site, canteen_id text NOT NULL,"
    "  secret_hex text, created_ms bigint NOT NULL, enrolled_ms bigint, revoked_ms bigint,"
    "  hw_info text);"
    "CREATE TABLE enroll_token(token_sha256 text COLLATE \"C\" PRIMARY KEY,"
    "  device_id text COLLATE \"C\" NOT NULL REFERENCES device, created_ms bigint NOT NULL,"
    "  expires_ms bigint NOT NULL, used_ms bigint);"
    "CREATE INDEX enroll_token_by_device ON enroll_token(device_id);"
    "CREATE TABLE heartbeat(device_id text COLLATE \"C\" PRIMARY KEY REFERENCES device,"
    "  received_ms bigint NOT NULL, body text NOT NULL, pending bigint,"
    "  oldest_pending_ms bigint, clock_offset_ms bigint, app_version text);"
    "CREATE TABLE records(server_seq bigserial PRIMARY KEY,"
    "  record_id text COLLATE \"C\" NOT NULL UNIQUE, device_id text COLLATE \"C\" NOT NULL,"
    "  device_seq bigint NOT NULL, kind text NOT NULL, payload text NOT NULL,"
    "  payload_sha256 text NOT NULL, created_wall_ms bigint NOT NULL,"
    "  received_ms bigint NOT NULL, est_created_ms bigint NOT NULL,"
    "  clock_offset_ms bigint NOT NULL, clock_suspect bigint NOT NULL,"
    "  site_id text COLLATE \"C\" NOT NULL, canteen_id text COLLATE \"C\","
    "  person_id text COLLATE \"C\", meal_type text COLLATE \"C\","
    "  business_date text COLLATE \"C\", subsidy_fen bigint, review_status text,"
    "  case_id bigint, UNIQUE(device_id, device_seq));"
    "CREATE INDEX records_meal_group ON records(person_id, meal_type, business_date)"
    "  WHERE subsidy_fen > 0;"
    "CREATE INDEX records_site_meals ON records(site_id, server_seq) WHERE kind = 'meal';"
    "CREATE INDEX records_site_dates ON records(site_id, business_date) WHERE kind = 'meal';"
    "CREATE INDEX records_case ON records(case_id) WHERE case_id IS NOT NULL;"
    "CREATE TABLE seq_range(device_id text COLLATE \"C\" NOT NULL, lo bigint NOT NULL,"
    "  hi bigint NOT NULL, PRIMARY KEY(device_id, lo));"
    "CREATE TABLE review_case(case_id bigserial PRIMARY KEY,"
    "  person_id text COLLATE \"C\" NOT NULL, meal_type text COLLATE \"C\" NOT NULL,"
    "  business_date text COLLATE \"C\" NOT NULL, status text NOT NULL,"
    "  opened_ms bigint NOT NULL, decided_ms bigint,"
    "  UNIQUE(person_id, meal_type, business_date));"
    "CREATE TABLE stream_row(site_id text COLLATE \"C\" NOT NULL, stream text COLLATE \"C\" NOT "
    "NULL,"
    "  row_key text COLLATE \"C\" NOT NULL, version bigint NOT NULL, body text,"
    "  changed_ms bigint NOT NULL, PRIMARY KEY(site_id, stream, row_key));"
    "CREATE INDEX stream_row_by_version ON stream_row(site_id, stream, version);"
    "CREATE TABLE stream_floor(site_id text COLLATE \"C\" NOT NULL,"
    "  stream text COLLATE \"C\" NOT NULL, floor_version bigint NOT NULL,"
    "  PRIMARY KEY(site_id, stream));"
    "INSERT INTO meta(k, v) VALUES ('schema_version', '1');";

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation exists, skipping" and the like are not errors */
}

/* The connection's or the result's message, on one line. */
static void keep_message(pg_backend *b, const char *what, const PGresult *res)
{
    const char *m = res ? PQresultErrorMessage(res) : "";
    if (!m || !*m)
        m = PQerrorMessage(b->conn);
    snprintf(b->message, sizeof b->message, "postgresql: %s: %s", what, m ? m : "");
    for (char *c = b->message; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    size_t n = strlen(b->message);
    while (n && b->message[n - 1] == ' ')
        b->message[--n] = '\0';
}

/* Lock and serialisation failures are worth a retry; a lost connection is I/O. */
static kiosk_rc rc_of(pg_backend *b, const PGresult *res)
{
    if (PQstatus(b->conn) != CONNECTION_OK)
        return KIOSK_ERR_IO;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0))
        return KIOSK_ERR_BUSY;
    if (state && strncmp(state, "53", 2) == 0) /* insufficient resources: disk full ... */
        return KIOSK_ERR_FULL;
    return KIOSK_ERR_DB;
}

/* A statement without parameters (transaction control, schema). */
static kiosk_rc exec(pg_backend *b, const char *sql, const char *what)
{
    PGresult *res = PQexec(b->conn, sql);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    kiosk_rc rc = KIOSK_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        keep_message(b, what, res);
        rc = rc_of(b, res);
    }
    PQclear(res);
    return rc;
}

static kiosk_rc pg_open(const char *conninfo, srv_backend **out, char *err, size_t err_size)
{
    pg_backend *b = calloc(1, sizeof *b);
    if (!b)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    b->conn = PQconnectdb(conninfo);
    if (!b->conn || PQstatus(b->conn) != CONNECTION_OK) {
        if (b->conn)
            keep_message(b, "connect", NULL);
        else
            snprintf(b->message, sizeof b->message, "postgresql: out of memory");
        snprintf(err, err_size, "%s", b->message);
        PQfinish(b->conn);
        free(b);
        return KIOSK_ERR_IO;
    }
    PQsetNoticeProcessor(b->conn, quiet_notices, NULL);
    /* A writer waits for the lock at most this long, then the request gets 503. */
    kiosk_rc rc = exec(b, "SET lock_timeout = '10s'; SET client_encoding = 'UTF8'", "settings");
    if (rc != KIOSK_OK) {
        snprintf(err, err_size, "%s", b->message);
        PQfinish(b->conn);
        free(b);
        return rc;
    }
    *out = (srv_backend *)b;
    return KIOSK_OK;
}

static void pg_close(srv_backend *backend)
{
    pg_backend *b = (pg_backend *)backend;
    PQfinish(b->conn);
    free(b);
}

/* Added after version 1 (the admin page's tables, remote configuration): run on every start, so
 * a database made by an older server gains them. */
static const char schema_admin[] =
    "CREATE TABLE IF NOT EXISTS admin_user(name text COLLATE \"C\" PRIMARY KEY,"
    "  pwhash text NOT NULL, failures bigint NOT NULL, locked_until_ms bigint NOT NULL,"
    "  created_ms bigint NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alert(alert_id bigserial PRIMARY KEY, created_ms bigint NOT NULL,"
    "  site_id text COLLATE \"C\", device_id text COLLATE \"C\", kind text NOT NULL,"
    "  detail text NOT NULL, resolved_ms bigint);"
    "CREATE INDEX IF NOT EXISTS alert_open ON alert(alert_id) WHERE resolved_ms IS NULL;"
    "CREATE TABLE IF NOT EXISTS device_config(device_id text COLLATE \"C\" PRIMARY KEY"
    "  REFERENCES device, version bigint NOT NULL, body text NOT NULL, signature text NOT NULL,"
    "  created_ms bigint NOT NULL);";

static kiosk_rc pg_migrate(srv_backend *backend, bool *created)
{
    pg_backend *b = (pg_backend *)backend;
    *created = false;
    kiosk_rc rc = exec(b, "BEGIN; SELECT pg_advisory_xact_lock(" WRITER_LOCK_KEY ")", "migrate");
    if (rc != KIOSK_OK)
        return rc;
    PGresult *res = PQexec(b->conn, "SELECT to_regclass('meta') IS NULL");
    bool empty = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                 strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        keep_message(b, "migrate", res);
        rc = rc_of(b, res);
    }
    PQclear(res);
    if (rc == KIOSK_OK && empty) {
        rc = exec(b, schema_v1, "schema");
        *created = rc == KIOSK_OK;
    }
    if (rc == KIOSK_OK)
        rc = exec(b, schema_admin, "schema");
    if (rc == KIOSK_OK)
        return exec(b, "COMMIT", "migrate");
    PQclear(PQexec(b->conn, "ROLLBACK"));
    return rc;
}

/* Prepares every statement as "sN", rewriting ?N placeholders to $N. */
static kiosk_rc prepare_all(pg_backend *b)
{
    for (int i = 0; i < b->count; i++) {
        const char *src = b->sql[i];
        char *sql = malloc(strlen(src) + 1);
        if (!sql)
            return KIOSK_ERR_NOMEM;
        size_t n = 0;
        for (const char *c = src; *c; c++)
            sql[n++] = *c == '?' && isdigit((unsigned char)c[1]) ? '$' : *c;
        sql[n] = '\0';
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        PGresult *res = PQprepare(b->conn, name, sql, 0, NULL);
        free(sql);
        kiosk_rc rc = KIOSK_OK;
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
            char what[48];
            snprintf(what, sizeof what, "prepare statement %d", i);
            keep_message(b, what, res);
            rc = rc_of(b, res);
        }
        PQclear(res);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static kiosk_rc pg_prepare(srv_backend *backend, int count, const char *const *sql)
{
    pg_backend *b = (pg_backend *)backend;
    b->sql = sql;
    b->count = count;
    return prepare_all(b);
}

/* A connection lost between requests (the database restarted) is made again, with its
 * statements, before the next transaction. */
static kiosk_rc reconnect(pg_backend *b)
{
    if (PQstatus(b->conn) == CONNECTION_OK)
        return KIOSK_OK;
    PQreset(b->conn);
    if (PQstatus(b->conn) != CONNECTION_OK) {
        keep_message(b, "reconnect", NULL);
        return KIOSK_ERR_IO;
    }
    kiosk_rc rc = exec(b, "SET lock_timeout = '10s'; SET client_encoding = 'UTF8'", "settings");
    return rc == KIOSK_OK ? prepare_all(b) : rc;
}

static kiosk_rc pg_begin(srv_backend *backend, bool write)
{
    pg_backend *b = (pg_backend *)backend;
    kiosk_rc rc = reconnect(b);
    if (rc != KIOSK_OK)
        return rc;
    rc = exec(b,
              write ? "BEGIN; SELECT pg_advisory_xact_lock(" WRITER_LOCK_KEY ")"
                    : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
              "begin");
    if (rc != KIOSK_OK && PQtransactionStatus(b->conn) != PQTRANS_IDLE)
        PQclear(PQexec(b->conn, "ROLLBACK"));
    return rc;
}

static kiosk_rc pg_commit(srv_backend *backend)
{
    pg_backend *b = (pg_backend *)backend;
    /* COMMIT of a transaction that failed earlier reports ROLLBACK and no error: refuse it. */
    if (PQtransactionStatus(b->conn) == PQTRANS_INERROR) {
        PQclear(PQexec(b->conn, "ROLLBACK"));
        snprintf(b->message, sizeof b->message, "postgresql: commit of a failed transaction");
        return KIOSK_ERR_DB;
    }
    PGresult *res = PQexec(b->conn, "COMMIT");
    kiosk_rc rc = KIOSK_OK;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK ||
        strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        keep_message(b, "commit", res);
        rc = rc_of(b, res);
        if (rc == KIOSK_OK)
            rc = KIOSK_ERR_DB;
    }
    PQclear(res);
    return rc;
}

static void pg_rollback(srv_backend *backend)
{
    pg_backend *b = (pg_backend *)backend;
    if (PQstatus(b->conn) == CONNECTION_OK && PQtransactionStatus(b->conn) != PQTRANS_IDLE)
        PQclear(PQexec(b->conn, "ROLLBACK"));
}

static const char *pg_col_text(const srv_row *row, int col)
{
    const pg_row *r = row->impl;
    if (col >= PQnfields(r->res) || PQgetisnull(r->res, 0, col))
        return NULL;
    return PQgetvalue(r->res, 0, col);
}

static int64_t pg_col_int(const srv_row *row, int col)
{
    const char *v = pg_col_text(row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

static bool pg_col_null(const srv_row *row, int col)
{
    const pg_row *r = row->impl;
    return col >= PQnfields(r->res) || PQgetisnull(r->res, 0, col);
}

static kiosk_rc pg_run(srv_backend *backend, int q, const srv_value *params, int nparams,
                       srv_row_fn fn, void *user, long *changes)
{
    pg_backend *b = (pg_backend *)backend;
    if (q < 0 || q >= b->count || nparams > 32)
        return KIOSK_ERR_INVALID;
    char numbers[32][24];
    const char *values[32];
    for (int i = 0; i < nparams; i++) {
        const srv_value *v = &params[i];
        if (v->kind == SRV_INT) {
            snprintf(numbers[i], sizeof numbers[i], "%lld", (long long)v->i);
            values[i] = numbers[i];
        } else {
            values[i] = v->kind == SRV_TEXT ? v->s : NULL;
        }
    }
    char name[16];
    snprintf(name, sizeof name, "s%d", q);
    if (changes)
        *changes = 0;
    if (!PQsendQueryPrepared(b->conn, name, nparams, values, NULL, NULL, 0)) {
        keep_message(b, "send", NULL);
        return rc_of(b, NULL);
    }
    PQsetSingleRowMode(b->conn);
    kiosk_rc rc = KIOSK_OK;
    PGresult *res;
    /* Every result is read, even after a failure, so the connection is ready for the next. */
    while ((res = PQgetResult(b->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE) {
            if (rc == KIOSK_OK && fn) {
                pg_row r = {res};
                srv_row row = {.ops = &srv_pg_ops, .impl = &r};
                rc = fn(user, &row);
            }
        } else if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            if (changes && rc == KIOSK_OK)
                *changes = atol(PQcmdTuples(res));
        } else if (rc == KIOSK_OK) {
            keep_message(b, "query", res);
            rc = rc_of(b, res);
        }
        PQclear(res);
    }
    return rc;
}

/* PostgreSQL checkpoints itself. */
static kiosk_rc pg_checkpoint(srv_backend *backend)
{
    (void)backend;
    return KIOSK_OK;
}

static const char *pg_message(const srv_backend *backend)
{
    return ((const pg_backend *)backend)->message;
}

const srv_backend_ops srv_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .prepare = pg_prepare,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .run = pg_run,
    .message = pg_message,
    .checkpoint = pg_checkpoint,
    .manual_checkpoints = pg_checkpoint,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
};
