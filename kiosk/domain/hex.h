/* hex.h - hexadecimal text: the one hex-digit decoder, used for card UIDs written as text (sim
 * commands, roster files) and for keys in the configuration. Pure; any thread. */
#ifndef KIOSK_HEX_H
#define KIOSK_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The value of one hex digit (either case), or -1. */
int kiosk_hex_digit(char c);

/* True when s is exactly n hex digits long. */
bool kiosk_hex_is(const char *s, size_t n);

/* Decodes the len characters at hex (len even, at most 2 * max) into out. Returns the number of
 * bytes, or -1 when len is odd or too long or a character is not a hex digit. */
int kiosk_hex_decode(const char *hex, size_t len, uint8_t *out, size_t max);

/* A card UID: 4, 7 or 10 bytes as 8, 14 or 20 hex digits. Returns the number of bytes, 0 when
 * len is not 8, 14 or 20, or -1 when a character is not a hex digit. */
int kiosk_card_uid_from_hex(const char *hex, size_t len, uint8_t out[KIOSK_UID_MAX]);

#endif
