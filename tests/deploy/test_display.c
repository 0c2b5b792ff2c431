/* test_display.c - a turned panel (ui/display.h, [display] rotate): the mapping between the
 * upright picture and the panel is a bijection whose inverse turns touches back, a DRM card
 * link resolves to SDL's device index, and with SDL's offscreen driver the panel shows the
 * upright picture turned pixel for pixel, and a touch on a button's place on the panel presses
 * that button. Argument: the project root (for the fonts). */
#define _POSIX_C_SOURCE 200809L /* symlink */
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "display.h"
#include "ui.h"

static void check_mapping(int degrees, int pw, int ph)
{
    int lw, lh;
    ui_display_logical_size(degrees, pw, ph, &lw, &lh);
    char *hit = calloc((size_t)pw * (size_t)ph, 1);
    int bad = 0;
    for (int y = 0; y < lh; y++)
        for (int x = 0; x < lw; x++) {
            int px, py, bx, by;
            ui_display_to_physical(degrees, pw, ph, x, y, &px, &py);
            if (px < 0 || py < 0 || px >= pw || py >= ph || hit[py * pw + px]) {
                bad++;
                continue;
            }
            hit[py * pw + px] = 1;
            ui_display_to_logical(degrees, pw, ph, px, py, &bx, &by);
            if (bx != x || by != y)
                bad++;
        }
    free(hit);
    CHECK_INT(bad, 0);
}

static void check_corners(void)
{
    /* 90 degrees clockwise on a 1920x1080 panel: the picture (1080x1920) has its top-left
     * corner at the panel's top-right, its bottom-left at the panel's top-left. */
    int x, y;
    ui_display_to_physical(90, 1920, 1080, 0, 0, &x, &y);
    CHECK_INT(x, 1919);
    CHECK_INT(y, 0);
    ui_display_to_physical(90, 1920, 1080, 0, 1919, &x, &y);
    CHECK_INT(x, 0);
    CHECK_INT(y, 0);
    ui_display_to_physical(270, 1920, 1080, 0, 0, &x, &y);
    CHECK_INT(x, 0);
    CHECK_INT(y, 1079);
    ui_display_to_physical(180, 1920, 1080, 0, 0, &x, &y);
    CHECK_INT(x, 1919);
    CHECK_INT(y, 1079);
    /* A touch off the panel's edge is clamped onto it. */
    ui_display_to_logical(90, 1920, 1080, 5000, -3, &x, &y);
    CHECK_INT(x, 0);
    CHECK_INT(y, 0);
    CHECK(ui_display_rotation_valid(270));
    CHECK(!ui_display_rotation_valid(45));
}

