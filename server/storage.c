/* storage.c - the server's queries, written once for both backends (storage.h), and the named
 * operations built on them. A query uses ?1, ?2 ... placeholders and CASTs wherever PostgreSQL
 * could not infer a parameter's type; key columns compare in byte order in both databases (the
 * PostgreSQL schema declares them COLLATE "C"). */
#include "storage.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#define KIOSK_LOG_MODULE "storage"

#define SRV_STATEMENTS(X)                                                                         \
    X(META_GET, "SELECT v FROM meta WHERE k = ?1")                                                \
    X(META_PUT, "INSERT INTO meta(k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v ="        \
                " excluded.v")                                                                    \
    X(VERSION_TAKE, "UPDATE counter SET value = value + CAST(?1 AS BIGINT)"                       \
                    " WHERE name = 'stream_version' RETURNING value")                             \
    X(VERSION_NOW, "SELECT value FROM counter WHERE name = 'stream_version'")                     \
    X(SITE_ADD, "INSERT INTO site(site_id, name, city, district, street, timezone, created_ms)"   \
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS BIGINT)) ON CONFLICT DO NOTHING")    \
    X(SITE_GET, "SELECT site_id, name, city, district, street, timezone, created_ms FROM site"    \
                " WHERE site_id = ?1")                                                            \
    X(SITE_LIST, "SELECT site_id, name, city, district, street, timezone, created_ms FROM site"   \
                 " ORDER BY site_id")                                                             \
    X(DEVICE_ADD, "INSERT INTO device(device_id, site_id, canteen_id, created_ms)"                \
                  " VALUES (?1, ?2, ?3, CAST(?4 AS BIGINT)) ON CONFLICT DO NOTHING")              \
    X(DEVICE_GET, DEVICE_SELECT " WHERE d.device_id = ?1")                                        \
    X(DEVICE_LIST, DEVICE_SELECT " ORDER BY d.device_id")                                         \
    X(DEVICE_ENROLL, "UPDATE device SET secret_hex = ?2, enrolled_ms = CAST(?3 AS BIGINT),"       \
                     " hw_info = ?4 WHERE device_id = ?1 AND enrolled_ms IS NULL"                 \
                     " AND revoked_ms IS NULL")                                                   \
    X(DEVICE_REVOKE, "UPDATE device SET revoked_ms = CAST(?2 AS BIGINT) WHERE device_id = ?1"     \
                     " AND revoked_ms IS NULL")                                                   \
    X(TOKEN_ADD, "INSERT INTO enroll_token(token_sha256, device_id, created_ms, expires_ms)"      \
                 " VALUES (?1, ?2, CAST(?3 AS BIGINT), CAST(?4 AS BIGINT))")                      \
    X(TOKEN_GET, "SELECT device_id, created_ms, expires_ms, used_ms FROM enroll_token"            \
                 " WHERE token_sha256 = ?1")                                                      \
    X(TOKEN_USE, "UPDATE enroll_token SET used_ms = CAST(?2 AS BIGINT) WHERE token_sha256 = ?1"   \
                 " AND used_ms IS NULL")                                                          \
    X(TOKEN_SPEND_DEVICE, "UPDATE enroll_token SET used_ms = CAST(?2 AS BIGINT)"                  \
                          " WHERE device_id = ?1 AND used_ms IS NULL")                            \
    X(HEARTBEAT_PUT,                                                                              \
      "INSERT INTO heartbeat(device_id, received_ms, body, pending, oldest_pending_ms,"           \
      " clock_offset_ms, app_version) VALUES (?1, CAST(?2 AS BIGINT), ?3, CAST(?4 AS BIGINT),"    \
      " CAST(?5 AS BIGINT), CAST(?6 AS BIGINT), ?7) ON CONFLICT (device_id) DO UPDATE SET"        \
      " received_ms = excluded.received_ms, body = excluded.body, pending = excluded.pending,"    \
      " oldest_pending_ms = excluded.oldest_pending_ms,"                                          \
      " clock_offset_ms = excluded.clock_offset_ms, app_version = excluded.app_version")          \
    X(RECORD_INSERT,                                                                              \
      "INSERT INTO records(record_id, device_id, device_seq, kind, payload, payload_sha256,"      \
      " created_wall_ms, received_ms, est_created_ms, clock_offset_ms, clock_suspect, site_id,"   \
      " canteen_id, person_id, meal_type, business_date, subsidy_fen) VALUES (?1, ?2,"            \
      " CAST(?3 AS BIGINT), ?4, ?5, ?6, CAST(?7 AS BIGINT), CAST(?8 AS BIGINT),"                  \
      " CAST(?9 AS BIGINT), CAST(?10 AS BIGINT), CAST(?11 AS BIGINT), ?12, ?13, ?14, ?15, ?16,"   \
      " CAST(?17 AS BIGINT)) ON CONFLICT DO NOTHING RETURNING server_seq")                        \
    X(RECORD_HASH, "SELECT payload_sha256 FROM records WHERE record_id = ?1")                     \
    X(CHECKINS_CHANGES, "SELECT record_id, server_seq, payload FROM records WHERE site_id = ?1"   \
                        " AND kind = 'checkin' AND server_seq > CAST(?2 AS BIGINT)"               \
                        " AND device_id <> ?3 AND business_date >= ?4 ORDER BY server_seq"        \
                        " LIMIT CAST(?5 AS BIGINT)")                                              \
    X(CHECKINS_LIVE, "SELECT record_id, server_seq, payload FROM records WHERE site_id = ?1"      \
                     " AND kind = 'checkin' AND business_date >= ?4 AND device_id <> ?3"          \
                     " AND record_id > ?2 ORDER BY record_id LIMIT CAST(?5 AS BIGINT)")           \
    X(RECORD_SET_REVIEW, "UPDATE records SET review_status = ?2, case_id = CAST(?3 AS BIGINT)"    \
                         " WHERE record_id = ?1")                                                 \
    X(RECORD_VOID, "UPDATE records SET review_status = ?3 WHERE record_id = ?1"                   \
                   " AND device_id = ?2 AND kind = 'meal'")                                       \
    X(RECORD_MAX_SEQ, "SELECT coalesce(max(server_seq), 0) FROM records")                         \
    X(MEAL_GROUP, "SELECT record_id, est_created_ms, review_status, case_id FROM records"         \
                  " WHERE person_id = ?1 AND meal_type = ?2 AND business_date = ?3"               \
                  " AND subsidy_fen > 0")                                                         \
    X(SEQ_LEFT, "SELECT lo FROM seq_range WHERE device_id = ?1 AND hi = CAST(?2 AS BIGINT)")      \
    X(SEQ_RIGHT, "SELECT hi FROM seq_range WHERE device_id = ?1 AND lo = CAST(?2 AS BIGINT)")     \
    X(SEQ_DELETE, "DELETE FROM seq_range WHERE device_id = ?1 AND lo = CAST(?2 AS BIGINT)")       \
    X(SEQ_INSERT, "INSERT INTO seq_range(device_id, lo, hi) VALUES (?1, CAST(?2 AS BIGINT),"      \
                  " CAST(?3 AS BIGINT))")                                                         \
    X(SEQ_LIST, "SELECT lo, hi FROM seq_range WHERE device_id = ?1 ORDER BY lo")                  \
    X(CASE_OPEN,                                                                                  \
      "INSERT INTO review_case(person_id, meal_type, business_date, status, opened_ms)"           \
      " VALUES (?1, ?2, ?3, 'open', CAST(?4 AS BIGINT))"                                          \
      " ON CONFLICT (person_id, meal_type, business_date) DO UPDATE SET status = 'open',"         \
      " decided_ms = NULL RETURNING case_id")                                                     \
    X(CASE_LIST, CASE_SELECT " WHERE CAST(?1 AS BIGINT) = 1 OR status = 'open' ORDER BY case_id") \
    X(CASE_GET, CASE_SELECT " WHERE case_id = CAST(?1 AS BIGINT)")                                \
    X(CASE_MEALS, "SELECT record_id, device_id, canteen_id, est_created_ms, subsidy_fen,"         \
                  " review_status FROM records WHERE case_id = CAST(?1 AS BIGINT)"                \
                  " ORDER BY est_created_ms, record_id")                                          \
    X(CASE_DECIDE_MEALS, "UPDATE records SET review_status = ?2"                                  \
                         " WHERE case_id = CAST(?1 AS BIGINT) AND review_status = ?3")            \
    X(CASE_DECIDE, "UPDATE review_case SET status = ?2, decided_ms = CAST(?3 AS BIGINT)"          \
                   " WHERE case_id = CAST(?1 AS BIGINT)")                                         \
    X(STREAM_GET,                                                                                 \
      "SELECT row_key, version, body FROM stream_row WHERE site_id = ?1 AND stream = ?2"          \
      " AND row_key = ?3")                                                                        \
    X(STREAM_PUT,                                                                                 \
      "INSERT INTO stream_row(site_id, stream, row_key, version, body, changed_ms)"               \
      " VALUES (?1, ?2, ?3, CAST(?4 AS BIGINT), ?5, CAST(?6 AS BIGINT))"                          \
      " ON CONFLICT (site_id, stream, row_key) DO UPDATE SET version = excluded.version,"         \
      " body = excluded.body, changed_ms = excluded.changed_ms")                                  \
    X(STREAM_CHANGES, "SELECT row_key, version, body FROM stream_row WHERE site_id = ?1"          \
                      " AND stream = ?2 AND version > CAST(?3 AS BIGINT) ORDER BY version"        \
                      " LIMIT CAST(?4 AS BIGINT)")                                                \
    X(STREAM_CHANGES2, "SELECT row_key, version, body FROM stream_row WHERE site_id IN (?1, ?5)"  \
                       " AND stream = ?2 AND version > CAST(?3 AS BIGINT) ORDER BY version"       \
                       " LIMIT CAST(?4 AS BIGINT)")                                               \
    X(STREAM_LIVE,                                                                                \
      "SELECT row_key, version, body FROM stream_row WHERE site_id = ?1 AND stream = ?2"          \
      " AND row_key > ?3 AND body IS NOT NULL ORDER BY row_key LIMIT CAST(?4 AS BIGINT)")         \
    X(STREAM_LIVE2, "SELECT row_key, version, body FROM stream_row WHERE site_id IN (?1, ?5)"     \
                    " AND stream = ?2 AND row_key > ?3 AND body IS NOT NULL ORDER BY row_key"     \
                    " LIMIT CAST(?4 AS BIGINT)")                                                  \
    X(STREAM_FLOOR, "SELECT coalesce(max(floor_version), 0) FROM stream_floor"                    \
                    " WHERE site_id IN (?1, ?2) AND stream = ?3")                                 \
    X(STREAM_TOMB_MAX, "SELECT coalesce(max(version), 0) FROM stream_row WHERE site_id = ?1"      \
                       " AND stream = ?2 AND body IS NULL AND changed_ms <= CAST(?3 AS BIGINT)")  \
    X(STREAM_TOMB_DROP, "DELETE FROM stream_row WHERE site_id = ?1 AND stream = ?2"               \
                        " AND body IS NULL AND changed_ms <= CAST(?3 AS BIGINT)")                 \
    X(STREAM_FLOOR_RAISE,                                                                         \
      "INSERT INTO stream_floor(site_id, stream, floor_version)"                                  \
      " VALUES (?1, ?2, CAST(?3 AS BIGINT)) ON CONFLICT (site_id, stream) DO UPDATE SET"          \
      " floor_version = CASE WHEN excluded.floor_version > stream_floor.floor_version"            \
      " THEN excluded.floor_version ELSE stream_floor.floor_version END")                         \
    X(MEALS_CHANGES, "SELECT record_id, server_seq, payload FROM records WHERE site_id = ?1"      \
                     " AND kind = 'meal' AND server_seq > CAST(?2 AS BIGINT)"                     \
                     " AND device_id <> ?3 AND business_date >= ?4 ORDER BY server_seq"           \
                     " LIMIT CAST(?5 AS BIGINT)")                                                 \
    X(MEALS_LIVE, "SELECT record_id, server_seq, payload FROM records WHERE site_id = ?1"         \
                  " AND kind = 'meal' AND business_date >= ?4 AND device_id <> ?3"                \
                  " AND record_id > ?2 ORDER BY record_id LIMIT CAST(?5 AS BIGINT)")              \
    X(SETTLE_MEALS, "SELECT record_id, device_id, site_id, payload, review_status FROM records"   \
                    " WHERE kind = 'meal' AND site_id = ?3 AND business_date >= ?1"               \
                    " AND business_date < ?2 ORDER BY business_date, record_id")                  \
    SRV_STATEMENTS_ADMIN(X)

