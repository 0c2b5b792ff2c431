/* roster_csv.c - RFC 4180 record reader with bounded buffers, and the roster's field checks. */
#include "roster_csv.h"

#include <stdarg.h>
#include <string.h>

#include "hex.h"
#include "mask.h"

/* Columns: enum name, header name, required. */
#define ROSTER_COLUMN_MAP(X)                     \
    X(PERSON_ID, "person_id", true)              \
    X(NAME, "name", true)                        \
    X(BIRTH_DATE, "birth_date", true)            \
    X(CATEGORIES, "categories", false)           \
    X(CITY, "city", false)                       \
    X(DISTRICT, "district", false)               \
    X(STREET, "street", false)                   \
    X(HUKOU, "hukou", true)                      \
    X(STATUS, "status", false)                   \
    X(CARD_UID, "card_uid", false)               \
    X(CARD_STATUS, "card_status", false)         \
    X(ISSUING_CANTEEN, "issuing_canteen", false) \
    X(ID_NUMBER, "id_number", false)

enum column {
#define ROSTER_COLUMN_ENUM(e, name, required) COL_##e,
    ROSTER_COLUMN_MAP(ROSTER_COLUMN_ENUM)
#undef ROSTER_COLUMN_ENUM
        COL_COUNT
};

static const struct {
    const char *name;
    bool required;
} columns[COL_COUNT] = {
#define ROSTER_COLUMN_INFO(e, name, required) {name, required},
    ROSTER_COLUMN_MAP(ROSTER_COLUMN_INFO)
#undef ROSTER_COLUMN_INFO
};

static const struct {
    const char *code, *label;
} categories[KIOSK_CATEGORY_COUNT] = {
#define ROSTER_CATEGORY_INFO(e, code, zh) {code, zh},
    KIOSK_CATEGORY_MAP(ROSTER_CATEGORY_INFO)
#undef ROSTER_CATEGORY_INFO
};

/* Fields kept per record. A header has at most COL_COUNT valid names, so a record with more
 * fields is an error either way; they are counted, not kept. */
#define MAX_FIELDS       32
#define READ_CHUNK       4096
#define AREA_CODE_DIGITS (KIOSK_AREA_CODE_MAX - 1)
#define ID_CHARS         (KIOSK_ID_MAX - 1)
/* A value is repeated in a message only when it is this short and printable ASCII. */
#define SHOWN_MAX 32
/* ... and has no run of this many digits, which could be an ID number in the wrong column. */
#define ID_LIKE_RUN 15

typedef struct parser {
    FILE *in;
    kiosk_date today;
    char *err;
    size_t err_size;
    unsigned char buf[READ_CHUNK]; /* read buffer: buf[pos..len) not yet consumed */
    size_t pos, len;
    bool eof, io_error;
    size_t line;     /* physical line of the next byte */
    size_t rec_line; /* physical line where the current record starts */
    bool in_header;
    /* The current record: fields stored back to back, each NUL-terminated. */
    char rec[KIOSK_ROSTER_RECORD_MAX + MAX_FIELDS + 1];
    size_t used;
    size_t nfields; /* counted, even beyond MAX_FIELDS */
    size_t field_off[MAX_FIELDS], field_len[MAX_FIELDS];
    size_t flen; /* bytes of the field being read */
    /* The header: which column each field is, and where each column is (-1 = absent). */
    size_t ncols;
    int col_of_field[MAX_FIELDS];
    int field_of_col[COL_COUNT];
    kiosk_date id_birth; /* the birth date in the current row's id_number */
} parser;

/* Wipes memory that held personal data; the volatile stores keep the compiler from dropping
 * what looks like a dead write. */
static void wipe(void *mem, size_t n)
{
    volatile unsigned char *v = mem;
    while (n--)
        *v++ = 0;
}

