/* test_receipt.c - the receipt layout: columns counted with CJK characters as two, amounts
 * right-aligned, long values wrapped, a buffer too small reported. The expected receipt was laid
 * out by hand (column counts in the comments of receipt.h's rules), not copied from the output. */
#include <stdlib.h>

#include "check.h"
#include "receipt.h"

static const kiosk_receipt sample = {
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

static void test_widths(void)
{
    CHECK_INT(kiosk_receipt_width(""), 0);
    CHECK_INT(kiosk_receipt_width("abc"), 3);
    CHECK_INT(kiosk_receipt_width("午餐"), 4);
    CHECK_INT(kiosk_receipt_width("¥5.00"), 5);            /* the yen sign is narrow */
    CHECK_INT(kiosk_receipt_width("阿依古丽·买买提"), 15); /* the middle dot is narrow */
    CHECK_INT(kiosk_receipt_width("ＡＢ"), 4);             /* full-width forms */
    CHECK_INT(kiosk_receipt_width("𠮷"), 2);               /* outside the BMP */
}

static void test_layout_58mm(void)
{
    char out[2048];
    CHECK_INT(kiosk_receipt_format(&sample, KIOSK_RECEIPT_COLUMNS_58MM, out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "      鼓楼区华侨路长者食堂\n"
                   "          助餐消费凭条\n"
                   "--------------------------------\n"
                   "时间            2026-11-23 11:30\n"
                   "姓名                       张*兰\n"
                   "类别                     80-89岁\n"
                   "餐别                        午餐\n"
                   "餐费                      ¥15.00\n"
                   "补贴                       ¥5.00\n"
                   "实付                      ¥10.00\n"
                   "本月补贴余额             ¥195.00\n"
                   "--------------------------------\n"
                   "单号\n"
                   "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f\n"
                   "4a5b\n"
                   "终端               demo-kiosk-01\n");
    /* No line is wider than the paper. */
    char *line = out;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        CHECK(kiosk_receipt_width(line) <= KIOSK_RECEIPT_COLUMNS_58MM);
    }
}

static void test_variants(void)
{
    kiosk_receipt r = sample;
    r.month_remaining_fen = -1;
    r.class_label = "";
    char out[2048];
    CHECK_INT(kiosk_receipt_format(&r, KIOSK_RECEIPT_COLUMNS_80MM, out, sizeof out), KIOSK_OK);
    CHECK(strstr(out, "本月补贴余额") == NULL);
    CHECK(strstr(out, "类别") == NULL);
    CHECK(strstr(out, "单号        019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n") !=
          NULL); /* 48 - 4 - 36 = 8 */

    CHECK_INT(kiosk_receipt_format(&sample, 32, out, 40), KIOSK_ERR_TOO_BIG);
    CHECK(strlen(out) < 40);
    CHECK_INT(kiosk_receipt_format(&sample, 10, out, sizeof out), KIOSK_ERR_INVALID);
    CHECK_STR(out, "");
}

/* --- print documents: every pair line fills the paper exactly, counted as the printer counts
 * (ASCII one column, every other character two: "¥" is two on paper). */

static void check_line(const kiosk_print_doc *d, size_t i, const char *text,
                       kiosk_print_style style, kiosk_print_align align)
{
    CHECK(i < d->line_count);
    if (i >= d->line_count)
        return;
    CHECK_STR(d->lines[i].text, text);
    CHECK_INT(d->lines[i].style, style);
    CHECK_INT(d->lines[i].align, align);
}

static void test_print_width(void)
{
    CHECK_INT(kiosk_receipt_print_width(""), 0);
    CHECK_INT(kiosk_receipt_print_width("J012"), 4);
    CHECK_INT(kiosk_receipt_print_width("午餐"), 4);
    CHECK_INT(kiosk_receipt_print_width("¥5.00"), 6);            /* one wider than on screen */
    CHECK_INT(kiosk_receipt_print_width("阿依古丽·买买提"), 16); /* so is the middle dot */
    CHECK_INT(kiosk_receipt_print_width("𠮷"), 2);
}

#define N KIOSK_PRINT_NORMAL
#define B KIOSK_PRINT_BOLD
#define G KIOSK_PRINT_BIG
#define L KIOSK_PRINT_LEFT
#define C KIOSK_PRINT_CENTER
#define R KIOSK_PRINT_RIGHT

static void test_receipt_doc_58mm(void)
{
    kiosk_print_doc d;
    CHECK_INT(kiosk_receipt_format_doc(&sample, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_OK);
    CHECK_INT(d.columns, 32);
    CHECK_INT(d.line_count, 13);
    check_line(&d, 0, "鼓楼区华侨路长者食堂", N, C); /* centred by the printer, not by spaces */
    check_line(&d, 1, "助餐消费凭条", B, C);
    check_line(&d, 2, "--------------------------------", N, L);
    check_line(&d, 3, "时间            2026-11-23 11:30", N, L); /* 4 + 12 + 16 */
    check_line(&d, 4, "姓名                       张*兰", N, L); /* 4 + 23 + 5 */
    check_line(&d, 5, "类别                     80-89岁", N, L); /* 4 + 21 + 7 */
    check_line(&d, 6, "餐别                        午餐", N, L); /* 4 + 24 + 4 */
    check_line(&d, 7, "餐费                     ¥15.00", N, L);  /* 4 + 21 + 7 */
    check_line(&d, 8, "补贴                      ¥5.00", N, L);  /* 4 + 22 + 6 */
    check_line(&d, 9, "实付     ¥10.00", G, L);                  /* (4 + 5 + 7) x 2 = 32 */
    check_line(&d, 10, "本月补贴余额            ¥195.00", N, L); /* 12 + 12 + 8 */
    check_line(&d, 11, "--------------------------------", N, L);
    check_line(&d, 12, "终端               demo-kiosk-01", N, L); /* 4 + 15 + 13 */
    CHECK_STR(d.qr, "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    for (size_t i = 0; i < d.line_count; i++)
        CHECK(kiosk_receipt_print_width(d.lines[i].text) * (d.lines[i].style == G ? 2 : 1) <= 32);
}

static void test_receipt_doc_variants(void)
{
    kiosk_receipt r = sample;
    r.month_remaining_fen = -1;
    r.class_label = "";
    kiosk_print_doc d;
    CHECK_INT(kiosk_receipt_format_doc(&r, KIOSK_RECEIPT_COLUMNS_80MM, &d), KIOSK_OK);
    CHECK_INT(d.line_count, 11);
    check_line(&d, 5, "餐别                                        午餐", N, L); /* 4 + 40 + 4 */
    check_line(&d, 8, "实付             ¥10.00", G, L); /* 24 columns: 4 + 13 + 7 */
    check_line(&d, 9, "------------------------------------------------", N, L);

    /* A value wider than the line goes under its label, right-aligned by the printer. */
    r.kiosk_id = "canteen-gulou-huaqiao-01"; /* 24 columns: 4 + 1 + 24 > 24 */
    CHECK_INT(kiosk_receipt_format_doc(&r, 24, &d), KIOSK_OK);
    check_line(&d, d.line_count - 2, "终端", N, L);
    check_line(&d, d.line_count - 1, "canteen-gulou-huaqiao-01", N, L); /* as wide as the paper */
    r.kiosk_id = "gulou-huaqiao-01";
    CHECK_INT(kiosk_receipt_format_doc(&r, 24, &d), KIOSK_OK);
    check_line(&d, d.line_count - 1, "终端    gulou-huaqiao-01", N, L); /* 4 + 4 + 16 */
    r.site_name = "鼓楼区华侨路街道社区长者助餐点"; /* 15 characters, 30 columns */
    CHECK_INT(kiosk_receipt_format_doc(&r, 24, &d), KIOSK_OK);
    check_line(&d, 0, "鼓楼区华侨路街道社区长者", N, C); /* 12 characters, 24 columns */
    check_line(&d, 1, "助餐点", N, C);

    CHECK_INT(kiosk_receipt_format_doc(&sample, 23, &d), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_receipt_format_doc(&sample, 64, &d), KIOSK_ERR_INVALID);
    CHECK_INT(d.line_count, 0);
}

static const kiosk_ticket ticket = {
    .site_name = "鼓楼区婚姻登记处",
    .number = "J012",
    .service = "结婚登记",
    .lane = "预约",
    .at = {.date = {2026, 11, 23}, .minute_of_day = 9 * 60 + 5},
    .name_masked = {"张*明", "李*华"},
    .counter = "二楼A区 3号窗口",
    .record_id = "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60",
    .flag = "需核验户口簿原件",
};

static void test_ticket_doc(void)
{
    kiosk_print_doc d;
    CHECK_INT(kiosk_ticket_format_doc(&ticket, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_OK);
    CHECK_INT(d.line_count, 9);
    check_line(&d, 0, "鼓楼区婚姻登记处", N, C);
    check_line(&d, 1, "结婚登记（预约）", B, C);
    check_line(&d, 2, "J012", G, C);
    check_line(&d, 3, "--------------------------------", N, L);
    check_line(&d, 4, "时间            2026-11-23 09:05", N, L); /* 4 + 12 + 16 */
    check_line(&d, 5, "当事人              张*明、李*华", N, L); /* 6 + 14 + 12 */
    check_line(&d, 6, "地点             二楼A区 3号窗口", N, L); /* 4 + 13 + 15 */
    check_line(&d, 7, "备注：需核验户口簿原件", B, L);           /* 22 columns */
    check_line(&d, 8, "--------------------------------", N, L);
    CHECK_STR(d.qr, "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60");

    /* No lane, no note, one party only (a replacement certificate): the lines close up. */
    kiosk_ticket t = ticket;
    t.lane = "";
    t.flag = NULL;
    t.service = "补领结婚证";
    t.name_masked[1] = "";
    CHECK_INT(kiosk_ticket_format_doc(&t, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_OK);
    CHECK_INT(d.line_count, 8);
    check_line(&d, 1, "补领结婚证", B, C);
    check_line(&d, 5, "当事人                     张*明", N, L); /* 6 + 21 + 5 */
    check_line(&d, 7, "--------------------------------", N, L);

    /* A number longer than half the paper wraps at half the columns (double width). */
    t.number = "J0123456789ABCDEFG"; /* 18 > 16 */
    CHECK_INT(kiosk_ticket_format_doc(&t, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_OK);
    check_line(&d, 2, "J0123456789ABCDE", G, C);
    check_line(&d, 3, "FG", G, C);

    /* What does not fit is TOO_BIG, never a ticket cut short: a site name of 40 lines, a note
     * longer than the joining buffer, a payload with no room for its NUL. */
    static char big[2048];
    for (int i = 0; i < 100; i++)
        strcat(big, "需要核验证件"); /* 18 bytes and 12 columns each: 1200 columns */
    t.site_name = big;
    CHECK_INT(kiosk_ticket_format_doc(&t, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_ERR_TOO_BIG);
    CHECK_INT(d.line_count, KIOSK_PRINT_LINES);
    t.site_name = ticket.site_name;
    t.flag = big;
    CHECK_INT(kiosk_ticket_format_doc(&t, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_ERR_TOO_BIG);
    t.flag = NULL;
    char id[KIOSK_PRINT_QR_MAX + 1];
    memset(id, 'a', KIOSK_PRINT_QR_MAX);
    id[KIOSK_PRINT_QR_MAX] = '\0';
    t.record_id = id;
    CHECK_INT(kiosk_ticket_format_doc(&t, KIOSK_RECEIPT_COLUMNS_58MM, &d), KIOSK_ERR_TOO_BIG);
    CHECK_STR(d.qr, "");
}

int main(void)
{
    test_widths();
    test_layout_58mm();
    test_variants();
    test_print_width();
    test_receipt_doc_58mm();
    test_receipt_doc_variants();
    test_ticket_doc();
    CHECK_DONE();
}
