/* sync_worker.c - the sync thread (sync.h). One request at a time through one libcurl multi
 * handle; the thread sleeps in curl_multi_poll until the request's sockets, the next deadline
 * (a retry, the next cycle, the heartbeat, the moment meals start to count as offline) or
 * kiosk_sync_wake. A cycle uploads the outbox first, then pulls the streams in priority order
 * (so meals_today already holds this kiosk's uploads), then sends a heartbeat when one is due.
 * Every database change is a short transaction on the worker's own handle. */
#define _GNU_SOURCE /* gettid */
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "clock.h"
#include "hall.h"
#include "log.h"
#include "store.h"
#include "sync.h"
#include "sync_clock.h"
#include "sync_http.h"
#include "sync_remote.h"
#include "sync_retry.h"
#include "sync_state.h"
#include "sync_wire.h"
#include "workcal.h"

_Static_assert(KIOSK_STREAM_COUNT == KIOSK_SYNC_STREAMS,
               "the status keeps an age per stream (event.h)");
#define KIOSK_LOG_MODULE "sync"

/* A batch is at most this large gzip'd (sync design §2.3.1), and its JSON at most this large
 * before (the server's 4 MiB limit, with room for the envelope). */
#define BATCH_GZIP_MAX    (256u * 1024)
#define BATCH_PAYLOAD_MAX (3u << 20)
/* Rows of a snapshot swapped in per transaction: a tap waits for one of these at most. */
#define SWAP_CHUNK 1000
/* Status posts for changed counts at most this often (a state change is posted at once). */
#define POST_INTERVAL_MS  500
#define STATS_INTERVAL_MS 1000
/* The last contact and the clock estimate are written down at most this often. */
#define PERSIST_INTERVAL_MS 10000
/* The store is opened again after this when it cannot be. */
#define REOPEN_MS 10000
/* Wait at least this after a database error on the worker's side. */
#define DB_RETRY_MS 2000
/* The worker copies the WAL into the database after this many pages of its own, so the WAL
 * never grows to the size at which SQLite checkpoints inside whatever commit comes next - a
 * diner's, perhaps. */
#define CHECKPOINT_PAGES 8
/* Rows of a pulled page applied per transaction (see apply_page). */
#define APPLY_CHUNK 200

typedef enum step {
    STEP_ENROLL,
    STEP_UPLOAD,
    STEP_PULL,
    STEP_SNAPSHOT,
    STEP_HEARTBEAT,
    STEP_IDLE
} step;

typedef enum request_kind {
    REQ_ENROLL,
    REQ_BATCH,
    REQ_PULL,
    REQ_SNAPSHOT,
    REQ_HEARTBEAT
} request_kind;

struct kiosk_sync {
    kiosk_sync_config cfg;
    char db_path[1024];
    kiosk_sync_post_fn post;
    void *user;
    pthread_t thread;
    atomic_bool stop;
    atomic_bool wake;
    atomic_int devices[KIOSK_DEVICE_ROLE_COUNT]; /* kiosk_device_state, set by the app */
    CURLM *multi;

    /* Everything below belongs to the worker thread. */
    kiosk_store *store;
    kiosk_sync_identity id;
    bool enrolled;
    kiosk_sync_status status, posted;
    int64_t posted_mono, stats_mono, persisted_mono;
    kiosk_clock_estimator clock;

    step step;
    int stream;        /* the stream being pulled or snapshot */
    bool upload_first; /* new records came during a pull: upload before its next page */
    step resume;       /* where a cycle goes on after the uploads: a pull, or a snapshot */
    int64_t next_mono; /* the next request may start then */
    unsigned failures; /* in a row, for the backoff */
    int64_t cycle_mono, heartbeat_mono; /* when the next cycle / heartbeat is due */
    bool parked; /* revoked, or the enrollment refused: nothing more is sent */
    char config_error[KIOSK_SYNC_REMOTE_ERROR_MAX]; /* the last refused configuration's, or "" */
    int64_t started_mono; /* the worker starts with the kiosk: the heartbeat's uptime */

    sync_http req;
    bool in_flight;
    request_kind kind;

    /* The batch being sent: kept until the server answered for it, so a resend carries the same
     * records, the same batch_id and the same bytes. */
    kiosk_outbox_batch batch;
    size_t batch_count; /* records of batch in the request */
    size_t batch_limit; /* records per batch (halved by a 413) */
    bool gzip_ok;       /* false after a 415 */
    unsigned pages_since_checkpoint;
    /* The batch after it, built while the server works on the one in flight. */
    kiosk_outbox_batch next;
    size_t next_count;
    uint8_t *next_body;
    size_t next_len;
    bool next_gzip;

    /* A snapshot in progress. */
    char snap_after[KIOSK_WIRE_CURSOR_MAX];
    char snap_cursor[KIOSK_WIRE_CURSOR_MAX];
    bool snap_started;
};

/* --- status -------------------------------------------------------------------------------------
 */

static int64_t now_mono(void)
{
    return kiosk_clock_mono_ms();
}

/* Whether a meal made now counts as made offline: no successful contact within
 * offline_after_s (none ever counts too). */
static bool offline_now(const kiosk_sync *s)
{
    int64_t limit = (int64_t)s->cfg.offline_after_s * 1000;
    if (s->status.last_ok_mono_ms >= 0)
        return now_mono() - s->status.last_ok_mono_ms > limit;
    if (s->status.last_ok_ms < 0)
        return true;
    return kiosk_clock_now_ms() - s->status.last_ok_ms > limit;
}

static void set_state(kiosk_sync *s, kiosk_sync_state state)
{
    if (s->status.state != state)
        KLOG_INFO("sync: %s -> %s", kiosk_sync_state_name(s->status.state),
                  kiosk_sync_state_name(state));
    s->status.state = state;
}

static void refresh_stats(kiosk_sync *s, bool force)
{
    int64_t now = now_mono();
    if (!s->store || (!force && now - s->stats_mono < STATS_INTERVAL_MS))
        return;
    s->stats_mono = now;
    long pending, rejected;
    int64_t oldest;
    if (kiosk_store_sync_outbox_figures(s->store, &pending, &rejected, &oldest) == KIOSK_OK) {
        s->status.pending = pending;
        s->status.rejected = rejected;
        s->status.oldest_pending_ms = oldest;
    }
    for (int i = 0; i < KIOSK_STREAM_COUNT; i++) {
        char cursor[KIOSK_WIRE_CURSOR_MAX];
        int64_t ok = -1;
        if (kiosk_store_sync_cursor(s->store, kiosk_stream_name((kiosk_stream)i), cursor,
                                    sizeof cursor, &ok) == KIOSK_OK)
            s->status.stream_ok_ms[i] = ok;
    }
}

/* Posts the status when it changed: a state, a flag or a serial at once, counts at most every
 * POST_INTERVAL_MS. */
