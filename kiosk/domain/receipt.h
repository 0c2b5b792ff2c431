/* receipt.h - the text layout of a meal receipt (助餐消费凭条) for a narrow thermal printer:
 * fixed columns where a CJK character takes two, labels left and amounts right. Pure: the
 * printer driver only sends the lines. No full name or card number is ever on it. */
#ifndef KIOSK_RECEIPT_H
#define KIOSK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "error.h"

#define KIOSK_RECEIPT_COLUMNS_58MM 32 /* 58 mm paper, 12x24 font */
#define KIOSK_RECEIPT_COLUMNS_80MM 48

typedef struct kiosk_receipt {
    const char *site_name;   /* "鼓楼区华侨路长者食堂" */
    const char *name_masked; /* "张*兰" */
    const char *class_label; /* "80-89岁", may be "" */
    const char *meal_label;  /* "午餐" */
    kiosk_local_time at;
    int64_t price_fen, subsidy_fen, pay_fen;
    int64_t month_remaining_fen; /* -1: no monthly cap, the line is left out */
    const char *record_id;       /* the UUID text */
    const char *kiosk_id;
} kiosk_receipt;

/* Display columns of UTF-8 text: 2 for East Asian wide characters (CJK, full-width forms),
 * 1 otherwise. */
size_t kiosk_receipt_width(const char *utf8);

/* Lays the receipt out in `columns` (at least 24) as lines ending in '\n'. KIOSK_ERR_TOO_BIG when
 * out cannot hold it (out then holds a terminated prefix); KIOSK_ERR_INVALID for too few columns.
 */
KIOSK_MUST_CHECK kiosk_rc kiosk_receipt_format(const kiosk_receipt *r, int columns, char *out,
                                               size_t size);

#endif
