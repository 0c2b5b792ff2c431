/* idnum.h - resident ID numbers (GB 11643-1999) and the documents that share their format: the
 * Hong Kong / Macau and Taiwan residence permits (address codes 810000, 820000, 830000) and the
 * 2023 foreigner permanent residence card (first character 9). Owns validation, the birth date
 * and sex carried in the number, and the masked form for screens and tickets.
 * ID numbers are personal data: nothing here logs or prints one, and no message repeats one.
 * Pure functions without global state: any thread may call them. */
#ifndef KIOSK_IDNUM_H
#define KIOSK_IDNUM_H

#include <stdbool.h>
#include <stddef.h>

#include "caltime.h"
#include "error.h"

#define KIOSK_IDNUM_LEN 18

/* Validation results: enum name, English code (logs, tests), plain Chinese words (screens).
 * Checked in this order, so a number with several faults reports the first. */
#define KIOSK_IDNUM_RESULT_MAP(X)                                  \
    X(OK, "ok", "证件号码有效")                                    \
    X(BAD_LENGTH, "bad_length", "证件号码应为18位")                \
    X(BAD_CHAR, "bad_char", "证件号码只能是数字，最后一位可以是X") \
    X(BAD_AREA, "bad_area", "证件号码开头的地区码不对")            \
    X(BAD_BIRTH, "bad_birth", "证件号码中的出生日期不对")          \
    X(BAD_CHECK, "bad_check", "证件号码最后一位校验码不对，请核对")

typedef enum kiosk_idnum_result {
#define KIOSK_IDNUM_RESULT_ENUM(e, code, zh) KIOSK_IDNUM_##e,
    KIOSK_IDNUM_RESULT_MAP(KIOSK_IDNUM_RESULT_ENUM)
#undef KIOSK_IDNUM_RESULT_ENUM
        KIOSK_IDNUM_RESULT_COUNT
} kiosk_idnum_result;

/* Which document the number belongs to: enum name, English code, Chinese name. */
#define KIOSK_IDNUM_KIND_MAP(X)                 \
    X(RESIDENT, "resident", "居民身份证")       \
    X(HONG_KONG, "hong_kong", "港澳居民居住证") \
    X(MACAU, "macau", "港澳居民居住证")         \
    X(TAIWAN, "taiwan", "台湾居民居住证")       \
    X(FOREIGNER, "foreigner", "外国人永久居留身份证")

typedef enum kiosk_idnum_kind {
#define KIOSK_IDNUM_KIND_ENUM(e, code, zh) KIOSK_IDNUM_KIND_##e,
    KIOSK_IDNUM_KIND_MAP(KIOSK_IDNUM_KIND_ENUM)
#undef KIOSK_IDNUM_KIND_ENUM
        KIOSK_IDNUM_KIND_COUNT
} kiosk_idnum_kind;

/* What a valid number says. */
typedef struct kiosk_idnum {
    kiosk_idnum_kind kind;
    kiosk_date birth;                 /* characters 7-14, YYYYMMDD */
    bool male;                        /* the 17th character is odd */
    char number[KIOSK_IDNUM_LEN + 1]; /* normalised: a final 'x' becomes 'X' */
} kiosk_idnum;

/* Validates text, a NUL-terminated candidate of exactly 18 characters (no spaces trimmed here):
 * 17 digits and a digit or X/x; a known province or permit address code (for the foreigner
 * card, characters 2-3 name the province that issued it); a real birth date not after `today`
 * (the local business date); the check character. Fills *out (when not NULL) only on
 * KIOSK_IDNUM_OK. A NULL text is KIOSK_IDNUM_BAD_LENGTH. */
KIOSK_MUST_CHECK kiosk_idnum_result kiosk_idnum_validate(const char *text, kiosk_date today,
                                                         kiosk_idnum *out);

/* The check character ('0'..'9' or 'X') for the first 17 characters of digits17, which must be
 * digits; '\0' when one is not. Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum mod 11
 * indexes "10X98765432". */
char kiosk_idnum_check_char(const char *digits17);

/* Static texts for a result (never NULL; "unknown" / "" for values outside the enum). */
const char *kiosk_idnum_result_code(kiosk_idnum_result r);
const char *kiosk_idnum_result_text(kiosk_idnum_result r);
/* Static texts for a kind. */
const char *kiosk_idnum_kind_code(kiosk_idnum_kind k);
const char *kiosk_idnum_kind_label(kiosk_idnum_kind k);

/* Writes the masked form of id into out: the first 4 and the last 4 characters and a '*' for
 * each one between ("3201**********1234"), the same length as id. It masks anything, valid or
 * not: a text of 8 characters or fewer becomes all stars (showing 4 + 4 would show it whole),
 * a byte that is not printable ASCII is shown as '*', and 'x' is shown as 'X'.
 * KIOSK_ERR_TOO_BIG when out_size < strlen(id) + 1 (out is then "" if out_size > 0);
 * KIOSK_ERR_INVALID for a NULL id or out. */
KIOSK_MUST_CHECK kiosk_rc kiosk_idnum_mask(const char *id, char *out, size_t out_size);

#endif
