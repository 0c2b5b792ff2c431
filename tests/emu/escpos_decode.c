/* escpos_decode.c - the test decoder of ESC/POS jobs (see escpos_decode.h). GB18030 goes back to
 * UTF-8 through glibc's iconv. */
#define _POSIX_C_SOURCE 200809L
#include "escpos_decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct decoder {
    const uint8_t *b;
    size_t len, pos;
    escpos_decoded *out;
    char *err;
    size_t err_size;
    iconv_t cd;
    int job;
    /* the printer's modes */
    bool kanji;
    int align;          /* ESC a */
    bool bold;          /* ESC E */
    uint8_t size;       /* GS ! */
    uint8_t kanji_mode; /* FS ! */
    /* the line in the print buffer */
    char text[ESCPOS_DECODED_TEXT];
    size_t text_len;
    int columns;
    /* the QR symbol storage */
    char qr[KIOSK_PRINT_QR_MAX * 2];
    size_t qr_len;
    bool qr_stored;
} decoder;

static kiosk_rc fail(decoder *d, const char *fmt, ...) KIOSK_PRINTF_LIKE(2, 3);

static kiosk_rc fail(decoder *d, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return kiosk_fail(KIOSK_ERR_PROTOCOL, d->err, d->err_size, "offset %zu: %s", d->pos, what);
}

static kiosk_rc need(decoder *d, size_t n)
{
    if (d->len - d->pos < n)
        return fail(d, "a command of %zu bytes is cut short by the end of the stream", n);
    return KIOSK_OK;
}

static kiosk_rc trace(decoder *d, const char *fmt, ...) KIOSK_PRINTF_LIKE(2, 3);

static kiosk_rc trace(decoder *d, const char *fmt, ...)
{
    char *t = d->out->trace;
    size_t used = strlen(t);
    if (used && used + 1 < sizeof d->out->trace)
        t[used++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t + used, sizeof d->out->trace - used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof d->out->trace - used)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, d->err, d->err_size, "the trace is full");
    return KIOSK_OK;
}

/* Modes change only between lines: a line has one style and one alignment. */
static kiosk_rc between_lines(decoder *d, const char *what)
{
    if (d->text_len)
        return fail(d, "%s in the middle of a line", what);
    return KIOSK_OK;
}

static kiosk_rc line_style(decoder *d, kiosk_print_style *style)
{
    bool big = d->size == 0x11, big_kanji = d->kanji_mode == 0x0C;
    if ((d->size != 0 && !big) || (d->kanji_mode != 0 && !big_kanji))
        return fail(d, "GS ! 0x%02X with FS ! 0x%02X is not a kiosk style", d->size, d->kanji_mode);
    if (big != big_kanji)
        return fail(d, "GS ! 0x%02X and FS ! 0x%02X size the characters differently", d->size,
                    d->kanji_mode);
    if (big && d->bold)
        return fail(d, "bold double size is not a kiosk style");
    *style = big ? KIOSK_PRINT_BIG : d->bold ? KIOSK_PRINT_BOLD : KIOSK_PRINT_NORMAL;
    return KIOSK_OK;
}

/* Prints the buffer as a line (LF, or ESC d with something in the buffer). */
static kiosk_rc print_line(decoder *d)
{
    escpos_decoded *o = d->out;
    kiosk_print_style style;
    kiosk_rc rc = line_style(d, &style);
    if (rc != KIOSK_OK)
        return rc;
    if (o->line_count == ESCPOS_DECODED_LINES)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, d->err, d->err_size, "more than %d lines",
                          ESCPOS_DECODED_LINES);
    escpos_decoded_line *l = &o->lines[o->line_count++];
    memcpy(l->text, d->text, d->text_len);
    l->text[d->text_len] = '\0';
    l->style = style;
    l->align = (kiosk_print_align)d->align;
    l->columns = style == KIOSK_PRINT_BIG ? 2 * d->columns : d->columns;
    l->job = d->job;
    d->text_len = 0;
    d->columns = 0;
    return trace(d, "L");
}

static kiosk_rc add_text(decoder *d, const char *utf8, size_t n, int columns)
{
    if (n >= sizeof d->text - d->text_len)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, d->err, d->err_size, "a line longer than %d bytes",
                          ESCPOS_DECODED_TEXT - 1);
    memcpy(d->text + d->text_len, utf8, n);
    d->text_len += n;
    d->columns += columns;
    return KIOSK_OK;
}

/* One GB18030 character: two bytes (lead 81-FE, trail 40-7E or 80-FE) or four (81-FE 30-39
 * 81-FE 30-39). */
