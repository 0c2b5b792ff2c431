/* test_marriage_rules.c - the pure rules of the marriage hall's check-in (marriage.h): each
 * refusal and its order, the slot window's edges with the configured grace, who must be present
 * for each service, the cooling-off verdicts as check-in reasons, the legal-age flag (22 and 20,
 * on the birthday), the queue numbering rule (no two slots ever share a number), the check-in
 * payload and its round trip; then the appointment import parser (appointment_csv.h): a good
 * file, and each refusal naming its line without echoing an ID number or a name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_csv.h"
#include "check.h"
#include "marriage.h"

static const uint8_t key[KIOSK_CARD_KEY_BYTES] = {1, 2, 3};

static kiosk_date D(int y, int m, int d)
{
    return (kiosk_date){y, m, d};
}

static kiosk_local_time T(kiosk_date d, int hh, int mm)
{
    return (kiosk_local_time){d, hh * 60 + mm, 0};
}

static kiosk_appointment marriage_at(int start, int end)
{
    kiosk_appointment a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "A1");
    a.service = KIOSK_SERVICE_MARRIAGE;
    a.date = D(2026, 11, 23);
    a.slot_start = start;
    a.slot_end = end;
    a.lane = KIOSK_LANE_BOOKED;
    a.party_count = 2;
    a.party[0] = (kiosk_party){.key = {1}, .sex = 'M', .has_birth = true, .birth = D(1995, 1, 1)};
    a.party[1] = (kiosk_party){.key = {2}, .sex = 'F', .has_birth = true, .birth = D(1997, 1, 1)};
    return a;
}

static const kiosk_checkin_rules rules = {.early_minutes = 30, .late_minutes = 15};

static kiosk_checkin_reason decide_at(const kiosk_appointment *a, size_t present, int hh, int mm)
{
    return kiosk_checkin_decide(a, present, T(D(2026, 11, 23), hh, mm), &rules, NULL).reason;
}

static void test_slot_window(void)
{
    kiosk_appointment a = marriage_at(9 * 60, 9 * 60 + 30); /* 09:00-09:30 */
    CHECK_INT(decide_at(&a, 2, 8, 29), KIOSK_CHECKIN_TOO_EARLY);
    CHECK_INT(decide_at(&a, 2, 8, 30), KIOSK_CHECKIN_OK); /* 30 minutes early: the first */
    CHECK_INT(decide_at(&a, 2, 9, 0), KIOSK_CHECKIN_OK);
    CHECK_INT(decide_at(&a, 2, 9, 44), KIOSK_CHECKIN_OK); /* 15 minutes late: the last */
    CHECK_INT(decide_at(&a, 2, 9, 45), KIOSK_CHECKIN_TOO_LATE);
    kiosk_checkin_decision d = kiosk_checkin_decide(&a, 2, T(D(2026, 11, 23), 8, 0), &rules, NULL);
    CHECK_INT(d.window_start, 8 * 60 + 30);
    CHECK_INT(d.window_end, 9 * 60 + 45);
    /* No grace at all: exactly the slot. */
    kiosk_checkin_rules none = {0, 0};
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 8, 59), &none, NULL).reason,
              KIOSK_CHECKIN_TOO_EARLY);
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 29), &none, NULL).reason, KIOSK_CHECKIN_OK);
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 30), &none, NULL).reason,
              KIOSK_CHECKIN_TOO_LATE);
}

static void test_refusal_order(void)
{
    kiosk_appointment a = marriage_at(9 * 60, 9 * 60 + 30);
    a.status = KIOSK_APPT_CANCELLED;
    CHECK_INT(decide_at(&a, 2, 9, 0), KIOSK_CHECKIN_CANCELLED);
    a.status = KIOSK_APPT_BOOKED;
    a.date = D(2026, 11, 24);
    CHECK_INT(decide_at(&a, 2, 9, 0), KIOSK_CHECKIN_OTHER_DAY);
    a.date = D(2026, 11, 23);
    CHECK_INT(decide_at(&a, 1, 9, 0), KIOSK_CHECKIN_PARTY_MISSING);
    /* A replacement certificate needs one party only. */
    a.service = KIOSK_SERVICE_REISSUE_MARRIAGE;
    CHECK_INT(decide_at(&a, 1, 9, 0), KIOSK_CHECKIN_OK);
    CHECK_INT(kiosk_service_parties(KIOSK_SERVICE_DIVORCE_WITHDRAW), 1);
    CHECK_INT(kiosk_service_parties(KIOSK_SERVICE_DIVORCE_CERT), 2);
}

