/* fuzz_srv_batch.c - fuzz target for the server's upload parser (server/wire.h,
 * srv_wire_batch). Every outcome must be one of the documented ones with a terminated detail;
 * an accepted batch must hold at most 500 records in increasing device_seq order with canonical
 * lower-case ids, and every record not rejected must carry its canonical payload, whose SHA-256
 * is the one it claimed and which reads back to the same text. */
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
    srv_batch b;
    char detail[SRV_DETAIL_MAX];
    memset(detail, 0x55, sizeof detail);
    kiosk_rc rc = srv_wire_batch((const char *)data, size, &b, detail, sizeof detail);
    require(rc == KIOSK_OK || rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_TOO_BIG ||
            rc == KIOSK_ERR_NOMEM);
    if (rc != KIOSK_OK)
        require(memchr(detail, '\0', sizeof detail) != NULL);
    if (rc == KIOSK_OK) {
        require(b.count <= SRV_BATCH_MAX);
        require(srv_id_valid(b.device_id));
        for (size_t i = 0; i < b.count; i++) {
            const srv_batch_item *it = &b.items[i];
            require(strlen(it->record_id) == 36);
            for (int c = 0; c < 36; c++)
                require(it->record_id[c] == '-' ||
                        (it->record_id[c] >= '0' && it->record_id[c] <= '9') ||
                        (it->record_id[c] >= 'a' && it->record_id[c] <= 'f'));
            require(it->device_seq >= 1);
            require(i == 0 || it->device_seq > b.items[i - 1].device_seq);
            if (it->rejected) {
                require(strcmp(it->reject_code, "schema") == 0 ||
                        strcmp(it->reject_code, "hash") == 0 ||
                        strcmp(it->reject_code, "kind") == 0);
                require(memchr(it->reject_detail, '\0', sizeof it->reject_detail) != NULL);
                continue;
            }
            require(it->payload != NULL);
            char hash[65];
            srv_sha256_hex(it->payload, strlen(it->payload), hash);
            require(strcmp(hash, it->payload_sha256) == 0);
            json_t *again = json_loads(it->payload, 0, NULL);
            require(again != NULL);
            char *text = srv_wire_canonical(again);
            char *jansson = json_dumps(again, JSON_COMPACT | JSON_SORT_KEYS);
            require(text && strcmp(text, it->payload) == 0);
            require(jansson && strcmp(jansson, it->payload) == 0); /* the contract's words */
            free(text);
            free(jansson);
            json_decref(again);
            if (strcmp(it->kind, "meal") == 0) {
                require(it->meal.person_id[0] &&
                        memchr(it->meal.person_id, '\0', sizeof it->meal.person_id) &&
                        memchr(it->meal.canteen_id, '\0', sizeof it->meal.canteen_id));
                require(strlen(it->meal.business_date) == 10 && it->meal.subsidy_fen >= 0);
            }
        }
    }
    srv_batch_cleanup(&b);
    return 0;
}