static kiosk_rc gb_char(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    size_t n;
    if (need(d, 2) != KIOSK_OK)
        return KIOSK_ERR_PROTOCOL;
    if (b[1] >= 0x30 && b[1] <= 0x39) {
        if (need(d, 4) != KIOSK_OK)
            return KIOSK_ERR_PROTOCOL;
        if (b[2] < 0x81 || b[2] > 0xFE || b[3] < 0x30 || b[3] > 0x39)
            return fail(d, "%02X %02X %02X %02X is not a GB18030 character", b[0], b[1], b[2],
                        b[3]);
        n = 4;
    } else if ((b[1] >= 0x40 && b[1] <= 0x7E) || (b[1] >= 0x80 && b[1] <= 0xFE)) {
        n = 2;
    } else {
        return fail(d, "%02X %02X is not a GB18030 character", b[0], b[1]);
    }
    char in[4], utf8[8];
    memcpy(in, b, n);
    char *ip = in, *op = utf8;
    size_t il = n, ol = sizeof utf8;
    if (iconv(d->cd, &ip, &il, &op, &ol) == (size_t)-1) {
        iconv(d->cd, NULL, NULL, NULL, NULL);
        return fail(d, "GB18030 bytes starting %02X %02X have no Unicode character", b[0], b[1]);
    }
    kiosk_rc rc = add_text(d, utf8, sizeof utf8 - ol, 2);
    d->pos += n;
    return rc;
}

static kiosk_rc esc(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    kiosk_rc rc = need(d, 2);
    if (rc != KIOSK_OK)
        return rc;
    if (b[1] == '@') {
        rc = between_lines(d, "ESC @");
        if (rc != KIOSK_OK)
            return rc;
        d->kanji = d->bold = false;
        d->align = 0;
        d->size = d->kanji_mode = 0;
        d->job++;
        d->out->inits++;
        d->pos += 2;
        return trace(d, "init");
    }
    if (b[1] != 'a' && b[1] != 'E' && b[1] != 'd')
        return fail(d, "ESC 0x%02X is not a command the kiosk uses", b[1]);
    rc = need(d, 3);
    if (rc != KIOSK_OK)
        return rc;
    uint8_t n = b[2];
    if (b[1] == 'd') {
        if (d->text_len) {
            rc = print_line(d);
            if (rc != KIOSK_OK)
                return rc;
        }
        d->pos += 3;
        return trace(d, "feed:%d", n);
    }
    rc = between_lines(d, b[1] == 'a' ? "ESC a" : "ESC E");
    if (rc != KIOSK_OK)
        return rc;
    if (b[1] == 'a') {
        if (n > 2 && (n < 48 || n > 50))
            return fail(d, "ESC a %d is no alignment", n);
        d->align = n % 48;
    } else {
        if (n > 1)
            return fail(d, "ESC E %d: the kiosk sends 0 or 1", n);
        d->bold = n == 1;
    }
    d->pos += 3;
    return KIOSK_OK;
}

static kiosk_rc fs(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    kiosk_rc rc = need(d, 2);
    if (rc != KIOSK_OK)
        return rc;
    if (b[1] == '&' || b[1] == '.') {
        d->kanji = b[1] == '&';
        d->pos += 2;
        return trace(d, "%s", d->kanji ? "kanji" : "kanji-off");
    }
    if (b[1] != '!')
        return fail(d, "FS 0x%02X is not a command the kiosk uses", b[1]);
    rc = need(d, 3);
    if (rc == KIOSK_OK)
        rc = between_lines(d, "FS !");
    if (rc != KIOSK_OK)
        return rc;
    d->kanji_mode = b[2];
    d->pos += 3;
    return KIOSK_OK;
}

