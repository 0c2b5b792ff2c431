/* fuzz_idnum.c - fuzz target for ID number validation and masking. Beyond "no crash", it checks
 * what a valid result promises (normalised number, check character, birth date not after
 * today, sex from the 17th digit) and that a mask never shows a middle character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEXT 64

static void check_valid(const char *text, const kiosk_idnum *id, kiosk_date today)
{
    if (strlen(text) != KIOSK_IDNUM_LEN || strlen(id->number) != KIOSK_IDNUM_LEN)
        abort();
    for (int i = 0; i < KIOSK_IDNUM_LEN; i++) {
        char want = i == 17 && text[i] == 'x' ? 'X' : text[i];
        if (id->number[i] != want)
            abort();
    }
    if (kiosk_idnum_check_char(id->number) != id->number[17])
        abort();
    if (!kiosk_date_is_valid(id->birth) || kiosk_date_cmp(id->birth, today) > 0)
        abort();
    if (id->male != ((id->number[16] - '0') % 2 == 1))
        abort();
    if ((unsigned)id->kind >= KIOSK_IDNUM_KIND_COUNT)
        abort();
    kiosk_idnum again;
    if (kiosk_idnum_validate(id->number, today, &again) != KIOSK_IDNUM_OK ||
        memcmp(&again, id, sizeof again) != 0)
        abort();
}

static void check_mask(const char *text, size_t out_size)
{
    char out[MAX_TEXT + 8];
    size_t n = strlen(text);
    kiosk_rc rc = kiosk_idnum_mask(text, out, out_size);
    if (out_size < n + 1) {
        if (rc != KIOSK_ERR_TOO_BIG || (out_size > 0 && out[0] != '\0'))
            abort();
        return;
    }
    if (rc != KIOSK_OK || strlen(out) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        bool edge = n > 8 && (i < 4 || i >= n - 4);
        if (!edge && out[i] != '*')
            abort();
        if (out[i] < 0x21 || out[i] > 0x7e || out[i] == 'x')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_TEXT)
        return 0;
    char text[MAX_TEXT + 1];
    memcpy(text, data, size);
    text[size] = '\0';
    kiosk_date today = {2026, 11, 22};
    kiosk_idnum id;
    kiosk_idnum_result r = kiosk_idnum_validate(text, today, &id);
    if ((unsigned)r >= KIOSK_IDNUM_RESULT_COUNT || !kiosk_idnum_result_code(r)[0] ||
        !kiosk_idnum_result_text(r)[0])
        abort();
    if (r == KIOSK_IDNUM_OK)
        check_valid(text, &id, today);
    else if (strlen(text) == KIOSK_IDNUM_LEN && r == KIOSK_IDNUM_BAD_LENGTH)
        abort();
    check_mask(text, sizeof(char[MAX_TEXT + 8]));
    check_mask(text, size ? data[0] % 24 : 0);
    return 0;
}
