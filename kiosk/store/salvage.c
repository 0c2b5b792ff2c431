/* salvage.c - the page-level salvage reader (salvage.h): the database and WAL headers, the WAL's
 * page map, the freelist, page and cell checks, overflow chains, records and their shapes. The
 * format is SQLite's (https://www.sqlite.org/fileformat2.html); every number read from the
 * input is checked against the page or the file before it is used. */
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC */
#include "salvage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DB_HEADER    100
#define WAL_HEADER   32
#define FRAME_HEADER 24
#define WAL_MAGIC    0x377f0682u /* the low bit says the checksums read big-endian words */
#define WAL_VERSION  3007000u
/* SQLite keeps its file locks in the page that holds the byte at 1 GiB and never stores data
 * there. */
#define LOCK_BYTE_OFFSET 0x40000000u

/* What the scan learned about a page; 0 until then. */
enum {
    PAGE_FREE = 1,     /* on the freelist */
    PAGE_BTREE = 2,    /* a b-tree page whose header and cell pointers fit */
    PAGE_OVERFLOW = 4, /* part of a whole overflow chain */
    PAGE_LOCK = 8,     /* the lock-byte page */
};

/* A file opened read-only, or an image in memory (fd -1). */
typedef struct source {
    int fd;
    const uint8_t *mem;
    uint64_t size;
} source;

typedef struct db_header {
    uint32_t page_size, reserved, pages, free_trunk, encoding;
    bool pages_valid;
} db_header;

typedef struct wal_header {
    uint32_t page_size, cksum[2];
    uint8_t salt[8];
    bool big_endian;
} wal_header;

typedef struct scanner {
    source db, wal;
    uint32_t page_size, usable, npages;
    uint32_t *wal_frame; /* per page: its newest committed frame + 1; 0 when not in the WAL */
    uint8_t *state;      /* per page: PAGE_* bits */
    uint32_t *chain;     /* the pages of the overflow chain being followed */
    size_t chain_max;
    uint8_t *page, *ovfl; /* the page being decoded; an overflow page */
    uint8_t *payload;     /* a payload assembled from its overflow chain */
    size_t payload_cap;
    kiosk_salvage_value *values;
    size_t max_values;
    const kiosk_salvage_shape *shapes;
    size_t nshapes;
    kiosk_salvage_row_fn on_row;
    void *user;
    kiosk_salvage_stats *stats;
    char *err;
    size_t err_size;
} scanner;

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Reads up to n bytes at off; returns how many there were. A read error (a bad sector) reads as
 * a short read: the page it belongs to is unreadable, the scan goes on. */
