/* idcard_reader.c - the certified ID-card reader ("gat467:/dev/ttyUSB1"): a thread that speaks
 * GA/T 467 frames (idcard_proto.h) over a serial port (serial.h). At start it checks the
 * security module (SAM) and reads its id, then loops find -> select -> read. Each placement of
 * a card is reported once (DRV_READING_IDCARD, or DRV_READING_IDCARD_ERROR with a plain reason)
 * and its end once (DRV_READING_CARD_REMOVED). A SAM fault is reset and checked again; a port
 * that fails, hangs up or stops answering is reported DOWN and retried with a growing pause,
 * then READY again. A self-pipe lets close stop the thread at once, even mid-command.
 * A card left on the reader is read once: a reader answers "no card" (80) to a card it has read
 * until the card is lifted (spec §6), and a reader that keeps finding it (9F) is not asked to
 * read it again until a find has answered 80. With the first kind, "removed" is reported at
 * the first 80 after a read: the card is done with until it is placed anew.
 * Card data is personal: it goes to the callback and is wiped; no text made here holds any. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "idcard_proto.h"
#include "serial.h"

/* Timing (spec §6): 500 ms for a short command, 2.5 s for a read (its reply alone is 112 ms at
 * 115200 baud, the card's authentication most of the rest), about a second for a SAM reset. */
enum {
    COMMAND_TIMEOUT_MS = 500,
    READ_TIMEOUT_MS = 2500,
    RESET_TIMEOUT_MS = 1000,
    RESET_SETTLE_MS = 1000,
    WRITE_TIMEOUT_MS = 500,
    DAMAGED_GRACE_MS = 200, /* after a damaged frame, how long a good one may still follow */
    TROUBLE_LIMIT = 3,      /* unanswered or garbled polls in a row before the reader is down */
    SAM_RESETS = 2,         /* resets tried before a SAM fault is reported */
    READ_TRIES = 3,         /* reads tried on one placement before waiting for it to end */
    BACKOFF_MIN_MS = 250,
    BACKOFF_MAX_MS = 5000,
    POLL_DEFAULT_MS = 300,
    POLL_MIN_MS = 50,
    POLL_MAX_MS = 10000,
};

typedef struct gat_config {
    char path[KIOSK_PATH_MAX];
    long baud;
    bool fingerprint; /* 30 10 instead of 30 01 */
    int poll_ms;
} gat_config;

/* Where the card on the reader stands; every placement is reported once. */
typedef enum placement {
    CARD_NONE,   /* nothing reported: the next card found is read */
    CARD_READ,   /* read and reported; the reader may still find it until it is lifted */
    CARD_FAILED, /* a failed read was reported; further tries stay quiet */
    CARD_SPENT   /* no more tries until the card is lifted */
} placement;

typedef struct gat_state {
    gat_config cfg;
    int abort_pipe[2];
    pthread_t thread;
    drv_reading_fn on_reading;
    void *user;
    drv_serial *port;
    drv_idcard_parser parser; /* holds the last reply (personal data: reset after use) */
    uint8_t rx[512];
    kiosk_device_state reported; /* the last state the kiosk was told */
    placement card;
    int tries;     /* failed reads of this placement */
    char why[160]; /* the reason for the next report: never card data */
    /* The SAM's id ("05.01-..."), kept on the handle like a library's message: it belongs in
     * a debug log, which the device interface does not give drivers, and not in the state
     * texts the kiosk logs as warnings. It names the module, not a person. */
    char sam_id[DRV_IDCARD_SAM_ID_TEXT];
} gat_state;

/* Wipes through a volatile pointer so the compiler cannot drop it as a dead store. */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- configuration ------------------------------------------------------------------------- */

static bool parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool parse_long(const char *v, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno)
        return false;
    *out = n;
    return true;
}

