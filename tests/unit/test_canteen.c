/* test_canteen.c - the canteen flow end to end inside the process: a real SQLite store with a
 * roster imported from CSV, the example policies of tests/policies, the events file, and the
 * view the screen would draw. Each refusal reason, the repeat tap, the return to idle, no day
 * view for diners (staff mode has it) and a failed commit (the database locked by another
 * writer) are exercised. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canteen.h"
#include "check.h"
#include "clock.h"
#include "sample_lunch.h"

static const char *dir;
static const char *policy_dir;

/* Local 2026-11-23 (a Monday) at hh:mm in Asia/Shanghai, as UTC ms. */
static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

static const char *roster =
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
    "card_status,issuing_canteen,id_number\n"
    /* 70 on the day: class age70, lunch subsidy 3.00 of 15.00 */
    "P1,张秀兰,1956-03-12,,320100,320102,320102002,local,active,04A1B2C3,active,,\n"
    /* a second card of the same person */
    "P1,张秀兰,1956-03-12,,320100,320102,320102002,local,active,04A1B2C3D4E5F6,active,,\n"
    "P2,周志强,1941-09-15,,320100,320102,320102003,local,active,04E5F6A7,blocked,,\n"
    "P3,林国栋,1935-05-05,,320100,320102,320102003,local,inactive,04FC0D1E,active,,\n"
    "P4,梁志明,1970-04-04,,320100,320102,320102003,local,active,04304152,active,,\n"
    "P5,何淑华,1943-02-14,,320100,320102,320102003,local,active,040D1E2F,active,other-c,\n"
    "P6,罗秀珍,1940-09-09,,320100,320102,320102003,other,active,042F3041,active,,\n"
    "P7,宋凤琴,1939-07-07,tekun,320100,320102,320102003,local,active,04415263,active,,\n"
    /* no card: identified by the ID-card reader; dibao lunch subsidy 8.00 */
    "P8,黄桂香,1934-01-01,dibao,320100,320102,320102002,local,active,,,,320102193401010020\n";

typedef struct fixture {
    kiosk_flow_settings settings;
    int64_t utc_ms; /* the wall clock of the last tap: ticks run on from it */
    kiosk_store *store;
    kiosk_policy_set *policies;
    kiosk_events_log *log;
    kiosk_canteen *canteen;
    char db_path[256], events_path[256];
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

/* The canteen's INI section for the next setup (empty: set meals). */
static kiosk_setting canteen_items[8];
static kiosk_flow_sections canteen_sections = {
    .names = {"canteen"}, .sections = {{canteen_items, 0}}, .count = 1};

static void canteen_settings(const kiosk_setting *items, size_t n)
{
    if (n)
        memcpy(canteen_items, items, n * sizeof *items);
    canteen_sections.sections[0].count = n;
}

static void setup(fixture *fx, const char *name, const char *policy_file)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->db_path, sizeof fx->db_path, "%s/%s.db", dir, name);
    snprintf(fx->events_path, sizeof fx->events_path, "%s/%s.jsonl", dir, name);
    char err[256];
    CHECK_INT(kiosk_store_open(fx->db_path, &fx->store, err, sizeof err), KIOSK_OK);
    FILE *csv = fmemopen((void *)roster, strlen(roster), "r");
    kiosk_import_stats stats;
    CHECK_INT(kiosk_store_import_roster(fx->store, csv, (kiosk_date){2026, 11, 23}, &stats, err,
                                        sizeof err),
              KIOSK_OK);
    fclose(csv);
    fx->policies = kiosk_policy_set_new();
    load_policy(fx->policies, policy_file);
    CHECK_INT(kiosk_events_log_open(fx->events_path, &fx->log), KIOSK_OK);
    kiosk_flow_settings *o = &fx->settings;
    o->result_seconds = 8;
    o->repeat_tap_seconds = 10;
    snprintf(o->kiosk_id, sizeof o->kiosk_id, "k-test");
    snprintf(o->site_name, sizeof o->site_name, "测试助餐点");
    snprintf(o->site.canteen_id, sizeof o->site.canteen_id, "c-home");
    snprintf(o->site.area.city, sizeof o->site.area.city, "320100");
    snprintf(o->site.area.district, sizeof o->site.area.district, "320102");
    snprintf(o->site.area.street, sizeof o->site.area.street, "320102002");
    kiosk_flow_env env = {.settings = o,
                          .sections = &canteen_sections,
                          .store = fx->store,
                          .policies = fx->policies,
                          .events = fx->log};
    fx->canteen = kiosk_canteen_new(&env);
    CHECK(fx->canteen != NULL);
    canteen_settings(NULL, 0); /* the next fixture starts with set meals again */
}

