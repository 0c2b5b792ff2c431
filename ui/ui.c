/* ui.c - window, drawing primitives, the generic layouts (idle, result, table, form) and PNG
 * frames. Every word on screen comes from the view or the frame; ui.c spells none. */
#define _POSIX_C_SOURCE 200809L
#include "ui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "i18n.h"
#include "text.h"
#include "theme.h"
#include "utf8.h"
#include "voice.h"

#define TEXTS_MAX  96 /* texts of one frame, for ui_overlaps */
#define PANELS_MAX 4  /* panels of one frame (the figures) */

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
    widget widgets[UI_WIDGETS_MAX];
    size_t widget_count;
    /* The boxes of the texts drawn in the last frame (not button labels) and of the panels they
     * may sit in, to find overlaps (ui_overlaps). */
    struct {
        SDL_Rect box;
        int panel; /* the index of the panel it was drawn in; -1: none */
    } texts[TEXTS_MAX];
    size_t text_count;
    SDL_Rect panels[PANELS_MAX];
    size_t panel_count;
    int in_panel; /* the panel being filled with text, -1 when none */
    /* The panel as the viewer sees it (ui_options: diagonal and viewing distance): the pixels
     * of one degree of visual angle, and what follows from it. */
    double px_per_mm, px_per_degree;
    int min_han_px, min_digit_px;     /* 1 degree of ink: every glyph */
    int result_han_px, amount_px;     /* 2 degrees: the result word, the amount to pay */
    int target_min_px, target_gap_px; /* 30 mm targets, 8 mm apart */
    /* The size of a result's name, subline and figures in percent of their theme size, brought
     * down on a short screen so that everything fits above the bottom row (fit_result). */
    int result_pct;
    int banner_floor; /* a result's headline is never smaller (2 degrees); 0 elsewhere */
    bool compact_nav; /* a result's navigation buttons only as wide as their labels (draw_result) */
    /* What the last frame drew at its largest: a result's headline, the amount to pay (0: none),
     * for ui_frame_sizes. */
    int drawn_headline_px, drawn_amount_px;
    SDL_Rect drawn_banner, drawn_amount; /* a result's banner, the amount's box (0 x 0: none) */
    /* A result's bottom row ends its words here (the figures panel may reach down beside it);
     * 0: the row's own right end. */
    int bottom_words_right;
    /* A result whose figures fill the right-hand column down to the bottom row and whose words
     * column is empty (a staff status screen): its actions are set out in that column instead of
     * under the figures (w 0: in the bottom row as usual). */
    struct {
        int x, top, w, bottom;
    } actions_box;
    /* The title bar of the frame being drawn (layout_bar). */
    int bar_h, bar_title_w;
    bool bar_shows_date;
    char bar_when[96];
    unsigned spoken_serial;
    /* A turned panel ([display] rotate): the picture is drawn upright into canvas (w x h) and
     * copied turned onto the panel (phys_w x phys_h). NULL and 0 when the panel is not turned. */
    SDL_Texture *canvas;
    int rotate, phys_w, phys_h;
};

/* --- set-up ---------------------------------------------------------------------------- */

static void draw(ui *u, const kiosk_frame *f, const kiosk_view *v);
static void set_geometry(ui *u, const ui_options *opts);

/* Draws a success and a refusal once, unseen, so the first diner's result does not wait for the
 * result screen's font sizes to open and its common glyphs to be rasterised. */
static void warm_up(ui *u)
{
    kiosk_view *v = calloc(1, sizeof *v); /* a view is large for the stack */
    kiosk_frame f = {.date_text = "", .time_text = "00:00"};
    if (!v)
        return;
    v->layout = KIOSK_LAYOUT_RESULT;
    v->tone = KIOSK_TONE_SUCCESS;
    snprintf(v->title, sizeof v->title, "%s", _("助餐服务"));
    snprintf(v->headline, sizeof v->headline, "%s", _("用餐成功"));
    snprintf(v->name, sizeof v->name, "%s", _("张*兰 · 午餐"));
    static const char *const labels[] = {N_("餐费"), N_("补贴"), N_("本月补贴还剩"),
                                         N_("您需支付")};
    static const char *const values[] = {"¥15.00", "¥5.00", "¥195.00", "¥10.00"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(v->figures[i].label, sizeof v->figures[i].label, "%s", _(labels[i]));
        snprintf(v->figures[i].value, sizeof v->figures[i].value, "%s", values[i]);
        v->figures[i].emphasis = i == 3;
    }
    v->figure_count = 4;
    snprintf(v->advice, sizeof v->advice, "%s", _("请到窗口付款取餐"));
    v->countdown_s = 8;
    v->button_count = 1;
    snprintf(v->buttons[0].id, sizeof v->buttons[0].id, "back");
    snprintf(v->buttons[0].label, sizeof v->buttons[0].label, "%s", _("返回"));
    v->buttons[0].role = KIOSK_ROLE_NAV;
    draw(u, &f, v);
    v->tone = KIOSK_TONE_REFUSED;
    v->figure_count = 0;
    snprintf(v->headline, sizeof v->headline, "%s", _("本餐已经用过"));
    draw(u, &f, v);
    u->widget_count = 0;
    free(v);
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
    if (!opts->headless && opts->drm_device && opts->drm_device[0]) {
        /* SDL 2.26 picks a KMSDRM card by number only (SDL_HINT_KMSDRM_DEVICE_INDEX, "N" of
         * /dev/dri/cardN): a stable /dev/dri/by-path name is resolved to that number here. */
        char index[16];
        int n = ui_display_drm_resolve(opts->drm_device, err, err_size);
        if (n < 0)
            return NULL;
        snprintf(index, sizeof index, "%d", n);
        SDL_SetHint(SDL_HINT_KMSDRM_DEVICE_INDEX, index);
    }
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
    u->window = SDL_CreateWindow(_("社区服务终端"), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                 w, h, flags);
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
    SDL_GetRendererOutputSize(u->renderer, &u->phys_w, &u->phys_h);
    u->rotate = ui_display_rotation_valid(opts->rotate) ? opts->rotate : 0;
    ui_display_logical_size(u->rotate, u->phys_w, u->phys_h, &u->w, &u->h);
    if (u->rotate) {
        u->canvas = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_TARGET, u->w, u->h);
        if (!u->canvas) {
            snprintf(err, err_size, "cannot draw a turned picture: %s", SDL_GetError());
            ui_free(u);
            return NULL;
        }
    }
    {
        const char *driver = SDL_GetCurrentVideoDriver();
        if (driver && SDL_strcasecmp(driver, "KMSDRM") == 0)
            ui_display_console_quiet(0); /* the console under the picture never blanks it */
    }
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
    set_geometry(u, opts);
    ui_text_set_min_sizes(u->text, u->min_han_px, u->min_digit_px);
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
    if (u->canvas)
        SDL_DestroyTexture(u->canvas);
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

void ui_set_volume(ui *u, int volume)
{
    ui_voice_set_volume(u->voice, volume);
}

int64_t ui_speech_left_ms(const ui *u)
{
    return ui_voice_queued_ms(u->voice);
}

ui_text *ui_text_engine(ui *u)
{
    return u->text;
}

/* --- the panel as seen ------------------------------------------------------------------- */

/* One degree of visual angle at the viewing distance, in pixels of this panel, and the sizes
 * the age-friendly rules ask for: every glyph's ink at least 1 degree high (a Chinese character
 * and a digit have different ink heights for one font size, read from the font), the result
 * word and the amount to pay 2 degrees, touch targets 30 mm with 8 mm between them. */
static void set_geometry(ui *u, const ui_options *opts)
{
    double diagonal_in = opts->diagonal_in > 0 ? opts->diagonal_in : UI_DEFAULT_DIAGONAL_IN;
    int viewing_cm = opts->viewing_cm > 0 ? opts->viewing_cm : UI_DEFAULT_VIEWING_CM;
    u->px_per_mm = hypot(u->w, u->h) / (diagonal_in * 25.4);
    u->px_per_degree = viewing_cm * 10.0 * tan(3.14159265358979323846 / 180) * u->px_per_mm;
    double han_ink = 0, digit_ink = 0;
    ui_text_ink_ratios(u->text, &han_ink, &digit_ink);
    if (han_ink <= 0.3 || digit_ink <= 0.3) /* no metrics: Noto Sans CJK's own */
        han_ink = 0.90, digit_ink = 0.733;
    u->min_han_px = (int)ceil(u->px_per_degree / han_ink);
    u->min_digit_px = (int)ceil(u->px_per_degree / digit_ink);
    u->result_han_px = (int)ceil(2 * u->px_per_degree / han_ink);
    u->amount_px = (int)ceil(2 * u->px_per_degree / digit_ink);
    u->target_min_px = (int)lround(30 * u->px_per_mm);
    u->target_gap_px = (int)lround(8 * u->px_per_mm);
}

void ui_geometry(const ui *u, ui_geometry_info *out)
{
    *out =
        (ui_geometry_info){u->px_per_mm,     u->px_per_degree, u->min_han_px,    u->min_digit_px,
                           u->result_han_px, u->amount_px,     u->target_min_px, u->target_gap_px};
}

/* --- primitives ------------------------------------------------------------------------ */

static int px(const ui *u, int reference_px)
{
    return (int)lround(reference_px * u->scale);
}

/* Text sizes never drop below one degree of visual angle (the text engine raises text with
 * digits further, to its own minimum). */
static int type_px(const ui *u, int reference_px)
{
    int v = px(u, reference_px);
    return v < u->min_han_px ? u->min_han_px : v;
}

/* Touch targets keep their physical minimum (30 mm) whatever the scale. */
static int target_px(const ui *u, int reference_px)
{
    int v = px(u, reference_px);
    return v < u->target_min_px ? u->target_min_px : v;
}

