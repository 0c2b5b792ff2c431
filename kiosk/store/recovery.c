/* recovery.c - a damaged database is copied aside byte for byte (with its WAL) and never
 * deleted; every row that can still be read, page by page (salvage.h), is carried into a fresh
 * database, which then takes the damaged one's place in one rename. Until that rename the
 * damaged file is untouched, so a recovery that does not finish leaves it exactly as it was.
 *
 * The steps, each safe to interrupt:
 *   1. PATH.recovery (a marker naming the aside copy) is written: a start-up that finds it knows
 *      a recovery did not finish and recovers again, from the aside copy.
 *   2. PATH and PATH-wal are copied to PATH.damaged-STAMP and PATH.damaged-STAMP-wal, fsync'd.
 *   3. The rows of the copy are salvaged into PATH.recovering, which is fsync'd.
 *   4. PATH-wal and PATH-shm are removed (a stale WAL must never meet the new file), then
 *      PATH.recovering is renamed to PATH, the folder fsync'd and the marker removed. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "salvage.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

/* --- the kiosk's tables as the salvage scanner recognises them ----------------------------- */

#define T KIOSK_SALVAGE_TEXT
#define I KIOSK_SALVAGE_INT
#define B KIOSK_SALVAGE_BLOB
#define N KIOSK_SALVAGE_NULL

static const char *const outbox_kinds[] = {"meal",      "checkin",     "override", "audit",
                                           "help_call", "help_answer", NULL};
static const char *const outbox_states[] = {"pending", "acked", "rejected", NULL};
static const char *const price_sources[] = {"set", "menu", "bill", NULL};

static const kiosk_salvage_column device_state_cols[] = {KIOSK_SALVAGE_COL(T)};
static const kiosk_salvage_column person_cols[] = {
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL_SIZED(B | N, 32),
    /* migration 3 */
    KIOSK_SALVAGE_COL(I | N)};
static const kiosk_salvage_column card_cols[] = {
    KIOSK_SALVAGE_COL_SIZED(B, 32), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(T), /* migration 3 */ KIOSK_SALVAGE_COL(I | N)};
/* effective_from is a date of exactly 10 bytes: since migration 3 a policy row has the shape of a
 * schema row of an automatic index (text, text, text, integer, NULL), whose name is longer. */
static const kiosk_salvage_column policy_cols[] = {
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL_SIZED(T, 10), KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(I), /* migration 3 */ KIOSK_SALVAGE_COL(I | N)};
static const kiosk_salvage_column meal_cols[] = {
    KIOSK_SALVAGE_COL_SIZED(B, 16), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL_SIZED(B | N, 32),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T),
    /* migration 2 */
    KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL_ONE_OF(price_sources),
    KIOSK_SALVAGE_COL(T),
    /* migration 3 */
    KIOSK_SALVAGE_COL(I)};
static const kiosk_salvage_column outbox_cols[] = {KIOSK_SALVAGE_COL_SIZED(B, 16),
                                                   KIOSK_SALVAGE_COL(I),
                                                   KIOSK_SALVAGE_COL_ONE_OF(outbox_kinds),
                                                   KIOSK_SALVAGE_COL(T),
                                                   KIOSK_SALVAGE_COL_SIZED(B, 32),
                                                   KIOSK_SALVAGE_COL(I),
                                                   KIOSK_SALVAGE_COL_ONE_OF(outbox_states),
                                                   KIOSK_SALVAGE_COL(I),
                                                   KIOSK_SALVAGE_COL(T | N),
                                                   KIOSK_SALVAGE_COL(I | N)};

/* Staff mode (migration 5). staff_card and staff_lock are WITHOUT ROWID with a 32-byte key first,
 * like card, but shorter (2 and 3 columns against card's 4 or more); staff_card_by_staff's
 * entries lead with the text. audit's seq is its rowid: the record holds NULL there. */
static const char *const staff_roles[] = {"operator", "supervisor", NULL};
static const kiosk_salvage_column staff_cols[] = {
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL_ONE_OF(staff_roles),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I | N)};
static const kiosk_salvage_column staff_card_cols[] = {KIOSK_SALVAGE_COL_SIZED(B, 32),
                                                       KIOSK_SALVAGE_COL(T)};
static const kiosk_salvage_column staff_lock_cols[] = {KIOSK_SALVAGE_COL_SIZED(B, 32),
                                                       KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(I)};
