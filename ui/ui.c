/* ui.c - window, drawing primitives, the three screens and PNG frames. */
#define _POSIX_C_SOURCE 200809L
#include "ui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "theme.h"
#include "voice.h"

#define WIDGETS_MAX 8

typedef struct widget {
    char id[32];
    SDL_Rect rect;
} widget;

struct ui {
    SDL_Window *window;
    SDL_Renderer *renderer;
    ui_text *text;
    ui_voice *voice;
    int w, h;
    double scale; /* min(w, h) / 1080 */
    bool landscape;
    bool reader_right;
    widget widgets[WIDGETS_MAX];
    size_t widget_count;
    unsigned spoken_serial;
};

/* --- set-up ---------------------------------------------------------------------------- */

static void draw(ui *u, const kiosk_view *v);

/* Draws a success and a refusal once, unseen, so the first diner's result does not wait for the
 * result screen's font sizes to open and its common glyphs to be rasterised. */
static void warm_up(ui *u)
{
    static kiosk_view v; /* static: a view is large for the stack */
    memset(&v, 0, sizeof v);
    v.screen = KIOSK_SCREEN_RESULT;
    v.tone = KIOSK_TONE_SUCCESS;
    snprintf(v.title, sizeof v.title, "助餐服务");
    snprintf(v.headline, sizeof v.headline, "用餐成功");
    snprintf(v.name, sizeof v.name, "张*兰");
    snprintf(v.subline, sizeof v.subline, "80-89岁 · 午餐");
    static const char *const labels[] = {"餐费", "补贴", "您需支付"};
    static const char *const values[] = {"¥15.00", "¥5.00", "¥10.00"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(v.rows[i].label, sizeof v.rows[i].label, "%s", labels[i]);
        snprintf(v.rows[i].value, sizeof v.rows[i].value, "%s", values[i]);
        v.rows[i].emphasis = i == 2;
    }
    v.row_count = 3;
    snprintf(v.message, sizeof v.message, "本月补贴还剩 ¥195.00");
    snprintf(v.advice, sizeof v.advice, "请到窗口付款取餐");
    v.countdown_s = 8;
    draw(u, &v);
    v.tone = KIOSK_TONE_REFUSED;
    v.row_count = 0;
    snprintf(v.headline, sizeof v.headline, "本餐已经用过");
    draw(u, &v);
    u->widget_count = 0;
}

ui *ui_new(const ui_options *opts, bool *no_display, char *err, size_t err_size)
{
    *no_display = false;
    if (opts->headless) {
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        setenv("SDL_AUDIODRIVER", getenv("SDL_AUDIODRIVER") ? getenv("SDL_AUDIODRIVER") : "dummy",
               1);
    }
    if (opts->headless) /* frames are drawn in memory: no GL context, so no EGL/Mesa loaded */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, err_size, "cannot start video: %s", SDL_GetError());
        *no_display = true;
        return NULL;
    }
    if (TTF_Init() != 0) {
        snprintf(err, err_size, "cannot start SDL_ttf: %s", TTF_GetError());
        SDL_Quit();
        return NULL;
    }
    ui *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, err_size, "out of memory");
        TTF_Quit();
        SDL_Quit();
        return NULL;
    }
    int w = opts->width, h = opts->height;
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (w == 0 || h == 0) {
        SDL_DisplayMode mode;
        if (!opts->headless && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
            w = mode.w;
            h = mode.h;
            flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        } else {
            w = 1920;
            h = 1080;
        }
    }
    u->window = SDL_CreateWindow("社区服务终端", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w,
                                 h, flags);
    if (!u->window) {
        snprintf(err, err_size, "cannot open a window: %s", SDL_GetError());
        *no_display = true;
        ui_free(u);
        return NULL;
    }
    if (!opts->headless)
        u->renderer = SDL_CreateRenderer(u->window, -1, SDL_RENDERER_ACCELERATED);
    if (!u->renderer)
        u->renderer = SDL_CreateRenderer(u->window, -1, SDL_RENDERER_SOFTWARE);
    if (!u->renderer) {
        snprintf(err, err_size, "cannot create a renderer: %s", SDL_GetError());
        ui_free(u);
        return NULL;
    }
    SDL_GetRendererOutputSize(u->renderer, &u->w, &u->h);
    if (flags & SDL_WINDOW_FULLSCREEN_DESKTOP)
        SDL_ShowCursor(SDL_DISABLE); /* a touch kiosk shows no mouse pointer */
    u->scale = (u->w < u->h ? u->w : u->h) / 1080.0;
    u->landscape = u->w >= u->h;
    u->reader_right = opts->reader_position && strcmp(opts->reader_position, "right") == 0;
    u->text = ui_text_new(u->renderer, opts->font_dir, err, err_size);
    if (!u->text) {
        ui_free(u);
        return NULL;
    }
    warm_up(u);
    if (opts->voice_enabled) {
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)
            SDL_Log("no audio (%s); the kiosk runs without voice", SDL_GetError());
        u->voice = ui_voice_new(opts->voice_dir, opts->volume);
    }
    return u;
}