static void teardown(fixture *fx)
{
    kiosk_canteen_free(fx->canteen);
    kiosk_events_log_close(fx->log);
    kiosk_policy_set_free(fx->policies);
    kiosk_store_close(fx->store);
}

static kiosk_now when(int64_t utc_ms, int64_t mono_ms)
{
    return (kiosk_now){utc_ms, mono_ms};
}

static void tap(fixture *fx, const char *hex, int64_t utc_ms, int64_t mono_ms)
{
    kiosk_card card = {.uid_len = strlen(hex) / 2};
    for (size_t i = 0; i < card.uid_len; i++)
        sscanf(hex + 2 * i, "%2hhx", &card.uid[i]);
    fx->utc_ms = utc_ms;
    kiosk_canteen_on_card(fx->canteen, &card, when(utc_ms, mono_ms));
}

static void id_card(fixture *fx, const char *number, int64_t utc_ms, int64_t mono_ms)
{
    kiosk_idcard id = {.type = KIOSK_IDCARD_RESIDENT};
    snprintf(id.number, sizeof id.number, "%s", number);
    snprintf(id.name, sizeof id.name, "黄桂香");
    kiosk_canteen_on_idcard(fx->canteen, &id, when(utc_ms, mono_ms));
}

static void tick(fixture *fx, int64_t mono_ms)
{
    kiosk_canteen_on_tick(fx->canteen, when(fx->utc_ms, mono_ms));
}

