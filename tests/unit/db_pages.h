/* db_pages.h - a database file's bytes and b-tree pages, read and damaged by hand, for the tests
 * that destroy one page of a real SQLite file and recover it (test_recovery*, 4096-byte pages).
 * Header-only: each function is static inline. Test code only. */
#ifndef KIOSK_TEST_DB_PAGES_H
#define KIOSK_TEST_DB_PAGES_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define DB_PAGE 4096

/* The whole file (malloc'd), or NULL. */
static inline unsigned char *db_read_all(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *len = (size_t)n;
    return buf;
}

static inline void db_write_all(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static inline unsigned db_get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static inline unsigned db_get32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* Where page's b-tree header starts (page 1 has the 100-byte file header first). */
static inline const unsigned char *db_page_header(const unsigned char *db, unsigned page)
{
    return db + (size_t)(page - 1) * DB_PAGE + (page == 1 ? 100 : 0);
}

static inline bool db_is_interior(unsigned char type)
{
    return type == 0x02 || type == 0x05;
}

/* A leaf of the b-tree rooted at page: the first (or the middle) cell's child, down to the
 * bottom. */
static inline unsigned db_leaf(const unsigned char *db, unsigned page, bool middle)
{
    for (;;) {
        const unsigned char *h = db_page_header(db, page);
        if (!db_is_interior(h[0]))
            return page;
        unsigned cells = db_get16(h + 3);
        unsigned cell = db_get16(h + 12 + 2 * (middle ? cells / 2 : 0));
        page = db_get32(db + (size_t)(page - 1) * DB_PAGE + cell);
    }
}

/* The first leaf of the b-tree rooted at page (its first cell's child, down to the bottom). */
static inline unsigned db_first_leaf(const unsigned char *db, unsigned page)
{
    return db_leaf(db, page, false);
}

/* A leaf in the middle of the b-tree rooted at page (so the rows lost are neither the first nor
 * the last). */
static inline unsigned db_middle_leaf(const unsigned char *db, unsigned page)
{
    return db_leaf(db, page, true);
}

/* The root page of a table or index, 0 when there is none. */
static inline unsigned db_root_of(const char *path, const char *name)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    unsigned root = 0;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_schema WHERE name = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        root = (unsigned)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return root;
}

/* Overwrites page with garbage; returns how many cells it held. */
static inline unsigned db_damage_page(const char *path, unsigned page)
{
    size_t len;
    unsigned char *db = db_read_all(path, &len);
    unsigned cells = db ? db_get16(db_page_header(db, page) + 3) : 0;
    if (db) {
        memset(db + (size_t)(page - 1) * DB_PAGE, 0xA5, DB_PAGE);
        db_write_all(path, db, len);
    }
    free(db);
    return cells;
}

#endif