/* "line N: column" (or "line N"), the place in front of every import error. */
static const char *where(char out[64], size_t line, const char *column)
{
    if (column)
        snprintf(out, 64, "line %zu: %s", line, column);
    else
        snprintf(out, 64, "line %zu", line);
    return out;
}

#define fail(p, line, column, ...)                                                              \
    kiosk_fail_at(KIOSK_ERR_PARSE, (p)->err, (p)->err_size, where((char[64]){0}, line, column), \
                  __VA_ARGS__)

/* "'value'" when the value may appear in a message, "the value" otherwise. */
static const char *shown(const char *v, size_t len, char out[SHOWN_MAX + 3])
{
    size_t run = 0;
    bool ok = len <= SHOWN_MAX;
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        run = (c >= '0' && c <= '9') || c == 'X' || c == 'x' ? run + 1 : 0;
        ok = c >= 0x20 && c <= 0x7e && run < ID_LIKE_RUN;
    }
    if (!ok)
        return "the value";
    out[0] = '\'';
    memcpy(out + 1, v, len);
    out[len + 1] = '\'';
    out[len + 2] = '\0';
    return out;
}

/* How messages name field i: its column, or "header field 2", or "field 14" beyond the
 * header's columns. */
static const char *field_label(const parser *p, size_t i, char buf[32])
{
    if (p->in_header)
        snprintf(buf, 32, "header field %zu", i + 1);
    else if (i < p->ncols)
        return columns[p->col_of_field[i]].name;
    else
        snprintf(buf, 32, "field %zu", i + 1);
    return buf;
}

/* --- bytes ---------------------------------------------------------------------------------- */

static int next_byte(parser *p)
{
    if (p->pos == p->len) {
        if (p->eof)
            return EOF;
        p->pos = 0;
        p->len = fread(p->buf, 1, sizeof p->buf, p->in);
        if (p->len == 0) {
            /* Not asked again: a terminal or pipe could block on a second read after EOF. */
            p->eof = true;
            p->io_error = ferror(p->in) != 0;
            return EOF;
        }
    }
    return p->buf[p->pos++];
}

static int peek_byte(parser *p)
{
    int c = next_byte(p);
    if (c != EOF)
        p->pos--;
    return c;
}

static kiosk_rc io_failed(parser *p)
{
    snprintf(p->err, p->err_size, "line %zu: read error", p->line);
    return KIOSK_ERR_IO;
}

/* --- records -------------------------------------------------------------------------------- */

static void start_field(parser *p)
{
    p->flen = 0;
    if (p->nfields < MAX_FIELDS)
        p->field_off[p->nfields] = p->used;
}

static void end_field(parser *p)
{
    if (p->nfields < MAX_FIELDS) {
        p->rec[p->used++] = '\0';
        p->field_len[p->nfields] = p->flen;
    }
    p->nfields++;
}

static kiosk_rc append(parser *p, int c)
{
    if (p->flen >= KIOSK_ROSTER_FIELD_MAX) {
        char buf[32];
        return fail(p, p->rec_line, field_label(p, p->nfields, buf), "longer than %d bytes",
                    KIOSK_ROSTER_FIELD_MAX);
    }
    p->flen++;
    if (p->nfields < MAX_FIELDS)
        p->rec[p->used++] = (char)c;
    return KIOSK_OK;
}

/* Skips empty lines; *at_end tells that the input ended before another record. */
static kiosk_rc skip_empty_lines(parser *p, bool *at_end)
{
    for (;;) {
        int c = peek_byte(p);
        if (c == EOF) {
            *at_end = true;
            return p->io_error ? io_failed(p) : KIOSK_OK;
        }
        if (c != '\r' && c != '\n') {
            *at_end = false;
            return KIOSK_OK;
        }
        next_byte(p);
        if (c == '\r' && next_byte(p) != '\n')
            return fail(p, p->line, NULL,
                        "carriage return without a line feed (save the file "
                        "with CRLF or LF line endings)");
        p->line++;
    }
}

