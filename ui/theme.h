/* theme.h - the age-friendly look in one table (适老化): colours with >= 7:1 contrast, type sizes
 * and touch targets in pixels on a 1080-pixel-high (or -wide, in portrait) screen; ui.c scales
 * them by min(width, height) / 1080. Change the look here, not in the drawing code. */
#ifndef UI_THEME_H
#define UI_THEME_H

/* Colours as 0xRRGGBB. Each text/background pair is checked >= 7:1 by tests/unit/test_theme.c,
 * the result banners and the figures >= 10:1. A success and a refusal differ in lightness too
 * (a light banner with dark words against a dark one with white words, 9:1 apart in luminance),
 * so they are told apart in greyscale and by a red-green colour-blind reader. */
#define THEME_PAGE_BG       0xFFFFFF /* page background */
#define THEME_TEXT          0x111111 /* body text on the page: 18.9:1 */
#define THEME_TEXT_MUTED    0x333333 /* secondary text on the page: 12.6:1 */
#define THEME_BAR_BG        0x0B2E59 /* title bar; white text on it */
#define THEME_ON_DARK       0xFFFFFF /* text on any dark banner */
#define THEME_SUCCESS_BG    0xC8F2CF /* result banner: success, light green */
#define THEME_ON_SUCCESS    0x111111 /* its words: 15:1 */
#define THEME_REFUSED_BG    0x7A0000 /* result banner: refused, dark red; white words 11.5:1 */
#define THEME_ERROR_BG      0x5C3300 /* result banner: error */
#define THEME_INFO_BG       0x0B2E59 /* result banner: help, staff */
#define THEME_FIGURE        0x111111 /* amounts */
#define THEME_BUTTON_BG     0x0B2E59 /* buttons; white label */
#define THEME_BAR_BUTTON_BG 0x1F4F8A /* a button inside the title bar */
#define THEME_PANEL_BG      0xEEF2F7 /* light panel behind figures: text 17:1 on it */
#define THEME_CARD_BG       0xFFE9A8 /* the card in the idle picture */
#define THEME_CARD_EDGE     0x111111
#define THEME_CARD_CHIP     0x8A6D1F

/* Type sizes in px at the 1080 reference (body >= 36, figures >= 96). */
#define THEME_TITLE_PX        50
#define THEME_PROMPT_PX       220 /* 请刷卡 */
#define THEME_PROMPT_SHORT_PX 160 /* 请刷卡 on a screen too short for it and the card picture */
#define THEME_HINT_PX         64
#define THEME_HEADLINE_PX     132 /* 用餐成功 */
#define THEME_NAME_PX         100
#define THEME_SUBLINE_PX      60
#define THEME_ROW_LABEL_PX    60
#define THEME_ROW_VALUE_PX    104 /* result figures */
#define THEME_ROW_EMPHASIS_PX 150 /* what the diner pays */
#define THEME_BODY_PX         56
#define THEME_COUNTDOWN_PX    48
#define THEME_BUTTON_PX       56
#define THEME_TABLE_PX        52
#define THEME_KEY_PX          80  /* keypad digits */
#define THEME_FORM_HEADLINE_PX 96 /* the question on a form */
#define THEME_CODE_PX          300 /* a queue number on its ticket screen */
#define THEME_BOARD_CALL_PX    150 /* 请 J012 号到 3 号窗口, read from across the hall */
#define THEME_BOARD_ROW_PX     84  /* the board's last calls */

/* Geometry at the 1080 reference. */
#define THEME_BAR_H      130
#define THEME_BANNER_H   220
#define THEME_FORM_BANNER_H 160
#define THEME_MARGIN     60
#define THEME_TARGET_MIN 130 /* touch targets; never under 30 mm (set_geometry) */
#define THEME_BUTTON_W   300
#define THEME_RADIUS     24

/* The floors under all of these (every glyph 1 degree, the result word and the amount to pay 2,
 * targets 30 mm, 8 mm apart) follow from the panel's size and viewing distance: ui.c,
 * set_geometry. */

#endif
