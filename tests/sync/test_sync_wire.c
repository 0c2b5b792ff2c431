/* test_sync_wire.c - the protocol's bytes: the request signature against a vector computed
 * independently (openssl dgst -hmac), a batch request that is the same bytes and the same
 * batch_id for the same records (and different for others), gzip that is deterministic and
 * round-trips, every reply parser on good and bad input (a bad row is left out, a bad envelope
 * refused), the meal payload read back, and the heartbeat's fields. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "meal_record.h"
#include "sync_sign.h"
#include "sync_wire.h"

static void signature(void)
{
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    char sig[KIOSK_SYNC_SIGNATURE_TEXT];
    /* printf 'v1\nPOST\n/v1/records:batch\n1767240000123\n<sha256 of {}>' |
     *   openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f -binary | base64 */
    kiosk_sync_sign(secret, "POST", "/v1/records:batch", 1767240000123, (const uint8_t *)"{}", 2,
                    sig);
    CHECK_STR(sig, "94RYMzUnNEi3c6QfdUwW5uCc1fzWZHdDPSUZ99rr+Yw=");
    /* A GET has an empty body; a negative time (a clock before 1970) is signed as written. */
    kiosk_sync_sign(secret, "GET", "/kiosk/v1/sync/pull?stream=cards&cursor=&limit=1000", -5, NULL,
                    0, sig);
    CHECK_STR(sig, "WBTtbZ3ha/3c+l0erJXhkh76MYbEEEPyvqwrfeZB4CM=");
    CHECK(kiosk_sync_sign_check(secret, "GET",
                                "/kiosk/v1/sync/pull?stream=cards&cursor=&limit=1000", -5, NULL, 0,
                                "WBTtbZ3ha/3c+l0erJXhkh76MYbEEEPyvqwrfeZB4CM="));
    CHECK(!kiosk_sync_sign_check(secret, "GET", "/kiosk/v1/sync/pull?stream=roster", -5, NULL, 0,
                                 "WBTtbZ3ha/3c+l0erJXhkh76MYbEEEPyvqwrfeZB4CM="));
    CHECK(!kiosk_sync_sign_check(secret, "GET", "/x", 1, NULL, 0, NULL));
    secret[0] ^= 1;
    CHECK(!kiosk_sync_sign_check(secret, "POST", "/v1/records:batch", 1767240000123,
                                 (const uint8_t *)"{}", 2,
                                 "94RYMzUnNEi3c6QfdUwW5uCc1fzWZHdDPSUZ99rr+Yw="));
}

static kiosk_meal_entry sample_meal(int n)
{
    kiosk_meal_entry m;
    memset(&m, 0, sizeof m);
    m.record_id = kiosk_recid_new(1795404600000 + n);
    snprintf(m.person_id, sizeof m.person_id, "P%03d", n);
    m.has_card = true;
    memset(m.card_key, 0xab, sizeof m.card_key);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "k1");
    snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
    m.created_utc_ms = 1795404600000 + n;
    m.at = (kiosk_local_time){{2026, 11, 23}, 690, 0};
    m.decision.meal_type = KIOSK_MEAL_LUNCH;
    m.decision.price_fen = 1500;
    m.decision.subsidy_fen = 500;
    m.decision.pay_fen = 1000;
    m.decision.funding_fen[KIOSK_LEVEL_CITY] = 300;
    m.decision.funding_fen[KIOSK_LEVEL_DISTRICT] = 200;
    snprintf(m.decision.class_id, sizeof m.decision.class_id, "age80");
    snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "gl-2026.1");
    m.order.source = KIOSK_PRICE_SET;
    m.offline_age_s = -1;
    return m;
}

static void payload_round_trip(void)
{
    kiosk_meal_entry m = sample_meal(1);
    char *text = kiosk_meal_payload(&m);
    CHECK(text && !strstr(text, "offline"));
    free(text);
    m.offline = true;
    m.offline_age_s = 5400;
    text = kiosk_meal_payload(&m);
    CHECK(text && strstr(text, "\"offline\":true") && strstr(text, "\"offline_age_s\":5400"));
    json_t *o = json_loads(text, 0, NULL);
    kiosk_meal_entry back;
    char err[160];
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_OK);
    CHECK(memcmp(back.record_id.bytes, m.record_id.bytes, 16) == 0);
    CHECK_STR(back.person_id, "P001");
    CHECK(back.has_card && memcmp(back.card_key, m.card_key, 32) == 0);
    CHECK_INT(back.decision.subsidy_fen, 500);
    CHECK_INT(back.at.minute_of_day, 690);
    CHECK(back.offline);
    CHECK_INT(back.offline_age_s, 5400);
    char *again = kiosk_meal_payload(&back);
    CHECK_STR(again, text); /* canonical both ways */
    free(again);
    /* Money that does not add up is refused, naming the field. */
    json_object_set_new(o, "pay_fen", json_integer(999));
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "pay_fen") != NULL);
    json_object_set_new(o, "pay_fen", json_integer(1000));
    json_object_set_new(o, "city_fen", json_integer(301));
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_ERR_PARSE);
    json_object_set_new(o, "city_fen", json_integer(300));
    json_object_set_new(o, "meal_type", json_string("supper"));
    CHECK_INT(kiosk_meal_payload_read(o, &back, err, sizeof err), KIOSK_ERR_PARSE);
    json_decref(o);
    free(text);
}

