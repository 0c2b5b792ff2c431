/* remote_config.h - the kiosks' signed remote configuration (docs/sync-protocol.md, "Remote
 * configuration"): the server's Ed25519 configuration key (made once by `server config-key`,
 * kept in meta; its public half goes to each kiosk in the enrollment reply), and one
 * configuration document per kiosk, signed for that kiosk and version (config_sign.h) and handed
 * to the kiosk in the reply to its next heartbeat. The caller's thread. */
#ifndef SRV_REMOTE_CONFIG_H
#define SRV_REMOTE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config_sign.h"
#include "storage.h"

#define SRV_CONFIG_KEY_HEX (2 * KIOSK_CONFIG_PUBLIC_BYTES + 1)

/* The public key as hex; KIOSK_ERR_NOT_FOUND when none was made (and create is false). With
 * create, makes the key pair when there is none (in its own write transaction). */
KIOSK_MUST_CHECK kiosk_rc srv_config_public_key(srv_store *st, bool create,
                                                char out[SRV_CONFIG_KEY_HEX]);

/* Signs body (UTF-8 text, at most KIOSK_CONFIG_BODY_MAX bytes, no NUL) for device_id at a new
 * version and stores it; *version is that version. KIOSK_ERR_NOT_FOUND: no such device;
 * KIOSK_ERR_CONFIG: no configuration key yet; KIOSK_ERR_INVALID: the body is not such text
 * (err says which). */
KIOSK_MUST_CHECK kiosk_rc srv_config_set(srv_store *st, const char *device_id, const char *body,
                                         size_t len, int64_t now_ms, int64_t *version, char *err,
                                         size_t err_size);

/* `server config-key` and `server config set DEVICE_ID FILE`: admin commands (admin.h). */
int srv_config_key_command(srv_store *st, int argc, char **argv);
int srv_config_set_command(srv_store *st, int argc, char **argv);

#endif
