/* recovery.c - a damaged database is set aside, never deleted, and every row that can still be
 * read is carried into a fresh one. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

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
        rc = store_fail(fresh, sqlite3_errcode(fresh->db), "recovery");
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
            rc = store_fail(fresh, sqlite3_errcode(fresh->db), "recovery commit");
            snprintf(err, err_size, "%s", fresh->message);
            sqlite3_exec(fresh->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(fresh->db, "DETACH old", NULL, NULL, NULL);
    kiosk_store_close(fresh);
    return rc;
}