/* The admin page's: its users, the staff alerts, the heartbeat bodies of the fleet table. */
#define SRV_STATEMENTS_ADMIN(X)                                                                \
    X(ADMIN_USER_PUT,                                                                          \
      "INSERT INTO admin_user(name, pwhash, failures, locked_until_ms, created_ms)"            \
      " VALUES (?1, ?2, 0, 0, CAST(?3 AS BIGINT)) ON CONFLICT (name) DO UPDATE SET"            \
      " pwhash = excluded.pwhash, failures = 0, locked_until_ms = 0")                          \
    X(ADMIN_USER_GET, "SELECT name, pwhash, failures, locked_until_ms, created_ms"             \
                      " FROM admin_user WHERE name = ?1")                                      \
    X(ADMIN_USER_FAILURES, "UPDATE admin_user SET failures = CAST(?2 AS BIGINT),"              \
                           " locked_until_ms = CAST(?3 AS BIGINT) WHERE name = ?1")            \
    X(ALERT_ADD, "INSERT INTO alert(created_ms, site_id, device_id, kind, detail)"             \
                 " VALUES (CAST(?1 AS BIGINT), ?2, ?3, ?4, ?5) RETURNING alert_id")            \
    X(ALERT_LIST, "SELECT alert_id, created_ms, site_id, device_id, kind, detail, resolved_ms" \
                  " FROM alert WHERE CAST(?1 AS BIGINT) = 1 OR resolved_ms IS NULL"            \
                  " ORDER BY alert_id DESC LIMIT CAST(?2 AS BIGINT)")                          \
    X(ALERT_RESOLVE, "UPDATE alert SET resolved_ms = CAST(?2 AS BIGINT)"                       \
                     " WHERE alert_id = CAST(?1 AS BIGINT) AND resolved_ms IS NULL")           \
    X(HEARTBEAT_LIST, "SELECT device_id, received_ms, body FROM heartbeat ORDER BY device_id") \
    X(CONFIG_PUT,                                                                              \
      "INSERT INTO device_config(device_id, version, body, signature, created_ms)"             \
      " VALUES (?1, CAST(?2 AS BIGINT), ?3, ?4, CAST(?5 AS BIGINT)) ON CONFLICT (device_id)"   \
      " DO UPDATE SET version = excluded.version, body = excluded.body,"                       \
      " signature = excluded.signature, created_ms = excluded.created_ms")                     \
    X(CONFIG_GET, "SELECT version, body, signature FROM device_config WHERE device_id = ?1")

