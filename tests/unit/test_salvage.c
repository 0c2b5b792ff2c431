/* test_salvage.c - the page-level salvage reader on real kiosk databases (the store's migrations,
 * rows added with SQL): an intact file and WAL give back every row of every table exactly; a
 * damaged leaf, interior page, page 1, WAL or overflow chain and a truncated file lose exactly
 * the rows they held; freed pages never bring deleted rows back. Rows are compared by key and by
 * a hash of all their values; which rows a damaged page held is read from the page beforehand
 * by a small decoder of this file's own. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "salvage.h"
#include "store.h"

#define PAGE          4096
#define FRAME         (24 + PAGE)
#define WAL_HEADER    32
#define C_TEXT        KIOSK_SALVAGE_COL(KIOSK_SALVAGE_TEXT)
#define C_INT         KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT)
#define KEY16         KIOSK_SALVAGE_COL_SIZED(KIOSK_SALVAGE_BLOB, 16)
#define KEY32         KIOSK_SALVAGE_COL_SIZED(KIOSK_SALVAGE_BLOB, 32)
#define KEY32_OR_NULL KIOSK_SALVAGE_COL_SIZED(KIOSK_SALVAGE_BLOB | KIOSK_SALVAGE_NULL, 32)

/* The kiosk's tables as the migrations make them (kiosk/store/store.c), in the order recovery
 * copies them. meal has 19 columns in rows from before migration 2, 23 after it and 24 after
 * migration 3; person, card and policy one more after migration 3. */
enum { T_DEVICE_STATE, T_PERSON, T_CARD, T_POLICY, T_MEAL, T_OUTBOX, T_COUNT };
#define MEAL_V1_COLUMNS 19
#define MEAL_COLUMNS    24
static const char *const outbox_kinds[] = {"meal", "checkin", "override", "audit", NULL};
static const char *const price_sources[] = {"set", "menu", "bill", NULL};
static const char *const outbox_states[] = {"pending", "acked", "rejected", NULL};
static const kiosk_salvage_column device_state_cols[] = {
    C_TEXT,                              /* k */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_ANY) /* v */
};
static const kiosk_salvage_column person_cols[] = {
    C_TEXT,                                                   /* person_id */
    C_TEXT,                                                   /* name_masked */
    C_TEXT,                                                   /* birth_date */
    C_INT,                                                    /* categories */
    C_TEXT,                                                   /* city */
    C_TEXT,                                                   /* district */
    C_TEXT,                                                   /* street */
    C_INT,                                                    /* local_hukou */
    C_INT,                                                    /* local_resident */
    C_INT,                                                    /* active */
    KEY32_OR_NULL,                                            /* id_key */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT | KIOSK_SALVAGE_NULL) /* sync_version (migration 3) */
};
static const kiosk_salvage_column card_cols[] = {
    KEY32,                                                    /* card_key */
    C_TEXT,                                                   /* person_id */
    C_INT,                                                    /* blocked */
    C_TEXT,                                                   /* issuing_canteen */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT | KIOSK_SALVAGE_NULL) /* sync_version (migration 3) */
};
static const kiosk_salvage_column policy_cols[] = {
    C_TEXT,                                          /* version */
    KIOSK_SALVAGE_COL_SIZED(KIOSK_SALVAGE_TEXT, 10), /* effective_from (not an index's name) */
    C_TEXT,                                          /* body */
    C_INT,                                           /* stored_utc_ms */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT | KIOSK_SALVAGE_NULL) /* sync_version (migration 3) */
};
static const kiosk_salvage_column meal_cols[MEAL_COLUMNS] = {
    KEY16,                                   /* record_id */
    C_TEXT,                                  /* person_id */
    KEY32_OR_NULL,                           /* card_key */
    C_TEXT,                                  /* kiosk_id */
    C_TEXT,                                  /* canteen_id */
    C_TEXT,                                  /* business_date */
    C_INT,                                   /* local_minute */
    C_TEXT,                                  /* meal_type */
    C_INT,                                   /* created_utc_ms */
    C_INT,                                   /* price_fen */
    C_INT,                                   /* subsidy_fen */
    C_INT,                                   /* pay_fen */
    C_INT,                                   /* city_fen */
    C_INT,                                   /* district_fen */
    C_INT,                                   /* street_fen */
    C_TEXT,                                  /* class_id */
    C_TEXT,                                  /* policy_version */
    C_TEXT,                                  /* payment_method */
    C_TEXT,                                  /* source; the columns of migration 2 follow */
    C_INT,                                   /* canteen_fen */
    C_INT,                                   /* day_subsidy_fen */
    KIOSK_SALVAGE_COL_ONE_OF(price_sources), /* price_source */
    C_TEXT,                                  /* menu_item */
    C_INT                                    /* offline (migration 3) */
};
static const kiosk_salvage_column outbox_cols[] = {
    KEY16,                                                      /* record_id */
    C_INT,                                                      /* device_seq */
    KIOSK_SALVAGE_COL_ONE_OF(outbox_kinds),                     /* kind */
    C_TEXT,                                                     /* payload */
    KEY32,                                                      /* payload_sha256 */
    C_INT,                                                      /* created_wall_ms */
    KIOSK_SALVAGE_COL_ONE_OF(outbox_states),                    /* state */
    C_INT,                                                      /* attempts */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_TEXT | KIOSK_SALVAGE_NULL), /* last_error */
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT | KIOSK_SALVAGE_NULL)   /* acked_at_ms */
};
#define N_COLS(cols) (sizeof cols / sizeof cols[0])
#define SHAPE(name, without_rowid, cols)                                    \
    {                                                                       \
        name, without_rowid, N_COLS(cols), N_COLS(cols), cols, N_COLS(cols) \
    }
/* A table that migration 3 gave one more column: rows from before have one fewer. */
#define SHAPE3(name, without_rowid, cols)                                       \
    {                                                                           \
        name, without_rowid, N_COLS(cols) - 1, N_COLS(cols), cols, N_COLS(cols) \
    }
static const kiosk_salvage_shape shapes[T_COUNT] = {
    SHAPE("device_state", false, device_state_cols),
    SHAPE3("person", false, person_cols),
    SHAPE3("card", true, card_cols),
    SHAPE3("policy", false, policy_cols),
    {"meal", true, MEAL_V1_COLUMNS, MEAL_COLUMNS, meal_cols, MEAL_COLUMNS},
    SHAPE("outbox", true, outbox_cols)};

static const char *dir;

