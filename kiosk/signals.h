/* signals.h - SIGTERM, SIGINT and SIGHUP for the running kiosk, handled on a thread of their own
 * (sigwait) rather than in a signal handler, so they can use the inbox: SIGTERM and SIGINT ask
 * the main loop to stop (within a second, however long it was going to sleep), SIGHUP is
 * logged and otherwise ignored (it used to end the process and drop queued taps), SIGUSR1 asks
 * for a screenshot of the screen as shown ([display] signal_shot). */
#ifndef KIOSK_SIGNALS_H
#define KIOSK_SIGNALS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "error.h"
#include "inbox.h"

typedef struct kiosk_signals kiosk_signals;

/* Blocks these signals in the calling thread, and so in every thread it creates after:
 * call first thing, before SDL or any driver starts a thread. */
void kiosk_signals_block(void);
/* Starts the thread that waits for them; *stop is set and a quit event posted on SIGTERM or
 * SIGINT. NULL on failure (the kiosk then runs with the signals blocked: stop it with `quit`). */
kiosk_signals *kiosk_signals_start(kiosk_inbox *inbox, atomic_bool *stop);
/* Ends the thread. */
void kiosk_signals_stop(kiosk_signals *s);

#endif
