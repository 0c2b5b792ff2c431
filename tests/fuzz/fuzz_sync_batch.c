/* fuzz_sync_batch.c - fuzz target for the upload reply parser (kiosk/sync/sync_wire.h): any input
 * parses or fails with KIOSK_ERR_PARSE and a terminated message; a parsed reply has at most 500
 * results, each with a known status and terminated code and detail, and ranges that add up. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_wire_batch_reply r;
    char err[200];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_wire_parse_batch_reply((const char *)data, size, &r, err, sizeof err);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_ERR_PARSE || strnlen(err, sizeof err) >= sizeof err || r.results)
            abort();
        return 0;
    }
    if (r.count > KIOSK_WIRE_BATCH_MAX || (r.count && !r.results))
        abort();
    for (size_t i = 0; i < r.count; i++) {
        const kiosk_wire_result *x = &r.results[i];
        if ((unsigned)x->status > KIOSK_WIRE_REJECTED ||
            strnlen(x->code, sizeof x->code) >= sizeof x->code ||
            strnlen(x->detail, sizeof x->detail) >= sizeof x->detail)
            abort();
    }
    if ((r.missing_ranges == 0) != (r.first_missing < 0 && r.missing_ranges == 0))
        abort();
    kiosk_wire_batch_reply_cleanup(&r);
    return 0;
}
