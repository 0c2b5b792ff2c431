/* api.c - the server's endpoints (api.h). */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "api.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "ingest.h"
#include "log.h"
#include "remote_config.h"
#include "storage.h"
#include "streams.h"
#include "wire.h"
#define KIOSK_LOG_MODULE "api"

/* A heartbeat's clock offset (the kiosk's own round-trip estimate) is used for this long, and
 * only while the request's own one-way estimate agrees with it this closely: further apart, the
 * kiosk's clock was set since that heartbeat (the one-way estimate errs by the request's transit
 * time only, well under this). */
#define HEARTBEAT_OFFSET_FRESH_MS (3600LL * 1000)
#define HEARTBEAT_OFFSET_AGREE_MS (60LL * 1000)
/* Tombstones older than SRV_TOMBSTONE_KEEP_MS are dropped at most this often. */
#define EXPIRE_EVERY_MS (3600LL * 1000)

/* Requests read through a pool of connections; every write goes through the one writer
 * connection, one transaction at a time. Writes are serialised by the databases anyway (SQLite's
 * lock, the advisory lock on PostgreSQL), and a connection that alone writes keeps its page
 * cache: SQLite empties a connection's cache whenever another one has written, which made every
 * batch on a pooled connection read its index pages again (half the time of an upload). */
struct srv_api {
    char spec[1024];
    char base_path[128]; /* "" or "/prefix" without a trailing slash */
    bool faults;
    pthread_mutex_t lock;
    pthread_cond_t returned;
    srv_store **idle;
    size_t nidle, open, max;
    pthread_mutex_t writer_lock;
    srv_store *writer; /* NULL after a failed reopen */
    /* Batches are parsed by at most cores - 1 threads at once: the writer, whose transactions
     * run one after another, always keeps a core (on 2 cores, three threads parsing while the
     * writer held the lock made every batch wait on it three times as long). */
    pthread_mutex_t parse_lock;
    pthread_cond_t parse_free;
    long parse_slots;
    _Atomic int64_t last_expire_ms;
    /* SQLite: the writer leaves checkpoints to this thread (storage.h). */
    pthread_t checkpointer;
    bool checkpointing, stopping;
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpoint_wake;
};

/* How often the log is copied into the database: small enough that the log stays short (a long
 * one slows every read), long enough to copy many batches at once. */
#define CHECKPOINT_EVERY_MS 250

static void *run_checkpoints(void *arg)
{
    srv_api *api = arg;
    srv_store *st = NULL;
    bool warned = false;
    pthread_mutex_lock(&api->checkpoint_lock);
    while (!api->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_EVERY_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&api->checkpoint_wake, &api->checkpoint_lock, &until);
        if (api->stopping)
            break;
        pthread_mutex_unlock(&api->checkpoint_lock);
        char err[300];
        if (!st && srv_store_open(api->spec, &st, err, sizeof err) != KIOSK_OK) {
            st = NULL;
            if (!warned)
                KLOG_WARN("checkpoints: cannot open the database: %s", err);
            warned = true;
        }
        if (st && srv_store_checkpoint(st) != KIOSK_OK && !warned) {
            KLOG_WARN("checkpoint failed: %s", srv_store_errmsg(st));
            warned = true;
        }
        pthread_mutex_lock(&api->checkpoint_lock);
    }
    pthread_mutex_unlock(&api->checkpoint_lock);
    srv_store_close(st);
    return NULL;
}

/* --- the connection pool ------------------------------------------------------------------- */

