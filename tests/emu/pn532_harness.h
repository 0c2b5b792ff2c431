/* pn532_harness.h - runs the PN532 emulator (pn532_emu) for a test program: the emulator as a
 * child process with its files in the test's scratch directory, control lines to its FIFO, and
 * the libnfc connection string of its stable link. Test code only; one thread. */
#ifndef PN532_HARNESS_H
#define PN532_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

typedef struct pn532_harness {
    pid_t pid;
    int control;           /* the emulator's control FIFO, open for writing */
    char connstring[1024]; /* "pn532_uart:" + the link the emulator keeps pointing at its pty
                              (libnfc's nfc_connstring size) */
    char log[600];
    unsigned sent; /* control lines sent, to wait for each to be run */
} pn532_harness;

/* Starts `emulator` (the pn532_emu binary) with its control FIFO, link and log in `dir`, and
 * waits until its pty is there. Extra emulator flags may be given in `flags` (NULL-terminated,
 * may be NULL). */
KIOSK_MUST_CHECK kiosk_rc pn532_harness_start(pn532_harness *h, const char *emulator,
                                              const char *dir, const char *const *flags, char *err,
                                              size_t err_size);

/* Sends one control line ("insert mfc 04A7B8C9", "remove", "vanish", ...) and returns once the
 * emulator has run it. */
void pn532_harness_send(pn532_harness *h, const char *line);

/* Copies the emulator's log to stderr (for a failed test). */
void pn532_harness_dump_log(const pn532_harness *h);

/* Stops the emulator (its files stay in the directory, for the caller to remove). */
void pn532_harness_stop(pn532_harness *h);

/* Milliseconds on the monotonic clock, and a sleep. */
int64_t pn532_harness_now_ms(void);
void pn532_harness_sleep_ms(int ms);

#endif
