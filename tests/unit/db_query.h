/* db_query.h - one integer from a query on a read-only connection of the test's own to a
 * database file (what another reader sees after a commit); -1 when the query fails or gives no
 * row, with SQLite's message on stderr when it fails. Header-only; test code only. */
#ifndef KIOSK_TEST_DB_QUERY_H
#define KIOSK_TEST_DB_QUERY_H

#include <sqlite3.h>
#include <stdio.h>

static inline long db_query_long(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = (long)sqlite3_column_int64(st, 0);
    } else {
        fprintf(stderr, "query %s: %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

#endif
