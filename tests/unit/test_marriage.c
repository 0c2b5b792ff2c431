/* test_marriage.c - the marriage hall's check-in inside the process: a real SQLite store with
 * tests/data/appointments-sample.csv and tests/data/calendar-2026.csv imported, the flow driven
 * by ID cards, keys and time, and what the screen, the events file and the store say. Covers
 * either order of the cards, the same card twice, an unknown person, two persons not booked
 * together (and that nobody else's booking shows), a cancelled booking, another day, the slot's
 * edges, the cooling-off periods, a replacement with one party, the booking number, invalid ID
 * numbers, the second check-in of an appointment, the legal-age flag, the timeout, walk-ins and
 * the calling order, the import's refusals, and the numbering of two kiosks merged. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "hall.h"
#include "marriage_flow.h"

/* The value of the figure labelled label, or "(no such figure)". */
static const char *figure(const kiosk_view *v, const char *label)
{
    for (size_t i = 0; i < v->figure_count; i++)
        if (strcmp(v->figures[i].label, label) == 0)
            return v->figures[i].value;
    return "(no such figure)";
}

static const char *dir;
static const char *data_dir;

/* The persons of appointments-sample.csv. */
#define A_ID "320102199503152019" /* 张三明, A1 with B */
#define B_ID "320102199704202027"
#define C_ID "440304199005156819" /* 王大伟, A2 (priority) with D */
#define D_ID "440304199208081247"
#define E_ID "310104198501015519" /* A3 divorce certificate with F */
#define F_ID "310104198702026628"
#define G_ID "110108198001010074" /* A4 replacement, alone */
#define H_ID "110108198202020084" /* A5 with U, who is 19 */
#define U_ID "32010220061124002X"
#define I_ID "420102199303033035" /* not booked */
#define J_ID "420102199506064042" /* A6 tomorrow with K */
#define K_ID "320102200411230011"
#define L_ID "330106199101011237" /* A7 cancelled with M */
#define M_ID "330106199303031244"
#define N_ID "330106198808081111" /* A8 divorce certificate too early, with O */
#define O_ID "330106198909092223"
#define P_ID "350203198606061315" /* A9 withdrawal */
#define R_ID "510104199202021515" /* A10 with S: the booking number path */
#define S_ID "510104199404042621"

static int64_t at(int hh, int mm)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           ((int64_t)hh * 60 + mm) * 60000;
}

typedef struct fixture {
    kiosk_flow_settings settings;
    kiosk_store *store;
    kiosk_events_log *log;
    kiosk_marriage *m;
    int64_t mono;
    int64_t utc;
    char db_path[256], events_path[256];
    kiosk_setting items[8];
    kiosk_flow_sections sections;
} fixture;

static char *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    *len = fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

static void import_sample(kiosk_store *store)
{
    size_t len;
    char err[256] = "";
    char *text = read_file("appointments-sample.csv", &len);
    long rows = 0;
    kiosk_rc rc = kiosk_store_import_appointments(store, text, len, (kiosk_date){2026, 11, 23},
                                                  at(8, 0), &rows, err, sizeof err);
    if (rc != KIOSK_OK)
        fprintf(stderr, "import: %s\n", err);
    CHECK_INT(rc, KIOSK_OK);
    CHECK_INT(rows, 10);
    free(text);
    text = read_file("calendar-2026.csv", &len);
    int years = 0;
    CHECK_INT(kiosk_store_import_calendar(store, text, len, at(8, 0), &years, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(years, 1);
    free(text);
}

static void setup_with(fixture *fx, const char *name, const kiosk_setting *items, size_t n)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->db_path, sizeof fx->db_path, "%s/%s.db", dir, name);
    snprintf(fx->events_path, sizeof fx->events_path, "%s/%s.jsonl", dir, name);
    remove(fx->db_path);
    remove(fx->events_path);
    char err[256];
    CHECK_INT(kiosk_store_open(fx->db_path, &fx->store, err, sizeof err), KIOSK_OK);
    import_sample(fx->store);
    CHECK_INT(kiosk_events_log_open(fx->events_path, &fx->log), KIOSK_OK);
    kiosk_flow_settings *s = &fx->settings;
    s->result_seconds = 8;
    s->paper_columns = 32;
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "hall-k1");
    snprintf(s->site_name, sizeof s->site_name, "鼓楼区婚姻登记处");
    memcpy(fx->items, items, n * sizeof *items);
    fx->sections =
        (kiosk_flow_sections){.names = {"marriage"}, .sections = {{fx->items, n}}, .count = 1};
    kiosk_flow_env env = {
        .settings = s, .sections = &fx->sections, .store = fx->store, .events = fx->log};
    CHECK_INT(kiosk_marriage_new(&env, &fx->m, err, sizeof err), KIOSK_OK);
    fx->mono = 1000000;
    fx->utc = at(9, 5);
}