kiosk_rc srv_api_new(const char *spec, int max_connections, bool faults, const char *base_path,
                     srv_api **out, char *err, size_t err_size)
{
    *out = NULL;
    srv_api *api = calloc(1, sizeof *api);
    if (!api)
        return KIOSK_ERR_NOMEM;
    snprintf(api->spec, sizeof api->spec, "%s", spec);
    snprintf(api->base_path, sizeof api->base_path, "%s", base_path ? base_path : "");
    size_t n = strlen(api->base_path);
    while (n && api->base_path[n - 1] == '/')
        api->base_path[--n] = '\0';
    api->faults = faults;
    api->max = max_connections > 0 ? (size_t)max_connections : 1;
    api->idle = calloc(api->max, sizeof *api->idle);
    pthread_mutex_init(&api->lock, NULL);
    pthread_cond_init(&api->returned, NULL);
    pthread_mutex_init(&api->writer_lock, NULL);
    pthread_mutex_init(&api->checkpoint_lock, NULL);
    pthread_cond_init(&api->checkpoint_wake, NULL);
    pthread_mutex_init(&api->parse_lock, NULL);
    pthread_cond_init(&api->parse_free, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    api->parse_slots = cores > 1 ? cores - 1 : 1;
    if (!api->idle) {
        srv_api_free(api);
        return KIOSK_ERR_NOMEM;
    }
    /* The writer now: a database that cannot be opened stops the start, not a request. */
    kiosk_rc rc = srv_store_open(spec, &api->writer, err, err_size);
    if (rc == KIOSK_OK && strcmp(srv_store_backend(api->writer), "sqlite") == 0) {
        rc = srv_store_manual_checkpoints(api->writer);
        if (rc == KIOSK_OK && pthread_create(&api->checkpointer, NULL, run_checkpoints, api) != 0)
            rc = KIOSK_ERR_NOMEM;
        api->checkpointing = rc == KIOSK_OK;
    }
    if (rc != KIOSK_OK) {
        srv_api_free(api);
        return rc;
    }
    *out = api;
    return KIOSK_OK;
}

void srv_api_free(srv_api *api)
{
    if (!api)
        return;
    if (api->checkpointing) {
        pthread_mutex_lock(&api->checkpoint_lock);
        api->stopping = true;
        pthread_cond_signal(&api->checkpoint_wake);
        pthread_mutex_unlock(&api->checkpoint_lock);
        pthread_join(api->checkpointer, NULL);
    }
    for (size_t i = 0; i < api->nidle; i++)
        srv_store_close(api->idle[i]);
    srv_store_close(api->writer);
    free(api->idle);
    pthread_cond_destroy(&api->returned);
    pthread_mutex_destroy(&api->lock);
    pthread_mutex_destroy(&api->writer_lock);
    pthread_mutex_destroy(&api->checkpoint_lock);
    pthread_cond_destroy(&api->checkpoint_wake);
    pthread_mutex_destroy(&api->parse_lock);
    pthread_cond_destroy(&api->parse_free);
    free(api);
}

/* The writer connection, for one write transaction; NULL (and unlocked) when it cannot be
 * opened again after a failure. */
static srv_store *writer_take(srv_api *api)
{
    pthread_mutex_lock(&api->writer_lock);
    if (!api->writer) {
        char err[300];
        if (srv_store_open(api->spec, &api->writer, err, sizeof err) != KIOSK_OK) {
            KLOG_ERROR("cannot open the database: %s", err);
            pthread_mutex_unlock(&api->writer_lock);
            return NULL;
        }
    }
    return api->writer;
}

static void writer_return(srv_api *api)
{
    srv_store_rollback(api->writer); /* nothing stays open after a failure half-way */
    pthread_mutex_unlock(&api->writer_lock);
}

static srv_store *pool_take(srv_api *api)
{
    pthread_mutex_lock(&api->lock);
    while (api->nidle == 0 && api->open == api->max)
        pthread_cond_wait(&api->returned, &api->lock);
    if (api->nidle) {
        srv_store *st = api->idle[--api->nidle];
        pthread_mutex_unlock(&api->lock);
        return st;
    }
    api->open++;
    pthread_mutex_unlock(&api->lock);
    srv_store *st = NULL;
    char err[300];
    if (srv_store_open(api->spec, &st, err, sizeof err) != KIOSK_OK) {
        KLOG_ERROR("cannot open the database: %s", err);
        pthread_mutex_lock(&api->lock);
        api->open--;
        pthread_cond_signal(&api->returned);
        pthread_mutex_unlock(&api->lock);
        return NULL;
    }
    return st;
}

static void pool_return(srv_api *api, srv_store *st)
{
    if (!st)
        return;
    srv_store_rollback(st); /* a handler that failed half-way leaves nothing open */
    pthread_mutex_lock(&api->lock);
    api->idle[api->nidle++] = st;
    pthread_cond_signal(&api->returned);
    pthread_mutex_unlock(&api->lock);
}

/* --- helpers ------------------------------------------------------------------------------- */

static void reply_json(srv_reply *r, int status, json_t *body)
{
    r->status = body ? status : 500;
    r->body = body;
    if (!body)
        srv_reply_error(r, 500, "internal", "out of memory");
}

/* Decodes the body as sent into *body (owned by *owned when it had to be inflated). */
static bool decode_body(const srv_request *req, char **owned, const char **body, size_t *len,
                        srv_reply *r)
{
    *owned = NULL;
    if (req->body_too_large) {
        srv_reply_error(r, 413, "too_large", "the body is larger than %u bytes", SRV_BODY_MAX);
        return false;
    }
    switch (srv_wire_encoding(req->content_encoding)) {
    case SRV_ENC_UNSUPPORTED:
        srv_reply_error(r, 415, "unsupported_encoding",
                        "Content-Encoding: only gzip and identity are accepted");
        return false;
    case SRV_ENC_GZIP: {
        kiosk_rc rc = srv_gunzip(req->body, req->body_len, SRV_BODY_MAX, owned, len);
        if (rc == KIOSK_ERR_TOO_BIG)
            srv_reply_error(r, 413, "too_large", "the body is larger than %u bytes after gunzip",
                            SRV_BODY_MAX);
        else if (rc != KIOSK_OK)
            srv_reply_error(r, 400, "bad_request", "body: not valid gzip");
        *body = *owned;
        return rc == KIOSK_OK;
    }
    case SRV_ENC_IDENTITY:
        break;
    }
    if (req->body_len > SRV_BODY_MAX) {
        srv_reply_error(r, 413, "too_large", "the body is larger than %u bytes", SRV_BODY_MAX);
        return false;
    }
    *body = req->body ? req->body : "";
    *len = req->body_len;
    return true;
}

/* The signed request's device: 401 for a missing or wrong signature or an unknown device, 403
 * for a revoked one. *offset_ms: the device's clock offset as this request shows it. */
static bool authenticate(const srv_api *api, srv_store *st, const srv_request *req, srv_device *dev,
                         int64_t *offset_ms, srv_reply *r)
{
    int64_t kiosk_ms;
    if (!req->device || !req->time || !req->signature) {
        srv_reply_error(r, 401, "signature_invalid",
                        "X-Kiosk-Device, X-Kiosk-Time and X-Kiosk-Signature are required");
        return false;
    }
    if (!srv_wire_time(req->time, &kiosk_ms)) {
        srv_reply_error(r, 401, "signature_invalid", "X-Kiosk-Time: not an integer of ms");
        return false;
    }
    kiosk_rc rc = srv_id_valid(req->device) ? srv_store_device_get(st, req->device, dev)
                                            : KIOSK_ERR_NOT_FOUND;
    if (rc != KIOSK_OK && rc != KIOSK_ERR_NOT_FOUND) {
        srv_reply_storage(r, rc, "device");
        return false;
    }
    uint8_t secret[32];
    size_t n = 0;
    bool known = rc == KIOSK_OK && dev->secret_hex[0] &&
                 sodium_hex2bin(secret, sizeof secret, dev->secret_hex, strlen(dev->secret_hex),
                                NULL, &n, NULL) == 0 &&
                 n == sizeof secret;
    bool good = known && srv_sign_check(secret, req->method, req->target, kiosk_ms, req->body,
                                        req->body_len, req->signature);
    /* Behind a proxy that strips the base path, the kiosk signed it with the prefix. */
    if (known && !good && api->base_path[0] &&
        strncmp(req->target, api->base_path, strlen(api->base_path)) != 0) {
        char target[4096];
        int len = snprintf(target, sizeof target, "%s%s", api->base_path, req->target);
        good = len > 0 && (size_t)len < sizeof target &&
               srv_sign_check(secret, req->method, target, kiosk_ms, req->body, req->body_len,
                              req->signature);
    }
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(dev->secret_hex, sizeof dev->secret_hex);
    if (!good) {
        srv_reply_error(r, 401, "signature_invalid",
                        "the signature does not match (or the device is unknown)");
        return false;
    }
    if (dev->revoked_ms) {
        srv_reply_error(r, 403, "device_revoked", "this device was revoked");
        return false;
    }
    *offset_ms = req->now_ms - kiosk_ms;
    return true;
}

/* --- enrollment ---------------------------------------------------------------------------- */

static kiosk_rc enroll_device(srv_store *st, const char *token_hash, const char *hw_info,
                              int64_t now_ms, srv_device *dev, char secret_b64[64], srv_reply *r)
{
    srv_token tok;
    kiosk_rc rc = srv_store_token_get(st, token_hash, &tok);
    if (rc == KIOSK_ERR_NOT_FOUND)
        return srv_reply_error(r, 401, "token_invalid", "unknown enrollment token");
    if (rc != KIOSK_OK)
        return rc;
    if (tok.used_ms)
        return srv_reply_error(r, 401, "token_invalid", "this enrollment token was used already");
    if (now_ms > tok.expires_ms)
        return srv_reply_error(r, 401, "token_invalid", "this enrollment token has expired");
    rc = srv_store_device_get(st, tok.device_id, dev);
    if (rc != KIOSK_OK)
        return rc;
    if (dev->revoked_ms)
        return srv_reply_error(r, 401, "token_invalid", "the device of this token was revoked");
    if (dev->enrolled_ms)
        return srv_reply_error(r, 409, "already_enrolled",
                               "device %s is enrolled already (with another token)",
                               dev->device_id);
    uint8_t secret[32];
    char secret_hex[SRV_HEX32];
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(secret_hex, sizeof secret_hex, secret, sizeof secret);
    sodium_bin2base64(secret_b64, 64, secret, sizeof secret, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(secret, sizeof secret);
    rc = srv_store_device_enroll(st, dev->device_id, secret_hex, hw_info, now_ms);
    sodium_memzero(secret_hex, sizeof secret_hex);
    if (rc == KIOSK_OK)
        rc = srv_store_token_use(st, token_hash, now_ms);
    r->status = 201;
    return rc;
}

static void handle_enroll(srv_api *api, const srv_request *req, const char *body, size_t len,
                          srv_reply *r)
{
    char token[SRV_TOKEN_MAX], token_hash[SRV_HEX32], detail[SRV_DETAIL_MAX];
    char *hw_info = NULL;
    if (srv_wire_enroll(body, len, token, &hw_info, detail, sizeof detail) != KIOSK_OK) {
        srv_reply_error(r, 400, "bad_request", "%s", detail);
        return;
    }
    srv_sha256_hex(token, strlen(token), token_hash);
    sodium_memzero(token, sizeof token);
    srv_device dev;
    char secret_b64[64] = "";
    uint8_t key[32];
    char key_hex[SRV_HEX32], config_key[SRV_CONFIG_KEY_HEX];
    srv_site site;
    srv_store *st = writer_take(api);
    if (!st) {
        free(hw_info);
        srv_reply_storage(r, KIOSK_ERR_IO, "enroll");
        return;
    }
    /* The card key and the site are read in the same transaction: a reply that cannot be made
     * leaves the token unspent. */
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        rc = enroll_device(st, token_hash, hw_info, req->now_ms, &dev, secret_b64, r);
        if (rc == KIOSK_OK && r->status == 201)
            rc = srv_store_card_key(st, key);
        if (rc == KIOSK_OK && r->status == 201)
            rc = srv_store_site_get(st, dev.site_id, &site);
        /* The key the kiosk checks its remote configuration with, when there is one. */
        if (rc == KIOSK_OK && r->status == 201 &&
            (rc = srv_config_public_key(st, false, config_key)) == KIOSK_ERR_NOT_FOUND) {
            config_key[0] = '\0';
            rc = KIOSK_OK;
        }
        if (rc == KIOSK_OK && r->status == 201)
            rc = srv_store_commit(st);
    }
    writer_return(api);
    free(hw_info);
    if (rc != KIOSK_OK || r->status != 201) {
        if (rc != KIOSK_OK)
            srv_reply_storage(r, rc, "enroll");
        sodium_memzero(secret_b64, sizeof secret_b64);
        sodium_memzero(key, sizeof key);
        return;
    }
    sodium_bin2hex(key_hex, sizeof key_hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    reply_json(r, 201,
               json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:o}", "device_id",
                         dev.device_id, "site_id", dev.site_id, "canteen_id", dev.canteen_id,
                         "device_secret", secret_b64, "card_key", key_hex, "site", "name",
                         site.name, "city", site.area.city, "district", site.area.district,
                         "street", site.area.street, "timezone", site.timezone, "config_key",
                         config_key[0] ? json_string(config_key) : json_null()));
    sodium_memzero(secret_b64, sizeof secret_b64);
    sodium_memzero(key_hex, sizeof key_hex);
    KLOG_INFO("device %s enrolled (site %s, canteen %s)", dev.device_id, dev.site_id,
              dev.canteen_id);
}

