/* staff_serve.h - the meals staff make from staff mode, decided as the canteen decides (the
 * policy in force, the diner's meals of the day, the canteen's set price, the offline limit) and
 * recorded through kiosk_store_staff_meal, which checks the member's role and writes the audit
 * entry with the meal. An override serves a diner the canteen refuses: the diner taps the card
 * again in staff mode, so the meal is made for the card in hand, not for a tap remembered.
 * Main thread (the store's handle). */
#ifndef KIOSK_STAFF_SERVE_H
#define KIOSK_STAFF_SERVE_H

#include "flow.h"
#include "staff_store.h"

typedef enum staff_serve_outcome {
    STAFF_SERVED,        /* recorded: the decision and the record id say what */
    STAFF_NOT_REFUSED,   /* the canteen serves this diner as it is: nothing to lift */
    STAFF_NOT_LIFTABLE,  /* refused for a reason staff may not lift (refused says which) */
    STAFF_STILL_REFUSED, /* refused (an override: again, for another reason): decision.reason */
    STAFF_OFFLINE_LIMIT, /* a manual meal past the offline limit: 离线放行 first */
    STAFF_UNKNOWN_CARD,  /* not a diner's card, or no such person */
    STAFF_GONE,          /* the meal to correct is voided already, or not today's */
    STAFF_DENIED,        /* the member's role may not (refused and audited by the store) */
    STAFF_FAILED,        /* the database: rc says what */
} staff_serve_outcome;

typedef struct staff_served {
    staff_serve_outcome outcome;
    kiosk_rc rc;
    char name_masked[KIOSK_NAME_MASKED_MAX];
    char refused[32]; /* the refusal's code (kiosk_reason_code's, or "offline_limit") */
    kiosk_decision decision;
    char record_id[KIOSK_RECID_TEXT];
} staff_served;

/* The diner with this card key, refused at this moment, served with the refusal lifted
 * (staff_override.h) for the reason code `reason` of [staff] reasons. */
staff_served staff_serve_override(const kiosk_flow_env *env, const kiosk_staff_actor *who,
                                  const uint8_t card_key[KIOSK_CARD_KEY_BYTES], const char *reason,
                                  kiosk_now now);

/* A meal for a diner without a card, chosen by staff (kiosk_store_persons_born): decided as
 * for a diner identified without a card, nothing lifted, recorded with "by": "manual". */
staff_served staff_serve_manual(const kiosk_flow_env *env, const kiosk_staff_actor *who,
                                const char *person_id, const char *reason, kiosk_now now);

#endif