static const kiosk_salvage_column audit_cols[] = {
    KIOSK_SALVAGE_COL(N), KIOSK_SALVAGE_COL_SIZED(B, 16), KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(T), KIOSK_SALVAGE_COL_SIZED(B, 32)};
static const kiosk_salvage_column meal_void_cols[] = {
    KIOSK_SALVAGE_COL_SIZED(B, 16), KIOSK_SALVAGE_COL_SIZED(B, 16), KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),           KIOSK_SALVAGE_COL(I),           KIOSK_SALVAGE_COL(T)};

/* The marriage hall (migration 4). An appointment (18 columns) and a queue call (6, its call_id
 * the rowid, so NULL in the record) are longer than or shaped unlike every other rowid table's
 * rows; a calendar day leads with a 10-byte date, a calendar year with its rowid's NULL. A
 * check-in is WITHOUT ROWID with 15 columns: more than any index entry holds (checkin's own
 * have 2 or 3) and fewer than a meal's 19. */
static const char *const lanes[] = {"booked", "priority", NULL};
static const char *const appointment_states[] = {"booked", "checked_in", "cancelled", NULL};
static const char *const checkin_sources[] = {"local", "server", NULL};
static const kiosk_salvage_column appointment_cols[] = {
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL_SIZED(T, 10),
    KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL(I),
    KIOSK_SALVAGE_COL_ONE_OF(lanes),
    KIOSK_SALVAGE_COL_SIZED(B, 32),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL_SIZED(B | N, 32),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(T | N),
    KIOSK_SALVAGE_COL_ONE_OF(appointment_states),
    KIOSK_SALVAGE_COL(I)};
static const kiosk_salvage_column checkin_cols[] = {KIOSK_SALVAGE_COL_SIZED(B, 16),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL_SIZED(T, 10),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL(I),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL(I),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL(I),
                                                    KIOSK_SALVAGE_COL(I),
                                                    KIOSK_SALVAGE_COL(I),
                                                    KIOSK_SALVAGE_COL(T),
                                                    KIOSK_SALVAGE_COL_ONE_OF(checkin_sources)};
static const kiosk_salvage_column queue_call_cols[] = {
    KIOSK_SALVAGE_COL(N), KIOSK_SALVAGE_COL_SIZED(T, 10), KIOSK_SALVAGE_COL(T),
    KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(T),           KIOSK_SALVAGE_COL(I)};
static const kiosk_salvage_column calendar_year_cols[] = {KIOSK_SALVAGE_COL(N),
                                                          KIOSK_SALVAGE_COL(I)};
static const kiosk_salvage_column calendar_day_cols[] = {
    KIOSK_SALVAGE_COL_SIZED(T, 10), KIOSK_SALVAGE_COL(I), KIOSK_SALVAGE_COL(T)};

#undef T
#undef I
#undef B
#undef N

/* Rows arrive in page order, not table order, so nothing here depends on which table comes
 * first: the fresh database's own card key is removed before the scan so the damaged one's
 * (and with it every stored card hash) comes back, and foreign keys are off. Column counts: the
 * oldest schema's (a row written before an ALTER TABLE ADD COLUMN is shorter) to the newest. A new
 * table of a later migration gets its line here. */
