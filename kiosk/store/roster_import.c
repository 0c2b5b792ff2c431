/* roster_import.c - the roster CSV import (roster_import.h) in three steps:
 *   1. stage: every row, parsed and checked, goes into TEMP tables keyed by person_id and by card
 *      key; rows that disagree with an earlier row are refused as they come, in file order;
 *   2. diff: one read snapshot of person and card gives the write set (only what differs), the
 *      conflicts with persons the file does not name, and, in full mode, who becomes inactive;
 *   3. apply: BEGIN IMMEDIATE, a few set-based statements over the write set, COMMIT.
 * TEMP tables live in the connection's own temporary database, so steps 1 and 2 never take the
 * write lock of the live file: a diner's tap commits meanwhile. Memory stays bounded by SQLite's
 * page caches (the temporary database spills to a file); the CSV is read one record at a time. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "roster_import.h"

#include <string.h>
#include <time.h>

#include "hex.h"
#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

/* The staging tables. roster_person holds the first row of each person (cardless_line: the
 * first row of theirs without a card, to tell a repeated row); roster_card one row per card
 * (status 0 active, 1 blocked, 2 lost). The *_write tables are the difference to apply. */
static const char stage_drop[] = "DROP TABLE IF EXISTS temp.roster_person;"
                                 "DROP TABLE IF EXISTS temp.roster_card;"
                                 "DROP TABLE IF EXISTS temp.roster_person_write;"
                                 "DROP TABLE IF EXISTS temp.roster_card_write;"
                                 "DROP TABLE IF EXISTS temp.roster_inactive;";

static const char stage_create[] =
    "CREATE TEMP TABLE roster_person(person_id TEXT PRIMARY KEY, line INTEGER NOT NULL,"
    " name_masked TEXT NOT NULL, birth_date TEXT NOT NULL, categories INTEGER NOT NULL,"
    " city TEXT NOT NULL, district TEXT NOT NULL, street TEXT NOT NULL,"
    " local_hukou INTEGER NOT NULL, local_resident INTEGER NOT NULL, active INTEGER NOT NULL,"
    " id_key BLOB, cardless_line INTEGER) WITHOUT ROWID;"
    "CREATE INDEX temp.roster_person_by_id_key ON roster_person(id_key)"
    " WHERE id_key IS NOT NULL;"
    "CREATE TEMP TABLE roster_card(card_key BLOB PRIMARY KEY, person_id TEXT NOT NULL,"
    " status INTEGER NOT NULL, issuing_canteen TEXT NOT NULL, line INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TEMP TABLE roster_person_write(person_id TEXT PRIMARY KEY, name_masked TEXT,"
    " birth_date TEXT, categories INTEGER, city TEXT, district TEXT, street TEXT,"
    " local_hukou INTEGER, local_resident INTEGER, active INTEGER, id_key BLOB,"
    " added INTEGER) WITHOUT ROWID;"
    "CREATE INDEX temp.roster_person_write_by_id_key ON roster_person_write(id_key)"
    " WHERE id_key IS NOT NULL;"
    /* kind: 0 added, 1 moved, 2 blocked, 3 otherwise changed; holder: the stored person_id;
     * line: NULL for a card the file no longer lists (full mode). Keyed by person first: see
     * apply_cards. */
    "CREATE TEMP TABLE roster_card_write(card_key BLOB NOT NULL, person_id TEXT NOT NULL,"
    " blocked INTEGER, issuing_canteen TEXT, kind INTEGER, holder TEXT, line INTEGER,"
    " PRIMARY KEY(person_id, card_key)) WITHOUT ROWID;"
    "CREATE TEMP TABLE roster_inactive(person_id TEXT PRIMARY KEY) WITHOUT ROWID;";

