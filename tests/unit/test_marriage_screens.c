/* test_marriage_screens.c - golden screenshots of the marriage hall's screens (the check-in flow
 * and the now-serving board) under SDL's offscreen driver, at 1920x1080, 1280x800 and portrait
 * 1080x1920, made by the real flows over a store with tests/data/appointments-sample.csv. Each
 * frame must match its golden image within GOLDEN_TOLERANCE per channel, and ui_overlaps must
 * find no text over a button, over another text, over a panel or off the screen. On a mismatch
 * <name>_actual.png is written beside the test binary; KIOSK_REGEN_GOLDEN=1 rewrites the goldens
 * (look at each before committing). The queue number is checked in the view too, so a golden
 * image never hides a wrong number. */
#define _POSIX_C_SOURCE 200809L
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age_sizes.h"
#include "board.h"
#include "check.h"
#include "clock.h"
#include "golden.h"
#include "hall.h"
#include "marriage_flow.h"
#include "screens_language.h"
#include "text.h"
#include "ui.h"
#include "view.h"

static const char *root;
static const char *dir;

static kiosk_frame frame = {
    .date_text = "2026年11月23日 星期一", .time_text = "09:05", .status_text = ""};

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
    CHECK_STR(ui_widget_at(u, x + w / 2, y + h / 2), id);
}

/* --- the screens, from the real flows ------------------------------------------------------- */

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

typedef struct screens {
    kiosk_view idle, second, ticket, refused, not_together, booking, cards, help, board, board_idle;
} screens;

static char *read_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/%s", root, name);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char *buf = calloc(1, 65536);
    *len = f ? fread(buf, 1, 65535, f) : 0;
    if (f)
        fclose(f);
    return buf;
}

static void collect(screens *out)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/screens.db", dir);
    kiosk_store *store = NULL;
    CHECK_INT(kiosk_store_open(path, &store, err, sizeof err), KIOSK_OK);
    size_t len;
    long rows;
    int years;
    char *text = read_data("appointments-sample.csv", &len);
    CHECK_INT(kiosk_store_import_appointments(store, text, len, (kiosk_date){2026, 11, 23},
                                              at(8, 0), &rows, err, sizeof err),
              KIOSK_OK);
    free(text);
    text = read_data("calendar-2026.csv", &len);
    CHECK_INT(kiosk_store_import_calendar(store, text, len, at(8, 0), &years, err, sizeof err),
              KIOSK_OK);
    free(text);
    kiosk_flow_settings settings = {.result_seconds = 8};
    snprintf(settings.kiosk_id, sizeof settings.kiosk_id, "hall-k1");
    snprintf(settings.site_name, sizeof settings.site_name, "鼓楼区婚姻登记处");
    kiosk_setting items[] = {{"area_marriage", "二楼A区"},
                             {"area_divorce_cert", "三楼 离婚登记等候区"}};
    kiosk_flow_sections sections = {.names = {"marriage"}, .sections = {{items, 2}}, .count = 1};
    kiosk_flow_env env = {.settings = &settings, .sections = &sections, .store = store};
    kiosk_marriage *m = NULL;
    CHECK_INT(kiosk_marriage_new(&env, &m, err, sizeof err), KIOSK_OK);
    if (!m)
        return;
    int64_t mono = 1000000;
#define NOW(hh, mm) ((kiosk_now){at(hh, mm), mono += 1000})
    kiosk_idcard id = {.type = KIOSK_IDCARD_RESIDENT};
