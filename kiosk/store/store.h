/* store.h - the local SQLite cache: roster, cards, policies, meal records and their outbox.
 * All SQL of the kiosk lives in kiosk/store/, one file per concern (store.c opening and
 * migrations, roster.c, policies.c, meals.c, outbox.c, reports.c, recovery.c). One handle per
 * thread; the main loop owns its handle, the sync worker opens its own. The money path commits
 * with BEGIN IMMEDIATE and synchronous=FULL before anyone is told "success". */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "caltime.h"
#include "error.h"
#include "meal_record.h"
#include "policy.h"
#include "recid.h"
#include "types.h"

typedef struct kiosk_store kiosk_store;

#define KIOSK_NAME_MASKED_MAX 64

/* Opens (creating if needed) the database at path, sets WAL and FULL sync, checks the tables a
 * start needs (the card key, the policies, the unsent records: kiosk_store_check does the rest
 * of the file later) and runs the numbered migrations. KIOSK_ERR_CORRUPT when the check finds
 * damage (the file and its WAL are left exactly as they are); KIOSK_ERR_DB otherwise; details via
 * kiosk_store_errmsg on *out when *out is non-NULL, or in err. The caller frees *out with
 * kiosk_store_close even on failure. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_open(const char *path, kiosk_store **out, char *err,
                                           size_t err_size);
/* Another handle on a database this process has open already (and kiosk_store_open checked):
 * the sync worker's. It never opens the file outside SQLite: a descriptor closed on it would
 * release the process's POSIX locks, SQLite's included (kiosk_store_open's writability probe
 * does that, safely only before any handle is open). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_open_beside(const char *path, kiosk_store **out, char *err,
                                                  size_t err_size);
void kiosk_store_close(kiosk_store *store);
/* How long a statement waits for another connection's write lock before KIOSK_ERR_BUSY. The
 * main loop's handle uses a short wait so a diner is told "请稍等" instead of a frozen screen;
 * one-shot staff commands wait longer. Default 2000 ms. */
void kiosk_store_set_busy_timeout(kiosk_store *store, int ms);
/* True when a handle of this process waited for the write lock at or after mono_ms
 * (kiosk_clock_mono_ms): a long writer (the sync worker) pauses between its transactions only
 * then. Any thread. */
bool kiosk_store_lock_wanted_since(int64_t mono_ms);
/* The last SQLite message on this handle (borrowed until the next call). */
const char *kiosk_store_errmsg(const kiosk_store *store);
/* How durable commits are on this handle: WAL mode and the synchronous level (2 = FULL). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_durability(kiosk_store *store, bool *wal, int *sync_level);
/* The schema version the migrations reached (PRAGMA user_version). */
int kiosk_store_schema_version(kiosk_store *store);

/* The keyed hash that identifies a card: HMAC-SHA256(card key, UID bytes). The key is the
 * configured site key, or one the store made for itself at first open (device_state). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_set_card_key_hex(kiosk_store *store, const char *hex);
void kiosk_store_card_key(const kiosk_store *store, const uint8_t *uid, size_t uid_len,
                          uint8_t out[KIOSK_CARD_KEY_BYTES]);

/* --- roster --------------------------------------------------------------------------- */

typedef struct kiosk_holder {
    char person_id[KIOSK_ID_MAX];
    char name_masked[KIOSK_NAME_MASKED_MAX];
    kiosk_person person;
    kiosk_card_info card;
} kiosk_holder;

typedef struct kiosk_import_stats {
    long rows, persons, cards;
} kiosk_import_stats;

/* Imports a roster CSV (docs/roster.md) as a delta (only the persons and cards in the file
 * change), all rows or none: kiosk_store_import_roster_mode (roster_import.h) with
 * KIOSK_ROSTER_MODE_DELTA, its refusals included. Tests and benchmarks use it; staff choose a
 * mode on the command line. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_import_roster(kiosk_store *store, FILE *csv, kiosk_date today,
                                                    kiosk_import_stats *stats, char *err,
                                                    size_t err_size);
/* The apply functions of reference data, row by row: sync's pulls change the roster through
 * these, inside kiosk_store_begin .. kiosk_store_commit (one transaction per pulled page); the
 * CSV import applies a whole file set-wise instead (roster_import.c). A delete is a tombstone:
 * the person's meals stay. */
