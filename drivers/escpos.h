/* escpos.h - the ESC/POS protocol of the ticket and receipt printer, pure (no I/O): a
 * kiosk_print_doc becomes the bytes of one print job (Chinese character mode, GB18030 text,
 * styles, a QR code, feed and cut), and the printer's real-time status is asked for (DLE EOT) and
 * parsed. Command semantics follow Epson's ESC/POS reference. The transport is
 * escpos_printer.c. Every function here may be called from any thread. */
#ifndef DRV_ESCPOS_H
#define DRV_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "print.h"

/* Room for the bytes of any kiosk_print_doc (the worst case is about 9 KiB: every line full of
 * characters whose GB18030 code is twice as long as their UTF-8); also the largest job the
 * escpos driver accepts. */
#define DRV_ESCPOS_JOB_MAX 16384

/* The widest paper a document may be laid out for: a line's bytes must hold it, and one printed
 * column costs at most two bytes of UTF-8 (a four-byte character takes two columns). */
#define DRV_ESCPOS_COLUMNS_MIN 24
#define DRV_ESCPOS_COLUMNS_MAX ((KIOSK_PRINT_LINE_MAX - 1) / 2)

/* What the printer can do: the [printer] section's keys columns, qr and cut. */
typedef struct drv_escpos_options {
    int columns; /* characters of the normal font per line: 32 on 58 mm paper, 48 on 80 mm */
    bool qr;     /* it prints QR codes (GS ( k); otherwise the payload is printed as text */
    bool cut;    /* it has an autocutter (GS V); otherwise the paper is fed past the tear bar */
} drv_escpos_options;

/* Reads columns (default 32), qr and cut ("true"/"false", default false: a printer that does not
 * know GS ( k or GS V prints their bytes as garbage) from a device's options, ignoring other
 * keys. KIOSK_ERR_CONFIG naming the key when a value is wrong. opts may be NULL. */
KIOSK_MUST_CHECK kiosk_rc drv_escpos_options_parse(const drv_options *opts, drv_escpos_options *out,
                                                   char *err, size_t err_size);

/* Writes the job for doc into out (size bytes) and sets *len: ESC @, FS &, then each line with
 * its alignment (ESC a) and style (ESC E for bold; GS ! and FS ! for BIG), text in GB18030
 * ('?' for what cannot be printed: control characters, ill-formed UTF-8), LF; then, when
 * doc->qr is set, the QR code (model 2, error correction M) where opts->qr allows, and the
 * payload as centred text under it (or alone); then GS V (partial cut after feeding to the
 * cutter) or ESC d 4. KIOSK_ERR_TOO_BIG when out is too small (nothing beyond size is written),
 * KIOSK_ERR_INVALID for a document wider than the paper or not terminated, KIOSK_ERR_UNSUPPORTED
 * when the C library has no GB18030 converter; err says why. */
KIOSK_MUST_CHECK kiosk_rc drv_escpos_build_doc(const kiosk_print_doc *doc,
                                               const drv_escpos_options *opts, uint8_t *out,
                                               size_t size, size_t *len, char *err,
                                               size_t err_size);

/* The status request: DLE EOT 1 (printer), DLE EOT 2 (offline cause), DLE EOT 4 (roll paper
 * sensor). A printer answers each at once with one byte, even while offline. */
#define DRV_ESCPOS_STATUS_REQUEST_LEN 9
#define DRV_ESCPOS_STATUS_REPLY_LEN   3

void drv_escpos_status_request(uint8_t out[DRV_ESCPOS_STATUS_REQUEST_LEN]);

typedef struct drv_escpos_status {
    bool online;         /* DLE EOT 1, bit 3 clear */
    bool cover_open;     /* DLE EOT 2, bit 2 */
    bool paper_stop;     /* DLE EOT 2, bit 5: printing stopped because the paper ended */
    bool error;          /* DLE EOT 2, bit 6: a cutter, mechanical or head error */
    bool paper_near_end; /* DLE EOT 4, bits 2-3 */
    bool paper_end;      /* DLE EOT 4, bits 5-6 */
} drv_escpos_status;

/* Parses the three reply bytes of the status request, in order. KIOSK_ERR_PROTOCOL when a byte's
 * fixed bits (bit 0 and 7 clear, bits 1 and 4 set) are wrong, as for a stray byte or another
 * command's reply; KIOSK_ERR_INVALID for a length other than three. */
KIOSK_MUST_CHECK kiosk_rc drv_escpos_status_parse(const uint8_t *reply, size_t len,
                                                  drv_escpos_status *out, char *err,
                                                  size_t err_size);

/* The kiosk's view of a status: NO_PAPER for a paper end or an open cover (staff must open the
 * printer either way), DOWN when offline or in error for another reason, READY otherwise.
 * *reason is a static plain-words phrase ("out of paper", "ready, paper near its end"). */
kiosk_device_state drv_escpos_status_state(const drv_escpos_status *st, const char **reason);

#endif