/* Reads one record into p->rec. *got is false at the end of the input. */
static kiosk_rc read_record(parser *p, bool *got)
{
    enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN } state = FIELD_START;
    bool at_end;
    *got = false;
    kiosk_rc rc = skip_empty_lines(p, &at_end);
    if (rc != KIOSK_OK || at_end)
        return rc;
    p->rec_line = p->line;
    p->used = 0;
    p->nfields = 0;
    start_field(p);
    size_t raw = 0;
    for (;;) {
        int c = next_byte(p);
        if (c == EOF && p->io_error)
            return io_failed(p);
        if (c != EOF && ++raw > KIOSK_ROSTER_RECORD_MAX)
            return fail(p, p->rec_line, NULL, "record longer than %d bytes",
                        KIOSK_ROSTER_RECORD_MAX);
        if (state == QUOTED) {
            if (c == EOF)
                return fail(p, p->rec_line, NULL, "unterminated quoted field");
            if (c == '"') {
                state = QUOTE_SEEN;
                continue;
            }
            if (c == '\n')
                p->line++;
            rc = append(p, c);
            if (rc != KIOSK_OK)
                return rc;
            continue;
        }
        if (state == QUOTE_SEEN && c == '"') {
            /* "" inside a quoted field is one quote. */
            state = QUOTED;
            rc = append(p, c);
            if (rc != KIOSK_OK)
                return rc;
            continue;
        }
        if (state == FIELD_START && c == '"') {
            state = QUOTED;
            continue;
        }
        if (c == ',') {
            end_field(p);
            start_field(p);
            state = FIELD_START;
            continue;
        }
        if (c == '\r') {
            if (next_byte(p) != '\n')
                return fail(p, p->line, NULL,
                            "carriage return without a line feed (save the "
                            "file with CRLF or LF line endings)");
            raw++;
            c = '\n';
        }
        if (c == '\n' || c == EOF) {
            if (c == '\n')
                p->line++;
            end_field(p);
            *got = true;
            return KIOSK_OK;
        }
        char buf[32];
        const char *col = field_label(p, p->nfields, buf);
        if (state == QUOTE_SEEN)
            return fail(p, p->rec_line, col, "text after the closing quote of a quoted field");
        if (c == '"')
            return fail(p, p->rec_line, col,
                        "a quote inside an unquoted field (quote the whole field and double "
                        "the quote)");
        state = UNQUOTED;
        rc = append(p, c);
        if (rc != KIOSK_OK)
            return rc;
    }
}

/* The checks every field gets: UTF-8, and no NUL that would cut the C string short. */
static kiosk_rc check_bytes(parser *p, size_t i)
{
    const char *v = p->rec + p->field_off[i];
    size_t len = p->field_len[i];
    char buf[32];
    const char *col = field_label(p, i, buf);
    if (memchr(v, '\0', len))
        return fail(p, p->rec_line, col, "contains a NUL byte");
    if (!kiosk_utf8_valid(v, len))
        return fail(p, p->rec_line, col, "invalid UTF-8");
    return KIOSK_OK;
}

/* --- header --------------------------------------------------------------------------------- */

/* A spreadsheet saved as "Text (tab-delimited)" gives one header field full of tabs; saying so
 * helps more than "unknown column". No column name holds a tab. */
static bool header_has_tab(const parser *p)
{
    size_t n = p->nfields < MAX_FIELDS ? p->nfields : MAX_FIELDS;
    for (size_t i = 0; i < n; i++)
        if (memchr(p->rec + p->field_off[i], '\t', p->field_len[i]))
            return true;
    return false;
}

