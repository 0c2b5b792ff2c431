/* wire.c - the sync protocol's request parsers and checks (wire.h). */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */
#include "wire.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "caltime.h"
#include "hex.h"
#include "marriage.h"
#include "meal_record.h"
#include "recid.h"
#include "sync_sign.h"

static const char *const stream_names[] = {
#define SRV_STREAM_NAME(e, name) name,
    SRV_STREAM_MAP(SRV_STREAM_NAME)
#undef SRV_STREAM_NAME
};

const char *srv_stream_name(srv_stream s)
{
    return s >= 0 && s < SRV_STREAM_COUNT ? stream_names[s] : "";
}

srv_stream srv_stream_from_name(const char *name)
{
    for (int s = 0; name && s < SRV_STREAM_COUNT; s++)
        if (strcmp(name, stream_names[s]) == 0)
            return (srv_stream)s;
    return SRV_STREAM_NONE;
}

bool srv_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n >= KIOSK_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static void say(char *detail, size_t size, const char *fmt, ...) KIOSK_PRINTF_LIKE(3, 4);
static void say(char *detail, size_t size, const char *fmt, ...)
{
    if (!size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, size, fmt, ap);
    va_end(ap);
}

/* A JSON syntax error as "line L, column C: what". Jansson's text quotes at most a few bytes
 * of the input, and only printable ones are kept. */
static void say_json_error(char *detail, size_t size, const json_error_t *e)
{
    char text[120];
    size_t n = 0;
    for (const char *c = e->text; *c && n + 1 < sizeof text; c++)
        text[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
    text[n] = '\0';
    say(detail, size, "line %d, column %d: %s", e->line, e->column, text);
}

void srv_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t sum[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sum, data, len);
    sodium_bin2hex(out, 65, sum, sizeof sum);
}

/* --- the canonical text ------------------------------------------------------------------ */

/* Jansson's json_dumps(COMPACT | SORT_KEYS) written directly, without its per-call loop-check
 * table, string buffer and final copy: a third of the time of parsing an upload went there.
 * The output is the same byte for byte (the fuzz targets compare the two on any JSON): keys in
 * byte order; '"', '\\' and control characters escaped as Jansson does (\b \f \n \r \t, else
 * \u00XX in upper case), everything else, UTF-8 included, as it is. A real number, whose text
 * depends on Jansson's own formatting, hands the whole value back to json_dumps. */
typedef struct canon {
    char *data;
    size_t len, cap;
    bool failed, has_real;
} canon;

static void canon_put(canon *c, const char *s, size_t n)
{
    if (c->failed)
        return;
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 1024;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *grown = realloc(c->data, cap);
        if (!grown) {
            c->failed = true;
            return;
        }
        c->data = grown;
        c->cap = cap;
    }
    memcpy(c->data + c->len, s, n);
    c->len += n;
}

static void canon_string(canon *c, const char *s, size_t len)
{
    canon_put(c, "\"", 1);
    size_t run = 0; /* bytes since the last escape, written in one go */
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0x20 && b != '"' && b != '\\')
            continue;
        canon_put(c, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (b) {
        case '"':
            canon_put(c, "\\\"", 2);
            break;
        case '\\':
            canon_put(c, "\\\\", 2);
            break;
        case '\b':
            canon_put(c, "\\b", 2);
            break;
        case '\f':
            canon_put(c, "\\f", 2);
            break;
        case '\n':
            canon_put(c, "\\n", 2);
            break;
        case '\r':
            canon_put(c, "\\r", 2);
            break;
        case '\t':
            canon_put(c, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)b);
            canon_put(c, esc, 6);
        }
    }
    canon_put(c, s + run, len - run);
    canon_put(c, "\"", 1);
}

typedef struct canon_key {
    const char *key;
    size_t len;
} canon_key;

static int compare_canon_keys(const void *a, const void *b)
{
    const canon_key *x = a, *y = b;
    int res = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return res ? res : (x->len > y->len) - (x->len < y->len);
}

