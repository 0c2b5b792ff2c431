/* salvage.h - reading the rows out of a damaged SQLite database page by page, without SQLite:
 * the raw bytes of the file and of its WAL, every b-tree page that still parses, each row
 * sorted into a table by its shape. Pure (POSIX reads only, no global state); any thread.
 *
 * Why not through SQLite: a query walks the b-tree from its root, so one damaged interior page
 * hides every row below it and a damaged tree can loop. The scanner instead visits every page
 * of the file once, in order, and decodes the cells of the pages that carry records:
 *   0x0D table leaves (rowid + record), 0x0A index leaves and 0x02 index interior pages (a
 *   record each; WITHOUT ROWID tables are index b-trees, and an index b-tree keeps entries in
 *   its interior pages too, so those are rows that exist nowhere else).
 * 0x05 table interior pages hold only rowids and child pointers and are only checked.
 *
 * What it trusts and what it does not:
 * - The database header of the newest page 1 (the WAL's copy when it has one): page size,
 *   reserved bytes, page count, text encoding (UTF-8 only; others are refused) and the freelist,
 *   whose pages are skipped so deleted rows do not come back. When no page 1 parses, the page
 *   size is the WAL header's, else KIOSK_SALVAGE_FALLBACK_PAGE_SIZE; there are no reserved
 *   bytes and no freelist (deleted rows on free pages may then come back: SQLite built with
 *   SECURE_DELETE zeroes free pages, so in practice they do not).
 * - The WAL only up to its last valid commit frame: salts equal to the header's and an unbroken
 *   checksum chain. The newest committed copy of each page wins over the file; the database size
 *   of that commit is the page count. A torn or garbage WAL gives its valid prefix or nothing.
 * - The page count never exceeds what the file (and the WAL) hold, so no loop runs longer than
 *   the input allows. Memory is a few page buffers, four bytes and one byte per page, and one
 *   payload buffer of at most KIOSK_SALVAGE_MAX_PAYLOAD bytes.
 * - A page whose header, cell count or cell pointer array does not fit the page is unreadable
 *   and skipped; a cell that fails (bad varint, sizes out of bounds, an inconsistent record
 *   header, an overflow chain that leaves the file, loops, or crosses another chain or a
 *   b-tree page) is skipped and the rest of its page is still read. */
#ifndef KIOSK_SALVAGE_H
#define KIOSK_SALVAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* At most this many shapes (tables) per scan. */
#define KIOSK_SALVAGE_MAX_SHAPES 16
/* A shape may declare at most this many columns (SQLite's default SQLITE_MAX_COLUMN). */
#define KIOSK_SALVAGE_MAX_COLUMNS 2000
/* A record longer than this is skipped (counted in cells_skipped): the bound of the payload
 * buffer that overflow chains are assembled in. */
#define KIOSK_SALVAGE_MAX_PAYLOAD (4u << 20)
/* The page size assumed when neither page 1 nor the WAL header says (SQLite's default, and the
 * kiosk's). */
#define KIOSK_SALVAGE_FALLBACK_PAGE_SIZE 4096u

/* The type of a decoded value; each is one bit, so a column check ORs the types it allows. */
typedef enum kiosk_salvage_type {
    KIOSK_SALVAGE_NULL = 1,
    KIOSK_SALVAGE_INT = 2,
    KIOSK_SALVAGE_REAL = 4,
    KIOSK_SALVAGE_TEXT = 8,
    KIOSK_SALVAGE_BLOB = 16,
} kiosk_salvage_type;
#define KIOSK_SALVAGE_ANY 31u

/* One decoded value. Text (UTF-8, not NUL-terminated) and blobs point into the scanner's
 * buffers and are valid during the callback only; their pointer is never NULL, even for zero
 * bytes (sqlite3_bind_blob would bind NULL for a NULL pointer). */
typedef struct kiosk_salvage_value {
    kiosk_salvage_type type;
    int64_t i;        /* KIOSK_SALVAGE_INT */
    double f;         /* KIOSK_SALVAGE_REAL */
    const uint8_t *p; /* KIOSK_SALVAGE_TEXT, KIOSK_SALVAGE_BLOB */
    size_t len;
} kiosk_salvage_value;

/* A check of one column. */
typedef struct kiosk_salvage_column {
    unsigned types;            /* the kiosk_salvage_type bits allowed; 0 allows any */
    uint32_t size;             /* when non-zero, a text or blob must be exactly this many bytes */
    const char *const *one_of; /* when non-NULL, a text must be one of these (NULL-terminated) */
} kiosk_salvage_column;