static void batch_request(void)
{
    kiosk_outbox_record r[3];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 3; i++) {
        kiosk_meal_entry m = sample_meal(i);
        r[i].record_id = m.record_id;
        r[i].device_seq = 10 + i;
        snprintf(r[i].kind, sizeof r[i].kind, "meal");
        r[i].payload = kiosk_meal_payload(&m);
        crypto_hash_sha256(r[i].payload_sha256, (const uint8_t *)r[i].payload,
                           strlen(r[i].payload));
        r[i].created_wall_ms = m.created_utc_ms;
    }
    kiosk_wire_bytes a, b, c;
    char id_a[37], id_b[37], id_c[37];
    CHECK_INT(kiosk_wire_batch_request("k-0412", r, 3, &a, id_a), KIOSK_OK);
    CHECK_INT(kiosk_wire_batch_request("k-0412", r, 3, &b, id_b), KIOSK_OK);
    CHECK_INT(kiosk_wire_batch_request("k-0412", r, 2, &c, id_c), KIOSK_OK);
    CHECK_STR(id_a, id_b);
    CHECK(strcmp(id_a, id_c) != 0);
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK(id_a[14] == '8'); /* a version-8 UUID */
    /* The server's view: valid JSON, the payload hash is that of the object's canonical dump. */
    json_error_t je;
    json_t *o = json_loadb((const char *)a.data, a.len, 0, &je);
    CHECK(o != NULL);
    CHECK_STR(json_string_value(json_object_get(o, "batch_id")), id_a);
    json_t *rec = json_array_get(json_object_get(o, "records"), 1);
    CHECK_INT(json_integer_value(json_object_get(rec, "device_seq")), 11);
    char *canon = json_dumps(json_object_get(rec, "payload"), JSON_COMPACT | JSON_SORT_KEYS);
    uint8_t digest[32];
    char hex[65];
    crypto_hash_sha256(digest, (const uint8_t *)canon, strlen(canon));
    sodium_bin2hex(hex, sizeof hex, digest, 32);
    CHECK_STR(json_string_value(json_object_get(rec, "payload_sha256")), hex);
    free(canon);
    json_decref(o);
    /* An odd device id is escaped, not spliced. */
    kiosk_wire_bytes d;
    char id_d[37];
    CHECK_INT(kiosk_wire_batch_request("k\"\\\n", r, 1, &d, id_d), KIOSK_OK);
    o = json_loadb((const char *)d.data, d.len, 0, &je);
    CHECK(o && strcmp(json_string_value(json_object_get(o, "device_id")), "k\"\\\n") == 0);
    json_decref(o);

    /* gzip: the same bytes every time, and back. */
    kiosk_wire_bytes g1, g2, back;
    CHECK_INT(kiosk_wire_gzip(a.data, a.len, &g1), KIOSK_OK);
    CHECK_INT(kiosk_wire_gzip(a.data, a.len, &g2), KIOSK_OK);
    CHECK(g1.len == g2.len && memcmp(g1.data, g2.data, g1.len) == 0);
    CHECK(g1.len < a.len && g1.data[0] == 0x1f && g1.data[1] == 0x8b);
    CHECK_INT(kiosk_wire_gunzip(g1.data, g1.len, 1 << 20, &back), KIOSK_OK);
    CHECK(back.len == a.len && memcmp(back.data, a.data, a.len) == 0);
    free(back.data);
    CHECK_INT(kiosk_wire_gunzip(g1.data, g1.len, 100, &back), KIOSK_ERR_TOO_BIG);
    CHECK_INT(kiosk_wire_gunzip(g1.data, g1.len / 2, 1 << 20, &back), KIOSK_ERR_PARSE);
    free(g1.data);
    free(g2.data);
    free(a.data);
    free(b.data);
    free(c.data);
    free(d.data);
    for (int i = 0; i < 3; i++)
        free(r[i].payload);
}