static void post_status(kiosk_sync *s, bool force)
{
    s->status.offline_records = offline_now(s);
    s->status.uploading = s->status.pending > 0 && (s->status.state == KIOSK_SYNC_ONLINE ||
                                                    s->status.state == KIOSK_SYNC_STARTING);
    const kiosk_sync_status *a = &s->status, *b = &s->posted;
    bool major = a->state != b->state || a->uploading != b->uploading ||
                 a->offline_records != b->offline_records || a->policy_serial != b->policy_serial ||
                 a->card_key_serial != b->card_key_serial ||
                 (a->pending == 0) != (b->pending == 0) || (a->rejected > 0) != (b->rejected > 0);
    bool minor = a->pending != b->pending || a->rejected != b->rejected ||
                 a->oldest_pending_ms != b->oldest_pending_ms || a->last_ok_ms != b->last_ok_ms ||
                 a->clock_offset_ms != b->clock_offset_ms ||
                 a->clock_uncert_ms != b->clock_uncert_ms ||
                 memcmp(a->stream_ok_ms, b->stream_ok_ms, sizeof a->stream_ok_ms) != 0;
    int64_t now = now_mono();
    if (!force && !major && (!minor || now - s->posted_mono < POST_INTERVAL_MS))
        return;
    if (s->post && !s->post(s->user, &s->status))
        return; /* again on the next turn */
    s->posted = s->status;
    s->posted_mono = now;
}

/* Writes the last contact and the clock estimate down (rate-limited), so a restart knows how
 * long the kiosk has been out of touch. */
static void persist(kiosk_sync *s, bool force)
{
    int64_t now = now_mono();
    if (!s->store || (!force && now - s->persisted_mono < PERSIST_INTERVAL_MS))
        return;
    s->persisted_mono = now;
    kiosk_rc rc = KIOSK_OK;
    if (s->status.last_ok_ms >= 0)
        rc = kiosk_store_sync_set_int(s->store, "sync_last_ok_ms", s->status.last_ok_ms);
    if (rc == KIOSK_OK && s->status.clock_uncert_ms >= 0) {
        rc = kiosk_store_sync_set_int(s->store, "sync_clock_offset_ms", s->status.clock_offset_ms);
        if (rc == KIOSK_OK)
            rc = kiosk_store_sync_set_int(s->store, "sync_clock_uncert_ms",
                                          s->status.clock_uncert_ms);
    }
    if (rc != KIOSK_OK)
        KLOG_DEBUG("sync: the last contact was not written down (%s)", kiosk_strerror(rc));
}

/* A reply came: its time feeds the clock estimate; a successful one is a contact. */
static void contact(kiosk_sync *s, const sync_http *h, bool ok)
{
    if (ok) {
        s->status.last_ok_ms = kiosk_clock_now_ms();
        s->status.last_ok_mono_ms = now_mono();
    }
    int64_t server = sync_http_server_time(h);
    kiosk_clock_estimator_add(&s->clock, server, h->wall_send_ms, h->mono_send_ms, h->mono_recv_ms);
    kiosk_clock_sample best;
    if (kiosk_clock_estimator_best(&s->clock, now_mono(), &best)) {
        s->status.clock_offset_ms = best.offset_ms;
        s->status.clock_uncert_ms = best.uncert_ms;
    }
    persist(s, false);
}

/* --- scheduling ----------------------------------------------------------------------------------
 */

static void schedule(kiosk_sync *s, step next, int64_t delay_ms)
{
    s->step = next;
    s->next_mono = now_mono() + (delay_ms > 0 ? delay_ms : 0);
}

static void start_cycle(kiosk_sync *s)
{
    int64_t now = now_mono();
    s->cycle_mono = now + (int64_t)s->cfg.pull_s * 1000;
    s->stream = 0;
    s->resume = STEP_PULL;
    schedule(s, s->enrolled ? STEP_UPLOAD : STEP_ENROLL, 0);
}

static void drop_next(kiosk_sync *s);

/* After a failure of class c: wait, then start over with a cycle (the batch in hand is kept). */
static void back_off(kiosk_sync *s, kiosk_sync_class c, long retry_after_s, const char *what)
{
    drop_next(s); /* rebuilt after the retry: the batch in hand goes first */
    int64_t wait = kiosk_sync_wait_ms(c, s->failures, randombytes_random(), retry_after_s,
                                      s->cfg.retry_max_ms);
    if (s->failures < 64)
        s->failures++;
    KLOG_WARN("sync: %s (%s); next try in %" PRId64 " ms", what, kiosk_sync_class_name(c), wait);
    /* A snapshot being staged goes on where it was; pulls start again with the first stream
     * (their cursors are stored). */
    if (!s->snap_started) {
        s->stream = 0;
        s->resume = STEP_PULL;
    }
    schedule(s, s->enrolled ? STEP_UPLOAD : STEP_ENROLL, wait);
}

static void park(kiosk_sync *s, kiosk_sync_state state, const char *why)
{
    KLOG_ERROR("sync: stopped: %s; staff must act (restart the kiosk when it is resolved)", why);
    set_state(s, state);
    s->parked = true;
    s->step = STEP_IDLE;
    s->next_mono = INT64_MAX;
}

/* --- requests ------------------------------------------------------------------------------------
 */

static bool send_request(kiosk_sync *s, request_kind kind, const char *method, const char *target,
                         uint8_t *body, size_t len, bool gzip)
{
    char err[200];
    kiosk_rc rc = sync_http_prepare(&s->req, &s->cfg, kind == REQ_ENROLL ? NULL : &s->id, method,
                                    target, body, len, gzip, err, sizeof err);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: cannot prepare %s %s: %s", method, target, err);
        sync_http_cleanup(&s->req);
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "request not prepared");
        return false;
    }
    sync_http_started(&s->req);
    if (curl_multi_add_handle(s->multi, s->req.easy) != CURLM_OK) {
        sync_http_cleanup(&s->req);
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "curl_multi_add_handle failed");
        return false;
    }
    s->in_flight = true;
    s->kind = kind;
    KLOG_DEBUG("sync: %s %s (%zu bytes)", method, s->req.target, len);
    return true;
}

static void drop_next(kiosk_sync *s)
{
    kiosk_outbox_batch_cleanup(&s->next);
    free(s->next_body);
    s->next_body = NULL;
    s->next_count = 0;
}

static void drop_batch(kiosk_sync *s)
{
    kiosk_outbox_batch_cleanup(&s->batch);
    s->batch_count = 0;
}

/* Builds the request body for the first n records of the batch: gzip'd, at most
 * BATCH_GZIP_MAX; fewer records when it is larger. */
static kiosk_rc build_batch_body(kiosk_sync *s, const kiosk_outbox_batch *batch, size_t *count,
                                 uint8_t **body, size_t *len, bool *gzip)
{
    size_t n = *count;
    for (;;) {
        kiosk_wire_bytes json, gz;
        char batch_id[37];
        kiosk_rc rc = kiosk_wire_batch_request(s->id.device_id, batch->items, n, &json, batch_id);
        if (rc != KIOSK_OK)
            return rc;
        if (!s->gzip_ok) {
            *body = json.data;
            *len = json.len;
            *gzip = false;
            *count = n;
            return KIOSK_OK;
        }
        rc = kiosk_wire_gzip(json.data, json.len, &gz);
        free(json.data);
        if (rc != KIOSK_OK)
            return rc;
        if (gz.len <= BATCH_GZIP_MAX || n == 1) {
            *body = gz.data;
            *len = gz.len;
            *gzip = true;
            *count = n;
            KLOG_DEBUG("sync: batch %s: %zu records, %zu bytes gzip'd", batch_id, n, gz.len);
            return KIOSK_OK;
        }
        free(gz.data);
        n = (n + 1) / 2;
    }
}