static kiosk_rc config_parse(const char *arg, const drv_options *opts, gat_config *cfg, char *err,
                             size_t err_size)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->baud = DRV_SERIAL_DEFAULT_BAUD;
    cfg->poll_ms = POLL_DEFAULT_MS;
    if (!arg[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "gat467 needs the reader's serial port: gat467:/dev/ttyUSB1");
    if (strlen(arg) >= sizeof cfg->path)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "gat467: the path is too long");
    snprintf(cfg->path, sizeof cfg->path, "%s", arg);
    for (size_t i = 0; opts && i < opts->count; i++) {
        const char *key = opts->items[i].key, *value = opts->items[i].value;
        long n;
        if (strcmp(key, "baud") == 0) {
            if (!parse_long(value, &n) || !drv_serial_baud_valid(n))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "gat467: baud must be 9600, 19200, 38400, 57600 or 115200, "
                                  "not '%s'",
                                  value);
            cfg->baud = n;
        } else if (strcmp(key, "fingerprint") == 0) {
            if (!parse_bool(value, &cfg->fingerprint))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "gat467: fingerprint must be true or false, not '%s'", value);
        } else if (strcmp(key, "poll_ms") == 0) {
            if (!parse_long(value, &n) || n < POLL_MIN_MS || n > POLL_MAX_MS)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "gat467: poll_ms must be an integer from %d to %d, not '%s'",
                                  POLL_MIN_MS, POLL_MAX_MS, value);
            cfg->poll_ms = (int)n;
        } else {
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "gat467 has no option '%s' (it knows baud, fingerprint, poll_ms)",
                              key);
        }
    }
    return KIOSK_OK;
}

/* --- reports ------------------------------------------------------------------------------- */

static void report_state(gat_state *s, kiosk_device_state state, const char *text)
{
    if (state == s->reported)
        return;
    s->reported = state;
    drv_reading r = {.kind = DRV_READING_STATE, .text = text, .state = state};
    s->on_reading(s->user, &r);
}

static void report(gat_state *s, drv_reading_kind kind, const char *text)
{
    drv_reading r = {.kind = kind, .text = text};
    s->on_reading(s->user, &r);
}

/* A read that gave no card data. Only the first failure of a placement is reported, so a card
 * that keeps failing does not flood the screen; a refused card gets one retry, others a few. */
static void read_failed(gat_state *s, const char *reason, bool refuse)
{
    s->tries++;
    if (s->card == CARD_NONE) {
        report(s, DRV_READING_IDCARD_ERROR, reason);
        s->card = CARD_FAILED;
    }
    if (s->tries >= (refuse ? 2 : READ_TRIES))
        s->card = CARD_SPENT;
}

/* The placement ended (the card was lifted, or - on readers that answer "no card" for a card
 * they have read - it will not be given again until it is placed anew). */
static void placement_over(gat_state *s)
{
    if (s->card != CARD_NONE)
        report(s, DRV_READING_CARD_REMOVED, NULL);
    s->card = CARD_NONE;
    s->tries = 0;
}

/* --- one exchange -------------------------------------------------------------------------- */

/* Sleeps ms unless close asks the thread to stop (then false). */
static bool pause_ms(gat_state *s, int ms)
{
    int64_t deadline = mono_ms() + ms;
    for (;;) {
        int64_t left = deadline - mono_ms();
        struct pollfd p = {s->abort_pipe[0], POLLIN, 0};
        int n = poll(&p, 1, left > 0 ? (int)left : 0);
        if (n > 0)
            return false;
        if (n == 0 || errno != EINTR)
            return true;
    }
}

static int timeout_of(drv_idcard_command cmd)
{
    switch (cmd) {
    case DRV_IDCARD_CMD_READ:
    case DRV_IDCARD_CMD_READ_FP:
        return READ_TIMEOUT_MS;
    case DRV_IDCARD_CMD_RESET:
        return RESET_TIMEOUT_MS;
    default:
        return COMMAND_TIMEOUT_MS;
    }
}