static void batch_reply(void)
{
    const char *good =
        "{\"results\":[{\"record_id\":\"018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60\",\"status\":"
        "\"accepted\",\"server_seq\":99123},{\"record_id\":\"018f3c1d-7a2b-7c01-9f3e-"
        "1b2c3d4e5f61\","
        "\"status\":\"duplicate\"},{\"record_id\":\"018F3C1D-7A2B-7C01-9F3E-1B2C3D4E5F62\","
        "\"status\":\"conflict\",\"code\":\"payload_differs\"},{\"record_id\":"
        "\"018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f63\",\"status\":\"rejected\",\"code\":\"schema\","
        "\"detail\":\"price_fen missing\"}],\"device_high_water\":1201,\"missing_seq_ranges\":"
        "[[1190,1192],[5,5]],\"server_time_ms\":1767240001456}";
    kiosk_wire_batch_reply r;
    char err[200];
    CHECK_INT(kiosk_wire_parse_batch_reply(good, strlen(good), &r, err, sizeof err), KIOSK_OK);
    CHECK_INT(r.count, 4);
    CHECK_INT(r.results[0].status, KIOSK_WIRE_ACCEPTED);
    CHECK_INT(r.results[1].status, KIOSK_WIRE_DUPLICATE);
    CHECK_INT(r.results[2].status, KIOSK_WIRE_CONFLICT);
    CHECK_INT(r.results[2].record_id.bytes[15], 0x62);
    CHECK_STR(r.results[2].code, "payload_differs");
    CHECK_STR(r.results[3].detail, "price_fen missing");
    CHECK_INT(r.high_water, 1201);
    CHECK_INT(r.missing_ranges, 2);
    CHECK_INT(r.first_missing, 5);
    CHECK_INT(r.server_time_ms, 1767240001456);
    kiosk_wire_batch_reply_cleanup(&r);
    static const char bad_status[] = "{\"results\":[{\"status\":\"ok\",\"record_id\":\"018f3c1d-"
                                     "7a2b-7c01-9f3e-1b2c3d4e5f60\"}]}";
    static const char *const bad[] = {
        "",
        "[]",
        "{\"results\":{}}",
        "{\"results\":[{\"record_id\":\"x\",\"status\":\"accepted\"}]}",
        bad_status,
        "{\"results\":[],\"missing_seq_ranges\":[[3,1]]}",
        "{\"results\":[],\"results\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(kiosk_wire_parse_batch_reply(bad[i], strlen(bad[i]), &r, err, sizeof err),
                  KIOSK_ERR_PARSE);
    /* A very long code is cut at a character boundary, not refused. */
    char longer[2000];
    snprintf(longer, sizeof longer,
             "{\"results\":[{\"record_id\":\"018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60\",\"status\":"
             "\"rejected\",\"code\":\"%s\"}]}",
             "价格价格价格价格价格价格价格价格价格价格价格价格价格价格价格");
    CHECK_INT(kiosk_wire_parse_batch_reply(longer, strlen(longer), &r, err, sizeof err), KIOSK_OK);
    CHECK(strlen(r.results[0].code) < KIOSK_WIRE_CODE_MAX && strlen(r.results[0].code) % 3 == 0);
    kiosk_wire_batch_reply_cleanup(&r);
}