static const char *path_in_dir(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* --- rows: identity (table + key) and a hash of every value ---------------------------- */

typedef struct row_id {
    int table;
    uint8_t key[32]; /* the rowid (8 bytes, big-endian) or the first column's bytes */
    size_t key_len;
    uint64_t hash;
    uint32_t page; /* where the scanner found it */
} row_id;

typedef struct row_set {
    row_id *v;
    size_t n, cap;
} row_set;

static void set_add(row_set *s, const row_id *r)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    s->v[s->n++] = *r;
}

static void set_free(row_set *s)
{
    free(s->v);
    *s = (row_set){0};
}

static int row_cmp(const void *pa, const void *pb)
{
    const row_id *a = pa, *b = pb;
    if (a->table != b->table)
        return a->table < b->table ? -1 : 1;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    return memcmp(a->key, b->key, a->key_len);
}

static const row_id *set_find(const row_set *s, const row_id *r)
{
    return s->n ? bsearch(r, s->v, s->n, sizeof *s->v, row_cmp) : NULL;
}

static void key_rowid(row_id *r, int64_t rowid)
{
    for (int i = 0; i < 8; i++)
        r->key[i] = (uint8_t)((uint64_t)rowid >> (56 - 8 * i));
    r->key_len = 8;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static row_id row_identity(int table, int64_t rowid, const kiosk_salvage_value *v, size_t count)
{
    row_id r = {.table = table};
    uint64_t h = 0xcbf29ce484222325ULL;
    if (shapes[table].without_rowid) {
        r.key_len = v[0].len < sizeof r.key ? v[0].len : sizeof r.key;
        memcpy(r.key, v[0].p, r.key_len);
    } else {
        key_rowid(&r, rowid);
        h = fnv(h, &rowid, sizeof rowid);
    }
    for (size_t i = 0; i < count; i++) {
        uint8_t type = (uint8_t)v[i].type;
        h = fnv(h, &type, 1);
        if (v[i].type == KIOSK_SALVAGE_INT)
            h = fnv(h, &v[i].i, sizeof v[i].i);
        else if (v[i].type == KIOSK_SALVAGE_REAL)
            h = fnv(h, &v[i].f, sizeof v[i].f);
        else if (v[i].type != KIOSK_SALVAGE_NULL)
            h = fnv(fnv(h, &v[i].len, sizeof v[i].len), v[i].p, v[i].len);
    }
    r.hash = h;
    return r;
}

/* Every row of every kiosk table as SQLite reads it. */
static void snapshot(sqlite3 *db, row_set *out)
{
    static const uint8_t empty[1];
    for (int t = 0; t < T_COUNT; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT %s* FROM %s", shapes[t].without_rowid ? "" : "rowid, ",
                 shapes[t].name);
        sqlite3_stmt *st;
        CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        int first = shapes[t].without_rowid ? 0 : 1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            kiosk_salvage_value v[32];
            int count = sqlite3_column_count(st) - first;
            for (int i = 0; i < count; i++) {
                int c = i + first;
                v[i] = (kiosk_salvage_value){.type = KIOSK_SALVAGE_NULL, .p = empty};
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_INTEGER:
                    v[i].type = KIOSK_SALVAGE_INT;
                    v[i].i = sqlite3_column_int64(st, c);
                    break;
                case SQLITE_FLOAT:
                    v[i].type = KIOSK_SALVAGE_REAL;
                    v[i].f = sqlite3_column_double(st, c);
                    break;
                case SQLITE_TEXT:
                    v[i].type = KIOSK_SALVAGE_TEXT;
                    v[i].p = sqlite3_column_text(st, c);
                    v[i].len = (size_t)sqlite3_column_bytes(st, c);
                    break;
                case SQLITE_BLOB:
                    v[i].type = KIOSK_SALVAGE_BLOB;
                    v[i].p = sqlite3_column_blob(st, c);
                    v[i].len = (size_t)sqlite3_column_bytes(st, c);
                    if (!v[i].p)
                        v[i].p = empty;
                    break;
                default:
                    break;
                }
            }
            row_id r = row_identity(t, first ? sqlite3_column_int64(st, 0) : 0, v, (size_t)count);
            set_add(out, &r);
        }
        sqlite3_finalize(st);
    }
    qsort(out->v, out->n, sizeof *out->v, row_cmp);
}

typedef struct collector {
    row_set *rows;
    size_t v1_meals; /* meals written before migration 2 */
} collector;

/* Keeps a salvaged row; a row from before a migration gets the defaults of the columns it
 * added, as SQLite reads it (and as recovery's INSERT of its fewer columns stores it). */
static kiosk_rc collect(void *user, const kiosk_salvage_row *row)
{
    collector *c = user;
    kiosk_salvage_value v[MEAL_COLUMNS];
    size_t count = row->count;
    if (row->table == T_MEAL && count < MEAL_COLUMNS) {
        memcpy(v, row->values, count * sizeof *v);
        if (count == MEAL_V1_COLUMNS) {
            v[19] = (kiosk_salvage_value){.type = KIOSK_SALVAGE_INT, .i = 0};
            v[20] = (kiosk_salvage_value){.type = KIOSK_SALVAGE_INT, .i = 0};
            v[21] = (kiosk_salvage_value){
                .type = KIOSK_SALVAGE_TEXT, .p = (const uint8_t *)"set", .len = 3};
            v[22] = (kiosk_salvage_value){
                .type = KIOSK_SALVAGE_TEXT, .p = (const uint8_t *)"", .len = 0};
            c->v1_meals++;
        }
        v[23] = (kiosk_salvage_value){.type = KIOSK_SALVAGE_INT, .i = 0}; /* offline */
        count = MEAL_COLUMNS;
    } else if (row->table != T_MEAL && count < shapes[row->table].max_columns) {
        memcpy(v, row->values, count * sizeof *v); /* sync_version: NULL */
        v[count++] = (kiosk_salvage_value){.type = KIOSK_SALVAGE_NULL, .p = (const uint8_t *)""};
    }
    row_id r =
        row_identity((int)row->table, row->rowid, count > row->count ? v : row->values, count);
    r.page = row->page;
    set_add(c->rows, &r);
    return KIOSK_OK;
}

/* Meals from before migration 2 in the last scan. */
static size_t last_v1_meals;