/* Sends cmd once and waits for a reply frame. Bytes before it are skipped; a damaged frame
 * leaves a short grace for a good one (garbage can hide a real reply), then PROTOCOL. */
static kiosk_rc exchange(gat_state *s, drv_idcard_command cmd, drv_idcard_reply *reply)
{
    uint8_t request[DRV_IDCARD_REQUEST_LEN];
    size_t len = drv_idcard_request(cmd, request);
    drv_idcard_parser_reset(&s->parser);
    kiosk_rc rc = drv_serial_flush_input(s->port);
    if (rc == KIOSK_OK)
        rc = drv_serial_write(s->port, request, len, WRITE_TIMEOUT_MS);
    if (rc != KIOSK_OK)
        return rc;
    int64_t deadline = mono_ms() + timeout_of(cmd);
    bool damaged = false;
    for (;;) {
        int64_t left = deadline - mono_ms();
        size_t got = 0;
        rc = left > 0 ? drv_serial_read(s->port, s->rx, sizeof s->rx, &got, (int)left)
                      : KIOSK_ERR_TIMEOUT;
        if (rc == KIOSK_ERR_TIMEOUT && damaged) {
            snprintf(s->why, sizeof s->why, "the reader's reply to '%s' was damaged",
                     drv_idcard_command_name(cmd));
            return KIOSK_ERR_PROTOCOL;
        }
        if (rc == KIOSK_ERR_TIMEOUT)
            snprintf(s->why, sizeof s->why, "the reader did not answer '%s' in time",
                     drv_idcard_command_name(cmd));
        if (rc != KIOSK_OK)
            return rc;
        size_t off = 0;
        drv_idcard_parse r;
        do {
            size_t used;
            r = drv_idcard_parser_feed(&s->parser, s->rx + off, got - off, &used);
            off += used;
            if (r == DRV_IDCARD_PARSE_BAD_CHECKSUM && deadline > mono_ms() + DAMAGED_GRACE_MS)
                deadline = mono_ms() + DAMAGED_GRACE_MS;
            damaged =
                damaged || r == DRV_IDCARD_PARSE_BAD_CHECKSUM || r == DRV_IDCARD_PARSE_BAD_LENGTH;
        } while (r != DRV_IDCARD_PARSE_MORE && r != DRV_IDCARD_PARSE_FRAME);
        wipe(s->rx, got); /* the bytes may be part of a card's data */
        if (r == DRV_IDCARD_PARSE_FRAME) {
            drv_idcard_frame f;
            drv_idcard_parser_frame(&s->parser, &f);
            return drv_idcard_reply_decode(&f, reply, s->why, sizeof s->why);
        }
    }
}

/* An exchange whose reply must fit the command: the SAM saying our frame arrived damaged gets
 * one resend; the success code of another command (a late reply to an earlier one) is
 * PROTOCOL. Other status codes are the caller's. */
static kiosk_rc transact(gat_state *s, drv_idcard_command cmd, drv_idcard_reply *reply)
{
    kiosk_rc rc = exchange(s, cmd, reply);
    if (rc == KIOSK_OK && drv_idcard_status_action(reply->sw3) == DRV_IDCARD_ACT_RESEND)
        rc = exchange(s, cmd, reply);
    if (rc != KIOSK_OK)
        return rc;
    uint8_t success = cmd == DRV_IDCARD_CMD_FIND ? DRV_IDCARD_SW3_FOUND : DRV_IDCARD_SW3_SUCCESS;
    uint8_t other = cmd == DRV_IDCARD_CMD_FIND ? DRV_IDCARD_SW3_SUCCESS : DRV_IDCARD_SW3_FOUND;
    bool bad =
        reply->sw3 == other ||
        (reply->sw3 == success && cmd == DRV_IDCARD_CMD_SAM_ID &&
         reply->data_len != DRV_IDCARD_SAM_ID_LEN) ||
        (reply->sw3 == success &&
         (cmd == DRV_IDCARD_CMD_RESET || cmd == DRV_IDCARD_CMD_SAM_STATUS) && reply->data_len != 0);
    if (bad) {
        snprintf(s->why, sizeof s->why, "the reader's reply does not answer '%s'",
                 drv_idcard_command_name(cmd));
        return KIOSK_ERR_PROTOCOL;
    }
    return KIOSK_OK;
}

