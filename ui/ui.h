/* ui.h - the window and the screens: draws any kiosk_view (idle, result, table or form layout)
 * inside the app's kiosk_frame, speaks its voice intent, saves frames as PNG and maps touches to
 * widget ids. It never calls the store, a flow or a driver, and spells no flow's words. Main
 * thread only; it owns SDL video and audio. */
#ifndef UI_UI_H
#define UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "view.h"

typedef struct ui ui;
typedef struct ui_text ui_text;

typedef struct ui_options {
    int width, height; /* 0, 0 = full screen at the display's size */
    bool headless;     /* SDL's offscreen driver and the software renderer */
    const char *font_dir;
    const char *reader_position; /* "bottom" or "right": where the idle picture points */
    bool voice_enabled;
    const char *voice_dir;
    int volume; /* 0..100 */
    /* The panel and where the diner stands: sizes follow from the visual angle (0: the
     * defaults, a 21.5-inch panel seen from 60 cm). */
    double diagonal_in;
    int viewing_cm;
    /* A turned panel: the picture is turned this many degrees clockwise (0, 90, 180, 270) and
     * touches are turned back to match. */
    int rotate;
    /* KMSDRM: the graphics card, e.g. a /dev/dri/by-path/...-card link; NULL or "": SDL's
     * choice. */
    const char *drm_device;
} ui_options;

#define UI_DEFAULT_DIAGONAL_IN 21.5
#define UI_DEFAULT_VIEWING_CM  60

/* What the panel's geometry gave, for tests and the README's table. */
typedef struct ui_geometry_info {
    double px_per_mm, px_per_degree;
    int min_han_px, min_digit_px;     /* font sizes for 1 degree of ink */
    int result_han_px, amount_px;     /* 2 degrees */
    int target_min_px, target_gap_px; /* 30 mm, 8 mm */
} ui_geometry_info;

#define UI_WIDGETS_MAX 40 /* buttons, keypad keys and bar buttons of one frame */

/* What the last frame drew, as laid out: the smallest text of each kind (font px after any
 * shrinking; 0: none), a result's headline and the amount to pay (0: none), where a result's
 * banner is (full width; banner_h 0: none), every touch target. The age-friendly tests compare
 * these with ui_geometry and measure the pixels inside them. */
typedef struct ui_widget_box {
    const char *id;
    int x, y, w, h;
} ui_widget_box;

typedef struct ui_frame_sizes_info {
    int smallest_han_px, smallest_digit_px;
    int headline_px, amount_px;
    int banner_y, banner_h;
    ui_widget_box amount_box; /* where the amount to pay was drawn (w 0: none) */
    ui_widget_box widgets[UI_WIDGETS_MAX];
    size_t widget_count;
} ui_frame_sizes_info;

/* Initialises SDL video (and audio for the voice) and opens the window. NULL with a message in
 * err on failure; *no_display is set when the cause is that no display could be opened. */
ui *ui_new(const ui_options *opts, bool *no_display, char *err, size_t err_size);
void ui_free(ui *u);
void ui_geometry(const ui *u, ui_geometry_info *out);

/* Draws the view in the frame and presents it; speaks when view->voice.serial changed since
 * the last call. */
void ui_render(ui *u, const kiosk_frame *frame, const kiosk_view *view);
/* Draws the view and writes the frame to path as PNG; KIOSK_ERR_IO etc. with a message in err. */
KIOSK_MUST_CHECK kiosk_rc ui_save_png(ui *u, const kiosk_frame *frame, const kiosk_view *view,
                                      const char *path, char *err, size_t err_size);
/* The sizes of the last drawn frame (valid until the next draw). */
void ui_frame_sizes(ui *u, ui_frame_sizes_info *out);
/* The id of the widget under (x, y) in the last drawn frame, or NULL. */
const char *ui_widget_at(const ui *u, int x, int y);
/* Where a widget was drawn in the last frame; false if it is not on screen. */
bool ui_widget_rect(const ui *u, const char *id, int *x, int *y, int *w, int *h);
/* How many texts of the last frame overlap a button, another text, or leave the screen (0 for a
 * sound layout); the first is described in what. For tests. */
size_t ui_overlaps(const ui *u, char *what, size_t size);
void ui_size(const ui *u, int *w, int *h);
/* A touch on the panel at pixel (px, py), or at (fx, fy) as fractions of the panel (SDL's
 * finger events), as a point of the upright picture (for ui_widget_at). */
void ui_touch_point(const ui *u, int px, int py, int *x, int *y);
void ui_touch_finger(const ui *u, float fx, float fy, int *x, int *y);
/* Like ui_save_png, but writes what the panel shows (turned, at the panel's size) instead of
 * the upright picture. */
KIOSK_MUST_CHECK kiosk_rc ui_save_screen_png(ui *u, const kiosk_frame *frame,
                                             const kiosk_view *view, const char *path, char *err,
                                             size_t err_size);
/* Speaks at volume (0..100) from the next prompt on (ui_voice_set_volume). */
void ui_set_volume(ui *u, int volume);
/* How long the voice will still speak, in ms (0: silent, or no voice). */
int64_t ui_speech_left_ms(const ui *u);
/* The key sound (clip "key"): the sound that answers a touch whose frame brings no voice of its
 * own. Plays only when nothing is being spoken: it never cuts a prompt short. */
void ui_click(ui *u);
/* The text engine (for coverage tests). */
ui_text *ui_text_engine(ui *u);

#endif