/* Builds the batch that follows the one just sent, while the server works on that one. */
static void prefetch(kiosk_sync *s)
{
    drop_next(s);
    int64_t after = s->batch.items[s->batch_count - 1].device_seq;
    if (kiosk_store_sync_outbox_after(s->store, after, s->batch_limit, BATCH_PAYLOAD_MAX,
                                      &s->next) != KIOSK_OK ||
        !s->next.count) {
        drop_next(s);
        return;
    }
    s->next_count = s->next.count;
    if (build_batch_body(s, &s->next, &s->next_count, &s->next_body, &s->next_len, &s->next_gzip) !=
        KIOSK_OK)
        drop_next(s);
}

static void start_upload(kiosk_sync *s)
{
    if (!s->batch.count && s->next_body) {
        /* Prepared while the last one was on its way. */
        s->batch = s->next;
        s->batch_count = s->next_count;
        uint8_t *body = s->next_body;
        memset(&s->next, 0, sizeof s->next);
        s->next_body = NULL;
        s->next_count = 0;
        if (send_request(s, REQ_BATCH, "POST", "/v1/records:batch", body, s->next_len,
                         s->next_gzip))
            prefetch(s);
        return;
    }
    drop_next(s);
    if (!s->batch.count) {
        kiosk_rc rc =
            kiosk_store_outbox_pending(s->store, s->batch_limit, BATCH_PAYLOAD_MAX, &s->batch);
        if (rc != KIOSK_OK) {
            KLOG_WARN("sync: the outbox cannot be read: %s", kiosk_store_errmsg(s->store));
            schedule(s, STEP_UPLOAD, DB_RETRY_MS);
            return;
        }
        s->batch_count = s->batch.count;
    }
    if (!s->batch.count) {
        kiosk_outbox_batch_cleanup(&s->batch);
        s->upload_first = false;
        refresh_stats(s, true);
        schedule(s, s->resume, 0); /* all sent: on to the pulls, where they were left */
        return;
    }
    uint8_t *body = NULL;
    size_t len = 0;
    bool gzip = false;
    kiosk_rc rc = build_batch_body(s, &s->batch, &s->batch_count, &body, &len, &gzip);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: the batch cannot be built: %s", kiosk_strerror(rc));
        drop_batch(s);
        schedule(s, STEP_UPLOAD, DB_RETRY_MS);
        return;
    }
    if (send_request(s, REQ_BATCH, "POST", "/v1/records:batch", body, len, gzip))
        prefetch(s);
}

static void start_pull(kiosk_sync *s)
{
    if (s->upload_first) {
        schedule(s, STEP_UPLOAD, 0);
        return;
    }
    if (s->stream >= KIOSK_STREAM_COUNT) {
        s->stream = 0;
        bool beat = now_mono() >= s->heartbeat_mono;
        schedule(s, beat ? STEP_HEARTBEAT : STEP_IDLE, 0);
        return;
    }
    const char *name = kiosk_stream_name((kiosk_stream)s->stream);
    char cursor[KIOSK_WIRE_CURSOR_MAX];
    int64_t ok;
    if (kiosk_store_sync_cursor(s->store, name, cursor, sizeof cursor, &ok) != KIOSK_OK) {
        schedule(s, STEP_PULL, DB_RETRY_MS);
        return;
    }
    char target[600], *escaped = curl_easy_escape(NULL, cursor, 0);
    snprintf(target, sizeof target, "/v1/sync/pull?stream=%s&cursor=%s&limit=%d", name,
             escaped ? escaped : "", s->cfg.page_rows);
    curl_free(escaped);
    send_request(s, REQ_PULL, "GET", target, NULL, 0, false);
}

static void start_snapshot(kiosk_sync *s)
{
    s->resume = STEP_SNAPSHOT;
    if (s->upload_first) {
        schedule(s, STEP_UPLOAD, 0);
        return;
    }
    const char *name = kiosk_stream_name((kiosk_stream)s->stream);
    if (!s->snap_started) {
        if (!kiosk_stream_upserts_only((kiosk_stream)s->stream) &&
            kiosk_store_sync_snapshot_start(s->store, name) != KIOSK_OK) {
            KLOG_ERROR("sync: a snapshot of %s cannot be staged: %s", name,
                       kiosk_store_errmsg(s->store));
            schedule(s, STEP_SNAPSHOT, DB_RETRY_MS);
            return;
        }
        s->snap_started = true;
        s->snap_after[0] = '\0';
        s->snap_cursor[0] = '\0';
        KLOG_INFO("sync: %s: the server no longer has the changes since our cursor; taking a"
                  " snapshot",
                  name);
    }
    char target[700];
    int n = snprintf(target, sizeof target, "/v1/sync/snapshot?stream=%s&limit=%d", name,
                     s->cfg.page_rows);
    if (s->snap_after[0]) {
        char *escaped = curl_easy_escape(NULL, s->snap_after, 0);
        snprintf(target + n, sizeof target - (size_t)n, "&after=%s", escaped ? escaped : "");
        curl_free(escaped);
    }
    send_request(s, REQ_SNAPSHOT, "GET", target, NULL, 0, false);
}

static void start_heartbeat(kiosk_sync *s)
{
    refresh_stats(s, true);
    kiosk_wire_heartbeat hb = {
        .pending = s->status.pending,
        .rejected = s->status.rejected,
        .oldest_pending_ms = s->status.oldest_pending_ms,
        .last_ack_ms = -1,
        .has_offset = s->status.clock_uncert_ms >= 0,
        .clock_offset_ms = s->status.clock_offset_ms,
        .disk_free_bytes = -1,
        .app_version = s->cfg.app_version,
    };
    kiosk_outbox_stats st;
    if (kiosk_store_outbox_stats(s->store, &st) == KIOSK_OK)
        hb.last_ack_ms = st.last_ack_ms;
    int64_t wall = kiosk_clock_now_ms();
    for (int i = 0; i < KIOSK_STREAM_COUNT; i++)
        hb.stream_age_ms[i] =
            s->status.stream_ok_ms[i] < 0
                ? -1
                : (wall > s->status.stream_ok_ms[i] ? wall - s->status.stream_ok_ms[i] : 0);
    long offline = 0;
    if (kiosk_store_sync_offline_meals_on(s->store, kiosk_clock_local(wall).date, &offline) ==
        KIOSK_OK)
        hb.offline_meals = offline;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", s->db_path);
    struct statvfs vfs;
    if (statvfs(dirname(dir), &vfs) == 0)
        hb.disk_free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    char notice[64];
    if (kiosk_store_staff_notice(s->store, notice, sizeof notice) == KIOSK_OK && notice[0])
        hb.staff_notice = notice;
    hb.uptime_s = (now_mono() - s->started_mono) / 1000;
    hb.heartbeat_s = s->cfg.heartbeat_s;
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++)
        hb.devices[role] = (kiosk_device_state)atomic_load(&s->devices[role]);
    hb.config_version = kiosk_sync_remote_version(s->store);
    hb.config_error = s->config_error[0] ? s->config_error : NULL;
    /* Read again for each heartbeat: the updater writes it while this kiosk runs (the rolled-back
     * one is started before its report is final). */
    kiosk_update_report update;
    char update_problem[160];
    kiosk_rc urc = kiosk_update_report_read(s->db_path, &update, update_problem,
                                            sizeof update_problem);
    if (urc == KIOSK_OK)
        hb.update = &update;
    else if (urc != KIOSK_ERR_NOT_FOUND)
        hb.update_problem = update_problem;
    kiosk_wire_bytes body;
    if (kiosk_wire_heartbeat_request(&hb, &body) != KIOSK_OK) {
        schedule(s, STEP_IDLE, 0);
        return;
    }
    s->heartbeat_mono = now_mono() + (int64_t)s->cfg.heartbeat_s * 1000;
    send_request(s, REQ_HEARTBEAT, "POST", "/v1/devices/heartbeat", body.data, body.len, false);
}

