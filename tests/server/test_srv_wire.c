/* test_srv_wire.c - the server's request parsers and checks (server/wire.h) and the fault
 * command parser (server/faults.h): what each accepts, what it refuses and the field its
 * message names; the request signature against a vector computed with openssl; gzip bodies at
 * and beyond the limit. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "faults.h"
#include "wire.h"

#define GOOD_ID "018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60"

static json_t *meal_payload(const char *id)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:i, s:i, s:i, s:i, s:i, "
                     "s:i, s:i, s:i, s:s, s:s, s:s, s:s}",
                     "record_id", id, "person_id", "XW-0001", "card_key", "", "kiosk_id", "k1",
                     "canteen_id", "c1", "business_date", "2026-11-03", "local_minute", 720,
                     "meal_type", "lunch", "created_utc_ms", (json_int_t)1795000000000, "price_fen",
                     1500, "subsidy_fen", 500, "pay_fen", 1000, "city_fen", 300, "district_fen",
                     200, "street_fen", 0, "canteen_fen", 0, "day_subsidy_fen", 0, "class_id",
                     "age80", "policy_version", "gl-2026.1", "price_source", "set", "menu_item",
                     "");
}

/* A batch body of one record with this payload (the hash computed unless given). */
static char *one_record(json_t *payload, const char *hash, const char *kind)
{
    char computed[65];
    char *canonical = srv_wire_canonical(payload);
    srv_sha256_hex(canonical, strlen(canonical), computed);
    free(canonical);
    json_t *root = json_pack("{s:s, s:s, s:[{s:s, s:i, s:s, s:I, s:o, s:s}]}", "device_id", "k1",
                             "batch_id", "b-1", "records", "record_id", GOOD_ID, "device_seq", 7,
                             "kind", kind, "created_wall_ms", (json_int_t)1795000000000, "payload",
                             payload, "payload_sha256", hash ? hash : computed);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

static void expect_batch_error(const char *body, kiosk_rc want, const char *detail_part)
{
    srv_batch b;
    char detail[SRV_DETAIL_MAX] = "";
    kiosk_rc rc = srv_wire_batch(body, strlen(body), &b, detail, sizeof detail);
    CHECK_INT(rc, want);
    if (!strstr(detail, detail_part))
        fprintf(stderr, "  detail '%s' lacks '%s'\n", detail, detail_part);
    CHECK(strstr(detail, detail_part) != NULL);
    srv_batch_cleanup(&b);
}

static void expect_rejected(char *body, const char *code, const char *detail_part)
{
    srv_batch b;
    char detail[SRV_DETAIL_MAX] = "";
    CHECK_INT(srv_wire_batch(body, strlen(body), &b, detail, sizeof detail), KIOSK_OK);
    CHECK_INT(b.count, 1);
    if (b.count == 1) {
        CHECK(b.items[0].rejected);
        CHECK_STR(b.items[0].reject_code, code);
        if (!strstr(b.items[0].reject_detail, detail_part))
            fprintf(stderr, "  detail '%s' lacks '%s'\n", b.items[0].reject_detail, detail_part);
        CHECK(strstr(b.items[0].reject_detail, detail_part) != NULL);
    }
    srv_batch_cleanup(&b);
    free(body);
}

static void test_batch(void)
{
    /* A good meal: parsed, hash matches, meal fields filed. */
    char *body = one_record(meal_payload(GOOD_ID), NULL, "meal");
    srv_batch b;
    char detail[SRV_DETAIL_MAX] = "";
    CHECK_INT(srv_wire_batch(body, strlen(body), &b, detail, sizeof detail), KIOSK_OK);
    CHECK_STR(b.device_id, "k1");
    CHECK_STR(b.batch_id, "b-1");
    CHECK_INT(b.count, 1);
    CHECK(!b.items[0].rejected);
    CHECK_INT(b.items[0].device_seq, 7);
    CHECK_STR(b.items[0].meal.person_id, "XW-0001");
    CHECK_STR(b.items[0].meal.business_date, "2026-11-03");
    CHECK_INT(b.items[0].meal.subsidy_fen, 500);
    /* The canonical text: compact, keys sorted. */
    CHECK(strncmp(b.items[0].payload, "{\"business_date\":\"2026-11-03\",\"canteen_fen\":0,", 46) ==
          0);
    srv_batch_cleanup(&b);
    free(body);

    /* An upper-case id is the same id. */
    char upper[] = "018F3C1D-7A2B-7C01-9F3E-1B2C3D4E5F60";
    json_t *p = meal_payload(upper);
    char *text = one_record(p, NULL, "meal");
    char *at = strstr(text, GOOD_ID); /* the record's own record_id: make it upper case too */
    if (at)
        memcpy(at, upper, 36);
    CHECK_INT(srv_wire_batch(text, strlen(text), &b, detail, sizeof detail), KIOSK_OK);
    CHECK_STR(b.count ? b.items[0].record_id : "", GOOD_ID);
    CHECK(b.count && !b.items[0].rejected);
    srv_batch_cleanup(&b);
    free(text);

    /* Per-record refusals. */
    expect_rejected(one_record(meal_payload(GOOD_ID), "00", "meal"), "hash", "payload_sha256");
    expect_rejected(one_record(meal_payload(GOOD_ID),
                               "0000000000000000000000000000000000000000000000000000000000000000",
                               "meal"),
                    "hash", "not the SHA-256");
    expect_rejected(one_record(meal_payload(GOOD_ID), NULL, "lottery"), "kind", "kind");
    p = meal_payload(GOOD_ID);
    json_object_del(p, "price_fen");
    expect_rejected(one_record(p, NULL, "meal"), "schema", "price_fen");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "pay_fen", json_integer(999));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "pay_fen");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "city_fen", json_integer(301));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "funding shares");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "business_date", json_string("2026-02-30"));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "business_date");
    p = meal_payload("018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f61");
    expect_rejected(one_record(p, NULL, "meal"), "schema", "record_id");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "meal_type", json_string("supper"));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "meal_type");
    /* What the kiosk's own reader does not require, the server does not either. */
    p = meal_payload(GOOD_ID);
    json_object_del(p, "canteen_fen");
    json_object_del(p, "day_subsidy_fen");
    json_object_del(p, "price_source");
    json_object_del(p, "menu_item");
    json_object_del(p, "card_key");
    body = one_record(p, NULL, "meal");
    CHECK_INT(srv_wire_batch(body, strlen(body), &b, detail, sizeof detail), KIOSK_OK);
    CHECK(b.count == 1 && !b.items[0].rejected);
    srv_batch_cleanup(&b);
    free(body);
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "offline", json_string("yes"));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "offline");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "offline_age_s", json_integer(-5));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "offline_age_s");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "created_utc_ms", json_integer(-1));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "created_utc_ms");
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "person_id", json_string(""));
    expect_rejected(one_record(p, NULL, "meal"), "schema", "person_id");
    /* Unknown fields are a later kiosk's: fine. */
    p = meal_payload(GOOD_ID);
    json_object_set_new(p, "offline", json_true());
    json_object_set_new(p, "offline_age_s", json_integer(5400));
    json_object_set_new(p, "payment_method", json_string("cash"));
    body = one_record(p, NULL, "meal");
    CHECK_INT(srv_wire_batch(body, strlen(body), &b, detail, sizeof detail), KIOSK_OK);
    CHECK(b.count == 1 && !b.items[0].rejected);
    srv_batch_cleanup(&b);
    free(body);
    /* An audit record: any object payload. */
    body = one_record(json_pack("{s:s}", "what", "x"), NULL, "audit");
    CHECK_INT(srv_wire_batch(body, strlen(body), &b, detail, sizeof detail), KIOSK_OK);
    CHECK(b.count == 1 && !b.items[0].rejected);
    srv_batch_cleanup(&b);
    free(body);

    /* Whole-batch refusals name the field or the position. */
    expect_batch_error("{\"device_id\":\"k1\",\"records\":[", KIOSK_ERR_PARSE, "line 1, column");
    expect_batch_error("[]", KIOSK_ERR_PARSE, "body: must be a JSON object");
    expect_batch_error("{\"records\":[]}", KIOSK_ERR_PARSE, "device_id: missing");
    expect_batch_error("{\"device_id\":\"k 1\",\"records\":[]}", KIOSK_ERR_PARSE, "device_id");
    expect_batch_error("{\"device_id\":\"k1\"}", KIOSK_ERR_PARSE, "records: missing");
    expect_batch_error("{\"device_id\":\"k1\",\"records\":{}}", KIOSK_ERR_PARSE,
                       "records: must be an array");
    expect_batch_error("{\"device_id\":\"k1\",\"device_id\":\"k2\",\"records\":[]}",
                       KIOSK_ERR_PARSE, "duplicate");
    expect_batch_error(
        "{\"device_id\":\"k1\",\"records\":[{\"record_id\":\"x\",\"device_seq\":1}]}",
        KIOSK_ERR_PARSE, "records[0].record_id");
    expect_batch_error("{\"device_id\":\"k1\",\"records\":[{\"record_id\":\"" GOOD_ID
                       "\",\"device_seq\":0}]}",
                       KIOSK_ERR_PARSE, "records[0].device_seq");
    expect_batch_error("{\"device_id\":\"k1\",\"records\":[{\"record_id\":\"" GOOD_ID
                       "\",\"device_seq\":2,\"kind\":\"meal\"},{\"record_id\":\"" GOOD_ID
                       "\",\"device_seq\":2,\"kind\":\"meal\"}]}",
                       KIOSK_ERR_PARSE, "records[1].device_seq: 2 does not follow 2");
    expect_batch_error("{\"device_id\":\"k1\",\"records\":[{\"record_id\":\"" GOOD_ID
                       "\",\"device_seq\":1}]}",
                       KIOSK_ERR_PARSE, "records[0].kind: missing");

    /* 500 records pass, 501 are too many. */
    json_t *records = json_array();
    for (int i = 0; i < 501; i++)
        json_array_append_new(records, json_pack("{s:s, s:i, s:s}", "record_id", GOOD_ID,
                                                 "device_seq", i + 1, "kind", "bogus"));
    json_t *root = json_pack("{s:s, s:o}", "device_id", "k1", "records", records);
    text = json_dumps(root, JSON_COMPACT);
    expect_batch_error(text, KIOSK_ERR_TOO_BIG, "more than 500");
    free(text);
    json_array_remove(records, 500);
    text = json_dumps(root, JSON_COMPACT);
    CHECK_INT(srv_wire_batch(text, strlen(text), &b, detail, sizeof detail), KIOSK_OK);
    CHECK_INT(b.count, 500);
    srv_batch_cleanup(&b);
    free(text);
    json_decref(root);
}

