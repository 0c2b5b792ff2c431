/* meal_record.h - one served meal as a record: what the store keeps and what goes to the central
 * server, and its canonical JSON payload (the outbox row's payload, the same bytes on every
 * resend). Pure; any thread. */
#ifndef KIOSK_MEAL_RECORD_H
#define KIOSK_MEAL_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "caltime.h"
#include "card_key.h"
#include "error.h"
#include "policy.h"
#include "recid.h"
#include "types.h"

typedef struct kiosk_meal_entry {
    kiosk_recid record_id;
    char person_id[KIOSK_ID_MAX];
    uint8_t card_key[KIOSK_CARD_KEY_BYTES];
    bool has_card;
    char kiosk_id[KIOSK_ID_MAX];
    char canteen_id[KIOSK_ID_MAX];
    int64_t created_utc_ms;
    kiosk_local_time at;
    kiosk_decision decision; /* approved; amounts, class, policy version */
    kiosk_order order;       /* where the price came from: set meal, menu item, bill */
    /* Served while the kiosk's last successful contact with the central server was older than
     * [sync] offline_after_s (or there never was one): the payload says "offline": true and, when
     * known (>= 0), how long the kiosk had been out of touch, so the server can weigh a possible
     * second subsidy. Always false on a kiosk without sync. */
    bool offline;
    int64_t offline_age_s;
    /* Made by a member of staff in staff mode (staff_store.h), else all empty: "override" (a
     * refusal lifted: `refused` is its reason code), "manual" (a diner without a card, found by
     * name and birth date) or "correction" (a bill corrected: this meal replaces a voided one),
     * who (staff_id) and why (reason, a code of [staff] reasons). The
     * payload carries them as {"staff": {"by", "reason", "refused", "staff_id"}}. */
    struct {
        char by[16];
        char staff_id[40];
        char reason[32];
        char refused[32];
    } staff;
} kiosk_meal_entry;

/* "set", "menu", "bill": the price source's code in records and exports. */
const char *kiosk_price_source_code(kiosk_price_source s);

/* Reads a meal record's payload object (what kiosk_meal_payload makes, on this kiosk or
 * another) back into *out, checking every field: types, sizes, codes, dates, and the money
 * (amounts >= 0, subsidy <= price, pay = price - subsidy). Unknown fields are allowed (a later
 * version may add some). KIOSK_ERR_PARSE with the field named in err otherwise. payload is a
 * Jansson object (json_t *), passed as void * so this header needs no Jansson. */
KIOSK_MUST_CHECK kiosk_rc kiosk_meal_payload_read(const void *payload, kiosk_meal_entry *out,
                                                  char *err, size_t err_size);

/* The canonical JSON of a meal (compact, keys sorted), malloc'd; NULL when out of memory. The
 * caller frees it. */
char *kiosk_meal_payload(const kiosk_meal_entry *meal);

#endif