static void canon_value(canon *c, const json_t *v)
{
    if (c->failed || c->has_real)
        return;
    switch (json_typeof(v)) {
    case JSON_NULL:
        canon_put(c, "null", 4);
        break;
    case JSON_TRUE:
        canon_put(c, "true", 4);
        break;
    case JSON_FALSE:
        canon_put(c, "false", 5);
        break;
    case JSON_INTEGER: {
        char n[32];
        int len = snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        canon_put(c, n, (size_t)len);
        break;
    }
    case JSON_REAL:
        c->has_real = true;
        break;
    case JSON_STRING:
        canon_string(c, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        canon_put(c, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                canon_put(c, ",", 1);
            canon_value(c, json_array_get(v, i));
        }
        canon_put(c, "]", 1);
        break;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        canon_key stack[48], *keys = n <= 48 ? stack : malloc(n * sizeof *keys);
        if (!keys) {
            c->failed = true;
            return;
        }
        for (void *it = json_object_iter((json_t *)(uintptr_t)v); it && i < n;
             it = json_object_iter_next((json_t *)(uintptr_t)v, it), i++)
            keys[i] = (canon_key){json_object_iter_key(it), json_object_iter_key_len(it)};
        qsort(keys, i, sizeof *keys, compare_canon_keys);
        canon_put(c, "{", 1);
        for (size_t k = 0; k < i; k++) {
            if (k)
                canon_put(c, ",", 1);
            canon_string(c, keys[k].key, keys[k].len);
            canon_put(c, ":", 1);
            canon_value(c, json_object_getn(v, keys[k].key, keys[k].len));
        }
        canon_put(c, "}", 1);
        if (keys != stack)
            free(keys);
        break;
    }
    }
}

char *srv_wire_canonical(const json_t *value)
{
    canon c = {0};
    if (!value)
        return NULL;
    canon_value(&c, value);
    if (c.has_real || c.failed) {
        free(c.data);
        return c.has_real ? json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                          : NULL;
    }
    canon_put(&c, "", 0);
    if (c.failed) {
        free(c.data);
        return NULL;
    }
    c.data[c.len] = '\0';
    return c.data;
}

/* --- field helpers ------------------------------------------------------------------------- */

/* A string member, copied into out; false with a detail when missing, not a string, too long
 * (size bytes including the terminator) or holding a NUL. */
static bool get_string(const json_t *obj, const char *key, const char *where, char *out,
                       size_t size, char *detail, size_t detail_size)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        say(detail, detail_size, "%s%s: missing", where, key);
        return false;
    }
    if (!json_is_string(v)) {
        say(detail, detail_size, "%s%s: must be a string", where, key);
        return false;
    }
    size_t len = json_string_length(v);
    if (len >= size || memchr(json_string_value(v), '\0', len)) {
        say(detail, detail_size, "%s%s: longer than %zu bytes", where, key, size - 1);
        return false;
    }
    memcpy(out, json_string_value(v), len + 1);
    return true;
}

static bool get_int(const json_t *obj, const char *key, const char *where, int64_t min, int64_t max,
                    int64_t *out, char *detail, size_t detail_size)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        say(detail, detail_size, "%s%s: missing", where, key);
        return false;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        say(detail, detail_size, "%s%s: must be an integer from %lld to %lld", where, key,
            (long long)min, (long long)max);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

/* A canonical UUID: 8-4-4-4-12 hex digits, given in either case, kept in lower case. */
static bool uuid_normalise(const char *in, char out[37])
{
    if (strlen(in) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? in[i] != '-' : kiosk_hex_digit(in[i]) < 0)
            return false;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[36] = '\0';
    return true;
}

/* --- enrollment and heartbeat -------------------------------------------------------------- */

