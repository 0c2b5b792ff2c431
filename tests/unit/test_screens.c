/* test_screens.c - golden screenshots under SDL's offscreen driver and software renderer, at
 * 1920x1080, 1280x800 and portrait 1080x1920. The screens come from the real canteen flow (a
 * store with the sample roster and policy, real taps) plus hand-built views of the generic
 * layouts no canteen flow shows (a form with a keypad, in the marriage hall's booking words). A
 * frame must match its golden image in every pixel to within GOLDEN_TOLERANCE per channel: an
 * unchanged render differs by 0, and a wrong amount (a self-check below draws ¥18.00 for ¥10.00)
 * fails. On a mismatch <name>_actual.png is written next to the test binary;
 * KIOSK_REGEN_GOLDEN=1 rewrites the golden images (look at each before committing). Also
 * structural checks: no missing glyphs, buttons where expected and big enough to touch, counts
 * beyond the view's arrays clamped. */
#define _POSIX_C_SOURCE 200809L
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age_sizes.h"
#include "canteen.h"
#include "canteen_words.h"
#include "check.h"
#include "clock.h"
#include "database.h"
#include "golden.h"
#include "marriage_words.h"
#include "out_of_service.h"
#include "pacing.h"
#include "screens_language.h"
#include "text.h"
#include "ui.h"
#include "view.h"

/* Per-channel difference allowed; any pixel beyond it fails. Font rasterising is deterministic
 * for one build of FreeType, so the headroom is for blending rounding only. */
static const char *root;
static const char *dir;

static kiosk_frame frame = {
    .date_text = "2026年11月23日 星期一", .time_text = "11:30", .status_text = ""};

/* --- the comparison ----------------------------------------------------------------------- */

static void shoot(ui *u, const char *name, const kiosk_frame *f, const kiosk_view *v)
{
    SDL_Surface *s = golden_render(u, dir, f, v);
    if (!s)
        return;
    /* Nothing drawn over anything else, nothing off the screen. */
    char what[256];
    size_t overlaps = ui_overlaps(u, what, sizeof what);
    if (overlaps)
        fprintf(stderr, "%s: %zu overlaps; the first: %s\n", name, overlaps, what);
    CHECK_INT(overlaps, 0);
    int w, h;
    ui_size(u, &w, &h);
    age_check_frame(u, name, age_panel_diagonal(w, h), age_panel_viewing_cm(w, h));
    SCREENS_CHECK_RESULT_WORDS(v, name);
    age_check_contrast(u, s, v, name);
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
    int sw, sh;
    ui_size(u, &sw, &sh);
    /* 30 mm on the test's panel (age_sizes.h). */
    int target =
        age_floors_for(sw, sh, age_panel_diagonal(sw, sh), age_panel_viewing_cm(sw, sh)).target_px;
    CHECK(w >= target && h >= target);
    CHECK(x >= 0 && y >= 0 && x + w <= sw && y + h <= sh);
    CHECK_STR(ui_widget_at(u, x + w / 2, y + h / 2), id);
}

/* --- views from the real canteen flow ------------------------------------------------------- */

typedef struct canteen_fixture {
    kiosk_flow_settings settings;
    kiosk_store *store;
    kiosk_policy_set *policies;
    kiosk_canteen *canteen;
    int64_t mono;
} canteen_fixture;

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

static void fixture_open(canteen_fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/screens.db", dir);
    CHECK_INT(kiosk_store_open(path, &fx->store, err, sizeof err), KIOSK_OK);
    snprintf(path, sizeof path, "%s/tests/data/roster-sample.csv", root);
    FILE *csv = fopen(path, "r");
    CHECK(csv != NULL);
    kiosk_import_stats stats;
    CHECK_INT(kiosk_store_import_roster(fx->store, csv, (kiosk_date){2026, 11, 23}, &stats, err,
                                        sizeof err),
              KIOSK_OK);
    fclose(csv);
    snprintf(path, sizeof path, "%s/tests/policies/fixed-by-class.json", root);
    FILE *f = fopen(path, "rb");
    static char json[65536];
    size_t n = f ? fread(json, 1, sizeof json, f) : 0;
    if (f)
        fclose(f);
    CHECK_INT(kiosk_store_put_policy(fx->store, json, n, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_load_policies(fx->store, &fx->policies), KIOSK_OK);
    kiosk_flow_settings *s = &fx->settings;
    s->result_seconds = 8;
    s->repeat_tap_seconds = 10;
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "k-screens");
    snprintf(s->site_name, sizeof s->site_name, "鼓楼区华侨路长者食堂");
    snprintf(s->site.canteen_id, sizeof s->site.canteen_id, "gulou-hql");
    snprintf(s->site.area.city, sizeof s->site.area.city, "320100");
    snprintf(s->site.area.district, sizeof s->site.area.district, "320102");
    snprintf(s->site.area.street, sizeof s->site.area.street, "320102002");
    kiosk_flow_env env = {.settings = s, .store = fx->store, .policies = fx->policies};
    fx->canteen = kiosk_canteen_new(&env);
    CHECK(fx->canteen != NULL);
}

