/* staff.h - who staff are and what each may do: the two roles, the staff actions with the role
 * each needs (the one table the core enforces, whatever a screen shows), and the PIN: its rules
 * and its argon2id hash (libsodium crypto_pwhash_str). A PIN is never stored or logged in clear;
 * only its hash is kept. Pure apart from libsodium; any thread. */
#ifndef KIOSK_STAFF_H
#define KIOSK_STAFF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum kiosk_staff_role {
    KIOSK_STAFF_OPERATOR,  /* on-site staff: the everyday corrections */
    KIOSK_STAFF_SUPERVISOR /* also lifting a refusal (it spends subsidy past the policy's
                            * limits), the kiosk's own settings and leaving to the OS */
} kiosk_staff_role;

/* "operator" / "supervisor" to the role; false for anything else. */
bool kiosk_staff_role_parse(const char *text, kiosk_staff_role *out);
const char *kiosk_staff_role_name(kiosk_staff_role role);

/* Every staff action (name, the least role that may do it). The name is the audit entry's
 * action and the staff menu's widget id. */
#define KIOSK_STAFF_ACTIONS(X)                                \
    X(DAY_VIEW, "day_view", KIOSK_STAFF_OPERATOR)             \
    X(VOID_MEAL, "void_meal", KIOSK_STAFF_OPERATOR)           \
    X(MANUAL_MEAL, "manual_meal", KIOSK_STAFF_OPERATOR)       \
    X(OVERRIDE, "override", KIOSK_STAFF_SUPERVISOR)           \
    X(OFFLINE_ALLOW, "offline_allow", KIOSK_STAFF_OPERATOR)   \
    X(BILL, "bill", KIOSK_STAFF_OPERATOR)                     \
    X(SYNC_NOW, "sync_now", KIOSK_STAFF_OPERATOR)             \
    X(STATUS, "status", KIOSK_STAFF_OPERATOR)                 \
    X(REPRINT, "reprint", KIOSK_STAFF_OPERATOR)               \
    X(OUT_OF_SERVICE, "out_of_service", KIOSK_STAFF_OPERATOR) \
    X(WALK_IN, "walk_in", KIOSK_STAFF_OPERATOR)               \
    X(CALL_NEXT, "call_next", KIOSK_STAFF_OPERATOR)           \
    X(SETTINGS, "settings", KIOSK_STAFF_SUPERVISOR)           \
    X(EXIT_OS, "exit_os", KIOSK_STAFF_SUPERVISOR)

typedef enum kiosk_staff_action {
#define KIOSK_STAFF_ACTION_ENUM(id, name, role) KIOSK_STAFF_##id,
    KIOSK_STAFF_ACTIONS(KIOSK_STAFF_ACTION_ENUM)
#undef KIOSK_STAFF_ACTION_ENUM
        KIOSK_STAFF_ACTION_COUNT
} kiosk_staff_action;

const char *kiosk_staff_action_name(kiosk_staff_action action);
/* The action named `name`; false when there is none. */
bool kiosk_staff_action_parse(const char *name, kiosk_staff_action *out);
/* Whether a member of staff with `role` may do `action`. */
bool kiosk_staff_may(kiosk_staff_role role, kiosk_staff_action action);

/* A PIN is 4 to 8 decimal digits. */
#define KIOSK_PIN_MIN 4
#define KIOSK_PIN_MAX 8
bool kiosk_staff_pin_valid(const char *pin);

/* argon2id at libsodium's "interactive" cost (2 passes, 64 MiB): about 0.1-0.3 s on a kiosk's
 * x86 or ARM board, well under a second, and each guess of a stolen hash costs the same. */
#define KIOSK_PIN_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
/* A hash must not cost more than this to check: a roster cannot make the kiosk stall (or run
 * out of memory) on a tap. */
#define KIOSK_PIN_HASH_MEM_MAX_KIB (256 * 1024)
#define KIOSK_PIN_HASH_OPS_MAX     8

/* Hashes a valid PIN into out ("$argon2id$v=19$m=65536,t=2,p=1$..."). KIOSK_ERR_INVALID for a
 * PIN that is not 4-8 digits, KIOSK_ERR_NOMEM when the memory cannot be had. */
KIOSK_MUST_CHECK kiosk_rc kiosk_staff_pin_hash(const char *pin, char out[KIOSK_PIN_HASH_MAX]);
/* Whether the text is an argon2id hash this kiosk will check: its form, and its cost within
 * the limits above. */
bool kiosk_staff_pin_hash_valid(const char *hash);
/* Whether pin matches the hash (false for an invalid PIN or hash). Takes the hash's time. */
bool kiosk_staff_pin_check(const char *hash, const char *pin);

#endif
