/* test_staff_screens.c - golden screenshots of staff mode's screens under SDL's offscreen
 * driver, at 1920x1080, 1280x800 and portrait 1080x1920, made by the real staff flow through the
 * router over the canteen flow and a store with the staff roster of tests/data/staff.csv: the
 * PIN keypad (empty, and with three digits typed after a wrong PIN), the lock, the operator's
 * and the supervisor's menus, the void list and its reasons, the day view, the status (an
 * operator's), 本机设置 (the voice's volume, 退出到系统), 请刷工作人员卡 after a long press,
 * 录入账单 and out of service. Each frame must match its golden image within GOLDEN_TOLERANCE per
 * channel; ui_overlaps must find nothing; every key and button is at least 120 px and answers a
 * touch at its centre; no glyph is missing or clipped; and the PIN typed is nowhere in the view
 * (dots only). On a mismatch <name>_actual.png is written beside the test binary;
 * KIOSK_REGEN_GOLDEN=1 rewrites the goldens (look at each before committing). */
#define _GNU_SOURCE
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "golden.h"
#include "router.h"
#include "screens_language.h"
#include "staff_store.h"
#include "text.h"
#include "ui.h"
#include "view.h"

static const char *root;
static const char *dir;

static kiosk_frame frame = {
    .date_text = "2026年11月23日 星期一", .time_text = "11:32", .status_text = ""};

static void shoot(ui *u, const char *name, const kiosk_frame *f, const kiosk_view *v)
{
    SDL_Surface *s = golden_render(u, dir, f, v);
    if (!s)
        return;
    char what[256];
    size_t overlaps = ui_overlaps(u, what, sizeof what);
    if (overlaps)
        fprintf(stderr, "%s: %zu overlaps; the first: %s\n", name, overlaps, what);
    CHECK_INT(overlaps, 0);
    bool ok = golden_compare(root, name, s);
    if (!ok)
        fprintf(stderr, "golden mismatch: %s\n", name);
    CHECK(ok);
    SDL_FreeSurface(s);
}

static void check_button(ui *u, const char *id)
{
    int x, y, w, h;
    bool shown = ui_widget_rect(u, id, &x, &y, &w, &h);
    if (!shown)
        fprintf(stderr, "button %s not on screen\n", id);
    CHECK(shown);
    if (w < 120 || h < 120)
        fprintf(stderr, "button %s is %dx%d\n", id, w, h);
    CHECK(w >= 120 && h >= 120);
    CHECK_STR(ui_widget_at(u, x + w / 2, y + h / 2), id);
}

/* --- the screens, from the real flows ------------------------------------------------------- */

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

typedef struct screens {
    kiosk_view pin, pin_typed, locked, menu, menu_super, void_list, reason, day, status, oos;
    kiosk_view volume, card_prompt, bill_next, status_super;
} screens;

static const char *roster =
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
    "card_status,issuing_canteen,id_number\n"
    "P1,张秀兰,1956-03-12,,320100,320102,320102002,local,active,04A1B2C3,active,,\n"
    "P2,周志强,1941-09-15,,320100,320102,320102003,local,active,04E5F6A7,active,,\n";

static kiosk_router *router;
static int64_t mono = 1000000;

static void tap(const char *hex, int64_t utc)
{
    kiosk_card card = {.uid_len = strlen(hex) / 2};
    for (size_t i = 0; i < card.uid_len; i++)
        sscanf(hex + 2 * i, "%2hhx", &card.uid[i]);
    kiosk_router_card(router, &card, (kiosk_now){utc, mono += 1000});
}

static void press(const char *widget, int64_t utc)
{
    kiosk_router_press(router, widget, (kiosk_now){utc, mono += 500});
}

static void type(const char *digits, int64_t utc)
{
    for (const char *d = digits; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        press(key, utc);
    }
}

static const kiosk_view *view(void)
{
    return kiosk_router_view(router);
}

/* No field of the view holds the digits typed. */
static void check_no_pin(const kiosk_view *v, const char *pin)
{
    const char *fields[] = {v->keypad.value, v->headline, v->message, v->advice,
                            v->subline,      v->name,     v->title};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        CHECK(strstr(fields[i], pin) == NULL);
}

