/* pn532_emu.c - a PN532 reader in HSU (UART) mode on a pseudo-terminal, so that libnfc's own
 * pn532_uart driver, and the kiosk's nfc driver above it, run unmodified in tests. It owns the
 * HSU frame codec, the PN532 commands libnfc 1.8 sends (/work/shared/specs/pn532-emulation.md),
 * a one-card field model and the fault injection; nothing of the kiosk.
 *
 *   pn532_emu --control FIFO [--link PATH] [--log PATH] [--baud N] [--trace]
 *
 * At start and after every `return` it prints the slave path of its pty on stdout (one line)
 * and points the symlink --link at it: give libnfc the link, "pn532_uart:LINK", a colon-free
 * path that survives vanish/return. The slave is put in raw mode and kept open here, so that
 * nothing is echoed and the master never reads EIO between clients. One libnfc client at a
 * time: a pty has no working port lock. --baud paces replies as a serial line of that speed
 * would (10 bits a byte, both directions); without it they are instant.
 *
 * Control channel: the FIFO (created when missing, opened read-write so writers may come and
 * go) takes one command per line:
 *   insert KIND UID   place a card (it replaces any card there). KIND, with UID in hex:
 *                       mfc    MIFARE Classic, SAK 08, 4-, 7- or 10-byte UID
 *                       ul     Ultralight/NTAG, SAK 00 (ATQA 00 44 when the UID has 7 bytes)
 *                       iso4a  ISO14443-4 type A, SAK 20: an ATS after the automatic RATS, APDUs
 *                       b      ISO14443-4 type B: UID is the 4-byte PUPI
 *                       idcard a resident ID card (type B, PUPI 00000000): UID is the 8-byte
 *                              card UID it answers to the raw command 00 36 00 00 08
 *   remove            take the card away
 *   ping on|off       whether the ID card answers the R(NAK) presence ping (default on)
 *   silence | resume  read and drop every byte, answer nothing | answer again
 *   garbage [N]       the next N responses (default 1) are random bytes after a good ACK
 *   badsum [N]        the next N responses carry a wrong data checksum
 *   slow MS           hold every response MS ms after its ACK (0 ends it)
 *   nad [N]           the next N (default 1) InDataExchange / InCommunicateThru replies carry
 *                     status bit 7 (NAD), on which libnfc 1.8 calls abort() on its whole
 *                     process (spec section 4.7): what the kiosk's NFC helper must survive
 *   vanish | return   close the pty and remove the link (unplugged) | come back on a new pty
 *   quit
 * The log (--log, default stderr) has a line per control command and device event, stamped
 * with the real-time clock as seconds.milliseconds; --trace adds every frame in and out. */
#define _DEFAULT_SOURCE /* openpty, cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DATA_MAX     264 /* the largest PN532 payload (extended frames) */
#define FRAME_MAX    (DATA_MAX + 16)
#define IN_MAX       2048
#define OUTQ_MAX     16
#define CTL_LINE_MAX 256
#define PATH_MAX_EMU 512

/* --- time and log ----------------------------------------------------------------------------- */

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static FILE *log_out;
static bool trace;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(log_out, "%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_out, fmt, ap);
    va_end(ap);
    fputc('\n', log_out);
    fflush(log_out);
}

static void say_bytes(const char *what, const uint8_t *b, size_t n)
{
    char hex[3 * FRAME_MAX + 1];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < sizeof hex; i++)
        k += (size_t)snprintf(hex + k, sizeof hex - k, " %02X", b[i]);
    hex[k] = '\0';
    say("%s%s", what, hex);
}

/* --- frame codec: bytes <-> frames, no state -------------------------------------------------- */

typedef enum { FRAME_PARTIAL, FRAME_COMMAND, FRAME_ACK, FRAME_NACK, FRAME_BAD } frame_kind;

