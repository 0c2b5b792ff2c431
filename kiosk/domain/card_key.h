/* card_key.h - the keyed hashes that identify a card and an ID number without storing either:
 * HMAC-SHA256 under the city's card key (one 32-byte key shared by every kiosk of a city and the
 * central server, so a card issued anywhere is known everywhere), in two domains ("card:" and
 * "id:") so a card UID can never equal an ID number's hash. The kiosk's store and the server both
 * use these. Pure; any thread. */
#ifndef KIOSK_CARD_KEY_H
#define KIOSK_CARD_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KIOSK_CARD_KEY_BYTES 32

/* The hash of a card UID (its raw bytes). */
void kiosk_card_key_of_uid(const uint8_t key[KIOSK_CARD_KEY_BYTES], const uint8_t *uid,
                           size_t uid_len, uint8_t out[KIOSK_CARD_KEY_BYTES]);
/* The hash of a validated, normalised 18-character ID number. */
void kiosk_card_key_of_id_number(const uint8_t key[KIOSK_CARD_KEY_BYTES], const char *number,
                                 uint8_t out[KIOSK_CARD_KEY_BYTES]);

#endif