#define DEVICE_SELECT                                                                         \
    "SELECT d.device_id, d.site_id, d.canteen_id, d.secret_hex, d.created_ms, d.enrolled_ms," \
    " d.revoked_ms, h.received_ms, h.pending, h.oldest_pending_ms, h.clock_offset_ms,"        \
    " h.app_version FROM device d LEFT JOIN heartbeat h ON h.device_id = d.device_id"
#define CASE_SELECT                                                                      \
    "SELECT case_id, person_id, meal_type, business_date, status, opened_ms, decided_ms" \
    " FROM review_case"

enum {
#define STMT_ENUM(name, sql) Q_##name,
    SRV_STATEMENTS(STMT_ENUM)
#undef STMT_ENUM
        Q_COUNT
};

static const char *const statement_sql[] = {
#define STMT_SQL(name, sql) sql,
    SRV_STATEMENTS(STMT_SQL)
#undef STMT_SQL
};

struct srv_store {
    const srv_backend_ops *ops;
    srv_backend *b;
    char message[400];
};

/* --- rows and parameters ------------------------------------------------------------------- */

const char *srv_row_text(const srv_row *row, int col)
{
    return row->ops->col_text(row, col);
}

int64_t srv_row_int(const srv_row *row, int col)
{
    return row->ops->col_int(row, col);
}

bool srv_row_null(const srv_row *row, int col)
{
    return row->ops->col_null(row, col);
}

static void copy_col(char *dst, size_t size, const srv_row *row, int col)
{
    const char *v = srv_row_text(row, col);
    snprintf(dst, size, "%s", v ? v : "");
}

static srv_value text(const char *s)
{
    return (srv_value){.kind = s ? SRV_TEXT : SRV_NULL, .s = s};
}

static srv_value integer(int64_t i)
{
    return (srv_value){.kind = SRV_INT, .i = i};
}

static srv_value null_value(void)
{
    return (srv_value){.kind = SRV_NULL};
}

/* An int64 that is NULL when negative (the "not given" of heartbeats). */
static srv_value int_or_null(int64_t i)
{
    return i < 0 ? null_value() : integer(i);
}

/* Runs a statement; the backend's message is kept on the store. */
static kiosk_rc run(srv_store *st, int q, const srv_value *p, int n, srv_row_fn fn, void *user,
                    long *changes)
{
    kiosk_rc rc = st->ops->run(st->b, q, p, n, fn, user, changes);
    if (rc != KIOSK_OK && st->ops->message(st->b)[0])
        snprintf(st->message, sizeof st->message, "%s", st->ops->message(st->b));
    return rc;
}

#define RUN(st, q, fn, user, changes, ...)                                                 \
    run((st), (q), (const srv_value[]){__VA_ARGS__},                                       \
        (int)(sizeof((const srv_value[]){__VA_ARGS__}) / sizeof(srv_value)), (fn), (user), \
        (changes))

/* Row callbacks that keep one value. */
typedef struct one_int {
    bool found;
    int64_t v;
} one_int;

static kiosk_rc take_int(void *user, const srv_row *row)
{
    one_int *o = user;
    o->found = true;
    o->v = srv_row_int(row, 0);
    return KIOSK_OK;
}

typedef struct one_text {
    bool found;
    char *buf;
    size_t size;
} one_text;

static kiosk_rc take_text(void *user, const srv_row *row)
{
    one_text *o = user;
    o->found = true;
    copy_col(o->buf, o->size, row, 0);
    return KIOSK_OK;
}

/* --- connections --------------------------------------------------------------------------- */

static kiosk_rc make_card_key(srv_store *st)
{
    uint8_t key[32];
    char hex[SRV_HEX32];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        char have[SRV_HEX32] = "";
        rc = srv_store_meta_get(st, "card_key", have, sizeof have);
        if (rc == KIOSK_ERR_NOT_FOUND)
            rc = srv_store_meta_put(st, "card_key", hex);
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    sodium_memzero(hex, sizeof hex);
    return rc;
}

