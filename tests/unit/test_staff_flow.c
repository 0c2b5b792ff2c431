/* test_staff_flow.c - staff mode through the real router over the real canteen flow, on a real
 * SQLite store with a diner roster, the staff roster of tests/data/staff.csv and a policy of
 * tests/policies: a staff card takes over, the PIN shows only as dots, a wrong PIN says how many
 * tries are left, the fifth locks the card (the lock screen, and the lock still there for a new
 * router on the same database), the menu offers only what the role may, a press of a hidden
 * supervisor action is refused by the core and audited, the day view, a void chosen from today's
 * meals with a reason (the meal then no longer counts, so the diner may eat again), sync now and
 * a supervisor's exit to the system as requests to the app, leaving after
 * the timeout and at the next diner's tap (who is served at once), and out of service kept until
 * staff resume. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "db_query.h"
#include "hall.h"
#include "help_call.h"
#include "router.h"
#include "staff_store.h"

static const char *dir;
static const char *data_dir;
static const char *policy_dir;

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

static const char *roster =
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
    "card_status,issuing_canteen,id_number\n"
    "P1,张秀兰,1956-03-12,,320100,320102,320102002,local,active,04A1B2C3,active,,\n"
    "P2,周志强,1941-09-15,,320100,320102,320102003,local,active,04E5F6A7,active,,\n";

typedef struct fixture {
    kiosk_flow_settings settings;
    kiosk_store *store;
    kiosk_policy_set *policies;
    kiosk_router *router;
    kiosk_flow_sections sections;
    kiosk_setting staff_items[4];
    kiosk_flow_env env;
    kiosk_sync_status sync;
    char db_path[256];
    int64_t mono;
} fixture;

static void load_policy(kiosk_policy_set *set, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", policy_dir, file);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    kiosk_policy *p = NULL;
    char err[256];
    CHECK_INT(kiosk_policy_parse(buf, n, &p, err, sizeof err), KIOSK_OK);
    if (p)
        CHECK_INT(kiosk_policy_set_take(set, p), KIOSK_OK);
}

static void start_router(fixture *fx)
{
    char err[256];
    fx->router = kiosk_router_new("canteen", &fx->env, err, sizeof err);
    if (!fx->router)
        fprintf(stderr, "router: %s\n", err);
    CHECK(fx->router != NULL);
}

static void setup(fixture *fx, const char *name, bool import_data)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->db_path, sizeof fx->db_path, "%s/%s.db", dir, name);
    char err[256];
    CHECK_INT(kiosk_store_open(fx->db_path, &fx->store, err, sizeof err), KIOSK_OK);
    if (import_data) {
        FILE *csv = fmemopen((void *)roster, strlen(roster), "r");
        kiosk_import_stats stats;
        CHECK_INT(kiosk_store_import_roster(fx->store, csv, (kiosk_date){2026, 11, 23}, &stats, err,
                                            sizeof err),
                  KIOSK_OK);
        fclose(csv);
        char path[600], text[4096];
        snprintf(path, sizeof path, "%s/staff.csv", data_dir);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f)
            fclose(f);
        text[len] = '\0';
        kiosk_staff_import_stats st;
        CHECK_INT(kiosk_store_import_staff(fx->store, text, len, &st, err, sizeof err), KIOSK_OK);
    }
    fx->policies = kiosk_policy_set_new();
    load_policy(fx->policies, "fixed-by-class.json");
    kiosk_flow_settings *o = &fx->settings;
    o->result_seconds = 8;
    o->repeat_tap_seconds = 10;
    snprintf(o->kiosk_id, sizeof o->kiosk_id, "k-test");
    snprintf(o->site_name, sizeof o->site_name, "测试助餐点");
    snprintf(o->site.canteen_id, sizeof o->site.canteen_id, "c-home");
    snprintf(o->site.area.city, sizeof o->site.area.city, "320100");
    snprintf(o->site.area.district, sizeof o->site.area.district, "320102");
    snprintf(o->site.area.street, sizeof o->site.area.street, "320102002");
    fx->staff_items[0] = (kiosk_setting){"lockout_minutes", "5"};
    fx->staff_items[1] = (kiosk_setting){"timeout_seconds", "60"};
    fx->staff_items[2] = (kiosk_setting){"reasons", "wrong_person:刷错人;other:其他"};
    fx->sections.names[0] = "staff";
    fx->sections.sections[0] = (kiosk_settings){fx->staff_items, 3};
    fx->sections.count = 1;
    fx->env = (kiosk_flow_env){
        .settings = o, .sections = &fx->sections, .store = fx->store, .policies = fx->policies};
    fx->mono = 1000000;
    start_router(fx);
}

static void teardown(fixture *fx)
{
    kiosk_router_free(fx->router);
    kiosk_policy_set_free(fx->policies);
    kiosk_store_close(fx->store);
}

static void tap(fixture *fx, const char *hex, int64_t utc_ms)
{
    kiosk_card card = {.uid_len = strlen(hex) / 2};
    for (size_t i = 0; i < card.uid_len; i++)
        sscanf(hex + 2 * i, "%2hhx", &card.uid[i]);
    fx->mono += 1000;
    kiosk_router_card(fx->router, &card, (kiosk_now){utc_ms, fx->mono});
}

static void press(fixture *fx, const char *widget, int64_t utc_ms)
{
    fx->mono += 500;
    kiosk_router_press(fx->router, widget, (kiosk_now){utc_ms, fx->mono});
}

/* Presses the widgets named in list (separated by spaces) one after another. */
static void press_each(fixture *fx, const char *list, int64_t utc_ms)
{
    char widget[32];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        snprintf(widget, sizeof widget, "%.*s", (int)n, p);
        press(fx, widget, utc_ms);
        p += n + (p[n] == ' ');
    }
}

static void type_pin(fixture *fx, const char *pin, int64_t utc_ms)
{
    for (const char *d = pin; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        press(fx, key, utc_ms);
    }
    press(fx, "confirm", utc_ms);
}

