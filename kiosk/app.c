/* app.c - the main loop. It sleeps until the next deadline (a flow's timeout, the clock's next
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

#include "clock.h"
#include "corner_hold.h"
#include "damage_check.h"
#include "database.h"
#include "device.h"
#include "events_log.h"
#include "frame.h"
#include "help_call.h"
#include "i18n.h"
#include "inbox.h"
#include "log.h"
#include "pacing.h"
#include "router.h"
#include "sdnotify.h"
#include "signals.h"
#include "simcmd.h"
#include "staff_store.h"
#include "sync.h"
#include "sync_state.h"
#include "ui.h"
#define KIOSK_LOG_MODULE "app"

#define INBOX_CAPACITY 256
/* Video drivers without a real "wait for input" (offscreen, KMSDRM) have their input pumped at
 * this interval instead of SDL's 1 ms polling; offscreen has no input at all. */
#define INPUT_PUMP_MS 20
/* The whole-file damage check starts this long after the first frame, out of the way of the
 * start's own reads. */
#define DAMAGE_CHECK_DELAY_MS 2000
/* After a recovery the next whole-file check is the daily one. */
#define DAMAGE_CHECK_REPEAT_MS (24 * 3600 * 1000)
/* The staff line while the database is being recovered. */
#define KIOSK_NOTICE_RECOVERING N_("本机数据损坏，正在修复")

typedef struct app app;

/* One configured device: what the driver's thread needs to post its readings. */
typedef struct device_slot {
    app *owner;
    kiosk_device_role role;
    drv_reader *reader;
    drv_printer *printer;
    kiosk_device_state state;
} device_slot;

/* What the main loop last put on the screen, and which screen it last saved as PNG. */
typedef struct presenter {
    kiosk_frame shown_frame;
    kiosk_view shown;
    bool force;
    const char *shot_dir; /* headless screenshot directory, NULL when off */
    char shot_screen[sizeof((kiosk_view *)0)->screen];
    unsigned shot_serial, shots;
    unsigned printed_serial; /* the last print intent handed to the printer */
    unsigned request_serial; /* the last request of a view carried out (request_if_asked) */
} presenter;

struct app {
    const kiosk_config *cfg;
    kiosk_inbox *inbox;
    Uint32 wake_type;
    unsigned long sim_line; /* read on the sim reader's thread only */
    device_slot devices[KIOSK_DEVICE_ROLE_COUNT];
    /* The same states, as the flows see them (kiosk_flow_env.devices: staff mode's status). */
    kiosk_device_state device_states[KIOSK_DEVICE_ROLE_COUNT];
    device_slot commands; /* --commands: sim lines beside the real devices */
    kiosk_router *router;
    ui *ui;
    kiosk_frame frame;
    const char *staff_notice;
    presenter pr;
    kiosk_pacing pacing;    /* the reading-time rules over every flow's screens (pacing.h) */
    int64_t help_called_ms; /* the open 呼叫工作人员 call shown on the staff line (0: none) */
    /* The last touch that counted (its target and when), and a touch whose answer is not drawn
     * yet (0: none): the events file gets the time from the touch to the frame that answers it. */
    char last_touch[KIOSK_WIDGET_ID_MAX];
    int64_t last_touch_ms, touch_pending_ms;
    kiosk_corner_hold corner; /* a long press in the corner asks for a staff card */
    /* A new voice cue drawn at speech_frame_ms with speech_left_ms queued (0: none pending): the
     * events file gets the ms until the audio device takes its first samples. */
    int64_t speech_frame_ms, speech_left_ms;
    char speech_screen[sizeof((kiosk_view *)0)->screen];
    int64_t wait_until;
    /* SIGTERM or SIGINT: stop at once, whatever is queued or waited for. */
    atomic_bool stop;
    kiosk_signals *signals;
    /* The database (owned; NULL while out of service), and what the flows are given. */
    kiosk_store *store;
    kiosk_policy_set *policies;
    kiosk_events_log *events;
    kiosk_flow_settings settings;
    kiosk_flow_sections sections;
    const char *mode; /* the base flow running: cfg->mode, or out of service */
    kiosk_damage_check *damage_check;
    /* systemd (sdnotify.h): the watchdog ping interval (0: no watchdog) and when the next ping
     * is due, pinged from this loop only so that a hung loop is restarted; the STATUS line. */
    int64_t watchdog_ms, watchdog_next;
    char status[160];
    long pending;     /* records not yet uploaded, counted at the last idle; -1: unknown */
    bool status_idle; /* what the STATUS line last said */
    /* The sync worker (NULL without [sync]), its latest status (the flows read it) and the
     * staff line's words for it. */
    kiosk_sync *sync;
    kiosk_sync_status sync_status;
    char sync_words[96];
    bool wake_sync; /* an event that may have committed a record was handled */
    /* The flows' INI sections as settings (the router's env points into these). */
    kiosk_setting setting_items[KIOSK_FLOW_SECTIONS][KIOSK_FLOW_SECTION_KEYS];
};

static void wake_main_loop(void *user)
{
    app *a = user;
    SDL_Event e = {.type = a->wake_type};
    SDL_PushEvent(&e);
}

/* Runs on a device's thread: turns a reading into an inbox event. */
static void on_reading(void *user, const drv_reading *r)
{
    device_slot *slot = user;
    app *a = slot->owner;
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
        ev.u.card = *r->card;
        if (ev.u.card.uid_len > KIOSK_UID_MAX)
            ev.u.card.uid_len = KIOSK_UID_MAX;
        break;
    case DRV_READING_CARD_REMOVED:
        ev.kind = KIOSK_EV_CARD_REMOVED;
        break;
    case DRV_READING_IDCARD:
        ev.kind = KIOSK_EV_IDCARD;
        ev.u.idcard = *r->idcard;
        break;
    case DRV_READING_IDCARD_ERROR:
        ev.kind = KIOSK_EV_IDCARD_ERROR;
        snprintf(ev.u.reason, sizeof ev.u.reason, "%s", r->text ? r->text : "");
        break;
    case DRV_READING_STATE:
        ev.kind = KIOSK_EV_DEVICE;
        ev.u.device.role = slot == &a->commands ? KIOSK_DEVICE_ROLE_COUNT : slot->role;
        ev.u.device.state = r->state;
        snprintf(ev.u.device.reason, sizeof ev.u.device.reason, "%s", r->text ? r->text : "");
        break;
    case DRV_READING_END:
        ev.kind = KIOSK_EV_QUIT;
        break;
    }
    if (kiosk_inbox_push(a->inbox, &ev) != KIOSK_OK)
        KLOG_DEBUG("inbox closed; reading dropped at shutdown");
    sodium_memzero(&ev, sizeof ev); /* an ID card's data leaves no copy on this stack */
}

