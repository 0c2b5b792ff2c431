/* test_staff_meals.c - meals made by staff, at the core: which refusals staff may lift and the
 * policy's decision once one is lifted (amounts worked out by hand from
 * tests/policies/fixed-by-class.json), and the store's record of an override or a manual meal on a
 * real SQLite file: the role enforced there (an operator's override is refused and audited), the
 * meal and its audit entry together, the payload saying who and why, and what it refuses. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "db_query.h"
#include "meal_record.h"
#include "policy.h"
#include "staff_override.h"
#include "staff_store.h"
#include "store.h"

#define T0 1795404600000LL /* 2026-11-23 03:30 UTC, 11:30 in Shanghai */

static const char *dir;
static const char *policy_dir;
static const kiosk_date today = {2026, 11, 23};
static kiosk_policy *policy;

static const char *path_in_dir(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static long count(const char *name, const char *sql)
{
    return db_query_long(path_in_dir(name), sql);
}

static void load_policy(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/fixed-by-class.json", policy_dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        exit(1);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    char err[300] = "";
    CHECK_INT(kiosk_policy_parse(text, len, &policy, err, sizeof err), KIOSK_OK);
    if (!policy)
        exit(1);
}

/* 86 on the day, resident, no categories: class age80 (lunch 500, breakfast 200 of subsidy). */
static kiosk_person person85(void)
{
    kiosk_person p = {
        .birth = {1940, 1, 2}, .active = true, .local_hukou = true, .local_resident = true};
    return p;
}

static kiosk_local_time at_minute(int minute)
{
    kiosk_local_time t = {.date = today, .minute_of_day = minute};
    return t;
}

static void test_liftable(void)
{
    CHECK(kiosk_override_liftable("already_had_meal"));
    CHECK(kiosk_override_liftable("daily_limit"));
    CHECK(kiosk_override_liftable("outside_meal_hours"));
    CHECK(kiosk_override_liftable("offline_limit"));
    CHECK(!kiosk_override_liftable("monthly_cap"));
    CHECK(!kiosk_override_liftable("card_blocked"));
    CHECK(!kiosk_override_liftable("person_inactive"));
    CHECK(!kiosk_override_liftable("not_eligible_age"));
    CHECK(!kiosk_override_liftable("wrong_canteen"));
    CHECK(!kiosk_override_liftable("unknown_card"));
    CHECK(!kiosk_override_liftable(""));
    CHECK(!kiosk_override_liftable(NULL));
    /* An override is a supervisor's; a manual meal an operator's too. */
    CHECK(!kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_OVERRIDE));
    CHECK(kiosk_staff_may(KIOSK_STAFF_SUPERVISOR, KIOSK_STAFF_OVERRIDE));
    CHECK(kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_MANUAL_MEAL));
}