enum {
    T_DEVICE_STATE,
    T_PERSON,
    T_CARD,
    T_POLICY,
    T_MEAL,
    T_OUTBOX,
    T_STAFF,
    T_STAFF_CARD,
    T_STAFF_LOCK,
    T_AUDIT,
    T_MEAL_VOID,
    T_APPOINTMENT,
    T_CHECKIN,
    T_QUEUE_CALL,
    T_CALENDAR_YEAR,
    T_CALENDAR_DAY,
};
#define COLS(a) a, sizeof a / sizeof a[0]
static const kiosk_salvage_shape shapes[] = {
    [T_DEVICE_STATE] = {"device_state", false, 2, 2, COLS(device_state_cols)},
    [T_PERSON] = {"person", false, 11, 12, COLS(person_cols)},
    [T_CARD] = {"card", true, 4, 5, COLS(card_cols)},
    [T_POLICY] = {"policy", false, 4, 5, COLS(policy_cols)},
    [T_MEAL] = {"meal", true, 19, 24, COLS(meal_cols)},
    [T_OUTBOX] = {"outbox", true, 10, 10, COLS(outbox_cols)},
    [T_STAFF] = {"staff", false, 6, 6, COLS(staff_cols)},
    [T_STAFF_CARD] = {"staff_card", true, 2, 2, COLS(staff_card_cols)},
    [T_STAFF_LOCK] = {"staff_lock", true, 3, 3, COLS(staff_lock_cols)},
    [T_AUDIT] = {"audit", false, 5, 5, COLS(audit_cols)},
    [T_MEAL_VOID] = {"meal_void", true, 6, 6, COLS(meal_void_cols)},
    [T_APPOINTMENT] = {"appointment", false, 18, 18, COLS(appointment_cols)},
    [T_CHECKIN] = {"checkin", true, 15, 15, COLS(checkin_cols)},
    [T_QUEUE_CALL] = {"queue_call", false, 6, 6, COLS(queue_call_cols)},
    [T_CALENDAR_YEAR] = {"calendar_year", false, 2, 2, COLS(calendar_year_cols)},
    [T_CALENDAR_DAY] = {"calendar_day", false, 3, 3, COLS(calendar_day_cols)},
};
#undef COLS
#define SHAPE_COUNT (sizeof shapes / sizeof shapes[0])
/* Tables whose first column is an INTEGER PRIMARY KEY: SQLite keeps it as the rowid and writes
 * NULL in the record, so the rowid goes in its place (an audit entry keeps its number, a call its
 * order on the board). */
static const bool key_is_rowid[SHAPE_COUNT] = {
    [T_AUDIT] = true, [T_QUEUE_CALL] = true, [T_CALENDAR_YEAR] = true};
#define MAX_COLUMNS 24

/* --- carrying rows into the fresh database -------------------------------------------------- */

typedef struct carry {
    kiosk_store *fresh;
    /* INSERT OR IGNORE statements by table and by the number of columns the record has. */
    sqlite3_stmt *insert[SHAPE_COUNT][MAX_COLUMNS + 1];
    long copied[SHAPE_COUNT], refused[SHAPE_COUNT];
} carry;

static sqlite3_stmt *insert_for(carry *c, size_t table, size_t ncols)
{
    if (c->insert[table][ncols])
        return c->insert[table][ncols];
    /* The record's columns are the table's, in schema order (WITHOUT ROWID tables put their
     * key first, and every kiosk table declares its key first). */
    char sql[2048], cols[1400] = "", marks[200] = "";
    sqlite3_stmt *info;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s', 'main') ORDER BY cid",
             shapes[table].name);
    if (sqlite3_prepare_v2(c->fresh->db, sql, -1, &info, NULL) != SQLITE_OK)
        return NULL;
    size_t n = 0;
    while (n < ncols && sqlite3_step(info) == SQLITE_ROW) {
        size_t used = strlen(cols);
        snprintf(cols + used, sizeof cols - used, "%s\"%s\"", n ? "," : "",
                 (const char *)sqlite3_column_text(info, 0));
        used = strlen(marks);
        snprintf(marks + used, sizeof marks - used, "%s?", n ? "," : "");
        n++;
    }
    sqlite3_finalize(info);
    if (n != ncols)
        return NULL;
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO main.\"%s\"(%s) VALUES (%s)",
             shapes[table].name, cols, marks);
    if (sqlite3_prepare_v2(c->fresh->db, sql, -1, &c->insert[table][ncols], NULL) != SQLITE_OK)
        return NULL;
    return c->insert[table][ncols];
}

static kiosk_rc carry_row(void *user, const kiosk_salvage_row *row)
{
    carry *c = user;
    sqlite3_stmt *st = row->count <= MAX_COLUMNS ? insert_for(c, row->table, row->count) : NULL;
    if (!st) {
        c->refused[row->table]++;
        return KIOSK_OK;
    }
    for (size_t i = 0; i < row->count; i++) {
        const kiosk_salvage_value *v = &row->values[i];
        int col = (int)i + 1;
        if (i == 0 && key_is_rowid[row->table] && v->type == KIOSK_SALVAGE_NULL) {
            sqlite3_bind_int64(st, col, row->rowid);
            continue;
        }
        switch (v->type) {
        case KIOSK_SALVAGE_INT:
            sqlite3_bind_int64(st, col, v->i);
            break;
        case KIOSK_SALVAGE_REAL:
            sqlite3_bind_double(st, col, v->f);
            break;
        case KIOSK_SALVAGE_TEXT:
            sqlite3_bind_text(st, col, (const char *)v->p, (int)v->len, SQLITE_TRANSIENT);
            break;
        case KIOSK_SALVAGE_BLOB:
            sqlite3_bind_blob(st, col, v->p, (int)v->len, SQLITE_TRANSIENT);
            break;
        case KIOSK_SALVAGE_NULL:
            sqlite3_bind_null(st, col);
            break;
        }
    }
    int code = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (code == SQLITE_DONE && sqlite3_changes(c->fresh->db) > 0) {
        c->copied[row->table]++;
    } else if (code == SQLITE_DONE || (code & 0xff) == SQLITE_CONSTRAINT) {
        c->refused[row->table]++; /* a duplicate, or a row its table's checks refuse */
    } else {
        return store_fail(c->fresh, code, "recovery insert");
    }
    return KIOSK_OK;
}

