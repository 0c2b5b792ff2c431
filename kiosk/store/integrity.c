/* integrity.c - the damage checks. Opening checks what a start cannot do without (the schema,
 * the card key, the policies, the records not yet sent); everything else, the large roster
 * first among it, is checked after the first frame by kiosk_store_check on its own connection,
 * so a cold start does not wait for a whole-file read (issue: 5.6 s with a million persons). */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

/* Runs one quick_check statement; KIOSK_ERR_CORRUPT with its first complaint when it finds
 * damage. */
static kiosk_rc run_check(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (code != SQLITE_OK) {
        kiosk_rc rc = store_rc(code);
        kiosk_fail(rc == KIOSK_OK ? KIOSK_ERR_DB : rc, err, err_size,
                   "integrity check could not start: %s", sqlite3_errmsg(db));
        return rc == KIOSK_OK ? KIOSK_ERR_DB : rc;
    }
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW) {
        const char *verdict = (const char *)sqlite3_column_text(st, 0);
        if (!verdict || strcmp(verdict, "ok") != 0)
            rc = kiosk_fail(KIOSK_ERR_CORRUPT, err, err_size, "integrity check failed: %s",
                            verdict ? verdict : "?");
    } else {
        rc = store_rc(code);
        if (rc == KIOSK_OK)
            rc = KIOSK_ERR_DB;
        kiosk_fail(rc, err, err_size, "integrity check could not run: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* The tables a start needs sound, those of them that exist yet (a new file has none). Reading
 * the schema to find them checks it too. */
kiosk_rc store_check_at_open(kiosk_store *store, char *err, size_t err_size)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT name FROM sqlite_schema WHERE type = 'table' AND name"
                                  " IN ('device_state', 'policy', 'outbox') ORDER BY name",
                                  -1, &st, NULL);
    char names[3][16];
    size_t n = 0;
    while (code == SQLITE_OK && n < 3 && (code = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
        code = SQLITE_OK;
    }
    if (code != SQLITE_OK && code != SQLITE_DONE) {
        kiosk_rc rc = store_rc(code);
        if (rc == KIOSK_OK)
            rc = KIOSK_ERR_DB;
        kiosk_fail(rc, err, err_size, "integrity check could not read the schema: %s",
                   sqlite3_errmsg(store->db));
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA quick_check(%s)", names[i]);
        kiosk_rc rc = run_check(store->db, sql, err, err_size);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

/* --- the whole-file check --------------------------------------------------------------- */

struct kiosk_store_check {
    sqlite3 *db;
};

kiosk_rc kiosk_store_check_open(const char *path, kiosk_store_check **out, char *err,
                                size_t err_size)
{
    *out = NULL;
    kiosk_store_check *c = calloc(1, sizeof *c);
    if (!c)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    int code = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (code != SQLITE_OK) {
        kiosk_fail(store_rc(code), err, err_size, "%s: cannot open for the check: %s", path,
                   c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return store_rc(code) == KIOSK_OK ? KIOSK_ERR_DB : store_rc(code);
    }
    /* A reader never checkpoints, and this one must not either if it is the last to close. */
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_busy_timeout(c->db, 5000);
    *out = c;
    return KIOSK_OK;
}

kiosk_rc kiosk_store_check_run(kiosk_store_check *check, char *err, size_t err_size)
{
    kiosk_rc rc = run_check(check->db, "PRAGMA quick_check", err, err_size);
    if (rc == KIOSK_ERR_CORRUPT)
        KLOG_ERROR("the whole-file check found damage: %s", err);
    return rc;
}

void kiosk_store_check_interrupt(kiosk_store_check *check)
{
    if (check)
        sqlite3_interrupt(check->db);
}

void kiosk_store_check_close(kiosk_store_check *check)
{
    if (!check)
        return;
    sqlite3_close(check->db);
    free(check);
}
