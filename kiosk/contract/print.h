/* print.h - a ticket or receipt as a plain document: lines already laid out for the printer's
 * width (receipt and ticket layouts in the domain library make them), each with a style, plus
 * an optional QR code. The ESC/POS builder in drivers/ turns a document into bytes; a test
 * decoder turns the bytes back into lines. */
#ifndef KIOSK_PRINT_H
#define KIOSK_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#define KIOSK_PRINT_LINES    32
#define KIOSK_PRINT_LINE_MAX 128 /* bytes of UTF-8, NUL included */
#define KIOSK_PRINT_QR_MAX   128

typedef enum kiosk_print_style {
    KIOSK_PRINT_NORMAL,
    KIOSK_PRINT_BOLD,
    KIOSK_PRINT_BIG /* double width and double height: the queue number, the amount to pay */
} kiosk_print_style;

typedef enum kiosk_print_align {
    KIOSK_PRINT_LEFT,
    KIOSK_PRINT_CENTER,
    KIOSK_PRINT_RIGHT
} kiosk_print_align;

typedef struct kiosk_print_line {
    char text[KIOSK_PRINT_LINE_MAX];
    kiosk_print_style style;
    kiosk_print_align align;
} kiosk_print_line;

typedef struct kiosk_print_doc {
    kiosk_print_line lines[KIOSK_PRINT_LINES];
    size_t line_count;
    char qr[KIOSK_PRINT_QR_MAX]; /* printed as a QR code where the printer can; "" = none */
    int columns;                 /* the width the lines were laid out for (32 or 48) */
} kiosk_print_doc;

#endif
