/* escpos.c - ESC/POS bytes for a print document, and the status reply parser (see escpos.h).
 * Text goes out in GB18030 through glibc's iconv, one character at a time so that a character
 * the converter refuses costs only itself. */
#define _POSIX_C_SOURCE 200809L
#include "escpos.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

enum {
    LF = 0x0A,
    DLE = 0x10,
    EOT = 0x04,
    ESC = 0x1B,
    FS = 0x1C,
    GS = 0x1D,
};

/* GS ( k selects its symbol with cn; 49 is the QR code. */
#define QR_CN 49
/* Dots per QR module: the largest payload (127 bytes, version 8 at level M, 49 modules) is then
 * 294 dots wide, inside the 384 dots of 58 mm paper. */
#define QR_MODULE_DOTS 6
/* Lines fed when there is no cutter, so the last line clears the tear bar. */
#define TEAR_FEED_LINES 4

/* --- options ------------------------------------------------------------------------------ */

static bool parse_bool(const char *text, bool *out)
{
    if (strcmp(text, "true") == 0)
        *out = true;
    else if (strcmp(text, "false") == 0)
        *out = false;
    else
        return false;
    return true;
}

kiosk_rc drv_escpos_options_parse(const drv_options *opts, drv_escpos_options *out, char *err,
                                  size_t err_size)
{
    *out = (drv_escpos_options){.columns = 32, .qr = false, .cut = false};
    const char *v = drv_option_get(opts, "columns");
    if (v) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < DRV_ESCPOS_COLUMNS_MIN || n > DRV_ESCPOS_COLUMNS_MAX)
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "escpos: columns must be %d..%d (32 for 58 mm paper, 48 for 80 mm), "
                              "not '%s'",
                              DRV_ESCPOS_COLUMNS_MIN, DRV_ESCPOS_COLUMNS_MAX, v);
        out->columns = (int)n;
    }
    v = drv_option_get(opts, "qr");
    if (v && !parse_bool(v, &out->qr))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "escpos: qr must be true or false");
    v = drv_option_get(opts, "cut");
    if (v && !parse_bool(v, &out->cut))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "escpos: cut must be true or false");
    return KIOSK_OK;
}

/* --- the job's bytes ---------------------------------------------------------------------- */

/* The caller's buffer; once something does not fit, nothing more is written. */
typedef struct sink {
    uint8_t *out;
    size_t size, len;
    bool full;
} sink;

static void put(sink *s, const void *bytes, size_t n)
{
    if (s->full || n > s->size - s->len) {
        s->full = true;
        return;
    }
    memcpy(s->out + s->len, bytes, n);
    s->len += n;
}

#define PUT(s, ...) put((s), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

/* The modes the printer is in, so a command is sent only when a line needs another one. ESC @
 * leaves the printer left-aligned in the normal style. */
typedef struct pen {
    kiosk_print_align align;
    kiosk_print_style style;
} pen;

static void pen_align(sink *s, pen *p, kiosk_print_align align)
{
    if (align == p->align)
        return;
    PUT(s, ESC, 'a', (uint8_t)align); /* 0 left, 1 centre, 2 right: the enum's own values */
    p->align = align;
}

static void pen_style(sink *s, pen *p, kiosk_print_style style)
{
    bool bold = style == KIOSK_PRINT_BOLD, big = style == KIOSK_PRINT_BIG;
    if (bold != (p->style == KIOSK_PRINT_BOLD))
        PUT(s, ESC, 'E', bold ? 1 : 0);
    if (big != (p->style == KIOSK_PRINT_BIG)) {
        /* GS ! sizes the one-byte (ASCII) characters: high nibble width, low nibble height, each
         * "times n+1". Chinese characters take their size from FS ! (bit 2 double width, bit 3
         * double height), which not every printer derives from GS !, so both are sent. */
        PUT(s, GS, '!', big ? 0x11 : 0x00);
        PUT(s, FS, '!', big ? 0x0C : 0x00);
    }
    p->style = style;
}

/* Columns one character takes on paper in Chinese character mode: a one-byte code prints from
 * the half-width font, every multi-byte GB18030 code from the full-width one. *len is the UTF-8
 * bytes it used (1 for an ill-formed byte, which prints as '?'). */
static int char_columns(const char *s, size_t n, size_t *len)
{
    size_t l = kiosk_utf8_seq_len(s, n);
    *len = l ? l : 1;
    return l > 1 ? 2 : 1;
}