kiosk_rc srv_store_open(const char *spec, srv_store **out, char *err, size_t err_size)
{
    *out = NULL;
    const srv_backend_ops *ops;
    const char *target;
    if (strncmp(spec, "sqlite:", 7) == 0) {
        ops = &srv_sqlite_ops;
        target = spec + 7;
    } else if (strncmp(spec, "pg:", 3) == 0) {
        ops = &srv_pg_ops;
        target = spec + 3;
    } else {
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "storage: '%s' is neither sqlite:PATH nor pg:CONNINFO", spec);
    }
    srv_store *st = calloc(1, sizeof *st);
    if (!st)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    st->ops = ops;
    kiosk_rc rc = ops->open(target, &st->b, err, err_size);
    bool created = false;
    if (rc == KIOSK_OK)
        rc = ops->migrate(st->b, &created);
    if (rc == KIOSK_OK)
        rc = ops->prepare(st->b, Q_COUNT, statement_sql);
    if (rc == KIOSK_OK) {
        uint8_t key[32];
        rc = srv_store_card_key(st, key);
        if (rc == KIOSK_ERR_NOT_FOUND)
            rc = make_card_key(st);
        sodium_memzero(key, sizeof key);
    }
    if (rc != KIOSK_OK) {
        if (st->b && ops->message(st->b)[0])
            snprintf(err, err_size, "%s", ops->message(st->b));
        srv_store_close(st);
        return rc;
    }
    (void)created;
    *out = st;
    return KIOSK_OK;
}

void srv_store_close(srv_store *st)
{
    if (!st)
        return;
    if (st->b)
        st->ops->close(st->b);
    free(st);
}

const char *srv_store_backend(const srv_store *st)
{
    return st->ops->name;
}

const char *srv_store_errmsg(const srv_store *st)
{
    return st->message;
}

kiosk_rc srv_store_begin(srv_store *st, bool write)
{
    kiosk_rc rc = st->ops->begin(st->b, write);
    if (rc != KIOSK_OK)
        snprintf(st->message, sizeof st->message, "%s", st->ops->message(st->b));
    return rc;
}

kiosk_rc srv_store_commit(srv_store *st)
{
    kiosk_rc rc = st->ops->commit(st->b);
    if (rc != KIOSK_OK)
        snprintf(st->message, sizeof st->message, "%s", st->ops->message(st->b));
    return rc;
}

void srv_store_rollback(srv_store *st)
{
    st->ops->rollback(st->b);
}

kiosk_rc srv_store_manual_checkpoints(srv_store *st)
{
    return st->ops->manual_checkpoints(st->b);
}

kiosk_rc srv_store_checkpoint(srv_store *st)
{
    kiosk_rc rc = st->ops->checkpoint(st->b);
    if (rc != KIOSK_OK)
        snprintf(st->message, sizeof st->message, "%s", st->ops->message(st->b));
    return rc;
}

/* --- settings ------------------------------------------------------------------------------ */

kiosk_rc srv_store_meta_get(srv_store *st, const char *k, char *v, size_t size)
{
    one_text o = {.buf = v, .size = size};
    kiosk_rc rc = RUN(st, Q_META_GET, take_text, &o, NULL, text(k));
    return rc == KIOSK_OK && !o.found ? KIOSK_ERR_NOT_FOUND : rc;
}

kiosk_rc srv_store_meta_put(srv_store *st, const char *k, const char *v)
{
    return RUN(st, Q_META_PUT, NULL, NULL, NULL, text(k), text(v));
}

kiosk_rc srv_store_card_key(srv_store *st, uint8_t key[32])
{
    char hex[SRV_HEX32] = "";
    kiosk_rc rc = srv_store_meta_get(st, "card_key", hex, sizeof hex);
    if (rc != KIOSK_OK)
        return rc;
    size_t len = 0;
    if (sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &len, NULL) != 0 || len != 32)
        rc = KIOSK_ERR_CORRUPT;
    sodium_memzero(hex, sizeof hex);
    return rc;
}

/* --- sites and devices --------------------------------------------------------------------- */

static kiosk_rc take_site(void *user, const srv_row *row)
{
    srv_site *s = user;
    copy_col(s->site_id, sizeof s->site_id, row, 0);
    copy_col(s->name, sizeof s->name, row, 1);
    copy_col(s->area.city, sizeof s->area.city, row, 2);
    copy_col(s->area.district, sizeof s->area.district, row, 3);
    copy_col(s->area.street, sizeof s->area.street, row, 4);
    copy_col(s->timezone, sizeof s->timezone, row, 5);
    s->created_ms = srv_row_int(row, 6);
    return KIOSK_OK;
}

kiosk_rc srv_store_site_add(srv_store *st, const srv_site *s)
{
    long changes = 0;
    kiosk_rc rc = RUN(st, Q_SITE_ADD, NULL, NULL, &changes, text(s->site_id), text(s->name),
                      text(s->area.city), text(s->area.district), text(s->area.street),
                      text(s->timezone), integer(s->created_ms));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_INVALID : rc;
}

kiosk_rc srv_store_site_get(srv_store *st, const char *site_id, srv_site *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = RUN(st, Q_SITE_GET, take_site, out, NULL, text(site_id));
    return rc == KIOSK_OK && !out->site_id[0] ? KIOSK_ERR_NOT_FOUND : rc;
}

/* Lists are read whole before the callbacks run, so a callback may query the store (a
 * PostgreSQL connection runs one query at a time). Sites and devices are few. */
typedef struct site_list_ctx {
    srv_site *items;
    size_t count, cap;
} site_list_ctx;

static kiosk_rc each_site(void *user, const srv_row *row)
{
    site_list_ctx *c = user;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        srv_site *grown = realloc(c->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        c->items = grown;
        c->cap = cap;
    }
    return take_site(&c->items[c->count++], row);
}

kiosk_rc srv_store_site_list(srv_store *st, srv_site_fn fn, void *user)
{
    site_list_ctx c = {0};
    kiosk_rc rc = run(st, Q_SITE_LIST, NULL, 0, each_site, &c, NULL);
    for (size_t i = 0; rc == KIOSK_OK && i < c.count; i++)
        rc = fn(user, &c.items[i]);
    free(c.items);
    return rc;
}

static kiosk_rc take_device(void *user, const srv_row *row)
{
    srv_device *d = user;
    memset(d, 0, sizeof *d);
    copy_col(d->device_id, sizeof d->device_id, row, 0);
    copy_col(d->site_id, sizeof d->site_id, row, 1);
    copy_col(d->canteen_id, sizeof d->canteen_id, row, 2);
    copy_col(d->secret_hex, sizeof d->secret_hex, row, 3);
    d->created_ms = srv_row_int(row, 4);
    d->enrolled_ms = srv_row_int(row, 5);
    d->revoked_ms = srv_row_int(row, 6);
    d->hb_received_ms = srv_row_int(row, 7);
    d->hb_pending = srv_row_null(row, 8) ? -1 : srv_row_int(row, 8);
    d->hb_oldest_pending_ms = srv_row_null(row, 9) ? -1 : srv_row_int(row, 9);
    d->hb_has_clock_offset = !srv_row_null(row, 10);
    d->hb_clock_offset_ms = srv_row_int(row, 10);
    copy_col(d->hb_app_version, sizeof d->hb_app_version, row, 11);
    return KIOSK_OK;
}

