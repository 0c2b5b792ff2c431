/* test_escpos.c - the ESC/POS builder byte for byte (the expected bytes are worked out by hand
 * from the command definitions, each commented; GB18030 codes are GB2312's), documents that do
 * not fit or are not well-formed, round trips of the real receipt and queue ticket layouts
 * through the test decoder, the decoder's refusals, and the status reply parser. */
#include <stdlib.h>

#include "check.h"
#include "escpos.h"
#include "escpos_decode.h"
#include "receipt.h"

/* Compares a built job with the expected bytes; on a mismatch prints both in hex. */
#define CHECK_BYTES(got, got_len, ...)                                              \
    do {                                                                            \
        static const uint8_t want_[] = {__VA_ARGS__};                               \
        check_count++;                                                              \
        if ((got_len) != sizeof want_ || memcmp((got), want_, sizeof want_) != 0) { \
            fprintf(stderr, "%s:%d: bytes differ\n  got: ", __FILE__, __LINE__);    \
            for (size_t i_ = 0; i_ < (got_len); i_++)                               \
                fprintf(stderr, "%02X ", (got)[i_]);                                \
            fprintf(stderr, "\n want: ");                                           \
            for (size_t i_ = 0; i_ < sizeof want_; i_++)                            \
                fprintf(stderr, "%02X ", want_[i_]);                                \
            fprintf(stderr, "\n");                                                  \
            check_failures++;                                                       \
        }                                                                           \
    } while (0)

static kiosk_print_doc *doc_new(int columns)
{
    kiosk_print_doc *d = calloc(1, sizeof *d);
    d->columns = columns;
    return d;
}

static void doc_add(kiosk_print_doc *d, const char *text, kiosk_print_style style,
                    kiosk_print_align align)
{
    kiosk_print_line *l = &d->lines[d->line_count++];
    snprintf(l->text, sizeof l->text, "%s", text);
    l->style = style;
    l->align = align;
}

static const drv_escpos_options paper58 = {.columns = 32, .qr = true, .cut = true};

static void test_bytes_big_centre_and_cut(void)
{
    kiosk_print_doc *d = doc_new(32);
    doc_add(d, "Hi", KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT);
    doc_add(d, "张*明", KIOSK_PRINT_BIG, KIOSK_PRINT_CENTER);
    uint8_t out[64];
    size_t len;
    char err[128];
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err), KIOSK_OK);
    CHECK_BYTES(out, len, 0x1B, 0x40,    /* ESC @: initialise */
                0x1C, 0x26,              /* FS &: Chinese character mode */
                0x48, 0x69, 0x0A,        /* "Hi" LF: left and normal are the state after ESC @ */
                0x1B, 0x61, 0x01,        /* ESC a 1: centre */
                0x1D, 0x21, 0x11,        /* GS ! 0x11: one-byte characters double width + height */
                0x1C, 0x21, 0x0C,        /* FS ! 0x0C: Chinese characters the same (bits 2, 3) */
                0xD5, 0xC5, 0x2A, 0xC3,  /* 张 D5C5, '*', 明 C3F7 */
                0xF7, 0x0A,              /* ... LF */
                0x1D, 0x56, 0x42, 0x00); /* GS V 66 0: feed to the cutter, partial cut */

    /* The same job needs exactly 26 bytes: one less is TOO_BIG, and nothing is written past the
     * buffer's size (the rest of the array keeps its fill). */
    uint8_t small[40];
    memset(small, 0xEE, sizeof small);
    CHECK_INT(drv_escpos_build_doc(d, &paper58, small, 25, &len, err, sizeof err),
              KIOSK_ERR_TOO_BIG);
    CHECK_INT(len, 0);
    CHECK(strstr(err, "25 bytes") != NULL);
    for (size_t i = 25; i < sizeof small; i++)
        CHECK_INT(small[i], 0xEE);
    CHECK_INT(drv_escpos_build_doc(d, &paper58, small, 26, &len, err, sizeof err), KIOSK_OK);
    CHECK_INT(len, 26);
    free(d);
}

