/* test_screens.c - golden screenshots of every screen under SDL's offscreen driver and software
 * renderer, at 1920x1080, 1280x800 and portrait 1080x1920. A frame may differ from its golden
 * image in at most 0.2 % of pixels by more than 24 per channel (font rasterisers differ a
 * little between builds); on a mismatch <name>_actual.png is written next to the test binary.
 * KIOSK_REGEN_GOLDEN=1 rewrites the golden images (look at them before committing). Also
 * structural checks: no missing glyphs, buttons where expected and big enough to touch. */
#define _POSIX_C_SOURCE 200809L
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "text.h"
#include "ui.h"
#include "view.h"

static const char *root;

static void frame(kiosk_view *v)
{
    snprintf(v->title, sizeof v->title, "鼓楼区华侨路长者食堂 · 助餐服务");
    snprintf(v->date_text, sizeof v->date_text, "2026年11月23日 星期一");
    snprintf(v->time_text, sizeof v->time_text, "11:30");
}

static kiosk_view idle_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_IDLE};
    frame(&v);
    snprintf(v.prompt, sizeof v.prompt, "请刷卡");
    snprintf(v.hint, sizeof v.hint, "请把助餐卡贴在下方读卡区");
    return v;
}

static void row(kiosk_view *v, const char *label, const char *value, bool emphasis)
{
    kiosk_view_row *r = &v->rows[v->row_count++];
    snprintf(r->label, sizeof r->label, "%s", label);
    snprintf(r->value, sizeof r->value, "%s", value);
    r->emphasis = emphasis;
}

static kiosk_view success_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_RESULT, .tone = KIOSK_TONE_SUCCESS, .countdown_s = 8};
    frame(&v);
    snprintf(v.headline, sizeof v.headline, "用餐成功");
    snprintf(v.name, sizeof v.name, "张*明");
    snprintf(v.subline, sizeof v.subline, "80-89岁 · 午餐");
    row(&v, "餐费", "¥15.00", false);
    row(&v, "补贴", "¥5.00", false);
    row(&v, "您需支付", "¥10.00", true);
    snprintf(v.message, sizeof v.message, "本月补贴还剩 ¥145.00");
    snprintf(v.advice, sizeof v.advice, "请到窗口付款取餐");
    return v;
}

static kiosk_view refused_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_RESULT, .tone = KIOSK_TONE_REFUSED, .countdown_s = 8};
    frame(&v);
    snprintf(v.headline, sizeof v.headline, "本餐已经用过");
    snprintf(v.name, sizeof v.name, "欧**娜");
    row(&v, "原价", "¥15.00", true);
    snprintf(v.message, sizeof v.message, "今天 11:02 已在本助餐点用过午餐");
    snprintf(v.advice, sizeof v.advice, "可以按原价 ¥15.00 用餐，请到窗口付款");
    return v;
}

static kiosk_view error_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_RESULT, .tone = KIOSK_TONE_ERROR, .countdown_s = 8};
    frame(&v);
    snprintf(v.headline, sizeof v.headline, "暂时无法用餐");
    snprintf(v.message, sizeof v.message, "本机存储空间已满，记录没有保存");
    snprintf(v.advice, sizeof v.advice, "请到窗口找工作人员");
    return v;
}

static kiosk_view unknown_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_RESULT, .tone = KIOSK_TONE_REFUSED, .countdown_s = 8};
    frame(&v);
    snprintf(v.headline, sizeof v.headline, "未登记的卡");
    snprintf(v.message, sizeof v.message, "这张卡没有登记助餐服务");
    snprintf(v.advice, sizeof v.advice, "请到窗口找工作人员");
    return v;
}

static kiosk_view day_view(void)
{
    kiosk_view v = {.screen = KIOSK_SCREEN_DAY_VIEW, .countdown_s = 30};
    frame(&v);
    snprintf(v.table_title, sizeof v.table_title, "今日统计 2026-11-23");
    static const char *cells[][4] = {
        {"合计", "128 份", "¥612.00", "¥1308.00"},  {"早餐", "20 份", "¥40.00", "¥60.00"},
        {"午餐", "96 份", "¥520.00", "¥1120.00"},   {"晚餐", "12 份", "¥52.00", "¥128.00"},
        {"80-89岁", "40 份", "¥200.00", "¥400.00"}, {"低保/低保边缘", "6 份", "¥48.00", "¥42.00"}};
    for (size_t i = 0; i < 6; i++)
        for (int c = 0; c < 4; c++)
            snprintf(v.table[i].cells[c], sizeof v.table[i].cells[c], "%s", cells[i][c]);
    v.table_rows = 6;
    return v;
}