static const kiosk_setting default_items[] = {
    {"early_minutes", "30"},
    {"late_minutes", "30"},
    {"area_marriage", "二楼A区"},
};

static void setup(fixture *fx, const char *name)
{
    setup_with(fx, name, default_items, sizeof default_items / sizeof default_items[0]);
}

static void teardown(fixture *fx)
{
    kiosk_marriage_free(fx->m);
    kiosk_events_log_close(fx->log);
    kiosk_store_close(fx->store);
}

static kiosk_now now_of(fixture *fx)
{
    return (kiosk_now){fx->utc, fx->mono};
}

static const kiosk_view *card(fixture *fx, const char *number, const char *name)
{
    kiosk_idcard id = {.type = KIOSK_IDCARD_RESIDENT};
    snprintf(id.number, sizeof id.number, "%s", number);
    snprintf(id.name, sizeof id.name, "%s", name);
    fx->mono += 2000;
    fx->utc += 2000;
    kiosk_marriage_on_idcard(fx->m, &id, now_of(fx));
    return kiosk_marriage_view(fx->m);
}

static const kiosk_view *press(fixture *fx, const char *widget)
{
    fx->mono += 500;
    fx->utc += 500;
    kiosk_marriage_on_press(fx->m, widget, now_of(fx));
    return kiosk_marriage_view(fx->m);
}

static const kiosk_view *wait_s(fixture *fx, int seconds)
{
    fx->mono += (int64_t)seconds * 1000;
    fx->utc += (int64_t)seconds * 1000;
    kiosk_marriage_on_tick(fx->m, now_of(fx));
    return kiosk_marriage_view(fx->m);
}

/* The last line of the events file. */
static void last_event(fixture *fx, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(fx->events_path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f))
        snprintf(out, size, "%s", line);
    fclose(f);
}

static bool event_has(fixture *fx, const char *text)
{
    char line[1024];
    last_event(fx, line, sizeof line);
    if (!strstr(line, text))
        fprintf(stderr, "last event %s lacks %s\n", line, text);
    return strstr(line, text) != NULL;
}

