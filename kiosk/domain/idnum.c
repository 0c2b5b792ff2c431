/* idnum.c - GB 11643-1999 check characters, address and birth-date checks, masking. */
#include "idnum.h"

#include <string.h>

static const char *const result_codes[] = {
#define KIOSK_IDNUM_RESULT_CODE(e, code, zh) code,
    KIOSK_IDNUM_RESULT_MAP(KIOSK_IDNUM_RESULT_CODE)
#undef KIOSK_IDNUM_RESULT_CODE
};

static const char *const result_texts[] = {
#define KIOSK_IDNUM_RESULT_TEXT(e, code, zh) zh,
    KIOSK_IDNUM_RESULT_MAP(KIOSK_IDNUM_RESULT_TEXT)
#undef KIOSK_IDNUM_RESULT_TEXT
};

static const char *const kind_codes[] = {
#define KIOSK_IDNUM_KIND_CODE(e, code, zh) code,
    KIOSK_IDNUM_KIND_MAP(KIOSK_IDNUM_KIND_CODE)
#undef KIOSK_IDNUM_KIND_CODE
};

static const char *const kind_labels[] = {
#define KIOSK_IDNUM_KIND_LABEL(e, code, zh) zh,
    KIOSK_IDNUM_KIND_MAP(KIOSK_IDNUM_KIND_LABEL)
#undef KIOSK_IDNUM_KIND_LABEL
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Province-level codes of GB/T 2260 on the mainland. Only the province is checked: county codes
 * are renamed and merged every year, and a number issued under an old code stays valid for
 * life, so a finer table would reject real people. */
static bool is_mainland_province(int code)
{
    static const unsigned char provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33,
                                              34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
                                              51, 52, 53, 54, 61, 62, 63, 64, 65};
    for (size_t i = 0; i < sizeof provinces; i++)
        if (provinces[i] == code)
            return true;
    return false;
}

/* The document kind from the address part, or -1 when the address code is not one we know. */
static int kind_of(const char *id)
{
    if (id[0] == '9')
        /* Foreigner card: 9, two digits of the issuing province, three of the nationality. */
        return is_mainland_province(number(id + 1, 2)) ? KIOSK_IDNUM_KIND_FOREIGNER : -1;
    if (memcmp(id, "810000", 6) == 0)
        return KIOSK_IDNUM_KIND_HONG_KONG;
    if (memcmp(id, "820000", 6) == 0)
        return KIOSK_IDNUM_KIND_MACAU;
    if (memcmp(id, "830000", 6) == 0)
        return KIOSK_IDNUM_KIND_TAIWAN;
    return is_mainland_province(number(id, 2)) ? KIOSK_IDNUM_KIND_RESIDENT : -1;
}

char kiosk_idnum_check_char(const char *digits17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(digits17[i]))
            return '\0';
        sum += (digits17[i] - '0') * weights[i];
    }
    return "10X98765432"[sum % 11];
}

kiosk_idnum_result kiosk_idnum_validate(const char *text, kiosk_date today, kiosk_idnum *out)
{
    if (!text || strlen(text) != KIOSK_IDNUM_LEN)
        return KIOSK_IDNUM_BAD_LENGTH;
    char id[KIOSK_IDNUM_LEN + 1];
    memcpy(id, text, sizeof id);
    if (id[17] == 'x')
        id[17] = 'X';
    for (int i = 0; i < 17; i++)
        if (!is_digit(id[i]))
            return KIOSK_IDNUM_BAD_CHAR;
    if (!is_digit(id[17]) && id[17] != 'X')
        return KIOSK_IDNUM_BAD_CHAR;
    int kind = kind_of(id);
    if (kind < 0)
        return KIOSK_IDNUM_BAD_AREA;
    kiosk_date birth = {number(id + 6, 4), number(id + 10, 2), number(id + 12, 2)};
    if (!kiosk_date_is_valid(birth) || kiosk_date_cmp(birth, today) > 0)
        return KIOSK_IDNUM_BAD_BIRTH;
    if (kiosk_idnum_check_char(id) != id[17])
        return KIOSK_IDNUM_BAD_CHECK;
    if (out) {
        out->kind = (kiosk_idnum_kind)kind;
        out->birth = birth;
        out->male = (id[16] - '0') % 2 == 1;
        memcpy(out->number, id, sizeof out->number);
    }
    return KIOSK_IDNUM_OK;
}

const char *kiosk_idnum_result_code(kiosk_idnum_result r)
{
    if ((unsigned)r >= KIOSK_IDNUM_RESULT_COUNT)
        return "unknown";
    return result_codes[r];
}

const char *kiosk_idnum_result_text(kiosk_idnum_result r)
{
    if ((unsigned)r >= KIOSK_IDNUM_RESULT_COUNT)
        return "";
    return result_texts[r];
}

const char *kiosk_idnum_kind_code(kiosk_idnum_kind k)
{
    if ((unsigned)k >= KIOSK_IDNUM_KIND_COUNT)
        return "unknown";
    return kind_codes[k];
}

const char *kiosk_idnum_kind_label(kiosk_idnum_kind k)
{
    if ((unsigned)k >= KIOSK_IDNUM_KIND_COUNT)
        return "";
    return kind_labels[k];
}

kiosk_rc kiosk_idnum_mask(const char *id, char *out, size_t out_size)
{
    if (!id || !out)
        return KIOSK_ERR_INVALID;
    size_t n = strlen(id);
    if (out_size < n + 1) {
        if (out_size > 0)
            out[0] = '\0';
        return KIOSK_ERR_TOO_BIG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        bool shown = n > 8 && (i < 4 || i >= n - 4) && c >= 0x21 && c <= 0x7e;
        out[i] = !shown ? '*' : c == 'x' ? 'X' : (char)c;
    }
    out[n] = '\0';
    return KIOSK_OK;
}
