/* sync_wire.c - the sync protocol's bodies (sync_wire.h): a batch built by splicing the stored
 * canonical payloads into a growing buffer (no parse and re-dump of 500 payloads), the replies
 * read with Jansson and every field checked before it is handed on. */
#include "sync_wire.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "appointment_json.h"
#include "utf8.h"
#include "workcal.h"

static const char *const stream_names[KIOSK_STREAM_COUNT] = {
    "cards",        "policy",         "roster",   "meals_today",
    "appointments", "checkins_today", "calendar", "staff"};

const char *kiosk_stream_name(kiosk_stream s)
{
    return (unsigned)s < KIOSK_STREAM_COUNT ? stream_names[s] : "?";
}

bool kiosk_stream_upserts_only(kiosk_stream s)
{
    return s == KIOSK_STREAM_APPOINTMENTS || s == KIOSK_STREAM_CHECKINS_TODAY ||
           s == KIOSK_STREAM_CALENDAR || s == KIOSK_STREAM_STAFF;
}

/* --- a growing buffer --------------------------------------------------------------------------
 */

typedef struct buf {
    char *data;
    size_t len, cap;
    bool failed;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_int(buf *b, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%" PRId64, v);
    buf_add(b, t, (size_t)n);
}

/* A JSON string literal: quotes, backslashes and control characters escaped, UTF-8 as is. */
static void buf_json_string(buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_add(b, run, (size_t)(p - run));
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        buf_str(b, esc);
        run = p + 1;
    }
    buf_str(b, run);
    buf_add(b, "\"", 1);
}

/* --- upload --------------------------------------------------------------------------------------
 */

/* A UUID-shaped id (version 8, RFC 9562's "custom") from SHA-256 of the device and the records. */
static void batch_id_of(const char *device_id, const kiosk_outbox_record *records, size_t count,
                        char out[37])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"kiosk-batch-v1\n", 15);
    crypto_hash_sha256_update(&st, (const unsigned char *)device_id, strlen(device_id) + 1);
    for (size_t i = 0; i < count; i++)
        crypto_hash_sha256_update(&st, records[i].record_id.bytes, 16);
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    kiosk_recid id;
    memcpy(id.bytes, digest, 16);
    id.bytes[6] = (uint8_t)(0x80 | (id.bytes[6] & 0x0f));
    id.bytes[8] = (uint8_t)(0x80 | (id.bytes[8] & 0x3f));
    kiosk_recid_format(&id, out);
}

kiosk_rc kiosk_wire_batch_request(const char *device_id, const kiosk_outbox_record *records,
                                  size_t count, kiosk_wire_bytes *out, char batch_id[37])
{
    out->data = NULL;
    out->len = 0;
    if (count == 0 || count > KIOSK_WIRE_BATCH_MAX)
        return KIOSK_ERR_INVALID;
    batch_id_of(device_id, records, count, batch_id);
    buf b = {0};
    buf_str(&b, "{\"device_id\":");
    buf_json_string(&b, device_id);
    buf_str(&b, ",\"batch_id\":\"");
    buf_str(&b, batch_id);
    buf_str(&b, "\",\"records\":[");
    for (size_t i = 0; i < count; i++) {
        const kiosk_outbox_record *r = &records[i];
        char id[KIOSK_RECID_TEXT], sha[65];
        kiosk_recid_format(&r->record_id, id);
        sodium_bin2hex(sha, sizeof sha, r->payload_sha256, sizeof r->payload_sha256);
        buf_str(&b, i ? ",{\"record_id\":\"" : "{\"record_id\":\"");
        buf_str(&b, id);
        buf_str(&b, "\",\"device_seq\":");
        buf_int(&b, r->device_seq);
        buf_str(&b, ",\"kind\":");
        buf_json_string(&b, r->kind);
        buf_str(&b, ",\"created_wall_ms\":");
        buf_int(&b, r->created_wall_ms);
        /* The stored canonical text, byte for byte: the server hashes its own canonical dump
         * of the object and compares with payload_sha256. */
        buf_str(&b, ",\"payload\":");
        buf_str(&b, r->payload ? r->payload : "null");
        buf_str(&b, ",\"payload_sha256\":\"");
        buf_str(&b, sha);
        buf_str(&b, "\"}");
    }
    buf_str(&b, "]}");
    if (b.failed) {
        free(b.data);
        return KIOSK_ERR_NOMEM;
    }
    out->data = (uint8_t *)b.data;
    out->len = b.len;
    return KIOSK_OK;
}