static long count(fixture *fx, const char *sql)
{
    sqlite3 *db;
    long n = -1;
    if (sqlite3_open(fx->db_path, &db) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return n;
}

/* No screen shows anyone else's data: not the other booking's names, slot or service. */
static void check_reveals_nothing(const kiosk_view *v)
{
    const char *texts[] = {v->headline, v->name, v->subline, v->message, v->advice};
    for (size_t i = 0; i < 5; i++)
        CHECK(!strstr(texts[i], "李") && !strstr(texts[i], "陈") && !strstr(texts[i], ":") &&
              !strstr(texts[i], "结婚登记 ·"));
}

static void test_either_order_and_repeat(void)
{
    fixture fx;
    setup(&fx, "order");
    const kiosk_view *v = card(&fx, A_ID, "张三明");
    CHECK_STR(v->screen, "second");
    CHECK_STR(v->headline, "请另一方放置身份证");
    CHECK(v->waits_for_input); /* warned before it gives up, like a form */
    CHECK(strstr(v->name, "张*明") != NULL);
    CHECK(v->countdown_s == 60);
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->screen, "ticket");
    CHECK_STR(v->headline, "取号成功");
    CHECK_STR(v->code, "J001");
    CHECK_STR(v->code_label, "结婚登记 · 预约");
    CHECK_STR(v->name, "张*明、李*华");
    CHECK_STR(v->advice, "请到 二楼A区 等候叫号");
    CHECK(v->print.serial == 1);
    CHECK(v->print.doc.line_count > 5);
    CHECK_STR(v->voice.clips[0], "mar_ticket_ok");
    CHECK_STR(v->voice.clips[1], "letter_j");
    CHECK_STR(v->voice.clips[2], "d0");
    CHECK_STR(v->voice.clips[4], "d1");
    CHECK_STR(v->voice.clips[5], "hao");
    CHECK(event_has(&fx, "\"result\":\"issued\"") && event_has(&fx, "\"number\":\"J001\""));
    CHECK_INT(count(&fx, "SELECT count(*) FROM outbox WHERE kind = 'checkin'"), 1);
    CHECK_INT(count(&fx, "SELECT count(*) FROM appointment WHERE status = 'checked_in'"), 1);
    /* The other order: D before C gets the next number. */
    wait_s(&fx, 30);
    fx.utc = at(10, 0);
    v = card(&fx, D_ID, "陈美玲");
    CHECK_STR(v->screen, "second");
    v = card(&fx, C_ID, "王大伟");
    CHECK_STR(v->code, "J002");
    CHECK_STR(v->code_label, "结婚登记 · 优先");
    /* The first couple again, B first: the number they have, nothing new recorded or printed. */
    unsigned printed = v->print.serial;
    v = card(&fx, B_ID, "李小华");
    v = card(&fx, A_ID, "张三明");
    CHECK_STR(v->headline, "已取过号");
    CHECK_STR(v->code, "J001");
    CHECK(v->print.serial == printed);
    CHECK_STR(v->voice.clips[0], "mar_already");
    CHECK(event_has(&fx, "\"result\":\"repeat\""));
    CHECK_INT(count(&fx, "SELECT count(*) FROM checkin"), 2);
    CHECK_INT(count(&fx, "SELECT count(*) FROM outbox"), 2);
    /* No ID number or name in the events file. */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "grep -qE '%s|%s|张|李|\\*' %s", A_ID, B_ID, fx.events_path);
    CHECK(system(cmd) != 0);
    teardown(&fx);
}

static void test_wrong_pairs(void)
{
    fixture fx;
    setup(&fx, "pairs");
    /* The same card twice: asked for the other party, nothing else happens. */
    const kiosk_view *v = card(&fx, A_ID, "张三明");
    v = card(&fx, A_ID, "张三明");
    CHECK_STR(v->screen, "second");
    CHECK_STR(v->headline, "这是同一张身份证");
    CHECK_STR(v->voice.clips[0], "mar_same_card");
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->code, "J001");
    /* Two persons each booked, but not together: a clear message, nothing about their
     * bookings. */
    wait_s(&fx, 30);
    v = card(&fx, C_ID, "王大伟");
    CHECK_STR(v->screen, "second");
    v = card(&fx, H_ID, "吴秀英");
    CHECK_STR(v->screen, "result");
    CHECK_STR(v->headline, "两位没有共同的预约");
    check_reveals_nothing(v);
    CHECK(event_has(&fx, "not_together"));
    /* One of them unknown: the same words. */
    v = card(&fx, C_ID, "王大伟");
    v = card(&fx, I_ID, "郑小龙");
    CHECK_STR(v->headline, "两位没有共同的预约");
    check_reveals_nothing(v);
    /* The unknown one first: told at once. */
    v = card(&fx, I_ID, "郑小龙");
    CHECK_STR(v->headline, "没有找到您的预约");
    CHECK(event_has(&fx, "no_booking"));
    CHECK_INT(count(&fx, "SELECT count(*) FROM checkin"), 1);
    teardown(&fx);
}