static json_t *load_object(const char *body, size_t len, char *detail, size_t detail_size)
{
    json_error_t e;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        say_json_error(detail, detail_size, &e);
        return NULL;
    }
    if (!json_is_object(root)) {
        say(detail, detail_size, "body: must be a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

kiosk_rc srv_wire_enroll(const char *body, size_t len, char token[SRV_TOKEN_MAX], char **hw_info,
                         char *detail, size_t detail_size)
{
    *hw_info = NULL;
    token[0] = '\0';
    json_t *root = load_object(body, len, detail, detail_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_OK;
    if (!get_string(root, "token", "", token, SRV_TOKEN_MAX, detail, detail_size)) {
        rc = KIOSK_ERR_PARSE;
    } else if (!token[0]) {
        say(detail, detail_size, "token: empty");
        rc = KIOSK_ERR_PARSE;
    }
    const json_t *hw = json_object_get(root, "hw_info");
    if (rc == KIOSK_OK && hw && !json_is_null(hw)) {
        if (!json_is_object(hw)) {
            say(detail, detail_size, "hw_info: must be an object");
            rc = KIOSK_ERR_PARSE;
        } else {
            *hw_info = srv_wire_canonical(hw);
            if (!*hw_info) {
                rc = KIOSK_ERR_NOMEM;
            } else if (strlen(*hw_info) > 4096) {
                say(detail, detail_size, "hw_info: larger than 4096 bytes");
                free(*hw_info);
                *hw_info = NULL;
                rc = KIOSK_ERR_PARSE;
            }
        }
    }
    json_decref(root);
    if (rc != KIOSK_OK)
        sodium_memzero(token, SRV_TOKEN_MAX);
    return rc;
}

/* An optional integer member: absent or null leaves *out at -1 (when nullable). */
static bool opt_int(const json_t *obj, const char *key, bool nullable, int64_t min, int64_t *out,
                    bool *given, char *detail, size_t detail_size)
{
    const json_t *v = json_object_get(obj, key);
    if (given)
        *given = false;
    if (!v)
        return true;
    if (nullable && json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min) {
        say(detail, detail_size, "%s: must be %s integer%s", key,
            min == 0 ? "a non-negative" : "an", nullable ? " or null" : "");
        return false;
    }
    if (out)
        *out = json_integer_value(v);
    if (given)
        *given = true;
    return true;
}

kiosk_rc srv_wire_heartbeat(const char *body, size_t len, srv_heartbeat_in *out, char *detail,
                            size_t detail_size)
{
    memset(out, 0, sizeof *out);
    out->pending = out->oldest_pending_ms = out->config_version = -1;
    json_t *root = load_object(body, len, detail, detail_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    int64_t ignored;
    /* A kiosk that does not know a figure yet says null: never an error. */
    bool ok =
        opt_int(root, "pending", true, 0, &out->pending, NULL, detail, detail_size) &&
        opt_int(root, "oldest_pending_ms", true, INT64_MIN, &out->oldest_pending_ms, NULL, detail,
                detail_size) &&
        opt_int(root, "rejected", true, 0, &ignored, NULL, detail, detail_size) &&
        opt_int(root, "last_ack_ms", true, INT64_MIN, &ignored, NULL, detail, detail_size) &&
        opt_int(root, "clock_offset_ms", true, INT64_MIN, &out->clock_offset_ms,
                &out->has_clock_offset, detail, detail_size) &&
        opt_int(root, "offline_meals", true, 0, &ignored, NULL, detail, detail_size) &&
        opt_int(root, "disk_free_bytes", true, 0, &ignored, NULL, detail, detail_size) &&
        opt_int(root, "config_version", true, 1, &out->config_version, NULL, detail, detail_size) &&
        opt_int(root, "uptime_s", true, 0, &ignored, NULL, detail, detail_size) &&
        opt_int(root, "heartbeat_s", true, 1, &ignored, NULL, detail, detail_size);
    const json_t *ages = json_object_get(root, "stream_ages_ms");
    if (ok && ages && !json_is_null(ages) && !json_is_object(ages)) {
        say(detail, detail_size, "stream_ages_ms: must be an object");
        ok = false;
    }
    const json_t *devices = json_object_get(root, "devices");
    if (ok && devices && !json_is_null(devices) && !json_is_object(devices)) {
        say(detail, detail_size, "devices: must be an object");
        ok = false;
    }
    const json_t *version = json_object_get(root, "app_version");
    if (ok && version && !json_is_null(version)) {
        if (!json_is_string(version) || json_string_length(version) >= sizeof out->app_version) {
            say(detail, detail_size, "app_version: must be a string of at most 63 bytes");
            ok = false;
        } else {
            snprintf(out->app_version, sizeof out->app_version, "%s", json_string_value(version));
        }
    }
    /* The last package update (kiosk/sync/sync_update_report.h): the fleet table reads its
     * strings with their own bounds; here only its shape. */
    const json_t *update = json_object_get(root, "update");
    if (ok && update && !json_is_null(update) &&
        (!json_is_object(update) || !json_is_string(json_object_get(update, "result")))) {
        say(detail, detail_size, "update: must be an object with a result, or null");
        ok = false;
    }
    const json_t *notice = json_object_get(root, "staff_notice");
    if (ok && notice && !json_is_null(notice) && !json_is_string(notice)) {
        say(detail, detail_size, "staff_notice: must be a string or null");
        ok = false;
    }
    if (ok) {
        out->body = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
        if (!out->body) {
            json_decref(root);
            return KIOSK_ERR_NOMEM;
        }
        if (strlen(out->body) > 65536) {
            say(detail, detail_size, "body: larger than 64 KiB");
            free(out->body);
            out->body = NULL;
            ok = false;
        }
    }
    json_decref(root);
    return ok ? KIOSK_OK : KIOSK_ERR_PARSE;
}

/* --- upload -------------------------------------------------------------------------------- */

/* The record kinds the server stores; only meals have a schema of their own yet. */
static bool kind_known(const char *kind)
{
    return strcmp(kind, "meal") == 0 || strcmp(kind, "checkin") == 0 ||
           strcmp(kind, "override") == 0 || strcmp(kind, "audit") == 0 ||
           strcmp(kind, "help_call") == 0 || strcmp(kind, "help_answer") == 0;
}

/* The kiosk's own reader of a meal payload (kiosk_meal_payload_read in the domain library)
 * decides: what one side takes, the other takes. The server adds that the payload names the
 * record it travels in. */
bool srv_wire_meal_check(const json_t *p, const char *record_id, srv_meal_fields *out, char *detail,
                         size_t detail_size)
{
    memset(out, 0, sizeof *out);
    kiosk_meal_entry meal;
    char why[SRV_DETAIL_MAX];
    if (kiosk_meal_payload_read(p, &meal, why, sizeof why) != KIOSK_OK) {
        say(detail, detail_size, "%s", why);
        return false;
    }
    char id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&meal.record_id, id);
    if (strcmp(id, record_id) != 0) {
        say(detail, detail_size, "payload: record_id differs from the record's record_id");
        return false;
    }
    snprintf(out->person_id, sizeof out->person_id, "%s", meal.person_id);
    snprintf(out->canteen_id, sizeof out->canteen_id, "%s", meal.canteen_id);
    snprintf(out->meal_type, sizeof out->meal_type, "%s",
             kiosk_meal_type_code(meal.decision.meal_type));
    kiosk_date_format(meal.at.date, out->business_date);
    out->subsidy_fen = meal.decision.subsidy_fen;
    return true;
}

static void reject(srv_batch_item *it, const char *code, const char *fmt, ...)
    KIOSK_PRINTF_LIKE(3, 4);
static void reject(srv_batch_item *it, const char *code, const char *fmt, ...)
{
    it->rejected = true;
    snprintf(it->reject_code, sizeof it->reject_code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->reject_detail, sizeof it->reject_detail, fmt, ap);
    va_end(ap);
}

/* A check-in is read by the kiosk's own reader (kiosk_checkin_from_payload), as another kiosk of
 * the hall will read it from the checkins_today stream. */
static bool checkin_check(srv_batch_item *it, char *detail, size_t detail_size)
{
    kiosk_checkin_entry e;
    if (kiosk_checkin_from_payload(it->payload, &e, detail, detail_size) != KIOSK_OK)
        return false;
    char id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&e.record_id, id);
    if (strcmp(id, it->record_id) != 0) {
        say(detail, detail_size, "record_id: the payload names another record");
        return false;
    }
    kiosk_date_format(e.at.date, it->checkin_date);
    return true;
}

/* One record's content: a problem here rejects the record, never the batch. */
static kiosk_rc check_record(const json_t *rec, srv_batch_item *it)
{
    const json_t *wall = json_object_get(rec, "created_wall_ms");
    if (!json_is_integer(wall)) {
        reject(it, "schema", "created_wall_ms: must be an integer (ms)");
        return KIOSK_OK;
    }
    it->created_wall_ms = json_integer_value(wall);
    if (!kind_known(it->kind)) {
        reject(it, "kind", "kind: unknown (meal, checkin, override, audit, help_call, help_answer)");
        return KIOSK_OK;
    }
    const json_t *payload = json_object_get(rec, "payload");
    if (!json_is_object(payload)) {
        reject(it, "schema", "payload: must be a JSON object");
        return KIOSK_OK;
    }
    it->payload = srv_wire_canonical(payload);
    if (!it->payload)
        return KIOSK_ERR_NOMEM;
    srv_sha256_hex(it->payload, strlen(it->payload), it->payload_sha256);
    const json_t *given = json_object_get(rec, "payload_sha256");
    if (!json_is_string(given) || !kiosk_hex_is(json_string_value(given), 64)) {
        reject(it, "hash", "payload_sha256: must be 64 hex digits");
        return KIOSK_OK;
    }
    if (strncasecmp(json_string_value(given), it->payload_sha256, 64) != 0) {
        reject(it, "hash", "payload_sha256: not the SHA-256 of the canonical payload");
        return KIOSK_OK;
    }
    char detail[SRV_DETAIL_MAX];
    if (strcmp(it->kind, "meal") == 0 &&
        !srv_wire_meal_check(payload, it->record_id, &it->meal, detail, sizeof detail))
        reject(it, "schema", "%s", detail);
    if (strcmp(it->kind, "checkin") == 0 && !checkin_check(it, detail, sizeof detail))
        reject(it, "schema", "%s", detail);
    return KIOSK_OK;
}

kiosk_rc srv_wire_batch(const char *body, size_t len, srv_batch *out, char *detail,
                        size_t detail_size)
{
    memset(out, 0, sizeof *out);
    json_t *root = load_object(body, len, detail, detail_size);
    if (!root)
        return KIOSK_ERR_PARSE;
    kiosk_rc rc = KIOSK_ERR_PARSE;
    if (!get_string(root, "device_id", "", out->device_id, sizeof out->device_id, detail,
                    detail_size))
        goto out;
    if (!srv_id_valid(out->device_id)) {
        say(detail, detail_size, "device_id: must be 1-39 of A-Z a-z 0-9 _ -");
        goto out;
    }
    const json_t *batch_id = json_object_get(root, "batch_id");
    if (batch_id &&
        !get_string(root, "batch_id", "", out->batch_id, sizeof out->batch_id, detail, detail_size))
        goto out;
    const json_t *records = json_object_get(root, "records");
    if (!json_is_array(records)) {
        say(detail, detail_size, "records: %s", records ? "must be an array" : "missing");
        goto out;
    }
    size_t n = json_array_size(records);
    if (n > SRV_BATCH_MAX) {
        say(detail, detail_size, "records: %zu records, more than %d in one batch", n,
            SRV_BATCH_MAX);
        rc = KIOSK_ERR_TOO_BIG;
        goto out;
    }
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) {
        rc = KIOSK_ERR_NOMEM;
        goto out;
    }
    out->count = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *rec = json_array_get(records, i);
        srv_batch_item *it = &out->items[i];
        char where[32], id[40];
        snprintf(where, sizeof where, "records[%zu].", i);
        if (!json_is_object(rec)) {
            say(detail, detail_size, "records[%zu]: must be an object", i);
            goto out;
        }
        if (!get_string(rec, "record_id", where, id, sizeof id, detail, detail_size))
            goto out;
        if (!uuid_normalise(id, it->record_id)) {
            say(detail, detail_size, "records[%zu].record_id: must be a UUID", i);
            goto out;
        }
        if (!get_int(rec, "device_seq", where, 1, INT64_MAX, &it->device_seq, detail, detail_size))
            goto out;
        if (i > 0 && it->device_seq <= out->items[i - 1].device_seq) {
            say(detail, detail_size,
                "records[%zu].device_seq: %lld does not follow %lld (records go in device_seq "
                "order)",
                i, (long long)it->device_seq, (long long)out->items[i - 1].device_seq);
            goto out;
        }
        if (!get_string(rec, "kind", where, it->kind, sizeof it->kind, detail, detail_size))
            goto out;
        kiosk_rc item_rc = check_record(rec, it);
        if (item_rc != KIOSK_OK) {
            rc = item_rc;
            goto out;
        }
    }
    rc = KIOSK_OK;
out:
    json_decref(root);
    return rc;
}

