/* fuzz_sync_config.c - fuzz target for the heartbeat reply's remote configuration parser
 * (kiosk/sync/sync_wire.h) and the signature check behind it (config_sign.h): any input parses
 * or fails with KIOSK_ERR_PARSE, a terminated message and no body; a parsed one has a positive
 * version, a body of its stated length without NUL and a terminated signature, and the check of
 * that signature against a fixed key answers false (the input cannot know the secret key) without
 * crashing. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_sign.h"
#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_wire_config doc;
    char err[200];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_wire_parse_config((const char *)data, size, &doc, err, sizeof err);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_ERR_PARSE || strnlen(err, sizeof err) >= sizeof err || doc.body)
            abort();
        return 0;
    }
    if (doc.version < 1 || !doc.body || strlen(doc.body) != doc.body_len ||
        doc.body_len > KIOSK_CONFIG_BODY_MAX ||
        strnlen(doc.signature, sizeof doc.signature) >= sizeof doc.signature)
        abort();
    /* The Ed25519 public key of the all-zero seed (crypto_sign_seed_keypair): a valid point. */
    static const uint8_t key[KIOSK_CONFIG_PUBLIC_BYTES] = {
        0x3b, 0x6a, 0x27, 0xbc, 0xce, 0xb6, 0xa4, 0x2d, 0x62, 0xa3, 0xa8,
        0xd0, 0x2a, 0x6f, 0x0d, 0x73, 0x65, 0x32, 0x15, 0x77, 0x1d, 0xe2,
        0x43, 0xa6, 0x3a, 0xc0, 0x48, 0xa1, 0x8b, 0x59, 0xda, 0x29};
    if (kiosk_config_sign_check(key, "k1", doc.version, doc.body, doc.body_len, doc.signature))
        abort();
    free(doc.body);
    return 0;
}
