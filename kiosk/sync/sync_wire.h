/* sync_wire.h - the bytes of the sync protocol (docs/sync-protocol.md): the request bodies the
 * kiosk sends (an upload batch, an enrollment, a heartbeat; gzip) and the parsers of the
 * server's replies (a batch's results, a pulled page, a snapshot page, an enrollment, an error).
 * Every parser checks every field it hands on (types, sizes, codes, keys, money) before anything
 * reaches the database, refuses what does not fit with KIOSK_ERR_PARSE and a message naming the
 * field, and never trusts a size it did not check. Pure (Jansson, zlib, libsodium); any
 * thread. The fuzz targets in tests/fuzz/ run the parsers. */
#ifndef KIOSK_SYNC_WIRE_H
#define KIOSK_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_sign.h"
#include "error.h"
#include "event.h"
#include "marriage.h"
#include "meal_record.h"
#include "staff_store.h"
#include "store.h"
#include "sync_state.h"
#include "sync_update_report.h"

/* The pull streams in priority order. */
typedef enum kiosk_stream {
    KIOSK_STREAM_CARDS,
    KIOSK_STREAM_POLICY,
    KIOSK_STREAM_ROSTER,
    KIOSK_STREAM_MEALS_TODAY,
    KIOSK_STREAM_APPOINTMENTS,   /* the marriage hall's bookings */
    KIOSK_STREAM_CHECKINS_TODAY, /* the queue tickets other kiosks of the hall issued */
    KIOSK_STREAM_CALENDAR,       /* the working-day calendar (city-wide) */
    KIOSK_STREAM_STAFF,          /* the staff roster (docs/staff.md) */
    KIOSK_STREAM_COUNT
} kiosk_stream;

/* "cards", "policy", "roster", "meals_today", "appointments", "checkins_today", "calendar",
 * "staff" */
const char *kiosk_stream_name(kiosk_stream s);
/* Streams whose rows the server never takes back (facts, and bookings it cancels by an upsert):
 * their snapshot is applied row by row as upserts, with no table staged and swapped. */
bool kiosk_stream_upserts_only(kiosk_stream s);

#define KIOSK_WIRE_CURSOR_MAX 256 /* an opaque cursor or snapshot key longer is refused */
#define KIOSK_WIRE_KEY_MAX    128
#define KIOSK_WIRE_PAGE_MAX   1000 /* changes (or rows) per page, the protocol's limit */
#define KIOSK_WIRE_BATCH_MAX  500  /* records per upload batch, the protocol's limit */
#define KIOSK_WIRE_CODE_MAX   40
#define KIOSK_WIRE_DETAIL_MAX 160
#define KIOSK_WIRE_BODY_MAX   (8u << 20) /* a reply longer than 8 MiB is not read */

/* A malloc'd byte buffer (free with free()). */
typedef struct kiosk_wire_bytes {
    uint8_t *data;
    size_t len;
} kiosk_wire_bytes;

/* --- upload --------------------------------------------------------------------------------- */

/* The batch request for records (in device_seq order): {"device_id", "batch_id", "records":
 * [...]} with each record's stored canonical payload spliced in as it is. batch_id is derived
 * from the device and the record ids (a UUID-shaped hash), so the same records make the same
 * id and the same bytes on every resend, even after a restart. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_batch_request(const char *device_id,
                                                   const kiosk_outbox_record *records, size_t count,
                                                   kiosk_wire_bytes *out, char batch_id[37]);

typedef enum kiosk_wire_status {
    KIOSK_WIRE_ACCEPTED,
    KIOSK_WIRE_DUPLICATE,
    KIOSK_WIRE_CONFLICT,
    KIOSK_WIRE_REJECTED
} kiosk_wire_status;

typedef struct kiosk_wire_result {
    kiosk_recid record_id;
    kiosk_wire_status status;
    char code[KIOSK_WIRE_CODE_MAX];     /* conflict and rejected: the server's code */
    char detail[KIOSK_WIRE_DETAIL_MAX]; /* rejected: the server's words, "" when none */
} kiosk_wire_result;

typedef struct kiosk_wire_batch_reply {
    kiosk_wire_result *results; /* malloc'd */
    size_t count;
    int64_t high_water;     /* device_high_water; -1 when absent */
    size_t missing_ranges;  /* how many gaps missing_seq_ranges names */
    int64_t first_missing;  /* the first missing sequence number; -1 when none */
    int64_t server_time_ms; /* -1 when absent */
} kiosk_wire_batch_reply;

KIOSK_MUST_CHECK kiosk_rc kiosk_wire_parse_batch_reply(const char *body, size_t len,
                                                       kiosk_wire_batch_reply *out, char *err,
                                                       size_t err_size);
void kiosk_wire_batch_reply_cleanup(kiosk_wire_batch_reply *r);

/* --- pulls and snapshots --------------------------------------------------------------------- */

typedef struct kiosk_wire_change {
    bool is_delete;
    char key[KIOSK_WIRE_KEY_MAX];
    int64_t version;
    /* The row of an upsert, by stream (a tombstone fills only what its key gives). */
    kiosk_person_row person; /* roster */
    kiosk_card_row card;     /* cards (a tombstone: card_key from the key) */
    char *policy_json;       /* policy: the body as canonical JSON text, malloc'd */
    size_t policy_len;
    kiosk_meal_entry meal; /* meals_today */
    kiosk_appointment appointment; /* appointments */
    kiosk_staff_sync_row staff;    /* staff */
    /* checkins_today: the check-in's canonical payload; calendar: the calendar file (workcal.h).
     * malloc'd. */
    char *text;
    size_t text_len;
} kiosk_wire_change;