/* --- devices ------------------------------------------------------------------------------ */

static drv_options device_options(const kiosk_device_config *d, drv_option *items)
{
    for (size_t i = 0; i < d->option_count; i++)
        items[i] = (drv_option){d->options[i].key, d->options[i].value};
    return (drv_options){items, d->option_count};
}

static bool open_devices(app *a)
{
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++) {
        device_slot *slot = &a->devices[role];
        const kiosk_device_config *d = &a->cfg->devices[role];
        slot->owner = a;
        slot->role = (kiosk_device_role)role;
        slot->state = KIOSK_DEVICE_ABSENT;
        a->device_states[role] = slot->state;
        if (!d->spec[0])
            continue;
        drv_option items[KIOSK_DEVICE_OPTIONS];
        drv_options opts = device_options(d, items);
        char err[300];
        if (role == KIOSK_DEVICE_PRINTER)
            slot->printer = drv_printer_open(d->spec, &opts, on_reading, slot, err, sizeof err);
        else
            slot->reader = drv_reader_open(d->spec, &opts, on_reading, slot, err, sizeof err);
        if (!slot->reader && !slot->printer) {
            KLOG_ERROR("cannot start the [%s] device %s: %s",
                       kiosk_config_device_section(slot->role), d->spec, err);
            return false;
        }
        slot->state = KIOSK_DEVICE_READY;
        a->device_states[role] = slot->state;
    }
    if (a->cfg->commands[0]) {
        char spec[KIOSK_CONFIG_STR + 8], err[300];
        snprintf(spec, sizeof spec, "sim:%s", a->cfg->commands);
        a->commands.owner = a;
        a->commands.reader = drv_reader_open(spec, NULL, on_reading, &a->commands, err, sizeof err);
        if (!a->commands.reader) {
            KLOG_ERROR("cannot read --commands %s: %s", a->cfg->commands, err);
            return false;
        }
    }
    return true;
}

static void close_devices(app *a)
{
    drv_reader_close(a->commands.reader);
    a->commands.reader = NULL;
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++) {
        drv_reader_close(a->devices[role].reader);
        drv_printer_close(a->devices[role].printer);
        a->devices[role].reader = NULL;
        a->devices[role].printer = NULL;
    }
}

void kiosk_app_list_devices(const kiosk_config *cfg, FILE *out)
{
    fprintf(out, "configured devices:\n");
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++) {
        const kiosk_device_config *d = &cfg->devices[role];
        char verdict[320] = "";
        if (d->spec[0]) {
            drv_option items[KIOSK_DEVICE_OPTIONS];
            drv_options opts = device_options(d, items);
            char err[300];
            kiosk_rc rc = role == KIOSK_DEVICE_PRINTER
                              ? drv_printer_check(d->spec, &opts, err, sizeof err)
                              : drv_reader_check(d->spec, &opts, err, sizeof err);
            snprintf(verdict, sizeof verdict, rc == KIOSK_OK ? " (settings ok)" : " (refused: %s)",
                     err);
        }
        fprintf(out, "  [%s] %s%s\n", kiosk_config_device_section((kiosk_device_role)role),
                d->spec[0] ? d->spec : "(none)", verdict);
        for (size_t i = 0; i < d->option_count; i++)
            fprintf(out, "      %s = %s\n", d->options[i].key, d->options[i].value);
    }
    fprintf(out, "reader drivers ([reader], [idcard]):\n");
    for (const drv_reader_ops *const *r = drv_reader_all(); *r; r++)
        fprintf(out, "  %-8s %s\n", (*r)->name, (*r)->help);
    fprintf(out, "printer drivers ([printer]):\n");
    for (const drv_printer_ops *const *p = drv_printer_all(); *p; p++)
        fprintf(out, "  %-8s %s\n", (*p)->name, (*p)->help);
}

/* The staff line on the idle screen: the start-up notice, then any device that is not ready. */
static void update_status(app *a)
{
    static const char *const names[KIOSK_DEVICE_ROLE_COUNT] = {N_("读卡器"), N_("身份证阅读器"),
                                                               N_("打印机")};
    char *s = a->frame.status_text;
    size_t size = sizeof a->frame.status_text;
    int n = snprintf(s, size, "%s", a->staff_notice ? a->staff_notice : "");
    if (a->sync_words[0] && n >= 0 && (size_t)n < size)
        n += snprintf(s + n, size - (size_t)n, "%s%s", n ? " · " : "", a->sync_words);
    /* A diner's call stays on the staff line until staff answer it (help_call.h). */
    if (a->help_called_ms && a->store &&
        kiosk_store_help_call_open(a->store, &a->help_called_ms) != KIOSK_OK)
        a->help_called_ms = 0;
    if (a->help_called_ms && n >= 0 && (size_t)n < size) {
        kiosk_local_time at = kiosk_clock_local(a->help_called_ms);
        n += snprintf(s + n, size - (size_t)n, "%s%s %02d:%02d", n ? " · " : "", _("呼叫工作人员"),
                      at.minute_of_day / 60, at.minute_of_day % 60);
    }
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT && n >= 0 && (size_t)n < size; role++) {
        kiosk_device_state st = a->devices[role].state;
        if (st == KIOSK_DEVICE_DOWN || st == KIOSK_DEVICE_NO_PAPER) {
            char device[96];
            snprintf(device, sizeof device, st == KIOSK_DEVICE_DOWN ? _("%s未连接") : _("%s缺纸"),
                     _(names[role]));
            n += snprintf(s + n, size - (size_t)n, "%s%s", n ? " · " : "", device);
        }
    }
}

/* --- drawing ------------------------------------------------------------------------------ */

static void save_shot(app *a, const kiosk_view *v, const char *path)
{
    char err[256];
    kiosk_frame_set_clock(&a->frame, kiosk_clock_now_ms());
    if (ui_save_png(a->ui, &a->frame, v, path, err, sizeof err) != KIOSK_OK)
        KLOG_ERROR("screenshot failed: %s", err);
    else
        KLOG_INFO("screenshot written to %s", path);
}