static const uint8_t ack_frame[] = {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
static const uint8_t error_frame[] = {0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00};

/* Finds the first frame in buf. Bytes before a start code 00 FF (the wake-up 55s, preambles,
 * postambles, noise) are skipped. *used is what the caller may drop. A command's body is its
 * code and data (TFI D4 checked and removed). */
static frame_kind frame_decode(const uint8_t *buf, size_t len, size_t *used, uint8_t *body,
                               size_t *body_len)
{
    size_t i = 0;
    while (i + 1 < len && !(buf[i] == 0x00 && buf[i + 1] == 0xFF))
        i++;
    *used = i;
    if (i + 4 > len)
        return FRAME_PARTIAL;
    const uint8_t *p = buf + i + 2;
    size_t avail = len - i - 2, head, n;
    if ((p[0] == 0x00 && p[1] == 0xFF) || (p[0] == 0xFF && p[1] == 0x00)) {
        *used = i + 4;
        return p[0] ? FRAME_NACK : FRAME_ACK;
    }
    if (p[0] == 0xFF && p[1] == 0xFF) {
        if (avail < 5)
            return FRAME_PARTIAL;
        head = 5;
        n = (size_t)p[2] << 8 | p[3];
        if ((uint8_t)(p[2] + p[3] + p[4]) != 0) {
            *used = i + 2;
            return FRAME_BAD;
        }
    } else {
        head = 2;
        n = p[0];
        if ((uint8_t)(p[0] + p[1]) != 0) {
            *used = i + 2;
            return FRAME_BAD;
        }
    }
    if (n < 2 || n > DATA_MAX + 2) {
        *used = i + 2 + head;
        return FRAME_BAD;
    }
    if (avail < head + n + 1)
        return FRAME_PARTIAL;
    const uint8_t *tfi = p + head;
    uint8_t sum = 0;
    for (size_t k = 0; k <= n; k++) /* TFI, code, data and DCS add up to 0 */
        sum = (uint8_t)(sum + tfi[k]);
    *used = i + 2 + head + n + 1;
    if (sum != 0 || tfi[0] != 0xD4)
        return FRAME_BAD;
    memcpy(body, tfi + 1, n - 1);
    *body_len = n - 1;
    return FRAME_COMMAND;
}

/* A response frame (TFI D5, code, data): normal up to 255 bytes after the length, else
 * extended. Returns its length; out holds FRAME_MAX bytes. */
static size_t frame_encode(uint8_t code, const uint8_t *data, size_t n, uint8_t *out)
{
    size_t len = n + 2, k = 0;
    out[k++] = 0x00;
    out[k++] = 0x00;
    out[k++] = 0xFF;
    if (len <= 255) {
        out[k++] = (uint8_t)len;
        out[k++] = (uint8_t)(0x100 - len);
    } else {
        out[k++] = 0xFF;
        out[k++] = 0xFF;
        out[k++] = (uint8_t)(len >> 8);
        out[k++] = (uint8_t)len;
        out[k++] = (uint8_t)(0x100 - ((len >> 8) + (len & 0xFF)));
    }
    uint8_t sum = (uint8_t)(0xD5 + code);
    out[k++] = 0xD5;
    out[k++] = code;
    for (size_t i = 0; i < n; i++) {
        out[k++] = data[i];
        sum = (uint8_t)(sum + data[i]);
    }
    out[k++] = (uint8_t)(0x100 - sum);
    out[k++] = 0x00;
    return k;
}

/* CRC_A (preset 6363) or CRC_B (preset FFFF, complemented) of ISO/IEC 14443-3, low byte first
 * on the air: "05 00 00" gives 71 FF, "00 36 00 00 08" gives 57 44. */
static uint16_t crc14443(const uint8_t *d, size_t n, bool type_b)
{
    uint16_t crc = type_b ? 0xFFFF : 0x6363;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(d[i] ^ (crc & 0xFF));
        b = (uint8_t)(b ^ (b << 4));
        crc = (uint16_t)((crc >> 8) ^ ((unsigned)b << 8) ^ ((unsigned)b << 3) ^ (b >> 4));
    }
    return type_b ? (uint16_t)~crc : crc;
}

/* --- the card in the field -------------------------------------------------------------------- */

typedef enum card_kind { CARD_NONE, CARD_MFC, CARD_UL, CARD_ISO4A, CARD_B, CARD_IDCARD } card_kind;

typedef struct card {
    card_kind kind;
    uint8_t uid[10]; /* A: NFCID1; b: the PUPI; idcard: the card UID */
    size_t uid_len;
    bool active; /* selected by the reader since it was placed: a fresh card ignores frames */
} card;

static const uint8_t iso4a_ats[] = {0x06, 0x75, 0x77, 0x81, 0x02, 0x80}; /* TL counts itself */
static const uint8_t idcard_app[] = {0xD1, 0x03, 0x86, 0x0C}, idcard_prot[] = {0x00, 0x80, 0x80};
static const uint8_t b_app[] = {0x00, 0x00, 0x00, 0x00}, b_prot[] = {0x00, 0x81, 0x71};

