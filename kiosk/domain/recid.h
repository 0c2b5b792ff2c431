/* recid.h - globally unique record ids (UUIDv7: 48-bit Unix ms, version 7, random bits from
 * libsodium). Ids made by one process never go backwards even if the clock is set back. */
#ifndef KIOSK_RECID_H
#define KIOSK_RECID_H

#include <stdbool.h>
#include <stdint.h>

#define KIOSK_RECID_TEXT 37 /* 36 characters and the terminator */

typedef struct kiosk_recid {
    uint8_t bytes[16];
} kiosk_recid;

/* A new id for an event at utc_ms (the injectable clock's now). Any thread. */
kiosk_recid kiosk_recid_new(int64_t utc_ms);
/* "018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60" */
void kiosk_recid_format(const kiosk_recid *id, char out[static KIOSK_RECID_TEXT]);
/* The inverse of kiosk_recid_format: 36 characters, hex digits of either case and the four
 * dashes in place; any UUID (the version is not checked). false on anything else. */
bool kiosk_recid_parse(const char *text, kiosk_recid *out);

#endif