/* Scans db (and wal, may be NULL) into got, sorted; prints the stats. */
static kiosk_salvage_stats salvage(const char *what, const char *db, const char *wal, row_set *got)
{
    kiosk_salvage_stats st;
    char err[256] = "";
    collector c = {got, 0};
    kiosk_rc rc = kiosk_salvage_scan(db, wal, shapes, T_COUNT, collect, &c, &st, err, sizeof err);
    last_v1_meals = c.v1_meals;
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s: %s\n", what, err);
    qsort(got->v, got->n, sizeof *got->v, row_cmp);
    printf("%-28s rows", what);
    for (int t = 0; t < T_COUNT; t++)
        printf(" %s %llu", shapes[t].name, (unsigned long long)st.rows[t]);
    printf(" (%zu of 19 columns); pages %u free %u unreadable %u; cells skipped %llu, unclaimed"
           " %llu; wal %u frames\n",
           c.v1_meals, st.pages, st.pages_free, st.pages_unreadable,
           (unsigned long long)st.cells_skipped, (unsigned long long)st.unclaimed, st.wal_frames);
    return st;
}

/* got must be want without the rows in lost: each once, with every value equal. */
static void check_rows(const char *what, const row_set *got, const row_set *want,
                       const row_set *lost)
{
    size_t missing = 0, differ = 0, back = 0, expected = 0, lost_known = 0;
    for (size_t i = 0; i < want->n; i++) {
        const row_id *g = set_find(got, &want->v[i]);
        if (lost && set_find(lost, &want->v[i])) {
            lost_known++;
            back += g != NULL;
            continue;
        }
        expected++;
        if (!g)
            missing++;
        else if (g->hash != want->v[i].hash)
            differ++;
    }
    if (missing || differ || back || got->n != expected)
        fprintf(stderr, "%s: %zu missing, %zu differ, %zu lost came back, %zu got, %zu expected\n",
                what, missing, differ, back, got->n, expected);
    CHECK_INT(missing, 0);
    CHECK_INT(differ, 0);
    CHECK_INT(back, 0);
    CHECK_INT(got->n, expected);
    CHECK_INT(lost_known, lost ? lost->n : 0); /* every row said lost was a real row */
}

/* The number of rows of table t in want that are not in lost. */
static uint64_t count_rows(const row_set *want, const row_set *lost, int t)
{
    uint64_t n = 0;
    for (size_t i = 0; i < want->n; i++)
        n += want->v[i].table == t && !(lost && set_find(lost, &want->v[i]));
    return n;
}

static void check_counts(const kiosk_salvage_stats *st, const row_set *want, const row_set *lost)
{
    for (int t = 0; t < T_COUNT; t++)
        CHECK_INT(st->rows[t], count_rows(want, lost, t));
}

/* --- files and raw pages --------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    CHECK(in && out);
    char buf[65536];
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        CHECK_INT(fwrite(buf, 1, n, out), n);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void bytes_read(const char *path, long off, void *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    CHECK(f && fseek(f, off, SEEK_SET) == 0 && fread(buf, 1, n, f) == n);
    if (f)
        fclose(f);
}

static void bytes_write(const char *path, long off, const void *buf, size_t n)
{
    FILE *f = fopen(path, "r+b");
    CHECK(f && fseek(f, off, SEEK_SET) == 0 && fwrite(buf, 1, n, f) == n);
    if (f)
        fclose(f);
}

static void page_read(const char *path, uint32_t pgno, uint8_t *page)
{
    bytes_read(path, (long)(pgno - 1) * PAGE, page, PAGE);
}

/* Overwrites a page with pseudo-random bytes (the same for the same seed). */
static void page_garbage(const char *path, uint32_t pgno, uint64_t seed)
{
    uint8_t page[PAGE];
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t i = 0; i < sizeof page; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        page[i] = (uint8_t)x;
    }
    bytes_write(path, (long)(pgno - 1) * PAGE, page, sizeof page);
}

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A varint of an intact page. */
static size_t varint(const uint8_t *p, uint64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < 8; i++) {
        *v = *v << 7 | (p[i] & 0x7f);
        if (!(p[i] & 0x80))
            return i + 1;
    }
    *v = *v << 8 | p[8];
    return 9;
}

static uint32_t page_header(uint32_t pgno)
{
    return pgno == 1 ? 100 : 0;
}

/* The payload bytes a cell keeps on its page (the file format's rule, written out again here so
 * the test does not trust the scanner's). */
static uint32_t local_bytes(bool table_leaf, uint64_t size)
{
    uint32_t u = PAGE, max = table_leaf ? u - 35 : (u - 12) * 64 / 255 - 23;
    uint32_t min = (u - 12) * 32 / 255 - 23;
    if (size <= max)
        return (uint32_t)size;
    uint32_t k = min + (uint32_t)((size - min) % (u - 4));
    return k <= max ? k : min;
}

/* Adds the key of every cell of an intact page (of table t) to keys and returns how many
 * overflow pages their payloads use. */
static uint32_t page_cells(const uint8_t *pg, uint32_t pgno, int t, row_set *keys)
{
    uint32_t hdr = page_header(pgno), type = pg[hdr], ovfl = 0;
    uint32_t ptrs = hdr + (type == 0x02 || type == 0x05 ? 12 : 8);
    for (uint32_t i = 0; i < be16(pg + hdr + 3); i++) {
        const uint8_t *c = pg + be16(pg + ptrs + 2 * i) + (type == 0x02 ? 4 : 0);
        uint64_t size, rowid, hsize, st;
        c += varint(c, &size);
        row_id r = {.table = t};
        if (type == 0x0D) {
            c += varint(c, &rowid);
            key_rowid(&r, (int64_t)rowid);
        } else {
            varint(c + varint(c, &hsize), &st);
            r.key_len = (size_t)(st - 12) / 2;
            memcpy(r.key, c + hsize, r.key_len);
        }
        set_add(keys, &r);
        uint32_t local = local_bytes(type == 0x0D, size);
        ovfl += (uint32_t)((size - local + PAGE - 5) / (PAGE - 4));
    }
    qsort(keys->v, keys->n, sizeof *keys->v, row_cmp);
    return ovfl;
}

static uint32_t root_page(const char *path, const char *name)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    uint32_t root = 0;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(
        sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_schema WHERE name = ?1", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        root = (uint32_t)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(root > 1);
    return root;
}

/* The child of an interior page's middle cell. */
static uint32_t middle_child(const uint8_t *pg, uint32_t pgno)
{
    uint32_t hdr = page_header(pgno), ncells = be16(pg + hdr + 3);
    return be32(pg + be16(pg + hdr + 12 + 2 * (ncells / 2)));
}