static void test_cooling_reasons(void)
{
    static const char text[] = "kind,date,note\nyear,2026,\nrest,2026-02-15..2026-02-23,春节\n"
                               "work,2026-02-28,\n";
    kiosk_workcal *cal = malloc(sizeof *cal);
    char err[128];
    CHECK_INT(kiosk_workcal_parse(text, strlen(text), cal, err, sizeof err), KIOSK_OK);
    kiosk_appointment a = marriage_at(9 * 60, 12 * 60);
    a.service = KIOSK_SERVICE_DIVORCE_CERT;
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, cal).reason,
              KIOSK_CHECKIN_NO_APPLICATION);
    a.has_application = true;
    a.application_date = D(2026, 10, 23); /* +30 = Sun 11-22 -> Mon 11-23 */
    kiosk_checkin_decision d = kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, cal);
    CHECK_INT(d.reason, KIOSK_CHECKIN_COOLING_EARLY);
    CHECK(d.has_cooling);
    CHECK_INT(d.cooling.certificate_from.day, 24);
    /* The cooling-off verdict comes before the hour: too early in the day AND in the period
     * says the period. */
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 7, 0), &rules, cal).reason,
              KIOSK_CHECKIN_COOLING_EARLY);
    a.service = KIOSK_SERVICE_DIVORCE_WITHDRAW; /* the last day of the first period */
    CHECK_INT(kiosk_checkin_decide(&a, 1, T(a.date, 9, 0), &rules, cal).reason, KIOSK_CHECKIN_OK);
    a.application_date = D(2026, 10, 22); /* +30 = Sat 11-21 -> Mon 11-23, still withdrawable */
    CHECK_INT(kiosk_checkin_decide(&a, 1, T(a.date, 9, 0), &rules, cal).reason, KIOSK_CHECKIN_OK);
    a.application_date = D(2026, 10, 20); /* +30 = Thu 11-19: over */
    CHECK_INT(kiosk_checkin_decide(&a, 1, T(a.date, 9, 0), &rules, cal).reason,
              KIOSK_CHECKIN_WITHDRAW_CLOSED);
    a.service = KIOSK_SERVICE_DIVORCE_CERT;
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, cal).reason, KIOSK_CHECKIN_OK);
    a.application_date = D(2026, 9, 20); /* +30 = 10-20, +60 = Thu 11-19: deemed withdrawn */
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, cal).reason,
              KIOSK_CHECKIN_COOLING_EXPIRED);
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, NULL).reason,
              KIOSK_CHECKIN_NO_CALENDAR);
    kiosk_workcal_init(cal); /* a calendar without 2026 */
    CHECK_INT(kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, cal).reason,
              KIOSK_CHECKIN_NO_CALENDAR);
    free(cal);
}