/* A print intent the view has not had printed yet goes to the printer, which queues it and
 * returns at once: a printer that is down or out of paper never holds up a meal (the staff line
 * says so, and the log why). */
static void print_if_asked(app *a, const kiosk_view *v)
{
    if (v->print.serial == a->pr.printed_serial)
        return;
    a->pr.printed_serial = v->print.serial;
    if (v->print.serial == 0)
        return;
    drv_printer *printer = a->devices[KIOSK_DEVICE_PRINTER].printer;
    char err[200];
    kiosk_rc rc = drv_printer_print(printer, &v->print.doc, err, sizeof err);
    if (rc == KIOSK_OK)
        KLOG_INFO("printing the %s's document (%zu lines)", v->screen, v->print.doc.line_count);
    else
        KLOG_WARN("not printed: %s", err);
}

/* A request of the view (staff mode) not yet carried out. */
static void request_if_asked(app *a, const kiosk_view *v)
{
    if (v->request.serial == a->pr.request_serial)
        return;
    a->pr.request_serial = v->request.serial;
    if (v->request.kind == KIOSK_REQUEST_SYNC_NOW && a->sync) {
        KLOG_INFO("staff asked for a sync now");
        kiosk_sync_wake(a->sync);
    } else if (v->request.kind == KIOSK_REQUEST_VOLUME && a->ui) {
        KLOG_INFO("staff set the voice volume to %d", v->request.volume);
        ui_set_volume(a->ui, v->request.volume);
    } else if (v->request.kind == KIOSK_REQUEST_QUIT) {
        /* Through the inbox, as a quit command: it also wakes a loop that sleeps till a
         * deadline. */
        KLOG_WARN("staff asked the kiosk to stop");
        kiosk_event ev = {.kind = KIOSK_EV_QUIT};
        if (kiosk_inbox_push(a->inbox, &ev) != KIOSK_OK)
            atomic_store(&a->stop, true);
    }
}

/* A touch in the events file: its target ("" beside the buttons), whether it was ignored as a
 * repeat, and the ms from the touch to the frame that answered it (-1 for an ignored one). */
static void log_touch(app *a, const char *widget, bool ignored, int64_t latency_ms)
{
    if (!a->events)
        return;
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "kind", "touch", "result",
                          ignored ? "ignored" : "answered", "widget", widget ? widget : "",
                          "latency_ms", (json_int_t)latency_ms);
    if (o && kiosk_events_log_take(a->events, o) != KIOSK_OK)
        KLOG_WARN("events file: the touch line was not written");
}

/* Draws the active view when it (or the frame) differs from the last frame; when headless with
 * a screenshot directory, saves every new screen (a new screen or a new voice cue, not a
 * countdown tick) as a PNG. */
static void present(app *a)
{
    presenter *p = &a->pr;
    const kiosk_view *v =
        kiosk_pacing_view(&a->pacing, kiosk_router_view(a->router),
                          kiosk_router_deadline(a->router), kiosk_clock_mono_ms());
    print_if_asked(a, v);
    request_if_asked(a, v);
    kiosk_frame_set_clock(&a->frame, kiosk_clock_now_ms());
    if (!p->force && memcmp(v, &p->shown, sizeof p->shown) == 0 &&
        memcmp(&a->frame, &p->shown_frame, sizeof a->frame) == 0)
        return;
    bool new_cue = v->voice.serial != p->shown.voice.serial && v->voice.count > 0;
    ui_render(a->ui, &a->frame, v);
    kiosk_pacing_spoken(&a->pacing, ui_speech_left_ms(a->ui));
    if (new_cue && ui_speech_left_ms(a->ui) > 0) {
        a->speech_frame_ms = kiosk_clock_mono_ms();
        a->speech_left_ms = ui_speech_left_ms(a->ui);
        snprintf(a->speech_screen, sizeof a->speech_screen, "%s", v->screen);
    }
    if (a->touch_pending_ms) {
        log_touch(a, a->last_touch, false, kiosk_clock_mono_ms() - a->touch_pending_ms);
        /* A touch whose answer brings no voice of its own (a keypad digit, a hold) is answered
         * by the key sound; its start is measured from the touch like a prompt's. */
        if (!new_cue && !a->speech_frame_ms && ui_speech_left_ms(a->ui) == 0) {
            ui_click(a->ui);
            if (ui_speech_left_ms(a->ui) > 0) {
                a->speech_frame_ms = a->touch_pending_ms;
                a->speech_left_ms = ui_speech_left_ms(a->ui);
                snprintf(a->speech_screen, sizeof a->speech_screen, "touch");
            }
        }
        a->touch_pending_ms = 0;
    }
    p->shown = *v;
    p->shown_frame = a->frame;
    p->force = false;
    if (p->shot_dir &&
        (strcmp(v->screen, p->shot_screen) != 0 || v->voice.serial != p->shot_serial)) {
        char path[KIOSK_CONFIG_STR + 64];
        snprintf(path, sizeof path, "%s/%04u-%s.png", p->shot_dir, ++p->shots, v->screen);
        save_shot(a, v, path);
        snprintf(p->shot_screen, sizeof p->shot_screen, "%s", v->screen);
        p->shot_serial = v->voice.serial;
    }
}

/* Speech started: the audio device took the first samples of the cue drawn last (its queue got
 * shorter), or 2 s passed without (start_ms -1). */
static void check_speech_start(app *a)
{
    if (!a->speech_frame_ms)
        return;
    int64_t since = kiosk_clock_mono_ms() - a->speech_frame_ms;
    bool started = ui_speech_left_ms(a->ui) < a->speech_left_ms;
    if (!started && since < 2000)
        return;
    a->speech_frame_ms = 0;
    if (!a->events)
        return;
    json_t *o = json_pack("{s:s, s:s, s:I}", "kind", "speech", "screen", a->speech_screen,
                          "start_ms", (json_int_t)(started ? since : -1));
    if (o && kiosk_events_log_take(a->events, o) != KIOSK_OK)
        KLOG_WARN("events file: the speech line was not written");
}

/* --- systemd ------------------------------------------------------------------------------ */

/* The STATUS line systemd shows (and kiosk-update reads): "MODE idle|busy; N pending", sent
 * when it changes. The pending count is taken when the kiosk comes back to idle (once, not on
 * every turn of the loop), never on a diner's tap. */
