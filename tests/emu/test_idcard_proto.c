/* test_idcard_proto.c - the GA/T 467 protocol module byte for byte against the frames of
 * /work/shared/specs/idcard-reader.md (§3, §9): every request, the replies, the 1295-byte read
 * reply of the spec's synthetic card, bad checksums, short and long LEN, garbage before a
 * frame, the four card types' text blocks, 长期 validity, the status table and the SAM id. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "idcard_proto.h"

/* Bytes from hex text ("AA AA 96"); returns the count. */
static size_t hex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*text && n < cap) {
        if (*text == ' ') {
            text++;
            continue;
        }
        char pair[3] = {text[0], text[1], 0};
        out[n++] = (uint8_t)strtoul(pair, NULL, 16);
        text += 2;
    }
    return n;
}

static bool same(const uint8_t *a, size_t a_len, const char *expected_hex)
{
    uint8_t want[64];
    size_t n = hex(expected_hex, want, sizeof want);
    return a_len == n && memcmp(a, want, n) == 0;
}

/* Feeds bytes in chunks of `chunk` and collects the outcomes in order (one letter each: F frame,
 * L bad length, C bad checksum); the last frame is copied to frame_out. */
static void feed_all(drv_idcard_parser *p, const uint8_t *data, size_t n, size_t chunk,
                     char *outcomes, size_t cap, uint8_t *frame_out, size_t *frame_len)
{
    size_t k = 0, off = 0;
    *frame_len = 0;
    while (off < n) {
        size_t give = n - off < chunk ? n - off : chunk;
        drv_idcard_parse r;
        do {
            size_t used;
            r = drv_idcard_parser_feed(p, data + off, give, &used);
            off += used;
            give -= used;
            if (r == DRV_IDCARD_PARSE_FRAME) {
                drv_idcard_frame f;
                drv_idcard_parser_frame(p, &f);
                memcpy(frame_out, f.bytes, f.len);
                *frame_len = f.len;
            }
            if (r != DRV_IDCARD_PARSE_MORE && k + 1 < cap)
                outcomes[k++] = r == DRV_IDCARD_PARSE_FRAME        ? 'F'
                                : r == DRV_IDCARD_PARSE_BAD_LENGTH ? 'L'
                                                                   : 'C';
        } while (r != DRV_IDCARD_PARSE_MORE);
    }
    outcomes[k] = '\0';
}

static void test_requests(void)
{
    static const char *const want[DRV_IDCARD_CMD_COUNT] = {
        "AA AA AA 96 69 00 03 10 FF EC", "AA AA AA 96 69 00 03 11 FF ED",
        "AA AA AA 96 69 00 03 12 FF EE", "AA AA AA 96 69 00 03 20 01 22",
        "AA AA AA 96 69 00 03 20 02 21", "AA AA AA 96 69 00 03 30 01 32",
        "AA AA AA 96 69 00 03 30 10 23",
    };
    for (int c = 0; c < DRV_IDCARD_CMD_COUNT; c++) {
        uint8_t out[DRV_IDCARD_REQUEST_LEN];
        size_t n = drv_idcard_request((drv_idcard_command)c, out);
        CHECK_INT(n, 10);
        CHECK(same(out, n, want[c]));
        drv_idcard_command back;
        CHECK(drv_idcard_command_lookup(out[7], out[8], &back));
        CHECK_INT(back, c);
        CHECK(drv_idcard_command_name((drv_idcard_command)c)[0] != '\0');
    }
    uint8_t out[16];
    CHECK_INT(drv_idcard_request(DRV_IDCARD_CMD_COUNT, out), 0);
    drv_idcard_command back;
    CHECK(!drv_idcard_command_lookup(0x20, 0x00, &back)); /* a wrong constant seen in the wild */
    /* The optional "max RF bytes" command of the table carries one byte of data. */
    const uint8_t body[] = {0x61, 0xFF, 0x50};
    size_t len;
    CHECK_INT(drv_idcard_frame_build(body, sizeof body, out, sizeof out, &len), KIOSK_OK);
    CHECK(same(out, len, "AA AA AA 96 69 00 04 61 FF 50 CA"));
    CHECK_INT(drv_idcard_frame_build(body, 0, out, sizeof out, &len), KIOSK_ERR_INVALID);
    CHECK_INT(drv_idcard_frame_build(body, sizeof body, out, 10, &len), KIOSK_ERR_TOO_BIG);
    static uint8_t big[DRV_IDCARD_LEN_MAX + 16], big_out[DRV_IDCARD_FRAME_MAX + 16];
    CHECK_INT(drv_idcard_frame_build(big, DRV_IDCARD_LEN_MAX - 1, big_out, sizeof big_out, &len),
              KIOSK_OK);
    CHECK_INT(len, DRV_IDCARD_FRAME_MAX);
    CHECK_INT(drv_idcard_frame_build(big, DRV_IDCARD_LEN_MAX, big_out, sizeof big_out, &len),
              KIOSK_ERR_TOO_BIG);
}

