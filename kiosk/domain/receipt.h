/* receipt.h - the text layout of a meal receipt (助餐消费凭条) for a narrow thermal printer:
 * fixed columns where a CJK character takes two, labels left and amounts right. Pure: the
 * printer driver only sends the lines. No full name or card number is ever on it. */
#ifndef KIOSK_RECEIPT_H
#define KIOSK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "error.h"
#include "print.h"

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

/* --- print documents for the ESC/POS printer (print.h) ------------------------------------ */

/* The widest paper a print document can be laid out for: a line's bytes must hold it, and one
 * printed column costs at most two bytes of UTF-8. */
#define KIOSK_RECEIPT_PRINT_COLUMNS_MAX ((KIOSK_PRINT_LINE_MAX - 1) / 2)

/* Columns of UTF-8 text on a printer in Chinese character mode: 1 for ASCII, 2 for every other
 * character. The printer prints each multi-byte GB18030 code from its full-width font, so "¥" and
 * "·", one column on a screen (kiosk_receipt_width), take two on paper. */
size_t kiosk_receipt_print_width(const char *utf8);

/* The same receipt as a print document for `columns` (24..63): lines wrapped to the paper by
 * kiosk_receipt_print_width, the site and the centred bold title, label-value pairs, the amount
 * to pay BIG (double width, so laid out in half the columns), and the record id as the QR
 * payload (the printer prints it as a code and as text). KIOSK_ERR_INVALID for the columns,
 * KIOSK_ERR_TOO_BIG when the lines or the payload do not fit (doc then holds what fitted). */
KIOSK_MUST_CHECK kiosk_rc kiosk_receipt_format_doc(const kiosk_receipt *r, int columns,
                                                   kiosk_print_doc *doc);

/* A queue ticket of the marriage registration hall (排队凭条): no full name or ID number. */
typedef struct kiosk_ticket {
    const char *site_name;      /* "鼓楼区婚姻登记处" */
    const char *number;         /* the queue number, "J012" */
    const char *service;        /* "结婚登记" */
    const char *lane;           /* "预约", "现场" or "优先"; may be "" */
    kiosk_local_time at;        /* when the couple checked in */
    const char *name_masked[2]; /* the two parties, masked: "张*明", "李*华" */
    const char *counter;        /* where to go or wait: "二楼A区 3号窗口" */
    const char *record_id;      /* the check-in record, for the QR code */
    const char *flag; /* a note for the registrar ("需核验户口簿原件"); NULL: none */
} kiosk_ticket;

/* Lays the ticket out as a print document for `columns` (24..63): site, service and lane, the
 * queue number BIG and centred, time, names, counter, the registrar's note in bold, and the
 * record id as the QR payload. Errors as kiosk_receipt_format_doc. */
KIOSK_MUST_CHECK kiosk_rc kiosk_ticket_format_doc(const kiosk_ticket *t, int columns,
                                                  kiosk_print_doc *doc);

#endif