static void check_drm_names(const char *dir)
{
    CHECK_INT(ui_display_drm_card_index("/dev/dri/card0"), 0);
    CHECK_INT(ui_display_drm_card_index("/dev/dri/card12"), 12);
    CHECK_INT(ui_display_drm_card_index("/dev/dri/renderD128"), -1);
    CHECK_INT(ui_display_drm_card_index("/dev/dri/card"), -1);
    CHECK_INT(ui_display_drm_card_index("/dev/dri/card1x"), -1);
    CHECK_INT(ui_display_drm_card_index("/dev/dri/card100"), -1);
    /* A by-path link resolves to the card it names. */
    char card[600], link[600], err[300];
    snprintf(card, sizeof card, "%s/card3", dir);
    snprintf(link, sizeof link, "%s/pci-0000:00:02.0-card", dir);
    FILE *f = fopen(card, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    CHECK_INT(symlink("card3", link), 0);
    CHECK_INT(ui_display_drm_resolve(link, err, sizeof err), 3);
    snprintf(link, sizeof link, "%s/missing-card", dir);
    CHECK_INT(ui_display_drm_resolve(link, err, sizeof err), -1);
    CHECK(strstr(err, "missing-card") != NULL);
}

static Uint32 pixel(SDL_Surface *s, int x, int y)
{
    return ((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x] & 0xffffff;
}

static SDL_Surface *load(const char *path)
{
    SDL_Surface *raw = IMG_Load(path);
    CHECK(raw != NULL);
    if (!raw)
        return NULL;
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    return s;
}

/* The panel at `degrees`: every pixel of the panel is the picture's pixel the mapping says, and
 * a touch at a button's place on the panel lands on that button. */
static void check_render(const char *root, const char *dir, int degrees)
{
    char fonts[600], upright[700], panel[700];
    snprintf(fonts, sizeof fonts, "%s/fonts", root);
    ui_options opts = {.width = 640,
                       .height = 400,
                       .headless = true,
                       .font_dir = fonts,
                       .reader_position = "bottom",
                       .rotate = degrees};
    bool no_display;
    char err[300];
    ui *u = ui_new(&opts, &no_display, err, sizeof err);
    if (!u)
        fprintf(stderr, "%s\n", err);
    CHECK(u != NULL);
    if (!u)
        return;
    int lw, lh;
    ui_size(u, &lw, &lh);
    CHECK_INT(lw, degrees % 180 ? 400 : 640);
    CHECK_INT(lh, degrees % 180 ? 640 : 400);

    static kiosk_view v; /* large: not on the stack */
    memset(&v, 0, sizeof v);
    v.layout = KIOSK_LAYOUT_RESULT;
    v.tone = KIOSK_TONE_REFUSED;
    snprintf(v.title, sizeof v.title, "助餐服务");
    snprintf(v.headline, sizeof v.headline, "本餐已经用过");
    snprintf(v.buttons[0].id, sizeof v.buttons[0].id, "back");
    snprintf(v.buttons[0].label, sizeof v.buttons[0].label, "返回");
    v.buttons[0].role = KIOSK_ROLE_NAV;
    v.button_count = 1;
    kiosk_frame f = {.date_text = "", .time_text = "11:30"};
    snprintf(upright, sizeof upright, "%s/upright-%d.png", dir, degrees);
    snprintf(panel, sizeof panel, "%s/panel-%d.png", dir, degrees);
    CHECK_INT(ui_save_png(u, &f, &v, upright, err, sizeof err), KIOSK_OK);
    CHECK_INT(ui_save_screen_png(u, &f, &v, panel, err, sizeof err), KIOSK_OK);
    SDL_Surface *a = load(upright), *b = load(panel);
    if (a && b) {
        CHECK_INT(a->w, lw);
        CHECK_INT(b->w, 640);
        CHECK_INT(b->h, 400);
        int wrong = 0;
        for (int y = 0; y < lh; y++)
            for (int x = 0; x < lw; x++) {
                int px, py;
                ui_display_to_physical(degrees, 640, 400, x, y, &px, &py);
                wrong += pixel(a, x, y) != pixel(b, px, py);
            }
        CHECK_INT(wrong, 0);
    }
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);

    int bx, by, bw, bh, px, py, tx, ty;
    CHECK(ui_widget_rect(u, "back", &bx, &by, &bw, &bh));
    ui_display_to_physical(degrees, 640, 400, bx + bw / 2, by + bh / 2, &px, &py);
    ui_touch_point(u, px, py, &tx, &ty);
    const char *hit = ui_widget_at(u, tx, ty);
    CHECK_STR(hit ? hit : "(none)", "back");
    ui_touch_finger(u, (px + 0.5f) / 640.0f, (py + 0.5f) / 400.0f, &tx, &ty);
    hit = ui_widget_at(u, tx, ty);
    CHECK_STR(hit ? hit : "(none)", "back");
    ui_free(u);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_display PROJECT_ROOT\n");
        return 2;
    }
    for (int d = 0; d < 360; d += 90) {
        check_mapping(d, 64, 40);
        check_mapping(d, 33, 17);
    }
    check_corners();
    const char *dir = check_scratch_dir("display");
    CHECK(dir != NULL);
    check_drm_names(dir);
    for (int d = 0; d < 360; d += 90)
        check_render(argv[1], dir, d);
    check_scratch_remove(dir);
    CHECK_DONE();
}
