/* test_sync_remote.c - remote configuration on the kiosk's side (kiosk/sync/sync_remote.h,
 * config_sign.h, the wire parts in sync_wire.h), on a real SQLite file in a scratch folder:
 * the signature covers device, version and body (each changed alone fails); the heartbeat's
 * reply and the enrollment's config_key are read or refused; a document is applied only when
 * signed by the key stored at enrollment for this kiosk, newer than the applied one and setting
 * [sync] tunables alone, and then the file beside the database holds it whole and a fresh
 * worker configuration reads it back. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config_sign.h"
#include "store.h"
#include "sync.h"
#include "sync_remote.h"
#include "sync_state.h"
#include "sync_wire.h"

static uint8_t pk[KIOSK_CONFIG_PUBLIC_BYTES], sk[KIOSK_CONFIG_SECRET_BYTES];

static void test_sign(void)
{
    char sig[KIOSK_CONFIG_SIGNATURE_TEXT];
    const char *body = "[sync]\nheartbeat_s = 60\n";
    CHECK_INT(kiosk_config_sign(sk, "k1", 7, body, strlen(body), sig), KIOSK_OK);
    CHECK_INT((int)strlen(sig), 88);
    CHECK(kiosk_config_sign_check(pk, "k1", 7, body, strlen(body), sig));
    CHECK(!kiosk_config_sign_check(pk, "k2", 7, body, strlen(body), sig));
    CHECK(!kiosk_config_sign_check(pk, "k1", 8, body, strlen(body), sig));
    CHECK(!kiosk_config_sign_check(pk, "k1", 7, body, strlen(body) - 1, sig));
    CHECK(!kiosk_config_sign_check(pk, "k1", 7, body, strlen(body), "AAAA"));
    CHECK(!kiosk_config_sign_check(pk, "k1", 7, body, strlen(body), NULL));
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    CHECK(!kiosk_config_sign_check(other_pk, "k1", 7, body, strlen(body), sig));
    /* The signed bytes, worked out by hand: the prefix, the device, the version, the body. */
    const char *m = "kiosk-config v1\nk1\n7\n[sync]\nheartbeat_s = 60\n";
    unsigned char raw[64];
    size_t raw_len = 0;
    CHECK(sodium_base642bin(raw, sizeof raw, sig, strlen(sig), NULL, &raw_len, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
    CHECK(crypto_sign_verify_detached(raw, (const unsigned char *)m, strlen(m), pk) == 0);
}

static void test_wire(void)
{
    kiosk_wire_config doc;
    char err[200];
    const char *ok = "{\"config\":{\"version\":3,\"body\":\"[sync]\\n\",\"signature\":\"c2ln\"},"
                     "\"server_time_ms\":5}";
    CHECK_INT(kiosk_wire_parse_config(ok, strlen(ok), &doc, err, sizeof err), KIOSK_OK);
    CHECK(doc.version == 3 && doc.body_len == 7 && strcmp(doc.body, "[sync]\n") == 0);
    CHECK_STR(doc.signature, "c2ln");
    free(doc.body);
    static const char *const bad[] = {
        "{}",
        "{\"config\":1}",
        "{\"config\":{\"version\":0,\"body\":\"\",\"signature\":\"x\"}}",
        "{\"config\":{\"version\":1,\"body\":\"a\\u0000b\",\"signature\":\"x\"}}",
        "{\"config\":{\"version\":1,\"body\":\"\"}}",
        "not json"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_INT(kiosk_wire_parse_config(bad[i], strlen(bad[i]), &doc, err, sizeof err),
                  KIOSK_ERR_PARSE);
        CHECK(doc.body == NULL);
    }
    /* The heartbeat says the applied version and the last refusal; none: null. */
    kiosk_wire_heartbeat hb = {
        .config_version = 12,
        .config_error = "bad_signature",
        .app_version = "x",
        .uptime_s = 7,
        .heartbeat_s = 60,
        .devices = {KIOSK_DEVICE_READY, KIOSK_DEVICE_ABSENT, KIOSK_DEVICE_NO_PAPER}};
    kiosk_wire_bytes b;
    CHECK_INT(kiosk_wire_heartbeat_request(&hb, &b), KIOSK_OK);
    json_t *o = json_loadb((const char *)b.data, b.len, 0, NULL);
    CHECK_INT((int)json_integer_value(json_object_get(o, "config_version")), 12);
    CHECK_STR(json_string_value(json_object_get(o, "config_error")), "bad_signature");
    CHECK_INT((int)json_integer_value(json_object_get(o, "uptime_s")), 7);
    CHECK_INT((int)json_integer_value(json_object_get(o, "heartbeat_s")), 60);
    json_t *devices = json_object_get(o, "devices");
    CHECK_STR(json_string_value(json_object_get(devices, "reader")), "ready");
    CHECK_STR(json_string_value(json_object_get(devices, "idcard")), "absent");
    CHECK_STR(json_string_value(json_object_get(devices, "printer")), "no_paper");
    json_decref(o);
    free(b.data);
    hb = (kiosk_wire_heartbeat){.config_version = 0};
    CHECK_INT(kiosk_wire_heartbeat_request(&hb, &b), KIOSK_OK);
    o = json_loadb((const char *)b.data, b.len, 0, NULL);
    CHECK(json_is_null(json_object_get(o, "config_version")));
    CHECK(json_is_null(json_object_get(o, "config_error")));
    json_decref(o);
    free(b.data);
    /* The enrollment's config_key: 64 hex, null, absent; anything else refused. */
    char pk_hex[65];
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    char reply[600];
#define ENROLL_REPLY(extra)                                               \
    "{\"device_id\":\"k1\",\"site_id\":\"s1\",\"canteen_id\":\"c1\","     \
    "\"device_secret\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"," \
    "\"card_key\":\"%064d\"" extra "}"
    kiosk_wire_enrollment e;
    snprintf(reply, sizeof reply, ENROLL_REPLY(",\"config_key\":\"%s\""), 0, pk_hex);
    CHECK_INT(kiosk_wire_parse_enroll(reply, strlen(reply), &e, err, sizeof err), KIOSK_OK);
    CHECK(e.has_config_key && memcmp(e.config_key, pk, 32) == 0);
    snprintf(reply, sizeof reply, ENROLL_REPLY(",\"config_key\":null"), 0);
    CHECK_INT(kiosk_wire_parse_enroll(reply, strlen(reply), &e, err, sizeof err), KIOSK_OK);
    CHECK(!e.has_config_key);
    snprintf(reply, sizeof reply, ENROLL_REPLY(""), 0);
    CHECK_INT(kiosk_wire_parse_enroll(reply, strlen(reply), &e, err, sizeof err), KIOSK_OK);
    CHECK(!e.has_config_key);
    snprintf(reply, sizeof reply, ENROLL_REPLY(",\"config_key\":\"abc\""), 0);
    CHECK_INT(kiosk_wire_parse_enroll(reply, strlen(reply), &e, err, sizeof err), KIOSK_ERR_PARSE);
}

/* A document for device at version, signed with key sk (or a broken signature). */
static kiosk_wire_config signed_doc(const char *device, int64_t version, const char *body,
                                    const uint8_t *key)
{
    kiosk_wire_config d = {.version = version, .body = strdup(body), .body_len = strlen(body)};
    if (kiosk_config_sign(key, device, version, body, strlen(body), d.signature) != KIOSK_OK)
        d.signature[0] = '\0';
    return d;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 4096);
    if (buf)
        fread(buf, 1, 4095, f);
    fclose(f);
    return buf;
}