static const kiosk_view *view(fixture *fx)
{
    return kiosk_router_view(fx->router);
}

static bool has_button(const kiosk_view *v, const char *id)
{
    for (size_t i = 0; i < v->button_count; i++)
        if (strcmp(v->buttons[i].id, id) == 0)
            return true;
    return false;
}

static long count(const char *db_path, const char *sql)
{
    return db_query_long(db_path, sql);
}

static void test_pin_and_lock(void)
{
    fixture fx;
    setup(&fx, "lock", true);
    int64_t t = at(11, 30);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    tap(&fx, "5AF00001", t);
    CHECK_STR(kiosk_router_active(fx.router), "staff");
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_pin");
    CHECK(v->keypad.shown);
    CHECK_STR(v->keypad.value, "");
    CHECK_STR(v->message, "王*红 · 操作员");
    press_each(&fx, "key1 key2 key3", t);
    CHECK_STR(view(&fx)->keypad.value, "●●●"); /* dots, never the digits */
    press(&fx, "backspace", t);
    CHECK_STR(view(&fx)->keypad.value, "●●");
    press(&fx, "confirm", t); /* too short: not even an attempt */
    CHECK_STR(view(&fx)->advice, "密码是4到8位数字");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit"), 0);
    press_each(&fx, "backspace backspace", t);
    for (int i = 1; i <= 4; i++) {
        type_pin(&fx, "9999", t + i);
        CHECK_STR(view(&fx)->screen, "staff_pin");
        char note[64];
        snprintf(note, sizeof note, "密码不对，还可以试%d次", 5 - i);
        CHECK_STR(view(&fx)->advice, note);
        CHECK_STR(view(&fx)->keypad.value, "");
    }
    type_pin(&fx, "9999", t + 5);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_locked");
    CHECK_STR(v->headline, "这张工作卡已锁定");
    /* Locked until 11:35:00.005: the screen names the first whole minute it is open. */
    CHECK_STR(v->message, "密码错了5次，11:36以后再试");
    /* The lock screen goes by itself; the card stays locked for a new router (a restart). */
    fx.mono += 11000;
    kiosk_router_tick(fx.router, (kiosk_now){t + 11000, fx.mono});
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    kiosk_router_free(fx.router);
    start_router(&fx);
    tap(&fx, "5AF00001", t + 60000);
    CHECK_STR(view(&fx)->screen, "staff_locked");
    fx.mono += 11000;
    kiosk_router_tick(fx.router, (kiosk_now){t + 71000, fx.mono});
    /* Five minutes on, the right PIN opens the menu. */
    tap(&fx, "5AF00001", t + 5 + 5 * 60000);
    CHECK_STR(view(&fx)->screen, "staff_pin");
    type_pin(&fx, "1234", t + 5 + 5 * 60000);
    CHECK_STR(view(&fx)->screen, "staff_menu");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"pin\"%'"),
              6);
    teardown(&fx);
}

static void test_menu_and_roles(void)
{
    fixture fx;
    setup(&fx, "roles", true);
    int64_t t = at(11, 30);
    /* A diner called for staff two minutes ago: the staff card's tap answers the call. */
    CHECK_INT(kiosk_store_help_call(fx.store, "k-test", t - 120000, NULL), KIOSK_OK);
    tap(&fx, "5AF00001", t);
    int64_t called;
    CHECK_INT(kiosk_store_help_call_open(fx.store, &called), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM outbox WHERE kind = 'help_answer'"
                                " AND payload LIKE '%S001%'"),
              1);
    type_pin(&fx, "1234", t);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_menu");
    CHECK(has_button(v, "day_view"));
    CHECK(has_button(v, "void_meal"));
    CHECK(has_button(v, "status"));
    CHECK(has_button(v, "out_of_service"));
    CHECK(has_button(v, "leave"));
    CHECK(!has_button(v, "exit_os")); /* hidden from an operator ... */
    CHECK(!has_button(v, "override"));
    CHECK_INT(v->request.kind, KIOSK_REQUEST_NONE);
    CHECK(!has_button(v, "settings"));
    press(&fx, "exit_os", t); /* ... and refused by the core when pressed anyway */
    CHECK_STR(view(&fx)->screen, "staff_notice");
    CHECK_STR(view(&fx)->headline, "没有这个权限");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"exit_os\"%\"outcome\":\"refused\"%'"),
              1);
    press(&fx, "back", t);
    press(&fx, "override", t); /* lifting a refusal is a supervisor's too */
    CHECK_STR(view(&fx)->headline, "没有这个权限");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"override\"%\"outcome\":\"refused\"%'"),
              1);
    press_each(&fx, "back day_view", t);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_dayview");
    CHECK_STR(v->table.title, "今日统计 2026-11-23");
    CHECK_STR(v->table.cells[0][1], "0 份");
    press_each(&fx, "back status", t);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_status");
    CHECK_STR(v->figures[0].label, "待上传");
    CHECK_STR(v->figures[1].value, "未设置"); /* no [sync] */
    CHECK(!has_button(v, "sync_now"));        /* nothing to sync with */
    press(&fx, "back", t);
    /* With [sync]: the worker's status, and sync now on the same screen. */
    fx.sync = (kiosk_sync_status){.state = KIOSK_SYNC_ONLINE,
                                  .last_ok_ms = t - 60000,
                                  .clock_offset_ms = 1500,
                                  .clock_uncert_ms = 100,
                                  .oldest_pending_ms = -1,
                                  .last_ok_mono_ms = -1};
    fx.env.sync = &fx.sync; /* a kiosk with [sync], a reader and a printer: started again */
    kiosk_device_state devices[KIOSK_DEVICE_ROLE_COUNT] = {
        [KIOSK_DEVICE_READER] = KIOSK_DEVICE_READY, [KIOSK_DEVICE_PRINTER] = KIOSK_DEVICE_READY};
    fx.env.devices = devices;
    kiosk_router_free(fx.router);
    start_router(&fx);
    tap(&fx, "5AF00001", t);
    type_pin(&fx, "1234", t);
    press(&fx, "status", t);
    v = view(&fx);
    CHECK_STR(v->figures[1].value, "在线");
    CHECK_STR(v->figures[2].value, "11:29 (1分钟前)");
    CHECK_STR(v->figures[3].value, "+1.5秒");
    CHECK_INT(v->figure_count, 6); /* no ID-card reader configured: not shown */
    CHECK_STR(v->figures[4].label, "读卡器");
    CHECK_STR(v->figures[4].value, "正常");
    CHECK_STR(v->figures[5].label, "打印机");
    CHECK_STR(v->figures[5].value, "正常");
    /* The printer runs out of paper: the app's state, seen the next time. */
    devices[KIOSK_DEVICE_PRINTER] = KIOSK_DEVICE_NO_PAPER;
    press_each(&fx, "back status", t);
    v = view(&fx);
    CHECK_STR(v->figures[5].value, "缺纸");
    /* Sync now: a request to the app, which only it can carry out, and an audit entry. */
    CHECK(has_button(view(&fx), "sync_now"));
    unsigned serial = view(&fx)->request.serial;
    press(&fx, "sync_now", t);
    CHECK_INT(view(&fx)->request.serial, serial + 1);
    CHECK_INT(view(&fx)->request.kind, KIOSK_REQUEST_SYNC_NOW);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"sync_now\"%\"outcome\":\"ok\"%'"),
              1);
    press(&fx, "back", t);
    CHECK_INT(view(&fx)->request.serial, serial + 1); /* asked once, not again on each screen */
    press(&fx, "leave", t);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    /* A supervisor may leave to the operating system: the app is asked to stop. */
    tap(&fx, "5AF00002", t);
    type_pin(&fx, "9876", t);
    CHECK(has_button(view(&fx), "serve"));
    CHECK(!has_button(view(&fx), "exit_os")); /* under 同步和设备 · 本机设置 */
    press_each(&fx, "status settings", t);
    CHECK(has_button(view(&fx), "exit_os"));
    press(&fx, "exit_os", t);
    CHECK_INT(view(&fx)->request.kind, KIOSK_REQUEST_QUIT);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"exit_os\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%\"staff_id\":\"S002\"%'"),
              1);
    teardown(&fx);
}