/* GS ( k pL pH cn fn ...: the QR code functions. */
static kiosk_rc qr(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    kiosk_rc rc = need(d, 7);
    if (rc != KIOSK_OK)
        return rc;
    if (b[2] != 'k')
        return fail(d, "GS ( 0x%02X is not a command the kiosk uses", b[2]);
    size_t count = (size_t)b[3] + 256u * b[4];
    if (count < 3)
        return fail(d, "GS ( k with %zu parameter bytes", count);
    rc = need(d, 5 + count);
    if (rc != KIOSK_OK)
        return rc;
    if (b[5] != 49)
        return fail(d, "GS ( k for symbol %d: the kiosk prints QR codes (49)", b[5]);
    uint8_t fn = b[6], p = b[7];
    switch (fn) {
    case 65:
        if (count != 4 || p < 49 || p > 51 || b[8] != 0)
            return fail(d, "GS ( k fn 65 (model) malformed");
        rc = trace(d, "qr-model:%d", p - 48);
        break;
    case 67:
        if (count != 3 || p < 1 || p > 16)
            return fail(d, "GS ( k fn 67 (module size) malformed");
        rc = trace(d, "qr-module:%d", p);
        break;
    case 69:
        if (count != 3 || p < 48 || p > 51)
            return fail(d, "GS ( k fn 69 (error correction) malformed");
        rc = trace(d, "qr-ecc:%c", "LMQH"[p - 48]);
        break;
    case 80:
        if (p != 48 || count - 3 >= sizeof d->qr)
            return fail(d, "GS ( k fn 80 (store) malformed or longer than the kiosk sends");
        d->qr_len = count - 3;
        memcpy(d->qr, b + 8, d->qr_len);
        d->qr[d->qr_len] = '\0';
        d->qr_stored = true;
        break;
    case 81:
        if (count != 3 || p != 48 || !d->qr_stored)
            return fail(d, "GS ( k fn 81 (print) malformed or with nothing stored");
        rc = between_lines(d, "a QR code");
        if (rc == KIOSK_OK)
            rc = trace(d, "qr:%s", d->qr);
        break;
    default:
        return fail(d, "GS ( k fn %d is not one the kiosk uses", fn);
    }
    d->pos += 5 + count;
    return rc;
}

static kiosk_rc gs(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    kiosk_rc rc = need(d, 2);
    if (rc != KIOSK_OK)
        return rc;
    if (b[1] == '(')
        return qr(d);
    if (b[1] != '!' && b[1] != 'V')
        return fail(d, "GS 0x%02X is not a command the kiosk uses", b[1]);
    rc = need(d, 3);
    if (rc == KIOSK_OK)
        rc = between_lines(d, b[1] == '!' ? "GS !" : "GS V");
    if (rc != KIOSK_OK)
        return rc;
    uint8_t m = b[2];
    if (b[1] == '!') {
        d->size = m;
        d->pos += 3;
        return KIOSK_OK;
    }
    d->out->cuts++;
    if (m == 0 || m == 1 || m == 48 || m == 49) {
        d->pos += 3;
        return trace(d, "cut:%d", m);
    }
    if (m != 65 && m != 66)
        return fail(d, "GS V %d is no cut", m);
    rc = need(d, 4);
    if (rc != KIOSK_OK)
        return rc;
    d->pos += 4;
    return trace(d, "cut:%d:%d", m, b[3]);
}

static kiosk_rc dle(decoder *d)
{
    const uint8_t *b = d->b + d->pos;
    kiosk_rc rc = need(d, 3);
    if (rc != KIOSK_OK)
        return rc;
    if (b[1] != 0x04 || b[2] < 1 || b[2] > 4)
        return fail(d, "DLE %02X %02X is not a status request", b[1], b[2]);
    d->out->status_requests++;
    d->pos += 3;
    return trace(d, "status:%d", b[2]); /* real time: allowed anywhere, even mid-line */
}

static kiosk_rc step(decoder *d)
{
    uint8_t c = d->b[d->pos];
    if (c >= 0x20 && c < 0x7F) {
        char ch = (char)c;
        d->pos++;
        return add_text(d, &ch, 1, 1);
    }
    if (c >= 0x80) {
        if (!d->kanji)
            return fail(d, "byte 0x%02X outside Chinese character mode", c);
        if (c == 0x80 || c == 0xFF)
            return fail(d, "byte 0x%02X cannot start a GB18030 character", c);
        return gb_char(d);
    }
    switch (c) {
    case 0x0A:
        d->pos++;
        return print_line(d);
    case 0x10:
        return dle(d);
    case 0x1B:
        return esc(d);
    case 0x1C:
        return fs(d);
    case 0x1D:
        return gs(d);
    default:
        return fail(d, "unknown command byte 0x%02X", c);
    }
}

kiosk_rc escpos_decode(const uint8_t *bytes, size_t len, escpos_decoded *out, char *err,
                       size_t err_size)
{
    memset(out, 0, sizeof *out);
    decoder d = {.b = bytes, .len = len, .out = out, .err = err, .err_size = err_size};
    d.cd = iconv_open("UTF-8", "GB18030");
    if (d.cd == (iconv_t)-1)
        return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size, "no GB18030 converter: %s",
                          strerror(errno));
    kiosk_rc rc = KIOSK_OK;
    while (rc == KIOSK_OK && d.pos < len)
        rc = step(&d);
    if (rc == KIOSK_OK && d.text_len)
        rc = fail(&d, "the stream ends in the middle of a line (never printed)");
    iconv_close(d.cd);
    return rc;
}