static long meals_in(fixture *fx)
{
    long meals = -1, pending = -1;
    CHECK_INT(kiosk_store_count_meals(fx->store, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, pending); /* every meal has its outbox row */
    return meals;
}

/* The events file's last line (static buffer). */
static const char *last_event(fixture *fx)
{
    static char line[2048], last[2048];
    FILE *f = fopen(fx->events_path, "r");
    last[0] = '\0';
    if (!f)
        return last;
    while (fgets(line, sizeof line, f))
        memcpy(last, line, sizeof line);
    fclose(f);
    return last;
}

static const char *row_value(const kiosk_view *v, const char *label)
{
    for (size_t i = 0; i < v->figure_count; i++)
        if (strcmp(v->figures[i].label, label) == 0)
            return v->figures[i].value;
    return "(no such row)";
}

static void test_success_repeat_and_timeout(void)
{
    fixture fx;
    setup(&fx, "success", "fixed-by-class.json");
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->screen, "idle");
    CHECK_STR(v->prompt, "请刷卡");
    CHECK(kiosk_canteen_deadline(fx.canteen) == INT64_MAX);
    char none[64];
    CHECK_INT(kiosk_canteen_receipt(fx.canteen, 32, none, sizeof none), KIOSK_ERR_NOT_FOUND);

    unsigned serial = v->voice.serial;
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->screen, "result");
    CHECK_INT(v->tone, KIOSK_TONE_SUCCESS);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(v->name, "张*兰 · 午餐");
    CHECK_STR(v->subline, "");
    CHECK_STR(row_value(v, "餐费"), "¥15.00");
    CHECK_STR(row_value(v, "补贴"), "¥3.00");
    CHECK_STR(row_value(v, "您需支付"), "¥12.00");
    CHECK_STR(row_value(v, "本月补贴还剩"), "¥197.00");
    CHECK_STR(v->message, "");
    CHECK(v->voice.serial != serial);
    CHECK(v->voice.count >= 3);
    CHECK_STR(v->voice.clips[0], "meal_ok");
    CHECK_STR(v->voice.clips[1], "subsidy");
    CHECK_INT(meals_in(&fx), 1);
    const char *record_id = kiosk_canteen_last_record_id(fx.canteen);
    CHECK_INT(strlen(record_id), 36);
    const char *ev = last_event(&fx);
    CHECK(strstr(ev, "\"result\": \"approved\"") || strstr(ev, "\"result\":\"approved\""));
    CHECK(strstr(ev, record_id) != NULL);
    CHECK(strstr(ev, "\"subsidy_fen\": 300") || strstr(ev, "\"subsidy_fen\":300"));
    CHECK(strstr(ev, "张") == NULL); /* no personal data in the events file */
    char receipt[1024];
    CHECK_INT(kiosk_canteen_receipt(fx.canteen, 32, receipt, sizeof receipt), KIOSK_OK);
    CHECK(strstr(receipt, "姓名                       张*兰\n") != NULL);
    CHECK(strstr(receipt, "实付                      ¥12.00\n") != NULL);
    const char *number = strstr(receipt, "单号\n"); /* the 36-character id wraps at 32 */
    CHECK(number != NULL && strncmp(number + strlen("单号\n"), record_id, 32) == 0);

    /* The same card two seconds later: the same figures, plainly a repeat, no second meal. */
    serial = v->voice.serial;
    tap(&fx, "04A1B2C3", at(11, 30) + 2000, 3000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "刚才已刷过");
    CHECK_STR(v->advice, "本次未重复记录");
    CHECK_INT(v->tone, KIOSK_TONE_INFO); /* not the green "✓ 用餐成功" of a new meal */
    CHECK_STR(v->name, "张*兰 · 午餐");
    CHECK_STR(row_value(v, "您需支付"), "¥12.00");
    CHECK_STR(v->voice.clips[0], "same_result");
    CHECK(v->voice.serial != serial);
    CHECK_INT(meals_in(&fx), 1);
    CHECK(strstr(last_event(&fx), "repeat") != NULL);
    CHECK(strstr(last_event(&fx), record_id) != NULL);

    /* The countdown runs and the screen goes back to idle by itself. */
    tick(&fx, 3000 + 5500);
    CHECK_INT(kiosk_canteen_view(fx.canteen)->countdown_s, 3);
    CHECK(kiosk_canteen_deadline(fx.canteen) <= 3000 + 8000);
    tick(&fx, 3000 + 8000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "idle");

    /* The other card of the same person, after the repeat window: already had lunch, here. */
    tap(&fx, "04A1B2C3D4E5F6", at(12, 10), 60000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_REFUSED);
    CHECK_STR(v->headline, "本餐已经用过");
    CHECK_STR(row_value(v, "午餐已在本点用过"), "11:30");
    CHECK_STR(v->message, "");
    CHECK_STR(v->voice.clips[0], "already_had_meal");
    CHECK_INT(meals_in(&fx), 1);
    CHECK(strstr(last_event(&fx), "already_had_meal") != NULL);

    /* Back pressed: idle at once. */
    kiosk_canteen_on_press(fx.canteen, "back", when(at(12, 10), 61000));
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "idle");

    /* No day view for diners: it is in staff mode now, behind a staff card and PIN. */
    v = kiosk_canteen_view(fx.canteen);
    for (size_t i = 0; i < v->button_count; i++)
        CHECK(strcmp(v->buttons[i].id, "dayview") != 0 && v->buttons[i].role != KIOSK_ROLE_BAR);
    kiosk_canteen_on_press(fx.canteen, "dayview", when(at(12, 11), 62000));
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "idle");
    teardown(&fx);
}

/* One tap and the reason it was refused. */
static void expect_refusal(fixture *fx, const char *uid, int64_t utc_ms, int64_t mono_ms,
                           const char *headline, const char *reason_code)
{
    long before = meals_in(fx);
    tap(fx, uid, utc_ms, mono_ms);
    const kiosk_view *v = kiosk_canteen_view(fx->canteen);
    CHECK_STR(v->screen, "result");
    CHECK_INT(v->tone, KIOSK_TONE_REFUSED);
    CHECK_STR(v->headline, headline);
    CHECK(v->advice[0] != '\0');
    CHECK(v->voice.count >= 1);
    if (v->voice.count)
        CHECK_STR(v->voice.clips[0], reason_code);
    CHECK_INT(meals_in(fx), before);
    char want[96];
    snprintf(want, sizeof want, "\"%s\"", reason_code);
    CHECK(strstr(last_event(fx), want) != NULL);
}