static void start_enroll(kiosk_sync *s)
{
    if (!s->cfg.enroll_token[0]) {
        set_state(s, KIOSK_SYNC_UNENROLLED);
        KLOG_WARN("sync: this kiosk is not enrolled and [sync] has no enroll_token: nothing is"
                  " sent (run kiosk --enroll TOKEN)");
        s->parked = true;
        schedule(s, STEP_IDLE, 0);
        s->next_mono = INT64_MAX;
        return;
    }
    kiosk_wire_bytes body;
    if (kiosk_wire_enroll_request(s->cfg.enroll_token, s->cfg.app_version, "", &body) != KIOSK_OK) {
        schedule(s, STEP_ENROLL, DB_RETRY_MS);
        return;
    }
    send_request(s, REQ_ENROLL, "POST", "/v1/devices/enroll", body.data, body.len, false);
}

static void start_step(kiosk_sync *s)
{
    switch (s->step) {
    case STEP_ENROLL:
        start_enroll(s);
        break;
    case STEP_UPLOAD:
        start_upload(s);
        break;
    case STEP_PULL:
        start_pull(s);
        break;
    case STEP_SNAPSHOT:
        start_snapshot(s);
        break;
    case STEP_HEARTBEAT:
        start_heartbeat(s);
        break;
    case STEP_IDLE: {
        int64_t now = now_mono();
        if (now >= s->cycle_mono)
            start_cycle(s);
        else if (now >= s->heartbeat_mono)
            schedule(s, STEP_HEARTBEAT, 0);
        else
            s->next_mono = s->cycle_mono < s->heartbeat_mono ? s->cycle_mono : s->heartbeat_mono;
        if (s->step != STEP_IDLE)
            start_step(s);
        break;
    }
    }
}

/* --- replies -------------------------------------------------------------------------------- */

static kiosk_outbox_outcome outcome_of(const kiosk_wire_result *r, char *error, size_t size)
{
    switch (r->status) {
    case KIOSK_WIRE_ACCEPTED:
    case KIOSK_WIRE_DUPLICATE:
        error[0] = '\0';
        return KIOSK_OUTBOX_ACKED;
    case KIOSK_WIRE_CONFLICT:
        snprintf(error, size, "conflict: %s", r->code);
        return KIOSK_OUTBOX_REJECTED;
    case KIOSK_WIRE_REJECTED:
        snprintf(error, size, "rejected: %s%s%s", r->code, r->detail[0] ? ": " : "", r->detail);
        return KIOSK_OUTBOX_REJECTED;
    }
    return KIOSK_OUTBOX_RETRY;
}

static void finish_batch(kiosk_sync *s, const sync_http *h)
{
    kiosk_wire_batch_reply reply;
    char err[200];
    if (kiosk_wire_parse_batch_reply(h->reply, h->reply_len, &reply, err, sizeof err) != KIOSK_OK) {
        /* Whatever the server did, resending the same records is safe. */
        KLOG_ERROR("sync: the batch reply does not parse: %s", err);
        back_off(s, KIOSK_CLASS_UNKNOWN, 0, "unreadable batch reply");
        return;
    }
    size_t n = s->batch_count;
    kiosk_outbox_result *results = calloc(n, sizeof *results);
    char(*errors)[KIOSK_WIRE_CODE_MAX + KIOSK_WIRE_DETAIL_MAX + 16] = calloc(n, sizeof *errors);
    if (!results || !errors) {
        free(results);
        free(errors);
        kiosk_wire_batch_reply_cleanup(&reply);
        back_off(s, KIOSK_CLASS_UNKNOWN, 0, "out of memory");
        return;
    }
    long acked = 0, refused = 0, unanswered = 0;
    for (size_t i = 0; i < n; i++) {
        results[i].record_id = s->batch.items[i].record_id;
        results[i].outcome = KIOSK_OUTBOX_RETRY;
        for (size_t j = 0; j < reply.count; j++) {
            if (memcmp(reply.results[j].record_id.bytes, results[i].record_id.bytes, 16) != 0)
                continue;
            results[i].outcome = outcome_of(&reply.results[j], errors[i], sizeof errors[i]);
            results[i].error = errors[i][0] ? errors[i] : NULL;
            break;
        }
        if (results[i].outcome == KIOSK_OUTBOX_ACKED)
            acked++;
        else if (results[i].outcome == KIOSK_OUTBOX_REJECTED)
            refused++;
        else
            unanswered++;
    }
    if (unanswered)
        drop_next(s); /* they go first, in device_seq order */
    kiosk_rc rc = kiosk_store_outbox_mark(s->store, results, n, kiosk_clock_now_ms());
    if (reply.missing_ranges)
        KLOG_WARN("sync: the server misses %zu range(s) of this device's records, from seq %" PRId64
                  " (records lost before they were sent, or sent by a copy of this database)",
                  reply.missing_ranges, reply.first_missing);
    if (refused)
        KLOG_ERROR("sync: the server refused %ld record(s) for good; they are kept", refused);
    free(results);
    free(errors);
    kiosk_wire_batch_reply_cleanup(&reply);
    drop_batch(s);
    if (rc != KIOSK_OK) {
        drop_next(s);
        /* Still pending: sent again, and then answered "duplicate". */
        KLOG_WARN("sync: the answers were not written down: %s", kiosk_store_errmsg(s->store));
        schedule(s, STEP_UPLOAD, DB_RETRY_MS);
        return;
    }
    KLOG_DEBUG("sync: batch answered: %ld acked, %ld refused, %ld unanswered", acked, refused,
               unanswered);
    refresh_stats(s, false);
    schedule(s, STEP_UPLOAD, 0);
}

/* A calendar row: the file, parsed and applied as an import would (kiosk_store_apply_calendar
 * replaces the years it covers). */