typedef struct kiosk_person_row {
    char person_id[KIOSK_ID_MAX];
    char name_masked[KIOSK_NAME_MASKED_MAX];
    kiosk_person person;
    bool has_id_key; /* false keeps the stored ID-number hash */
    uint8_t id_key[KIOSK_CARD_KEY_BYTES];
} kiosk_person_row;

typedef struct kiosk_card_row {
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    char person_id[KIOSK_ID_MAX];
    kiosk_card_info info;
} kiosk_card_row;

KIOSK_MUST_CHECK kiosk_rc kiosk_store_begin(kiosk_store *store);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_commit(kiosk_store *store); /* rolls back on failure */
void kiosk_store_rollback(kiosk_store *store);                    /* no-op outside a transaction */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_upsert_person(kiosk_store *store,
                                                    const kiosk_person_row *row);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_delete_person(kiosk_store *store, const char *person_id);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_upsert_card(kiosk_store *store, const kiosk_card_row *row);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_delete_card(kiosk_store *store,
                                                  const uint8_t key[KIOSK_CARD_KEY_BYTES]);

/* The holder of a card by its keyed hash; KIOSK_ERR_NOT_FOUND when unknown. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_find_card(kiosk_store *store,
                                                const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                kiosk_holder *out);

/* Copies committed pages from the WAL into the database file (a passive checkpoint). The main
 * loop calls it when the screen goes back to idle, so a diner's tap never waits for it. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_checkpoint(kiosk_store *store);

/* A notice for staff kept in the database until someone deals with it, as a code the app puts
 * into words on the staff line at every start: a recovery that could not read everything leaves
 * one (kiosk_store_recover), and a full roster import, the remedy, clears it. "" when none. */
#define KIOSK_NOTICE_RECOVERY_INCOMPLETE "recovery_incomplete" /* rows were lost */
#define KIOSK_NOTICE_CARD_KEY_LOST       "card_key_lost" /* every card must be imported again */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_notice(kiosk_store *store, char *out, size_t size);
/* Sets the notice code; "" clears it. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_set_staff_notice(kiosk_store *store, const char *code);

/* True once any statement on this handle met a damaged page (SQLITE_CORRUPT or NOTADB): the
 * caller should stop using it and recover (kiosk_store_request_recovery). */
bool kiosk_store_damaged(const kiosk_store *store);

/* The whole-file damage check, on a read-only connection of its own, for a thread of its own
 * (any thread; one at a time per handle): kiosk_store_open checks only what a start needs, so
 * a large roster does not delay the first frame. run: KIOSK_OK, KIOSK_ERR_CORRUPT (then recover:
 * kiosk_store_request_recovery), or another code when the check could not finish (interrupted:
 * KIOSK_ERR_DB). interrupt may be called from any other thread, and makes run return soon. */
typedef struct kiosk_store_check kiosk_store_check;
KIOSK_MUST_CHECK kiosk_rc kiosk_store_check_open(const char *path, kiosk_store_check **out,
                                                 char *err, size_t err_size);
KIOSK_MUST_CHECK kiosk_rc kiosk_store_check_run(kiosk_store_check *check, char *err,
                                                size_t err_size);
void kiosk_store_check_interrupt(kiosk_store_check *check);
void kiosk_store_check_close(kiosk_store_check *check);

/* A damaged database (kiosk_store_open said KIOSK_ERR_CORRUPT) is copied aside byte for byte,
 * with its -wal, to PATH.damaged-<UTC time>, and never deleted; every row that can still be read
 * page by page (salvage.h: card key, roster, policies, meals, their outbox rows) goes into a
 * fresh database, which then replaces PATH in one rename. Until then PATH is untouched, so a
 * recovery that fails or is cut short leaves it as it was; a cut-short one leaves the marker
 * PATH.recovery, and the next start recovers again (kiosk_store_recovery_pending). Open PATH
 * again afterwards. */
