/* remote_config.c - the configuration key and the kiosks' signed documents (remote_config.h). */
#define _POSIX_C_SOURCE 200809L
#include "remote_config.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hex.h"
#include "utf8.h"

#define META_PUBLIC "config_sign_public"
#define META_SECRET "config_sign_secret"

kiosk_rc srv_config_public_key(srv_store *st, bool create, char out[SRV_CONFIG_KEY_HEX])
{
    kiosk_rc rc = srv_store_meta_get(st, META_PUBLIC, out, SRV_CONFIG_KEY_HEX);
    if (rc != KIOSK_ERR_NOT_FOUND || !create)
        return rc;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char sk_hex[2 * crypto_sign_SECRETKEYBYTES + 1];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(out, SRV_CONFIG_KEY_HEX, pk, sizeof pk);
    sodium_bin2hex(sk_hex, sizeof sk_hex, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        /* Another administrator may have made one meanwhile: theirs stays. */
        char have[SRV_CONFIG_KEY_HEX];
        rc = srv_store_meta_get(st, META_PUBLIC, have, sizeof have);
        if (rc == KIOSK_OK) {
            memcpy(out, have, sizeof have);
        } else if (rc == KIOSK_ERR_NOT_FOUND) {
            rc = srv_store_meta_put(st, META_SECRET, sk_hex);
            if (rc == KIOSK_OK)
                rc = srv_store_meta_put(st, META_PUBLIC, out);
        }
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    sodium_memzero(sk_hex, sizeof sk_hex);
    return rc;
}

kiosk_rc srv_config_set(srv_store *st, const char *device_id, const char *body, size_t len,
                        int64_t now_ms, int64_t *version, char *err, size_t err_size)
{
    *version = 0;
    if (len > KIOSK_CONFIG_BODY_MAX || memchr(body, '\0', len) || !kiosk_utf8_valid(body, len)) {
        snprintf(err, err_size, "the document must be UTF-8 text of at most %d bytes",
                 KIOSK_CONFIG_BODY_MAX);
        return KIOSK_ERR_INVALID;
    }
    char sk_hex[2 * KIOSK_CONFIG_SECRET_BYTES + 1];
    uint8_t sk[KIOSK_CONFIG_SECRET_BYTES];
    srv_device dev;
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc != KIOSK_OK)
        return rc;
    rc = srv_store_device_get(st, device_id, &dev);
    sodium_memzero(&dev, sizeof dev);
    if (rc == KIOSK_ERR_NOT_FOUND)
        snprintf(err, err_size, "no kiosk %.40s", device_id);
    if (rc == KIOSK_OK) {
        rc = srv_store_meta_get(st, META_SECRET, sk_hex, sizeof sk_hex);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            snprintf(err, err_size, "no configuration key yet (server config-key)");
            rc = KIOSK_ERR_CONFIG;
        }
    }
    if (rc == KIOSK_OK && kiosk_hex_decode(sk_hex, strlen(sk_hex), sk, sizeof sk) != sizeof sk) {
        snprintf(err, err_size, "the stored configuration key is damaged");
        rc = KIOSK_ERR_CORRUPT;
    }
    char *text = NULL;
    char signature[KIOSK_CONFIG_SIGNATURE_TEXT];
    if (rc == KIOSK_OK)
        rc = srv_store_version_take(st, 1, version);
    if (rc == KIOSK_OK && !(text = malloc(len + 1)))
        rc = KIOSK_ERR_NOMEM;
    if (rc == KIOSK_OK) {
        memcpy(text, body, len);
        text[len] = '\0';
        rc = kiosk_config_sign(sk, device_id, *version, text, len, signature);
    }
    if (rc == KIOSK_OK)
        rc = srv_store_config_put(st, device_id, *version, text, signature, now_ms);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk_hex, sizeof sk_hex);
    free(text);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    return rc;
}

int srv_config_key_command(srv_store *st, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fprintf(stderr, "usage: server config-key   (makes the key once, then prints it)\n");
        return 2;
    }
    char pk[SRV_CONFIG_KEY_HEX];
    kiosk_rc rc = srv_config_public_key(st, true, pk);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: config-key failed: %s %s\n", kiosk_strerror(rc),
                srv_store_errmsg(st));
        return 1;
    }
    printf("%s\n", pk);
    return 0;
}

int srv_config_set_command(srv_store *st, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: server config set DEVICE_ID FILE  (the kiosk's [sync] settings, "
                        "docs/sync-protocol.md)\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "server: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    char *buf = malloc(KIOSK_CONFIG_BODY_MAX + 1);
    size_t len = buf ? fread(buf, 1, KIOSK_CONFIG_BODY_MAX + 1, f) : 0;
    fclose(f);
    if (!buf) {
        fprintf(stderr, "server: out of memory\n");
        return 1;
    }
    int64_t version = 0;
    char err[200] = "";
    kiosk_rc rc =
        srv_config_set(st, argv[0], buf, len, kiosk_clock_now_ms(), &version, err, sizeof err);
    free(buf);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: config set: %s\n", err[0] ? err : srv_store_errmsg(st));
        return rc == KIOSK_ERR_NOT_FOUND || rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_CONFIG ? 2
                                                                                              : 1;
    }
    printf("kiosk %s: configuration version %" PRId64 " signed; it goes with the reply to the "
           "kiosk's next heartbeat\n",
           argv[0], version);
    return 0;
}