static void test_refusals(void)
{
    fixture fx;
    setup(&fx, "refusals", "fixed-by-class.json");
    int64_t mono = 1000;
    expect_refusal(&fx, "0A0B0C0D", at(11, 30), mono += 20000, "未登记的卡", "unknown_card");
    CHECK_STR(kiosk_canteen_view(fx.canteen)->name, "");
    expect_refusal(&fx, "04E5F6A7", at(11, 30), mono += 20000, "此卡已停用", "card_blocked");
    expect_refusal(&fx, "04FC0D1E", at(11, 30), mono += 20000, "助餐资格已停用", "person_inactive");
    expect_refusal(&fx, "04304152", at(11, 30), mono += 20000, "未到助餐年龄", "not_eligible_age");
    expect_refusal(&fx, "040D1E2F", at(11, 30), mono += 20000, "非本助餐点的卡", "wrong_canteen");
    expect_refusal(&fx, "042F3041", at(11, 30), mono += 20000, "不在本地助餐范围",
                   "not_eligible_residence");
    expect_refusal(&fx, "04A1B2C3", at(10, 0), mono += 20000, "现在不是用餐时间",
                   "outside_meal_hours");
    CHECK_STR(row_value(kiosk_canteen_view(fx.canteen), "午餐"), "11:00-13:00");
    CHECK_STR(kiosk_canteen_view(fx.canteen)->advice, "请在用餐时间再来");

    /* Per day at most two subsidised meals: breakfast and lunch, then dinner is refused. */
    tap(&fx, "04415263", at(8, 0), mono += 20000);
    CHECK_INT(kiosk_canteen_view(fx.canteen)->tone, KIOSK_TONE_SUCCESS);
    CHECK_STR(row_value(kiosk_canteen_view(fx.canteen), "您需支付"), "免费"); /* tekun: free */
    CHECK_STR(kiosk_canteen_view(fx.canteen)->advice, "请到窗口取餐");
    tap(&fx, "04415263", at(11, 45), mono += 20000);
    CHECK_INT(kiosk_canteen_view(fx.canteen)->tone, KIOSK_TONE_SUCCESS);
    expect_refusal(&fx, "04415263", at(17, 30), mono += 20000, "补贴次数已用完", "daily_limit");

    /* No policy in force before the first effective date. */
    int64_t before = kiosk_clock_local_midnight_ms((kiosk_date){2025, 12, 31}) + 690 * 60000;
    expect_refusal(&fx, "04A1B2C3", before, mono += 20000, "今日没有助餐政策", "no_policy");
    teardown(&fx);
}

/* The monthly cap reached: refused, but a full-price meal is offered with the price shown. */
static void test_monthly_cap_full_price(void)
{
    fixture fx;
    setup(&fx, "cap", "fixed-by-class.json");
    /* 20 earlier tekun meals of 10.00 this month fill the 200.00 cap. */
    for (int day = 1; day <= 20; day++) {
        int64_t utc = kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, day}) + 700 * 60000;
        kiosk_meal_entry m =
            sample_lunch("P7", "k-test", "c-home", utc, (kiosk_date){2026, 11, day});
        m.at.minute_of_day = 700;
        m.decision.subsidy_fen = 1000;
        m.decision.pay_fen = 500;
        m.decision.funding_fen[KIOSK_LEVEL_CITY] = 1000;
        snprintf(m.decision.class_id, sizeof m.decision.class_id, "tekun");
        snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "gl-2026.1");
        CHECK_INT(kiosk_store_add_meal(fx.store, &m), KIOSK_OK);
    }
    expect_refusal(&fx, "04415263", at(11, 30), 1000, "本月补贴已用完", "monthly_cap");
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(row_value(v, "原价"), "¥15.00");
    CHECK_STR(v->advice, "可按原价到窗口付款");
    CHECK_STR(v->voice.clips[v->voice.count - 1], "full_price_ok");
    CHECK(strstr(last_event(&fx), "full_price_allowed") != NULL);
    teardown(&fx);
}

/* Another writer holds the database (an import, the sync worker): the diner is told "请稍等"
 * at once, never "success" and no record, while the kiosk tries again; when the lock stays, an
 * error screen. When the lock goes during the wait, the meal is served. */
