/* damage_check.h - the whole-file damage check of the local database on a thread of its own,
 * started after the first frame (kiosk_store_open checks only what a start needs) and repeated
 * once a day. When it finds damage it marks the database for recovery and posts
 * KIOSK_EV_STORE_DAMAGED; the main loop then ends the run so the database can be recovered. */
#ifndef KIOSK_DAMAGE_CHECK_H
#define KIOSK_DAMAGE_CHECK_H

#include "inbox.h"

typedef struct kiosk_damage_check kiosk_damage_check;

/* Starts the thread for the database at path; NULL when it cannot (logged: the kiosk runs on,
 * unchecked beyond the opening check). first_delay_ms: how long to wait before the first run. */
kiosk_damage_check *kiosk_damage_check_start(const char *path, kiosk_inbox *inbox,
                                             int first_delay_ms);
/* Interrupts a running check and ends the thread (within a few milliseconds). */
void kiosk_damage_check_stop(kiosk_damage_check *d);

#endif
