/* fuzz_staff_csv.c - fuzz target for the staff roster parser (staff_csv.h). Beyond "no crash",
 * every row handed on must hold what the format promises (an id of the allowed characters, a
 * masked name, a role, a PIN hash within the cost limits, 0-4 distinct card UIDs of a real
 * length), and every message must be one printable ASCII line that never repeats a PIN hash. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff_csv.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kiosk_rc on_row(void *user, size_t line, const kiosk_staff_row *r, char *err,
                       size_t err_size)
{
    (void)err;
    (void)err_size;
    size_t *last = user;
    if (line < 2 || line <= *last)
        abort();
    *last = line;
    if (!r->staff_id[0] || strlen(r->staff_id) >= KIOSK_STAFF_ID_MAX)
        abort();
    for (const char *s = r->staff_id; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            abort();
    if (!r->name_masked[0] || !kiosk_utf8_valid(r->name_masked, strlen(r->name_masked)))
        abort();
    if (r->role != KIOSK_STAFF_OPERATOR && r->role != KIOSK_STAFF_SUPERVISOR)
        abort();
    if (!kiosk_staff_pin_hash_valid(r->pin_hash) || r->card_count > KIOSK_STAFF_CARDS_MAX)
        abort();
    for (size_t i = 0; i < r->card_count; i++) {
        size_t n = r->card_uid_len[i];
        if (n != 4 && n != 7 && n != 10)
            abort();
        for (size_t j = 0; j < i; j++)
            if (r->card_uid_len[j] == n && memcmp(r->card_uid[j], r->card_uid[i], n) == 0)
                abort();
    }
    return KIOSK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t last = 0;
    char err[512];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_staff_csv_parse(text, size, on_row, &last, err, sizeof err);
    if (rc != KIOSK_OK && rc != KIOSK_ERR_PARSE && rc != KIOSK_ERR_TOO_BIG)
        abort();
    if (rc != KIOSK_OK) {
        size_t n = strnlen(err, sizeof err);
        if (n >= sizeof err)
            abort();
        for (size_t i = 0; i < n; i++)
            if (err[i] < 0x20 || err[i] > 0x7e)
                abort();
        if (strstr(err, "$argon2"))
            abort();
    }
    free(text);
    return 0;
}