/* --- the SAM ------------------------------------------------------------------------------- */

/* 11 FF until it answers 90; a self-test failure gets a reset (10 FF), a pause and another
 * check. DEVICE with s->why when the SAM stays faulty or is not authorised. */
static kiosk_rc sam_check(gat_state *s)
{
    for (int resets = 0;; resets++) {
        drv_idcard_reply r;
        kiosk_rc rc = transact(s, DRV_IDCARD_CMD_SAM_STATUS, &r);
        if (rc != KIOSK_OK)
            return rc;
        if (r.sw3 == DRV_IDCARD_SW3_SUCCESS)
            return KIOSK_OK;
        if (drv_idcard_status_action(r.sw3) == DRV_IDCARD_ACT_SAM_FAULT || resets == SAM_RESETS) {
            snprintf(s->why, sizeof s->why, "%s", drv_idcard_status_text(r.sw3));
            return KIOSK_ERR_DEVICE;
        }
        rc = transact(s, DRV_IDCARD_CMD_RESET, &r);
        if (rc != KIOSK_OK && rc != KIOSK_ERR_PROTOCOL)
            return rc;
        if (!pause_ms(s, RESET_SETTLE_MS))
            return DRV_SERIAL_ABORTED;
    }
}

/* The SAM's health, then its id (informative: a SAM that will not give it still works). */
static kiosk_rc sam_start(gat_state *s)
{
    kiosk_rc rc = sam_check(s);
    if (rc != KIOSK_OK)
        return rc;
    drv_idcard_reply r;
    rc = transact(s, DRV_IDCARD_CMD_SAM_ID, &r);
    if (rc == KIOSK_OK && r.sw3 == DRV_IDCARD_SW3_SUCCESS)
        drv_idcard_sam_id_format(r.data, s->sam_id, sizeof s->sam_id);
    return rc == KIOSK_ERR_IO || rc == DRV_SERIAL_ABORTED ? rc : KIOSK_OK;
}

/* --- a card -------------------------------------------------------------------------------- */

/* A reply status that is not success during select or read: what it means for the
 * placement, and for the SAM (DEVICE asks the caller to check it). */
static kiosk_rc card_status(gat_state *s, uint8_t sw3, bool reading)
{
    drv_idcard_action a = drv_idcard_status_action(sw3);
    if (a == DRV_IDCARD_ACT_SAM_RESET || a == DRV_IDCARD_ACT_SAM_FAULT) {
        if (reading)
            read_failed(s, drv_idcard_status_text(sw3), false);
        return KIOSK_ERR_DEVICE;
    }
    if (a == DRV_IDCARD_ACT_RESYNC)
        return KIOSK_ERR_PROTOCOL; /* the caller checks the SAM, then starts again */
    if (reading || a == DRV_IDCARD_ACT_REJECT)
        read_failed(s, drv_idcard_status_text(sw3), a == DRV_IDCARD_ACT_REJECT);
    return KIOSK_OK;
}