static void carry_cleanup(carry *c)
{
    for (size_t t = 0; t < SHAPE_COUNT; t++)
        for (size_t n = 0; n <= MAX_COLUMNS; n++)
            sqlite3_finalize(c->insert[t][n]);
}

/* An audit entry travels twice: in the audit table and as its outbox row, which stays until the
 * server acknowledged it. An entry whose audit row was on a lost page but whose outbox row was
 * read comes back from the outbox's payload (its number, time and hash are all in or of it), so
 * the chain is whole again; one that is in neither stays missing and --audit-verify names it. */
static kiosk_rc restore_audit(kiosk_store *fresh, long *restored)
{
    *restored = 0;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int code = sqlite3_prepare_v2(fresh->db,
                                  "SELECT record_id, payload FROM outbox WHERE kind = 'audit'"
                                  " AND record_id NOT IN (SELECT record_id FROM audit)",
                                  -1, &sel, NULL);
    if (code == SQLITE_OK)
        code = sqlite3_prepare_v2(fresh->db,
                                  "INSERT OR IGNORE INTO audit(seq, record_id, created_utc_ms,"
                                  " payload, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                                  -1, &ins, NULL);
    while (code == SQLITE_OK && (code = sqlite3_step(sel)) == SQLITE_ROW) {
        code = SQLITE_OK;
        const char *payload = (const char *)sqlite3_column_text(sel, 1);
        size_t len = (size_t)sqlite3_column_bytes(sel, 1);
        kiosk_audit_entry e;
        char why[160];
        if (!payload || sqlite3_column_bytes(sel, 0) != 16 ||
            kiosk_audit_payload_read(payload, len, &e, why, sizeof why) != KIOSK_OK || e.seq < 1)
            continue; /* not an entry: verification will name the gap */
        uint8_t hash[KIOSK_AUDIT_HASH_BYTES];
        kiosk_audit_hash(payload, len, hash);
        sqlite3_bind_int64(ins, 1, e.seq);
        sqlite3_bind_blob(ins, 2, sqlite3_column_blob(sel, 0), 16, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 3, e.at_ms);
        sqlite3_bind_text(ins, 4, payload, (int)len, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 5, hash, sizeof hash, SQLITE_TRANSIENT);
        code = sqlite3_step(ins);
        if (code == SQLITE_DONE) {
            *restored += sqlite3_changes(fresh->db);
            code = SQLITE_OK;
        }
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    if (code != SQLITE_DONE && code != SQLITE_OK)
        return store_fail(fresh, code, "recovery: audit entries from the outbox");
    return KIOSK_OK;
}

/* --- files --------------------------------------------------------------------------------- */

/* Copies from to to byte for byte and fsyncs it; a missing `from` is no error when optional. */
static kiosk_rc copy_file(const char *from, const char *to, bool optional, char *err,
                          size_t err_size)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (optional && errno == ENOENT)
            return KIOSK_OK;
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot read %s: %s", from, strerror(errno));
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    kiosk_rc rc = KIOSK_OK;
    if (out < 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot create %s: %s", to, strerror(errno));
    char buf[65536];
    while (rc == KIOSK_OK) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "reading %s: %s", from, strerror(errno));
            break;
        }
        for (ssize_t done = 0; done < n && rc == KIOSK_OK;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = kiosk_fail(errno == ENOSPC ? KIOSK_ERR_FULL : KIOSK_ERR_IO, err, err_size,
                                "writing %s: %s", to, strerror(errno));
            else
                done += w;
        }
    }
    if (rc == KIOSK_OK && fsync(out) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "fsync %s: %s", to, strerror(errno));
    if (out >= 0)
        close(out);
    close(in);
    return rc;
}