/* --- reading replies ---------------------------------------------------------------------------
 */

static json_t *load(const char *body, size_t len, char *err, size_t err_size)
{
    if (!body || len > KIOSK_WIRE_BODY_MAX) {
        kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "reply too large or empty");
        return NULL;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "reply is not JSON (line %d column %d)", je.line,
                   je.column);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "reply is not a JSON object");
        return NULL;
    }
    return root;
}

/* Copies s into dst (size bytes), cut at a character boundary; the length is checked against
 * size, embedded NULs are refused. */
static bool copy_cut(char *dst, size_t size, json_t *v)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return false;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* not inside a character */
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

/* A required (or optional: "" when absent or null) string of at most size - 1 bytes, no NULs. */
static bool get_string(json_t *o, const char *key, char *dst, size_t size, bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        dst[0] = '\0';
        return !required;
    }
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v))
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

static bool get_bool(json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_boolean(v))
        return false;
    *out = json_is_true(v);
    return true;
}

static int64_t get_time(json_t *o)
{
    json_t *v = json_object_get(o, "server_time_ms");
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : -1;
}

static bool hex32(const char *hex, uint8_t out[32])
{
    size_t len = 0;
    return strlen(hex) == 64 && sodium_hex2bin(out, 32, hex, 64, NULL, &len, NULL) == 0 &&
           len == 32;
}

int64_t kiosk_wire_server_time(const char *body, size_t len)
{
    json_t *root = load(body, len, NULL, 0);
    int64_t t = root ? get_time(root) : -1;
    json_decref(root);
    return t;
}

void kiosk_wire_error_code(const char *body, size_t len, char *code, size_t size)
{
    code[0] = '\0';
    json_t *root = load(body, len, NULL, 0);
    if (root && !copy_cut(code, size, json_object_get(root, "error")))
        code[0] = '\0';
    json_decref(root);
}

void kiosk_wire_batch_reply_cleanup(kiosk_wire_batch_reply *r)
{
    if (!r)
        return;
    free(r->results);
    memset(r, 0, sizeof *r);
}

kiosk_rc kiosk_wire_parse_batch_reply(const char *body, size_t len, kiosk_wire_batch_reply *out,
                                      char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->high_water = -1;
    out->first_missing = -1;
    json_t *root = load(body, len, err, err_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_OK;
    json_t *results = json_object_get(root, "results");
    if (!json_is_array(results) || json_array_size(results) > KIOSK_WIRE_BATCH_MAX) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "results: not an array of at most %d",
                        KIOSK_WIRE_BATCH_MAX);
        goto out;
    }
    size_t n = json_array_size(results);
    out->results = calloc(n ? n : 1, sizeof *out->results);
    if (!out->results) {
        rc = KIOSK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(results, i);
        kiosk_wire_result *r = &out->results[i];
        char id[KIOSK_RECID_TEXT + 1], status[16];
        if (!json_is_object(item) || !get_string(item, "record_id", id, sizeof id, true) ||
            !kiosk_recid_parse(id, &r->record_id)) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "results[%zu].record_id", i);
            goto out;
        }
        if (!get_string(item, "status", status, sizeof status, true)) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "results[%zu].status", i);
            goto out;
        }
        if (strcmp(status, "accepted") == 0)
            r->status = KIOSK_WIRE_ACCEPTED;
        else if (strcmp(status, "duplicate") == 0)
            r->status = KIOSK_WIRE_DUPLICATE;
        else if (strcmp(status, "conflict") == 0)
            r->status = KIOSK_WIRE_CONFLICT;
        else if (strcmp(status, "rejected") == 0)
            r->status = KIOSK_WIRE_REJECTED;
        else {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "results[%zu].status unknown", i);
            goto out;
        }
        json_t *code = json_object_get(item, "code"), *detail = json_object_get(item, "detail");
        if ((code && !json_is_null(code) && !copy_cut(r->code, sizeof r->code, code)) ||
            (detail && !json_is_null(detail) && !copy_cut(r->detail, sizeof r->detail, detail))) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "results[%zu].code or detail", i);
            goto out;
        }
        out->count++;
    }
    json_t *hw = json_object_get(root, "device_high_water");
    if (json_is_integer(hw))
        out->high_water = json_integer_value(hw);
    json_t *missing = json_object_get(root, "missing_seq_ranges");
    if (json_is_array(missing)) {
        for (size_t i = 0; i < json_array_size(missing); i++) {
            json_t *range = json_array_get(missing, i);
            json_t *a = json_array_get(range, 0), *b = json_array_get(range, 1);
            if (!json_is_array(range) || json_array_size(range) != 2 || !json_is_integer(a) ||
                !json_is_integer(b) || json_integer_value(a) > json_integer_value(b)) {
                rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "missing_seq_ranges[%zu]", i);
                goto out;
            }
            if (out->first_missing < 0 || json_integer_value(a) < out->first_missing)
                out->first_missing = json_integer_value(a);
            out->missing_ranges++;
        }
    } else if (missing && !json_is_null(missing)) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "missing_seq_ranges: not an array");
        goto out;
    }
    out->server_time_ms = get_time(root);
