/* config_sign.h - the signature of a kiosk's remote configuration document (docs/sync-protocol.md,
 * "Remote configuration"): Ed25519 (libsodium crypto_sign_detached) by the server's
 * configuration key over "kiosk-config v1\n" DEVICE_ID "\n" VERSION "\n" BODY, so a document
 * signed for one kiosk or one version is no good for another. The server signs with it, the
 * kiosk checks with the public key it learned at enrollment: one writer, one reader. Pure; any
 * thread. */
#ifndef KIOSK_CONFIG_SIGN_H
#define KIOSK_CONFIG_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KIOSK_CONFIG_PUBLIC_BYTES   32
#define KIOSK_CONFIG_SECRET_BYTES   64
#define KIOSK_CONFIG_SIGNATURE_TEXT 89 /* base64 of 64 bytes (88 characters), terminated */
#define KIOSK_CONFIG_BODY_MAX       (16 * 1024)

/* The signature (base64, padded) of body for device_id at version. KIOSK_ERR_NOMEM. */
KIOSK_MUST_CHECK kiosk_rc kiosk_config_sign(const uint8_t secret[KIOSK_CONFIG_SECRET_BYTES],
                                            const char *device_id, int64_t version,
                                            const char *body, size_t body_len,
                                            char out[KIOSK_CONFIG_SIGNATURE_TEXT]);

/* True when signature is the key's signature of body for device_id at version. */
bool kiosk_config_sign_check(const uint8_t public_key[KIOSK_CONFIG_PUBLIC_BYTES],
                             const char *device_id, int64_t version, const char *body,
                             size_t body_len, const char *signature);

#endif
