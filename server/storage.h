/* storage.h - the central server's storage: one connection (srv_store) to SQLite or PostgreSQL
 * behind one backend ops table, and the named operations the server runs on it (devices,
 * records, review cases, reference-data streams). Every query is written once, in storage.c, with
 * ?N placeholders; a backend prepares it in its own dialect (PostgreSQL gets $N) and only the
 * schema and the transaction statements differ between backends, so both decide alike.
 *
 * A connection belongs to one thread at a time. Write transactions are serialised across
 * connections (SQLite's write lock; on PostgreSQL a transaction-level advisory lock), so the
 * version numbers handed out inside them grow in commit order: a reader that has seen version V
 * has seen every change up to V. Read transactions see one snapshot. */
#ifndef SRV_STORAGE_H
#define SRV_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "types.h"

#define SRV_ID_MAX      KIOSK_ID_MAX /* site, device, canteen, person ids: 1..39 characters */
#define SRV_HEX32       65           /* 64 hex digits of a 32-byte key or hash, terminated */
#define SRV_RECID_MAX   37           /* "018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60" */
#define SRV_STREAM_MAX  16
#define SRV_KEY_MAX     80 /* a stream row's key */
#define SRV_ZONE_MAX    64
#define SRV_NAME_MAX    128
#define SRV_REVIEW_MAX  40
#define SRV_VERSION_MAX 24
#define SRV_ANY_SITE    "*" /* the site id of rows every site receives (a city-wide policy) */

/* Review states of a record (records.review_status; NULL = nothing to review). */
#define SRV_REVIEW_SUSPECTED "duplicate_subsidy_suspected"
#define SRV_REVIEW_ACCEPTED  "duplicate_subsidy_accepted"
#define SRV_REVIEW_WAIVED    "duplicate_subsidy_waived"
#define SRV_REVIEW_VOIDED    "voided" /* staff voided it at the kiosk: not settled */

typedef struct srv_store srv_store;

/* --- backends ------------------------------------------------------------------------------ */

/* A parameter of a prepared statement. */
typedef enum srv_value_kind { SRV_NULL, SRV_INT, SRV_TEXT } srv_value_kind;
typedef struct srv_value {
    srv_value_kind kind;
    int64_t i;
    const char *s; /* borrowed for the call */
} srv_value;

/* One result row, valid during the row callback only. A backend fills it (impl is its own). */
typedef struct srv_row srv_row;
const char *srv_row_text(const srv_row *row, int col); /* NULL for SQL NULL */
int64_t srv_row_int(const srv_row *row, int col);      /* 0 for NULL or text that is no integer */
bool srv_row_null(const srv_row *row, int col);

/* Called once per result row; anything but KIOSK_OK stops the query with that code. A row
 * callback must not run another query on the same store (PostgreSQL runs one at a time), except
 * those of srv_store_site_list and srv_store_device_list, which read their rows first. */
typedef kiosk_rc (*srv_row_fn)(void *user, const srv_row *row);

typedef struct srv_backend srv_backend;

/* What a backend provides. Statements are numbered 0..count-1 by storage.c, prepared once per
 * connection by prepare(). run() binds the parameters, calls fn for each row (fn may be NULL)
 * and sets *changes (when not NULL) to the rows an INSERT/UPDATE/DELETE touched. Errors keep the
 * library's message in err of open() or on the handle (message()). */
typedef struct srv_backend_ops {
    const char *name; /* "sqlite", "postgresql" */
    kiosk_rc (*open)(const char *target, srv_backend **out, char *err, size_t err_size);
    void (*close)(srv_backend *b);
    /* Creates or upgrades the schema; returns true in *created for a new database. */
    kiosk_rc (*migrate)(srv_backend *b, bool *created);
    kiosk_rc (*prepare)(srv_backend *b, int count, const char *const *sql);
    kiosk_rc (*begin)(srv_backend *b, bool write);
    kiosk_rc (*commit)(srv_backend *b);
    void (*rollback)(srv_backend *b);
    kiosk_rc (*run)(srv_backend *b, int stmt, const srv_value *params, int nparams, srv_row_fn fn,
                    void *user, long *changes);
    const char *(*message)(const srv_backend *b);
    /* Copies committed changes from the log into the database without waiting for anyone
     * (SQLite's passive WAL checkpoint; nothing on PostgreSQL). manual_checkpoints() leaves
     * checkpoints to such calls instead of the committing writer. */
    kiosk_rc (*checkpoint)(srv_backend *b);
    kiosk_rc (*manual_checkpoints)(srv_backend *b);
    /* Row accessors for the rows this backend hands to callbacks. */
    const char *(*col_text)(const srv_row *row, int col);
    int64_t (*col_int)(const srv_row *row, int col);
    bool (*col_null)(const srv_row *row, int col);
} srv_backend_ops;

