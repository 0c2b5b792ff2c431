/* wire.h - the sync protocol's requests as the server reads them (docs/sync-protocol.md): the
 * enrollment and heartbeat bodies, the upload batch with each record's checks (canonical
 * payload hash, meal payload schema), the pull and snapshot query strings, cursors, snapshot
 * tokens, request signatures and gzip bodies. Pure functions without global state (Jansson,
 * libsodium, zlib): any thread; the fuzz targets call them directly. Untrusted input never makes
 * them read out of bounds, allocate without a bound, or repeat more than a short printable
 * prefix of a value in a message. */
#ifndef SRV_WIRE_H
#define SRV_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "types.h"

#define SRV_BODY_MAX       (4u * 1024u * 1024u) /* a request body after gunzip */
#define SRV_BATCH_MAX      500                  /* records in one upload */
#define SRV_PULL_LIMIT_MAX 1000
#define SRV_PULL_LIMIT_DEF 500
#define SRV_DETAIL_MAX     200
#define SRV_TOKEN_MAX      128 /* an enrollment token as text */
#define SRV_SIGNATURE_B64  45  /* base64 of 32 bytes, terminated */
#define SRV_CURSOR_MAX     48
#define SRV_AFTER_MAX      128

/* The streams a kiosk pulls, in priority order. */
#define SRV_STREAM_MAP(X) \
    X(CARDS, "cards") X(POLICY, "policy") X(ROSTER, "roster") X(MEALS_TODAY, "meals_today") \
    X(APPOINTMENTS, "appointments") X(CHECKINS_TODAY, "checkins_today") X(CALENDAR, "calendar") \
    X(STAFF, "staff")

typedef enum srv_stream {
    SRV_STREAM_NONE = -1,
#define SRV_STREAM_ENUM(e, name) SRV_STREAM_##e,
    SRV_STREAM_MAP(SRV_STREAM_ENUM)
#undef SRV_STREAM_ENUM
        SRV_STREAM_COUNT
} srv_stream;

const char *srv_stream_name(srv_stream s); /* "cards"; "" for NONE */
srv_stream srv_stream_from_name(const char *name);

/* True for 1..39 of A-Z a-z 0-9 _ - (site, device, canteen and person ids). */
bool srv_id_valid(const char *s);

/* --- enrollment and heartbeat -------------------------------------------------------------- */

/* {"token": "...", "hw_info": {...}}: the token, and hw_info as compact JSON (malloc'd, NULL when
 * absent). KIOSK_ERR_PARSE with a detail naming the field. */
KIOSK_MUST_CHECK kiosk_rc srv_wire_enroll(const char *body, size_t len, char token[SRV_TOKEN_MAX],
                                          char **hw_info, char *detail, size_t detail_size);

typedef struct srv_heartbeat_in {
    char *body;                         /* compact JSON, malloc'd */
    int64_t pending, oldest_pending_ms; /* -1: null or absent */
    bool has_clock_offset;
    int64_t clock_offset_ms;
    char app_version[64];
    int64_t config_version; /* the remote configuration the kiosk has applied; -1: none */
} srv_heartbeat_in;

/* The heartbeat object (docs/sync-protocol.md): every documented field is optional but, when
 * given, of its type; other fields are kept. KIOSK_ERR_PARSE with a detail naming the field. */
KIOSK_MUST_CHECK kiosk_rc srv_wire_heartbeat(const char *body, size_t len, srv_heartbeat_in *out,
                                             char *detail, size_t detail_size);

/* --- upload -------------------------------------------------------------------------------- */

/* The fields of a meal payload the server files and reconciles by. */
typedef struct srv_meal_fields {
    char person_id[KIOSK_ID_MAX];
    char canteen_id[KIOSK_ID_MAX];
    char meal_type[16];
    char business_date[11];
    int64_t subsidy_fen;
} srv_meal_fields;

typedef struct srv_batch_item {
    char record_id[37]; /* lower-case canonical UUID */
    int64_t device_seq;
    char kind[16];
    int64_t created_wall_ms;
    char *payload;           /* canonical text (json_dumps COMPACT | SORT_KEYS), malloc'd */
    char payload_sha256[65]; /* of payload, lower-case hex */
    bool rejected;           /* for good: code schema, hash or kind */
    char reject_code[8];
    char reject_detail[SRV_DETAIL_MAX];
    srv_meal_fields meal; /* kind "meal" and not rejected */
    char checkin_date[11]; /* kind "checkin" and not rejected: its business date */
} srv_batch_item;

