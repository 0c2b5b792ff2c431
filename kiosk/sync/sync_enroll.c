/* sync_enroll.c - the one-shot `kiosk --enroll TOKEN` (sync.h): one blocking request with the
 * worker's options, then the identity and the city's card key stored as the worker stores them. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "store.h"
#include "sync.h"
#include "sync_http.h"
#include "sync_retry.h"
#include "sync_state.h"
#include "sync_wire.h"
#define KIOSK_LOG_MODULE "sync"

kiosk_rc kiosk_sync_enroll_now(const kiosk_sync_config *cfg, const char *db_path, const char *token,
                               char *device_id, size_t device_id_size, char *err, size_t err_size)
{
    if (!cfg->enabled || !cfg->url[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "--enroll needs a [sync] section with the server's url");
    if (!token[0] || strlen(token) >= KIOSK_SYNC_TOKEN_MAX)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "--enroll needs the token");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "libcurl failed to initialise");
    kiosk_store *store = NULL;
    char open_err[600];
    kiosk_rc rc = kiosk_store_open(db_path, &store, open_err, sizeof open_err);
    if (rc != KIOSK_OK) {
        kiosk_store_close(store);
        return kiosk_fail(rc, err, err_size, "%s", open_err);
    }
    kiosk_sync_identity id;
    if (kiosk_store_sync_identity(store, &id) == KIOSK_OK) {
        rc = kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                        "%s is enrolled already, as device %s (a kiosk is enrolled once; a new"
                        " enrollment needs a new database)",
                        db_path, id.device_id);
        sodium_memzero(&id, sizeof id);
        kiosk_store_close(store);
        return rc;
    }
    bool from_server = false;
    if (cfg->card_key_hex[0] && kiosk_store_card_key_from_server(store, &from_server) == KIOSK_OK &&
        !from_server && kiosk_store_set_card_key_hex(store, cfg->card_key_hex) != KIOSK_OK) {
        kiosk_store_close(store);
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "[kiosk] card_key is not usable");
    }
    kiosk_wire_bytes body;
    rc = kiosk_wire_enroll_request(token, cfg->app_version, "", &body);
    sync_http h;
    char prep[200];
    if (rc == KIOSK_OK)
        rc = sync_http_prepare(&h, cfg, NULL, "POST", "/v1/devices/enroll", body.data, body.len,
                               false, prep, sizeof prep);
    else
        memset(&h, 0, sizeof h);
    if (rc != KIOSK_OK) {
        sync_http_cleanup(&h);
        kiosk_store_close(store);
        return kiosk_fail(rc, err, err_size, "the enrollment request cannot be made");
    }
    sync_http_started(&h);
    CURLcode res = curl_easy_perform(h.easy);
    sync_http_finished(&h, res);
    kiosk_sync_class c = kiosk_sync_classify((int)res, h.status);
    if (c != KIOSK_CLASS_OK) {
        char code[KIOSK_WIRE_CODE_MAX] = "";
        if (h.reply_len)
            kiosk_wire_error_code(h.reply, h.reply_len, code, sizeof code);
        if (h.status >= 400 && h.status < 500)
            rc = kiosk_fail(KIOSK_ERR_DENIED, err, err_size,
                            "the server refused the enrollment: HTTP %ld %s (%s)", h.status,
                            code[0] ? code : "",
                            h.status == 401   ? "the token is unknown, used or expired"
                            : h.status == 409 ? "this device is enrolled already"
                                              : "see the server's log");
        else
            rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "the server could not be reached: %s",
                            res != CURLE_OK
                                ? (h.curl_error[0] ? h.curl_error : curl_easy_strerror(res))
                                : "no answer");
        sync_http_cleanup(&h);
        kiosk_store_close(store);
        return rc;
    }
    kiosk_wire_enrollment e;
    char perr[200];
    rc = kiosk_wire_parse_enroll(h.reply, h.reply_len, &e, perr, sizeof perr);
    sync_http_cleanup(&h);
    if (rc != KIOSK_OK) {
        kiosk_store_close(store);
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "the enrollment reply: %s", perr);
    }
    bool dropped = false;
    rc = kiosk_store_sync_enroll(store, &e.id, e.card_key, &dropped);
    if (rc == KIOSK_OK && e.has_config_key)
        rc = kiosk_store_sync_set_config_key(store, e.config_key);
    if (rc == KIOSK_OK) {
        snprintf(device_id, device_id_size, "%s", e.id.device_id);
        if (dropped)
            KLOG_INFO("the city's card key replaces this database's: its card hashes were"
                      " dropped and come back from the server");
    } else {
        kiosk_fail(rc, err, err_size, "the enrollment could not be stored: %s",
                   kiosk_store_errmsg(store));
    }
    sodium_memzero(&e, sizeof e);
    kiosk_store_close(store);
    return rc;
}