struct srv_row {
    const srv_backend_ops *ops;
    const void *impl;
    int row; /* the backend's row index, when it needs one */
};

extern const srv_backend_ops srv_sqlite_ops;
extern const srv_backend_ops srv_pg_ops;

/* --- connections and transactions ---------------------------------------------------------- */

/* Opens "sqlite:PATH" or "pg:CONNINFO" (a libpq connection string), creates or upgrades the
 * schema, and on a new database makes the city's card key. The caller owns *out
 * (srv_store_close). err holds a message on failure. */
KIOSK_MUST_CHECK kiosk_rc srv_store_open(const char *spec, srv_store **out, char *err,
                                         size_t err_size);
void srv_store_close(srv_store *st);
const char *srv_store_backend(const srv_store *st); /* "sqlite" or "postgresql" */
const char *srv_store_errmsg(const srv_store *st);  /* the last failure's message */

/* For the server's writer connection: checkpoints (SQLite) are left to srv_store_checkpoint,
 * which a thread of their own calls, so a batch's commit never pays for copying the log into the
 * database. */
KIOSK_MUST_CHECK kiosk_rc srv_store_manual_checkpoints(srv_store *st);
KIOSK_MUST_CHECK kiosk_rc srv_store_checkpoint(srv_store *st);

/* write: serialised with every other writer (see the top of this file); otherwise one snapshot.
 * KIOSK_ERR_BUSY when the write lock could not be had in time. */
KIOSK_MUST_CHECK kiosk_rc srv_store_begin(srv_store *st, bool write);
KIOSK_MUST_CHECK kiosk_rc srv_store_commit(srv_store *st);
void srv_store_rollback(srv_store *st); /* harmless outside a transaction */

/* --- settings ------------------------------------------------------------------------------ */

/* The city's card key (made when the database was created). */
KIOSK_MUST_CHECK kiosk_rc srv_store_card_key(srv_store *st, uint8_t key[32]);
KIOSK_MUST_CHECK kiosk_rc srv_store_meta_get(srv_store *st, const char *k, char *v, size_t size);
KIOSK_MUST_CHECK kiosk_rc srv_store_meta_put(srv_store *st, const char *k, const char *v);

/* --- sites and devices --------------------------------------------------------------------- */

typedef struct srv_site {
    char site_id[SRV_ID_MAX];
    char name[SRV_NAME_MAX];
    kiosk_area area; /* the site's city, district and street codes */
    char timezone[SRV_ZONE_MAX];
    int64_t created_ms;
} srv_site;

/* KIOSK_ERR_INVALID when the site exists already. */
KIOSK_MUST_CHECK kiosk_rc srv_store_site_add(srv_store *st, const srv_site *site);
KIOSK_MUST_CHECK kiosk_rc srv_store_site_get(srv_store *st, const char *site_id, srv_site *out);
typedef kiosk_rc (*srv_site_fn)(void *user, const srv_site *site);
KIOSK_MUST_CHECK kiosk_rc srv_store_site_list(srv_store *st, srv_site_fn fn, void *user);