/* The emulator's side: requests parse with LEN 3. */
static void test_request_parsing(void)
{
    drv_idcard_parser p;
    drv_idcard_parser_init(&p, DRV_IDCARD_REQUESTS);
    uint8_t in[32], frame[32];
    size_t n = hex("AA AA AA 96 69 00 03 20 01 22", in, sizeof in), len;
    char outcomes[8];
    feed_all(&p, in, n, 3, outcomes, sizeof outcomes, frame, &len);
    CHECK_STR(outcomes, "F");
    CHECK(same(frame, len, "AA AA AA 96 69 00 03 20 01 22"));
    /* The same bytes are too short for a reply. */
    drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
    feed_all(&p, in, n, 64, outcomes, sizeof outcomes, frame, &len);
    CHECK_STR(outcomes, "L");
}

/* Each reply of the spec: built byte-exact, parsed back, decoded, and its action. */
static void test_replies(void)
{
    static const struct {
        const char *frame;
        uint8_t sw3;
        size_t data_len;
        drv_idcard_action action;
    } cases[] = {
        {"AA AA AA 96 69 00 04 00 00 90 94", 0x90, 0, DRV_IDCARD_ACT_OK},
        {"AA AA AA 96 69 00 04 00 00 60 64", 0x60, 0, DRV_IDCARD_ACT_SAM_RESET},
        {"AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, 4, DRV_IDCARD_ACT_OK},
        {"AA AA AA 96 69 00 04 00 00 80 84", 0x80, 0, DRV_IDCARD_ACT_NO_CARD},
        {"AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0x90, 8, DRV_IDCARD_ACT_OK},
        {"AA AA AA 96 69 00 04 00 00 81 85", 0x81, 0, DRV_IDCARD_ACT_RESTART},
        {"AA AA AA 96 69 00 04 00 00 41 45", 0x41, 0, DRV_IDCARD_ACT_RESTART},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t in[64], data[16] = {0}, built[64], frame[64];
        size_t n = hex(cases[i].frame, in, sizeof in), len;
        CHECK_INT(drv_idcard_reply_build(cases[i].sw3, data, cases[i].data_len, built, sizeof built,
                                         &len),
                  KIOSK_OK);
        CHECK(same(built, len, cases[i].frame));
        drv_idcard_parser p;
        drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
        char outcomes[8];
        feed_all(&p, in, n, 1, outcomes, sizeof outcomes, frame, &len);
        CHECK_STR(outcomes, "F");
        CHECK_INT(len, n);
        drv_idcard_frame f = {frame, len, frame + 7, len - 8};
        drv_idcard_reply r;
        CHECK_INT(drv_idcard_reply_decode(&f, &r, NULL, 0), KIOSK_OK);
        CHECK_INT(r.sw3, cases[i].sw3);
        CHECK_INT(r.data_len, cases[i].data_len);
        CHECK_INT(drv_idcard_status_action(r.sw3), cases[i].action);
    }
    /* SW1/SW2 other than zero. */
    uint8_t body[] = {0x01, 0x00, 0x90}, out[16];
    size_t len;
    CHECK_INT(drv_idcard_frame_build(body, sizeof body, out, sizeof out, &len), KIOSK_OK);
    drv_idcard_frame f = {out, len, out + 7, len - 8};
    drv_idcard_reply r;
    char err[96];
    CHECK_INT(drv_idcard_reply_decode(&f, &r, err, sizeof err), KIOSK_ERR_PROTOCOL);
    CHECK_STR(err, "reply with SW1 SW2 = 01 00");
}

static void test_status_table(void)
{
    static const struct {
        uint8_t sw3;
        drv_idcard_action action;
    } table[] = {
        {0x90, DRV_IDCARD_ACT_OK},         {0x91, DRV_IDCARD_ACT_ABSENT},
        {0x9F, DRV_IDCARD_ACT_OK},         {0x10, DRV_IDCARD_ACT_RESEND},
        {0x11, DRV_IDCARD_ACT_RESEND},     {0x21, DRV_IDCARD_ACT_RESYNC},
        {0x23, DRV_IDCARD_ACT_RESYNC},     {0x24, DRV_IDCARD_ACT_RETRY},
        {0x31, DRV_IDCARD_ACT_REPOSITION}, {0x32, DRV_IDCARD_ACT_REJECT},
        {0x33, DRV_IDCARD_ACT_REJECT},     {0x37, DRV_IDCARD_ACT_REJECT},
        {0x3F, DRV_IDCARD_ACT_RETRY},      {0x40, DRV_IDCARD_ACT_REJECT},
        {0x41, DRV_IDCARD_ACT_RESTART},    {0x47, DRV_IDCARD_ACT_RETRY},
        {0x60, DRV_IDCARD_ACT_SAM_RESET},  {0x66, DRV_IDCARD_ACT_SAM_FAULT},
        {0x80, DRV_IDCARD_ACT_NO_CARD},    {0x81, DRV_IDCARD_ACT_RESTART},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        CHECK_INT(drv_idcard_status_action(table[i].sw3), table[i].action);
        CHECK(strcmp(drv_idcard_status_text(table[i].sw3), "unknown status") != 0);
    }
    /* Host-library codes never appear on the wire (spec §4), nor does 00. */
    static const uint8_t unknown[] = {0x00, 0x01, 0x02, 0x03, 0x05, 0x09, 0xFF};
    for (size_t i = 0; i < sizeof unknown; i++) {
        CHECK_INT(drv_idcard_status_action(unknown[i]), DRV_IDCARD_ACT_UNKNOWN);
        CHECK_STR(drv_idcard_status_text(unknown[i]), "unknown status");
    }
    CHECK_STR(drv_idcard_status_text(0x41), "the read failed (card moved or lifted)");
}

static void test_sam_id(void)
{
    /* a=5, b=1, c=20230101, d=123456789, e=4294967295, little-endian; LEN 00 14. */
    uint8_t raw[16] = {0x05, 0x00, 0x01, 0x00, 0xD5, 0xAF, 0x34, 0x01,
                       0x15, 0xCD, 0x5B, 0x07, 0xFF, 0xFF, 0xFF, 0xFF};
    char text[DRV_IDCARD_SAM_ID_TEXT];
    drv_idcard_sam_id_format(raw, text, sizeof text);
    CHECK_STR(text, "05.01-20230101-0123456789-4294967295");
    uint8_t frame[32];
    size_t len;
    CHECK_INT(drv_idcard_reply_build(0x90, raw, sizeof raw, frame, sizeof frame, &len), KIOSK_OK);
    CHECK_INT(len, 27);
    CHECK(frame[5] == 0x00 && frame[6] == 0x14);
}

/* --- the read reply of the spec's synthetic card (§9.3) -------------------------------------- */

static const char *const spec_text_rows[] = {
    /* +000 */ "4E 67 DB 56 20 00 20 00 20 00 20 00 20 00 20 00",
    /* +016 */ "20 00 20 00 20 00 20 00 20 00 20 00 20 00 32 00",
    /* +032 */ "30 00 31 00 31 00 39 00 34 00 39 00 31 00 32 00",
    /* +048 */ "33 00 31 00 17 53 AC 4E 02 5E 1D 67 33 96 3A 53",
    /* +064 */ "3A 79 8B 4F EF 8D 31 00 F7 53 20 00 20 00 20 00",
    /* +080 */ "20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00",
    /* +096 */ "20 00 20 00 20 00 20 00 20 00 20 00 20 00 20 00",
    /* +112 */ "20 00 20 00 20 00 20 00 20 00 31 00 31 00 30 00",
    /* +128 */ "31 00 30 00 35 00 31 00 39 00 34 00 39 00 31 00",
    /* +144 */ "32 00 33 00 31 00 30 00 30 00 32 00 58 00 17 53",
    /* +160 */ "AC 4E 02 5E 6C 51 89 5B 40 5C 1D 67 33 96 06 52",
    /* +176 */ "40 5C 20 00 20 00 20 00 20 00 20 00 32 00 30 00",
    /* +192 */ "32 00 30 00 30 00 31 00 30 00 31 00 7F 95 1F 67",
};

static void spec_text(uint8_t text[256])
{
    for (size_t i = 0; i < 256; i += 2) {
        text[i] = 0x20;
        text[i + 1] = 0x00;
    }
    for (size_t r = 0; r < sizeof spec_text_rows / sizeof spec_text_rows[0]; r++)
        hex(spec_text_rows[r], text + 16 * r, 16);
}

static void test_spec_read_reply(void)
{
    static uint8_t data[4 + 256 + 1024], frame[DRV_IDCARD_FRAME_MAX];
    hex("01 00 04 00", data, 4);
    spec_text(data + 4);
    memset(data + 260, 0, 1024);
    size_t len;
    CHECK_INT(drv_idcard_reply_build(0x90, data, sizeof data, frame, sizeof frame, &len), KIOSK_OK);
    CHECK_INT(len, 1295);
    CHECK(same(frame, 14, "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"));
    CHECK_INT(frame[1294], 0x51);

    /* Parsed whole, one byte at a time and in odd chunks: the same frame each time. */
    static const size_t chunks[] = {4096, 1, 7, 333};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        static drv_idcard_parser p;
        static uint8_t got[DRV_IDCARD_FRAME_MAX];
        drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
        char outcomes[8];
        size_t got_len;
        feed_all(&p, frame, len, chunks[c], outcomes, sizeof outcomes, got, &got_len);
        CHECK_STR(outcomes, "F");
        CHECK(got_len == len && memcmp(got, frame, len) == 0);
    }

    static drv_idcard_parser p;
    drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
    size_t used;
    CHECK_INT(drv_idcard_parser_feed(&p, frame, len, &used), DRV_IDCARD_PARSE_FRAME);
    CHECK_INT(used, len);
    drv_idcard_frame f;
    drv_idcard_parser_frame(&p, &f);
    drv_idcard_reply r;
    CHECK_INT(drv_idcard_reply_decode(&f, &r, NULL, 0), KIOSK_OK);
    drv_idcard_read parts;
    CHECK_INT(drv_idcard_read_split(&r, false, &parts, NULL, 0), KIOSK_OK);
    CHECK_INT(parts.text_len, 256);
    CHECK_INT(parts.photo_len, 1024);
    CHECK_INT(parts.fingerprint_len, 0);
    CHECK(parts.text == f.bytes + 14 && parts.photo == f.bytes + 270);

    drv_idcard_text t;
    char err[128];
    CHECK_INT(drv_idcard_text_parse(parts.text, parts.text_len, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.type, KIOSK_IDCARD_RESIDENT);
    CHECK_STR(t.card.name, "李四");
    CHECK_STR(t.card.number, "11010519491231002X");
    CHECK_INT(t.card.sex, '2');
    CHECK_STR(t.card.birth, "19491231");
    CHECK_STR(t.valid_from, "20200101");
    CHECK(t.long_term);
    CHECK_STR(t.valid_to, "");

    /* Reset wipes what the parser held. */
    drv_idcard_parser_reset(&p);
    bool zero = true;
    for (size_t i = 0; i < sizeof p.buf; i++)
        zero = zero && p.buf[i] == 0;
    CHECK(zero);
}

/* 30 10 with and without fingerprints (§3.3, §9.4). */
static void test_fingerprint_read(void)
{
    static uint8_t data[6 + 256 + 1024 + 1024], frame[DRV_IDCARD_FRAME_MAX];
    hex("01 00 04 00 04 00", data, 6);
    spec_text(data + 6);
    size_t len;
    CHECK_INT(drv_idcard_reply_build(0x90, data, sizeof data, frame, sizeof frame, &len), KIOSK_OK);
    CHECK_INT(len, 2321);
    CHECK(same(frame, 16, "AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00"));
    drv_idcard_frame f = {frame, len, frame + 7, len - 8};
    drv_idcard_reply r;
    CHECK_INT(drv_idcard_reply_decode(&f, &r, NULL, 0), KIOSK_OK);
    drv_idcard_read parts;
    CHECK_INT(drv_idcard_read_split(&r, true, &parts, NULL, 0), KIOSK_OK);
    CHECK_INT(parts.fingerprint_len, 1024);
    CHECK(parts.text == frame + 16);
    /* Read as a 30 01 reply its lengths do not add up. */
    char err[128];
    CHECK_INT(drv_idcard_read_split(&r, false, &parts, err, sizeof err), KIOSK_ERR_PROTOCOL);

    hex("01 00 04 00 00 00", data, 6);
    CHECK_INT(drv_idcard_reply_build(0x90, data, 6 + 256 + 1024, frame, sizeof frame, &len),
              KIOSK_OK);
    CHECK_INT(len, 1297);
    CHECK(frame[5] == 0x05 && frame[6] == 0x0A);
    f = (drv_idcard_frame){frame, len, frame + 7, len - 8};
    CHECK_INT(drv_idcard_reply_decode(&f, &r, NULL, 0), KIOSK_OK);
    CHECK_INT(drv_idcard_read_split(&r, true, &parts, NULL, 0), KIOSK_OK);
    CHECK_INT(parts.fingerprint_len, 0);
    CHECK(parts.fingerprint == NULL);

    /* A text block that is not 256 bytes, and a reply too short for its length fields. */
    hex("00 FF 04 00 00 01", data, 6);
    r = (drv_idcard_reply){0x90, data, 6 + 255 + 1024 + 1};
    CHECK_INT(drv_idcard_read_split(&r, true, &parts, err, sizeof err), KIOSK_ERR_PROTOCOL);
    CHECK_STR(err, "text block of 255 bytes, not 256");
    r.data_len = 3;
    CHECK_INT(drv_idcard_read_split(&r, false, &parts, err, sizeof err), KIOSK_ERR_PROTOCOL);
}

/* --- damage and resynchronisation ---------------------------------------------------------- */

static void test_resync(void)
{
    static const struct {
        const char *what, *stream, *outcomes, *last_frame;
    } cases[] = {
        {"garbage before a frame", "00 13 AA AA 12 AA 96 AA AA AA AA 96 69 00 04 00 00 80 84", "F",
         "AA AA AA 96 69 00 04 00 00 80 84"},
        {"bad checksum, then a good frame",
         "AA AA AA 96 69 00 04 00 00 90 95 AA AA AA 96 69 00 04 00 00 90 94", "CF",
         "AA AA AA 96 69 00 04 00 00 90 94"},
        {"LEN too short", "AA AA AA 96 69 00 03 00 00 AA AA AA 96 69 00 04 00 00 80 84", "LF",
         "AA AA AA 96 69 00 04 00 00 80 84"},
        {"LEN zero", "AA AA AA 96 69 00 00 AA AA AA 96 69 00 04 00 00 80 84", "LF",
         "AA AA AA 96 69 00 04 00 00 80 84"},
        {"LEN too long", "AA AA AA 96 69 0A 01 AA AA AA 96 69 00 04 00 00 80 84", "LF",
         "AA AA AA 96 69 00 04 00 00 80 84"},
        /* A false preamble whose LEN swallows the start of the real frame: after the checksum
         * fails the real frame is found among the bytes already taken. */
        {"a frame inside a rejected one", "AA AA AA 96 69 00 08 AA AA AA 96 69 00 04 00 00 80 84",
         "CF", "AA AA AA 96 69 00 04 00 00 80 84"},
        /* A preamble whose LEN bytes are the next preamble. */
        {"preamble as LEN", "AA AA AA 96 69 AA AA AA 96 69 00 04 00 00 90 94", "LF",
         "AA AA AA 96 69 00 04 00 00 90 94"},
        {"two frames back to back",
         "AA AA AA 96 69 00 04 00 00 80 84 AA AA AA 96 69 00 04 00 00 90 94", "FF",
         "AA AA AA 96 69 00 04 00 00 90 94"},
        {"only garbage", "13 AA AA 96 69 AA 00 FF", "", ""},
    };
    static const size_t chunks[] = {1, 2, 5, 64};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            uint8_t in[128], frame[128];
            size_t n = hex(cases[i].stream, in, sizeof in), len;
            drv_idcard_parser p;
            drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
            char outcomes[16];
            feed_all(&p, in, n, chunks[c], outcomes, sizeof outcomes, frame, &len);
            if (strcmp(outcomes, cases[i].outcomes) != 0)
                fprintf(stderr, "case '%s', chunk %zu:\n", cases[i].what, chunks[c]);
            CHECK_STR(outcomes, cases[i].outcomes);
            if (cases[i].last_frame[0])
                CHECK(same(frame, len, cases[i].last_frame));
            else
                CHECK_INT(len, 0);
        }
    }
    /* After a frame the parser keeps no garbage: a long run of noise, then a frame. */
    static uint8_t noise[3 * DRV_IDCARD_FRAME_MAX];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)(i % 3 == 2 ? 0x96 : 0xAA);
    size_t n = hex("AA AA AA 96 69 00 04 00 00 80 84", noise + sizeof noise - 11, 11);
    CHECK_INT(n, 11);
    static drv_idcard_parser p;
    drv_idcard_parser_init(&p, DRV_IDCARD_REPLIES);
    char outcomes[8];
    uint8_t frame[32];
    size_t len;
    feed_all(&p, noise, sizeof noise, 100, outcomes, sizeof outcomes, frame, &len);
    CHECK_STR(outcomes, "F");
}