static bool card_is_b(const card *c)
{
    return c->kind == CARD_B || c->kind == CARD_IDCARD;
}

/* ATQB after its 50: PUPI, application data, protocol info (what REQB and the PN532 report). */
static size_t card_atqb(const card *c, uint8_t *out)
{
    bool id = c->kind == CARD_IDCARD;
    memset(out, 0, 4);
    if (!id)
        memcpy(out, c->uid, 4);
    memcpy(out + 4, id ? idcard_app : b_app, 4);
    memcpy(out + 8, id ? idcard_prot : b_prot, 3);
    return 11;
}

/* TargetData as InListPassiveTarget and InAutoPoll report it, Tg first; byte-identical on every
 * select so that libnfc's list loop recognises the same target. */
static size_t card_target_data(const card *c, bool with_ats, uint8_t *out)
{
    size_t k = 0;
    out[k++] = 0x01;
    if (card_is_b(c)) {
        out[k++] = 0x50;
        k += card_atqb(c, out + k);
        out[k++] = 0x01; /* ATTRIB_RES: the ID card answers 08 where ISO says 00 */
        out[k++] = c->kind == CARD_IDCARD ? 0x08 : 0x00;
        return k;
    }
    out[k++] = 0x00; /* ATQA: UID size in bits 7-6 of its second byte */
    out[k++] = (uint8_t)(0x04 | (c->uid_len == 7 ? 0x40 : c->uid_len == 10 ? 0x80 : 0x00));
    out[k++] = c->kind == CARD_MFC ? 0x08 : c->kind == CARD_ISO4A ? 0x20 : 0x00;
    out[k++] = (uint8_t)c->uid_len;
    memcpy(out + k, c->uid, c->uid_len);
    k += c->uid_len;
    if (c->kind == CARD_ISO4A && with_ats) {
        memcpy(out + k, iso4a_ats, sizeof iso4a_ats);
        k += sizeof iso4a_ats;
    }
    return k;
}

/* An APDU to an ISO14443-4 card (A or B), the PN532 having done the block framing: SELECT
 * answers 90 00, READ BINARY its Le bytes (0 = 256, to exercise extended frames). */
static size_t card_apdu(const uint8_t *apdu, size_t n, uint8_t *out)
{
    if (n >= 4 && apdu[1] == 0xA4) {
        out[0] = 0x90;
        out[1] = 0x00;
        return 2;
    }
    if (n == 5 && apdu[1] == 0xB0) {
        size_t le = apdu[4] ? apdu[4] : 256;
        for (size_t i = 0; i < le; i++)
            out[i] = (uint8_t)i;
        out[le] = 0x90;
        out[le + 1] = 0x00;
        return le + 2;
    }
    out[0] = 0x6D;
    out[1] = 0x00;
    return 2;
}

/* --- the reader ------------------------------------------------------------------------------- */

enum { ST_OK = 0x00, ST_TIMEOUT = 0x01, ST_CRC = 0x02, ST_CONTEXT = 0x27 };
enum { REG_TXMODE = 0x6302, REG_RXMODE = 0x6303, CRC_ON = 0x80, PARAM_AUTO_RATS = 0x10 };

typedef enum pending_kind { PEND_NONE, PEND_LIST, PEND_AUTOPOLL } pending_kind;

typedef struct out_frame {
    int64_t due_us;
    size_t len;
    uint8_t bytes[FRAME_MAX];
} out_frame;

typedef struct emu {
    /* the device */
    int master, slave;
    char slave_path[64];
    const char *link_path;
    long baud;
    uint8_t in[IN_MAX];
    size_t in_len;
    out_frame outq[OUTQ_MAX];
    size_t outq_len;
    int64_t line_free_us; /* when the (paced) line has sent everything queued */
    /* the chip */
    uint8_t regs[0x10000];
    uint8_t params, passive_retries;
    pending_kind pending;
    uint8_t pending_types[16]; /* LIST: BrTy and initiator data; AUTOPOLL: the target types */
    size_t pending_type_count;
    int64_t pending_deadline_us; /* AUTOPOLL; 0 = endless */
    /* the field */
    card card;
    bool idcard_ping;
    /* faults */
    bool silent;
    unsigned garbage, badsum, nad;
    int slow_ms;
    uint32_t noise;
} emu;

static int64_t line_time_us(const emu *e, size_t bytes)
{
    return e->baud > 0 ? (int64_t)bytes * 10 * 1000000 / e->baud : 0;
}