typedef struct srv_device {
    char device_id[SRV_ID_MAX];
    char site_id[SRV_ID_MAX];
    char canteen_id[SRV_ID_MAX];
    char secret_hex[SRV_HEX32]; /* "" until enrolled */
    int64_t created_ms;
    int64_t enrolled_ms; /* 0: not enrolled */
    int64_t revoked_ms;  /* 0: not revoked */
    /* The latest heartbeat (hb_received_ms 0: none); -1 where it said null or nothing. */
    int64_t hb_received_ms;
    int64_t hb_pending;
    int64_t hb_oldest_pending_ms;
    bool hb_has_clock_offset;
    int64_t hb_clock_offset_ms;
    char hb_app_version[64];
} srv_device;

/* KIOSK_ERR_INVALID when the device exists already. */
KIOSK_MUST_CHECK kiosk_rc srv_store_device_add(srv_store *st, const srv_device *dev);
KIOSK_MUST_CHECK kiosk_rc srv_store_device_get(srv_store *st, const char *device_id,
                                               srv_device *out);
typedef kiosk_rc (*srv_device_fn)(void *user, const srv_device *dev);
KIOSK_MUST_CHECK kiosk_rc srv_store_device_list(srv_store *st, srv_device_fn fn, void *user);
/* Stores the secret of a first enrollment; KIOSK_ERR_INVALID when the device is enrolled or
 * revoked already. hw_info may be NULL. */
KIOSK_MUST_CHECK kiosk_rc srv_store_device_enroll(srv_store *st, const char *device_id,
                                                  const char *secret_hex, const char *hw_info,
                                                  int64_t now_ms);
/* Revokes the device and spends its unused tokens; KIOSK_ERR_NOT_FOUND for an unknown device,
 * KIOSK_ERR_INVALID when it is revoked already. */
KIOSK_MUST_CHECK kiosk_rc srv_store_device_revoke(srv_store *st, const char *device_id,
                                                  int64_t now_ms);

typedef struct srv_token {
    char token_sha256[SRV_HEX32]; /* only the hash of a token is stored */
    char device_id[SRV_ID_MAX];
    int64_t created_ms, expires_ms;
    int64_t used_ms; /* 0: unused */
} srv_token;

KIOSK_MUST_CHECK kiosk_rc srv_store_token_add(srv_store *st, const srv_token *tok);
KIOSK_MUST_CHECK kiosk_rc srv_store_token_get(srv_store *st, const char *token_sha256,
                                              srv_token *out);
/* Spends a token; KIOSK_ERR_INVALID when it was spent already. */
KIOSK_MUST_CHECK kiosk_rc srv_store_token_use(srv_store *st, const char *token_sha256,
                                              int64_t now_ms);

typedef struct srv_heartbeat {
    int64_t received_ms;
    const char *body;                   /* the JSON as received, compact */
    int64_t pending, oldest_pending_ms; /* -1: not given */
    bool has_clock_offset;
    int64_t clock_offset_ms;
    const char *app_version; /* may be NULL */
} srv_heartbeat;

KIOSK_MUST_CHECK kiosk_rc srv_store_heartbeat_put(srv_store *st, const char *device_id,
                                                  const srv_heartbeat *hb);

/* --- records ------------------------------------------------------------------------------- */

typedef struct srv_record {
    char record_id[SRV_RECID_MAX];
    char device_id[SRV_ID_MAX];
    int64_t device_seq;
    char kind[16];
    const char *payload;            /* canonical JSON text, borrowed */
    char payload_sha256[SRV_HEX32]; /* of payload */
    int64_t created_wall_ms;        /* the kiosk's clock */
    int64_t received_ms;            /* the server's */
    int64_t est_created_ms;         /* created_wall_ms + the device's clock offset */
    int64_t clock_offset_ms;        /* the offset used */
    bool clock_suspect;             /* |offset| > 5 minutes */
    char site_id[SRV_ID_MAX];
    /* Meals only ("" and 0 otherwise). */
    char canteen_id[SRV_ID_MAX];
    char person_id[SRV_ID_MAX];
    char meal_type[16];
    char business_date[11];
    int64_t subsidy_fen;
} srv_record;

/* Inserts the record unless its record_id or its (device_id, device_seq) is stored already:
 * *inserted says which, and *server_seq is the new row's number. */
KIOSK_MUST_CHECK kiosk_rc srv_store_record_insert(srv_store *st, const srv_record *rec,
                                                  bool *inserted, int64_t *server_seq);