/* The space between two targets: at least 8 mm. */
static int target_gap(const ui *u)
{
    int v = px(u, THEME_MARGIN) / 2;
    return v < u->target_gap_px ? u->target_gap_px : v;
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

/* Draws text as ui_text_draw does and keeps its box for ui_overlaps. */
static int draw_text(ui *u, const char *s, const ui_text_style *st, int x, int y)
{
    int w = 0, h = 0;
    if (s && s[0] && u->text_count < TEXTS_MAX) {
        ui_text_measure(u->text, s, st, &w, &h);
        int left = st->align == UI_ALIGN_CENTER  ? x - w / 2
                   : st->align == UI_ALIGN_RIGHT ? x - w
                                                 : x;
        /* The line box less what lies above and below a CJK glyph's ink (about a fifth of the
         * box above, a tenth below), which stacked lines may share. */
        if (w > 0 && h > 0) {
            u->texts[u->text_count].box = (SDL_Rect){left, y + h / 5, w, h - h / 5 - h / 10};
            u->texts[u->text_count++].panel = u->in_panel;
        }
    }
    return ui_text_draw(u->text, s, st, x, y);
}

static int text(ui *u, const char *s, int size_ref, bool bold, uint32_t rgb, ui_align align, int x,
                int y, int max_width, int max_lines)
{
    ui_text_style st = {type_px(u, size_ref), bold, rgb, align, max_width, max_lines};
    return draw_text(u, s, &st, x, y);
}

/* The height text() would take for s; 0 for no text. */
static int text_height(ui *u, const char *s, int size_ref, bool bold, int max_width, int max_lines)
{
    if (!s[0])
        return 0;
    ui_text_style st = {type_px(u, size_ref), bold,      THEME_TEXT,
                        UI_ALIGN_LEFT,        max_width, max_lines};
    int w, h;
    ui_text_measure(u->text, s, &st, &w, &h);
    return h;
}

static void add_widget(ui *u, const char *id, SDL_Rect r)
{
    if (u->widget_count == UI_WIDGETS_MAX)
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

/* A view's button in the colour of its role: primary dark blue, danger dark red, secondary the
 * lighter blue. */
static void button_styled(ui *u, const kiosk_button *b, int x, int y, int w, int h)
{
    uint32_t bg = b->role == KIOSK_ROLE_DANGER      ? THEME_REFUSED_BG
                  : b->role == KIOSK_ROLE_SECONDARY ? THEME_BAR_BUTTON_BG
                                                    : THEME_BUTTON_BG;
    fill_round_rect(u, x, y, w, h, px(u, THEME_RADIUS), bg);
    ui_text_style st = {
        type_px(u, THEME_BUTTON_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, w - px(u, 20), 2};
    int tw, th;
    ui_text_measure(u->text, b->label, &st, &tw, &th);
    ui_text_draw(u->text, b->label, &st, x + w / 2, y + (h - th) / 2);
    add_widget(u, b->id, (SDL_Rect){x, y, w, h});
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

void ui_frame_sizes(ui *u, ui_frame_sizes_info *out)
{
    *out = (ui_frame_sizes_info){0};
    ui_text_smallest(u->text, &out->smallest_han_px, &out->smallest_digit_px, false);
    out->headline_px = u->drawn_headline_px;
    out->amount_px = u->drawn_amount_px;
    out->banner_y = u->drawn_banner.y;
    out->banner_h = u->drawn_banner.h;
    out->amount_box = (ui_widget_box){"amount", u->drawn_amount.x, u->drawn_amount.y,
                                      u->drawn_amount.w, u->drawn_amount.h};
    out->widget_count = u->widget_count;
    for (size_t i = 0; i < u->widget_count; i++) {
        const SDL_Rect *r = &u->widgets[i].rect;
        out->widgets[i] = (ui_widget_box){u->widgets[i].id, r->x, r->y, r->w, r->h};
    }
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

/* The counts a view gives, clamped to what its arrays hold: a flow's bug must not become a read
 * past an array here. */
static size_t clamp_count(size_t n, size_t max)
{
    return n < max ? n : max;
}

static int bar_height(const ui *u)
{
    return u->bar_h;
}

/* Lays out the title bar of this frame: which of date and time fit beside the title and the bar
 * buttons, and how tall the bar must be for a title that needs two lines (a long site name on a
 * portrait screen) rather than a shrunken one. */
/* A title-bar button's width: its label at the body size, and never under a target. */
static int bar_button_w(ui *u, const kiosk_button *b)
{
    ui_text_style st = {type_px(u, THEME_BODY_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, 0, 1};
    int tw, th;
    ui_text_measure(u->text, b->label, &st, &tw, &th);
    int w = tw + px(u, 40);
    return w > target_px(u, 220) ? w : target_px(u, 220);
}

static void layout_bar(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    int margin = px(u, THEME_MARGIN);
    int min_h = target_px(u, THEME_TARGET_MIN) + 16;
    int h = px(u, THEME_BAR_H) > min_h ? px(u, THEME_BAR_H) : min_h;
    int right = u->w - margin;
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS);
    for (size_t i = 0; i < buttons; i++)
        if (v->buttons[i].role == KIOSK_ROLE_BAR)
            right -= bar_button_w(u, &v->buttons[i]) + target_gap(u);
    ui_text_style st = {type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_LEFT, 0, 1};
    int ww, wh, tw, th;
    snprintf(u->bar_when, sizeof u->bar_when, "%s  %s", f->date_text, f->time_text);
    ui_text_measure(u->text, u->bar_when, &st, &ww, &wh);
    ui_text_measure(u->text, v->title, &st, &tw, &th);
    u->bar_shows_date = tw + ww + 3 * margin <= right;
    if (!u->bar_shows_date) {
        /* Not enough room for title, date and time: the time stays, the date goes below. */
        snprintf(u->bar_when, sizeof u->bar_when, "%s", f->time_text);
        ui_text_measure(u->text, u->bar_when, &st, &ww, &wh);
    }
    if (right < u->w - margin && tw + ww + 3 * margin > right) {
        /* Still no room (a narrow screen with 呼叫工作人员): the title keeps one line, the time
         * goes; the bar stays low enough for a result to fit below it. */
        u->bar_when[0] = '\0';
        ww = 0;
    }
    u->bar_title_w = right - ww - 2 * margin;
    ui_text_style two = {
        type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_LEFT, u->bar_title_w, 2};
    ui_text_measure(u->text, v->title, &two, &tw, &th);
    u->bar_h = th + px(u, 40) > h ? th + px(u, 40) : h;
}

/* The title bar: the view's title on the left (two lines when it must); date and time, and the
 * view's bar buttons (small staff buttons), on the right. */
static void draw_bar(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    (void)f;
    int bar_h = bar_height(u);
    int margin = px(u, THEME_MARGIN);
    fill_rect(u, 0, 0, u->w, bar_h, THEME_BAR_BG);
    int right = u->w - margin;
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS);
    for (size_t i = buttons; i-- > 0;) {
        const kiosk_button *b = &v->buttons[i];
        if (b->role != KIOSK_ROLE_BAR)
            continue;
        int bh = target_px(u, THEME_TARGET_MIN), bw = bar_button_w(u, b);
        fill_round_rect(u, right - bw, (bar_h - bh) / 2, bw, bh, px(u, THEME_RADIUS),
                        THEME_BAR_BUTTON_BG);
        ui_text_style st = {type_px(u, THEME_BODY_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, 0, 1};
        int tw, th;
        ui_text_measure(u->text, b->label, &st, &tw, &th);
        ui_text_draw(u->text, b->label, &st, right - bw / 2, (bar_h - th) / 2);
        add_widget(u, b->id, (SDL_Rect){right - bw, (bar_h - bh) / 2, bw, bh});
        right -= bw + target_gap(u);
    }
    ui_text_style st = {type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_RIGHT, 0, 1};
    int ww, wh, tw, th;
    ui_text_measure(u->text, u->bar_when, &st, &ww, &wh);
    draw_text(u, u->bar_when, &st, right, (bar_h - wh) / 2);
    ui_text_style ts = {
        type_px(u, THEME_TITLE_PX), true, THEME_ON_DARK, UI_ALIGN_LEFT, u->bar_title_w, 2};
    ui_text_measure(u->text, v->title, &ts, &tw, &th);
    draw_text(u, v->title, &ts, margin, (bar_h - th) / 2);
}

/* A navigation button's width: the theme's, or what its label needs ("输入预约号" on a small
 * panel); on a short screen whose figures or keys reach down beside the row (compact_nav), just
 * its label and room either side, never under a target, so 返回, 帮助 and 再听一遍 fit. */
static int nav_button_w(ui *u, const kiosk_button *b)
{
    ui_text_style st = {type_px(u, THEME_BUTTON_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, 0, 1};
    int tw, th;
    ui_text_measure(u->text, b->label, &st, &tw, &th);
    int w = tw + px(u, 40);
    int floor = u->compact_nav ? target_px(u, THEME_TARGET_MIN) : target_px(u, THEME_BUTTON_W);
    return w > floor ? w : floor;
}

/* The width of the navigation row, from its first button's left edge to its last's right. */
static int nav_row_w(ui *u, const kiosk_view *v)
{
    int w = 0;
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS);
    for (size_t i = 0; i < buttons; i++)
        if (v->buttons[i].role == KIOSK_ROLE_NAV)
            w += (w ? target_gap(u) : 0) + nav_button_w(u, &v->buttons[i]);
    return w;
}

/* The navigation buttons (back, help) bottom left at y, in the order given; returns the x just
 * right of the last one. */
static int draw_nav(ui *u, const kiosk_view *v, int y)
{
    int margin = px(u, THEME_MARGIN);
    int bh = target_px(u, THEME_TARGET_MIN);
    int x = margin;
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS);
    for (size_t i = 0; i < buttons; i++) {
        if (v->buttons[i].role != KIOSK_ROLE_NAV)
            continue;
        int w = nav_button_w(u, &v->buttons[i]);
        button(u, v->buttons[i].id, v->buttons[i].label, x, y, w, bh);
        x += w + target_gap(u);
    }
    return x;
}

/* The action buttons (primary, secondary, danger) in one row at y, from the right edge; returns
 * the x of the leftmost one's left edge (the right margin when there are none). */
/* How many of the view's buttons are actions (neither navigation nor in the title bar). */
static size_t action_count(const kiosk_view *v)
{
    size_t n = 0;
    for (size_t i = 0; i < clamp_count(v->button_count, KIOSK_VIEW_BUTTONS); i++)
        n += v->buttons[i].role != KIOSK_ROLE_NAV && v->buttons[i].role != KIOSK_ROLE_BAR;
    return n;
}

/* The actions as rows of buttons in actions_box, filled from its bottom up; false when they do
 * not fit there. With draw false it only answers whether they would. */
static bool actions_in_box(ui *u, const kiosk_view *v, bool draw)
{
    int bh = target_px(u, THEME_TARGET_MIN), bw = target_px(u, THEME_BUTTON_W), gap = target_gap(u);
    int per_row = (u->actions_box.w + gap) / (bw + gap);
    size_t n = action_count(v);
    if (per_row < 1 || n == 0)
        return false;
    int rows = ((int)n + per_row - 1) / per_row;
    if (u->actions_box.bottom - rows * bh - (rows - 1) * gap < u->actions_box.top)
        return false;
    size_t k = 0;
    for (size_t i = 0; draw && i < clamp_count(v->button_count, KIOSK_VIEW_BUTTONS); i++) {
        const kiosk_button *b = &v->buttons[i];
        if (b->role == KIOSK_ROLE_NAV || b->role == KIOSK_ROLE_BAR)
            continue;
        int row = (int)k / per_row, col = (int)k % per_row;
        int y = u->actions_box.bottom - (rows - row) * bh - (rows - 1 - row) * gap;
        button_styled(u, b, u->actions_box.x + col * (bw + gap), y, bw, bh);
        k++;
    }
    return true;
}

static int draw_actions(ui *u, const kiosk_view *v, int y)
{
    int margin = px(u, THEME_MARGIN);
    int bh = target_px(u, THEME_TARGET_MIN), bw = target_px(u, THEME_BUTTON_W);
    int x = u->w - margin;
    if (u->actions_box.w > 0 && actions_in_box(u, v, true))
        return x;
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS);
    for (size_t i = buttons; i-- > 0;) {
        const kiosk_button *b = &v->buttons[i];
        if (b->role == KIOSK_ROLE_NAV || b->role == KIOSK_ROLE_BAR)
            continue;
        x -= bw;
        button_styled(u, b, x, y, bw, bh);
        x -= target_gap(u);
    }
    return x;
}

/* The picture of where to tap: a card with its chip and its word, an arrow from it to the reader,
 * and a labelled strip along the edge of the screen where the reader sits. */
static void draw_tap_picture(ui *u, int cx, int cy, int card_w, const char *label)
{
    int card_h = card_w * 54 / 86; /* ID-1 card proportions */
    int x = cx - card_w / 2, y = cy - card_h / 2;
    int edge = px(u, 8) > 3 ? px(u, 8) : 3;
    fill_round_rect(u, x - edge, y - edge, card_w + 2 * edge, card_h + 2 * edge, px(u, 30) + edge,
                    THEME_CARD_EDGE);
    fill_round_rect(u, x, y, card_w, card_h, px(u, 30), THEME_CARD_BG);
    fill_round_rect(u, x + card_w / 8, y + card_h / 3, card_w / 6, card_h / 4, px(u, 8),
                    THEME_CARD_CHIP);
    ui_text_style st = {card_h * 26 / 100, true, THEME_TEXT, UI_ALIGN_CENTER, card_w * 5 / 8, 1};
    int tw, th;
    ui_text_measure(u->text, label, &st, &tw, &th);
    draw_text(u, label, &st, x + card_w * 9 / 16, y + card_h * 45 / 100 - th / 2);
}

static int reader_strip(const ui *u)
{
    return type_px(u, THEME_HINT_PX) * 3 / 2;
}

/* The strip marks the reader's edge; the arrow runs from (from_x, from_y) to the strip. On the
 * right edge the label runs down the strip one character a line. */
static void draw_reader_arrow(ui *u, int from_x, int from_y, const char *label)
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
        size_t chars = 0, pos = 0, total = strlen(label);
        while (pos < total && chars < 8) {
            size_t len;
            kiosk_utf8_next(label + pos, total - pos, &len);
            pos += len;
            chars++;
        }
        int ch = type_px(u, THEME_HINT_PX) * 3 / 2;
        int y = from_y - ch * (int)chars / 2;
        for (pos = 0; pos < total && chars-- > 0; y += ch) {
            size_t len;
            char one[8] = "";
            kiosk_utf8_next(label + pos, total - pos, &len);
            memcpy(one, label + pos, len);
            pos += len;
            text(u, one, THEME_HINT_PX, true, THEME_ON_DARK, UI_ALIGN_CENTER, u->w - strip / 2, y,
                 0, 1);
        }
    } else {
        int tip = u->h - strip - px(u, 10);
        if (tip - s > from_y)
            fill_rect(u, from_x - s / 3, from_y, 2 * s / 3, tip - s - from_y, THEME_BAR_BG);
        fill_triangle(u, (float)(from_x - s), (float)(tip - s), (float)from_x, (float)tip,
                      (float)(from_x + s), (float)(tip - s), THEME_BAR_BG);
        fill_rect(u, 0, u->h - strip, u->w, strip, THEME_BAR_BG);
        ui_text_style st = {type_px(u, THEME_HINT_PX), true, THEME_ON_DARK, UI_ALIGN_CENTER, 0, 1};
        int tw, th;
        ui_text_measure(u->text, label, &st, &tw, &th);
        draw_text(u, label, &st, from_x, u->h - strip + (strip - th) / 2);
    }
}

/* The height the idle words take with the prompt at prompt_px. */
static int idle_words_height(ui *u, const kiosk_frame *f, const kiosk_view *v, int width,
                             int prompt_px)
{
    int margin = px(u, THEME_MARGIN), w, h, total = 0;
    ui_text_style prompt = {type_px(u, prompt_px), true, THEME_TEXT, UI_ALIGN_CENTER,
                            width - 2 * margin,    1};
    ui_text_style hint = {type_px(u, THEME_HINT_PX), false, THEME_TEXT_MUTED, UI_ALIGN_CENTER,
                          width - 2 * margin,        2};
    ui_text_style date = {type_px(u, THEME_BODY_PX), false, THEME_TEXT_MUTED, UI_ALIGN_CENTER,
                          width - 2 * margin,        1};
    ui_text_measure(u->text, v->prompt, &prompt, &w, &h);
    total += h;
    ui_text_measure(u->text, v->hint, &hint, &w, &h);
    total += h;
    if (!u->bar_shows_date) {
        ui_text_measure(u->text, f->date_text, &date, &w, &h);
        total += h;
    }
    return total;
}

static void draw_idle(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw_bar(u, f, v);
    int bar_h = bar_height(u);
    int margin = px(u, THEME_MARGIN);
    int strip = u->reader_right ? 0 : reader_strip(u);
    int right_strip = u->reader_right ? reader_strip(u) : 0;
    int width = u->w - right_strip;
    int y = bar_h + px(u, 30);
    /* The prompt is the largest thing on the screen, but not at the cost of the card picture:
     * on a short screen it comes down a size. */
    int full_card = px(u, 400) * 54 / 86 + px(u, 110) + 3 * px(u, 20);
    int prompt_px = THEME_PROMPT_PX;
    if (u->h - strip - y - idle_words_height(u, f, v, width, prompt_px) < full_card)
        prompt_px = THEME_PROMPT_SHORT_PX;
    y += text(u, v->prompt, prompt_px, true, THEME_TEXT, UI_ALIGN_CENTER, width / 2, y,
              width - 2 * margin, 1);
    y += text(u, v->hint, THEME_HINT_PX, false, THEME_TEXT_MUTED, UI_ALIGN_CENTER, width / 2, y,
              width - 2 * margin, 2);
    if (!u->bar_shows_date) /* the bar had room for the time only: the date stands here */
        y += text(u, f->date_text, THEME_BODY_PX, false, THEME_TEXT_MUTED, UI_ALIGN_CENTER,
                  width / 2, y, width - 2 * margin, 1);
    int bh = target_px(u, THEME_TARGET_MIN);
    int bottom = u->h - strip;
    /* The card in the middle of the space left, above an arrow of at least arrow_min to the
     * reader strip; a short screen gets a smaller card rather than an overlap. */
    int gap = px(u, 20), arrow_min = u->reader_right ? 0 : px(u, 110);
    int space = bottom - y;
    int card_h = px(u, 400) * 54 / 86;
    if (card_h > space - arrow_min - 3 * gap)
        card_h = space - arrow_min - 3 * gap;
    /* Never so small that the word on the pictured card would be under 1 degree: the arrow
     * shortens instead. */
    if (card_h < 4 * u->min_han_px)
        card_h = 4 * u->min_han_px;
    if (arrow_min > space - card_h - 3 * gap)
        arrow_min = space - card_h - 3 * gap > 0 ? space - card_h - 3 * gap : 0;
    int card_w = card_h * 86 / 54;
    int cy = y + gap + card_h / 2 +
             (u->reader_right ? (space - card_h - 2 * gap) / 2
                              : (space - card_h - arrow_min - 3 * gap) / 2);
    draw_tap_picture(u, width / 2, cy, card_w, v->picture_label);
    if (u->reader_right)
        draw_reader_arrow(u, width / 2 + card_w / 2 + px(u, 30), cy, v->reader_label);
    else
        draw_reader_arrow(u, width / 2, cy + card_h / 2 + gap, v->reader_label);
    int nav_right = draw_nav(u, v, bottom - bh - px(u, 30));
    if (f->status_text[0]) {
        /* The staff line: right of the card (or of the buttons, with the reader on the right),
         * above the reader strip, on two lines when it must, never over the picture. */
        int left = u->reader_right ? nav_right : width / 2 + card_w / 2 + margin / 2;
        ui_text_style st = {type_px(u, THEME_COUNTDOWN_PX), false, THEME_TEXT_MUTED, UI_ALIGN_RIGHT,
                            width - margin - left,          2};
        int tw, th;
        ui_text_measure(u->text, f->status_text, &st, &tw, &th);
        draw_text(u, f->status_text, &st, width - margin, bottom - th - px(u, 20));
    }
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

/* The words on a tone's banner: dark on the light success banner, white on the others. */
static uint32_t tone_text_color(kiosk_tone tone)
{
    return tone == KIOSK_TONE_SUCCESS ? THEME_ON_SUCCESS : THEME_ON_DARK;
}

/* The shape that tells the tones apart besides colour. */
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
/* A theme size of a result's name, subline or figures at the size fit_result chose. */
static int fitted(const ui *u, int reference_px)
{
    return reference_px * (u->result_pct > 0 ? u->result_pct : 100) / 100;
}

/* A figure's value size: fitted to the screen, but the amount to pay never under 2 degrees. */
static int figure_value_px(const ui *u, const kiosk_figure *r)
{
    int v = type_px(u, fitted(u, r->emphasis ? THEME_ROW_EMPHASIS_PX : THEME_ROW_VALUE_PX));
    return r->emphasis && v < u->amount_px ? u->amount_px : v;
}

static ui_text_style figure_label_style(const ui *u, const kiosk_figure *r, int max_width)
{
    return (ui_text_style){type_px(u, fitted(u, THEME_ROW_LABEL_PX)),
                           r->emphasis,
                           THEME_TEXT,
                           UI_ALIGN_LEFT,
                           max_width,
                           1};
}

/* Whether a figure's value goes under its label: when the two do not fit side by side in a panel
 * w wide at their sizes (a date beside a long label in a narrow column). */
static bool figure_stacked(const ui *u, const kiosk_figure *r, int w)
{
    int pad = px(u, 30);
    ui_text_style ls = figure_label_style(u, r, 0);
    ui_text_style vs = {figure_value_px(u, r), true, THEME_FIGURE, UI_ALIGN_RIGHT, 0, 1};
    int lw, lh, vw, vh;
    ui_text_measure(u->text, r->label, &ls, &lw, &lh);
    ui_text_measure(u->text, r->value, &vs, &vw, &vh);
    return lw + vw + 4 * pad > w;
}

static int figure_height(const ui *u, const kiosk_figure *r, int w)
{
    if (figure_stacked(u, r, w))
        return (int)(figure_label_style(u, r, 0).size_px * 1.35 + figure_value_px(u, r) * 1.5);
    return (int)(figure_value_px(u, r) * 1.35);
}

/* The height of the figures panel w wide, padding included; 0 without figures. */
static int figures_height(const ui *u, const kiosk_view *v, int w)
{
    size_t n = clamp_count(v->figure_count, KIOSK_VIEW_FIGURES);
    if (n == 0)
        return 0;
    int total = 2 * px(u, 30);
    for (size_t i = 0; i < n; i++)
        total += figure_height(u, &v->figures[i], w);
    return total;
}

static int draw_figures(ui *u, const kiosk_view *v, int x, int y, int w)
{
    size_t n = clamp_count(v->figure_count, KIOSK_VIEW_FIGURES);
    if (n == 0)
        return 0;
    int pad = px(u, 30);
    int total = figures_height(u, v, w);
    fill_round_rect(u, x, y, w, total, px(u, THEME_RADIUS), THEME_PANEL_BG);
    /* The panel is an obstacle for every text but its own. */
    u->in_panel = -1;
    if (u->panel_count < PANELS_MAX) {
        u->in_panel = (int)u->panel_count;
        u->panels[u->panel_count++] = (SDL_Rect){x, y, w, total};
    }
    int ry = y + pad;
    for (size_t i = 0; i < n; i++) {
        const kiosk_figure *r = &v->figures[i];
        int row_h = figure_height(u, r, w);
        int value_px = figure_value_px(u, r);
        bool stacked = figure_stacked(u, r, w);
        ui_text_style ls = figure_label_style(u, r, stacked ? w - 2 * pad : w / 2);
        int lw, lh, vw, vh;
        ui_text_measure(u->text, r->label, &ls, &lw, &lh);
        /* The figure takes what the label leaves, with a clear gap, or the line under it. */
        ui_text_style vs = {
            value_px, true, THEME_FIGURE, UI_ALIGN_RIGHT, stacked ? w - 2 * pad : w - lw - 4 * pad,
            1};
        ui_text_measure(u->text, r->value, &vs, &vw, &vh);
        int label_y = stacked ? ry : ry + (row_h - lh) / 2;
        int value_y = stacked ? ry + (int)(ls.size_px * 1.35) : ry + (row_h - vh) / 2;
        draw_text(u, r->label, &ls, x + pad, label_y);
        draw_text(u, r->value, &vs, x + w - pad, value_y);
        if (r->emphasis) {
            u->drawn_amount_px = ui_text_drawn_size(u->text, r->value, &vs);
            u->drawn_amount = (SDL_Rect){x + w - pad - vw, value_y, vw, vh};
        }
        ry += row_h;
    }
    u->in_panel = -1;
    return total;
}

/* "N 秒后自动返回" between left and right, centred on a row of height h at y, on two lines if one
 * is too long; left out when even two lines do not fit (a narrow portrait screen, the keypad
 * beside it): the screen stays up either way. Returns the width used (0: not drawn). */
static int draw_countdown(ui *u, const kiosk_view *v, int left, int right, int y, int h)
{
    if (v->countdown_s <= 0 || right <= left)
        return 0;
    char countdown[48];
    snprintf(countdown, sizeof countdown, _("%d 秒后\n自动返回"), v->countdown_s);
    char *one_line = strchr(countdown, '\n');
    ui_text_style st = {
        type_px(u, THEME_COUNTDOWN_PX), false, THEME_TEXT_MUTED, UI_ALIGN_LEFT, 0, 1};
    int tw, th;
    *one_line = ' ';
    ui_text_measure(u->text, countdown, &st, &tw, &th);
    if (tw > right - left) {
        *one_line = '\n';
        st.max_lines = 2;
        ui_text_measure(u->text, countdown, &st, &tw, &th);
    }
    if (tw > right - left || th > h)
        return 0;
    draw_text(u, countdown, &st, left, y + (h - th) / 2);
    return tw;
}

/* The navigation buttons bottom left, the countdown beside them, the actions bottom right. */
/* The bottom row of a result: navigation left, actions right, the countdown after the
 * navigation, and the staff line (a device fault, the database's state) in what is left. */
static void draw_bottom(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    int margin = px(u, THEME_MARGIN);
    int bh = target_px(u, THEME_TARGET_MIN);
    int by = u->h - bh - px(u, 40);
    int x = draw_nav(u, v, by);
    int left = x == margin ? margin : x;
    int right = draw_actions(u, v, by) - margin / 2;
    if (u->bottom_words_right && u->bottom_words_right < right)
        right = u->bottom_words_right;
    int used = draw_countdown(u, v, left, right, by, bh);
    if (used)
        left += used + margin;
    ui_text_style st = {
        type_px(u, THEME_COUNTDOWN_PX), false, THEME_TEXT_MUTED, UI_ALIGN_LEFT, 0, 1};
    int tw, th;
    if (f->status_text[0] && right - left > px(u, 300)) {
        st.align = UI_ALIGN_RIGHT;
        st.max_width = right - left;
        st.max_lines = 2;
        ui_text_measure(u->text, f->status_text, &st, &tw, &th);
        draw_text(u, f->status_text, &st, right, by + (bh - th) / 2);
    }
}

/* A banner headline's size: a result's is never under 2 degrees (banner_floor). */
static int headline_px(const ui *u, int size_ref)
{
    int v = type_px(u, size_ref);
    return v < u->banner_floor ? u->banner_floor : v;
}

/* The banner's height for a headline at size_ref: one line, or two when it does not fit on one
 * (the banner grows for them) before the text engine would shrink it. */
static int banner_height(ui *u, const char *headline, int size_ref, int height_ref, ui_align align)
{
    int margin = px(u, THEME_MARGIN);
    ui_text_style hs = {headline_px(u, size_ref), true, THEME_ON_DARK, align, u->w - 2 * margin, 2};
    int hw, hh;
    ui_text_measure(u->text, headline, &hs, &hw, &hh);
    int banner_h = px(u, height_ref);
    return hh + px(u, 40) > banner_h ? hh + px(u, 40) : banner_h;
}

/* The coloured banner under the title bar with the headline and its mark; returns its bottom. */
static int draw_banner(ui *u, const kiosk_view *v, const char *words, int size_ref, int height_ref,
                       bool mark, ui_align align)
{
    int margin = px(u, THEME_MARGIN);
    int bar_h = bar_height(u);
    char headline[160];
    snprintf(headline, sizeof headline, "%s%s", mark ? tone_mark(v->tone) : "", words);
    ui_text_style hs = {headline_px(u, size_ref), true, tone_text_color(v->tone), align,
                        u->w - 2 * margin,        2};
    int hw, hh;
    ui_text_measure(u->text, headline, &hs, &hw, &hh);
    int banner_h = banner_height(u, headline, size_ref, height_ref, align);
    fill_rect(u, 0, bar_h, u->w, banner_h, tone_color(v->tone));
    draw_text(u, headline, &hs, align == UI_ALIGN_CENTER ? u->w / 2 : margin,
              bar_h + (banner_h - hh) / 2);
    if (u->banner_floor) {
        u->drawn_headline_px = ui_text_drawn_size(u->text, headline, &hs);
        u->drawn_banner = (SDL_Rect){0, bar_h, u->w, banner_h};
    }
    return bar_h + banner_h;
}

/* The headline's size on a result: the full size, unless a two-line headline would leave no room
 * below it for the name and a line each of message and advice above the bottom row (a short
 * screen): then it comes down in steps, never below the name's size. */
static int result_headline_size(ui *u, const kiosk_view *v, int bottom_reserved)
{
    char headline[160];
    snprintf(headline, sizeof headline, "%s%s", tone_mark(v->tone), v->headline);
    int line_h = type_px(u, THEME_BODY_PX) * 3 / 2;
    int below = px(u, 40) + 2 * line_h + px(u, 16) + bottom_reserved;
    if (v->name[0])
        below += type_px(u, THEME_NAME_PX) * 13 / 10;
    if (v->subline[0])
        below += type_px(u, THEME_SUBLINE_PX) * 13 / 10;
    int size = THEME_HEADLINE_PX;
    while (size > THEME_NAME_PX &&
           bar_height(u) + banner_height(u, headline, size, THEME_BANNER_H, UI_ALIGN_CENTER) +
                   below >
               u->h)
        size -= 8;
    return size;
}

/* The height of one line of s at size_ref (fitted), bold or not; 0 for no text. */
static int line_height(ui *u, const char *s, int size_ref, bool bold, int max_width)
{
    if (!s[0])
        return 0;
    ui_text_style st = {
        type_px(u, fitted(u, size_ref)), bold, THEME_TEXT, UI_ALIGN_LEFT, max_width, 1};
    int w, h;
    ui_text_measure(u->text, s, &st, &w, &h);
    return h;
}

/* Brings a result's name, subline and figures down in steps (to 60 % at most, never below the
 * readable minimum) until they, a line of message and a line of advice fit between top and
 * limit: a short screen (1280x800) otherwise pushed the advice under the buttons and the
 * figures into the bottom row. */
static void fit_result(ui *u, const kiosk_view *v, int top, int limit, int col_w, int figures_w,
                       bool two_columns, bool figures_inline)
{
    int line_h = type_px(u, THEME_BODY_PX) * 3 / 2;
    for (u->result_pct = 100; u->result_pct > 60; u->result_pct -= 5) {
        int words = line_height(u, v->name, THEME_NAME_PX, true, col_w) +
                    line_height(u, v->subline, THEME_SUBLINE_PX, false, col_w) +
                    (v->name[0] || v->subline[0] ? px(u, 24) : 0) + 2 * line_h + px(u, 16);
        int panel =
            clamp_count(v->figure_count, KIOSK_VIEW_FIGURES) ? figures_height(u, v, figures_w) : 0;
        int needed = two_columns      ? (words > panel ? words : panel)
                     : figures_inline ? words + panel + px(u, 24)
                                      : words;
        if (top + needed <= limit)
            return;
    }
}

/* Whether the amount to pay fits beside its label at 2 degrees in a figures panel w wide (as
 * draw_figures sets them out); if not, the figures take the full width. */
static bool amount_fits(ui *u, const kiosk_view *v, int w)
{
    int pad = px(u, 24);
    for (size_t i = 0; i < clamp_count(v->figure_count, KIOSK_VIEW_FIGURES); i++) {
        const kiosk_figure *r = &v->figures[i];
        if (!r->emphasis)
            continue;
        ui_text_style ls = {
            type_px(u, fitted(u, THEME_ROW_LABEL_PX)), true, THEME_TEXT, UI_ALIGN_LEFT, w / 2, 1};
        ui_text_style vs = {figure_value_px(u, r), true, THEME_FIGURE, UI_ALIGN_RIGHT, 0, 1};
        int lw, lh, vw, vh;
        ui_text_measure(u->text, r->label, &ls, &lw, &lh);
        ui_text_measure(u->text, r->value, &vs, &vw, &vh);
        if (lw + vw > w - 4 * pad)
            return false;
    }
    return true;
}

static void draw_coded_result(ui *u, const kiosk_frame *f, const kiosk_view *v);

static void draw_result(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    if (v->code[0]) { /* a queue number: its own layout, the number first */
        draw_coded_result(u, f, v);
        return;
    }
    draw_bar(u, f, v);
    int margin = px(u, THEME_MARGIN);
    int bottom_reserved = target_px(u, THEME_TARGET_MIN) + px(u, 60);
    u->banner_floor = u->result_han_px;
    int top = draw_banner(u, v, v->headline, result_headline_size(u, v, bottom_reserved),
                          THEME_BANNER_H, true, UI_ALIGN_CENTER) +
              px(u, 40);
    u->banner_floor = 0;
    size_t figures = clamp_count(v->figure_count, KIOSK_VIEW_FIGURES);
    /* On a landscape screen the figures stand beside the words (three short lines at most); the
     * words take 52 % of the width, or 40 % when the amount to pay would not fit at its size
     * beside them (a 1280-pixel screen); failing that the figures go below the words. */
    int words_pct = 52;
    if (!amount_fits(u, v, u->w - 3 * margin - (u->w - 3 * margin) * words_pct / 100))
        words_pct = 40;
    /* On a short screen the figures beside the words reach down past the navigation row's top:
     * then the row's buttons are only as wide as their labels and the words' column at least
     * as wide as the row. */
    int col_w = (u->w - 3 * margin) * words_pct / 100;
    int nav_top = u->h - target_px(u, THEME_TARGET_MIN) - px(u, 40);
    if (u->landscape && figures > 0 &&
        top + figures_height(u, v, u->w - 3 * margin - col_w) > nav_top &&
        margin + nav_row_w(u, v) + margin / 2 > 2 * margin + col_w) {
        u->compact_nav = true;
        if (col_w < nav_row_w(u, v))
            col_w = nav_row_w(u, v);
    }
    bool two_columns = u->landscape && figures > 0 && amount_fits(u, v, u->w - 3 * margin - col_w);
    bool figures_last = !two_columns && v->tone != KIOSK_TONE_SUCCESS;
    if (!two_columns)
        col_w = u->w - 2 * margin;
    int limit = u->h - bottom_reserved;
    int figures_x = two_columns ? margin * 2 + col_w : margin;
    int figures_w = u->w - figures_x - margin;
    fit_result(u, v, top, limit, col_w, figures_w, two_columns, !two_columns && !figures_last);
    int y = top;
    y += text(u, v->name, fitted(u, THEME_NAME_PX), true, THEME_TEXT, UI_ALIGN_LEFT, margin, y,
              col_w, 1);
    y += text(u, v->subline, fitted(u, THEME_SUBLINE_PX), false, THEME_TEXT_MUTED, UI_ALIGN_LEFT,
              margin, y, col_w, 1);
    if (v->name[0] || v->subline[0])
        y += px(u, 24);
    if (two_columns) {
        int row_top = u->h - target_px(u, THEME_TARGET_MIN) - px(u, 40) - target_gap(u);
        bool no_words = !v->name[0] && !v->subline[0] && !v->message[0] && !v->advice[0];
        if (no_words && action_count(v) > 0 && top + figures_height(u, v, figures_w) > row_top) {
            u->actions_box.x = margin;
            u->actions_box.top = top;
            u->actions_box.w = col_w;
            u->actions_box.bottom = row_top;
            if (!actions_in_box(u, v, false))
                u->actions_box.w = 0;
        }
        int panel_bottom = top + draw_figures(u, v, figures_x, top, figures_w);
        if (panel_bottom > u->h - target_px(u, THEME_TARGET_MIN) - px(u, 40))
            u->bottom_words_right = figures_x - margin;
    } else if (!figures_last) {
        y += draw_figures(u, v, figures_x, y, figures_w);
        y += px(u, 24);
    }
    /* The words share what is left above the bottom buttons: the advice (what to do) keeps at
     * least one line; the text engine shrinks a line that would not fit. */
    int line_h = type_px(u, THEME_BODY_PX) * 3 / 2;
    int figures_h = figures_last ? figures_height(u, v, figures_w) + px(u, 16) : 0;
    int lines_left = (limit - figures_h - y) / line_h;
    if (figures_h && lines_left < (v->message[0] ? 3 : 1)) {
        /* No room for the panel even for one line of advice (a short landscape screen). */
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
        draw_figures(u, v, figures_x, y + px(u, 16), figures_w);
    draw_bottom(u, f, v);
    u->bottom_words_right = 0;
    u->actions_box.w = 0;
    u->compact_nav = false;
    u->result_pct = 100; /* the figures of other layouts are not fitted */
}

/* Rows [first, last) of a table with its header, in the box (x, y, w); returns the height. */
static int draw_table_part(ui *u, const kiosk_table *t, size_t first, size_t last, int x, int y,
                           int w, int row_h, int type)
{
    int cols_x[KIOSK_TABLE_COLUMNS];
    cols_x[0] = x;
    cols_x[1] = x + w * 56 / 100; /* right edges of the figure columns */
    cols_x[2] = x + w * 78 / 100;
    cols_x[3] = x + w;
    int y0 = y;
    for (long r = -1; r < (long)(last - first); r++) {
        const size_t row = first + (size_t)(r < 0 ? 0 : r);
        if (r >= 0 && row % 2 == 0)
            fill_rect(u, x - px(u, 10), y, w + px(u, 20), row_h, THEME_PANEL_BG);
        for (int c = 0; c < KIOSK_TABLE_COLUMNS; c++) {
            ui_text_style st = {type,
                                r < 0 || row == 0,
                                r < 0 ? THEME_TEXT_MUTED : THEME_TEXT,
                                c == 0 ? UI_ALIGN_LEFT : UI_ALIGN_RIGHT,
                                c == 0 ? w * 50 / 100 : w / 5,
                                1};
            int tw, th;
            const char *cell = r < 0 ? t->head[c] : t->cells[row][c];
            ui_text_measure(u->text, cell, &st, &tw, &th);
            draw_text(u, cell, &st, cols_x[c], y + (row_h - th) / 2);
        }
        y += row_h;
    }
    return y - y0;
}

/* A staff table. Its type stays at the readable size; when the rows do not fit one below the
 * other, a landscape screen shows them in two halves side by side, and only then are the rows
 * packed closer (never the type made smaller). */
static void draw_table(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw_bar(u, f, v);
    int margin = px(u, THEME_MARGIN);
    const kiosk_table *t = &v->table;
    int top = draw_banner(u, v, t->title, 80, 150, false, UI_ALIGN_LEFT);
    int y = top + px(u, 20);
    int bottom = u->h - target_px(u, THEME_TARGET_MIN) - px(u, 50);
    size_t row_count = clamp_count(t->row_count, KIOSK_TABLE_ROWS);
    int type = type_px(u, THEME_TABLE_PX);
    int row_h = type * 3 / 2;
    int space = bottom - y;
    bool halves = u->landscape && (int)(row_count + 1) * row_h > space;
    size_t per_column = halves ? (row_count + 1) / 2 : row_count;
    if ((int)(per_column + 1) * row_h > space)
        row_h = space / (int)(per_column + 1);
    if (row_h < type * 6 / 5)
        row_h = type * 6 / 5;
    int table_w = u->w - 2 * margin;
    if (!halves) {
        draw_table_part(u, t, 0, row_count, margin, y, table_w, row_h, type);
    } else {
        int half_w = (table_w - 2 * margin) / 2;
        draw_table_part(u, t, 0, per_column, margin, y, half_w, row_h, type);
        draw_table_part(u, t, per_column, row_count, margin * 3 + half_w, y, half_w, row_h, type);
    }
    draw_bottom(u, f, v);
}

/* A key of the keypad: large digits on the light panel colour, dark text. */
static void key(ui *u, const char *id, const char *label, int x, int y, int w, int h, bool dark)
{
    /* A dark edge around the light keys so each reads as a separate target. */
    fill_round_rect(u, x, y, w, h, px(u, THEME_RADIUS), dark ? THEME_BUTTON_BG : THEME_CARD_EDGE);
    if (!dark)
        fill_round_rect(u, x + 3, y + 3, w - 6, h - 6, px(u, THEME_RADIUS) - 3, THEME_PANEL_BG);
    ui_text_style st = {type_px(u, THEME_KEY_PX), true,          dark ? THEME_ON_DARK : THEME_TEXT,
                        UI_ALIGN_CENTER,          w - px(u, 10), 1};
    int tw, th;
    ui_text_measure(u->text, label, &st, &tw, &th);
    ui_text_draw(u->text, label, &st, x + w / 2, y + (h - th) / 2);
    add_widget(u, id, (SDL_Rect){x, y, w, h});
}

/* What was typed, in a light box the width of the keypad; returns the box's height. */
static int draw_keypad_value(ui *u, const kiosk_keypad *k, int x, int y, int w)
{
    int value_h = type_px(u, THEME_KEY_PX) * 3 / 2;
    fill_round_rect(u, x, y, w, value_h, px(u, THEME_RADIUS), THEME_PANEL_BG);
    fill_rect(u, x + px(u, 20), y + value_h - 4, w - px(u, 40), 3, THEME_CARD_EDGE);
    ui_text_style st = {type_px(u, THEME_KEY_PX), true,          THEME_FIGURE,
                        UI_ALIGN_CENTER,          w - px(u, 40), 1};
    int tw, th;
    ui_text_measure(u->text, k->value, &st, &tw, &th);
    draw_text(u, k->value, &st, x + w / 2, y + (value_h - th) / 2);
    return value_h;
}

/* The keys in a 3 x 4 grid (1-9, backspace, 0, confirm) filling the box. */
static void draw_keypad_keys(ui *u, const kiosk_keypad *k, int x, int y, int w, int h)
{
    int gap = target_gap(u);
    int kw = (w - 2 * gap) / 3, kh = (h - 3 * gap) / 4;
    static const char *const ids[12] = {"key1", "key2", "key3", "key4",      "key5", "key6",
                                        "key7", "key8", "key9", "backspace", "key0", "confirm"};
    for (int i = 0; i < 12; i++) {
        const char *label = ids[i] + 3; /* "keyN" -> "N" */
        if (i == 9)
            label = k->backspace_label;
        else if (i == 11)
            label = k->confirm_label;
        key(u, ids[i], label, x + (i % 3) * (kw + gap), y + (i / 3) * (kh + gap), kw, kh, i == 11);
    }
}

/* The choices: a grid of large buttons (every role but nav and bar) in the box. */
static void draw_choices(ui *u, const kiosk_view *v, int x, int y, int w, int bottom)
{
    size_t buttons = clamp_count(v->button_count, KIOSK_VIEW_BUTTONS), choices = 0;
    for (size_t i = 0; i < buttons; i++)
        choices += v->buttons[i].role != KIOSK_ROLE_NAV && v->buttons[i].role != KIOSK_ROLE_BAR;
    if (choices == 0 || y >= bottom)
        return;
    int cols = u->landscape ? 3 : 2;
    int rows = (int)(choices + (size_t)cols - 1) / cols;
    int gap = target_gap(u);
    int cw = (w - (cols - 1) * gap) / cols;
    int ch = (bottom - y - (rows - 1) * gap) / rows;
    int max_h = target_px(u, 200);
    ch = ch > max_h ? max_h : ch;
    ch = ch < target_px(u, THEME_TARGET_MIN) ? target_px(u, THEME_TARGET_MIN) : ch;
    size_t n = 0;
    for (size_t i = 0; i < buttons; i++) {
        const kiosk_button *b = &v->buttons[i];
        if (b->role == KIOSK_ROLE_NAV || b->role == KIOSK_ROLE_BAR)
            continue;
        int c = (int)(n % (size_t)cols), r = (int)(n / (size_t)cols);
        button_styled(u, b, x + c * (cw + gap), y + r * (ch + gap), cw, ch);
        n++;
    }
}

/* A question. In landscape with a keypad, the words and what was typed stand on the left and
 * the keys fill the right half from the title bar down, so every key keeps its touch size on a
 * short screen. Otherwise the headline is in a banner, the words below it, then the keypad or a
 * grid of choices. */
static void draw_form(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw_bar(u, f, v);
    int margin = px(u, THEME_MARGIN);
    int nav_h = target_px(u, THEME_TARGET_MIN);
    int nav_y = u->h - nav_h - px(u, 40);
    int keys_left = u->w - margin; /* the countdown stops before the keypad beside it */
    if (v->keypad.shown && u->landscape) {
        int col_w = (u->w - 3 * margin) * 45 / 100;
        int y = bar_height(u) + px(u, 30);
        y += text(u, v->headline, THEME_FORM_HEADLINE_PX, true, THEME_TEXT, UI_ALIGN_LEFT, margin,
                  y, col_w, 2);
        y += px(u, 16);
        /* What was typed must show, and the advice (what to do, or the time warning): the
         * message is left out when all three would run down into the navigation row (a
         * longer headline in English takes two lines; the Chinese one fits). */
        int value_h = type_px(u, THEME_KEY_PX) * 3 / 2;
        if (y + text_height(u, v->message, THEME_BODY_PX, false, col_w, 3) +
                text_height(u, v->advice, THEME_BODY_PX, true, col_w, 2) + px(u, 24) + value_h <
            nav_y)
            y += text(u, v->message, THEME_BODY_PX, false, THEME_TEXT, UI_ALIGN_LEFT, margin, y,
                      col_w, 3);
        y +=
            text(u, v->advice, THEME_BODY_PX, true, THEME_TEXT, UI_ALIGN_LEFT, margin, y, col_w, 2);
        y += px(u, 24);
        if (y + value_h < nav_y)
            draw_keypad_value(u, &v->keypad, margin, y, col_w);
        int kx = 2 * margin + col_w, ky = bar_height(u) + px(u, 30);
        /* The keys reach down beside the navigation row: when its buttons (English: Back, More
         * time) would come within 8 mm of them, the buttons are only as wide as their labels,
         * and failing that the keys move right (narrower) to keep the 8 mm. */
        if (margin + nav_row_w(u, v) + target_gap(u) > kx)
            u->compact_nav = true;
        if (margin + nav_row_w(u, v) + target_gap(u) > kx)
            kx = margin + nav_row_w(u, v) + target_gap(u);
        keys_left = kx;
        draw_keypad_keys(u, &v->keypad, kx, ky, u->w - kx - margin, u->h - margin / 2 - ky);
    } else {
        int y = draw_banner(u, v, v->headline, THEME_FORM_HEADLINE_PX, THEME_FORM_BANNER_H, false,
                            UI_ALIGN_CENTER) +
                px(u, 24);
        int words_w = u->w - 2 * margin;
        y += text(u, v->message, THEME_BODY_PX, false, THEME_TEXT, UI_ALIGN_LEFT, margin, y,
                  words_w, 3);
        y += text(u, v->advice, THEME_BODY_PX, true, THEME_TEXT, UI_ALIGN_LEFT, margin, y, words_w,
                  2);
        y += px(u, 24);
        int bottom = nav_y - target_gap(u);
        if (v->keypad.shown) {
            y += draw_keypad_value(u, &v->keypad, margin, y, words_w) + px(u, 24);
            draw_keypad_keys(u, &v->keypad, margin, y, words_w, bottom - y);
        } else {
            draw_choices(u, v, margin, y, words_w, bottom);
        }
    }
    int x = draw_nav(u, v, nav_y);
    draw_countdown(u, v, x, keys_left - target_gap(u), nav_y, nav_h);
    u->compact_nav = false;
}

/* --- the marriage hall: a result with a queue number, the now-serving board -------------- */

/* The panel with the code (a queue number) very large under its label; returns its height. In
 * the box (x, y, w) at most max_h high: the number comes down in steps rather than run over. */
static int draw_code_panel(ui *u, const kiosk_view *v, int x, int y, int w, int max_h)
{
    int pad = px(u, 30);
    ui_text_style ls = {
        type_px(u, THEME_ROW_LABEL_PX), true, THEME_TEXT, UI_ALIGN_CENTER, w - 2 * pad, 1};
    int lw, lh, cw, ch;
    ui_text_measure(u->text, v->code_label, &ls, &lw, &lh);
    int size = THEME_CODE_PX;
    ui_text_style cs = {type_px(u, size), true, THEME_FIGURE, UI_ALIGN_CENTER, w - 2 * pad, 1};
    ui_text_measure(u->text, v->code, &cs, &cw, &ch);
    while (size > THEME_ROW_EMPHASIS_PX && lh + ch + 2 * pad > max_h) {
        size -= 20;
        cs.size_px = type_px(u, size);
        ui_text_measure(u->text, v->code, &cs, &cw, &ch);
    }
    int total = lh + ch + 2 * pad;
    fill_round_rect(u, x, y, w, total, px(u, THEME_RADIUS), THEME_PANEL_BG);
    u->in_panel = -1;
    if (u->panel_count < PANELS_MAX) {
        u->in_panel = (int)u->panel_count;
        u->panels[u->panel_count++] = (SDL_Rect){x, y, w, total};
    }
    draw_text(u, v->code_label, &ls, x + w / 2, y + pad);
    draw_text(u, v->code, &cs, x + w / 2, y + pad + lh);
    u->in_panel = -1;
    return total;
}

/* The height of the words of a coded result (names, service, message, advice) at pct % of their
 * theme sizes. */
static int coded_words_height(ui *u, const kiosk_view *v, int w, int pct)
{
    int total = 0, tw, th;
    const struct {
        const char *s;
        int size;
        bool bold;
        int lines;
    } rows[] = {{v->name, THEME_NAME_PX, true, 1},
                {v->subline, THEME_SUBLINE_PX, false, 1},
                {v->message, THEME_BODY_PX, false, 2},
                {v->advice, THEME_BODY_PX, true, 2}};
    for (size_t i = 0; i < 4; i++) {
        if (!rows[i].s[0])
            continue;
        ui_text_style st = {type_px(u, rows[i].size * pct / 100),
                            rows[i].bold,
                            THEME_TEXT,
                            UI_ALIGN_LEFT,
                            w,
                            rows[i].lines};
        ui_text_measure(u->text, rows[i].s, &st, &tw, &th);
        total += th + px(u, 12);
    }
    return total;
}

/* A result whose point is a code (the queue number of a ticket): the banner, the number in a
 * panel of its own as large as the screen allows (right half in landscape, under the banner in
 * portrait), then who, what and where to go, the buttons at the bottom. */
static void draw_coded_result(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw_bar(u, f, v);
    int margin = px(u, THEME_MARGIN);
    int bottom = u->h - target_px(u, THEME_TARGET_MIN) - px(u, 60);
    int top =
        draw_banner(u, v, v->headline, THEME_HEADLINE_PX, THEME_BANNER_H, true, UI_ALIGN_CENTER) +
        px(u, 30);
    int words_x = margin, words_w = u->w - 2 * margin, y = top;
    if (u->landscape) {
        int panel_w = (u->w - 3 * margin) * 45 / 100;
        words_w = u->w - 3 * margin - panel_w;
        draw_code_panel(u, v, u->w - margin - panel_w, top, panel_w, bottom - top);
    } else {
        /* The number takes what the words leave, and never more than half the height. */
        int words = coded_words_height(u, v, words_w, 100);
        int room = bottom - top - words - px(u, 30);
        int half = (bottom - top) / 2;
        y += draw_code_panel(u, v, margin, top, words_w, room < half ? half : room) + px(u, 30);
    }
    int pct = 100;
    while (pct > 60 && y + coded_words_height(u, v, words_w, pct) > bottom)
        pct -= 5;
    y += text(u, v->name, THEME_NAME_PX * pct / 100, true, THEME_TEXT, UI_ALIGN_LEFT, words_x, y,
              words_w, 1) +
         px(u, 12);
    y += text(u, v->subline, THEME_SUBLINE_PX * pct / 100, false, THEME_TEXT_MUTED, UI_ALIGN_LEFT,
              words_x, y, words_w, 1) +
         px(u, 12);
    y += text(u, v->message, THEME_BODY_PX * pct / 100, false, THEME_TEXT, UI_ALIGN_LEFT, words_x,
              y, words_w, 2) +
         px(u, 12);
    text(u, v->advice, THEME_BODY_PX * pct / 100, true, THEME_TEXT, UI_ALIGN_LEFT, words_x, y,
         words_w, 2);
    draw_bottom(u, f, v);
}

/* The board's last calls: a title, then one row per call (number, counter, service) as large
 * as fits; returns the height used. */
static int draw_board_calls(ui *u, const kiosk_view *v, int x, int y, int w, int bottom)
{
    const kiosk_table *t = &v->table;
    int y0 = y;
    y += text(u, t->title, THEME_SUBLINE_PX, true, THEME_TEXT_MUTED, UI_ALIGN_LEFT, x, y, w, 1) +
         px(u, 10);
    int type = type_px(u, THEME_BOARD_ROW_PX);
    int row_h = type * 7 / 5;
    size_t rows = clamp_count(t->row_count, KIOSK_TABLE_ROWS);
    /* Each column as wide as its widest cell, a gap apart; the service (the last column) is left
     * out when the three do not fit: the number and the window are what a diner looks for. */
    int gap = px(u, 40), cols[3] = {0}, widths[3] = {0}, shown = 3;
    for (int c = 0; c < 3; c++) {
        for (size_t r = 0; r < rows; r++) {
            ui_text_style st = {c == 2 ? type_px(u, THEME_SUBLINE_PX) : type,
                                c == 0,
                                THEME_TEXT,
                                UI_ALIGN_LEFT,
                                0,
                                1};
            int tw, th;
            ui_text_measure(u->text, t->cells[r][c], &st, &tw, &th);
            widths[c] = tw > widths[c] ? tw : widths[c];
        }
        if (c > 0)
            cols[c] = cols[c - 1] + widths[c - 1] + gap;
    }
    if (cols[2] + widths[2] > w)
        shown = 2;
    for (size_t r = 0; r < rows && y + row_h <= bottom; r++) {
        if (r % 2 == 0)
            fill_rect(u, x - px(u, 10), y, w + px(u, 20), row_h, THEME_PANEL_BG);
        for (int c = 0; c < shown; c++) {
            ui_text_style st = {c == 2 ? type_px(u, THEME_SUBLINE_PX) : type,
                                c == 0,
                                THEME_TEXT,
                                UI_ALIGN_LEFT,
                                w - cols[c],
                                1};
            int tw, th;
            ui_text_measure(u->text, t->cells[r][c], &st, &tw, &th);
            draw_text(u, t->cells[r][c], &st, x + cols[c], y + (row_h - th) / 2);
        }
        y += row_h;
    }
    return y - y0;
}

/* How many wait: a panel with its title (the subline) and one row per service (the figures), or
 * the message when nobody waits. */
static void draw_board_waiting(ui *u, const kiosk_view *v, int x, int y, int w, int bottom)
{
    int pad = px(u, 30);
    size_t n = clamp_count(v->figure_count, KIOSK_VIEW_FIGURES);
    int title_h = type_px(u, THEME_SUBLINE_PX) * 3 / 2;
    int value_px = type_px(u, THEME_ROW_VALUE_PX);
    int row_h = value_px * 5 / 4;
    int rows = (int)(n ? n : 1);
    /* Every service that has people waiting is listed: the rows come closer and the counts
     * smaller (never below the label's size) before one is left out. */
    int room = bottom - y - 2 * pad - title_h;
    int least = type_px(u, THEME_ROW_LABEL_PX) * 6 / 5;
    if (rows * row_h > room) {
        row_h = room / rows < least ? least : room / rows;
        value_px = row_h * 4 / 5;
    }
    if (rows * row_h > room)
        rows = room / row_h;
    if (rows < 1)
        return;
    int total = 2 * pad + title_h + rows * row_h;
    fill_round_rect(u, x, y, w, total, px(u, THEME_RADIUS), THEME_PANEL_BG);
    u->in_panel = -1;
    if (u->panel_count < PANELS_MAX) {
        u->in_panel = (int)u->panel_count;
        u->panels[u->panel_count++] = (SDL_Rect){x, y, w, total};
    }
    int ry = y + pad;
    text(u, v->subline, THEME_SUBLINE_PX, true, THEME_TEXT_MUTED, UI_ALIGN_LEFT, x + pad, ry,
         w - 2 * pad, 1);
    ry += title_h;
    if (!n) {
        text(u, v->message, THEME_ROW_LABEL_PX, false, THEME_TEXT, UI_ALIGN_LEFT, x + pad, ry,
             w - 2 * pad, 1);
    }
    for (size_t i = 0; i < n && (int)i < rows; i++, ry += row_h) {
        const kiosk_figure *r = &v->figures[i];
        /* The count first, the label in what it leaves. */
        ui_text_style vs = {value_px, true, THEME_FIGURE, UI_ALIGN_RIGHT, w * 35 / 100, 1};
        int lw, lh, vw, vh;
        ui_text_measure(u->text, r->value, &vs, &vw, &vh);
        ui_text_style ls = {
            type_px(u, THEME_ROW_LABEL_PX), false, THEME_TEXT, UI_ALIGN_LEFT, w - 3 * pad - vw, 2};
        ui_text_measure(u->text, r->label, &ls, &lw, &lh);
        draw_text(u, r->label, &ls, x + pad, ry + (row_h - lh) / 2);
        draw_text(u, r->value, &vs, x + w - pad, ry + (row_h - vh) / 2);
    }
    u->in_panel = -1;
}

/* The now-serving board, read from across a hall: the call in a tall banner in the largest type
 * of any screen, the last calls and the waiting counts side by side (landscape) or one above the
 * other (portrait), the staff line small at the bottom. No buttons: it is a display. */
static void draw_board(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw_bar(u, f, v);
    int margin = px(u, THEME_MARGIN);
    int top = draw_banner(u, v, v->headline, THEME_BOARD_CALL_PX, 300, false, UI_ALIGN_CENTER) +
              px(u, 30);
    int status_h = 0;
    if (f->status_text[0]) {
        ui_text_style st = {type_px(u, THEME_COUNTDOWN_PX),
                            false,
                            THEME_TEXT_MUTED,
                            UI_ALIGN_RIGHT,
                            u->w - 2 * margin,
                            1};
        int tw, th;
        ui_text_measure(u->text, f->status_text, &st, &tw, &th);
        status_h = th + px(u, 20);
        draw_text(u, f->status_text, &st, u->w - margin, u->h - th - px(u, 10));
    }
    int bottom = u->h - px(u, 30) - status_h;
    if (u->landscape) {
        int left_w = (u->w - 3 * margin) * 58 / 100;
        draw_board_calls(u, v, margin, top, left_w, bottom);
        draw_board_waiting(u, v, 2 * margin + left_w, top, u->w - 3 * margin - left_w, bottom);
    } else {
        int waiting_h =
            2 * px(u, 30) + type_px(u, THEME_SUBLINE_PX) * 3 / 2 +
            (int)(v->figure_count ? clamp_count(v->figure_count, KIOSK_VIEW_FIGURES) : 1) *
                (type_px(u, THEME_ROW_VALUE_PX) * 5 / 4);
        draw_board_calls(u, v, margin, top, u->w - 2 * margin, bottom - waiting_h - px(u, 30));
        draw_board_waiting(u, v, margin, bottom - waiting_h, u->w - 2 * margin, bottom);
    }
}

static void draw(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    u->widget_count = 0;
    u->text_count = 0;
    u->panel_count = 0;
    u->in_panel = -1;
    u->drawn_headline_px = u->drawn_amount_px = 0;
    u->drawn_banner = u->drawn_amount = (SDL_Rect){0, 0, 0, 0};
    int han, digit;
    ui_text_smallest(u->text, &han, &digit, true);
    if (u->canvas)
        SDL_SetRenderTarget(u->renderer, u->canvas);
    layout_bar(u, f, v);
    set_color(u, THEME_PAGE_BG);
    SDL_RenderClear(u->renderer);
    switch (v->layout) {
    case KIOSK_LAYOUT_IDLE:
        draw_idle(u, f, v);
        break;
    case KIOSK_LAYOUT_RESULT:
        draw_result(u, f, v);
        break;
    case KIOSK_LAYOUT_TABLE:
        draw_table(u, f, v);
        break;
    case KIOSK_LAYOUT_FORM:
        draw_form(u, f, v);
        break;
    case KIOSK_LAYOUT_BOARD:
        draw_board(u, f, v);
        break;
    }
}

/* On a turned panel: the upright picture copied onto the panel, turned. */
static void compose(ui *u)
{
    if (!u->canvas)
        return;
    SDL_SetRenderTarget(u->renderer, NULL);
    SDL_SetRenderDrawColor(u->renderer, 0, 0, 0, 255);
    SDL_RenderClear(u->renderer);
    SDL_Rect dst = {(u->phys_w - u->w) / 2, (u->phys_h - u->h) / 2, u->w, u->h};
    SDL_RenderCopyEx(u->renderer, u->canvas, NULL, &dst, u->rotate, NULL, SDL_FLIP_NONE);
}

static void present_frame(ui *u)
{
    compose(u);
    SDL_RenderPresent(u->renderer);
}

void ui_render(ui *u, const kiosk_frame *f, const kiosk_view *v)
{
    draw(u, f, v);
    present_frame(u);
    if (v->voice.serial != u->spoken_serial) {
        u->spoken_serial = v->voice.serial;
        size_t clips = clamp_count(v->voice.count, KIOSK_VIEW_VOICE);
        if (u->voice && clips && v->voice.after)
            ui_voice_say_after(u->voice, v->voice.clips, clips);
        else if (u->voice && clips)
            ui_voice_say(u->voice, v->voice.clips, clips);
    }
}

void ui_click(ui *u)
{
    static const char *const key[] = {"key"};
    if (u->voice && ui_speech_left_ms(u) == 0)
        ui_voice_say(u->voice, key, 1);
}

kiosk_rc ui_save_png(ui *u, const kiosk_frame *f, const kiosk_view *v, const char *path, char *err,
                     size_t err_size)
{
    draw(u, f, v);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, u->w, u->h, 32, SDL_PIXELFORMAT_ARGB8888);
    kiosk_rc rc = KIOSK_OK;
    if (!s)
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory for the frame");
    else if (SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                  s->pitch) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot read the frame: %s", SDL_GetError());
    else if (IMG_SavePNG(s, path) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot write %s: %s", path, IMG_GetError());
    SDL_FreeSurface(s);
    present_frame(u);
    return rc;
}

kiosk_rc ui_save_screen_png(ui *u, const kiosk_frame *f, const kiosk_view *v, const char *path,
                            char *err, size_t err_size)
{
    draw(u, f, v);
    compose(u);
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, u->phys_w, u->phys_h, 32, SDL_PIXELFORMAT_ARGB8888);
    kiosk_rc rc = KIOSK_OK;
    if (!s)
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory for the frame");
    else if (SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
                                  s->pitch) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot read the panel: %s", SDL_GetError());
    else if (IMG_SavePNG(s, path) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot write %s: %s", path, IMG_GetError());
    SDL_FreeSurface(s);
    SDL_RenderPresent(u->renderer);
    return rc;
}

void ui_touch_point(const ui *u, int px, int py, int *x, int *y)
{
    ui_display_to_logical(u->rotate, u->phys_w, u->phys_h, px, py, x, y);
}

void ui_touch_finger(const ui *u, float fx, float fy, int *x, int *y)
{
    ui_touch_point(u, (int)(fx * (float)u->phys_w), (int)(fy * (float)u->phys_h), x, y);
}

/* Two boxes overlap when they share an area (touching edges do not count). */
static bool boxes_overlap(const SDL_Rect *a, const SDL_Rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

size_t ui_overlaps(const ui *u, char *what, size_t size)
{
    size_t n = 0;
    if (size)
        what[0] = '\0';
#define FIRST(...)                             \
    do {                                       \
        if (!n++ && size)                      \
            snprintf(what, size, __VA_ARGS__); \
    } while (0)
    for (size_t i = 0; i < u->text_count; i++) {
        const SDL_Rect *t = &u->texts[i].box;
        for (size_t k = 0; k < u->widget_count; k++)
            if (boxes_overlap(t, &u->widgets[k].rect))
                FIRST("text %zu at (%d,%d %dx%d) under button %s", i, t->x, t->y, t->w, t->h,
                      u->widgets[k].id);
        for (size_t k = i + 1; k < u->text_count; k++)
            if (boxes_overlap(t, &u->texts[k].box))
                FIRST("texts %zu (%d,%d %dx%d) and %zu (%d,%d %dx%d) overlap", i, t->x, t->y, t->w,
                      t->h, k, u->texts[k].box.x, u->texts[k].box.y, u->texts[k].box.w,
                      u->texts[k].box.h);
        for (size_t k = 0; k < u->panel_count; k++)
            if ((int)k != u->texts[i].panel && boxes_overlap(t, &u->panels[k]))
                FIRST("text %zu at (%d,%d %dx%d) runs into the figures", i, t->x, t->y, t->w, t->h);
        if (t->x < 0 || t->y < 0 || t->x + t->w > u->w || t->y + t->h > u->h)
            FIRST("text %zu at (%d,%d %dx%d) leaves the screen", i, t->x, t->y, t->w, t->h);
    }
    for (size_t k = 0; k < u->panel_count; k++)
        for (size_t b = 0; b < u->widget_count; b++)
            if (boxes_overlap(&u->panels[k], &u->widgets[b].rect))
                FIRST("the figures run under button %s", u->widgets[b].id);
#undef FIRST
    return n;
}