kiosk_rc srv_store_device_add(srv_store *st, const srv_device *d)
{
    long changes = 0;
    kiosk_rc rc = RUN(st, Q_DEVICE_ADD, NULL, NULL, &changes, text(d->device_id), text(d->site_id),
                      text(d->canteen_id), integer(d->created_ms));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_INVALID : rc;
}

kiosk_rc srv_store_device_get(srv_store *st, const char *device_id, srv_device *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = RUN(st, Q_DEVICE_GET, take_device, out, NULL, text(device_id));
    return rc == KIOSK_OK && !out->device_id[0] ? KIOSK_ERR_NOT_FOUND : rc;
}

typedef struct device_list_ctx {
    srv_device *items;
    size_t count, cap;
} device_list_ctx;

static kiosk_rc each_device(void *user, const srv_row *row)
{
    device_list_ctx *c = user;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        srv_device *grown = realloc(c->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        c->items = grown;
        c->cap = cap;
    }
    return take_device(&c->items[c->count++], row);
}

kiosk_rc srv_store_device_list(srv_store *st, srv_device_fn fn, void *user)
{
    device_list_ctx c = {0};
    kiosk_rc rc = run(st, Q_DEVICE_LIST, NULL, 0, each_device, &c, NULL);
    for (size_t i = 0; rc == KIOSK_OK && i < c.count; i++)
        rc = fn(user, &c.items[i]);
    if (c.items)
        sodium_memzero(c.items, c.cap * sizeof *c.items); /* the secrets */
    free(c.items);
    return rc;
}

kiosk_rc srv_store_device_enroll(srv_store *st, const char *device_id, const char *secret_hex,
                                 const char *hw_info, int64_t now_ms)
{
    long changes = 0;
    kiosk_rc rc = RUN(st, Q_DEVICE_ENROLL, NULL, NULL, &changes, text(device_id), text(secret_hex),
                      integer(now_ms), text(hw_info));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_INVALID : rc;
}

kiosk_rc srv_store_device_revoke(srv_store *st, const char *device_id, int64_t now_ms)
{
    srv_device d;
    kiosk_rc rc = srv_store_device_get(st, device_id, &d);
    if (rc != KIOSK_OK)
        return rc;
    long changes = 0;
    rc = RUN(st, Q_DEVICE_REVOKE, NULL, NULL, &changes, text(device_id), integer(now_ms));
    if (rc == KIOSK_OK && changes == 0)
        return KIOSK_ERR_INVALID;
    if (rc == KIOSK_OK)
        rc = RUN(st, Q_TOKEN_SPEND_DEVICE, NULL, NULL, NULL, text(device_id), integer(now_ms));
    return rc;
}

kiosk_rc srv_store_token_add(srv_store *st, const srv_token *t)
{
    return RUN(st, Q_TOKEN_ADD, NULL, NULL, NULL, text(t->token_sha256), text(t->device_id),
               integer(t->created_ms), integer(t->expires_ms));
}

static kiosk_rc take_token(void *user, const srv_row *row)
{
    srv_token *t = user;
    copy_col(t->device_id, sizeof t->device_id, row, 0);
    t->created_ms = srv_row_int(row, 1);
    t->expires_ms = srv_row_int(row, 2);
    t->used_ms = srv_row_int(row, 3);
    return KIOSK_OK;
}

kiosk_rc srv_store_token_get(srv_store *st, const char *token_sha256, srv_token *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = RUN(st, Q_TOKEN_GET, take_token, out, NULL, text(token_sha256));
    if (rc == KIOSK_OK && !out->device_id[0])
        return KIOSK_ERR_NOT_FOUND;
    snprintf(out->token_sha256, sizeof out->token_sha256, "%s", token_sha256);
    return rc;
}

kiosk_rc srv_store_token_use(srv_store *st, const char *token_sha256, int64_t now_ms)
{
    long changes = 0;
    kiosk_rc rc = RUN(st, Q_TOKEN_USE, NULL, NULL, &changes, text(token_sha256), integer(now_ms));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_INVALID : rc;
}

kiosk_rc srv_store_heartbeat_put(srv_store *st, const char *device_id, const srv_heartbeat *hb)
{
    return RUN(st, Q_HEARTBEAT_PUT, NULL, NULL, NULL, text(device_id), integer(hb->received_ms),
               text(hb->body), int_or_null(hb->pending), int_or_null(hb->oldest_pending_ms),
               hb->has_clock_offset ? integer(hb->clock_offset_ms) : null_value(),
               text(hb->app_version));
}

/* --- records ------------------------------------------------------------------------------- */

/* "" as NULL, so meal-only columns of other kinds stay NULL. */
static srv_value text_or_null(const char *s)
{
    return s && s[0] ? text(s) : null_value();
}

kiosk_rc srv_store_record_insert(srv_store *st, const srv_record *r, bool *inserted,
                                 int64_t *server_seq)
{
    one_int o = {0};
    bool meal = strcmp(r->kind, "meal") == 0;
    kiosk_rc rc =
        RUN(st, Q_RECORD_INSERT, take_int, &o, NULL, text(r->record_id), text(r->device_id),
            integer(r->device_seq), text(r->kind), text(r->payload), text(r->payload_sha256),
            integer(r->created_wall_ms), integer(r->received_ms), integer(r->est_created_ms),
            integer(r->clock_offset_ms), integer(r->clock_suspect), text(r->site_id),
            text_or_null(r->canteen_id), text_or_null(r->person_id), text_or_null(r->meal_type),
            text_or_null(r->business_date), meal ? integer(r->subsidy_fen) : null_value());
    *inserted = rc == KIOSK_OK && o.found;
    *server_seq = o.found ? o.v : 0;
    return rc;
}

kiosk_rc srv_store_record_void(srv_store *st, const char *record_id, const char *device_id)
{
    long changes = 0;
    kiosk_rc rc = RUN(st, Q_RECORD_VOID, NULL, NULL, &changes, text(record_id), text(device_id),
                      text(SRV_REVIEW_VOIDED));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_NOT_FOUND : rc;
}

kiosk_rc srv_store_record_hash(srv_store *st, const char *record_id, char hash_hex[SRV_HEX32])
{
    one_text o = {.buf = hash_hex, .size = SRV_HEX32};
    kiosk_rc rc = RUN(st, Q_RECORD_HASH, take_text, &o, NULL, text(record_id));
    return rc == KIOSK_OK && !o.found ? KIOSK_ERR_NOT_FOUND : rc;
}