out:
    json_decref(root);
    if (rc != KIOSK_OK)
        kiosk_wire_batch_reply_cleanup(out);
    return rc;
}

/* --- rows of the streams ------------------------------------------------------------------------
 */

static const char *read_card(json_t *row, const char *key, kiosk_card_row *out)
{
    char hex[80];
    if (!get_string(row, "card_key", hex, sizeof hex, true) || !hex32(hex, out->card_key))
        return "card_key: not 64 hexadecimal digits";
    uint8_t from_key[32];
    if (!hex32(key, from_key) || memcmp(from_key, out->card_key, 32) != 0)
        return "key: not the row's card_key";
    if (!get_string(row, "person_id", out->person_id, sizeof out->person_id, true) ||
        !out->person_id[0])
        return "person_id";
    if (!get_bool(row, "blocked", &out->info.blocked))
        return "blocked: not true or false";
    if (!get_string(row, "issuing_canteen", out->info.issuing_canteen,
                    sizeof out->info.issuing_canteen, false))
        return "issuing_canteen";
    return NULL;
}

static const char *read_person(json_t *row, const char *key, kiosk_person_row *out)
{
    if (!get_string(row, "person_id", out->person_id, sizeof out->person_id, true) ||
        !out->person_id[0] || strcmp(out->person_id, key) != 0)
        return "person_id: missing or not the key";
    if (!get_string(row, "name_masked", out->name_masked, sizeof out->name_masked, true) ||
        !kiosk_utf8_valid(out->name_masked, strlen(out->name_masked)))
        return "name_masked";
    char birth[16];
    if (!get_string(row, "birth_date", birth, sizeof birth, true) ||
        !kiosk_date_parse(birth, &out->person.birth))
        return "birth_date: not YYYY-MM-DD";
    kiosk_area *home = &out->person.home;
    if (!get_string(row, "city", home->city, sizeof home->city, false) ||
        !get_string(row, "district", home->district, sizeof home->district, false) ||
        !get_string(row, "street", home->street, sizeof home->street, false))
        return "city, district or street";
    json_t *cats = json_object_get(row, "categories");
    if (cats && !json_is_null(cats)) {
        if (!json_is_array(cats) || json_array_size(cats) > 64)
            return "categories: not an array";
        for (size_t i = 0; i < json_array_size(cats); i++) {
            json_t *c = json_array_get(cats, i);
            if (!json_is_string(c))
                return "categories: not strings";
            /* A category this version does not know cannot be in a policy it can read. */
            out->person.categories |= kiosk_category_from_code(json_string_value(c));
        }
    }
    char hukou[16];
    if (!get_string(row, "hukou", hukou, sizeof hukou, true))
        return "hukou";
    if (strcmp(hukou, "local") == 0) {
        out->person.local_hukou = true;
        out->person.local_resident = true;
    } else if (strcmp(hukou, "resident") == 0) {
        out->person.local_resident = true;
    } else if (strcmp(hukou, "other") != 0) {
        return "hukou: not local, resident or other";
    }
    if (!get_bool(row, "active", &out->person.active))
        return "active: not true or false";
    char id_hex[80];
    if (!get_string(row, "id_key", id_hex, sizeof id_hex, false))
        return "id_key";
    if (id_hex[0]) {
        if (!hex32(id_hex, out->id_key))
            return "id_key: not 64 hexadecimal digits";
        out->has_id_key = true;
    }
    return NULL;
}

