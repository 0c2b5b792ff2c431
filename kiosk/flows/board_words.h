/* board_words.h - every word the now-serving board shows and speaks, in one table (ready for
 * gettext). board.c composes the call from these: "请" number "号到" counter "号窗口". */
#ifndef KIOSK_BOARD_WORDS_H
#define KIOSK_BOARD_WORDS_H

typedef struct board_words {
    const char *title_suffix;
    const char *idle_headline;                       /* no call yet */
    const char *call_please, *call_to, *call_window; /* 请 J012 号到 3 号窗口 */
    const char *recent_title;
    const char *head_number, *head_counter, *head_service;
    const char *counter_suffix; /* "3" + " 号窗口" */
    const char *waiting_label;  /* the panel's first row */
    const char *people;         /* "5" + " 人" */
    const char *nobody_waiting;
    /* voice */
    const char *clip_please, *clip_to, *clip_window;
} board_words;

extern const board_words board_text;
/* board_text in the kiosk's language (i18n.h): a copy translated on first use and again after
 * the language changes. The flow reads this; the original holds the msgids. */
const board_words *board_text_tr(void);
/* Every clip the board may say, NULL-terminated (the flow's ops.clips). */
extern const char *const board_clips[];

#endif