kiosk_rc srv_store_record_set_review(srv_store *st, const char *record_id, const char *status,
                                     int64_t case_id)
{
    return RUN(st, Q_RECORD_SET_REVIEW, NULL, NULL, NULL, text(record_id), text_or_null(status),
               case_id > 0 ? integer(case_id) : null_value());
}

kiosk_rc srv_store_record_max_seq(srv_store *st, int64_t *out)
{
    one_int o = {0};
    kiosk_rc rc = run(st, Q_RECORD_MAX_SEQ, NULL, 0, take_int, &o, NULL);
    *out = o.v;
    return rc;
}

typedef struct member_ctx {
    srv_member_fn fn;
    void *user;
} member_ctx;

static kiosk_rc each_member(void *user, const srv_row *row)
{
    member_ctx *c = user;
    srv_group_member m;
    copy_col(m.record_id, sizeof m.record_id, row, 0);
    m.est_created_ms = srv_row_int(row, 1);
    copy_col(m.review_status, sizeof m.review_status, row, 2);
    m.case_id = srv_row_int(row, 3);
    return c->fn(c->user, &m);
}

kiosk_rc srv_store_meal_group(srv_store *st, const char *person_id, const char *meal_type,
                              const char *business_date, srv_member_fn fn, void *user)
{
    member_ctx c = {fn, user};
    return RUN(st, Q_MEAL_GROUP, each_member, &c, NULL, text(person_id), text(meal_type),
               text(business_date));
}

kiosk_rc srv_store_seq_add(srv_store *st, const char *device_id, int64_t lo, int64_t hi)
{
    one_int left = {0}, right = {0};
    kiosk_rc rc = RUN(st, Q_SEQ_LEFT, take_int, &left, NULL, text(device_id), integer(lo - 1));
    if (rc == KIOSK_OK)
        rc = RUN(st, Q_SEQ_RIGHT, take_int, &right, NULL, text(device_id), integer(hi + 1));
    if (rc == KIOSK_OK && left.found)
        rc = RUN(st, Q_SEQ_DELETE, NULL, NULL, NULL, text(device_id), integer(left.v));
    if (rc == KIOSK_OK && right.found)
        rc = RUN(st, Q_SEQ_DELETE, NULL, NULL, NULL, text(device_id), integer(hi + 1));
    if (rc == KIOSK_OK)
        rc = RUN(st, Q_SEQ_INSERT, NULL, NULL, NULL, text(device_id),
                 integer(left.found ? left.v : lo), integer(right.found ? right.v : hi));
    return rc;
}

typedef struct range_ctx {
    srv_range_fn fn;
    void *user;
} range_ctx;

static kiosk_rc each_range(void *user, const srv_row *row)
{
    range_ctx *c = user;
    return c->fn(c->user, srv_row_int(row, 0), srv_row_int(row, 1));
}

kiosk_rc srv_store_seq_list(srv_store *st, const char *device_id, srv_range_fn fn, void *user)
{
    range_ctx c = {fn, user};
    return RUN(st, Q_SEQ_LIST, each_range, &c, NULL, text(device_id));
}

/* --- review cases -------------------------------------------------------------------------- */

kiosk_rc srv_store_case_open(srv_store *st, const char *person_id, const char *meal_type,
                             const char *business_date, int64_t now_ms, int64_t *case_id)
{
    one_int o = {0};
    kiosk_rc rc = RUN(st, Q_CASE_OPEN, take_int, &o, NULL, text(person_id), text(meal_type),
                      text(business_date), integer(now_ms));
    *case_id = o.v;
    return rc == KIOSK_OK && !o.found ? KIOSK_ERR_DB : rc;
}

static void fill_case(srv_case *c, const srv_row *row)
{
    c->case_id = srv_row_int(row, 0);
    copy_col(c->person_id, sizeof c->person_id, row, 1);
    copy_col(c->meal_type, sizeof c->meal_type, row, 2);
    copy_col(c->business_date, sizeof c->business_date, row, 3);
    copy_col(c->status, sizeof c->status, row, 4);
    c->opened_ms = srv_row_int(row, 5);
    c->decided_ms = srv_row_int(row, 6);
}

typedef struct case_ctx {
    srv_case_fn fn;
    void *user;
} case_ctx;

static kiosk_rc each_case(void *user, const srv_row *row)
{
    case_ctx *c = user;
    srv_case rc;
    fill_case(&rc, row);
    return c->fn(c->user, &rc);
}

kiosk_rc srv_store_case_list(srv_store *st, bool open_only, srv_case_fn fn, void *user)
{
    case_ctx c = {fn, user};
    return RUN(st, Q_CASE_LIST, each_case, &c, NULL, integer(open_only ? 0 : 1));
}

static kiosk_rc take_case(void *user, const srv_row *row)
{
    fill_case(user, row);
    return KIOSK_OK;
}

kiosk_rc srv_store_case_get(srv_store *st, int64_t case_id, srv_case *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = RUN(st, Q_CASE_GET, take_case, out, NULL, integer(case_id));
    return rc == KIOSK_OK && out->case_id == 0 ? KIOSK_ERR_NOT_FOUND : rc;
}

typedef struct case_meal_ctx {
    srv_case_meal_fn fn;
    void *user;
} case_meal_ctx;

static kiosk_rc each_case_meal(void *user, const srv_row *row)
{
    case_meal_ctx *c = user;
    srv_case_meal m;
    copy_col(m.record_id, sizeof m.record_id, row, 0);
    copy_col(m.device_id, sizeof m.device_id, row, 1);
    copy_col(m.canteen_id, sizeof m.canteen_id, row, 2);
    m.est_created_ms = srv_row_int(row, 3);
    m.subsidy_fen = srv_row_int(row, 4);
    copy_col(m.review_status, sizeof m.review_status, row, 5);
    return c->fn(c->user, &m);
}

kiosk_rc srv_store_case_meals(srv_store *st, int64_t case_id, srv_case_meal_fn fn, void *user)
{
    case_meal_ctx c = {fn, user};
    return RUN(st, Q_CASE_MEALS, each_case_meal, &c, NULL, integer(case_id));
}

kiosk_rc srv_store_case_decide(srv_store *st, int64_t case_id, const char *case_status,
                               const char *review_status, int64_t now_ms, long *decided)
{
    srv_case c;
    kiosk_rc rc = srv_store_case_get(st, case_id, &c);
    if (rc != KIOSK_OK)
        return rc;
    *decided = 0;
    rc = RUN(st, Q_CASE_DECIDE_MEALS, NULL, NULL, decided, integer(case_id), text(review_status),
             text(SRV_REVIEW_SUSPECTED));
    if (rc == KIOSK_OK)
        rc = RUN(st, Q_CASE_DECIDE, NULL, NULL, NULL, integer(case_id), text(case_status),
                 integer(now_ms));
    return rc;
}

