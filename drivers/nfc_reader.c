/* nfc_reader.c - the NFC card reader through libnfc, "nfc:CONNSTRING" (nfc:pn532_uart:/dev/ttyUSB0,
 * nfc:pn532_i2c:/dev/i2c-1, nfc:acr122_usb). A thread opens the reader by its connection string
 * (never a scan), polls ISO14443A then B with bounded timeouts, reports each placement of a card
 * once and its removal, reads a resident ID card's card UID when asked to (id_card_uid), and
 * reconnects with a growing pause when the reader fails or is unplugged. close() interrupts it
 * with nfc_abort_command and a self-pipe. No text it reports carries a card UID. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <nfc/nfc.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"

#define NFC_POLL_MS_DEFAULT 100 /* placement to reading within ~0.1 s; see bench/nfc_tap.sh */
#define NFC_POLL_MS_MIN     20
#define NFC_POLL_MS_MAX     2000
#define NFC_BACKOFF_MIN_MS  500  /* reconnecting: 0.5 s, doubling ... */
#define NFC_BACKOFF_MAX_MS  8000 /* ... up to 8 s */
#define NFC_FAILS_TO_DOWN   3    /* failed exchanges in a row before the reader counts as gone */
#define NFC_GET_UID_MS      300  /* the ID card's answer to Get UID */

/* Drivers libnfc 1.8 has built in (Debian); a serial, I2C or SPI one needs a port. */
static const struct {
    const char *name;
    bool needs_port;
} known_drivers[] = {
    {"pn532_uart", true}, {"pn532_i2c", true},  {"pn532_spi", true},
    {"arygon", true},     {"pn53x_usb", false}, {"acr122_usb", false},
};

/* The resident ID card's Get UID, sent raw (the card is not ISO14443-4): 8 bytes + 90 00. */
static const uint8_t id_get_uid[] = {0x00, 0x36, 0x00, 0x00, 0x08};

static const nfc_modulation mod_a = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
static const nfc_modulation mod_b = {.nmt = NMT_ISO14443B, .nbr = NBR_106};

typedef struct nfc_state {
    char connstring[NFC_BUFSIZE_CONNSTRING];
    int poll_ms;
    bool id_card_uid;
    drv_reading_fn on_reading;
    void *user;
    pthread_t thread;
    int wake[2]; /* self-pipe: close() writes, the thread's pauses end */
    atomic_bool stop;
    pthread_mutex_t lock; /* guards dev, which close() may abort from its own thread */
    nfc_device *dev;
    /* The thread's own. A card's identity outlives a reconnection, so a card left on a reader
     * that hiccups is not reported twice. */
    kiosk_device_state reported; /* ABSENT until the first report */
    bool card_on, card_reported, target_selected;
    kiosk_card card;
    char why[160]; /* why the reader is down, for the next report */
} nfc_state;

/* --- options ------------------------------------------------------------------------------- */

static kiosk_rc parse_options(const drv_options *opts, int *poll_ms, bool *id_card_uid, char *err,
                              size_t err_size)
{
    *poll_ms = NFC_POLL_MS_DEFAULT;
    *id_card_uid = false;
    for (size_t i = 0; opts && i < opts->count; i++) {
        const char *key = opts->items[i].key, *value = opts->items[i].value;
        if (strcmp(key, "poll_ms") == 0) {
            char *end;
            errno = 0;
            long v = strtol(value, &end, 10);
            if (!value[0] || *end || errno || v < NFC_POLL_MS_MIN || v > NFC_POLL_MS_MAX)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: poll_ms must be an integer from %d to %d, not '%s'",
                                  NFC_POLL_MS_MIN, NFC_POLL_MS_MAX, value);
            *poll_ms = (int)v;
        } else if (strcmp(key, "id_card_uid") == 0) {
            bool yes =
                strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0;
            bool no =
                strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0;
            if (!yes && !no)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: id_card_uid must be true or false, not '%s'", value);
            *id_card_uid = yes;
        } else {
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "nfc takes no option '%s' (options: poll_ms, id_card_uid)", key);
        }
    }
    return KIOSK_OK;
}

/* A libnfc connection string naming a built-in driver: "driver[:port[:speed]]"; checked here
 * without touching any device. */
