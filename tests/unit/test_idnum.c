/* test_idnum.c - ID number validation, kinds, birth date and sex, masking.
 * The check characters below were computed with a throwaway script implementing GB 11643-1999
 * and one by hand: for 11010519491231002 the weighted sum is
 * 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2, "10X98765432"[2] = 'X'.
 * All numbers are made up for tests. */
#include "check.h"
#include "idnum.h"

static const kiosk_date today = {2026, 11, 22};

static void test_valid(void)
{
    kiosk_idnum id;
    CHECK_INT(kiosk_idnum_validate("11010519491231002X", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_RESIDENT);
    CHECK_INT(id.birth.year, 1949);
    CHECK_INT(id.birth.month, 12);
    CHECK_INT(id.birth.day, 31);
    CHECK(!id.male); /* 17th digit 2: even */
    CHECK_STR(id.number, "11010519491231002X");

    /* A lower-case x is accepted and normalised. */
    CHECK_INT(kiosk_idnum_validate("11010519491231002x", today, &id), KIOSK_IDNUM_OK);
    CHECK_STR(id.number, "11010519491231002X");

    CHECK_INT(kiosk_idnum_validate("320102195001011234", today, &id), KIOSK_IDNUM_OK);
    CHECK(id.male); /* 17th digit 3: odd */
    CHECK_INT(id.birth.year, 1950);

    /* 29 February of a leap year. */
    CHECK_INT(kiosk_idnum_validate("32010219320229004X", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.birth.month, 2);
    CHECK_INT(id.birth.day, 29);

    /* Born today is fine. */
    CHECK_INT(kiosk_idnum_validate("320102202611220036", today, &id), KIOSK_IDNUM_OK);

    /* out may be NULL. */
    CHECK_INT(kiosk_idnum_validate("320102195001011234", today, NULL), KIOSK_IDNUM_OK);
}

static void test_permits(void)
{
    kiosk_idnum id;
    CHECK_INT(kiosk_idnum_validate("810000198001011236", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_HONG_KONG);
    CHECK(id.male);
    CHECK_INT(kiosk_idnum_validate("820000197511112341", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_MACAU);
    CHECK(!id.male);
    CHECK_INT(id.birth.year, 1975);
    CHECK_INT(kiosk_idnum_validate("830000196606063455", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_TAIWAN);
    CHECK_INT(id.birth.day, 6);
    /* Foreigner card: 9, province 31 (Shanghai), nationality 840, born 1985-03-15. */
    CHECK_INT(kiosk_idnum_validate("93184019850315001X", today, &id), KIOSK_IDNUM_OK);
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_FOREIGNER);
    CHECK_INT(id.birth.year, 1985);
    CHECK_INT(id.birth.month, 3);
    CHECK_INT(id.birth.day, 15);
    CHECK(id.male);
    CHECK_INT(kiosk_idnum_validate("93184019850315001x", today, &id), KIOSK_IDNUM_OK);
    CHECK_STR(id.number, "93184019850315001X");
}

static void test_errors(void)
{
    kiosk_idnum id = {.kind = KIOSK_IDNUM_KIND_TAIWAN};
    CHECK_INT(kiosk_idnum_validate(NULL, today, &id), KIOSK_IDNUM_BAD_LENGTH);
    CHECK_INT(kiosk_idnum_validate("", today, &id), KIOSK_IDNUM_BAD_LENGTH);
    CHECK_INT(kiosk_idnum_validate("32010219500101123", today, &id), KIOSK_IDNUM_BAD_LENGTH);
    CHECK_INT(kiosk_idnum_validate("3201021950010112345", today, &id), KIOSK_IDNUM_BAD_LENGTH);
    CHECK_INT(kiosk_idnum_validate(" 320102195001011234", today, &id), KIOSK_IDNUM_BAD_LENGTH);
    /* The old 15-digit numbers are not accepted. */
    CHECK_INT(kiosk_idnum_validate("320102500101123", today, &id), KIOSK_IDNUM_BAD_LENGTH);

    CHECK_INT(kiosk_idnum_validate("32010219500101123A", today, &id), KIOSK_IDNUM_BAD_CHAR);
    CHECK_INT(kiosk_idnum_validate("3201021950010112X4", today, &id), KIOSK_IDNUM_BAD_CHAR);
    CHECK_INT(kiosk_idnum_validate("32010219500101 234", today, &id), KIOSK_IDNUM_BAD_CHAR);
    CHECK_INT(kiosk_idnum_validate("x20102195001011234", today, &id), KIOSK_IDNUM_BAD_CHAR);
    /* A character check comes before the address check. */
    CHECK_INT(kiosk_idnum_validate("00000019500101123Y", today, &id), KIOSK_IDNUM_BAD_CHAR);

    /* Address codes: valid check characters, unknown areas. */
    CHECK_INT(kiosk_idnum_validate("000000195001011231", today, &id), KIOSK_IDNUM_BAD_AREA);
    CHECK_INT(kiosk_idnum_validate("840000195001011238", today, &id), KIOSK_IDNUM_BAD_AREA);
    CHECK_INT(kiosk_idnum_validate("811000198001011237", today, &id), KIOSK_IDNUM_BAD_AREA);
    CHECK_INT(kiosk_idnum_validate("710000195001011239", today, &id), KIOSK_IDNUM_BAD_AREA);
    CHECK_INT(kiosk_idnum_validate("999840198503150018", today, &id), KIOSK_IDNUM_BAD_AREA);

    /* Birth dates: not a date (30 Feb, 29 Feb of a common year, month 13, day 0, before 1800),
     * and in the future. The check character is not looked at before the date. */
    CHECK_INT(kiosk_idnum_validate("320102195002301234", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    CHECK_INT(kiosk_idnum_validate("320102193002290045", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    CHECK_INT(kiosk_idnum_validate("320102195013011234", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    CHECK_INT(kiosk_idnum_validate("320102195001001234", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    CHECK_INT(kiosk_idnum_validate("320102179901011234", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    CHECK_INT(kiosk_idnum_validate("320102202611230031", today, &id), KIOSK_IDNUM_BAD_BIRTH);
    /* ... but the same number is fine a day later. */
    CHECK_INT(kiosk_idnum_validate("320102202611230031", (kiosk_date){2026, 11, 23}, &id),
              KIOSK_IDNUM_OK);
    id.kind = KIOSK_IDNUM_KIND_TAIWAN;

    CHECK_INT(kiosk_idnum_validate("320102195001011235", today, &id), KIOSK_IDNUM_BAD_CHECK);
    CHECK_INT(kiosk_idnum_validate("110105194912310020", today, &id), KIOSK_IDNUM_BAD_CHECK);
    CHECK_INT(kiosk_idnum_validate("32010219500101123X", today, &id), KIOSK_IDNUM_BAD_CHECK);
    CHECK_INT(kiosk_idnum_validate("931840198503150010", today, &id), KIOSK_IDNUM_BAD_CHECK);
    /* Two digits swapped: the weights catch it. */
    CHECK_INT(kiosk_idnum_validate("320102195001012134", today, &id), KIOSK_IDNUM_BAD_CHECK);
    /* *out is untouched on failure. */
    CHECK_INT(id.kind, KIOSK_IDNUM_KIND_TAIWAN);
}

static void test_check_char(void)
{
    CHECK_INT(kiosk_idnum_check_char("11010519491231002"), 'X');
    CHECK_INT(kiosk_idnum_check_char("32010219500101123"), '4');
    CHECK_INT(kiosk_idnum_check_char("81000019800101123"), '6');
    CHECK_INT(kiosk_idnum_check_char("00000000000000000"), '1');
    CHECK_INT(kiosk_idnum_check_char("3201021950010112a"), '\0');
    CHECK_INT(kiosk_idnum_check_char("3201"), '\0'); /* stops at the terminator */
}

static void test_texts(void)
{
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_OK), "ok");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_BAD_LENGTH), "bad_length");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_BAD_CHAR), "bad_char");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_BAD_AREA), "bad_area");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_BAD_BIRTH), "bad_birth");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_BAD_CHECK), "bad_check");
    CHECK_STR(kiosk_idnum_result_code(KIOSK_IDNUM_RESULT_COUNT), "unknown");
    CHECK_STR(kiosk_idnum_result_text(KIOSK_IDNUM_BAD_LENGTH), "证件号码应为18位");
    CHECK_STR(kiosk_idnum_result_text(KIOSK_IDNUM_BAD_CHECK), "证件号码最后一位校验码不对，请核对");
    CHECK_STR(kiosk_idnum_result_text((kiosk_idnum_result)-1), "");
    for (int r = 0; r < KIOSK_IDNUM_RESULT_COUNT; r++)
        CHECK(kiosk_idnum_result_text((kiosk_idnum_result)r)[0] != '\0');
    CHECK_STR(kiosk_idnum_kind_code(KIOSK_IDNUM_KIND_FOREIGNER), "foreigner");
    CHECK_STR(kiosk_idnum_kind_label(KIOSK_IDNUM_KIND_TAIWAN), "台湾居民居住证");
    CHECK_STR(kiosk_idnum_kind_label(KIOSK_IDNUM_KIND_RESIDENT), "居民身份证");
    CHECK_STR(kiosk_idnum_kind_code(KIOSK_IDNUM_KIND_COUNT), "unknown");
    CHECK_STR(kiosk_idnum_kind_label(KIOSK_IDNUM_KIND_COUNT), "");
}

static void test_mask(void)
{
    char out[32];
    CHECK_INT(kiosk_idnum_mask("320102195001011234", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "3201**********1234");
    CHECK_INT(kiosk_idnum_mask("11010519491231002x", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "1101**********002X");
    CHECK_INT(kiosk_idnum_mask("93184019850315001X", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "9318**********001X");
    /* Exactly big enough, then one byte short. */
    CHECK_INT(kiosk_idnum_mask("320102195001011234", out, 19), KIOSK_OK);
    CHECK_STR(out, "3201**********1234");
    CHECK_INT(kiosk_idnum_mask("320102195001011234", out, 18), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "");
    CHECK_INT(kiosk_idnum_mask("320102195001011234", out, 0), KIOSK_ERR_TOO_BIG);
    /* Anything is masked: short texts entirely, odd bytes as stars. */
    CHECK_INT(kiosk_idnum_mask("12345678", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "********");
    CHECK_INT(kiosk_idnum_mask("123456789", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "1234*6789");
    CHECK_INT(kiosk_idnum_mask("", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "");
    CHECK_INT(kiosk_idnum_mask("张三1234567890", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "************7890"); /* 张 and 三 are 3 bytes each, none shown */
    CHECK_INT(kiosk_idnum_mask("12 4567890123456 8", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "12*4**********56*8");
    CHECK_INT(kiosk_idnum_mask(NULL, out, sizeof out), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_idnum_mask("1234", NULL, 5), KIOSK_ERR_INVALID);
}

int main(void)
{
    test_valid();
    test_permits();
    test_errors();
    test_check_char();
    test_texts();
    test_mask();
    CHECK_DONE();
}
