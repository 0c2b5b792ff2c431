/* fuzz_appointment_csv.c - fuzz target for the appointment import parser (appointment_csv.h).
 * Beyond "no crash", every row handed on must hold what the format promises (an id of the
 * allowed characters that is no ID number, a booking number of digits, a known service and
 * lane, a real date, a slot that runs forward, one or two distinct parties with masked names,
 * an application date exactly where the service needs one), and every message must be one
 * printable ASCII line that never repeats an ID number from the input. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_csv.h"
#include "idnum.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[KIOSK_CARD_KEY_BYTES] = {7, 7, 7};
static const kiosk_date today = {2026, 11, 23};

static bool id_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static kiosk_rc on_row(void *user, size_t line, const kiosk_appointment *a, char *err,
                       size_t err_size)
{
    (void)err;
    (void)err_size;
    size_t *last = user;
    if (line < 2 || line <= *last)
        abort();
    *last = line;
    if (!a->id[0] || !id_chars(a->id) || strlen(a->booking_no) < 4)
        abort();
    for (const char *d = a->booking_no; *d; d++)
        if (*d < '0' || *d > '9')
            abort();
    if ((unsigned)a->service >= KIOSK_SERVICE_COUNT || a->lane == KIOSK_LANE_WALKIN ||
        (unsigned)a->lane >= KIOSK_LANE_COUNT || (unsigned)a->status >= KIOSK_APPT_STATUS_COUNT)
        abort();
    if (!kiosk_date_is_valid(a->date) || a->slot_start < 0 || a->slot_start >= a->slot_end ||
        a->slot_end > 24 * 60)
        abort();
    if (a->party_count < 1 || a->party_count > 2 ||
        (int)a->party_count < kiosk_service_parties(a->service))
        abort();
    if (a->party_count == 2 && memcmp(a->party[0].key, a->party[1].key, KIOSK_CARD_KEY_BYTES) == 0)
        abort();
    for (size_t i = 0; i < a->party_count; i++) {
        const kiosk_party *p = &a->party[i];
        if (!p->name_masked[0] || !kiosk_utf8_valid(p->name_masked, strlen(p->name_masked)) ||
            (p->sex != 'M' && p->sex != 'F') || !p->has_birth ||
            kiosk_date_cmp(p->birth, today) > 0)
            abort();
    }
    bool needs =
        a->service == KIOSK_SERVICE_DIVORCE_CERT || a->service == KIOSK_SERVICE_DIVORCE_WITHDRAW;
    if (needs != a->has_application || (needs && kiosk_date_cmp(a->application_date, a->date) > 0))
        abort();
    return KIOSK_OK;
}

/* An 18-character run that is a valid ID number in the input must not come back in a message. */
static void check_message(const uint8_t *data, size_t size, const char *err, size_t err_size)
{
    size_t n = strnlen(err, err_size);
    if (n >= err_size)
        abort();
    for (size_t i = 0; i < n; i++)
        if (err[i] < 0x20 || err[i] > 0x7e)
            abort();
    for (size_t i = 0; i + KIOSK_IDNUM_LEN <= size; i++) {
        char candidate[KIOSK_IDNUM_LEN + 1];
        memcpy(candidate, data + i, KIOSK_IDNUM_LEN);
        candidate[KIOSK_IDNUM_LEN] = '\0';
        if (strlen(candidate) == KIOSK_IDNUM_LEN &&
            kiosk_idnum_validate(candidate, today, NULL) == KIOSK_IDNUM_OK &&
            strstr(err, candidate))
            abort();
    }
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
    kiosk_rc rc =
        kiosk_appointment_csv_parse(text, size, key, today, on_row, &last, err, sizeof err);
    if (rc != KIOSK_OK && rc != KIOSK_ERR_PARSE && rc != KIOSK_ERR_TOO_BIG)
        abort();
    if (rc != KIOSK_OK)
        check_message(data, size, err, sizeof err);
    free(text);
    return 0;
}