/* Queues bytes for the host after delay_us (and after what the line still has to send). */
static void emu_queue(emu *e, const uint8_t *b, size_t n, int64_t delay_us)
{
    if (e->master < 0 || e->silent)
        return;
    if (e->outq_len == OUTQ_MAX) {
        say("output queue full: a response is dropped");
        return;
    }
    int64_t start = now_us() + delay_us;
    if (start < e->line_free_us)
        start = e->line_free_us;
    out_frame *f = &e->outq[e->outq_len++];
    f->due_us = start + line_time_us(e, n);
    f->len = n;
    memcpy(f->bytes, b, n);
    e->line_free_us = f->due_us;
}

static void emu_flush_due(emu *e)
{
    int64_t now = now_us();
    size_t sent = 0;
    while (sent < e->outq_len && e->outq[sent].due_us <= now) {
        out_frame *f = &e->outq[sent++];
        if (trace)
            say_bytes("tx", f->bytes, f->len);
        if (e->master >= 0 && write(e->master, f->bytes, f->len) != (ssize_t)f->len)
            say("write to the pty failed: %s", strerror(errno));
    }
    memmove(e->outq, e->outq + sent, (e->outq_len - sent) * sizeof e->outq[0]);
    e->outq_len -= sent;
}

/* The response to a command (code + 1 and data), with the garbage, badsum and slow faults. */
static void emu_respond(emu *e, uint8_t code, const uint8_t *data, size_t n)
{
    uint8_t frame[FRAME_MAX];
    size_t len = frame_encode((uint8_t)(code + 1), data, n, frame);
    if (e->garbage) {
        e->garbage--;
        for (size_t i = 0; i < len; i++) {
            e->noise ^= e->noise << 13;
            e->noise ^= e->noise >> 17;
            e->noise ^= e->noise << 5;
            frame[i] = (uint8_t)(e->noise | (i == 0)); /* never a start code first */
        }
        say("fault: garbage instead of the response to %02X", code);
    } else if (e->badsum) {
        e->badsum--;
        frame[len - 2] ^= 0x5A;
        say("fault: bad checksum on the response to %02X", code);
    }
    emu_queue(e, frame, len, (int64_t)e->slow_ms * 1000);
}

static bool card_in_field(const emu *e)
{
    return e->card.kind != CARD_NONE;
}

/* Whether the card answers an InListPassiveTarget of BrTy (00 = 106 kbps A, 03 = 106 kbps B)
 * with the given initiator data (type A: the cascaded UID to select). */
static bool card_answers_list(const emu *e, uint8_t brty, const uint8_t *init, size_t init_len)
{
    const card *c = &e->card;
    if (!card_in_field(e))
        return false;
    if (brty == 0x03)
        return card_is_b(c);
    if (brty != 0x00 || card_is_b(c))
        return false;
    uint8_t uid[12]; /* the initiator data less its 88 cascade tags (8 or 12 bytes) */
    size_t n = 0;
    for (size_t i = 0; i < init_len && i < sizeof uid; i++)
        if (!(init[i] == 0x88 && ((i == 0 && init_len >= 8) || (i == 4 && init_len == 12))))
            uid[n++] = init[i];
    return init_len == 0 || (n == c->uid_len && memcmp(uid, c->uid, n) == 0);
}

static bool card_answers_poll_type(const emu *e, uint8_t type)
{
    const card *c = &e->card;
    if (!card_in_field(e))
        return false;
    if (type == 0x03 || type == 0x23)
        return card_is_b(c);
    if (type == 0x20)
        return c->kind == CARD_ISO4A;
    return type == 0x10 && !card_is_b(c);
}

static void answer_list(emu *e)
{
    uint8_t data[64];
    data[0] = 0x01;
    size_t n = 1 + card_target_data(&e->card, e->params & PARAM_AUTO_RATS, data + 1);
    e->card.active = true;
    emu_respond(e, 0x4A, data, n);
}

static bool answer_autopoll(emu *e, const uint8_t *types, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!card_answers_poll_type(e, types[i]))
            continue;
        uint8_t data[64];
        size_t len = card_target_data(&e->card, types[i] == 0x20, data + 3);
        data[0] = 0x01;
        data[1] = types[i];
        data[2] = (uint8_t)len;
        e->card.active = true;
        emu_respond(e, 0x60, data, len + 3);
        return true;
    }
    return false;
}

/* A deferred InListPassiveTarget (infinite retries) or InAutoPoll: answered when a card comes
 * or the poll's time is up; dropped by the next frame from the host. */