static void test_commit_failure(void)
{
    fixture fx;
    setup(&fx, "locked", "fixed-by-class.json");
    kiosk_store_set_busy_timeout(fx.store, 20);
    sqlite3 *other;
    CHECK_INT(sqlite3_open(fx.db_path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_INFO);
    CHECK_STR(v->headline, "请稍等");
    CHECK_STR(v->voice.clips[0], "please_wait");
    CHECK(kiosk_canteen_deadline(fx.canteen) <= 1000 + 300);
    CHECK_STR(kiosk_canteen_last_record_id(fx.canteen), "");
    /* The lock stays: after the retries, an error and nothing recorded. */
    int64_t mono = 1000;
    for (int i = 0; i < 40 && strcmp(kiosk_canteen_view(fx.canteen)->headline, "请稍等") == 0; i++)
        tick(&fx, mono += 300);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_ERROR);
    CHECK_STR(v->headline, "记录没有保存成功"); /* the cause, in the banner */
    CHECK_STR(v->advice, "请到窗口找工作人员");
    CHECK_STR(v->voice.clips[0], "error");
    CHECK_STR(kiosk_canteen_last_record_id(fx.canteen), "");
    CHECK(strstr(last_event(&fx), "\"error\"") != NULL);
    CHECK_INT(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    CHECK_INT(meals_in(&fx), 0);

    /* An error is not remembered as a result: the diner taps again and gets the meal. */
    tap(&fx, "04A1B2C3", at(11, 31), mono += 4000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "用餐成功");
    CHECK_INT(meals_in(&fx), 1);

    /* Locked again for another diner; the lock goes while "请稍等" is shown: served. */
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    tap(&fx, "04415263", at(11, 32), mono += 20000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "请稍等");
    tick(&fx, mono += 300);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "请稍等");
    CHECK_INT(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    tick(&fx, mono += 300);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "用餐成功");
    CHECK_INT(meals_in(&fx), 2);
    sqlite3_close(other);
    teardown(&fx);
}

/* A diner without a card is found by the ID card; a misread number asks for the card again. */
static void test_id_card(void)
{
    fixture fx;
    setup(&fx, "idcard", "fixed-by-class.json");
    id_card(&fx, "320102193401010020", at(11, 30), 1000);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(v->name, "黄*香 · 午餐");
    CHECK_STR(row_value(v, "补贴"), "¥8.00");
    CHECK_INT(meals_in(&fx), 1);
    CHECK(strstr(last_event(&fx), "320102") == NULL); /* the number is never written */

    id_card(&fx, "320102193401010020", at(11, 30) + 1000, 2000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->voice.clips[0], "same_result");
    id_card(&fx, "320102193401010020", at(11, 50), 60000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "本餐已经用过");
    CHECK_INT(meals_in(&fx), 1);

    /* A valid number that is not on the roster. */
    expect_refusal(&fx, "0A0B0C0D", at(11, 51), 80000, "未登记的卡", "unknown_card");
    id_card(&fx, "32010419390707004x", at(11, 52), 100000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "未登记的身份证");

    /* A misread: the check character does not match. */
    id_card(&fx, "320102193401010021", at(11, 53), 120000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_ERROR);
    CHECK_STR(v->headline, "身份证没有读清楚");
    CHECK_STR(v->advice, "请把身份证重新放在读卡区");
    CHECK_STR(v->voice.clips[0], "id_again");
    CHECK(strstr(last_event(&fx), "bad_check") != NULL);
    CHECK_INT(meals_in(&fx), 1);

    /* The reader could not read the card at all: the same request, and the reason logged. */
    unsigned serial = v->voice.serial;
    kiosk_canteen_on_idcard_error(fx.canteen, "card read failed (41)",
                                  (kiosk_now){at(11, 54), 130000});
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_ERROR);
    CHECK_STR(v->headline, "身份证没有读清楚");
    CHECK_STR(v->advice, "请把身份证重新放在读卡区");
    CHECK_STR(v->voice.clips[0], "id_again");
    CHECK(v->voice.serial != serial); /* said again */
    CHECK(strstr(last_event(&fx), "\"reason\":\"idcard_unreadable\"") != NULL);
    CHECK(strstr(last_event(&fx), "card read failed (41)") != NULL);
    CHECK_INT(meals_in(&fx), 1);

    /* The meal identified by ID card is stored without a card. */
    sqlite3 *db;
    CHECK_INT(sqlite3_open(fx.db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM meal WHERE card_key IS NULL", -1, &st, NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 1); /* recorded without a card */
    sqlite3_finalize(st);
    sqlite3_close(db);
    teardown(&fx);
}

/* Help is offered on the idle screen and goes back by itself. */
static void test_help(void)
{
    fixture fx;
    setup(&fx, "help", "fixed-by-class.json");
    kiosk_canteen_on_press(fx.canteen, "help", when(at(9, 0), 1000));
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_INFO);
    CHECK_STR(v->headline, "需要帮助吗？");
    CHECK_STR(v->voice.clips[0], "tap_card");
    CHECK_STR(v->screen, "help");
    /* Help offers back, not help again, and nothing for staff (that is staff mode's). */
    bool help_again = false, staff_button = false;
    for (size_t i = 0; i < v->button_count; i++) {
        help_again = help_again || strcmp(v->buttons[i].id, "help") == 0;
        staff_button = staff_button || v->buttons[i].role == KIOSK_ROLE_BAR;
    }
    CHECK(!help_again);
    CHECK(!staff_button);
    tick(&fx, 1000 + 15000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "idle");
    /* A result screen: help with no trip back to idle (the README's demo). */
    tap(&fx, "04A7B8C9", at(12, 0), 20000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "result");
    kiosk_canteen_on_press(fx.canteen, "help", when(at(12, 0), 21000));
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "help");
    teardown(&fx);
}

