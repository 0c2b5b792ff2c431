/* fuzz_srv_enroll.c - fuzz target for the enrollment and heartbeat bodies (server/wire.h). An
 * accepted enrollment gives a non-empty token and, when given, hw_info as a JSON object of at
 * most 4 KiB; an accepted heartbeat keeps its body as JSON; a refusal names what is wrong in a
 * terminated detail. And the server's canonical text of any JSON value the input holds is
 * Jansson's json_dumps(COMPACT | SORT_KEYS), byte for byte: record hashes depend on it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char token[SRV_TOKEN_MAX], detail[SRV_DETAIL_MAX];
    char *hw = NULL;
    kiosk_rc rc = srv_wire_enroll((const char *)data, size, token, &hw, detail, sizeof detail);
    if (rc == KIOSK_OK) {
        require(token[0] && strlen(token) < SRV_TOKEN_MAX);
        if (hw) {
            require(strlen(hw) <= 4096);
            json_t *obj = json_loads(hw, 0, NULL);
            require(json_is_object(obj));
            json_decref(obj);
        }
    } else {
        require(rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_NOMEM);
        require(hw == NULL && memchr(detail, '\0', sizeof detail) != NULL);
    }
    free(hw);
    json_t *any = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (any) {
        char *mine = srv_wire_canonical(any);
        char *theirs = json_dumps(any, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        require(mine && theirs && strcmp(mine, theirs) == 0);
        free(mine);
        free(theirs);
        json_decref(any);
    }
    srv_heartbeat_in in;
    rc = srv_wire_heartbeat((const char *)data, size, &in, detail, sizeof detail);
    if (rc == KIOSK_OK) {
        json_t *obj = json_loads(in.body, 0, NULL);
        require(json_is_object(obj) && strlen(in.body) <= 65536);
        require(in.pending >= -1 && memchr(in.app_version, '\0', sizeof in.app_version));
        json_decref(obj);
        free(in.body);
    } else {
        require(in.body == NULL && memchr(detail, '\0', sizeof detail) != NULL);
    }
    return 0;
}