static void emu_check_pending(emu *e)
{
    if (e->pending == PEND_LIST && card_answers_list(e, e->pending_types[0], e->pending_types + 1,
                                                     e->pending_type_count - 1)) {
        e->pending = PEND_NONE;
        answer_list(e);
    } else if (e->pending == PEND_AUTOPOLL) {
        if (answer_autopoll(e, e->pending_types, e->pending_type_count)) {
            e->pending = PEND_NONE;
        } else if (e->pending_deadline_us && now_us() >= e->pending_deadline_us) {
            e->pending = PEND_NONE;
            emu_respond(e, 0x60, (const uint8_t[]){0x00}, 1);
        }
    }
}

/* InCommunicateThru: a raw frame to the card, CRC stripped or appended as the CIU's TxMode and
 * RxMode registers say. Returns the status and fills out (data after the status). */
static uint8_t raw_exchange(emu *e, const uint8_t *d, size_t n, uint8_t *out, size_t *out_len)
{
    card *c = &e->card;
    bool b = card_is_b(c);
    *out_len = 0;
    if (!(e->regs[REG_TXMODE] & CRC_ON)) {
        if (n < 2 || crc14443(d, n - 2, b) != (d[n - 2] | d[n - 1] << 8))
            return ST_CRC;
        n -= 2;
    }
    if (!card_in_field(e) || n == 0)
        return ST_TIMEOUT;
    if (b && d[0] == 0x05 && n == 3) { /* REQB/WUPB */
        out[0] = 0x50;
        *out_len = 1 + card_atqb(c, out + 1);
    } else if (b && d[0] == 0x1D) { /* ATTRIB */
        out[(*out_len)++] = c->kind == CARD_IDCARD ? 0x08 : 0x00;
        c->active = true;
    } else if (!c->active) {
        return ST_TIMEOUT;
    } else if (b && n == 2 && d[0] == 0xBA) { /* R(NAK), CID 1: the PN532 presence ping */
        if (c->kind == CARD_IDCARD && !e->idcard_ping)
            return ST_TIMEOUT;
        out[(*out_len)++] = 0xAA;
        out[(*out_len)++] = d[1];
    } else if (c->kind == CARD_IDCARD && n == 5 && memcmp(d, "\x00\x36\x00\x00\x08", 5) == 0) {
        memcpy(out, c->uid, 8);
        out[8] = 0x90;
        out[9] = 0x00;
        *out_len = 10;
    } else if (c->kind == CARD_ISO4A && n == 1 && (d[0] & 0xF6) == 0xB2) { /* R(NAK/ACK) */
        out[(*out_len)++] = 0xA2;
    } else {
        return ST_TIMEOUT;
    }
    if (!(e->regs[REG_RXMODE] & CRC_ON)) {
        uint16_t crc = crc14443(out, *out_len, b);
        out[(*out_len)++] = (uint8_t)crc;
        out[(*out_len)++] = (uint8_t)(crc >> 8);
    }
    return ST_OK;
}

/* InDataExchange: APDUs to ISO14443-4 cards, READ to MIFARE and Ultralight. */
static uint8_t data_exchange(emu *e, const uint8_t *d, size_t n, uint8_t *out, size_t *out_len)
{
    const card *c = &e->card;
    *out_len = 0;
    if (!card_in_field(e) || !c->active || n == 0)
        return ST_TIMEOUT;
    if (c->kind == CARD_ISO4A || c->kind == CARD_B) {
        *out_len = card_apdu(d, n, out);
        return ST_OK;
    }
    if ((c->kind == CARD_MFC || c->kind == CARD_UL) && d[0] == 0x30 && n == 2) {
        for (size_t i = 0; i < 16; i++)
            out[i] = i < c->uid_len ? c->uid[i] : (uint8_t)(d[1] + i);
        *out_len = 16;
        return ST_OK;
    }
    return ST_TIMEOUT;
}

