/* staff_csv.c - see staff_csv.h. */
#include "staff_csv.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "hex.h"
#include "idnum.h"
#include "mask.h"
#include "utf8.h"

enum column { COL_ID, COL_NAME, COL_ROLE, COL_PIN, COL_CARDS, COL_STATUS, COL_COUNT };

static const struct {
    const char *name;
    bool required;
} columns[COL_COUNT] = {
    {"staff_id", true}, {"name", true},       {"role", true},
    {"pin_hash", true}, {"card_uids", false}, {"status", false},
};

typedef struct parser {
    char *err;
    size_t err_size;
    size_t line;
} parser;

static kiosk_rc bad(parser *p, int col, const char *what)
{
    return kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size, "line %zu: %s: %s", p->line,
                      columns[col].name, what);
}

static bool is_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* An ID number given where an id belongs would be printed in messages and logs. */
static bool looks_like_id_number(const char *s)
{
    size_t n = strlen(s);
    bool digits = true;
    for (size_t i = 0; i < n && i < 17; i++)
        digits = digits && s[i] >= '0' && s[i] <= '9';
    if (n == 15)
        return digits;
    return n == 18 && digits && kiosk_idnum_check_char(s) == (s[17] == 'x' ? 'X' : s[17]);
}

/* Drops ASCII spaces and U+3000 around a name, in place. */
static char *trim_name(char *s)
{
    for (;;) {
        if (*s == ' ')
            s++;
        else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && s[n - 1] == ' ')
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
        s[n] = '\0';
    }
    return s;
}

static kiosk_rc parse_cards(parser *p, const char *text, kiosk_staff_row *row)
{
    const char *s = text;
    while (*s) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > 0) {
            if (row->card_count == KIOSK_STAFF_CARDS_MAX)
                return bad(p, COL_CARDS, "more than 4 cards");
            int n = kiosk_card_uid_from_hex(s, len, row->card_uid[row->card_count]);
            if (n <= 0)
                return bad(p, COL_CARDS, "each card is 8, 14 or 20 hex digits, separated by ';'");
            for (size_t i = 0; i < row->card_count; i++)
                if (row->card_uid_len[i] == (size_t)n &&
                    memcmp(row->card_uid[i], row->card_uid[row->card_count], (size_t)n) == 0)
                    return bad(p, COL_CARDS, "the same card twice");
            row->card_uid_len[row->card_count++] = (size_t)n;
        }
        s += len;
        if (*s == ';')
            s++;
    }
    return KIOSK_OK;
}

static kiosk_rc parse_row(parser *p, char **f, const int *at, kiosk_staff_row *row)
{
    memset(row, 0, sizeof *row);
#define FIELD(col) (at[col] >= 0 ? f[at[col]] : (char *)"")
    const char *id = FIELD(COL_ID);
    size_t id_len = strlen(id);
    bool id_ok = id_len > 0 && id_len < sizeof row->staff_id;
    for (size_t i = 0; id_ok && i < id_len; i++)
        id_ok = is_id_char(id[i]);
    if (!id_ok)
        return bad(p, COL_ID, "1 to 39 letters, digits, '_' or '-'");
    if (looks_like_id_number(id))
        return bad(p, COL_ID, "looks like an ID number: ids are printed in messages");
    memcpy(row->staff_id, id, id_len + 1);

    char *name = trim_name(FIELD(COL_NAME));
    size_t len = strlen(name);
    bool control = false;
    for (size_t i = 0; i < len; i++)
        control = control || (unsigned char)name[i] < 0x20 || name[i] == 0x7f;
    kiosk_rc rc = KIOSK_OK;
    if (!len)
        rc = bad(p, COL_NAME, "empty: the name is required");
    else if (control)
        rc = bad(p, COL_NAME, "control characters in the name");
    else if (kiosk_mask_name(name, row->name_masked, sizeof row->name_masked) != KIOSK_OK)
        rc = bad(p, COL_NAME, "not a name (too long, or not UTF-8)");
    sodium_memzero(name, len);
    if (rc != KIOSK_OK)
        return rc;

    if (!kiosk_staff_role_parse(FIELD(COL_ROLE), &row->role))
        return bad(p, COL_ROLE, "must be operator or supervisor");
    const char *hash = FIELD(COL_PIN);
    if (!kiosk_staff_pin_hash_valid(hash))
        return bad(p, COL_PIN,
                   "not an argon2id hash within the kiosk's limits (make it with kiosk "
                   "--hash-pin)");
    snprintf(row->pin_hash, sizeof row->pin_hash, "%s", hash);
    rc = parse_cards(p, FIELD(COL_CARDS), row);
    if (rc != KIOSK_OK)
        return rc;
    const char *status = FIELD(COL_STATUS);
    if (!status[0] || strcmp(status, "active") == 0)
        row->active = true;
    else if (strcmp(status, "inactive") == 0)
        row->active = false;
    else
        return bad(p, COL_STATUS, "must be active or inactive");
#undef FIELD
    return KIOSK_OK;
}

