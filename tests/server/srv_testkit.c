/* srv_testkit.c - builds upload batches for the server's end-to-end tests, with the meal payload
 * made by the domain library exactly as a kiosk makes it (kiosk_meal_payload), so the tests send
 * what kiosks send. The signature is left to the tests (openssl), an implementation of the
 * contract independent of the server's.
 *
 *   srv_testkit batch DEVICE_ID < SPEC     one record per line of key=value words:
 *       seq=N (required) person=ID type=lunch date=2026-11-03 time=12:00 price=1500
 *       subsidy=500 city= district= street= canteen_fen=0 day=0 class=age80 policy=gl-2026.1
 *       canteen=c1 kiosk=DEVICE_ID card=<64 hex>|none id=<uuid> created=<utc ms>
 *       wall=<created_wall_ms> kind=meal|audit|bogus
 *     (city defaults to the subsidy less canteen_fen; created to date and time in Asia/Shanghai;
 *      wall to created; id to a new UUIDv7)
 *   srv_testkit rehash < BATCH             recomputes every payload_sha256 (after a test edited
 *                                          a payload with jq)
 * The batch JSON goes to standard output. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hex.h"
#include "meal_record.h"
#include "recid.h"

static void die(const char *what, const char *arg)
{
    fprintf(stderr, "srv_testkit: %s '%s'\n", what, arg);
    exit(2);
}

static void sha256_hex(const char *text, char out[65])
{
    uint8_t sum[32];
    crypto_hash_sha256(sum, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, sum, sizeof sum);
}

static const char *value(char *const *words, int n, const char *key, const char *fallback)
{
    size_t k = strlen(key);
    for (int i = 0; i < n; i++)
        if (strncmp(words[i], key, k) == 0 && words[i][k] == '=')
            return words[i] + k + 1;
    return fallback;
}

static long long number(char *const *words, int n, const char *key, long long fallback)
{
    const char *v = value(words, n, key, NULL);
    return v ? strtoll(v, NULL, 10) : fallback;
}

static bool parse_uuid(const char *text, kiosk_recid *out)
{
    char hex[33];
    size_t n = 0;
    for (const char *c = text; *c && n < 32; c++)
        if (*c != '-')
            hex[n++] = *c;
    hex[n] = '\0';
    return n == 32 && strlen(text) == 36 && kiosk_hex_decode(hex, 32, out->bytes, 16) == 16;
}

/* One spec line to a batch record. */
static json_t *record(char *line, const char *device)
{
    char *words[40], *save = NULL;
    int n = 0;
    for (char *w = strtok_r(line, " \t\r\n", &save); w && n < 40;
         w = strtok_r(NULL, " \t\r\n", &save))
        words[n++] = w;
    if (n == 0)
        return NULL;
    kiosk_meal_entry m;
    memset(&m, 0, sizeof m);
    const char *date = value(words, n, "date", "2026-11-03");
    const char *time = value(words, n, "time", "12:00");
    if (!kiosk_date_parse(date, &m.at.date))
        die("bad date", date);
    int minutes = 0;
    if (!kiosk_minutes_parse(time, false, &minutes))
        die("bad time", time);
    m.at.minute_of_day = minutes;
    int64_t created =
        number(words, n, "created",
               kiosk_clock_local_midnight_ms(m.at.date) + (int64_t)minutes * 60 * 1000);
    m.created_utc_ms = created;
    const char *id = value(words, n, "id", NULL);
    if (id ? !parse_uuid(id, &m.record_id) : false)
        die("bad id", id);
    if (!id)
        m.record_id = kiosk_recid_new(created);
    snprintf(m.person_id, sizeof m.person_id, "%s", value(words, n, "person", "XW-0001"));
    const char *card = value(words, n, "card", "none");
    if (strcmp(card, "none") != 0) {
        if (kiosk_hex_decode(card, strlen(card), m.card_key, sizeof m.card_key) != 32)
            die("bad card", card);
        m.has_card = true;
    }
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", value(words, n, "kiosk", device));
    snprintf(m.canteen_id, sizeof m.canteen_id, "%s", value(words, n, "canteen", "c1"));
    kiosk_decision *d = &m.decision;
    d->approved = true;
    d->meal_type = kiosk_meal_type_from_code(value(words, n, "type", "lunch"));
    d->price_fen = number(words, n, "price", 1500);
    d->subsidy_fen = number(words, n, "subsidy", 500);
    d->pay_fen = d->price_fen - d->subsidy_fen;
    d->canteen_fen = number(words, n, "canteen_fen", 0);
    d->day_subsidy_fen = number(words, n, "day", 0);
    d->funding_fen[KIOSK_LEVEL_CITY] = number(words, n, "city", d->subsidy_fen - d->canteen_fen);
    d->funding_fen[KIOSK_LEVEL_DISTRICT] = number(words, n, "district", 0);
    d->funding_fen[KIOSK_LEVEL_STREET] = number(words, n, "street", 0);
    snprintf(d->class_id, sizeof d->class_id, "%s", value(words, n, "class", "age80"));
    snprintf(d->policy_version, sizeof d->policy_version, "%s",
             value(words, n, "policy", "gl-2026.1"));
    const char *kind = value(words, n, "kind", "meal");
    char id_text[KIOSK_RECID_TEXT];
    kiosk_recid_format(&m.record_id, id_text);
    json_t *payload;
    if (strcmp(kind, "meal") == 0) {
        char *text = kiosk_meal_payload(&m);
        payload = text ? json_loads(text, 0, NULL) : NULL;
        free(text);
    } else {
        payload = json_pack("{s:s, s:s}", "record_id", id_text, "what", "a test record");
    }
    char *canonical = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    char hash[65];
    sha256_hex(canonical, hash);
    free(canonical);
    return json_pack("{s:s, s:I, s:s, s:I, s:o, s:s}", "record_id", id_text, "device_seq",
                     (json_int_t)number(words, n, "seq", 0), "kind", kind, "created_wall_ms",
                     (json_int_t)number(words, n, "wall", created), "payload", payload,
                     "payload_sha256", hash);
}

static int batch(const char *device)
{
    json_t *records = json_array();
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        json_t *r = record(line, device);
        if (r)
            json_array_append_new(records, r);
    }
    kiosk_recid batch_id = kiosk_recid_new(kiosk_clock_now_ms());
    char batch_text[KIOSK_RECID_TEXT];
    kiosk_recid_format(&batch_id, batch_text);
    json_t *root = json_pack("{s:s, s:s, s:o}", "device_id", device, "batch_id", batch_text,
                             "records", records);
    json_dumpf(root, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(root);
    return 0;
}

static int rehash(void)
{
    json_error_t e;
    json_t *root = json_loadf(stdin, 0, &e);
    if (!root)
        die("not JSON:", e.text);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(root, "records"), i, r)
    {
        char *canonical = json_dumps(json_object_get(r, "payload"),
                                     JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char hash[65];
        sha256_hex(canonical ? canonical : "", hash);
        free(canonical);
        json_object_set_new(r, "payload_sha256", json_string(hash));
    }
    json_dumpf(root, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(root);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0 || kiosk_clock_set_zone("Asia/Shanghai") != KIOSK_OK)
        return 1;
    if (argc == 3 && strcmp(argv[1], "batch") == 0)
        return batch(argv[2]);
    if (argc == 2 && strcmp(argv[1], "rehash") == 0)
        return rehash();
    fprintf(stderr, "usage: srv_testkit batch DEVICE_ID < SPEC | srv_testkit rehash < BATCH\n");
    return 2;
}
