/* test_srv_staff.c - staff mode's records at the server (server/staff_records.h), on one backend
 * (sqlite, or pg through with_postgres.sh): a real kiosk database (kiosk/store) makes the audit
 * entries and the void, its outbox rows travel through the server's batch parser and ingest, and
 *   - an unbroken chain raises no alert, also when it arrives over several batches;
 *   - an entry missing (deleted at the kiosk) is reported at the entry after the gap;
 *   - an entry changed in transit or in the kiosk's database (its payload hash made to match) is
 *     reported at the next entry, whose prev no longer matches;
 *   - another kiosk's chain is checked on its own;
 *   - a void takes the meal out of the settlement (listed with review status "voided"), and a
 *     void of a meal another kiosk made changes nothing. */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest.h"
#include "sample_lunch.h"
#include "settlement.h"
#include "staff_records.h"
#include "staff_store.h"
#include "storage.h"
#include "store.h"
#include "store_spec.h"
#include "wire.h"

static const char *dir;

#define T0 1795404600000LL /* 2026-11-23 03:30 UTC */

/* The kiosk's pending outbox rows as one upload batch of device `device`; with edit_seq > 0,
 * the audit entry of that number has its detail changed (and its hash made to match). */
static void batch_from_outbox(kiosk_store *ks, const char *device, srv_batch *b, int64_t from_seq,
                              int64_t to_seq, int64_t edit_seq, int64_t skip_seq)
{
    kiosk_outbox_batch ob;
    CHECK_INT(kiosk_store_outbox_pending(ks, 1000, 1 << 24, &ob), KIOSK_OK);
    json_t *records = json_array();
    for (size_t i = 0; i < ob.count; i++) {
        const kiosk_outbox_record *r = &ob.items[i];
        if (r->device_seq < from_seq || r->device_seq > to_seq || r->device_seq == skip_seq)
            continue;
        json_t *p = json_loads(r->payload, 0, NULL);
        CHECK(p != NULL);
        if (edit_seq && strcmp(r->kind, "audit") == 0 &&
            json_integer_value(json_object_get(p, "seq")) == edit_seq)
            json_object_set_new(p, "detail", json_string("changed afterwards"));
        char *text = srv_wire_canonical(p);
        char hash[65];
        srv_sha256_hex(text, strlen(text), hash);
        free(text);
        char id[KIOSK_RECID_TEXT];
        kiosk_recid_format(&r->record_id, id);
        json_array_append_new(records,
                              json_pack("{s:s, s:I, s:s, s:I, s:o, s:s}", "record_id", id,
                                        "device_seq", (json_int_t)r->device_seq, "kind", r->kind,
                                        "created_wall_ms", (json_int_t)r->created_wall_ms,
                                        "payload", p, "payload_sha256", hash));
    }
    kiosk_outbox_batch_cleanup(&ob);
    json_t *root = json_pack("{s:s, s:o}", "device_id", device, "records", records);
    char *body = json_dumps(root, JSON_COMPACT);
    char detail[200] = "";
    CHECK_INT(srv_wire_batch(body, strlen(body), b, detail, sizeof detail), KIOSK_OK);
    free(body);
    json_decref(root);
}

static void ingest(srv_store *st, const srv_device *dev, srv_batch *b)
{
    srv_ingest in;
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_ingest_batch(st, dev, b, T0 + 100000, 0, &in), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    CHECK_INT(in.rejected, 0);
    CHECK_INT(in.conflicts, 0);
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(b);
}

typedef struct breaks {
    int n;
    char detail[8][SRV_ALERT_DETAIL_MAX];
    char device[8][SRV_ID_MAX];
} breaks;

static kiosk_rc note_break(void *user, const srv_alert *a)
{
    breaks *b = user;
    if (b->n < 8) {
        snprintf(b->detail[b->n], sizeof b->detail[0], "%s", a->detail);
        snprintf(b->device[b->n], sizeof b->device[0], "%s", a->device_id);
    }
    b->n++;
    return KIOSK_OK;
}

static breaks list_breaks(srv_store *st)
{
    breaks b = {0};
    CHECK_INT(srv_store_begin(st, false), KIOSK_OK);
    CHECK_INT(srv_staff_audit_breaks(st, 100, note_break, &b), KIOSK_OK);
    srv_store_rollback(st);
    return b;
}

