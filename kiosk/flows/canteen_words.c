/* canteen_words.c - the canteen flow's words (see canteen_words.h). */
#include "canteen_words.h"

#include "i18n.h"

const canteen_words canteen_text = {
    .title_suffix = N_("助餐服务"),
    .idle_prompt = N_("请刷卡"),
    .idle_hint_below = N_("请把助餐卡贴在下方读卡区"),
    .idle_hint_right = N_("请把助餐卡贴在右侧读卡区"),
    .picture_label = N_("助餐卡"),
    .reader_below = N_("读卡区在下方"),
    .reader_right = N_("读卡区"),
    .help = N_("帮助"),
    .back = N_("返回"),
    .print_receipt = N_("打印小票"),
    .help_headline = N_("需要帮助吗？"),
    .help_message = N_("把助餐卡贴在下方读卡区，屏幕会显示补贴和应付金额"),
    .help_advice = N_("没有卡或有疑问，请到窗口找工作人员"),
    .ok_headline = N_("用餐成功"),
    .repeat_headline = N_("刚才已刷过"),
    .repeat_message = N_("本次未重复记录"),
    .price = N_("餐费"),
    .subsidy = N_("补贴"),
    .to_pay = N_("您需支付"),
    .full_price = N_("原价"),
    .month_left = N_("本月补贴还剩"),
    .pay_advice = N_("请到窗口付款取餐"),
    .take_advice = N_("请到窗口取餐"),
    .unknown_id_headline = N_("未登记的身份证"),
    .full_price_offer = N_("可按原价到窗口付款"),
    .previous_here = N_("已在本点用过"),
    .previous_elsewhere = N_("已在他点用过"),
    .error_advice = N_("请到窗口找工作人员"),
    .error_read = N_("读取本机数据出错"),
    .error_disk_full = N_("存储已满，没有记账"),
    .error_not_saved = N_("记录没有保存成功"),
    .error_gone = N_("数据文件丢失，没有记账"),
    .wait_headline = N_("请稍等"),
    .wait_message = N_("正在保存，请不要离开"),
    .wait_advice = N_("马上就好"),
    .misread_headline = N_("身份证没有读清楚"),
    .misread_advice = N_("请把身份证重新放在读卡区"),
    .free = N_("免费"),
    .no_subsidy =
        {
            [KIOSK_NO_SUBSIDY_NONE] = "",
            [KIOSK_NO_SUBSIDY_NO_RULE] = N_("这一餐没有补贴"),
            [KIOSK_NO_SUBSIDY_MIN_SPEND] = N_("未到最低消费，没有补贴"),
            [KIOSK_NO_SUBSIDY_RESIDENCE] = N_("补贴只给本地户籍老人"),
            [KIOSK_NO_SUBSIDY_DAILY_GIVEN] = N_("今天的补贴已经用过"),
            [KIOSK_NO_SUBSIDY_OUTSIDE_AREA] = N_("户籍不在本地，没有补贴"),
        },
    .bill_headline = N_("请输入本餐金额"),
    .bill_message = N_("工作人员输入金额后，请老人刷卡"),
    .bill_advice = N_("最后两位是角和分：输入 1250 就是 ¥12.50"),
    .bill_backspace = N_("删除"),
    .bill_confirm = N_("确定"),
    .bill_ready_hint = N_("本餐金额 "),
    .bill_change = N_("改金额"),
    .offline_limit_headline = N_("离线用餐已达上限"),
    .bill_first_headline = N_("请先输入金额"),
    .bill_first_message = N_("请工作人员先输入本餐金额"),
    .bill_figure = N_("本餐金额"),
    .menu_headline = N_("请选择套餐"),
    .menu_message = N_("选好后请刷卡"),
    .menu_after_tap_message = N_("已读到您的卡，选好套餐就记账"),
    .menu_chosen_hint = N_("已选 "),
    .menu_change = N_("重选"),
    .clip_tap_card = "tap_card",
    .clip_see_staff = "see_staff",
    .clip_meal_ok = "meal_ok",
    .clip_subsidy = "subsidy",
    .clip_you_pay = "you_pay",
    .clip_free_meal = "free_meal",
    .clip_full_price_ok = "full_price_ok",
    .clip_same_result = "same_result",
    .clip_error = "error",
    .clip_id_again = "id_again",
    .clip_please_wait = "please_wait",
};

const canteen_reason_words canteen_reasons[KIOSK_REASON_COUNT] = {
    [KIOSK_REASON_OK] = {"", "", ""},
    [KIOSK_REASON_UNKNOWN_CARD] = {N_("未登记的卡"), N_("请到窗口找工作人员"), "unknown_card"},
    [KIOSK_REASON_CARD_BLOCKED] = {N_("此卡已停用"), N_("请到窗口找工作人员"), "card_blocked"},
    [KIOSK_REASON_PERSON_INACTIVE] = {N_("助餐资格已停用"), N_("请到窗口找工作人员"),
                                      "person_inactive"},
    [KIOSK_REASON_NO_POLICY] = {N_("今日没有助餐政策"), N_("请到窗口找工作人员"), "no_policy"},
    [KIOSK_REASON_OUTSIDE_MEAL_HOURS] = {N_("现在不是用餐时间"), N_("请在用餐时间再来"),
                                         "outside_meal_hours"},
    [KIOSK_REASON_ALREADY_HAD_MEAL] = {N_("本餐已经用过"), N_("如有疑问，请找工作人员"),
                                       "already_had_meal"},
    [KIOSK_REASON_DAILY_LIMIT] = {N_("补贴次数已用完"), N_("如有疑问，请找工作人员"),
                                  "daily_limit"},
    [KIOSK_REASON_MONTHLY_CAP] = {N_("本月补贴已用完"), N_("请到窗口找工作人员"), "monthly_cap"},
    [KIOSK_REASON_NOT_ELIGIBLE_AGE] = {N_("未到助餐年龄"), N_("请到窗口找工作人员"),
                                       "not_eligible_age"},
    [KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE] = {N_("不在本地助餐范围"), N_("请到窗口找工作人员"),
                                             "not_eligible_residence"},
    [KIOSK_REASON_WRONG_CANTEEN] = {N_("非本助餐点的卡"), N_("请到发卡的助餐点用餐"),
                                    "wrong_canteen"},
};

const char *const canteen_clips[] = {
    "tap_card",
    "see_staff",
    "meal_ok",
    "subsidy",
    "you_pay",
    "free_meal",
    "full_price_ok",
    "same_result",
    "error",
    "id_again",
    "please_wait",
    "unknown_card",
    "card_blocked",
    "person_inactive",
    "no_policy",
    "outside_meal_hours",
    "already_had_meal",
    "daily_limit",
    "monthly_cap",
    "not_eligible_age",
    "not_eligible_residence",
    "wrong_canteen",
    NULL,
};

const canteen_words *canteen_text_tr(void)
{
    static canteen_words copy;
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)&canteen_text, (const char **)&copy,
                         KIOSK_TR_COUNT(canteen_words));
        made = kiosk_i18n_generation() + 1;
    }
    return &copy;
}

const canteen_reason_words *canteen_reasons_tr(void)
{
    static canteen_reason_words copy[KIOSK_REASON_COUNT];
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)canteen_reasons, (const char **)copy,
                         KIOSK_TR_COUNT(canteen_reason_words) * KIOSK_REASON_COUNT);
        made = kiosk_i18n_generation() + 1;
    }
    return copy;
}