#define STAGE_STATEMENTS(X)                                                                    \
    X(add_person,                                                                              \
      "INSERT INTO roster_person(person_id, line, name_masked, birth_date, categories, city,"  \
      " district, street, local_hukou, local_resident, active, id_key, cardless_line)"         \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"                       \
      " ON CONFLICT(person_id) DO NOTHING")                                                    \
    X(find_person, "SELECT line, name_masked, birth_date, categories, city, district, street," \
                   " local_hukou, local_resident, active, id_key, cardless_line"               \
                   " FROM roster_person WHERE person_id = ?1")                                 \
    X(other_id_holder, "SELECT person_id, line FROM roster_person"                             \
                       " WHERE id_key = ?1 AND person_id <> ?2")                               \
    X(set_cardless, "UPDATE roster_person SET cardless_line = ?2 WHERE person_id = ?1")        \
    X(add_card, "INSERT INTO roster_card(card_key, person_id, status, issuing_canteen, line)"  \
                " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(card_key) DO NOTHING")               \
    X(find_card, "SELECT person_id, status, issuing_canteen, line FROM roster_card"            \
                 " WHERE card_key = ?1")

/* Step 2. A person is written when new or different. Their ID-number key is the file's; with
 * an empty id_number the stored one is kept, unless another person of the file claims it (the
 * number was on the wrong person), when it is cleared. */
static const char diff_persons[] =
    "INSERT INTO roster_person_write(person_id, name_masked, birth_date, categories, city,"
    " district, street, local_hukou, local_resident, active, id_key, added)"
    " SELECT person_id, name_masked, birth_date, categories, city, district, street,"
    "  local_hukou, local_resident, active, new_id_key, added FROM ("
    "  SELECT f.person_id, f.name_masked, f.birth_date, f.categories, f.city, f.district,"
    "   f.street, f.local_hukou, f.local_resident, f.active, p.id_key AS old_id_key,"
    "   CASE WHEN f.id_key IS NOT NULL THEN f.id_key"
    "    WHEN EXISTS (SELECT 1 FROM roster_person g WHERE g.id_key = p.id_key) THEN NULL"
    "    ELSE p.id_key END AS new_id_key,"
    "   p.person_id IS NULL AS added,"
    "   p.person_id IS NULL OR p.name_masked <> f.name_masked OR p.birth_date <> f.birth_date"
    "   OR p.categories <> f.categories OR p.city <> f.city OR p.district <> f.district"
    "   OR p.street <> f.street OR p.local_hukou <> f.local_hukou"
    "   OR p.local_resident <> f.local_resident OR p.active <> f.active AS differs"
    "  FROM roster_person f LEFT JOIN main.person p ON p.person_id = f.person_id)"
    " WHERE differs OR new_id_key IS NOT old_id_key";

static const char diff_cards[] =
    "INSERT INTO roster_card_write(card_key, person_id, blocked, issuing_canteen, kind, holder,"
    " line)"
    " SELECT r.card_key, r.person_id, r.status > 0, r.issuing_canteen,"
    "  CASE WHEN c.card_key IS NULL THEN 0 WHEN c.person_id <> r.person_id THEN 1"
    "   WHEN r.status > 0 AND NOT c.blocked THEN 2 ELSE 3 END, c.person_id, r.line"
    " FROM roster_card r LEFT JOIN main.card c ON c.card_key = r.card_key"
    " WHERE c.card_key IS NULL OR c.person_id <> r.person_id OR c.blocked <> (r.status > 0)"
    "  OR c.issuing_canteen <> r.issuing_canteen";

/* Full mode: a usable card of a person in the file that the file no longer lists (a lost card
 * replaced by the bureau) is blocked; it stays on record for the meals that name it. */
static const char diff_dropped_cards[] =
    "INSERT INTO roster_card_write(card_key, person_id, blocked, issuing_canteen, kind, holder,"
    " line)"
    " SELECT c.card_key, c.person_id, 1, c.issuing_canteen, 2, c.person_id, NULL"
    " FROM roster_person f JOIN main.card c ON c.person_id = f.person_id"
    " WHERE NOT c.blocked AND NOT EXISTS (SELECT 1 FROM roster_card r"
    "  WHERE r.card_key = c.card_key)";

/* Full mode: active persons the file leaves out. */
static const char diff_inactive[] =
    "INSERT INTO roster_inactive(person_id)"
    " SELECT p.person_id FROM main.person p WHERE p.active"
    " AND NOT EXISTS (SELECT 1 FROM roster_person f WHERE f.person_id = p.person_id)";

/* A card or an ID number stored for a person the file does not name is not the file's to give
 * away: the first such row, in file order. */
static const char conflict_card[] =
    "SELECT w.line, w.holder FROM roster_card_write w WHERE w.kind = 1"
    " AND NOT EXISTS (SELECT 1 FROM roster_person f WHERE f.person_id = w.holder)"
    " ORDER BY w.line LIMIT 1";

static const char conflict_id[] =
    "SELECT f.line, p.person_id FROM roster_person f JOIN main.person p ON p.id_key = f.id_key"
    " WHERE f.id_key IS NOT NULL AND p.person_id <> f.person_id"
    " AND NOT EXISTS (SELECT 1 FROM roster_person g WHERE g.person_id = p.person_id)"
    " ORDER BY f.line LIMIT 1";

/* Step 3. Persons go in in key order, so their b-trees fill from one end. Cards go in by person:
 * then the foreign-key probes into person and the card_by_person index run in order too, and
 * only the card table itself takes them scattered (a million new cards: 3.5 s, against 5-6 s in
 * card-key order). A card is re-pointed only from a person of the file: if another writer (a
 * sync pull) gave it to someone else since step 2, the update is skipped, the count comes out
 * short and the import is rolled back. */
static const char apply_persons[] =
    "INSERT INTO main.person(person_id, name_masked, birth_date, categories, city, district,"
    " street, local_hukou, local_resident, active, id_key)"
    " SELECT person_id, name_masked, birth_date, categories, city, district, street,"
    "  local_hukou, local_resident, active, id_key"
    " FROM roster_person_write WHERE true ORDER BY person_id"
    " ON CONFLICT(person_id) DO UPDATE SET name_masked = excluded.name_masked,"
    " birth_date = excluded.birth_date, categories = excluded.categories,"
    " city = excluded.city, district = excluded.district, street = excluded.street,"
    " local_hukou = excluded.local_hukou, local_resident = excluded.local_resident,"
    " active = excluded.active, id_key = excluded.id_key";

static const char apply_cards[] =
    "INSERT INTO main.card(card_key, person_id, blocked, issuing_canteen)"
    " SELECT card_key, person_id, blocked, issuing_canteen"
    " FROM roster_card_write WHERE true ORDER BY person_id, card_key"
    " ON CONFLICT(card_key) DO UPDATE SET person_id = excluded.person_id,"
    " blocked = excluded.blocked, issuing_canteen = excluded.issuing_canteen"
    " WHERE card.person_id = excluded.person_id"
    " OR EXISTS (SELECT 1 FROM roster_person f WHERE f.person_id = card.person_id)";

static const char apply_inactive[] = "UPDATE main.person SET active = 0 WHERE active"
                                     " AND person_id IN (SELECT person_id FROM roster_inactive)";

/* The same guard for ID numbers: after the write, no other person may hold a written key. */
static const char raced_id[] =
    "SELECT 1 FROM roster_person_write w JOIN main.person p ON p.id_key = w.id_key"
    " WHERE w.id_key IS NOT NULL AND p.person_id <> w.person_id LIMIT 1";

typedef struct stage {
    kiosk_store *store;
    kiosk_roster_report *report;
    char problem[300];
#define STAGE_STMT_FIELD(name, sql) sqlite3_stmt *name;
    STAGE_STATEMENTS(STAGE_STMT_FIELD)
#undef STAGE_STMT_FIELD
} stage;

/* The page cache of the apply transaction, in PRAGMA cache_size units (negative: KiB). */
#define APPLY_CACHE_SIZE (-32768L)

static kiosk_rc set_cache_size(kiosk_store *store, long size)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA main.cache_size = %ld", size);
    return store_exec(store, sql);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A problem of the file (not of the database): the message names the line, never a value. */
#define file_problem(sg, ...) \
    kiosk_fail(KIOSK_ERR_PARSE, (sg)->problem, sizeof(sg)->problem, __VA_ARGS__)

static void note_duplicate(kiosk_roster_report *r, size_t line, size_t of)
{
    if (r->duplicate_rows < KIOSK_ROSTER_DUPLICATES_NAMED) {
        r->duplicate_line[r->duplicate_rows] = line;
        r->duplicate_of[r->duplicate_rows] = of;
    }
    r->duplicate_rows++;
}

static bool text_is(sqlite3_stmt *st, int col, const char *want)
{
    const char *have = (const char *)sqlite3_column_text(st, col);
    return have && strcmp(have, want) == 0;
}

/* The first person column in which a person's first row (find_person's result) differs from
 * this row, or NULL when they agree. */
static const char *person_difference(sqlite3_stmt *st, const kiosk_roster_row *row,
                                     const char *birth, const uint8_t *id_key)
{
    const kiosk_person *p = &row->person;
    if (!text_is(st, 1, row->name_masked))
        return "name";
    if (!text_is(st, 2, birth))
        return "birth_date";
    if (sqlite3_column_int64(st, 3) != (sqlite3_int64)p->categories)
        return "categories";
    if (!text_is(st, 4, p->home.city))
        return "city";
    if (!text_is(st, 5, p->home.district))
        return "district";
    if (!text_is(st, 6, p->home.street))
        return "street";
    if (sqlite3_column_int(st, 7) != p->local_hukou ||
        sqlite3_column_int(st, 8) != p->local_resident)
        return "hukou";
    if (sqlite3_column_int(st, 9) != p->active)
        return "status";
    const void *stored = sqlite3_column_blob(st, 10);
    bool same_id = id_key ? stored && sqlite3_column_bytes(st, 10) == KIOSK_CARD_KEY_BYTES &&
                                memcmp(stored, id_key, KIOSK_CARD_KEY_BYTES) == 0
                          : stored == NULL;
    return same_id ? NULL : "id_number";
}

/* A new person: a file's ID number belongs to one person. */
static kiosk_rc check_new_id(stage *sg, const kiosk_roster_row *row, const uint8_t *id_key)
{
    sqlite3_stmt *st = sg->other_id_holder;
    sqlite3_bind_blob(st, 1, id_key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->person_id, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW)
        rc = file_problem(sg,
                          "line %zu: id_number: this ID number is also on line %lld, for "
                          "person_id %s; an ID number belongs to one person",
                          row->line, sqlite3_column_int64(st, 1), sqlite3_column_text(st, 0));
    else if (code != SQLITE_DONE)
        rc = store_fail(sg->store, code, "import: ID number");
    sqlite3_reset(st);
    return rc;
}

/* A person seen before: the row must repeat their columns. Sets *duplicate when the row has no
 * card and repeats an earlier row without one. */
static kiosk_rc check_known_person(stage *sg, const kiosk_roster_row *row, const char *birth,
                                   const uint8_t *id_key, bool *duplicate)
{
    sqlite3_stmt *st = sg->find_person;
    sqlite3_bind_text(st, 1, row->person_id, -1, SQLITE_STATIC);
    int code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code != SQLITE_ROW) {
        rc = store_fail(sg->store, code, "import: person");
        goto out;
    }
    const char *column = person_difference(st, row, birth, id_key);
    if (column) {
        rc = file_problem(sg,
                          "line %zu: %s: differs from line %lld, another row of person_id %s "
                          "(a person's columns must be the same on all their rows)",
                          row->line, column, sqlite3_column_int64(st, 0), row->person_id);
        goto out;
    }
    if (row->card_uid[0])
        goto out;
    if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
        note_duplicate(sg->report, row->line, (size_t)sqlite3_column_int64(st, 11));
        *duplicate = true;
        goto out;
    }
    sqlite3_bind_text(sg->set_cardless, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(sg->set_cardless, 2, (sqlite3_int64)row->line);
    if (!store_step_done(sg->set_cardless, &code))
        rc = store_fail(sg->store, code, "import: person");
out:
    sqlite3_reset(st);
    return rc;
}