static void test_legal_age(void)
{
    kiosk_party man = {.sex = 'M', .has_birth = true, .birth = D(2004, 11, 23)};
    CHECK(!kiosk_party_under_marriage_age(&man, D(2026, 11, 23))); /* 22 today */
    CHECK(kiosk_party_under_marriage_age(&man, D(2026, 11, 22)));
    kiosk_party woman = {.sex = 'F', .has_birth = true, .birth = D(2006, 11, 24)};
    CHECK(kiosk_party_under_marriage_age(&woman, D(2026, 11, 23))); /* 20 tomorrow */
    CHECK(!kiosk_party_under_marriage_age(&woman, D(2026, 11, 24)));
    kiosk_party unknown = {.sex = 0, .has_birth = true, .birth = D(2010, 1, 1)};
    CHECK(!kiosk_party_under_marriage_age(&unknown, D(2026, 11, 23)));
    kiosk_appointment a = marriage_at(9 * 60, 10 * 60);
    a.party[1] = woman;
    kiosk_checkin_decision d = kiosk_checkin_decide(&a, 2, T(a.date, 9, 0), &rules, NULL);
    CHECK_INT(d.reason, KIOSK_CHECKIN_OK); /* a flag, not a refusal */
    CHECK(d.under_age);
    a.service = KIOSK_SERVICE_REISSUE_MARRIAGE; /* only marriage is flagged */
    CHECK(!kiosk_checkin_decide(&a, 1, T(a.date, 9, 0), &rules, NULL).under_age);
}

static void test_numbering(void)
{
    /* Three kiosks, each issuing 400 numbers of one prefix: all 1200 values differ and each
     * value names its kiosk. */
    static bool used[4000];
    for (int slot = 1; slot <= 3; slot++) {
        kiosk_numbering rule = {3, slot};
        for (int n = 1; n <= 400; n++) {
            int v = kiosk_queue_value(&rule, n);
            CHECK(!used[v]);
            used[v] = true;
            CHECK_INT(kiosk_queue_value_slot(&rule, v), slot);
        }
    }
    kiosk_numbering one = {1, 1};
    CHECK_INT(kiosk_queue_value(&one, 12), 12);
    kiosk_numbering second = {2, 2};
    CHECK_INT(kiosk_queue_value(&second, 1), 2);
    CHECK_INT(kiosk_queue_value(&second, 6), 12);
    char n[KIOSK_QUEUE_NUMBER_MAX];
    kiosk_queue_number_format('J', 12, n);
    CHECK_STR(n, "J012");
    kiosk_queue_number_format('L', 1203, n);
    CHECK_STR(n, "L1203");
}

static void test_payload(void)
{
    kiosk_checkin_entry e;
    memset(&e, 0, sizeof e);
    for (int i = 0; i < 16; i++)
        e.record_id.bytes[i] = (uint8_t)(0xA0 + i);
    snprintf(e.appointment_id, sizeof e.appointment_id, "A1");
    e.service = KIOSK_SERVICE_DIVORCE_CERT;
    e.lane = KIOSK_LANE_PRIORITY;
    e.prefix = 'L';
    e.seq = 4;
    e.value = 8;
    kiosk_queue_number_format('L', 8, e.number);
    snprintf(e.kiosk_id, sizeof e.kiosk_id, "hall-k2");
    e.created_utc_ms = 1795404600000;
    e.at = T(D(2026, 11, 23), 9, 5);
    e.under_age = true;
    char *json = kiosk_checkin_payload(&e);
    CHECK(json != NULL);
    CHECK_STR(json, "{\"appointment_id\":\"A1\",\"business_date\":\"2026-11-23\","
                    "\"created_utc_ms\":1795404600000,\"kiosk_id\":\"hall-k2\",\"lane\":"
                    "\"priority\",\"local_minute\":545,\"number\":\"L008\",\"prefix\":\"L\","
                    "\"record_id\":\"a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf\",\"seq\":4,"
                    "\"service\":\"divorce_cert\",\"under_age\":true,\"value\":8}");
    kiosk_checkin_entry back;
    char err[128] = "";
    CHECK_INT(kiosk_checkin_from_payload(json, &back, err, sizeof err), KIOSK_OK);
    CHECK(memcmp(back.record_id.bytes, e.record_id.bytes, 16) == 0);
    CHECK_STR(back.number, "L008");
    CHECK_INT(back.service, KIOSK_SERVICE_DIVORCE_CERT);
    CHECK_INT(back.lane, KIOSK_LANE_PRIORITY);
    CHECK(back.under_age);
    char *again = kiosk_checkin_payload(&back);
    CHECK_STR(again, json);
    free(again);
    free(json);
    CHECK_INT(kiosk_checkin_from_payload("{\"number\":\"J001\"}", &back, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_checkin_from_payload("not json", &back, err, sizeof err), KIOSK_ERR_PARSE);
}

/* --- the import file ------------------------------------------------------------------------ */

typedef struct rows {
    kiosk_appointment a[8];
    size_t count;
} rows;

static kiosk_rc on_row(void *user, size_t line, const kiosk_appointment *a, char *err, size_t size)
{
    (void)line;
    (void)err;
    (void)size;
    rows *r = user;
    if (r->count < 8)
        r->a[r->count++] = *a;
    return KIOSK_OK;
}

static const char *header = "appointment_id,booking_no,service,date,slot,lane,party1_id,"
                            "party1_name,party2_id,party2_name,application_date,status\n";

static kiosk_rc parse_text(const char *body, rows *r, char *err, size_t size)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", header, body);
    memset(r, 0, sizeof *r);
    return kiosk_appointment_csv_parse(text, strlen(text), key, D(2026, 11, 23), on_row, r, err,
                                       size);
}