/* Marks the meal record_id of device_id voided (SRV_REVIEW_VOIDED: settlement leaves it out);
 * KIOSK_ERR_NOT_FOUND when that device has no such meal. */
KIOSK_MUST_CHECK kiosk_rc srv_store_record_void(srv_store *st, const char *record_id,
                                                const char *device_id);
/* The stored payload hash of a record id; KIOSK_ERR_NOT_FOUND when there is none. */
KIOSK_MUST_CHECK kiosk_rc srv_store_record_hash(srv_store *st, const char *record_id,
                                                char hash_hex[SRV_HEX32]);
KIOSK_MUST_CHECK kiosk_rc srv_store_record_set_review(srv_store *st, const char *record_id,
                                                      const char *status, int64_t case_id);
/* The largest server_seq given so far (0: none). */
KIOSK_MUST_CHECK kiosk_rc srv_store_record_max_seq(srv_store *st, int64_t *out);

/* A subsidised meal of the same person, meal type and business date (reconciliation). */
typedef struct srv_group_member {
    char record_id[SRV_RECID_MAX];
    int64_t est_created_ms;
    char review_status[SRV_REVIEW_MAX]; /* "" = none */
    int64_t case_id;                    /* 0 = none */
} srv_group_member;
typedef kiosk_rc (*srv_member_fn)(void *user, const srv_group_member *m);
/* In no particular order (the reconciliation needs only which one has no review status). */
KIOSK_MUST_CHECK kiosk_rc srv_store_meal_group(srv_store *st, const char *person_id,
                                               const char *meal_type, const char *business_date,
                                               srv_member_fn fn, void *user);

/* The device's sequence numbers held, as ranges: adds [lo, hi] (none of it stored before),
 * merging it with its neighbours; lists them in order. */
KIOSK_MUST_CHECK kiosk_rc srv_store_seq_add(srv_store *st, const char *device_id, int64_t lo,
                                            int64_t hi);
typedef kiosk_rc (*srv_range_fn)(void *user, int64_t lo, int64_t hi);
KIOSK_MUST_CHECK kiosk_rc srv_store_seq_list(srv_store *st, const char *device_id, srv_range_fn fn,
                                             void *user);

/* --- review cases -------------------------------------------------------------------------- */

typedef struct srv_case {
    int64_t case_id;
    char person_id[SRV_ID_MAX];
    char meal_type[16];
    char business_date[11];
    char status[16]; /* open, accepted, waived */
    int64_t opened_ms, decided_ms;
} srv_case;

/* Opens the case of (person, meal type, date), or reopens it; its id in *case_id. */
KIOSK_MUST_CHECK kiosk_rc srv_store_case_open(srv_store *st, const char *person_id,
                                              const char *meal_type, const char *business_date,
                                              int64_t now_ms, int64_t *case_id);
typedef kiosk_rc (*srv_case_fn)(void *user, const srv_case *c);
KIOSK_MUST_CHECK kiosk_rc srv_store_case_list(srv_store *st, bool open_only, srv_case_fn fn,
                                              void *user);
KIOSK_MUST_CHECK kiosk_rc srv_store_case_get(srv_store *st, int64_t case_id, srv_case *out);

typedef struct srv_case_meal {
    char record_id[SRV_RECID_MAX];
    char device_id[SRV_ID_MAX];
    char canteen_id[SRV_ID_MAX];
    int64_t est_created_ms;
    int64_t subsidy_fen;
    char review_status[SRV_REVIEW_MAX];
} srv_case_meal;
typedef kiosk_rc (*srv_case_meal_fn)(void *user, const srv_case_meal *m);
KIOSK_MUST_CHECK kiosk_rc srv_store_case_meals(srv_store *st, int64_t case_id, srv_case_meal_fn fn,
                                               void *user);
/* The reviewer's decision: the case's suspected meals become review_status (ACCEPTED or
 * WAIVED), the case case_status; *decided = how many meals changed. */
KIOSK_MUST_CHECK kiosk_rc srv_store_case_decide(srv_store *st, int64_t case_id,
                                                const char *case_status, const char *review_status,
                                                int64_t now_ms, long *decided);