static const char *read_policy(json_t *row, const char *key, kiosk_wire_change *out)
{
    char version[KIOSK_ID_MAX], from[16];
    kiosk_date d;
    if (!get_string(row, "version", version, sizeof version, true) || strcmp(version, key) != 0)
        return "version: missing or not the key";
    if (!get_string(row, "effective_from", from, sizeof from, true) || !kiosk_date_parse(from, &d))
        return "effective_from: not YYYY-MM-DD";
    json_t *body = json_object_get(row, "body");
    if (!json_is_object(body))
        return "body: not an object";
    out->policy_json = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!out->policy_json)
        return "body: cannot be written out";
    out->policy_len = strlen(out->policy_json);
    return NULL;
}

static const char *read_meal(json_t *row, const char *key, kiosk_meal_entry *out, char *why,
                             size_t why_size)
{
    char id[KIOSK_RECID_TEXT + 1];
    kiosk_recid rid;
    if (!get_string(row, "record_id", id, sizeof id, true) || !kiosk_recid_parse(id, &rid))
        return "record_id";
    kiosk_recid kid;
    if (!kiosk_recid_parse(key, &kid) || memcmp(kid.bytes, rid.bytes, 16) != 0)
        return "key: not the record_id";
    if (kiosk_meal_payload_read(json_object_get(row, "payload"), out, why, why_size) != KIOSK_OK)
        return why;
    if (memcmp(out->record_id.bytes, rid.bytes, 16) != 0)
        return "payload.record_id: not the row's";
    return NULL;
}

static const char *read_appointment(json_t *row, const char *key, kiosk_appointment *out, char *why,
                                    size_t why_size)
{
    char *text = json_dumps(row, JSON_COMPACT);
    if (!text)
        return "row: cannot be written out";
    kiosk_rc rc = kiosk_appointment_from_json(text, strlen(text), key, out, why, why_size);
    free(text);
    return rc == KIOSK_OK ? NULL : why;
}

/* {"record_id", "payload": {check-in}}: the payload's canonical text, checked. */
static const char *read_checkin(json_t *row, const char *key, kiosk_wire_change *out, char *why,
                                size_t why_size)
{
    char id[KIOSK_RECID_TEXT + 1];
    kiosk_recid rid, kid;
    if (!get_string(row, "record_id", id, sizeof id, true) || !kiosk_recid_parse(id, &rid))
        return "record_id";
    if (!kiosk_recid_parse(key, &kid) || memcmp(kid.bytes, rid.bytes, 16) != 0)
        return "key: not the record_id";
    json_t *payload = json_object_get(row, "payload");
    if (!json_is_object(payload))
        return "payload: not an object";
    out->text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (!out->text)
        return "payload: cannot be written out";
    out->text_len = strlen(out->text);
    kiosk_checkin_entry e;
    if (kiosk_checkin_from_payload(out->text, &e, why, why_size) != KIOSK_OK)
        return why;
    if (memcmp(e.record_id.bytes, rid.bytes, 16) != 0)
        return "payload.record_id: not the row's";
    return NULL;
}

/* {"years": [2026, ...], "file": "<calendar file>"}: the file, parsed when it is applied. */
static const char *read_calendar(json_t *row, kiosk_wire_change *out)
{
    json_t *file = json_object_get(row, "file");
    if (!json_is_string(file) || json_string_length(file) > KIOSK_WORKCAL_FILE_MAX)
        return "file: not a calendar file's text";
    out->text_len = json_string_length(file);
    out->text = malloc(out->text_len + 1);
    if (!out->text)
        return "file: out of memory";
    memcpy(out->text, json_string_value(file), out->text_len + 1);
    return NULL;
}

