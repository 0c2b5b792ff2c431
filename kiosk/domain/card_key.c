/* card_key.c - see card_key.h. */
#include "card_key.h"

#include <sodium.h>
#include <string.h>

static void keyed(const uint8_t key[KIOSK_CARD_KEY_BYTES], const char *domain, const uint8_t *data,
                  size_t len, uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, KIOSK_CARD_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)domain, strlen(domain));
    crypto_auth_hmacsha256_update(&st, data, len);
    crypto_auth_hmacsha256_final(&st, out);
}

void kiosk_card_key_of_uid(const uint8_t key[KIOSK_CARD_KEY_BYTES], const uint8_t *uid,
                           size_t uid_len, uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    keyed(key, "card:", uid, uid_len, out);
}

void kiosk_card_key_of_id_number(const uint8_t key[KIOSK_CARD_KEY_BYTES], const char *number,
                                 uint8_t out[KIOSK_CARD_KEY_BYTES])
{
    keyed(key, "id:", (const uint8_t *)number, strlen(number), out);
}
