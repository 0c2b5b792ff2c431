/* fuzz_sync_enroll.c - fuzz target for the enrollment reply parser (kiosk/sync/sync_wire.h): any
 * input parses or fails with KIOSK_ERR_PARSE and a terminated message (and nothing of a secret
 * left in the output); a parsed one has a printable device id. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_wire_enrollment e;
    char err[200];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_wire_parse_enroll((const char *)data, size, &e, err, sizeof err);
    if (rc != KIOSK_OK) {
        static const uint8_t zero[KIOSK_SYNC_DEVICE_SECRET_BYTES];
        if (rc != KIOSK_ERR_PARSE || strnlen(err, sizeof err) >= sizeof err ||
            memcmp(e.id.secret, zero, sizeof zero) != 0)
            abort();
        return 0;
    }
    size_t n = strnlen(e.id.device_id, sizeof e.id.device_id);
    if (n == 0 || n >= sizeof e.id.device_id)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e.id.device_id[i] < 0x21 || (unsigned char)e.id.device_id[i] > 0x7e)
            abort();
    return 0;
}