/* --- streams ------------------------------------------------------------------------------- */

kiosk_rc srv_store_version_take(srv_store *st, int64_t n, int64_t *first)
{
    one_int o = {0};
    kiosk_rc rc = RUN(st, Q_VERSION_TAKE, take_int, &o, NULL, integer(n));
    if (rc == KIOSK_OK && !o.found)
        return KIOSK_ERR_DB;
    *first = o.v - n + 1;
    return rc;
}

kiosk_rc srv_store_version_now(srv_store *st, int64_t *out)
{
    one_int o = {0};
    kiosk_rc rc = run(st, Q_VERSION_NOW, NULL, 0, take_int, &o, NULL);
    *out = o.v;
    return rc;
}

typedef struct stream_ctx {
    srv_stream_fn fn;
    void *user;
} stream_ctx;

static kiosk_rc each_stream_row(void *user, const srv_row *row)
{
    stream_ctx *c = user;
    srv_stream_row r = {
        .key = srv_row_text(row, 0), .version = srv_row_int(row, 1), .row = srv_row_text(row, 2)};
    return c->fn(c->user, &r);
}

kiosk_rc srv_store_stream_get(srv_store *st, const char *site_id, const char *stream,
                              const char *key, srv_stream_fn fn, void *user)
{
    stream_ctx c = {fn, user};
    return RUN(st, Q_STREAM_GET, each_stream_row, &c, NULL, text(site_id), text(stream), text(key));
}

kiosk_rc srv_store_stream_put(srv_store *st, const char *site_id, const char *stream,
                              const char *key, const char *row, int64_t version, int64_t now_ms)
{
    return RUN(st, Q_STREAM_PUT, NULL, NULL, NULL, text(site_id), text(stream), text(key),
               integer(version), text(row), integer(now_ms));
}

typedef struct same_row {
    const char *text;
    bool equal;
} same_row;

static kiosk_rc compare_row(void *user, const srv_stream_row *r)
{
    same_row *s = user;
    s->equal = r->row && strcmp(r->row, s->text) == 0;
    return KIOSK_OK;
}

kiosk_rc srv_store_stream_put_changed(srv_store *st, const char *site_id, const char *stream,
                                      const char *key, const char *row, int64_t now_ms,
                                      bool *written)
{
    *written = false;
    same_row same = {.text = row};
    kiosk_rc rc = srv_store_stream_get(st, site_id, stream, key, compare_row, &same);
    if (rc != KIOSK_OK || same.equal)
        return rc;
    int64_t version;
    rc = srv_store_version_take(st, 1, &version);
    if (rc == KIOSK_OK)
        rc = srv_store_stream_put(st, site_id, stream, key, row, version, now_ms);
    *written = rc == KIOSK_OK;
    return rc;
}

kiosk_rc srv_store_stream_changes(srv_store *st, const char *site_id, const char *also_site,
                                  const char *stream, int64_t after, long limit, srv_stream_fn fn,
                                  void *user)
{
    stream_ctx c = {fn, user};
    if (also_site)
        return RUN(st, Q_STREAM_CHANGES2, each_stream_row, &c, NULL, text(site_id), text(stream),
                   integer(after), integer(limit), text(also_site));
    return RUN(st, Q_STREAM_CHANGES, each_stream_row, &c, NULL, text(site_id), text(stream),
               integer(after), integer(limit));
}

kiosk_rc srv_store_stream_live(srv_store *st, const char *site_id, const char *also_site,
                               const char *stream, const char *after_key, long limit,
                               srv_stream_fn fn, void *user)
{
    stream_ctx c = {fn, user};
    int64_t lim = limit > 0 ? limit : INT64_MAX;
    if (also_site)
        return RUN(st, Q_STREAM_LIVE2, each_stream_row, &c, NULL, text(site_id), text(stream),
                   text(after_key ? after_key : ""), integer(lim), text(also_site));
    return RUN(st, Q_STREAM_LIVE, each_stream_row, &c, NULL, text(site_id), text(stream),
               text(after_key ? after_key : ""), integer(lim));
}

kiosk_rc srv_store_stream_floor(srv_store *st, const char *site_id, const char *also_site,
                                const char *stream, int64_t *floor)
{
    one_int o = {0};
    kiosk_rc rc = RUN(st, Q_STREAM_FLOOR, take_int, &o, NULL, text(site_id),
                      text(also_site ? also_site : site_id), text(stream));
    *floor = o.v;
    return rc;
}

kiosk_rc srv_store_stream_expire(srv_store *st, const char *site_id, const char *stream,
                                 int64_t older_than_ms, long *dropped)
{
    one_int top = {0};
    *dropped = 0;
    kiosk_rc rc = RUN(st, Q_STREAM_TOMB_MAX, take_int, &top, NULL, text(site_id), text(stream),
                      integer(older_than_ms));
    if (rc != KIOSK_OK || top.v == 0)
        return rc;
    rc = RUN(st, Q_STREAM_TOMB_DROP, NULL, NULL, dropped, text(site_id), text(stream),
             integer(older_than_ms));
    if (rc == KIOSK_OK)
        rc = RUN(st, Q_STREAM_FLOOR_RAISE, NULL, NULL, NULL, text(site_id), text(stream),
                 integer(top.v));
    return rc;
}

/* Each kind has its own statement: the meals' partial indexes serve only a query that names
 * 'meal' itself. */
kiosk_rc srv_store_records_changes(srv_store *st, const char *kind, const char *site_id,
                                   const char *exclude_device, const char *from_date, int64_t after,
                                   long limit, srv_stream_fn fn, void *user)
{
    stream_ctx c = {fn, user};
    return RUN(st, strcmp(kind, "checkin") == 0 ? Q_CHECKINS_CHANGES : Q_MEALS_CHANGES,
               each_stream_row, &c, NULL, text(site_id), integer(after), text(exclude_device),
               text(from_date), integer(limit));
}

kiosk_rc srv_store_records_live(srv_store *st, const char *kind, const char *site_id,
                                const char *exclude_device, const char *from_date,
                                const char *after_key, long limit, srv_stream_fn fn, void *user)
{
    stream_ctx c = {fn, user};
    return RUN(st, strcmp(kind, "checkin") == 0 ? Q_CHECKINS_LIVE : Q_MEALS_LIVE, each_stream_row,
               &c, NULL, text(site_id), text(after_key ? after_key : ""), text(exclude_device),
               text(from_date), integer(limit > 0 ? limit : INT64_MAX));
}

/* --- settlement ---------------------------------------------------------------------------- */

