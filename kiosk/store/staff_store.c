/* staff_store.c - see staff_store.h. Staff actions are rare, so their statements are prepared
 * per call rather than kept on the handle. */
#include "staff_store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_internal.h"
#include "sync_state.h"
#define KIOSK_LOG_MODULE "staff"

/* --- small helpers ---------------------------------------------------------------------- */

static kiosk_rc prepare(kiosk_store *store, const char *sql, sqlite3_stmt **st, const char *what)
{
    int code = sqlite3_prepare_v2(store->db, sql, -1, st, NULL);
    return code == SQLITE_OK ? KIOSK_OK : store_fail(store, code, what);
}

/* Steps a one-shot statement to its end and finalizes it. */
static kiosk_rc run(kiosk_store *store, sqlite3_stmt *st, const char *what)
{
    int code = sqlite3_step(st);
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, what);
}

/* --- the audit log ---------------------------------------------------------------------- */

/* Appends e (seq and prev filled here) with its outbox row, inside the caller's transaction. */
kiosk_rc store_audit_append_in(kiosk_store *store, kiosk_audit_entry *e)
{
    sqlite3_stmt *st;
    kiosk_rc rc =
        prepare(store, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &st, "audit last");
    if (rc != KIOSK_OK)
        return rc;
    int code = sqlite3_step(st);
    e->seq = 1;
    memset(e->prev, 0, sizeof e->prev);
    if (code == SQLITE_ROW && sqlite3_column_bytes(st, 1) == KIOSK_AUDIT_HASH_BYTES) {
        e->seq = sqlite3_column_int64(st, 0) + 1;
        memcpy(e->prev, sqlite3_column_blob(st, 1), KIOSK_AUDIT_HASH_BYTES);
    } else if (code == SQLITE_ROW) {
        code = SQLITE_CORRUPT;
    }
    sqlite3_finalize(st);
    if (code != SQLITE_ROW && code != SQLITE_DONE)
        return store_fail(store, code, "audit last");
    char *payload = kiosk_audit_payload(e);
    if (!payload)
        return KIOSK_ERR_NOMEM;
    uint8_t hash[KIOSK_AUDIT_HASH_BYTES];
    kiosk_audit_hash(payload, strlen(payload), hash);
    kiosk_recid id = kiosk_recid_new(e->at_ms);
    rc = prepare(store,
                 "INSERT INTO audit(seq, record_id, created_utc_ms, payload, hash)"
                 " VALUES (?1, ?2, ?3, ?4, ?5)",
                 &st, "audit insert");
    if (rc == KIOSK_OK) {
        sqlite3_bind_int64(st, 1, e->seq);
        sqlite3_bind_blob(st, 2, id.bytes, 16, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, e->at_ms);
        sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, hash, sizeof hash, SQLITE_STATIC);
        rc = run(store, st, "audit insert");
    }
    if (rc == KIOSK_OK)
        rc = store_outbox_append(store, &id, "audit", payload, e->at_ms);
    free(payload);
    return rc;
}

kiosk_rc kiosk_store_audit_append(kiosk_store *store, kiosk_audit_entry *e)
{
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    return store_write_end(store, store_audit_append_in(store, e));
}

static void entry_for(kiosk_audit_entry *e, const kiosk_staff_actor *who, const char *action,
                      const char *outcome, int64_t now_ms)
{
    memset(e, 0, sizeof *e);
    e->at_ms = now_ms;
    snprintf(e->kiosk_id, sizeof e->kiosk_id, "%s", who->kiosk_id);
    snprintf(e->staff_id, sizeof e->staff_id, "%s", who->staff_id);
    snprintf(e->role, sizeof e->role, "%s", kiosk_staff_role_name(who->role));
    snprintf(e->action, sizeof e->action, "%s", action);
    snprintf(e->outcome, sizeof e->outcome, "%s", outcome);
}

/* The refusal of an action the actor's role may not do, on record. */
static kiosk_rc refuse(kiosk_store *store, const kiosk_staff_actor *who, kiosk_staff_action action,
                       int64_t now_ms)
{
    kiosk_audit_entry e;
    entry_for(&e, who, kiosk_staff_action_name(action), "refused", now_ms);
    snprintf(e.detail, sizeof e.detail, "the role %s may not do this",
             kiosk_staff_role_name(who->role));
    KLOG_WARN("staff %s (%s) refused: %s", who->staff_id, e.role, e.action);
    kiosk_rc rc = kiosk_store_audit_append(store, &e);
    return rc == KIOSK_OK ? KIOSK_ERR_DENIED : rc;
}

kiosk_rc kiosk_store_staff_act(kiosk_store *store, const kiosk_staff_actor *who,
                               kiosk_staff_action action, const char *target, const char *reason,
                               const char *detail, int64_t now_ms)
{
    if (!kiosk_staff_may(who->role, action))
        return refuse(store, who, action, now_ms);
    kiosk_audit_entry e;
    entry_for(&e, who, kiosk_staff_action_name(action), "ok", now_ms);
    snprintf(e.target, sizeof e.target, "%s", target ? target : "");
    snprintf(e.reason, sizeof e.reason, "%s", reason ? reason : "");
    snprintf(e.detail, sizeof e.detail, "%s", detail ? detail : "");
    return kiosk_store_audit_append(store, &e);
}

