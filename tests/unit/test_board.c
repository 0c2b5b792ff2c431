/* test_board.c - the now-serving board inside the process: tickets issued by the check-in flow
 * in one store, counters' call buttons pressed on the board, and what the board shows and says.
 * A call is spoken twice, after whatever is being said (the voice intent's `after`); a second
 * call made while the first is up waits its turn rather than cutting in; calls made by someone
 * else in the same database (another process) are picked up within a second; old calls are not
 * announced again at start; the waiting counts follow; a counter serves its prefixes only; the
 * [board] settings are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "check.h"
#include "clock.h"
#include "hall.h"

static const char *dir;

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

static const kiosk_date day = {2026, 11, 23};

typedef struct fixture {
    kiosk_flow_settings settings;
    kiosk_store *store;
    kiosk_board *b;
    kiosk_setting items[4];
    kiosk_flow_sections sections;
    int64_t mono, utc;
    int walkins;
} fixture;

static kiosk_now now_of(fixture *fx)
{
    return (kiosk_now){fx->utc, fx->mono};
}

static void ticket(fixture *fx, kiosk_service s, kiosk_lane lane, const char *appointment)
{
    kiosk_ticket_request req = {
        .appointment_id = appointment,
        .service = s,
        .lane = lane,
        .prefix = s == KIOSK_SERVICE_MARRIAGE           ? 'J'
                  : s == KIOSK_SERVICE_REISSUE_MARRIAGE ? 'B'
                                                        : 'L',
        .numbering = {1, 1},
        .kiosk_id = "hall-k1",
        .now_utc_ms = fx->utc,
        .at = kiosk_clock_local(fx->utc),
    };
    kiosk_checkin_entry e;
    bool existing;
    fx->utc += 1000;
    CHECK_INT(kiosk_store_issue_ticket(fx->store, &req, &e, &existing), KIOSK_OK);
}

static void setup(fixture *fx, const kiosk_setting *items, size_t n)
{
    memset(fx, 0, sizeof *fx);
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/board.db", dir);
    remove(path);
    CHECK_INT(kiosk_store_open(path, &fx->store, err, sizeof err), KIOSK_OK);
    snprintf(fx->settings.kiosk_id, sizeof fx->settings.kiosk_id, "hall-board");
    snprintf(fx->settings.site_name, sizeof fx->settings.site_name, "鼓楼区婚姻登记处");
    memcpy(fx->items, items, n * sizeof *items);
    fx->sections =
        (kiosk_flow_sections){.names = {"board"}, .sections = {{fx->items, n}}, .count = 1};
    fx->utc = at(9, 0);
    fx->mono = 5000000;
    /* Two calls made before the board starts: shown, not announced. */
    ticket(fx, KIOSK_SERVICE_MARRIAGE, KIOSK_LANE_BOOKED, "X1");
    kiosk_queue_call c;
    CHECK_INT(kiosk_store_call_next(fx->store, day, 1, "", "k", fx->utc, &c), KIOSK_OK);
    kiosk_flow_env env = {.settings = &fx->settings, .sections = &fx->sections, .store = fx->store};
    CHECK_INT(kiosk_board_new(&env, &fx->b, err, sizeof err), KIOSK_OK);
}

static const kiosk_view *tick(fixture *fx, int ms)
{
    fx->mono += ms;
    fx->utc += ms;
    kiosk_board_on_tick(fx->b, now_of(fx));
    return kiosk_board_view(fx->b);
}

static const kiosk_view *call(fixture *fx, int counter)
{
    char widget[16];
    snprintf(widget, sizeof widget, "call:%d", counter);
    fx->mono += 100;
    fx->utc += 100;
    kiosk_board_on_press(fx->b, widget, now_of(fx));
    return kiosk_board_view(fx->b);
}

