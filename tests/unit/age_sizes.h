/* age_sizes.h - the age-friendly size rules checked on a drawn frame (issue 12, MIIT 2021 适老化):
 * every glyph's ink at least 1 degree high at the viewing distance, the result word and the
 * amount to pay 2 degrees, touch targets 30 x 30 mm with 8 mm between any two. The floors are
 * worked out here from the panel's size, independently of ui.c, and compared with what the ui's
 * layout record says the frame drew (ui_frame_sizes). Included by the screenshot tests. */
#ifndef TEST_AGE_SIZES_H
#define TEST_AGE_SIZES_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "check.h"
#include "ui.h"

/* The test panels: each test size with the diagonal of a panel sold at that resolution (a
 * 1280x800 15.6-inch panel, 21.5-inch landscape and portrait ones), seen from 60 cm. A 10.1-inch
 * 1280x800 panel cannot hold the rules: it is 136 mm high, and a keypad's four rows of 30 mm keys
 * with 8 mm between them need 144 mm before the title bar (test_screens checks the geometry it
 * would get, 177 px targets, but draws no screens on it). */
static inline double age_panel_diagonal(int w, int h)
{
    return w == 1280 && h == 800 ? 15.6 : 21.5;
}

static inline int age_panel_viewing_cm(int w, int h)
{
    (void)w, (void)h;
    return 60;
}

/* Ink over font size of the bundled Noto Sans CJK: a Chinese character's ink is 0.90 of the
 * size (its em box less the side bearings above and below), a digit's 0.733 (the cap height). */
#define AGE_HAN_INK   0.90
#define AGE_DIGIT_INK 0.733

typedef struct age_floors {
    int han_px, digit_px;         /* 1 degree */
    int result_han_px, amount_px; /* 2 degrees */
    int target_px, gap_px;        /* 30 mm, 8 mm */
} age_floors;

static inline age_floors age_floors_for(int w, int h, double diagonal_in, int viewing_cm)
{
    double px_per_mm = sqrt((double)w * w + (double)h * h) / (diagonal_in * 25.4);
    double degree_px = viewing_cm * 10.0 * tan(3.14159265358979323846 / 180) * px_per_mm;
    return (age_floors){(int)ceil(degree_px / AGE_HAN_INK),
                        (int)ceil(degree_px / AGE_DIGIT_INK),
                        (int)ceil(2 * degree_px / AGE_HAN_INK),
                        (int)ceil(2 * degree_px / AGE_DIGIT_INK),
                        (int)lround(30 * px_per_mm),
                        (int)lround(8 * px_per_mm)};
}

/* The figures the rules quote: 21.5" at 60 cm gives 47/58 px, 94/116 px and 121 px targets;
 * 15.6" and 10.1" panels 167 and 177 px. The arithmetic above must reproduce them. */
static inline void age_floors_selfcheck(void)
{
    age_floors a = age_floors_for(1920, 1080, 21.5, 60);
    CHECK_INT(a.han_px, 47);
    CHECK_INT(a.digit_px, 58);
    CHECK_INT(a.result_han_px, 94);
    CHECK_INT(a.amount_px, 116);
    CHECK_INT(a.target_px, 121);
    CHECK_INT(age_floors_for(1920, 1080, 15.6, 60).target_px, 167);
    CHECK_INT(age_floors_for(1280, 800, 10.1, 60).target_px, 177);
}

/* The gap between two boxes that do not overlap: the larger of the horizontal and vertical
 * distances (boxes side by side have a vertical distance below zero). */
static inline int age_gap(const ui_widget_box *a, const ui_widget_box *b)
{
    int dx = a->x >= b->x + b->w ? a->x - (b->x + b->w) : b->x - (a->x + a->w);
    int dy = a->y >= b->y + b->h ? a->y - (b->y + b->h) : b->y - (a->y + a->h);
    return dx > dy ? dx : dy;
}

/* Smallest figures seen over all frames checked, per test size, for the table of
 * docs/age-friendly.md (printed at the end). */
static struct age_seen {
    int w, h;
    int han, digit, headline, amount, target, gap;
} age_seen[3] = {{1920, 1080, 9999, 9999, 9999, 9999, 9999, 9999},
                 {1280, 800, 9999, 9999, 9999, 9999, 9999, 9999},
                 {1080, 1920, 9999, 9999, 9999, 9999, 9999, 9999}};

#define AGE_MIN(field, v) (seen->field = (v) < seen->field ? (v) : seen->field)