/* Appends the character at s (n bytes available) in GB18030 and returns the UTF-8 bytes used. */
static size_t put_char(sink *s, iconv_t cd, const char *text, size_t n)
{
    size_t len = kiosk_utf8_seq_len(text, n);
    unsigned char c = (unsigned char)text[0];
    if (len == 0) {
        PUT(s, '?');
        return 1;
    }
    if (len == 1) {
        /* A control character would be a command to the printer. */
        PUT(s, c < 0x20 || c == 0x7F ? '?' : c);
        return 1;
    }
    char in[4];
    size_t in_len = len;
    memcpy(in, text, len);
    if (len == 2 && c == 0xC2 && (unsigned char)text[1] < 0xA0) {
        PUT(s, '?'); /* C1 control characters have no glyph */
        return len;
    }
    if (len == 2 && c == 0xC2 && (unsigned char)text[1] == 0xA5) {
        /* U+00A5 is not in GBK, so printers without four-byte GB18030 codes print garbage for
         * it; the full-width yen sign U+FFE5 is GB2312's A3 A4, in every Chinese printer font. */
        memcpy(in, "\xEF\xBF\xA5", 3);
        in_len = 3;
    }
    char gb[8];
    char *ip = in, *op = gb;
    size_t il = in_len, ol = sizeof gb;
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
        iconv(cd, NULL, NULL, NULL, NULL); /* back to the initial state after a failure */
        PUT(s, '?');
        return len;
    }
    put(s, gb, sizeof gb - ol);
    return len;
}

static void put_text(sink *s, iconv_t cd, const char *text, size_t n)
{
    for (size_t i = 0; i < n;)
        i += put_char(s, cd, text + i, n - i);
}

/* Text in lines of at most `columns`, each ended by LF. */
static void put_wrapped(sink *s, iconv_t cd, const char *text, size_t n, int columns)
{
    size_t start = 0;
    while (start < n) {
        size_t end = start;
        int used = 0;
        while (end < n) {
            size_t len;
            int w = char_columns(text + end, n - end, &len);
            if (used + w > columns)
                break;
            used += w;
            end += len;
        }
        put_text(s, cd, text + start, end - start);
        PUT(s, LF);
        start = end;
    }
}

/* GS ( k pL pH cn fn [params]: pL + 256 pH counts the bytes after pH. */
static void put_qr(sink *s, const char *payload, size_t n)
{
    PUT(s, GS, '(', 'k', 4, 0, QR_CN, 65, 50, 0);          /* fn 65: model 2 (49 is model 1) */
    PUT(s, GS, '(', 'k', 3, 0, QR_CN, 67, QR_MODULE_DOTS); /* fn 67: module size in dots */
    PUT(s, GS, '(', 'k', 3, 0, QR_CN, 69, 49);             /* fn 69: level M (48 L .. 51 H) */
    size_t k = n + 3;                                      /* cn, fn and m come first */
    PUT(s, GS, '(', 'k', (uint8_t)(k & 0xFF), (uint8_t)(k >> 8), QR_CN, 80, 48); /* fn 80: store */
    for (size_t i = 0; i < n; i++) {
        /* A control byte among the data could be taken for a real-time command (DLE EOT ...)
         * by the printer's receive logic, which does not count GS ( k lengths. */
        unsigned char c = (unsigned char)payload[i];
        PUT(s, c < 0x20 || c == 0x7F ? '?' : c);
    }
    PUT(s, GS, '(', 'k', 3, 0, QR_CN, 81, 48); /* fn 81: print the stored symbol */
}

static kiosk_rc check_doc(const kiosk_print_doc *doc, const drv_escpos_options *opts, char *err,
                          size_t err_size)
{
    if (opts->columns < DRV_ESCPOS_COLUMNS_MIN || opts->columns > DRV_ESCPOS_COLUMNS_MAX)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "escpos: %d columns is not a paper",
                          opts->columns);
    if (doc->columns < 1 || doc->columns > opts->columns)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "escpos: the document is laid out for %d columns, the paper has %d",
                          doc->columns, opts->columns);
    if (doc->line_count > KIOSK_PRINT_LINES)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "escpos: %zu lines (at most %d)",
                          doc->line_count, KIOSK_PRINT_LINES);
    for (size_t i = 0; i < doc->line_count; i++) {
        const kiosk_print_line *l = &doc->lines[i];
        if (!memchr(l->text, '\0', sizeof l->text) || (unsigned)l->style > KIOSK_PRINT_BIG ||
            (unsigned)l->align > KIOSK_PRINT_RIGHT)
            return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                              "escpos: line %zu is not terminated or has no such style", i + 1);
    }
    if (!memchr(doc->qr, '\0', sizeof doc->qr))
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "escpos: the QR payload is too long");
    return KIOSK_OK;
}