/* --- streams (reference data by site) ------------------------------------------------------ */

/* The stream version counter: takes n new versions (the first in *first), or reads the last
 * one given. Versions are shared by every stream kept in stream_row. */
KIOSK_MUST_CHECK kiosk_rc srv_store_version_take(srv_store *st, int64_t n, int64_t *first);
KIOSK_MUST_CHECK kiosk_rc srv_store_version_now(srv_store *st, int64_t *out);

/* A row of a stream: row == NULL is a tombstone. */
typedef struct srv_stream_row {
    const char *key;
    int64_t version;
    const char *row; /* JSON text or NULL */
} srv_stream_row;
typedef kiosk_rc (*srv_stream_fn)(void *user, const srv_stream_row *r);

/* The stored row of key (*found false when there is none; a tombstone is found with row NULL).
 * The row text goes to fn. */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_get(srv_store *st, const char *site_id,
                                               const char *stream, const char *key,
                                               srv_stream_fn fn, void *user);
/* Writes (row) or deletes (row NULL: a tombstone) key at version. */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_put(srv_store *st, const char *site_id,
                                               const char *stream, const char *key, const char *row,
                                               int64_t version, int64_t now_ms);
/* Writes row under key at the next version (srv_store_version_take) unless the live row is the
 * same text already; *written says whether it wrote. For imports that are run again: an unchanged
 * row keeps its version, so no kiosk pulls it twice. */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_put_changed(srv_store *st, const char *site_id,
                                                       const char *stream, const char *key,
                                                       const char *row, int64_t now_ms,
                                                       bool *written);
/* Changes after version `after` in version order, at most limit; with also_site (may be NULL)
 * the rows of that site id too (SRV_ANY_SITE for city-wide rows). */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_changes(srv_store *st, const char *site_id,
                                                   const char *also_site, const char *stream,
                                                   int64_t after, long limit, srv_stream_fn fn,
                                                   void *user);
/* Live rows (no tombstones) with key > after_key in key (byte) order, at most limit (limit <= 0:
 * all). */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_live(srv_store *st, const char *site_id,
                                                const char *also_site, const char *stream,
                                                const char *after_key, long limit, srv_stream_fn fn,
                                                void *user);
/* Tombstones up to this version were dropped (0: none). */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_floor(srv_store *st, const char *site_id,
                                                 const char *also_site, const char *stream,
                                                 int64_t *floor);
/* Drops the site's tombstones written at or before older_than_ms and raises the floor of their
 * streams; *dropped = how many. */
KIOSK_MUST_CHECK kiosk_rc srv_store_stream_expire(srv_store *st, const char *site_id,
                                                  const char *stream, int64_t older_than_ms,
                                                  long *dropped);

/* meals_today and checkins_today: records of kind ("meal" or "checkin") of the site from
 * business date from_date on, not of device exclude_device: after server_seq `after` in that
 * order, or after record id `after_key` in key order. The row key is the record id, the version
 * its server_seq, the row the payload. */
KIOSK_MUST_CHECK kiosk_rc srv_store_records_changes(srv_store *st, const char *kind,
                                                    const char *site_id, const char *exclude_device,
                                                    const char *from_date, int64_t after,
                                                    long limit, srv_stream_fn fn, void *user);
KIOSK_MUST_CHECK kiosk_rc srv_store_records_live(srv_store *st, const char *kind,
                                                 const char *site_id, const char *exclude_device,
                                                 const char *from_date, const char *after_key,
                                                 long limit, srv_stream_fn fn, void *user);

/* --- settlement ---------------------------------------------------------------------------- */

typedef struct srv_settle_meal {
    const char *record_id;
    const char *device_id;
    const char *site_id;
    const char *payload;
    const char *review_status; /* "" = none */
} srv_settle_meal;
typedef kiosk_rc (*srv_settle_fn)(void *user, const srv_settle_meal *m);
/* Meals with from_date <= business_date < to_date of one site, or of every site one after the
 * other (site id order) when site_id is "", in date and record id order. */