static kiosk_rc check_connstring(const char *arg, char *err, size_t err_size)
{
    if (!arg[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "nfc needs a libnfc connection string: nfc:pn532_uart:/dev/ttyUSB0, "
                          "nfc:pn532_i2c:/dev/i2c-1 or nfc:acr122_usb");
    if (strlen(arg) >= NFC_BUFSIZE_CONNSTRING)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "nfc: the connection string is too long");
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    char names[160] = "";
    for (size_t i = 0; i < sizeof known_drivers / sizeof known_drivers[0]; i++) {
        const char *name = known_drivers[i].name;
        if (strlen(name) == len && strncmp(name, arg, len) == 0) {
            if (!known_drivers[i].needs_port)
                return KIOSK_OK;
            if (!colon || !colon[1] || colon[1] == ':')
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: %s needs a port: nfc:%s:/dev/...", name, name);
            const char *speed = strchr(colon + 1, ':');
            if (speed && (!speed[1] || strspn(speed + 1, "0123456789") != strlen(speed + 1)))
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "nfc: after the port comes a speed in baud (:115200), not '%s'",
                                  speed + 1);
            return KIOSK_OK;
        }
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", name);
    }
    return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "nfc: no libnfc driver '%.*s' (known: %s)",
                      (int)len, arg, names);
}

/* --- reports and pauses (the reader's thread) ------------------------------------------------ */

static void report_state(nfc_state *s, kiosk_device_state state, const char *text)
{
    if (state == s->reported)
        return;
    s->reported = state;
    drv_reading r = {.kind = DRV_READING_STATE, .state = state, .text = text};
    s->on_reading(s->user, &r);
}

static void report_card(nfc_state *s)
{
    drv_reading r = {.kind = DRV_READING_CARD, .card = &s->card};
    s->on_reading(s->user, &r);
    s->card_reported = true;
}