static void test_query(void)
{
    srv_query q;
    char code[24], detail[SRV_DETAIL_MAX];
    CHECK_INT(srv_wire_query("stream=cards&cursor=cards%3A12&limit=7&x=1", &q, code, detail,
                             sizeof detail),
              KIOSK_OK);
    CHECK_INT(q.stream, SRV_STREAM_CARDS);
    CHECK_STR(q.cursor, "cards:12");
    CHECK_INT(q.limit, 7);
    CHECK_INT(srv_wire_query("stream=meals_today", &q, code, detail, sizeof detail), KIOSK_OK);
    CHECK_INT(q.limit, SRV_PULL_LIMIT_DEF);
    CHECK(!q.has_cursor);
    CHECK_INT(srv_wire_query("stream=menus", &q, code, detail, sizeof detail), KIOSK_ERR_PARSE);
    CHECK_STR(code, "unknown_stream");
    CHECK_INT(srv_wire_query("limit=5", &q, code, detail, sizeof detail), KIOSK_ERR_PARSE);
    CHECK_STR(detail, "stream: missing");
    CHECK_INT(srv_wire_query("stream=cards&limit=0", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_STR(code, "bad_request");
    CHECK(strstr(detail, "limit") != NULL);
    CHECK_INT(srv_wire_query("stream=cards&limit=1001", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_wire_query("stream=cards&limit=12x", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_wire_query("stream=cards&stream=roster", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK(strstr(detail, "twice") != NULL);
    CHECK_INT(srv_wire_query("stream=cards&cursor=%zz", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_wire_query("stream=cards&cursor=%00", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_wire_query("stream=cards&cursor=%4", &q, code, detail, sizeof detail),
              KIOSK_ERR_PARSE);

    int64_t v = -1;
    char text[SRV_CURSOR_MAX];
    srv_cursor_format(SRV_STREAM_ROSTER, 5512, text);
    CHECK_STR(text, "roster:5512");
    CHECK(srv_cursor_parse(SRV_STREAM_ROSTER, text, &v));
    CHECK_INT(v, 5512);
    CHECK(srv_cursor_parse(SRV_STREAM_ROSTER, "", &v));
    CHECK_INT(v, 0);
    CHECK(!srv_cursor_parse(SRV_STREAM_CARDS, text, &v)); /* another stream's cursor */
    CHECK(!srv_cursor_parse(SRV_STREAM_ROSTER, "roster:", &v));
    CHECK(!srv_cursor_parse(SRV_STREAM_ROSTER, "roster:-1", &v));
    CHECK(!srv_cursor_parse(SRV_STREAM_ROSTER, "roster:9999999999999999999", &v));
    char after[SRV_AFTER_MAX], key[SRV_AFTER_MAX];
    srv_after_format(42, "gl-2026.1", after);
    CHECK_STR(after, "42.gl-2026.1");
    CHECK(srv_after_parse(after, &v, key));
    CHECK_INT(v, 42);
    CHECK_STR(key, "gl-2026.1"); /* a key may hold dots: the first one ends the version */
    CHECK(!srv_after_parse("42.", &v, key));
    CHECK(!srv_after_parse("x.a", &v, key));
}

static void test_signature(void)
{
    /* Computed with openssl (the tests' lib.sh):
     *   printf 'v1\nPOST\n/v1/records:batch\n1767240000123\n<sha256 of "{}">' |
     *   openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f -binary | base64 */
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    char sig[SRV_SIGNATURE_B64];
    srv_sign(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2, sig);
    CHECK_STR(sig, "94RYMzUnNEi3c6QfdUwW5uCc1fzWZHdDPSUZ99rr+Yw=");
    CHECK(srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2, sig));
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000124LL, "{}", 2, sig));
    CHECK(!srv_sign_check(secret, "GET", "/v1/records:batch", 1767240000123LL, "{}", 2, sig));
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{} ", 3, sig));
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2,
                          "94RYMzUnNEi3c6QfdUwW5uCc1fzWZHdDPSUZ99rr+Yw"));
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2, ""));
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2, NULL));
    secret[0] = 1;
    CHECK(!srv_sign_check(secret, "POST", "/v1/records:batch", 1767240000123LL, "{}", 2, sig));
    /* An empty body (GET) hashes the empty string. */
    srv_sign(secret, "GET", "/v1/sync/pull?stream=cards", 5, NULL, 0, sig);
    CHECK(srv_sign_check(secret, "GET", "/v1/sync/pull?stream=cards", 5, "", 0, sig));
    int64_t ms;
    CHECK(srv_wire_time("1767240000123", &ms));
    CHECK_INT(ms, 1767240000123LL);
    CHECK(srv_wire_time("-5", &ms));
    CHECK(!srv_wire_time("12a", &ms));
    CHECK(!srv_wire_time("", &ms));
    CHECK_INT(srv_wire_encoding(NULL), SRV_ENC_IDENTITY);
    CHECK_INT(srv_wire_encoding("GZIP"), SRV_ENC_GZIP);
    CHECK_INT(srv_wire_encoding("br"), SRV_ENC_UNSUPPORTED);
    CHECK_INT(srv_wire_encoding("gzip, gzip"), SRV_ENC_UNSUPPORTED);
}