KIOSK_MUST_CHECK kiosk_rc srv_store_settle_meals(srv_store *st, const char *site_id,
                                                 const char *from_date, const char *to_date,
                                                 srv_settle_fn fn, void *user);

/* --- the admin page: its users, staff alerts, heartbeat bodies ----------------------------- */

#define SRV_ADMIN_NAME_MAX   64
#define SRV_ADMIN_HASH_MAX   128 /* crypto_pwhash_STRBYTES: an argon2id string */
#define SRV_ALERT_KIND_MAX   32
#define SRV_ALERT_DETAIL_MAX 256

/* An administrator of the admin page. failures counts the wrong passwords since the last
 * success; locked_until_ms (0: not locked) is kept in the database so a restart keeps a lock. */
typedef struct srv_admin_user {
    char name[SRV_ADMIN_NAME_MAX];
    char pwhash[SRV_ADMIN_HASH_MAX];
    int64_t failures;
    int64_t locked_until_ms;
    int64_t created_ms;
} srv_admin_user;

/* Adds the user, or gives an existing one a new password (and clears its lock). */
KIOSK_MUST_CHECK kiosk_rc srv_store_admin_user_put(srv_store *st, const char *name,
                                                   const char *pwhash, int64_t now_ms);
/* KIOSK_ERR_NOT_FOUND when there is no such user. */
KIOSK_MUST_CHECK kiosk_rc srv_store_admin_user_get(srv_store *st, const char *name,
                                                   srv_admin_user *out);
KIOSK_MUST_CHECK kiosk_rc srv_store_admin_user_failures(srv_store *st, const char *name,
                                                        int64_t failures, int64_t locked_until_ms);

/* A staff alert: something a person at the bureau should look at (a help call at a kiosk, a
 * broken audit chain, ...). kind is a short code ("help_call", "audit_chain_break"); detail a
 * line of text for the page, never personal data. site_id, device_id: "" when not about one. */
typedef struct srv_alert {
    int64_t alert_id;
    int64_t created_ms;
    char site_id[SRV_ID_MAX];
    char device_id[SRV_ID_MAX];
    char kind[SRV_ALERT_KIND_MAX];
    char detail[SRV_ALERT_DETAIL_MAX];
    int64_t resolved_ms; /* 0: open */
} srv_alert;

/* Stores a new alert (alert_id, resolved_ms ignored); its id in *alert_id (may be NULL). */
KIOSK_MUST_CHECK kiosk_rc srv_store_alert_add(srv_store *st, const srv_alert *a, int64_t *alert_id);
typedef kiosk_rc (*srv_alert_fn)(void *user, const srv_alert *a);
/* The newest first, at most limit; open ones only unless all. */
KIOSK_MUST_CHECK kiosk_rc srv_store_alert_list(srv_store *st, bool all, long limit, srv_alert_fn fn,
                                               void *user);
/* KIOSK_ERR_NOT_FOUND for an unknown or already resolved alert. */
KIOSK_MUST_CHECK kiosk_rc srv_store_alert_resolve(srv_store *st, int64_t alert_id, int64_t now_ms);

/* Every device's latest heartbeat as received (JSON text), in device id order. */
typedef kiosk_rc (*srv_heartbeat_fn)(void *user, const char *device_id, int64_t received_ms,
                                     const char *body);
KIOSK_MUST_CHECK kiosk_rc srv_store_heartbeat_list(srv_store *st, srv_heartbeat_fn fn, void *user);

/* --- remote configuration ------------------------------------------------------------------ */

/* A kiosk's configuration document as signed (remote_config.h): one per device, replaced by a
 * newer version. */
KIOSK_MUST_CHECK kiosk_rc srv_store_config_put(srv_store *st, const char *device_id,
                                               int64_t version, const char *body,
                                               const char *signature, int64_t now_ms);
typedef kiosk_rc (*srv_config_fn)(void *user, int64_t version, const char *body,
                                  const char *signature);
/* KIOSK_ERR_NOT_FOUND when the device has none. */
KIOSK_MUST_CHECK kiosk_rc srv_store_config_get(srv_store *st, const char *device_id,
                                               srv_config_fn fn, void *user);

#endif
