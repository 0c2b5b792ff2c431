/* canteen_words.h - every word the canteen flow shows and speaks, in one table (ready for
 * gettext): the fixed texts of its screens, and per refusal reason its headline, advice and
 * voice clip. canteen.c composes screens from these and never spells a word. A result screen
 * reads in three lines of at most 20 characters besides its figures (the headline, the name and
 * meal, one line of advice): details such as meal hours and amounts are figures. */
#ifndef KIOSK_CANTEEN_WORDS_H
#define KIOSK_CANTEEN_WORDS_H

#include "policy.h"

typedef struct canteen_reason_words {
    const char *headline; /* the banner: "本餐已经用过" */
    const char *advice;   /* what to do next */
    const char *clip;     /* the voice prompt */
} canteen_reason_words;

typedef struct canteen_words {
    const char *title_suffix; /* "<site> · 助餐服务" */
    const char *idle_prompt, *idle_hint_below, *idle_hint_right;
    const char *picture_label, *reader_below, *reader_right;
    const char *help, *back, *print_receipt;
    const char *help_headline, *help_message, *help_advice;
    const char *ok_headline, *repeat_headline, *repeat_message;
    const char *price, *subsidy, *to_pay, *full_price;
    const char *month_left; /* a figure: "本月补贴还剩" */
    const char *pay_advice, *take_advice;
    const char *unknown_id_headline; /* the unknown-card refusal when an ID card was used */
    const char *full_price_offer;    /* the advice beside the full price figure */
    const char *previous_here, *previous_elsewhere; /* a figure: "午餐" + these, the time */
    const char *error_advice, *error_read, *error_disk_full, *error_not_saved;
    const char *error_gone;
    const char *wait_headline, *wait_message, *wait_advice;
    const char *misread_headline, *misread_advice;
    const char *free; /* the amount to pay of a free meal */
    /* why a meal got no subsidy: the advice line of its result */
    const char *no_subsidy[KIOSK_NO_SUBSIDY_OUTSIDE_AREA + 1];
    const char *bill_headline, *bill_message, *bill_advice, *bill_backspace, *bill_confirm;
    const char *bill_ready_hint, *bill_change, *bill_first_headline, *bill_first_message;
    const char *bill_figure;
    const char *menu_headline, *menu_message, *menu_after_tap_message, *menu_chosen_hint;
    const char *menu_change;
    /* Past [sync] offline_meal_limit: a subsidised meal waits for staff. */
    const char *offline_limit_headline;
    /* voice clips */
    const char *clip_tap_card, *clip_see_staff, *clip_meal_ok, *clip_subsidy, *clip_you_pay;
    const char *clip_free_meal, *clip_full_price_ok, *clip_same_result, *clip_error;
    const char *clip_id_again, *clip_please_wait;
} canteen_words;

extern const canteen_words canteen_text;
extern const canteen_reason_words canteen_reasons[KIOSK_REASON_COUNT];
/* The two tables above in the kiosk's language (i18n.h): a copy translated on first use and
 * again after the language changes. The flow reads these; the originals are the msgids. */
const canteen_words *canteen_text_tr(void);
const canteen_reason_words *canteen_reasons_tr(void); /* KIOSK_REASON_COUNT of them */
/* Every clip above, NULL-terminated (the flow's ops.clips). */
extern const char *const canteen_clips[];

#endif
