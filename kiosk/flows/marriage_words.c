/* marriage_words.c - the marriage check-in flow's words (see marriage_words.h). */
#include "marriage_words.h"

#include "i18n.h"

#include <stddef.h>

const marriage_words marriage_text = {
    .title_suffix = N_("婚姻登记 · 预约取号"),
    .idle_prompt = N_("请放置身份证"),
    .idle_hint_below = N_("预约的双方请依次把身份证放在下方读卡区"),
    .idle_hint_right = N_("预约的双方请依次把身份证放在右侧读卡区"),
    .picture_label = N_("身份证"),
    .reader_below = N_("读卡区在下方"),
    .reader_right = N_("读卡区"),
    .booking_button = N_("输入预约号"),
    .help = N_("帮助"),
    .back = N_("返回"),
    .cancel = N_("取消"),
    .retype = N_("重新输入"),
    .help_headline = N_("需要帮助吗？"),
    .help_message = N_("有预约的双方，请依次把身份证放在读卡区，屏幕会显示排队号码并打印凭条。"
                       "也可以先输入预约号，再放身份证"),
    .help_advice = N_("没有预约或有疑问，请到窗口找工作人员"),
    .second_headline = N_("请另一方放置身份证"),
    .second_read = N_("已读取"),
    .second_message = N_("请先取走这张身份证，再请另一方把身份证放在读卡区"),
    .second_advice = N_("双方都要本人到场"),
    .same_card_headline = N_("这是同一张身份证"),
    .same_card_message = N_("请另一方把自己的身份证放在读卡区"),
    .misread_headline = N_("身份证没有读清楚"),
    .misread_advice = N_("请把身份证重新放在读卡区"),
    .mismatch_headline = N_("这张身份证不在这个预约上"),
    .mismatch_message = N_("请预约的本人放置身份证"),
    .booking_headline = N_("请输入预约号"),
    .booking_message = N_("预约号在预约成功的短信里"),
    .booking_advice = N_("输入后按“确定”，再放置身份证"),
    .backspace = N_("删除"),
    .confirm = N_("确定"),
    .cards_headline_two = N_("请双方依次放置身份证"),
    .cards_headline_one = N_("请放置身份证"),
    .cards_message = N_("已找到预约："),
    .cards_advice = N_("放好一张，取走后再放另一张"),
    .cards_one_read = N_("已读取一方，请另一方放置身份证"),
    .ticket_headline = N_("取号成功"),
    .already_headline = N_("已取过号"),
    .ticket_advice_area = N_("请到 {1} 等候叫号"),
    .ticket_advice_plain = N_("请到等候区等候叫号"),
    .withdraw_figure = N_("可撤回申请至"),
    .under_age_flag = N_("一方未到法定婚龄，请登记员核实"),
    .wait_headline = N_("请稍等"),
    .wait_message = N_("正在保存，请不要离开"),
    .wait_advice = N_("马上就好"),
    .names_separator = N_("、"),
    .clip_place_id = "mar_place_id",
    .clip_other_party = "mar_other_party",
    .clip_same_card = "mar_same_card",
    .clip_id_again = "id_again",
    .clip_enter_booking = "mar_enter_booking",
    .clip_place_cards = "mar_place_cards",
    .clip_card_mismatch = "mar_card_mismatch",
    .clip_ticket_ok = "mar_ticket_ok",
    .clip_already = "mar_already",
    .clip_hao = "hao",
    .clip_go_wait = "mar_go_wait",
    .clip_see_staff = "see_staff",
    .clip_please_wait = "please_wait",
};

/* Per refusal: the headline, the label of the figure with the date or time it turns on (the
 * flow fills in the value: other_day the booked date, too_early the time check-in opens,
 * too_late the time it closed, cooling_early the first day to come (and withdraw_figure the last
 * day to withdraw), cooling_expired the last day it was possible, withdraw_closed the last day a
 * withdrawal was accepted), the advice and the clip. Headline and advice together stay within 16
 * characters, so that with two names a result is at most 20. */
const marriage_reason_words marriage_reasons[KIOSK_CHECKIN_REASON_COUNT] = {
    [KIOSK_CHECKIN_OK] = {"", "", "", ""},
    [KIOSK_CHECKIN_CANCELLED] = {N_("这个预约已取消"), "", N_("请到窗口咨询"), "mar_cancelled"},
    [KIOSK_CHECKIN_OTHER_DAY] = {N_("预约日期不是今天"), N_("预约日期"), N_("请在预约当天来取号"),
                                 "mar_other_day"},
    [KIOSK_CHECKIN_TOO_EARLY] = {N_("还没到取号时间"), N_("开始取号"), N_("请稍后再来"),
                                 "mar_too_early"},
    [KIOSK_CHECKIN_TOO_LATE] = {N_("已过预约时段"), N_("取号截止"), N_("请到窗口咨询"),
                                "mar_too_late"},
    [KIOSK_CHECKIN_PARTY_MISSING] = {N_("请双方都到场"), "", N_("请另一方也放身份证"),
                                     "mar_other_party"},
    [KIOSK_CHECKIN_NO_APPLICATION] = {N_("预约信息不完整"), "", N_("请到窗口咨询"), "see_staff"},
    [KIOSK_CHECKIN_NO_CALENDAR] = {N_("暂时无法取号"), "", N_("请到窗口咨询"), "see_staff"},
    [KIOSK_CHECKIN_COOLING_EARLY] = {N_("冷静期还没有结束"), N_("可领证日期"), N_("届时请双方再来"),
                                     "mar_cooling_early"},
    [KIOSK_CHECKIN_COOLING_EXPIRED] = {N_("已超过领证期限"), N_("领证期限"), N_("申请已视为撤回"),
                                       "mar_cooling_expired"},
    [KIOSK_CHECKIN_WITHDRAW_CLOSED] = {N_("已过撤回期限"), N_("撤回期限"), N_("请到窗口咨询"),
                                       "mar_withdraw_closed"},
};

