/* display.h - the panel as mounted, without SDL: the rotation between the UI's picture (drawn
 * upright, "logical") and the panel's pixels ("physical"), the DRM card behind a stable
 * /dev/dri/by-path name, and a Linux console that must not blank the kiosk. Pure functions
 * except ui_display_console_quiet; any thread. */
#ifndef UI_DISPLAY_H
#define UI_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>

/* True for 0, 90, 180 and 270: the degrees the picture is turned clockwise on the panel. */
bool ui_display_rotation_valid(int degrees);

/* The size of the upright picture on a panel of phys_w x phys_h turned by degrees (90 and 270
 * swap width and height). */
void ui_display_logical_size(int degrees, int phys_w, int phys_h, int *w, int *h);

/* Where the picture's pixel (x, y) lands on the panel: the pixel the renderer's copy turned by
 * `degrees` clockwise puts it in. */
void ui_display_to_physical(int degrees, int phys_w, int phys_h, int x, int y, int *px, int *py);

/* The inverse: the picture's pixel under the panel's pixel (px, py), e.g. a touch. Values off
 * the panel are clamped onto it. */
void ui_display_to_logical(int degrees, int phys_w, int phys_h, int px, int py, int *x, int *y);

/* The card number N of a DRM device node "/dev/dri/cardN" (what a /dev/dri/by-path link
 * resolves to), for SDL's KMSDRM device index; -1 when the name is not a card node. */
int ui_display_drm_card_index(const char *resolved_path);

/* Resolves a DRM device path (a /dev/dri/by-path/...-card link, or /dev/dri/cardN itself) to its
 * card index; -1 with a reason in err when it does not exist or is not a card node. */
int ui_display_drm_resolve(const char *path, char *err, size_t err_size);

/* On a Linux virtual console (fd is a tty): turns the console's blanking and powerdown off and
 * hides its text cursor, so the kiosk's picture never goes dark. Returns false when fd is not a
 * terminal (nothing written). */
bool ui_display_console_quiet(int fd);

#endif