static kiosk_rc apply_calendar_file(kiosk_sync *s, const char *text, size_t len, char *err,
                                    size_t err_size)
{
    kiosk_workcal *cal = malloc(sizeof *cal);
    if (!cal)
        return KIOSK_ERR_NOMEM;
    kiosk_rc rc = kiosk_workcal_parse(text, len, cal, err, err_size);
    if (rc == KIOSK_OK)
        rc = kiosk_store_apply_calendar(s->store, cal, kiosk_clock_now_ms());
    else if (rc == KIOSK_ERR_TOO_BIG)
        rc = KIOSK_ERR_PARSE;
    free(cal);
    return rc;
}

/* One change of a pulled page, inside the caller's transaction. */
static kiosk_rc apply_change(kiosk_sync *s, kiosk_stream stream, const kiosk_wire_change *c,
                             bool *policy_changed, long *bad)
{
    bool changed = false;
    char err[200] = "";
    kiosk_rc rc = KIOSK_OK;
    switch (stream) {
    case KIOSK_STREAM_CARDS:
        rc = c->is_delete ? kiosk_store_sync_drop_card(s->store, c->card.card_key, c->version)
                          : kiosk_store_sync_put_card(s->store, &c->card, c->version);
        break;
    case KIOSK_STREAM_POLICY:
        rc = c->is_delete ? kiosk_store_sync_drop_policy(s->store, c->key, c->version, &changed)
                          : kiosk_store_sync_put_policy(s->store, c->policy_json, c->policy_len,
                                                        c->version, &changed, err, sizeof err);
        break;
    case KIOSK_STREAM_ROSTER:
        rc = c->is_delete ? kiosk_store_sync_drop_person(s->store, c->key, c->version)
                          : kiosk_store_sync_put_person(s->store, &c->person, c->version);
        break;
    case KIOSK_STREAM_MEALS_TODAY:
        /* A meal is a fact: a tombstone of the window is not applied. */
        rc = c->is_delete ? KIOSK_OK : kiosk_store_sync_put_meal(s->store, &c->meal);
        break;
    case KIOSK_STREAM_APPOINTMENTS:
        rc = c->is_delete ? kiosk_store_delete_appointment(s->store, c->key)
                          : kiosk_store_upsert_appointment(s->store, &c->appointment,
                                                           kiosk_clock_now_ms());
        break;
    case KIOSK_STREAM_CHECKINS_TODAY:
        /* A ticket is a fact too. Another kiosk's ticket with a number this store holds for
         * another record is refused by the apply (KIOSK_ERR_INVALID, logged below). */
        rc = c->is_delete ? KIOSK_OK : kiosk_store_apply_checkin(s->store, c->text, err, sizeof err);
        break;
    case KIOSK_STREAM_CALENDAR:
        rc = c->is_delete ? KIOSK_OK : apply_calendar_file(s, c->text, c->text_len, err, sizeof err);
        break;
    case KIOSK_STREAM_STAFF:
        /* The server makes a member who left inactive, never deletes one (docs/staff.md). */
        rc = c->is_delete ? KIOSK_OK : kiosk_store_sync_put_staff(s->store, &c->staff);
        break;
    case KIOSK_STREAM_COUNT:
        break;
    }
    if (changed)
        *policy_changed = true;
    if (rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_PARSE) {
        if (!(*bad)++)
            KLOG_ERROR("sync: %s: a row (version %" PRId64 ") cannot be used and is left out: %s",
                       kiosk_stream_name(stream), c->version,
                       err[0] ? err : kiosk_store_errmsg(s->store));
        rc = KIOSK_OK;
    }
    return rc;
}

/* Applies a pulled page in transactions of at most APPLY_CHUNK rows, the last of which also
 * saves the page's cursor: a tap waits for one short transaction at most, and a crash anywhere
 * leaves the old cursor, so the same page comes again and applies idempotently (a row replaces
 * only an older version of itself). */
static kiosk_rc apply_page(kiosk_sync *s, const kiosk_wire_page *page, bool save_cursor,
                           bool *policy_changed)
{
    long bad = 0;
    size_t i = 0;
    do {
        int64_t chunk_start = now_mono();
        kiosk_rc rc = kiosk_store_begin(s->store);
        if (rc != KIOSK_OK)
            return rc;
        size_t end = i + APPLY_CHUNK < page->count ? i + APPLY_CHUNK : page->count;
        for (; rc == KIOSK_OK && i < end; i++)
            rc = apply_change(s, page->stream, &page->changes[i], policy_changed, &bad);
        if (rc != KIOSK_OK) {
            kiosk_store_rollback(s->store);
            return rc;
        }
        if (i < page->count) {
            rc = kiosk_store_commit(s->store);
            if (rc != KIOSK_OK)
                return rc;
            /* SQLite's lock is not fair: a tap that waited for it meanwhile (polling every half
             * millisecond, kiosk_store_set_busy_timeout) gets it in this gap. */
            if (kiosk_store_lock_wanted_since(chunk_start)) {
                struct timespec gap = {0, 1000000};
                nanosleep(&gap, NULL);
            }
        }
    } while (i < page->count);
    if (!save_cursor)
        return kiosk_store_commit(s->store);
    return kiosk_store_sync_page_commit(s->store, kiosk_stream_name(page->stream), page->cursor,
                                        !page->has_more, kiosk_clock_now_ms());
}

static void finish_pull(kiosk_sync *s, const sync_http *h)
{
    kiosk_wire_page page;
    char err[200];
    kiosk_stream stream = (kiosk_stream)s->stream;
    if (kiosk_wire_parse_pull(stream, h->reply, h->reply_len, &page, err, sizeof err) != KIOSK_OK) {
        KLOG_ERROR("sync: %s: the page does not parse: %s", kiosk_stream_name(stream), err);
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "unreadable page");
        return;
    }
    if (page.skipped)
        KLOG_ERROR("sync: %s: %zu row(s) left out: %s", kiosk_stream_name(stream), page.skipped,
                   page.skip_reason);
    bool policy_changed = false;
    int64_t t0 = now_mono();
    kiosk_rc rc = apply_page(s, &page, true, &policy_changed);
    int64_t held = now_mono() - t0;
    bool more = page.has_more;
    size_t count = page.count;
    kiosk_wire_page_cleanup(&page);
    if (rc != KIOSK_OK) {
        KLOG_WARN("sync: %s: the page was not applied (%s); it is asked for again",
                  kiosk_stream_name(stream), kiosk_store_errmsg(s->store));
        schedule(s, STEP_PULL, DB_RETRY_MS);
        return;
    }
    if (policy_changed)
        s->status.policy_serial++;
    if (count > 0 && ++s->pages_since_checkpoint >= CHECKPOINT_PAGES) {
        s->pages_since_checkpoint = 0;
        if (kiosk_store_checkpoint(s->store) != KIOSK_OK)
            KLOG_DEBUG("sync: checkpoint: %s", kiosk_store_errmsg(s->store));
    }
    KLOG_DEBUG("sync: %s: %zu change(s) applied in %" PRId64 " ms%s", kiosk_stream_name(stream),
               count, held, more ? ", more to come" : "");
    if (!more) {
        s->status.stream_ok_ms[stream] = kiosk_clock_now_ms();
        s->stream++;
    }
    schedule(s, STEP_PULL, 0);
}

