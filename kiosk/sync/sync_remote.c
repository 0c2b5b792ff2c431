/* sync_remote.c - checking, storing and applying a remote configuration (sync_remote.h). */
#define _POSIX_C_SOURCE 200809L
#include "sync_remote.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_sign.h"
#include "durable_file.h"
#include "sync_state.h"

#define VERSION_KEY "sync_config_version"

/* The [sync] keys a remote document may set: the tunables, never where or whom the kiosk trusts. */
static const char *const remote_keys[] = {"heartbeat_s",        "start_jitter_s", "offline_after_s",
                                          "offline_meal_limit", "batch_records",  "pull_s",
                                          "page_rows",          "timeout_s",      "retry_max_ms"};

void kiosk_sync_remote_path(const char *db_path, char *out, size_t size)
{
    snprintf(out, size, "%s-remote.ini", db_path);
}

typedef struct apply_state {
    kiosk_sync_config cfg;
    char problem[200];
} apply_state;

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    apply_state *a = user;
    if (strcmp(section, "sync") != 0) {
        snprintf(a->problem, sizeof a->problem, "section [%.40s]: only [sync] may be set", section);
        return 0;
    }
    bool allowed = false;
    for (size_t i = 0; i < sizeof remote_keys / sizeof *remote_keys; i++)
        allowed |= strcmp(key, remote_keys[i]) == 0;
    if (!allowed) {
        snprintf(a->problem, sizeof a->problem, "[sync] %.40s may not be set remotely", key);
        return 0;
    }
    return kiosk_sync_config_set(&a->cfg, key, value, a->problem, sizeof a->problem) ? 1 : 0;
}

/* The document's values over cfg, into out; false with the problem. */
static bool read_document(const char *body, const kiosk_sync_config *cfg, apply_state *out)
{
    out->cfg = *cfg;
    out->problem[0] = '\0';
    int line = ini_parse_string(body, on_value, out);
    if (line != 0 && !out->problem[0])
        snprintf(out->problem, sizeof out->problem, "line %d: not [section] or key = value", line);
    return line == 0;
}

int64_t kiosk_sync_remote_version(kiosk_store *store)
{
    int64_t v = -1;
    return kiosk_store_sync_get_int(store, VERSION_KEY, &v) == KIOSK_OK ? v : -1;
}

kiosk_rc kiosk_sync_remote_apply(kiosk_store *store, const char *device_id,
                                 const kiosk_wire_config *doc, const char *db_path,
                                 kiosk_sync_config *cfg, char error[KIOSK_SYNC_REMOTE_ERROR_MAX],
                                 char *err, size_t err_size)
{
    uint8_t key[KIOSK_CONFIG_PUBLIC_BYTES];
    kiosk_rc rc = kiosk_store_sync_config_key(store, key);
    if (rc != KIOSK_OK) {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "no_key");
        return kiosk_fail(rc == KIOSK_ERR_NOT_FOUND ? KIOSK_ERR_DENIED : rc, err, err_size,
                          "no configuration key was given at enrollment");
    }
    if (!kiosk_config_sign_check(key, device_id, doc->version, doc->body, doc->body_len,
                                 doc->signature)) {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "bad_signature");
        return kiosk_fail(KIOSK_ERR_DENIED, err, err_size,
                          "configuration version %lld: the signature does not match",
                          (long long)doc->version);
    }
    if (doc->version <= kiosk_sync_remote_version(store)) {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "stale");
        return kiosk_fail(KIOSK_ERR_DENIED, err, err_size,
                          "configuration version %lld is not newer than the applied one",
                          (long long)doc->version);
    }
    apply_state *a = malloc(sizeof *a);
    if (!a) {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "not_stored");
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    }
    if (!read_document(doc->body, cfg, a)) {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "invalid");
        rc = kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "configuration version %lld: %s",
                        (long long)doc->version, a->problem);
        free(a);
        return rc;
    }
    /* The file first, then the version: a crash between them applies the same file again. */
    char path[1100];
    kiosk_sync_remote_path(db_path, path, sizeof path);
    kiosk_durable_file df;
    rc = kiosk_durable_open(&df, path, err, err_size);
    if (rc == KIOSK_OK) {
        if (fwrite(doc->body, 1, doc->body_len, df.f) != doc->body_len) {
            kiosk_durable_abort(&df);
            rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s: %s", path, strerror(errno));
        } else {
            rc = kiosk_durable_commit(&df, err, err_size);
        }
    }
    if (rc == KIOSK_OK &&
        (rc = kiosk_store_sync_set_int(store, VERSION_KEY, doc->version)) != KIOSK_OK)
        kiosk_fail(rc, err, err_size, "the version could not be stored: %s",
                   kiosk_store_errmsg(store));
    if (rc == KIOSK_OK) {
        *cfg = a->cfg;
        error[0] = '\0';
    } else {
        snprintf(error, KIOSK_SYNC_REMOTE_ERROR_MAX, "not_stored");
    }
    free(a);
    return rc;
}

kiosk_rc kiosk_sync_remote_load(kiosk_store *store, const char *db_path, kiosk_sync_config *cfg,
                                char *err, size_t err_size)
{
    if (kiosk_sync_remote_version(store) < 0)
        return KIOSK_OK;
    char path[1100];
    kiosk_sync_remote_path(db_path, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s: %s", path, strerror(errno));
    char *body = malloc(KIOSK_CONFIG_BODY_MAX + 1);
    size_t len = body ? fread(body, 1, KIOSK_CONFIG_BODY_MAX, f) : 0;
    fclose(f);
    if (!body)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    body[len] = '\0';
    apply_state *a = malloc(sizeof *a);
    kiosk_rc rc = KIOSK_OK;
    if (!a)
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    else if (!read_document(body, cfg, a))
        rc = kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "%s: %s", path, a->problem);
    else
        *cfg = a->cfg;
    free(a);
    free(body);
    return rc;
}
