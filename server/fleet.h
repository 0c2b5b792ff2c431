/* fleet.h - the fleet table: every kiosk with what its latest heartbeat said
 * (docs/sync-protocol.md: version, pending uploads and the oldest one's age, last acknowledged
 * upload, clock offset, the streams' ages, free disk, offline meals, a staff notice) and whether it
 * is online, offline (silent for SRV_FLEET_SILENT_BEATS heartbeat intervals), has never sent one,
 * waits for enrollment or is revoked. The admin page and `server fleet` show it. The caller's
 * thread. */
#ifndef SRV_FLEET_H
#define SRV_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "storage.h"

#define SRV_FLEET_SILENT_BEATS 3
#define SRV_FLEET_BEAT_MS      60000  /* the kiosk's default heartbeat_s, for one that does not say */
#define SRV_FLEET_STREAMS      8
#define SRV_FLEET_DEVICES      3 /* reader, idcard, printer */

typedef struct srv_fleet_row {
    srv_device dev;
    const char *state; /* "online", "offline", "silent" (enrolled, no heartbeat yet),
                          "waiting_enrollment", "revoked" */
    bool has_beat;
    int64_t beat_ms;       /* when the latest heartbeat arrived */
    int64_t pending;       /* -1: not said */
    int64_t oldest_age_ms; /* now - oldest_pending_ms; -1: none pending or not said */
    int64_t last_ack_ms;   /* -1: never */
    int64_t rejected;      /* -1: not said */
    bool has_offset;
    int64_t clock_offset_ms;
    int64_t disk_free_bytes;                  /* -1: not said */
    int64_t offline_meals;                    /* -1: not said */
    int64_t stream_age_ms[SRV_FLEET_STREAMS]; /* srv_fleet_stream_names' order; -1: never */
    char app_version[64];
    char staff_notice[64];
    int64_t uptime_s;       /* since the kiosk started; -1: not said */
    int64_t beat_every_ms;  /* its heartbeat interval: as it said, else the default given */
    int64_t config_version; /* the remote configuration applied; -1: none */
    /* The states of its reader, ID-card reader and printer ("ready", "down", "no_paper";
     * "absent" or not said: ""). */
    char devices[SRV_FLEET_DEVICES][12];
    char config_error[32]; /* why the last one offered was refused; "" */
    /* Its last package update as the heartbeat said ("update"): result "" when it said none;
     * "updated", "rolled_back", "rollback_failed" or "unreadable" (the updater's report could
     * not be read; update_reason says why). */
    char update_result[20];
    char update_version[64], update_previous[64];
    int64_t update_at_ms; /* -1: not said */
    char update_reason[192];
} srv_fleet_row;

extern const char *const srv_fleet_stream_names[SRV_FLEET_STREAMS];
extern const char *const srv_fleet_device_names[SRV_FLEET_DEVICES];

/* Every device, in device id order, as of now_ms. A kiosk is offline after SRV_FLEET_SILENT_BEATS
 * of the heartbeat interval its latest heartbeat gave (heartbeat_s), or of beat_ms when it gave
 * none. The caller frees *rows (free()). Opens and ends its own read transaction. */
KIOSK_MUST_CHECK kiosk_rc srv_fleet_collect(srv_store *st, int64_t now_ms, int64_t beat_ms,
                                            srv_fleet_row **rows, size_t *count);

/* The row's last update as one line ("rolled_back 3.0 (from 2.0) at 2026-12-01 10:30:00: not
 * ready within 30 s"; local time), control characters made spaces; "" when it said none. */
void srv_fleet_update_text(const srv_fleet_row *r, char *out, size_t size);

/* `server fleet [--interval SECONDS]`: the table, tab-separated. An admin command (admin.h). */
int srv_fleet_command(srv_store *st, int argc, char **argv);

#endif