static void notify_status(app *a, bool idle)
{
    if (a->status[0] && idle == a->status_idle)
        return;
    a->status_idle = idle;
    long meals = 0;
    if (idle && (!a->store || kiosk_store_count_meals(a->store, &meals, &a->pending) != KIOSK_OK))
        a->pending = -1;
    long pending = a->pending;
    char line[sizeof a->status];
    if (pending >= 0)
        snprintf(line, sizeof line, "%s %s; %ld pending", a->mode, idle ? "idle" : "busy", pending);
    else
        snprintf(line, sizeof line, "%s %s; pending unknown", a->mode, idle ? "idle" : "busy");
    if (strcmp(line, a->status) == 0)
        return;
    snprintf(a->status, sizeof a->status, "%s", line);
    kiosk_sdnotifyf("STATUS=%s", line);
}

static void watchdog_ping(app *a)
{
    int64_t mono = kiosk_clock_mono_ms();
    if (!a->watchdog_ms || mono < a->watchdog_next)
        return;
    kiosk_sdnotify("WATCHDOG=1");
    a->watchdog_next = mono + a->watchdog_ms;
}

/* Test hooks (a sim `hang`) act only when the environment says KIOSK_TEST_HOOKS=1. */
static bool test_hooks(void)
{
    const char *v = getenv("KIOSK_TEST_HOOKS");
    return v && strcmp(v, "1") == 0;
}

/* SIGUSR1: the screen as shown (turned, at the panel's size) to [display] signal_shot, written
 * under a temporary name and renamed, so a reader never sees half a file. */
static void save_screen(app *a)
{
    const char *path = a->cfg->signal_shot;
    if (!path[0]) {
        KLOG_WARN("SIGUSR1: no [display] signal_shot is set; no screenshot");
        return;
    }
    char tmp[KIOSK_CONFIG_STR + 8], err[300];
    snprintf(tmp, sizeof tmp, "%s.part", path);
    kiosk_frame_set_clock(&a->frame, kiosk_clock_now_ms());
    if (ui_save_screen_png(a->ui, &a->frame, &a->pacing.out, tmp, err, sizeof err) != KIOSK_OK ||
        rename(tmp, path) != 0) {
        KLOG_ERROR("SIGUSR1: the screenshot was not written: %s", err);
        remove(tmp);
        return;
    }
    KLOG_INFO("SIGUSR1: the screen was written to %s", path);
}

/* --- events ------------------------------------------------------------------------------- */

static kiosk_now now(void)
{
    return (kiosk_now){kiosk_clock_now_ms(), kiosk_clock_mono_ms()};
}

/* 呼叫工作人员: a record that goes to the server like a meal (an alert there), a line in the
 * events file and on the staff line; what the screen says is pacing's. */
static void call_staff(app *a)
{
    int64_t utc = kiosk_clock_now_ms();
    kiosk_rc rc = a->store ? kiosk_store_help_call(a->store, a->cfg->kiosk_id, utc, NULL)
                           : KIOSK_ERR_NOT_FOUND;
    if (rc == KIOSK_OK)
        a->wake_sync = true;
    else
        KLOG_WARN("a call for staff was not recorded: %s", kiosk_strerror(rc));
    KLOG_INFO("a diner called for staff");
    a->help_called_ms = utc;
    update_status(a);
    if (!a->events)
        return;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:b, s:I}", "kind", "help", "result", "called", "kiosk_id",
                  a->cfg->kiosk_id, "recorded", rc == KIOSK_OK, "at_utc_ms", (json_int_t)utc);
    if (o && kiosk_events_log_take(a->events, o) != KIOSK_OK)
        KLOG_WARN("events file: the help line was not written");
}

/* A press of a widget pacing owns (再听一遍, 还要时间, 呼叫工作人员): true when it was one. */
static bool paced_press(app *a, const char *widget, int64_t mono)
{
    if (!kiosk_pacing_press(&a->pacing, widget, kiosk_router_deadline(a->router), mono))
        return false;
    if (strcmp(widget, KIOSK_PACING_CALL) == 0)
        call_staff(a);
    return true;
}

/* A press is honoured only for a widget the last frame actually showed. */
static void press(app *a, const char *widget)
{
    int x, y, w, h;
    /* A button outside the screen (a counter's call button) is the flow's to accept. */
    if (!ui_widget_rect(a->ui, widget, &x, &y, &w, &h) &&
        !kiosk_router_takes_press(a->router, widget)) {
        KLOG_WARN("press %s: no such button on this screen", widget);
        return;
    }
    if (paced_press(a, widget, kiosk_clock_mono_ms()))
        return;
    kiosk_router_press(a->router, widget, now());
}

/* The same target touched again within this is a tremor or a double tap, not a second press. */
#define REPEAT_TOUCH_MS 500

/* A touch fires on touch-down; the frame that answers it is drawn before the next event. */
static void touch(app *a, int x, int y)
{
    const char *widget = ui_widget_at(a->ui, x, y);
    int64_t mono = kiosk_clock_mono_ms();
    if (widget && strcmp(widget, a->last_touch) == 0 && mono - a->last_touch_ms < REPEAT_TOUCH_MS) {
        log_touch(a, widget, true, -1);
        return;
    }
    snprintf(a->last_touch, sizeof a->last_touch, "%s", widget ? widget : "");
    a->last_touch_ms = mono;
    a->touch_pending_ms = mono;
    a->pr.force = true; /* drawn again even when nothing changed: the answer is measured */
    if (!widget)        /* a touch beside the buttons holds a result */
        kiosk_pacing_touch(&a->pacing, mono);
    else if (!paced_press(a, widget, mono))
        kiosk_router_press(a->router, widget, now());
}

static void recover(app *a, const char *why);

/* --- sync ----------------------------------------------------------------------------------- */

/* Runs on the sync worker's thread: its status becomes an inbox event. Never waits (the main
 * loop may be stopping the worker); a full inbox makes the worker post again shortly. */
static bool post_sync(void *user, const kiosk_sync_status *status)
{
    app *a = user;
    kiosk_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = KIOSK_EV_SYNC;
    ev.u.sync = *status;
    return kiosk_inbox_try_push(a->inbox, &ev) == KIOSK_OK;
}