void ui_free(ui *u)
{
    if (!u)
        return;
    ui_voice_free(u->voice);
    ui_text_free(u->text);
    if (u->renderer)
        SDL_DestroyRenderer(u->renderer);
    if (u->window)
        SDL_DestroyWindow(u->window);
    free(u);
    TTF_Quit();
    SDL_Quit();
}

void ui_size(const ui *u, int *w, int *h)
{
    *w = u->w;
    *h = u->h;
}

ui_text *ui_text_engine(ui *u)
{
    return u->text;
}

/* --- primitives ------------------------------------------------------------------------ */

static int px(const ui *u, int reference_px)
{
    return (int)lround(reference_px * u->scale);
}

/* Text sizes never drop below the smallest readable body size. */
static int type_px(const ui *u, int reference_px)
{
    int v = px(u, reference_px);
    return v < THEME_MIN_BODY_PX ? THEME_MIN_BODY_PX : v;
}

/* Touch targets keep their physical minimum whatever the scale. */
static int target_px(const ui *u, int reference_px)
{
    int v = px(u, reference_px);
    return v < 120 ? 120 : v;
}

static void set_color(ui *u, uint32_t rgb)
{
    SDL_SetRenderDrawColor(u->renderer, (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, 0xFF);
}

static void fill_rect(ui *u, int x, int y, int w, int h, uint32_t rgb)
{
    set_color(u, rgb);
    SDL_Rect r = {x, y, w, h};
    SDL_RenderFillRect(u->renderer, &r);
}

static void fill_round_rect(ui *u, int x, int y, int w, int h, int radius, uint32_t rgb)
{
    if (radius * 2 > h)
        radius = h / 2;
    if (radius * 2 > w)
        radius = w / 2;
    fill_rect(u, x, y + radius, w, h - 2 * radius, rgb);
    for (int dy = 0; dy < radius; dy++) {
        double off = radius - dy - 0.5;
        int inset = radius - (int)lround(sqrt((double)radius * radius - off * off));
        fill_rect(u, x + inset, y + dy, w - 2 * inset, 1, rgb);
        fill_rect(u, x + inset, y + h - 1 - dy, w - 2 * inset, 1, rgb);
    }
}

static void fill_triangle(ui *u, float x0, float y0, float x1, float y1, float x2, float y2,
                          uint32_t rgb)
{
    SDL_Color c = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, 0xFF};
    SDL_Vertex v[3] = {{{x0, y0}, c, {0, 0}}, {{x1, y1}, c, {0, 0}}, {{x2, y2}, c, {0, 0}}};
    SDL_RenderGeometry(u->renderer, NULL, v, 3, NULL, 0);
}

static int text(ui *u, const char *s, int size_ref, bool bold, uint32_t rgb, ui_align align, int x,
                int y, int max_width, int max_lines)
{
    ui_text_style st = {type_px(u, size_ref), bold, rgb, align, max_width, max_lines};
    return ui_text_draw(u->text, s, &st, x, y);
}

static void add_widget(ui *u, const char *id, SDL_Rect r)
{
    if (u->widget_count == WIDGETS_MAX)
        return;
    widget *w = &u->widgets[u->widget_count++];
    snprintf(w->id, sizeof w->id, "%s", id);
    w->rect = r;
}

