/* policies.c - stored subsidy policy versions (the JSON as received, validated on the way in). */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "store_internal.h"
#define KIOSK_LOG_MODULE "store"

kiosk_rc kiosk_store_put_policy(kiosk_store *store, const char *json, size_t len, char *err,
                                size_t err_size)
{
    kiosk_policy *policy = NULL;
    kiosk_rc rc = kiosk_policy_parse(json, len, &policy, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    int code = sqlite3_prepare_v2(store->db,
                                  "INSERT INTO policy(version, effective_from, body, stored_utc_ms)"
                                  " VALUES (?1, ?2, ?3, ?4)"
                                  " ON CONFLICT(version) DO UPDATE SET"
                                  " effective_from = excluded.effective_from, body = excluded.body,"
                                  " stored_utc_ms = excluded.stored_utc_ms",
                                  -1, &st, NULL);
    if (code == SQLITE_OK) {
        char from[11];
        kiosk_date_format(kiosk_policy_effective_from(policy), from);
        sqlite3_bind_text(st, 1, kiosk_policy_version(policy), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, kiosk_clock_now_ms());
        code = sqlite3_step(st);
    }
    if (code != SQLITE_DONE) {
        rc = store_fail(store, code, "store policy");
        snprintf(err, err_size, "%s", store->message);
    }
    sqlite3_finalize(st);
    kiosk_policy_free(policy);
    return rc;
}

kiosk_rc kiosk_store_load_policies(kiosk_store *store, kiosk_policy_set **out)
{
    *out = NULL;
    kiosk_policy_set *set = kiosk_policy_set_new();
    if (!set)
        return KIOSK_ERR_NOMEM;
    sqlite3_stmt *st;
    int code = sqlite3_prepare_v2(store->db, "SELECT version, body FROM policy", -1, &st, NULL);
    if (code != SQLITE_OK) {
        kiosk_policy_set_free(set);
        return store_fail(store, code, "load policies");
    }
    kiosk_rc rc = KIOSK_OK;
    while ((code = sqlite3_step(st)) == SQLITE_ROW) {
        kiosk_policy *policy = NULL;
        char err[256];
        const char *body = (const char *)sqlite3_column_text(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        /* A stored policy that no longer parses is skipped loudly, not fatal: the others
         * still serve diners. */
        if (kiosk_policy_parse(body ? body : "", (size_t)len, &policy, err, sizeof err) !=
            KIOSK_OK) {
            KLOG_ERROR("stored policy %s is invalid and ignored: %s",
                       (const char *)sqlite3_column_text(st, 0), err);
            continue;
        }
        rc = kiosk_policy_set_take(set, policy);
        if (rc != KIOSK_OK)
            break;
    }
    if (rc == KIOSK_OK && code != SQLITE_DONE)
        rc = store_fail(store, code, "load policies");
    sqlite3_finalize(st);
    if (rc != KIOSK_OK) {
        kiosk_policy_set_free(set);
        return rc;
    }
    *out = set;
    return KIOSK_OK;
}