void srv_batch_cleanup(srv_batch *batch)
{
    if (!batch)
        return;
    for (size_t i = 0; i < batch->count; i++)
        free(batch->items[i].payload);
    free(batch->items);
    memset(batch, 0, sizeof *batch);
}

/* --- pull and snapshot ---------------------------------------------------------------------- */

/* Decodes %XX escapes of in[0..len) into out (size bytes); false for a bad escape, a NUL, or
 * when it does not fit. '+' stays '+': no key or cursor holds a space. */
static bool percent_decode(const char *in, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= len)
                return false;
            int hi = kiosk_hex_digit(in[i + 1]), lo = kiosk_hex_digit(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = hi << 4 | lo;
            i += 2;
        }
        if (c == 0 || n + 1 >= size)
            return false;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return true;
}

kiosk_rc srv_wire_query(const char *query, srv_query *out, char code[24], char *detail,
                        size_t detail_size)
{
    memset(out, 0, sizeof *out);
    out->stream = SRV_STREAM_NONE;
    out->limit = SRV_PULL_LIMIT_DEF;
    snprintf(code, 24, "bad_request");
    bool has_stream = false, has_limit = false;
    const char *p = query ? query : "";
    while (*p) {
        size_t plen = strcspn(p, "&");
        const char *eq = memchr(p, '=', plen);
        size_t klen = eq ? (size_t)(eq - p) : plen;
        const char *v = eq ? eq + 1 : p + plen;
        size_t vlen = eq ? plen - klen - 1 : 0;
        char key[16], value[SRV_AFTER_MAX];
        bool key_ok = percent_decode(p, klen, key, sizeof key);
        if (key_ok && (strcmp(key, "stream") == 0 || strcmp(key, "cursor") == 0 ||
                       strcmp(key, "after") == 0 || strcmp(key, "limit") == 0)) {
            if (!percent_decode(v, vlen, value, sizeof value)) {
                say(detail, detail_size, "%s: a bad %%-escape, a NUL, or longer than %zu bytes",
                    key, sizeof value - 1);
                return KIOSK_ERR_PARSE;
            }
            bool *seen = strcmp(key, "stream") == 0   ? &has_stream
                         : strcmp(key, "cursor") == 0 ? &out->has_cursor
                         : strcmp(key, "after") == 0  ? &out->has_after
                                                      : &has_limit;
            if (*seen) {
                say(detail, detail_size, "%s: given twice", key);
                return KIOSK_ERR_PARSE;
            }
            *seen = true;
            if (strcmp(key, "stream") == 0) {
                out->stream = srv_stream_from_name(value);
                if (out->stream == SRV_STREAM_NONE) {
                    snprintf(code, 24, "unknown_stream");
                    say(detail, detail_size,
                        "stream: not one of cards, policy, roster, meals_today, "
                        "appointments, checkins_today, calendar");
                    return KIOSK_ERR_PARSE;
                }
            } else if (strcmp(key, "cursor") == 0) {
                if (strlen(value) >= sizeof out->cursor) {
                    snprintf(code, 24, "bad_cursor");
                    say(detail, detail_size, "cursor: not a cursor of this server");
                    return KIOSK_ERR_PARSE;
                }
                snprintf(out->cursor, sizeof out->cursor, "%s", value);
            } else if (strcmp(key, "after") == 0) {
                snprintf(out->after, sizeof out->after, "%s", value);
            } else {
                char *end;
                long limit = value[0] >= '0' && value[0] <= '9' && strlen(value) <= 6
                                 ? strtol(value, &end, 10)
                                 : -1;
                if (limit < 1 || limit > SRV_PULL_LIMIT_MAX || *end) {
                    say(detail, detail_size, "limit: must be an integer from 1 to %d",
                        SRV_PULL_LIMIT_MAX);
                    return KIOSK_ERR_PARSE;
                }
                out->limit = limit;
            }
        }
        p += plen;
        if (*p == '&')
            p++;
    }
    if (!has_stream) {
        say(detail, detail_size, "stream: missing");
        return KIOSK_ERR_PARSE;
    }
    return KIOSK_OK;
}