static int card_status(const kiosk_roster_row *row)
{
    return row->card_lost ? 2 : row->card_blocked ? 1 : 0;
}

/* The row's card: new, or a repeat of an earlier row, or a conflict. */
static kiosk_rc stage_card(stage *sg, const kiosk_roster_row *row)
{
    uint8_t uid[KIOSK_UID_MAX], key[KIOSK_CARD_KEY_BYTES];
    int uid_len = kiosk_card_uid_from_hex(row->card_uid, strlen(row->card_uid), uid);
    if (uid_len <= 0)
        return file_problem(sg, "line %zu: card_uid: not hexadecimal", row->line);
    kiosk_store_card_key(sg->store, uid, (size_t)uid_len, key);
    sqlite3_stmt *st = sg->add_card;
    sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, card_status(row));
    sqlite3_bind_text(st, 4, row->issuing_canteen, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)row->line);
    int code;
    if (!store_step_done(st, &code))
        return store_fail(sg->store, code, "import: card");
    if (sqlite3_changes(sg->store->db) == 1) {
        sg->report->cards++;
        return KIOSK_OK;
    }
    st = sg->find_card;
    sqlite3_bind_blob(st, 1, key, sizeof key, SQLITE_STATIC);
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code != SQLITE_ROW) {
        rc = store_fail(sg->store, code, "import: card");
    } else {
        long long first = sqlite3_column_int64(st, 3);
        if (!text_is(st, 0, row->person_id))
            rc = file_problem(sg,
                              "line %zu: card_uid: this card is also on line %lld, for "
                              "person_id %s; a card belongs to one person",
                              row->line, first, sqlite3_column_text(st, 0));
        else if (sqlite3_column_int(st, 1) != card_status(row))
            rc = file_problem(sg,
                              "line %zu: card_status: differs from line %lld, which has the "
                              "same card",
                              row->line, first);
        else if (!text_is(st, 2, row->issuing_canteen))
            rc = file_problem(sg,
                              "line %zu: issuing_canteen: differs from line %lld, which has "
                              "the same card",
                              row->line, first);
        else
            note_duplicate(sg->report, row->line, (size_t)first);
    }
    sqlite3_reset(st);
    return rc;
}

