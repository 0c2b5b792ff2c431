/* staff_records.c - see staff_records.h. */
#include "staff_records.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "hex.h"
#include "log.h"
#include "recid.h"
#define KIOSK_LOG_MODULE "staff"

static void chain_key(char *out, size_t size, const char *device_id)
{
    snprintf(out, size, "audit_chain:%s", device_id);
}

/* The chain's end as kept: "SEQ HASHHEX"; nothing kept is a chain not begun. */
static kiosk_rc chain_load(srv_store *st, const char *device_id, kiosk_audit_chain *c)
{
    kiosk_audit_chain_init(c);
    char key[80], v[128];
    chain_key(key, sizeof key, device_id);
    kiosk_rc rc = srv_store_meta_get(st, key, v, sizeof v);
    if (rc == KIOSK_ERR_NOT_FOUND)
        return KIOSK_OK;
    if (rc != KIOSK_OK)
        return rc;
    long long seq;
    char hex[SRV_HEX32];
    uint8_t hash[KIOSK_AUDIT_HASH_BYTES];
    if (sscanf(v, "%lld %64s", &seq, hex) != 2 ||
        kiosk_hex_decode(hex, strlen(hex), hash, sizeof hash) != KIOSK_AUDIT_HASH_BYTES)
        return KIOSK_ERR_CORRUPT;
    kiosk_audit_chain_resume(c, seq, hash);
    return KIOSK_OK;
}

static kiosk_rc chain_save(srv_store *st, const char *device_id, const kiosk_audit_chain *c)
{
    char key[80], hex[SRV_HEX32], v[128];
    chain_key(key, sizeof key, device_id);
    sodium_bin2hex(hex, sizeof hex, c->last_hash, sizeof c->last_hash);
    snprintf(v, sizeof v, "%lld %s", (long long)c->last_seq, hex);
    return srv_store_meta_put(st, key, v);
}

kiosk_rc srv_staff_audit_arrived(srv_store *st, const srv_device *dev, const char *record_id,
                                 const char *payload, int64_t now_ms, bool *broken)
{
    *broken = false;
    kiosk_audit_chain c;
    kiosk_rc rc = chain_load(st, dev->device_id, &c);
    if (rc != KIOSK_OK)
        return rc;
    size_t len = strlen(payload);
    char why[200];
    if (kiosk_audit_chain_step(&c, payload, len, why, sizeof why) != KIOSK_OK) {
        *broken = true;
        kiosk_audit_entry e;
        char read_why[64];
        bool readable =
            kiosk_audit_payload_read(payload, len, &e, read_why, sizeof read_why) == KIOSK_OK;
        srv_alert a = {.created_ms = now_ms};
        snprintf(a.site_id, sizeof a.site_id, "%s", dev->site_id);
        snprintf(a.device_id, sizeof a.device_id, "%s", dev->device_id);
        snprintf(a.kind, sizeof a.kind, "%s", SRV_ALERT_AUDIT_BREAK);
        snprintf(a.detail, sizeof a.detail, "audit entry %lld (record %s): %s",
                 readable ? (long long)e.seq : -1LL, record_id, why);
        KLOG_WARN("device %s: the audit chain breaks: %s", dev->device_id, a.detail);
        rc = srv_store_alert_add(st, &a, NULL);
        if (rc != KIOSK_OK)
            return rc;
        if (!readable)
            return KIOSK_OK; /* nothing to go on from: the next entry is checked as before */
        uint8_t hash[KIOSK_AUDIT_HASH_BYTES];
        kiosk_audit_hash(payload, len, hash);
        kiosk_audit_chain_resume(&c, e.seq, hash);
    }
    return chain_save(st, dev->device_id, &c);
}

kiosk_rc srv_staff_override_arrived(srv_store *st, const srv_device *dev, const char *record_id,
                                    const char *payload)
{
    json_t *o = json_loads(payload, 0, NULL);
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *voids = json_string_value(json_object_get(o, "voids"));
    kiosk_rc rc = KIOSK_OK;
    kiosk_recid id;
    if (type && strcmp(type, "void") == 0 && voids && kiosk_recid_parse(voids, &id)) {
        rc = srv_store_record_void(st, voids, dev->device_id);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            KLOG_WARN("device %s: void %s names meal %s, which it has not sent: kept, not applied",
                      dev->device_id, record_id, voids);
            rc = KIOSK_OK;
        }
    }
    json_decref(o);
    return rc;
}

typedef struct filter {
    srv_alert_fn fn;
    void *user;
} filter;

static kiosk_rc only_breaks(void *user, const srv_alert *a)
{
    filter *f = user;
    return strcmp(a->kind, SRV_ALERT_AUDIT_BREAK) == 0 ? f->fn(f->user, a) : KIOSK_OK;
}

kiosk_rc srv_staff_audit_breaks(srv_store *st, long limit, srv_alert_fn fn, void *user)
{
    filter f = {fn, user};
    return srv_store_alert_list(st, true, limit, only_breaks, &f);
}

static kiosk_rc print_break(void *user, const srv_alert *a)
{
    long *n = user;
    (*n)++;
    printf("%lld\t%lld\t%s\t%s\t%s\t%s\n", (long long)a->alert_id, (long long)a->created_ms,
           a->site_id, a->device_id, a->resolved_ms ? "resolved" : "open", a->detail);
    return KIOSK_OK;
}

int srv_staff_audit_command(srv_store *st, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fprintf(stderr, "usage: server audit-breaks\n");
        return 2;
    }
    printf("alert_id\tfound_ms\tsite_id\tdevice_id\tstate\tdetail\n");
    long n = 0;
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        rc = srv_staff_audit_breaks(st, 1000, print_break, &n);
        srv_store_rollback(st);
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: audit-breaks: %s\n", kiosk_strerror(rc));
        return 1;
    }
    return 0;
}