static void press(fixture *fx, const char *widget, int64_t mono_ms)
{
    kiosk_canteen_on_press(fx->canteen, widget, when(fx->utc_ms, mono_ms));
}

/* Bill pricing: the counter types the bill (or the register sends it), then the card; the
 * subsidy is computed on the bill, the minimum spend and "must exceed" judged on it. */
static void test_bill_pricing(void)
{
    static const kiosk_setting bill[] = {{"pricing", "bill"}};
    canteen_settings(bill, 1);
    fixture fx;
    setup(&fx, "bill", "fixed-by-class.json");
    fx.utc_ms = at(11, 30);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->screen, "bill");
    CHECK(v->keypad.shown);
    CHECK_STR(v->keypad.value, "¥0.00");
    /* A card before the bill: asked for the bill, nothing recorded. */
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "请先输入金额");
    CHECK_INT(meals_in(&fx), 0);
    press(&fx, "back", 1500);
    /* 1, 2, 5, 0, a leading zero ignored, a digit taken back: ¥12.50. */
    static const char *const keys[] = {"key0", "key1", "key2", "key5", "key0", "key9", "backspace"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        press(&fx, keys[i], 2000 + (int64_t)i);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->keypad.value, "¥12.50");
    press(&fx, "confirm", 2100);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->screen, "idle");
    CHECK_STR(v->hint, "本餐金额 ¥12.50");
    /* 70: age70 lunch 300 off the bill of 1250. */
    tap(&fx, "04A1B2C3", at(11, 31), 3000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(row_value(v, "餐费"), "¥12.50");
    CHECK_STR(row_value(v, "补贴"), "¥3.00");
    CHECK_STR(row_value(v, "您需支付"), "¥9.50");
    CHECK(strstr(last_event(&fx), "\"price_fen\":1250") != NULL);
    sqlite3 *db;
    CHECK_INT(sqlite3_open(fx.db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT price_source, price_fen FROM meal", -1, &st, NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "bill");
    CHECK_INT(sqlite3_column_int(st, 1), 1250);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* The bill is used up: the next diner needs a new one. */
    tick(&fx, 3000 + 8000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "bill");
    /* The register sends a bill of 200 for the 92-year-old 低保 diner: her 800 (dibao) is
     * capped at the bill, so the meal is free. */
    kiosk_canteen_on_bill(fx.canteen, 200, when(at(11, 40), 20000));
    CHECK_STR(kiosk_canteen_view(fx.canteen)->hint, "本餐金额 ¥2.00");
    id_card(&fx, "320102193401010020", at(11, 40), 20100);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(row_value(v, "补贴"), "¥2.00");
    CHECK_STR(row_value(v, "您需支付"), "免费");
    tick(&fx, 20100 + 8000);
    /* An unknown card with a bill waiting: refused, and the bill is not left for the next. */
    kiosk_canteen_on_bill(fx.canteen, 500, when(at(11, 41), 30000));
    tap(&fx, "0A0B0C0D", at(11, 41), 30100);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "未登记的卡");
    tick(&fx, 30100 + 8000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "bill");
    /* A bill lapses when no card comes. */
    kiosk_canteen_on_bill(fx.canteen, 800, when(at(11, 45), 40000));
    CHECK_STR(kiosk_canteen_view(fx.canteen)->hint, "本餐金额 ¥8.00");
    tick(&fx, 40000 + 120 * 1000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "bill");
    CHECK_STR(kiosk_canteen_view(fx.canteen)->keypad.value, "¥0.00");
    teardown(&fx);
}

/* Menu pricing: a set meal chosen before the card, or after it. */
static void test_menu_pricing(void)
{
    static const kiosk_setting menu[] = {
        {"pricing", "menu"}, {"menu1", "A套餐:1200"}, {"menu2", "B套餐:1800"}};
    canteen_settings(menu, 3);
    fixture fx;
    setup(&fx, "menu", "fixed-by-class.json");
    fx.utc_ms = at(11, 30);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->screen, "menu");
    CHECK_INT(v->button_count, 3); /* two items and help (no day view: staff mode has it) */
    CHECK_STR(v->buttons[1].label, "B套餐 ¥18.00");
    press(&fx, "menu2", 1000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->hint, "已选 B套餐 ¥18.00");
    tap(&fx, "04A1B2C3", at(11, 30), 2000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(row_value(v, "餐费"), "¥18.00");
    CHECK_STR(row_value(v, "您需支付"), "¥15.00");
    tick(&fx, 2000 + 8000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->screen, "menu");
    /* The card first: kept while the diner chooses, then served with the choice. */
    tap(&fx, "04415263", at(11, 31), 20000); /* 特困: the whole price */
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "请选择套餐");
    CHECK_INT(meals_in(&fx), 1);
    press(&fx, "menu1", 21000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(row_value(v, "餐费"), "¥12.00");
    CHECK_STR(row_value(v, "您需支付"), "免费");
    CHECK_INT(meals_in(&fx), 2);
    teardown(&fx);

    /* Settings that cannot work are refused by name. */
    char err[200];
    static const kiosk_setting bad_mode[] = {{"pricing", "free"}};
    static const kiosk_setting no_items[] = {{"pricing", "menu"}};
    static const kiosk_setting bad_item[] = {{"menu1", "A套餐"}};
    static const kiosk_setting hole[] = {{"menu2", "B:100"}};
    static const kiosk_setting unknown[] = {{"colour", "red"}};
    static const struct {
        const kiosk_setting *items;
        const char *want;
    } bad[] = {{bad_mode, "pricing must be set, menu or bill"},
               {no_items, "pricing = menu needs at least menu1"},
               {bad_item, "menu1 must be NAME:PRICE_IN_FEN"},
               {hole, "menu2 is set but menu1 is not"},
               {unknown, "unknown setting 'colour'"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_settings section = {bad[i].items, 1};
        err[0] = '\0';
        CHECK_INT(kiosk_canteen_flow.check_settings(&section, err, sizeof err), KIOSK_ERR_CONFIG);
        CHECK(strstr(err, bad[i].want) != NULL);
    }
}

/* A meal without a subsidy says why; the repeat window runs on the injectable clock. */
static void test_no_subsidy_and_clock(void)
{
    fixture fx;
    setup(&fx, "nosub", "fixed-by-class.json");
    tap(&fx, "04304152", at(11, 30), 1000); /* 56: refused by age under this policy */
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "未到助餐年龄");
    teardown(&fx);
    /* Under pay-by-class (no minimum age) a 56-year-old "resident" eats at the list price. */
    setup(&fx, "nosub2", "pay-by-class.json");
    snprintf(fx.settings.site.canteen_id, sizeof fx.settings.site.canteen_id, "ja-jj-01");
    snprintf(fx.settings.site.area.city, sizeof fx.settings.site.area.city, "320100");
    int64_t lunch = kiosk_clock_local_midnight_ms((kiosk_date){2026, 7, 6}) + 11 * 3600000LL;
    tap(&fx, "04304152", lunch, 1000);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_STR(v->headline, "用餐成功");
    CHECK_STR(row_value(v, "补贴"), "¥0.00");
    CHECK_STR(v->advice, "这一餐没有补贴");
    /* The same card a minute later by the wall clock, one second later by the monotonic
     * clock: past the 10 s repeat window, so not a repeat. */
    tap(&fx, "04304152", lunch + 60000, 2000);
    CHECK_STR(kiosk_canteen_view(fx.canteen)->headline, "用餐成功");
    CHECK_INT(meals_in(&fx), 2);
    teardown(&fx);
}

/* The database file removed while the kiosk runs: an error screen, never "success". */
static void test_database_gone(void)
{
    fixture fx;
    setup(&fx, "gone", "fixed-by-class.json");
    CHECK_INT(unlink(fx.db_path), 0);
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_ERROR);
    CHECK_STR(v->headline, "数据文件丢失，没有记账");
    CHECK_STR(kiosk_canteen_last_record_id(fx.canteen), "");
    CHECK(strstr(last_event(&fx), "\"error\"") != NULL);
    teardown(&fx);
}