/* A snapshot page of a stream whose rows are never taken back (kiosk_stream_upserts_only): its
 * rows are applied as upserts; the snapshot's cursor is saved with the last page only, so a crash
 * in between takes the snapshot again from its start. Takes the page. */
static void finish_upsert_snapshot(kiosk_sync *s, kiosk_wire_page *page)
{
    const char *name = kiosk_stream_name(page->stream);
    bool policy_changed = false, last = !page->has_more;
    snprintf(s->snap_after, sizeof s->snap_after, "%s", page->next);
    page->has_more = false; /* the stream is up to date once the last page is in */
    kiosk_rc rc = apply_page(s, page, last, &policy_changed);
    kiosk_wire_page_cleanup(page);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: %s: a snapshot page could not be applied: %s", name,
                   kiosk_store_errmsg(s->store));
        s->snap_started = false;
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "snapshot page not applied");
        return;
    }
    if (!last) {
        schedule(s, STEP_SNAPSHOT, 0);
        return;
    }
    s->snap_started = false;
    s->resume = STEP_PULL;
    KLOG_INFO("sync: %s snapshot applied", name);
    schedule(s, STEP_PULL, 0);
}

static void finish_snapshot(kiosk_sync *s, const sync_http *h)
{
    kiosk_wire_page page;
    char err[200];
    kiosk_stream stream = (kiosk_stream)s->stream;
    const char *name = kiosk_stream_name(stream);
    if (kiosk_wire_parse_snapshot(stream, h->reply, h->reply_len, &page, err, sizeof err) !=
        KIOSK_OK) {
        KLOG_ERROR("sync: %s: the snapshot page does not parse: %s", name, err);
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "unreadable snapshot page");
        return;
    }
    if (page.skipped)
        KLOG_ERROR("sync: %s snapshot: %zu row(s) left out: %s", name, page.skipped,
                   page.skip_reason);
    /* The first page fixes the cursor; a later page with another means the server started
     * over: so does the kiosk. */
    if (s->snap_cursor[0] && strcmp(s->snap_cursor, page.cursor) != 0) {
        KLOG_WARN("sync: %s: the snapshot's cursor changed; starting it again", name);
        kiosk_wire_page_cleanup(&page);
        kiosk_store_sync_snapshot_drop(s->store);
        s->snap_started = false;
        schedule(s, STEP_SNAPSHOT, 0);
        return;
    }
    snprintf(s->snap_cursor, sizeof s->snap_cursor, "%s", page.cursor);
    if (kiosk_stream_upserts_only(stream)) {
        finish_upsert_snapshot(s, &page);
        return;
    }
    kiosk_rc rc = kiosk_store_sync_shadow_begin(s->store);
    for (size_t i = 0; rc == KIOSK_OK && i < page.count; i++) {
        const kiosk_wire_change *c = &page.changes[i];
        char why[200] = "";
        switch (stream) {
        case KIOSK_STREAM_CARDS:
            rc = kiosk_store_sync_shadow_card(s->store, &c->card, c->version);
            break;
        case KIOSK_STREAM_POLICY:
            rc = kiosk_store_sync_shadow_policy(s->store, c->policy_json, c->policy_len, c->version,
                                                why, sizeof why);
            break;
        case KIOSK_STREAM_ROSTER:
            rc = kiosk_store_sync_shadow_person(s->store, &c->person, c->version);
            break;
        case KIOSK_STREAM_MEALS_TODAY:
            rc = kiosk_store_sync_shadow_meal(s->store, &c->meal);
            break;
        case KIOSK_STREAM_APPOINTMENTS:
        case KIOSK_STREAM_CHECKINS_TODAY:
        case KIOSK_STREAM_CALENDAR:
        case KIOSK_STREAM_STAFF:
        case KIOSK_STREAM_COUNT:
            break; /* applied as upserts (finish_upsert_snapshot) */
        }
        if (rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_INVALID) {
            KLOG_ERROR("sync: %s snapshot: a row cannot be used: %s", name,
                       why[0] ? why : kiosk_store_errmsg(s->store));
            rc = KIOSK_OK;
        }
    }
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_shadow_commit(s->store);
    bool more = page.has_more;
    snprintf(s->snap_after, sizeof s->snap_after, "%s", page.next);
    kiosk_wire_page_cleanup(&page);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: %s: the snapshot could not be staged: %s", name,
                   kiosk_store_errmsg(s->store));
        kiosk_store_sync_snapshot_drop(s->store);
        s->snap_started = false;
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "snapshot not staged");
        return;
    }
    if (more) {
        schedule(s, STEP_SNAPSHOT, 0);
        return;
    }
    kiosk_snapshot_report report;
    rc = kiosk_store_sync_snapshot_swap(s->store, name, s->snap_cursor, kiosk_clock_now_ms(),
                                        SWAP_CHUNK, &report);
    s->snap_started = false;
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: %s: the snapshot could not be swapped in: %s", name,
                   kiosk_store_errmsg(s->store));
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "snapshot not swapped in");
        return;
    }
    s->resume = STEP_PULL;
    if (kiosk_store_checkpoint(s->store) != KIOSK_OK)
        KLOG_DEBUG("sync: checkpoint: %s", kiosk_store_errmsg(s->store));
    KLOG_INFO("sync: %s snapshot swapped in: %ld rows, %ld written, %ld removed", name, report.rows,
              report.written, report.removed);
    if (stream == KIOSK_STREAM_POLICY && (report.written || report.removed))
        s->status.policy_serial++;
    /* Then the changes since the snapshot's cursor. */
    schedule(s, STEP_PULL, 0);
}

static void finish_enroll(kiosk_sync *s, const sync_http *h)
{
    kiosk_wire_enrollment e;
    char err[200];
    if (kiosk_wire_parse_enroll(h->reply, h->reply_len, &e, err, sizeof err) != KIOSK_OK) {
        KLOG_ERROR("sync: the enrollment reply does not parse: %s", err);
        back_off(s, KIOSK_CLASS_TRANSIENT, 0, "unreadable enrollment");
        return;
    }
    bool dropped = false; /* The spent token cannot be used again: this one is committed durably. */
    kiosk_rc rc = kiosk_store_set_durable(s->store, true);
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_enroll(s->store, &e.id, e.card_key, &dropped);
    if (rc == KIOSK_OK && e.has_config_key)
        rc = kiosk_store_sync_set_config_key(s->store, e.config_key);
    if (kiosk_store_set_durable(s->store, false) != KIOSK_OK)
        KLOG_WARN("sync: %s", kiosk_store_errmsg(s->store));
    if (rc == KIOSK_OK)
        s->id = e.id;
    sodium_memzero(&e, sizeof e);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: the enrollment could not be stored: %s", kiosk_store_errmsg(s->store));
        schedule(s, STEP_ENROLL, DB_RETRY_MS);
        return;
    }
    s->enrolled = true;
    if (dropped)
        s->status.card_key_serial++;
    KLOG_INFO("sync: enrolled as device %s%s", s->id.device_id,
              dropped ? "; the city's card key replaces this database's: its card hashes were"
                        " dropped and come back from the server"
                      : "");
    schedule(s, STEP_UPLOAD, 0);
}

