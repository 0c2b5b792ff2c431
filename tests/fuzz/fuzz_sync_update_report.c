/* fuzz_sync_update_report.c - fuzz target for the updater's report as the kiosk reads it for its
 * heartbeat (kiosk/sync/sync_update_report.h): any input parses or fails with KIOSK_ERR_PARSE, a
 * terminated message and a zeroed report; a parsed one has a known result, a version of Debian's
 * version characters, a non-negative time, terminated strings, a reason without control
 * characters; and it goes into a heartbeat that is JSON with the same "update" back. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_update_report.h"
#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t size)
{
    if (strnlen(s, size) >= size)
        abort();
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_update_report r;
    char err[200];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_update_report_parse((const char *)data, size, &r, err, sizeof err);
    if (rc != KIOSK_OK) {
        static const kiosk_update_report zero;
        if (rc != KIOSK_ERR_PARSE || strnlen(err, sizeof err) >= sizeof err ||
            memcmp(&r, &zero, sizeof r) != 0)
            abort();
        return 0;
    }
    if (strcmp(r.result, "updated") != 0 && strcmp(r.result, "rolled_back") != 0 &&
        strcmp(r.result, "rollback_failed") != 0)
        abort();
    check_string(r.version, sizeof r.version);
    check_string(r.previous, sizeof r.previous);
    check_string(r.reason, sizeof r.reason);
    if (!r.version[0] || strspn(r.version, "0123456789abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+~:-") != strlen(r.version))
        abort();
    if (r.at_ms < 0)
        abort();
    kiosk_wire_heartbeat hb = {.last_ack_ms = -1, .oldest_pending_ms = -1, .update = &r};
    kiosk_wire_bytes b;
    if (kiosk_wire_heartbeat_request(&hb, &b) != KIOSK_OK)
        abort();
    json_t *o = json_loadb((const char *)b.data, b.len, 0, NULL);
    json_t *u = json_object_get(o, "update");
    if (!o || strcmp(json_string_value(json_object_get(u, "result")), r.result) != 0 ||
        strcmp(json_string_value(json_object_get(u, "version")), r.version) != 0 ||
        json_integer_value(json_object_get(u, "at_ms")) != r.at_ms)
        abort();
    json_decref(o);
    free(b.data);
    return 0;
}
