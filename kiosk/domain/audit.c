/* audit.c - see audit.h. */
#include "audit.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

char *kiosk_audit_payload(const kiosk_audit_entry *e)
{
    char prev[2 * KIOSK_AUDIT_HASH_BYTES + 1];
    sodium_bin2hex(prev, sizeof prev, e->prev, sizeof e->prev);
    json_t *obj =
        json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)e->seq,
                  "at_ms", (json_int_t)e->at_ms, "kiosk_id", e->kiosk_id, "staff_id", e->staff_id,
                  "role", e->role, "action", e->action, "outcome", e->outcome, "target", e->target,
                  "reason", e->reason, "detail", e->detail, "prev", prev);
    if (!obj)
        return NULL;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

void kiosk_audit_hash(const char *payload, size_t len, uint8_t out[KIOSK_AUDIT_HASH_BYTES])
{
    crypto_generichash(out, KIOSK_AUDIT_HASH_BYTES, (const unsigned char *)payload, len, NULL, 0);
}

static bool text_field(json_t *o, const char *key, char *dst, size_t size)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v))
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

kiosk_rc kiosk_audit_payload_read(const char *payload, size_t len, kiosk_audit_entry *out,
                                  char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (len > KIOSK_AUDIT_PAYLOAD_MAX)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "larger than %d bytes",
                          KIOSK_AUDIT_PAYLOAD_MAX);
    json_t *o = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    kiosk_rc rc = KIOSK_OK;
    char prev[2 * KIOSK_AUDIT_HASH_BYTES + 1];
    json_t *seq = json_object_get(o, "seq"), *at = json_object_get(o, "at_ms");
    if (!json_is_object(o))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "not a JSON object");
    else if (!json_is_integer(seq) || json_integer_value(seq) < 1 || !json_is_integer(at))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "seq or at_ms missing or not a count");
    else if (!text_field(o, "kiosk_id", out->kiosk_id, sizeof out->kiosk_id) ||
             !text_field(o, "staff_id", out->staff_id, sizeof out->staff_id) ||
             !text_field(o, "role", out->role, sizeof out->role) ||
             !text_field(o, "action", out->action, sizeof out->action) ||
             !text_field(o, "outcome", out->outcome, sizeof out->outcome) ||
             !text_field(o, "target", out->target, sizeof out->target) ||
             !text_field(o, "reason", out->reason, sizeof out->reason) ||
             !text_field(o, "detail", out->detail, sizeof out->detail) ||
             !text_field(o, "prev", prev, sizeof prev))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "a text field is missing or too long");
    else if (strlen(prev) != 2 * KIOSK_AUDIT_HASH_BYTES ||
             kiosk_hex_decode(prev, strlen(prev), out->prev, sizeof out->prev) !=
                 KIOSK_AUDIT_HASH_BYTES)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "prev is not 64 hex digits");
    if (rc == KIOSK_OK) {
        out->seq = (int64_t)json_integer_value(seq);
        out->at_ms = (int64_t)json_integer_value(at);
    }
    json_decref(o);
    return rc;
}

void kiosk_audit_chain_init(kiosk_audit_chain *c)
{
    memset(c, 0, sizeof *c);
}

void kiosk_audit_chain_resume(kiosk_audit_chain *c, int64_t seq,
                              const uint8_t hash[KIOSK_AUDIT_HASH_BYTES])
{
    c->last_seq = seq;
    memcpy(c->last_hash, hash, KIOSK_AUDIT_HASH_BYTES);
}

kiosk_rc kiosk_audit_chain_step(kiosk_audit_chain *c, const char *payload, size_t len, char *err,
                                size_t err_size)
{
    kiosk_audit_entry e;
    char why[128];
    if (kiosk_audit_payload_read(payload, len, &e, why, sizeof why) != KIOSK_OK)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "unreadable: %s", why);
    if (e.seq != c->last_seq + 1)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "sequence number %lld where %lld was due: entries were removed or "
                          "inserted",
                          (long long)e.seq, (long long)(c->last_seq + 1));
    if (sodium_memcmp(e.prev, c->last_hash, KIOSK_AUDIT_HASH_BYTES) != 0)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "its prev is not the hash of entry %lld: this entry or the one "
                          "before was changed",
                          (long long)c->last_seq);
    c->last_seq = e.seq;
    kiosk_audit_hash(payload, len, c->last_hash);
    return KIOSK_OK;
}