/* A heartbeat's reply may bring a newer remote configuration (sync_remote.h). */
static void finish_heartbeat(kiosk_sync *s, const sync_http *h)
{
    schedule(s, STEP_IDLE, 0);
    if (h->status != 200 || !h->reply_len)
        return;
    kiosk_wire_config doc;
    char err[300];
    kiosk_rc rc = kiosk_wire_parse_config(h->reply, h->reply_len, &doc, err, sizeof err);
    if (rc == KIOSK_OK) {
        rc = kiosk_sync_remote_apply(s->store, s->id.device_id, &doc, s->db_path, &s->cfg,
                                     s->config_error, err, sizeof err);
    } else {
        snprintf(s->config_error, sizeof s->config_error, "invalid");
    }
    if (rc != KIOSK_OK) {
        KLOG_WARN("sync: remote configuration refused (%s): %s", s->config_error, err);
    } else {
        KLOG_INFO("sync: remote configuration version %lld applied", (long long)doc.version);
        /* What the worker reads from cfg as it goes takes effect now; these two it keeps. */
        s->heartbeat_mono = now_mono() + (int64_t)s->cfg.heartbeat_s * 1000;
        s->batch_limit = (size_t)s->cfg.batch_records;
    }
    free(doc.body);
}

static void finish_request(kiosk_sync *s, CURLcode result)
{
    sync_http *h = &s->req;
    sync_http_finished(h, result);
    curl_multi_remove_handle(s->multi, h->easy);
    s->in_flight = false;
    kiosk_sync_class c = kiosk_sync_classify((int)result, h->status);
    char what[300];
    snprintf(what, sizeof what, "%s %s: %s%s%ld", h->method, h->target,
             result != CURLE_OK ? (h->curl_error[0] ? h->curl_error : curl_easy_strerror(result))
                                : "",
             result != CURLE_OK ? " " : "HTTP ", h->status);
    if (c != KIOSK_CLASS_NOT_DELIVERED && c != KIOSK_CLASS_UNKNOWN && c != KIOSK_CLASS_SECURITY &&
        h->status > 0)
        contact(s, h, c == KIOSK_CLASS_OK);
    if (c == KIOSK_CLASS_OK) {
        s->failures = 0;
        set_state(s, KIOSK_SYNC_ONLINE);
        switch (s->kind) {
        case REQ_ENROLL:
            finish_enroll(s, h);
            break;
        case REQ_BATCH:
            finish_batch(s, h);
            break;
        case REQ_PULL:
            finish_pull(s, h);
            break;
        case REQ_SNAPSHOT:
            finish_snapshot(s, h);
            break;
        case REQ_HEARTBEAT:
            finish_heartbeat(s, h);
            break;
        }
        sync_http_cleanup(h);
        return;
    }
    char code[KIOSK_WIRE_CODE_MAX] = "";
    if (h->reply_len)
        kiosk_wire_error_code(h->reply, h->reply_len, code, sizeof code);
    long retry_after = h->retry_after_s;
    request_kind kind = s->kind;
    bool gzipped = false;
    for (struct curl_slist *l = h->headers; l; l = l->next)
        if (strcmp(l->data, "Content-Encoding: gzip") == 0)
            gzipped = true;
    sync_http_cleanup(h);
    if (code[0]) {
        size_t used = strlen(what);
        snprintf(what + used, sizeof what - used, " %s", code);
    }
    switch (c) {
    case KIOSK_CLASS_REVOKED:
        park(s, KIOSK_SYNC_REVOKED, what);
        return;
    case KIOSK_CLASS_AUTH:
        if (kind == REQ_ENROLL) {
            park(s, KIOSK_SYNC_ENROLL_FAILED, what);
            return;
        }
        set_state(s, KIOSK_SYNC_AUTH_FAILED);
        back_off(s, c, retry_after, what);
        return;
    case KIOSK_CLASS_SECURITY:
        set_state(s, KIOSK_SYNC_INSECURE);
        back_off(s, c, retry_after, what);
        return;
    case KIOSK_CLASS_TOO_LARGE:
        if (kind == REQ_BATCH && s->batch_count > 1) {
            s->batch_limit = (s->batch_count + 1) / 2;
            KLOG_WARN("sync: %s: batches of %zu records from now on", what, s->batch_limit);
            drop_batch(s);
            drop_next(s);
            schedule(s, STEP_UPLOAD, 0);
            return;
        }
        set_state(s, KIOSK_SYNC_REFUSED);
        back_off(s, KIOSK_CLASS_PERMANENT, retry_after, what);
        return;
    case KIOSK_CLASS_GONE:
        if (kind == REQ_PULL) {
            kiosk_store_sync_snapshot_drop(s->store);
            s->snap_started = false;
            schedule(s, STEP_SNAPSHOT, 0);
            return;
        }
        set_state(s, KIOSK_SYNC_REFUSED);
        back_off(s, KIOSK_CLASS_PERMANENT, retry_after, what);
        return;
    case KIOSK_CLASS_PERMANENT:
        if (kind == REQ_ENROLL) {
            park(s, KIOSK_SYNC_ENROLL_FAILED, what);
            return;
        }
        if (kind == REQ_BATCH && gzipped && strcmp(code, "unsupported_encoding") == 0) {
            KLOG_WARN("sync: %s: sending batches uncompressed from now on", what);
            s->gzip_ok = false;
            drop_next(s);
            schedule(s, STEP_UPLOAD, 0);
            return;
        }
        set_state(s, KIOSK_SYNC_REFUSED);
        back_off(s, c, retry_after, what);
        return;
    case KIOSK_CLASS_OK:
        break;
    case KIOSK_CLASS_NOT_DELIVERED:
    case KIOSK_CLASS_UNKNOWN:
    case KIOSK_CLASS_TRANSIENT:
        set_state(s, KIOSK_SYNC_OFFLINE);
        back_off(s, c, retry_after, what);
        return;
    }
}

/* --- the thread ---------------------------------------------------------------------------------
 */

static bool open_store(kiosk_sync *s)
{
    char err[600];
    kiosk_rc rc = kiosk_store_open_beside(s->db_path, &s->store, err, sizeof err);
    if (rc != KIOSK_OK) {
        KLOG_ERROR("sync: cannot open the database: %s", err);
        kiosk_store_close(s->store);
        s->store = NULL;
        return false;
    }
    /* The worker waits longer than a tap for the write lock: it is never in a hurry. */
    kiosk_store_set_busy_timeout(s->store, 5000);
    /* Its commits are not synced one by one (kiosk_store_set_durable says why that is safe). */
    if (kiosk_store_set_durable(s->store, false) != KIOSK_OK)
        KLOG_WARN("sync: %s", kiosk_store_errmsg(s->store));
    bool from_server = false;
    if (kiosk_store_card_key_from_server(s->store, &from_server) == KIOSK_OK && !from_server &&
        s->cfg.card_key_hex[0] &&
        kiosk_store_set_card_key_hex(s->store, s->cfg.card_key_hex) != KIOSK_OK)
        KLOG_WARN("sync: [kiosk] card_key is not usable");
    s->enrolled = kiosk_store_sync_identity(s->store, &s->id) == KIOSK_OK;
    int64_t v;
    if (kiosk_store_sync_get_int(s->store, "sync_last_ok_ms", &v) == KIOSK_OK)
        s->status.last_ok_ms = v;
    if (kiosk_store_sync_get_int(s->store, "sync_clock_offset_ms", &v) == KIOSK_OK) {
        s->status.clock_offset_ms = v;
        if (kiosk_store_sync_get_int(s->store, "sync_clock_uncert_ms", &v) == KIOSK_OK)
            s->status.clock_uncert_ms = v;
    }
    if (s->enrolled && s->cfg.enroll_token[0])
        KLOG_INFO("sync: enrolled as device %s; [sync] enroll_token is not needed any more",
                  s->id.device_id);
    return true;
}