/* Runs one command (code and data) and answers it, now or later. */
static void emu_command(emu *e, uint8_t code, const uint8_t *d, size_t n)
{
    uint8_t out[DATA_MAX + 2];
    size_t k = 0;
    switch (code) {
    case 0x00: /* Diagnose: the communication test echoes; card presence reports a status */
        if (n >= 1 && d[0] == 0x06) {
            out[k++] = card_in_field(e) && e->card.active ? ST_OK : ST_TIMEOUT;
        } else {
            memcpy(out, d, n);
            k = n;
        }
        break;
    case 0x02: /* GetFirmwareVersion: PN532 v1.6, ISO14443A, B and 18092 */
        memcpy(out, "\x32\x01\x06\x07", 4);
        k = 4;
        break;
    case 0x06: /* ReadRegister: one value per address, no status byte on a PN532 */
        for (size_t i = 0; i + 1 < n; i += 2)
            out[k++] = e->regs[d[i] << 8 | d[i + 1]];
        break;
    case 0x08: /* WriteRegister */
        for (size_t i = 0; i + 2 < n; i += 3)
            e->regs[d[i] << 8 | d[i + 1]] = d[i + 2];
        break;
    case 0x12: /* SetParameters */
        e->params = n ? d[0] : 0;
        break;
    case 0x14: /* SAMConfiguration */
        break;
    case 0x16: /* PowerDown */
        out[k++] = ST_OK;
        break;
    case 0x32: /* RFConfiguration: only MxRtyPassiveActivation matters (FF: retry forever) */
        if (n >= 4 && d[0] == 0x05)
            e->passive_retries = d[3];
        break;
    case 0x4A: /* InListPassiveTarget MaxTg BrTy [InitiatorData] */
        if (n < 2)
            goto bad;
        if (card_answers_list(e, d[1], d + 2, n - 2)) {
            answer_list(e);
            return;
        }
        if (e->passive_retries == 0xFF && n - 1 <= sizeof e->pending_types) {
            e->pending = PEND_LIST;
            memcpy(e->pending_types, d + 1, n - 1);
            e->pending_type_count = n - 1;
            return;
        }
        out[k++] = 0x00;
        break;
    case 0x60: /* InAutoPoll PollNr Period Type... */
        if (n < 3 || n - 2 > sizeof e->pending_types)
            goto bad;
        if (answer_autopoll(e, d + 2, n - 2))
            return;
        e->pending = PEND_AUTOPOLL;
        memcpy(e->pending_types, d + 2, n - 2);
        e->pending_type_count = n - 2;
        e->pending_deadline_us = d[0] == 0xFF ? 0 : now_us() + (int64_t)d[0] * d[1] * 150000;
        return;
    case 0x40: /* InDataExchange Tg data: only target 1 exists */
        if (n < 1)
            goto bad;
        out[0] = d[0] == 0x01 ? data_exchange(e, d + 1, n - 1, out + 1, &k) : ST_CONTEXT;
        k++;
        break;
    case 0x42: /* InCommunicateThru data */
        out[0] = raw_exchange(e, d, n, out + 1, &k);
        k++;
        break;
    case 0x44: /* InDeselect */
    case 0x52: /* InRelease */
        e->card.active = false;
        out[k++] = ST_OK;
        break;
    default:
        goto bad;
    }
    if ((code == 0x40 || code == 0x42) && e->nad) {
        e->nad--;
        out[0] |= 0x80;
        say("fault: status bit 7 (NAD) on the response to %02X", code);
    }
    emu_respond(e, code, out, k);
    return;
bad:
    say("command %02X not understood: error frame", code);
    emu_queue(e, error_frame, sizeof error_frame, 0);
}

/* Decodes what the host sent: ACK before every response; a host ACK aborts a waiting command. */
static void emu_input(emu *e)
{
    for (;;) {
        uint8_t body[DATA_MAX + 2];
        size_t used = 0, n = 0;
        frame_kind kind = frame_decode(e->in, e->in_len, &used, body, &n);
        memmove(e->in, e->in + used, e->in_len - used);
        e->in_len -= used;
        if (kind == FRAME_PARTIAL)
            return;
        if (kind == FRAME_BAD) {
            say("bad frame from the host (checksum or TFI): ignored");
            continue;
        }
        if (e->pending != PEND_NONE)
            say("the waiting %s is dropped", e->pending == PEND_LIST ? "list" : "poll");
        e->pending = PEND_NONE;
        if (kind != FRAME_COMMAND) {
            if (trace)
                say("rx %s", kind == FRAME_ACK ? "ACK (abort)" : "NACK");
            continue;
        }
        if (trace)
            say_bytes("rx D4", body, n);
        /* A real line delivers the command's last byte after its transmission time. */
        emu_queue(e, ack_frame, sizeof ack_frame, line_time_us(e, n + 8));
        emu_command(e, body[0], body + 1, n - 1);
    }
}

/* --- the pseudo-terminal ---------------------------------------------------------------------- */