typedef struct kiosk_recovery {
    char aside_path[1100];
    long persons, cards, meals, outbox;
    long staff, staff_cards, staff_locks, audit, voids; /* staff mode's tables */
    long audit_restored; /* of audit: entries whose own row was lost, from their outbox row */
    long appointments, checkins, calls, calendar_days; /* the marriage hall's tables */
    long checkins_restored; /* of checkins: those whose own row was lost, from their outbox row */
    long pages_unreadable;  /* pages of the damaged file that held nothing readable */
    long rows_skipped;      /* records found but not carried (damaged, or refused by the schema) */
    bool card_key_lost;     /* the card key was unreadable: cards must be imported again */
    bool complete;          /* nothing unreadable and nothing skipped */
} kiosk_recovery;

KIOSK_MUST_CHECK kiosk_rc kiosk_store_recover(const char *path, kiosk_recovery *out, char *err,
                                              size_t err_size);
/* Marks PATH for recovery (the marker PATH.recovery), for damage found while it is open: the
 * caller closes every handle, then calls kiosk_store_recover (or a start does). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_request_recovery(const char *path, char *err,
                                                       size_t err_size);
/* True when a recovery of PATH was asked for, or started and did not finish. */
bool kiosk_store_recovery_pending(const char *path);

/* The keyed hash of a validated, normalised ID number (its own domain: never equal to a card's).
 * The roster import stores the same hash, never the number. */
void kiosk_store_id_number_key(const kiosk_store *store, const char *number,
                               uint8_t out[KIOSK_CARD_KEY_BYTES]);
/* The person with this ID number hash, for a diner identified by the ID-card reader. The holder's
 * card fields are empty (no card is involved); KIOSK_ERR_NOT_FOUND when unknown. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_find_id_number(kiosk_store *store,
                                                     const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                     kiosk_holder *out);

/* The person with this person_id, for a diner staff chose by name and birth date (no card:
 * the holder's card fields are empty). KIOSK_ERR_NOT_FOUND when unknown. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_find_person(kiosk_store *store, const char *person_id,
                                                  kiosk_holder *out);

/* A person found by birth date: what staff see to choose (the masked name) and who it is. */
typedef struct kiosk_person_hit {
    char person_id[KIOSK_ID_MAX];
    char name_masked[KIOSK_NAME_MASKED_MAX];
    bool active;
} kiosk_person_hit;

/* The persons born on `birth`, by masked name, at most max into out; *count is how many there
 * are (more than max when the list was cut). The roster keeps no part of an ID number in clear,
 * so birth date and masked name are what a search can use. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_persons_born(kiosk_store *store, kiosk_date birth,
                                                   kiosk_person_hit *out, size_t max,
                                                   size_t *count);

/* --- policy --------------------------------------------------------------------------- */

/* Validates and stores a policy version (JSON text); err names the problem. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_put_policy(kiosk_store *store, const char *json, size_t len,
                                                 char *err, size_t err_size);
/* Loads every stored version into a new set (caller frees). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_load_policies(kiosk_store *store, kiosk_policy_set **out);

/* --- meals ---------------------------------------------------------------------------- */

/* Commits the meal and its outbox row in one durable transaction. Only after KIOSK_OK may
 * anyone be told "success". KIOSK_ERR_FULL when the disk is full, KIOSK_ERR_BUSY when locked,
 * KIOSK_ERR_GONE when the database file was deleted or replaced while the kiosk ran. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_add_meal(kiosk_store *store, const kiosk_meal_entry *meal);
/* What the limits need of the person's earlier meals (policy.h): the government subsidy of the
 * month of `today` and today's subsidised meals, computed in integer SQL over every record,
 * however many. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_meal_summary(kiosk_store *store, const char *person_id,
                                                   kiosk_date today, kiosk_meal_summary *out);
/* Number of meal records and outbox rows (for tests and the staff view). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_count_meals(kiosk_store *store, long *meals,
                                                  long *outbox_pending);
/* Whether a record with this id exists. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_has_meal(kiosk_store *store, const kiosk_recid *id,
                                               bool *exists);

/* --- outbox: what the sync worker uploads ---------------------------------------------- */