static void csv_refused(const char *body, const char *want)
{
    rows r;
    char err[256] = "";
    CHECK_INT(parse_text(body, &r, err, sizeof err), KIOSK_ERR_PARSE);
    if (!strstr(err, want))
        fprintf(stderr, "message '%s' lacks '%s'\n", err, want);
    CHECK(strstr(err, want) != NULL);
    /* Never an ID number or a name in a message. */
    CHECK(strstr(err, "3201") == NULL && strstr(err, "1101") == NULL);
    CHECK(strstr(err, "明") == NULL && strstr(err, "华") == NULL);
}

static void test_csv(void)
{
    rows r;
    char err[256] = "";
    /* 320102199001011232 (male, 1990-01-01) and 11010519491231002X (female, 1949-12-31). */
    kiosk_rc rc = parse_text("A1,20261123001,marriage,2026-11-23,09:00-09:30,booked,"
                             "320102199001011232, 张三明 ,11010519491231002x,李小华,,\n"
                             "A2,20261123002,补领结婚证,2026-11-23,14:00-17:00,priority,"
                             "320102199001011232,张三明,,,,cancelled\n"
                             "A3,20261123003,divorce_cert,2026-11-24,08:30-12:00,,"
                             "320102199001011232,张三明,11010519491231002X,李小华,2026-10-20,\n",
                             &r, err, sizeof err);
    if (rc != KIOSK_OK)
        fprintf(stderr, "%s\n", err);
    CHECK_INT(rc, KIOSK_OK);
    CHECK_INT(r.count, 3);
    CHECK_STR(r.a[0].id, "A1");
    CHECK_STR(r.a[0].booking_no, "20261123001");
    CHECK_INT(r.a[0].slot_start, 540);
    CHECK_INT(r.a[0].slot_end, 570);
    CHECK_INT(r.a[0].party_count, 2);
    CHECK_STR(r.a[0].party[0].name_masked, "张*明");
    CHECK_INT(r.a[0].party[0].sex, 'M');
    CHECK_INT(r.a[0].party[1].sex, 'F');
    CHECK_INT(r.a[0].party[1].birth.year, 1949);
    uint8_t want[KIOSK_CARD_KEY_BYTES];
    kiosk_card_key_of_id_number(key, "11010519491231002X", want);
    CHECK(memcmp(r.a[0].party[1].key, want, sizeof want) == 0); /* x normalised to X */
    CHECK(memcmp(r.a[2].party[1].key, want, sizeof want) == 0);
    CHECK_INT(r.a[1].service, KIOSK_SERVICE_REISSUE_MARRIAGE);
    CHECK_INT(r.a[1].lane, KIOSK_LANE_PRIORITY);
    CHECK_INT(r.a[1].status, KIOSK_APPT_CANCELLED);
    CHECK_INT(r.a[1].party_count, 1);
    CHECK(r.a[2].has_application);
    CHECK_INT(r.a[2].application_date.day, 20);
    const char *p1 = "320102199001011232,张三明";
    const char *p2 = "11010519491231002X,李小华";
    char row[512];
    snprintf(row, sizeof row, "A1,202,marriage,2026-11-23,09:00-09:30,,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: booking_no");
    snprintf(row, sizeof row, "A1,20261,wedding,2026-11-23,09:00-09:30,,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: service");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-31,09:00-09:30,,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: date");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:30-09:00,,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: slot");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,walkin,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: lane");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,,,,\n", p1);
    csv_refused(row, "line 2: party2_id: required");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,%s,,\n", p1, p1);
    csv_refused(row, "line 2: party2_id: the same person");
    csv_refused("A1,20261,marriage,2026-11-23,09:00-09:30,,320102199001011235,张三明,"
                "11010519491231002X,李小华,,\n",
                "line 2: party1_id: not a valid ID number (bad_check)");
    csv_refused("A1,20261,marriage,2026-11-23,09:00-09:30,,320102199002301234,张三明,"
                "11010519491231002X,李小华,,\n",
                "line 2: party1_id: not a valid ID number (bad_birth)");
    snprintf(row, sizeof row, "A1,20261,divorce_cert,2026-11-23,09:00-09:30,,%s,%s,,\n", p1, p2);
    csv_refused(row, "line 2: application_date: required");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,%s,2026-10-01,\n", p1,
             p2);
    csv_refused(row, "line 2: application_date: only");
    snprintf(row, sizeof row, "320102199001011232,20261,marriage,2026-11-23,09:00-09:30,,%s,%s,,\n",
             p1, p2);
    csv_refused(row, "line 2: appointment_id: looks like an ID number");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,%s,,lost\n", p1, p2);
    csv_refused(row, "line 2: status");
    snprintf(row, sizeof row,
             "A1,20261,marriage,2026-11-23,09:00-09:30,,320102199001011232, ,%s,,\n", p2);
    csv_refused(row, "line 2: party1_name: empty");
    snprintf(row, sizeof row, "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,%s\n", p1, p2);
    csv_refused(row, "line 2: expected 12 fields, found 10");
    /* The line named is the record's own: the third line after a good one. */
    snprintf(row, sizeof row,
             "A1,20261,marriage,2026-11-23,09:00-09:30,,%s,%s,,\nA2,20262,marriage,2026-11-23,"
             "9:00-09:30,,%s,%s,,\n",
             p1, p2, p1, p2);
    csv_refused(row, "line 3: slot");
    /* Header problems. */
    const char *bad_header = "appointment_id,booking_no,service,date,slot\n";
    CHECK_INT(kiosk_appointment_csv_parse(bad_header, strlen(bad_header), key, D(2026, 11, 23),
                                          on_row, &r, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK(strstr(err, "no column party1_id") != NULL);
    const char *unknown = "appointment_id,booking,service\n";
    CHECK_INT(kiosk_appointment_csv_parse(unknown, strlen(unknown), key, D(2026, 11, 23), on_row,
                                          &r, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK(strstr(err, "unknown column 2") != NULL);
    /* Columns in another order, optional ones left out. */
    const char *reordered = "party1_name,party1_id,slot,date,service,booking_no,appointment_id\n"
                            "张三明,320102199001011232,10:00-11:00,2026-11-23,reissue_divorce,"
                            "88881234,B7\n";
    memset(&r, 0, sizeof r);
    CHECK_INT(kiosk_appointment_csv_parse(reordered, strlen(reordered), key, D(2026, 11, 23),
                                          on_row, &r, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(r.count, 1);
    CHECK_STR(r.a[0].booking_no, "88881234");
    CHECK_INT(r.a[0].status, KIOSK_APPT_BOOKED);
}

int main(void)
{
    test_slot_window();
    test_refusal_order();
    test_cooling_reasons();
    test_legal_age();
    test_numbering();
    test_payload();
    test_csv();
    CHECK_DONE();
}
