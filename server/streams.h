/* streams.h - the reference data a kiosk pulls (docs/sync-protocol.md, "Pull" and "Snapshot"):
 * pages of changes after a cursor, in version order, with tombstones, and 410 for a cursor
 * older than the tombstones kept; snapshots of every live row in key order, paged, with the
 * cursor fixed by the first page. cards, roster and policy live in stream_row (policy rows of
 * site "*" go to every site); meals_today is read from the records of the site. Any thread with
 * its own store. */
#ifndef SRV_STREAMS_H
#define SRV_STREAMS_H

#include <stdint.h>

#include "reply.h"
#include "storage.h"
#include "wire.h"

/* Tombstones are kept this long; a cursor older than those dropped gets 410. */
#define SRV_TOMBSTONE_KEEP_MS (45LL * 24 * 3600 * 1000)

/* Fill r (200 or 4xx) for the device of site; a storage failure is returned as is. */
KIOSK_MUST_CHECK kiosk_rc srv_streams_pull(srv_store *st, const srv_device *dev,
                                           const srv_site *site, const srv_query *q, int64_t now_ms,
                                           srv_reply *r);
KIOSK_MUST_CHECK kiosk_rc srv_streams_snapshot(srv_store *st, const srv_device *dev,
                                               const srv_site *site, const srv_query *q,
                                               int64_t now_ms, srv_reply *r);

/* Drops the tombstones of site_id (every stream, and the city-wide policy rows when site_id is
 * SRV_ANY_SITE) written at or before older_than_ms, in one write transaction. */
KIOSK_MUST_CHECK kiosk_rc srv_streams_expire(srv_store *st, const char *site_id,
                                             int64_t older_than_ms, long *dropped);

#endif
