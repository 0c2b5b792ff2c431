/* idcard_proto.c - GA/T 467 frames, status codes and text blocks (see idcard_proto.h). Pure. */
#include "idcard_proto.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const uint8_t preamble[DRV_IDCARD_PREAMBLE_LEN] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

static const struct {
    uint8_t cmd, para;
    const char *what;
} commands[DRV_IDCARD_CMD_COUNT] = {
#define DRV_IDCARD_COMMAND_ROW(e, c, p, w) {c, p, w},
    DRV_IDCARD_COMMAND_MAP(DRV_IDCARD_COMMAND_ROW)
#undef DRV_IDCARD_COMMAND_ROW
};

static const struct {
    uint8_t sw3;
    drv_idcard_action action;
    const char *text;
} statuses[] = {
#define DRV_IDCARD_STATUS_ROW(code, e, action, text) {code, DRV_IDCARD_ACT_##action, text},
    DRV_IDCARD_STATUS_MAP(DRV_IDCARD_STATUS_ROW)
#undef DRV_IDCARD_STATUS_ROW
};

/* Wipes through a volatile pointer so the compiler cannot drop it as a dead store. */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

/* --- building ------------------------------------------------------------------------------ */

/* Writes preamble, LEN, head, tail and the checksum; the body is head then tail. */
static kiosk_rc frame_put(const uint8_t *head, size_t head_len, const uint8_t *tail,
                          size_t tail_len, uint8_t *out, size_t cap, size_t *len)
{
    size_t body_len = head_len + tail_len;
    if (body_len == 0)
        return KIOSK_ERR_INVALID;
    if (body_len + 1 > DRV_IDCARD_LEN_MAX || cap < 7 + body_len + 1)
        return KIOSK_ERR_TOO_BIG;
    size_t frame_len = 7 + body_len + 1;
    memcpy(out, preamble, sizeof preamble);
    out[5] = (uint8_t)((body_len + 1) >> 8);
    out[6] = (uint8_t)(body_len + 1);
    if (head_len)
        memcpy(out + 7, head, head_len);
    if (tail_len)
        memcpy(out + 7 + head_len, tail, tail_len);
    uint8_t chk = 0;
    for (size_t i = 5; i < frame_len - 1; i++)
        chk ^= out[i];
    out[frame_len - 1] = chk;
    *len = frame_len;
    return KIOSK_OK;
}

size_t drv_idcard_request(drv_idcard_command cmd, uint8_t out[DRV_IDCARD_REQUEST_LEN])
{
    if ((unsigned)cmd >= DRV_IDCARD_CMD_COUNT)
        return 0;
    const uint8_t body[2] = {commands[cmd].cmd, commands[cmd].para};
    size_t len = 0;
    return frame_put(body, 2, NULL, 0, out, DRV_IDCARD_REQUEST_LEN, &len) == KIOSK_OK ? len : 0;
}

bool drv_idcard_command_lookup(uint8_t cmd, uint8_t para, drv_idcard_command *out)
{
    for (int i = 0; i < DRV_IDCARD_CMD_COUNT; i++) {
        if (commands[i].cmd == cmd && commands[i].para == para) {
            *out = (drv_idcard_command)i;
            return true;
        }
    }
    return false;
}

const char *drv_idcard_command_name(drv_idcard_command cmd)
{
    return (unsigned)cmd < DRV_IDCARD_CMD_COUNT ? commands[cmd].what : "";
}

kiosk_rc drv_idcard_frame_build(const uint8_t *body, size_t body_len, uint8_t *out, size_t cap,
                                size_t *len)
{
    return frame_put(body, body_len, NULL, 0, out, cap, len);
}

kiosk_rc drv_idcard_reply_build(uint8_t sw3, const uint8_t *data, size_t n, uint8_t *out,
                                size_t cap, size_t *len)
{
    const uint8_t head[3] = {0x00, 0x00, sw3};
    return frame_put(head, sizeof head, data, n, out, cap, len);
}

/* --- parsing ------------------------------------------------------------------------------- */

static size_t be16(const uint8_t *b)
{
    return (size_t)b[0] << 8 | b[1];
}

void drv_idcard_parser_init(drv_idcard_parser *p, drv_idcard_direction dir)
{
    memset(p, 0, sizeof *p);
    p->min_len = dir == DRV_IDCARD_REQUESTS ? 3 : 4;
}

void drv_idcard_parser_reset(drv_idcard_parser *p)
{
    wipe(p->buf, p->held);
    p->start = p->held = p->scanned = p->frame_len = 0;
}

