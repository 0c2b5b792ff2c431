/* sync_clock.c - see sync_clock.h. A bucket per minute keeps the best sample of that minute, so
 * "the best of the last hour" is exact however many replies arrive, in bounded memory. */
#include "sync_clock.h"

#include <string.h>

void kiosk_clock_estimator_init(kiosk_clock_estimator *e)
{
    memset(e, 0, sizeof *e);
}

void kiosk_clock_estimator_add(kiosk_clock_estimator *e, int64_t server_ms, int64_t wall_send_ms,
                               int64_t mono_send_ms, int64_t mono_recv_ms)
{
    if (server_ms <= 0 || mono_recv_ms < mono_send_ms || mono_recv_ms <= 0)
        return;
    int64_t half = (mono_recv_ms - mono_send_ms) / 2;
    kiosk_clock_sample s = {mono_recv_ms, server_ms - (wall_send_ms + half),
                            (mono_recv_ms - mono_send_ms + 1) / 2, wall_send_ms - mono_send_ms};
    for (int i = 0; i < KIOSK_CLOCK_BUCKETS; i++) {
        int64_t moved = e->buckets[i].wall_mono_ms - s.wall_mono_ms;
        if (e->buckets[i].mono_ms != 0 &&
            (moved > KIOSK_CLOCK_STEP_MS || moved < -KIOSK_CLOCK_STEP_MS))
            memset(&e->buckets[i], 0, sizeof e->buckets[i]);
    }
    int64_t minute = mono_recv_ms / KIOSK_CLOCK_BUCKET_MS;
    kiosk_clock_sample *b = &e->buckets[minute % KIOSK_CLOCK_BUCKETS];
    /* A bucket from an older minute is stale: replace it. */
    if (b->mono_ms == 0 || b->mono_ms / KIOSK_CLOCK_BUCKET_MS != minute ||
        s.uncert_ms < b->uncert_ms || (s.uncert_ms == b->uncert_ms && s.mono_ms > b->mono_ms))
        *b = s;
}

bool kiosk_clock_estimator_best(const kiosk_clock_estimator *e, int64_t now_mono_ms,
                                kiosk_clock_sample *out)
{
    const kiosk_clock_sample *best = NULL;
    for (int i = 0; i < KIOSK_CLOCK_BUCKETS; i++) {
        const kiosk_clock_sample *b = &e->buckets[i];
        if (b->mono_ms == 0 || b->mono_ms > now_mono_ms ||
            now_mono_ms - b->mono_ms > KIOSK_CLOCK_WINDOW_MS)
            continue;
        /* Equal uncertainty: the newer sample, as the clocks drift apart. */
        if (!best || b->uncert_ms < best->uncert_ms ||
            (b->uncert_ms == best->uncert_ms && b->mono_ms > best->mono_ms))
            best = b;
    }
    if (best)
        *out = *best;
    return best != NULL;
}
