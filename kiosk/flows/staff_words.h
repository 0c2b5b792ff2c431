/* staff_words.h - every word staff mode shows, in one table (ready for gettext). staff_flow.c
 * composes its screens from these and never spells a word. */
#ifndef KIOSK_STAFF_WORDS_H
#define KIOSK_STAFF_WORDS_H

#include "event.h"
#include "staff.h"

typedef struct staff_words {
    const char *title_suffix; /* "<site> · 工作人员" */
    const char *pin_headline, *pin_backspace, *pin_confirm, *pin_short;
    const char *pin_wrong, *pin_wrong_unit; /* "密码不对，还可以试" 3 "次" */
    const char *locked_headline, *locked_message, *locked_after, *locked_advice; /* ... 11:35 ... */
    const char *menu_headline;
    const char *action[KIOSK_STAFF_ACTION_COUNT]; /* the menu's buttons */
    const char *role[2];
    const char *leave, *back, *cancel, *resume;
    const char *refused_headline, *refused_message, *error_headline, *error_message;
    const char *day_title, *day_total, *day_count_unit, *day_head[4];
    const char *void_headline, *void_message, *void_none, *void_done_headline;
    const char *void_reason_headline, *void_gone;
    const char *status_headline, *status_pending, *status_last_ok, *status_offset, *status_state;
    const char *status_never, *status_none;
    const char *sync_state[9];
    const char *device[KIOSK_DEVICE_ROLE_COUNT]; /* 读卡器, 身份证阅读器, 打印机 */
    const char *device_state[4];                 /* kiosk_device_state */
    const char *oos_headline, *oos_message, *oos_advice;
    const char *sync_started, *exiting;
    const char *reprint_headline, *reprint_message, *reprint_done;
    const char *offline_allowed, *offline_allowed_message;
    const char *counter_headline, *counter_unit, *nobody_waits; /* 叫号到几号窗口？ 号窗口 */
    const char *call_before, *call_to, *call_after;             /* 请 J001 号到 3 号窗口 */
    /* Lifting a refusal: the reason, then the diner's card again, then what was recorded. */
    const char *override_reason_headline, *override_reason_message;
    const char *override_card_headline, *override_card_message;
    const char *override_done, *override_not_refused, *override_not_refused_message;
    const char *override_cannot, *override_price, *override_subsidy, *override_pay;
    /* 代办就餐: 放行 and 无卡登记 together; a diner without a card by birth date and name. */
    const char *serve, *manual_birth_headline, *manual_birth_message, *manual_bad_date;
    const char *manual_list_headline, *manual_list_message, *manual_none, *manual_more;
    const char *manual_reason_headline, *manual_done, *manual_refused, *manual_offline;
    /* 更正账单: a meal of today, the right amount, the reason. */
    const char *bill_button, *bill_headline, *bill_message, *bill_amount_headline;
    const char *bill_amount_message, *bill_reason_headline, *bill_done, *bill_refused;
    /* 现场取号: the service, the lane, each party's ID number, the ticket. */
    const char *walkin_service_headline, *walkin_lane_headline, *walkin_priority_note;
    const char *walkin_id_headline, *walkin_id_before, *walkin_id_after; /* 第 2 位的身份证号 */
    const char *walkin_id_message, *walkin_done;
    const char *walkin_under_age, *walkin_failed, *walkin_x;
    /* 本机设置: the voice's volume */
    const char *volume_label, *volume_down, *volume_up, *volume_message;
    /* 录入账单: the bill for the next diner's tap */
    const char *bill_next_headline, *bill_next_message;
    /* after a long press in the corner */
    const char *card_prompt_headline, *card_prompt_message;
} staff_words;

extern const staff_words staff_text;
/* staff_text in the kiosk's language (i18n.h): a copy translated on first use and again after
 * the language changes. Staff mode reads this; the original holds the msgids. */
const staff_words *staff_text_tr(void);

#endif