static void test_void_and_diner_tap(void)
{
    fixture fx;
    setup(&fx, "void", true);
    int64_t t = at(11, 30);
    tap(&fx, "04A1B2C3", t);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    tap(&fx, "04A1B2C3", t + 60000); /* after the repeat window: the second lunch is refused */
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_REFUSED);
    tap(&fx, "5AF00002", t + 120000);
    type_pin(&fx, "9876", t + 120000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->message, "李*国 · 主管");
    /* The day view counts the lunch: 15.00, of which 3.00 subsidy (70-79), 12.00 paid. */
    press(&fx, "day_view", t + 120000);
    v = view(&fx);
    CHECK_STR(v->table.cells[0][0], "合计");
    CHECK_STR(v->table.cells[0][1], "1 份");
    CHECK_STR(v->table.cells[0][2], "¥3.00");
    CHECK_STR(v->table.cells[0][3], "¥12.00");
    CHECK_INT(v->table.row_count, 5); /* total, three meal types, one class */
    CHECK_STR(v->table.cells[2][0], "午餐");
    CHECK_STR(v->table.cells[4][0], "70-79岁"); /* the class's label, not its id */
    press_each(&fx, "back void_meal", t + 120000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_void");
    CHECK_INT(v->button_count, 2); /* the one meal, and back */
    CHECK_STR(v->buttons[0].label, "11:30 张*兰 午餐");
    press(&fx, "meal1", t + 120000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_reason");
    CHECK_STR(v->buttons[0].label, "刷错人");
    CHECK_STR(v->buttons[1].label, "其他");
    press(&fx, "reason1", t + 120000);
    CHECK_STR(view(&fx)->headline, "已撤销");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal_void WHERE reason = 'wrong_person'"
                                " AND staff_id = 'S002'"),
              1);
    press_each(&fx, "back void_meal", t + 120000);
    CHECK_INT(view(&fx)->button_count, 1); /* nothing left to void */
    press(&fx, "back", t + 120000);
    CHECK(!has_button(view(&fx), "reprint")); /* no printer configured */
    press(&fx, "day_view", t + 120000);
    CHECK_STR(view(&fx)->table.cells[0][1], "0 份"); /* the voided lunch counts no more */
    CHECK_STR(view(&fx)->table.cells[0][2], "¥0.00");
    /* The next diner's tap ends staff mode and is served at once: the voided lunch no longer
     * counts. */
    tap(&fx, "04A1B2C3", t + 180000);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    CHECK_STR(view(&fx)->screen, "result");
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 2);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"leave\"%\"reason\":\"diner_tap\"%'"),
              1);
    long entries;
    int64_t bad;
    char why[200];
    CHECK_INT(kiosk_store_audit_verify(fx.store, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 5); /* the PIN, the day view twice, the void, leaving */
    teardown(&fx);
}

/* A diner refused for a second lunch, served anyway by a supervisor: the reason, then the
 * diner's card again; the meal is recorded with who and why, and its audit entry. A diner who is
 * not refused, or a card that is no diner's, is not served from here. */
