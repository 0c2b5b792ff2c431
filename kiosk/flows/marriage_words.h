/* marriage_words.h - every word the marriage check-in flow shows and speaks, in one table (ready
 * for gettext): the fixed texts of its screens, and per refusal its headline, the label of the
 * date or time it turns on, advice and voice clip. marriage_flow.c composes screens from these
 * and never spells a word. A result reads in at most three lines of 20 characters besides its
 * figures: dates and times are figures, not sentences. */
#ifndef KIOSK_MARRIAGE_WORDS_H
#define KIOSK_MARRIAGE_WORDS_H

#include "marriage.h"

typedef struct marriage_reason_words {
    const char *headline;
    const char *figure; /* the label of the date or time shown as a figure ("": none) */
    const char *advice;
    const char *clip;
} marriage_reason_words;

/* Refusals of the flow beyond the domain's check-in reasons. */
typedef enum marriage_problem {
    MARRIAGE_NO_BOOKING,      /* the person has no appointment at all */
    MARRIAGE_NOT_TOGETHER,    /* two persons without a joint appointment (or one unknown) */
    MARRIAGE_BOOKING_UNKNOWN, /* a typed booking number that does not exist */
    MARRIAGE_ID_INVALID,      /* the number read fails its check */
    MARRIAGE_UNSUPPORTED,     /* a document the kiosk does not handle (the 2017 foreigner card) */
    MARRIAGE_ERROR,           /* the store failed: nothing was recorded */
    MARRIAGE_PROBLEM_COUNT
} marriage_problem;

typedef struct marriage_words {
    const char *title_suffix;
    const char *idle_prompt, *idle_hint_below, *idle_hint_right;
    const char *picture_label, *reader_below, *reader_right;
    const char *booking_button, *help, *back, *cancel, *retype;
    const char *help_headline, *help_message, *help_advice;
    const char *second_headline, *second_read, *second_message, *second_advice;
    const char *same_card_headline, *same_card_message;
    const char *misread_headline, *misread_advice;
    const char *mismatch_headline, *mismatch_message;
    const char *booking_headline, *booking_message, *booking_advice;
    const char *backspace, *confirm;
    const char *cards_headline_two, *cards_headline_one, *cards_message, *cards_advice;
    const char *cards_one_read; /* the first of two cards after a booking number */
    const char *ticket_headline, *already_headline;
    const char *ticket_advice_area, *ticket_advice_plain; /* {1}: the waiting area */
    const char
        *withdraw_figure; /* the second figure of a cooling period: the last day to withdraw */
    const char *under_age_flag; /* on the ticket, for the registrar */
    const char *wait_headline, *wait_message, *wait_advice;
    const char *names_separator;
    /* voice */
    const char *clip_place_id, *clip_other_party, *clip_same_card, *clip_id_again;
    const char *clip_enter_booking, *clip_place_cards, *clip_card_mismatch;
    const char *clip_ticket_ok, *clip_already, *clip_hao, *clip_go_wait, *clip_see_staff;
    const char *clip_please_wait;
} marriage_words;

extern const marriage_words marriage_text;
/* Indexed by kiosk_checkin_reason (KIOSK_CHECKIN_OK unused). */
extern const marriage_reason_words marriage_reasons[KIOSK_CHECKIN_REASON_COUNT];
extern const marriage_reason_words marriage_problems[MARRIAGE_PROBLEM_COUNT];
/* The three tables above in the kiosk's language (i18n.h): copies translated on first use and
 * again after the language changes. The flow reads these; the originals hold the msgids. */
const marriage_words *marriage_text_tr(void);
const marriage_reason_words *marriage_reasons_tr(void);  /* KIOSK_CHECKIN_REASON_COUNT */
const marriage_reason_words *marriage_problems_tr(void); /* MARRIAGE_PROBLEM_COUNT */
/* The clip that says a queue prefix letter: "letter_a" .. "letter_z". */
extern const char *const marriage_letter_clips[26];
/* Every clip above, NULL-terminated (the flow's ops.clips). */
extern const char *const marriage_clips[];

#endif