static const char *const card_hex =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void pull_pages(void)
{
    char body[4096], err[200];
    kiosk_wire_page p;
    snprintf(
        body, sizeof body,
        "{\"stream\":\"cards\",\"changes\":[{\"op\":\"upsert\",\"key\":\"%s\",\"version\":5512,"
        "\"row\":{\"card_key\":\"%s\",\"person_id\":\"P001\",\"blocked\":true,"
        "\"issuing_canteen\":\"c1\"}},{\"op\":\"delete\",\"key\":\"%s\",\"version\":5513},"
        "{\"op\":\"upsert\",\"key\":\"nothex\",\"version\":5514,\"row\":{}}],\"cursor\":\"5514\","
        "\"has_more\":false,\"server_time_ms\":9}",
        card_hex, card_hex, card_hex);
    CHECK_INT(kiosk_wire_parse_pull(KIOSK_STREAM_CARDS, body, strlen(body), &p, err, sizeof err),
              KIOSK_OK);
    CHECK_INT(p.count, 2);
    CHECK_INT(p.skipped, 1); /* the bad row is left out, the page stands */
    CHECK(p.changes[0].card.info.blocked && !p.changes[0].is_delete);
    CHECK_STR(p.changes[0].card.person_id, "P001");
    CHECK_INT(p.changes[0].card.card_key[1], 0x11);
    CHECK(p.changes[1].is_delete && p.changes[1].card.card_key[31] == 0xff);
    CHECK_STR(p.cursor, "5514");
    CHECK(!p.has_more);
    CHECK_INT(p.server_time_ms, 9);
    kiosk_wire_page_cleanup(&p);

    /* A page of another stream, or with a missing cursor, is refused whole. */
    CHECK_INT(kiosk_wire_parse_pull(KIOSK_STREAM_ROSTER, body, strlen(body), &p, err, sizeof err),
              KIOSK_ERR_PARSE);
    const char *no_cursor = "{\"stream\":\"cards\",\"changes\":[],\"has_more\":false}";
    CHECK_INT(kiosk_wire_parse_pull(KIOSK_STREAM_CARDS, no_cursor, strlen(no_cursor), &p, err,
                                    sizeof err),
              KIOSK_ERR_PARSE);

    const char *roster =
        "{\"stream\":\"roster\",\"changes\":[{\"op\":\"upsert\",\"key\":\"P7\",\"version\":3,"
        "\"row\":{\"person_id\":\"P7\",\"name_masked\":\"张*华\",\"birth_date\":\"1941-01-01\","
        "\"categories\":[\"dibao\",\"martian\"],\"city\":\"3201\",\"district\":\"320106\","
        "\"street\":\"\",\"hukou\":\"resident\",\"active\":true,\"id_key\":null}},"
        "{\"op\":\"upsert\",\"key\":\"P8\",\"version\":4,\"row\":{\"person_id\":\"P9\"}},"
        "{\"op\":\"delete\",\"key\":\"P2\",\"version\":5}],\"cursor\":\"5\",\"has_more\":true}";
    CHECK_INT(
        kiosk_wire_parse_pull(KIOSK_STREAM_ROSTER, roster, strlen(roster), &p, err, sizeof err),
        KIOSK_OK);
    CHECK_INT(p.count, 2);
    CHECK_INT(p.skipped, 1);
    CHECK_STR(p.changes[0].person.name_masked, "张*华");
    CHECK_INT(p.changes[0].person.person.categories, KIOSK_CAT(DIBAO));
    CHECK(!p.changes[0].person.person.local_hukou && p.changes[0].person.person.local_resident);
    CHECK(!p.changes[0].person.has_id_key);
    CHECK(p.changes[1].is_delete);
    CHECK_STR(p.changes[1].key, "P2");
    CHECK(p.has_more);
    kiosk_wire_page_cleanup(&p);

    const char *policy = "{\"stream\":\"policy\",\"changes\":[{\"op\":\"upsert\",\"key\":\"v2\","
                         "\"version\":8,\"row\":{\"version\":\"v2\",\"effective_from\":"
                         "\"2026-12-01\",\"body\":{\"version\":\"v2\",\"b\":[1],\"a\":2}}}],"
                         "\"cursor\":\"8\",\"has_more\":false}";
    CHECK_INT(
        kiosk_wire_parse_pull(KIOSK_STREAM_POLICY, policy, strlen(policy), &p, err, sizeof err),
        KIOSK_OK);
    CHECK_INT(p.count, 1);
    CHECK_STR(p.changes[0].policy_json, "{\"a\":2,\"b\":[1],\"version\":\"v2\"}");
    kiosk_wire_page_cleanup(&p);

    kiosk_meal_entry m = sample_meal(3);
    char *payload = kiosk_meal_payload(&m);
    char id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&m.record_id, id);
    snprintf(body, sizeof body,
             "{\"stream\":\"meals_today\",\"changes\":[{\"op\":\"upsert\",\"key\":\"%s\","
             "\"version\":1,\"row\":{\"record_id\":\"%s\",\"payload\":%s}}],\"cursor\":\"1\","
             "\"has_more\":false}",
             id, id, payload);
    CHECK_INT(
        kiosk_wire_parse_pull(KIOSK_STREAM_MEALS_TODAY, body, strlen(body), &p, err, sizeof err),
        KIOSK_OK);
    CHECK_INT(p.count, 1);
    CHECK_STR(p.changes[0].meal.person_id, "P003");
    kiosk_wire_page_cleanup(&p);
    free(payload);

    const char *snap = "{\"stream\":\"roster\",\"rows\":[{\"key\":\"P1\",\"version\":2,\"row\":{"
                       "\"person_id\":\"P1\",\"name_masked\":\"李*\",\"birth_date\":\"1950-02-28\","
                       "\"hukou\":\"local\",\"active\":false}}],\"next\":\"P1\",\"cursor\":\"77\"}";
    CHECK_INT(
        kiosk_wire_parse_snapshot(KIOSK_STREAM_ROSTER, snap, strlen(snap), &p, err, sizeof err),
        KIOSK_OK);
    CHECK_INT(p.count, 1);
    CHECK(p.has_more);
    CHECK_STR(p.next, "P1");
    CHECK_STR(p.cursor, "77");
    CHECK(!p.changes[0].person.person.active && p.changes[0].person.person.local_hukou);
    kiosk_wire_page_cleanup(&p);
    const char *last = "{\"stream\":\"roster\",\"rows\":[],\"next\":null,\"cursor\":\"77\"}";
    CHECK_INT(
        kiosk_wire_parse_snapshot(KIOSK_STREAM_ROSTER, last, strlen(last), &p, err, sizeof err),
        KIOSK_OK);
    CHECK(!p.has_more);
    kiosk_wire_page_cleanup(&p);
}