/* A leaf in the middle of a table's tree. */
static uint32_t middle_leaf(const char *path, const char *table)
{
    uint8_t pg[PAGE];
    uint32_t pgno = root_page(path, table);
    for (int depth = 0; depth < 8; depth++) {
        page_read(path, pgno, pg);
        if (pg[0] == 0x0A || pg[0] == 0x0D)
            return pgno;
        pgno = middle_child(pg, pgno);
    }
    CHECK(!"no leaf within 8 levels");
    return pgno;
}

/* --- the databases ---------------------------------------------------------------------- */

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static void db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int code = sqlite3_exec(db, sql, NULL, NULL, &msg);
    CHECK_INT(code, SQLITE_OK);
    if (code != SQLITE_OK)
        fprintf(stderr, "  %s\n  %s\n", msg ? msg : "?", sql);
    sqlite3_free(msg);
}

static void file_snapshot(const char *path, row_set *out)
{
    sqlite3 *db = db_open(path);
    snapshot(db, out);
    sqlite3_close(db);
}

/* meal and outbox rows first..last; with_v2 adds the columns of migration 2. */
static void add_meals(sqlite3 *db, int first, int last, bool with_v2)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO meal(record_id, person_id, card_key, kiosk_id, canteen_id,"
             " business_date, local_minute, meal_type, created_utc_ms, price_fen, subsidy_fen,"
             " pay_fen, city_fen, district_fen, street_fen, class_id, policy_version,"
             " payment_method, source%s)"
             " SELECT CAST(printf('M%%015d', i) AS BLOB), printf('P%%05d', 1 + i %% 2000),"
             " CASE WHEN i %% 4 = 0 THEN NULL ELSE CAST(printf('C%%031d', 1 + i %% 2000) AS BLOB)"
             " END, 'K01', 'C01', printf('2026-03-%%02d', 1 + i %% 28), 600 + i %% 600,"
             " CASE i %% 3 WHEN 0 THEN 'breakfast' WHEN 1 THEN 'lunch' ELSE 'dinner' END,"
             " 1760000000000 + i, 1500, 500, 1000, 200, 200, 100, 'elder', 'p-1', 'counter',"
             " 'local'%s FROM n;"
             "WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO outbox SELECT CAST(printf('M%%015d', i) AS BLOB), i,"
             " CASE i %% 4 WHEN 0 THEN 'meal' WHEN 1 THEN 'checkin' WHEN 2 THEN 'override'"
             " ELSE 'audit' END,"
             " printf('{\"seq\":%%d,\"pad\":\"%%s\"}', i,"
             "   hex(zeroblob(CASE WHEN i %% 500 = 0 THEN 3000 ELSE 100 END))),"
             " CAST(printf('%%032d', i) AS BLOB), 1760000000000 + i,"
             " CASE WHEN i %% 10 = 0 THEN 'acked' ELSE 'pending' END, i %% 3,"
             " CASE WHEN i %% 7 = 0 THEN 'timeout' END,"
             " CASE WHEN i %% 10 = 0 THEN 1760000000500 + i END FROM n;",
             first, last, with_v2 ? ", canteen_fen, day_subsidy_fen, price_source, menu_item" : "",
             with_v2 ? ", i % 3 * 10, CASE WHEN i % 2 = 0 THEN 100 ELSE 0 END,"
                       " CASE i % 3 WHEN 0 THEN 'set' WHEN 1 THEN 'menu' ELSE 'bill' END,"
                       " CASE WHEN i % 3 = 1 THEN 'noodles' ELSE '' END"
                     : "",
             first, last);
    db_exec(db, sql);
}

static void store_open_close(const char *path)
{
    kiosk_store *store = NULL;
    char err[256];
    kiosk_rc rc = kiosk_store_open(path, &store, err, sizeof err);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", err);
    kiosk_store_close(store);
}

/* The base database, as a kiosk that started on schema 1 has it: the store's schema with the
 * columns of migration 2 dropped again (schema 1), 5 device_state rows, 2 policies (one of
 * 200 KB, on an overflow chain), 2,000 persons, 1,500 meals of 19 columns with their outbox
 * rows; then the store migrates it and 1,500 meals of 23 columns, their outbox rows (every
 * 500th payload 6 KB, overflowing an index page) and 2,000 cards follow. Checkpointed, no WAL. */
static void build_base(const char *path)
{
    store_open_close(path);
    sqlite3 *db = db_open(path);
    /* The marriage hall's and staff mode's tables (later migrations) go, as on a schema 1
     * kiosk. */
    db_exec(db, "DROP TABLE appointment; DROP TABLE checkin; DROP TABLE queue_call;"
                " DROP TABLE calendar_year; DROP TABLE calendar_day;");
    db_exec(db, "DROP TABLE staff_card; DROP TABLE staff; DROP TABLE staff_lock;"
                " DROP TABLE audit; DROP TABLE meal_void;");
    db_exec(db,
            "ALTER TABLE meal DROP COLUMN offline; ALTER TABLE person DROP COLUMN sync_version;"
            "ALTER TABLE card DROP COLUMN sync_version;"
            "ALTER TABLE policy DROP COLUMN sync_version; DROP TABLE sync_cursor;"
            "ALTER TABLE meal DROP COLUMN menu_item;"
            "ALTER TABLE meal DROP COLUMN price_source;"
            "ALTER TABLE meal DROP COLUMN day_subsidy_fen;"
            "ALTER TABLE meal DROP COLUMN canteen_fen; PRAGMA user_version = 1;"
            "BEGIN;"
            "INSERT INTO device_state(k, v) VALUES ('site', 'canteen-7'), ('counter', 42),"
            " ('ratio', 1.5), ('blank', NULL);"
            "INSERT INTO policy VALUES ('p-1', '2026-01-01', '{\"small\":true}', 1760000000000),"
            " ('p-big', '2026-02-01', '{\"pad\":\"' || hex(zeroblob(100000)) || '\"}',"
            " 1760000000001);"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
            " INSERT INTO person SELECT printf('P%05d', i), '张*' || i,"
            " printf('19%02d-01-01', i % 100), i % 4, '320100', '320102', '320102002', i % 2,"
            " 1, i % 5 != 0,"
            " CASE WHEN i % 3 = 0 THEN NULL ELSE CAST(printf('%032d', i) AS BLOB) END FROM n;");
    add_meals(db, 1, 1500, false);
    db_exec(db, "COMMIT");
    sqlite3_close(db);
    store_open_close(path);
    db = db_open(path);
    db_exec(db, "BEGIN");
    add_meals(db, 1501, 3000, true);
    db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                " INSERT INTO card(card_key, person_id, blocked, issuing_canteen)"
                " SELECT CAST(printf('C%031d', i) AS BLOB), printf('P%05d', i),"
                " i % 7 = 0, 'C01' FROM n;"
                "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
    sqlite3_close(db);
}