/* A sync line in the events file when the state or the staff line changes. */
static void log_sync(app *a)
{
    if (!a->events)
        return;
    const kiosk_sync_status *st = &a->sync_status;
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:I}", "kind", "sync", "result",
                          kiosk_sync_state_name(st->state), "kiosk_id", a->cfg->kiosk_id, "pending",
                          (json_int_t)st->pending, "rejected", (json_int_t)st->rejected, "offline",
                          st->offline_records, "staff_line", a->sync_words, "at_utc_ms",
                          (json_int_t)kiosk_clock_now_ms());
    if (o && st->clock_uncert_ms >= 0)
        json_object_set_new(o, "clock_offset_ms", json_integer(st->clock_offset_ms));
    if (o && kiosk_events_log_take(a->events, o) != KIOSK_OK)
        KLOG_WARN("events file: the sync line was not written");
}

/* A new status from the worker: the staff line, pulled policies, a new card key. */
static void sync_status(app *a, const kiosk_sync_status *st)
{
    kiosk_sync_status was = a->sync_status;
    a->sync_status = *st;
    char words[sizeof a->sync_words];
    kiosk_sync_status_words(st, words, sizeof words);
    bool changed = strcmp(words, a->sync_words) != 0 || st->state != was.state ||
                   st->offline_records != was.offline_records;
    if (strcmp(words, a->sync_words) != 0)
        KLOG_INFO("staff line (sync): %s", words[0] ? words : "(nothing)");
    snprintf(a->sync_words, sizeof a->sync_words, "%s", words);
    if (changed) {
        update_status(a);
        log_sync(a);
    }
    if (a->store && st->card_key_serial != was.card_key_serial &&
        kiosk_store_reload_card_key(a->store) != KIOSK_OK)
        KLOG_ERROR("the card key from the server could not be loaded: %s",
                   kiosk_store_errmsg(a->store));
    if (a->store && a->policies && st->policy_serial != was.policy_serial) {
        /* The flows keep borrowing the same set; its versions are exchanged. */
        kiosk_policy_set *fresh = NULL;
        if (kiosk_store_load_policies(a->store, &fresh) == KIOSK_OK) {
            kiosk_policy_set_swap(a->policies, fresh);
            KLOG_INFO("subsidy policies reloaded after a pull");
        } else {
            KLOG_ERROR("pulled policies could not be loaded: %s", kiosk_store_errmsg(a->store));
        }
        kiosk_policy_set_free(fresh);
    }
}

/* The status a kiosk starts with, before the worker's first report: what the database says of
 * the last contact. */
static void sync_begin(app *a)
{
    kiosk_sync_status *st = &a->sync_status;
    *st = (kiosk_sync_status){.state = KIOSK_SYNC_STARTING,
                              .oldest_pending_ms = -1,
                              .last_ok_ms = -1,
                              .last_ok_mono_ms = -1,
                              .clock_uncert_ms = -1,
                              .stream_ok_ms = {-1, -1, -1, -1, -1, -1, -1}};
    int64_t last = -1;
    if (a->store && kiosk_store_sync_get_int(a->store, "sync_last_ok_ms", &last) != KIOSK_OK)
        last = -1;
    st->last_ok_ms = last;
    st->offline_records =
        last < 0 || kiosk_clock_now_ms() - last > (int64_t)a->cfg->sync.offline_after_s * 1000;
}

static void sync_start(app *a)
{
    if (!a->cfg->sync.enabled || !a->store)
        return;
    char err[300];
    a->sync = kiosk_sync_start(&a->cfg->sync, a->cfg->database, post_sync, a, err, sizeof err);
    if (!a->sync)
        KLOG_ERROR("the sync worker did not start: %s; the kiosk serves without it", err);
    for (int role = 0; a->sync && role < KIOSK_DEVICE_ROLE_COUNT; role++)
        kiosk_sync_set_device(a->sync, (kiosk_device_role)role, a->devices[role].state);
}

static void sync_stop(app *a)
{
    kiosk_sync_stop(a->sync);
    a->sync = NULL;
}

/* Handles one inbox event; returns false to stop. */
static bool handle(app *a, kiosk_event *ev)
{
    /* A tap, a card, a bill or a touch may have committed a meal: the worker uploads it. */
    if (ev->kind == KIOSK_EV_CARD || ev->kind == KIOSK_EV_IDCARD || ev->kind == KIOSK_EV_BILL ||
        ev->kind == KIOSK_EV_PRESS || ev->kind == KIOSK_EV_TOUCH)
        a->wake_sync = true;
    switch (ev->kind) {
    case KIOSK_EV_CARD:
        kiosk_router_card(a->router, &ev->u.card, now());
        break;
    case KIOSK_EV_CARD_REMOVED:
        KLOG_DEBUG("card removed"); /* bench/nfc_tap.sh times removals from this line */
        kiosk_router_card_removed(a->router, now());
        break;
    case KIOSK_EV_IDCARD:
        kiosk_router_idcard(a->router, &ev->u.idcard, now());
        break;
    case KIOSK_EV_IDCARD_ERROR:
        kiosk_router_idcard_error(a->router, ev->u.reason, now());
        break;
    case KIOSK_EV_BILL:
        kiosk_router_bill(a->router, ev->u.bill_fen, now());
        break;
    case KIOSK_EV_PRESS:
        press(a, ev->u.widget);
        break;
    case KIOSK_EV_TOUCH: {
        int w, h;
        ui_size(a->ui, &w, &h);
        if (ev->u.touch.phase != 2)
            touch(a, ev->u.touch.x, ev->u.touch.y);
        if (ev->u.touch.phase == 1)
            kiosk_corner_hold_down(&a->corner, ev->u.touch.x, ev->u.touch.y, w, h,
                                   kiosk_clock_mono_ms());
        else if (ev->u.touch.phase == 2)
            kiosk_corner_hold_up(&a->corner);
        break;
    }
    case KIOSK_EV_TIME:
        kiosk_clock_set_ms(ev->u.time_utc_ms);
        break;
    case KIOSK_EV_SHOT:
        if (ev->u.path[0])
            save_shot(a, &a->pacing.out, ev->u.path); /* as shown */
        else
            save_screen(a);
        break;
    case KIOSK_EV_HANG:
        if (!test_hooks()) {
            KLOG_WARN("hang ignored: test hooks are off (KIOSK_TEST_HOOKS=1 turns them on)");
            break;
        }
        KLOG_WARN("test hook: the main loop hangs for %lld ms", (long long)ev->u.wait_ms);
        SDL_Delay((Uint32)ev->u.wait_ms);
        break;
    case KIOSK_EV_WAIT:
        a->wait_until = kiosk_clock_mono_ms() + ev->u.wait_ms;
        break;
    case KIOSK_EV_QUIT:
        return false;
    case KIOSK_EV_STORE_DAMAGED:
        recover(a, "the whole-file check found damage");
        break;
    case KIOSK_EV_SYNC:
        sync_status(a, &ev->u.sync);
        break;
    case KIOSK_EV_DEVICE: {
        if ((unsigned)ev->u.device.role >= KIOSK_DEVICE_ROLE_COUNT) {
            KLOG_WARN("commands: %s", ev->u.device.reason);
            break;
        }
        device_slot *slot = &a->devices[ev->u.device.role];
        if (ev->u.device.state != slot->state)
            KLOG_WARN("[%s] %s", kiosk_config_device_section(slot->role), ev->u.device.reason);
        slot->state = ev->u.device.state;
        a->device_states[slot->role] = slot->state;
        kiosk_sync_set_device(a->sync, slot->role, slot->state); /* for the heartbeat */
        update_status(a);
        break;
    }
    }
    return true;
}