static void test_override(void)
{
    fixture fx;
    setup(&fx, "override", true);
    int64_t t = at(11, 30);
    tap(&fx, "04E5F6A7", t); /* 周志强, 85: lunch 15.00, 5.00 of subsidy (80-89) */
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    tap(&fx, "04E5F6A7", t + 60000);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_REFUSED);
    tap(&fx, "5AF00002", t + 90000);
    type_pin(&fx, "9876", t + 90000);
    press(&fx, "serve", t + 90000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_serve");
    CHECK(has_button(v, "override"));
    CHECK(has_button(v, "manual_meal"));
    press(&fx, "override", t + 90000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_override_reason");
    CHECK_STR(v->buttons[0].label, "刷错人");
    CHECK_STR(v->buttons[1].label, "其他");
    press(&fx, "reason2", t + 90000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_override_card");
    CHECK_STR(v->headline, "请老人再刷一次卡");
    CHECK_STR(v->advice, "放行的原因 · 其他");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    tap(&fx, "04E5F6A7", t + 100000);
    CHECK_STR(kiosk_router_active(fx.router), "staff"); /* the card was for staff mode */
    v = view(&fx);
    CHECK_STR(v->headline, "已放行");
    CHECK_STR(v->message, "周*强 · 午餐");
    CHECK_INT(v->figure_count, 3);
    CHECK_STR(v->figures[0].value, "¥15.00");
    CHECK_STR(v->figures[1].value, "¥5.00");
    CHECK_STR(v->figures[2].value, "¥10.00");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal WHERE person_id = 'P2'"), 2);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM outbox WHERE kind = 'meal' AND payload LIKE"
                                " '%\"staff\":{\"by\":\"override\",\"reason\":\"other\","
                                "\"refused\":\"already_had_meal\",\"staff_id\":\"S002\"}%'"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"override\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%\"reason\":\"other\"%'"
                                " AND payload LIKE '%\"staff_id\":\"S002\"%'"),
              1);
    /* 张秀兰 has not eaten: nothing to lift, nothing recorded here. */
    press_each(&fx, "back override reason1", t + 100000);
    tap(&fx, "04A1B2C3", t + 110000);
    CHECK_STR(view(&fx)->headline, "不用放行");
    /* A card that is no diner's. */
    press_each(&fx, "back override reason1", t + 110000);
    tap(&fx, "0BADCAFE", t + 120000);
    CHECK_STR(view(&fx)->headline, "这种情况不能放行");
    CHECK_STR(kiosk_router_active(fx.router), "staff");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 2);
    long entries;
    int64_t bad;
    char why[200];
    CHECK_INT(kiosk_store_audit_verify(fx.store, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 2); /* the PIN, the override */
    teardown(&fx);
}

/* A diner without a card: the operator types the birth date, chooses the masked name, gives the
 * reason; the meal is decided as for a diner without a card and recorded with who and why. The
 * same diner again is refused by the policy (lunch had), a wrong date and an empty day are said
 * so. */
static void test_manual(void)
{
    fixture fx;
    setup(&fx, "manual", true);
    int64_t t = at(11, 30);
    tap(&fx, "5AF00001", t);
    type_pin(&fx, "1234", t);
    press(&fx, "serve", t);
    const kiosk_view *v = view(&fx);
    CHECK(!has_button(v, "override")); /* a supervisor's */
    CHECK(has_button(v, "manual_meal"));
    press(&fx, "manual_meal", t);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_manual_birth");
    CHECK(v->keypad.shown);
    type_pin(&fx, "19561332", t); /* the 32nd of March */
    CHECK_STR(view(&fx)->screen, "staff_manual_birth");
    CHECK_STR(view(&fx)->advice, "日期不对，请重新输入");
    for (const char *d = "195603"; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        press(&fx, key, t);
    }
    CHECK_STR(view(&fx)->keypad.value, "1956-03");
    type_pin(&fx, "12", t);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_manual_list");
    CHECK_INT(v->button_count, 2); /* 张秀兰, and back */
    CHECK_STR(v->buttons[0].label, "张*兰 1956-03-12");
    press(&fx, "person1", t);
    CHECK_STR(view(&fx)->screen, "staff_manual_reason");
    CHECK_STR(view(&fx)->message, "张*兰");
    press(&fx, "reason2", t);
    /* 70: lunch 15.00, 3.00 of subsidy (70-79), 12.00 to pay. */
    v = view(&fx);
    CHECK_STR(v->headline, "已登记");
    CHECK_STR(v->message, "张*兰 · 午餐");
    CHECK_STR(v->figures[0].value, "¥15.00");
    CHECK_STR(v->figures[1].value, "¥3.00");
    CHECK_STR(v->figures[2].value, "¥12.00");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal WHERE person_id = 'P1'"
                                " AND card_key IS NULL AND subsidy_fen = 300"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM outbox WHERE kind = 'meal' AND payload LIKE"
                                " '%\"staff\":{\"by\":\"manual\",\"reason\":\"other\","
                                "\"refused\":\"\",\"staff_id\":\"S001\"}%'"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"manual_meal\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%\"staff_id\":\"S001\"%'"),
              1);
    /* The same diner again: the lunch counts, the policy refuses, nothing is recorded. */
    press_each(&fx, "back serve manual_meal", t + 1000);
    type_pin(&fx, "19560312", t + 1000);
    press_each(&fx, "person1 reason1", t + 1000);
    CHECK_STR(view(&fx)->headline, "不能登记");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    /* Nobody born that day. */
    press_each(&fx, "back serve manual_meal", t + 2000);
    type_pin(&fx, "19300101", t + 2000);
    CHECK_STR(view(&fx)->message, "没有这个出生日期的老人");
    CHECK_INT(view(&fx)->button_count, 1);
    teardown(&fx);
}

/* A bill corrected: the operator chooses today's meal, types the right amount (in fen, shown as
 * money), gives the reason; the meal is voided and a new one made at 18.50 (subsidy 5.00 for an
 * 85-year-old's lunch, 13.50 to pay), and the day still counts one lunch. */