static void enrollment(void)
{
    char body[512], err[200];
    snprintf(
        body, sizeof body,
        "{\"device_id\":\"k-0412\",\"site_id\":\"s1\",\"canteen_id\":\"c1\","
        "\"device_secret\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"card_key\":\"%s\","
        "\"server_time_ms\":5}",
        card_hex);
    kiosk_wire_enrollment e;
    CHECK_INT(kiosk_wire_parse_enroll(body, strlen(body), &e, err, sizeof err), KIOSK_OK);
    CHECK_STR(e.id.device_id, "k-0412");
    CHECK_INT(e.id.secret[31], 31);
    CHECK_INT(e.card_key[0], 0x00);
    CHECK_INT(e.card_key[1], 0x11);
    /* A secret of 31 bytes, a device id with a space: refused. */
    snprintf(body, sizeof body,
             "{\"device_id\":\"k-0412\",\"device_secret\":"
             "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\","
             "\"card_key\":\"%s\"}",
             card_hex);
    CHECK_INT(kiosk_wire_parse_enroll(body, strlen(body), &e, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "device_secret") != NULL);
    snprintf(
        body, sizeof body,
        "{\"device_id\":\"k 1\",\"device_secret\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\","
        "\"card_key\":\"%s\"}",
        card_hex);
    CHECK_INT(kiosk_wire_parse_enroll(body, strlen(body), &e, err, sizeof err), KIOSK_ERR_PARSE);

    char code[40];
    const char *error = "{\"error\":\"token_invalid\",\"detail\":\"used\"}";
    kiosk_wire_error_code(error, strlen(error), code, sizeof code);
    CHECK_STR(code, "token_invalid");
    kiosk_wire_error_code("<html>", 6, code, sizeof code);
    CHECK_STR(code, "");
}

static void heartbeat(void)
{
    kiosk_wire_heartbeat hb = {.pending = 3,
                               .rejected = 1,
                               .offline_meals = 2,
                               .oldest_pending_ms = 1000,
                               .last_ack_ms = -1,
                               .clock_offset_ms = -420,
                               .has_offset = true,
                               .stream_age_ms = {5, -1, 7, 8},
                               .disk_free_bytes = 123456789,
                               .app_version = "0.3.0",
                               .staff_notice = NULL};
    kiosk_wire_bytes b;
    CHECK_INT(kiosk_wire_heartbeat_request(&hb, &b), KIOSK_OK);
    json_t *o = json_loadb((const char *)b.data, b.len, 0, NULL);
    CHECK(o != NULL);
    CHECK_INT(json_integer_value(json_object_get(o, "pending")), 3);
    CHECK(json_is_null(json_object_get(o, "last_ack_ms")));
    CHECK(json_is_null(json_object_get(o, "staff_notice")));
    CHECK_INT(json_integer_value(json_object_get(o, "clock_offset_ms")), -420);
    json_t *ages = json_object_get(o, "stream_ages_ms");
    CHECK(json_is_null(json_object_get(ages, "policy")));
    CHECK_INT(json_integer_value(json_object_get(ages, "meals_today")), 8);
    CHECK_INT(json_integer_value(json_object_get(o, "offline_meals")), 2);
    CHECK_STR(json_string_value(json_object_get(o, "app_version")), "0.3.0");
    json_decref(o);
    free(b.data);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    signature();
    payload_round_trip();
    batch_request();
    batch_reply();
    pull_pages();
    enrollment();
    heartbeat();
    CHECK_DONE();
}
