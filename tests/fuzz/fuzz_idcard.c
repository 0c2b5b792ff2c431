/* fuzz_idcard.c - fuzz target for the ID-card reader's frame parser and text-block parser
 * (drivers/idcard_proto.h). Beyond "no crash" it checks that:
 *   - every frame the parser gives has the preamble, a LEN within bounds, 7 + LEN bytes and a
 *     correct XOR, and every input byte is taken;
 *   - the outcomes do not depend on how the bytes are split into reads (all at once, one at a
 *     time, or in chunks chosen by the input);
 *   - a reply built from the input's bytes parses back to the same bytes;
 *   - a text block (the input's first 256 bytes, space-padded) either parses into well-formed
 *     fields (valid UTF-8 without control characters, a number of 1-18 letters and digits, a
 *     birth of 8 digits or none, sex '1', '2' or unknown) or is refused with a terminated
 *     message that repeats none of the block's number. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idcard_proto.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUTCOMES 512

typedef struct outcomes {
    char kind[MAX_OUTCOMES];
    uint32_t sum[MAX_OUTCOMES]; /* a hash of each frame's bytes */
    size_t count;
} outcomes;

static uint32_t hash(const uint8_t *b, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static void check_frame(const drv_idcard_frame *f, size_t min_len)
{
    static const uint8_t preamble[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
    if (f->len < 7 || memcmp(f->bytes, preamble, 5) != 0)
        abort();
    size_t len = (size_t)f->bytes[5] << 8 | f->bytes[6];
    if (len < min_len || len > DRV_IDCARD_LEN_MAX || f->len != 7 + len)
        abort();
    if (f->body != f->bytes + 7 || f->body_len != len - 1)
        abort();
    uint8_t x = 0;
    for (size_t i = 5; i < f->len - 1; i++)
        x ^= f->bytes[i];
    if (x != f->bytes[f->len - 1])
        abort();
}

/* Runs the parser over data, giving it `chunk(i)` bytes at a time. */
static void run_parser(drv_idcard_parser *p, drv_idcard_direction dir, const uint8_t *data,
                       size_t size, const uint8_t *chunks, size_t chunk_count, outcomes *out)
{
    drv_idcard_parser_init(p, dir);
    out->count = 0;
    size_t off = 0, k = 0;
    while (off < size) {
        size_t give = chunk_count ? 1 + (size_t)(chunks[k++ % chunk_count] % 97) : size - off;
        if (give > size - off)
            give = size - off;
        size_t end = off + give;
        drv_idcard_parse r;
        do {
            size_t used;
            r = drv_idcard_parser_feed(p, data + off, end - off, &used);
            if (used > end - off)
                abort();
            off += used;
            if (r == DRV_IDCARD_PARSE_MORE)
                break;
            if (out->count == MAX_OUTCOMES)
                continue;
            out->kind[out->count] = (char)r;
            out->sum[out->count] = 0;
            if (r == DRV_IDCARD_PARSE_FRAME) {
                drv_idcard_frame f;
                drv_idcard_parser_frame(p, &f);
                check_frame(&f, dir == DRV_IDCARD_REQUESTS ? 3 : 4);
                out->sum[out->count] = hash(f.bytes, f.len);
            }
            out->count++;
        } while (1);
        if (off != end)
            abort(); /* MORE means every byte given was taken */
    }
}

static bool same_outcomes(const outcomes *a, const outcomes *b)
{
    return a->count == b->count && memcmp(a->kind, b->kind, a->count) == 0 &&
           memcmp(a->sum, b->sum, a->count * sizeof a->sum[0]) == 0;
}

static void require_terminated(const char *s, size_t capacity)
{
    if (memchr(s, '\0', capacity) == NULL)
        abort();
}

static void check_text(const uint8_t *data, size_t size)
{
    uint8_t text[DRV_IDCARD_TEXT_LEN];
    for (size_t i = 0; i < sizeof text; i += 2) {
        text[i] = 0x20;
        text[i + 1] = 0x00;
    }
    memcpy(text, data, size < sizeof text ? size : sizeof text);
    drv_idcard_text t;
    char err[160];
    memset(err, 0x55, sizeof err);
    kiosk_rc rc = drv_idcard_text_parse(text, sizeof text, &t, err, sizeof err);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_ERR_PARSE)
            abort();
        require_terminated(err, sizeof err);
        if (t.card.name[0] || t.card.number[0])
            abort(); /* nothing half-parsed is left behind */
        /* The refusal never quotes the number field's characters. */
        char number[19] = "";
        size_t n = 0;
        for (size_t i = 122; i + 1 < 158 && n < 18; i += 2)
            if (text[i + 1] == 0 && text[i] >= '0' && text[i] <= '9')
                number[n++] = (char)text[i];
        number[n] = '\0';
        if (n >= 6 && strstr(err, number))
            abort();
        return;
    }
    require_terminated(t.card.name, sizeof t.card.name);
    require_terminated(t.card.number, sizeof t.card.number);
    require_terminated(t.card.birth, sizeof t.card.birth);
    size_t name_len = strlen(t.card.name);
    if (name_len == 0 || !kiosk_utf8_valid(t.card.name, name_len))
        abort();
    for (size_t i = 0; i < name_len;) {
        size_t used;
        uint32_t cp = kiosk_utf8_next(t.card.name + i, name_len - i, &used);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xDFFF))
            abort();
        i += used;
    }
    if (t.card.name[0] == ' ' || t.card.name[name_len - 1] == ' ')
        abort(); /* trimmed */
    size_t number_len = strlen(t.card.number);
    if (number_len < 1 || number_len > 18)
        abort();
    for (size_t i = 0; i < number_len; i++) {
        char c = t.card.number[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            abort();
    }
    size_t birth_len = strlen(t.card.birth);
    if (birth_len != 0 && birth_len != 8)
        abort();
    for (size_t i = 0; i < birth_len; i++)
        if (t.card.birth[i] < '0' || t.card.birth[i] > '9')
            abort();
    if (t.card.sex != 0 && t.card.sex != '1' && t.card.sex != '2')
        abort();
    if ((unsigned)t.card.type > KIOSK_IDCARD_FOREIGNER_NEW)
        abort();
    if (t.long_term && t.valid_to[0])
        abort();
}