static kiosk_rc read_header(parser *p)
{
    bool got;
    p->in_header = true;
    kiosk_rc rc = read_record(p, &got);
    if (rc != KIOSK_OK)
        return rc;
    if (!got)
        return fail(p, p->line, NULL, "the file is empty; its first line must name the columns");
    if (header_has_tab(p))
        return fail(p, p->rec_line, NULL,
                    "this looks like a tab-separated file; save it as CSV (comma-separated)");
    if (p->nfields > MAX_FIELDS)
        return fail(p, p->rec_line, NULL, "%zu columns; the roster has at most %d", p->nfields,
                    (int)COL_COUNT);
    for (int c = 0; c < COL_COUNT; c++)
        p->field_of_col[c] = -1;
    for (size_t i = 0; i < p->nfields; i++) {
        rc = check_bytes(p, i);
        if (rc != KIOSK_OK)
            return rc;
        const char *name = p->rec + p->field_off[i];
        char show[SHOWN_MAX + 3];
        int col = 0;
        while (col < COL_COUNT && strcmp(columns[col].name, name) != 0)
            col++;
        if (col == COL_COUNT)
            return fail(p, p->rec_line, NULL, "unknown column %s",
                        shown(name, p->field_len[i], show));
        if (p->field_of_col[col] >= 0)
            return fail(p, p->rec_line, NULL, "duplicate column '%s'", columns[col].name);
        p->field_of_col[col] = (int)i;
        p->col_of_field[i] = col;
    }
    for (int c = 0; c < COL_COUNT; c++)
        if (columns[c].required && p->field_of_col[c] < 0)
            return fail(p, p->rec_line, NULL, "missing required column '%s'", columns[c].name);
    p->ncols = p->nfields;
    p->in_header = false;
    return KIOSK_OK;
}

/* --- fields --------------------------------------------------------------------------------- */

static bool is_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A person_id that is an ID number: 18 characters whose last one is the check character of
 * the first 17 (x for X too), or the 15 digits of a first-generation card. Ids appear in
 * messages and logs, ID numbers must not, so such an id is refused without being repeated. */
static bool looks_like_id_number(const char *v, size_t len)
{
    if (len == 15) {
        for (size_t i = 0; i < len; i++)
            if (v[i] < '0' || v[i] > '9')
                return false;
        return true;
    }
    if (len != KIOSK_IDNUM_LEN)
        return false;
    char check = kiosk_idnum_check_char(v);
    return check != '\0' && (v[17] == check || (check == 'X' && v[17] == 'x'));
}

/* A roster id (person_id, issuing_canteen) into out (KIOSK_ID_MAX bytes). */
static kiosk_rc parse_id(parser *p, const char *col, const char *v, size_t len, char *out)
{
    char show[SHOWN_MAX + 3];
    if (len > ID_CHARS)
        return fail(p, p->rec_line, col, "longer than %d characters", ID_CHARS);
    for (size_t i = 0; i < len; i++)
        if (!is_id_char(v[i]))
            return fail(p, p->rec_line, col, "%s may only hold A-Z, a-z, 0-9, '_' and '-'",
                        shown(v, len, show));
    memcpy(out, v, len + 1);
    return KIOSK_OK;
}

/* The length of a U+3000 ideographic space at s, the space a Chinese input method types. */
static size_t ideographic_space(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0 ? 3 : 0;
}