static void test_bill(void)
{
    fixture fx;
    setup(&fx, "bill", true);
    int64_t t = at(11, 30);
    tap(&fx, "04E5F6A7", t);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    tap(&fx, "5AF00001", t + 60000);
    type_pin(&fx, "1234", t + 60000);
    press(&fx, "serve", t + 60000);
    CHECK_STR(view(&fx)->buttons[1].label, "更正账单");
    press(&fx, "bill", t + 60000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_bill");
    CHECK_STR(v->buttons[0].label, "11:30 周*强 午餐");
    press(&fx, "meal1", t + 60000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_bill_amount");
    CHECK_STR(v->message, "11:30 周*强 午餐 ¥15.00");
    type_pin(&fx, "01850", t + 60000); /* a leading zero is no digit of an amount */
    v = view(&fx);
    CHECK_STR(v->screen, "staff_bill_reason");
    CHECK_STR(v->message, "¥18.50");
    press(&fx, "reason2", t + 60000);
    v = view(&fx);
    CHECK_STR(v->headline, "已更正");
    CHECK_STR(v->message, "周*强 · 午餐");
    CHECK_STR(v->figures[0].value, "¥18.50");
    CHECK_STR(v->figures[1].value, "¥5.00");
    CHECK_STR(v->figures[2].value, "¥13.50");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 2);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal_void v JOIN meal m ON"
                                " m.record_id = v.voided_id WHERE m.price_fen = 1500"
                                " AND v.reason = 'other'"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal WHERE price_fen = 1850"
                                " AND price_source = 'bill' AND pay_fen = 1350"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"bill\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%price 1500 -> 1850 fen%'"),
              1);
    press_each(&fx, "back day_view", t + 60000);
    CHECK_STR(view(&fx)->table.cells[0][1], "1 份");
    CHECK_STR(view(&fx)->table.cells[0][3], "¥13.50");
    teardown(&fx);
}

/* 录入账单 on a canteen with [canteen] pricing = bill: staff type the next diner's bill (shown as
 * money while typed), it is audited and staff mode leaves; the canteen holds it and the next tap
 * is decided on it: ¥18.50 for an 85-year-old, ¥5.00 subsidy (80+ in fixed-by-class), ¥13.50 to
 * pay. Without staff, a tap on such a canteen is asked for its bill first. */
static void test_bill_next(void)
{
    fixture fx;
    setup(&fx, "bill_next", true);
    kiosk_setting canteen[] = {{"pricing", "bill"}};
    fx.sections.names[1] = "canteen";
    fx.sections.sections[1] = (kiosk_settings){canteen, 1};
    fx.sections.count = 2;
    kiosk_router_free(fx.router);
    start_router(&fx);
    int64_t t = at(11, 30);
    tap(&fx, "04E5F6A7", t);
    CHECK(view(&fx)->tone != KIOSK_TONE_SUCCESS); /* no bill yet */
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 0);
    tap(&fx, "5AF00001", t + 60000);
    type_pin(&fx, "1234", t + 60000);
    press(&fx, "serve", t + 60000);
    CHECK(has_button(view(&fx), "bill_next"));
    press(&fx, "bill_next", t + 60000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_bill_next");
    CHECK(v->keypad.shown);
    for (const char *d = "1850"; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        press(&fx, key, t + 60000);
    }
    CHECK_STR(view(&fx)->keypad.value, "¥18.50");
    press(&fx, "confirm", t + 60000);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    CHECK_INT(count(fx.db_path,
                    "SELECT count(*) FROM audit WHERE payload LIKE"
                    " '%\"action\":\"bill\"%\"detail\":\"bill 1850 fen for the next tap\"%'"
                    " AND payload LIKE '%\"outcome\":\"ok\"%'"
                    " AND payload LIKE '%\"staff_id\":\"S001\"%'"
                    " AND payload LIKE '%\"target\":\"next_tap\"%'"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"reason\":\"bill_next\"%'"),
              1);
    tap(&fx, "04E5F6A7", t + 70000);
    v = view(&fx);
    CHECK_INT(v->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal WHERE price_fen = 1850"
                                " AND price_source = 'bill' AND subsidy_fen = 500"
                                " AND pay_fen = 1350"),
              1);
    /* The bill was for one tap: the next diner is asked for a bill again. */
    tap(&fx, "04A1B2C3", t + 80000);
    CHECK(view(&fx)->tone != KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    teardown(&fx);
}

/* With a receipt printer: a meal's receipt printed again, chosen from today's meals, audited. */
static void test_reprint(void)
{
    fixture fx;
    setup(&fx, "reprint", true);
    fx.settings.paper_columns = 32;
    int64_t t = at(11, 30);
    tap(&fx, "04A1B2C3", t);
    tap(&fx, "5AF00001", t + 60000);
    type_pin(&fx, "1234", t + 60000);
    CHECK(has_button(view(&fx), "reprint"));
    unsigned serial = view(&fx)->print.serial;
    press(&fx, "reprint", t + 60000);
    CHECK_STR(view(&fx)->screen, "staff_reprint");
    CHECK_STR(view(&fx)->buttons[0].label, "11:30 张*兰 午餐");
    press(&fx, "meal1", t + 60000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->headline, "已补打");
    CHECK_INT(v->print.serial, serial + 1);
    CHECK_INT(v->print.doc.columns, 32);
    bool name = false, pay = false;
    for (size_t i = 0; i < v->print.doc.line_count; i++) {
        name = name || strstr(v->print.doc.lines[i].text, "张*兰") != NULL;
        pay = pay || strstr(v->print.doc.lines[i].text, "12.00") != NULL;
    }
    CHECK(name);
    CHECK(pay); /* 15.00 less the 3.00 subsidy of 70-79 */
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"reprint\"%\"outcome\":\"ok\"%'"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1); /* nothing new recorded */
    press(&fx, "back", t + 60000);
    CHECK_INT(view(&fx)->print.serial, serial + 1); /* printed once */
    teardown(&fx);
}

/* Past [sync] offline_meal_limit a subsidised meal waits for staff, who allow more from the
 * status screen (audited); the canteen then serves. */