/* Window events: quit, touches (mouse or finger), exposure. Returns false on quit. */
static bool handle_sdl(app *a, const SDL_Event *e)
{
    if (e->type == SDL_QUIT)
        return false;
    int x, y; /* on a turned panel, touches are turned back to the upright picture */
    int w, h;
    ui_size(a->ui, &w, &h);
    /* A finger also comes as a mouse event (SDL_TOUCH_MOUSEID): only the finger's counts. */
    bool mouse = ((e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) &&
                  e->button.which != SDL_TOUCH_MOUSEID) ||
                 (e->type == SDL_MOUSEMOTION && e->motion.which != SDL_TOUCH_MOUSEID);
    if (mouse && e->type == SDL_MOUSEBUTTONDOWN) {
        ui_touch_point(a->ui, e->button.x, e->button.y, &x, &y);
        touch(a, x, y);
        kiosk_corner_hold_down(&a->corner, x, y, w, h, kiosk_clock_mono_ms());
    } else if (e->type == SDL_FINGERDOWN) {
        ui_touch_finger(a->ui, e->tfinger.x, e->tfinger.y, &x, &y);
        touch(a, x, y);
        kiosk_corner_hold_down(&a->corner, x, y, w, h, kiosk_clock_mono_ms());
    } else if ((mouse && e->type == SDL_MOUSEBUTTONUP) || e->type == SDL_FINGERUP) {
        kiosk_corner_hold_up(&a->corner);
    } else if (mouse && e->type == SDL_MOUSEMOTION) {
        ui_touch_point(a->ui, e->motion.x, e->motion.y, &x, &y);
        kiosk_corner_hold_move(&a->corner, x, y, w, h);
    } else if (e->type == SDL_FINGERMOTION) {
        ui_touch_finger(a->ui, e->tfinger.x, e->tfinger.y, &x, &y);
        kiosk_corner_hold_move(&a->corner, x, y, w, h);
    } else if (e->type == SDL_WINDOWEVENT) {
        a->pr.force = true;
    }
    return true;
}

static bool driver_can_wait(void)
{
    const char *driver = SDL_GetCurrentVideoDriver();
    return driver && (strcmp(driver, "x11") == 0 || strcmp(driver, "wayland") == 0);
}

static int64_t min64(int64_t x, int64_t y)
{
    return x < y ? x : y;
}

