/* text.h - text for the screens: the bundled CJK font (regular and bold), fontconfig fallback for
 * rare characters in names, line wrapping for Chinese, and a texture cache so repeated text is
 * not rasterised again each frame. Main (UI) thread only. */
#ifndef UI_TEXT_H
#define UI_TEXT_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ui_text ui_text;

typedef enum ui_align { UI_ALIGN_LEFT, UI_ALIGN_CENTER, UI_ALIGN_RIGHT } ui_align;

typedef struct ui_text_style {
    int size_px;
    bool bold;
    uint32_t rgb;   /* 0xRRGGBB */
    ui_align align; /* relative to x: left edge, centre or right edge */
    int max_width;  /* wrap (or shrink) to this width; 0 = no limit */
    int max_lines;  /* 1 = shrink to fit on one line; >1 wrap onto at most this many */
} ui_text_style;

/* Opens the bundled faces in font_dir (NotoSansCJKsc-Kiosk-{Regular,Bold}.otf). NULL and a
 * message in err when they cannot be opened. */
ui_text *ui_text_new(SDL_Renderer *renderer, const char *font_dir, char *err, size_t err_size);
void ui_text_free(ui_text *t);
/* Draws text with its top at y; returns the height used (0 for empty text). */
int ui_text_draw(ui_text *t, const char *utf8, const ui_text_style *style, int x, int y);
/* Width and height the text would take with this style (after wrapping). */
void ui_text_measure(ui_text *t, const char *utf8, const ui_text_style *style, int *w, int *h);
/* True when every code point of utf8 is in the bundled (primary) font. */
bool ui_text_bundled_covers(ui_text *t, const char *utf8, uint32_t *first_missing);
/* Code points drawn since creation that no font had (they showed as boxes). */
unsigned long ui_text_missing_glyphs(const ui_text *t);
/* Code points drawn with a fallback font since creation. */
unsigned long ui_text_fallback_glyphs(const ui_text *t);
/* The smallest sizes (px) text is drawn at, shrinking to fit or not: han_px for text of Chinese
 * characters only, digit_px for text with digits or Latin letters; default 0 (55 % of the size
 * asked for). */
void ui_text_set_min_sizes(ui_text *t, int han_px, int digit_px);
/* The smallest sizes drawn since the last reset, of each kind (0: none drawn): what the screens
 * really showed, for the size tests; reset starts counting again. */
void ui_text_smallest(ui_text *t, int *han_px, int *digit_px, bool reset);
/* The size text is drawn at with this style, after shrinking to fit (0 for empty text). */
int ui_text_drawn_size(ui_text *t, const char *utf8, const ui_text_style *style);
/* The ink height of a Chinese character (国) and of a digit (8) over the font size, from the
 * bundled face: what turns a visual angle into a font size. */
void ui_text_ink_ratios(ui_text *t, double *han, double *digit);
/* Texts drawn clipped since creation (they did not fit even at the smallest size): a layout
 * test wants 0. */
unsigned long ui_text_clipped(const ui_text *t);
/* Cache statistics, for tests and benchmarks. */
void ui_text_cache_stats(const ui_text *t, unsigned long *hits, unsigned long *misses);

#endif
