/* app.c - the main loop. It sleeps until the next deadline (a screen's timeout, the clock's next
 * minute, a sim `wait`) or an event, so an idle kiosk uses no CPU. */
#define _POSIX_C_SOURCE 200809L
#include "app.h"

#include <SDL.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "canteen.h"
#include "clock.h"
#include "events_log.h"
#include "inbox.h"
#include "log.h"
#include "reader.h"
#include "simcmd.h"
#include "ui.h"
#define KIOSK_LOG_MODULE "app"

#define INBOX_CAPACITY 256
/* Video drivers without a real "wait for input" (offscreen, KMSDRM) have their input pumped at
 * this interval instead of SDL's 1 ms polling; offscreen has no input at all. */
#define INPUT_PUMP_MS 20

typedef struct app {
    const kiosk_config *cfg;
    kiosk_inbox *inbox;
    Uint32 wake_type;
    unsigned long sim_line;
} app;

static void wake_main_loop(void *user)
{
    app *a = user;
    SDL_Event e = {.type = a->wake_type};
    SDL_PushEvent(&e);
}

/* Runs on the reader's thread: turns a reading into an inbox event. */
static void on_reading(void *user, const drv_reading *r)
{
    app *a = user;
    kiosk_event ev;
    memset(&ev, 0, sizeof ev);
    switch (r->kind) {
    case DRV_READING_LINE: {
        a->sim_line++;
        char err[160];
        kiosk_rc rc = kiosk_simcmd_parse(r->text, &ev, err, sizeof err);
        if (rc == KIOSK_ERR_NOT_FOUND)
            return;
        if (rc != KIOSK_OK) {
            KLOG_WARN("sim line %lu ignored: %s", a->sim_line, err);
            return;
        }
        break;
    }
    case DRV_READING_CARD:
        ev.kind = KIOSK_EV_CARD;
        ev.u.card.uid_len = r->uid_len > KIOSK_UID_MAX ? KIOSK_UID_MAX : r->uid_len;
        memcpy(ev.u.card.uid, r->uid, ev.u.card.uid_len);
        break;
    case DRV_READING_END:
        ev.kind = KIOSK_EV_QUIT;
        break;
    case DRV_READING_FAULT:
        ev.kind = KIOSK_EV_READER_DOWN;
        snprintf(ev.u.reason, sizeof ev.u.reason, "%s", r->text ? r->text : "reader fault");
        break;
    }
    if (kiosk_inbox_push(a->inbox, &ev) != KIOSK_OK)
        KLOG_DEBUG("inbox closed; reading dropped at shutdown");
}

static void save_shot(ui *u, const kiosk_view *v, const char *path)
{
    char err[256];
    if (ui_save_png(u, v, path, err, sizeof err) != 0)
        KLOG_ERROR("screenshot failed: %s", err);
    else
        KLOG_INFO("screenshot written to %s", path);
}

/* What the main loop last put on the screen, and which screen it last saved as PNG. */
typedef struct presenter {
    kiosk_view shown;
    bool force;
    const char *shot_dir; /* headless screenshot directory, NULL when off */
    int shot_screen;      /* -1 before the first */
    unsigned shot_serial, shots;
} presenter;

/* Draws v when it differs from the last frame; when headless with a screenshot directory, saves
 * every new screen (a new screen kind or a new result, not a countdown tick) as a PNG. */
static void present(presenter *p, ui *u, kiosk_view *v)
{
    kiosk_view_set_clock(v, kiosk_clock_now_ms());
    if (!p->force && memcmp(v, &p->shown, sizeof p->shown) == 0)
        return;
    ui_render(u, v);
    p->shown = *v;
    p->force = false;
    if (p->shot_dir && ((int)v->screen != p->shot_screen || v->voice_serial != p->shot_serial)) {
        char path[KIOSK_CONFIG_STR + 32];
        snprintf(path, sizeof path, "%s/%04u-%s.png", p->shot_dir, ++p->shots,
                 v->screen == KIOSK_SCREEN_IDLE       ? "idle"
                 : v->screen == KIOSK_SCREEN_DAY_VIEW ? "dayview"
                                                      : "result");
        save_shot(u, v, path);
        p->shot_screen = (int)v->screen;
        p->shot_serial = v->voice_serial;
    }
}

/* A press is honoured only for a widget the last frame actually showed. */
static void press(kiosk_canteen *c, ui *u, const char *widget)
{
    int x, y, w, h;
    if (!ui_widget_rect(u, widget, &x, &y, &w, &h)) {
        KLOG_WARN("press %s: no such button on this screen", widget);
        return;
    }
    kiosk_canteen_on_press(c, widget, kiosk_clock_now_ms(), kiosk_clock_mono_ms());
}