/* A reply built around the input parses back to exactly itself, and a read reply's parts stay
 * inside it. */
static void check_roundtrip(const uint8_t *data, size_t size)
{
    static uint8_t frame[DRV_IDCARD_FRAME_MAX];
    static drv_idcard_parser p;
    size_t n = size > DRV_IDCARD_LEN_MAX - 4 ? DRV_IDCARD_LEN_MAX - 4 : size, len;
    if (drv_idcard_reply_build(0x90, data, n, frame, sizeof frame, &len) != KIOSK_OK)
        abort();
    drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
    size_t used;
    if (drv_idcard_parser_feed(&p, frame, len, &used) != DRV_IDCARD_PARSE_FRAME || used != len)
        abort();
    drv_idcard_frame f;
    drv_idcard_parser_frame(&p, &f);
    drv_idcard_reply r;
    if (f.len != len || memcmp(f.bytes, frame, len) != 0 ||
        drv_idcard_reply_decode(&f, &r, NULL, 0) != KIOSK_OK || r.sw3 != 0x90 || r.data_len != n)
        abort();
    for (int fp = 0; fp < 2; fp++) {
        drv_idcard_read parts;
        if (drv_idcard_read_split(&r, fp, &parts, NULL, 0) != KIOSK_OK)
            continue;
        const uint8_t *end = r.data + r.data_len;
        if (parts.text_len != DRV_IDCARD_TEXT_LEN || parts.text < r.data ||
            parts.text + parts.text_len > end || parts.photo + parts.photo_len > end ||
            (parts.fingerprint && parts.fingerprint + parts.fingerprint_len > end))
            abort();
        check_text(parts.text, parts.text_len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static drv_idcard_parser p;
    static outcomes whole, single, chunked;
    static const uint8_t one = 0;
    for (int dir = 0; dir < 2; dir++) {
        drv_idcard_direction d = dir ? DRV_IDCARD_REPLIES : DRV_IDCARD_REQUESTS;
        run_parser(&p, d, data, size, NULL, 0, &whole);
        run_parser(&p, d, data, size, &one, 1, &single);
        run_parser(&p, d, data, size, data, size < 16 ? size : 16, &chunked);
        if (!same_outcomes(&whole, &single) || !same_outcomes(&whole, &chunked))
            abort();
    }
    check_text(data, size);
    check_roundtrip(data, size);
    return 0;
}