static void test_bytes_bold_right_and_tear(void)
{
    kiosk_print_doc *d = doc_new(32);
    doc_add(d, "实付", KIOSK_PRINT_BOLD, KIOSK_PRINT_RIGHT);
    doc_add(d, "¥1.00", KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT);
    doc_add(d, "", KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT);
    doc_add(d, "a\tb\xFF\xC2\x85", KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT);
    drv_escpos_options no_cut = {.columns = 32};
    uint8_t out[64];
    size_t len;
    char err[128];
    CHECK_INT(drv_escpos_build_doc(d, &no_cut, out, sizeof out, &len, err, sizeof err), KIOSK_OK);
    CHECK_BYTES(out, len, 0x1B, 0x40, 0x1C, 0x26, /* ESC @, FS & */
                0x1B, 0x61, 0x02,                 /* ESC a 2: right */
                0x1B, 0x45, 0x01,                 /* ESC E 1: bold on */
                0xCA, 0xB5, 0xB8, 0xB6,           /* 实 CAB5, 付 B8B6 */
                0x0A,                             /* LF */
                0x1B, 0x61, 0x00,                 /* ESC a 0: left */
                0x1B, 0x45, 0x00,                 /* ESC E 0: bold off */
                0xA3, 0xA4,             /* U+00A5 is sent as the full-width ￥ (GB2312 A3A4) */
                0x31, 0x2E, 0x30, 0x30, /* "1.00" */
                0x0A,                   /* LF */
                0x0A,                   /* the empty line: LF alone */
                0x61, 0x3F, 0x62,       /* 'a', the tab as '?', 'b' */
                0x3F, 0x3F,             /* the stray 0xFF and the C1 control U+0085: '?' each */
                0x0A,                   /* LF */
                0x1B, 0x64, 0x04);      /* ESC d 4: no cutter, feed past the tear bar */
    free(d);
}

static void test_bytes_qr(void)
{
    kiosk_print_doc *d = doc_new(32);
    doc_add(d, "J012", KIOSK_PRINT_BIG, KIOSK_PRINT_CENTER);
    snprintf(d->qr, sizeof d->qr, "019aa1b2");
    uint8_t out[128];
    size_t len;
    char err[128];
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err), KIOSK_OK);
    CHECK_BYTES(out, len, 0x1B, 0x40, 0x1C, 0x26,   /* ESC @, FS & */
                0x1B, 0x61, 0x01,                   /* ESC a 1: centre */
                0x1D, 0x21, 0x11, 0x1C, 0x21, 0x0C, /* GS ! 0x11, FS ! 0x0C: BIG */
                0x4A, 0x30, 0x31, 0x32, 0x0A,       /* "J012" LF */
                0x1D, 0x21, 0x00, 0x1C, 0x21, 0x00, /* back to normal size; still centred */
                /* GS ( k pL pH cn fn ...: pL + 256 pH bytes follow pH; cn 49 = QR code */
                0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, /* fn 65: model 2 */
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,       /* fn 67: modules of 6 dots */
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31, /* fn 69: error correction M */
                0x1D, 0x28, 0x6B, 0x0B, 0x00, 0x31, 0x50, 0x30, /* fn 80 m 48: store 8 + 3 */
                0x30, 0x31, 0x39, 0x61, 0x61, 0x31, 0x62, 0x32, /* "019aa1b2" */
                0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, /* fn 81 m 48: print */
                0x30, 0x31, 0x39, 0x61, 0x61, 0x31, 0x62, 0x32, /* the payload as text */
                0x0A,                                           /* LF */
                0x1D, 0x56, 0x42, 0x00);                        /* GS V 66 0 */

    /* A printer without QR codes gets the payload as text only. */
    drv_escpos_options no_qr = {.columns = 32, .cut = true};
    CHECK_INT(drv_escpos_build_doc(d, &no_qr, out, sizeof out, &len, err, sizeof err), KIOSK_OK);
    CHECK_BYTES(out, len, 0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 0x01, 0x1D, 0x21, 0x11, 0x1C, 0x21,
                0x0C, 0x4A, 0x30, 0x31, 0x32, 0x0A, 0x1D, 0x21, 0x00, 0x1C, 0x21,
                0x00,                                                 /* as above */
                0x30, 0x31, 0x39, 0x61, 0x61, 0x31, 0x62, 0x32, 0x0A, /* "019aa1b2" LF */
                0x1D, 0x56, 0x42, 0x00);
    free(d);
}