static int emu_plug(emu *e)
{
    if (openpty(&e->master, &e->slave, e->slave_path, NULL, NULL) != 0) {
        fprintf(stderr, "pn532_emu: openpty: %s\n", strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(e->slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(e->slave, TCSANOW, &t);
    }
    fcntl(e->master, F_SETFL, fcntl(e->master, F_GETFL) | O_NONBLOCK);
    /* A replugged reader starts from its power-on state; the card stays in the field. */
    memset(e->regs, 0, sizeof e->regs);
    e->params = 0;
    e->passive_retries = 0xFF;
    e->pending = PEND_NONE;
    e->card.active = false;
    e->in_len = 0;
    say("plugged in on %s", e->slave_path);
    printf("%s\n", e->slave_path);
    fflush(stdout);
    if (!e->link_path)
        return 0;
    /* Replace the link in one step, so a client never sees it missing or half made. */
    char tmp[PATH_MAX_EMU + 8];
    snprintf(tmp, sizeof tmp, "%s.new", e->link_path);
    unlink(tmp);
    if (symlink(e->slave_path, tmp) == 0 && rename(tmp, e->link_path) == 0)
        return 0;
    fprintf(stderr, "pn532_emu: cannot link %s: %s\n", e->link_path, strerror(errno));
    return -1;
}

static void emu_unplug(emu *e)
{
    if (e->master < 0)
        return;
    close(e->master);
    close(e->slave);
    e->master = e->slave = -1;
    e->outq_len = 0;
    e->pending = PEND_NONE;
    if (e->link_path)
        unlink(e->link_path);
    say("unplugged");
}

/* --- the control channel ---------------------------------------------------------------------- */

static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n / 2 > max || strspn(s, "0123456789abcdefABCDEF") != n)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return true;
}

static bool control_insert(emu *e, const char *kind, const char *uid_hex)
{
    static const struct {
        const char *name;
        card_kind kind;
        size_t lens[3];
    } kinds[] = {
        {"mfc", CARD_MFC, {4, 7, 10}},      {"ul", CARD_UL, {4, 7, 10}},
        {"iso4a", CARD_ISO4A, {4, 7, 10}},  {"b", CARD_B, {4, 4, 4}},
        {"idcard", CARD_IDCARD, {8, 8, 8}},
    };
    card c = {.kind = CARD_NONE};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kind, kinds[i].name) != 0)
            continue;
        if (!parse_hex(uid_hex, c.uid, sizeof c.uid, &c.uid_len))
            return false;
        for (size_t j = 0; j < 3; j++)
            if (c.uid_len == kinds[i].lens[j])
                c.kind = kinds[i].kind;
    }
    if (c.kind == CARD_NONE)
        return false;
    e->card = c;
    emu_check_pending(e);
    return true;
}