static void touch(kiosk_canteen *c, ui *u, int x, int y)
{
    const char *widget = ui_widget_at(u, x, y);
    if (widget)
        kiosk_canteen_on_press(c, widget, kiosk_clock_now_ms(), kiosk_clock_mono_ms());
}

/* Handles one inbox event; returns false to stop. Sets *wait_until for a sim `wait`. */
static bool handle(const kiosk_event *ev, kiosk_canteen *c, ui *u, int64_t *wait_until)
{
    int64_t mono = kiosk_clock_mono_ms();
    switch (ev->kind) {
    case KIOSK_EV_CARD:
        kiosk_canteen_on_card(c, ev->u.card.uid, ev->u.card.uid_len, kiosk_clock_now_ms(), mono);
        break;
    case KIOSK_EV_IDCARD:
        kiosk_canteen_on_id_number(c, ev->u.idcard.number, kiosk_clock_now_ms(), mono);
        break;
    case KIOSK_EV_PRESS:
        press(c, u, ev->u.widget);
        break;
    case KIOSK_EV_TOUCH:
        touch(c, u, ev->u.touch.x, ev->u.touch.y);
        break;
    case KIOSK_EV_TIME:
        kiosk_clock_set_ms(ev->u.time_utc_ms);
        break;
    case KIOSK_EV_SHOT:
        kiosk_view_set_clock(kiosk_canteen_view(c), kiosk_clock_now_ms());
        save_shot(u, kiosk_canteen_view(c), ev->u.path);
        break;
    case KIOSK_EV_WAIT:
        *wait_until = mono + ev->u.wait_ms;
        break;
    case KIOSK_EV_QUIT:
        return false;
    case KIOSK_EV_READER_DOWN:
        KLOG_ERROR("reader: %s", ev->u.reason);
        break;
    }
    return true;
}

/* Window events: quit, touches (mouse or finger), exposure. Returns false on quit. */
static bool handle_sdl(const SDL_Event *e, kiosk_canteen *c, ui *u, bool *force_draw)
{
    if (e->type == SDL_QUIT)
        return false;
    if (e->type == SDL_MOUSEBUTTONUP && e->button.which != SDL_TOUCH_MOUSEID) {
        touch(c, u, e->button.x, e->button.y);
    } else if (e->type == SDL_FINGERUP) {
        int w, h;
        ui_size(u, &w, &h);
        touch(c, u, (int)(e->tfinger.x * (float)w), (int)(e->tfinger.y * (float)h));
    } else if (e->type == SDL_WINDOWEVENT) {
        *force_draw = true;
    }
    return true;
}