/* Checks the frame just drawn against the floors of its panel. */
static inline void age_check_frame(ui *u, const char *name, double diagonal_in, int viewing_cm)
{
    int w, h;
    ui_size(u, &w, &h);
    age_floors f = age_floors_for(w, h, diagonal_in, viewing_cm);
    ui_frame_sizes_info s;
    ui_frame_sizes(u, &s);
    int failures = check_failures;
    if (s.smallest_han_px)
        CHECK(s.smallest_han_px >= f.han_px);
    if (s.smallest_digit_px)
        CHECK(s.smallest_digit_px >= f.digit_px);
    if (s.headline_px)
        CHECK(s.headline_px >= f.result_han_px);
    if (s.amount_px)
        CHECK(s.amount_px >= f.amount_px);
    int target = 9999, gap = 9999;
    const char *small = "", *near_a = "", *near_b = "";
    for (size_t i = 0; i < s.widget_count; i++) {
        const ui_widget_box *a = &s.widgets[i];
        if (a->w < target || a->h < target)
            target = a->w < a->h ? a->w : a->h, small = a->id;
        for (size_t k = i + 1; k < s.widget_count; k++) {
            int g = age_gap(a, &s.widgets[k]);
            if (g < gap)
                gap = g, near_a = a->id, near_b = s.widgets[k].id;
        }
    }
    if (s.widget_count)
        CHECK(target >= f.target_px);
    if (s.widget_count > 1)
        CHECK(gap >= f.gap_px);
    if (check_failures != failures)
        fprintf(stderr,
                "%s (%.1f\" at %d cm): text %d/%d px (floors %d/%d), headline %d (%d), amount %d "
                "(%d), smallest target %d (%d: %s), gap %d (%d: %s-%s)\n",
                name, diagonal_in, viewing_cm, s.smallest_han_px, s.smallest_digit_px, f.han_px,
                f.digit_px, s.headline_px, f.result_han_px, s.amount_px, f.amount_px, target,
                f.target_px, small, gap, f.gap_px, near_a, near_b);
    struct age_seen *seen = NULL;
    for (size_t i = 0; i < sizeof age_seen / sizeof age_seen[0]; i++)
        if (age_seen[i].w == w && age_seen[i].h == h)
            seen = &age_seen[i];
    if (seen) {
        if (s.smallest_han_px)
            AGE_MIN(han, s.smallest_han_px);
        if (s.smallest_digit_px)
            AGE_MIN(digit, s.smallest_digit_px);
        if (s.headline_px)
            AGE_MIN(headline, s.headline_px);
        if (s.amount_px)
            AGE_MIN(amount, s.amount_px);
        if (s.widget_count)
            AGE_MIN(target, target);
        if (s.widget_count > 1)
            AGE_MIN(gap, gap);
    }
}

/* Characters a reader must read in s: Chinese characters, digits and letters (not spaces or
 * punctuation such as the masking star or the middle dot). */
static inline int age_chars(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) {
            n++;
        } else if ((*p & 0xF0) == 0xE0 && p[1] && p[2]) {
            unsigned cp =
                (unsigned)(*p & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            n += cp >= 0x4E00 && cp <= 0x9FFF;
            p += 2;
        }
    }
    return n;
}

static int age_most_chars, age_most_lines;

/* A result screen reads in at most 3 lines (headline; name and meal; one line of words) and 20
 * characters besides its figures. Help, which the diner asked for to read at leisure, and the
 * screens that wait for a second card are not results. */
static inline void age_check_result_words(const kiosk_view *v, const char *name)
{
    if (v->layout != KIOSK_LAYOUT_RESULT || strcmp(v->screen, "help") == 0 ||
        strcmp(v->screen, "second") == 0 || strcmp(v->screen, "cards") == 0)
        return;
    int lines = (v->headline[0] != 0) + (v->name[0] != 0) + (v->subline[0] != 0) +
                (v->message[0] != 0) + (v->advice[0] != 0);
    int chars = age_chars(v->headline) + age_chars(v->name) + age_chars(v->subline) +
                age_chars(v->message) + age_chars(v->advice);
    if (lines > 3 || chars > 20)
        fprintf(stderr, "%s: %d lines, %d characters besides the figures\n", name, lines, chars);
    CHECK(lines <= 3);
    CHECK(chars <= 20);
    age_most_chars = chars > age_most_chars ? chars : age_most_chars;
    age_most_lines = lines > age_most_lines ? lines : age_most_lines;
}

/* --- contrast, measured in the drawn pixels ----------------------------------------------------
 */

