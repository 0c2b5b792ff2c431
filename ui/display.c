/* display.c - rotation maths, DRM card names and the console's blanking (see display.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "display.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool ui_display_rotation_valid(int degrees)
{
    return degrees == 0 || degrees == 90 || degrees == 180 || degrees == 270;
}

void ui_display_logical_size(int degrees, int phys_w, int phys_h, int *w, int *h)
{
    bool swap = degrees == 90 || degrees == 270;
    *w = swap ? phys_h : phys_w;
    *h = swap ? phys_w : phys_h;
}

/* Pixel centres turn about the centre of the picture, which the renderer puts on the centre of
 * the panel; for a turn by 90 degrees clockwise (y pointing down) the picture's right edge
 * becomes the panel's bottom edge, its top edge the panel's right edge. */
void ui_display_to_physical(int degrees, int phys_w, int phys_h, int x, int y, int *px, int *py)
{
    int lw, lh;
    ui_display_logical_size(degrees, phys_w, phys_h, &lw, &lh);
    switch (degrees) {
    case 90:
        *px = lh - 1 - y;
        *py = x;
        break;
    case 180:
        *px = lw - 1 - x;
        *py = lh - 1 - y;
        break;
    case 270:
        *px = y;
        *py = lw - 1 - x;
        break;
    default:
        *px = x;
        *py = y;
        break;
    }
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void ui_display_to_logical(int degrees, int phys_w, int phys_h, int px, int py, int *x, int *y)
{
    px = clamp(px, 0, phys_w > 0 ? phys_w - 1 : 0);
    py = clamp(py, 0, phys_h > 0 ? phys_h - 1 : 0);
    switch (degrees) {
    case 90:
        *x = py;
        *y = phys_w - 1 - px;
        break;
    case 180:
        *x = phys_w - 1 - px;
        *y = phys_h - 1 - py;
        break;
    case 270:
        *x = phys_h - 1 - py;
        *y = px;
        break;
    default:
        *x = px;
        *y = py;
        break;
    }
}

int ui_display_drm_card_index(const char *resolved_path)
{
    const char *base = strrchr(resolved_path, '/');
    base = base ? base + 1 : resolved_path;
    if (strncmp(base, "card", 4) != 0 || !base[4])
        return -1;
    int n = 0;
    for (const char *p = base + 4; *p; p++) {
        if (*p < '0' || *p > '9' || n > 99)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n <= 99 ? n : -1; /* SDL's hint takes 0 to 99 */
}

int ui_display_drm_resolve(const char *path, char *err, size_t err_size)
{
    char resolved[PATH_MAX];
    if (!realpath(path, resolved)) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    int n = ui_display_drm_card_index(resolved);
    if (n < 0)
        snprintf(err, err_size, "%s is %s, not a DRM card node (/dev/dri/cardN)", path, resolved);
    return n;
}

bool ui_display_console_quiet(int fd)
{
    if (!isatty(fd))
        return false;
    /* The Linux console's own sequences (console_codes(4)): blank after 0 minutes (never),
     * power down after 0 minutes (never), and hide the cursor. */
    static const char seq[] = "\033[9;0]\033[14;0]\033[?25l";
    ssize_t n = write(fd, seq, sizeof seq - 1);
    return n == (ssize_t)(sizeof seq - 1);
}
