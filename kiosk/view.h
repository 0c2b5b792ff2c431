/* view.h - the plain snapshot of what the screen shows and the voice says. The core fills it;
 * ui/ draws it and never reaches back into the core. Texts are UTF-8, already masked and
 * formatted (amounts as "¥12.50"). */
#ifndef KIOSK_VIEW_H
#define KIOSK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kiosk_screen {
    KIOSK_SCREEN_IDLE,    /* "请刷卡" and where to tap */
    KIOSK_SCREEN_RESULT,  /* success / refused / error, large */
    KIOSK_SCREEN_DAY_VIEW /* staff: today's counts and totals (read-only) */
} kiosk_screen;

typedef enum kiosk_tone {
    KIOSK_TONE_SUCCESS,
    KIOSK_TONE_REFUSED,
    KIOSK_TONE_ERROR,
    KIOSK_TONE_INFO /* help and staff screens */
} kiosk_tone;

#define KIOSK_VIEW_ROWS       6
#define KIOSK_VIEW_VOICE      24
#define KIOSK_VIEW_TABLE_ROWS 12 /* total, 3 meal types, up to 8 classes */

typedef struct kiosk_view_row {
    char label[48];
    char value[48];
    bool emphasis; /* the figure the diner must read: shown largest */
} kiosk_view_row;

typedef struct kiosk_view_table_row {
    char cells[4][48];
} kiosk_view_table_row;

typedef struct kiosk_view {
    kiosk_screen screen;
    char title[128];      /* mode and site, top left */
    char date_text[64];   /* "2026年11月23日 星期一" (the app fills it) */
    char time_text[16];   /* "11:30" */
    char status_text[64]; /* small line for staff, e.g. "离线 · 待上传 3" */

    /* idle */
    char prompt[64]; /* "请刷卡" */
    char hint[128];  /* "请把卡贴在下方读卡区" */

    /* result */
    kiosk_tone tone;
    char headline[64]; /* "用餐成功" */
    char name[64];     /* masked, "张*明" */
    char subline[128]; /* "80-89岁 · 午餐" */
    kiosk_view_row rows[KIOSK_VIEW_ROWS];
    size_t row_count;
    char message[192]; /* why, in plain words */
    char advice[160];  /* what to do next */
    int countdown_s;   /* seconds until idle; 0 hides it */

    /* staff day view */
    char table_title[96];
    kiosk_view_table_row table[KIOSK_VIEW_TABLE_ROWS];
    size_t table_rows;

    /* voice: clip names to speak; a new voice_serial means "say it now" */
    const char *voice[KIOSK_VIEW_VOICE];
    size_t voice_count;
    unsigned voice_serial;
} kiosk_view;

/* Fills the title bar's date ("2026年11月23日 星期一") and time ("11:30") for the local time of
 * utc_ms; the main loop calls it before every frame. */
void kiosk_view_set_clock(kiosk_view *v, int64_t utc_ms);

#endif