static void test_lifted_decisions(void)
{
    kiosk_person p = person85();
    kiosk_site site = {0};
    snprintf(site.canteen_id, sizeof site.canteen_id, "canteen-01");
    kiosk_meal_summary had_lunch = {.day_count = 1};
    had_lunch.type_count[KIOSK_MEAL_LUNCH] = 1;
    had_lunch.month_subsidy_fen = 500;

    /* Lunch again at 11:30: refused; lifted, served as lunch: price 1500, subsidy 500 (age80),
     * 60 % city 300, 40 % district 200, pay 1000. */
    kiosk_decision d =
        kiosk_policy_decide(policy, &p, NULL, &site, &had_lunch, at_minute(690), NULL);
    CHECK(!d.approved);
    CHECK_INT(d.reason, KIOSK_REASON_ALREADY_HAD_MEAL);
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, &had_lunch, at_minute(690), NULL,
                                   "already_had_meal");
    CHECK(d.approved);
    CHECK_INT(d.meal_type, KIOSK_MEAL_LUNCH);
    CHECK_INT(d.price_fen, 1500);
    CHECK_INT(d.subsidy_fen, 500);
    CHECK_INT(d.pay_fen, 1000);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_CITY], 300);
    CHECK_INT(d.funding_fen[KIOSK_LEVEL_DISTRICT], 200);
    /* The cap still counts the month: 20000 - 500 before, 500 now. */
    CHECK_INT(d.month_remaining_fen, 19000);

    /* Two meals today (breakfast and dinner's limit aside): the daily limit of 2, lifted. */
    kiosk_meal_summary two = {.day_count = 2};
    two.type_count[KIOSK_MEAL_BREAKFAST] = 1;
    two.type_count[KIOSK_MEAL_DINNER] = 1;
    d = kiosk_policy_decide(policy, &p, NULL, &site, &two, at_minute(690), NULL);
    CHECK_INT(d.reason, KIOSK_REASON_DAILY_LIMIT);
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, &two, at_minute(690), NULL,
                                   "daily_limit");
    CHECK(d.approved);
    CHECK_INT(d.subsidy_fen, 500);

    /* The monthly cap is not lifted by lifting a limit, nor by naming it. */
    kiosk_meal_summary capped = had_lunch;
    capped.month_subsidy_fen = 20000;
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, &capped, at_minute(690), NULL,
                                   "already_had_meal");
    CHECK(!d.approved);
    CHECK_INT(d.reason, KIOSK_REASON_MONTHLY_CAP);
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, &capped, at_minute(690), NULL,
                                   "monthly_cap");
    CHECK(!d.approved);

    /* Outside the hours: 10:00 is 60 min before lunch (11:00) and 61 after breakfast's last
     * minute (08:59): lunch. 09:40 is 41 after 08:59: breakfast, price 500, subsidy 200. */
    d = kiosk_policy_decide(policy, &p, NULL, &site, NULL, at_minute(600), NULL);
    CHECK_INT(d.reason, KIOSK_REASON_OUTSIDE_MEAL_HOURS);
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, NULL, at_minute(600), NULL,
                                   "outside_meal_hours");
    CHECK(d.approved);
    CHECK_INT(d.meal_type, KIOSK_MEAL_LUNCH);
    CHECK_INT(d.price_fen, 1500);
    d = kiosk_policy_decide_lifted(policy, &p, NULL, &site, NULL, at_minute(580), NULL,
                                   "outside_meal_hours");
    CHECK(d.approved);
    CHECK_INT(d.meal_type, KIOSK_MEAL_BREAKFAST);
    CHECK_INT(d.price_fen, 500);
    CHECK_INT(d.subsidy_fen, 200);

    /* Any other refusal stays: a blocked card, an inactive person. */
    kiosk_card_info blocked = {.blocked = true};
    d = kiosk_policy_decide_lifted(policy, &p, &blocked, &site, &had_lunch, at_minute(690), NULL,
                                   "already_had_meal");
    CHECK_INT(d.reason, KIOSK_REASON_CARD_BLOCKED);
    kiosk_person gone = p;
    gone.active = false;
    d = kiosk_policy_decide_lifted(policy, &gone, NULL, &site, NULL, at_minute(600), NULL,
                                   "outside_meal_hours");
    CHECK_INT(d.reason, KIOSK_REASON_PERSON_INACTIVE);
}

static kiosk_staff_actor actor(const char *id, kiosk_staff_role role)
{
    kiosk_staff_actor a = {.role = role};
    snprintf(a.staff_id, sizeof a.staff_id, "%s", id);
    snprintf(a.kiosk_id, sizeof a.kiosk_id, "k1");
    return a;
}

static kiosk_meal_entry lifted_meal(const char *by, const char *refused)
{
    kiosk_person p = person85();
    kiosk_site site = {0};
    kiosk_meal_summary had_lunch = {.day_count = 1};
    had_lunch.type_count[KIOSK_MEAL_LUNCH] = 1;
    kiosk_meal_entry m = {0};
    m.record_id = kiosk_recid_new(T0);
    snprintf(m.person_id, sizeof m.person_id, "P00001");
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "k1");
    snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
    m.created_utc_ms = T0;
    m.at = at_minute(690);
    m.offline_age_s = -1;
    m.decision = kiosk_policy_decide_lifted(policy, &p, NULL, &site, &had_lunch, m.at, NULL,
                                            "already_had_meal");
    snprintf(m.staff.by, sizeof m.staff.by, "%s", by);
    snprintf(m.staff.reason, sizeof m.staff.reason, "second_portion");
    snprintf(m.staff.refused, sizeof m.staff.refused, "%s", refused);
    return m;
}