/* Matching the preamble with `matched` bytes already equal and b next: the new count. On a
 * mismatch it is the longest end of (matched bytes + b) that begins the preamble, so
 * "AA AA AA AA 96 69" still matches at its second byte. */
static size_t preamble_step(size_t matched, uint8_t b)
{
    if (preamble[matched] == b)
        return matched + 1;
    for (size_t k = matched; k > 0; k--)
        if (preamble[k - 1] == b && memcmp(preamble, preamble + matched - k + 1, k - 1) == 0)
            return k;
    return 0;
}

/* Drops n bytes from the front of the candidate. */
static void drop(drv_idcard_parser *p, size_t n)
{
    wipe(p->buf + p->start, n);
    p->start += n;
    if (p->start == p->held)
        p->start = p->held = 0;
}

/* A rejected candidate: resume one byte past where it began. */
static void slide(drv_idcard_parser *p)
{
    drop(p, 1);
    p->scanned = 0;
}

/* Examines the candidate's bytes not yet scanned. */
static drv_idcard_parse scan(drv_idcard_parser *p)
{
    while (p->start + p->scanned < p->held) {
        const uint8_t *c = p->buf + p->start;
        size_t at = p->scanned;
        if (at < DRV_IDCARD_PREAMBLE_LEN) {
            size_t k = preamble_step(at, c[at]);
            if (k == at + 1) {
                p->scanned = k;
            } else {
                drop(p, at + 1 - k);
                p->scanned = k;
            }
            continue;
        }
        p->scanned++;
        size_t len = p->scanned >= 7 ? be16(c + 5) : 0;
        if (p->scanned == 7) {
            if (len < p->min_len || len > DRV_IDCARD_LEN_MAX) {
                slide(p);
                return DRV_IDCARD_PARSE_BAD_LENGTH;
            }
        } else if (p->scanned == 7 + len) {
            uint8_t chk = 0;
            for (size_t i = 5; i < 7 + len - 1; i++)
                chk ^= c[i];
            if (chk != c[7 + len - 1]) {
                slide(p);
                return DRV_IDCARD_PARSE_BAD_CHECKSUM;
            }
            p->frame_len = 7 + len;
            return DRV_IDCARD_PARSE_FRAME;
        }
    }
    return DRV_IDCARD_PARSE_MORE;
}

drv_idcard_parse drv_idcard_parser_feed(drv_idcard_parser *p, const uint8_t *data, size_t n,
                                        size_t *used)
{
    *used = 0;
    if (p->frame_len) {
        drop(p, p->frame_len);
        p->frame_len = 0;
        p->scanned = 0;
    }
    for (;;) {
        drv_idcard_parse r = scan(p);
        if (r != DRV_IDCARD_PARSE_MORE || *used == n)
            return r;
        /* Take only the bytes the candidate needs before its next decision (one while matching
         * the preamble, then up to LEN, then up to the checksum), so an outcome never leaves
         * input it has not examined behind it. */
        size_t cand = p->held - p->start, need = 1;
        if (cand >= 7)
            need = 7 + be16(p->buf + p->start + 5) - cand;
        else if (cand >= DRV_IDCARD_PREAMBLE_LEN)
            need = 7 - cand;
        if (sizeof p->buf - p->held < need) {
            /* A candidate and what it needs fit in a frame, so moving it to the front makes
             * room. */
            memmove(p->buf, p->buf + p->start, cand);
            wipe(p->buf + cand, p->held - cand);
            p->held = cand;
            p->start = 0;
        }
        size_t take = n - *used < need ? n - *used : need;
        memcpy(p->buf + p->held, data + *used, take);
        p->held += take;
        *used += take;
    }
}

void drv_idcard_parser_frame(const drv_idcard_parser *p, drv_idcard_frame *out)
{
    const uint8_t *c = p->buf + p->start;
    out->bytes = c;
    out->len = p->frame_len;
    out->body = c + 7;
    out->body_len = p->frame_len >= 8 ? p->frame_len - 8 : 0;
}

/* --- replies ------------------------------------------------------------------------------- */

kiosk_rc drv_idcard_reply_decode(const drv_idcard_frame *frame, drv_idcard_reply *out, char *err,
                                 size_t err_size)
{
    if (frame->body_len < 3)
        return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size, "reply of %zu bytes has no status",
                          frame->len);
    if (frame->body[0] != 0 || frame->body[1] != 0)
        return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size, "reply with SW1 SW2 = %02X %02X",
                          frame->body[0], frame->body[1]);
    out->sw3 = frame->body[2];
    out->data = frame->body + 3;
    out->data_len = frame->body_len - 3;
    return KIOSK_OK;
}

