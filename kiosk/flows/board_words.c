/* board_words.c - the now-serving board's words (see board_words.h). */
#include "board_words.h"

#include "i18n.h"

#include <stddef.h>

const board_words board_text = {
    .title_suffix = N_("叫号"),
    .idle_headline = N_("请留意叫号"),
    .call_please = N_("请 "),
    .call_to = N_(" 号到 "),
    .call_window = N_(" 号窗口"),
    .recent_title = N_("最近叫号"),
    .head_number = N_("号码"),
    .head_counter = N_("窗口"),
    .head_service = N_("业务"),
    .counter_suffix = N_(" 号窗口"),
    .waiting_label = N_("等候人数"),
    .people = N_(" 人"),
    .nobody_waiting = N_("暂无等候"),
    .clip_please = "call_qing",
    .clip_to = "call_hao_dao",
    .clip_window = "call_window",
};

const char *const board_clips[] = {
    "call_qing", "call_hao_dao", "call_window", "shi",      "d0",       "d1",       "d2",
    "d3",        "d4",           "d5",          "d6",       "d7",       "d8",       "d9",
    "letter_a",  "letter_b",     "letter_c",    "letter_d", "letter_e", "letter_f", "letter_g",
    "letter_h",  "letter_i",     "letter_j",    "letter_k", "letter_l", "letter_m", "letter_n",
    "letter_o",  "letter_p",     "letter_q",    "letter_r", "letter_s", "letter_t", "letter_u",
    "letter_v",  "letter_w",     "letter_x",    "letter_y", "letter_z", NULL,
};

const board_words *board_text_tr(void)
{
    static board_words copy;
    static unsigned made;
    if (made != kiosk_i18n_generation() + 1) {
        kiosk_tr_strings((const char *const *)&board_text, (const char **)&copy,
                         KIOSK_TR_COUNT(board_words));
        made = kiosk_i18n_generation() + 1;
    }
    return &copy;
}
