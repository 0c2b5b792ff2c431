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
    .at = {{2026, 11, 23}, 11 * 60 + 30},
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

int main(void)
{
    test_widths();
    test_layout_58mm();
    test_variants();
    CHECK_DONE();
}
