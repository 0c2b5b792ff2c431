/* golden.h - the screen tests' golden images: a view drawn by ui to a PNG in a scratch folder and
 * read back as ARGB8888, and compared with tests/golden/NAME.png pixel by pixel: 0 pixels may
 * differ by more than GOLDEN_TOLERANCE in any channel. KIOSK_REGEN_GOLDEN=1 writes the images
 * instead (look at each before committing); a frame of another language (screens_language.h)
 * is kept for a person to look at rather than compared. Header-only, test code only. */
#ifndef KIOSK_TEST_GOLDEN_H
#define KIOSK_TEST_GOLDEN_H

#include <SDL.h>
#include <SDL_image.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "screens_language.h"
#include "ui.h"
#include "view.h"

#define GOLDEN_TOLERANCE 2

/* Pixels of a and b (same size, ARGB8888) that differ by more than the tolerance in a channel. */
static inline long golden_differing_pixels(SDL_Surface *a, SDL_Surface *b)
{
    long differing = 0;
    for (int y = 0; y < a->h; y++) {
        const Uint8 *pa = (const Uint8 *)a->pixels + y * a->pitch;
        const Uint8 *pb = (const Uint8 *)b->pixels + y * b->pitch;
        for (int x = 0; x < a->w * 4; x += 4)
            for (int c = 0; c < 3; c++)
                if (abs(pa[x + c] - pb[x + c]) > GOLDEN_TOLERANCE) {
                    differing++;
                    break;
                }
    }
    return differing;
}

static inline SDL_Surface *golden_render(ui *u, const char *dir, const kiosk_frame *f,
                                         const kiosk_view *v)
{
    char tmp[256], err[256];
    snprintf(tmp, sizeof tmp, "%s/frame.png", dir);
    CHECK_INT(ui_save_png(u, f, v, tmp, err, sizeof err), KIOSK_OK);
    SDL_Surface *s = IMG_Load(tmp);
    CHECK(s != NULL);
    SDL_Surface *argb = s ? SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0) : NULL;
    SDL_FreeSurface(s);
    remove(tmp);
    return argb;
}

static inline bool golden_compare(const char *root, const char *name, SDL_Surface *actual)
{
    if (screens_language_keep(name, actual))
        return true;
    char golden[1024];
    snprintf(golden, sizeof golden, "%s/tests/golden/%s.png", root, name);
    const char *regen = getenv("KIOSK_REGEN_GOLDEN");
    if (regen && strcmp(regen, "1") == 0)
        return IMG_SavePNG(actual, golden) == 0;
    SDL_Surface *loaded = IMG_Load(golden);
    if (!loaded) {
        fprintf(stderr, "%s: no golden image (%s)\n", name, IMG_GetError());
        return false;
    }
    SDL_Surface *want = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(loaded);
    bool same_size = want && want->w == actual->w && want->h == actual->h;
    long differing = same_size ? golden_differing_pixels(actual, want) : -1;
    SDL_FreeSurface(want);
    bool ok = same_size && differing == 0;
    if (!ok) {
        char out[1024];
        snprintf(out, sizeof out, "%s_actual.png", name);
        IMG_SavePNG(actual, out);
        fprintf(stderr, "%s: %ld pixels differ by more than %d%s; wrote %s\n", name, differing,
                GOLDEN_TOLERANCE, same_size ? "" : " (size differs)", out);
    }
    return ok;
}

#endif