/* Step 1 for one row, called by the parser in file order. */
static kiosk_rc stage_row(void *user, const kiosk_roster_row *row)
{
    stage *sg = user;
    const kiosk_person *p = &row->person;
    char birth[11];
    uint8_t id_key[KIOSK_CARD_KEY_BYTES];
    bool has_id = row->id_number[0] != '\0';
    kiosk_date_format(p->birth, birth);
    if (has_id)
        kiosk_store_id_number_key(sg->store, row->id_number, id_key);
    sg->report->rows++;

    sqlite3_stmt *st = sg->add_person;
    sqlite3_bind_text(st, 1, row->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)row->line);
    sqlite3_bind_text(st, 3, row->name_masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, birth, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, p->categories);
    sqlite3_bind_text(st, 6, p->home.city, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, p->home.district, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, p->home.street, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, p->local_hukou);
    sqlite3_bind_int(st, 10, p->local_resident);
    sqlite3_bind_int(st, 11, p->active);
    if (has_id)
        sqlite3_bind_blob(st, 12, id_key, sizeof id_key, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 12);
    if (row->card_uid[0])
        sqlite3_bind_null(st, 13);
    else
        sqlite3_bind_int64(st, 13, (sqlite3_int64)row->line);
    int code;
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    if (!ok)
        return store_fail(sg->store, code, "import: person");
    kiosk_rc rc;
    bool duplicate = false;
    if (sqlite3_changes(sg->store->db) == 1) {
        sg->report->persons++;
        rc = has_id ? check_new_id(sg, row, id_key) : KIOSK_OK;
    } else {
        rc = check_known_person(sg, row, birth, has_id ? id_key : NULL, &duplicate);
    }
    if (rc == KIOSK_OK && !duplicate && row->card_uid[0])
        rc = stage_card(sg, row);
    return rc;
}