drv_idcard_action drv_idcard_status_action(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].sw3 == sw3)
            return statuses[i].action;
    return DRV_IDCARD_ACT_UNKNOWN;
}

const char *drv_idcard_status_text(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].sw3 == sw3)
            return statuses[i].text;
    return "unknown status";
}

kiosk_rc drv_idcard_read_split(const drv_idcard_reply *reply, bool with_fingerprint,
                               drv_idcard_read *out, char *err, size_t err_size)
{
    size_t head = with_fingerprint ? 6 : 4;
    if (reply->data_len < head)
        return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size, "read reply of %zu data bytes",
                          reply->data_len);
    const uint8_t *d = reply->data;
    size_t tl = be16(d), pl = be16(d + 2), fl = with_fingerprint ? be16(d + 4) : 0;
    if (head + tl + pl + fl != reply->data_len)
        return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size,
                          "read reply lengths %zu+%zu+%zu do not fill its %zu data bytes", tl, pl,
                          fl, reply->data_len - head);
    if (tl != DRV_IDCARD_TEXT_LEN)
        return kiosk_fail(KIOSK_ERR_PROTOCOL, err, err_size, "text block of %zu bytes, not 256",
                          tl);
    out->text = d + head;
    out->text_len = tl;
    out->photo = d + head + tl;
    out->photo_len = pl;
    out->fingerprint = fl ? d + head + tl + pl : NULL;
    out->fingerprint_len = fl;
    return KIOSK_OK;
}

/* --- the text block ------------------------------------------------------------------------ */

/* Byte offsets and sizes of the fields (spec §5). */
enum {
    TYPE_FLAG_AT = 248,
    VALID_FROM_AT = 188,
    VALID_TO_AT = 204,
    DATE_BYTES = 16,
    /* resident, 'J' permit and the 2023 foreigner card */
    NAME_AT = 0,
    NAME_BYTES = 30,
    SEX_AT = 30,
    BIRTH_AT = 36,
    NUMBER_AT = 122,
    NUMBER_BYTES = 36,
    /* the 2023 foreigner card's English name, in two parts */
    Y_ENGLISH_AT = 52,
    Y_ENGLISH_BYTES = 70,
    Y_ENGLISH_MORE_AT = 220,
    Y_ENGLISH_MORE_BYTES = 22,
    /* the 2017 foreigner card */
    I_ENGLISH_AT = 0,
    I_ENGLISH_BYTES = 120,
    I_SEX_AT = 120,
    I_NUMBER_AT = 122,
    I_NUMBER_BYTES = 30,
    I_CHINESE_AT = 158,
    I_CHINESE_BYTES = 30,
    I_BIRTH_AT = 220,
};

#define FIELD_UNITS_MAX 60 /* the longest field: the 2017 card's English name */

typedef struct field {
    uint16_t units[FIELD_UNITS_MAX];
    size_t count;
} field;

/* Appends the UCS-2LE code units of bytes at text+at to f. */
static void field_add(field *f, const uint8_t *text, size_t at, size_t bytes)
{
    for (size_t i = 0; i + 1 < bytes && f->count < FIELD_UNITS_MAX; i += 2)
        f->units[f->count++] = (uint16_t)(text[at + i] | text[at + i + 1] << 8);
}

static bool is_padding(uint16_t u)
{
    return u == 0x0020 || u == 0x0000;
}

/* A code unit a name may not hold: C0 and C1 controls, DEL, surrogates (UCS-2 has none, so a
 * surrogate is damage) and the noncharacters U+FFFE and U+FFFF. */
static bool is_forbidden(uint16_t u)
{
    return u < 0x20 || (u >= 0x7F && u <= 0x9F) || (u >= 0xD800 && u <= 0xDFFF) || u >= 0xFFFE;
}

/* The field as UTF-8 in out (size bytes), padding trimmed at both ends. False when a unit is
 * forbidden or the text does not fit. */
static bool field_utf8(const field *f, char *out, size_t size)
{
    size_t from = 0, to = f->count;
    while (from < to && is_padding(f->units[from]))
        from++;
    while (to > from && is_padding(f->units[to - 1]))
        to--;
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        if (is_forbidden(f->units[i]))
            return false;
        char bytes[4];
        size_t k = kiosk_utf8_encode(f->units[i], bytes);
        if (k == 0 || n + k >= size)
            return false;
        memcpy(out + n, bytes, k);
        n += k;
    }
    out[n] = '\0';
    return true;
}

/* A field that must be ASCII made of the characters in `allowed` (plus digits), 1 to
 * size - 1 of them. */