kiosk_rc kiosk_store_audit_verify(kiosk_store *store, long *entries, int64_t *bad_seq, char *why,
                                  size_t why_size)
{
    *entries = 0;
    *bad_seq = 0;
    why[0] = '\0';
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT a.seq, a.payload, a.hash, o.payload FROM audit a"
                          " LEFT JOIN outbox o ON o.record_id = a.record_id ORDER BY a.seq",
                          &st, "audit verify");
    if (rc != KIOSK_OK)
        return rc;
    kiosk_audit_chain chain;
    kiosk_audit_chain_init(&chain);
    int code;
    while (rc == KIOSK_OK && (code = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        const char *payload = (const char *)sqlite3_column_text(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        const char *sent = (const char *)sqlite3_column_text(st, 3);
        uint8_t hash[KIOSK_AUDIT_HASH_BYTES];
        kiosk_audit_hash(payload ? payload : "", len, hash);
        char step_why[200];
        if (seq != chain.last_seq + 1) {
            *bad_seq = chain.last_seq + 1;
            rc = kiosk_fail(KIOSK_ERR_INVALID, why, why_size,
                            "entry %lld is missing (the next one stored is %lld)",
                            (long long)(chain.last_seq + 1), (long long)seq);
        } else if (sqlite3_column_bytes(st, 2) != KIOSK_AUDIT_HASH_BYTES ||
                   sodium_memcmp(sqlite3_column_blob(st, 2), hash, sizeof hash) != 0) {
            *bad_seq = seq;
            rc = kiosk_fail(KIOSK_ERR_INVALID, why, why_size,
                            "entry %lld: its content does not match its stored hash",
                            (long long)seq);
        } else if (sent && strcmp(sent, payload) != 0) {
            *bad_seq = seq;
            rc = kiosk_fail(KIOSK_ERR_INVALID, why, why_size,
                            "entry %lld: it differs from the copy queued for the server",
                            (long long)seq);
        } else if (kiosk_audit_chain_step(&chain, payload, len, step_why, sizeof step_why) !=
                   KIOSK_OK) {
            *bad_seq = seq;
            rc = kiosk_fail(KIOSK_ERR_INVALID, why, why_size, "entry %lld: %s", (long long)seq,
                            step_why);
        } else {
            (*entries)++;
        }
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = store_fail(store, code, "audit verify");
    sqlite3_finalize(st);
    return rc;
}

/* --- the roster ------------------------------------------------------------------------- */

typedef struct import_state {
    kiosk_store *store;
    kiosk_staff_import_stats *stats;
    sqlite3_stmt *upsert, *seen, *drop_cards, *add_card, *diner_card, *card_taken;
} import_state;

static kiosk_rc import_row(void *user, size_t line, const kiosk_staff_row *row, char *err,
                           size_t err_size)
{
    import_state *s = user;
    kiosk_store *store = s->store;
    int code;
    sqlite3_bind_text(s->seen, 1, row->staff_id, -1, SQLITE_STATIC);
    code = sqlite3_step(s->seen); /* a row when the id is new, none when seen before */
    sqlite3_reset(s->seen);
    if (code == SQLITE_DONE)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "line %zu: staff_id: given on an earlier line too", line);
    sqlite3_stmt *st = s->upsert;
    sqlite3_bind_text(st, 1, row->staff_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->name_masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kiosk_staff_role_name(row->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->pin_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, row->active);
    if (!store_step_done(st, &code))
        return store_fail(store, code, "staff upsert");
    sqlite3_bind_text(s->drop_cards, 1, row->staff_id, -1, SQLITE_STATIC);
    if (!store_step_done(s->drop_cards, &code))
        return store_fail(store, code, "staff cards");
    s->stats->rows++;
    s->stats->active += row->active;
    for (size_t i = 0; row->active && i < row->card_count; i++) {
        uint8_t key[KIOSK_CARD_KEY_BYTES];
        kiosk_store_card_key(store, row->card_uid[i], row->card_uid_len[i], key);
        sqlite3_bind_blob(s->diner_card, 1, key, sizeof key, SQLITE_STATIC);
        code = sqlite3_step(s->diner_card);
        sqlite3_reset(s->diner_card);
        if (code == SQLITE_ROW)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: card_uids: card %zu is a diner's card", line, i + 1);
        sqlite3_bind_blob(s->card_taken, 1, key, sizeof key, SQLITE_STATIC);
        code = sqlite3_step(s->card_taken);
        sqlite3_reset(s->card_taken);
        if (code == SQLITE_ROW)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: card_uids: card %zu is listed on an earlier line too",
                              line, i + 1);
        sqlite3_bind_blob(s->add_card, 1, key, sizeof key, SQLITE_TRANSIENT);
        sqlite3_bind_text(s->add_card, 2, row->staff_id, -1, SQLITE_STATIC);
        if (!store_step_done(s->add_card, &code))
            return store_fail(store, code, "staff card");
        s->stats->cards++;
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_store_import_staff(kiosk_store *store, const char *text, size_t len,
                                  kiosk_staff_import_stats *stats, char *err, size_t err_size)
{
    memset(stats, 0, sizeof *stats);
    import_state s = {.store = store, .stats = stats};
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return kiosk_fail(rc, err, err_size, "%s", kiosk_store_errmsg(store));
    /* Rows the file names are marked in a temporary table; the rest become inactive. */
    rc = store_exec(store, "CREATE TEMP TABLE IF NOT EXISTS staff_seen(staff_id TEXT PRIMARY KEY);"
                           "DELETE FROM staff_seen;");
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO staff(staff_id, name_masked, role, pin_hash, active)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(staff_id) DO UPDATE SET"
                     " name_masked = excluded.name_masked, role = excluded.role,"
                     " pin_hash = excluded.pin_hash, active = excluded.active",
                     &s.upsert, "staff import");
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO staff_seen(staff_id) VALUES (?1) ON CONFLICT DO NOTHING"
                     " RETURNING 0",
                     &s.seen, "staff import");
    if (rc == KIOSK_OK)
        rc = prepare(store, "DELETE FROM staff_card WHERE staff_id = ?1", &s.drop_cards,
                     "staff import");
    if (rc == KIOSK_OK)
        rc = prepare(store, "INSERT INTO staff_card(card_key, staff_id) VALUES (?1, ?2)",
                     &s.add_card, "staff import");
    if (rc == KIOSK_OK)
        rc =
            prepare(store, "SELECT 1 FROM card WHERE card_key = ?1", &s.diner_card, "staff import");
    if (rc == KIOSK_OK)
        rc = prepare(store, "SELECT 1 FROM staff_card WHERE card_key = ?1", &s.card_taken,
                     "staff import");
    if (rc == KIOSK_OK)
        rc = kiosk_staff_csv_parse(text, len, import_row, &s, err, err_size);
    if (rc == KIOSK_OK) {
        sqlite3_stmt *st;
        rc = prepare(store,
                     "UPDATE staff SET active = 0 WHERE active = 1 AND staff_id NOT IN"
                     " (SELECT staff_id FROM staff_seen)",
                     &st, "staff import");
        if (rc == KIOSK_OK)
            rc = run(store, st, "staff import");
        stats->made_inactive = rc == KIOSK_OK ? (long)sqlite3_changes(store->db) : 0;
    }
    if (rc == KIOSK_OK)
        rc = store_exec(store, "DELETE FROM staff_card WHERE staff_id IN"
                               " (SELECT staff_id FROM staff WHERE active = 0)");
    /* The seen-table's RETURNING statement must be finished before the import commits. */
    sqlite3_finalize(s.upsert);
    sqlite3_finalize(s.seen);
    sqlite3_finalize(s.drop_cards);
    sqlite3_finalize(s.add_card);
    sqlite3_finalize(s.diner_card);
    sqlite3_finalize(s.card_taken);
    kiosk_rc done = store_write_end(store, rc);
    if (rc == KIOSK_OK && done != KIOSK_OK)
        kiosk_fail(done, err, err_size, "%s", kiosk_store_errmsg(store));
    if (done != KIOSK_OK)
        memset(stats, 0, sizeof *stats);
    return done;
}

kiosk_rc kiosk_store_sync_put_staff(kiosk_store *store, const kiosk_staff_sync_row *row)
{
    if (!kiosk_staff_pin_hash_valid(row->pin_hash) || row->card_count > KIOSK_STAFF_CARDS_MAX ||
        !row->member.staff_id[0])
        return KIOSK_ERR_INVALID;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "INSERT INTO staff(staff_id, name_masked, role, pin_hash, active)"
                          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(staff_id) DO UPDATE SET"
                          " name_masked = excluded.name_masked, role = excluded.role,"
                          " pin_hash = excluded.pin_hash, active = excluded.active",
                          &st, "staff sync");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, row->member.staff_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->member.name_masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kiosk_staff_role_name(row->member.role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->pin_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, row->member.active);
    rc = run(store, st, "staff sync");
    if (rc == KIOSK_OK)
        rc = prepare(store, "DELETE FROM staff_card WHERE staff_id = ?1", &st, "staff sync");
    if (rc == KIOSK_OK) {
        sqlite3_bind_text(st, 1, row->member.staff_id, -1, SQLITE_STATIC);
        rc = run(store, st, "staff sync");
    }
    /* A card the server moved from one member to another follows it here (REPLACE). */
    for (size_t i = 0; rc == KIOSK_OK && row->member.active && i < row->card_count; i++) {
        rc = prepare(store, "INSERT OR REPLACE INTO staff_card(card_key, staff_id) VALUES (?1, ?2)",
                     &st, "staff sync");
        if (rc == KIOSK_OK) {
            sqlite3_bind_blob(st, 1, row->card_keys[i], KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, row->member.staff_id, -1, SQLITE_STATIC);
            rc = run(store, st, "staff sync");
        }
    }
    return rc;
}