/* {"staff_id", "name_masked", "role", "pin_hash", "active", "card_keys": [64 hex digits ...]} */
static const char *read_staff(json_t *row, const char *key, kiosk_staff_sync_row *out)
{
    kiosk_staff_member *m = &out->member;
    char role[16];
    if (!get_string(row, "staff_id", m->staff_id, sizeof m->staff_id, true) || !m->staff_id[0] ||
        strcmp(m->staff_id, key) != 0)
        return "staff_id: missing or not the key";
    if (!get_string(row, "name_masked", m->name_masked, sizeof m->name_masked, true) ||
        !kiosk_utf8_valid(m->name_masked, strlen(m->name_masked)))
        return "name_masked";
    if (!get_string(row, "role", role, sizeof role, true) ||
        !kiosk_staff_role_parse(role, &m->role))
        return "role: not operator or supervisor";
    if (!get_string(row, "pin_hash", out->pin_hash, sizeof out->pin_hash, true) ||
        !kiosk_staff_pin_hash_valid(out->pin_hash))
        return "pin_hash: not an argon2id hash within the kiosk's limits";
    if (!get_bool(row, "active", &m->active))
        return "active: not a boolean";
    json_t *cards = json_object_get(row, "card_keys");
    if (!json_is_array(cards) || json_array_size(cards) > KIOSK_STAFF_CARDS_MAX)
        return "card_keys: not an array of at most 4";
    for (size_t i = 0; i < json_array_size(cards); i++) {
        const char *hex = json_string_value(json_array_get(cards, i));
        if (!hex || !hex32(hex, out->card_keys[i]))
            return "card_keys: a card key is 64 hexadecimal digits";
    }
    out->card_count = json_array_size(cards);
    return NULL;
}

/* Reads one change (pull) or row (snapshot) of stream s into c; NULL or why it is refused. */
static const char *read_change(kiosk_stream s, json_t *item, bool snapshot, kiosk_wire_change *c,
                               char *why, size_t why_size)
{
    if (!json_is_object(item))
        return "not an object";
    if (!get_string(item, "key", c->key, sizeof c->key, true) || !c->key[0])
        return "key: missing or too long";
    json_t *version = json_object_get(item, "version");
    if (!json_is_integer(version) || json_integer_value(version) <= 0)
        return "version: not a positive integer";
    c->version = json_integer_value(version);
    if (!snapshot) {
        char op[16];
        if (!get_string(item, "op", op, sizeof op, true))
            return "op";
        if (strcmp(op, "delete") == 0)
            c->is_delete = true;
        else if (strcmp(op, "upsert") != 0)
            return "op: not upsert or delete";
    }
    if (c->is_delete) {
        if (s == KIOSK_STREAM_CARDS && !hex32(c->key, c->card.card_key))
            return "key: a card key is 64 hexadecimal digits";
        if (s == KIOSK_STREAM_MEALS_TODAY && !kiosk_recid_parse(c->key, &c->meal.record_id))
            return "key: not a record id";
        return NULL;
    }
    json_t *row = json_object_get(item, "row");
    if (!json_is_object(row))
        return "row: not an object";
    switch (s) {
    case KIOSK_STREAM_CARDS:
        return read_card(row, c->key, &c->card);
    case KIOSK_STREAM_POLICY:
        return read_policy(row, c->key, c);
    case KIOSK_STREAM_ROSTER:
        return read_person(row, c->key, &c->person);
    case KIOSK_STREAM_MEALS_TODAY:
        return read_meal(row, c->key, &c->meal, why, why_size);
    case KIOSK_STREAM_APPOINTMENTS:
        return read_appointment(row, c->key, &c->appointment, why, why_size);
    case KIOSK_STREAM_CHECKINS_TODAY:
        return read_checkin(row, c->key, c, why, why_size);
    case KIOSK_STREAM_CALENDAR:
        return read_calendar(row, c);
    case KIOSK_STREAM_STAFF:
        return read_staff(row, c->key, &c->staff);
    case KIOSK_STREAM_COUNT:
        break;
    }
    return "unknown stream";
}