static inline double age_channel(unsigned v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* WCAG relative luminance of an ARGB8888 pixel. */
static inline double age_luminance(Uint32 px)
{
    return 0.2126 * age_channel(px >> 16 & 0xFF) + 0.7152 * age_channel(px >> 8 & 0xFF) +
           0.0722 * age_channel(px & 0xFF);
}

static inline double age_ratio(double a, double b)
{
    return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
}

static inline Uint32 age_pixel(SDL_Surface *s, int x, int y)
{
    return *(const Uint32 *)(const void *)((const Uint8 *)s->pixels + y * s->pitch + x * 4);
}

/* The contrast of the ink inside box (its most contrasting pixel: the core of a stroke) against
 * the background at (bx, by). */
static inline double age_ink_contrast(SDL_Surface *s, int x, int y, int w, int h, int bx, int by)
{
    double bg = age_luminance(age_pixel(s, bx, by)), best = 1;
    for (int py = y < 0 ? 0 : y; py < y + h && py < s->h; py++)
        for (int px = x < 0 ? 0 : x; px < x + w && px < s->w; px++) {
            double r = age_ratio(age_luminance(age_pixel(s, px, py)), bg);
            best = r > best ? r : best;
        }
    return best;
}

/* Banner luminance of successes (the darkest seen) and refusals (the lightest), and the lowest
 * contrasts of result words and amounts seen, for the report and the 3:1 check at the end. */
static double age_success_bg = 2, age_refused_bg = -1, age_word_contrast = 99,
              age_amount_contrast = 99;

/* A result's word on its banner and the amount to pay on its panel: at least 10:1, measured in
 * the frame s (ARGB8888) just drawn by u. */
static inline void age_check_contrast(ui *u, SDL_Surface *s, const kiosk_view *v, const char *name)
{
    ui_frame_sizes_info f;
    ui_frame_sizes(u, &f);
    if (f.banner_h > 0) {
        /* The banner's corner is background: the headline is centred. */
        int bx = 3, by = f.banner_y + 3;
        double c = age_ink_contrast(s, 0, f.banner_y, s->w, f.banner_h, bx, by);
        if (c < 10)
            fprintf(stderr, "%s: result word contrast %.1f:1\n", name, c);
        CHECK(c >= 10);
        age_word_contrast = c < age_word_contrast ? c : age_word_contrast;
        double bg = age_luminance(age_pixel(s, bx, by));
        if (v->tone == KIOSK_TONE_SUCCESS && bg < age_success_bg)
            age_success_bg = bg;
        if (v->tone == KIOSK_TONE_REFUSED && bg > age_refused_bg)
            age_refused_bg = bg;
    }
    if (f.amount_box.w > 0) {
        /* Just left of the amount is the panel it sits on. */
        const ui_widget_box *a = &f.amount_box;
        double c = age_ink_contrast(s, a->x, a->y, a->w, a->h, a->x - 4, a->y + a->h / 2);
        if (c < 10)
            fprintf(stderr, "%s: amount contrast %.1f:1\n", name, c);
        CHECK(c >= 10);
        age_amount_contrast = c < age_amount_contrast ? c : age_amount_contrast;
    }
}

/* Success and refusal banners differ by at least 3:1 in luminance (they differ in greyscale). */
static inline void age_check_tones(void)
{
    CHECK(age_success_bg <= 1 && age_refused_bg >= 0);
    double r = age_ratio(age_success_bg, age_refused_bg);
    printf("success and refusal banners %.1f:1 apart; result words at least %.1f:1, amounts "
           "%.1f:1\n",
           r, age_word_contrast, age_amount_contrast);
    CHECK(r >= 3);
}

static inline void age_report(const char *what)
{
    for (size_t i = 0; i < sizeof age_seen / sizeof age_seen[0]; i++) {
        const struct age_seen *e = &age_seen[i];
        age_floors f = age_floors_for(e->w, e->h, age_panel_diagonal(e->w, e->h),
                                      age_panel_viewing_cm(e->w, e->h));
        printf("%s %dx%d (%.1f\" at %d cm): smallest Chinese text %d px (floor %d), digits %d "
               "(%d), result word %d (%d), amount %d (%d), target %d (%d), gap %d (%d); 9999: none "
               "drawn\n",
               what, e->w, e->h, age_panel_diagonal(e->w, e->h), age_panel_viewing_cm(e->w, e->h),
               e->han, f.han_px, e->digit, f.digit_px, e->headline, f.result_han_px, e->amount,
               f.amount_px, e->target, f.target_px, e->gap, f.gap_px);
    }
    printf("%s: result screens at most %d lines, %d characters besides the figures\n", what,
           age_most_lines, age_most_chars);
}

#endif