static void fixture_close(canteen_fixture *fx)
{
    kiosk_canteen_free(fx->canteen);
    kiosk_policy_set_free(fx->policies);
    kiosk_store_close(fx->store);
}

/* A tap at local 11:30 + minute on a fresh (not repeated) monotonic time. */
static const kiosk_view *tap(canteen_fixture *fx, const char *hex, int64_t utc_ms)
{
    kiosk_card card = {.uid_len = strlen(hex) / 2};
    for (size_t i = 0; i < card.uid_len; i++)
        sscanf(hex + 2 * i, "%2hhx", &card.uid[i]);
    kiosk_canteen_on_card(fx->canteen, &card, (kiosk_now){utc_ms, fx->mono += 60000});
    return kiosk_canteen_view(fx->canteen);
}

/* The screens a diner meets, in one fixed order so the store holds the same meals each run. */
typedef struct canteen_screens {
    kiosk_view idle, success, already, unknown, blocked, wrong_canteen, outside, help;
} canteen_screens;

static void collect_canteen_screens(canteen_screens *out)
{
    canteen_fixture fx;
    fixture_open(&fx);
    out->idle = *kiosk_canteen_view(fx.canteen);
    out->success = *tap(&fx, "04A7B8C9", at(11, 30)); /* 88: lunch 15.00 - 5.00 = 10.00 */
    out->already = *tap(&fx, "04A7B8C9", at(11, 42));
    out->unknown = *tap(&fx, "0A0B0C0D", at(11, 43));
    out->blocked = *tap(&fx, "04E5F6A7", at(11, 44));
    out->wrong_canteen = *tap(&fx, "04EBFC0D", at(11, 45));
    out->outside = *tap(&fx, "04A1B2C3", at(15, 0));
    kiosk_canteen_on_press(fx.canteen, "back", (kiosk_now){at(15, 1), fx.mono += 1000});
    kiosk_canteen_on_press(fx.canteen, "help", (kiosk_now){at(15, 1), fx.mono += 1000});
    out->help = *kiosk_canteen_view(fx.canteen);
    fixture_close(&fx);
    /* The figures are the flow's, checked here so a golden image never hides a wrong amount. */
    CHECK_STR(out->success.headline, _("用餐成功"));
    CHECK_INT(out->success.figure_count, 4);
    CHECK_STR(out->success.figures[0].value, "¥15.00");
    CHECK_STR(out->success.figures[1].value, "¥5.00");
    CHECK_STR(out->success.figures[2].value, "¥195.00"); /* ¥200 a month, less today's ¥5 */
    CHECK_STR(out->success.figures[3].value, "¥10.00");
    CHECK_STR(out->already.headline, _("本餐已经用过"));
    CHECK_STR(out->unknown.headline, _("未登记的卡"));
    CHECK_STR(out->blocked.headline, _("此卡已停用"));
    CHECK_STR(out->wrong_canteen.headline, _("非本助餐点的卡"));
    CHECK_STR(out->outside.headline, _("现在不是用餐时间"));
}

/* --- hand-built views of generic layouts ---------------------------------------------------- */

static void add_button(kiosk_view *v, const char *id, const char *label, kiosk_role role)
{
    kiosk_button *b = &v->buttons[v->button_count++];
    snprintf(b->id, sizeof b->id, "%s", id);
    snprintf(b->label, sizeof b->label, "%s", label);
    b->role = role;
}