static void test_refusals(void)
{
    kiosk_print_doc *d = doc_new(48);
    uint8_t out[256];
    size_t len = 99;
    char err[128];
    doc_add(d, "x", KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT);
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err),
              KIOSK_ERR_INVALID);
    CHECK(strstr(err, "48 columns, the paper has 32") != NULL);
    CHECK_INT(len, 0);
    d->columns = 32;
    d->lines[0].style = (kiosk_print_style)7;
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err),
              KIOSK_ERR_INVALID);
    d->lines[0].style = KIOSK_PRINT_NORMAL;
    memset(d->lines[0].text, 'x', sizeof d->lines[0].text); /* no terminating NUL */
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err),
              KIOSK_ERR_INVALID);
    d->lines[0].text[1] = '\0';
    d->line_count = KIOSK_PRINT_LINES + 1;
    CHECK_INT(drv_escpos_build_doc(d, &paper58, out, sizeof out, &len, err, sizeof err),
              KIOSK_ERR_INVALID);
    free(d);

    /* The worst document there is (every line full of characters whose GB18030 code is twice
     * their UTF-8: U+00A2 is C2 A2 in UTF-8, 81 30 84 34 in GB18030) fits in the job maximum. */
    d = doc_new(32);
    for (int i = 0; i < KIOSK_PRINT_LINES; i++) {
        kiosk_print_line *l = &d->lines[d->line_count++];
        for (size_t k = 0; k + 2 < sizeof l->text; k += 2)
            memcpy(l->text + k, "\xC2\xA2", 2);
        l->style = i % 2 ? KIOSK_PRINT_BIG : KIOSK_PRINT_BOLD;
        l->align = (kiosk_print_align)(i % 3);
    }
    memset(d->qr, 0xA2, sizeof d->qr - 1);
    uint8_t *job = malloc(DRV_ESCPOS_JOB_MAX);
    CHECK_INT(drv_escpos_build_doc(d, &paper58, job, DRV_ESCPOS_JOB_MAX, &len, err, sizeof err),
              KIOSK_OK);
    CHECK(len > 8000 && len < DRV_ESCPOS_JOB_MAX);
    free(job);
    free(d);
}

