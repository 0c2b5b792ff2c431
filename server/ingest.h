/* ingest.h - storing an upload batch (docs/sync-protocol.md, "Upload" and "Reconciliation"):
 * each record is accepted, found a duplicate, found in conflict or rejected; a second
 * subsidised meal of the same person, meal type and business date is accepted and flagged for
 * review on the later one by estimated creation time; the device's stored sequence numbers are
 * kept as ranges, whose gaps are the missing_seq_ranges of the reply. Runs inside a write
 * transaction the caller opened and will commit (or roll back); any thread with its own store. */
#ifndef SRV_INGEST_H
#define SRV_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"
#include "wire.h"

/* A device whose clock is further off than this has its records flagged clock_suspect. */
#define SRV_CLOCK_SUSPECT_MS (5 * 60 * 1000)
/* The reply lists at most this many missing ranges (the oldest first). */
#define SRV_GAPS_MAX 1000

typedef enum srv_item_status {
    SRV_ITEM_ACCEPTED,
    SRV_ITEM_DUPLICATE,
    SRV_ITEM_CONFLICT,
    SRV_ITEM_REJECTED
} srv_item_status;

const char *srv_item_status_name(srv_item_status s); /* "accepted", ... */

typedef struct srv_item_result {
    srv_item_status status;
    const char *code;   /* conflict: payload_differs, seq_taken; rejected: schema, hash, kind */
    const char *detail; /* rejected: the batch item's words (borrowed from it) */
    int64_t server_seq; /* accepted */
    bool flagged;       /* accepted and flagged duplicate_subsidy_suspected */
} srv_item_result;

typedef struct srv_ingest {
    srv_item_result *items; /* one per batch item, in order */
    size_t count;
    long accepted, duplicates, conflicts, rejected, flagged;
    int64_t high_water; /* the device's largest stored device_seq (0: none) */
    int64_t (*gaps)[2]; /* missing ranges [lo, hi] below high_water */
    size_t gap_count;
    bool gaps_truncated; /* more than SRV_GAPS_MAX */
} srv_ingest;

/* Stores the batch for device `dev` (its site), received at now_ms, with clock_offset_ms the
 * device's clock offset (server - device). The caller holds a write transaction. */
KIOSK_MUST_CHECK kiosk_rc srv_ingest_batch(srv_store *st, const srv_device *dev,
                                           const srv_batch *batch, int64_t now_ms,
                                           int64_t clock_offset_ms, srv_ingest *out);
/* The device's high water and missing ranges alone (used by the batch and by `kiosks`). */
KIOSK_MUST_CHECK kiosk_rc srv_ingest_ranges(srv_store *st, const char *device_id, srv_ingest *out);
void srv_ingest_cleanup(srv_ingest *in);

#endif
