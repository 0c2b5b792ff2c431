/* help_call.c - see help_call.h. A call and its answer are outbox rows of kinds help_call and
 * help_answer; the open call is the newest help_call no help_answer names. Calls are rare (a
 * few a day), so the statements are prepared when used. */
#include "help_call.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The payload as the server hashes it: compact, keys sorted. */
static kiosk_rc append(kiosk_store *store, const kiosk_recid *id, const char *kind, json_t *o,
                       int64_t now_utc_ms)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!text)
        return KIOSK_ERR_NOMEM;
    kiosk_rc rc = store_outbox_append(store, id, kind, text, now_utc_ms);
    free(text);
    return rc;
}

kiosk_rc kiosk_store_help_call(kiosk_store *store, const char *kiosk_id, int64_t now_utc_ms,
                               kiosk_recid *out)
{
    kiosk_recid id = kiosk_recid_new(now_utc_ms);
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    rc = append(store, &id, "help_call",
                json_pack("{s:s, s:I}", "kiosk_id", kiosk_id, "called_ms", (json_int_t)now_utc_ms),
                now_utc_ms);
    rc = store_write_end(store, rc);
    if (rc == KIOSK_OK && out)
        *out = id;
    return rc;
}

/* The newest call no answer names: its record id (text) and time. */
static kiosk_rc open_call(kiosk_store *store, char id_text[KIOSK_RECID_TEXT], int64_t *called)
{
    sqlite3_stmt *st = NULL;
    int code = sqlite3_prepare_v2(
        store->db,
        "SELECT record_id, created_wall_ms FROM outbox AS c WHERE kind = 'help_call' AND NOT EXISTS"
        " (SELECT 1 FROM outbox AS a WHERE a.kind = 'help_answer'"
        "  AND json_extract(a.payload, '$.call') = lower(substr(hex(c.record_id), 1, 8) || '-' ||"
        "  substr(hex(c.record_id), 9, 4) || '-' || substr(hex(c.record_id), 13, 4) || '-' ||"
        "  substr(hex(c.record_id), 17, 4) || '-' || substr(hex(c.record_id), 21)))"
        " ORDER BY device_seq DESC LIMIT 1",
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "help call open");
    code = sqlite3_step(st);
    kiosk_rc rc = KIOSK_OK;
    if (code == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 16) {
        kiosk_recid id;
        memcpy(id.bytes, sqlite3_column_blob(st, 0), 16);
        kiosk_recid_format(&id, id_text);
        *called = sqlite3_column_int64(st, 1);
    } else if (code == SQLITE_DONE) {
        rc = KIOSK_ERR_NOT_FOUND;
    } else {
        rc = store_fail(store, code == SQLITE_ROW ? SQLITE_CORRUPT : code, "help call open");
    }
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_help_call_open(kiosk_store *store, int64_t *called_utc_ms)
{
    char id[KIOSK_RECID_TEXT];
    return open_call(store, id, called_utc_ms);
}

kiosk_rc kiosk_store_help_call_answer(kiosk_store *store, const char *staff_id, int64_t now_utc_ms,
                                      int64_t *waited_ms)
{
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    char call[KIOSK_RECID_TEXT];
    int64_t called = 0;
    rc = open_call(store, call, &called);
    /* A clock set back after the call: no negative wait. */
    int64_t waited = now_utc_ms > called ? now_utc_ms - called : 0;
    if (rc == KIOSK_OK) {
        kiosk_recid id = kiosk_recid_new(now_utc_ms);
        rc = append(store, &id, "help_answer",
                    json_pack("{s:s, s:s, s:I, s:I}", "call", call, "staff_id", staff_id,
                              "answered_ms", (json_int_t)now_utc_ms, "waited_ms",
                              (json_int_t)waited),
                    now_utc_ms);
    }
    rc = store_write_end(store, rc);
    if (rc == KIOSK_OK && waited_ms)
        *waited_ms = waited;
    return rc;
}
