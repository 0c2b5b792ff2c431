/* test_srv_help.c - a kiosk's help calls at the server (server/help_calls.h), on one backend
 * (sqlite, or pg through with_postgres.sh): a real kiosk database (kiosk/store/help_call.h)
 * makes the call and the answer, its outbox rows travel through the server's batch parser and
 * ingest, and
 *   - a call raises one open alert of kind help_call for that kiosk, naming the call;
 *   - its answer 95 s later resolves that alert at the answer's time, and no other;
 *   - a call with no answer stays open; `alerts` lists the open ones (srv_help_open_alerts). */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "help_call.h"
#include "help_calls.h"
#include "ingest.h"
#include "storage.h"
#include "store.h"
#include "store_spec.h"
#include "wire.h"

static const char *dir;

#define T0 1795404600000LL /* 2026-11-23 03:30 UTC */

/* The kiosk's pending outbox rows from device_seq from_seq on, as one upload batch. */
static void batch_from_outbox(kiosk_store *ks, const char *device, srv_batch *b, int64_t from_seq)
{
    kiosk_outbox_batch ob;
    CHECK_INT(kiosk_store_outbox_pending(ks, 1000, 1 << 24, &ob), KIOSK_OK);
    json_t *records = json_array();
    for (size_t i = 0; i < ob.count; i++) {
        const kiosk_outbox_record *r = &ob.items[i];
        if (r->device_seq < from_seq)
            continue;
        json_t *p = json_loads(r->payload, 0, NULL);
        CHECK(p != NULL);
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
    if (detail[0])
        fprintf(stderr, "batch: %s\n", detail);
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

typedef struct seen {
    int n;
    srv_alert a[8];
} seen;

static kiosk_rc note(void *user, const srv_alert *a)
{
    seen *s = user;
    if (s->n < 8)
        s->a[s->n] = *a;
    s->n++;
    return KIOSK_OK;
}

static seen alerts(srv_store *st, bool all)
{
    seen s = {0};
    CHECK_INT(srv_store_begin(st, false), KIOSK_OK);
    if (all)
        CHECK_INT(srv_store_alert_list(st, true, 100, note, &s), KIOSK_OK);
    else
        CHECK_INT(srv_help_open_alerts(st, 100, note, &s), KIOSK_OK);
    srv_store_rollback(st);
    return s;
}

static void test_call_and_answer(srv_store *st)
{
    srv_device k1 = {.device_id = "k1", .site_id = "s1", .canteen_id = "c1"};
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k1), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    char path[600], err[300];
    snprintf(path, sizeof path, "%s/k1.db", dir);
    kiosk_store *ks = NULL;
    CHECK_INT(kiosk_store_open(path, &ks, err, sizeof err), KIOSK_OK);
    if (!ks)
        return;
    kiosk_recid call;
    CHECK_INT(kiosk_store_help_call(ks, "k1", T0, &call), KIOSK_OK);
    char call_text[KIOSK_RECID_TEXT];
    kiosk_recid_format(&call, call_text);
    srv_batch b;
    batch_from_outbox(ks, "k1", &b, 1);
    ingest(st, &k1, &b);
    seen open = alerts(st, false);
    CHECK_INT(open.n, 1);
    CHECK_STR(open.a[0].kind, "help_call");
    CHECK_STR(open.a[0].device_id, "k1");
    CHECK_STR(open.a[0].site_id, "s1");
    CHECK(strstr(open.a[0].detail, call_text) != NULL);
    CHECK(strstr(open.a[0].detail, "呼叫工作人员") != NULL);

    /* Staff answer 95 s later: the alert is resolved at that time. */
    int64_t waited = 0;
    CHECK_INT(kiosk_store_help_call_answer(ks, "S001", T0 + 95000, &waited), KIOSK_OK);
    CHECK(waited == 95000);
    batch_from_outbox(ks, "k1", &b, 2);
    ingest(st, &k1, &b);
    CHECK_INT(alerts(st, false).n, 0);
    seen all = alerts(st, true);
    CHECK_INT(all.n, 1);
    CHECK(all.a[0].resolved_ms == T0 + 95000);

    /* A second call nobody answers stays open. */
    CHECK_INT(kiosk_store_help_call(ks, "k1", T0 + 200000, NULL), KIOSK_OK);
    batch_from_outbox(ks, "k1", &b, 3);
    ingest(st, &k1, &b);
    open = alerts(st, false);
    CHECK_INT(open.n, 1);
    CHECK(open.a[0].resolved_ms == 0);
    kiosk_store_close(ks);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    char spec[1024];
    int status = srv_test_store_spec(argc, argv, "srv-help", spec, sizeof spec, &dir);
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
        test_call_and_answer(st);
        srv_store_close(st);
    }
    check_scratch_remove(dir);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
