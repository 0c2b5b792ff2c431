/* audit.h - the staff audit log's entries and their hash chain. An entry's canonical bytes are
 * its payload: compact JSON with sorted keys (the text that also travels in the outbox). Each
 * payload holds its sequence number (1, 2, 3 ... on one kiosk) and "prev", the BLAKE2b-256
 * (libsodium crypto_generichash) of the previous entry's payload (64 zeros for the first), so
 * changing, removing or inserting any entry breaks the chain at that entry. The kiosk
 * (--audit-verify) and the server check chains with the same kiosk_audit_chain. Pure; any
 * thread. */
#ifndef KIOSK_AUDIT_H
#define KIOSK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KIOSK_AUDIT_HASH_BYTES  32
#define KIOSK_AUDIT_PAYLOAD_MAX 4096

/* What happened: who (staff id and role, "" before a PIN was right), what (action: a staff
 * action name of staff.h, or pin_ok, pin_wrong, locked, leave ...), to what (target: a record
 * id, a person id), why (reason: a reason code from [staff] reasons), and the outcome ("ok",
 * "refused", ...). Texts are short and never hold a PIN, a name or an ID number. */
typedef struct kiosk_audit_entry {
    int64_t seq;
    int64_t at_ms; /* the injectable clock's UTC ms */
    char kiosk_id[40];
    char staff_id[40];
    char role[16];
    char action[32];
    char outcome[16];
    char target[64];
    char reason[32];
    char detail[160];
    uint8_t prev[KIOSK_AUDIT_HASH_BYTES];
} kiosk_audit_entry;

/* The canonical payload of an entry (malloc'd; the caller frees), NULL when out of memory. */
char *kiosk_audit_payload(const kiosk_audit_entry *e);
/* BLAKE2b-256 of a payload's bytes. */
void kiosk_audit_hash(const char *payload, size_t len, uint8_t out[KIOSK_AUDIT_HASH_BYTES]);
/* Reads an audit payload back (every field); KIOSK_ERR_PARSE with the reason in err. */
KIOSK_MUST_CHECK kiosk_rc kiosk_audit_payload_read(const char *payload, size_t len,
                                                   kiosk_audit_entry *out, char *err,
                                                   size_t err_size);

/* A chain walked entry by entry in sequence order. Start it with kiosk_audit_chain_init (a
 * whole chain) or _resume (after an entry already checked: its seq and hash). */
typedef struct kiosk_audit_chain {
    int64_t last_seq;
    uint8_t last_hash[KIOSK_AUDIT_HASH_BYTES];
} kiosk_audit_chain;

void kiosk_audit_chain_init(kiosk_audit_chain *c);
void kiosk_audit_chain_resume(kiosk_audit_chain *c, int64_t seq,
                              const uint8_t hash[KIOSK_AUDIT_HASH_BYTES]);
/* Checks the next entry's payload and, when it follows, takes it as the chain's end.
 * KIOSK_ERR_INVALID with why in err: unreadable, a sequence number that does not follow (an
 * entry removed or inserted before it), or a prev that is not the hash of the entry before (it
 * or the entry before was changed). The chain is unchanged on failure. */
KIOSK_MUST_CHECK kiosk_rc kiosk_audit_chain_step(kiosk_audit_chain *c, const char *payload,
                                                 size_t len, char *err, size_t err_size);

#endif