static bool driver_can_wait(void)
{
    const char *driver = SDL_GetCurrentVideoDriver();
    return driver && (strcmp(driver, "x11") == 0 || strcmp(driver, "wayland") == 0);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static ui *open_ui(const kiosk_config *cfg, bool *headless)
{
    ui_options opts = {
        .width = cfg->width,
        .height = cfg->height,
        .headless = cfg->headless,
        .font_dir = cfg->font_dir,
        .reader_position = cfg->reader_position,
        .voice_enabled = cfg->voice_enabled,
        .voice_dir = cfg->voice_dir,
        .volume = cfg->volume,
    };
    char err[300];
    bool no_display = false;
    *headless = cfg->headless;
    ui *u = ui_new(&opts, &no_display, err, sizeof err);
    if (!u && no_display && !cfg->headless) {
        KLOG_WARN("no display could be opened (%s); running headless%s%s", err,
                  cfg->screenshot_dir[0] ? ", screenshots in " : "",
                  cfg->screenshot_dir[0] ? cfg->screenshot_dir : "");
        opts.headless = true;
        *headless = true;
        u = ui_new(&opts, &no_display, err, sizeof err);
    }
    if (!u)
        KLOG_ERROR("cannot start the screen: %s", err);
    return u;
}

int kiosk_app_run(const kiosk_config *cfg, kiosk_store *store, const char *staff_notice)
{
    int status = 1;
    app a = {.cfg = cfg};
    kiosk_policy_set *policies = NULL;
    kiosk_events_log *events = NULL;
    kiosk_canteen *canteen = NULL;
    drv_reader *reader = NULL;
    bool headless = false;
    ui *u = NULL;

    if (kiosk_store_load_policies(store, &policies) != KIOSK_OK) {
        KLOG_ERROR("cannot load the subsidy policies: %s", kiosk_store_errmsg(store));
        goto out;
    }
    if (kiosk_events_log_open(cfg->events, &events) != KIOSK_OK)
        goto out;
    kiosk_canteen_options opts = {.result_seconds = cfg->result_seconds,
                                  .repeat_tap_seconds = cfg->repeat_tap_seconds,
                                  .site = cfg->site};
    snprintf(opts.kiosk_id, sizeof opts.kiosk_id, "%s", cfg->kiosk_id);
    snprintf(opts.site_name, sizeof opts.site_name, "%s", cfg->site_name);
    canteen = kiosk_canteen_new(&opts, store, policies, events);
    if (!canteen)
        goto out;
    if (staff_notice)
        kiosk_canteen_set_status(canteen, staff_notice);
    u = open_ui(cfg, &headless);
    if (!u)
        goto out;
    a.wake_type = SDL_RegisterEvents(1);
    if (a.wake_type == (Uint32)-1) {
        KLOG_ERROR("SDL has no user event types left");
        goto out;
    }
    a.inbox = kiosk_inbox_new(INBOX_CAPACITY, wake_main_loop, &a);
    if (!a.inbox)
        goto out;
    char err[300];
    reader = drv_reader_open(cfg->reader, on_reading, &a, err, sizeof err);
    if (!reader) {
        KLOG_ERROR("cannot start the card reader: %s", err);
        goto out;
    }
    if (cfg->screenshot_dir[0])
        mkdir(cfg->screenshot_dir, 0755);

    const bool sdl_waits = !headless && driver_can_wait();
    const bool sdl_input = !headless;
    static presenter pr; /* static: a kiosk_view is large for the stack */
    memset(&pr, 0, sizeof pr);
    pr.force = true;
    pr.shot_screen = -1;
    kiosk_screen last_screen = KIOSK_SCREEN_IDLE;
    pr.shot_dir = headless && cfg->screenshot_dir[0] ? cfg->screenshot_dir : NULL;
    int64_t wait_until = 0;
    bool running = true;
    KLOG_INFO("kiosk %s ready (reader %s, %s)", cfg->kiosk_id, cfg->reader,
              headless ? "headless" : "on screen");
    while (running) {
        int64_t mono = kiosk_clock_mono_ms();
        if (mono >= wait_until) {
            kiosk_event ev;
            while (running && kiosk_inbox_pop(a.inbox, &ev)) {
                running = handle(&ev, canteen, u, &wait_until);
                if (ev.kind == KIOSK_EV_IDCARD) /* personal data: gone once handled */
                    sodium_memzero(&ev, sizeof ev);
                if (ev.kind == KIOSK_EV_WAIT)
                    break;
                /* Draw between events so every tap's result frame is presented. */
                present(&pr, u, kiosk_canteen_view(canteen));
            }
        }
        mono = kiosk_clock_mono_ms();
        kiosk_canteen_on_tick(canteen, mono);
        kiosk_view *view = kiosk_canteen_view(canteen);
        present(&pr, u, view);
        /* Back at idle: copy the WAL into the database now, so no diner's commit pays for it. */
        if (view->screen == KIOSK_SCREEN_IDLE && last_screen != KIOSK_SCREEN_IDLE &&
            kiosk_store_checkpoint(store) != KIOSK_OK)
            KLOG_WARN("idle checkpoint failed; SQLite will checkpoint on its own");
        last_screen = view->screen;
        if (!running)
            break;

        /* Sleep until the nearest deadline: the flow's, the next minute (clock), a `wait`. */
        int64_t now_utc = kiosk_clock_now_ms();
        int64_t deadline = mono + (60000 - now_utc % 60000);
        deadline = min64(deadline, kiosk_canteen_deadline(canteen));
        if (wait_until > mono)
            deadline = min64(deadline, wait_until);
        int64_t timeout = deadline - mono;
        if (timeout < 0)
            timeout = 0;
        if (timeout > INT_MAX)
            timeout = INT_MAX;
        bool inbox_ready = wait_until <= mono; /* a pending `wait` holds the inbox */
        SDL_Event e;
        if (sdl_waits) {
            if (SDL_WaitEventTimeout(&e, (int)timeout)) {
                do
                    running = handle_sdl(&e, canteen, u, &pr.force) && running;
                while (SDL_PollEvent(&e));
            }
        } else {
            if (sdl_input)
                timeout = min64(timeout, INPUT_PUMP_MS);
            if (inbox_ready)
                kiosk_inbox_wait(a.inbox, timeout);
            else
                SDL_Delay((Uint32)timeout);
            while (SDL_PollEvent(&e))
                running = handle_sdl(&e, canteen, u, &pr.force) && running;
        }
    }
    status = 0;
    KLOG_INFO("kiosk stopped");
out:
    if (a.inbox)
        kiosk_inbox_close(a.inbox);
    drv_reader_close(reader);
    kiosk_inbox_free(a.inbox);
    ui_free(u);
    kiosk_canteen_free(canteen);
    kiosk_events_log_close(events);
    kiosk_policy_set_free(policies);
    return status;
}