static void collect(screens *out)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/staff-screens.db", dir);
    kiosk_store *store = NULL;
    CHECK_INT(kiosk_store_open(path, &store, err, sizeof err), KIOSK_OK);
    FILE *csv = fmemopen((void *)roster, strlen(roster), "r");
    kiosk_import_stats stats;
    CHECK_INT(
        kiosk_store_import_roster(store, csv, (kiosk_date){2026, 11, 23}, &stats, err, sizeof err),
        KIOSK_OK);
    fclose(csv);
    snprintf(path, sizeof path, "%s/tests/data/staff.csv", root);
    FILE *f = fopen(path, "rb");
    char text[4096];
    size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    kiosk_staff_import_stats st;
    CHECK_INT(kiosk_store_import_staff(store, text, len, &st, err, sizeof err), KIOSK_OK);
    kiosk_flow_settings settings = {
        .result_seconds = 8, .repeat_tap_seconds = 10, .voice_volume = 80};
    snprintf(settings.kiosk_id, sizeof settings.kiosk_id, "k-screens");
    snprintf(settings.site_name, sizeof settings.site_name, "鼓楼区长者食堂");
    snprintf(settings.site.canteen_id, sizeof settings.site.canteen_id, "c-home");
    snprintf(settings.site.area.city, sizeof settings.site.area.city, "320100");
    snprintf(settings.site.area.district, sizeof settings.site.area.district, "320102");
    snprintf(settings.site.area.street, sizeof settings.site.area.street, "320102002");
    kiosk_policy_set *policies = kiosk_policy_set_new();
    snprintf(path, sizeof path, "%s/tests/policies/fixed-by-class.json", root);
    f = fopen(path, "rb");
    static char buf[65536];
    len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    kiosk_policy *p = NULL;
    CHECK_INT(kiosk_policy_parse(buf, len, &p, err, sizeof err), KIOSK_OK);
    if (p)
        CHECK_INT(kiosk_policy_set_take(policies, p), KIOSK_OK);
    static const kiosk_device_state devices[KIOSK_DEVICE_ROLE_COUNT] = {
        [KIOSK_DEVICE_READER] = KIOSK_DEVICE_READY, [KIOSK_DEVICE_PRINTER] = KIOSK_DEVICE_NO_PAPER};
    kiosk_flow_env env = {
        .settings = &settings, .store = store, .policies = policies, .devices = devices};
    router = kiosk_router_new("canteen", &env, err, sizeof err);
    CHECK(router != NULL);
    if (!router)
        return;
    int64_t t = at(11, 30);
    tap("04A1B2C3", t);
    tap("04E5F6A7", t + 60000);
    /* A long press in the corner: the request for a staff card, left with its button. */
    kiosk_router_corner_hold(router, (kiosk_now){t + 85000, mono += 1000});
    out->card_prompt = *view();
    CHECK_STR(out->card_prompt.screen, "staff_card_prompt");
    press("leave", t + 85000);
    CHECK_STR(kiosk_router_active(router), "canteen");
    /* The operator: the empty keypad, then a wrong PIN and three digits typed. */
    tap("5AF00001", t + 90000);
    out->pin = *view();
    type("5555", t + 90000);
    press("confirm", t + 90000);
    type("123", t + 91000);
    out->pin_typed = *view();
    CHECK_STR(out->pin_typed.keypad.value, "●●●");
    check_no_pin(&out->pin_typed, "123");
    type("4", t + 91000);
    press("confirm", t + 91000);
    out->menu = *view();
    CHECK_STR(out->menu.screen, "staff_menu");
    press("void_meal", t + 92000);
    out->void_list = *view();
    press("meal1", t + 92000);
    out->reason = *view();
    press("back", t + 92000);
    press("back", t + 92000);
    press("day_view", t + 93000);
    out->day = *view();
    press("back", t + 93000);
    press("status", t + 93000);
    out->status = *view();
    press("back", t + 93000);
    press("out_of_service", t + 94000);
    out->oos = *view();
    /* The supervisor resumes: her menu, with resume. */
    tap("5AF00002", t + 95000);
    type("9876", t + 95000);
    press("confirm", t + 95000);
    out->menu_super = *view();
    CHECK_STR(out->menu_super.screen, "staff_menu");
    press("status", t + 95000);
    out->status_super = *view();
    press("settings", t + 95000);
    press("volume_up", t + 95000);
    out->volume = *view();
    CHECK_STR(out->volume.screen, "staff_settings");
    const char *level = strrchr(out->volume.headline, ' '); /* the words are the language's */
    CHECK_STR(level ? level : "", " 90");
    press("back", t + 95000);
    press("back", t + 95000);
    press("resume", t + 95000);
    press("leave", t + 95000);
    /* Five wrong PINs on the operator's card: the lock. */
    tap("5AF00001", t + 96000);
    for (int i = 0; i < 5; i++) {
        type("0000", t + 96000);
        press("confirm", t + 96000);
    }
    out->locked = *view();
    CHECK_STR(out->locked.screen, "staff_locked");
    kiosk_router_free(router);
    /* On a canteen priced by bill: 录入账单 with ¥18.50 typed. */
    kiosk_setting canteen[] = {{"pricing", "bill"}};
    kiosk_flow_sections sections = {.names = {"canteen"}, .count = 1};
    sections.sections[0] = (kiosk_settings){canteen, 1};
    env.sections = &sections;
    router = kiosk_router_new("canteen", &env, err, sizeof err);
    CHECK(router != NULL);
    if (router) {
        tap("5AF00002", t + 200000);
        type("9876", t + 200000);
        press("confirm", t + 200000);
        press("serve", t + 200000);
        press("bill_next", t + 200000);
        type("1850", t + 200000);
        out->bill_next = *view();
        CHECK_STR(out->bill_next.screen, "staff_bill_next");
        CHECK_STR(out->bill_next.keypad.value, "¥18.50");
        kiosk_router_free(router);
    }
    kiosk_policy_set_free(policies);
    kiosk_store_close(store);
}

