/* staff_records.c - see staff_records.h. */
#include "staff_records.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "card_key.h"
#include "clock.h"
#include "hex.h"
#include "log.h"
#include "recid.h"
#include "staff_csv.h"
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

/* --- the staff roster, as the "staff" stream ------------------------------------------------ */

typedef struct staff_import {
    srv_store *st;
    const char *site_id;
    int64_t now_ms;
    uint8_t key[32];
    json_t *seen;  /* staff ids of the file */
    json_t *cards; /* card key hex -> the line that lists it */
    long written, rows;
} staff_import;

/* The stream row of a member: the cards as keyed hashes, as every kiosk of the city knows them. */
static char *staff_row_text(const kiosk_staff_row *r, const char (*card_hex)[SRV_HEX32],
                            size_t cards)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys && i < cards; i++)
        json_array_append_new(keys, json_string(card_hex[i]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "staff_id", r->staff_id, "name_masked",
                          r->name_masked, "role", kiosk_staff_role_name(r->role), "pin_hash",
                          r->pin_hash, "active", r->active, "card_keys", keys);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return text;
}

static kiosk_rc put_staff(staff_import *im, const char *staff_id, const char *text)
{
    bool wrote;
    kiosk_rc rc = srv_store_stream_put_changed(im->st, im->site_id, "staff", staff_id, text,
                                               im->now_ms, &wrote);
    im->written += wrote;
    return rc;
}

static kiosk_rc import_staff_row(void *user, size_t line, const kiosk_staff_row *r, char *err,
                                 size_t err_size)
{
    staff_import *im = user;
    if (json_object_get(im->seen, r->staff_id))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "line %zu: staff_id: given on an earlier line too", line);
    json_object_set_new(im->seen, r->staff_id, json_integer((json_int_t)line));
    char hex[KIOSK_STAFF_CARDS_MAX][SRV_HEX32];
    size_t cards = r->active ? r->card_count : 0;
    for (size_t i = 0; i < cards; i++) {
        uint8_t k[KIOSK_CARD_KEY_BYTES];
        kiosk_card_key_of_uid(im->key, r->card_uid[i], r->card_uid_len[i], k);
        sodium_bin2hex(hex[i], sizeof hex[i], k, sizeof k);
        if (json_object_get(im->cards, hex[i]))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: card_uids: card %zu is listed on an earlier line too",
                              line, i + 1);
        json_object_set_new(im->cards, hex[i], json_integer((json_int_t)line));
    }
    char *text = staff_row_text(r, (const char(*)[SRV_HEX32])hex, cards);
    if (!text)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_rc rc = put_staff(im, r->staff_id, text);
    free(text);
    im->rows++;
    return rc == KIOSK_OK ? KIOSK_OK
                          : kiosk_fail(rc, err, err_size, "the database: %s", kiosk_strerror(rc));
}

/* A live member the file no longer names: kept, inactive and without cards. */
typedef struct leaver_walk {
    staff_import *im;
    json_t *rows; /* staff id -> its row, made inactive */
} leaver_walk;

static kiosk_rc note_leaver(void *user, const srv_stream_row *r)
{
    leaver_walk *w = user;
    if (json_object_get(w->im->seen, r->key) || !r->row)
        return KIOSK_OK;
    json_t *o = json_loads(r->row, 0, NULL);
    if (!json_is_object(o) || json_is_false(json_object_get(o, "active"))) {
        json_decref(o);
        return KIOSK_OK;
    }
    json_object_set_new(o, "active", json_false());
    json_object_set_new(o, "card_keys", json_array());
    json_object_set_new(w->rows, r->key, o);
    return KIOSK_OK;
}

kiosk_rc srv_staff_import(srv_store *st, const char *site_id, const char *text, size_t len,
                          int64_t now_ms, long *rows, long *written, long *made_inactive, char *err,
                          size_t err_size)
{
    staff_import im = {.st = st, .site_id = site_id, .now_ms = now_ms};
    im.seen = json_object();
    im.cards = json_object();
    leaver_walk w = {.im = &im, .rows = json_object()};
    *made_inactive = 0;
    kiosk_rc rc = im.seen && im.cards && w.rows ? srv_store_card_key(st, im.key) : KIOSK_ERR_NOMEM;
    if (rc == KIOSK_OK)
        rc = kiosk_staff_csv_parse(text, len, import_staff_row, &im, err, err_size);
    if (rc == KIOSK_OK)
        rc = srv_store_stream_live(st, site_id, NULL, "staff", "", 0, note_leaver, &w);
    const char *id;
    json_t *row;
    json_object_foreach(w.rows, id, row)
    {
        char *t = rc == KIOSK_OK ? json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (rc == KIOSK_OK && !t)
            rc = KIOSK_ERR_NOMEM;
        if (rc == KIOSK_OK)
            rc = put_staff(&im, id, t);
        free(t);
        *made_inactive += rc == KIOSK_OK;
    }
    *rows = im.rows;
    *written = im.written;
    sodium_memzero(im.key, sizeof im.key);
    json_decref(im.seen);
    json_decref(im.cards);
    json_decref(w.rows);
    return rc;
}

int srv_staff_import_command(srv_store *st, int argc, char **argv)
{
    const char *path = argc >= 1 ? argv[0] : NULL, *site_id = NULL;
    for (int i = 1; i + 1 < argc; i += 2)
        if (strcmp(argv[i], "--site") == 0)
            site_id = argv[i + 1];
    if (!path || !site_id || argc != 3) {
        fprintf(stderr, "usage: server import-staff FILE --site ID  (docs/staff.md)\n");
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "server: %s: cannot be read\n", path);
        return 1;
    }
    char *text = malloc(KIOSK_STAFF_FILE_MAX + 1);
    size_t len = text ? fread(text, 1, KIOSK_STAFF_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!text || len > KIOSK_STAFF_FILE_MAX) {
        fprintf(stderr, "server: %s: %s\n", path, text ? "too large" : "out of memory");
        free(text);
        return text ? 2 : 1;
    }
    srv_site site;
    char err[300] = "";
    long rows = 0, written = 0, inactive = 0;
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK && srv_store_site_get(st, site_id, &site) != KIOSK_OK)
        rc = kiosk_fail(KIOSK_ERR_NOT_FOUND, err, sizeof err, "no site %s", site_id);
    if (rc == KIOSK_OK)
        rc = srv_staff_import(st, site_id, text, len, kiosk_clock_now_ms(), &rows, &written,
                              &inactive, err, sizeof err);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    sodium_memzero(text, len);
    free(text);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: %s: %s; nothing was imported\n", path,
                err[0] ? err : kiosk_strerror(rc));
        return rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_NOT_FOUND ? 2 : 1;
    }
    printf("%s: %ld staff for site %s; %ld rows written, %ld made inactive\n", path, rows, site_id,
           written, inactive);
    return 0;
}