static void test_store(void)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path_in_dir("meals.db"), &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_staff_actor sup = actor("S002", KIOSK_STAFF_SUPERVISOR);

    /* An operator may not lift a refusal: refused at the core, on record, nothing served. */
    kiosk_meal_entry m = lifted_meal("override", "already_had_meal");
    CHECK(m.decision.approved);
    CHECK_INT(kiosk_store_staff_meal(s, &op, &m, T0), KIOSK_ERR_DENIED);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM meal"), 0);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"override\"%\"outcome\":\"refused\"%'"),
              1);

    /* A supervisor's: the meal, its outbox row saying who and why, and the audit entry. The
     * staff id is the actor's, whatever the entry said. */
    snprintf(m.staff.staff_id, sizeof m.staff.staff_id, "S999");
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &m, T0 + 1000), KIOSK_OK);
    CHECK_STR(m.staff.staff_id, "S002");
    CHECK_INT(count("meals.db", "SELECT count(*) FROM meal WHERE subsidy_fen = 500"), 1);
    char id[KIOSK_RECID_TEXT], sql[600];
    kiosk_recid_format(&m.record_id, id);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM outbox WHERE kind = 'meal' AND payload LIKE"
                                " '%\"staff\":{\"by\":\"override\",\"reason\":\"second_portion\","
                                "\"refused\":\"already_had_meal\",\"staff_id\":\"S002\"}%'"),
              1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE payload LIKE '%%\"action\":\"override\"%%'"
             " AND payload LIKE '%%\"outcome\":\"ok\"%%' AND payload LIKE '%%\"reason\":"
             "\"second_portion\"%%' AND payload LIKE '%%\"staff_id\":\"S002\"%%'"
             " AND payload LIKE '%%\"target\":\"%s\"%%'"
             " AND payload LIKE '%%refused already_had_meal%%'",
             id);
    CHECK_INT(count("meals.db", sql), 1);
    /* The meal counts from now on, like any other. */
    kiosk_meal_summary sum;
    CHECK_INT(kiosk_store_meal_summary(s, "P00001", today, &sum), KIOSK_OK);
    CHECK_INT(sum.type_count[KIOSK_MEAL_LUNCH], 1);
    CHECK_INT(sum.month_subsidy_fen, 500);

    /* What the core refuses, writing nothing. */
    long meals = count("meals.db", "SELECT count(*) FROM meal");
    long entries = count("meals.db", "SELECT count(*) FROM audit");
    kiosk_meal_entry bad = lifted_meal("override", "monthly_cap");
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("override", "already_had_meal");
    snprintf(bad.staff.reason, sizeof bad.staff.reason, "Second portion");
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("override", "already_had_meal");
    bad.staff.reason[0] = '\0';
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("override", "already_had_meal");
    bad.decision.approved = false;
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("gift", "");
    CHECK_INT(kiosk_store_staff_meal(s, &sup, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("manual", "already_had_meal"); /* a manual meal lifts nothing */
    CHECK_INT(kiosk_store_staff_meal(s, &op, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    bad = lifted_meal("manual", "");
    bad.has_card = true; /* a diner with a card taps it */
    CHECK_INT(kiosk_store_staff_meal(s, &op, &bad, T0 + 2000), KIOSK_ERR_INVALID);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM meal"), meals);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM audit"), entries);

    /* A manual meal, an operator's. */
    kiosk_meal_entry manual = lifted_meal("manual", "");
    CHECK_INT(kiosk_store_staff_meal(s, &op, &manual, T0 + 3000), KIOSK_OK);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM outbox WHERE kind = 'meal' AND payload LIKE"
                                " '%\"staff\":{\"by\":\"manual\",\"reason\":\"second_portion\","
                                "\"refused\":\"\",\"staff_id\":\"S001\"}%'"),
              1);
    CHECK_INT(count("meals.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"manual_meal\"%\"outcome\":\"ok\"%'"),
              1);

    /* The chain holds over all of it. */
    long n = 0;
    int64_t bad_seq = 0;
    char why[300] = "";
    CHECK_INT(kiosk_store_audit_verify(s, &n, &bad_seq, why, sizeof why), KIOSK_OK);
    CHECK_INT(n, entries + 1);
    kiosk_store_close(s);
}