typedef struct srv_batch {
    char device_id[KIOSK_ID_MAX];
    char batch_id[80];
    size_t count;
    srv_batch_item *items;
} srv_batch;

/* Parses an upload. KIOSK_ERR_PARSE: malformed JSON or envelope (400, detail names the field or
 * the position); KIOSK_ERR_TOO_BIG: more than SRV_BATCH_MAX records (413). Records whose own
 * content is wrong are kept with rejected set. The caller cleans *out up in every case. */
KIOSK_MUST_CHECK kiosk_rc srv_wire_batch(const char *body, size_t len, srv_batch *out, char *detail,
                                         size_t detail_size);
void srv_batch_cleanup(srv_batch *batch);

/* Checks a meal payload by the kiosk's own rules (kiosk_meal_payload_read) and against the
 * record (its record_id), and fills *out; false with a detail naming the member
 * ("payload: price_fen missing or invalid"). */
bool srv_wire_meal_check(const json_t *payload, const char *record_id, srv_meal_fields *out,
                         char *detail, size_t detail_size);

/* The canonical text of a JSON value (compact, keys sorted; malloc'd) and its SHA-256 in hex. */
char *srv_wire_canonical(const json_t *value);
void srv_sha256_hex(const void *data, size_t len, char out[65]);

/* --- pull and snapshot ---------------------------------------------------------------------- */

typedef struct srv_query {
    srv_stream stream;
    bool has_cursor, has_after;
    char cursor[SRV_CURSOR_MAX];
    char after[SRV_AFTER_MAX];
    long limit; /* SRV_PULL_LIMIT_DEF when not given */
} srv_query;

/* Parses the query string after '?' (may be NULL or ""): stream (required), cursor, after,
 * limit (1..1000); percent-escapes decoded; unknown parameters ignored. On failure returns
 * KIOSK_ERR_PARSE with the error code for the reply in code ("unknown_stream", "bad_cursor"
 * never comes from here, "bad_request") and a detail. */
KIOSK_MUST_CHECK kiosk_rc srv_wire_query(const char *query, srv_query *out, char code[24],
                                         char *detail, size_t detail_size);

/* A stream's cursor: "<stream>:<version>". Parsing an empty text gives version 0. */
void srv_cursor_format(srv_stream stream, int64_t version, char out[SRV_CURSOR_MAX]);
bool srv_cursor_parse(srv_stream stream, const char *text, int64_t *version);

/* A snapshot page token: "<version>.<key>" (the snapshot's cursor version and the last key). */
void srv_after_format(int64_t version, const char *key, char out[SRV_AFTER_MAX]);
bool srv_after_parse(const char *text, int64_t *version, char key[SRV_AFTER_MAX]);

/* --- signatures and bodies ----------------------------------------------------------------- */

/* base64(HMAC-SHA256(secret, "v1\n" METHOD "\n" TARGET "\n" TIME "\n" hex(SHA-256(body)))):
 * the domain library's kiosk_sync_sign (sync_sign.h), the one implementation the kiosk signs
 * with. The check is in constant time; false for anything malformed. */
void srv_sign(const uint8_t secret[32], const char *method, const char *target, int64_t time_ms,
              const void *body, size_t body_len, char out[SRV_SIGNATURE_B64]);
bool srv_sign_check(const uint8_t secret[32], const char *method, const char *target,
                    int64_t time_ms, const void *body, size_t body_len,
                    const char *signature_header);
/* The X-Kiosk-Time header: a decimal integer of ms (at most 19 digits, optional '-'). */
bool srv_wire_time(const char *text, int64_t *ms);

typedef enum srv_encoding { SRV_ENC_IDENTITY, SRV_ENC_GZIP, SRV_ENC_UNSUPPORTED } srv_encoding;
srv_encoding srv_wire_encoding(const char *content_encoding); /* NULL = identity */

/* Inflates a gzip body (one or more members) into a malloc'd buffer with a terminating NUL not
 * counted in *out_len. KIOSK_ERR_TOO_BIG beyond max bytes, KIOSK_ERR_PARSE when it is not
 * gzip or is cut short. */
KIOSK_MUST_CHECK kiosk_rc srv_gunzip(const void *in, size_t len, size_t max, char **out,
                                     size_t *out_len);

#endif
