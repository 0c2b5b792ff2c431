/* sync_sign.c - see sync_sign.h. */
#include "sync_sign.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void kiosk_sync_sign(const uint8_t secret[KIOSK_SYNC_SECRET_BYTES], const char *method,
                     const char *path_and_query, int64_t time_ms, const uint8_t *body,
                     size_t body_len, char out[KIOSK_SYNC_SIGNATURE_TEXT])
{
    uint8_t digest[crypto_hash_sha256_BYTES];
    char digest_hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, body_len ? body : (const uint8_t *)"", body_len);
    sodium_bin2hex(digest_hex, sizeof digest_hex, digest, sizeof digest);
    char time_text[24];
    snprintf(time_text, sizeof time_text, "%" PRId64, time_ms);

    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, KIOSK_SYNC_SECRET_BYTES);
    const char *parts[] = {KIOSK_SYNC_SIGN_VERSION, method, path_and_query, time_text, digest_hex};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (i)
            crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    }
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, KIOSK_SYNC_SIGNATURE_TEXT, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(&st, sizeof st);
}

bool kiosk_sync_sign_check(const uint8_t secret[KIOSK_SYNC_SECRET_BYTES], const char *method,
                           const char *path_and_query, int64_t time_ms, const uint8_t *body,
                           size_t body_len, const char *signature)
{
    char expect[KIOSK_SYNC_SIGNATURE_TEXT];
    kiosk_sync_sign(secret, method, path_and_query, time_ms, body, body_len, expect);
    if (!signature || strlen(signature) != strlen(expect))
        return false;
    return sodium_memcmp(expect, signature, strlen(expect)) == 0;
}