void kiosk_wire_page_cleanup(kiosk_wire_page *page)
{
    if (!page)
        return;
    for (size_t i = 0; i < page->count; i++) {
        free(page->changes[i].policy_json);
        free(page->changes[i].text);
    }
    if (page->changes)
        sodium_memzero(page->changes, page->count * sizeof *page->changes);
    free(page->changes);
    memset(page, 0, sizeof *page);
}

static kiosk_rc parse_page(kiosk_stream s, const char *body, size_t len, bool snapshot,
                           kiosk_wire_page *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->stream = s;
    out->server_time_ms = -1;
    if ((unsigned)s >= KIOSK_STREAM_COUNT)
        return KIOSK_ERR_INVALID;
    json_t *root = load(body, len, err, err_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_OK;
    char stream[32];
    if (!get_string(root, "stream", stream, sizeof stream, false) ||
        (stream[0] && strcmp(stream, kiosk_stream_name(s)) != 0)) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "stream: not %s", kiosk_stream_name(s));
        goto out;
    }
    const char *list_name = snapshot ? "rows" : "changes";
    json_t *list = json_object_get(root, list_name);
    if (!json_is_array(list) || json_array_size(list) > KIOSK_WIRE_PAGE_MAX) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "%s: not an array of at most %d", list_name,
                        KIOSK_WIRE_PAGE_MAX);
        goto out;
    }
    if (!get_string(root, "cursor", out->cursor, sizeof out->cursor, true)) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "cursor: missing or longer than %d",
                        KIOSK_WIRE_CURSOR_MAX - 1);
        goto out;
    }
    if (snapshot) {
        if (!get_string(root, "next", out->next, sizeof out->next, false)) {
            rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "next: not a key or null");
            goto out;
        }
        out->has_more = out->next[0] != '\0';
    } else if (!get_bool(root, "has_more", &out->has_more)) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "has_more: not true or false");
        goto out;
    }
    size_t n = json_array_size(list);
    out->changes = calloc(n ? n : 1, sizeof *out->changes);
    if (!out->changes) {
        rc = KIOSK_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        kiosk_wire_change *c = &out->changes[out->count];
        char why[KIOSK_WIRE_DETAIL_MAX];
        const char *bad = read_change(s, json_array_get(list, i), snapshot, c, why, sizeof why);
        if (bad) {
            if (!out->skipped)
                snprintf(out->skip_reason, sizeof out->skip_reason, "%s[%zu]: %s", list_name, i,
                         bad);
            out->skipped++;
            free(c->policy_json);
            free(c->text);
            memset(c, 0, sizeof *c);
            continue;
        }
        out->count++;
    }
    out->server_time_ms = get_time(root);
out:
    json_decref(root);
    if (rc != KIOSK_OK)
        kiosk_wire_page_cleanup(out);
    return rc;
}

kiosk_rc kiosk_wire_parse_pull(kiosk_stream s, const char *body, size_t len, kiosk_wire_page *out,
                               char *err, size_t err_size)
{
    return parse_page(s, body, len, false, out, err, err_size);
}

kiosk_rc kiosk_wire_parse_snapshot(kiosk_stream s, const char *body, size_t len,
                                   kiosk_wire_page *out, char *err, size_t err_size)
{
    return parse_page(s, body, len, true, out, err, err_size);
}

/* --- enrollment and heartbeat -------------------------------------------------------------------
 */

static kiosk_rc dump(json_t *o, kiosk_wire_bytes *out)
{
    out->data = NULL;
    out->len = 0;
    if (!o)
        return KIOSK_ERR_NOMEM;
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!text)
        return KIOSK_ERR_NOMEM;
    out->data = (uint8_t *)text;
    out->len = strlen(text);
    return KIOSK_OK;
}

kiosk_rc kiosk_wire_enroll_request(const char *token, const char *app_version, const char *kiosk_id,
                                   kiosk_wire_bytes *out)
{
    return dump(json_pack("{s:s, s:{s:s, s:s}}", "token", token, "hw_info", "app_version",
                          app_version, "kiosk_id", kiosk_id),
                out);
}

static bool printable_id(const char *s)
{
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return false;
    return true;
}

