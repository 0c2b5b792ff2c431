/* device.h - every device of the kiosk behind one small interface, chosen by driver name from a
 * registry that also validates each device's settings (its INI section: [reader], [idcard],
 * [printer]). A device spec is "DRIVER:ARGUMENT" ("sim:-", "nfc:pn532_uart:/dev/ttyUSB0",
 * "gat467:/dev/ttyUSB1", "escpos:/dev/usb/lp0"); the section's other keys are the driver's
 * options.
 *   Readers (NFC cards, ID cards, the simulator) run their blocking I/O in their own thread and
 *   report plain readings through a callback on that thread.
 *   Printers take bytes (an ESC/POS document built by a pure module), queue them without
 *   blocking the caller, write them on their own thread and report paper and online state.
 * Drivers know nothing of the kiosk core: they see only the plain event and error headers. */
#ifndef DRV_DEVICE_H
#define DRV_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "print.h"

typedef enum drv_reading_kind {
    DRV_READING_LINE,         /* sim reader: one command line (the core parses it) */
    DRV_READING_CARD,         /* a card was presented: card */
    DRV_READING_CARD_REMOVED, /* the card left the reader */
    DRV_READING_IDCARD,       /* an ID card was read: idcard (personal data: copy, then forget) */
    DRV_READING_IDCARD_ERROR, /* an ID card was there but could not be read: text says why */
    DRV_READING_STATE,        /* the device's state changed: state, text says why */
    DRV_READING_END           /* the input ended for good (the sim reader's stdin closed) */
} drv_reading_kind;

typedef struct drv_reading {
    drv_reading_kind kind;
    const char *text;           /* LINE, IDCARD_ERROR, STATE */
    const kiosk_card *card;     /* CARD */
    const kiosk_idcard *idcard; /* IDCARD */
    kiosk_device_state state;   /* STATE */
} drv_reading;

/* Runs on the device's thread; the reading is borrowed for the call only. */
typedef void (*drv_reading_fn)(void *user, const drv_reading *reading);

/* A device's options: the keys of its INI section other than `device`. */
typedef struct drv_option {
    const char *key, *value;
} drv_option;

typedef struct drv_options {
    const drv_option *items;
    size_t count;
} drv_options;

/* The value of an option, or NULL (opts may be NULL). */
const char *drv_option_get(const drv_options *opts, const char *key);

typedef struct drv_reader_ops {
    const char *name; /* the part of the spec before the first ':' */
    const char *help; /* one line for --list-devices */
    /* Checks the argument and options without touching any device: KIOSK_ERR_CONFIG and a
     * message naming the key when something is wrong. */
    kiosk_rc (*check)(const char *arg, const drv_options *opts, char *err, size_t err_size);
    /* Starts the reader's thread. A device that is not there yet is not an error: the driver
     * reports DRV_READING_STATE and keeps trying. */
    kiosk_rc (*open)(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                     void *user, void **state, char *err, size_t err_size);
    /* Stops the thread (it must return promptly, even while blocked) and frees state. */
    void (*close)(void *state);
} drv_reader_ops;

typedef struct drv_printer_ops {
    const char *name;
    const char *help;
    kiosk_rc (*check)(const char *arg, const drv_options *opts, char *err, size_t err_size);
    /* Starts the printer's thread; state changes are reported through on_reading (STATE). */
    kiosk_rc (*open)(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                     void *user, void **state, char *err, size_t err_size);
    /* Queues a copy of the bytes and returns at once: KIOSK_ERR_BUSY when the queue is full,
     * KIOSK_ERR_DEVICE when the printer is known to be down or out of paper (said now rather
     * than the job dropped later), KIOSK_ERR_TOO_BIG or KIOSK_ERR_INVALID for the bytes. */
    kiosk_rc (*submit)(void *state, const uint8_t *bytes, size_t len);
    /* Lays a document out in the printer's own language and submits it (as submit, plus
     * KIOSK_ERR_INVALID with err for a document the printer cannot take). Never blocks. */
    kiosk_rc (*print)(void *state, const kiosk_print_doc *doc, char *err, size_t err_size);
    /* The paper's line width in characters for these options (what documents are laid out
     * for), without touching the device; options are valid (check passed). */
    int (*paper_columns)(const drv_options *opts);
    void (*close)(void *state);
} drv_printer_ops;

typedef struct drv_reader drv_reader;
typedef struct drv_printer drv_printer;

/* The registries: every driver, NULL-terminated. */
const drv_reader_ops *const *drv_reader_all(void);
const drv_printer_ops *const *drv_printer_all(void);

/* Validates a spec and its options against the registry: an unknown driver name is
 * KIOSK_ERR_CONFIG with the list of known ones in err. */
KIOSK_MUST_CHECK kiosk_rc drv_reader_check(const char *spec, const drv_options *opts, char *err,
                                           size_t err_size);
KIOSK_MUST_CHECK kiosk_rc drv_printer_check(const char *spec, const drv_options *opts, char *err,
                                            size_t err_size);

/* Picks the driver by name and starts it. NULL with a message in err. */
drv_reader *drv_reader_open(const char *spec, const drv_options *opts, drv_reading_fn on_reading,
                            void *user, char *err, size_t err_size);
void drv_reader_close(drv_reader *reader);

drv_printer *drv_printer_open(const char *spec, const drv_options *opts, drv_reading_fn on_reading,
                              void *user, char *err, size_t err_size);
KIOSK_MUST_CHECK kiosk_rc drv_printer_submit(drv_printer *printer, const uint8_t *bytes,
                                             size_t len);
/* Prints a document (ops->print); KIOSK_ERR_DEVICE for a NULL printer. */
KIOSK_MUST_CHECK kiosk_rc drv_printer_print(drv_printer *printer, const kiosk_print_doc *doc,
                                            char *err, size_t err_size);
/* The paper width of a configured printer (spec and options already checked); 0 when the spec
 * names no printer driver. */
int drv_printer_paper_columns(const char *spec, const drv_options *opts);
void drv_printer_close(drv_printer *printer);

extern const drv_reader_ops drv_sim_reader_ops;
extern const drv_reader_ops drv_nfc_reader_ops;
extern const drv_reader_ops drv_gat467_reader_ops;
extern const drv_printer_ops drv_escpos_printer_ops;

#endif