/* The WAL checksum of n bytes over 32-bit words of either byte order. */
static void wal_sum(const uint8_t *p, size_t n, bool big_endian, uint32_t s[2])
{
    for (size_t i = 0; i < n; i += 8) {
        uint32_t w[2];
        for (int k = 0; k < 2; k++) {
            const uint8_t *q = p + i + 4 * k;
            w[k] = big_endian ? be32(q)
                              : (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
                                    (uint32_t)q[3] << 24;
        }
        s[0] += w[0] + s[1];
        s[1] += w[1] + s[0];
    }
}

/* Rewrites a WAL's header and frame checksums as a big-endian machine writes them (magic
 * 0x377f0683). */
static void wal_to_big_endian(const char *wal, long frames)
{
    uint8_t head[WAL_HEADER], frame[FRAME];
    bytes_read(wal, 0, head, sizeof head);
    put_be32(head, 0x377f0683);
    uint32_t sum[2] = {0, 0};
    wal_sum(head, 24, true, sum);
    put_be32(head + 24, sum[0]);
    put_be32(head + 28, sum[1]);
    bytes_write(wal, 0, head, sizeof head);
    for (long k = 0; k < frames; k++) {
        long off = WAL_HEADER + k * FRAME;
        bytes_read(wal, off, frame, sizeof frame);
        wal_sum(frame, 8, true, sum);
        wal_sum(frame + 24, PAGE, true, sum);
        put_be32(frame + 16, sum[0]);
        put_be32(frame + 20, sum[1]);
        bytes_write(wal, off, frame, 24);
    }
}

/* --- the cases -------------------------------------------------------------------------- */

typedef struct fixture {
    const char *base;        /* checkpointed, no WAL */
    row_set base_rows;       /* as SQLite reads them */
    row_set base_got;        /* as the scanner found them (with their pages) */
    const char *wal_db;      /* a copy of base whose -wal holds transactions A and B */
    row_set a_rows, b_rows;  /* after A, after B */
    long frames_a, frames_b; /* frames in the WAL after A, after B */
} fixture;

/* (a) Intact: the file alone, then the file with its WAL, give every row exactly. */
static void test_intact(fixture *fx)
{
    kiosk_salvage_stats st = salvage("(a) intact file", fx->base, NULL, &fx->base_got);
    check_rows("(a) intact file", &fx->base_got, &fx->base_rows, NULL);
    check_counts(&st, &fx->base_rows, NULL);
    CHECK_INT(st.rows[T_MEAL], 3000);
    CHECK_INT(st.rows[T_OUTBOX], 3000);
    CHECK_INT(st.rows[T_PERSON], 2000);
    CHECK_INT(st.rows[T_CARD], 2000);
    CHECK_INT(st.rows[T_POLICY], 2);
    CHECK_INT(st.rows[T_DEVICE_STATE], 6); /* with min_reader_schema (store.c) */
    CHECK_INT(last_v1_meals, 1500);
    CHECK(st.header_valid);
    CHECK_INT(st.page_size, PAGE);
    CHECK_INT(st.pages, file_size(fx->base) / PAGE);
    CHECK_INT(st.pages_unreadable, 0);
    CHECK_INT(st.cells_skipped, 0);
    CHECK(st.unclaimed > 0); /* index entries and the schema */
    CHECK_INT(st.cells, st.cells_skipped + st.unclaimed + fx->base_got.n);
    CHECK(!st.wal_used);

    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", fx->wal_db);
    row_set got = {0};
    st = salvage("(a) intact file + WAL", fx->wal_db, wal, &got);
    check_rows("(a) intact file + WAL", &got, &fx->b_rows, NULL);
    check_counts(&st, &fx->b_rows, NULL);
    CHECK(st.wal_used);
    CHECK_INT(st.wal_frames, fx->frames_b);
    CHECK_INT(st.pages_unreadable, 0);
    CHECK_INT(st.cells_skipped, 0);
    set_free(&got);

    /* The WAL path may name a file that does not exist: no WAL. */
    st = salvage("(a) missing WAL", fx->base, path_in_dir("no-such-wal"), &got);
    check_rows("(a) missing WAL", &got, &fx->base_rows, NULL);
    CHECK(!st.wal_used);
    set_free(&got);
}

/* (b) One leaf page of each table overwritten with garbage: every other row comes back. */
static void test_leaves(fixture *fx)
{
    const char *path = path_in_dir("b.db");
    copy_file(fx->base, path);
    row_set lost = {0};
    uint32_t overflow = 0, cells = 0;
    for (int t = 0; t < T_COUNT; t++) {
        uint32_t leaf = middle_leaf(path, shapes[t].name);
        uint8_t pg[PAGE];
        page_read(path, leaf, pg);
        size_t before = lost.n;
        overflow += page_cells(pg, leaf, t, &lost);
        cells += (uint32_t)(lost.n - before);
        page_garbage(path, leaf, (uint64_t)t + 1);
    }
    row_set got = {0};
    kiosk_salvage_stats st = salvage("(b) a leaf of each table", path, NULL, &got);
    check_rows("(b) a leaf of each table", &got, &fx->base_rows, &lost);
    check_counts(&st, &fx->base_rows, &lost);
    CHECK(cells > 6);
    /* The six leaves, and the overflow pages of their cells (the 200 KB policy's among them). */
    CHECK(overflow >= 48);
    CHECK_INT(st.pages_unreadable, 6 + overflow);
    CHECK_INT(st.cells_skipped, 0);
    set_free(&got);
    set_free(&lost);
}

/* (c) Interior pages: person's root (rowids only) loses nothing; a meal interior page (meal is
 * WITHOUT ROWID, an index b-tree, whose interior pages hold rows of their own) loses exactly
 * the rows stored in it, and every row below it still comes back. */
static void test_interior(fixture *fx)
{
    const char *path = path_in_dir("c.db");
    copy_file(fx->base, path);
    uint8_t pg[PAGE];
    uint32_t person_root = root_page(path, "person"), meal_page = root_page(path, "meal");
    page_read(path, person_root, pg);
    CHECK_INT(pg[0], 0x05);
    page_read(path, meal_page, pg);
    CHECK_INT(pg[0], 0x02);
    uint32_t child = middle_child(pg, meal_page);
    uint8_t below[PAGE];
    page_read(path, child, below);
    if (below[0] == 0x02) { /* a page in the middle of the tree, when there is one */
        meal_page = child;
        memcpy(pg, below, PAGE);
    }
    row_set lost = {0};
    CHECK_INT(page_cells(pg, meal_page, T_MEAL, &lost), 0);
    CHECK(lost.n > 0);
    page_garbage(path, person_root, 11);
    page_garbage(path, meal_page, 12);
    row_set got = {0};
    kiosk_salvage_stats st = salvage("(c) interior pages", path, NULL, &got);
    check_rows("(c) interior pages", &got, &fx->base_rows, &lost);
    check_counts(&st, &fx->base_rows, &lost);
    CHECK_INT(st.rows[T_PERSON], 2000);
    CHECK_INT(st.rows[T_MEAL], 3000 - lost.n);
    CHECK_INT(st.pages_unreadable, 2);
    printf("(c) the meal interior page %u held %zu meals\n", meal_page, lost.n);
    set_free(&got);
    set_free(&lost);
}

/* (d) Page 1 damaged: without a WAL the page size falls back to 4096 and every other page is
 * read; with a WAL holding a newer page 1, its header is used. */
static void test_page_one(fixture *fx)
{
    const char *path = path_in_dir("d.db");
    copy_file(fx->base, path);
    page_garbage(path, 1, 21);
    row_set got = {0};
    kiosk_salvage_stats st = salvage("(d) page 1, no WAL", path, NULL, &got);
    check_rows("(d) page 1, no WAL", &got, &fx->base_rows, NULL);
    CHECK(!st.header_valid);
    CHECK_INT(st.page_size, PAGE);
    CHECK_INT(st.pages, file_size(path) / PAGE);
    CHECK_INT(st.pages_unreadable, 1);
    set_free(&got);

    char wal[600];
    path = path_in_dir("d2.db");
    copy_file(fx->wal_db, path);
    snprintf(wal, sizeof wal, "%s-wal", fx->wal_db);
    page_garbage(path, 1, 22);
    st = salvage("(d) page 1, newer in WAL", path, wal, &got);
    check_rows("(d) page 1, newer in WAL", &got, &fx->b_rows, NULL);
    CHECK(st.header_valid);
    CHECK_INT(st.pages_unreadable, 0);
    set_free(&got);
}

/* (e) A damaged WAL: only frames up to its last valid commit are used. */
static void test_wal(fixture *fx)
{
    char from[600], wal[600];
    const char *path = path_in_dir("e.db");
    snprintf(from, sizeof from, "%s-wal", fx->wal_db);
    snprintf(wal, sizeof wal, "%s-wal", path);
    copy_file(fx->wal_db, path);
    row_set got = {0};

    /* The last frame torn: transaction B's commit is gone, A stays. */
    copy_file(from, wal);
    CHECK_INT(truncate(wal, WAL_HEADER + fx->frames_b * FRAME - 100), 0);
    kiosk_salvage_stats st = salvage("(e) last frame torn", path, wal, &got);
    check_rows("(e) last frame torn", &got, &fx->a_rows, NULL);
    CHECK_INT(st.wal_frames, fx->frames_a);
    set_free(&got);

    /* Garbage instead of a WAL: the file alone. */
    FILE *f = fopen(wal, "wb");
    for (int i = 0; f && i < 20000; i++)
        fputc((i * 7919) ^ (i >> 3), f);
    if (f)
        fclose(f);
    st = salvage("(e) garbage WAL", path, wal, &got);
    check_rows("(e) garbage WAL", &got, &fx->base_rows, NULL);
    CHECK(!st.wal_used);
    set_free(&got);

    /* A frame of B with another salt: B ends there, A stays. */
    copy_file(from, wal);
    uint8_t salt[4];
    long frame = WAL_HEADER + fx->frames_a * FRAME;
    bytes_read(wal, frame + 8, salt, 4);
    salt[0] ^= 0x40;
    bytes_write(wal, frame + 8, salt, 4);
    st = salvage("(e) bad salt in B", path, wal, &got);
    check_rows("(e) bad salt in B", &got, &fx->a_rows, NULL);
    CHECK_INT(st.wal_frames, fx->frames_a);
    set_free(&got);

    /* A new salt in the header (its own checksum made right): no frame matches it. */
    copy_file(from, wal);
    uint8_t head[WAL_HEADER];
    bytes_read(wal, 0, head, sizeof head);
    CHECK_INT(be32(head), 0x377f0682); /* checksums of little-endian words, as on this machine */
    head[16] ^= 0x01;
    uint32_t sum[2] = {0, 0};
    wal_sum(head, 24, false, sum);
    put_be32(head + 24, sum[0]);
    put_be32(head + 28, sum[1]);
    bytes_write(wal, 0, head, sizeof head);
    st = salvage("(e) new salt in header", path, wal, &got);
    check_rows("(e) new salt in header", &got, &fx->base_rows, NULL);
    CHECK(!st.wal_used);
    set_free(&got);

    /* A byte of A's second frame changed: the checksum chain breaks before any commit. */
    copy_file(from, wal);
    uint8_t b;
    bytes_read(wal, WAL_HEADER + FRAME + 24 + 200, &b, 1);
    b ^= 0x01;
    bytes_write(wal, WAL_HEADER + FRAME + 24 + 200, &b, 1);
    st = salvage("(e) bad checksum in A", path, wal, &got);
    check_rows("(e) bad checksum in A", &got, &fx->base_rows, NULL);
    CHECK(!st.wal_used);
    set_free(&got);

    /* B's commit frame claims 2^31 pages (its checksum made right): the pages that exist are
     * scanned, no more. */
    copy_file(from, wal);
    uint8_t last[FRAME], prev[24];
    long last_off = WAL_HEADER + (fx->frames_b - 1) * FRAME;
    bytes_read(wal, last_off, last, sizeof last);
    bytes_read(wal, last_off - FRAME, prev, sizeof prev);
    CHECK(be32(last + 4) != 0); /* a commit frame */
    put_be32(last + 4, 0x80000000u);
    uint32_t chain[2] = {be32(prev + 16), be32(prev + 20)};
    wal_sum(last, 8, false, chain);
    wal_sum(last + 24, PAGE, false, chain);
    put_be32(last + 16, chain[0]);
    put_be32(last + 20, chain[1]);
    bytes_write(wal, last_off, last, 24);
    st = salvage("(e) commit of 2^31 pages", path, wal, &got);
    check_rows("(e) commit of 2^31 pages", &got, &fx->b_rows, NULL);
    CHECK_INT(st.wal_frames, fx->frames_b);
    CHECK(st.pages < 1000);
    set_free(&got);

    /* The same WAL with big-endian checksums reads the same; torn after it, it is B that goes. */
    copy_file(from, wal);
    wal_to_big_endian(wal, fx->frames_b);
    st = salvage("(e) big-endian checksums", path, wal, &got);
    check_rows("(e) big-endian checksums", &got, &fx->b_rows, NULL);
    CHECK_INT(st.wal_frames, fx->frames_b);
    set_free(&got);
    CHECK_INT(truncate(wal, WAL_HEADER + fx->frames_b * FRAME - 1), 0);
    st = salvage("(e) big-endian, torn", path, wal, &got);
    check_rows("(e) big-endian, torn", &got, &fx->a_rows, NULL);
    set_free(&got);
}

/* (f) The 200 KB policy's overflow chain made to loop, then to point outside the file: that row
 * is skipped, nothing hangs, every other row comes back. */
static void test_overflow(fixture *fx)
{
    uint8_t pg[PAGE];
    uint32_t root = root_page(fx->base, "policy");
    page_read(fx->base, root, pg);
    CHECK_INT(pg[0], 0x0D);
    /* The cell whose payload overflows, and its chain. */
    uint32_t chain[64], len = 0;
    int64_t big_rowid = 0;
    for (uint32_t i = 0; i < be16(pg + 3); i++) {
        const uint8_t *c = pg + be16(pg + 8 + 2 * i);
        uint64_t size, rowid;
        c += varint(c, &size);
        c += varint(c, &rowid);
        if (size > PAGE - 35) {
            big_rowid = (int64_t)rowid;
            chain[len++] = be32(c + local_bytes(true, size));
        }
    }
    CHECK_INT(len, 1);
    while (len > 0 && len < 64) {
        uint8_t next[4];
        bytes_read(fx->base, (long)(chain[len - 1] - 1) * PAGE, next, 4);
        if (be32(next) == 0)
            break;
        chain[len++] = be32(next);
    }
    CHECK(len >= 48 && len < 64);
    row_set lost = {0};
    row_id big = {.table = T_POLICY};
    key_rowid(&big, big_rowid);
    set_add(&lost, &big);

    static const struct {
        const char *what;
        bool loop;
    } cases[] = {{"(f) overflow chain loops", true}, {"(f) overflow chain leaves", false}};
    for (size_t k = 0; k < 2; k++) {
        const char *path = path_in_dir("f.db");
        copy_file(fx->base, path);
        uint8_t next[4];
        put_be32(next, cases[k].loop ? chain[1] : 0x00FFFFFFu);
        bytes_write(path, (long)(chain[2] - 1) * PAGE, next, 4);
        row_set got = {0};
        kiosk_salvage_stats st = salvage(cases[k].what, path, NULL, &got);
        check_rows(cases[k].what, &got, &fx->base_rows, &lost);
        CHECK_INT(st.rows[T_POLICY], 1);
        CHECK_INT(st.cells_skipped, 1);
        CHECK_INT(st.pages_unreadable, len); /* the chain carried no row */
        set_free(&got);
    }
    set_free(&lost);
}

/* (g) The file cut in the middle of a page, three pages before its end: the rows of the last
 * three pages are gone, everything before them comes back. */
static void test_truncated(fixture *fx)
{
    const char *path = path_in_dir("g.db");
    copy_file(fx->base, path);
    long pages = file_size(path) / PAGE;
    CHECK_INT(truncate(path, (pages - 3) * PAGE + 1000), 0);
    row_set lost = {0};
    for (size_t i = 0; i < fx->base_got.n; i++)
        if (fx->base_got.v[i].page > pages - 3)
            set_add(&lost, &fx->base_got.v[i]);
    qsort(lost.v, lost.n, sizeof *lost.v, row_cmp);
    CHECK(lost.n > 0);
    row_set got = {0};
    kiosk_salvage_stats st = salvage("(g) truncated mid-page", path, NULL, &got);
    check_rows("(g) truncated mid-page", &got, &fx->base_rows, &lost);
    CHECK_INT(st.pages, pages - 2); /* the partial page counts, nothing after it */
    CHECK_INT(st.pages_unreadable, 1);
    printf("(g) the last three pages held %zu rows\n", lost.n);
    set_free(&got);
    set_free(&lost);
}

/* (h) Rows deleted with secure_delete off leave their old cells on the freed pages: they must
 * not come back, whether the freelist is in the WAL or checkpointed into the file. Without the
 * freelist (its pointer cleared) the same file would bring meals back. */
static void test_freelist(fixture *fx)
{
    const char *path = path_in_dir("h.db"), *copy = path_in_dir("h-copy.db");
    char wal[600], copy_wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(copy_wal, sizeof copy_wal, "%s-wal", copy);
    copy_file(fx->base, path);
    sqlite3 *db = db_open(path);
    db_exec(db, "PRAGMA secure_delete = 0; PRAGMA wal_autocheckpoint = 0;"
                "BEGIN; DELETE FROM meal; DELETE FROM person WHERE rowid > 1000; COMMIT;");
    row_set want = {0}, got = {0};
    snapshot(db, &want);
    CHECK_INT(count_rows(&want, NULL, T_MEAL), 0);
    CHECK_INT(count_rows(&want, NULL, T_PERSON), 1000);
    copy_file(path, copy);
    copy_file(wal, copy_wal);
    kiosk_salvage_stats st = salvage("(h) deleted, in the WAL", copy, copy_wal, &got);
    check_rows("(h) deleted, in the WAL", &got, &want, NULL);
    CHECK(st.wal_used);
    CHECK(st.pages_free > 100);
    CHECK_INT(st.pages_unreadable, 0);
    set_free(&got);

    db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    copy_file(path, copy);
    st = salvage("(h) deleted, checkpointed", copy, NULL, &got);
    check_rows("(h) deleted, checkpointed", &got, &want, NULL);
    CHECK(st.pages_free > 100);
    CHECK_INT(st.pages_unreadable, 0);
    set_free(&got);
    sqlite3_close(db);

    static const uint8_t no_freelist[8];
    bytes_write(copy, 32, no_freelist, sizeof no_freelist);
    st = salvage("(h) freelist pointer cleared", copy, NULL, &got);
    CHECK(st.rows[T_MEAL] > 1000); /* what the freelist keeps out */
    set_free(&got);
    set_free(&want);
}

static int stop_after;

/* A row callback that fails on its 100th row (disk full), to stop the scan. */
static kiosk_rc stop(void *user, const kiosk_salvage_row *row)
{
    (void)user;
    (void)row;
    return --stop_after > 0 ? KIOSK_OK : KIOSK_ERR_FULL;
}

/* (i) Reserved bytes at the end of every page (usable size 4056, as an encrypting VFS keeps
 * them): every row of the base data comes back exactly, overflow chains included. */
static void test_reserved(void)
{
    const char *path = path_in_dir("i.db");
    sqlite3 *db = db_open(path);
    int reserve = 40;
    CHECK_INT(sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve), SQLITE_OK);
    db_exec(db, "PRAGMA user_version = 0"); /* writes the header with the reserve */
    sqlite3_close(db);
    build_base(path);
    uint8_t head[100];
    bytes_read(path, 0, head, sizeof head);
    CHECK_INT(head[20], 40);
    row_set want = {0}, got = {0};
    file_snapshot(path, &want);
    kiosk_salvage_stats st = salvage("(i) 40 reserved bytes", path, NULL, &got);
    check_rows("(i) 40 reserved bytes", &got, &want, NULL);
    CHECK_INT(st.rows[T_MEAL], 3000);
    CHECK_INT(st.rows[T_POLICY], 2);
    CHECK_INT(st.pages_unreadable, 0);
    CHECK_INT(st.cells_skipped, 0);
    set_free(&got);
    set_free(&want);
}

