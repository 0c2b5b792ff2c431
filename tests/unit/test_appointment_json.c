/* test_appointment_json.c - an appointment as a row of the appointments stream: what the
 * server writes from the booking file, the kiosk reads back field for field (the file's rows go
 * through the import parser first, as at the server); and each malformed row is refused naming
 * its field, never echoing a name. The JSON texts below were written by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_csv.h"
#include "appointment_json.h"
#include "check.h"

static const uint8_t city_key[KIOSK_CARD_KEY_BYTES] = {1, 2, 3};

typedef struct rows {
    kiosk_appointment a[4];
    size_t n;
} rows;

static kiosk_rc keep(void *user, size_t line, const kiosk_appointment *a, char *err,
                     size_t err_size)
{
    (void)line, (void)err, (void)err_size;
    rows *r = user;
    if (r->n < 4)
        r->a[r->n++] = *a;
    return KIOSK_OK;
}

static void test_round_trip(void)
{
    const char *file =
        "appointment_id,booking_no,service,date,slot,lane,party1_id,party1_name,party2_id,"
        "party2_name,application_date,status\n"
        "A1,20261123001,marriage,2026-11-23,09:00-09:30,priority,320102199503152019,张三明,"
        "320102199704202027,李小华,,booked\n"
        "A8,20261123008,divorce_cert,2026-11-23,14:00-14:30,booked,330106198808081111,高峰,"
        "330106198909092223,罗敏,2026-10-01,cancelled\n"
        "A4,20261123004,reissue_marriage,2026-11-23,08:30-12:00,booked,110108198001010074,"
        "周建国,,,,checked_in\n";
    rows r = {0};
    char err[200];
    CHECK_INT(kiosk_appointment_csv_parse(file, strlen(file), city_key, (kiosk_date){2026, 11, 23},
                                          keep, &r, err, sizeof err),
              KIOSK_OK);
    CHECK_INT((int)r.n, 3);
    for (size_t i = 0; i < r.n; i++) {
        char *text = kiosk_appointment_to_json(&r.a[i]);
        CHECK(text != NULL);
        if (!text)
            continue;
        CHECK(strstr(text, "3201021995") == NULL); /* never the ID number */
        kiosk_appointment back;
        CHECK_INT(kiosk_appointment_from_json(text, strlen(text), r.a[i].id, &back, err,
                                              sizeof err),
                  KIOSK_OK);
        CHECK(memcmp(&back, &r.a[i], sizeof back) == 0);
        /* The row key must be the id. */
        CHECK_INT(kiosk_appointment_from_json(text, strlen(text), "other", &back, err,
                                              sizeof err),
                  KIOSK_ERR_PARSE);
        free(text);
    }
    /* Fields as written by hand for A1. */
    char *a1 = kiosk_appointment_to_json(&r.a[0]);
    CHECK(a1 && strstr(a1, "\"slot\":\"09:00-09:30\"") && strstr(a1, "\"lane\":\"priority\"") &&
          strstr(a1, "\"name_masked\":\"张*明\"") && strstr(a1, "\"sex\":\"M\"") &&
          strstr(a1, "\"birth_date\":\"1995-03-15\"") && strstr(a1, "\"application_date\":null"));
    free(a1);
}

static void refused(const char *json, const char *field)
{
    kiosk_appointment a;
    char err[200] = "";
    CHECK_INT(kiosk_appointment_from_json(json, strlen(json), "H1", &a, err, sizeof err),
              KIOSK_ERR_PARSE);
    if (!strstr(err, field))
        fprintf(stderr, "expected '%s' in: %s\n", field, err);
    CHECK(strstr(err, field) != NULL);
    CHECK(strstr(err, "张") == NULL);
}

#define KEY64 "abababababababababababababababababababababababababababababababab"
#define PARTY(name) "{\"id_key\":\"" KEY64 "\",\"name_masked\":\"" name "\",\"sex\":null,\"birth_date\":null}"
#define ROW(service, slot, application, parties)                                                  \
    "{\"id\":\"H1\",\"booking_no\":\"20260001\",\"service\":\"" service "\",\"date\":\"2026-12-01\"," \
    "\"slot\":\"" slot "\",\"lane\":\"booked\",\"status\":\"booked\",\"application_date\":"          \
    application ",\"parties\":[" parties "]}"

static void test_refusals(void)
{
    kiosk_appointment a;
    char err[200];
    const char *good = ROW("reissue_marriage", "09:00-09:30", "null", PARTY("张*明"));
    CHECK_INT(kiosk_appointment_from_json(good, strlen(good), "H1", &a, err, sizeof err), KIOSK_OK);
    CHECK_INT((int)a.party_count, 1);
    refused("[]", "expected {id");
    refused("{", "not JSON");
    refused(ROW("marriage", "09:00-09:30", "null", PARTY("张*明")), "parties: one or two, and two");
    refused(ROW("结婚登记", "09:00-09:30", "null", PARTY("张*明") "," PARTY("李*华")), "service");
    refused(ROW("reissue_marriage", "09:30-09:00", "null", PARTY("张*明")), "slot");
    refused(ROW("divorce_cert", "09:00-09:30", "null", PARTY("张*明") "," PARTY("李*华")),
            "application_date");
    refused(ROW("reissue_marriage", "09:00-09:30", "\"2026-11-01\"", PARTY("张*明")),
            "application_date");
    refused(ROW("divorce_withdraw", "09:00-09:30", "\"2026-12-02\"", PARTY("张*明")),
            "after the appointment");
    refused(ROW("marriage", "09:00-09:30", "null", PARTY("张*明") "," PARTY("李*华")),
            "the same person twice");
    refused(ROW("reissue_marriage", "09:00-09:30", "null",
                "{\"id_key\":\"xyz\",\"name_masked\":\"张*明\",\"sex\":null,\"birth_date\":null}"),
            "id_key");
    refused(ROW("reissue_marriage", "09:00-09:30", "null",
                "{\"id_key\":\"" KEY64 "\",\"name_masked\":\"张*明\",\"sex\":\"X\",\"birth_date\":null}"),
            "sex");
    refused(ROW("reissue_marriage", "09:00-09:30", "null", PARTY("")), "name_masked");
}

int main(void)
{
    test_round_trip();
    test_refusals();
    CHECK_DONE();
}
