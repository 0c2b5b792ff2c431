/* fuzz_salvage.c - fuzz target for the page-level salvage reader (kiosk/store/salvage.h) over a
 * database image and a WAL image in memory. The input's first byte k splits the rest: its first
 * k * 256 bytes are the database, the remainder the WAL (k = 0: all database, no WAL).
 * Properties checked beyond "no crash": the scan ends with KIOSK_OK or KIOSK_ERR_UNSUPPORTED
 * (UTF-16); the stats add up (every cell is a row, unclaimed or skipped; scanned, free and
 * unreadable pages within the page count; without a WAL, no more pages than the file holds);
 * every row fits its shape (checked again here), is read to its last byte so the sanitizers see
 * a pointer outside the buffers, and rows arrive as often as the stats count them.
 *
 * The seeds in corpus/salvage/ are databases of page size 512 made with Python's sqlite3 (the
 * system SQLite) over two tables that fit this file's shapes: t(a TEXT, b INT) with a column c
 * BLOB added after some rows, and w(k BLOB PRIMARY KEY, kind TEXT, n, x) WITHOUT ROWID with
 * 8-byte keys: plain (interior index pages), overflow (chains from a table leaf and an index
 * page), freelist (rows deleted with secure_delete off), wal and wal-be (two transactions in the
 * WAL, little- and big-endian checksums). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "salvage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {"a", "b", "c", NULL};
static const kiosk_salvage_column t_cols[] = {
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_TEXT), KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT),
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_BLOB | KIOSK_SALVAGE_NULL)};
static const kiosk_salvage_column w_cols[] = {
    KIOSK_SALVAGE_COL_SIZED(KIOSK_SALVAGE_BLOB, 8), KIOSK_SALVAGE_COL_ONE_OF(kinds),
    KIOSK_SALVAGE_COL(KIOSK_SALVAGE_INT | KIOSK_SALVAGE_REAL)};
static const kiosk_salvage_shape shapes[] = {{"t", false, 2, 3, t_cols, 3},
                                             {"w", true, 4, 4, w_cols, 3}};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

typedef struct seen {
    uint64_t rows[NSHAPES];
    unsigned sum; /* of every byte handed over, so each is read */
} seen;

static void fits_or_abort(const kiosk_salvage_column *c, const kiosk_salvage_value *v)
{
    bool bytes = v->type == KIOSK_SALVAGE_TEXT || v->type == KIOSK_SALVAGE_BLOB;
    if ((c->types & (unsigned)v->type) == 0 || (bytes && c->size && v->len != c->size))
        abort();
    if (v->type != KIOSK_SALVAGE_TEXT || !c->one_of)
        return;
    for (const char *const *w = c->one_of; *w; w++)
        if (strlen(*w) == v->len && memcmp(*w, v->p, v->len) == 0)
            return;
    abort();
}

static kiosk_rc on_row(void *user, const kiosk_salvage_row *row)
{
    seen *s = user;
    if (row->table >= NSHAPES)
        abort();
    const kiosk_salvage_shape *sh = &shapes[row->table];
    if (row->count < sh->min_columns || row->count > sh->max_columns ||
        (sh->without_rowid && row->rowid != 0) || row->page == 0)
        abort();
    for (size_t i = 0; i < row->count; i++) {
        const kiosk_salvage_value *v = &row->values[i];
        if (i < sh->n_columns)
            fits_or_abort(&sh->columns[i], v);
        if (v->p == NULL)
            abort();
        if (v->type == KIOSK_SALVAGE_TEXT || v->type == KIOSK_SALVAGE_BLOB)
            for (size_t k = 0; k < v->len; k++)
                s->sum += v->p[k];
    }
    s->rows[row->table]++;
    return KIOSK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t db_len = (size_t)data[0] * 256;
    if (db_len == 0 || db_len > size - 1)
        db_len = size - 1;
    const uint8_t *db = data + 1, *wal = db + db_len;
    size_t wal_len = size - 1 - db_len;

    seen s = {{0}, 0};
    kiosk_salvage_stats st;
    char err[128];
    kiosk_rc rc = kiosk_salvage_scan_mem(db, db_len, wal, wal_len, shapes, NSHAPES, on_row, &s, &st,
                                         err, sizeof err);
    if (rc == KIOSK_ERR_UNSUPPORTED)
        return 0;
    if (rc != KIOSK_OK)
        abort();
    uint64_t rows = 0;
    for (size_t t = 0; t < NSHAPES; t++) {
        if (s.rows[t] != st.rows[t])
            abort();
        rows += st.rows[t];
    }
    if (st.cells != st.cells_skipped + st.unclaimed + rows ||
        (uint64_t)st.pages_scanned + st.pages_free > st.pages ||
        st.pages_unreadable > st.pages_scanned || st.page_size < 512 || st.page_size > 65536 ||
        (st.page_size & (st.page_size - 1)) != 0 || st.wal_used != (st.wal_frames > 0))
        abort();
    if (!st.wal_used && st.pages > (db_len + st.page_size - 1) / st.page_size)
        abort();
    if (st.wal_used && (uint64_t)st.wal_frames * (24 + st.page_size) + 32 > wal_len)
        abort();
    return 0;
}
