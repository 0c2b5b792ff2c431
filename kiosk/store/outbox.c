/* outbox.c - the upload queue (sync design §2.2): every business record is appended here in the
 * same transaction as the record itself, with a gap-free per-device sequence number; the sync
 * worker reads pending rows in sequence order and marks the server's answers in one
 * transaction. Rows are append-only (triggers refuse changes to their content). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

kiosk_rc store_outbox_append(kiosk_store *store, const kiosk_recid *id, const char *kind,
                             const char *payload, int64_t created_ms)
{
    int code = sqlite3_step(store->next_seq);
    sqlite3_int64 seq = sqlite3_column_int64(store->next_seq, 0);
    sqlite3_reset(store->next_seq);
    if (code != SQLITE_ROW)
        return store_fail(store, code, "next seq");
    uint8_t sha[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sha, (const unsigned char *)payload, strlen(payload));
    sqlite3_stmt *st = store->insert_outbox;
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, sha, sizeof sha, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, created_ms);
    bool ok = store_step_done(st, &code);
    sqlite3_clear_bindings(st);
    return ok ? KIOSK_OK : store_fail(store, code, "insert outbox");
}

void kiosk_outbox_batch_cleanup(kiosk_outbox_batch *batch)
{
    if (!batch)
        return;
    for (size_t i = 0; i < batch->count; i++)
        free(batch->items[i].payload);
    free(batch->items);
    memset(batch, 0, sizeof *batch);
}

kiosk_rc kiosk_store_outbox_pending(kiosk_store *store, size_t max_records, size_t max_bytes,
                                    kiosk_outbox_batch *out)
{
    memset(out, 0, sizeof *out);
    if (max_records == 0)
        return KIOSK_OK;
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db,
                                  "SELECT record_id, device_seq, kind, payload, payload_sha256,"
                                  " created_wall_ms, attempts FROM outbox WHERE state = 'pending'"
                                  " ORDER BY device_seq LIMIT ?1",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "outbox pending");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max_records);
    out->items = calloc(max_records, sizeof *out->items);
    kiosk_rc rc = out->items ? KIOSK_OK : KIOSK_ERR_NOMEM;
    size_t bytes = 0;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW) {
        int len = sqlite3_column_bytes(st, 3);
        /* Always at least one record, so one large record cannot stall the queue. */
        if (out->count > 0 && bytes + (size_t)len > max_bytes)
            break;
        kiosk_outbox_record *r = &out->items[out->count];
        if (sqlite3_column_bytes(st, 0) != 16 || sqlite3_column_bytes(st, 4) != 32) {
            rc = KIOSK_ERR_CORRUPT;
            break;
        }
        memcpy(r->record_id.bytes, sqlite3_column_blob(st, 0), 16);
        r->device_seq = sqlite3_column_int64(st, 1);
        store_copy_text(r->kind, sizeof r->kind, st, 2);
        r->payload = malloc((size_t)len + 1);
        if (!r->payload) {
            rc = KIOSK_ERR_NOMEM;
            break;
        }
        memcpy(r->payload, sqlite3_column_text(st, 3), (size_t)len);
        r->payload[len] = '\0';
        memcpy(r->payload_sha256, sqlite3_column_blob(st, 4), 32);
        r->created_wall_ms = sqlite3_column_int64(st, 5);
        r->attempts = sqlite3_column_int(st, 6);
        out->count++;
        bytes += (size_t)len;
    }
    if (rc == KIOSK_OK && code != SQLITE_ROW && code != SQLITE_DONE)
        rc = store_fail(store, code, "outbox pending");
    sqlite3_finalize(st);
    if (rc != KIOSK_OK)
        kiosk_outbox_batch_cleanup(out);
    return rc;
}

kiosk_rc kiosk_store_outbox_mark(kiosk_store *store, const kiosk_outbox_result *results,
                                 size_t count, int64_t now_ms)
{
    sqlite3_stmt *st = NULL;
    int code = sqlite3_prepare_v2(store->db,
                                  "UPDATE outbox SET state = ?2, attempts = attempts + 1,"
                                  " last_error = ?3, acked_at_ms = CASE WHEN ?2 = 'acked' THEN ?4"
                                  " ELSE acked_at_ms END WHERE record_id = ?1 AND state = 'pending'",
                                  -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "outbox mark");
    kiosk_rc rc = store_exec(store, "BEGIN IMMEDIATE");
    for (size_t i = 0; rc == KIOSK_OK && i < count; i++) {
        static const char *const states[] = {"acked", "rejected", "pending"};
        const kiosk_outbox_result *r = &results[i];
        sqlite3_bind_blob(st, 1, r->record_id.bytes, 16, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, states[r->outcome], -1, SQLITE_STATIC);
        if (r->error && r->error[0])
            sqlite3_bind_text(st, 3, r->error, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_int64(st, 4, now_ms);
        if (!store_step_done(st, &code))
            rc = store_fail(store, code, "outbox mark");
        sqlite3_clear_bindings(st);
    }
    if (rc == KIOSK_OK)
        rc = store_exec(store, "COMMIT");
    if (rc != KIOSK_OK)
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_outbox_stats(kiosk_store *store, kiosk_outbox_stats *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(
        store->db,
        "SELECT count(*), min(created_wall_ms), (SELECT count(*) FROM outbox WHERE state ="
        " 'rejected'), (SELECT max(acked_at_ms) FROM outbox) FROM outbox WHERE state = 'pending'",
        -1, &st, NULL);
    if (code != SQLITE_OK)
        return store_fail(store, code, "outbox stats");
    code = sqlite3_step(st);
    if (code == SQLITE_ROW) {
        out->pending = (long)sqlite3_column_int64(st, 0);
        out->oldest_pending_ms =
            sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
        out->rejected = (long)sqlite3_column_int64(st, 2);
        out->last_ack_ms =
            sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "outbox stats");
}