typedef struct kiosk_wire_page {
    kiosk_stream stream;
    kiosk_wire_change *changes; /* malloc'd */
    size_t count;
    char cursor[KIOSK_WIRE_CURSOR_MAX]; /* pull: the new cursor; snapshot: the stream's cursor */
    bool has_more;                      /* pull: ask again; snapshot: there is a next page */
    char next[KIOSK_WIRE_CURSOR_MAX];   /* snapshot: the key to pass as after */
    int64_t server_time_ms;             /* -1 when absent */
    /* Rows that did not pass the checks are left out, not fatal (one bad row must not stall the
     * stream): how many, and why the first one failed. */
    size_t skipped;
    char skip_reason[KIOSK_WIRE_DETAIL_MAX];
} kiosk_wire_page;

/* A pull page of stream s: {"stream", "changes": [{"op", "key", "version", "row"}], "cursor",
 * "has_more"}. Versions are positive; a key appears once; at most KIOSK_WIRE_PAGE_MAX. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_parse_pull(kiosk_stream s, const char *body, size_t len,
                                                kiosk_wire_page *out, char *err, size_t err_size);
/* A snapshot page: {"stream", "rows": [{"key", "version", "row"}], "next", "cursor"}; the rows
 * come as upserts. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_parse_snapshot(kiosk_stream s, const char *body, size_t len,
                                                    kiosk_wire_page *out, char *err,
                                                    size_t err_size);
void kiosk_wire_page_cleanup(kiosk_wire_page *page);

/* --- enrollment, heartbeat, errors ----------------------------------------------------------- */

KIOSK_MUST_CHECK kiosk_rc kiosk_wire_enroll_request(const char *token, const char *app_version,
                                                    const char *kiosk_id, kiosk_wire_bytes *out);

typedef struct kiosk_wire_enrollment {
    kiosk_sync_identity id;
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    int64_t server_time_ms;
    bool has_config_key; /* the server's remote-configuration key (null: it has none yet) */
    uint8_t config_key[KIOSK_CONFIG_PUBLIC_BYTES];
} kiosk_wire_enrollment;

/* 201 {"device_id", "site_id", "canteen_id", "device_secret" (base64 of 32 bytes), "card_key"
 * (64 hex), "config_key" (64 hex, null or absent)}. The secret is wiped from every buffer it
 * passed through except *out. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_parse_enroll(const char *body, size_t len,
                                                  kiosk_wire_enrollment *out, char *err,
                                                  size_t err_size);

typedef struct kiosk_wire_heartbeat {
    long pending, rejected, offline_meals;
    int64_t oldest_pending_ms, last_ack_ms; /* -1: null */
    int64_t clock_offset_ms;                /* only with has_offset */
    bool has_offset;
    int64_t stream_age_ms[KIOSK_STREAM_COUNT]; /* -1: null */
    int64_t disk_free_bytes;                   /* -1: null */
    const char *app_version;
    const char *staff_notice; /* NULL: null */
    int64_t uptime_s;         /* since the kiosk started; -1: null */
    int64_t heartbeat_s;      /* the interval it sends these at (the server's offline line) */
    kiosk_device_state devices[KIOSK_DEVICE_ROLE_COUNT]; /* "devices": {"reader": "ready", ...} */
    int64_t config_version;   /* the remote configuration applied; 0 or -1: null */
    const char *config_error; /* why the last one offered was refused; NULL: null */
    /* The last package update (sync_update_report.h): NULL when none left a report; a report
     * that cannot be read goes as {"result": "unreadable", "reason": update_problem}. */
    const kiosk_update_report *update;
    const char *update_problem; /* non-NULL: the report was unreadable */
} kiosk_wire_heartbeat;

KIOSK_MUST_CHECK kiosk_rc kiosk_wire_heartbeat_request(const kiosk_wire_heartbeat *hb,
                                                       kiosk_wire_bytes *out);

/* A remote configuration document as the heartbeat's reply brings it (200 {"config": {"version",
 * "body", "signature"}}; 204 has none). */
typedef struct kiosk_wire_config {
    int64_t version; /* >= 1 */
    char *body;      /* malloc'd, NUL-terminated; body_len bytes without NUL */
    size_t body_len;
    char signature[KIOSK_CONFIG_SIGNATURE_TEXT];
} kiosk_wire_config;

/* KIOSK_ERR_PARSE with the field in err when the reply is not that object. The caller frees
 * out->body (also on failure it is NULL). The signature is the caller's to check. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_parse_config(const char *body, size_t len,
                                                  kiosk_wire_config *out, char *err,
                                                  size_t err_size);

/* The "error" code of an error body ({"error": "...", "detail": ...}), "" when there is none. */
void kiosk_wire_error_code(const char *body, size_t len, char *code, size_t size);
/* The "server_time_ms" of any JSON reply; -1 when absent. */
int64_t kiosk_wire_server_time(const char *body, size_t len);

/* gzip (RFC 1952, no file name, modification time 0: the same input gives the same bytes). */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_gzip(const uint8_t *in, size_t len, kiosk_wire_bytes *out);
/* The inverse, for tests and the test server; at most max_out bytes. */
KIOSK_MUST_CHECK kiosk_rc kiosk_wire_gunzip(const uint8_t *in, size_t len, size_t max_out,
                                            kiosk_wire_bytes *out);

#endif