typedef struct kiosk_outbox_record {
    kiosk_recid record_id;
    int64_t device_seq; /* 1, 2, 3, ... without gaps on this device */
    char kind[16];      /* meal, checkin, override, audit, help_call, help_answer */
    char *payload;      /* canonical JSON, owned by the batch */
    uint8_t payload_sha256[32];
    int64_t created_wall_ms;
    int attempts;
} kiosk_outbox_record;

typedef struct kiosk_outbox_batch {
    kiosk_outbox_record *items;
    size_t count;
} kiosk_outbox_batch;

/* The oldest pending records in sequence order: at most max_records, and no more payload bytes
 * than max_bytes (but always at least one record when any is pending). Free with
 * kiosk_outbox_batch_cleanup. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_outbox_pending(kiosk_store *store, size_t max_records,
                                                     size_t max_bytes, kiosk_outbox_batch *out);
void kiosk_outbox_batch_cleanup(kiosk_outbox_batch *batch);

typedef enum kiosk_outbox_outcome {
    KIOSK_OUTBOX_ACKED,    /* the server stored it (accepted or duplicate) */
    KIOSK_OUTBOX_REJECTED, /* the server refused it for good: kept, alerted, never deleted */
    KIOSK_OUTBOX_RETRY     /* no answer for it: stays pending, its attempt is counted */
} kiosk_outbox_outcome;

typedef struct kiosk_outbox_result {
    kiosk_recid record_id;
    kiosk_outbox_outcome outcome;
    const char *error; /* the server's code or detail, NULL when none */
} kiosk_outbox_result;

/* Marks the server's answers for a batch, all in one transaction. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_outbox_mark(kiosk_store *store,
                                                  const kiosk_outbox_result *results, size_t count,
                                                  int64_t now_ms);

typedef struct kiosk_outbox_stats {
    long pending, rejected;
    int64_t oldest_pending_ms; /* creation time of the oldest pending record; -1 when none */
    int64_t last_ack_ms;       /* the last time the server acknowledged a record; -1 never */
} kiosk_outbox_stats;

KIOSK_MUST_CHECK kiosk_rc kiosk_store_outbox_stats(kiosk_store *store, kiosk_outbox_stats *out);

/* --- settlement and the staff day view ------------------------------------------------- */

#define KIOSK_REPORT_GROUPS_MAX 48

typedef struct kiosk_report_group {
    char key[KIOSK_CLASS_ID_MAX]; /* class id, meal type code or canteen id */
    long meals;
    int64_t price_fen, subsidy_fen, pay_fen;
} kiosk_report_group;

typedef struct kiosk_report {
    kiosk_date from, to; /* inclusive */
    long meals;
    int64_t price_fen, subsidy_fen, pay_fen;
    int64_t funding_fen[KIOSK_LEVEL_COUNT];
    int64_t canteen_fen; /* what canteens gave themselves (not reimbursed) */
    kiosk_report_group by_meal[KIOSK_MEAL_COUNT];
    kiosk_report_group by_class[KIOSK_REPORT_GROUPS_MAX];
    size_t class_count;
    kiosk_report_group by_canteen[KIOSK_REPORT_GROUPS_MAX];
    size_t canteen_count;
} kiosk_report;

/* Totals of the meals whose business date is in [from, to]. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_report(kiosk_store *store, kiosk_date from, kiosk_date to,
                                             kiosk_report *out);
/* Writes the meal records of [from, to] as CSV (README.md, "Settlement export") to out. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_export_meals_csv(kiosk_store *store, kiosk_date from,
                                                       kiosk_date to, FILE *out);

#endif