static kiosk_rc parse_name(parser *p, char *v, size_t len, kiosk_roster_row *row)
{
    const char *col = columns[COL_NAME].name;
    size_t k;
    for (;;) {
        if (len && (v[0] == ' ' || v[0] == '\t')) {
            v++;
            len--;
        } else if ((k = ideographic_space(v, len)) != 0) {
            v += k;
            len -= k;
        } else {
            break;
        }
    }
    for (;;) {
        if (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        else if (len >= 3 && ideographic_space(v + len - 3, 3))
            len -= 3;
        else
            break;
    }
    v[len] = '\0';
    if (len == 0)
        return fail(p, p->rec_line, col, "empty, but required");
    /* C0 and C1 controls and DEL: a line break or escape code in a name would garble the screen
     * and the ticket. U+0080..U+009F are C2 80..C2 9F in UTF-8. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        bool c1 = c == 0xC2 && i + 1 < len && (unsigned char)v[i + 1] < 0xA0;
        if (c < 0x20 || c == 0x7f || c1)
            return fail(p, p->rec_line, col, "contains a control character");
    }
    /* check_bytes has validated the UTF-8, so only the length can fail here. */
    if (kiosk_mask_name(v, row->name_masked, sizeof row->name_masked) != KIOSK_OK)
        return fail(p, p->rec_line, col, "too long to keep masked (at most %zu bytes masked)",
                    sizeof row->name_masked - 1);
    return KIOSK_OK;
}

static kiosk_rc parse_birth(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    const char *col = columns[COL_BIRTH_DATE].name;
    char show[SHOWN_MAX + 3];
    if (len == 0)
        return fail(p, p->rec_line, col, "empty, but required");
    if (!kiosk_date_parse(v, &row->person.birth))
        return fail(p, p->rec_line, col, "%s is not a valid date (YYYY-MM-DD)",
                    shown(v, len, show));
    if (kiosk_date_cmp(row->person.birth, p->today) > 0) {
        char today[11];
        kiosk_date_format(p->today, today);
        return fail(p, p->rec_line, col, "%s is after today (%s)", shown(v, len, show), today);
    }
    return KIOSK_OK;
}

static uint32_t category_bit(const char *item, size_t len)
{
    for (int i = 0; i < KIOSK_CATEGORY_COUNT; i++) {
        const char *code = categories[i].code, *label = categories[i].label;
        if ((strlen(code) == len && memcmp(code, item, len) == 0) ||
            (strlen(label) == len && memcmp(label, item, len) == 0))
            return 1u << i;
    }
    return 0;
}

static kiosk_rc parse_categories(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && v[end] != ';')
            end++;
        size_t a = i, b = end;
        while (a < b && is_space(v[a]))
            a++;
        while (b > a && is_space(v[b - 1]))
            b--;
        if (b > a) {
            uint32_t bit = category_bit(v + a, b - a);
            if (!bit) {
                char show[SHOWN_MAX + 3];
                return fail(p, p->rec_line, columns[COL_CATEGORIES].name, "unknown category %s",
                            shown(v + a, b - a, show));
            }
            row->person.categories |= bit;
        }
        i = end + 1;
    }
    return KIOSK_OK;
}