typedef struct settle_ctx {
    srv_settle_fn fn;
    void *user;
} settle_ctx;

static kiosk_rc each_settle(void *user, const srv_row *row)
{
    settle_ctx *c = user;
    const char *review = srv_row_text(row, 4);
    srv_settle_meal m = {.record_id = srv_row_text(row, 0),
                         .device_id = srv_row_text(row, 1),
                         .site_id = srv_row_text(row, 2),
                         .payload = srv_row_text(row, 3),
                         .review_status = review ? review : ""};
    return c->fn(c->user, &m);
}

typedef struct settle_sites {
    srv_store *st;
    settle_ctx *c;
    const char *from, *to;
} settle_sites;

static kiosk_rc settle_site(void *user, const srv_site *site)
{
    settle_sites *s = user;
    return RUN(s->st, Q_SETTLE_MEALS, each_settle, s->c, NULL, text(s->from), text(s->to),
               text(site->site_id));
}

kiosk_rc srv_store_settle_meals(srv_store *st, const char *site_id, const char *from_date,
                                const char *to_date, srv_settle_fn fn, void *user)
{
    settle_ctx c = {fn, user};
    if (site_id && site_id[0])
        return RUN(st, Q_SETTLE_MEALS, each_settle, &c, NULL, text(from_date), text(to_date),
                   text(site_id));
    /* Every site, one after another: the records are indexed by site and date. */
    settle_sites s = {st, &c, from_date, to_date};
    return srv_store_site_list(st, settle_site, &s);
}

/* --- the admin page ------------------------------------------------------------------------ */

kiosk_rc srv_store_admin_user_put(srv_store *st, const char *name, const char *pwhash,
                                  int64_t now_ms)
{
    return RUN(st, Q_ADMIN_USER_PUT, NULL, NULL, NULL, text(name), text(pwhash), integer(now_ms));
}

static kiosk_rc take_admin_user(void *user, const srv_row *row)
{
    srv_admin_user *u = user;
    copy_col(u->name, sizeof u->name, row, 0);
    copy_col(u->pwhash, sizeof u->pwhash, row, 1);
    u->failures = srv_row_int(row, 2);
    u->locked_until_ms = srv_row_int(row, 3);
    u->created_ms = srv_row_int(row, 4);
    return KIOSK_OK;
}

kiosk_rc srv_store_admin_user_get(srv_store *st, const char *name, srv_admin_user *out)
{
    memset(out, 0, sizeof *out);
    kiosk_rc rc = RUN(st, Q_ADMIN_USER_GET, take_admin_user, out, NULL, text(name));
    return rc == KIOSK_OK && !out->name[0] ? KIOSK_ERR_NOT_FOUND : rc;
}

kiosk_rc srv_store_admin_user_failures(srv_store *st, const char *name, int64_t failures,
                                       int64_t locked_until_ms)
{
    return RUN(st, Q_ADMIN_USER_FAILURES, NULL, NULL, NULL, text(name), integer(failures),
               integer(locked_until_ms));
}

kiosk_rc srv_store_alert_add(srv_store *st, const srv_alert *a, int64_t *alert_id)
{
    one_int o = {0};
    kiosk_rc rc =
        RUN(st, Q_ALERT_ADD, take_int, &o, NULL, integer(a->created_ms), text_or_null(a->site_id),
            text_or_null(a->device_id), text(a->kind), text(a->detail));
    if (alert_id)
        *alert_id = o.v;
    return rc;
}

typedef struct alert_ctx {
    srv_alert_fn fn;
    void *user;
} alert_ctx;

static kiosk_rc each_alert(void *user, const srv_row *row)
{
    alert_ctx *c = user;
    srv_alert a = {.alert_id = srv_row_int(row, 0), .created_ms = srv_row_int(row, 1)};
    copy_col(a.site_id, sizeof a.site_id, row, 2);
    copy_col(a.device_id, sizeof a.device_id, row, 3);
    copy_col(a.kind, sizeof a.kind, row, 4);
    copy_col(a.detail, sizeof a.detail, row, 5);
    a.resolved_ms = srv_row_int(row, 6);
    return c->fn(c->user, &a);
}

kiosk_rc srv_store_alert_list(srv_store *st, bool all, long limit, srv_alert_fn fn, void *user)
{
    alert_ctx c = {fn, user};
    return RUN(st, Q_ALERT_LIST, each_alert, &c, NULL, integer(all ? 1 : 0), integer(limit));
}

kiosk_rc srv_store_alert_resolve(srv_store *st, int64_t alert_id, int64_t now_ms)
{
    long changes = 0;
    kiosk_rc rc =
        RUN(st, Q_ALERT_RESOLVE, NULL, NULL, &changes, integer(alert_id), integer(now_ms));
    return rc == KIOSK_OK && changes == 0 ? KIOSK_ERR_NOT_FOUND : rc;
}

typedef struct heartbeat_ctx {
    srv_heartbeat_fn fn;
    void *user;
} heartbeat_ctx;

static kiosk_rc each_heartbeat(void *user, const srv_row *row)
{
    heartbeat_ctx *c = user;
    const char *id = srv_row_text(row, 0), *body = srv_row_text(row, 2);
    return c->fn(c->user, id ? id : "", srv_row_int(row, 1), body ? body : "{}");
}

kiosk_rc srv_store_heartbeat_list(srv_store *st, srv_heartbeat_fn fn, void *user)
{
    heartbeat_ctx c = {fn, user};
    return run(st, Q_HEARTBEAT_LIST, NULL, 0, each_heartbeat, &c, NULL);
}

kiosk_rc srv_store_config_put(srv_store *st, const char *device_id, int64_t version,
                              const char *body, const char *signature, int64_t now_ms)
{
    return RUN(st, Q_CONFIG_PUT, NULL, NULL, NULL, text(device_id), integer(version), text(body),
               text(signature), integer(now_ms));
}

typedef struct config_ctx {
    srv_config_fn fn;
    void *user;
    bool found;
} config_ctx;

static kiosk_rc each_config(void *user, const srv_row *row)
{
    config_ctx *c = user;
    c->found = true;
    const char *body = srv_row_text(row, 1), *sig = srv_row_text(row, 2);
    return c->fn(c->user, srv_row_int(row, 0), body ? body : "", sig ? sig : "");
}

kiosk_rc srv_store_config_get(srv_store *st, const char *device_id, srv_config_fn fn, void *user)
{
    config_ctx c = {fn, user, false};
    kiosk_rc rc = RUN(st, Q_CONFIG_GET, each_config, &c, NULL, text(device_id));
    return rc == KIOSK_OK && !c.found ? KIOSK_ERR_NOT_FOUND : rc;
}