static void sync_folder(const char *path)
{
    char copy[1100];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0)
            KLOG_WARN("recovery: fsync of the folder of %s failed", path);
        close(fd);
    }
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Writes the marker naming the aside copy (step 1). */
static kiosk_rc write_marker(const char *marker, const char *aside, char *err, size_t err_size)
{
    int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot write %s: %s", marker,
                          strerror(errno));
    size_t len = strlen(aside);
    bool ok = write(fd, aside, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    sync_folder(marker);
    return ok ? KIOSK_OK
              : kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot write %s: %s", marker,
                           strerror(errno));
}

kiosk_rc kiosk_store_request_recovery(const char *path, char *err, size_t err_size)
{
    char marker[1100];
    snprintf(marker, sizeof marker, "%s.recovery", path);
    if (exists(marker))
        return KIOSK_OK; /* already asked, perhaps with an aside copy made: keep it */
    return write_marker(marker, "", err, err_size);
}

bool kiosk_store_recovery_pending(const char *path)
{
    char marker[1100];
    snprintf(marker, sizeof marker, "%s.recovery", path);
    return exists(marker);
}

/* The aside copy a marker names, when it still exists. */
static bool read_marker(const char *marker, char *aside, size_t size)
{
    int fd = open(marker, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, aside, size - 1);
    close(fd);
    if (n <= 0)
        return false;
    aside[n] = '\0';
    return exists(aside);
}

/* --- what was complete ---------------------------------------------------------------------- */

/* The damaged copy's own row count of a table, by SQLite through the table's b-tree (no index),
 * or -1 when SQLite cannot read the whole table. A damaged page that held no rows (an index, a
 * free page) leaves every table countable; then the counts say whether every row came back,
 * which the pages alone cannot. The copy is opened without ever writing it (no checkpoint). */
static long damaged_count(sqlite3 *db, const char *table, const char *index)
{
    char sql[160];
    if (index)
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" INDEXED BY \"%s\"", table, index);
    else
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" NOT INDEXED", table);
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Check-ins also come back from the outbox (store_restore_checkins). When their table's own
 * b-tree lost a page, an index of it that is still whole tells how many there were (one entry
 * per check-in), so a loss the outbox made good is known to be one. */
static const char *const count_index[SHAPE_COUNT] = {[T_CHECKIN] = "checkin_by_day"};

/* True when SQLite counts in the damaged copy exactly the rows carried of every table (with the
 * check-ins restored from the outbox). */
