/* fuzz_escpos.c - the ESC/POS code against arbitrary bytes. Each input is used three ways:
 *   - its first three bytes as a status reply: parsed, or refused with a terminated message;
 *   - the whole input as a printer byte stream for the test decoder: decoded lines are UTF-8;
 *   - the input as a document (the first byte picks paper, QR and cutter; then one line per '\n',
 *     each line's first byte picking its style and alignment; a last unterminated piece is the QR
 *     payload): the builder must make a job that fits DRV_ESCPOS_JOB_MAX, and the decoder must
 *     read it back into the same lines, with '?' exactly where the builder promises one (an
 *     ill-formed byte, a control character, a character without a GB18030 code) and the
 *     full-width yen sign for "¥".
 * A broken property aborts, so the crash file holds the input. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"
#include "escpos_decode.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int ok, const char *what, const char *detail)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_escpos: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* Whether glibc has a GB18030 code for the character (a few private-use code points have
 * none). */
static int has_gb18030(const char *utf8, size_t len)
{
    static iconv_t cd = (iconv_t)-1;
    if (cd == (iconv_t)-1)
        cd = iconv_open("GB18030", "UTF-8");
    expect(cd != (iconv_t)-1, "no GB18030 converter", NULL);
    char in[4], gb[8], *ip = in, *op = gb;
    size_t il = len, ol = sizeof gb;
    memcpy(in, utf8, len);
    if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
        return 1;
    iconv(cd, NULL, NULL, NULL, NULL);
    return 0;
}

/* What the builder promises to print for text, worked out apart from escpos.c. */
static void printed_text(const char *s, char *out, size_t size)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n + 4 < size;) {
        size_t l = kiosk_utf8_seq_len(s + i, len - i);
        uint32_t cp = 0;
        if (l)
            cp = kiosk_utf8_next(s + i, len - i, &l);
        if (!l || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
            (cp >= 0x80 && !has_gb18030(s + i, l))) {
            out[n++] = '?';
            i += l ? l : 1;
            continue;
        }
        if (cp == 0xA5) {
            memcpy(out + n, "\xEF\xBF\xA5", 3);
            n += 3;
        } else {
            memcpy(out + n, s + i, l);
            n += l;
        }
        i += l;
    }
    out[n] = '\0';
}

static void fuzz_status(const uint8_t *data, size_t size)
{
    drv_escpos_status st;
    char err[160];
    size_t n = size < DRV_ESCPOS_STATUS_REPLY_LEN ? size : DRV_ESCPOS_STATUS_REPLY_LEN;
    if (drv_escpos_status_parse(data, n, &st, err, sizeof err) != KIOSK_OK) {
        expect(memchr(err, '\0', sizeof err) != NULL, "unterminated status error", NULL);
        return;
    }
    const char *reason = NULL;
    kiosk_device_state state = drv_escpos_status_state(&st, &reason);
    expect(reason != NULL, "status without a reason", NULL);
    expect(!(st.paper_end || st.cover_open) || state == KIOSK_DEVICE_NO_PAPER,
           "paper end or open cover not NO_PAPER", reason);
    expect(state != KIOSK_DEVICE_READY || (st.online && !st.error), "offline but READY", reason);
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
    static escpos_decoded dec;
    char err[256];
    if (escpos_decode(data, size, &dec, err, sizeof err) != KIOSK_OK) {
        expect(memchr(err, '\0', sizeof err) != NULL, "unterminated decoder error", NULL);
        return;
    }
    for (size_t i = 0; i < dec.line_count; i++)
        expect(kiosk_utf8_valid(dec.lines[i].text, strlen(dec.lines[i].text)),
               "a decoded line is not UTF-8", NULL);
}

/* Splits the input into a document; false when it has no byte to pick the options from. */
static int make_doc(const uint8_t *data, size_t size, kiosk_print_doc *doc,
                    drv_escpos_options *opts)
{
    memset(doc, 0, sizeof *doc);
    if (!size)
        return 0;
    *opts = (drv_escpos_options){
        .columns = data[0] & 4 ? 48 : 32, .qr = data[0] & 1, .cut = data[0] & 2};
    doc->columns = opts->columns;
    size_t i = 1;
    while (i < size && doc->line_count < KIOSK_PRINT_LINES) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        if (!nl) {
            size_t n = size - i < KIOSK_PRINT_QR_MAX - 1 ? size - i : KIOSK_PRINT_QR_MAX - 1;
            memcpy(doc->qr, data + i, n);
            doc->qr[n] = '\0'; /* a NUL inside ends the payload */
            break;
        }
        size_t end = (size_t)(nl - data);
        kiosk_print_line *l = &doc->lines[doc->line_count++];
        uint8_t pick = i < end ? data[i++] : 0; /* an empty piece: a normal empty line */
        l->style = (kiosk_print_style)(pick % 3);
        l->align = (kiosk_print_align)(pick / 3 % 3);
        size_t n = end - i < KIOSK_PRINT_LINE_MAX - 1 ? end - i : KIOSK_PRINT_LINE_MAX - 1;
        memcpy(l->text, data + i, n);
        l->text[n] = '\0';
        i = end + 1;
    }
    return 1;
}

static void fuzz_round_trip(const uint8_t *data, size_t size)
{
    static kiosk_print_doc doc;
    static uint8_t job[DRV_ESCPOS_JOB_MAX];
    static escpos_decoded dec;
    drv_escpos_options opts;
    char err[256], want[KIOSK_PRINT_LINE_MAX * 4];
    if (!make_doc(data, size, &doc, &opts))
        return;
    size_t len;
    expect(drv_escpos_build_doc(&doc, &opts, job, sizeof job, &len, err, sizeof err) == KIOSK_OK,
           "a document did not build", err);
    expect(escpos_decode(job, len, &dec, err, sizeof err) == KIOSK_OK, "a job did not decode", err);
    expect(dec.line_count >= doc.line_count, "lines lost", NULL);
    for (size_t i = 0; i < doc.line_count; i++) {
        printed_text(doc.lines[i].text, want, sizeof want);
        expect(strcmp(dec.lines[i].text, want) == 0, "a line came back different", want);
        expect(dec.lines[i].style == doc.lines[i].style, "a style came back different", want);
        expect(dec.lines[i].align == doc.lines[i].align, "an alignment came back different", want);
    }
    /* The lines after the document's spell the QR payload. */
    char hri[KIOSK_PRINT_QR_MAX * 4] = "";
    for (size_t i = doc.line_count; i < dec.line_count; i++)
        strncat(hri, dec.lines[i].text, sizeof hri - strlen(hri) - 1);
    printed_text(doc.qr, want, sizeof want);
    expect(strcmp(hri, want) == 0, "the payload's text came back different", want);
    expect((strstr(dec.trace, "qr:") != NULL) == (opts.qr && doc.qr[0]),
           "a QR code printed or missing", dec.trace);
    expect(dec.inits == 1 && dec.cuts == (opts.cut ? 1 : 0), "init or cut wrong", dec.trace);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_status(data, size);
    fuzz_decode(data, size);
    fuzz_round_trip(data, size);
    return 0;
}