static void test_apply(const char *dir)
{
    char db[600], file[700], err[300], error[KIOSK_SYNC_REMOTE_ERROR_MAX];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    kiosk_sync_remote_path(db, file, sizeof file);
    kiosk_store *store = NULL;
    CHECK_INT(kiosk_store_open(db, &store, err, sizeof err), KIOSK_OK);
    if (!store)
        return;
    kiosk_sync_config cfg;
    kiosk_sync_config_defaults(&cfg);
    snprintf(cfg.url, sizeof cfg.url, "https://server.example");
    const char *body1 = "[sync]\nheartbeat_s = 30\noffline_meal_limit = 4\n";
    kiosk_wire_config d = signed_doc("k1", 5, body1, sk);
    /* No key stored at enrollment: refused. */
    CHECK_INT(kiosk_sync_remote_apply(store, "k1", &d, db, &cfg, error, err, sizeof err),
              KIOSK_ERR_DENIED);
    CHECK_STR(error, "no_key");
    CHECK_INT(kiosk_store_sync_set_config_key(store, pk), KIOSK_OK);
    /* Another kiosk's document: the signature does not match this one's id. */
    CHECK_INT(kiosk_sync_remote_apply(store, "k2", &d, db, &cfg, error, err, sizeof err),
              KIOSK_ERR_DENIED);
    CHECK_STR(error, "bad_signature");
    CHECK(cfg.heartbeat_s == 60 && kiosk_sync_remote_version(store) == -1);
    CHECK(slurp(file) == NULL);
    /* The right one. */
    CHECK_INT(kiosk_sync_remote_apply(store, "k1", &d, db, &cfg, error, err, sizeof err), KIOSK_OK);
    CHECK_STR(error, "");
    CHECK_INT(cfg.heartbeat_s, 30);
    CHECK_INT(cfg.offline_meal_limit, 4);
    CHECK_STR(cfg.url, "https://server.example");
    CHECK(kiosk_sync_remote_version(store) == 5);
    char *text = slurp(file);
    CHECK(text && strcmp(text, body1) == 0);
    free(text);
    free(d.body);
    /* The same version again, or an older one: stale. */
    d = signed_doc("k1", 5, "[sync]\nheartbeat_s = 40\n", sk);
    CHECK_INT(kiosk_sync_remote_apply(store, "k1", &d, db, &cfg, error, err, sizeof err),
              KIOSK_ERR_DENIED);
    CHECK_STR(error, "stale");
    free(d.body);
    /* Keys a remote document may not set, another section, a bad value, not INI: invalid. */
    static const char *const invalid[] = {
        "[sync]\nurl = http://127.0.0.1:9/\n", "[sync]\nca_file = /tmp/x\n",
        "[sync]\nenroll_token = abc\n",        "[kiosk]\nkiosk_id = k9\n",
        "[sync]\nheartbeat_s = 1\n",           "heartbeat_s\n"};
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        d = signed_doc("k1", 6 + (int64_t)i, invalid[i], sk);
        CHECK_INT(kiosk_sync_remote_apply(store, "k1", &d, db, &cfg, error, err, sizeof err),
                  KIOSK_ERR_INVALID);
        CHECK_STR(error, "invalid");
        free(d.body);
    }
    CHECK_INT(cfg.heartbeat_s, 30);
    CHECK(kiosk_sync_remote_version(store) == 5);
    text = slurp(file);
    CHECK(text && strcmp(text, body1) == 0);
    free(text);
    /* A fresh worker configuration reads the applied file back. */
    kiosk_sync_config again;
    kiosk_sync_config_defaults(&again);
    CHECK_INT(kiosk_sync_remote_load(store, db, &again, err, sizeof err), KIOSK_OK);
    CHECK_INT(again.heartbeat_s, 30);
    CHECK_INT(again.offline_meal_limit, 4);
    kiosk_store_close(store);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    crypto_sign_keypair(pk, sk);
    const char *dir = check_scratch_dir("sync-remote");
    if (!dir)
        return 1;
    test_sign();
    test_wire();
    test_apply(dir);
    check_scratch_remove(dir);
    CHECK_DONE();
}
