/* escpos_decode.h - a test decoder for what the kiosk sends its ESC/POS printer: the byte stream
 * of one or more jobs back into printed lines (GB18030 text as UTF-8, with the style and
 * alignment each line was printed in, and the columns it takes on paper) and a trace of the other
 * commands (init, Chinese mode, QR code, feed, cut, status requests). It knows only the commands
 * the kiosk uses and refuses anything else, naming the byte and its offset, so a stray byte in
 * a job fails a test instead of printing garbage on a real printer. Pure; any thread. */
#ifndef KIOSK_ESCPOS_DECODE_H
#define KIOSK_ESCPOS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "print.h"

#define ESCPOS_DECODED_LINES 96
#define ESCPOS_DECODED_TEXT  512
#define ESCPOS_TRACE_MAX     2048

typedef struct escpos_decoded_line {
    char text[ESCPOS_DECODED_TEXT]; /* UTF-8 */
    kiosk_print_style style;
    kiosk_print_align align;
    int columns; /* on paper: 1 per one-byte character, 2 per GB18030 multi-byte one, twice
                    that in double width */
    int job;     /* 1 for the lines after the first ESC @, 2 after the second, ... */
} escpos_decoded_line;

typedef struct escpos_decoded {
    escpos_decoded_line lines[ESCPOS_DECODED_LINES];
    size_t line_count;
    /* The commands in order, separated by spaces: "init", "kanji" (FS &), "kanji-off" (FS .),
     * "L" for each printed line, "qr-model:N", "qr-module:N", "qr-ecc:L|M|Q|H", "qr:<payload>"
     * for each symbol printed (with the stored payload), "feed:N" (ESC d), "cut:M" or "cut:M:N"
     * (GS V), "status:N" (DLE EOT n). */
    char trace[ESCPOS_TRACE_MAX];
    int inits, cuts, status_requests;
} escpos_decoded;

/* Decodes len bytes into *out (which it clears first). KIOSK_ERR_PROTOCOL for an unknown or
 * malformed command, bytes outside Chinese character mode above 0x7F, an ill-formed GB18030
 * character, a truncated command, a style or alignment change in the middle of a line, or a
 * combination of modes no kiosk_print_style names; KIOSK_ERR_TOO_BIG when the lines or trace
 * overflow. err says what and at which offset. */
KIOSK_MUST_CHECK kiosk_rc escpos_decode(const uint8_t *bytes, size_t len, escpos_decoded *out,
                                        char *err, size_t err_size);

#endif