static ui *open_ui(const kiosk_config *cfg, int volume, bool *headless)
{
    ui_options opts = {
        .width = cfg->width,
        .height = cfg->height,
        .headless = cfg->headless,
        .font_dir = cfg->font_dir,
        .reader_position = cfg->reader_position,
        .voice_enabled = cfg->voice_enabled,
        .voice_dir = cfg->voice_dir,
        .volume = volume,
        .rotate = cfg->rotate,
        .drm_device = cfg->drm_device,
        .diagonal_in = cfg->diagonal_in,
        .viewing_cm = cfg->viewing_cm,
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

/* One line in the events file when the kiosk is ready to serve (tests wait for it) and when it
 * stops. */
/* A lifecycle line in the events file: ready (after the first frame, and again after a
 * recovery), damaged (out of service while the database is recovered), stopped; with the mode
 * running and the staff notice, so a fleet's monitoring sees a kiosk that needs someone. */
static void log_lifecycle(app *a, const char *result)
{
    if (!a->events)
        return;
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", "kiosk", "result", result, "kiosk_id",
                  a->cfg->kiosk_id, "mode", a->mode, "at_utc_ms", (json_int_t)kiosk_clock_now_ms());
    if (o && a->staff_notice)
        json_object_set_new(o, "staff_notice", json_string(a->staff_notice));
    if (o && kiosk_events_log_take(a->events, o) != KIOSK_OK)
        KLOG_WARN("events file: the %s line was not written", result);
}

/* SQLite met damage (on a tap, a tick): recover at once rather than fail every diner after. */
static void recover_if_damaged(app *a)
{
    if (a->store && kiosk_store_damaged(a->store))
        recover(a, "SQLite found damage");
}

/* The loop: drain the inbox, let time pass for the flows, draw, then sleep until the nearest
 * deadline. Returns when asked to quit. */
static void run_loop(app *a, bool headless)
{
    const bool sdl_waits = !headless && driver_can_wait();
    const bool sdl_input = !headless;
    const char *last_screen = "";
    bool running = true;
    while (running) {
        watchdog_ping(a);
        int64_t mono = kiosk_clock_mono_ms();
        if (atomic_load(&a->stop))
            break;
        if (mono >= a->wait_until) {
            kiosk_event ev;
            while (running && !atomic_load(&a->stop) && kiosk_inbox_pop(a->inbox, &ev)) {
                running = handle(a, &ev);
                recover_if_damaged(a);
                if (a->wake_sync) {
                    a->wake_sync = false;
                    kiosk_sync_wake(a->sync);
                }
                watchdog_ping(a);
                bool was_wait = ev.kind == KIOSK_EV_WAIT;
                sodium_memzero(&ev, sizeof ev); /* personal data: gone once handled */
                if (was_wait)
                    break;
                /* Draw between events so every tap's result frame is presented. */
                present(a);
            }
        }
        /* A result not yet read, still speaking or held, a form given more time: not yet. */
        if (kiosk_pacing_may_tick(&a->pacing, ui_speech_left_ms(a->ui) > 0, kiosk_clock_mono_ms()))
            kiosk_router_tick(a->router, now());
        if (kiosk_corner_hold_due(&a->corner, kiosk_clock_mono_ms()))
            kiosk_router_corner_hold(a->router, now());
        recover_if_damaged(a);
        present(a);
        check_speech_start(a);
        const kiosk_view *view = kiosk_router_view(a->router);
        /* Back at idle: copy the WAL into the database now, so no diner's commit pays for it. */
        bool idle = view->layout == KIOSK_LAYOUT_IDLE;
        if (a->store && idle && strcmp(last_screen, "idle") != 0 &&
            kiosk_store_checkpoint(a->store) != KIOSK_OK)
            KLOG_WARN("idle checkpoint failed; SQLite will checkpoint on its own");
        last_screen = idle ? "idle" : "";
        notify_status(a, idle);
        if (!running)
            break;

        /* Sleep until the nearest deadline: the flow's, the next minute (clock), a `wait`. */
        mono = kiosk_clock_mono_ms();
        int64_t now_utc = kiosk_clock_now_ms();
        int64_t deadline = mono + (60000 - now_utc % 60000);
        deadline =
            min64(deadline, kiosk_pacing_deadline(&a->pacing, kiosk_router_deadline(a->router),
                                                  ui_speech_left_ms(a->ui) > 0, mono));
        if (a->wait_until > mono)
            deadline = min64(deadline, a->wait_until);
        deadline = min64(deadline, kiosk_corner_hold_deadline(&a->corner));
        if (a->watchdog_ms) /* the loop wakes to ping at least every WatchdogSec / 2 */
            deadline = min64(deadline, a->watchdog_next);
        if (a->speech_frame_ms) /* watching for the voice to start: look again soon */
            deadline = min64(deadline, mono + 5);
        int64_t timeout = deadline - mono;
        if (timeout < 0)
            timeout = 0;
        if (timeout > INT_MAX)
            timeout = INT_MAX;
        bool inbox_ready = a->wait_until <= mono; /* a pending `wait` holds the inbox */
        SDL_Event e;
        if (sdl_waits) {
            if (SDL_WaitEventTimeout(&e, (int)timeout)) {
                do
                    running = handle_sdl(a, &e) && running;
                while (SDL_PollEvent(&e));
            }
        } else {
            if (sdl_input)
                timeout = min64(timeout, INPUT_PUMP_MS);
            if (inbox_ready)
                kiosk_inbox_wait(a->inbox, timeout);
            else /* a sim `wait` holds the queue: sleep in short steps so a stop is seen */
                SDL_Delay((Uint32)min64(timeout, 100));
            while (SDL_PollEvent(&e))
                running = handle_sdl(a, &e) && running;
        }
    }
}

/* The flows of `mode` over the current database (none: out of service). */
static bool start_flows(app *a, const char *mode)
{
    a->mode = mode;
    if (a->store) {
        /* The main loop's connection waits only briefly for another writer: the flow tells the
         * diner "请稍等" and tries again rather than freezing the screen. */
        kiosk_store_set_busy_timeout(a->store, 250);
        if (kiosk_store_load_policies(a->store, &a->policies) != KIOSK_OK) {
            KLOG_ERROR("cannot load the subsidy policies: %s", kiosk_store_errmsg(a->store));
            return false;
        }
    }
    kiosk_flow_env env = {.settings = &a->settings,
                          .sections = &a->sections,
                          .store = a->store,
                          .policies = a->policies,
                          .events = a->events,
                          .sync = a->cfg->sync.enabled ? &a->sync_status : NULL,
                          .devices = a->device_states};
    char err[300];
    a->router = kiosk_router_new(mode, &env, err, sizeof err);
    if (!a->router)
        KLOG_ERROR("cannot start the %s flow: %s", mode, err);
    return a->router != NULL;
}

static void stop_flows(app *a)
{
    kiosk_router_free(a->router);
    a->router = NULL;
    kiosk_policy_set_free(a->policies);
    a->policies = NULL;
}

/* Damage was found while serving: the kiosk says it is out of service, recovers the database
 * (kiosk_database_open does it, as at a start) and serves again, or stays out of service. The
 * devices, the inbox and the window stay as they are, so no queued tap is lost. */
static void recover(app *a, const char *why)
{
    KLOG_ERROR("the database is damaged (%s): out of service while it is recovered", why);
    char err[600];
    if (kiosk_store_request_recovery(a->cfg->database, err, sizeof err) != KIOSK_OK)
        KLOG_ERROR("%s", err); /* recovered now all the same */
    kiosk_damage_check_stop(a->damage_check);
    a->damage_check = NULL;
    sync_stop(a); /* its own handle on the file must go too */
    stop_flows(a);
    kiosk_store_close(a->store);
    a->store = NULL;
    a->staff_notice = _(KIOSK_NOTICE_RECOVERING);
    update_status(a);
    /* A large database takes longer to recover than the watchdog waits: give it ten minutes
     * (systemd takes a new WATCHDOG_USEC at run time), and the usual interval after. */
    if (a->watchdog_ms)
        kiosk_sdnotifyf("WATCHDOG_USEC=600000000\nSTATUS=%s recovering the database", a->mode);
    if (!start_flows(a, KIOSK_MODE_OUT_OF_SERVICE))
        abort(); /* the flow that needs nothing could not start: nothing sensible is left */
    present(a);
    log_lifecycle(a, "damaged");

    const char *notice = NULL;
    kiosk_store *store = NULL;
    kiosk_rc rc = kiosk_database_open(a->cfg, &store, &notice, err, sizeof err);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("the database could not be recovered: %s; out of service", err);
        kiosk_store_close(store);
        a->staff_notice = KIOSK_NOTICE_UNRECOVERED;
        update_status(a);
        log_lifecycle(a, "ready");
        return;
    }
    stop_flows(a);
    a->store = store;
    a->staff_notice = notice;
    update_status(a);
    if (!start_flows(a, a->cfg->mode)) {
        stop_flows(a);
        kiosk_store_close(a->store);
        a->store = NULL;
        a->staff_notice = KIOSK_NOTICE_UNRECOVERED;
        update_status(a);
        if (!start_flows(a, KIOSK_MODE_OUT_OF_SERVICE))
            abort();
    } else {
        a->damage_check =
            kiosk_damage_check_start(a->cfg->database, a->inbox, DAMAGE_CHECK_REPEAT_MS);
        sync_start(a);
    }
    KLOG_INFO("serving again after the recovery (%s)", a->mode);
    log_lifecycle(a, "ready");
    if (a->watchdog_ms)
        kiosk_sdnotifyf("WATCHDOG_USEC=%lld", (long long)a->watchdog_ms * 2000);
    a->status[0] = '\0';
}

