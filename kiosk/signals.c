/* signals.c - the signal thread (see signals.h). */
#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#define KIOSK_LOG_MODULE "signals"

struct kiosk_signals {
    pthread_t thread;
    kiosk_inbox *inbox;
    atomic_bool *stop;
};

/* SIGUSR2 ends the thread itself at shutdown. */
static void fill_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
}

void kiosk_signals_block(void)
{
    sigset_t set;
    fill_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *signal_thread(void *arg)
{
    kiosk_signals *s = arg;
    sigset_t set;
    fill_set(&set);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == SIGUSR2)
            return NULL;
        if (sig == SIGUSR1) {
            /* A screenshot on request (kiosk-update's health check): the main loop saves the
             * screen as shown to [display] signal_shot. */
            kiosk_event shot = {.kind = KIOSK_EV_SHOT};
            if (kiosk_inbox_push(s->inbox, &shot) != KIOSK_OK)
                return NULL;
            continue;
        }
        if (sig == SIGHUP) {
            KLOG_INFO("SIGHUP: nothing to reload; the kiosk keeps running");
            continue;
        }
        KLOG_INFO("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        atomic_store(s->stop, true);
        kiosk_event ev = {.kind = KIOSK_EV_QUIT};
        if (kiosk_inbox_push(s->inbox, &ev) != KIOSK_OK)
            return NULL;
    }
}

kiosk_signals *kiosk_signals_start(kiosk_inbox *inbox, atomic_bool *stop)
{
    kiosk_signals *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->inbox = inbox;
    s->stop = stop;
    if (pthread_create(&s->thread, NULL, signal_thread, s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void kiosk_signals_stop(kiosk_signals *s)
{
    if (!s)
        return;
    pthread_kill(s->thread, SIGUSR2);
    pthread_join(s->thread, NULL);
    free(s);
}
