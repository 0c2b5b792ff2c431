/* bench_sync_id.h - the device identity and city card key the sync benchmarks store in their
 * databases (instead of enrolling over the network), and that bench/sync_pull.sh gives the
 * scripted server (tests/sync/sync_server.c: --device, --card-key). */
#ifndef BENCH_SYNC_ID_H
#define BENCH_SYNC_ID_H

#include <string.h>

#include "sync_state.h"

#define BENCH_SYNC_DEVICE     "k-bench"
#define BENCH_SYNC_SECRET_B64 "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=" /* 32 x 0x42 */
#define BENCH_SYNC_CARD_KEY                                                                  \
    "2424242424242424242424242424242424242424242424242424242424242424" /* 32 x 0x24 */

static inline void bench_sync_identity(kiosk_sync_identity *id, uint8_t key[32])
{
    memset(id, 0, sizeof *id);
    snprintf(id->device_id, sizeof id->device_id, "%s", BENCH_SYNC_DEVICE);
    memset(id->secret, 0x42, sizeof id->secret);
    memset(key, 0x24, 32);
}

#endif
