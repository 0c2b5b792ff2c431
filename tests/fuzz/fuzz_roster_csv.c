/* fuzz_roster_csv.c - fuzz target for the roster parser, fed through fmemopen. Beyond "no
 * crash", every row handed on must satisfy what roster_csv.h promises (a person_id is never an
 * ID number, an ID number's birth date is the row's), and every message must be one printable
 * ASCII line starting with "line ". */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idnum.h"
#include "mask.h"
#include "roster_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const kiosk_date today = {2026, 11, 22};

typedef struct seen {
    size_t rows, stop_after, last_line;
} seen;

static bool all_id_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool all_digits(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* What roster_csv.h refuses as a person_id: an ID number (15 digits, or 18 characters ending
 * in the check character of the first 17). */
static bool id_like(const char *s)
{
    size_t n = strlen(s);
    if (n == 15)
        return all_digits(s, 15);
    if (n != KIOSK_IDNUM_LEN)
        return false;
    char check = kiosk_idnum_check_char(s);
    return check && (s[17] == check || (check == 'X' && s[17] == 'x'));
}

static kiosk_rc on_row(void *user, const kiosk_roster_row *row)
{
    seen *s = user;
    size_t uid_len = strlen(row->card_uid);
    if (row->line < 2 || row->line <= s->last_line)
        abort();
    s->last_line = row->line;
    if (!row->person_id[0] || strlen(row->person_id) >= KIOSK_ID_MAX ||
        !all_id_chars(row->person_id) || !all_id_chars(row->issuing_canteen))
        abort();
    if (!row->name_masked[0] || !kiosk_utf8_valid(row->name_masked, strlen(row->name_masked)))
        abort();
    if (!kiosk_date_is_valid(row->person.birth) || kiosk_date_cmp(row->person.birth, today) > 0)
        abort();
    if (row->person.categories >> KIOSK_CATEGORY_COUNT)
        abort();
    if (!all_digits(row->person.home.city, KIOSK_AREA_CODE_MAX - 1) ||
        !all_digits(row->person.home.district, KIOSK_AREA_CODE_MAX - 1) ||
        !all_digits(row->person.home.street, KIOSK_AREA_CODE_MAX - 1))
        abort();
    if (row->person.local_hukou && !row->person.local_resident)
        abort();
    if (uid_len != 0 && uid_len != 8 && uid_len != 14 && uid_len != 20)
        abort();
    for (size_t i = 0; i < uid_len; i++)
        if (!strchr("0123456789ABCDEF", row->card_uid[i]))
            abort();
    if (!uid_len && (row->card_blocked || row->card_lost || row->issuing_canteen[0]))
        abort();
    if (row->card_lost && !row->card_blocked)
        abort();
    if (id_like(row->person_id))
        abort();
    kiosk_idnum info;
    if (row->id_number[0] &&
        (kiosk_idnum_validate(row->id_number, today, &info) != KIOSK_IDNUM_OK ||
         strchr(row->id_number, 'x') || kiosk_date_cmp(info.birth, row->person.birth) != 0))
        abort();
    s->rows++;
    return s->stop_after && s->rows >= s->stop_after ? KIOSK_ERR_BUSY : KIOSK_OK;
}

static void check_message(kiosk_rc rc, const char *err, size_t err_size)
{
    size_t n = strnlen(err, err_size);
    if (n >= err_size)
        abort(); /* not terminated */
    if (rc == KIOSK_OK) {
        if (n)
            abort();
        return;
    }
    if (strncmp(err, "line ", n < 5 ? n : 5) != 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (err[i] < 0x20 || err[i] > 0x7e)
            abort();
}

static void run(const uint8_t *data, size_t size, size_t stop_after, size_t err_size)
{
    /* fmemopen wants a non-NULL buffer, and a size of 0 is refused by older C libraries. */
    static const char empty[1];
    FILE *f = fmemopen(size ? (void *)data : (void *)empty, size ? size : 1, "rb");
    if (!f)
        return;
    if (!size)
        fgetc(f);
    seen s = {.stop_after = stop_after};
    char err[512];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_roster_csv_read(f, today, on_row, &s, err, err_size);
    fclose(f);
    if (rc != KIOSK_OK && rc != KIOSK_ERR_PARSE && rc != KIOSK_ERR_BUSY)
        abort();
    if (rc == KIOSK_ERR_BUSY && (!stop_after || s.rows != stop_after))
        abort();
    if (err_size)
        check_message(rc, err, err_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, 0, 512);
    /* Again with a callback that stops early and a short message buffer. */
    run(data, size, 1 + size % 3, size % 40);
    return 0;
}