int kiosk_app_run(const kiosk_config *cfg, kiosk_store *store, const char *staff_notice)
{
    int status = 1;
    bool headless = false;
    app *a = calloc(1, sizeof *a); /* large (three views): not on the stack */
    if (!a) {
        KLOG_ERROR("out of memory");
        kiosk_store_close(store);
        return 1;
    }
    a->cfg = cfg;
    a->store = store;
    a->staff_notice = staff_notice;
    kiosk_pacing_init(&a->pacing);
    /* Before any thread starts (SDL's, the drivers'), so the signal thread alone sees them. */
    kiosk_signals_block();
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");

    if (kiosk_events_log_open(cfg->events, &a->events) != KIOSK_OK)
        goto out;
    a->settings = (kiosk_flow_settings){
        .site = cfg->site,
        .result_seconds = cfg->result_seconds,
        .repeat_tap_seconds = cfg->repeat_tap_seconds,
        .reader_right = strcmp(cfg->reader_position, "right") == 0,
    };
    snprintf(a->settings.kiosk_id, sizeof a->settings.kiosk_id, "%s", cfg->kiosk_id);
    snprintf(a->settings.mode, sizeof a->settings.mode, "%s", cfg->mode);
    a->settings.offline_meal_limit = cfg->sync.enabled ? cfg->sync.offline_meal_limit : 0;
    /* A level staff set on this kiosk (device_state voice_volume) outlives restarts and
     * overrides [voice] volume. */
    a->settings.voice_volume = cfg->volume;
    if (store && kiosk_store_voice_volume(store, &a->settings.voice_volume) == KIOSK_OK)
        KLOG_INFO("voice volume %d, as staff set it ([voice] volume %d)", a->settings.voice_volume,
                  cfg->volume);
    sync_begin(a);
    const kiosk_device_config *paper = &cfg->devices[KIOSK_DEVICE_PRINTER];
    if (paper->spec[0]) {
        drv_option items[KIOSK_DEVICE_OPTIONS];
        drv_options opts = device_options(paper, items);
        a->settings.paper_columns = drv_printer_paper_columns(paper->spec, &opts);
    }
    snprintf(a->settings.site_name, sizeof a->settings.site_name, "%s", cfg->site_name);
    for (size_t i = 0; i < cfg->flow_section_count; i++) {
        a->sections.names[i] = cfg->flow_sections[i].name;
        a->sections.sections[i] =
            kiosk_config_flow_settings(cfg, cfg->flow_sections[i].name, a->setting_items[i]);
        a->sections.count++;
    }
    if (!start_flows(a, store ? cfg->mode : KIOSK_MODE_OUT_OF_SERVICE))
        goto out;
    update_status(a);
    a->ui = open_ui(cfg, a->settings.voice_volume, &headless);
    if (!a->ui)
        goto out;
    a->wake_type = SDL_RegisterEvents(1);
    if (a->wake_type == (Uint32)-1) {
        KLOG_ERROR("SDL has no user event types left");
        goto out;
    }
    a->inbox = kiosk_inbox_new(INBOX_CAPACITY, wake_main_loop, a);
    if (!a->inbox || !open_devices(a))
        goto out;
    a->signals = kiosk_signals_start(a->inbox, &a->stop);
    if (!a->signals)
        KLOG_WARN("no signal thread: stop the kiosk with the quit command");
    if (cfg->screenshot_dir[0])
        mkdir(cfg->screenshot_dir, 0755);
    a->pr.force = true;
    a->pr.shot_dir = headless && cfg->screenshot_dir[0] ? cfg->screenshot_dir : NULL;
    KLOG_INFO("kiosk %s ready (%s, reader %s, %s)", cfg->kiosk_id, a->mode,
              cfg->devices[KIOSK_DEVICE_READER].spec, headless ? "headless" : "on screen");
    present(a);
    log_lifecycle(a, "ready");
    /* systemd (Type=notify): ready once the database is open and migrated and the first frame is
     * on the screen; from now on the loop itself pings the watchdog. */
    notify_status(a, true);
    uint64_t watchdog_usec;
    if (kiosk_sdnotify_watchdog(&watchdog_usec)) {
        a->watchdog_ms = (int64_t)(watchdog_usec / 2000);
        if (a->watchdog_ms < 1)
            a->watchdog_ms = 1;
        a->watchdog_next = kiosk_clock_mono_ms();
        KLOG_INFO("systemd watchdog: pinging every %lld ms", (long long)a->watchdog_ms);
        /* main.c lengthened the interval for the start: the unit's own from now on. */
        kiosk_sdnotifyf("READY=1\nWATCHDOG_USEC=%llu\nSTATUS=%s", (unsigned long long)watchdog_usec,
                        a->status);
    } else {
        kiosk_sdnotifyf("READY=1\nSTATUS=%s", a->status);
    }
    /* The rest of the file is checked after the first frame (kiosk_store_open checked only what
     * a start needs). */
    if (a->store)
        a->damage_check = kiosk_damage_check_start(cfg->database, a->inbox, DAMAGE_CHECK_DELAY_MS);
    sync_start(a);
    run_loop(a, headless);
    kiosk_damage_check_stop(a->damage_check);
    a->damage_check = NULL;
    kiosk_sdnotify("STOPPING=1");
    log_lifecycle(a, "stopped");
    /* A kiosk that ended out of service says so to whoever started it. */
    status = a->store ? 0 : KIOSK_APP_EXIT_OUT_OF_SERVICE;
    KLOG_INFO("kiosk stopped");
out:
    kiosk_damage_check_stop(a->damage_check);
    if (a->inbox)
        kiosk_inbox_close(a->inbox);
    sync_stop(a);
    kiosk_signals_stop(a->signals);
    close_devices(a);
    kiosk_inbox_free(a->inbox);
    ui_free(a->ui);
    stop_flows(a);
    kiosk_events_log_close(a->events);
    kiosk_store_close(a->store);
    free(a);
    return status;
}
