/* test_help_call.c - the help call as records, on a real SQLite file: a call is an outbox row of
 * kind help_call with the kiosk and its time; a staff answer 95 s later is a help_answer row
 * naming that call with waited_ms 95000; with no call open an answer is refused and records
 * nothing; the newest open call is the one answered; a clock set back gives no negative wait. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "help_call.h"
#include "store.h"

static const int64_t T0 = 1795400000000; /* 2026-11-23, any instant */

static json_t *payload_of(const kiosk_outbox_record *r)
{
    json_error_t e;
    return json_loads(r->payload, 0, &e);
}

int main(void)
{
    const char *dir = check_scratch_dir("kiosk-help");
    if (!dir)
        return 2;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/k.db", dir);
    kiosk_store *s = NULL;
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return 1;
    int64_t called = 0, waited = -1;
    CHECK_INT(kiosk_store_help_call_open(s, &called), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_help_call_answer(s, "S01", T0, &waited), KIOSK_ERR_NOT_FOUND);

    kiosk_recid first;
    CHECK_INT(kiosk_store_help_call(s, "k-7", T0, &first), KIOSK_OK);
    CHECK_INT(kiosk_store_help_call_open(s, &called), KIOSK_OK);
    CHECK(called == T0);
    CHECK_INT(kiosk_store_help_call_answer(s, "S01", T0 + 95000, &waited), KIOSK_OK);
    CHECK(waited == 95000);
    CHECK_INT(kiosk_store_help_call_open(s, &called), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_help_call_answer(s, "S01", T0 + 96000, &waited), KIOSK_ERR_NOT_FOUND);

    /* Two calls: the newer is answered first; a clock set back: a wait of 0. */
    CHECK_INT(kiosk_store_help_call(s, "k-7", T0 + 200000, NULL), KIOSK_OK);
    CHECK_INT(kiosk_store_help_call(s, "k-7", T0 + 300000, NULL), KIOSK_OK);
    CHECK_INT(kiosk_store_help_call_answer(s, "S02", T0 + 250000, &waited), KIOSK_OK);
    CHECK(waited == 0);
    CHECK_INT(kiosk_store_help_call_open(s, &called), KIOSK_OK);
    CHECK(called == T0 + 200000);

    /* What goes to the server: the outbox in order. */
    kiosk_outbox_batch b = {0};
    CHECK_INT(kiosk_store_outbox_pending(s, 100, 1 << 20, &b), KIOSK_OK);
    CHECK_INT(b.count, 5);
    if (b.count == 5) {
        CHECK_STR(b.items[0].kind, "help_call");
        CHECK(memcmp(b.items[0].record_id.bytes, first.bytes, 16) == 0);
        CHECK(b.items[0].created_wall_ms == T0);
        json_t *p = payload_of(&b.items[0]);
        CHECK_STR(json_string_value(json_object_get(p, "kiosk_id")), "k-7");
        CHECK(json_integer_value(json_object_get(p, "called_ms")) == T0);
        json_decref(p);
        CHECK_STR(b.items[1].kind, "help_answer");
        p = payload_of(&b.items[1]);
        char first_text[KIOSK_RECID_TEXT];
        kiosk_recid_format(&first, first_text);
        CHECK_STR(json_string_value(json_object_get(p, "call")), first_text);
        CHECK_STR(json_string_value(json_object_get(p, "staff_id")), "S01");
        CHECK(json_integer_value(json_object_get(p, "waited_ms")) == 95000);
        CHECK(json_integer_value(json_object_get(p, "answered_ms")) == T0 + 95000);
        json_decref(p);
        CHECK_STR(b.items[4].kind, "help_answer");
        CHECK(b.items[0].device_seq + 4 == b.items[4].device_seq);
    }
    kiosk_outbox_batch_cleanup(&b);
    kiosk_store_close(s);
    check_scratch_remove(dir);
    CHECK_DONE();
}