/* Looking a diner up without a card: by birth date (the masked names to choose from, at most
 * max, with the whole count), then by person_id. */
static void test_person_search(void)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path_in_dir("search.db"), &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    static const char roster[] =
        "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
        "card_status,issuing_canteen,id_number\n"
        "P1,赵一,1941-09-15,,320100,320102,320102003,local,active,,,,\n"
        "P2,钱二二,1941-09-15,,320100,320102,320102003,local,active,,,,\n"
        "P3,孙三三,1941-09-15,,320100,320102,320102003,local,inactive,,,,\n"
        "P4,李四,1941-09-16,,320100,320102,320102003,local,active,,,,\n";
    FILE *csv = fmemopen((void *)roster, sizeof roster - 1, "r");
    kiosk_import_stats stats;
    CHECK_INT(kiosk_store_import_roster(s, csv, today, &stats, err, sizeof err), KIOSK_OK);
    fclose(csv);
    kiosk_person_hit hits[2];
    size_t n = 0;
    CHECK_INT(kiosk_store_persons_born(s, (kiosk_date){1941, 9, 15}, hits, 2, &n), KIOSK_OK);
    CHECK_INT(n, 3); /* three born that day, two fit */
    /* By masked name (the bytes of UTF-8): 孙*三 (E5 AD 99), 赵* (E8 B5 B5), 钱*二 (E9 92 B1). */
    CHECK_STR(hits[0].name_masked, "孙*三");
    CHECK(!hits[0].active);
    CHECK_STR(hits[1].person_id, "P1");
    CHECK_STR(hits[1].name_masked, "赵*"); /* a two-character name keeps its first */
    CHECK_INT(kiosk_store_persons_born(s, (kiosk_date){1930, 1, 1}, hits, 2, &n), KIOSK_OK);
    CHECK_INT(n, 0);
    kiosk_holder h;
    CHECK_INT(kiosk_store_find_person(s, "P4", &h), KIOSK_OK);
    CHECK_STR(h.name_masked, "李*");
    CHECK_INT(h.person.birth.day, 16);
    CHECK(h.person.active);
    CHECK_INT(kiosk_store_find_person(s, "P9", &h), KIOSK_ERR_NOT_FOUND);
    kiosk_store_close(s);
}

/* A bill corrected: the old meal voided and a new one at the right amount, one transaction;
 * nothing edited. 周志强 is 85 (80-89): a lunch's subsidy is 500 whatever the bill, so a bill of
 * 18.00 leaves 13.00 to pay, 300 of the 500 from the city (60 %) and 200 from the district. */