/* --- text blocks of each card type ------------------------------------------------------------ */

/* Writes the code points of a UTF-8 string (BMP only, as the test strings are) as UCS-2LE at
 * text+at; a tiny second decoder, so the module's own is checked against it. */
static void put(uint8_t *text, size_t at, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    while (*s) {
        unsigned cp;
        if (*s < 0x80) {
            cp = *s++;
        } else if (*s < 0xE0) {
            cp = (unsigned)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
            s += 2;
        } else {
            cp = (unsigned)(s[0] & 0x0F) << 12 | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
            s += 3;
        }
        text[at++] = (uint8_t)cp;
        text[at++] = (uint8_t)(cp >> 8);
    }
}

static void blank(uint8_t text[256])
{
    for (size_t i = 0; i < 256; i += 2) {
        text[i] = 0x20;
        text[i + 1] = 0;
    }
}

static void test_card_types(void)
{
    uint8_t text[256];
    drv_idcard_text t;
    char err[128];

    /* Hong Kong / Macau / Taiwan residence permit: the resident layout, no nation, flag 'J'. */
    blank(text);
    put(text, 0, "陈大文");
    put(text, 30, "1");
    put(text, 36, "19800101");
    put(text, 52, "广东省深圳市福田区");
    put(text, 122, "810000198001010016");
    put(text, 188, "20190101");
    put(text, 204, "20240101");
    put(text, 220, "H12345678");
    put(text, 238, "01");
    put(text, 248, "J");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.type, KIOSK_IDCARD_HMT_PERMIT);
    CHECK_STR(t.card.name, "陈大文");
    CHECK_STR(t.card.number, "810000198001010016");
    CHECK_INT(t.card.sex, '1');
    CHECK_STR(t.card.birth, "19800101");
    CHECK(!t.long_term);
    CHECK_STR(t.valid_to, "20240101");

    /* Foreigner card of 2017 ('I'): English name of 60 characters, a 15-character number,
     * birth at 220. */
    blank(text);
    put(text, 0, "SMITH, JOHN ALEXANDER");
    put(text, 120, "1");
    put(text, 122, "USA110079031501");
    put(text, 152, "USA");
    put(text, 158, "史约翰");
    put(text, 188, "20170601");
    put(text, 204, "20270601");
    put(text, 220, "19790315");
    put(text, 236, "01");
    put(text, 240, "1100");
    put(text, 248, "I");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.type, KIOSK_IDCARD_FOREIGNER_OLD);
    CHECK_STR(t.card.name, "SMITH, JOHN ALEXANDER");
    CHECK_STR(t.card.number, "USA110079031501");
    CHECK_INT(t.card.sex, '1');
    CHECK_STR(t.card.birth, "19790315");
    CHECK_STR(t.valid_from, "20170601");
    CHECK_STR(t.valid_to, "20270601");
    /* Without an English name, the Chinese one. */
    put(text, 0, "                     ");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_STR(t.card.name, "史约翰");

    /* Foreigner card of 2023 ('Y'): a 46-character English name in two parts (35 + 11). */
    blank(text);
    put(text, 0, "玛丽");
    put(text, 30, "2");
    put(text, 32, "01");
    put(text, 36, "19900215");
    put(text, 52, "MARTINEZ-GARCIA, MARIA DE LOS ANGEL"); /* exactly 35 characters */
    put(text, 122, "932000199002150021");
    put(text, 188, "20230901");
    put(text, 204, "20330901");
    put(text, 220, "ES ROSA");
    put(text, 242, "ESP");
    put(text, 248, "Y");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.type, KIOSK_IDCARD_FOREIGNER_NEW);
    CHECK_STR(t.card.name, "MARTINEZ-GARCIA, MARIA DE LOS ANGELES ROSA");
    CHECK_STR(t.card.number, "932000199002150021");
    CHECK_INT(t.card.sex, '2');
    CHECK_STR(t.card.birth, "19900215");
    /* A short English name: the second part is padding. */
    blank(text);
    put(text, 0, "玛丽");
    put(text, 30, "2");
    put(text, 52, "LEE MARY");
    put(text, 122, "932000199002150021");
    put(text, 248, "Y");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_STR(t.card.name, "LEE MARY");
    CHECK_STR(t.card.birth, "");
    CHECK_STR(t.valid_from, "");
    /* No English name: the Chinese one. */
    put(text, 52, "        ");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_STR(t.card.name, "玛丽");

    /* Any other flag is a resident card. */
    spec_text(text);
    put(text, 248, "Q");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.type, KIOSK_IDCARD_RESIDENT);
}

