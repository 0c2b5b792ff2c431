/* reader.h - card readers behind one small interface, picked by name from the configured spec
 * ("sim:-", "sim:/path/to/fifo"). A reader runs its blocking I/O in its own thread and reports
 * each reading through a callback on that thread; it knows nothing of the kiosk core. */
#ifndef DRV_READER_H
#define DRV_READER_H

#include <stddef.h>
#include <stdint.h>

typedef enum drv_reading_kind {
    DRV_READING_LINE, /* sim reader: one command line (the core parses it) */
    DRV_READING_CARD, /* an NFC card UID */
    DRV_READING_END,  /* the input ended for good (stdin closed) */
    DRV_READING_FAULT /* the device failed; text says why */
} drv_reading_kind;

typedef struct drv_reading {
    drv_reading_kind kind;
    const char *text;   /* LINE: the line without newline; FAULT: the reason */
    const uint8_t *uid; /* CARD */
    size_t uid_len;
} drv_reading;

/* Runs on the reader's thread; the reading is borrowed for the call only. */
typedef void (*drv_reading_fn)(void *user, const drv_reading *reading);

typedef struct drv_reader drv_reader;

/* The operations every reader driver provides (a table filled with designated initialisers). */
typedef struct drv_reader_ops {
    const char *scheme; /* the part of the spec before ':' */
    /* Starts the reader for the spec's argument; 0, or -1 with a message in err. */
    int (*open)(const char *arg, drv_reading_fn on_reading, void *user, void **state, char *err,
                size_t err_size);
    /* Stops the thread (it must return promptly, even while blocked) and frees state. */
    void (*close)(void *state);
} drv_reader_ops;

/* Picks the driver by scheme and starts it. NULL with a message in err. */
drv_reader *drv_reader_open(const char *spec, drv_reading_fn on_reading, void *user, char *err,
                            size_t err_size);
void drv_reader_close(drv_reader *reader);

extern const drv_reader_ops drv_sim_reader_ops;

#endif