/* The memory entry point reads the same as the file one; shapes are checked; a failing row
 * callback stops the scan with its code; a UTF-16 database is refused. */
static void test_api(fixture *fx)
{
    long size = file_size(fx->base);
    uint8_t *image = malloc((size_t)size);
    CHECK(image != NULL);
    if (!image)
        return;
    bytes_read(fx->base, 0, image, (size_t)size);
    kiosk_salvage_stats st;
    char err[256];
    CHECK_INT(kiosk_salvage_scan_mem(image, (size_t)size, NULL, 0, shapes, T_COUNT, NULL, NULL, &st,
                                     err, sizeof err),
              KIOSK_OK);
    CHECK_INT(st.rows[T_MEAL], 3000);
    CHECK_INT(st.rows[T_OUTBOX], 3000);

    kiosk_salvage_shape bad = shapes[T_MEAL];
    bad.min_columns = MEAL_COLUMNS + 1; /* above max_columns */
    CHECK_INT(kiosk_salvage_scan_mem(image, (size_t)size, NULL, 0, &bad, 1, NULL, NULL, &st, err,
                                     sizeof err),
              KIOSK_ERR_INVALID);
    CHECK(strstr(err, "meal") != NULL);

    stop_after = 100;
    CHECK_INT(kiosk_salvage_scan_mem(image, (size_t)size, NULL, 0, shapes, T_COUNT, stop, NULL, &st,
                                     err, sizeof err),
              KIOSK_ERR_FULL);
    CHECK_INT(stop_after, 0);
    CHECK(strstr(err, "callback") != NULL);

    image[56 + 3] = 2; /* text encoding UTF-16le */
    CHECK_INT(kiosk_salvage_scan_mem(image, (size_t)size, NULL, 0, shapes, T_COUNT, NULL, NULL, &st,
                                     err, sizeof err),
              KIOSK_ERR_UNSUPPORTED);
    free(image);
    CHECK_INT(kiosk_salvage_scan(path_in_dir("absent.db"), NULL, shapes, T_COUNT, NULL, NULL, &st,
                                 err, sizeof err),
              KIOSK_ERR_IO);
}