static void test_text_trimming_and_refusals(void)
{
    uint8_t text[256];
    drv_idcard_text t;
    char err[128];

    /* NUL padding (some SDKs) and spaces on both sides are trimmed; a space inside stays. */
    spec_text(text);
    memset(text, 0, 30);
    put(text, 0, " 阿 依");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_STR(t.card.name, "阿 依");
    /* Sex other than 1 or 2 is unknown; a birth that is not 8 digits is unknown. */
    put(text, 30, "9");
    put(text, 36, "1949123X");
    put(text, 204, "20301231");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_OK);
    CHECK_INT(t.card.sex, 0);
    CHECK_STR(t.card.birth, "");
    CHECK(!t.long_term);
    CHECK_STR(t.valid_to, "20301231");

    static const struct {
        const char *what;
        size_t at;
        uint8_t lo, hi;
        const char *err;
    } bad[] = {
        {"high surrogate in the name", 2, 0x00, 0xD8,
         "text block: the name holds a control character or is too long"},
        {"low surrogate in the name", 2, 0x00, 0xDC,
         "text block: the name holds a control character or is too long"},
        {"control character in the name", 2, 0x0A, 0x00,
         "text block: the name holds a control character or is too long"},
        {"C1 control in the name", 2, 0x85, 0x00,
         "text block: the name holds a control character or is too long"},
        {"NUL inside the name", 2, 0x00, 0x00,
         "text block: the name holds a control character or is too long"},
        {"noncharacter in the name", 2, 0xFF, 0xFF,
         "text block: the name holds a control character or is too long"},
        {"CJK in the number", 124, 0x4E, 0x67,
         "text block: the card number is not 1 to 18 letters and digits"},
        {"punctuation in the number", 124, '-', 0x00,
         "text block: the card number is not 1 to 18 letters and digits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spec_text(text);
        put(text, 0, "李四五"); /* so a change at byte 2 is inside the name, not padding */
        text[bad[i].at] = bad[i].lo;
        text[bad[i].at + 1] = bad[i].hi;
        memset(&t, 0x55, sizeof t);
        CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_ERR_PARSE);
        if (strcmp(err, bad[i].err) != 0)
            fprintf(stderr, "case '%s'\n", bad[i].what);
        CHECK_STR(err, bad[i].err);
        CHECK_STR(t.card.name, ""); /* nothing half-parsed is left behind */
        CHECK_STR(t.card.number, "");
    }
    /* No name at all, no number, a space inside the number, a short block. */
    spec_text(text);
    put(text, 0, "  ");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "text block: the card has no name");
    spec_text(text);
    put(text, 122, "                  ");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_ERR_PARSE);
    spec_text(text);
    put(text, 122, "110105 194912310X ");
    CHECK_INT(drv_idcard_text_parse(text, 256, &t, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_INT(drv_idcard_text_parse(text, 255, &t, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "text block of 255 bytes, not 256");
}

int main(void)
{
    test_requests();
    test_request_parsing();
    test_replies();
    test_status_table();
    test_sam_id();
    test_spec_read_reply();
    test_fingerprint_read();
    test_resync();
    test_card_types();
    test_text_trimming_and_refusals();
    CHECK_DONE();
}