static kiosk_rc parse_area(parser *p, int col, const char *v, size_t len, char *out)
{
    char show[SHOWN_MAX + 3];
    if (len > AREA_CODE_DIGITS)
        return fail(p, p->rec_line, columns[col].name, "longer than %d digits", AREA_CODE_DIGITS);
    for (size_t i = 0; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return fail(p, p->rec_line, columns[col].name, "%s must be digits only",
                        shown(v, len, show));
    memcpy(out, v, len + 1);
    return KIOSK_OK;
}

static kiosk_rc parse_hukou(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    char show[SHOWN_MAX + 3];
    /* A local household registration implies living here: a policy that asks for residence
     * accepts both, and one that asks for hukou looks at local_hukou only. */
    if (strcmp(v, "local") == 0) {
        row->person.local_hukou = true;
        row->person.local_resident = true;
    } else if (strcmp(v, "resident") == 0) {
        row->person.local_resident = true;
    } else if (strcmp(v, "other") != 0) {
        if (len == 0)
            return fail(p, p->rec_line, columns[COL_HUKOU].name, "empty, but required");
        return fail(p, p->rec_line, columns[COL_HUKOU].name, "%s must be local, resident or other",
                    shown(v, len, show));
    }
    return KIOSK_OK;
}

static kiosk_rc parse_status(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    char show[SHOWN_MAX + 3];
    if (len == 0 || strcmp(v, "active") == 0)
        row->person.active = true;
    else if (strcmp(v, "inactive") == 0)
        row->person.active = false;
    else
        return fail(p, p->rec_line, columns[COL_STATUS].name, "%s must be active or inactive",
                    shown(v, len, show));
    return KIOSK_OK;
}

static kiosk_rc parse_card_uid(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    char show[SHOWN_MAX + 3];
    uint8_t bytes[KIOSK_UID_MAX];
    if (len != 0 && kiosk_card_uid_from_hex(v, len, bytes) <= 0)
        return fail(p, p->rec_line, columns[COL_CARD_UID].name,
                    "%s must be 8, 14 or 20 hex digits (a 4, 7 or 10 byte UID)",
                    shown(v, len, show));
    for (size_t i = 0; i < len; i++)
        row->card_uid[i] = (char)(v[i] >= 'a' && v[i] <= 'f' ? v[i] - 'a' + 'A' : v[i]);
    row->card_uid[len] = '\0';
    return KIOSK_OK;
}

static kiosk_rc parse_card_status(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    char show[SHOWN_MAX + 3];
    if (len == 0 || strcmp(v, "active") == 0) {
        row->card_blocked = false;
    } else if (strcmp(v, "blocked") == 0) {
        row->card_blocked = true;
    } else if (strcmp(v, "lost") == 0) {
        row->card_blocked = true;
        row->card_lost = true;
    } else {
        return fail(p, p->rec_line, columns[COL_CARD_STATUS].name,
                    "%s must be active, blocked or lost", shown(v, len, show));
    }
    return KIOSK_OK;
}

static kiosk_rc parse_id_number(parser *p, const char *v, size_t len, kiosk_roster_row *row)
{
    if (len == 0)
        return KIOSK_OK;
    kiosk_idnum info;
    kiosk_idnum_result r = kiosk_idnum_validate(v, p->today, &info);
    if (r != KIOSK_IDNUM_OK)
        /* The number itself is never repeated: only what is wrong with it. */
        return fail(p, p->rec_line, columns[COL_ID_NUMBER].name, "not a valid ID number (%s)",
                    kiosk_idnum_result_code(r));
    memcpy(row->id_number, info.number, sizeof row->id_number);
    p->id_birth = info.birth;
    wipe(&info, sizeof info);
    return KIOSK_OK;
}

static kiosk_rc parse_field(parser *p, int col, char *v, size_t len, kiosk_roster_row *row)
{
    switch (col) {
    case COL_PERSON_ID:
        if (len == 0)
            return fail(p, p->rec_line, columns[col].name, "empty, but required");
        if (looks_like_id_number(v, len))
            return fail(p, p->rec_line, columns[col].name,
                        "looks like an ID number; use the bureau's person id here (an ID number "
                        "belongs in id_number)");
        return parse_id(p, columns[col].name, v, len, row->person_id);
    case COL_NAME:
        return parse_name(p, v, len, row);
    case COL_BIRTH_DATE:
        return parse_birth(p, v, len, row);
    case COL_CATEGORIES:
        return parse_categories(p, v, len, row);
    case COL_CITY:
        return parse_area(p, col, v, len, row->person.home.city);
    case COL_DISTRICT:
        return parse_area(p, col, v, len, row->person.home.district);
    case COL_STREET:
        return parse_area(p, col, v, len, row->person.home.street);
    case COL_HUKOU:
        return parse_hukou(p, v, len, row);
    case COL_STATUS:
        return parse_status(p, v, len, row);
    case COL_CARD_UID:
        return parse_card_uid(p, v, len, row);
    case COL_CARD_STATUS:
        return parse_card_status(p, v, len, row);
    case COL_ISSUING_CANTEEN:
        return parse_id(p, columns[col].name, v, len, row->issuing_canteen);
    case COL_ID_NUMBER:
        return parse_id_number(p, v, len, row);
    default:
        return fail(p, p->rec_line, NULL, "internal error: column %d", col);
    }
}

static kiosk_rc parse_row(parser *p, kiosk_roster_row *row)
{
    if (p->nfields != p->ncols)
        return fail(p, p->rec_line, NULL, "expected %zu fields, found %zu", p->ncols, p->nfields);
    memset(row, 0, sizeof *row);
    row->line = p->rec_line;
    row->person.active = true;
    for (size_t i = 0; i < p->nfields; i++) {
        kiosk_rc rc = check_bytes(p, i);
        if (rc != KIOSK_OK)
            return rc;
        rc = parse_field(p, p->col_of_field[i], p->rec + p->field_off[i], p->field_len[i], row);
        if (rc != KIOSK_OK)
            return rc;
    }
    /* Fields come in any order, so the two birth dates meet only here. A typo in either would
     * otherwise bill the ID card's holder by the wrong age class. */
    if (row->id_number[0] && kiosk_date_cmp(p->id_birth, row->person.birth) != 0)
        return fail(p, p->rec_line, columns[COL_ID_NUMBER].name,
                    "the birth date in the number (characters 7-14) differs from birth_date");
    if (!row->card_uid[0]) {
        row->card_blocked = false;
        row->card_lost = false;
        row->issuing_canteen[0] = '\0';
    }
    return KIOSK_OK;
}

kiosk_roster_mode kiosk_roster_mode_parse(const char *text)
{
    if (text && strcmp(text, "full") == 0)
        return KIOSK_ROSTER_MODE_FULL;
    if (text && strcmp(text, "delta") == 0)
        return KIOSK_ROSTER_MODE_DELTA;
    return KIOSK_ROSTER_MODE_NONE;
}

const char *kiosk_roster_mode_name(kiosk_roster_mode mode)
{
    switch (mode) {
    case KIOSK_ROSTER_MODE_FULL:
        return "full";
    case KIOSK_ROSTER_MODE_DELTA:
        return "delta";
    default:
        return "none";
    }
}

kiosk_rc kiosk_roster_csv_read(FILE *in, kiosk_date today, kiosk_roster_row_fn on_row, void *user,
                               char *err, size_t err_size)
{
    if (err_size > 0)
        err[0] = '\0';
    if (!in || !on_row) {
        snprintf(err, err_size, "no input or no row callback");
        return KIOSK_ERR_INVALID;
    }
    /* About 9 KiB on the stack, whatever the file's size. */
    parser state = {0};
    parser *p = &state;
    kiosk_roster_row row;
    p->in = in;
    p->today = today;
    p->err = err;
    p->err_size = err_size;
    p->line = 1;
    /* A byte-order mark is only meaningful as the first three bytes of the file. */
    int first = peek_byte(p);
    if (first == 0xEF && p->len - p->pos >= 3 && memcmp(p->buf + p->pos, "\xEF\xBB\xBF", 3) == 0)
        p->pos += 3;
    /* Excel's "Unicode text" is UTF-16 with a byte-order mark (and tabs). */
    kiosk_rc rc = KIOSK_OK;
    if ((first == 0xFF || first == 0xFE) && p->len - p->pos >= 2 &&
        (memcmp(p->buf + p->pos, "\xFF\xFE", 2) == 0 ||
         memcmp(p->buf + p->pos, "\xFE\xFF", 2) == 0))
        rc = fail(p, 1, NULL, "this is a UTF-16 text file; save it as CSV UTF-8 (comma-separated)");
    if (rc == KIOSK_OK)
        rc = read_header(p);
    while (rc == KIOSK_OK) {
        bool got;
        rc = read_record(p, &got);
        if (rc != KIOSK_OK || !got)
            break;
        rc = parse_row(p, &row);
        if (rc == KIOSK_OK) {
            rc = on_row(user, &row);
            if (rc != KIOSK_OK)
                snprintf(err, err_size, "line %zu: stopped by the importer: %s", p->rec_line,
                         kiosk_strerror(rc));
        }
        /* The full name and the ID number go no further than this row. */
        wipe(&row, sizeof row);
        wipe(p->rec, p->used);
        wipe(p->buf, p->pos);
    }
    wipe(p, sizeof *p);
    return rc;
}
