/* sync_remote.h - the kiosk's side of remote configuration (docs/sync-protocol.md, "Remote
 * configuration"): a document the server signed for this kiosk and version, brought by a
 * heartbeat's reply, is checked against the server's key stored at enrollment, must be newer
 * than the one applied, and may set only the [sync] tunables (never url, ca_file, pin, proxy or
 * enroll_token: a key cannot redirect the kiosk). It is then written beside the database as a
 * whole file or not at all (durable_file.h), its version stored, and its values take effect at
 * once; at start the worker reads the file again. What was refused is said in the next
 * heartbeat. The worker thread. */
#ifndef KIOSK_SYNC_REMOTE_H
#define KIOSK_SYNC_REMOTE_H

#include <stddef.h>

#include "store.h"
#include "sync.h"
#include "sync_wire.h"

#define KIOSK_SYNC_REMOTE_ERROR_MAX 24

/* The file a database's remote configuration is kept in: DB_PATH with "-remote.ini". */
void kiosk_sync_remote_path(const char *db_path, char *out, size_t size);

/* Applies doc for device_id: on success cfg holds the document's values and the file and version
 * are stored. Otherwise nothing changes and error gets the code the heartbeat reports:
 * "no_key" (the server had no key at enrollment), "bad_signature", "stale" (not newer than the
 * applied version), "invalid" (a key it may not set, a bad value, not INI) or "not_stored" (the
 * file or the version could not be written); err says more for the log. */
KIOSK_MUST_CHECK kiosk_rc kiosk_sync_remote_apply(kiosk_store *store, const char *device_id,
                                                  const kiosk_wire_config *doc, const char *db_path,
                                                  kiosk_sync_config *cfg,
                                                  char error[KIOSK_SYNC_REMOTE_ERROR_MAX],
                                                  char *err, size_t err_size);

/* At start: the applied file's values into cfg (nothing when there is none). */
KIOSK_MUST_CHECK kiosk_rc kiosk_sync_remote_load(kiosk_store *store, const char *db_path,
                                                 kiosk_sync_config *cfg, char *err,
                                                 size_t err_size);

/* The applied version (-1: none). */
int64_t kiosk_sync_remote_version(kiosk_store *store);

#endif