void srv_cursor_format(srv_stream stream, int64_t version, char out[SRV_CURSOR_MAX])
{
    snprintf(out, SRV_CURSOR_MAX, "%s:%lld", srv_stream_name(stream), (long long)version);
}

/* Digits only, no sign, at most 18 of them (below INT64_MAX). */
static bool parse_version(const char *s, size_t len, int64_t *out)
{
    if (len < 1 || len > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool srv_cursor_parse(srv_stream stream, const char *text, int64_t *version)
{
    *version = 0;
    if (!text || !text[0])
        return true;
    const char *name = srv_stream_name(stream);
    size_t n = strlen(name);
    if (!name[0] || strncmp(text, name, n) != 0 || text[n] != ':')
        return false;
    return parse_version(text + n + 1, strlen(text + n + 1), version);
}

void srv_after_format(int64_t version, const char *key, char out[SRV_AFTER_MAX])
{
    snprintf(out, SRV_AFTER_MAX, "%lld.%s", (long long)version, key);
}

bool srv_after_parse(const char *text, int64_t *version, char key[SRV_AFTER_MAX])
{
    const char *dot = text ? strchr(text, '.') : NULL;
    if (!dot || !dot[1] || strlen(dot + 1) >= SRV_AFTER_MAX)
        return false;
    if (!parse_version(text, (size_t)(dot - text), version))
        return false;
    snprintf(key, SRV_AFTER_MAX, "%s", dot + 1);
    return true;
}

/* --- signatures and bodies ----------------------------------------------------------------- */

void srv_sign(const uint8_t secret[32], const char *method, const char *target, int64_t time_ms,
              const void *body, size_t body_len, char out[SRV_SIGNATURE_B64])
{
    kiosk_sync_sign(secret, method, target, time_ms, body, body_len, out);
}

bool srv_sign_check(const uint8_t secret[32], const char *method, const char *target,
                    int64_t time_ms, const void *body, size_t body_len,
                    const char *signature_header)
{
    return kiosk_sync_sign_check(secret, method, target, time_ms, body, body_len, signature_header);
}

bool srv_wire_time(const char *text, int64_t *ms)
{
    if (!text)
        return false;
    bool negative = text[0] == '-';
    int64_t v;
    if (!parse_version(text + negative, strlen(text + negative), &v))
        return false;
    *ms = negative ? -v : v;
    return true;
}

srv_encoding srv_wire_encoding(const char *content_encoding)
{
    if (!content_encoding || !content_encoding[0] || strcasecmp(content_encoding, "identity") == 0)
        return SRV_ENC_IDENTITY;
    if (strcasecmp(content_encoding, "gzip") == 0 || strcasecmp(content_encoding, "x-gzip") == 0)
        return SRV_ENC_GZIP;
    return SRV_ENC_UNSUPPORTED;
}

kiosk_rc srv_gunzip(const void *in, size_t len, size_t max, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len == 0 || len > UINT32_MAX)
        return KIOSK_ERR_PARSE;
    /* Grows by doubling up to max + 1, so a bomb stops at the limit, not at memory's end. */
    size_t cap = len * 4 < 65536 ? 65536 : len * 4;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = malloc(cap + 1);
    if (!buf)
        return KIOSK_ERR_NOMEM;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(buf);
        return KIOSK_ERR_NOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    size_t used = 0;
    kiosk_rc rc = KIOSK_OK;
    for (;;) {
        if (used == cap) {
            if (cap > max) {
                rc = KIOSK_ERR_TOO_BIG;
                break;
            }
            size_t grown = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *bigger = realloc(buf, grown + 1);
            if (!bigger) {
                rc = KIOSK_ERR_NOMEM;
                break;
            }
            buf = bigger;
            cap = grown;
        }
        z.next_out = (Bytef *)buf + used;
        z.avail_out = (uInt)(cap - used);
        int code = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (code == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            /* Another gzip member follows (concatenated files are one gzip stream). */
            if (inflateReset(&z) != Z_OK) {
                rc = KIOSK_ERR_PARSE;
                break;
            }
            continue;
        }
        if (code == Z_OK)
            continue;
        if (code == Z_BUF_ERROR && z.avail_out == 0)
            continue; /* the output is full: grow and go on */
        rc = code == Z_MEM_ERROR ? KIOSK_ERR_NOMEM : KIOSK_ERR_PARSE; /* bad data or cut short */
        break;
    }
    inflateEnd(&z);
    if (rc == KIOSK_OK && used > max)
        rc = KIOSK_ERR_TOO_BIG;
    if (rc != KIOSK_OK) {
        free(buf);
        return rc;
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return KIOSK_OK;
}
