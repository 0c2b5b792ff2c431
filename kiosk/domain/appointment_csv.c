/* appointment_csv.c - see appointment_csv.h. */
#include "appointment_csv.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "idnum.h"
#include "mask.h"
#include "utf8.h"

enum column {
    COL_ID,
    COL_BOOKING,
    COL_SERVICE,
    COL_DATE,
    COL_SLOT,
    COL_LANE,
    COL_P1_ID,
    COL_P1_NAME,
    COL_P2_ID,
    COL_P2_NAME,
    COL_APPLICATION,
    COL_STATUS,
    COL_COUNT
};

static const struct {
    const char *name;
    bool required;
} columns[COL_COUNT] = {
    {"appointment_id", true},
    {"booking_no", true},
    {"service", true},
    {"date", true},
    {"slot", true},
    {"lane", false},
    {"party1_id", true},
    {"party1_name", true},
    {"party2_id", false},
    {"party2_name", false},
    {"application_date", false},
    {"status", false},
};

bool kiosk_slot_parse(const char *text, int *start, int *end)
{
    if (strlen(text) != 11 || text[5] != '-')
        return false;
    char a[6], b[6];
    memcpy(a, text, 5);
    a[5] = '\0';
    memcpy(b, text + 6, 5);
    b[5] = '\0';
    return kiosk_minutes_parse(a, false, start) && kiosk_minutes_parse(b, true, end) &&
           *start < *end;
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

typedef struct parser {
    const uint8_t *key;
    kiosk_date today;
    char *err;
    size_t err_size;
    size_t line;
} parser;

static kiosk_rc bad(parser *p, int col, const char *what)
{
    return kiosk_fail(KIOSK_ERR_PARSE, p->err, p->err_size, "line %zu: %s: %s", p->line,
                      columns[col].name, what);
}

/* A party from its id and name columns; the number is wiped from the record. */
static kiosk_rc parse_party(parser *p, int id_col, char *number, char *name, kiosk_party *out)
{
    memset(out, 0, sizeof *out);
    kiosk_idnum num;
    kiosk_idnum_result r = kiosk_idnum_validate(number, p->today, &num);
    sodium_memzero(number, strlen(number));
    if (r != KIOSK_IDNUM_OK) {
        char why[128];
        snprintf(why, sizeof why, "not a valid ID number (%s)", kiosk_idnum_result_code(r));
        return bad(p, id_col, why);
    }
    kiosk_card_key_of_id_number(p->key, num.number, out->key);
    out->sex = num.male ? 'M' : 'F';
    out->has_birth = true;
    out->birth = num.birth;
    sodium_memzero(&num, sizeof num);
    char *trimmed = trim_name(name);
    size_t len = strlen(trimmed);
    bool control = false;
    for (size_t i = 0; i < len; i++)
        control = control || (unsigned char)trimmed[i] < 0x20 || trimmed[i] == 0x7f;
    kiosk_rc rc = KIOSK_OK;
    if (!len)
        rc = bad(p, id_col + 1, "empty: the party's name is required");
    else if (control)
        rc = bad(p, id_col + 1, "control characters in the name");
    else if (kiosk_mask_name(trimmed, out->name_masked, sizeof out->name_masked) != KIOSK_OK)
        rc = bad(p, id_col + 1, "not a name (too long, or not UTF-8)");
    sodium_memzero(name, strlen(name));
    return rc;
}

static kiosk_rc parse_row(parser *p, char **f, const int *at, kiosk_appointment *a)
{
    memset(a, 0, sizeof *a);
#define FIELD(col) (at[col] >= 0 ? f[at[col]] : (char *)"")
    const char *id = FIELD(COL_ID);
    size_t id_len = strlen(id);
    bool id_ok = id_len > 0 && id_len < sizeof a->id;
    for (size_t i = 0; id_ok && i < id_len; i++)
        id_ok = is_id_char(id[i]);
    if (!id_ok)
        return bad(p, COL_ID, "1 to 39 letters, digits, '_' or '-'");
    if (looks_like_id_number(id))
        return bad(p, COL_ID,
                   "looks like an ID number: ids are printed in messages, so an ID "
                   "number may not be one");
    memcpy(a->id, id, id_len + 1);
    const char *booking = FIELD(COL_BOOKING);
    size_t booking_len = strlen(booking);
    bool booking_ok = booking_len >= 4 && booking_len < sizeof a->booking_no;
    for (size_t i = 0; booking_ok && i < booking_len; i++)
        booking_ok = booking[i] >= '0' && booking[i] <= '9';
    if (!booking_ok)
        return bad(p, COL_BOOKING, "4 to 15 digits");
    memcpy(a->booking_no, booking, booking_len + 1);
    if (!kiosk_service_parse(FIELD(COL_SERVICE), &a->service))
        return bad(p, COL_SERVICE,
                   "must be marriage, divorce_apply, divorce_cert, divorce_withdraw, "
                   "reissue_marriage or reissue_divorce (or the Chinese name)");
    if (!kiosk_date_parse(FIELD(COL_DATE), &a->date))
        return bad(p, COL_DATE, "expected YYYY-MM-DD, a real date");
    if (!kiosk_slot_parse(FIELD(COL_SLOT), &a->slot_start, &a->slot_end))
        return bad(p, COL_SLOT, "expected HH:MM-HH:MM with the start before the end");
    const char *lane = FIELD(COL_LANE);
    a->lane = KIOSK_LANE_BOOKED;
    if (lane[0] && (!kiosk_lane_parse(lane, &a->lane) || a->lane == KIOSK_LANE_WALKIN))
        return bad(p, COL_LANE, "must be booked or priority");
    const char *status = FIELD(COL_STATUS);
    a->status = KIOSK_APPT_BOOKED;
    if (status[0] && !kiosk_appt_status_parse(status, &a->status))
        return bad(p, COL_STATUS, "must be booked, checked_in or cancelled");
    const char *application = FIELD(COL_APPLICATION);
    bool needs_application =
        a->service == KIOSK_SERVICE_DIVORCE_CERT || a->service == KIOSK_SERVICE_DIVORCE_WITHDRAW;
    if (application[0]) {
        if (!needs_application)
            return bad(p, COL_APPLICATION,
                       "only a divorce certificate or a withdrawal has an application date");
        if (!kiosk_date_parse(application, &a->application_date))
            return bad(p, COL_APPLICATION, "expected YYYY-MM-DD, a real date");
        if (kiosk_date_cmp(a->application_date, a->date) > 0)
            return bad(p, COL_APPLICATION, "after the appointment's date");
        a->has_application = true;
    } else if (needs_application) {
        return bad(p, COL_APPLICATION,
                   "required for divorce_cert and divorce_withdraw: the day the hall received "
                   "the application");
    }
    kiosk_rc rc = parse_party(p, COL_P1_ID, FIELD(COL_P1_ID), FIELD(COL_P1_NAME), &a->party[0]);
    if (rc != KIOSK_OK)
        return rc;
    a->party_count = 1;
    char *p2_id = FIELD(COL_P2_ID), *p2_name = FIELD(COL_P2_NAME);
    if (p2_id[0] || p2_name[0]) {
        if (!p2_id[0])
            return bad(p, COL_P2_ID, "empty while party2_name is given");
        rc = parse_party(p, COL_P2_ID, p2_id, p2_name, &a->party[1]);
        if (rc != KIOSK_OK)
            return rc;
        if (memcmp(a->party[0].key, a->party[1].key, KIOSK_CARD_KEY_BYTES) == 0)
            return bad(p, COL_P2_ID, "the same person as party1");
        a->party_count = 2;
    } else if (kiosk_service_parties(a->service) == 2) {
        return bad(p, COL_P2_ID, "required: both parties come in person for this service");
    }
#undef FIELD
    return KIOSK_OK;
}

kiosk_rc kiosk_appointment_csv_parse(const char *text, size_t len,
                                     const uint8_t key[KIOSK_CARD_KEY_BYTES], kiosk_date today,
                                     kiosk_appointment_row_fn on_row, void *user, char *err,
                                     size_t err_size)
{
    if (len > KIOSK_APPOINTMENT_FILE_MAX)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size, "the file is larger than %d bytes",
                          KIOSK_APPOINTMENT_FILE_MAX);
    if (!kiosk_utf8_valid(text, len))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "not UTF-8 text (save the file as UTF-8, not GBK)");
    kiosk_csv_reader *r = malloc(sizeof *r);
    if (!r)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_csv_init(r, text, len, false);
    parser p = {.key = key, .today = today, .err = err, .err_size = err_size};
    char *f[KIOSK_CSV_FIELDS_MAX];
    size_t n, header_n = 0;
    int at[COL_COUNT];
    kiosk_appointment a;
    kiosk_rc rc = kiosk_csv_next(r, f, &header_n, &p.line, err, err_size);
    if (rc == KIOSK_ERR_NOT_FOUND)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "the file is empty (no header line)");
    for (int c = 0; c < COL_COUNT; c++)
        at[c] = -1;
    for (size_t i = 0; rc == KIOSK_OK && i < header_n; i++) {
        int c = 0;
        while (c < COL_COUNT && strcmp(f[i], columns[c].name) != 0)
            c++;
        if (c == COL_COUNT)
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: unknown column %zu in the header (see docs/marriage.md)",
                            p.line, i + 1);
        else if (at[c] >= 0)
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: column %s given twice",
                            p.line, columns[c].name);
        else
            at[c] = (int)i;
    }
    for (int c = 0; rc == KIOSK_OK && c < COL_COUNT; c++)
        if (columns[c].required && at[c] < 0)
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: the header has no column %s",
                            p.line, columns[c].name);
    while (rc == KIOSK_OK) {
        rc = kiosk_csv_next(r, f, &n, &p.line, err, err_size);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            rc = KIOSK_OK;
            break;
        }
        if (rc != KIOSK_OK)
            break;
        if (n != header_n) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                            "line %zu: expected %zu fields, found %zu", p.line, header_n, n);
            break;
        }
        rc = parse_row(&p, f, at, &a);
        if (rc == KIOSK_OK)
            rc = on_row(user, p.line, &a, err, err_size);
    }
    sodium_memzero(r, sizeof *r); /* the last record may hold ID numbers and names */
    free(r);
    sodium_memzero(&a, sizeof a);
    return rc;
}