static void test_offline_allow(void)
{
    fixture fx;
    setup(&fx, "offline", true);
    fx.settings.offline_meal_limit = 1;
    fx.sync = (kiosk_sync_status){.state = KIOSK_SYNC_OFFLINE,
                                  .offline_records = true,
                                  .last_ok_ms = -1,
                                  .last_ok_mono_ms = -1,
                                  .oldest_pending_ms = -1,
                                  .clock_uncert_ms = -1};
    fx.env.sync = &fx.sync;
    kiosk_router_free(fx.router);
    start_router(&fx);
    int64_t t = at(11, 30);
    tap(&fx, "04A1B2C3", t);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS); /* the first offline meal */
    tap(&fx, "04E5F6A7", t + 60000);
    CHECK(view(&fx)->tone != KIOSK_TONE_SUCCESS); /* the limit: staff must act */
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    tap(&fx, "5AF00001", t + 70000);
    type_pin(&fx, "1234", t + 70000);
    press(&fx, "status", t + 70000);
    CHECK(has_button(view(&fx), "offline_allow"));
    press(&fx, "offline_allow", t + 70000);
    CHECK_STR(view(&fx)->headline, "已放行离线用餐");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"offline_allow\"%\"outcome\":\"ok\"%'"),
              1);
    press_each(&fx, "back leave", t + 70000);
    tap(&fx, "04E5F6A7", t + 120000);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal WHERE offline = 1"), 2);
    bool may = true;
    /* The allowance was one more (the limit): a third would wait for staff again. */
    CHECK_INT(kiosk_store_offline_may_serve(fx.store, 2, 1, &may), KIOSK_OK);
    CHECK(!may);
    /* Records delivered (fewer pending than when it was given): the allowance lapses. */
    CHECK_INT(kiosk_store_offline_may_serve(fx.store, 0, 1, &may), KIOSK_OK);
    CHECK(may);
    CHECK_INT(kiosk_store_offline_may_serve(fx.store, 1, 1, &may), KIOSK_OK);
    CHECK(may); /* from 1 pending, up to 2 */
    teardown(&fx);
}

/* On a marriage hall's kiosk: the queue's actions, not the canteen's; the next number called to
 * the counter staff choose, audited. */
/* Types an ID number on the keypad (X as its own key) and confirms. */
static void type_id(fixture *fx, const char *number, int64_t utc_ms)
{
    for (const char *c = number; *c; c++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *c);
        press(fx, key, utc_ms);
    }
    press(fx, "confirm", utc_ms);
}

/* 现场取号 on a hall's kiosk: the service, the lane, each party's ID number (shown with the
 * birth date hidden; a wrong check character said so); the ticket is issued and printed through
 * the hall's flow, with its audit entry; of the numbers only the legal-age flag is kept (the bride
 * is 18: under 20). Check characters worked out by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
 * 4 2, sum mod 11 into "10X98765432"; 32010219560312106 gives X). */
static void test_walkin(void)
{
    fixture fx;
    setup(&fx, "walkin", true);
    snprintf(fx.settings.mode, sizeof fx.settings.mode, "marriage");
    fx.settings.paper_columns = 32;
    kiosk_router_free(fx.router);
    char err[256];
    fx.router = kiosk_router_new("marriage", &fx.env, err, sizeof err);
    CHECK(fx.router != NULL);
    if (!fx.router) {
        fprintf(stderr, "router: %s\n", err);
        teardown(&fx);
        return;
    }
    int64_t t = at(9, 0);
    tap(&fx, "5AF00001", t);
    type_pin(&fx, "1234", t);
    CHECK(has_button(view(&fx), "walk_in"));
    press(&fx, "walk_in", t);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_walkin_service");
    CHECK_INT(v->button_count, 7); /* six services and back */
    CHECK_STR(v->buttons[0].label, "结婚登记");
    press(&fx, "service1", t);
    CHECK_STR(view(&fx)->screen, "staff_walkin_lane");
    press(&fx, "lane_priority", t);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_walkin_id");
    CHECK_STR(v->headline, "第1位的身份证号");
    for (const char *c = "11010119900101123"; *c; c++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *c);
        press(&fx, key, t);
    }
    CHECK_STR(view(&fx)->keypad.value, "110101********123");
    press_each(&fx, "key7 confirm", t);
    CHECK_STR(view(&fx)->headline, "第2位的身份证号");
    type_id(&fx, "110101200801011240", t); /* the check character is 9 */
    CHECK_STR(view(&fx)->advice, "证件号码最后一位校验码不对，请核对");
    CHECK_STR(view(&fx)->keypad.value, "");
    unsigned printed = view(&fx)->print.serial;
    type_id(&fx, "110101200801011249", t);
    v = view(&fx);
    CHECK_STR(v->headline, "已取号 J001");
    CHECK_STR(v->message, "结婚登记 · 优先 · 有一方未到法定婚龄，已在号票上标明");
    CHECK_INT(v->print.serial, printed + 1);
    CHECK(v->print.doc.line_count > 0);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM checkin WHERE number = 'J001'"
                                " AND lane = 'priority' AND under_age = 1"
                                " AND service = 'marriage' AND appointment_id = ''"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"walk_in\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%\"target\":\"J001\"%'"
                                " AND payload LIKE '%marriage, priority, under age%'"),
              1);
    /* No part of either number is kept anywhere. */
    CHECK_INT(count(fx.db_path, "SELECT (SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%11010119900101%' OR payload LIKE '%20080101124%')"
                                " + (SELECT count(*) FROM outbox WHERE payload LIKE"
                                " '%11010119900101%' OR payload LIKE '%20080101124%')"),
              0);
    /* A one-party service, walk-in lane. */
    press_each(&fx, "back walk_in service5 lane_walkin", t + 1000);
    CHECK_STR(view(&fx)->headline, "身份证号");
    type_id(&fx, "32010219560312106X", t + 1000); /* X from its own button */
    CHECK_STR(view(&fx)->headline, "已取号 B001");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM checkin WHERE number = 'B001'"
                                " AND lane = 'walkin' AND under_age = 0"),
              1);
    long entries;
    int64_t bad;
    char why[200];
    CHECK_INT(kiosk_store_audit_verify(fx.store, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 3); /* the PIN and two tickets */
    teardown(&fx);
}

