/* sdnotify.h - systemd's service notification protocol without libsystemd: READY, STATUS and
 * WATCHDOG datagrams to $NOTIFY_SOCKET (a path, or an abstract socket written "@name"), and the
 * watchdog interval systemd hands the service in $WATCHDOG_USEC / $WATCHDOG_PID. Outside
 * systemd (no NOTIFY_SOCKET) every call is a cheap no-op. Any thread; the app calls it from the
 * main loop only, so a hung loop stops the watchdog pings. */
#ifndef KIOSK_SDNOTIFY_H
#define KIOSK_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Sends one notification ("READY=1\nSTATUS=...", "WATCHDOG=1") to $NOTIFY_SOCKET. Returns 1 when
 * sent, 0 when there is no socket to send to, -1 (errno set) when sending failed. Never blocks:
 * the datagram socket is non-blocking, so a stuck listener cannot hold up the caller. */
int kiosk_sdnotify(const char *state);

/* The same with printf formatting; the text is cut at 1 KiB. */
int kiosk_sdnotifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sd_watchdog_enabled() semantics: when $WATCHDOG_USEC holds a positive number and
 * $WATCHDOG_PID is unset or names this process, stores the interval in *usec and returns true;
 * otherwise false (*usec = 0). A malformed value counts as no watchdog. */
bool kiosk_sdnotify_watchdog(uint64_t *usec);

/* The pure part of kiosk_sdnotify_watchdog, for tests: the two variables' values (either may be
 * NULL) and the calling process's pid. */
bool kiosk_sdnotify_watchdog_parse(const char *watchdog_usec, const char *watchdog_pid, pid_t self,
                                   uint64_t *usec);

#endif