static bool every_row_found(const char *aside, const carry *c, long checkins_restored)
{
    sqlite3 *db = NULL;
    bool all = sqlite3_open_v2(aside, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK;
    if (all) {
        sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    }
    for (size_t t = 0; all && t < SHAPE_COUNT; t++) {
        long found = c->copied[t] + (t == T_CHECKIN ? checkins_restored : 0);
        long n = damaged_count(db, shapes[t].name, NULL);
        if (n < 0 && count_index[t])
            n = damaged_count(db, shapes[t].name, count_index[t]);
        all = n >= 0 && n == found;
        if (!all)
            KLOG_WARN("recovery: %s: SQLite counts %ld rows in the damaged file, %ld were"
                      " carried",
                      shapes[t].name, n, found);
    }
    sqlite3_close(db);
    char shm[1200];
    snprintf(shm, sizeof shm, "%s-shm", aside); /* made by the reading; not part of the copy */
    unlink(shm);
    return all;
}

/* --- recovery ------------------------------------------------------------------------------- */

kiosk_rc kiosk_store_recover(const char *path, kiosk_recovery *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    char marker[1100], wal[1100], shm[1100], fresh_path[1100], aside_wal[1120];
    snprintf(marker, sizeof marker, "%s.recovery", path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    snprintf(fresh_path, sizeof fresh_path, "%s.recovering", path);

    /* 1, 2: a recovery that did not finish is redone from its aside copy; otherwise the file and
     * its WAL are copied aside now. */
    if (!read_marker(marker, out->aside_path, sizeof out->aside_path)) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(out->aside_path, sizeof out->aside_path, "%s.damaged-%s", path, stamp);
        snprintf(aside_wal, sizeof aside_wal, "%s-wal", out->aside_path);
        kiosk_rc rc = write_marker(marker, out->aside_path, err, err_size);
        if (rc == KIOSK_OK)
            rc = copy_file(path, out->aside_path, false, err, err_size);
        if (rc == KIOSK_OK)
            rc = copy_file(wal, aside_wal, true, err, err_size);
        if (rc != KIOSK_OK) {
            unlink(out->aside_path);
            unlink(aside_wal);
            unlink(marker);
            return rc;
        }
        sync_folder(path);
    } else {
        KLOG_WARN("recovery: an earlier recovery did not finish; again from %s", out->aside_path);
    }
    snprintf(aside_wal, sizeof aside_wal, "%s-wal", out->aside_path);

    /* 3: the rows into a fresh database beside it. */
    unlink(fresh_path);
    char fresh_wal[1130];
    snprintf(fresh_wal, sizeof fresh_wal, "%s-wal", fresh_path);
    unlink(fresh_wal);
    kiosk_store *fresh = NULL;
    kiosk_rc rc = kiosk_store_open(fresh_path, &fresh, err, err_size);
    carry c = {.fresh = fresh};
    kiosk_salvage_stats stats;
    memset(&stats, 0, sizeof stats);
    if (rc == KIOSK_OK)
        rc = store_exec(fresh, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE;"
                               " DELETE FROM device_state");
    if (rc == KIOSK_OK) {
        char scan_err[300];
        rc = kiosk_salvage_scan(out->aside_path, aside_wal, shapes, SHAPE_COUNT, carry_row, &c,
                                &stats, scan_err, sizeof scan_err);
        if (rc != KIOSK_OK)
            kiosk_fail(rc, err, err_size, "%s", c.fresh->message[0] ? c.fresh->message : scan_err);
    }
    /* Without the old card key no stored card or ID hash can match again: the fresh key goes
     * back and the hashes go (the roster import makes them anew). */
    long keys = 0, orphans = 0;
    if (rc == KIOSK_OK)
        rc = store_count(fresh,
                         "SELECT count(*) FROM device_state WHERE k = 'card_key'"
                         " AND typeof(v) = 'blob' AND length(v) = 32",
                         &keys);
    if (rc == KIOSK_OK && keys == 0) {
        out->card_key_lost = true;
        rc = store_count(fresh, "SELECT count(*) FROM card", &orphans);
        if (rc == KIOSK_OK)
            rc = store_exec(fresh, "DELETE FROM card; UPDATE person SET id_key = NULL;"
                                   " DELETE FROM staff_card; DELETE FROM staff_lock");
        sqlite3_stmt *st = NULL;
        int code = rc == KIOSK_OK ? sqlite3_prepare_v2(fresh->db,
                                                       "INSERT INTO device_state(k, v)"
                                                       " VALUES ('card_key', ?1)",
                                                       -1, &st, NULL)
                                  : SQLITE_OK;
        if (st) {
            sqlite3_bind_blob(st, 1, fresh->card_key, sizeof fresh->card_key, SQLITE_STATIC);
            code = sqlite3_step(st);
            sqlite3_finalize(st);
        }
        if (rc == KIOSK_OK && code != SQLITE_DONE)
            rc = store_fail(fresh, code, "card key");
        KLOG_WARN("recovery: the card key was unreadable; %ld cards must be imported again",
                  orphans);
    }
    /* Cards whose person could not be read would only ever answer "unknown card". */
    long unowned = 0;
    if (rc == KIOSK_OK &&
        store_count(fresh,
                    "SELECT count(*) FROM card WHERE person_id NOT IN"
                    " (SELECT person_id FROM person)",
                    &unowned) == KIOSK_OK &&
        unowned > 0)
        rc = store_exec(fresh, "DELETE FROM card WHERE person_id NOT IN"
                               " (SELECT person_id FROM person)");
    orphans += unowned;
    /* Likewise a staff card whose member could not be read. */
    long staff_orphans = 0;
    if (rc == KIOSK_OK && keys == 0)
        staff_orphans = c.copied[T_STAFF_CARD] + c.copied[T_STAFF_LOCK];
    else if (rc == KIOSK_OK &&
             store_count(fresh,
                         "SELECT count(*) FROM staff_card WHERE staff_id NOT IN"
                         " (SELECT staff_id FROM staff)",
                         &staff_orphans) == KIOSK_OK &&
             staff_orphans > 0)
        rc = store_exec(fresh, "DELETE FROM staff_card WHERE staff_id NOT IN"
                               " (SELECT staff_id FROM staff)");
    if (rc == KIOSK_OK)
        rc = restore_audit(fresh, &out->audit_restored);
    if (rc == KIOSK_OK)
        rc = store_restore_checkins(fresh, &out->checkins_restored);
    out->persons = c.copied[T_PERSON];
    out->cards = c.copied[T_CARD] - orphans;
    out->meals = c.copied[T_MEAL];
    out->outbox = c.copied[T_OUTBOX];
    out->staff = c.copied[T_STAFF];
    out->staff_cards = keys == 0 ? 0 : c.copied[T_STAFF_CARD] - staff_orphans;
    out->staff_locks = keys == 0 ? 0 : c.copied[T_STAFF_LOCK];
    out->audit = c.copied[T_AUDIT] + out->audit_restored;
    out->voids = c.copied[T_MEAL_VOID];
    out->appointments = c.copied[T_APPOINTMENT];
    out->checkins = c.copied[T_CHECKIN] + out->checkins_restored;
    out->calls = c.copied[T_QUEUE_CALL];
    out->calendar_days = c.copied[T_CALENDAR_DAY];
    orphans += staff_orphans;
    out->pages_unreadable = (long)stats.pages_unreadable;
    out->rows_skipped = (long)stats.cells_skipped + orphans;
    for (size_t t = 0; t < SHAPE_COUNT; t++)
        out->rows_skipped += c.refused[t];
    /* Complete when nothing was unreadable, or when SQLite's own count of every table in the
     * damaged copy matches what was found (the unreadable pages held no rows). */
    out->complete =
        orphans == 0 && !out->card_key_lost &&
        ((stats.pages_unreadable == 0 && out->rows_skipped == 0) ||
         (rc == KIOSK_OK && every_row_found(out->aside_path, &c, out->checkins_restored)));
    /* Staff must hear of what was lost at every start until someone acts, not once on stderr. */
    if (rc == KIOSK_OK && !out->complete)
        rc = kiosk_store_set_staff_notice(fresh, out->card_key_lost
                                                     ? KIOSK_NOTICE_CARD_KEY_LOST
                                                     : KIOSK_NOTICE_RECOVERY_INCOMPLETE);
    if (rc == KIOSK_OK)
        rc = store_exec(fresh, "COMMIT; PRAGMA foreign_keys = ON");
    if (rc == KIOSK_OK)
        rc = kiosk_store_checkpoint(fresh);
    carry_cleanup(&c);
    if (rc != KIOSK_OK && fresh && !err[0])
        snprintf(err, err_size, "%s", fresh->message);
    kiosk_store_close(fresh);
    if (rc != KIOSK_OK) {
        /* The damaged file is as it was; the half-made one goes. */
        unlink(fresh_path);
        unlink(fresh_wal);
        KLOG_ERROR("recovery did not finish: %s", err);
        return rc;
    }
    KLOG_INFO("recovery: %ld persons, %ld cards, %ld meals, %ld outbox rows, %ld staff, %ld staff"
              " cards, %ld staff locks, %ld audit entries (%ld from the outbox), %ld voids, %ld"
              " appointments, %ld check-ins (%ld from the outbox), %ld calls, %ld calendar days;"
              " %ld of %" PRIu32 " pages unreadable, %ld rows skipped",
              out->persons, out->cards, out->meals, out->outbox, out->staff, out->staff_cards,
              out->staff_locks, out->audit, out->audit_restored, out->voids, out->appointments,
              out->checkins, out->checkins_restored, out->calls, out->calendar_days,
              out->pages_unreadable, stats.pages, out->rows_skipped);

    /* 4: the swap. A stale WAL must never meet the new file, so it goes first (its content is in
     * the aside copy). */
    unlink(fresh_wal);
    char fresh_shm[1130];
    snprintf(fresh_shm, sizeof fresh_shm, "%s-shm", fresh_path);
    unlink(fresh_shm);
    unlink(wal);
    unlink(shm);
    if (rename(fresh_path, path) != 0) {
        int e = errno;
        return kiosk_fail(KIOSK_ERR_IO, err, err_size,
                          "cannot put the recovered database in %s:"
                          " %s",
                          path, strerror(e));
    }
    sync_folder(path);
    unlink(marker);
    sync_folder(path);
    return KIOSK_OK;
}