const marriage_reason_words marriage_problems[MARRIAGE_PROBLEM_COUNT] = {
    [MARRIAGE_NO_BOOKING] = {N_("没有找到您的预约"), "", N_("请到窗口现场取号"), "mar_no_booking"},
    [MARRIAGE_NOT_TOGETHER] = {N_("两位没有共同的预约"), "", N_("请核对或到窗口咨询"),
                               "mar_not_together"},
    [MARRIAGE_BOOKING_UNKNOWN] = {N_("没有找到这个预约号"), "", N_("请核对短信里的预约号"),
                                  "mar_booking_not_found"},
    [MARRIAGE_ID_INVALID] = {N_("证件号码校验不通过"), "", N_("请重放或到窗口咨询"),
                             "mar_id_invalid"},
    [MARRIAGE_UNSUPPORTED] = {N_("这种证件请到窗口办理"), "", N_("请找工作人员"),
                              "mar_unsupported"},
    [MARRIAGE_ERROR] = {N_("暂时无法取号"), "", N_("请到窗口找工作人员"), "error"},
};

const char *const marriage_letter_clips[26] = {
    "letter_a", "letter_b", "letter_c", "letter_d", "letter_e", "letter_f", "letter_g",
    "letter_h", "letter_i", "letter_j", "letter_k", "letter_l", "letter_m", "letter_n",
    "letter_o", "letter_p", "letter_q", "letter_r", "letter_s", "letter_t", "letter_u",
    "letter_v", "letter_w", "letter_x", "letter_y", "letter_z",
};

const char *const marriage_clips[] = {
    "mar_place_id",
    "mar_other_party",
    "mar_same_card",
    "id_again",
    "mar_enter_booking",
    "mar_place_cards",
    "mar_card_mismatch",
    "mar_ticket_ok",
    "mar_already",
    "hao",
    "mar_go_wait",
    "see_staff",
    "please_wait",
    "mar_cancelled",
    "mar_other_day",
    "mar_too_early",
    "mar_too_late",
    "mar_cooling_early",
    "mar_cooling_expired",
    "mar_withdraw_closed",
    "mar_no_booking",
    "mar_not_together",
    "mar_booking_not_found",
    "mar_id_invalid",
    "mar_unsupported",
    "error",
    "d0",
    "d1",
    "d2",
    "d3",
    "d4",
    "d5",
    "d6",
    "d7",
    "d8",
    "d9",
    "letter_a",
    "letter_b",
    "letter_c",
    "letter_d",
    "letter_e",
    "letter_f",
    "letter_g",
    "letter_h",
    "letter_i",
    "letter_j",
    "letter_k",
    "letter_l",
    "letter_m",
    "letter_n",
    "letter_o",
    "letter_p",
    "letter_q",
    "letter_r",
    "letter_s",
    "letter_t",
    "letter_u",
    "letter_v",
    "letter_w",
    "letter_x",
    "letter_y",
    "letter_z",
    NULL,
};

const marriage_words *marriage_text_tr(void)
{
    static marriage_words copy;
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)&marriage_text, (const char **)&copy,
                         KIOSK_TR_COUNT(marriage_words));
        made = kiosk_i18n_generation() + 1;
    }
    return &copy;
}

const marriage_reason_words *marriage_reasons_tr(void)
{
    static marriage_reason_words copy[KIOSK_CHECKIN_REASON_COUNT];
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)marriage_reasons, (const char **)copy,
                         KIOSK_TR_COUNT(marriage_reason_words) * KIOSK_CHECKIN_REASON_COUNT);
        made = kiosk_i18n_generation() + 1;
    }
    return copy;
}

const marriage_reason_words *marriage_problems_tr(void)
{
    static marriage_reason_words copy[MARRIAGE_PROBLEM_COUNT];
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)marriage_problems, (const char **)copy,
                         KIOSK_TR_COUNT(marriage_reason_words) * MARRIAGE_PROBLEM_COUNT);
        made = kiosk_i18n_generation() + 1;
    }
    return copy;
}
