/* staff_store.h - staff mode's data: the staff roster and their cards (keyed hashes, like
 * diners' cards), signing in with a PIN and the wrong-PIN lock of each staff card (kept in the
 * database, so a restart does not lift it), the hash-chained audit log (audit.h) and the staff
 * actions that write business records (a compensating void of a meal). Every action function
 * takes the acting member of staff and refuses, with an audit entry, what her role may not do
 * (staff.h): the rule holds here, whatever a screen offers. Each write is one durable
 * transaction with its audit entry and its outbox rows. Main thread (the store's handle). */
#ifndef KIOSK_STAFF_STORE_H
#define KIOSK_STAFF_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "audit.h"
#include "caltime.h"
#include "error.h"
#include "hall.h"
#include "recid.h"
#include "staff.h"
#include "staff_csv.h"
#include "staff_override.h"
#include "store.h"

/* Wrong PINs in a row that lock a staff card. */
#define KIOSK_STAFF_PIN_TRIES 5

typedef struct kiosk_staff_member {
    char staff_id[KIOSK_STAFF_ID_MAX];
    char name_masked[KIOSK_STAFF_NAME_MAX];
    kiosk_staff_role role;
    bool active;
} kiosk_staff_member;

/* Who acts, on which kiosk. */
typedef struct kiosk_staff_actor {
    char staff_id[KIOSK_STAFF_ID_MAX];
    kiosk_staff_role role;
    char kiosk_id[40];
} kiosk_staff_actor;

typedef struct kiosk_staff_import_stats {
    long rows, active, cards, made_inactive;
} kiosk_staff_import_stats;

/* Imports a staff roster file (staff_csv.h): the file is the whole staff list. Members it
 * leaves out become inactive and lose their cards; lock states stay. All or nothing:
 * KIOSK_ERR_PARSE with "line N: ..." for a bad row, a staff id twice, or a card listed twice or
 * already a diner's card. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_import_staff(kiosk_store *store, const char *text, size_t len,
                                                   kiosk_staff_import_stats *stats, char *err,
                                                   size_t err_size);

/* A member of staff as the server's "staff" stream sends it (docs/staff.md): the cards as keyed
 * hashes already. The server never deletes a member; one who left comes inactive, with no
 * cards. */
typedef struct kiosk_staff_sync_row {
    kiosk_staff_member member;
    char pin_hash[KIOSK_PIN_HASH_MAX];
    uint8_t card_keys[KIOSK_STAFF_CARDS_MAX][KIOSK_CARD_KEY_BYTES];
    size_t card_count;
} kiosk_staff_sync_row;

/* Applies one pulled member inside the caller's transaction (kiosk_store_begin): the member and
 * exactly the cards the row lists. KIOSK_ERR_INVALID for a role or hash the kiosk would not use
 * (the row is then left out). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_sync_put_staff(kiosk_store *store,
                                                     const kiosk_staff_sync_row *row);

/* The active member of staff whose card has this keyed hash; KIOSK_ERR_NOT_FOUND otherwise. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_find_staff_card(kiosk_store *store,
                                                      const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                      kiosk_staff_member *out);

typedef struct kiosk_staff_lock {
    int failures;            /* wrong PINs in a row, since the last right one or lock's end */
    int64_t locked_until_ms; /* UTC ms; 0 when the card is not locked */
} kiosk_staff_lock;

/* The card's lock state at now_ms (a lock whose time is over reads as none). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_lock_get(kiosk_store *store,
                                                     const uint8_t key[KIOSK_CARD_KEY_BYTES],
                                                     int64_t now_ms, kiosk_staff_lock *out);

/* A PIN typed after the card with this hash was tapped, at now_ms (the injectable clock).
 * KIOSK_OK: right, *out is the member and the card's failures are cleared. KIOSK_ERR_DENIED:
 * wrong (the KIOSK_STAFF_PIN_TRIES-th in a row locks the card for lockout_ms), or the card is
 * locked (the PIN is then not even checked); *lock says which. KIOSK_ERR_NOT_FOUND: not a staff
 * card. Every attempt is an audit entry; the PIN itself is never kept or logged. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_sign_in(
    kiosk_store *store, const uint8_t key[KIOSK_CARD_KEY_BYTES], const char *pin, int64_t now_ms,
    int64_t lockout_ms, const char *kiosk_id, kiosk_staff_member *out, kiosk_staff_lock *lock);

/* An action without a business record of its own (the day view, a sync, out of service,
 * settings, leaving to the OS): KIOSK_OK and an audit entry "ok" when the actor's role allows
 * it; KIOSK_ERR_DENIED and an entry "refused" otherwise. target, reason, detail may be "". */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_act(kiosk_store *store, const kiosk_staff_actor *who,
                                                kiosk_staff_action action, const char *target,
                                                const char *reason, const char *detail,
                                                int64_t now_ms);

