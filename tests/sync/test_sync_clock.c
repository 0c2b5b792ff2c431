/* test_sync_clock.c - the server clock estimate: the offset of one exchange, the sample with the
 * smallest uncertainty of the last hour winning, samples older than an hour or from before a
 * step of the kiosk's wall clock forgotten, and replies without a server time (or with times out
 * of order) ignored. */
#include "check.h"
#include "sync_clock.h"

#define MIN_MS (60 * 1000)

int main(void)
{
    kiosk_clock_estimator e;
    kiosk_clock_sample s;
    kiosk_clock_estimator_init(&e);
    CHECK(!kiosk_clock_estimator_best(&e, 1000000, &s));

    /* Sent at wall 1,000,000 (mono 500,000), answered 200 ms later; the server said 1,000,600:
     * the kiosk's wall time at the midpoint was 1,000,100, so the server is 500 ms ahead. */
    kiosk_clock_estimator_add(&e, 1000600, 1000000, 500000, 500200);
    CHECK(kiosk_clock_estimator_best(&e, 500200, &s));
    CHECK_INT(s.offset_ms, 500);
    CHECK_INT(s.uncert_ms, 100);

    /* A slower exchange later does not replace it; a quicker one does. */
    kiosk_clock_estimator_add(&e, 2000000, 1500000, 1000000, 1001000);
    CHECK(kiosk_clock_estimator_best(&e, 1001000, &s));
    CHECK_INT(s.uncert_ms, 100);
    CHECK_INT(s.offset_ms, 500);
    kiosk_clock_estimator_add(&e, 2000000 + 30, 1999990 - 500, 1100000, 1100040);
    CHECK(kiosk_clock_estimator_best(&e, 1100040, &s));
    CHECK_INT(s.uncert_ms, 20);
    CHECK_INT(s.offset_ms, 2000030 - (1999490 + 20));

    /* An hour later the quick sample is gone: the best of the last hour is what is left. */
    int64_t later = 1100040 + 60 * MIN_MS + 1;
    kiosk_clock_estimator_add(&e, 9000000, 8999000, later - 400, later);
    CHECK(kiosk_clock_estimator_best(&e, later, &s));
    CHECK_INT(s.uncert_ms, 200);
    CHECK_INT(s.offset_ms, 9000000 - (8999000 + 200));

    /* Many samples in one minute keep the best of them; nothing without a server time or with the
     * monotonic times reversed counts. */
    kiosk_clock_estimator_init(&e);
    for (int i = 0; i < 500; i++)
        kiosk_clock_estimator_add(&e, 5000 + i, 1000, 10 * MIN_MS + i,
                                  10 * MIN_MS + i + 50 - i % 7);
    CHECK(kiosk_clock_estimator_best(&e, 11 * MIN_MS, &s));
    CHECK_INT(s.uncert_ms, 22); /* (50 - 6 + 1) / 2 */
    kiosk_clock_estimator_add(&e, -1, 1000, 11 * MIN_MS, 11 * MIN_MS + 2);
    kiosk_clock_estimator_add(&e, 5000, 1000, 11 * MIN_MS + 9, 11 * MIN_MS + 1);
    CHECK(kiosk_clock_estimator_best(&e, 11 * MIN_MS + 10, &s));
    CHECK_INT(s.uncert_ms, 22);

    /* The wall clock is set 5 hours ahead (the server's time goes on as before): a slow sample
     * after the step beats a quick one from before it, which measured the old clock. */
    kiosk_clock_estimator_init(&e);
    kiosk_clock_estimator_add(&e, 1000010, 1000000, 20 * MIN_MS, 20 * MIN_MS + 20);
    CHECK(kiosk_clock_estimator_best(&e, 20 * MIN_MS + 20, &s));
    CHECK_INT(s.offset_ms, 0);
    int64_t ahead = 5 * 60 * MIN_MS;
    kiosk_clock_estimator_add(&e, 1000000 + MIN_MS + 100, 1000000 + MIN_MS + ahead, 21 * MIN_MS,
                              21 * MIN_MS + 200);
    CHECK(kiosk_clock_estimator_best(&e, 21 * MIN_MS + 200, &s));
    CHECK_INT(s.uncert_ms, 100);
    CHECK_INT(s.offset_ms, -ahead);
    /* Slewing by a second in a minute is not a step: the quicker sample stays. */
    kiosk_clock_estimator_add(&e, 1000000 + 2 * MIN_MS + 300, 1000000 + 2 * MIN_MS + ahead + 1000,
                              22 * MIN_MS, 22 * MIN_MS + 400);
    CHECK(kiosk_clock_estimator_best(&e, 22 * MIN_MS + 400, &s));
    CHECK_INT(s.uncert_ms, 100);

    /* A kiosk clock far behind (an RTC reset to 1970) shows as a huge offset, not an error. */
    kiosk_clock_estimator_init(&e);
    kiosk_clock_estimator_add(&e, 1767240000000, 1000, 5 * MIN_MS, 5 * MIN_MS + 10);
    CHECK(kiosk_clock_estimator_best(&e, 5 * MIN_MS + 10, &s));
    CHECK_INT(s.offset_ms, 1767240000000 - 1005);
    CHECK_DONE();
}