static bool view_has_button(const kiosk_view *v, const char *id)
{
    for (size_t i = 0; i < v->button_count; i++)
        if (strcmp(v->buttons[i].id, id) == 0)
            return true;
    return false;
}

/* The line of a print document that holds text, or NULL. */
static const char *doc_line_with(const kiosk_print_doc *doc, const char *text)
{
    for (size_t i = 0; i < doc->line_count; i++)
        if (strstr(doc->lines[i].text, text))
            return doc->lines[i].text;
    return NULL;
}

/* [canteen] receipt: always prints after every approved meal (and only then), ask offers a
 * button that prints once, never (the default) prints nothing; a receipt setting without a
 * printer cannot start. The document is laid out for the printer's columns. */
static void test_receipt_modes(void)
{
    static const kiosk_setting always[] = {{"receipt", "always"}};
    canteen_settings(always, 1);
    fixture fx;
    setup(&fx, "receipt_always", "fixed-by-class.json");
    fx.settings.paper_columns = 32;
    const kiosk_view *v = kiosk_canteen_view(fx.canteen);
    unsigned serial = v->print.serial;
    tap(&fx, "04A1B2C3", at(11, 30), 1000); /* 70: 15.00 - 3.00 */
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->print.serial, serial + 1);
    CHECK_INT(v->print.doc.columns, 32);
    CHECK(doc_line_with(&v->print.doc, "张*兰") != NULL);
    CHECK(doc_line_with(&v->print.doc, "12.00") != NULL); /* what the diner pays */
    CHECK_STR(v->print.doc.qr, kiosk_canteen_last_record_id(fx.canteen));
    CHECK(!view_has_button(v, "print"));
    /* A refusal (the same lunch again, after the repeat window) prints nothing. */
    tap(&fx, "04A1B2C3", at(11, 50), 100000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->tone, KIOSK_TONE_REFUSED);
    CHECK_INT(v->print.serial, serial + 1);
    teardown(&fx);

    static const kiosk_setting ask[] = {{"receipt", "ask"}};
    canteen_settings(ask, 1);
    setup(&fx, "receipt_ask", "fixed-by-class.json");
    fx.settings.paper_columns = 48;
    serial = kiosk_canteen_view(fx.canteen)->print.serial;
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->print.serial, serial);
    CHECK(view_has_button(v, "print"));
    kiosk_canteen_on_press(fx.canteen, "print", when(at(11, 30), 2000));
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->print.serial, serial + 1);
    CHECK_INT(v->print.doc.columns, 48);
    CHECK(!view_has_button(v, "print")); /* once */
    kiosk_canteen_on_press(fx.canteen, "print", when(at(11, 30), 2500));
    CHECK_INT(kiosk_canteen_view(fx.canteen)->print.serial, serial + 1);
    teardown(&fx);

    setup(&fx, "receipt_never", "fixed-by-class.json");
    serial = kiosk_canteen_view(fx.canteen)->print.serial;
    tap(&fx, "04A1B2C3", at(11, 30), 1000);
    v = kiosk_canteen_view(fx.canteen);
    CHECK_INT(v->print.serial, serial);
    CHECK(!view_has_button(v, "print"));
    teardown(&fx);

    /* No printer to print on: the flow does not start, and says why. */
    kiosk_flow_settings no_printer = {.result_seconds = 8};
    kiosk_setting items[] = {{"receipt", "always"}};
    kiosk_flow_sections sections = {.names = {"canteen"}, .sections = {{items, 1}}, .count = 1};
    kiosk_flow_env env = {.settings = &no_printer, .sections = &sections};
    void *self = NULL;
    char err[200] = "";
    CHECK_INT(kiosk_canteen_flow.create(&env, &self, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "needs a receipt printer") != NULL);
    CHECK(self == NULL);
    items[0].value = "sometimes";
    CHECK_INT(kiosk_canteen_flow.check_settings(&sections.sections[0], err, sizeof err),
              KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "receipt must be never, ask or always") != NULL);
}

int main(int argc, char **argv)
{
    policy_dir = argc > 1 ? argv[1] : "tests/policies";
    if (!(dir = check_scratch_dir("kiosk-canteen")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    test_success_repeat_and_timeout();
    test_refusals();
    test_monthly_cap_full_price();
    test_commit_failure();
    test_id_card();
    test_help();
    test_bill_pricing();
    test_menu_pricing();
    test_no_subsidy_and_clock();
    test_database_gone();
    test_receipt_modes();
    check_scratch_remove(dir);
    CHECK_DONE();
}