static kiosk_rc read_header(parser *p, kiosk_csv_reader *r, int at[COL_COUNT], size_t *header_n)
{
    char *f[KIOSK_CSV_FIELDS_MAX];
    kiosk_rc rc = kiosk_csv_next(r, f, header_n, &p->line, p->err, p->err_size);
    if (rc == KIOSK_ERR_NOT_FOUND)
        return kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size,
                          "the file is empty (no header line)");
    for (int c = 0; c < COL_COUNT; c++)
        at[c] = -1;
    for (size_t i = 0; rc == KIOSK_OK && i < *header_n; i++) {
        int c = 0;
        while (c < COL_COUNT && strcmp(f[i], columns[c].name) != 0)
            c++;
        if (c == COL_COUNT)
            rc = kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size,
                            "line %zu: unknown column %zu in the header (see docs/staff.md)",
                            p->line, i + 1);
        else if (at[c] >= 0)
            rc = kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size, "line %zu: column %s given twice",
                            p->line, columns[c].name);
        else
            at[c] = (int)i;
    }
    for (int c = 0; rc == KIOSK_OK && c < COL_COUNT; c++)
        if (columns[c].required && at[c] < 0)
            rc = kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size,
                            "line %zu: the header has no column %s", p->line, columns[c].name);
    return rc;
}

kiosk_rc kiosk_staff_csv_parse(const char *text, size_t len, kiosk_staff_row_fn on_row, void *user,
                               char *err, size_t err_size)
{
    if (len > KIOSK_STAFF_FILE_MAX)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size, "the file is larger than %d bytes",
                          KIOSK_STAFF_FILE_MAX);
    if (!kiosk_utf8_valid(text, len))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "not UTF-8 text (save the file as UTF-8, not GBK)");
    kiosk_csv_reader *r = malloc(sizeof *r);
    kiosk_staff_row *row = malloc(sizeof *row);
    if (!r || !row) {
        free(r);
        free(row);
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    }
    kiosk_csv_init(r, text, len, true);
    parser p = {.err = err, .err_size = err_size};
    int at[COL_COUNT];
    size_t header_n = 0, n;
    char *f[KIOSK_CSV_FIELDS_MAX];
    kiosk_rc rc = read_header(&p, r, at, &header_n);
    while (rc == KIOSK_OK) {
        rc = kiosk_csv_next(r, f, &n, &p.line, err, err_size);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            rc = KIOSK_OK;
            break;
        }
        if (rc != KIOSK_OK)
            break;
        if (n != header_n) {
            /* An argon2 hash holds two commas: unquoted, it is three fields. */
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: expected %zu fields, found %zu%s", p.line, header_n, n,
                            n == header_n + 2 ? " (put the pin_hash in double quotes: it holds"
                                                " commas)"
                                              : "");
            break;
        }
        rc = parse_row(&p, f, at, row);
        if (rc == KIOSK_OK)
            rc = on_row(user, p.line, row, err, err_size);
    }
    sodium_memzero(r, sizeof *r); /* the last record holds a name */
    free(r);
    sodium_memzero(row, sizeof *row);
    free(row);
    return rc;
}
