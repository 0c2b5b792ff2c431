/* damage_check.c - the background whole-file check (see damage_check.h). */
#define _POSIX_C_SOURCE 200809L
#include "damage_check.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "store.h"
#define KIOSK_LOG_MODULE "check"

#define REPEAT_MS (24LL * 3600 * 1000)

struct kiosk_damage_check {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    kiosk_store_check *running; /* under lock: interrupted by stop */
    kiosk_inbox *inbox;
    char path[1024];
    int first_delay_ms;
};

/* Waits ms or until stop; true when stopping. */
static bool sleep_or_stop(kiosk_damage_check *d, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->lock);
    while (!d->stopping && pthread_cond_timedwait(&d->wake, &d->lock, &until) == 0) {
    }
    bool stopping = d->stopping;
    pthread_mutex_unlock(&d->lock);
    return stopping;
}

/* One whole-file check; true when it found damage. */
static bool check_once(kiosk_damage_check *d)
{
    char err[300] = "";
    kiosk_store_check *c = NULL;
    if (kiosk_store_check_open(d->path, &c, err, sizeof err) != KIOSK_OK) {
        KLOG_WARN("the whole-file check could not open the database: %s", err);
        return false;
    }
    pthread_mutex_lock(&d->lock);
    bool stopping = d->stopping;
    d->running = stopping ? NULL : c;
    pthread_mutex_unlock(&d->lock);
    kiosk_rc rc = stopping ? KIOSK_OK : kiosk_store_check_run(c, err, sizeof err);
    pthread_mutex_lock(&d->lock);
    d->running = NULL;
    stopping = d->stopping;
    pthread_mutex_unlock(&d->lock);
    kiosk_store_check_close(c);
    if (rc == KIOSK_OK || stopping)
        return false;
    if (rc != KIOSK_ERR_CORRUPT) {
        KLOG_WARN("the whole-file check did not finish: %s", err);
        return false;
    }
    return true;
}

static void *check_thread(void *arg)
{
    kiosk_damage_check *d = arg;
    int64_t delay = d->first_delay_ms;
    while (!sleep_or_stop(d, delay)) {
        int64_t started = kiosk_clock_mono_ms();
        if (check_once(d)) {
            char err[300];
            if (kiosk_store_request_recovery(d->path, err, sizeof err) != KIOSK_OK)
                KLOG_ERROR("cannot mark the database for recovery: %s", err);
            kiosk_event ev = {.kind = KIOSK_EV_STORE_DAMAGED};
            if (kiosk_inbox_push(d->inbox, &ev) != KIOSK_OK)
                KLOG_ERROR("cannot tell the main loop that the database is damaged");
            return NULL;
        }
        KLOG_INFO("whole-file check: sound (%lld ms)",
                  (long long)(kiosk_clock_mono_ms() - started));
        delay = REPEAT_MS;
    }
    return NULL;
}

kiosk_damage_check *kiosk_damage_check_start(const char *path, kiosk_inbox *inbox,
                                             int first_delay_ms)
{
    kiosk_damage_check *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->inbox = inbox;
    d->first_delay_ms = first_delay_ms;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&d->lock, NULL);
    if (pthread_create(&d->thread, NULL, check_thread, d) != 0) {
        KLOG_WARN("no thread for the whole-file check");
        pthread_cond_destroy(&d->wake);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return NULL;
    }
    return d;
}

void kiosk_damage_check_stop(kiosk_damage_check *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    kiosk_store_check_interrupt(d->running);
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}