static void button(ui *u, const char *id, const char *label, int x, int y, int w, int h)
{
    fill_round_rect(u, x, y, w, h, px(u, THEME_RADIUS), THEME_BUTTON_BG);
    ui_text_style st = {
        type_px(u, THEME_BUTTON_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, w - px(u, 20), 1};
    int tw, th;
    ui_text_measure(u->text, label, &st, &tw, &th);
    ui_text_draw(u->text, label, &st, x + w / 2, y + (h - th) / 2);
    add_widget(u, id, (SDL_Rect){x, y, w, h});
}

const char *ui_widget_at(const ui *u, int x, int y)
{
    for (size_t i = 0; i < u->widget_count; i++) {
        const SDL_Rect *r = &u->widgets[i].rect;
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return u->widgets[i].id;
    }
    return NULL;
}

bool ui_widget_rect(const ui *u, const char *id, int *x, int *y, int *w, int *h)
{
    for (size_t i = 0; i < u->widget_count; i++) {
        if (strcmp(u->widgets[i].id, id) == 0) {
            *x = u->widgets[i].rect.x;
            *y = u->widgets[i].rect.y;
            *w = u->widgets[i].rect.w;
            *h = u->widgets[i].rect.h;
            return true;
        }
    }
    return false;
}

/* --- screens --------------------------------------------------------------------------- */

static int bar_height(const ui *u)
{
    int h = px(u, THEME_BAR_H);
    int min = target_px(u, THEME_TARGET_MIN) + 16;
    return h > min ? h : min;
}

/* The title bar: title on the left; date and time, and a screen-specific button, on the right. */
static void draw_bar(ui *u, const kiosk_view *v, const char *button_id, const char *button_label)
{
    int bar_h = bar_height(u);
    int margin = px(u, THEME_MARGIN);
    fill_rect(u, 0, 0, u->w, bar_h, THEME_BAR_BG);
    int right = u->w - margin;
    if (button_id) {
        int bh = target_px(u, THEME_TARGET_MIN), bw = target_px(u, 220);
        fill_round_rect(u, right - bw, (bar_h - bh) / 2, bw, bh, px(u, THEME_RADIUS),
                        THEME_BAR_BUTTON_BG);
        ui_text_style st = {type_px(u, THEME_BODY_PX), true,    THEME_ON_DARK,
                            UI_ALIGN_CENTER,           bw - 10, 1};
        int tw, th;
        ui_text_measure(u->text, button_label, &st, &tw, &th);
        ui_text_draw(u->text, button_label, &st, right - bw / 2, (bar_h - th) / 2);
        add_widget(u, button_id, (SDL_Rect){right - bw, (bar_h - bh) / 2, bw, bh});
        right -= bw + margin / 2;
    }
    char when[96];
    snprintf(when, sizeof when, "%s  %s", v->date_text, v->time_text);
    ui_text_style st = {type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_RIGHT, 0, 1};
    int ww, wh, tw, th;
    ui_text_measure(u->text, when, &st, &ww, &wh);
    ui_text_style full = {type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_LEFT, 0, 1};
    ui_text_measure(u->text, v->title, &full, &tw, &th);
    if (tw + ww + 3 * margin > right) {
        /* Not enough room for title, date and time: the time alone stays. */
        snprintf(when, sizeof when, "%s", v->time_text);
        ui_text_measure(u->text, when, &st, &ww, &wh);
    }
    ui_text_draw(u->text, when, &st, right, (bar_h - wh) / 2);
    int title_w = right - ww - margin - margin;
    ui_text_style ts = {type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_LEFT, title_w, 1};
    ui_text_measure(u->text, v->title, &ts, &tw, &th);
    ui_text_draw(u->text, v->title, &ts, margin, (bar_h - th) / 2);
}

/* The picture of where to tap: a card with its chip, an arrow from it to the reader, and a
 * labelled strip along the edge of the screen where the reader sits. */
static void draw_tap_picture(ui *u, int cx, int cy, int card_w)
{
    int card_h = card_w * 54 / 86; /* ID-1 card proportions */
    int x = cx - card_w / 2, y = cy - card_h / 2;
    int edge = px(u, 8) > 3 ? px(u, 8) : 3;
    fill_round_rect(u, x - edge, y - edge, card_w + 2 * edge, card_h + 2 * edge, px(u, 30) + edge,
                    THEME_CARD_EDGE);
    fill_round_rect(u, x, y, card_w, card_h, px(u, 30), THEME_CARD_BG);
    fill_round_rect(u, x + card_w / 8, y + card_h / 3, card_w / 6, card_h / 4, px(u, 8),
                    THEME_CARD_CHIP);
    text(u, "助餐卡", 64, true, THEME_TEXT, UI_ALIGN_CENTER, x + card_w * 9 / 16, y + card_h / 3, 0,
         1);
}

static int reader_strip(const ui *u)
{
    return type_px(u, THEME_HINT_PX) * 3 / 2;
}

/* The strip marks the reader's edge; the arrow runs from (from_x, from_y) to the strip. */
static void draw_reader_arrow(ui *u, int from_x, int from_y)
{
    int strip = reader_strip(u);
    int s = px(u, 50);
    if (u->reader_right) {
        int tip = u->w - strip - px(u, 10);
        fill_rect(u, from_x, from_y - s / 3, tip - s - from_x, 2 * s / 3, THEME_BAR_BG);
        fill_triangle(u, (float)(tip - s), (float)(from_y - s), (float)tip, (float)from_y,
                      (float)(tip - s), (float)(from_y + s), THEME_BAR_BG);
        int top = bar_height(u);
        fill_rect(u, u->w - strip, top, strip, u->h - top, THEME_BAR_BG);
        /* one character per line down the strip */
        static const char *const label[] = {"读", "卡", "区"};
        int ch = type_px(u, THEME_HINT_PX) * 3 / 2;
        int y0 = from_y - ch * 3 / 2;
        for (int i = 0; i < 3; i++)
            text(u, label[i], THEME_HINT_PX, true, THEME_ON_DARK, UI_ALIGN_CENTER, u->w - strip / 2,
                 y0 + i * ch, 0, 1);
    } else {
        int tip = u->h - strip - px(u, 10);
        if (tip - s > from_y)
            fill_rect(u, from_x - s / 3, from_y, 2 * s / 3, tip - s - from_y, THEME_BAR_BG);
        fill_triangle(u, (float)(from_x - s), (float)(tip - s), (float)from_x, (float)tip,
                      (float)(from_x + s), (float)(tip - s), THEME_BAR_BG);
        fill_rect(u, 0, u->h - strip, u->w, strip, THEME_BAR_BG);
        ui_text_style st = {type_px(u, THEME_HINT_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, 0, 1};
        int tw, th;
        ui_text_measure(u->text, "读卡区在下方", &st, &tw, &th);
        ui_text_draw(u->text, "读卡区在下方", &st, from_x, u->h - strip + (strip - th) / 2);
    }
}

static void draw_idle(ui *u, const kiosk_view *v)
{
    draw_bar(u, v, "dayview", "统计");
    int bar_h = bar_height(u);
    int margin = px(u, THEME_MARGIN);
    int strip = u->reader_right ? 0 : reader_strip(u);
    int right_strip = u->reader_right ? reader_strip(u) : 0;
    int width = u->w - right_strip;
    int y = bar_h + px(u, 30);
    y += text(u, v->prompt, THEME_PROMPT_PX, true, THEME_TEXT, UI_ALIGN_CENTER, width / 2, y,
              width - 2 * margin, 1);
    y += text(u, v->hint, THEME_HINT_PX, false, THEME_TEXT_MUTED, UI_ALIGN_CENTER, width / 2, y,
              width - 2 * margin, 2);
    int bh = target_px(u, THEME_TARGET_MIN), bw = target_px(u, THEME_BUTTON_W);
    int bottom = u->h - strip;
    int card_w = px(u, 400);
    int card_h = card_w * 54 / 86;
    /* the card in the middle of the space left, leaving room for the arrow below it */
    int space = bottom - y;
    int cy = y + (u->reader_right ? space / 2 : (space - px(u, 120)) / 2);
    if (cy - card_h / 2 < y + px(u, 20))
        cy = y + px(u, 20) + card_h / 2;
    draw_tap_picture(u, width / 2, cy, card_w);
    if (u->reader_right)
        draw_reader_arrow(u, width / 2 + card_w / 2 + px(u, 30), cy);
    else
        draw_reader_arrow(u, width / 2, cy + card_h / 2 + px(u, 20));
    button(u, "help", "帮助", margin, bottom - bh - px(u, 30), bw, bh);
    if (v->status_text[0])
        text(u, v->status_text, THEME_COUNTDOWN_PX, false, THEME_TEXT_MUTED, UI_ALIGN_RIGHT,
             width - margin, bottom - px(u, 90), 0, 1);
}

static uint32_t tone_color(kiosk_tone tone)
{
    switch (tone) {
    case KIOSK_TONE_SUCCESS:
        return THEME_SUCCESS_BG;
    case KIOSK_TONE_REFUSED:
        return THEME_REFUSED_BG;
    case KIOSK_TONE_ERROR:
        return THEME_ERROR_BG;
    case KIOSK_TONE_INFO:
        break;
    }
    return THEME_INFO_BG;
}

static const char *tone_mark(kiosk_tone tone)
{
    switch (tone) {
    case KIOSK_TONE_SUCCESS:
        return "✓ ";
    case KIOSK_TONE_REFUSED:
        return "× ";
    case KIOSK_TONE_ERROR:
        return "！";
    case KIOSK_TONE_INFO:
        break;
    }
    return "";
}

/* The figures panel: one row per amount, the label left and the value right. */
static int row_height(const ui *u, const kiosk_view_row *r)
{
    return (int)(type_px(u, r->emphasis ? THEME_ROW_EMPHASIS_PX : THEME_ROW_VALUE_PX) * 1.35);
}

/* The height of the figures panel, padding included; 0 without rows. */
static int rows_height(const ui *u, const kiosk_view *v)
{
    if (v->row_count == 0)
        return 0;
    int total = 2 * px(u, 30);
    for (size_t i = 0; i < v->row_count; i++)
        total += row_height(u, &v->rows[i]);
    return total;
}

static int draw_rows(ui *u, const kiosk_view *v, int x, int y, int w)
{
    if (v->row_count == 0)
        return 0;
    int pad = px(u, 30);
    int row_h[KIOSK_VIEW_ROWS];
    for (size_t i = 0; i < v->row_count; i++)
        row_h[i] = row_height(u, &v->rows[i]);
    int total = rows_height(u, v);
    fill_round_rect(u, x, y, w, total, px(u, THEME_RADIUS), THEME_PANEL_BG);
    int ry = y + pad;
    for (size_t i = 0; i < v->row_count; i++) {
        const kiosk_view_row *r = &v->rows[i];
        int value_px = r->emphasis ? THEME_ROW_EMPHASIS_PX : THEME_ROW_VALUE_PX;
        ui_text_style ls = {
            type_px(u, THEME_ROW_LABEL_PX), r->emphasis, THEME_TEXT, UI_ALIGN_LEFT, w / 2, 1};
        int lw, lh, vw, vh;
        ui_text_measure(u->text, r->label, &ls, &lw, &lh);
        /* The figure takes what the label leaves, with a clear gap; it shrinks before touching. */
        ui_text_style vs = {type_px(u, value_px), true, THEME_FIGURE, UI_ALIGN_RIGHT,
                            w - lw - 4 * pad,     1};
        ui_text_measure(u->text, r->value, &vs, &vw, &vh);
        ui_text_draw(u->text, r->label, &ls, x + pad, ry + (row_h[i] - lh) / 2);
        ui_text_draw(u->text, r->value, &vs, x + w - pad, ry + (row_h[i] - vh) / 2);
        ry += row_h[i];
    }
    return total;
}

/* "返回" bottom left (where 帮助 is on the idle screen), the countdown beside it. */
static void draw_countdown_and_back(ui *u, const kiosk_view *v)
{
    int margin = px(u, THEME_MARGIN);
    int bh = target_px(u, THEME_TARGET_MIN), bw = target_px(u, THEME_BUTTON_W);
    int by = u->h - bh - px(u, 40);
    button(u, "back", "返回", margin, by, bw, bh);
    if (v->countdown_s > 0) {
        char left[48];
        snprintf(left, sizeof left, "%d 秒后自动返回", v->countdown_s);
        ui_text_style st = {
            type_px(u, THEME_COUNTDOWN_PX), false, THEME_TEXT_MUTED, UI_ALIGN_LEFT, 0, 1};
        int tw, th;
        ui_text_measure(u->text, left, &st, &tw, &th);
        ui_text_draw(u->text, left, &st, margin + bw + margin / 2, by + (bh - th) / 2);
    }
}

static void draw_result(ui *u, const kiosk_view *v)
{
    draw_bar(u, v, NULL, NULL);
    int margin = px(u, THEME_MARGIN);
    int bar_h = bar_height(u);
    int banner_h = px(u, THEME_BANNER_H);
    fill_rect(u, 0, bar_h, u->w, banner_h, tone_color(v->tone));
    char headline[96];
    snprintf(headline, sizeof headline, "%s%s", tone_mark(v->tone), v->headline);
    ui_text_style hs = {
        type_px(u, THEME_HEADLINE_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, u->w - 2 * margin, 1};
    int hw, hh;
    ui_text_measure(u->text, headline, &hs, &hw, &hh);
    ui_text_draw(u->text, headline, &hs, u->w / 2, bar_h + (banner_h - hh) / 2);

    int top = bar_h + banner_h + px(u, 40);
    int bottom_reserved = target_px(u, THEME_TARGET_MIN) + px(u, 60);
    /* Figures beside the name only for a meal: a refusal's words need the full width, and its
     * one figure (the full price on offer) goes below them. */
    bool two_columns = u->landscape && v->row_count > 0 && v->tone == KIOSK_TONE_SUCCESS;
    bool rows_last = !two_columns && v->tone != KIOSK_TONE_SUCCESS;
    int col_w = two_columns ? (u->w - 3 * margin) * 52 / 100 : u->w - 2 * margin;
    int y = top;
    y += text(u, v->name, THEME_NAME_PX, true, THEME_TEXT, UI_ALIGN_LEFT, margin, y, col_w, 1);
    y += text(u, v->subline, THEME_SUBLINE_PX, false, THEME_TEXT_MUTED, UI_ALIGN_LEFT, margin, y,
              col_w, 1);
    if (v->name[0] || v->subline[0])
        y += px(u, 24);
    int rows_x = margin, rows_w = u->w - 2 * margin;
    if (two_columns) {
        rows_x = margin * 2 + col_w;
        rows_w = u->w - rows_x - margin;
        draw_rows(u, v, rows_x, top, rows_w);
    } else if (!rows_last) {
        y += draw_rows(u, v, rows_x, y, rows_w);
        y += px(u, 24);
    }
    /* The words share what is left above the back button: the advice (what to do) keeps at
     * least one line; the text engine shrinks a line that would not fit. */
    int limit = u->h - bottom_reserved;
    int line_h = type_px(u, THEME_BODY_PX) * 3 / 2;
    int figures_h = rows_last ? rows_height(u, v) + px(u, 16) : 0;
    int lines_left = (limit - figures_h - y) / line_h;
    if (figures_h && lines_left < 3) {
        /* No room for the panel (a short landscape screen): the advice names the price. */
        figures_h = 0;
        lines_left = (limit - y) / line_h;
    }
    int message_lines = lines_left - 2 < 1 ? 1 : lines_left - 2 > 3 ? 3 : lines_left - 2;
    y += text(u, v->message, THEME_BODY_PX, false, THEME_TEXT, UI_ALIGN_LEFT, margin, y, col_w,
              message_lines);
    y += px(u, 16);
    int advice_lines = (limit - figures_h - y) / line_h;
    y += text(u, v->advice, THEME_BODY_PX, true, THEME_TEXT, UI_ALIGN_LEFT, margin, y, col_w,
              advice_lines < 1   ? 1
              : advice_lines > 2 ? 2
                                 : advice_lines);
    if (figures_h)
        draw_rows(u, v, rows_x, y + px(u, 16), rows_w);
    draw_countdown_and_back(u, v);
}

static void draw_day_view(ui *u, const kiosk_view *v)
{
    draw_bar(u, v, NULL, NULL);
    int margin = px(u, THEME_MARGIN);
    int bar_h = bar_height(u);
    int banner_h = px(u, 150);
    fill_rect(u, 0, bar_h, u->w, banner_h, THEME_INFO_BG);
    ui_text_style hs = {type_px(u, 80), true, THEME_ON_DARK, UI_ALIGN_LEFT, u->w - 2 * margin, 1};
    int hw, hh;
    ui_text_measure(u->text, v->table_title, &hs, &hw, &hh);
    ui_text_draw(u->text, v->table_title, &hs, margin, bar_h + (banner_h - hh) / 2);

    static const char *const head[4] = {"项目", "份数", "补贴", "自付"};
    int cols_x[4], table_w = u->w - 2 * margin;
    cols_x[0] = margin;
    cols_x[1] = margin + table_w * 56 / 100; /* right edges of the figure columns */
    cols_x[2] = margin + table_w * 78 / 100;
    cols_x[3] = margin + table_w;
    /* Every row must show: on a short screen the rows (and their type) get smaller. This is a
     * staff screen, so its type may go below the diners' minimum, but not below 28 px. */
    int y = bar_h + banner_h + px(u, 20);
    int bottom = u->h - target_px(u, THEME_TARGET_MIN) - px(u, 50);
    int rows = (int)v->table_rows + 1;
    int row_h = type_px(u, THEME_TABLE_PX) * 3 / 2;
    if (rows * row_h > bottom - y)
        row_h = (bottom - y) / rows;
    int type =
        row_h * 2 / 3 < type_px(u, THEME_TABLE_PX) ? row_h * 2 / 3 : type_px(u, THEME_TABLE_PX);
    if (type < 28)
        type = 28;
    for (int r = -1; r < (int)v->table_rows; r++) {
        if (r >= 0 && r % 2 == 0)
            fill_rect(u, margin - px(u, 10), y, table_w + px(u, 20), row_h, THEME_PANEL_BG);
        for (int c = 0; c < 4; c++) {
            ui_text_style st = {type,
                                r <= 0,
                                r < 0 ? THEME_TEXT_MUTED : THEME_TEXT,
                                c == 0 ? UI_ALIGN_LEFT : UI_ALIGN_RIGHT,
                                c == 0 ? table_w * 40 / 100 : table_w / 5,
                                1};
            int tw, th;
            const char *cell = r < 0 ? head[c] : v->table[r].cells[c];
            ui_text_measure(u->text, cell, &st, &tw, &th);
            ui_text_draw(u->text, cell, &st, cols_x[c], y + (row_h - th) / 2);
        }
        y += row_h;
    }
    draw_countdown_and_back(u, v);
}

static void draw(ui *u, const kiosk_view *v)
{
    u->widget_count = 0;
    set_color(u, THEME_PAGE_BG);
    SDL_RenderClear(u->renderer);
    switch (v->screen) {
    case KIOSK_SCREEN_IDLE:
        draw_idle(u, v);
        break;
    case KIOSK_SCREEN_RESULT:
        draw_result(u, v);
        break;
    case KIOSK_SCREEN_DAY_VIEW:
        draw_day_view(u, v);
        break;
    }
}

void ui_render(ui *u, const kiosk_view *v)
{
    draw(u, v);
    SDL_RenderPresent(u->renderer);
    if (v->voice_serial != u->spoken_serial) {
        u->spoken_serial = v->voice_serial;
        if (u->voice && v->voice_count)
            ui_voice_say(u->voice, v->voice, v->voice_count);
    }
}

int ui_save_png(ui *u, const kiosk_view *v, const char *path, char *err, size_t err_size)
{
    draw(u, v);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32, SDL_PIXELFORMAT_ARGB8888);
    int rc = -1;
    if (!s) {
        snprintf(err, err_size, "out of memory for the frame");
    } else if (SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                    s->pitch) != 0) {
        snprintf(err, err_size, "cannot read the frame: %s", SDL_GetError());
    } else if (IMG_SavePNG(s, path) != 0) {
        snprintf(err, err_size, "cannot write %s: %s", path, IMG_GetError());
    } else {
        rc = 0;
    }
    SDL_FreeSurface(s);
    SDL_RenderPresent(u->renderer);
    return rc;
}
