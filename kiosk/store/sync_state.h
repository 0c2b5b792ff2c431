/* sync_state.h - what the sync worker (kiosk/sync/) keeps in the local database and how it
 * changes the reference data there: the device's identity and the city's card key after
 * enrollment, the pull cursors (sync_cursor), the apply functions of pulled rows (a row replaces
 * the kiosk's only when its version is newer; a tombstone removes only an older row), a
 * snapshot staged in TEMP tables and swapped in, other kiosks' meals (into meal with source
 * 'server', never into the outbox), and the figures the staff line and the heartbeat report.
 * docs/sync-protocol.md is the contract these follow. The worker calls them on its own handle
 * (store.h: one handle per thread); the canteen flow reads the offline figure on the main one. */
#ifndef KIOSK_STORE_SYNC_STATE_H
#define KIOSK_STORE_SYNC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config_sign.h"
#include "store.h"

/* --- identity ------------------------------------------------------------------------------- */

#define KIOSK_SYNC_DEVICE_SECRET_BYTES 32

typedef struct kiosk_sync_identity {
    char device_id[KIOSK_ID_MAX];
    char site_id[KIOSK_ID_MAX];
    char canteen_id[KIOSK_ID_MAX];
    uint8_t secret[KIOSK_SYNC_DEVICE_SECRET_BYTES]; /* never logged */
} kiosk_sync_identity;

/* The identity enrollment stored; KIOSK_ERR_NOT_FOUND when this database was never enrolled. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_identity(kiosk_store *store, kiosk_sync_identity *out);
/* Stores an enrollment in one transaction: the identity, and the city's card key in place of the
 * one the handle used. When the key differs, every stored card hash and ID-number hash was made
 * with a key nobody else has and can never match again: they are dropped (the cards and roster
 * streams bring them back under the city's key, from the start) and *hashes_dropped is set. The
 * handle uses the new key at once; other handles call kiosk_store_reload_card_key. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_enroll(kiosk_store *store, const kiosk_sync_identity *id,
                                                  const uint8_t card_key[KIOSK_CARD_KEY_BYTES],
                                                  bool *hashes_dropped);
/* True (in *out) once the card key is the one the server gave: a [kiosk] card_key of the
 * configuration no longer applies. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_card_key_from_server(kiosk_store *store, bool *out);
/* Reads the stored card key into this handle again (after another handle enrolled). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_reload_card_key(kiosk_store *store);

/* The server's remote-configuration public key (config_sign.h), learned at enrollment; get:
 * KIOSK_ERR_NOT_FOUND when the server had none then. */
KIOSK_MUST_CHECK kiosk_rc
kiosk_store_sync_set_config_key(kiosk_store *store, const uint8_t key[KIOSK_CONFIG_PUBLIC_BYTES]);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_config_key(kiosk_store *store,
                                                      uint8_t out[KIOSK_CONFIG_PUBLIC_BYTES]);

/* How this handle commits: durable (synchronous=FULL, the default, for enrollment and anything
 * a person was told about) or not (NORMAL: in WAL mode still consistent, but a commit may roll
 * back on a power cut). The worker applies pulled pages and upload answers without: a lost page
 * is pulled again with its cursor, a lost answer makes the record go again and come back as
 * "duplicate", and the main handle's next durable commit makes them durable anyway (the WAL is
 * one file, synced up to its end). That takes the fsync out of the time the worker holds the
 * write lock, which a diner's tap may be waiting for. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_set_durable(kiosk_store *store, bool durable);

/* Integers the worker keeps between runs (the last successful contact, the clock offset ...),
 * under device_state keys that start with "sync_". get: KIOSK_ERR_NOT_FOUND when unset. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_get_int(kiosk_store *store, const char *key,
                                                   int64_t *out);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_set_int(kiosk_store *store, const char *key,
                                                   int64_t value);

/* --- pulls ---------------------------------------------------------------------------------- */

/* The stream's cursor ("" from the beginning) and when the stream was last up to date (-1 never).
 */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_cursor(kiosk_store *store, const char *stream,
                                                  char *cursor, size_t size,
                                                  int64_t *up_to_date_ms);