static kiosk_rc find_member(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                            kiosk_staff_member *out, char *pin_hash, size_t hash_size)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT s.staff_id, s.name_masked, s.role, s.pin_hash FROM staff_card c"
                          " JOIN staff s USING (staff_id) WHERE c.card_key = ?1 AND s.active = 1",
                          &st, "staff card");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_blob(st, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW) {
        char role[16];
        store_copy_text(out->staff_id, sizeof out->staff_id, st, 0);
        store_copy_text(out->name_masked, sizeof out->name_masked, st, 1);
        store_copy_text(role, sizeof role, st, 2);
        if (pin_hash)
            store_copy_text(pin_hash, hash_size, st, 3);
        out->active = true;
        if (!kiosk_staff_role_parse(role, &out->role))
            code = SQLITE_CORRUPT;
    }
    sqlite3_finalize(st);
    if (code == SQLITE_DONE)
        return KIOSK_ERR_NOT_FOUND;
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "staff card");
}

kiosk_rc kiosk_store_find_staff_card(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                     kiosk_staff_member *out)
{
    return find_member(store, key, out, NULL, 0);
}

/* --- signing in ------------------------------------------------------------------------- */

kiosk_rc kiosk_store_staff_lock_get(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                    int64_t now_ms, kiosk_staff_lock *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    kiosk_rc rc =
        prepare(store, "SELECT failures, locked_until_ms FROM staff_lock WHERE card_key = ?1", &st,
                "staff lock");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_blob(st, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW) {
        out->failures = sqlite3_column_int(st, 0);
        out->locked_until_ms = sqlite3_column_int64(st, 1);
        /* A lock whose time is over is gone, and with it the count that led to it. */
        if (out->locked_until_ms && out->locked_until_ms <= now_ms)
            memset(out, 0, sizeof *out);
    }
    sqlite3_finalize(st);
    return code == SQLITE_ROW || code == SQLITE_DONE ? KIOSK_OK
                                                     : store_fail(store, code, "staff lock");
}

