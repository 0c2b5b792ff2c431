/* test_inbox.c - order, blocking when full, waiting, close, many producers. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"
#include "clock.h"
#include "inbox.h"

static atomic_int wakes;

static void on_wake(void *user)
{
    (void)user;
    atomic_fetch_add(&wakes, 1);
}

#define PRODUCERS    4
#define PER_PRODUCER 5000

static void *producer(void *arg)
{
    kiosk_inbox *inbox = arg;
    for (int i = 0; i < PER_PRODUCER; i++) {
        kiosk_event ev = {.kind = KIOSK_EV_WAIT};
        ev.u.wait_ms = i;
        if (kiosk_inbox_push(inbox, &ev) != KIOSK_OK)
            break;
    }
    return NULL;
}

static void test_order_and_wake(void)
{
    kiosk_inbox *inbox = kiosk_inbox_new(4, on_wake, NULL);
    CHECK(inbox != NULL);
    for (int i = 0; i < 3; i++) {
        kiosk_event ev = {.kind = KIOSK_EV_WAIT};
        ev.u.wait_ms = i;
        CHECK_INT(kiosk_inbox_push(inbox, &ev), KIOSK_OK);
    }
    CHECK_INT(atomic_load(&wakes), 3);
    kiosk_event out;
    for (int i = 0; i < 3; i++) {
        CHECK(kiosk_inbox_pop(inbox, &out));
        CHECK_INT(out.u.wait_ms, i);
    }
    CHECK(!kiosk_inbox_pop(inbox, &out));
    int64_t t0 = kiosk_clock_mono_ms();
    CHECK(!kiosk_inbox_wait(inbox, 50));
    CHECK(kiosk_clock_mono_ms() - t0 >= 45);
    kiosk_inbox_close(inbox);
    kiosk_event ev = {.kind = KIOSK_EV_QUIT};
    CHECK_INT(kiosk_inbox_push(inbox, &ev), KIOSK_ERR_BUSY);
    kiosk_inbox_free(inbox);
    CHECK(kiosk_inbox_new(0, NULL, NULL) == NULL);
}

static void test_many_producers(void)
{
    /* A tiny ring makes producers block on "full" again and again. */
    kiosk_inbox *inbox = kiosk_inbox_new(8, NULL, NULL);
    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&threads[i], NULL, producer, inbox);
    long got = 0, sum = 0;
    while (got < PRODUCERS * PER_PRODUCER) {
        kiosk_event ev;
        if (kiosk_inbox_pop(inbox, &ev)) {
            got++;
            sum += ev.u.wait_ms;
        } else {
            kiosk_inbox_wait(inbox, 100);
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    CHECK_INT(got, PRODUCERS * PER_PRODUCER);
    CHECK_INT(sum, (long)PRODUCERS * PER_PRODUCER * (PER_PRODUCER - 1) / 2);
    kiosk_inbox_free(inbox);
}

static void *closer(void *arg)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    kiosk_inbox_close(arg);
    return NULL;
}

static void test_close_unblocks_full_producer(void)
{
    kiosk_inbox *inbox = kiosk_inbox_new(1, NULL, NULL);
    kiosk_event ev = {.kind = KIOSK_EV_QUIT};
    CHECK_INT(kiosk_inbox_push(inbox, &ev), KIOSK_OK);
    pthread_t t;
    pthread_create(&t, NULL, closer, inbox);
    CHECK_INT(kiosk_inbox_push(inbox, &ev), KIOSK_ERR_BUSY); /* blocked until closed */
    pthread_join(t, NULL);
    kiosk_inbox_free(inbox);
}

/* An ID card's number leaves nothing behind in the ring once the event is taken. */
static void test_personal_data_cleared(void)
{
    kiosk_inbox *in = kiosk_inbox_new(4, NULL, NULL);
    kiosk_event ev = {.kind = KIOSK_EV_IDCARD};
    snprintf(ev.u.idcard.number, sizeof ev.u.idcard.number, "320102193401010020");
    snprintf(ev.u.idcard.name, sizeof ev.u.idcard.name, "黄桂香");
    CHECK_INT(kiosk_inbox_push(in, &ev), KIOSK_OK);
    kiosk_event out;
    CHECK(kiosk_inbox_pop(in, &out));
    CHECK_STR(out.u.idcard.number, "320102193401010020");
    CHECK(kiosk_inbox_free_slots_clear(in));
    kiosk_inbox_free(in);
}

int main(void)
{
    test_order_and_wake();
    test_many_producers();
    test_close_unblocks_full_producer();
    test_personal_data_cleared();
    CHECK_DONE();
}