static void test_correct_bill(void)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path_in_dir("bill.db"), &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    static const char roster[] =
        "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
        "card_status,issuing_canteen,id_number\n"
        "P2,周志强,1941-09-15,,320100,320102,320102003,local,active,04E5F6A7,active,,\n";
    FILE *csv = fmemopen((void *)roster, sizeof roster - 1, "r");
    kiosk_import_stats stats;
    CHECK_INT(kiosk_store_import_roster(s, csv, today, &stats, err, sizeof err), KIOSK_OK);
    fclose(csv);
    kiosk_site site = {0};
    snprintf(site.canteen_id, sizeof site.canteen_id, "canteen-01");
    snprintf(site.area.city, sizeof site.area.city, "320100");
    snprintf(site.area.district, sizeof site.area.district, "320102");
    uint8_t uid[4] = {0x04, 0xE5, 0xF6, 0xA7};
    kiosk_meal_entry m = {0};
    m.record_id = kiosk_recid_new(T0);
    snprintf(m.person_id, sizeof m.person_id, "P2");
    kiosk_store_card_key(s, uid, sizeof uid, m.card_key);
    m.has_card = true;
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "k1");
    snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
    m.created_utc_ms = T0;
    m.at = at_minute(690);
    m.offline_age_s = -1;
    kiosk_holder h;
    CHECK_INT(kiosk_store_find_card(s, m.card_key, &h), KIOSK_OK);
    m.order = (kiosk_order){.source = KIOSK_PRICE_BILL, .price_fen = 1500};
    m.decision = kiosk_policy_decide(policy, &h.person, &h.card, &site, NULL, m.at, &m.order);
    CHECK(m.decision.approved);
    CHECK_INT(m.decision.subsidy_fen, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);

    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_bill_correction c;
    CHECK_INT(kiosk_store_correct_bill(s, &op, &m.record_id, -1, "wrong_amount", policy, &site,
                                       today, T0 + 1000, &c),
              KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_store_correct_bill(s, &op, &m.record_id, 1800, "Wrong", policy, &site, today,
                                       T0 + 1000, &c),
              KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_store_correct_bill(s, &op, &m.record_id, 1800, "wrong_amount", policy, &site,
                                       (kiosk_date){2026, 11, 24}, T0 + 1000, &c),
              KIOSK_ERR_INVALID); /* not that day's meal */
    CHECK_INT(count("bill.db", "SELECT count(*) FROM meal_void"), 0);
    CHECK_INT(kiosk_store_correct_bill(s, &op, &m.record_id, 1800, "wrong_amount", policy, &site,
                                       today, T0 + 1000, &c),
              KIOSK_OK);
    CHECK_INT(c.decision.price_fen, 1800);
    CHECK_INT(c.decision.subsidy_fen, 500);
    CHECK_INT(c.decision.pay_fen, 1300);
    /* The old meal stays, voided; the new one is there beside it. */
    CHECK_INT(count("bill.db", "SELECT count(*) FROM meal"), 2);
    char sql[700], old_id[KIOSK_RECID_TEXT], new_id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&m.record_id, old_id);
    kiosk_recid_format(&c.meal_id, new_id);
    CHECK_INT(count("bill.db", "SELECT count(*) FROM meal_void v JOIN meal m"
                               " ON m.record_id = v.voided_id WHERE m.price_fen = 1500"
                               " AND v.reason = 'wrong_amount' AND v.staff_id = 'S001'"),
              1);
    CHECK_INT(count("bill.db", "SELECT count(*) FROM meal WHERE price_fen = 1800"
                               " AND subsidy_fen = 500 AND pay_fen = 1300 AND city_fen = 300"
                               " AND district_fen = 200 AND price_source = 'bill'"
                               " AND local_minute = 690 AND meal_type = 'lunch'"
                               " AND person_id = 'P2' AND length(card_key) = 32"),
              1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox WHERE kind = 'meal' AND payload LIKE '%%\"record_id\":"
             "\"%s\"%%' AND payload LIKE '%%\"staff\":{\"by\":\"correction\",\"reason\":"
             "\"wrong_amount\",\"refused\":\"\",\"staff_id\":\"S001\"}%%'",
             new_id);
    CHECK_INT(count("bill.db", sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE payload LIKE '%%\"action\":\"bill\"%%'"
             " AND payload LIKE '%%\"outcome\":\"ok\"%%' AND payload LIKE"
             " '%%\"target\":\"%s\"%%' AND payload LIKE '%%price 1500 -> 1800 fen%%'"
             " AND payload LIKE '%%meal %s%%'",
             old_id, new_id);
    CHECK_INT(count("bill.db", sql), 1);
    /* One lunch counts, with its one subsidy. */
    kiosk_meal_summary sum;
    CHECK_INT(kiosk_store_meal_summary(s, "P2", today, &sum), KIOSK_OK);
    CHECK_INT(sum.type_count[KIOSK_MEAL_LUNCH], 1);
    CHECK_INT(sum.month_subsidy_fen, 500);
    /* The old meal cannot be corrected again; the new one can. */
    CHECK_INT(kiosk_store_correct_bill(s, &op, &m.record_id, 1600, "wrong_amount", policy, &site,
                                       today, T0 + 2000, &c),
              KIOSK_ERR_INVALID);
    long n = 0;
    int64_t bad = 0;
    char why[200] = "";
    CHECK_INT(kiosk_store_audit_verify(s, &n, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(n, 1);
    kiosk_store_close(s);
}

/* A ticket staff issue: the number and its audit entry together; what the core refuses writes
 * nothing. */
static void test_staff_ticket(void)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path_in_dir("ticket.db"), &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_ticket_request req = {.service = KIOSK_SERVICE_MARRIAGE,
                                .lane = KIOSK_LANE_BOOKED,
                                .prefix = 'J',
                                .numbering = {1, 1},
                                .kiosk_id = "k1",
                                .now_utc_ms = T0,
                                .at = at_minute(690)};
    kiosk_checkin_entry e;
    CHECK_INT(kiosk_store_staff_ticket(s, &op, &req, &e), KIOSK_ERR_INVALID); /* booked: no */
    req.lane = KIOSK_LANE_PRIORITY;
    req.appointment_id = "A1";
    CHECK_INT(kiosk_store_staff_ticket(s, &op, &req, &e), KIOSK_ERR_INVALID);
    CHECK_INT(count("ticket.db", "SELECT count(*) FROM checkin"), 0);
    CHECK_INT(count("ticket.db", "SELECT count(*) FROM audit"), 0);
    req.appointment_id = NULL;
    CHECK_INT(kiosk_store_staff_ticket(s, &op, &req, &e), KIOSK_OK);
    CHECK_STR(e.number, "J001");
    CHECK_INT(e.lane, KIOSK_LANE_PRIORITY);
    CHECK_INT(count("ticket.db", "SELECT count(*) FROM checkin WHERE lane = 'priority'"), 1);
    CHECK_INT(count("ticket.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                 " '%\"action\":\"walk_in\"%\"outcome\":\"ok\"%'"
                                 " AND payload LIKE '%\"target\":\"J001\"%'"
                                 " AND payload LIKE '%marriage, priority%'"),
              1);
    CHECK_INT(count("ticket.db", "SELECT count(*) FROM outbox WHERE kind IN ('checkin', 'audit')"),
              2);
    kiosk_store_close(s);
}

/* The payload's staff part reads back, and a bad one is refused with the field named. */
static void test_payload(void)
{
    kiosk_meal_entry m = lifted_meal("override", "outside_meal_hours");
    snprintf(m.staff.staff_id, sizeof m.staff.staff_id, "S002");
    char *text = kiosk_meal_payload(&m);
    CHECK(text != NULL);
    json_t *o = json_loads(text, 0, NULL);
    kiosk_meal_entry back;
    char err[200] = "";
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_OK);
    CHECK_STR(back.staff.by, "override");
    CHECK_STR(back.staff.staff_id, "S002");
    CHECK_STR(back.staff.reason, "second_portion");
    CHECK_STR(back.staff.refused, "outside_meal_hours");
    json_object_set_new(json_object_get(o, "staff"), "by", json_string("gift"));
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "staff") != NULL);
    json_object_set_new(o, "staff", json_string("S002"));
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_ERR_PARSE);
    json_decref(o);
    free(text);
    /* A diner's own meal has no staff part at all. */
    m.staff.by[0] = '\0';
    text = kiosk_meal_payload(&m);
    CHECK(text && !strstr(text, "\"staff\""));
    free(text);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_staff_meals POLICY_DIR\n");
        return 2;
    }
    policy_dir = argv[1];
    if (!(dir = check_scratch_dir("kiosk-staff-meals")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    load_policy();
    test_liftable();
    test_lifted_decisions();
    test_store();
    test_person_search();
    test_correct_bill();
    test_staff_ticket();
    test_payload();
    kiosk_policy_free(policy);
    check_scratch_remove(dir);
    CHECK_DONE();
}