static kiosk_rc lock_put(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                         const kiosk_staff_lock *lock)
{
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          lock->failures ? "INSERT OR REPLACE INTO staff_lock(card_key, failures,"
                                           " locked_until_ms) VALUES (?1, ?2, ?3)"
                                         : "DELETE FROM staff_lock WHERE card_key = ?1",
                          &st, "staff lock");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_blob(st, 1, key, KIOSK_CARD_KEY_BYTES, SQLITE_STATIC);
    if (lock->failures) {
        sqlite3_bind_int(st, 2, lock->failures);
        sqlite3_bind_int64(st, 3, lock->locked_until_ms);
    }
    return run(store, st, "staff lock");
}

kiosk_rc kiosk_store_staff_sign_in(kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                   const char *pin, int64_t now_ms, int64_t lockout_ms,
                                   const char *kiosk_id, kiosk_staff_member *out,
                                   kiosk_staff_lock *lock)
{
    char hash[KIOSK_PIN_HASH_MAX];
    kiosk_rc rc = find_member(store, key, out, hash, sizeof hash);
    if (rc != KIOSK_OK)
        return rc;
    rc = kiosk_store_staff_lock_get(store, key, now_ms, lock);
    if (rc != KIOSK_OK)
        return rc;
    kiosk_staff_actor who = {.role = out->role};
    snprintf(who.staff_id, sizeof who.staff_id, "%s", out->staff_id);
    snprintf(who.kiosk_id, sizeof who.kiosk_id, "%s", kiosk_id);
    kiosk_audit_entry e;
    bool locked = lock->locked_until_ms > now_ms;
    /* The hash is checked outside the transaction: it takes a fifth of a second, and the sync
     * worker should not wait for the write lock meanwhile. */
    bool right = !locked && kiosk_staff_pin_check(hash, pin);
    sodium_memzero(hash, sizeof hash);
    if (locked) {
        entry_for(&e, &who, "pin", "locked", now_ms);
        snprintf(e.detail, sizeof e.detail, "the card is locked until %lld",
                 (long long)lock->locked_until_ms);
    } else if (right) {
        entry_for(&e, &who, "pin", "ok", now_ms);
        memset(lock, 0, sizeof *lock);
    } else {
        lock->failures++;
        entry_for(&e, &who, "pin", "wrong", now_ms);
        snprintf(e.detail, sizeof e.detail, "wrong PIN %d of %d", lock->failures,
                 KIOSK_STAFF_PIN_TRIES);
        if (lock->failures >= KIOSK_STAFF_PIN_TRIES) {
            lock->locked_until_ms = now_ms + lockout_ms;
            snprintf(e.outcome, sizeof e.outcome, "lock");
            KLOG_WARN("staff %s: %d wrong PINs: the card is locked for %lld s", out->staff_id,
                      lock->failures, (long long)(lockout_ms / 1000));
        }
    }
    rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    if (!locked)
        rc = lock_put(store, key, lock);
    if (rc == KIOSK_OK)
        rc = store_audit_append_in(store, &e);
    rc = store_write_end(store, rc);
    if (rc != KIOSK_OK)
        return rc;
    return right ? KIOSK_OK : KIOSK_ERR_DENIED;
}