/* The base, then a copy whose WAL holds transaction A (500 meals and outbox rows, 50 persons
 * changed, 50 deleted, a device_state row) and B (10 meals, a device_state row), copied aside
 * while the connection is open so the WAL stays as it is. */
static void build_fixture(fixture *fx)
{
    fx->base = path_in_dir("base.db");
    build_base(fx->base);
    file_snapshot(fx->base, &fx->base_rows);

    static char wal_db[512];
    snprintf(wal_db, sizeof wal_db, "%s", path_in_dir("w.db"));
    fx->wal_db = wal_db;
    const char *live = path_in_dir("w-live.db");
    char live_wal[600], copy_wal[600];
    snprintf(live_wal, sizeof live_wal, "%s-wal", live);
    snprintf(copy_wal, sizeof copy_wal, "%s-wal", wal_db);
    copy_file(fx->base, live);
    sqlite3 *db = db_open(live);
    db_exec(db, "PRAGMA wal_autocheckpoint = 0; BEGIN;");
    add_meals(db, 3001, 3500, true);
    db_exec(db, "UPDATE person SET city = 'moved' WHERE rowid % 40 = 0;"
                "DELETE FROM person WHERE rowid BETWEEN 1901 AND 1950;"
                "INSERT INTO device_state VALUES ('a', x'00ff'); COMMIT;");
    snapshot(db, &fx->a_rows);
    fx->frames_a = (file_size(live_wal) - WAL_HEADER) / FRAME;
    db_exec(db, "BEGIN;");
    add_meals(db, 3501, 3510, true);
    db_exec(db, "INSERT INTO device_state VALUES ('b', 'second'); COMMIT;");
    snapshot(db, &fx->b_rows);
    fx->frames_b = (file_size(live_wal) - WAL_HEADER) / FRAME;
    copy_file(live, wal_db);
    copy_file(live_wal, copy_wal);
    sqlite3_close(db);
    CHECK(fx->frames_a > 10 && fx->frames_b > fx->frames_a);
    CHECK_INT(count_rows(&fx->b_rows, NULL, T_MEAL), 3510);
}

int main(void)
{
    dir = check_scratch_dir("salvage");
    CHECK(dir != NULL);
    if (!dir)
        CHECK_DONE();
    fixture fx = {0};
    build_fixture(&fx);
    test_intact(&fx);
    test_leaves(&fx);
    test_interior(&fx);
    test_page_one(&fx);
    test_wal(&fx);
    test_overflow(&fx);
    test_truncated(&fx);
    test_freelist(&fx);
    test_reserved();
    test_api(&fx);
    set_free(&fx.base_rows);
    set_free(&fx.base_got);
    set_free(&fx.a_rows);
    set_free(&fx.b_rows);
    check_scratch_remove(dir);
    CHECK_DONE();
}