static void *worker_main(void *arg)
{
    kiosk_sync *s = arg;
    /* A background thread: when the two cores of a kiosk are busy (a pull of a million persons
     * while diners tap), the main loop comes first. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), 10) != 0)
        KLOG_DEBUG("sync: the worker's priority stays as it is");
    while (!atomic_load(&s->stop) && !open_store(s))
        curl_multi_poll(s->multi, NULL, 0, REOPEN_MS, NULL);
    if (!s->store)
        return NULL;
    char err[300];
    if (kiosk_sync_remote_load(s->store, s->db_path, &s->cfg, err, sizeof err) != KIOSK_OK)
        KLOG_WARN("sync: the remote configuration stays unapplied: %s", err);
    refresh_stats(s, true);
    int64_t jitter = s->cfg.start_jitter_s > 0
                         ? (int64_t)randombytes_uniform((uint32_t)s->cfg.start_jitter_s * 1000 + 1)
                         : 0;
    s->heartbeat_mono = now_mono() + jitter;
    start_cycle(s);
    s->next_mono = now_mono() + jitter;
    if (jitter)
        KLOG_INFO("sync: first contact in %" PRId64 " ms", jitter);
    post_status(s, true);

    while (!atomic_load(&s->stop)) {
        if (atomic_exchange(&s->wake, false)) {
            refresh_stats(s, true);
            if (!s->parked && s->failures == 0) {
                if (s->step == STEP_IDLE) {
                    s->cycle_mono = now_mono();
                    s->next_mono = now_mono();
                } else if (s->step == STEP_PULL || s->step == STEP_SNAPSHOT)
                    s->upload_first = true;
            }
        }
        if (!s->in_flight && !s->parked && now_mono() >= s->next_mono)
            start_step(s);
        if (s->in_flight) {
            int running = 0;
            curl_multi_perform(s->multi, &running);
            int left;
            CURLMsg *msg;
            while ((msg = curl_multi_info_read(s->multi, &left)) != NULL)
                if (msg->msg == CURLMSG_DONE && s->in_flight && msg->easy_handle == s->req.easy)
                    finish_request(s, msg->data.result);
        }
        refresh_stats(s, false);
        post_status(s, false);
        if (kiosk_store_damaged(s->store)) {
            KLOG_ERROR("sync: the database is damaged; the worker stops until it is recovered");
            break;
        }
        /* Sleep until the request moves, the next step, the offline threshold, a wake. */
        int64_t now = now_mono(), until = INT64_MAX;
        if (s->in_flight) {
            long t = -1;
            curl_multi_timeout(s->multi, &t);
            until = now + (t >= 0 && t < 1000 ? t : 1000);
        } else if (!s->parked) {
            until = s->next_mono;
        }
        if (!s->status.offline_records) {
            int64_t threshold =
                s->status.last_ok_mono_ms >= 0
                    ? s->status.last_ok_mono_ms + (int64_t)s->cfg.offline_after_s * 1000 + 1
                    : now + 60000;
            if (threshold < until)
                until = threshold;
        }
        if (s->status.pending > 0 && now + STATS_INTERVAL_MS < until)
            until = now + STATS_INTERVAL_MS;
        if (s->posted_mono + POST_INTERVAL_MS > now && s->posted_mono + POST_INTERVAL_MS < until)
            until = s->posted_mono + POST_INTERVAL_MS; /* a report held back, or not delivered */
        int64_t wait = until - now;
        if (wait < 0)
            wait = 0;
        if (wait > 3600000)
            wait = 3600000;
        if (wait > 0 || !s->in_flight)
            curl_multi_poll(s->multi, NULL, 0, (int)wait, NULL);
    }
    if (s->in_flight) {
        curl_multi_remove_handle(s->multi, s->req.easy);
        sync_http_cleanup(&s->req);
        s->in_flight = false;
    }
    persist(s, true);
    drop_batch(s);
    drop_next(s);
    kiosk_store_sync_snapshot_drop(s->store);
    kiosk_store_close(s->store);
    s->store = NULL;
    sodium_memzero(&s->id, sizeof s->id);
    return NULL;
}

kiosk_sync *kiosk_sync_start(const kiosk_sync_config *cfg, const char *db_path,
                             kiosk_sync_post_fn post, void *user, char *err, size_t err_size)
{
    if (!cfg->enabled) {
        kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "sync is not configured");
        return NULL;
    }
    /* libcurl runs with NOSIGNAL; a peer closing a socket must not end the process. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) {
        kiosk_fail(KIOSK_ERR_IO, err, err_size, "libcurl or libsodium failed to initialise");
        return NULL;
    }
    kiosk_sync *s = calloc(1, sizeof *s);
    if (!s) {
        kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->started_mono = now_mono();
    snprintf(s->db_path, sizeof s->db_path, "%s", db_path);
    s->post = post;
    s->user = user;
    s->batch_limit = (size_t)cfg->batch_records;
    s->gzip_ok = true;
    s->status = (kiosk_sync_status){.state = KIOSK_SYNC_STARTING,
                                    .oldest_pending_ms = -1,
                                    .last_ok_ms = -1,
                                    .last_ok_mono_ms = -1,
                                    .clock_uncert_ms = -1,
                                    .stream_ok_ms = {-1, -1, -1, -1, -1, -1, -1, -1}};
    kiosk_clock_estimator_init(&s->clock);
    s->multi = curl_multi_init();
    if (!s->multi) {
        free(s);
        kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "curl_multi_init failed");
        return NULL;
    }
    if (pthread_create(&s->thread, NULL, worker_main, s) != 0) {
        curl_multi_cleanup(s->multi);
        free(s);
        kiosk_fail(KIOSK_ERR_IO, err, err_size, "cannot start the sync thread");
        return NULL;
    }
    return s;
}

void kiosk_sync_set_device(kiosk_sync *s, kiosk_device_role role, kiosk_device_state state)
{
    if (s && (unsigned)role < KIOSK_DEVICE_ROLE_COUNT)
        atomic_store(&s->devices[role], (int)state);
}

void kiosk_sync_wake(kiosk_sync *s)
{
    if (!s)
        return;
    atomic_store(&s->wake, true);
    curl_multi_wakeup(s->multi);
}

void kiosk_sync_stop(kiosk_sync *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    curl_multi_wakeup(s->multi);
    pthread_join(s->thread, NULL);
    curl_multi_cleanup(s->multi);
    free(s);
}