static void forget_card(nfc_state *s)
{
    if (s->card_reported) {
        drv_reading r = {.kind = DRV_READING_CARD_REMOVED};
        s->on_reading(s->user, &r);
    }
    s->card_on = s->card_reported = s->target_selected = false;
    memset(&s->card, 0, sizeof s->card);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until the monotonic time `until`, or less when close() asks the thread to stop. */
static void pause_until(nfc_state *s, int64_t until)
{
    for (;;) {
        int64_t left = until - mono_ms();
        if (left <= 0 || atomic_load(&s->stop))
            return;
        struct pollfd p = {s->wake[0], POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0)
            return;
    }
}

/* --- talking to the reader (the reader's thread) ---------------------------------------------- */

/* libnfc errors that speak of the card (it left, did not answer, is not that kind) rather than
 * of the reader. */
static bool card_error(int r)
{
    return r == NFC_ETGRELEASED || r == NFC_ERFTRANS || r == NFC_EMFCAUTHFAIL ||
           r == NFC_EDEVNOTSUPP;
}

/* A libnfc result as the kiosk's: only the reader's failures are errors. */
static kiosk_rc reader_rc(int r)
{
    if (r >= 0 || card_error(r))
        return KIOSK_OK;
    return r == NFC_ETIMEOUT ? KIOSK_ERR_TIMEOUT : KIOSK_ERR_DEVICE;
}

/* One InListPassiveTarget with finite retries, so an empty field answers at once. */
static kiosk_rc select_target(nfc_device *dev, nfc_modulation mod, const uint8_t *uid,
                              size_t uid_len, nfc_target *nt, bool *found)
{
    int r = nfc_initiator_select_passive_target(dev, mod, uid, uid_len, nt);
    *found = r > 0;
    return reader_rc(r);
}

/* The resident ID card's 8-byte card UID (Get UID sent raw, the card being no ISO14443-4 card);
 * *ok is false for a type-B card that does not answer it. */
static kiosk_rc read_id_uid(nfc_device *dev, uint8_t uid[8], bool *ok)
{
    *ok = false;
    int r = nfc_device_set_property_bool(dev, NP_EASY_FRAMING, false);
    if (r < 0)
        return reader_rc(r);
    uint8_t rx[32];
    int n = nfc_initiator_transceive_bytes(dev, id_get_uid, sizeof id_get_uid, rx, sizeof rx,
                                           NFC_GET_UID_MS);
    r = nfc_device_set_property_bool(dev, NP_EASY_FRAMING, true);
    if (n == 10 && rx[8] == 0x90 && rx[9] == 0x00) {
        memcpy(uid, rx, 8);
        *ok = true;
    }
    return n < 0 ? reader_rc(n) : reader_rc(r);
}

/* What to report for a selected target. A type-B card's PUPI of 00000000 (every resident ID
 * card's) identifies nobody: such a card is reported only through its Get UID. */
static kiosk_rc identify(nfc_state *s, nfc_device *dev, const nfc_target *nt, kiosk_card *card,
                         bool *ok)
{
    memset(card, 0, sizeof *card);
    *ok = false;
    if (nt->nm.nmt == NMT_ISO14443A) {
        const nfc_iso14443a_info *a = &nt->nti.nai;
        card->kind = KIOSK_CARD_ISO14443A;
        card->uid_len = a->szUidLen < KIOSK_UID_MAX ? a->szUidLen : KIOSK_UID_MAX;
        memcpy(card->uid, a->abtUid, card->uid_len);
        *ok = card->uid_len > 0;
        return KIOSK_OK;
    }
    if (s->id_card_uid) {
        kiosk_rc rc = read_id_uid(dev, card->uid, ok);
        if (rc != KIOSK_OK || *ok) {
            card->kind = KIOSK_CARD_ID_UID;
            card->uid_len = 8;
            return rc;
        }
    }
    static const uint8_t no_pupi[4];
    card->kind = KIOSK_CARD_ISO14443B;
    card->uid_len = 4;
    memcpy(card->uid, nt->nti.nbi.abtPupi, 4);
    *ok = memcmp(card->uid, no_pupi, 4) != 0;
    return KIOSK_OK;
}

/* Whether the card we know of is still on the reader: libnfc's presence check where it has one
 * for this card and this connection, else (and when it says "gone", which an ID card that
 * ignores the ping would make it say at once) a fresh select of the same identity. */
static kiosk_rc card_still_there(nfc_state *s, nfc_device *dev, bool *there)
{
    *there = false;
    if (s->target_selected) {
        int r = nfc_initiator_target_is_present(dev, NULL);
        if (r == NFC_SUCCESS) {
            *there = true;
            return KIOSK_OK;
        }
        if (r == NFC_EOPABORTED)
            return KIOSK_ERR_DEVICE;
    }
    s->target_selected = false;
    nfc_target nt;
    bool found;
    bool is_a = s->card.kind == KIOSK_CARD_ISO14443A;
    kiosk_rc rc = is_a ? select_target(dev, mod_a, s->card.uid, s->card.uid_len, &nt, &found)
                       : select_target(dev, mod_b, NULL, 0, &nt, &found);
    if (rc != KIOSK_OK || !found)
        return rc;
    kiosk_card seen;
    bool ok;
    rc = is_a ? KIOSK_OK : identify(s, dev, &nt, &seen, &ok);
    *there = is_a || (ok && seen.kind == s->card.kind && seen.uid_len == s->card.uid_len &&
                      memcmp(seen.uid, s->card.uid, seen.uid_len) == 0);
    s->target_selected = *there;
    return rc;
}

/* An empty reader: is a card there now (A first, then B)? A new one is reported. */
static kiosk_rc look_for_card(nfc_state *s, nfc_device *dev)
{
    nfc_target nt;
    bool found;
    kiosk_rc rc = select_target(dev, mod_a, NULL, 0, &nt, &found);
    if (rc == KIOSK_OK && !found)
        rc = select_target(dev, mod_b, NULL, 0, &nt, &found);
    if (rc != KIOSK_OK || !found)
        return rc;
    bool ok;
    rc = identify(s, dev, &nt, &s->card, &ok);
    if (rc == KIOSK_OK && ok) {
        s->card_on = s->target_selected = true;
        report_card(s);
    }
    return rc;
}

/* One step while connected: watch the card that is there, or look for one. A card known from
 * before a reconnection is first looked for by its identity. */
static kiosk_rc poll_once(nfc_state *s, nfc_device *dev)
{
    if (!s->card_on)
        return look_for_card(s, dev);
    bool there;
    kiosk_rc rc = card_still_there(s, dev, &there);
    if (rc == KIOSK_OK && !there)
        forget_card(s);
    return rc;
}

/* --- the connection (the reader's thread) ----------------------------------------------------- */

static void disconnect(nfc_state *s, nfc_device *dev)
{
    pthread_mutex_lock(&s->lock);
    s->dev = NULL;
    pthread_mutex_unlock(&s->lock);
    nfc_close(dev);
    s->target_selected = false;
}

/* Opens the reader by its connection string and makes it an initiator that polls with finite
 * retries (libnfc's default, infinite, would leave a real PN532 searching after the host has
 * timed out). KIOSK_ERR_DEVICE with s->why set when it cannot. */
static kiosk_rc connect_reader(nfc_state *s, nfc_context *ctx, nfc_device **out)
{
    nfc_device *dev = nfc_open(ctx, s->connstring);
    if (!dev) {
        snprintf(s->why, sizeof s->why, "nfc: cannot open %s (unplugged, or in use)",
                 s->connstring);
        return KIOSK_ERR_DEVICE;
    }
    pthread_mutex_lock(&s->lock);
    s->dev = dev;
    pthread_mutex_unlock(&s->lock);
    if (nfc_initiator_init(dev) < 0 ||
        nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false) < 0) {
        snprintf(s->why, sizeof s->why, "nfc: %s does not answer as a reader (%s)", s->connstring,
                 nfc_strerror(dev));
        disconnect(s, dev);
        return KIOSK_ERR_DEVICE;
    }
    *out = dev;
    return KIOSK_OK;
}