kiosk_rc kiosk_wire_parse_enroll(const char *body, size_t len, kiosk_wire_enrollment *out,
                                 char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    json_t *root = load(body, len, err, err_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_OK;
    char secret[96] = "", key[80] = "";
    size_t secret_len = 0;
    if (!get_string(root, "device_id", out->id.device_id, sizeof out->id.device_id, true) ||
        !printable_id(out->id.device_id))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "device_id: missing or not printable");
    else if (!get_string(root, "site_id", out->id.site_id, sizeof out->id.site_id, false) ||
             !get_string(root, "canteen_id", out->id.canteen_id, sizeof out->id.canteen_id, false))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "site_id or canteen_id");
    else if (!get_string(root, "device_secret", secret, sizeof secret, true) ||
             sodium_base642bin(out->id.secret, sizeof out->id.secret, secret, strlen(secret), NULL,
                               &secret_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
             secret_len != sizeof out->id.secret)
        rc =
            kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "device_secret: not the base64 of 32 bytes");
    else if (!get_string(root, "card_key", key, sizeof key, true) || !hex32(key, out->card_key))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "card_key: not 64 hexadecimal digits");
    char config_key[80] = "";
    if (rc == KIOSK_OK &&
        !(get_string(root, "config_key", config_key, sizeof config_key, false) &&
          (!config_key[0] || (out->has_config_key = hex32(config_key, out->config_key)))))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                        "config_key: not 64 hexadecimal digits or null");
    out->server_time_ms = get_time(root);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(key, sizeof key);
    /* Jansson's copy of the secret goes with the tree; wipe it first. */
    json_t *s = json_object_get(root, "device_secret");
    if (json_is_string(s))
        sodium_memzero((void *)json_string_value(s), json_string_length(s));
    json_decref(root);
    if (rc != KIOSK_OK)
        sodium_memzero(out, sizeof *out);
    return rc;
}

static json_t *int_or_null(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

kiosk_rc kiosk_wire_heartbeat_request(const kiosk_wire_heartbeat *hb, kiosk_wire_bytes *out)
{
    json_t *ages = json_object();
    for (int s = 0; ages && s < KIOSK_STREAM_COUNT; s++)
        json_object_set_new(ages, stream_names[s], int_or_null(hb->stream_age_ms[s]));
    json_t *o = json_pack(
        "{s:I, s:o, s:I, s:o, s:o, s:o, s:I, s:o, s:s, s:o}", "pending", (json_int_t)hb->pending,
        "oldest_pending_ms", int_or_null(hb->oldest_pending_ms), "rejected",
        (json_int_t)hb->rejected, "last_ack_ms", int_or_null(hb->last_ack_ms), "clock_offset_ms",
        hb->has_offset ? json_integer(hb->clock_offset_ms) : json_null(), "stream_ages_ms",
        ages ? ages : json_object(), "offline_meals", (json_int_t)hb->offline_meals,
        "disk_free_bytes", int_or_null(hb->disk_free_bytes), "app_version",
        hb->app_version ? hb->app_version : "", "staff_notice",
        hb->staff_notice ? json_string(hb->staff_notice) : json_null());
    static const char *const roles[KIOSK_DEVICE_ROLE_COUNT] = {"reader", "idcard", "printer"};
    static const char *const states[] = {"absent", "ready", "down", "no_paper"};
    json_t *devices = json_object();
    for (int r = 0; devices && r < KIOSK_DEVICE_ROLE_COUNT; r++)
        json_object_set_new(devices, roles[r],
                            json_string((unsigned)hb->devices[r] < sizeof states / sizeof *states
                                            ? states[hb->devices[r]]
                                            : "absent"));
    json_t *update = json_null();
    if (hb->update_problem)
        update = json_pack("{s:s, s:s}", "result", "unreadable", "reason", hb->update_problem);
    else if (hb->update)
        update = json_pack("{s:s, s:s, s:o, s:I, s:o}", "result", hb->update->result, "version",
                           hb->update->version, "previous",
                           hb->update->previous[0] ? json_string(hb->update->previous)
                                                   : json_null(),
                           "at_ms", (json_int_t)hb->update->at_ms, "reason",
                           hb->update->reason[0] ? json_string(hb->update->reason) : json_null());
    json_t *version = int_or_null(hb->config_version >= 1 ? hb->config_version : -1);
    json_t *error = hb->config_error ? json_string(hb->config_error) : json_null();
    if (o && (json_object_set_new(o, "uptime_s", int_or_null(hb->uptime_s)) != 0 ||
              json_object_set_new(o, "heartbeat_s", int_or_null(hb->heartbeat_s)) != 0 ||
              json_object_set_new(o, "devices", devices ? devices : json_object()) != 0 ||
              json_object_set_new(o, "config_version", version) != 0 ||
              json_object_set_new(o, "config_error", error) != 0 ||
              json_object_set_new(o, "update", update ? update : json_null()) != 0)) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, out);
}