/* --- service past the offline limit ----------------------------------------------------- */

/* The allowance in device_state: "offline_allow_from" (the pending count when it was given) and
 * "offline_allow_until" (the count it allows up to, not included). */
static kiosk_rc allowance_get(kiosk_store *store, long *from, long *until)
{
    *from = *until = -1;
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT (SELECT v FROM device_state WHERE k = 'offline_allow_from'),"
                          " (SELECT v FROM device_state WHERE k = 'offline_allow_until')",
                          &st, "offline allowance");
    if (rc != KIOSK_OK)
        return rc;
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
        sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
        *from = (long)sqlite3_column_int64(st, 0);
        *until = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return code == SQLITE_ROW ? KIOSK_OK : store_fail(store, code, "offline allowance");
}

kiosk_rc kiosk_store_offline_may_serve(kiosk_store *store, long pending, long limit, bool *may)
{
    *may = limit <= 0 || pending < limit;
    if (*may)
        return KIOSK_OK;
    long from, until;
    kiosk_rc rc = allowance_get(store, &from, &until);
    *may = rc == KIOSK_OK && from >= 0 && pending >= from && pending < until;
    return rc;
}

kiosk_rc kiosk_store_offline_allow(kiosk_store *store, const kiosk_staff_actor *who, long limit,
                                   const char *reason, int64_t now_ms)
{
    if (!kiosk_staff_may(who->role, KIOSK_STAFF_OFFLINE_ALLOW))
        return refuse(store, who, KIOSK_STAFF_OFFLINE_ALLOW, now_ms);
    long pending = 0;
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    rc = kiosk_store_sync_offline_pending(store, &pending);
    sqlite3_stmt *st;
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT OR REPLACE INTO device_state(k, v) VALUES ('offline_allow_from', ?1),"
                     " ('offline_allow_until', ?2)",
                     &st, "offline allowance");
    if (rc == KIOSK_OK) {
        sqlite3_bind_int64(st, 1, pending);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)pending + (limit > 0 ? limit : 1));
        rc = run(store, st, "offline allowance");
    }
    if (rc == KIOSK_OK) {
        kiosk_audit_entry e;
        entry_for(&e, who, kiosk_staff_action_name(KIOSK_STAFF_OFFLINE_ALLOW), "ok", now_ms);
        snprintf(e.reason, sizeof e.reason, "%s", reason ? reason : "");
        snprintf(e.detail, sizeof e.detail, "%ld more offline meals after %ld pending",
                 limit > 0 ? limit : 1, pending);
        rc = store_audit_append_in(store, &e);
    }
    return store_write_end(store, rc);
}

/* --- local settings --------------------------------------------------------------------- */

kiosk_rc kiosk_store_voice_volume(kiosk_store *store, int *volume)
{
    sqlite3_stmt *st;
    kiosk_rc rc =
        prepare(store, "SELECT v FROM device_state WHERE k = 'voice_volume'", &st, "voice volume");
    if (rc != KIOSK_OK)
        return rc;
    int code = sqlite3_step(st);
    if (code == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        /* Only a level the setter could have written: anything else is as if unset. */
        if (v >= 0 && v <= 100)
            *volume = (int)v;
        else
            rc = KIOSK_ERR_NOT_FOUND;
    } else if (code == SQLITE_ROW || code == SQLITE_DONE) {
        rc = KIOSK_ERR_NOT_FOUND;
    } else {
        rc = store_fail(store, code, "voice volume");
    }
    sqlite3_finalize(st);
    return rc;
}

kiosk_rc kiosk_store_set_voice_volume(kiosk_store *store, const kiosk_staff_actor *who,
                                      int old_volume, int volume, int64_t now_ms)
{
    if (!kiosk_staff_may(who->role, KIOSK_STAFF_SETTINGS))
        return refuse(store, who, KIOSK_STAFF_SETTINGS, now_ms);
    if (volume < 0 || volume > 100)
        return KIOSK_ERR_INVALID;
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st;
    rc = prepare(store, "INSERT OR REPLACE INTO device_state(k, v) VALUES ('voice_volume', ?1)",
                 &st, "voice volume");
    if (rc == KIOSK_OK) {
        sqlite3_bind_int(st, 1, volume);
        rc = run(store, st, "voice volume");
    }
    if (rc == KIOSK_OK) {
        kiosk_audit_entry e;
        entry_for(&e, who, kiosk_staff_action_name(KIOSK_STAFF_SETTINGS), "ok", now_ms);
        snprintf(e.target, sizeof e.target, "voice_volume");
        snprintf(e.detail, sizeof e.detail, "voice_volume %d -> %d", old_volume, volume);
        rc = store_audit_append_in(store, &e);
    }
    return store_write_end(store, rc);
}