static kiosk_view keypad_view(void)
{
    /* The marriage hall's booking number form (marriage_flow.c) in the language the test runs
     * in: the words of its table, translated, so an English run shows no Chinese word. */
    const marriage_words *W = marriage_text_tr();
    kiosk_view v = {.layout = KIOSK_LAYOUT_FORM, .tone = KIOSK_TONE_INFO, .countdown_s = 40};
    snprintf(v.screen, sizeof v.screen, "keypad");
    snprintf(v.title, sizeof v.title, "鼓楼区婚姻登记处 · %s", W->title_suffix);
    snprintf(v.headline, sizeof v.headline, "%s", W->booking_headline);
    snprintf(v.message, sizeof v.message, "%s", W->booking_message);
    snprintf(v.advice, sizeof v.advice, "%s", W->booking_advice);
    v.keypad.shown = true;
    snprintf(v.keypad.value, sizeof v.keypad.value, "2026 11");
    snprintf(v.keypad.backspace_label, sizeof v.keypad.backspace_label, "%s", W->backspace);
    snprintf(v.keypad.confirm_label, sizeof v.keypad.confirm_label, "%s", W->confirm);
    add_button(&v, "back", _("返回"), KIOSK_ROLE_NAV);
    return v;
}

static kiosk_view choices_view(void)
{
    /* The canteen's menu words in the language the test runs in; the meals are configured
     * names (data: [canteen] menu1 = A套餐:1200). */
    const canteen_words *W = canteen_text_tr();
    kiosk_view v = {.layout = KIOSK_LAYOUT_FORM, .tone = KIOSK_TONE_INFO};
    snprintf(v.screen, sizeof v.screen, "choices");
    snprintf(v.title, sizeof v.title, "鼓楼区华侨路长者食堂 · %s", W->title_suffix);
    snprintf(v.headline, sizeof v.headline, "%s", W->menu_headline);
    snprintf(v.message, sizeof v.message, "%s", W->menu_message);
    static const char *const meals[] = {"A 套餐 ¥12.00", "B 套餐 ¥15.00", "C 套餐 ¥18.00",
                                        "素食 ¥10.00"};
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "menu%d", i + 1);
        add_button(&v, id, meals[i], KIOSK_ROLE_SECONDARY);
    }
    add_button(&v, "back", W->back, KIOSK_ROLE_NAV);
    return v;
}

/* --- the tests ------------------------------------------------------------------------------ */

static ui *open_ui(int w, int h, const char *reader_position)
{
    char fonts[1024];
    snprintf(fonts, sizeof fonts, "%s/fonts", root);
    ui_options opts = {.width = w,
                       .height = h,
                       .headless = true,
                       .font_dir = fonts,
                       .reader_position = reader_position,
                       .diagonal_in = age_panel_diagonal(w, h),
                       .viewing_cm = age_panel_viewing_cm(w, h)};
    bool no_display;
    char err[256];
    ui *u = ui_new(&opts, &no_display, err, sizeof err);
    if (!u)
        fprintf(stderr, "%s\n", err);
    CHECK(u != NULL);
    return u;
}