/* Polls every poll_ms until the reader fails NFC_FAILS_TO_DOWN times in a row (s->why says
 * how) or close() asks to stop. */
static void serve(nfc_state *s, nfc_device *dev)
{
    int fails = 0;
    int64_t next = mono_ms();
    while (!atomic_load(&s->stop)) {
        kiosk_rc rc = poll_once(s, dev);
        fails = rc == KIOSK_OK ? 0 : fails + 1;
        if (fails == NFC_FAILS_TO_DOWN) {
            snprintf(s->why, sizeof s->why, "nfc: the reader stopped answering (%s)",
                     nfc_strerror(dev));
            return;
        }
        /* Polls start poll_ms apart; a late one does not cause a burst to catch up. */
        int64_t now = mono_ms();
        next = next + s->poll_ms > now ? next + s->poll_ms : now;
        pause_until(s, next);
    }
}

static void *reader_thread(void *arg)
{
    nfc_state *s = arg;
    nfc_context *ctx = NULL;
    int backoff = NFC_BACKOFF_MIN_MS;
    while (!atomic_load(&s->stop)) {
        if (!ctx)
            nfc_init(&ctx);
        if (!ctx)
            snprintf(s->why, sizeof s->why, "nfc: libnfc could not start");
        nfc_device *dev = NULL;
        if (ctx && connect_reader(s, ctx, &dev) == KIOSK_OK) {
            backoff = NFC_BACKOFF_MIN_MS;
            char text[NFC_BUFSIZE_CONNSTRING + 48];
            snprintf(text, sizeof text, "nfc: reader ready on %s", s->connstring);
            report_state(s, KIOSK_DEVICE_READY, text);
            serve(s, dev);
            disconnect(s, dev);
        }
        if (atomic_load(&s->stop))
            break;
        report_state(s, KIOSK_DEVICE_DOWN, s->why);
        pause_until(s, mono_ms() + backoff);
        backoff = backoff * 2 < NFC_BACKOFF_MAX_MS ? backoff * 2 : NFC_BACKOFF_MAX_MS;
    }
    if (ctx)
        nfc_exit(ctx);
    return NULL;
}

/* --- the driver ------------------------------------------------------------------------------ */

static kiosk_rc nfc_check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    int poll_ms;
    bool id_card_uid;
    kiosk_rc rc = check_connstring(arg, err, err_size);
    return rc != KIOSK_OK ? rc : parse_options(opts, &poll_ms, &id_card_uid, err, err_size);
}

static void nfc_reader_close(void *state)
{
    nfc_state *s = state;
    if (!s)
        return;
    atomic_store(&s->stop, true);
    /* Ends a libnfc receive in progress at once; any other step is bounded by its timeout. */
    pthread_mutex_lock(&s->lock);
    if (s->dev)
        nfc_abort_command(s->dev);
    pthread_mutex_unlock(&s->lock);
    ssize_t ignored = write(s->wake[1], "x", 1);
    (void)ignored;
    pthread_join(s->thread, NULL);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static kiosk_rc nfc_reader_open(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                                void *user, void **state, char *err, size_t err_size)
{
    kiosk_rc rc = nfc_check(arg, opts, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    nfc_state *s = calloc(1, sizeof *s);
    if (!s)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    rc = parse_options(opts, &s->poll_ms, &s->id_card_uid, err, err_size);
    snprintf(s->connstring, sizeof s->connstring, "%s", arg);
    s->on_reading = on_reading;
    s->user = user;
    s->reported = KIOSK_DEVICE_ABSENT;
    atomic_init(&s->stop, false);
    if (rc == KIOSK_OK && pipe(s->wake) != 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "nfc: pipe: %s", strerror(errno));
    if (rc != KIOSK_OK)
        goto out;
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_create(&s->thread, NULL, reader_thread, s) != 0) {
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "nfc: cannot start its thread");
        pthread_mutex_destroy(&s->lock);
        close(s->wake[0]);
        close(s->wake[1]);
        goto out;
    }
    *state = s;
    return KIOSK_OK;
out:
    free(s);
    return rc;
}

const drv_reader_ops drv_nfc_reader_ops = {
    .name = "nfc",
    .help = "nfc:CONNSTRING, a libnfc reader (nfc:pn532_uart:/dev/ttyUSB0, nfc:acr122_usb); "
            "options poll_ms, id_card_uid",
    .check = nfc_check,
    .open = nfc_reader_open,
    .close = nfc_reader_close,
};