/* --- voiding a meal ---------------------------------------------------------------------- */

kiosk_rc kiosk_store_day_meals(kiosk_store *store, kiosk_date day, kiosk_day_meal *out, size_t max,
                               size_t *count)
{
    *count = 0;
    char date[11];
    kiosk_date_format(day, date);
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT m.record_id, m.person_id, coalesce(p.name_masked, ''),"
                          " m.local_minute, m.meal_type, m.price_fen, m.subsidy_fen,"
                          " EXISTS (SELECT 1 FROM meal_void v WHERE v.voided_id = m.record_id),"
                          " m.class_id, m.pay_fen"
                          " FROM meal m LEFT JOIN person p USING (person_id)"
                          " WHERE m.business_date = ?1 AND m.source = 'local'"
                          " ORDER BY m.local_minute DESC, m.created_utc_ms DESC LIMIT ?2",
                          &st, "day meals");
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int code;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_day_meal *m = &out[*count];
        memset(m, 0, sizeof *m);
        if (sqlite3_column_bytes(st, 0) == 16)
            memcpy(m->record_id.bytes, sqlite3_column_blob(st, 0), 16);
        store_copy_text(m->person_id, sizeof m->person_id, st, 1);
        store_copy_text(m->name_masked, sizeof m->name_masked, st, 2);
        m->minute_of_day = sqlite3_column_int(st, 3);
        store_copy_text(m->meal_type, sizeof m->meal_type, st, 4);
        m->price_fen = sqlite3_column_int64(st, 5);
        m->subsidy_fen = sqlite3_column_int64(st, 6);
        m->voided = sqlite3_column_int(st, 7) != 0;
        store_copy_text(m->class_id, sizeof m->class_id, st, 8);
        m->pay_fen = sqlite3_column_int64(st, 9);
        (*count)++;
    }
    sqlite3_finalize(st);
    return code == SQLITE_DONE ? KIOSK_OK : store_fail(store, code, "day meals");
}

/* The void's payload (outbox kind "override"): what the server needs to take the meal out of
 * settlement, and who did it why. */
static char *void_payload(const kiosk_recid *void_id, const char *meal_text,
                          const kiosk_staff_actor *who, const char *reason, const char *date,
                          const char *person_id, const char *meal_type, int64_t now_ms)
{
    char id[KIOSK_RECID_TEXT];
    kiosk_recid_format(void_id, id);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "type", "void", "record_id",
                          id, "voids", meal_text, "kiosk_id", who->kiosk_id, "staff_id",
                          who->staff_id, "reason", reason, "business_date", date, "person_id",
                          person_id, "meal_type", meal_type, "created_utc_ms", (json_int_t)now_ms);
    if (!o)
        return NULL;
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

/* Voids the meal inside the caller's transaction: the meal_void row and its outbox row. What the
 * meal was (its person, type and minute, card and offline flag) goes to *meal when non-NULL. */
typedef struct voided_meal {
    char person_id[KIOSK_ID_MAX];
    char meal_type[16];
    int minute;
    bool has_card, offline;
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    char canteen_id[KIOSK_ID_MAX];
    int64_t price_fen;
} voided_meal;