static size_t gzip_of(const void *in, size_t len, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static void test_gunzip(void)
{
    size_t big = SRV_BODY_MAX + 1;
    char *plain = malloc(big);
    uint8_t *packed = malloc(big);
    memset(plain, ' ', big);
    char *out = NULL;
    size_t out_len = 0;
    /* Exactly the limit passes; one byte more is too big (a 4 MiB bomb is a few KiB). */
    size_t n = gzip_of(plain, SRV_BODY_MAX, packed, big);
    CHECK(n < 65536);
    CHECK_INT(srv_gunzip(packed, n, SRV_BODY_MAX, &out, &out_len), KIOSK_OK);
    CHECK_INT(out_len, SRV_BODY_MAX);
    free(out);
    n = gzip_of(plain, big, packed, big);
    CHECK_INT(srv_gunzip(packed, n, SRV_BODY_MAX, &out, &out_len), KIOSK_ERR_TOO_BIG);
    CHECK(out == NULL);
    /* Two members are one stream; a cut-off one or garbage is refused. */
    n = gzip_of("{\"a\":", 5, packed, big);
    size_t m = gzip_of("1}", 2, packed + n, big - n);
    CHECK_INT(srv_gunzip(packed, n + m, SRV_BODY_MAX, &out, &out_len), KIOSK_OK);
    CHECK_STR(out, "{\"a\":1}");
    free(out);
    CHECK_INT(srv_gunzip(packed, n - 3, SRV_BODY_MAX, &out, &out_len), KIOSK_ERR_PARSE);
    CHECK_INT(srv_gunzip("not gzip at all", 15, SRV_BODY_MAX, &out, &out_len), KIOSK_ERR_PARSE);
    CHECK_INT(srv_gunzip("", 0, SRV_BODY_MAX, &out, &out_len), KIOSK_ERR_PARSE);
    free(plain);
    free(packed);
}

static void test_enroll_heartbeat(void)
{
    char token[SRV_TOKEN_MAX], detail[SRV_DETAIL_MAX];
    char *hw = NULL;
    const char *good = "{\"token\":\"abc\",\"hw_info\":{\"z\":1,\"a\":\"x\"}}";
    CHECK_INT(srv_wire_enroll(good, strlen(good), token, &hw, detail, sizeof detail), KIOSK_OK);
    CHECK_STR(token, "abc");
    CHECK_STR(hw, "{\"a\":\"x\",\"z\":1}");
    free(hw);
    const char *no_token = "{\"hw_info\":{}}";
    CHECK_INT(srv_wire_enroll(no_token, strlen(no_token), token, &hw, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_STR(detail, "token: missing");
    const char *number = "{\"token\":5}";
    CHECK_INT(srv_wire_enroll(number, strlen(number), token, &hw, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_STR(detail, "token: must be a string");
    const char *hw_list = "{\"token\":\"a\",\"hw_info\":[]}";
    CHECK_INT(srv_wire_enroll(hw_list, strlen(hw_list), token, &hw, detail, sizeof detail),
              KIOSK_ERR_PARSE);
    CHECK_STR(detail, "hw_info: must be an object");

    srv_heartbeat_in in;
    const char *beat = "{\"pending\":3,\"oldest_pending_ms\":null,\"clock_offset_ms\":-420,"
                       "\"stream_ages_ms\":{\"cards\":10,\"roster\":null},\"app_version\":"
                       "\"0.3\",\"staff_notice\":null,\"disk_free_bytes\":null,"
                       "\"future_field\":true}";
    CHECK_INT(srv_wire_heartbeat(beat, strlen(beat), &in, detail, sizeof detail), KIOSK_OK);
    CHECK_INT(in.pending, 3);
    CHECK_INT(in.oldest_pending_ms, -1);
    CHECK(in.has_clock_offset);
    CHECK_INT(in.clock_offset_ms, -420);
    CHECK_STR(in.app_version, "0.3");
    CHECK(strstr(in.body, "future_field") != NULL);
    free(in.body);
    const char *unknown = "{\"pending\":null,\"clock_offset_ms\":null}";
    CHECK_INT(srv_wire_heartbeat(unknown, strlen(unknown), &in, detail, sizeof detail), KIOSK_OK);
    CHECK_INT(in.pending, -1);
    CHECK(!in.has_clock_offset);
    free(in.body);
    const char *bad = "{\"pending\":-1}";
    CHECK_INT(srv_wire_heartbeat(bad, strlen(bad), &in, detail, sizeof detail), KIOSK_ERR_PARSE);
    CHECK(strncmp(detail, "pending:", 8) == 0);
    const char *ages = "{\"stream_ages_ms\":5}";
    CHECK_INT(srv_wire_heartbeat(ages, strlen(ages), &in, detail, sizeof detail), KIOSK_ERR_PARSE);
    CHECK_STR(detail, "stream_ages_ms: must be an object");
    /* The last package update: an object with a result, or null; anything else is refused. */
    const char *update = "{\"update\":{\"result\":\"rolled_back\",\"version\":\"3.0\"}}";
    CHECK_INT(srv_wire_heartbeat(update, strlen(update), &in, detail, sizeof detail), KIOSK_OK);
    CHECK(strstr(in.body, "rolled_back") != NULL);
    free(in.body);
    const char *no_update = "{\"update\":null}";
    CHECK_INT(srv_wire_heartbeat(no_update, strlen(no_update), &in, detail, sizeof detail),
              KIOSK_OK);
    free(in.body);
    static const char *const bad_updates[] = {"{\"update\":\"rolled_back\"}",
                                              "{\"update\":{\"version\":\"3.0\"}}",
                                              "{\"update\":{\"result\":7}}"};
    for (size_t i = 0; i < sizeof bad_updates / sizeof *bad_updates; i++) {
        CHECK_INT(srv_wire_heartbeat(bad_updates[i], strlen(bad_updates[i]), &in, detail,
                                     sizeof detail),
                  KIOSK_ERR_PARSE);
        CHECK_STR(detail, "update: must be an object with a result, or null");
    }
}

static void test_fault_commands(void)
{
    srv_fault f;
    char err[160];
    CHECK(srv_fault_parse("503 5", &f, err, sizeof err));
    CHECK_INT(f.kind, SRV_FAULT_503);
    CHECK_INT(f.arg, 5);
    CHECK_INT(f.count, 1);
    CHECK(srv_fault_parse("429 0 3", &f, err, sizeof err));
    CHECK_INT(f.count, 3);
    CHECK(srv_fault_parse("slow 1500", &f, err, sizeof err));
    CHECK_INT(f.arg, 1500);
    CHECK(srv_fault_parse("500-after-commit 2", &f, err, sizeof err));
    CHECK_INT(f.count, 2);
    CHECK(srv_fault_parse("kill-after-commit", &f, err, sizeof err));
    CHECK(srv_fault_parse("clear", &f, err, sizeof err));
    CHECK(!srv_fault_parse("kill-after-commit 2", &f, err, sizeof err));
    CHECK(!srv_fault_parse("503", &f, err, sizeof err));
    CHECK(!srv_fault_parse("slow 0", &f, err, sizeof err));
    CHECK(!srv_fault_parse("500-before-commit x", &f, err, sizeof err));
    CHECK(!srv_fault_parse("explode", &f, err, sizeof err));
    CHECK(!srv_fault_parse("", &f, err, sizeof err));
}

/* The canonical text is Jansson's json_dumps(COMPACT | SORT_KEYS), byte for byte. */
static void test_canonical(void)
{
    static const char *const docs[] = {
        "{\"b\":1,\"a\":2,\"ab\":[],\"A\":{}}",
        "{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"}",
        "{\"c\":\"\\u0001\\u001f\\u007f\\u0000 end\"}",
        "{\"zh\":\"张*兰 阿卜杜·热合曼\",\"emoji\":\"\\ud83d\\ude00\"}",
        "[{\"z\":[1,-2,9223372036854775807,true,false,null]},\"x\",[[]]]",
        "{\"real\":1.5,\"n\":{\"e\":1e300,\"k\":0.1}}",
        "\"just a string\"",
        "{}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        json_error_t e;
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        CHECK(v != NULL);
        if (!v) {
            fprintf(stderr, "  doc %zu: %s\n", i, e.text);
            continue;
        }
        char *mine = srv_wire_canonical(v);
        char *theirs = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        CHECK_STR(mine, theirs);
        free(mine);
        free(theirs);
        json_decref(v);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_canonical();
    test_batch();
    test_query();
    test_signature();
    test_gunzip();
    test_enroll_heartbeat();
    test_fault_commands();
    CHECK_DONE();
}