/* Reads the card after a successful select and reports it. */
static kiosk_rc card_read(gat_state *s)
{
    drv_idcard_command cmd = s->cfg.fingerprint ? DRV_IDCARD_CMD_READ_FP : DRV_IDCARD_CMD_READ;
    drv_idcard_reply r;
    kiosk_rc rc = transact(s, cmd, &r);
    if (rc == KIOSK_OK && cmd == DRV_IDCARD_CMD_READ_FP && r.sw3 == DRV_IDCARD_SW3_NO_ITEM) {
        /* A reader or card without fingerprints: the text and photo alone. */
        cmd = DRV_IDCARD_CMD_READ;
        rc = transact(s, cmd, &r);
    }
    if (rc == KIOSK_ERR_TIMEOUT || rc == KIOSK_ERR_PROTOCOL) {
        read_failed(s, s->why, false);
        return KIOSK_OK; /* the card is the problem, not the reader: keep polling */
    }
    if (rc != KIOSK_OK)
        return rc;
    if (r.sw3 != DRV_IDCARD_SW3_SUCCESS)
        return card_status(s, r.sw3, true);
    drv_idcard_read parts;
    drv_idcard_text text;
    char problem[128];
    rc = drv_idcard_read_split(&r, cmd == DRV_IDCARD_CMD_READ_FP, &parts, problem, sizeof problem);
    if (rc == KIOSK_OK)
        rc = drv_idcard_text_parse(parts.text, parts.text_len, &text, problem, sizeof problem);
    drv_idcard_parser_reset(&s->parser); /* the raw reply (text, photo) is gone from here on */
    if (rc != KIOSK_OK) {
        snprintf(s->why, sizeof s->why, "the card's data could not be read: %s", problem);
        read_failed(s, s->why, false);
        return KIOSK_OK;
    }
    drv_reading reading = {.kind = DRV_READING_IDCARD, .idcard = &text.card};
    s->on_reading(s->user, &reading);
    wipe(&text, sizeof text);
    s->card = CARD_READ;
    s->tries = 0;
    return KIOSK_OK;
}

/* One poll: find, and for a card not yet handled, select and read. OK, TIMEOUT or PROTOCOL
 * (the reader's state is unsure: check the SAM), DEVICE (a SAM fault), IO, ABORTED. */
static kiosk_rc poll_once(gat_state *s)
{
    drv_idcard_reply r;
    kiosk_rc rc = transact(s, DRV_IDCARD_CMD_FIND, &r);
    if (rc != KIOSK_OK)
        return rc;
    if (r.sw3 == DRV_IDCARD_SW3_NO_CARD) {
        placement_over(s);
        return KIOSK_OK;
    }
    if (r.sw3 != DRV_IDCARD_SW3_FOUND)
        return card_status(s, r.sw3, false);
    if (s->card == CARD_READ || s->card == CARD_SPENT)
        return KIOSK_OK; /* the same card, still there */
    rc = transact(s, DRV_IDCARD_CMD_SELECT, &r);
    if (rc != KIOSK_OK || r.sw3 != DRV_IDCARD_SW3_SUCCESS)
        return rc != KIOSK_OK ? rc : card_status(s, r.sw3, false);
    return card_read(s);
}

/* --- the thread ---------------------------------------------------------------------------- */

/* A working port: the SAM, then polls until something fails. Returns why it stopped, with
 * the reason in s->why. */
static kiosk_rc session(gat_state *s, int *backoff_ms)
{
    kiosk_rc rc = sam_start(s);
    if (rc == KIOSK_ERR_PROTOCOL)
        rc = sam_start(s); /* garbage on a fresh line: once more */
    if (rc != KIOSK_OK)
        return rc;
    char ready[KIOSK_PATH_MAX + 32];
    snprintf(ready, sizeof ready, "gat467: %s ready", s->cfg.path);
    report_state(s, KIOSK_DEVICE_READY, ready);
    *backoff_ms = BACKOFF_MIN_MS;
    int trouble = 0;
    for (;;) {
        rc = poll_once(s);
        if (rc == KIOSK_ERR_PROTOCOL || rc == KIOSK_ERR_DEVICE)
            rc = sam_check(s); /* resynchronise, or reset a failing SAM */
        if (rc == KIOSK_ERR_TIMEOUT || rc == KIOSK_ERR_PROTOCOL) {
            /* One lost or garbled exchange is noise on the line; a few in a row are a reader
             * that is gone or broken. */
            if (++trouble >= TROUBLE_LIMIT)
                return rc;
        } else if (rc != KIOSK_OK) {
            return rc;
        } else {
            trouble = 0;
        }
        if (!pause_ms(s, s->cfg.poll_ms))
            return DRV_SERIAL_ABORTED;
    }
}