/* Runs a query whose row is (line, person_id) and makes a message of it when there is one. */
static kiosk_rc first_conflict(stage *sg, const char *sql, const char *what)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(sg->store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(sg->store, code, "import: conflicts");
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW)
        rc = file_problem(sg,
                          "line %lld: %s belongs to person_id %s in the database, who is not in "
                          "this file (if it really moved, add a row for %s too)",
                          sqlite3_column_int64(st, 0), what, sqlite3_column_text(st, 1),
                          sqlite3_column_text(st, 1));
    else if (code != SQLITE_DONE)
        rc = store_fail(sg->store, code, "import: conflicts");
    sqlite3_finalize(st);
    return rc;
}

/* Runs a query of integer columns and copies its first row into out[0..n). */
static kiosk_rc query_longs(kiosk_store *store, const char *sql, long *out, int n)
{
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, sql, -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "import: count");
    code = sqlite3_step(st);
    for (int i = 0; i < n; i++)
        out[i] = code == SQLITE_ROW ? (long)sqlite3_column_int64(st, i) : 0;
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK
                                                     : store_fail(store, code, "import: count");
}

/* The report's counts of what step 3 will do. */
static kiosk_rc count_changes(kiosk_store *store, kiosk_roster_report *r)
{
    long v[4];
    kiosk_rc rc =
        query_longs(store, "SELECT count(*), total(added) FROM roster_person_write", v, 2);
    if (rc != KIOSK_OK)
        return rc;
    r->persons_added = v[1];
    r->persons_changed = v[0] - v[1];
    r->persons_unchanged = r->persons - v[0];
    rc = query_longs(store, "SELECT count(*) FROM roster_inactive", &r->persons_inactivated, 1);
    if (rc == KIOSK_OK)
        rc = query_longs(store,
                         "SELECT total(kind = 0), total(kind = 1), total(kind = 2),"
                         " total(kind = 3 AND line IS NOT NULL) FROM roster_card_write",
                         v, 4);
    if (rc != KIOSK_OK)
        return rc;
    r->cards_added = v[0];
    r->cards_moved = v[1];
    r->cards_blocked = v[2];
    r->cards_changed = v[3];
    long listed;
    rc = query_longs(store, "SELECT count(line) FROM roster_card_write", &listed, 1);
    r->cards_unchanged = r->cards - listed;
    return rc;
}