static ui *open_ui(int w, int h)
{
    char fonts[1024];
    snprintf(fonts, sizeof fonts, "%s/fonts", root);
    ui_options opts = {
        .width = w, .height = h, .headless = true, .font_dir = fonts, .reader_position = "bottom"};
    bool no_display;
    char err[256];
    ui *u = ui_new(&opts, &no_display, err, sizeof err);
    if (!u)
        fprintf(stderr, "%s\n", err);
    CHECK(u != NULL);
    return u;
}

static void screens_at(const screens *s, int w, int h, bool all)
{
    char name[96];
    ui *u = open_ui(w, h);
    if (!u)
        return;
#define SHOT(view, what)                                           \
    do {                                                           \
        snprintf(name, sizeof name, "staff_%s_%dx%d", what, w, h); \
        shoot(u, name, &frame, &s->view);                          \
    } while (0)
    SHOT(pin, "pin");
    for (int d = 0; d <= 9; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%d", d);
        check_button(u, key);
    }
    check_button(u, "backspace");
    check_button(u, "confirm");
    SHOT(pin_typed, "pin_typed");
    SHOT(menu, "menu");
    check_button(u, "day_view");
    check_button(u, "void_meal");
    check_button(u, "status");
    check_button(u, "out_of_service");
    /* The leave button is the ui's common back button (KIOSK_ROLE_NAV), sized by ui/ for every
     * flow alike; it is checked with those screens. */
    SHOT(menu_super, "menu_supervisor");
    check_button(u, "resume");
    SHOT(card_prompt, "card_prompt");
    SHOT(bill_next, "bill_next");
    check_button(u, "confirm");
    SHOT(volume, "volume");
    check_button(u, "volume_down");
    check_button(u, "volume_up");
    check_button(u, "exit_os");
    /* The supervisor's status: the figures fill the right-hand column, the actions stand in
     * the empty words column instead of under them. */
    SHOT(status_super, "status_supervisor");
    if (all) {
        check_button(u, "settings"); /* 120 px: 30 mm on this panel */
        SHOT(locked, "locked");
        SHOT(void_list, "void");
        check_button(u, "meal1");
        SHOT(reason, "reason");
        check_button(u, "reason1");
        SHOT(day, "dayview");
        SHOT(status, "status");
        SHOT(oos, "out_of_service");
    }
#undef SHOT
    CHECK_INT(ui_text_missing_glyphs(ui_text_engine(u)), 0);
    CHECK_INT(ui_text_clipped(ui_text_engine(u)), 0);
    ui_free(u);
}

/* The comparison must be able to fail: four dots for three differ from the golden image. */
static void test_wrong_dots_are_caught(const screens *s)
{
    ui *u = open_ui(1920, 1080);
    if (!u)
        return;
    kiosk_view wrong = s->pin_typed;
    snprintf(wrong.keypad.value, sizeof wrong.keypad.value, "●●●●");
    SDL_Surface *right = golden_render(u, dir, &frame, &s->pin_typed),
                *bad = golden_render(u, dir, &frame, &wrong);
    if (right && bad) {
        long differing = golden_differing_pixels(right, bad);
        fprintf(stderr, "four dots for three: %ld pixels differ\n", differing);
        CHECK(differing > 100);
    }
    SDL_FreeSurface(right);
    SDL_FreeSurface(bad);
    ui_free(u);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !(dir = check_scratch_dir("kiosk-staff-screens")))
        return 2;
    root = argv[1];
    screens_language_setup(argc, argv, &frame);
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static screens s;
    collect(&s);
    screens_at(&s, 1920, 1080, true);
    screens_at(&s, 1280, 800, false);
    screens_at(&s, 1080, 1920, false);
    test_wrong_dots_are_caught(&s);
    check_scratch_remove(dir);
    CHECK_DONE();
}