static void *gat_thread(void *arg)
{
    gat_state *s = arg;
    int backoff_ms = BACKOFF_MIN_MS;
    char text[KIOSK_PATH_MAX + 200];
    for (;;) {
        kiosk_rc rc = KIOSK_OK;
        if (!s->port) {
            char err[KIOSK_PATH_MAX + 100];
            rc = drv_serial_open(s->cfg.path, s->cfg.baud, s->abort_pipe[0], &s->port, err,
                                 sizeof err);
            if (rc != KIOSK_OK)
                snprintf(text, sizeof text, "gat467: %s", err);
        }
        if (rc == KIOSK_OK) {
            rc = session(s, &backoff_ms);
            if (rc == DRV_SERIAL_ABORTED)
                break;
            if (rc == KIOSK_ERR_IO) {
                snprintf(text, sizeof text, "gat467: %s: %s", s->cfg.path,
                         drv_serial_error(s->port));
                drv_serial_close(s->port);
                s->port = NULL;
            } else {
                snprintf(text, sizeof text, "gat467: %s: %s", s->cfg.path, s->why);
            }
        }
        /* Whatever was on the reader is no longer known. */
        placement_over(s);
        report_state(s, KIOSK_DEVICE_DOWN, text);
        if (!pause_ms(s, backoff_ms))
            break;
        backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
    }
    drv_serial_close(s->port);
    s->port = NULL;
    return NULL;
}

/* --- the ops ------------------------------------------------------------------------------- */

static kiosk_rc gat_check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    gat_config cfg;
    return config_parse(arg, opts, &cfg, err, err_size);
}

static void gat_free(gat_state *s)
{
    drv_idcard_parser_reset(&s->parser);
    wipe(s, sizeof *s);
    free(s);
}

static kiosk_rc gat_open(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                         void *user, void **state, char *err, size_t err_size)
{
    gat_state *s = calloc(1, sizeof *s);
    if (!s)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_rc rc = config_parse(arg, opts, &s->cfg, err, err_size);
    if (rc != KIOSK_OK) {
        gat_free(s);
        return rc;
    }
    s->on_reading = on_reading;
    s->user = user;
    s->reported = KIOSK_DEVICE_READY; /* what the kiosk assumes of a device that opened */
    drv_idcard_parser_init(&s->parser, DRV_IDCARD_REPLIES);
    if (pipe(s->abort_pipe) != 0) {
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "gat467: pipe: %s", strerror(errno));
        gat_free(s);
        return rc;
    }
    if (pthread_create(&s->thread, NULL, gat_thread, s) != 0) {
        close(s->abort_pipe[0]);
        close(s->abort_pipe[1]);
        gat_free(s);
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "gat467: cannot start its thread");
    }
    *state = s;
    return KIOSK_OK;
}

static void gat_close(void *state)
{
    gat_state *s = state;
    if (!s)
        return;
    /* The pipe stays readable, so every wait of the thread returns at once from now on. */
    ssize_t ignored = write(s->abort_pipe[1], "x", 1);
    (void)ignored;
    pthread_join(s->thread, NULL);
    close(s->abort_pipe[0]);
    close(s->abort_pipe[1]);
    gat_free(s);
}

const drv_reader_ops drv_gat467_reader_ops = {
    .name = "gat467",
    .help = "gat467:/dev/ttyUSB1 - certified ID-card reader, GA/T 467 frames on a serial port "
            "(options: baud, fingerprint, poll_ms)",
    .check = gat_check,
    .open = gat_open,
    .close = gat_close,
};
