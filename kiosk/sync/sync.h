/* sync.h - the sync worker: one thread with its own database handle and one libcurl multi
 * handle that uploads the outbox, pulls the reference data, keeps the server's clock offset and
 * sends heartbeats, following docs/sync-protocol.md. It never blocks the thread that calls it;
 * it reports its status through a callback (the app turns it into a KIOSK_EV_SYNC inbox event).
 * Used by the app only: flows see the status (event.h), never this header. */
#ifndef KIOSK_SYNC_H
#define KIOSK_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

#define KIOSK_SYNC_URL_MAX   512
#define KIOSK_SYNC_PATH_MAX  512
#define KIOSK_SYNC_TOKEN_MAX 128

/* The [sync] section (docs/sync.md). enabled: the section was there; without it the kiosk runs
 * standalone and nothing here starts. */
typedef struct kiosk_sync_config {
    bool enabled;
    char url[KIOSK_SYNC_URL_MAX];      /* https://host[:port][/prefix], or http:// on loopback */
    char ca_file[KIOSK_SYNC_PATH_MAX]; /* the private CA the server's certificate comes from */
    char pin[KIOSK_SYNC_PATH_MAX];     /* sha256//<base64>[;sha256//<base64>...], "" = none */
    char proxy[KIOSK_SYNC_URL_MAX];    /* "" = no proxy, whatever the environment says */
    char enroll_token[KIOSK_SYNC_TOKEN_MAX]; /* used once, when the database is not enrolled */
    int heartbeat_s;                         /* default 300 */
    int start_jitter_s;     /* a random 0..N s before the first contact; default 60 */
    int offline_after_s;    /* meals are "offline" past this without contact; default 1800 */
    int offline_meal_limit; /* offline subsidised meals before staff must act; 0 = no limit */
    int batch_records;      /* records per upload batch, 1..500; default 500 */
    int pull_s;             /* a sync cycle at least this often; default 60 */
    int page_rows;          /* rows asked for per pulled page, 1..1000; default 1000 */
    int timeout_s;          /* one request's whole time limit; default 60 */
    int retry_max_ms;       /* the backoff's cap; default KIOSK_BACKOFF_CAP_MS (5 min) */
    /* Not from the file: the app's version for enrollment and heartbeats, and the [kiosk]
     * card_key (a 64-hex city key, "" when none) the database's hashes may have been made with. */
    char app_version[32];
    char card_key_hex[65];
} kiosk_sync_config;

/* The compiled defaults (enabled false). */
void kiosk_sync_config_defaults(kiosk_sync_config *cfg);
/* One key of [sync] as written in the INI file; false with the problem in words. The checks
 * that need the whole section (url given, ca_file with https) are kiosk_sync_config_check's. */
bool kiosk_sync_config_set(kiosk_sync_config *cfg, const char *key, const char *value,
                           char *problem, size_t problem_size);
/* Checks the section as a whole after the file is read: KIOSK_ERR_CONFIG with the problem. */
KIOSK_MUST_CHECK kiosk_rc kiosk_sync_config_check(const kiosk_sync_config *cfg, char *problem,
                                                  size_t problem_size);

/* Called on the worker thread with each new status; must not block. false: not delivered, the
 * worker tries again shortly. */
typedef bool (*kiosk_sync_post_fn)(void *user, const kiosk_sync_status *status);

typedef struct kiosk_sync kiosk_sync;

/* Starts the worker on database db_path (it opens its own handle). Ignores SIGPIPE for the
 * process (libcurl runs with NOSIGNAL). NULL with err when it cannot start. Main thread. */
kiosk_sync *kiosk_sync_start(const kiosk_sync_config *cfg, const char *db_path,
                             kiosk_sync_post_fn post, void *user, char *err, size_t err_size);
/* A device's state, for the heartbeat's "devices" (the server's fleet table). Any thread; cheap. */
void kiosk_sync_set_device(kiosk_sync *sync, kiosk_device_role role, kiosk_device_state state);
/* A record was committed: upload soon (unless the worker is backing off). Any thread; cheap. */
void kiosk_sync_wake(kiosk_sync *sync);
/* Stops the worker (an in-flight request is abandoned; it is resent next time) and frees it.
 * NULL is fine. Main thread. */
void kiosk_sync_stop(kiosk_sync *sync);

/* The one-shot `kiosk --enroll TOKEN`: enrolls the database at db_path (blocking, at most
 * cfg->timeout_s). KIOSK_ERR_CONFIG when sync is not configured or the database is enrolled
 * already, KIOSK_ERR_DENIED when the server refuses the token, KIOSK_ERR_IO when it cannot be
 * reached; err says which. On success device_id gets the new device's id. */
KIOSK_MUST_CHECK kiosk_rc kiosk_sync_enroll_now(const kiosk_sync_config *cfg, const char *db_path,
                                                const char *token, char *device_id,
                                                size_t device_id_size, char *err, size_t err_size);

/* The staff line's words for a status ("离线 · 待上传 3"), "" when there is nothing to say. */
void kiosk_sync_status_words(const kiosk_sync_status *status, char *out, size_t size);
/* "online", "offline", ... for logs and the events file. */
const char *kiosk_sync_state_name(kiosk_sync_state state);

#endif