static void test_call_next(void)
{
    fixture fx;
    setup(&fx, "hall", true);
    snprintf(fx.settings.mode, sizeof fx.settings.mode, "marriage");
    fx.staff_items[1] = (kiosk_setting){"counters", "3"};
    kiosk_router_free(fx.router);
    char err[256];
    fx.router = kiosk_router_new("marriage", &fx.env, err, sizeof err);
    CHECK(fx.router != NULL);
    if (!fx.router) {
        fprintf(stderr, "router: %s\n", err);
        teardown(&fx);
        return;
    }
    int64_t t = at(9, 0);
    for (int i = 0; i < 2; i++) {
        kiosk_ticket_request req = {.service = KIOSK_SERVICE_MARRIAGE,
                                    .lane = KIOSK_LANE_WALKIN,
                                    .prefix = 'J',
                                    .numbering = {1, 1},
                                    .kiosk_id = "k-test",
                                    .now_utc_ms = t + i,
                                    .at = kiosk_clock_local(t + i)};
        kiosk_checkin_entry e;
        bool existing;
        CHECK_INT(kiosk_store_issue_ticket(fx.store, &req, &e, &existing), KIOSK_OK);
    }
    tap(&fx, "5AF00001", t + 60000);
    type_pin(&fx, "1234", t + 60000);
    const kiosk_view *v = view(&fx);
    CHECK(has_button(v, "call_next"));
    CHECK(!has_button(v, "day_view")); /* the canteen's, not a hall's */
    CHECK(!has_button(v, "void_meal"));
    press(&fx, "call_next", t + 60000);
    v = view(&fx);
    CHECK_STR(v->screen, "staff_counter");
    CHECK_INT(v->button_count, 4); /* three counters and back */
    CHECK_STR(v->buttons[2].label, "3号窗口");
    press(&fx, "counter3", t + 60000);
    CHECK_STR(view(&fx)->headline, "请 J001 号到 3 号窗口");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM queue_call WHERE number = 'J001'"
                                " AND counter = 3"),
              1);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"call_next\"%' AND payload LIKE '%J001%'"),
              1);
    press_each(&fx, "back call_next counter1", t + 61000);
    CHECK_STR(view(&fx)->headline, "请 J002 号到 1 号窗口");
    press_each(&fx, "back call_next counter1", t + 62000);
    CHECK_STR(view(&fx)->headline, "现在没有人等候");
    teardown(&fx);
}

static void test_timeout_and_out_of_service(void)
{
    fixture fx;
    setup(&fx, "timeout", true);
    int64_t t = at(11, 30);
    tap(&fx, "5AF00001", t);
    type_pin(&fx, "1234", t);
    CHECK_STR(view(&fx)->screen, "staff_menu");
    /* 59 s after the last touch: still there; 60 s: gone. */
    int64_t last = fx.mono;
    CHECK_INT(kiosk_router_deadline(fx.router) <= last + 60000, 1);
    kiosk_router_tick(fx.router, (kiosk_now){t + 59000, last + 59000});
    CHECK_STR(kiosk_router_active(fx.router), "staff");
    kiosk_router_tick(fx.router, (kiosk_now){t + 60000, last + 60000});
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"reason\":\"timeout\"%'"),
              1);

    fx.mono = last + 61000;
    tap(&fx, "5AF00001", t + 61000);
    type_pin(&fx, "1234", t + 61000);
    press(&fx, "out_of_service", t + 61000);
    CHECK_STR(view(&fx)->screen, "staff_oos");
    /* A diner's tap is answered, not served; time does not end it. */
    tap(&fx, "04A1B2C3", t + 70000);
    CHECK_STR(view(&fx)->screen, "staff_oos");
    kiosk_router_tick(fx.router, (kiosk_now){t + 999000, fx.mono + 999000});
    fx.mono += 999000;
    CHECK_STR(view(&fx)->screen, "staff_oos");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 0);
    /* Staff sign in and resume. */
    tap(&fx, "5AF00001", t + 1000000);
    type_pin(&fx, "1234", t + 1000000);
    CHECK(has_button(view(&fx), "resume"));
    press_each(&fx, "resume leave", t + 1000000);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    tap(&fx, "04A1B2C3", t + 1001000);
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    teardown(&fx);
}

/* 本机设置 under 同步和设备: a supervisor's only (an operator sees no button, and a press is
 * refused by the core); − and + move the level by 10 within 0..100, the figure shows it, the
 * store keeps it with an audit entry, the app is asked to speak at it (the request carries the
 * level) and a prompt is said at once. The level starts as the kiosk started (the settings'
 * voice_volume) and then is the one kept. */