static void test_refusals(void)
{
    fixture fx;
    setup(&fx, "refusals");
    const kiosk_view *v = card(&fx, L_ID, "林海");
    v = card(&fx, M_ID, "许静");
    CHECK_STR(v->headline, "这个预约已取消");
    CHECK(event_has(&fx, "\"reason\":\"cancelled\""));
    v = card(&fx, K_ID, "何俊");
    v = card(&fx, J_ID, "冯雪");
    CHECK_STR(v->headline, "预约日期不是今天");
    CHECK_STR(figure(v, "预约日期"), "2026年11月24日");
    CHECK_STR(figure(v, "结婚登记"), "09:00-09:30");
    CHECK(event_has(&fx, "other_day"));
    /* Cooling-off: applied 11-01, day 30 is 12-01; they may come from 12-02. */
    v = card(&fx, N_ID, "高峰");
    v = card(&fx, O_ID, "罗敏");
    CHECK_STR(v->headline, "冷静期还没有结束");
    CHECK_STR(figure(v, "可领证日期"), "2026年12月2日");
    CHECK_STR(figure(v, "可撤回申请至"), "2026年12月1日");
    CHECK_STR(v->advice, "届时请双方再来");
    CHECK(event_has(&fx, "cooling_early"));
    /* The certificate inside its period (applied 10-20): a number with the divorce prefix, at
     * 14:00 for the 14:00 slot. */
    fx.utc = at(13, 59);
    v = card(&fx, F_ID, "孙丽娟");
    v = card(&fx, E_ID, "赵志刚");
    CHECK_STR(v->code, "L001");
    CHECK_STR(v->code_label, "离婚登记 · 预约");
    /* A withdrawal: one party suffices. */
    fx.utc = at(9, 30);
    v = card(&fx, P_ID, "谢军");
    if (strcmp(v->code, "L002") != 0)
        fprintf(stderr, "withdrawal: %s / %s\n", v->headline, v->advice);
    CHECK_STR(v->code, "L002");
    CHECK_STR(v->code_label, "撤回离婚登记申请 · 预约");
    /* A replacement certificate: one party, its own prefix. */
    v = card(&fx, G_ID, "周建国");
    CHECK_STR(v->code, "B001");
    CHECK_STR(v->name, "周*国");
    teardown(&fx);
}

static void test_slot_edges(void)
{
    fixture fx;
    setup(&fx, "slots");
    /* A1 is 09:00-09:30 with 30 minutes' grace each side: 08:30 to 09:59. */
    fx.utc = at(8, 29) - 4000;
    const kiosk_view *v = card(&fx, A_ID, "张三明");
    v = card(&fx, B_ID, "李小华"); /* 08:29:00 */
    CHECK_STR(v->headline, "还没到取号时间");
    CHECK_STR(figure(v, "开始取号"), "08:30");
    CHECK_STR(figure(v, "结婚登记"), "09:00-09:30");
    fx.utc = at(8, 30) - 4000;
    v = card(&fx, A_ID, "张三明");
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->code, "J001");
    /* A2 10:00-10:30: 10:59 is the last minute, 11:00 too late. */
    fx.utc = at(11, 0) - 4000;
    v = card(&fx, C_ID, "王大伟");
    v = card(&fx, D_ID, "陈美玲");
    CHECK_STR(v->headline, "已过预约时段");
    CHECK_STR(figure(v, "取号截止"), "11:00");
    CHECK(event_has(&fx, "too_late"));
    fx.utc = at(10, 59) - 4000;
    v = card(&fx, C_ID, "王大伟");
    v = card(&fx, D_ID, "陈美玲");
    CHECK_STR(v->code, "J002");
    teardown(&fx);
}

static void test_invalid_and_unreadable(void)
{
    fixture fx;
    setup(&fx, "invalid");
    const kiosk_view *v = card(&fx, "320102199503152018", "张三明"); /* check character */
    CHECK_STR(v->headline, "证件号码校验不通过");
    CHECK_STR(v->advice, "请重放或到窗口咨询");
    CHECK(event_has(&fx, "bad_check"));
    v = card(&fx, "320102199502302019", "张三明"); /* 30 February */
    CHECK_STR(v->headline, "证件号码校验不通过");
    CHECK(event_has(&fx, "bad_birth"));
    /* A misread second card keeps the first. */
    v = card(&fx, A_ID, "张三明");
    fx.mono += 1000;
    kiosk_marriage_on_idcard_error(fx.m, "read failed", now_of(&fx));
    v = kiosk_marriage_view(fx.m);
    CHECK_STR(v->screen, "second");
    CHECK_STR(v->headline, "身份证没有读清楚");
    CHECK(event_has(&fx, "idcard_unreadable"));
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->code, "J001");
    /* The 2017 foreigner card: sent to the counter. */
    kiosk_idcard old = {.type = KIOSK_IDCARD_FOREIGNER_OLD, .number = "USA310085030100"};
    kiosk_marriage_on_idcard(fx.m, &old, now_of(&fx));
    CHECK_STR(kiosk_marriage_view(fx.m)->headline, "这种证件请到窗口办理");
    teardown(&fx);
}

