/* fuzz_sync_snapshot.c - fuzz target for the snapshot page parser (kiosk/sync/sync_wire.h). The
 * first byte picks the stream; the rest is the reply. Any input parses or fails with
 * KIOSK_ERR_PARSE and a terminated message; a parsed page keeps every promise the apply path relies
 * on: at most 1000 rows, terminated keys and cursor, positive versions, a policy body for every
 * policy upsert, valid UTF-8 names, meals whose money adds up. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_page_check.h"
#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    kiosk_stream s = (kiosk_stream)(data[0] % KIOSK_STREAM_COUNT);
    kiosk_wire_page p;
    char err[200];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc =
        kiosk_wire_parse_snapshot(s, (const char *)data + 1, size - 1, &p, err, sizeof err);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_ERR_PARSE || strnlen(err, sizeof err) >= sizeof err || p.changes)
            abort();
        return 0;
    }
    sync_page_check(&p, s);
    kiosk_wire_page_cleanup(&p);
    return 0;
}
