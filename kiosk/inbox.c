/* inbox.c - a ring buffer under a mutex with a "not full" condition for producers. */
#define _POSIX_C_SOURCE 200809L
#include "inbox.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <time.h>

struct kiosk_inbox {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    kiosk_event *ring;
    size_t capacity, head, count;
    bool closed;
    kiosk_inbox_wake_fn wake;
    void *user;
};

kiosk_inbox *kiosk_inbox_new(size_t capacity, kiosk_inbox_wake_fn wake, void *user)
{
    if (capacity == 0)
        return NULL;
    kiosk_inbox *inbox = calloc(1, sizeof *inbox);
    if (!inbox)
        return NULL;
    inbox->ring = calloc(capacity, sizeof *inbox->ring);
    if (!inbox->ring) {
        free(inbox);
        return NULL;
    }
    pthread_mutex_init(&inbox->lock, NULL);
    pthread_cond_init(&inbox->not_full, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&inbox->not_empty, &attr);
    pthread_condattr_destroy(&attr);
    inbox->capacity = capacity;
    inbox->wake = wake;
    inbox->user = user;
    return inbox;
}

void kiosk_inbox_free(kiosk_inbox *inbox)
{
    if (!inbox)
        return;
    pthread_cond_destroy(&inbox->not_full);
    pthread_cond_destroy(&inbox->not_empty);
    pthread_mutex_destroy(&inbox->lock);
    sodium_memzero(inbox->ring, inbox->capacity * sizeof *inbox->ring);
    free(inbox->ring);
    free(inbox);
}

kiosk_rc kiosk_inbox_push(kiosk_inbox *inbox, const kiosk_event *ev)
{
    pthread_mutex_lock(&inbox->lock);
    while (inbox->count == inbox->capacity && !inbox->closed)
        pthread_cond_wait(&inbox->not_full, &inbox->lock);
    if (inbox->closed) {
        pthread_mutex_unlock(&inbox->lock);
        return KIOSK_ERR_BUSY;
    }
    inbox->ring[(inbox->head + inbox->count) % inbox->capacity] = *ev;
    inbox->count++;
    pthread_cond_signal(&inbox->not_empty);
    pthread_mutex_unlock(&inbox->lock);
    if (inbox->wake)
        inbox->wake(inbox->user);
    return KIOSK_OK;
}

kiosk_rc kiosk_inbox_try_push(kiosk_inbox *inbox, const kiosk_event *ev)
{
    pthread_mutex_lock(&inbox->lock);
    if (inbox->closed || inbox->count == inbox->capacity) {
        pthread_mutex_unlock(&inbox->lock);
        return KIOSK_ERR_BUSY;
    }
    inbox->ring[(inbox->head + inbox->count) % inbox->capacity] = *ev;
    inbox->count++;
    pthread_cond_signal(&inbox->not_empty);
    pthread_mutex_unlock(&inbox->lock);
    if (inbox->wake)
        inbox->wake(inbox->user);
    return KIOSK_OK;
}

bool kiosk_inbox_pop(kiosk_inbox *inbox, kiosk_event *out)
{
    pthread_mutex_lock(&inbox->lock);
    bool got = inbox->count > 0;
    if (got) {
        *out = inbox->ring[inbox->head];
        /* Events may carry personal data (an ID card): nothing stays behind in the ring. */
        sodium_memzero(&inbox->ring[inbox->head], sizeof inbox->ring[inbox->head]);
        inbox->head = (inbox->head + 1) % inbox->capacity;
        inbox->count--;
        pthread_cond_signal(&inbox->not_full);
    }
    pthread_mutex_unlock(&inbox->lock);
    return got;
}

void kiosk_inbox_close(kiosk_inbox *inbox)
{
    pthread_mutex_lock(&inbox->lock);
    inbox->closed = true;
    pthread_cond_broadcast(&inbox->not_full);
    pthread_cond_broadcast(&inbox->not_empty);
    pthread_mutex_unlock(&inbox->lock);
}

bool kiosk_inbox_wait(kiosk_inbox *inbox, int64_t timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms >= 0) {
        until.tv_sec += (time_t)(timeout_ms / 1000);
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&inbox->lock);
    while (inbox->count == 0 && !inbox->closed) {
        int rc = timeout_ms >= 0 ? pthread_cond_timedwait(&inbox->not_empty, &inbox->lock, &until)
                                 : pthread_cond_wait(&inbox->not_empty, &inbox->lock);
        if (rc != 0)
            break;
    }
    bool got = inbox->count > 0;
    pthread_mutex_unlock(&inbox->lock);
    return got;
}

bool kiosk_inbox_free_slots_clear(kiosk_inbox *inbox)
{
    pthread_mutex_lock(&inbox->lock);
    bool clear = true;
    for (size_t i = inbox->count; i < inbox->capacity && clear; i++) {
        const unsigned char *b =
            (const unsigned char *)&inbox->ring[(inbox->head + i) % inbox->capacity];
        for (size_t k = 0; k < sizeof inbox->ring[0]; k++)
            clear = clear && b[k] == 0;
    }
    pthread_mutex_unlock(&inbox->lock);
    return clear;
}