static void test_booking_number(void)
{
    fixture fx;
    setup(&fx, "booking");
    const kiosk_view *v = press(&fx, "booking");
    CHECK_STR(v->screen, "booking");
    CHECK(v->keypad.shown);
    const char *digits = "20261123010";
    for (const char *d = digits; *d; d++) {
        char key[8];
        snprintf(key, sizeof key, "key%c", *d);
        v = press(&fx, key);
    }
    CHECK_STR(v->keypad.value, digits);
    v = press(&fx, "backspace");
    CHECK_STR(v->keypad.value, "2026112301");
    v = press(&fx, "key0");
    v = press(&fx, "confirm");
    CHECK_STR(v->screen, "cards");
    CHECK_STR(v->headline, "请双方依次放置身份证");
    CHECK_STR(v->subline, "已找到预约：结婚登记 · 09:00-10:00");
    /* A card not on the booking. */
    v = card(&fx, A_ID, "张三明");
    CHECK_STR(v->headline, "这张身份证不在这个预约上");
    v = card(&fx, S_ID, "彭丽");
    CHECK_STR(v->screen, "cards");
    CHECK_STR(v->headline, "请另一方放置身份证");
    v = card(&fx, S_ID, "彭丽");
    CHECK_STR(v->headline, "这是同一张身份证");
    v = card(&fx, R_ID, "曹阳");
    CHECK_STR(v->code, "J001");
    /* An unknown booking number. */
    v = press(&fx, "back");
    v = press(&fx, "booking");
    for (int i = 0; i < 6; i++)
        v = press(&fx, "key9");
    v = press(&fx, "confirm");
    CHECK_STR(v->headline, "没有找到这个预约号");
    CHECK(event_has(&fx, "booking_unknown"));
    v = press(&fx, "booking"); /* 重新输入 */
    CHECK_STR(v->screen, "booking");
    CHECK_STR(v->keypad.value, "");
    teardown(&fx);
}

static void test_under_age_and_timeout(void)
{
    fixture fx;
    setup(&fx, "age");
    const kiosk_view *v = card(&fx, U_ID, "钱小雨");
    v = card(&fx, H_ID, "吴秀英");
    CHECK_STR(v->code, "J001");
    const kiosk_checkin_entry *e = kiosk_marriage_last_ticket(fx.m);
    CHECK(e->under_age);
    bool flagged = false;
    for (size_t i = 0; i < v->print.doc.line_count; i++)
        flagged = flagged || strstr(v->print.doc.lines[i].text, "法定婚龄") != NULL;
    CHECK(flagged);
    CHECK(event_has(&fx, "\"under_age\":true"));
    CHECK_INT(count(&fx, "SELECT under_age FROM checkin"), 1);
    /* The ticket leaves by itself; a first card with no second one times out. */
    v = wait_s(&fx, 21);
    CHECK_STR(v->screen, "idle");
    v = card(&fx, A_ID, "张三明");
    v = wait_s(&fx, 59);
    CHECK_STR(v->screen, "second");
    v = wait_s(&fx, 2);
    CHECK_STR(v->screen, "idle");
    CHECK(event_has(&fx, "\"result\":\"timeout\""));
    /* Cancel: back to idle, and the next card starts afresh. */
    v = card(&fx, A_ID, "张三明");
    v = press(&fx, "cancel");
    CHECK_STR(v->screen, "idle");
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->screen, "second");
    teardown(&fx);
}