static kiosk_store *kiosk_db(const char *name)
{
    char path[600], err[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    kiosk_store *ks = NULL;
    CHECK_INT(kiosk_store_open(path, &ks, err, sizeof err), KIOSK_OK);
    return ks;
}

static void acts(kiosk_store *ks, const char *kiosk_id, int n, int64_t at)
{
    kiosk_staff_actor op = {.role = KIOSK_STAFF_OPERATOR};
    snprintf(op.staff_id, sizeof op.staff_id, "S001");
    snprintf(op.kiosk_id, sizeof op.kiosk_id, "%s", kiosk_id);
    for (int i = 0; i < n; i++)
        CHECK_INT(kiosk_store_staff_act(ks, &op, KIOSK_STAFF_STATUS, "", "", "", at + i), KIOSK_OK);
}

static void test_chain(srv_store *st)
{
    srv_device k1 = {.device_id = "k1", .site_id = "s1", .canteen_id = "c1"};
    srv_device k2 = {.device_id = "k2", .site_id = "s1", .canteen_id = "c1"};
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k1), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k2), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    kiosk_store *ks = kiosk_db("k1.db");
    acts(ks, "k1", 12, T0);
    srv_batch b;
    /* Entries 1-3, then 4-6 in a second batch: the chain holds across batches. */
    batch_from_outbox(ks, "k1", &b, 1, 3, 0, 0);
    ingest(st, &k1, &b);
    batch_from_outbox(ks, "k1", &b, 4, 6, 0, 0);
    ingest(st, &k1, &b);
    CHECK_INT(list_breaks(st).n, 0);
    /* Entry 7 never arrives (deleted at the kiosk): the break is named at entry 8. */
    batch_from_outbox(ks, "k1", &b, 8, 8, 0, 0);
    ingest(st, &k1, &b);
    breaks br = list_breaks(st);
    CHECK_INT(br.n, 1);
    CHECK(strstr(br.detail[0], "audit entry 8 ") == br.detail[0]);
    CHECK(strstr(br.detail[0], "sequence number 8 where 7 was due") != NULL);
    CHECK_STR(br.device[0], "k1");
    /* Entry 9 follows 8: checked from there, no second alert for the same gap. */
    batch_from_outbox(ks, "k1", &b, 9, 9, 0, 0);
    ingest(st, &k1, &b);
    CHECK_INT(list_breaks(st).n, 1);
    /* Entry 10 changed on its way (its hash made to match): entry 11's prev names it. */
    batch_from_outbox(ks, "k1", &b, 10, 12, 10, 0);
    ingest(st, &k1, &b);
    br = list_breaks(st);
    CHECK_INT(br.n, 2);
    CHECK(strstr(br.detail[0], "audit entry 11 ") == br.detail[0]);
    CHECK(strstr(br.detail[0], "prev is not the hash of entry 10") != NULL);
    kiosk_store_close(ks);

    /* Another kiosk's chain starts at its own entry 1. */
    ks = kiosk_db("k2.db");
    acts(ks, "k2", 3, T0);
    batch_from_outbox(ks, "k2", &b, 1, 3, 0, 0);
    ingest(st, &k2, &b);
    CHECK_INT(list_breaks(st).n, 2);
    kiosk_store_close(ks);
}

static kiosk_meal_entry sample_meal(const char *kiosk_id, int64_t utc_ms, kiosk_date date)
{
    return sample_lunch("P1", kiosk_id, "c1", utc_ms, date);
}

/* The settlement's CSV of month 2026-11 (totals or meals) as text. */
static char *settle(srv_store *st, bool meals)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    char err[200];
    CHECK_INT(meals ? srv_settlement_meals(st, "2026-11", "s3", f, err, sizeof err)
                    : srv_settlement_totals(st, "2026-11", "s3", f, err, sizeof err),
              KIOSK_OK);
    fclose(f);
    return text;
}

