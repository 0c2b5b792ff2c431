/* inbox.h - the one thread-safe queue that carries events from driver threads to the main loop.
 * Bounded: a producer waits while it is full (a reader thread can afford to wait; the main loop
 * drains it every wake-up). A wake callback lets the main loop sleep in SDL_WaitEventTimeout. */
#ifndef KIOSK_INBOX_H
#define KIOSK_INBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "event.h"

typedef struct kiosk_inbox kiosk_inbox;
typedef void (*kiosk_inbox_wake_fn)(void *user);

/* capacity events at most; wake (may be NULL) runs on the producer's thread after each push. */
kiosk_inbox *kiosk_inbox_new(size_t capacity, kiosk_inbox_wake_fn wake, void *user);
/* Call after every producer thread has been joined. */
void kiosk_inbox_free(kiosk_inbox *inbox);
/* Appends a copy of ev; waits while full. KIOSK_ERR_BUSY once the inbox is closed. Any thread. */
KIOSK_MUST_CHECK kiosk_rc kiosk_inbox_push(kiosk_inbox *inbox, const kiosk_event *ev);
/* The same without waiting: KIOSK_ERR_BUSY when full or closed (a producer that must never block,
 * such as the sync worker, whose next report replaces this one anyway). */
KIOSK_MUST_CHECK kiosk_rc kiosk_inbox_try_push(kiosk_inbox *inbox, const kiosk_event *ev);
/* Takes the oldest event without waiting; false when empty. Any thread (the main loop). */
bool kiosk_inbox_pop(kiosk_inbox *inbox, kiosk_event *out);
/* Waits up to timeout_ms (-1 = no limit) until an event is queued or the inbox is closed;
 * true when an event is there. For main loops whose video driver cannot wait for input. */
bool kiosk_inbox_wait(kiosk_inbox *inbox, int64_t timeout_ms);
/* For tests: true when every slot that holds no queued event is all zero bytes (events may
 * carry an ID card: nothing stays behind once taken). */
bool kiosk_inbox_free_slots_clear(kiosk_inbox *inbox);
/* Wakes blocked producers and refuses further pushes (shutdown). */
void kiosk_inbox_close(kiosk_inbox *inbox);

#endif
