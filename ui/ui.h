/* ui.h - the window and the screens: draws any kiosk_view (idle, result, table or form layout)
 * inside the app's kiosk_frame, speaks its voice intent, saves frames as PNG and maps touches to
 * widget ids. It never calls the store, a flow or a driver, and spells no flow's words. Main
 * thread only; it owns SDL video and audio. */
#ifndef UI_UI_H
#define UI_UI_H

#include <stdbool.h>
#include <stddef.h>

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
    /* A turned panel: the picture is turned this many degrees clockwise (0, 90, 180, 270) and
     * touches are turned back to match. */
    int rotate;
    /* KMSDRM: the graphics card, e.g. a /dev/dri/by-path/...-card link; NULL or "": SDL's
     * choice. */
    const char *drm_device;
} ui_options;

/* Initialises SDL video (and audio for the voice) and opens the window. NULL with a message in
 * err on failure; *no_display is set when the cause is that no display could be opened. */
ui *ui_new(const ui_options *opts, bool *no_display, char *err, size_t err_size);
void ui_free(ui *u);

/* Draws the view in the frame and presents it; speaks when view->voice.serial changed since
 * the last call. */
void ui_render(ui *u, const kiosk_frame *frame, const kiosk_view *view);
/* Draws the view and writes the frame to path as PNG; KIOSK_ERR_IO etc. with a message in err. */
KIOSK_MUST_CHECK kiosk_rc ui_save_png(ui *u, const kiosk_frame *frame, const kiosk_view *view,
                                      const char *path, char *err, size_t err_size);
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
/* The text engine (for coverage tests). */
ui_text *ui_text_engine(ui *u);

#endif