static bool control_count(const char *arg, unsigned *out)
{
    char *end;
    long v = arg[0] ? strtol(arg, &end, 10) : 1;
    if ((arg[0] && *end) || v < 0 || v > 100000)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Runs one control line; returns false on `quit`. */
static bool control_line(emu *e, const char *line)
{
    char cmd[32] = "", a[CTL_LINE_MAX] = "", b[CTL_LINE_MAX] = "";
    if (sscanf(line, "%31s %255s %255s", cmd, a, b) < 1)
        return true;
    say("ctl %s", line);
    bool ok = true;
    unsigned count = 0;
    if (strcmp(cmd, "insert") == 0) {
        ok = control_insert(e, a, b);
    } else if (strcmp(cmd, "remove") == 0) {
        e->card.kind = CARD_NONE;
    } else if (strcmp(cmd, "ping") == 0) {
        ok = strcmp(a, "on") == 0 || strcmp(a, "off") == 0;
        e->idcard_ping = strcmp(a, "off") != 0;
    } else if (strcmp(cmd, "silence") == 0) {
        e->silent = true;
        e->outq_len = 0;
        e->pending = PEND_NONE;
    } else if (strcmp(cmd, "resume") == 0) {
        e->silent = false;
    } else if (strcmp(cmd, "garbage") == 0 || strcmp(cmd, "badsum") == 0 ||
               strcmp(cmd, "nad") == 0) {
        ok = control_count(a, &count);
        if (ok)
            *(cmd[0] == 'g' ? &e->garbage : cmd[0] == 'b' ? &e->badsum : &e->nad) = count;
    } else if (strcmp(cmd, "slow") == 0) {
        ok = a[0] && control_count(a, &count);
        if (ok)
            e->slow_ms = (int)count;
    } else if (strcmp(cmd, "vanish") == 0) {
        emu_unplug(e);
    } else if (strcmp(cmd, "return") == 0) {
        ok = e->master < 0 && emu_plug(e) == 0;
    } else if (strcmp(cmd, "quit") == 0) {
        return false;
    } else {
        ok = false;
    }
    if (!ok)
        say("ctl: not understood or not possible: %s", line);
    return true;
}

/* Reads what the FIFO has and runs each complete line; returns false on `quit`. */
static bool control_read(emu *e, int fd, char *buf, size_t *len)
{
    ssize_t got = read(fd, buf + *len, CTL_LINE_MAX - 1 - *len);
    if (got <= 0)
        return true;
    *len += (size_t)got;
    for (char *nl = memchr(buf, '\n', *len); nl; nl = memchr(buf, '\n', *len)) {
        *nl = '\0';
        bool go_on = control_line(e, buf);
        size_t rest = *len - (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, rest);
        *len = rest;
        if (!go_on)
            return false;
    }
    if (*len == CTL_LINE_MAX - 1) {
        say("ctl: a line longer than %d bytes is dropped", CTL_LINE_MAX - 2);
        *len = 0;
    }
    return true;
}

/* --- main ------------------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr,
            "usage: pn532_emu --control FIFO [--link PATH] [--log PATH] [--baud N] [--trace]\n");
    return 2;
}

/* How long poll may sleep: until the next queued byte or the end of a waiting InAutoPoll. */
static int emu_timeout_ms(const emu *e)
{
    int64_t next = INT64_MAX, now = now_us();
    if (e->outq_len)
        next = e->outq[0].due_us;
    if (e->pending == PEND_AUTOPOLL && e->pending_deadline_us && e->pending_deadline_us < next)
        next = e->pending_deadline_us;
    if (next == INT64_MAX)
        return -1;
    return next <= now ? 0 : (int)((next - now + 999) / 1000);
}

int main(int argc, char **argv)
{
    static emu e = {.master = -1, .slave = -1, .idcard_ping = true, .noise = 0x2545F491u};
    const char *control = NULL, *log_path = NULL;
    log_out = stderr;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--trace") == 0) {
            trace = true;
            continue;
        }
        if (!v)
            return usage();
        if (strcmp(argv[i], "--control") == 0)
            control = v;
        else if (strcmp(argv[i], "--link") == 0)
            e.link_path = v;
        else if (strcmp(argv[i], "--log") == 0)
            log_path = v;
        else if (strcmp(argv[i], "--baud") == 0)
            e.baud = strtol(v, NULL, 10);
        else
            return usage();
        i++;
    }
    if (!control || (e.link_path && strlen(e.link_path) >= PATH_MAX_EMU) || e.baud < 0)
        return usage();
    if (log_path)
        log_out = fopen(log_path, "a");
    if (!log_out) {
        fprintf(stderr, "pn532_emu: %s: %s\n", log_path, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    if (mkfifo(control, 0600) != 0 && errno != EEXIST) {
        fprintf(stderr, "pn532_emu: mkfifo %s: %s\n", control, strerror(errno));
        return 1;
    }
    /* Read-write: the FIFO then never reports end-of-file when a writer closes it. */
    int ctl = open(control, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (ctl < 0 || emu_plug(&e) != 0)
        return 1;
    char ctl_buf[CTL_LINE_MAX];
    size_t ctl_len = 0;
    for (;;) {
        struct pollfd fds[2] = {{ctl, POLLIN, 0}, {e.master, POLLIN, 0}};
        int n = poll(fds, e.master >= 0 ? 2 : 1, emu_timeout_ms(&e));
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "pn532_emu: poll: %s\n", strerror(errno));
            return 1;
        }
        if (n > 0 && fds[0].revents && !control_read(&e, ctl, ctl_buf, &ctl_len))
            break;
        if (n > 0 && e.master >= 0 && fds[1].revents) {
            ssize_t got = read(e.master, e.in + e.in_len, sizeof e.in - e.in_len);
            if (got > 0 && !e.silent) { /* silent: what came is dropped */
                e.in_len += (size_t)got;
                emu_input(&e);
            }
            if (e.in_len == sizeof e.in) /* nothing but noise: start over */
                e.in_len = 0;
        }
        emu_check_pending(&e);
        emu_flush_due(&e);
    }
    emu_unplug(&e);
    say("quit");
    return 0;
}