/* A copy of s with each "¥" as "￥", the way the builder prints it. */
static const char *as_printed(const char *s)
{
    static char buf[KIOSK_PRINT_LINE_MAX * 2];
    size_t n = 0;
    for (; *s; s++) {
        if (s[0] == '\xC2' && s[1] == '\xA5') {
            memcpy(buf + n, "\xEF\xBF\xA5", 3);
            n += 3;
            s++;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    return buf;
}

/* Decodes a built job and checks its first lines against the document. */
static void check_round_trip(const kiosk_print_doc *doc, const escpos_decoded *dec, int paper)
{
    CHECK(dec->line_count >= doc->line_count);
    for (size_t i = 0; i < doc->line_count && i < dec->line_count; i++) {
        CHECK_STR(dec->lines[i].text, as_printed(doc->lines[i].text));
        CHECK_INT(dec->lines[i].style, doc->lines[i].style);
        CHECK_INT(dec->lines[i].align, doc->lines[i].align);
    }
    for (size_t i = 0; i < dec->line_count; i++) {
        CHECK(dec->lines[i].columns <= paper); /* nothing wraps on paper */
        CHECK_INT(dec->lines[i].job, 1);
    }
    CHECK_INT(dec->inits, 1);
}

static const kiosk_receipt receipt = {
    .site_name = "鼓楼区华侨路长者食堂",
    .name_masked = "张*兰",
    .class_label = "80-89岁",
    .meal_label = "午餐",
    .at = {.date = {2026, 11, 23}, .minute_of_day = 11 * 60 + 30},
    .price_fen = 1500,
    .subsidy_fen = 500,
    .pay_fen = 1000,
    .month_remaining_fen = 19500,
    .record_id = "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    .kiosk_id = "demo-kiosk-01",
};

static void test_receipt_round_trip(void)
{
    kiosk_print_doc *doc = calloc(1, sizeof *doc);
    escpos_decoded *dec = calloc(1, sizeof *dec);
    uint8_t *job = malloc(DRV_ESCPOS_JOB_MAX);
    size_t len;
    char err[160];
    CHECK_INT(kiosk_receipt_format_doc(&receipt, 32, doc), KIOSK_OK);
    CHECK_INT(drv_escpos_build_doc(doc, &paper58, job, DRV_ESCPOS_JOB_MAX, &len, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(escpos_decode(job, len, dec, err, sizeof err), KIOSK_OK);
    check_round_trip(doc, dec, 32);
    CHECK_INT(dec->line_count, 15); /* 13 lines, then the id in two lines under the code */
    CHECK_STR(dec->lines[9].text, "实付     ￥10.00");
    CHECK_INT(dec->lines[9].columns, 32); /* (4 + 5 + 7) x 2: the BIG line fills the paper */
    CHECK_INT(dec->lines[7].columns, 32);
    CHECK_STR(dec->lines[13].text, "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f");
    CHECK_STR(dec->lines[14].text, "4a5b");
    CHECK_INT(dec->lines[14].align, KIOSK_PRINT_CENTER);
    CHECK_STR(dec->trace, "init kanji L L L L L L L L L L L L L qr-model:2 qr-module:6 qr-ecc:M "
                          "qr:019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b L L cut:66:0");
    free(job);
    free(dec);
    free(doc);
}

static void test_ticket_round_trip(void)
{
    static const kiosk_ticket ticket = {
        .site_name = "鼓楼区婚姻登记处",
        .number = "J012",
        .service = "结婚登记",
        .lane = "优先",
        .at = {.date = {2026, 11, 23}, .minute_of_day = 9 * 60 + 5},
        .name_masked = {"张*明", "欧阳*"},
        .counter = "二楼A区 3号窗口",
        .record_id = "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60",
        .flag = "需核验户口簿原件",
    };
    kiosk_print_doc *doc = calloc(1, sizeof *doc);
    escpos_decoded *dec = calloc(1, sizeof *dec);
    uint8_t *job = malloc(DRV_ESCPOS_JOB_MAX);
    size_t len;
    char err[160];
    drv_escpos_options paper80 = {.columns = 48, .qr = false, .cut = false};
    CHECK_INT(kiosk_ticket_format_doc(&ticket, 48, doc), KIOSK_OK);
    CHECK_INT(drv_escpos_build_doc(doc, &paper80, job, DRV_ESCPOS_JOB_MAX, &len, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(escpos_decode(job, len, dec, err, sizeof err), KIOSK_OK);
    check_round_trip(doc, dec, 48);
    CHECK_INT(dec->line_count, 10);
    CHECK_STR(dec->lines[2].text, "J012");
    CHECK_INT(dec->lines[2].style, KIOSK_PRINT_BIG);
    CHECK_INT(dec->lines[2].align, KIOSK_PRINT_CENTER);
    CHECK_INT(dec->lines[2].columns, 8);
    CHECK(strstr(dec->lines[5].text, "张*明、欧阳*") != NULL);
    CHECK_INT(dec->lines[5].columns, 48);
    CHECK_STR(dec->lines[9].text, "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60"); /* no QR: the text */
    CHECK_STR(dec->trace, "init kanji L L L L L L L L L L feed:4");
    CHECK_INT(dec->cuts, 0);
    free(job);
    free(dec);
    free(doc);
}

/* The decoder refuses what the kiosk never sends, naming the offset. */
static void check_refused(const char *bytes, size_t len, const char *why)
{
    escpos_decoded *dec = calloc(1, sizeof *dec);
    char err[200] = "";
    kiosk_rc rc = escpos_decode((const uint8_t *)bytes, len, dec, err, sizeof err);
    CHECK_INT(rc, KIOSK_ERR_PROTOCOL);
    if (!strstr(err, why)) {
        fprintf(stderr, "  expected \"%s\" in \"%s\"\n", why, err);
        CHECK(strstr(err, why) != NULL);
    }
    free(dec);
}

#define REFUSED(literal, why) check_refused(literal, sizeof literal - 1, why)

static void test_decoder(void)
{
    REFUSED("\x1B@\x1C&ab\r\n", "offset 6: unknown command byte 0x0D");
    REFUSED("\x1B@\x1Bx", "ESC 0x78");
    REFUSED("\x1B@\xD5\xC5\n", "outside Chinese character mode");
    REFUSED("\x1B@\x1C&\xD5\n", "not a GB18030 character");
    REFUSED("\x1B@a\x1B\x61\x01\n", "ESC a in the middle of a line");
    REFUSED("\x1B@\x1B\x45\x02", "ESC E 2");
    REFUSED("\x1B@\x1D!\x22x\n", "not a kiosk style");
    REFUSED("\x1B@\x1D!\x11x\n", "size the characters differently");
    REFUSED("\x1B@\x1D(k\x0B\x00\x31\x50\x30"
            "01",
            "cut short");
    REFUSED("\x1B@\x1D(k\x03\x00\x31\x51\x30", "nothing stored");
    REFUSED("\x1B@abc", "ends in the middle of a line");

    /* DLE EOT is real time: allowed mid-line, counted, and not part of the text. */
    escpos_decoded *dec = calloc(1, sizeof *dec);
    char err[200];
    static const char two_jobs[] = "\x1B@a\x10\x04\x01" /* a status request mid-line */
                                   "b\n\x1B@\x1C&\xC0\xEE\n";
    CHECK_INT(escpos_decode((const uint8_t *)two_jobs, sizeof two_jobs - 1, dec, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(dec->line_count, 2);
    CHECK_STR(dec->lines[0].text, "ab");
    CHECK_STR(dec->lines[1].text, "李");
    CHECK_INT(dec->lines[1].columns, 2);
    CHECK_INT(dec->lines[1].job, 2);
    CHECK_INT(dec->status_requests, 1);
    CHECK_STR(dec->trace, "init status:1 L init kanji L");
    free(dec);
}

static void test_status(void)
{
    uint8_t req[DRV_ESCPOS_STATUS_REQUEST_LEN];
    drv_escpos_status_request(req);
    CHECK_BYTES(req, sizeof req, 0x10, 0x04, 0x01, /* DLE EOT 1: printer status */
                0x10, 0x04, 0x02,                  /* DLE EOT 2: offline cause */
                0x10, 0x04, 0x04);                 /* DLE EOT 4: roll paper sensor */

    drv_escpos_status st;
    const char *reason;
    char err[128];
    /* Every reply byte has bit 1 and 4 set, bit 0 and 7 clear: 0x12 means "nothing to say". */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x12\x12\x12", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK(st.online && !st.cover_open && !st.paper_end && !st.paper_near_end && !st.error);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_READY);
    CHECK_STR(reason, "ready");
    /* Out of paper: 1 bit 3 offline (0x1A); 2 bit 5 stopped by paper end (0x32); 4 bits 2-3
     * near end and 5-6 end (0x7E). */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x1A\x32\x7E", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK(!st.online && st.paper_stop && st.paper_end && st.paper_near_end && !st.cover_open);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_NO_PAPER);
    CHECK_STR(reason, "out of paper");
    /* Near end only (4 bits 2-3: 0x1E): still ready, but say so. */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x12\x12\x1E", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_READY);
    CHECK_STR(reason, "ready, paper near its end");
    /* Cover open (2 bit 2: 0x16) stops the printer as surely as no paper. */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x1A\x16\x12", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK(st.cover_open);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_NO_PAPER);
    CHECK_STR(reason, "cover open");
    /* An error (2 bit 6: 0x52), or offline for no reason given. */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x1A\x52\x12", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_DOWN);
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x1A\x12\x12", 3, &st, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(drv_escpos_status_state(&st, &reason), KIOSK_DEVICE_DOWN);
    CHECK_STR(reason, "offline");
    /* Not a reply: XOFF (0x13, bit 0), a byte with bit 7, zero; or the wrong length. */
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x12\x13\x12", 3, &st, err, sizeof err),
              KIOSK_ERR_PROTOCOL);
    CHECK_STR(err, "escpos: 0x13 is not a reply to DLE EOT 2");
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x12\x12\x92", 3, &st, err, sizeof err),
              KIOSK_ERR_PROTOCOL);
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x00\x12\x12", 3, &st, err, sizeof err),
              KIOSK_ERR_PROTOCOL);
    CHECK_INT(drv_escpos_status_parse((const uint8_t *)"\x12\x12", 2, &st, err, sizeof err),
              KIOSK_ERR_INVALID);
}

static void test_options(void)
{
    drv_escpos_options o;
    char err[160];
    CHECK_INT(drv_escpos_options_parse(NULL, &o, err, sizeof err), KIOSK_OK);
    CHECK(o.columns == 32 && !o.qr && !o.cut);
    drv_option items[] = {{"columns", "48"}, {"qr", "true"}, {"cut", "true"}, {"baud", "x"}};
    drv_options opts = {items, 4};
    CHECK_INT(drv_escpos_options_parse(&opts, &o, err, sizeof err), KIOSK_OK);
    CHECK(o.columns == 48 && o.qr && o.cut);
    items[0].value = "20";
    CHECK_INT(drv_escpos_options_parse(&opts, &o, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "columns") != NULL);
    items[0].value = "32";
    items[1].value = "yes";
    CHECK_INT(drv_escpos_options_parse(&opts, &o, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK_STR(err, "escpos: qr must be true or false");
}

int main(void)
{
    test_bytes_big_centre_and_cut();
    test_bytes_bold_right_and_tear();
    test_bytes_qr();
    test_refusals();
    test_receipt_round_trip();
    test_ticket_round_trip();
    test_decoder();
    test_status();
    test_options();
    CHECK_DONE();
}