static size_t source_read(const source *src, uint64_t off, uint8_t *buf, size_t n)
{
    if (off >= src->size)
        return 0;
    if (n > src->size - off)
        n = (size_t)(src->size - off);
    if (src->fd < 0) {
        memcpy(buf, src->mem + off, n);
        return n;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(src->fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

/* An SQLite varint (1..9 bytes, big-endian, the ninth byte whole) from at most avail bytes;
 * returns its length, 0 when it runs past avail. */
static size_t get_varint(const uint8_t *p, size_t avail, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 9 && i < avail; i++) {
        if (i == 8) {
            *out = v << 8 | p[i];
            return 9;
        }
        v = v << 7 | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

static bool header_parse(const uint8_t *h, db_header *out)
{
    if (memcmp(h, "SQLite format 3", 16) != 0) /* the 16 bytes include the NUL */
        return false;
    uint32_t size = be16(h + 16) == 1 ? 65536 : be16(h + 16);
    /* The payload fractions are fixed by the format: other values mean a damaged header. */
    if (size < 512 || (size & (size - 1)) != 0 || h[21] != 64 || h[22] != 32 || h[23] != 32 ||
        size - h[20] < 480 || be32(h + 56) > 3)
        return false;
    out->page_size = size;
    out->reserved = h[20];
    out->pages = be32(h + 28);
    /* The size field is only maintained by writers that also keep offset 92 current. */
    out->pages_valid = out->pages != 0 && memcmp(h + 24, h + 92, 4) == 0;
    out->free_trunk = be32(h + 32);
    out->encoding = be32(h + 56);
    return true;
}

/* Adds 8-byte groups of p to the WAL's running checksum (two 32-bit sums). */
static void wal_checksum(bool big_endian, const uint8_t *p, size_t n, uint32_t sum[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t a = big_endian ? be32(p + i) : le32(p + i);
        uint32_t b = big_endian ? be32(p + i + 4) : le32(p + i + 4);
        sum[0] += a + sum[1];
        sum[1] += b + sum[0];
    }
}

static bool wal_header_read(const source *wal, wal_header *out)
{
    uint8_t h[WAL_HEADER];
    if (source_read(wal, 0, h, sizeof h) != sizeof h || (be32(h) & ~1u) != WAL_MAGIC ||
        be32(h + 4) != WAL_VERSION)
        return false;
    uint32_t size = be32(h + 8);
    if (size < 512 || size > 65536 || (size & (size - 1)) != 0)
        return false;
    out->big_endian = be32(h) & 1u;
    uint32_t sum[2] = {0, 0};
    wal_checksum(out->big_endian, h, 24, sum);
    if (sum[0] != be32(h + 24) || sum[1] != be32(h + 28))
        return false;
    out->page_size = size;
    out->cksum[0] = sum[0];
    out->cksum[1] = sum[1];
    memcpy(out->salt, h + 16, 8);
    return true;
}

/* Walks the frames while each is valid (its salts are the header's, its page number is not 0,
 * the checksum chain holds) and remembers the last commit frame: how many frames it ends, the
 * database size it set and the largest page number up to it. s->page is the scratch buffer. */
static void wal_find_commit(scanner *s, const wal_header *w, uint32_t *frames, uint32_t *db_size,
                            uint32_t *max_pgno)
{
    uint64_t frame_size = FRAME_HEADER + (uint64_t)w->page_size;
    uint64_t count = s->wal.size < WAL_HEADER ? 0 : (s->wal.size - WAL_HEADER) / frame_size;
    if (count > UINT32_MAX - 1)
        count = UINT32_MAX - 1;
    uint32_t sum[2] = {w->cksum[0], w->cksum[1]}, running_max = 0;
    uint8_t fh[FRAME_HEADER];
    for (uint64_t k = 0; k < count; k++) {
        uint64_t off = WAL_HEADER + k * frame_size;
        if (source_read(&s->wal, off, fh, sizeof fh) != sizeof fh ||
            source_read(&s->wal, off + FRAME_HEADER, s->page, w->page_size) != w->page_size)
            return;
        uint32_t pgno = be32(fh);
        if (pgno == 0 || memcmp(fh + 8, w->salt, 8) != 0)
            return;
        wal_checksum(w->big_endian, fh, 8, sum);
        wal_checksum(w->big_endian, s->page, w->page_size, sum);
        if (sum[0] != be32(fh + 16) || sum[1] != be32(fh + 20))
            return;
        if (pgno > running_max)
            running_max = pgno;
        if (be32(fh + 4) != 0) {
            *frames = (uint32_t)k + 1;
            *db_size = be32(fh + 4);
            *max_pgno = running_max;
        }
    }
}

/* Reads page pgno (1-based): the newest committed WAL copy, else the file's. False when it is
 * not all there. */
static bool read_page(const scanner *s, uint32_t pgno, uint8_t *buf)
{
    uint32_t frame = s->wal_frame ? s->wal_frame[pgno - 1] : 0;
    if (frame) {
        uint64_t off = WAL_HEADER + (uint64_t)(frame - 1) * (FRAME_HEADER + s->page_size);
        return source_read(&s->wal, off + FRAME_HEADER, buf, s->page_size) == s->page_size;
    }
    return source_read(&s->db, (uint64_t)(pgno - 1) * s->page_size, buf, s->page_size) ==
           s->page_size;
}

/* Marks the freelist's trunk and leaf pages. Each trunk is marked before its successor is read,
 * so a looping list ends; a trunk that claims more leaves than fit ends the walk rather than
 * freeing pages on its word. */
static void mark_freelist(scanner *s, uint32_t trunk)
{
    uint32_t max_leaves = s->usable / 4 - 2;
    while (trunk >= 2 && trunk <= s->npages && !(s->state[trunk - 1] & PAGE_FREE)) {
        if (!read_page(s, trunk, s->page))
            return;
        uint32_t n = be32(s->page + 4);
        if (n > max_leaves)
            return;
        s->state[trunk - 1] |= PAGE_FREE;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t leaf = be32(s->page + 8 + 4 * i);
            if (leaf >= 2 && leaf <= s->npages)
                s->state[leaf - 1] |= PAGE_FREE;
        }
        trunk = be32(s->page);
    }
}

/* How much of a payload of size bytes stays on its page (the format's min/max local rule). */
static uint32_t local_size(uint32_t usable, bool table_leaf, uint32_t size)
{
    uint32_t max = table_leaf ? usable - 35 : (usable - 12) * 64 / 255 - 23;
    if (size <= max)
        return size;
    uint32_t min = (usable - 12) * 32 / 255 - 23;
    uint32_t k = min + (size - min) % (usable - 4);
    return k <= max ? k : min;
}

static void chain_unmark(scanner *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->state[s->chain[i] - 1] &= (uint8_t)~PAGE_OVERFLOW;
}

/* Assembles a payload in s->payload from its local part and its overflow chain, marking the
 * chain's pages as it goes (so a loop or a page shared with another chain is caught). False
 * when the chain leaves the file, meets a page already used, cannot be read, or does not end
 * (next pointer 0) where the payload does; its pages are then unmarked. Else *chain_len is
 * the number of pages it marked. */
static bool chain_follow(scanner *s, const uint8_t *local, uint32_t nlocal, uint32_t size,
                         uint32_t pgno, size_t *chain_len)
{
    memcpy(s->payload, local, nlocal);
    uint32_t have = nlocal;
    size_t n = 0;
    while (have < size) {
        if (pgno < 2 || pgno > s->npages || s->state[pgno - 1] != 0 || n == s->chain_max ||
            !read_page(s, pgno, s->ovfl)) {
            chain_unmark(s, n);
            return false;
        }
        s->state[pgno - 1] |= PAGE_OVERFLOW;
        s->chain[n++] = pgno;
        uint32_t take = size - have < s->usable - 4 ? size - have : s->usable - 4;
        memcpy(s->payload + have, s->ovfl + 4, take);
        have += take;
        pgno = be32(s->ovfl);
    }
    if (pgno != 0) {
        chain_unmark(s, n);
        return false;
    }
    *chain_len = n;
    return true;
}

/* Bytes of content for a serial type; UINT64_MAX for the reserved types 10 and 11. */
static uint64_t serial_size(uint64_t type)
{
    static const uint8_t fixed[10] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0};
    if (type >= 12)
        return (type - 12) / 2;
    return type < 10 ? fixed[type] : UINT64_MAX;
}

/* Checks a record (its header's length, every serial type, content sizes adding up to the
 * payload exactly) and counts its columns. */
static bool record_check(const uint8_t *rec, uint32_t size, size_t *columns)
{
    uint64_t hsize = 0, type = 0;
    size_t pos = get_varint(rec, size, &hsize);
    if (pos == 0 || hsize < pos || hsize > size)
        return false;
    uint64_t body = hsize;
    size_t count = 0;
    while (pos < hsize) {
        size_t n = get_varint(rec + pos, (size_t)hsize - pos, &type);
        uint64_t len = serial_size(type);
        if (n == 0 || len > size - body)
            return false;
        pos += n;
        body += len;
        count++;
    }
    *columns = count;
    return body == size;
}

/* A big-endian two's complement integer of n (1..8) bytes. */
static int64_t read_int(const uint8_t *p, unsigned n)
{
    uint64_t v = (p[0] & 0x80) ? UINT64_MAX : 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* Decodes a record that record_check accepted into s->values. */
static void record_decode(scanner *s, const uint8_t *rec, uint32_t size)
{
    static const uint8_t empty[1] = {0};
    uint64_t hsize = 0, type = 0;
    size_t pos = get_varint(rec, size, &hsize);
    size_t at = (size_t)hsize;
    for (size_t i = 0; pos < hsize; i++) {
        pos += get_varint(rec + pos, (size_t)hsize - pos, &type);
        kiosk_salvage_value *v = &s->values[i];
        size_t len = (size_t)serial_size(type);
        *v = (kiosk_salvage_value){.type = KIOSK_SALVAGE_NULL, .p = empty};
        if (type >= 1 && type <= 6) {
            v->type = KIOSK_SALVAGE_INT;
            v->i = read_int(rec + at, (unsigned)len);
        } else if (type == 7) {
            uint64_t bits = (uint64_t)read_int(rec + at, 8);
            v->type = KIOSK_SALVAGE_REAL;
            memcpy(&v->f, &bits, sizeof v->f);
        } else if (type == 8 || type == 9) {
            v->type = KIOSK_SALVAGE_INT;
            v->i = type == 9;
        } else if (type >= 12) {
            v->type = type & 1 ? KIOSK_SALVAGE_TEXT : KIOSK_SALVAGE_BLOB;
            v->len = len;
            if (len)
                v->p = rec + at;
        }
        at += len;
    }
}

static bool column_fits(const kiosk_salvage_column *c, const kiosk_salvage_value *v)
{
    if (c->types && !(c->types & (unsigned)v->type))
        return false;
    bool bytes = v->type == KIOSK_SALVAGE_TEXT || v->type == KIOSK_SALVAGE_BLOB;
    if (bytes && c->size && v->len != c->size)
        return false;
    if (v->type != KIOSK_SALVAGE_TEXT || !c->one_of)
        return true;
    for (const char *const *w = c->one_of; *w; w++)
        if (strlen(*w) == v->len && memcmp(*w, v->p, v->len) == 0)
            return true;
    return false;
}

/* The first shape the decoded record fits; nshapes when none. */
static size_t classify(const scanner *s, bool table_page, size_t count)
{
    for (size_t t = 0; t < s->nshapes; t++) {
        const kiosk_salvage_shape *sh = &s->shapes[t];
        if (sh->without_rowid == table_page || count < sh->min_columns || count > sh->max_columns)
            continue;
        size_t i = 0;
        while (i < sh->n_columns && i < count && column_fits(&sh->columns[i], &s->values[i]))
            i++;
        if (i == sh->n_columns || i == count)
            return t;
    }
    return s->nshapes;
}

static kiosk_rc payload_reserve(scanner *s, uint32_t size)
{
    if (size <= s->payload_cap)
        return KIOSK_OK;
    size_t cap = s->payload_cap ? s->payload_cap : 65536;
    while (cap < size)
        cap *= 2;
    if (cap > KIOSK_SALVAGE_MAX_PAYLOAD)
        cap = KIOSK_SALVAGE_MAX_PAYLOAD;
    uint8_t *grown = realloc(s->payload, cap);
    if (!grown)
        return kiosk_fail(KIOSK_ERR_NOMEM, s->err, s->err_size,
                          "salvage: out of memory for a payload of %u bytes", size);
    s->payload = grown;
    s->payload_cap = cap;
    return KIOSK_OK;
}

/* Decodes the cell at offset at of page pgno (of the given type, in s->page) and hands a claimed
 * row to the callback. A cell that does not decode is counted and skipped; only the callback's
 * error or running out of memory stops the scan. */
static kiosk_rc scan_cell(scanner *s, uint32_t pgno, uint8_t type, uint32_t at)
{
    const uint8_t *pg = s->page;
    uint32_t end = s->usable, p = at + (type == 0x02 ? 4 : 0); /* past an interior child */
    uint64_t size = 0, rowid = 0;
    size_t n = get_varint(pg + p, end - p, &size);
    p += (uint32_t)n;
    if (n && type == 0x0D) {
        n = get_varint(pg + p, end - p, &rowid);
        p += (uint32_t)n;
    }
    if (n == 0 || size > KIOSK_SALVAGE_MAX_PAYLOAD) {
        s->stats->cells_skipped++;
        return KIOSK_OK;
    }
    uint32_t local = local_size(s->usable, type == 0x0D, (uint32_t)size);
    if (local > end - p || (local < size && end - p - local < 4)) {
        s->stats->cells_skipped++;
        return KIOSK_OK;
    }
    const uint8_t *rec = pg + p;
    size_t chain_len = 0;
    if (local < size) {
        kiosk_rc rc = payload_reserve(s, (uint32_t)size);
        if (rc != KIOSK_OK)
            return rc;
        if (!chain_follow(s, pg + p, local, (uint32_t)size, be32(pg + p + local), &chain_len)) {
            s->stats->cells_skipped++;
            return KIOSK_OK;
        }
        rec = s->payload;
    }
    size_t count;
    if (!record_check(rec, (uint32_t)size, &count)) {
        /* Its chain carried no readable row, so its pages count as unreadable. */
        chain_unmark(s, chain_len);
        s->stats->cells_skipped++;
        return KIOSK_OK;
    }
    size_t t = s->nshapes;
    if (count <= s->max_values) {
        record_decode(s, rec, (uint32_t)size);
        t = classify(s, type == 0x0D, count);
    }
    if (t == s->nshapes) {
        s->stats->unclaimed++;
        return KIOSK_OK;
    }
    s->stats->rows[t]++;
    if (!s->on_row)
        return KIOSK_OK;
    kiosk_salvage_row row = {.table = t,
                             .rowid = type == 0x0D ? (int64_t)rowid : 0,
                             .page = pgno,
                             .values = s->values,
                             .count = count};
    kiosk_rc rc = s->on_row(s->user, &row);
    if (rc != KIOSK_OK)
        return kiosk_fail(rc, s->err, s->err_size,
                          "salvage: the row callback stopped the scan at page %u (%s)", pgno,
                          kiosk_strerror(rc));
    return KIOSK_OK;
}

/* Checks the b-tree page in s->page (header, cell count, every cell pointer within the content
 * area and the usable size) and decodes the cells of the kinds that carry records. A page that
 * fails stays unmarked: unreadable. */
static kiosk_rc scan_page(scanner *s, uint32_t pgno)
{
    const uint8_t *pg = s->page;
    uint32_t hdr = pgno == 1 ? DB_HEADER : 0;
    uint8_t type = pg[hdr];
    if (type != 0x02 && type != 0x05 && type != 0x0A && type != 0x0D)
        return KIOSK_OK;
    uint32_t ptrs = hdr + (type == 0x02 || type == 0x05 ? 12 : 8);
    uint32_t ncells = be16(pg + hdr + 3);
    uint32_t content = be16(pg + hdr + 5) ? be16(pg + hdr + 5) : 65536;
    uint32_t ptrs_end = ptrs + 2 * ncells;
    if (ptrs_end > s->usable || content < ptrs_end || content > s->usable)
        return KIOSK_OK;
    /* Every cell is at least 4 bytes (SQLite pads smaller ones). */
    for (uint32_t i = 0; i < ncells; i++) {
        uint32_t at = be16(pg + ptrs + 2 * i);
        if (at < content || at > s->usable - 4)
            return KIOSK_OK;
    }
    s->state[pgno - 1] |= PAGE_BTREE;
    if (type == 0x05)
        return KIOSK_OK;
    for (uint32_t i = 0; i < ncells; i++) {
        s->stats->cells++;
        kiosk_rc rc = scan_cell(s, pgno, type, be16(pg + ptrs + 2 * i));
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static kiosk_rc shapes_check(scanner *s, const kiosk_salvage_shape *shapes, size_t n)
{
    if (n > KIOSK_SALVAGE_MAX_SHAPES || (n && !shapes))
        return kiosk_fail(KIOSK_ERR_INVALID, s->err, s->err_size,
                          "salvage: %zu shapes (at most %d)", n, KIOSK_SALVAGE_MAX_SHAPES);
    for (size_t t = 0; t < n; t++) {
        const kiosk_salvage_shape *sh = &shapes[t];
        if (sh->min_columns < 1 || sh->min_columns > sh->max_columns ||
            sh->max_columns > KIOSK_SALVAGE_MAX_COLUMNS || sh->n_columns > sh->max_columns ||
            (sh->n_columns && !sh->columns))
            return kiosk_fail(KIOSK_ERR_INVALID, s->err, s->err_size,
                              "salvage: shape %zu (%s) is invalid", t, sh->name ? sh->name : "?");
        if (sh->max_columns > s->max_values)
            s->max_values = sh->max_columns;
    }
    s->shapes = shapes;
    s->nshapes = n;
    return KIOSK_OK;
}

/* The page count: the last WAL commit's database size, else the header's when it is valid, each
 * bounded by what the file and the WAL hold. A page past the file's end exists only as a WAL
 * frame, so a commit size beyond the file's pages plus the frames (damaged, or hostile) would
 * only add missing pages, loop iterations and memory. */
static uint32_t page_count(const scanner *s, const db_header *main_hdr, uint32_t frames,
                           uint32_t commit_size, uint32_t wal_max)
{
    uint64_t file_pages = (s->db.size + s->page_size - 1) / s->page_size, pages = file_pages;
    if (frames) {
        pages = file_pages > wal_max ? file_pages : wal_max;
        if (pages > file_pages + frames)
            pages = file_pages + frames;
        if (pages > commit_size)
            pages = commit_size;
    } else if (main_hdr && main_hdr->pages_valid && main_hdr->pages < pages) {
        pages = main_hdr->pages;
    }
    /* Page numbers are 32-bit and the scan's loops count up to the page count inclusive. */
    return pages < UINT32_MAX ? (uint32_t)pages : UINT32_MAX - 1;
}

/* The page size (the file's header, else the WAL's, else the fallback), the WAL's last commit,
 * the page count and the WAL page map. *main_hdr is the file's own header, or NULL. */
static kiosk_rc scan_layout(scanner *s, db_header *file_hdr, const db_header **main_hdr)
{
    uint8_t head[DB_HEADER];
    *main_hdr =
        source_read(&s->db, 0, head, sizeof head) == sizeof head && header_parse(head, file_hdr)
            ? file_hdr
            : NULL;
    wal_header wal = {0};
    /* A WAL of another page size belongs to another database. */
    bool wal_ok =
        wal_header_read(&s->wal, &wal) && (!*main_hdr || wal.page_size == file_hdr->page_size);
    s->page_size = *main_hdr ? file_hdr->page_size
                   : wal_ok  ? wal.page_size
                             : KIOSK_SALVAGE_FALLBACK_PAGE_SIZE;
    s->page = malloc(s->page_size);
    s->ovfl = malloc(s->page_size);
    if (!s->page || !s->ovfl)
        return kiosk_fail(KIOSK_ERR_NOMEM, s->err, s->err_size, "salvage: out of memory");

    uint32_t frames = 0, commit_size = 0, wal_max = 0;
    if (wal_ok)
        wal_find_commit(s, &wal, &frames, &commit_size, &wal_max);
    s->npages = page_count(s, *main_hdr, frames, commit_size, wal_max);
    size_t slots = s->npages ? s->npages : 1;
    s->state = calloc(slots, 1);
    if (frames)
        s->wal_frame = calloc(slots, sizeof *s->wal_frame);
    if (!s->state || (frames && !s->wal_frame))
        return kiosk_fail(KIOSK_ERR_NOMEM, s->err, s->err_size,
                          "salvage: out of memory for %u pages", s->npages);
    /* Later frames overwrite earlier ones: the newest committed copy of each page wins. */
    for (uint32_t k = 0; k < frames; k++) {
        uint8_t pgno[4];
        uint64_t off = WAL_HEADER + (uint64_t)k * (FRAME_HEADER + s->page_size);
        if (source_read(&s->wal, off, pgno, 4) != 4)
            break;
        if (be32(pgno) <= s->npages)
            s->wal_frame[be32(pgno) - 1] = k + 1;
    }
    kiosk_salvage_stats *st = s->stats;
    st->page_size = s->page_size;
    st->pages = s->npages;
    st->wal_used = frames > 0;
    st->wal_frames = frames;
    return KIOSK_OK;
}

/* The newest page 1 (the WAL's copy when it has one) gives the reserved bytes, the encoding and
 * the freelist that goes with the newest pages; a stale freelist could hide live pages, so
 * without a readable newest page 1 there is none. */
static kiosk_rc scan_header(scanner *s, const db_header *main_hdr)
{
    db_header newest = {0};
    kiosk_salvage_stats *st = s->stats;
    st->header_valid = s->npages >= 1 && read_page(s, 1, s->page) &&
                       header_parse(s->page, &newest) && newest.page_size == s->page_size;
    const db_header *h = st->header_valid ? &newest : main_hdr;
    if (h && (h->encoding == 2 || h->encoding == 3))
        return kiosk_fail(KIOSK_ERR_UNSUPPORTED, s->err, s->err_size,
                          "salvage: the database is UTF-16 (encoding %u); only UTF-8 is read",
                          h->encoding);
    s->usable = s->page_size - (h ? h->reserved : 0);
    s->chain_max = KIOSK_SALVAGE_MAX_PAYLOAD / (s->usable - 4) + 1;
    s->chain = malloc(s->chain_max * sizeof *s->chain);
    s->values = malloc((s->max_values ? s->max_values : 1) * sizeof *s->values);
    if (!s->chain || !s->values)
        return kiosk_fail(KIOSK_ERR_NOMEM, s->err, s->err_size, "salvage: out of memory");
    if (st->header_valid)
        mark_freelist(s, newest.free_trunk);
    uint32_t lock_page = LOCK_BYTE_OFFSET / s->page_size + 1;
    if (lock_page <= s->npages)
        s->state[lock_page - 1] |= PAGE_LOCK;
    return KIOSK_OK;
}

/* Every page but free ones, in order; then what was never found readable is counted. */
static kiosk_rc scan_pages(scanner *s)
{
    kiosk_salvage_stats *st = s->stats;
    for (uint32_t pgno = 1; pgno <= s->npages; pgno++) {
        if (s->state[pgno - 1] & (PAGE_FREE | PAGE_LOCK))
            continue;
        st->pages_scanned++;
        if (!read_page(s, pgno, s->page))
            continue;
        kiosk_rc rc = scan_page(s, pgno);
        if (rc != KIOSK_OK)
            return rc;
    }
    for (uint32_t i = 0; i < s->npages; i++) {
        if (s->state[i] & PAGE_FREE)
            st->pages_free++;
        else if (!(s->state[i] & (PAGE_BTREE | PAGE_OVERFLOW | PAGE_LOCK)))
            st->pages_unreadable++;
    }
    return KIOSK_OK;
}

static kiosk_rc run(scanner *s, const kiosk_salvage_shape *shapes, size_t n,
                    kiosk_salvage_row_fn on_row, void *user, kiosk_salvage_stats *stats, char *err,
                    size_t err_size)
{
    memset(stats, 0, sizeof *stats);
    s->on_row = on_row;
    s->user = user;
    s->stats = stats;
    s->err = err;
    s->err_size = err_size;
    db_header file_hdr = {0};
    const db_header *main_hdr = NULL;
    kiosk_rc rc = shapes_check(s, shapes, n);
    if (rc == KIOSK_OK)
        rc = scan_layout(s, &file_hdr, &main_hdr);
    if (rc == KIOSK_OK)
        rc = scan_header(s, main_hdr);
    if (rc == KIOSK_OK)
        rc = scan_pages(s);
    free(s->values);
    free(s->chain);
    free(s->payload);
    free(s->wal_frame);
    free(s->state);
    free(s->ovfl);
    free(s->page);
    return rc;
}

kiosk_rc kiosk_salvage_scan_mem(const uint8_t *db, size_t db_len, const uint8_t *wal,
                                size_t wal_len, const kiosk_salvage_shape *shapes, size_t n,
                                kiosk_salvage_row_fn on_row, void *user, kiosk_salvage_stats *stats,
                                char *err, size_t err_size)
{
    scanner s = {.db = {-1, db, db ? db_len : 0}, .wal = {-1, wal, wal ? wal_len : 0}};
    return run(&s, shapes, n, on_row, user, stats, err, err_size);
}

/* Opens a file read-only and learns its size; fd -1 with no error for a missing optional
 * file. */
static kiosk_rc source_open(source *src, const char *path, bool optional, char *err,
                            size_t err_size)
{
    struct stat sb;
    src->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src->fd < 0 && optional && errno == ENOENT)
        return KIOSK_OK;
    if (src->fd < 0 || fstat(src->fd, &sb) != 0)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "salvage: %s: %s", path, strerror(errno));
    src->size = sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
    return KIOSK_OK;
}

kiosk_rc kiosk_salvage_scan(const char *db_path, const char *wal_path,
                            const kiosk_salvage_shape *shapes, size_t n,
                            kiosk_salvage_row_fn on_row, void *user, kiosk_salvage_stats *stats,
                            char *err, size_t err_size)
{
    scanner s = {.db = {.fd = -1}, .wal = {.fd = -1}};
    memset(stats, 0, sizeof *stats);
    kiosk_rc rc = source_open(&s.db, db_path, false, err, err_size);
    if (rc == KIOSK_OK && wal_path)
        rc = source_open(&s.wal, wal_path, true, err, err_size);
    if (rc == KIOSK_OK)
        rc = run(&s, shapes, n, on_row, user, stats, err, err_size);
    if (s.wal.fd >= 0)
        close(s.wal.fd);
    if (s.db.fd >= 0)
        close(s.db.fd);
    return rc;
}