/* Column checks: of type bits; of type bits and an exact byte size; a text from a list. */
#define KIOSK_SALVAGE_COL(type_bits) \
    {                                \
        .types = (type_bits)         \
    }
#define KIOSK_SALVAGE_COL_SIZED(type_bits, n) \
    {                                         \
        .types = (type_bits), .size = (n)     \
    }
#define KIOSK_SALVAGE_COL_ONE_OF(null_ended_list)                \
    {                                                            \
        .types = KIOSK_SALVAGE_TEXT, .one_of = (null_ended_list) \
    }

/* What a table's records look like. A record is claimed by the first shape in the caller's
 * array that it fits: the page kind (table b-tree for rowid tables, index b-tree for WITHOUT
 * ROWID), the column count, then each check in order. Index entries are records on index pages
 * too; give WITHOUT ROWID tables a minimum column count above their indexes' (an index holds
 * its columns and the key) and checks for the leading columns, so an index entry is never
 * taken for a row. Records from before an ALTER TABLE ADD COLUMN have fewer columns: set
 * min_columns to the count of the oldest schema. */
typedef struct kiosk_salvage_shape {
    const char *name;
    bool without_rowid;
    uint16_t min_columns, max_columns;
    const kiosk_salvage_column *columns; /* checks of the leading n_columns columns */
    size_t n_columns;                    /* <= max_columns; further columns are unchecked */
} kiosk_salvage_shape;

/* One salvaged row, valid during the callback only. */
typedef struct kiosk_salvage_row {
    size_t table;  /* index into the shapes */
    int64_t rowid; /* rowid tables; 0 for WITHOUT ROWID */
    uint32_t page; /* the b-tree page that held it, for the log */
    const kiosk_salvage_value *values;
    size_t count; /* the record's column count, within the shape's bounds */
} kiosk_salvage_row;

/* Called once per claimed row, in page order. Anything but KIOSK_OK stops the scan, and the
 * scan returns it. */
typedef kiosk_rc (*kiosk_salvage_row_fn)(void *user, const kiosk_salvage_row *row);

typedef struct kiosk_salvage_stats {
    uint32_t page_size;
    bool header_valid;         /* a page 1 header was read (else the fallbacks were used) */
    uint32_t pages;            /* the page count scanned over */
    uint32_t pages_scanned;    /* read and examined (every page but free ones) */
    uint32_t pages_free;       /* on the freelist, not read */
    uint32_t pages_unreadable; /* neither a b-tree page, a free page nor part of a whole
                                  overflow chain of a decoded cell (missing pages count) */
    uint64_t cells;            /* cells of record-carrying pages: skipped + unclaimed + rows */
    uint64_t cells_skipped;
    uint64_t unclaimed; /* decoded records that fit no shape (indexes, the schema) */
    uint64_t rows[KIOSK_SALVAGE_MAX_SHAPES]; /* claimed rows per shape */
    bool wal_used;
    uint32_t wal_frames; /* frames up to and including the last valid commit */
} kiosk_salvage_stats;

/* Scans the database file at db_path and the WAL at wal_path (NULL, or a path that does not
 * exist, for none), both opened read-only and only read, and calls on_row (NULL: count only)
 * for every row a shape claims, with user. stats is filled in, also when the scan stops early.
 * KIOSK_OK when the scan finished, however much was damaged (the stats say how much; a file
 * with nothing readable is not an error); KIOSK_ERR_IO when a file cannot be opened;
 * KIOSK_ERR_UNSUPPORTED for a UTF-16 database; KIOSK_ERR_INVALID for bad shapes;
 * KIOSK_ERR_NOMEM; or the callback's code. err gets a message on failure. Any thread; the
 * shapes are only read. */
KIOSK_MUST_CHECK kiosk_rc kiosk_salvage_scan(const char *db_path, const char *wal_path,
                                             const kiosk_salvage_shape *shapes, size_t n,
                                             kiosk_salvage_row_fn on_row, void *user,
                                             kiosk_salvage_stats *stats, char *err,
                                             size_t err_size);

/* The same over images in memory (wal NULL or wal_len 0 for none); for tests and fuzzing. */
KIOSK_MUST_CHECK kiosk_rc kiosk_salvage_scan_mem(const uint8_t *db, size_t db_len,
                                                 const uint8_t *wal, size_t wal_len,
                                                 const kiosk_salvage_shape *shapes, size_t n,
                                                 kiosk_salvage_row_fn on_row, void *user,
                                                 kiosk_salvage_stats *stats, char *err,
                                                 size_t err_size);

#endif