/* Step 2: the write set and the conflicts, from one read snapshot. */
static kiosk_rc diff(stage *sg, kiosk_roster_mode mode)
{
    kiosk_store *store = sg->store;
    kiosk_rc rc = store_exec(store, "BEGIN");
    if (rc == KIOSK_OK)
        rc = store_exec(store, diff_persons);
    if (rc == KIOSK_OK)
        rc = store_exec(store, diff_cards);
    if (rc == KIOSK_OK && mode == KIOSK_ROSTER_MODE_FULL)
        rc = store_exec(store, diff_dropped_cards);
    if (rc == KIOSK_OK && mode == KIOSK_ROSTER_MODE_FULL)
        rc = store_exec(store, diff_inactive);
    if (rc == KIOSK_OK)
        rc = first_conflict(sg, conflict_card, "card_uid: this card");
    if (rc == KIOSK_OK)
        rc = first_conflict(sg, conflict_id, "id_number: this ID number");
    if (rc == KIOSK_OK)
        rc = count_changes(store, sg->report);
    if (rc == KIOSK_OK)
        rc = store_exec(store, "COMMIT");
    return rc;
}

/* Step 3: the one write transaction. The automatic checkpoint is held off until the write lock
 * is released, so that the commit does not copy the whole import into the database file while
 * the clock of the lock runs; the caller checkpoints afterwards. A larger page cache for the
 * transaction keeps a big write set from spilling pages to the WAL and reading them back (a
 * million new cards: 3.5 s with it, 8-9 s with SQLite's default 2 MiB). */
static kiosk_rc apply(stage *sg)
{
    kiosk_store *store = sg->store;
    kiosk_roster_report *r = sg->report;
    long planned_cards, cache_size;
    kiosk_rc rc = query_longs(store, "SELECT count(*) FROM roster_card_write", &planned_cards, 1);
    if (rc == KIOSK_OK)
        rc = query_longs(store, "PRAGMA main.cache_size", &cache_size, 1);
    if (rc == KIOSK_OK)
        rc = set_cache_size(store, APPLY_CACHE_SIZE);
    if (rc == KIOSK_OK)
        rc = kiosk_store_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    r->lock_from_ms = mono_ms();
    rc = store_exec(store, apply_persons);
    if (rc == KIOSK_OK)
        rc = store_exec(store, apply_cards);
    if (rc == KIOSK_OK && sqlite3_changes(store->db) != planned_cards)
        rc = KIOSK_ERR_BUSY;
    if (rc == KIOSK_OK)
        rc = store_exec(store, apply_inactive);
    if (rc == KIOSK_OK) {
        long raced = 0;
        rc = query_longs(store, raced_id, &raced, 1);
        if (rc == KIOSK_OK && raced)
            rc = KIOSK_ERR_BUSY;
    }
    if (rc == KIOSK_ERR_BUSY)
        snprintf(sg->problem, sizeof sg->problem,
                 "the roster in the database changed during the import (another import or a "
                 "sync); run the import again");
    if (rc == KIOSK_OK)
        rc = kiosk_store_commit(store);
    else
        kiosk_store_rollback(store);
    r->lock_until_ms = mono_ms();
    kiosk_rc reset = set_cache_size(store, cache_size);
    return rc == KIOSK_OK ? reset : rc;
}