/* The apply functions of one pulled page, between kiosk_store_begin and
 * kiosk_store_sync_page_commit, so the page and its cursor are one transaction. A row the
 * tables' own checks refuse gives KIOSK_ERR_INVALID and leaves the transaction usable (the
 * caller logs it and goes on: one bad row must not stall the stream for good). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_put_person(kiosk_store *store,
                                                      const kiosk_person_row *row, int64_t version);
/* A roster tombstone: the person and their cards go; their meals stay. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_drop_person(kiosk_store *store, const char *person_id,
                                                       int64_t version);
/* A card whose holder is not (yet) on the kiosk's roster gets an inactive placeholder holder,
 * which the roster stream's row replaces: until then a tap is refused, never served. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_put_card(kiosk_store *store, const kiosk_card_row *row,
                                                    int64_t version);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_drop_card(kiosk_store *store,
                                                     const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                     int64_t version);
/* A policy version (its JSON body, checked by the policy parser: KIOSK_ERR_PARSE with err when
 * it does not parse, nothing stored). *changed when the stored policies changed. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_put_policy(kiosk_store *store, const char *json,
                                                      size_t len, int64_t version, bool *changed,
                                                      char *err, size_t err_size);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_drop_policy(kiosk_store *store, const char *name,
                                                       int64_t version, bool *changed);
/* A meal of another kiosk, into meal with source 'server' (never the outbox); nothing when the
 * record is here already (this kiosk's own, or pulled before). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_put_meal(kiosk_store *store,
                                                    const kiosk_meal_entry *meal);
/* Saves the stream's cursor and commits the page (rolls back on failure). up_to_date: the page
 * said there was no more, so the stream's age is now. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_page_commit(kiosk_store *store, const char *stream,
                                                       const char *cursor, bool up_to_date,
                                                       int64_t now_ms);

/* --- snapshots (the server no longer keeps the changes since the kiosk's cursor) ------------ */

/* A snapshot is staged in TEMP tables of this handle (its own temporary database: staging never
 * takes the live file's write lock, so taps commit meanwhile), then swapped in. Streams:
 * "cards", "policy", "roster", "meals_today". */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_snapshot_start(kiosk_store *store, const char *stream);
/* The rows of one snapshot page go in between these two (one temporary-database transaction). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_begin(kiosk_store *store);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_commit(kiosk_store *store);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_person(kiosk_store *store,
                                                         const kiosk_person_row *row,
                                                         int64_t version);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_card(kiosk_store *store,
                                                       const kiosk_card_row *row, int64_t version);
/* KIOSK_ERR_PARSE (err) when the body is not a policy this kiosk can use: not staged. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_policy(kiosk_store *store, const char *json,
                                                         size_t len, int64_t version, char *err,
                                                         size_t err_size);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_shadow_meal(kiosk_store *store,
                                                       const kiosk_meal_entry *meal);

typedef struct kiosk_snapshot_report {
    long rows;    /* staged */
    long written; /* rows new or different from the kiosk's */
    long removed; /* not in the snapshot: deleted (cards, policies), made inactive (roster) */
} kiosk_snapshot_report;

/* Swaps the staged snapshot in: the difference to the live rows is computed on a read
 * snapshot (no write lock), then written in transactions of at most `chunk` rows, and the last
 * one also removes what the snapshot does not have and saves `cursor` - so the removals and the
 * cursor are one transaction, and a crash anywhere before it leaves the old cursor, which makes
 * the server answer 410 again and the snapshot start over. Rows not in the snapshot: cards and
 * policies are deleted, roster persons made inactive (their meals stay), meals never removed
 * (a meal is a fact). Drops the staging tables. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_snapshot_swap(kiosk_store *store, const char *stream,
                                                         const char *cursor, int64_t now_ms,
                                                         long chunk, kiosk_snapshot_report *out);
/* Drops the staging tables (a snapshot given up). */
void kiosk_store_sync_snapshot_drop(kiosk_store *store);

/* --- figures -------------------------------------------------------------------------------- */

/* kiosk_store_outbox_pending's batch of the pending records after device_seq `after` (the next
 * batch, prepared while the server works on the one before it). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_outbox_after(kiosk_store *store, int64_t after,
                                                        size_t max_records, size_t max_bytes,
                                                        kiosk_outbox_batch *out);

/* The worker's own figures of the outbox, cheap at any backlog (kiosk_store_outbox_stats reads
 * every row; this only counts index entries and reads the oldest pending row): records pending
 * and rejected, and the creation time of the oldest pending one (-1 when none). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_outbox_figures(kiosk_store *store, long *pending,
                                                          long *rejected, int64_t *oldest_ms);

/* Subsidised meals made offline that the server has not acknowledged yet: what
 * [sync] offline_meal_limit bounds. Main thread (the canteen flow) or the worker. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_offline_pending(kiosk_store *store, long *out);
/* The meals of business date `day` made offline (the heartbeat's offline_meals). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_offline_meals_on(kiosk_store *store, kiosk_date day,
                                                            long *out);

#endif
