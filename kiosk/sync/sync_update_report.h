/* sync_update_report.h - what the last package update of this kiosk came to, as the updater
 * (packaging/kiosk-update) leaves it beside the database in DB_PATH "-update.ini", read for each
 * heartbeat's "update" member (docs/sync-protocol.md): an update that failed its health check and
 * was rolled back reaches the server's fleet table with the next heartbeat, with no one at the box.
 * The file is the updater's (root's); the kiosk only reads it. Any thread. */
#ifndef KIOSK_SYNC_UPDATE_REPORT_H
#define KIOSK_SYNC_UPDATE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KIOSK_UPDATE_REPORT_MAX 2048 /* a larger file is not the updater's */

typedef struct kiosk_update_report {
    char result[16];   /* "updated", "rolled_back" or "rollback_failed" */
    char version[64];  /* the package version it tried to install */
    char previous[64]; /* the version it replaced; "" when none was installed */
    int64_t at_ms;     /* when it finished, UTC ms */
    char reason[192];  /* why the new version failed its check; "" when updated */
} kiosk_update_report;

/* The file the updater writes for a database: DB_PATH with "-update.ini". */
void kiosk_update_report_path(const char *db_path, char *out, size_t size);

/* An [update] section of result, version, previous, at_ms and reason (INI, UTF-8 without control
 * characters; versions of Debian's version characters). KIOSK_ERR_PARSE with the line or key in
 * err otherwise; *out is then zeroed. */
KIOSK_MUST_CHECK kiosk_rc kiosk_update_report_parse(const char *text, size_t len,
                                                    kiosk_update_report *out, char *err,
                                                    size_t err_size);

/* The report for db_path: KIOSK_ERR_NOT_FOUND when no update has written one, KIOSK_ERR_TOO_BIG,
 * KIOSK_ERR_IO or KIOSK_ERR_PARSE (err says why) when it cannot be used. */
KIOSK_MUST_CHECK kiosk_rc kiosk_update_report_read(const char *db_path, kiosk_update_report *out,
                                                   char *err, size_t err_size);

#endif