static bool field_ascii(const field *f, char *out, size_t size, const char *allowed)
{
    if (!field_utf8(f, out, size) || out[0] == '\0')
        return false;
    for (const char *c = out; *c; c++)
        if (!((*c >= '0' && *c <= '9') || strchr(allowed, *c)))
            return false;
    return true;
}

/* A field read from a range of the block. */
static void field_at(field *f, const uint8_t *text, size_t at, size_t bytes)
{
    f->count = 0;
    field_add(f, text, at, bytes);
}

/* A YYYYMMDD date, or "" when the field is not one. */
static void date_at(const uint8_t *text, size_t at, char out[9])
{
    field f;
    field_at(&f, text, at, DATE_BYTES);
    if (!field_ascii(&f, out, 9, "") || strlen(out) != 8)
        out[0] = '\0';
    wipe(&f, sizeof f);
}

static char sex_at(const uint8_t *text, size_t at)
{
    uint16_t u = (uint16_t)(text[at] | text[at + 1] << 8);
    return u == '1' || u == '2' ? (char)u : 0;
}

static const char number_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

kiosk_rc drv_idcard_text_parse(const uint8_t *text, size_t len, drv_idcard_text *out, char *err,
                               size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (len != DRV_IDCARD_TEXT_LEN)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "text block of %zu bytes, not 256", len);
    kiosk_idcard *card = &out->card;
    uint16_t flag = (uint16_t)(text[TYPE_FLAG_AT] | text[TYPE_FLAG_AT + 1] << 8);
    card->type = flag == 'J'   ? KIOSK_IDCARD_HMT_PERMIT
                 : flag == 'I' ? KIOSK_IDCARD_FOREIGNER_OLD
                 : flag == 'Y' ? KIOSK_IDCARD_FOREIGNER_NEW
                               : KIOSK_IDCARD_RESIDENT;
    field name, other, number;
    const char *problem = NULL;
    if (card->type == KIOSK_IDCARD_FOREIGNER_OLD) {
        field_at(&name, text, I_ENGLISH_AT, I_ENGLISH_BYTES);
        field_at(&other, text, I_CHINESE_AT, I_CHINESE_BYTES);
        field_at(&number, text, I_NUMBER_AT, I_NUMBER_BYTES);
        card->sex = sex_at(text, I_SEX_AT);
        date_at(text, I_BIRTH_AT, card->birth);
    } else {
        field_at(&number, text, NUMBER_AT, NUMBER_BYTES);
        card->sex = sex_at(text, SEX_AT);
        date_at(text, BIRTH_AT, card->birth);
        if (card->type == KIOSK_IDCARD_FOREIGNER_NEW) {
            /* One English name in two places: joined before trimming, so a space at the
             * break survives and the padding of the first part does not. */
            field_at(&name, text, Y_ENGLISH_AT, Y_ENGLISH_BYTES);
            field_add(&name, text, Y_ENGLISH_MORE_AT, Y_ENGLISH_MORE_BYTES);
            field_at(&other, text, NAME_AT, NAME_BYTES);
        } else {
            field_at(&name, text, NAME_AT, NAME_BYTES);
            other.count = 0;
        }
    }
    if (!field_utf8(&name, card->name, sizeof card->name))
        problem = "the name holds a control character or is too long";
    else if (!card->name[0] && !field_utf8(&other, card->name, sizeof card->name))
        problem = "the Chinese name holds a control character";
    else if (!card->name[0])
        problem = "the card has no name";
    else if (!field_ascii(&number, card->number, sizeof card->number, number_chars))
        problem = "the card number is not 1 to 18 letters and digits";
    date_at(text, VALID_FROM_AT, out->valid_from);
    field_at(&other, text, VALID_TO_AT, DATE_BYTES);
    out->long_term = other.count >= 2 && other.units[0] == 0x957F && other.units[1] == 0x671F;
    if (!out->long_term)
        date_at(text, VALID_TO_AT, out->valid_to);
    wipe(&name, sizeof name);
    wipe(&other, sizeof other);
    wipe(&number, sizeof number);
    if (problem) {
        wipe(out, sizeof *out);
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "text block: %s", problem);
    }
    return KIOSK_OK;
}

/* --- the SAM ------------------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void drv_idcard_sam_id_format(const uint8_t raw[DRV_IDCARD_SAM_ID_LEN], char *out, size_t size)
{
    unsigned a = (unsigned)(raw[0] | raw[1] << 8), b = (unsigned)(raw[2] | raw[3] << 8);
    snprintf(out, size, "%02u.%02u-%08lu-%010lu-%010lu", a, b, (unsigned long)le32(raw + 4),
             (unsigned long)le32(raw + 8), (unsigned long)le32(raw + 12));
}