kiosk_rc kiosk_wire_parse_config(const char *body, size_t len, kiosk_wire_config *out, char *err,
                                 size_t err_size)
{
    memset(out, 0, sizeof *out);
    json_t *root = load(body, len, err, err_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_OK;
    json_t *c = json_object_get(root, "config");
    json_t *version = json_object_get(c, "version"), *text = json_object_get(c, "body");
    if (!json_is_object(c))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "config: missing or not an object");
    else if (!json_is_integer(version) || json_integer_value(version) < 1)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "config.version: not a positive integer");
    else if (!json_is_string(text) || json_string_length(text) > KIOSK_CONFIG_BODY_MAX ||
             memchr(json_string_value(text), '\0', json_string_length(text)))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                        "config.body: not a text of at most %d bytes", KIOSK_CONFIG_BODY_MAX);
    else if (!get_string(c, "signature", out->signature, sizeof out->signature, true))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "config.signature: missing or too long");
    if (rc == KIOSK_OK) {
        out->version = json_integer_value(version);
        out->body_len = json_string_length(text);
        out->body = malloc(out->body_len + 1);
        if (!out->body)
            rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
        else
            memcpy(out->body, json_string_value(text), out->body_len + 1);
    }
    json_decref(root);
    return rc;
}

/* --- gzip ---------------------------------------------------------------------------------------
 */

kiosk_rc kiosk_wire_gzip(const uint8_t *in, size_t len, kiosk_wire_bytes *out)
{
    out->data = NULL;
    out->len = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip wrapper; zlib writes modification time 0 and no name. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return KIOSK_ERR_NOMEM;
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    out->data = malloc(cap);
    if (!out->data) {
        deflateEnd(&z);
        return KIOSK_ERR_NOMEM;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out->data;
    z.avail_out = (uInt)cap;
    int zr = deflate(&z, Z_FINISH);
    out->len = cap - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) {
        free(out->data);
        out->data = NULL;
        out->len = 0;
        return KIOSK_ERR_IO;
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_wire_gunzip(const uint8_t *in, size_t len, size_t max_out, kiosk_wire_bytes *out)
{
    out->data = NULL;
    out->len = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return KIOSK_ERR_NOMEM;
    size_t cap = len * 4 + 1024;
    if (cap > max_out + 1)
        cap = max_out + 1;
    uint8_t *data = malloc(cap);
    kiosk_rc rc = data ? KIOSK_OK : KIOSK_ERR_NOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    size_t used = 0;
    while (rc == KIOSK_OK) {
        z.next_out = data + used;
        z.avail_out = (uInt)(cap - used);
        int zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (used > max_out) {
            rc = KIOSK_ERR_TOO_BIG;
        } else if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            rc = KIOSK_ERR_PARSE; /* cut short */
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = KIOSK_ERR_PARSE;
        } else if (z.avail_out == 0) {
            size_t grown = cap * 2 > max_out + 1 ? max_out + 1 : cap * 2;
            if (grown <= cap) {
                rc = KIOSK_ERR_TOO_BIG;
                break;
            }
            uint8_t *g = realloc(data, grown);
            if (!g)
                rc = KIOSK_ERR_NOMEM;
            else {
                data = g;
                cap = grown;
            }
        }
    }
    inflateEnd(&z);
    if (rc == KIOSK_OK && used > max_out)
        rc = KIOSK_ERR_TOO_BIG;
    if (rc != KIOSK_OK) {
        free(data);
        return rc;
    }
    out->data = data;
    out->len = used;
    return KIOSK_OK;
}