/* Creates the staging tables and prepares step 1's statements. */
static kiosk_rc stage_open(stage *sg)
{
    kiosk_rc rc = store_exec(sg->store, stage_drop);
    if (rc == KIOSK_OK)
        rc = store_exec(sg->store, stage_create);
#define STAGE_STMT_PREPARE(name, sql)                                           \
    if (rc == KIOSK_OK) {                                                       \
        int code = sqlite3_prepare_v2(sg->store->db, sql, -1, &sg->name, NULL); \
        if (code != SQLITE_OK)                                                  \
            rc = store_fail(sg->store, code, "import: prepare " #name);         \
    }
    STAGE_STATEMENTS(STAGE_STMT_PREPARE)
#undef STAGE_STMT_PREPARE
    return rc;
}

static void stage_close(stage *sg)
{
#define STAGE_STMT_FINALIZE(name, sql) sqlite3_finalize(sg->name);
    STAGE_STATEMENTS(STAGE_STMT_FINALIZE)
#undef STAGE_STMT_FINALIZE
    kiosk_store_rollback(sg->store);
    /* Frees the temporary database's pages; a failure here leaves only scratch behind. */
    sqlite3_exec(sg->store->db, stage_drop, NULL, NULL, NULL);
}

kiosk_rc kiosk_store_import_roster_mode(kiosk_store *store, FILE *csv, kiosk_date today,
                                        kiosk_roster_mode mode, kiosk_roster_report *out, char *err,
                                        size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (err_size)
        err[0] = '\0';
    if (mode != KIOSK_ROSTER_MODE_FULL && mode != KIOSK_ROSTER_MODE_DELTA)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "no import mode: full (the file is the whole roster) or delta (only "
                          "its rows change)");
    out->mode = mode;
    out->started_ms = mono_ms();
    store->message[0] = '\0';
    stage sg = {.store = store, .report = out};
    /* The checkpoint is deferred to after the commit (see apply); the setting is restored. */
    long autocheckpoint = 0;
    kiosk_rc rc = query_longs(store, "PRAGMA wal_autocheckpoint", &autocheckpoint, 1);
    if (rc == KIOSK_OK)
        rc = stage_open(&sg);
    if (rc == KIOSK_OK)
        rc = store_exec(store, "PRAGMA wal_autocheckpoint = 0; BEGIN");
    if (rc == KIOSK_OK) {
        rc = kiosk_roster_csv_read(csv, today, stage_row, &sg, err, err_size);
        if (rc == KIOSK_OK)
            rc = store_exec(store, "COMMIT");
    }
    if (rc == KIOSK_OK && mode == KIOSK_ROSTER_MODE_FULL && out->persons == 0)
        rc = kiosk_fail(KIOSK_ERR_PARSE, sg.problem, sizeof sg.problem,
                        "the file has no rows; a full import of it would make every person "
                        "inactive");
    if (rc == KIOSK_OK)
        rc = diff(&sg, mode);
    if (rc == KIOSK_OK)
        rc = apply(&sg);
    stage_close(&sg);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = %ld", autocheckpoint);
    if (sqlite3_exec(store->db, sql, NULL, NULL, NULL) != SQLITE_OK && rc == KIOSK_OK)
        rc = store_fail(store, sqlite3_errcode(store->db), "import: wal_autocheckpoint");
    if (rc == KIOSK_OK) {
        /* Copies the import into the database file now rather than in a diner's commit. If
         * another connection is checkpointing at this moment (busy) it copies ours too, and
         * after any other failure the pages wait in the WAL for the next checkpoint. */
        sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        out->finished_ms = mono_ms();
        KLOG_INFO("roster import (%s): %ld rows in %.0f ms, write lock held %.1f ms",
                  kiosk_roster_mode_name(mode), out->rows, out->finished_ms - out->started_ms,
                  out->lock_until_ms - out->lock_from_ms);
        return KIOSK_OK;
    }
    /* A problem of the file; else the database's own words, which say more than the parser's
     * "stopped by the importer"; else the parser's message. */
    if (sg.problem[0])
        snprintf(err, err_size, "%s", sg.problem);
    else if (store->message[0])
        snprintf(err, err_size, "%s", store->message);
    memset(out, 0, sizeof *out);
    return rc;
}

kiosk_rc kiosk_store_import_roster(kiosk_store *store, FILE *csv, kiosk_date today,
                                   kiosk_import_stats *stats, char *err, size_t err_size)
{
    kiosk_roster_report r;
    kiosk_rc rc = kiosk_store_import_roster_mode(store, csv, today, KIOSK_ROSTER_MODE_DELTA, &r,
                                                 err, err_size);
    *stats = (kiosk_import_stats){.rows = r.rows, .persons = r.persons, .cards = r.cards};
    return rc;
}