static void test_void(srv_store *st)
{
    srv_site site = {.site_id = "s3", .name = "三号", .timezone = "Asia/Shanghai"};
    srv_device k3 = {.device_id = "k3", .site_id = "s3", .canteen_id = "c1"};
    srv_device k4 = {.device_id = "k4", .site_id = "s3", .canteen_id = "c1"};
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_site_add(st, &site), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k3), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k4), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    kiosk_date day = {2026, 11, 23};
    kiosk_store *ks = kiosk_db("k3.db");
    kiosk_meal_entry a = sample_meal("k3", T0, day), b = sample_meal("k3", T0 + 1, day);
    snprintf(b.person_id, sizeof b.person_id, "P2");
    CHECK_INT(kiosk_store_add_meal(ks, &a), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(ks, &b), KIOSK_OK);
    kiosk_staff_actor op = {.role = KIOSK_STAFF_OPERATOR};
    snprintf(op.staff_id, sizeof op.staff_id, "S001");
    snprintf(op.kiosk_id, sizeof op.kiosk_id, "k3");
    kiosk_recid void_id;
    CHECK_INT(
        kiosk_store_void_meal(ks, &op, &a.record_id, "wrong_person", day, T0 + 5000, &void_id),
        KIOSK_OK);
    srv_batch batch;
    batch_from_outbox(ks, "k3", &batch, 1, 100, 0, 0);
    ingest(st, &k3, &batch);
    kiosk_store_close(ks);
    char *meals = settle(st, true);
    char a_id[KIOSK_RECID_TEXT], b_id[KIOSK_RECID_TEXT];
    kiosk_recid_format(&a.record_id, a_id);
    kiosk_recid_format(&b.record_id, b_id);
    /* Both meals listed; the voided one says so, the other has no review status. */
    const char *row_a = strstr(meals, a_id), *row_b = strstr(meals, b_id);
    CHECK(row_a && row_b);
    if (row_a && row_b) {
        const char *end_a = strchr(row_a, '\n'), *end_b = strchr(row_b, '\n');
        CHECK(end_a && end_a - row_a > 7 && strncmp(end_a - 7, ",voided", 7) == 0);
        CHECK(end_b && end_b[-1] == ',');
    }
    free(meals);
    /* Totals: one paid meal of 5.00 from the city; the voided one is not held, just gone. */
    char *totals = settle(st, false);
    CHECK(strstr(totals, "2026-11,s3,c1,age80,city,1,500,0,0\n") != NULL);
    if (!strstr(totals, "2026-11,s3,c1,age80,city,1,500,0,0\n"))
        fprintf(stderr, "totals:\n%s", totals);
    free(totals);

    /* A void from k4 of k3's other meal changes nothing. */
    kiosk_store *k4s = kiosk_db("k4.db");
    kiosk_meal_entry c = sample_meal("k4", T0 + 2, day);
    c.record_id = b.record_id; /* k4's own database holds a meal with that id ... */
    snprintf(c.person_id, sizeof c.person_id, "P2");
    CHECK_INT(kiosk_store_add_meal(k4s, &c), KIOSK_OK);
    snprintf(op.kiosk_id, sizeof op.kiosk_id, "k4");
    CHECK_INT(kiosk_store_void_meal(k4s, &op, &c.record_id, "other", day, T0 + 6000, &void_id),
              KIOSK_OK);
    batch_from_outbox(k4s, "k4", &batch, 2, 100, 0, 0); /* ... but only its void is sent */
    ingest(st, &k4, &batch);
    kiosk_store_close(k4s);
    totals = settle(st, false);
    CHECK(strstr(totals, "2026-11,s3,c1,age80,city,1,500,0,0\n") != NULL);
    free(totals);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    char spec[1024];
    int status = srv_test_store_spec(argc, argv, "srv-staff", spec, sizeof spec, &dir);
    if (status != 0)
        return status;
    srv_store *st = NULL;
    char err[300] = "";
    CHECK_INT(srv_store_open(spec, &st, err, sizeof err), KIOSK_OK);
    if (st) {
        srv_site s1 = {.site_id = "s1", .name = "一号", .timezone = "Asia/Shanghai"};
        CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
        CHECK_INT(srv_store_site_add(st, &s1), KIOSK_OK);
        CHECK_INT(srv_store_commit(st), KIOSK_OK);
        test_chain(st);
        test_void(st);
        srv_store_close(st);
    }
    check_scratch_remove(dir);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
