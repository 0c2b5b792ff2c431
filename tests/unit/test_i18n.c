/* test_i18n.c - kiosk/contract/i18n: words in the chosen language, a language refused with the
 * reason, and the flows' translated tables (the canteen's and the board's) following the
 * language. Argument: the build tree's locale folder. */
#include <stdio.h>
#include <string.h>

#include "board_words.h"
#include "canteen_words.h"
#include "check.h"
#include "i18n.h"

static void test_refusals(const char *locale_dir)
{
    char err[512] = "";
    CHECK_INT(kiosk_i18n_check("fr", locale_dir, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK_STR(err, "[kiosk] language 'fr' is not one of zh_CN, en");
    CHECK_INT(kiosk_i18n_check("", locale_dir, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK_INT(kiosk_i18n_check("en", "/nonexistent", err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "no catalog /nonexistent/en/LC_MESSAGES/kiosk.mo") != NULL);
    /* A refused init changes nothing: still Chinese. */
    unsigned before = kiosk_i18n_generation();
    CHECK_INT(kiosk_i18n_init("en", "/nonexistent", err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK_INT(kiosk_i18n_generation(), before);
    CHECK_STR(kiosk_tr("请刷卡"), "请刷卡");
}

static void test_languages(const char *locale_dir)
{
    char err[512] = "";
    /* Before any init the msgids are the words: Chinese. */
    CHECK_STR(canteen_text_tr()->idle_prompt, "请刷卡");
    CHECK_STR(canteen_reasons_tr()[KIOSK_REASON_ALREADY_HAD_MEAL].headline, "本餐已经用过");

    CHECK_INT(kiosk_i18n_init("en", locale_dir, err, sizeof err), KIOSK_OK);
    CHECK_STR(kiosk_tr("请刷卡"), "Tap your card");
    CHECK_STR(kiosk_tr("用餐成功"), "Meal recorded");
    /* "" would be the catalog's header through gettext; a word it does not know is itself. */
    CHECK_STR(kiosk_tr(""), "");
    CHECK(kiosk_tr(NULL) == NULL);
    CHECK_STR(kiosk_tr("not a word"), "not a word");
    /* The tables follow: every string translated, clip names left alone. */
    CHECK_STR(canteen_text_tr()->idle_prompt, "Tap your card");
    CHECK_STR(canteen_text_tr()->ok_headline, "Meal recorded");
    CHECK_STR(canteen_text_tr()->clip_tap_card, "tap_card");
    CHECK_STR(canteen_text_tr()->no_subsidy[KIOSK_NO_SUBSIDY_NONE], "");
    CHECK_STR(canteen_text_tr()->clip_please_wait, "please_wait"); /* the table's last member */
    const canteen_reason_words *r = canteen_reasons_tr();
    CHECK_STR(r[KIOSK_REASON_ALREADY_HAD_MEAL].headline, "Meal already had");
    CHECK_STR(r[KIOSK_REASON_ALREADY_HAD_MEAL].clip, "already_had_meal");
    CHECK_STR(r[KIOSK_REASON_WRONG_CANTEEN].advice, "Eat where your card is from");
    CHECK_STR(board_text_tr()->idle_headline, "Watch for your number");
    /* The originals, the msgids, are untouched. */
    CHECK_STR(canteen_text.idle_prompt, "请刷卡");
    /* A translated format keeps its arguments (here reordered). */
    char date[64];
    snprintf(date, sizeof date, _("%1$d年%2$d月%3$d日 %4$s"), 2026, 11, 23, _("星期一"));
    CHECK_STR(date, "Monday 2026-11-23");

    /* Back to Chinese: the copies are made again. */
    CHECK_INT(kiosk_i18n_init("zh_CN", locale_dir, err, sizeof err), KIOSK_OK);
    CHECK_STR(canteen_text_tr()->idle_prompt, "请刷卡");
    CHECK_STR(canteen_reasons_tr()[KIOSK_REASON_ALREADY_HAD_MEAL].headline, "本餐已经用过");
    CHECK_STR(board_text_tr()->idle_headline, "请留意叫号");
    snprintf(date, sizeof date, _("%1$d年%2$d月%3$d日 %4$s"), 2026, 11, 23, _("星期一"));
    CHECK_STR(date, "2026年11月23日 星期一");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    test_refusals(argv[1]);
    test_languages(argv[1]);
    CHECK_DONE();
}