static kiosk_rc void_in(kiosk_store *store, const kiosk_staff_actor *who,
                        const kiosk_recid *meal_id, const char *reason, kiosk_date today,
                        int64_t now_ms, kiosk_recid *void_id, voided_meal *meal)
{
    char meal_text[KIOSK_RECID_TEXT], day[11], date[11] = "";
    voided_meal m;
    memset(&m, 0, sizeof m);
    kiosk_recid_format(meal_id, meal_text);
    kiosk_date_format(today, day);
    sqlite3_stmt *st;
    kiosk_rc rc = prepare(store,
                          "SELECT business_date, person_id, meal_type, EXISTS (SELECT 1 FROM"
                          " meal_void WHERE voided_id = ?1), local_minute, card_key, offline,"
                          " canteen_id, price_fen FROM meal WHERE record_id = ?1",
                          &st, "void meal");
    bool voided = false;
    if (rc == KIOSK_OK) {
        sqlite3_bind_blob(st, 1, meal_id->bytes, 16, SQLITE_STATIC);
        int code = sqlite3_step(st);
        if (code == SQLITE_ROW) {
            store_copy_text(date, sizeof date, st, 0);
            store_copy_text(m.person_id, sizeof m.person_id, st, 1);
            store_copy_text(m.meal_type, sizeof m.meal_type, st, 2);
            voided = sqlite3_column_int(st, 3) != 0;
            m.minute = sqlite3_column_int(st, 4);
            m.has_card = sqlite3_column_bytes(st, 5) == KIOSK_CARD_KEY_BYTES;
            if (m.has_card)
                memcpy(m.card_key, sqlite3_column_blob(st, 5), KIOSK_CARD_KEY_BYTES);
            m.offline = sqlite3_column_int(st, 6) != 0;
            store_copy_text(m.canteen_id, sizeof m.canteen_id, st, 7);
            m.price_fen = sqlite3_column_int64(st, 8);
        }
        sqlite3_finalize(st);
        if (code == SQLITE_DONE)
            rc = KIOSK_ERR_NOT_FOUND;
        else if (code != SQLITE_ROW)
            rc = store_fail(store, code, "void meal");
        else if (strcmp(date, day) != 0 || voided)
            rc = KIOSK_ERR_INVALID; /* only today's meals, and each once */
    }
    char *payload = NULL;
    if (rc == KIOSK_OK) {
        *void_id = kiosk_recid_new(now_ms);
        payload =
            void_payload(void_id, meal_text, who, reason, date, m.person_id, m.meal_type, now_ms);
        rc = payload ? KIOSK_OK : KIOSK_ERR_NOMEM;
    }
    if (rc == KIOSK_OK)
        rc = prepare(store,
                     "INSERT INTO meal_void(record_id, voided_id, staff_id, reason,"
                     " created_utc_ms, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     &st, "void meal");
    if (rc == KIOSK_OK) {
        sqlite3_bind_blob(st, 1, void_id->bytes, 16, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, meal_id->bytes, 16, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, who->staff_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now_ms);
        sqlite3_bind_text(st, 6, payload, -1, SQLITE_STATIC);
        rc = run(store, st, "void meal");
    }
    if (rc == KIOSK_OK)
        rc = store_outbox_append(store, void_id, "override", payload, now_ms);
    free(payload);
    if (rc == KIOSK_OK && meal)
        *meal = m;
    return rc;
}

kiosk_rc kiosk_store_void_meal(kiosk_store *store, const kiosk_staff_actor *who,
                               const kiosk_recid *meal_id, const char *reason, kiosk_date today,
                               int64_t now_ms, kiosk_recid *void_id)
{
    if (!kiosk_staff_may(who->role, KIOSK_STAFF_VOID_MEAL))
        return refuse(store, who, KIOSK_STAFF_VOID_MEAL, now_ms);
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    rc = void_in(store, who, meal_id, reason, today, now_ms, void_id, NULL);
    if (rc == KIOSK_OK) {
        kiosk_audit_entry e;
        entry_for(&e, who, kiosk_staff_action_name(KIOSK_STAFF_VOID_MEAL), "ok", now_ms);
        kiosk_recid_format(meal_id, e.target);
        snprintf(e.reason, sizeof e.reason, "%s", reason);
        char void_text[KIOSK_RECID_TEXT];
        kiosk_recid_format(void_id, void_text);
        snprintf(e.detail, sizeof e.detail, "void record %s", void_text);
        rc = store_audit_append_in(store, &e);
    }
    return store_write_end(store, rc);
}

/* --- meals made by staff ------------------------------------------------------------------ */

/* A reason code as [staff] reasons allows: 1-31 of a-z 0-9 _. */
static bool reason_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 31)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') ||
              code[i] == '_'))
            return false;
    return true;
}

kiosk_rc kiosk_store_staff_meal(kiosk_store *store, const kiosk_staff_actor *who,
                                kiosk_meal_entry *meal, int64_t now_ms)
{
    bool manual = strcmp(meal->staff.by, "manual") == 0;
    if (!manual && strcmp(meal->staff.by, "override") != 0)
        return KIOSK_ERR_INVALID;
    kiosk_staff_action action = manual ? KIOSK_STAFF_MANUAL_MEAL : KIOSK_STAFF_OVERRIDE;
    if (!kiosk_staff_may(who->role, action))
        return refuse(store, who, action, now_ms);
    /* The record says who, whatever the caller filled in. */
    snprintf(meal->staff.staff_id, sizeof meal->staff.staff_id, "%s", who->staff_id);
    if (!reason_code_valid(meal->staff.reason) || !meal->decision.approved ||
        (manual ? meal->staff.refused[0] != '\0' || meal->has_card
                : !kiosk_override_liftable(meal->staff.refused)))
        return KIOSK_ERR_INVALID;
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    rc = store_meal_insert_in(store, meal);
    if (rc == KIOSK_OK) {
        kiosk_audit_entry e;
        entry_for(&e, who, kiosk_staff_action_name(action), "ok", now_ms);
        kiosk_recid_format(&meal->record_id, e.target);
        snprintf(e.reason, sizeof e.reason, "%s", meal->staff.reason);
        /* The meal record names the diner; the log keeps to what staff did. */
        if (manual)
            snprintf(e.detail, sizeof e.detail, "%s",
                     kiosk_meal_type_code(meal->decision.meal_type));
        else
            snprintf(e.detail, sizeof e.detail, "refused %s; %s", meal->staff.refused,
                     kiosk_meal_type_code(meal->decision.meal_type));
        rc = store_audit_append_in(store, &e);
    }
    return store_write_end(store, rc);
}

