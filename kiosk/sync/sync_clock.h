/* sync_clock.h - the server's clock as this kiosk sees it (docs/sync-protocol.md, "Clock"):
 * every reply gives a sample, offset = server_ms - (the kiosk's wall time at the midpoint of
 * the request), uncertainty = half the round trip; the estimate is the sample with the smallest
 * uncertainty of the last hour, among the samples taken since the kiosk's wall clock last stepped
 * (set by hand, by the sim's `time` command, by NTP stepping it): an offset measured against the
 * clock before the step says nothing about the clock after it. Pure, no clock of its own (times
 * are passed in); one thread. */
#ifndef KIOSK_SYNC_CLOCK_H
#define KIOSK_SYNC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define KIOSK_CLOCK_WINDOW_MS (60 * 60 * 1000)
#define KIOSK_CLOCK_BUCKET_MS (60 * 1000)
#define KIOSK_CLOCK_BUCKETS   61 /* one best sample per minute, an hour and the current minute */
/* Wall time minus monotonic time moving by more than this between two samples is a step of the
 * wall clock (slewing moves it by at most half a millisecond a second: under 2 s in an hour). */
#define KIOSK_CLOCK_STEP_MS 2000

typedef struct kiosk_clock_sample {
    int64_t mono_ms; /* when it was taken (the reply's arrival, monotonic); 0 = none */
    int64_t offset_ms;
    int64_t uncert_ms;
    int64_t wall_mono_ms; /* the kiosk's wall time minus its monotonic time when it was taken */
} kiosk_clock_sample;

typedef struct kiosk_clock_estimator {
    kiosk_clock_sample buckets[KIOSK_CLOCK_BUCKETS];
} kiosk_clock_estimator;

void kiosk_clock_estimator_init(kiosk_clock_estimator *e);
/* One reply: the server's time (server_time_ms), the kiosk's wall clock when the request was
 * sent, and the monotonic times of sending and of the reply. A reply without a server time, or
 * with the monotonic times out of order, is ignored. Samples from before a step of the wall
 * clock are dropped. */
void kiosk_clock_estimator_add(kiosk_clock_estimator *e, int64_t server_ms, int64_t wall_send_ms,
                               int64_t mono_send_ms, int64_t mono_recv_ms);
/* The best sample of the hour before now_mono_ms; false when there is none. */
bool kiosk_clock_estimator_best(const kiosk_clock_estimator *e, int64_t now_mono_ms,
                                kiosk_clock_sample *out);

#endif