kiosk_rc drv_escpos_build_doc(const kiosk_print_doc *doc, const drv_escpos_options *opts,
                              uint8_t *out, size_t size, size_t *len, char *err, size_t err_size)
{
    *len = 0;
    kiosk_rc rc = check_doc(doc, opts, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return kiosk_fail(KIOSK_ERR_UNSUPPORTED, err, err_size,
                          "escpos: no UTF-8 to GB18030 converter: %s", strerror(errno));
    sink s = {out, size, 0, false};
    pen p = {KIOSK_PRINT_LEFT, KIOSK_PRINT_NORMAL};
    PUT(&s, ESC, '@'); /* initialise: empties the print buffer and resets every mode */
    PUT(&s, FS, '&');  /* Chinese character mode: a byte from 0x81 starts a two-byte character */
    for (size_t i = 0; i < doc->line_count; i++) {
        const kiosk_print_line *l = &doc->lines[i];
        pen_align(&s, &p, l->align); /* ESC a counts only at the start of a line */
        pen_style(&s, &p, l->style);
        put_text(&s, cd, l->text, strlen(l->text));
        PUT(&s, LF);
    }
    size_t qr_len = strlen(doc->qr);
    if (qr_len) {
        pen_align(&s, &p, KIOSK_PRINT_CENTER);
        pen_style(&s, &p, KIOSK_PRINT_NORMAL);
        if (opts->qr)
            put_qr(&s, doc->qr, qr_len);
        /* Under the code (or in its place) the payload in words, for whoever has no scanner. */
        put_wrapped(&s, cd, doc->qr, qr_len, opts->columns);
    }
    if (opts->cut)
        PUT(&s, GS, 'V', 66, 0); /* function B: feed to the cutter, then cut leaving a hinge */
    else
        PUT(&s, ESC, 'd', TEAR_FEED_LINES); /* print and feed n lines */
    iconv_close(cd);
    if (s.full)
        return kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size,
                          "escpos: the job does not fit in %zu bytes", size);
    *len = s.len;
    return KIOSK_OK;
}

/* --- status ------------------------------------------------------------------------------- */

void drv_escpos_status_request(uint8_t out[DRV_ESCPOS_STATUS_REQUEST_LEN])
{
    static const uint8_t request[DRV_ESCPOS_STATUS_REQUEST_LEN] = {DLE, EOT, 1,   DLE, EOT,
                                                                   2,   DLE, EOT, 4};
    memcpy(out, request, sizeof request);
}

kiosk_rc drv_escpos_status_parse(const uint8_t *reply, size_t len, drv_escpos_status *out,
                                 char *err, size_t err_size)
{
    static const int asked[DRV_ESCPOS_STATUS_REPLY_LEN] = {1, 2, 4};
    if (len != DRV_ESCPOS_STATUS_REPLY_LEN)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "escpos: a status reply has %d bytes, not %zu",
                          DRV_ESCPOS_STATUS_REPLY_LEN, len);
    for (size_t i = 0; i < len; i++)
        if ((reply[i] & 0x93) != 0x12)
            return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size,
                              "escpos: 0x%02X is not a reply to DLE EOT %d", reply[i], asked[i]);
    *out = (drv_escpos_status){
        .online = !(reply[0] & 0x08),
        .cover_open = reply[1] & 0x04,
        .paper_stop = reply[1] & 0x20,
        .error = reply[1] & 0x40,
        .paper_near_end = reply[2] & 0x0C,
        .paper_end = reply[2] & 0x60,
    };
    return KIOSK_OK;
}

kiosk_device_state drv_escpos_status_state(const drv_escpos_status *st, const char **reason)
{
    if (st->paper_end || st->paper_stop) {
        *reason = "out of paper";
        return KIOSK_DEVICE_NO_PAPER;
    }
    if (st->cover_open) {
        *reason = "cover open";
        return KIOSK_DEVICE_NO_PAPER;
    }
    if (st->error) {
        *reason = "printer error (cutter, mechanism or head)";
        return KIOSK_DEVICE_DOWN;
    }
    if (!st->online) {
        *reason = "offline";
        return KIOSK_DEVICE_DOWN;
    }
    *reason = st->paper_near_end ? "ready, paper near its end" : "ready";
    return KIOSK_DEVICE_READY;
}