static void test_walkin_and_calls(void)
{
    fixture fx;
    setup(&fx, "walkin");
    kiosk_checkin_entry w1, w2;
    CHECK_INT(kiosk_marriage_walkin(fx.m, KIOSK_SERVICE_MARRIAGE, now_of(&fx), &w1), KIOSK_OK);
    CHECK_STR(w1.number, "J001");
    CHECK_INT(w1.lane, KIOSK_LANE_WALKIN);
    CHECK_STR(kiosk_marriage_view(fx.m)->code_label, "结婚登记 · 现场");
    fx.utc += 1000;
    const kiosk_view *v = card(&fx, A_ID, "张三明");
    v = card(&fx, B_ID, "李小华"); /* booked, after the walk-in */
    CHECK_STR(v->code, "J002");
    fx.utc = at(10, 0);
    v = card(&fx, C_ID, "王大伟");
    v = card(&fx, D_ID, "陈美玲"); /* priority, last */
    CHECK_STR(v->code, "J003");
    fx.utc += 1000;
    CHECK_INT(kiosk_marriage_walkin(fx.m, KIOSK_SERVICE_REISSUE_DIVORCE, now_of(&fx), &w2),
              KIOSK_OK);
    CHECK_STR(w2.number, "B001");
    long waiting[KIOSK_SERVICE_COUNT];
    kiosk_date day = {2026, 11, 23};
    CHECK_INT(kiosk_store_waiting(fx.store, day, waiting), KIOSK_OK);
    CHECK_INT(waiting[KIOSK_SERVICE_MARRIAGE], 3);
    CHECK_INT(waiting[KIOSK_SERVICE_REISSUE_DIVORCE], 1);
    /* Counter 3 serves J: priority first, then booked, then the walk-in. */
    kiosk_queue_call call;
    CHECK_INT(kiosk_store_call_next(fx.store, day, 3, "J", "board", at(10, 5), &call), KIOSK_OK);
    CHECK_STR(call.number, "J003");
    CHECK_INT(call.counter, 3);
    CHECK_INT(kiosk_store_call_next(fx.store, day, 3, "J", "board", at(10, 6), &call), KIOSK_OK);
    CHECK_STR(call.number, "J002");
    CHECK_INT(kiosk_store_call_next(fx.store, day, 4, "J", "board", at(10, 7), &call), KIOSK_OK);
    CHECK_STR(call.number, "J001");
    CHECK_INT(kiosk_store_call_next(fx.store, day, 3, "J", "board", at(10, 8), &call),
              KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_call_next(fx.store, day, 5, "", "board", at(10, 9), &call), KIOSK_OK);
    CHECK_STR(call.number, "B001");
    CHECK_INT(kiosk_store_waiting(fx.store, day, waiting), KIOSK_OK);
    CHECK_INT(waiting[KIOSK_SERVICE_MARRIAGE], 0);
    kiosk_queue_call recent[8];
    size_t n = 0;
    CHECK_INT(kiosk_store_recent_calls(fx.store, day, recent, 8, &n), KIOSK_OK);
    CHECK_INT(n, 4);
    CHECK_STR(recent[0].number, "B001");
    CHECK_STR(recent[3].number, "J003");
    CHECK_INT(kiosk_store_calls_after(fx.store, day, recent[2].call_id, recent, 8, &n), KIOSK_OK);
    CHECK_INT(n, 2);
    CHECK_STR(recent[0].number, "J001");
    /* The check-ins lost (a recovery that could not carry them) but their outbox rows kept: the
     * next number still skips every number issued. */
    sqlite3 *db;
    CHECK_INT(sqlite3_open(fx.db_path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "DELETE FROM queue_call; DELETE FROM checkin", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
    kiosk_checkin_entry w3;
    CHECK_INT(kiosk_marriage_walkin(fx.m, KIOSK_SERVICE_MARRIAGE, now_of(&fx), &w3), KIOSK_OK);
    CHECK_STR(w3.number, "J004");
    teardown(&fx);
}

static void test_import_refusals(void)
{
    fixture fx;
    setup(&fx, "import");
    char err[256] = "";
    long rows = 7;
    const char *dup = "appointment_id,booking_no,service,date,slot,party1_id,party1_name,party2_id,"
                      "party2_name\n"
                      "Z1,777001,marriage,2026-11-23,09:00-10:00," A_ID ",张三明," B_ID ",李小华\n"
                      "Z2,777001,marriage,2026-11-23,09:00-10:00," C_ID ",王大伟," D_ID ",陈美玲\n";
    CHECK_INT(kiosk_store_import_appointments(fx.store, dup, strlen(dup),
                                              (kiosk_date){2026, 11, 23}, at(8, 0), &rows, err,
                                              sizeof err),
              KIOSK_ERR_PARSE);
    CHECK(strstr(err, "line 3: booking_no: the same as line 2's") != NULL);
    CHECK(strstr(err, A_ID) == NULL);
    CHECK_INT(rows, 0);
    CHECK_INT(count(&fx, "SELECT count(*) FROM appointment WHERE appointment_id LIKE 'Z%'"), 0);
    const char *taken =
        "appointment_id,booking_no,service,date,slot,party1_id,party1_name,"
        "party2_id,party2_name\n"
        "Z1,20261123001,marriage,2026-11-23,09:00-10:00," A_ID ",张三明," B_ID ",李小华\n";
    CHECK_INT(kiosk_store_import_appointments(fx.store, taken, strlen(taken),
                                              (kiosk_date){2026, 11, 23}, at(8, 0), &rows, err,
                                              sizeof err),
              KIOSK_ERR_PARSE);
    CHECK(strstr(err, "line 2: booking_no: already") != NULL);
    /* A re-import of a booking that was checked in keeps it checked in; cancelled wins. */
    const kiosk_view *v = card(&fx, A_ID, "张三明");
    v = card(&fx, B_ID, "李小华");
    CHECK_STR(v->code, "J001");
    size_t len;
    char *text = read_file("appointments-sample.csv", &len);
    CHECK_INT(kiosk_store_import_appointments(fx.store, text, len, (kiosk_date){2026, 11, 23},
                                              at(9, 30), &rows, err, sizeof err),
              KIOSK_OK);
    free(text);
    CHECK_INT(count(&fx, "SELECT count(*) FROM appointment WHERE appointment_id = 'A1' AND"
                         " status = 'checked_in'"),
              1);
    teardown(&fx);
}

/* Two kiosks of one hall (slots 1 and 2 of 2) issue numbers while offline; each one's records are
 * then applied to the other's store (as sync will): no number is issued twice. Two kiosks given
 * the same slot by mistake would collide, and the merge says so. */
static void merge_two(const char *slot_a, const char *slot_b, bool expect_clean)
{
    fixture a, b;
    kiosk_setting ia[] = {{"hall_kiosks", "2"}, {"kiosk_slot", slot_a}};
    kiosk_setting ib[] = {{"hall_kiosks", "2"}, {"kiosk_slot", slot_b}};
    setup_with(&a, "merge-a", ia, 2);
    setup_with(&b, "merge-b", ib, 2);
    snprintf(b.settings.kiosk_id, sizeof b.settings.kiosk_id, "hall-k2");
    kiosk_checkin_entry e;
    for (int i = 0; i < 40; i++) {
        kiosk_service s = i % 3 == 0 ? KIOSK_SERVICE_REISSUE_MARRIAGE : KIOSK_SERVICE_MARRIAGE;
        a.utc += 1000;
        b.utc += 1000;
        CHECK_INT(kiosk_marriage_walkin(a.m, s, now_of(&a), &e), KIOSK_OK);
        CHECK_INT(kiosk_marriage_walkin(b.m, s, now_of(&b), &e), KIOSK_OK);
    }
    for (int i = 0; !expect_clean && i < 3; i++) { /* b ahead of a: a must skip b's numbers */
        b.utc += 1000;
        CHECK_INT(kiosk_marriage_walkin(b.m, KIOSK_SERVICE_MARRIAGE, now_of(&b), &e), KIOSK_OK);
    }
    /* And the same couple checked in at both kiosks while they could not see each other. */
    card(&a, A_ID, "张三明");
    card(&a, B_ID, "李小华");
    card(&b, A_ID, "张三明");
    card(&b, B_ID, "李小华");
    kiosk_date day = {2026, 11, 23};
    char **pa, **pb;
    size_t na, nb;
    CHECK_INT(kiosk_store_checkin_payloads(a.store, day, &pa, &na), KIOSK_OK);
    CHECK_INT(kiosk_store_checkin_payloads(b.store, day, &pb, &nb), KIOSK_OK);
    CHECK_INT(na, 41);
    CHECK_INT(nb, expect_clean ? 41 : 44);
    size_t collisions = 0;
    char err[200];
    CHECK_INT(kiosk_store_begin(a.store), KIOSK_OK);
    for (size_t i = 0; i < nb; i++) {
        kiosk_rc rc = kiosk_store_apply_checkin(a.store, pb[i], err, sizeof err);
        if (rc == KIOSK_ERR_INVALID)
            collisions++;
        else
            CHECK_INT(rc, KIOSK_OK);
    }
    CHECK_INT(kiosk_store_commit(a.store), KIOSK_OK);
    /* Applying the same records twice changes nothing. */
    CHECK_INT(kiosk_store_begin(b.store), KIOSK_OK);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < na; i++) {
            kiosk_rc rc = kiosk_store_apply_checkin(b.store, pa[i], err, sizeof err);
            CHECK(rc == KIOSK_OK || rc == KIOSK_ERR_INVALID);
        }
    CHECK_INT(kiosk_store_commit(b.store), KIOSK_OK);
    if (expect_clean) {
        CHECK_INT(collisions, 0);
        CHECK_INT(count(&a, "SELECT count(*) FROM checkin"), 82);
        CHECK_INT(count(&a, "SELECT count(DISTINCT number) FROM checkin"), 82);
        CHECK_INT(count(&b, "SELECT count(DISTINCT number) FROM checkin"), 82);
        CHECK_INT(count(&a, "SELECT count(*) FROM checkin WHERE source = 'server'"), 41);
        /* Kiosk 1's numbers are odd, kiosk 2's even. */
        CHECK_INT(
            count(&a, "SELECT count(*) FROM checkin WHERE value % 2 <> (kiosk_id = 'hall-k1')"), 0);
        /* The couple checked in at both: two numbers, which the server reconciles; after the
         * merge a third kiosk visit shows the first. */
        kiosk_checkin_entry first;
        CHECK_INT(kiosk_store_find_checkin(a.store, "A1", &first), KIOSK_OK);
        const kiosk_view *v = card(&a, B_ID, "李小华");
        v = card(&a, A_ID, "张三明");
        CHECK_STR(v->headline, "已取过号");
        CHECK_STR(v->code, first.number);
        /* New numbers after the merge still never collide. */
        a.utc += 1000;
        CHECK_INT(kiosk_marriage_walkin(a.m, KIOSK_SERVICE_MARRIAGE, now_of(&a), &e), KIOSK_OK);
        CHECK_INT(count(&a, "SELECT count(*) - count(DISTINCT number) FROM checkin"), 0);
    } else {
        CHECK(collisions > 0);
        fprintf(stderr, "two kiosks with one slot: %zu collisions found by the merge\n",
                collisions);
        /* A kiosk that learnt of the other's numbers skips them rather than issue one twice. */
        a.utc += 1000;
        CHECK_INT(kiosk_marriage_walkin(a.m, KIOSK_SERVICE_MARRIAGE, now_of(&a), &e), KIOSK_OK);
        CHECK_INT(count(&a, "SELECT count(*) - count(DISTINCT number) FROM checkin"), 0);
    }
    for (size_t i = 0; i < na; i++)
        free(pa[i]);
    for (size_t i = 0; i < nb; i++)
        free(pb[i]);
    free(pa);
    free(pb);
    teardown(&a);
    teardown(&b);
}

static void test_settings(void)
{
    char err[256];
    kiosk_setting bad[][1] = {{{"prefix_marriage", "j"}}, {{"prefix_wedding", "J"}},
                              {{"kiosk_slot", "3"}},      {{"early_minutes", "-1"}},
                              {{"hall_kiosks", "10"}},    {{"colour", "red"}}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_settings s = {bad[i], 1};
        CHECK_INT(kiosk_marriage_flow.check_settings(&s, err, sizeof err), KIOSK_ERR_CONFIG);
        CHECK(strstr(err, bad[i][0].key) != NULL);
    }
    kiosk_setting good[] = {{"prefix_divorce_cert", "D"},
                            {"hall_kiosks", "3"},
                            {"kiosk_slot", "3"},
                            {"area_reissue_divorce", "一楼"}};
    kiosk_settings s = {good, 4};
    CHECK_INT(kiosk_marriage_flow.check_settings(&s, err, sizeof err), KIOSK_OK);
    /* A configured prefix and slot show in the numbers. */
    fixture fx;
    setup_with(&fx, "settings", good, 4);
    fx.utc = at(14, 0);
    const kiosk_view *v = card(&fx, E_ID, "赵志刚");
    v = card(&fx, F_ID, "孙丽娟");
    CHECK_STR(v->code, "D003");
    teardown(&fx);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !(dir = check_scratch_dir("kiosk-marriage")))
        return 2;
    data_dir = argv[1];
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    test_either_order_and_repeat();
    test_wrong_pairs();
    test_refusals();
    test_slot_edges();
    test_invalid_and_unreadable();
    test_booking_number();
    test_under_age_and_timeout();
    test_walkin_and_calls();
    test_import_refusals();
    merge_two("1", "2", true);
    merge_two("1", "1", false);
    test_settings();
    check_scratch_remove(dir);
    CHECK_DONE();
}