static bool compare(const char *name, SDL_Surface *actual)
{
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
    long differing = 0;
    for (int y = 0; same_size && y < actual->h; y++) {
        const Uint8 *a = (const Uint8 *)actual->pixels + y * actual->pitch;
        const Uint8 *b = (const Uint8 *)want->pixels + y * want->pitch;
        for (int x = 0; x < actual->w * 4; x += 4) {
            for (int c = 0; c < 3; c++) {
                if (abs(a[x + c] - b[x + c]) > 24) {
                    differing++;
                    break;
                }
            }
        }
    }
    SDL_FreeSurface(want);
    long allowed = (long)actual->w * actual->h / 500;
    bool ok = same_size && differing <= allowed;
    if (!ok) {
        char out[1024];
        snprintf(out, sizeof out, "%s_actual.png", name);
        IMG_SavePNG(actual, out);
        fprintf(stderr, "%s: %ld pixels differ (allowed %ld)%s; wrote %s\n", name, differing,
                allowed, same_size ? "" : ", size differs", out);
    }
    return ok;
}

static void shoot(ui *u, const char *name, const kiosk_view *v)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "/tmp/kiosk-screen-%d.png", (int)getpid());
    char err[256];
    CHECK_INT(ui_save_png(u, v, tmp, err, sizeof err), 0);
    SDL_Surface *s = IMG_Load(tmp);
    CHECK(s != NULL);
    if (s) {
        SDL_Surface *argb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
        bool ok = compare(name, argb);
        if (!ok)
            fprintf(stderr, "golden mismatch: %s\n", name);
        CHECK(ok);
        SDL_FreeSurface(argb);
        SDL_FreeSurface(s);
    }
    remove(tmp);
}

static void check_button(ui *u, const char *id)
{
    int x, y, w, h;
    bool shown = ui_widget_rect(u, id, &x, &y, &w, &h);
    if (!shown)
        fprintf(stderr, "button %s not on screen\n", id);
    CHECK(shown);
    CHECK(w >= 120 && h >= 120);
    int sw, sh;
    ui_size(u, &sw, &sh);
    CHECK(x >= 0 && y >= 0 && x + w <= sw && y + h <= sh);
    CHECK_STR(ui_widget_at(u, x + w / 2, y + h / 2), id);
}

static void screens_at(int w, int h, const char *suffix, bool all)
{
    char fonts[1024];
    snprintf(fonts, sizeof fonts, "%s/fonts", root);
    ui_options opts = {
        .width = w, .height = h, .headless = true, .font_dir = fonts, .reader_position = "bottom"};
    bool no_display;
    char err[256], name[64];
    ui *u = ui_new(&opts, &no_display, err, sizeof err);
    CHECK(u != NULL);
    if (!u) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    kiosk_view v = idle_view();
    snprintf(name, sizeof name, "idle_%s", suffix);
    shoot(u, name, &v);
    check_button(u, "help");
    check_button(u, "dayview");
    CHECK(ui_widget_at(u, 1, h - 1) == NULL);
    v = success_view();
    snprintf(name, sizeof name, "success_%s", suffix);
    shoot(u, name, &v);
    check_button(u, "back");
    CHECK(!ui_widget_rect(u, "help", &(int){0}, &(int){0}, &(int){0}, &(int){0}));
    if (all) {
        v = refused_view();
        shoot(u, "refused_already_had_meal_1920x1080", &v);
        v = error_view();
        shoot(u, "error_disk_full_1920x1080", &v);
        v = unknown_view();
        shoot(u, "refused_unknown_card_1920x1080", &v);
        v = day_view();
        shoot(u, "day_view_1920x1080", &v);
        check_button(u, "back");
    }
    CHECK_INT(ui_text_missing_glyphs(ui_text_engine(u)), 0);
    ui_free(u);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    root = argv[1];
    screens_at(1920, 1080, "1920x1080", true);
    screens_at(1280, 800, "1280x800", false);
    screens_at(1080, 1920, "1080x1920", false);
    CHECK_DONE();
}