static void test_calls(void)
{
    static const kiosk_setting items[] = {
        {"counter3", "J"}, {"counter5", "BL"}, {"call_seconds", "8"}};
    fixture fx;
    setup(&fx, items, 3);
    const kiosk_view *v = tick(&fx, 0);
    CHECK_INT(v->layout, KIOSK_LAYOUT_BOARD);
    CHECK_STR(v->headline, "请留意叫号");
    CHECK_INT(v->voice.serial, 0); /* the call of before the start is not announced */
    CHECK_INT(v->table.row_count, 1);
    CHECK_STR(v->table.cells[0][0], "J001");
    CHECK_STR(v->message, "暂无等候");
    ticket(&fx, KIOSK_SERVICE_MARRIAGE, KIOSK_LANE_WALKIN, NULL);         /* J002 */
    ticket(&fx, KIOSK_SERVICE_MARRIAGE, KIOSK_LANE_BOOKED, "X2");         /* J003 */
    ticket(&fx, KIOSK_SERVICE_REISSUE_MARRIAGE, KIOSK_LANE_BOOKED, "X3"); /* B001 */
    v = tick(&fx, 1000);
    CHECK_INT(v->figure_count, 2);
    CHECK_STR(v->figures[0].label, "结婚登记");
    CHECK_STR(v->figures[0].value, "2 人");
    CHECK_STR(v->figures[1].label, "补领结婚证");
    /* Counter 3 (J only): the booked J003 before the walk-in J002. */
    v = call(&fx, 3);
    CHECK_STR(v->headline, "请 J003 号到 3 号窗口");
    CHECK_INT(v->voice.serial, 1);
    CHECK(v->voice.after);
    /* 请 J 0 0 3 号到 3 号窗口, twice. */
    static const char *const spoken[] = {"call_qing", "letter_j",     "d0", "d0",
                                         "d3",        "call_hao_dao", "d3", "call_window"};
    CHECK_INT(v->voice.count, 16);
    for (size_t i = 0; i < 16 && i < v->voice.count; i++)
        CHECK_STR(v->voice.clips[i], spoken[i % 8]);
    CHECK_STR(v->table.cells[0][0], "J003");
    CHECK_STR(v->table.cells[0][1], "3 号窗口");
    CHECK_STR(v->figures[0].value, "1 人");
    /* Counter 5 calls at once: it waits until the first call has had its 8 seconds. */
    v = call(&fx, 5);
    CHECK_STR(v->headline, "请 J003 号到 3 号窗口");
    CHECK_INT(v->voice.serial, 1);
    CHECK_STR(v->table.cells[0][0], "B001"); /* the list shows it already */
    v = tick(&fx, 7000);
    CHECK_INT(v->voice.serial, 1);
    CHECK(kiosk_board_deadline(fx.b) <= fx.mono + 1000);
    v = tick(&fx, 1000);
    CHECK_STR(v->headline, "请 B001 号到 5 号窗口");
    CHECK_INT(v->voice.serial, 2);
    /* Counter 12: any prefix; 十二 is said as shi d2. */
    v = tick(&fx, 8000);
    v = call(&fx, 12);
    CHECK_STR(v->headline, "请 J002 号到 12 号窗口");
    CHECK_STR(v->voice.clips[6], "shi");
    CHECK_STR(v->voice.clips[7], "d2");
    CHECK_STR(v->voice.clips[8], "call_window");
    /* Nobody left: nothing announced. */
    v = tick(&fx, 9000);
    unsigned serial = v->voice.serial;
    v = call(&fx, 3);
    CHECK_INT(v->voice.serial, serial);
    CHECK_STR(v->message, "暂无等候");
    /* A call made by someone else in the store (a counter's own program) shows within a
     * second. */
    ticket(&fx, KIOSK_SERVICE_MARRIAGE, KIOSK_LANE_PRIORITY, "X4"); /* J004 */
    kiosk_queue_call c;
    CHECK_INT(kiosk_store_call_next(fx.store, day, 7, "", "counter7", fx.utc, &c), KIOSK_OK);
    v = tick(&fx, 1000);
    CHECK_STR(v->headline, "请 J004 号到 7 号窗口");
    CHECK_INT(v->voice.serial, serial + 1);
    /* Widgets. */
    CHECK_INT(kiosk_board_counter_of("call:3"), 3);
    CHECK_INT(kiosk_board_counter_of("call:30"), 30);
    CHECK_INT(kiosk_board_counter_of("call:31"), 0);
    CHECK_INT(kiosk_board_counter_of("call:0"), 0);
    CHECK_INT(kiosk_board_counter_of("call:"), 0);
    CHECK_INT(kiosk_board_counter_of("call:3a"), 0);
    CHECK_INT(kiosk_board_counter_of("back"), 0);
    CHECK(kiosk_board_flow.takes_press(fx.b, "call:4"));
    CHECK(!kiosk_board_flow.takes_press(fx.b, "help"));
    kiosk_board_free(fx.b);
    kiosk_store_close(fx.store);
}

static void test_settings(void)
{
    char err[256];
    kiosk_setting bad[][1] = {{{"counter3", "j"}},
                              {{"counter31", "J"}},
                              {{"counter", "J"}},
                              {{"call_seconds", "2"}},
                              {{"volume", "3"}}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_settings s = {bad[i], 1};
        CHECK_INT(kiosk_board_flow.check_settings(&s, err, sizeof err), KIOSK_ERR_CONFIG);
        CHECK(strstr(err, bad[i][0].key) != NULL);
    }
    kiosk_setting good[] = {{"counter1", "JLB"}, {"call_seconds", "12"}};
    kiosk_settings s = {good, 2};
    CHECK_INT(kiosk_board_flow.check_settings(&s, err, sizeof err), KIOSK_OK);
    /* A [board] database that cannot be opened is refused with its path. */
    kiosk_setting missing[] = {{"database", "/nonexistent/dir/hall.db"}};
    kiosk_flow_sections sections = {.names = {"board"}, .sections = {{missing, 1}}, .count = 1};
    kiosk_flow_settings settings = {.site_name = "x"};
    kiosk_flow_env env = {.settings = &settings, .sections = &sections};
    kiosk_board *b = NULL;
    CHECK(kiosk_board_new(&env, &b, err, sizeof err) != KIOSK_OK);
    CHECK(strstr(err, "/nonexistent/dir/hall.db") != NULL);
    CHECK(b == NULL);
}

int main(void)
{
    if (!(dir = check_scratch_dir("kiosk-board")))
        return 2;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    test_calls();
    test_settings();
    check_scratch_remove(dir);
    CHECK_DONE();
}
