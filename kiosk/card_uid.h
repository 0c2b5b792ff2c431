/* card_uid.h - NFC card UIDs written as text (sim commands, roster files): 4, 7 or 10 bytes as
 * 8, 14 or 20 hexadecimal digits in either case. Pure; any thread. */
#ifndef KIOSK_CARD_UID_H
#define KIOSK_CARD_UID_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Decodes the len characters at hex into out. Returns the number of bytes (4, 7 or 10), 0 when
 * len is not 8, 14 or 20, or -1 when a character is not a hex digit. */
int kiosk_card_uid_from_hex(const char *hex, size_t len, uint8_t out[KIOSK_UID_MAX]);

#endif
