/* view.h - the plain snapshot a flow fills and ui/ draws: a layout, the words, the figures, a
 * table, the buttons and inputs the screen offers (id, label, role), an optional keypad, and
 * intents (voice clips to speak, a ticket or receipt to print). ui/ draws any view generically,
 * clamps every count it is given, and reports touches as widget ids; it holds no flow's words.
 * Texts are UTF-8, already masked and formatted ("¥12.50"). The app adds a kiosk_frame (date,
 * time, the staff line) around whatever view is shown. */
#ifndef KIOSK_VIEW_H
#define KIOSK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "print.h"

typedef enum kiosk_layout {
    KIOSK_LAYOUT_IDLE,   /* a large prompt, a hint and the picture of where to put the card */
    KIOSK_LAYOUT_RESULT, /* a coloured banner with the headline; name, figures and words */
    KIOSK_LAYOUT_TABLE,  /* a staff table under a title banner */
    KIOSK_LAYOUT_FORM,   /* a question with a keypad and/or a grid of choices */
    KIOSK_LAYOUT_BOARD   /* a display-only hall board: the call in the banner, the last calls
                            (table), the waiting counts (figures) */
} kiosk_layout;

typedef enum kiosk_tone {
    KIOSK_TONE_SUCCESS,
    KIOSK_TONE_REFUSED,
    KIOSK_TONE_ERROR,
    KIOSK_TONE_INFO /* help, staff screens, questions */
} kiosk_tone;

/* Where and how a button is drawn. */
typedef enum kiosk_role {
    KIOSK_ROLE_PRIMARY,   /* the main action of a form or result */
    KIOSK_ROLE_SECONDARY, /* the other choices (a grid on a form) */
    KIOSK_ROLE_DANGER,    /* cancel, void */
    KIOSK_ROLE_NAV,       /* back or help: bottom left, the same place on every screen */
    KIOSK_ROLE_BAR        /* a small staff button in the title bar */
} kiosk_role;

#define KIOSK_VIEW_BUTTONS    10
#define KIOSK_VIEW_FIGURES    6
#define KIOSK_VIEW_VOICE      24
#define KIOSK_TABLE_ROWS      12 /* total, 3 meal types, up to 8 classes */
#define KIOSK_TABLE_COLUMNS   4
#define KIOSK_BUTTON_LABEL_MAX 48

typedef struct kiosk_button {
    char id[KIOSK_WIDGET_ID_MAX];
    char label[KIOSK_BUTTON_LABEL_MAX];
    kiosk_role role;
} kiosk_button;

/* Keys report "key0".."key9", "backspace" and "confirm". */
typedef struct kiosk_keypad {
    bool shown;
    char value[48]; /* what was typed, as it may be shown ("●●●●" for a PIN) */
    char backspace_label[16];
    char confirm_label[16];
} kiosk_keypad;

typedef struct kiosk_figure {
    char label[48];
    char value[48];
    bool emphasis; /* the figure the user must read: shown largest */
} kiosk_figure;

typedef struct kiosk_table {
    char title[96];
    char head[KIOSK_TABLE_COLUMNS][32];
    char cells[KIOSK_TABLE_ROWS][KIOSK_TABLE_COLUMNS][48];
    size_t row_count;
} kiosk_table;

/* Speak these clips (names of assets/voice/<name>.wav) when serial changes. */
typedef struct kiosk_voice_intent {
    const char *clips[KIOSK_VIEW_VOICE]; /* static strings */
    size_t count;
    unsigned serial;
    bool after; /* wait for what is being spoken to end (a hall call), instead of cutting it off
                   (a new result: the old one no longer matters) */
} kiosk_voice_intent;

/* Print this document when serial changes (and a printer is configured). */
typedef struct kiosk_print_intent {
    unsigned serial;
    kiosk_print_doc doc;
} kiosk_print_intent;

/* Ask the app for what only it can do (staff mode's "sync now" and "exit to the system") when
 * serial changes. */
typedef enum kiosk_request_kind {
    KIOSK_REQUEST_NONE,
    KIOSK_REQUEST_SYNC_NOW, /* wake the sync worker: upload and pull at once */
    KIOSK_REQUEST_QUIT,     /* stop the kiosk program (exit status 0) */
    KIOSK_REQUEST_VOLUME    /* speak at `volume` from now on (staff set it; the store keeps it) */
} kiosk_request_kind;

typedef struct kiosk_request {
    unsigned serial;
    kiosk_request_kind kind;
    int volume; /* KIOSK_REQUEST_VOLUME: 0..100 */
} kiosk_request;

typedef struct kiosk_view {
    char screen[24]; /* the flow's name for this screen ("idle", "result", "dayview"): screenshot
                        file names, logs and tests */
    kiosk_layout layout;
    kiosk_tone tone;
    char title[128]; /* mode and site, top left */

    /* idle */
    char prompt[64];        /* "请刷卡" */
    char hint[128];         /* "请把助餐卡贴在下方读卡区" */
    char picture_label[32]; /* the word on the card in the picture: "助餐卡" */
    char reader_label[48];  /* the strip along the reader's edge: "读卡区在下方" */

    /* result and form */
    char headline[64]; /* "用餐成功" */
    char name[64];     /* masked, "张*明" */
    char subline[128]; /* "80-89岁 · 午餐" */
    kiosk_figure figures[KIOSK_VIEW_FIGURES];
    size_t figure_count;
    char code_label[64]; /* "结婚登记 · 优先": what the code is for */
    char code[16];       /* a short code shown very large in its own panel: a queue number */
    char message[192];   /* why, in plain words */
    char advice[160];    /* what to do next */
    int countdown_s;     /* seconds until the screen leaves by itself; 0 hides it */
    bool waits_for_input; /* a result-like screen that waits for the diner (the second ID card):
                             warned before it gives up, like a form (kiosk/pacing.h) */

    kiosk_table table;
    kiosk_button buttons[KIOSK_VIEW_BUTTONS];
    size_t button_count;
    kiosk_keypad keypad;

    kiosk_voice_intent voice;
    kiosk_print_intent print;
    kiosk_request request;
} kiosk_view;

/* What the app draws around any flow's view. */
typedef struct kiosk_frame {
    char date_text[64];   /* "2026年11月23日 星期一" */
    char time_text[16];   /* "11:30" */
    char status_text[96]; /* a small line for staff: "离线 · 待上传 3", a device fault */
} kiosk_frame;

#endif
