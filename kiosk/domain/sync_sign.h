/* sync_sign.h - the request signature of the sync protocol (docs/sync-protocol.md, "Device
 * identity"): base64(HMAC-SHA256(device secret, "v1\n" METHOD "\n" PATH_AND_QUERY "\n" TIME "\n"
 * hex(SHA-256(body as sent))). The kiosk signs every request with it and the server checks it
 * with the same code. Pure; any thread. */
#ifndef KIOSK_SYNC_SIGN_H
#define KIOSK_SYNC_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KIOSK_SYNC_SECRET_BYTES   32
#define KIOSK_SYNC_SIGNATURE_TEXT 45 /* base64 of 32 bytes (44 characters) and the terminator */
#define KIOSK_SYNC_SIGN_VERSION   "v1"

/* The signature of one request. body is exactly the bytes sent (compressed when gzip'd), NULL
 * with body_len 0 for a GET. */
void kiosk_sync_sign(const uint8_t secret[KIOSK_SYNC_SECRET_BYTES], const char *method,
                     const char *path_and_query, int64_t time_ms, const uint8_t *body,
                     size_t body_len, char out[KIOSK_SYNC_SIGNATURE_TEXT]);

/* True when signature is the one kiosk_sync_sign makes for these inputs (compared in constant
 * time). */
bool kiosk_sync_sign_check(const uint8_t secret[KIOSK_SYNC_SECRET_BYTES], const char *method,
                           const char *path_and_query, int64_t time_ms, const uint8_t *body,
                           size_t body_len, const char *signature);

#endif