static void screens_at(const canteen_screens *c, int w, int h, bool all)
{
    char suffix[32], name[96];
    snprintf(suffix, sizeof suffix, "%dx%d", w, h);
    ui *u = open_ui(w, h, "bottom");
    if (!u)
        return;
    snprintf(name, sizeof name, "idle_%s", suffix);
    shoot(u, name, &frame, &c->idle);
    check_button(u, "help");
    CHECK(!ui_widget_rect(u, "dayview", &(int){0}, &(int){0}, &(int){0}, &(int){0}));
    CHECK(ui_widget_at(u, 1, h - 1) == NULL);
    snprintf(name, sizeof name, "success_%s", suffix);
    shoot(u, name, &frame, &c->success);
    check_button(u, "back");
    check_button(u, "help"); /* help is one touch away on a result too */
    snprintf(name, sizeof name, "refused_already_had_meal_%s", suffix);
    shoot(u, name, &frame, &c->already);
    snprintf(name, sizeof name, "refused_wrong_canteen_%s", suffix);
    shoot(u, name, &frame, &c->wrong_canteen);
    /* A kiosk whose database could not be recovered: the flow's screen and the app's staff line
     * (the words of kiosk/database.h), on every screen size. */
    kiosk_flow_settings settings = {.site_name = "鼓楼区华侨路长者食堂"};
    kiosk_flow_env env = {.settings = &settings};
    void *closed = NULL;
    char err[128];
    CHECK_INT(kiosk_out_of_service_flow.create(&env, &closed, err, sizeof err), KIOSK_OK);
    if (closed) {
        kiosk_frame staff = frame;
        snprintf(staff.status_text, sizeof staff.status_text, "%s", KIOSK_NOTICE_UNRECOVERED);
        snprintf(name, sizeof name, "out_of_service_%s", suffix);
        shoot(u, name, &staff, kiosk_out_of_service_flow.view(closed));
        kiosk_out_of_service_flow.destroy(closed);
    }
    snprintf(name, sizeof name, "keypad_%s", suffix);
    kiosk_view k = keypad_view();
    shoot(u, name, &frame, &k);
    static const char *const keys[] = {"key0",      "key1",    "key5", "key9",
                                       "backspace", "confirm", "back"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        check_button(u, keys[i]);
    /* What was typed is on screen at every size and in every language: the frame with 2026 11
     * typed differs from the one with nothing typed (a two-line English headline once pushed
     * the box off a 1280x800 screen). */
    kiosk_view empty = k;
    empty.keypad.value[0] = '\0';
    SDL_Surface *typed = golden_render(u, dir, &frame, &k),
                *none = golden_render(u, dir, &frame, &empty);
    if (typed && none) {
        long differing = golden_differing_pixels(typed, none);
        if (differing < 1000)
            fprintf(stderr, "%s: what was typed is not shown (%ld pixels differ)\n", name,
                    differing);
        CHECK(differing >= 1000);
    }
    SDL_FreeSurface(typed);
    SDL_FreeSurface(none);
    if (all) {
        shoot(u, "refused_unknown_card_1920x1080", &frame, &c->unknown);
        shoot(u, "refused_card_blocked_1920x1080", &frame, &c->blocked);
        shoot(u, "refused_outside_hours_1920x1080", &frame, &c->outside);
        shoot(u, "help_1920x1080", &frame, &c->help);
        kiosk_view m = choices_view();
        shoot(u, "choices_1920x1080", &frame, &m);
        check_button(u, "menu1");
        check_button(u, "menu4");
        /* The staff line the app adds on the idle screen (app.c update_status), in the
         * language the test runs in. */
        kiosk_frame staff = frame;
        char paper[96];
        snprintf(paper, sizeof paper, _("%s缺纸"), _("打印机"));
        snprintf(staff.status_text, sizeof staff.status_text, "%s · %s",
                 _("本机数据曾损坏，已恢复"), paper);
        shoot(u, "idle_status_1920x1080", &staff, &c->idle);
    }
    CHECK_INT(ui_text_missing_glyphs(ui_text_engine(u)), 0);
    /* Nothing cut off: every text fitted at a readable size (wrapped or shrunk to 36 px). */
    CHECK_INT(ui_text_clipped(ui_text_engine(u)), 0);
    ui_free(u);
}

/* The screens as the app shows them, with what pacing adds (kiosk/pacing.h): 呼叫工作人员 in the
 * title bar, 再听一遍 on a result, the hold notice, the call's answer, a form's warning with
 * 还要时间. No golden images (the countdown moves): the size rules, no overlaps, nothing
 * clipped, every pacing button on screen and big enough to touch. */
static void paced_at(const canteen_screens *c, int w, int h)
{
    ui *u = open_ui(w, h, "bottom");
    if (!u)
        return;
    struct {
        const char *name;
        const kiosk_view *v;
        const char *press; /* a pacing widget pressed at 5 s, or NULL */
        int64_t flow_end, shown_at;
    } cases[] = {
        {"idle", &c->idle, NULL, INT64_MAX, 1000},
        {"success", &c->success, NULL, 8000, 1000},
        {"success_called", &c->success, KIOSK_PACING_CALL, 8000, 6000},
        {"refused", &c->already, NULL, 8000, 1000},
    };
    char name[96], err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiosk_pacing p;
        kiosk_pacing_init(&p);
        kiosk_pacing_view(&p, cases[i].v, cases[i].flow_end, 0);
        kiosk_pacing_spoken(&p, 4000);
        if (cases[i].press)
            CHECK(kiosk_pacing_press(&p, cases[i].press, cases[i].flow_end, 5000));
        const kiosk_view *v =
            kiosk_pacing_view(&p, cases[i].v, cases[i].flow_end, cases[i].shown_at);
        snprintf(name, sizeof name, "paced_%s_%dx%d", cases[i].name, w, h);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.png", screens_lang ? screens_shots : dir, name);
        CHECK_INT(ui_save_png(u, &frame, v, path, err, sizeof err), KIOSK_OK);
        char what[256];
        size_t overlaps = ui_overlaps(u, what, sizeof what);
        if (overlaps)
            fprintf(stderr, "%s: %zu overlaps; the first: %s\n", name, overlaps, what);
        CHECK_INT(overlaps, 0);
        age_check_frame(u, name, age_panel_diagonal(w, h), age_panel_viewing_cm(w, h));
        check_button(u, KIOSK_PACING_CALL);
        if (v->layout == KIOSK_LAYOUT_RESULT)
            check_button(u, KIOSK_PACING_AGAIN);
    }
    /* A keypad form 40 s into a 60 s wait: the warning and 还要时间. */
    kiosk_view k = keypad_view();
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_pacing_view(&p, &k, 60000, 0);
    kiosk_pacing_spoken(&p, 0);
    const kiosk_view *v = kiosk_pacing_view(&p, &k, 60000, 41000);
    snprintf(name, sizeof name, "paced_keypad_warning_%dx%d", w, h);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.png", screens_lang ? screens_shots : dir, name);
    CHECK_INT(ui_save_png(u, &frame, v, path, err, sizeof err), KIOSK_OK);
    char what[256];
    size_t overlaps = ui_overlaps(u, what, sizeof what);
    if (overlaps)
        fprintf(stderr, "%s: %zu overlaps; the first: %s\n", name, overlaps, what);
    CHECK_INT(overlaps, 0);
    age_check_frame(u, name, age_panel_diagonal(w, h), age_panel_viewing_cm(w, h));
    check_button(u, KIOSK_PACING_MORE);
    check_button(u, KIOSK_PACING_CALL);
    CHECK_INT(ui_text_missing_glyphs(ui_text_engine(u)), 0);
    CHECK_INT(ui_text_clipped(ui_text_engine(u)), 0);
    ui_free(u);
}