static void test_volume(void)
{
    fixture fx;
    setup(&fx, "volume", true);
    fx.settings.voice_volume = 80;
    int64_t t = at(11, 30);
    tap(&fx, "5AF00001", t);
    type_pin(&fx, "1234", t);
    press(&fx, "status", t);
    CHECK(!has_button(view(&fx), "settings"));
    press(&fx, "settings", t);
    CHECK_STR(view(&fx)->headline, "没有这个权限");
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"settings\"%\"outcome\":\"refused\"%'"),
              1);
    press_each(&fx, "back leave", t);

    tap(&fx, "5AF00002", t + 1000);
    type_pin(&fx, "9876", t + 1000);
    press(&fx, "status", t + 1000);
    CHECK(has_button(view(&fx), "settings"));
    press(&fx, "settings", t + 1000);
    const kiosk_view *v = view(&fx);
    CHECK_STR(v->screen, "staff_settings");
    CHECK_STR(v->headline, "语音音量 80");
    CHECK(has_button(v, "volume_down"));
    CHECK(has_button(v, "volume_up"));
    unsigned request_serial = v->request.serial, voice_serial = v->voice.serial;
    press(&fx, "volume_up", t + 2000);
    v = view(&fx);
    CHECK_STR(v->headline, "语音音量 90");
    CHECK_INT(v->request.kind, KIOSK_REQUEST_VOLUME);
    CHECK_INT(v->request.volume, 90);
    CHECK_INT(v->request.serial, request_serial + 1);
    CHECK_INT(v->voice.serial, voice_serial + 1);
    CHECK_INT(v->voice.count, 1);
    CHECK_STR(v->voice.clips[0], "tap_card");
    press(&fx, "volume_up", t + 3000);
    press(&fx, "volume_up", t + 4000); /* at 100 already: nothing more to keep or ask */
    v = view(&fx);
    CHECK_STR(v->headline, "语音音量 100");
    CHECK_INT(v->request.volume, 100);
    CHECK_INT(v->request.serial, request_serial + 2);
    CHECK_INT(v->voice.serial, voice_serial + 3); /* said again, so staff hear the level */
    for (int i = 0; i < 4; i++)
        press(&fx, "volume_down", t + 5000 + i);
    CHECK_STR(view(&fx)->headline, "语音音量 60");
    CHECK_INT(view(&fx)->request.volume, 60);
    int volume = -1;
    CHECK_INT(kiosk_store_voice_volume(fx.store, &volume), KIOSK_OK);
    CHECK_INT(volume, 60);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"settings\"%\"outcome\":\"ok\"%'"
                                " AND payload LIKE '%voice_volume%'"),
              6);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"detail\":\"voice_volume 100 -> 90\"%'"
                                " AND payload LIKE '%\"staff_id\":\"S002\"%'"),
              1);
    press(&fx, "back", t + 6000);
    CHECK_STR(view(&fx)->screen, "staff_status");
    teardown(&fx);
}

/* A long press in the corner over a diner's screen: 请刷工作人员卡 for 20 s by the flows' clock,
 * then the canteen's screen as it was; nothing recorded. A staff card within the 20 s opens the
 * PIN keypad; a diner's card is served at once; over staff mode, a long press does nothing. */
static void test_corner_prompt(void)
{
    fixture fx;
    setup(&fx, "corner", true);
    int64_t t = at(11, 30);
    char before[sizeof view(&fx)->screen];
    snprintf(before, sizeof before, "%s", view(&fx)->screen);
    long audit = count(fx.db_path, "SELECT count(*) FROM audit");
    fx.mono += 1000;
    int64_t held = fx.mono;
    kiosk_router_corner_hold(fx.router, (kiosk_now){t, held});
    const kiosk_view *v = view(&fx);
    CHECK_STR(kiosk_router_active(fx.router), "staff");
    CHECK_STR(v->screen, "staff_card_prompt");
    CHECK_STR(v->headline, "请刷工作人员卡");
    CHECK_INT(v->countdown_s, 20);
    CHECK_INT(kiosk_router_deadline(fx.router), held + 20000);
    kiosk_router_tick(fx.router, (kiosk_now){t + 19999, held + 19999});
    CHECK_STR(view(&fx)->screen, "staff_card_prompt");
    kiosk_router_tick(fx.router, (kiosk_now){t + 20000, held + 20000});
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    CHECK_STR(view(&fx)->screen, before);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM audit"), audit);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 0);

    /* A staff card within the 20 s: the PIN. */
    fx.mono = held + 30000;
    kiosk_router_corner_hold(fx.router, (kiosk_now){t + 30000, fx.mono});
    tap(&fx, "5AF00001", t + 31000);
    CHECK_STR(view(&fx)->screen, "staff_pin");
    /* Over staff mode a long press changes nothing. */
    kiosk_router_corner_hold(fx.router, (kiosk_now){t + 32000, fx.mono});
    CHECK_STR(view(&fx)->screen, "staff_pin");
    press(&fx, "leave", t + 33000);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");

    /* A diner's card within the 20 s: served at once. */
    kiosk_router_corner_hold(fx.router, (kiosk_now){t + 40000, fx.mono});
    tap(&fx, "04A1B2C3", t + 41000);
    CHECK_STR(kiosk_router_active(fx.router), "canteen");
    CHECK_INT(view(&fx)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(fx.db_path, "SELECT count(*) FROM meal"), 1);
    teardown(&fx);
}

static void test_settings(void)
{
    char err[200];
    const kiosk_flow_ops *ops = kiosk_flow_find("staff");
    CHECK(ops != NULL && !ops->base);
    kiosk_setting bad[] = {{"lockout_minutes", "0"}};
    kiosk_settings s = {bad, 1};
    CHECK_INT(ops->check_settings(&s, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK_STR(err, "lockout_minutes must be 1 to 1440, not '0'");
    kiosk_setting reasons[] = {{"reasons", "Bad Code:x"}};
    s = (kiosk_settings){reasons, 1};
    CHECK_INT(ops->check_settings(&s, err, sizeof err), KIOSK_ERR_CONFIG);
    kiosk_setting unknown[] = {{"pin", "1234"}};
    s = (kiosk_settings){unknown, 1};
    CHECK_INT(ops->check_settings(&s, err, sizeof err), KIOSK_ERR_CONFIG);
    kiosk_setting good[] = {{"reasons", "a:甲;b_2:乙"}, {"timeout_seconds", "30"}};
    s = (kiosk_settings){good, 2};
    CHECK_INT(ops->check_settings(&s, err, sizeof err), KIOSK_OK);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_staff_flow DATA_DIR POLICY_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    policy_dir = argv[2];
    if (kiosk_clock_set_zone("Asia/Shanghai") != KIOSK_OK)
        return 1;
    dir = check_scratch_dir("test_staff_flow");
    if (!dir)
        return 1;
    test_settings();
    test_pin_and_lock();
    test_menu_and_roles();
    test_void_and_diner_tap();
    test_reprint();
    test_override();
    test_manual();
    test_bill();
    test_bill_next();
    test_offline_allow();
    test_call_next();
    test_walkin();
    test_timeout_and_out_of_service();
    test_volume();
    test_corner_prompt();
    check_scratch_remove(dir);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