#define CARD(num_, who_, hh, mm)                           \
    do {                                                   \
        snprintf(id.number, sizeof id.number, "%s", num_); \
        snprintf(id.name, sizeof id.name, "%s", who_);     \
        kiosk_marriage_on_idcard(m, &id, NOW(hh, mm));     \
    } while (0)
    out->idle = *kiosk_marriage_view(m);
    CARD("320102199503152019", "张三明", 9, 5);
    out->second = *kiosk_marriage_view(m);
    CARD("320102199704202027", "李小华", 9, 5);
    out->ticket = *kiosk_marriage_view(m);
    CHECK_STR(out->ticket.code, "J001");
    kiosk_marriage_on_press(m, "back", NOW(9, 6));
    CARD("330106198808081111", "高峰", 9, 6);
    CARD("330106198909092223", "罗敏", 9, 6);
    out->refused = *kiosk_marriage_view(m);
    CHECK_STR(out->refused.headline, _("冷静期还没有结束"));
    CARD("440304199005156819", "王大伟", 9, 7);
    CARD("110108198202020084", "吴秀英", 9, 7);
    out->not_together = *kiosk_marriage_view(m);
    CHECK_STR(out->not_together.headline, _("两位没有共同的预约"));
    kiosk_marriage_on_press(m, "booking", NOW(9, 8));
    for (const char *d = "20261123010"; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        kiosk_marriage_on_press(m, key, NOW(9, 8));
    }
    out->booking = *kiosk_marriage_view(m);
    kiosk_marriage_on_press(m, "confirm", NOW(9, 8));
    out->cards = *kiosk_marriage_view(m);
    CHECK_STR(out->cards.screen, "cards");
    kiosk_marriage_on_press(m, "cancel", NOW(9, 9));
    kiosk_marriage_on_press(m, "help", NOW(9, 9));
    out->help = *kiosk_marriage_view(m);
    /* The board over the same store: A2's couple and a walk-in take numbers, counters call. */
    CARD("440304199005156819", "王大伟", 10, 0);
    CARD("440304199208081247", "陈美玲", 10, 0);
    kiosk_checkin_entry e;
    CHECK_INT(kiosk_marriage_walkin(m, KIOSK_SERVICE_MARRIAGE, NOW(10, 1), &e), KIOSK_OK);
    CHECK_INT(kiosk_marriage_walkin(m, KIOSK_SERVICE_REISSUE_DIVORCE, NOW(10, 1), &e), KIOSK_OK);
    CHECK_INT(kiosk_marriage_walkin(m, KIOSK_SERVICE_DIVORCE_APPLY, NOW(10, 1), &e), KIOSK_OK);
    kiosk_marriage_free(m);
    kiosk_flow_sections board_sections = {.count = 0};
    env.sections = &board_sections;
    kiosk_board *b = NULL;
    CHECK_INT(kiosk_board_new(&env, &b, err, sizeof err), KIOSK_OK);
    if (b) {
        kiosk_board_on_tick(b, NOW(10, 2));
        out->board_idle = *kiosk_board_view(b);
        kiosk_board_on_press(b, "call:2", NOW(10, 3));
        kiosk_board_on_tick(b, (kiosk_now){at(10, 4), mono += 20000});
        kiosk_board_on_press(b, "call:3", NOW(10, 4));
        out->board = *kiosk_board_view(b);
        /* The call as the board composes it, from its words in the test's language. */
        char call[96];
        snprintf(call, sizeof call, "%sJ001%s3%s", _("请 "), _(" 号到 "), _(" 号窗口"));
        CHECK_STR(out->board.headline, screens_lang ? call : "请 J001 号到 3 号窗口");
        kiosk_board_free(b);
    }
#undef CARD
#undef NOW
    kiosk_store_close(store);
}

static ui *open_ui(int w, int h)
{
    char fonts[1024];
    snprintf(fonts, sizeof fonts, "%s/fonts", root);
    ui_options opts = {.width = w,
                       .height = h,
                       .headless = true,
                       .font_dir = fonts,
                       .reader_position = "bottom",
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

static void screens_at(const screens *s, int w, int h, bool all)
{
    char name[96];
    ui *u = open_ui(w, h);
    if (!u)
        return;
#define SHOT(view, what)                                              \
    do {                                                              \
        snprintf(name, sizeof name, "marriage_%s_%dx%d", what, w, h); \
        shoot(u, name, &frame, &s->view);                             \
    } while (0)
    SHOT(idle, "idle");
    check_button(u, "booking");
    check_button(u, "help");
    SHOT(second, "second");
    check_button(u, "cancel");
    SHOT(ticket, "ticket");
    check_button(u, "back");
    SHOT(refused, "cooling_early");
    SHOT(booking, "booking");
    check_button(u, "key0");
    check_button(u, "confirm");
    SHOT(board, "board");
    if (all) {
        SHOT(not_together, "not_together");
        SHOT(cards, "cards");
        SHOT(help, "help");
        SHOT(board_idle, "board_idle");
        /* The staff line on the board. */
        kiosk_frame staff = frame;
        snprintf(staff.status_text, sizeof staff.status_text, "打印机缺纸");
        snprintf(name, sizeof name, "marriage_board_status_%dx%d", w, h);
        shoot(u, name, &staff, &s->board);
    }
#undef SHOT
    CHECK_INT(ui_text_missing_glyphs(ui_text_engine(u)), 0);
    CHECK_INT(ui_text_clipped(ui_text_engine(u)), 0);
    ui_free(u);
}

/* The comparison must be able to fail: the ticket with J007 for J001 differs from its golden. */
static void test_wrong_number_is_caught(const screens *s)
{
    ui *u = open_ui(1920, 1080);
    if (!u)
        return;
    kiosk_view wrong = s->ticket;
    snprintf(wrong.code, sizeof wrong.code, "J007");
    SDL_Surface *right = golden_render(u, dir, &frame, &s->ticket),
                *bad = golden_render(u, dir, &frame, &wrong);
    if (right && bad) {
        long differing = golden_differing_pixels(right, bad);
        fprintf(stderr, "J007 for J001: %ld pixels differ\n", differing);
        CHECK(differing > 100);
    }
    SDL_FreeSurface(right);
    SDL_FreeSurface(bad);
    ui_free(u);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !(dir = check_scratch_dir("kiosk-marriage-screens")))
        return 2;
    root = argv[1];
    screens_language_setup(argc, argv, &frame);
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static screens s;
    collect(&s);
    screens_at(&s, 1920, 1080, true);
    screens_at(&s, 1280, 800, false);
    screens_at(&s, 1080, 1920, false);
    test_wrong_number_is_caught(&s);
    age_floors_selfcheck();
    age_report(argv[0]);
    check_scratch_remove(dir);
    CHECK_DONE();
}