/* The comparison itself must be able to fail: the success screen with ¥18.00 for ¥10.00 differs
 * from its golden image. */
static void test_wrong_amount_is_caught(const canteen_screens *c)
{
    ui *u = open_ui(1920, 1080, "bottom");
    if (!u)
        return;
    kiosk_view wrong = c->success;
    snprintf(wrong.figures[2].value, sizeof wrong.figures[2].value, "¥18.00");
    SDL_Surface *right = golden_render(u, dir, &frame, &c->success),
                *bad = golden_render(u, dir, &frame, &wrong);
    if (right && bad) {
        CHECK_INT(golden_differing_pixels(right, right), 0);
        long differing = golden_differing_pixels(right, bad);
        fprintf(stderr, "¥18.00 for ¥10.00: %ld pixels differ\n", differing);
        CHECK(differing > 100);
    }
    SDL_FreeSurface(right);
    SDL_FreeSurface(bad);
    ui_free(u);
}

/* A flow that claims more figures, buttons or rows than a view holds must not make ui read past
 * its arrays (AddressSanitizer watches this test). */
static void test_counts_are_clamped(const canteen_screens *c)
{
    ui *u = open_ui(1280, 800, "right");
    if (!u)
        return;
    kiosk_view v = c->success;
    v.layout = KIOSK_LAYOUT_TABLE;
    v.table.row_count = 1000;
    v.button_count = 1000;
    v.figure_count = 1000;
    v.voice.count = 1000;
    SDL_Surface *s = golden_render(u, dir, &frame, &v);
    CHECK(s != NULL);
    SDL_FreeSurface(s);
    v = c->success;
    v.figure_count = (size_t)-1;
    s = golden_render(u, dir, &frame, &v);
    CHECK(s != NULL);
    SDL_FreeSurface(s);
    ui_render(u, &frame, &v);
    ui_free(u);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !(dir = check_scratch_dir("kiosk-screens")))
        return 2;
    root = argv[1];
    screens_language_setup(argc, argv, &frame);
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static canteen_screens c;
    collect_canteen_screens(&c);
    screens_at(&c, 1920, 1080, true);
    screens_at(&c, 1280, 800, false);
    screens_at(&c, 1080, 1920, false);
    paced_at(&c, 1920, 1080);
    paced_at(&c, 1280, 800);
    paced_at(&c, 1080, 1920);
    test_wrong_amount_is_caught(&c);
    test_counts_are_clamped(&c);
    age_floors_selfcheck();
    age_report(argv[0]);
    age_check_tones();
    check_scratch_remove(dir);
    CHECK_DONE();
}