/* An audit entry for an event without an actor's action (a locked card tapped, staff mode
 * left): e's seq and prev are filled here. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_audit_append(kiosk_store *store, kiosk_audit_entry *e);

/* Checks the whole audit chain: each entry's stored hash is its payload's, its payload is the
 * one that went to the outbox (while the outbox row exists), and the chain (audit.h) holds.
 * *entries: how many were checked. KIOSK_ERR_INVALID when it is broken: *bad_seq is the first
 * bad entry (or the first missing number) and why says what is wrong. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_audit_verify(kiosk_store *store, long *entries,
                                                   int64_t *bad_seq, char *why, size_t why_size);

/* Past [sync] offline_meal_limit a subsidised meal waits for staff (canteen.c). Staff allow
 * `limit` more offline meals: until the pending offline meals reach pending + limit, counted
 * from now; once records were delivered (fewer pending than when it was given) the allowance
 * lapses. Role-checked and audited like any action (reason: a reason code, may be ""). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_offline_allow(kiosk_store *store,
                                                    const kiosk_staff_actor *who, long limit,
                                                    const char *reason, int64_t now_ms);
/* Whether a subsidised offline meal may be made with `pending` offline meals not yet delivered
 * and the site's limit (0: none). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_offline_may_serve(kiosk_store *store, long pending,
                                                        long limit, bool *may);

/* The voice's volume staff set on this kiosk (0..100, device_state voice_volume); it overrides
 * [voice] volume from the next start on. KIOSK_ERR_NOT_FOUND when staff never set one. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_voice_volume(kiosk_store *store, int *volume);
/* Keeps `volume` (0..100; KIOSK_ERR_INVALID otherwise) as the kiosk's voice volume, with an
 * audit entry (action settings, target voice_volume, detail "voice_volume <old> -> <new>") in
 * the same transaction. A local setting is a supervisor's: an operator is refused
 * (KIOSK_ERR_DENIED, and the refusal is audited) and nothing changes. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_set_voice_volume(kiosk_store *store,
                                                       const kiosk_staff_actor *who,
                                                       int old_volume, int volume, int64_t now_ms);

/* A meal of the day, for staff to choose from. */
typedef struct kiosk_day_meal {
    kiosk_recid record_id;
    char person_id[KIOSK_ID_MAX];
    char name_masked[KIOSK_NAME_MASKED_MAX];
    int minute_of_day;
    char meal_type[16];
    char class_id[KIOSK_CLASS_ID_MAX];
    int64_t price_fen, subsidy_fen, pay_fen;
    bool voided;
} kiosk_day_meal;

/* The latest meals of `day` on this kiosk's database, latest first, at most max. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_day_meals(kiosk_store *store, kiosk_date day,
                                                kiosk_day_meal *out, size_t max, size_t *count);

/* Voids the meal `meal_id` of `today`, with a reason code: a void record (meal_void and an
 * outbox row of kind "override", type "void") and its audit entry, in one transaction; the meal
 * stays. Voided meals count no more in the limits, the day view or the export. KIOSK_ERR_DENIED
 * (refused and audited) for a role that may not; KIOSK_ERR_NOT_FOUND for no such meal;
 * KIOSK_ERR_INVALID for a meal of another day or one voided already. *void_id: the void's id. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_void_meal(kiosk_store *store, const kiosk_staff_actor *who,
                                                const kiosk_recid *meal_id, const char *reason,
                                                kiosk_date today, int64_t now_ms,
                                                kiosk_recid *void_id);

/* A meal made by staff (meal->staff.by "override": a refusal lifted, staff_override.h; or
 * "manual": a diner without a card, chosen by name and birth date), recorded as the canteen
 * records a meal (meal record and outbox row, the payload carrying {"staff": ...}) with its audit
 * entry (target: the meal's record id; reason: the reason code), in one transaction.
 * meal->staff.staff_id is set to the actor's. KIOSK_ERR_DENIED (refused and audited) for a role
 * that may not; KIOSK_ERR_INVALID for a decision that is not approved, a reason that is not a
 * code (a-z 0-9 _), an override of a refusal staff may not lift, or a manual meal with a card. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_meal(kiosk_store *store, const kiosk_staff_actor *who,
                                                 kiosk_meal_entry *meal, int64_t now_ms);

/* A queue ticket staff issue on a marriage hall's kiosk (现场取号): a walk-in or priority lane
 * ticket of req (no appointment), issued as kiosk_store_issue_ticket does, with its audit entry
 * (action "walk_in", target the number, the service and lane as detail) in the same transaction.
 * KIOSK_ERR_DENIED (refused and audited) for a role that may not; KIOSK_ERR_INVALID for another
 * lane, an appointment, or an unknown service. */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_staff_ticket(kiosk_store *store, const kiosk_staff_actor *who,
                                                   const kiosk_ticket_request *req,
                                                   kiosk_checkin_entry *out);

/* A bill above this is refused (¥9999.99: the canteen's own bill keypad stops there too). */
#define KIOSK_BILL_MAX_FEN 999999

typedef struct kiosk_bill_correction {
    kiosk_recid void_id, meal_id; /* the void of the old meal, the new meal */
    kiosk_decision decision;      /* the new meal's (when refused: why) */
} kiosk_bill_correction;

/* Corrects the bill of one of today's meals without editing a record: a void of the meal (as
 * kiosk_store_void_meal) and a new meal for the same diner, the same minute and meal, priced
 * price_fen as a bill (source "bill"), decided by `policy` with the old meal no longer counting,
 * its payload carrying {"staff": {"by": "correction", ...}}, and an audit entry (action "bill",
 * target the old meal, the reason code, the old and new price), all in one transaction.
 * KIOSK_ERR_DENIED (refused and audited) for a role that may not; KIOSK_ERR_NOT_FOUND for no such
 * meal; KIOSK_ERR_INVALID for a meal of another day or voided already, a price out of range, a
 * reason that is not a code, or a new bill the policy refuses (out->decision.reason says why;
 * nothing is changed). */
KIOSK_MUST_CHECK kiosk_rc kiosk_store_correct_bill(kiosk_store *store, const kiosk_staff_actor *who,
                                                   const kiosk_recid *meal_id, int64_t price_fen,
                                                   const char *reason, const kiosk_policy *policy,
                                                   const kiosk_site *site, kiosk_date today,
                                                   int64_t now_ms, kiosk_bill_correction *out);

#endif