kiosk_rc kiosk_store_correct_bill(kiosk_store *store, const kiosk_staff_actor *who,
                                  const kiosk_recid *meal_id, int64_t price_fen, const char *reason,
                                  const kiosk_policy *policy, const kiosk_site *site,
                                  kiosk_date today, int64_t now_ms, kiosk_bill_correction *out)
{
    memset(out, 0, sizeof *out);
    if (!kiosk_staff_may(who->role, KIOSK_STAFF_BILL))
        return refuse(store, who, KIOSK_STAFF_BILL, now_ms);
    if (price_fen < 0 || price_fen > KIOSK_BILL_MAX_FEN || !reason_code_valid(reason))
        return KIOSK_ERR_INVALID;
    kiosk_rc rc = store_write_begin(store);
    if (rc != KIOSK_OK)
        return rc;
    voided_meal old;
    rc = void_in(store, who, meal_id, reason, today, now_ms, &out->void_id, &old);
    /* The diner as now, and the day's meals with the old one voided (this transaction's view):
     * the new bill is decided as if it had been the first. */
    kiosk_holder holder;
    if (rc == KIOSK_OK)
        rc = old.has_card ? kiosk_store_find_card(store, old.card_key, &holder)
                          : kiosk_store_find_person(store, old.person_id, &holder);
    if (rc == KIOSK_ERR_NOT_FOUND)
        rc = kiosk_store_find_person(store, old.person_id, &holder); /* the card went since */
    kiosk_meal_summary earlier;
    if (rc == KIOSK_OK)
        rc = kiosk_store_meal_summary(store, old.person_id, today, &earlier);
    kiosk_meal_entry meal;
    memset(&meal, 0, sizeof meal);
    if (rc == KIOSK_OK) {
        kiosk_local_time at = {.date = today, .minute_of_day = old.minute};
        kiosk_order order = {.source = KIOSK_PRICE_BILL, .price_fen = price_fen};
        out->decision = kiosk_policy_decide(
            policy, &holder.person, old.has_card ? &holder.card : NULL, site, &earlier, at, &order);
        if (!out->decision.approved) {
            rc = KIOSK_ERR_INVALID; /* the new bill is refused: the old one stays as it was */
        } else {
            meal = (kiosk_meal_entry){
                .record_id = kiosk_recid_new(now_ms),
                .has_card = old.has_card,
                .created_utc_ms = now_ms,
                .at = at,
                .decision = out->decision,
                .order = order,
                .offline = old.offline,
                .offline_age_s = -1,
            };
            memcpy(meal.card_key, old.card_key, KIOSK_CARD_KEY_BYTES);
            snprintf(meal.person_id, sizeof meal.person_id, "%s", old.person_id);
            snprintf(meal.kiosk_id, sizeof meal.kiosk_id, "%s", who->kiosk_id);
            snprintf(meal.canteen_id, sizeof meal.canteen_id, "%s", old.canteen_id);
            snprintf(meal.staff.by, sizeof meal.staff.by, "correction");
            snprintf(meal.staff.staff_id, sizeof meal.staff.staff_id, "%s", who->staff_id);
            snprintf(meal.staff.reason, sizeof meal.staff.reason, "%s", reason);
            rc = store_meal_insert_in(store, &meal);
            out->meal_id = meal.record_id;
        }
    }
    if (rc == KIOSK_OK) {
        kiosk_audit_entry e;
        entry_for(&e, who, kiosk_staff_action_name(KIOSK_STAFF_BILL), "ok", now_ms);
        kiosk_recid_format(meal_id, e.target);
        snprintf(e.reason, sizeof e.reason, "%s", reason);
        char void_text[KIOSK_RECID_TEXT], new_text[KIOSK_RECID_TEXT];
        kiosk_recid_format(&out->void_id, void_text);
        kiosk_recid_format(&meal.record_id, new_text);
        snprintf(e.detail, sizeof e.detail, "price %lld -> %lld fen; void %s; meal %s",
                 (long long)old.price_fen, (long long)price_fen, void_text, new_text);
        rc = store_audit_append_in(store, &e);
    }
    return store_write_end(store, rc);
}

kiosk_rc kiosk_store_staff_ticket(kiosk_store *store, const kiosk_staff_actor *who,
                                  const kiosk_ticket_request *req, kiosk_checkin_entry *out)
{
    if (!kiosk_staff_may(who->role, KIOSK_STAFF_WALK_IN))
        return refuse(store, who, KIOSK_STAFF_WALK_IN, req->now_utc_ms);
    if ((unsigned)req->service >= KIOSK_SERVICE_COUNT ||
        (req->lane != KIOSK_LANE_WALKIN && req->lane != KIOSK_LANE_PRIORITY) ||
        (req->appointment_id && req->appointment_id[0]))
        return KIOSK_ERR_INVALID;
    kiosk_audit_entry e;
    entry_for(&e, who, kiosk_staff_action_name(KIOSK_STAFF_WALK_IN), "ok", req->now_utc_ms);
    snprintf(e.detail, sizeof e.detail, "%s, %s%s", kiosk_service_code(req->service),
             kiosk_lane_code(req->lane), req->under_age ? ", under age" : "");
    kiosk_ticket_request r = *req;
    r.audit = &e;
    bool existing;
    return kiosk_store_issue_ticket(store, &r, out, &existing);
}
