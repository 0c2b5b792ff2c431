/* config_sign.c - the remote configuration's signature (config_sign.h). */
#include "config_sign.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The signed bytes: the prefix, the device, the version, the body. malloc'd; NULL without
 * memory. */
static unsigned char *message(const char *device_id, int64_t version, const char *body,
                              size_t body_len, size_t *len)
{
    char head[128];
    int n =
        snprintf(head, sizeof head, "kiosk-config v1\n%.60s\n%" PRId64 "\n", device_id, version);
    if (n < 0 || (size_t)n >= sizeof head)
        return NULL;
    unsigned char *m = malloc((size_t)n + body_len + 1);
    if (!m)
        return NULL;
    memcpy(m, head, (size_t)n);
    if (body_len)
        memcpy(m + n, body, body_len);
    *len = (size_t)n + body_len;
    return m;
}

kiosk_rc kiosk_config_sign(const uint8_t secret[KIOSK_CONFIG_SECRET_BYTES], const char *device_id,
                           int64_t version, const char *body, size_t body_len,
                           char out[KIOSK_CONFIG_SIGNATURE_TEXT])
{
    size_t len = 0;
    unsigned char *m = message(device_id, version, body, body_len, &len);
    if (!m)
        return KIOSK_ERR_NOMEM;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, m, len, secret);
    free(m);
    sodium_bin2base64(out, KIOSK_CONFIG_SIGNATURE_TEXT, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    return KIOSK_OK;
}

bool kiosk_config_sign_check(const uint8_t public_key[KIOSK_CONFIG_PUBLIC_BYTES],
                             const char *device_id, int64_t version, const char *body,
                             size_t body_len, const char *signature)
{
    unsigned char sig[crypto_sign_BYTES];
    size_t sig_len = 0;
    if (!signature || strlen(signature) != KIOSK_CONFIG_SIGNATURE_TEXT - 1 ||
        sodium_base642bin(sig, sizeof sig, signature, strlen(signature), NULL, &sig_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        sig_len != sizeof sig)
        return false;
    size_t len = 0;
    unsigned char *m = message(device_id, version, body, body_len, &len);
    if (!m)
        return false;
    bool ok = crypto_sign_verify_detached(sig, m, len, public_key) == 0;
    free(m);
    return ok;
}