/* --- upload -------------------------------------------------------------------------------- */

/* A growing text for a reply; a failed allocation is remembered and reported at the end. */
typedef struct text_buf {
    char *data;
    size_t len, cap;
    bool failed;
} text_buf;

static void put(text_buf *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void put_text(text_buf *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_int(text_buf *t, int64_t v)
{
    char n[24];
    put(t, n, (size_t)snprintf(n, sizeof n, "%" PRId64, v));
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_string(text_buf *t, const char *s)
{
    put(t, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(t, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            put(t, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
        } else {
            put(t, s, 1);
        }
    }
    put(t, "\"", 1);
}

/* {"results": [...], "device_high_water": N, "missing_seq_ranges": [[lo, hi], ...]}, the
 * server_time_ms added by http.c; NULL when out of memory. */
static char *batch_body(const srv_ingest *in, const srv_batch *batch)
{
    text_buf t = {0};
    put_text(&t, "{\"results\":[");
    for (size_t i = 0; i < in->count; i++) {
        const srv_item_result *res = &in->items[i];
        put_text(&t, i ? ",{\"record_id\":" : "{\"record_id\":");
        put_string(&t, batch->items[i].record_id);
        put_text(&t, ",\"status\":");
        put_string(&t, srv_item_status_name(res->status));
        if (res->status == SRV_ITEM_ACCEPTED) {
            put_text(&t, ",\"server_seq\":");
            put_int(&t, res->server_seq);
        }
        if (res->flagged) {
            put_text(&t, ",\"review_status\":");
            put_string(&t, SRV_REVIEW_SUSPECTED);
        }
        if (res->code) {
            put_text(&t, ",\"code\":");
            put_string(&t, res->code);
        }
        if (res->detail) {
            put_text(&t, ",\"detail\":");
            put_string(&t, res->detail);
        }
        put_text(&t, "}");
    }
    put_text(&t, "],\"device_high_water\":");
    put_int(&t, in->high_water);
    put_text(&t, ",\"missing_seq_ranges\":[");
    for (size_t i = 0; i < in->gap_count; i++) {
        put_text(&t, i ? ",[" : "[");
        put_int(&t, in->gaps[i][0]);
        put_text(&t, ",");
        put_int(&t, in->gaps[i][1]);
        put_text(&t, "]");
    }
    put_text(&t, in->gaps_truncated ? "],\"missing_seq_ranges_truncated\":true}" : "]}");
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void handle_batch(srv_api *api, const srv_request *req, const srv_device *dev,
                         int64_t offset, const char *body, size_t len, srv_reply *r)
{
    srv_batch batch;
    char detail[SRV_DETAIL_MAX];
    pthread_mutex_lock(&api->parse_lock);
    while (api->parse_slots <= 0)
        pthread_cond_wait(&api->parse_free, &api->parse_lock);
    api->parse_slots--;
    pthread_mutex_unlock(&api->parse_lock);
    kiosk_rc rc = srv_wire_batch(body, len, &batch, detail, sizeof detail);
    pthread_mutex_lock(&api->parse_lock);
    api->parse_slots++;
    pthread_cond_signal(&api->parse_free);
    pthread_mutex_unlock(&api->parse_lock);
    if (rc != KIOSK_OK) {
        if (rc == KIOSK_ERR_TOO_BIG)
            srv_reply_error(r, 413, "too_large", "%s (halve the batch)", detail);
        else if (rc == KIOSK_ERR_PARSE)
            srv_reply_error(r, 400, "bad_request", "%s", detail);
        else
            srv_reply_storage(r, rc, "batch");
        srv_batch_cleanup(&batch);
        return;
    }
    if (strcmp(batch.device_id, dev->device_id) != 0) {
        srv_reply_error(r, 403, "device_mismatch",
                        "device_id of the body is not the signing device");
        srv_batch_cleanup(&batch);
        return;
    }
    srv_fault fault = api->faults ? srv_faults_take() : (srv_fault){.kind = SRV_FAULT_NONE};
    /* One line per fault as it strikes (arming is logged apart): what a fault test counts. */
    if (fault.kind != SRV_FAULT_NONE)
        KLOG_WARN("fault injected: %s on a batch of %s", srv_fault_name(fault.kind),
                  dev->device_id);
    if (fault.kind == SRV_FAULT_503 || fault.kind == SRV_FAULT_429) {
        int status = fault.kind == SRV_FAULT_503 ? 503 : 429;
        srv_reply_error(r, status, status == 503 ? "unavailable" : "too_many_requests",
                        "fault injected: %d", status);
        r->retry_after = (int)fault.arg;
        srv_batch_cleanup(&batch);
        return;
    }
    /* The kiosk's own estimate from its heartbeat is round-trip based; the request's one-way
     * estimate is the fallback, and wins when the two disagree by more than a minute. */
    if (dev->hb_has_clock_offset && req->now_ms - dev->hb_received_ms < HEARTBEAT_OFFSET_FRESH_MS &&
        llabs(dev->hb_clock_offset_ms - offset) <= HEARTBEAT_OFFSET_AGREE_MS)
        offset = dev->hb_clock_offset_ms;
    srv_ingest in = {0};
    srv_store *st = writer_take(api);
    if (!st) {
        srv_reply_storage(r, KIOSK_ERR_IO, "batch");
        goto out;
    }
    rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        rc = srv_ingest_batch(st, dev, &batch, req->now_ms, offset, &in);
        if (rc == KIOSK_OK && fault.kind == SRV_FAULT_500_BEFORE_COMMIT) {
            writer_return(api);
            KLOG_WARN("fault: batch of %s rolled back, answering 500", dev->device_id);
            srv_reply_error(r, 500, "internal", "fault injected: 500 before commit");
            goto out;
        }
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
    }
    if (rc == KIOSK_OK && fault.kind == SRV_FAULT_KILL_AFTER_COMMIT) {
        KLOG_WARN("fault: committed, exiting before the answer");
        _exit(SRV_FAULT_EXIT_STATUS);
    }
    writer_return(api);
    if (rc != KIOSK_OK) {
        srv_reply_storage(r, rc, "batch");
        goto out;
    }
    KLOG_INFO("device %s: batch %s of %zu: %ld accepted, %ld duplicate, %ld conflict, %ld "
              "rejected, %ld flagged; high water %lld",
              dev->device_id, batch.batch_id[0] ? batch.batch_id : "-", batch.count, in.accepted,
              in.duplicates, in.conflicts, in.rejected, in.flagged, (long long)in.high_water);
    if (fault.kind == SRV_FAULT_500_AFTER_COMMIT) {
        srv_reply_error(r, 500, "internal", "fault injected: 500 after commit");
        goto out;
    }
    if (fault.kind == SRV_FAULT_SLOW)
        sleep_ms(fault.arg); /* the writer is free again: others go on meanwhile */
    r->raw = batch_body(&in, &batch);
    if (r->raw)
        r->status = 200;
    else
        srv_reply_error(r, 500, "internal", "out of memory");
out:
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(&batch);
}

/* --- pull, snapshot, heartbeat ------------------------------------------------------------- */

typedef struct expire_walk {
    srv_store *st;
    int64_t older_than;
    long dropped;
} expire_walk;

static kiosk_rc expire_site(void *user, const srv_site *site)
{
    expire_walk *w = user;
    long n = 0;
    kiosk_rc rc = srv_streams_expire(w->st, site->site_id, w->older_than, &n);
    w->dropped += n;
    return rc;
}

/* Tombstones older than the keep time are dropped, at most once an hour, by whichever pull
 * comes first. */
static void expire_due(srv_api *api, int64_t now_ms)
{
    int64_t last = atomic_load(&api->last_expire_ms);
    if (now_ms - last < EXPIRE_EVERY_MS ||
        !atomic_compare_exchange_strong(&api->last_expire_ms, &last, now_ms))
        return;
    srv_store *st = writer_take(api);
    if (!st)
        return;
    expire_walk w = {.st = st, .older_than = now_ms - SRV_TOMBSTONE_KEEP_MS};
    kiosk_rc rc = srv_store_site_list(st, expire_site, &w);
    if (rc == KIOSK_OK) {
        long n = 0;
        rc = srv_streams_expire(st, SRV_ANY_SITE, w.older_than, &n);
        w.dropped += n;
    }
    if (rc != KIOSK_OK)
        KLOG_WARN("dropping old tombstones failed: %s", srv_store_errmsg(st));
    writer_return(api);
    if (rc == KIOSK_OK && w.dropped)
        KLOG_INFO("dropped %ld tombstones older than 45 days", w.dropped);
}

static void handle_stream(srv_api *api, srv_store *st, const srv_request *req,
                          const srv_device *dev, bool snapshot, srv_reply *r)
{
    const char *q = strchr(req->target, '?');
    srv_query query;
    char code[24], detail[SRV_DETAIL_MAX];
    if (srv_wire_query(q ? q + 1 : "", &query, code, detail, sizeof detail) != KIOSK_OK) {
        srv_reply_error(r, 400, code, "%s", detail);
        return;
    }
    srv_site site;
    kiosk_rc rc = srv_store_site_get(st, dev->site_id, &site);
    if (rc == KIOSK_OK && !snapshot)
        expire_due(api, req->now_ms);
    if (rc == KIOSK_OK)
        rc = snapshot ? srv_streams_snapshot(st, dev, &site, &query, req->now_ms, r)
                      : srv_streams_pull(st, dev, &site, &query, req->now_ms, r);
    if (rc != KIOSK_OK)
        srv_reply_storage(r, rc, snapshot ? "snapshot" : "pull");
}

static kiosk_rc take_config(void *user, int64_t version, const char *body, const char *signature)
{
    json_t **out = user;
    *out = json_pack("{s:I, s:s, s:s}", "version", (json_int_t)version, "body", body, "signature",
                     signature);
    return *out ? KIOSK_OK : KIOSK_ERR_NOMEM;
}

static void handle_heartbeat(srv_api *api, const srv_request *req, const srv_device *dev,
                             const char *body, size_t len, srv_reply *r)
{
    srv_heartbeat_in in;
    char detail[SRV_DETAIL_MAX];
    kiosk_rc rc = srv_wire_heartbeat(body, len, &in, detail, sizeof detail);
    if (rc != KIOSK_OK) {
        if (rc == KIOSK_ERR_PARSE)
            srv_reply_error(r, 400, "bad_request", "%s", detail);
        else
            srv_reply_storage(r, rc, "heartbeat");
        return;
    }
    srv_heartbeat hb = {.received_ms = req->now_ms,
                        .body = in.body,
                        .pending = in.pending,
                        .oldest_pending_ms = in.oldest_pending_ms,
                        .has_clock_offset = in.has_clock_offset,
                        .clock_offset_ms = in.clock_offset_ms,
                        .app_version = in.app_version[0] ? in.app_version : NULL};
    srv_store *st = writer_take(api);
    rc = st ? srv_store_begin(st, true) : KIOSK_ERR_IO;
    if (rc == KIOSK_OK) {
        rc = srv_store_heartbeat_put(st, dev->device_id, &hb);
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
    }
    /* A configuration newer than the one the kiosk has applied goes back with the reply. */
    json_t *config = NULL;
    if (rc == KIOSK_OK) {
        rc = srv_store_config_get(st, dev->device_id, take_config, &config);
        if (rc == KIOSK_ERR_NOT_FOUND)
            rc = KIOSK_OK;
    }
    if (st)
        writer_return(api);
    free(in.body);
    if (rc == KIOSK_OK && config &&
        json_integer_value(json_object_get(config, "version")) > in.config_version) {
        reply_json(r, 200, json_pack("{s:O}", "config", config));
        KLOG_INFO("device %s: configuration version %lld sent", dev->device_id,
                  (long long)json_integer_value(json_object_get(config, "version")));
    } else if (rc != KIOSK_OK) {
        srv_reply_storage(r, rc, "heartbeat");
    } else {
        r->status = 204;
    }
    json_decref(config);
}

/* --- routing ------------------------------------------------------------------------------- */

typedef enum endpoint { EP_ENROLL, EP_BATCH, EP_PULL, EP_SNAPSHOT, EP_HEARTBEAT } endpoint;

static const struct route {
    const char *path;
    const char *method;
    endpoint ep;
} routes[] = {
    {"/v1/devices/enroll", "POST", EP_ENROLL},
    {"/v1/records:batch", "POST", EP_BATCH},
    {"/v1/sync/pull", "GET", EP_PULL},
    {"/v1/sync/snapshot", "GET", EP_SNAPSHOT},
    {"/v1/devices/heartbeat", "POST", EP_HEARTBEAT},
};

void srv_api_handle(srv_api *api, const srv_request *req, srv_reply *r, const char **allow)
{
    *allow = NULL;
    const char *path = req->target;
    size_t base = strlen(api->base_path);
    if (base && strncmp(path, api->base_path, base) == 0 && path[base] == '/')
        path += base;
    size_t path_len = strcspn(path, "?");
    const struct route *route = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (strlen(routes[i].path) == path_len && strncmp(routes[i].path, path, path_len) == 0)
            route = &routes[i];
    if (!route) {
        srv_reply_error(r, 404, "not_found", "no such endpoint");
        return;
    }
    if (strcmp(req->method, route->method) != 0) {
        *allow = route->method;
        srv_reply_error(r, 405, "method_not_allowed", "use %s", route->method);
        return;
    }
    srv_store *st = pool_take(api);
    if (!st) {
        srv_reply_storage(r, KIOSK_ERR_IO, "database");
        return;
    }
    srv_device dev;
    int64_t offset = 0;
    char *owned = NULL;
    const char *body = NULL;
    size_t len = 0;
    if (route->ep != EP_ENROLL && !authenticate(api, st, req, &dev, &offset, r))
        goto out;
    if (route->method[0] == 'P' && !decode_body(req, &owned, &body, &len, r))
        goto out;
    switch (route->ep) {
    case EP_ENROLL:
        handle_enroll(api, req, body, len, r);
        break;
    case EP_BATCH:
        handle_batch(api, req, &dev, offset, body, len, r);
        break;
    case EP_PULL:
    case EP_SNAPSHOT:
        handle_stream(api, st, req, &dev, route->ep == EP_SNAPSHOT, r);
        break;
    case EP_HEARTBEAT:
        handle_heartbeat(api, req, &dev, body, len, r);
        break;
    }
out:
    free(owned);
    pool_return(api, st);
}
