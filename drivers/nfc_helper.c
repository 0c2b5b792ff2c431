/* nfc_helper.c - kiosk-nfc, the NFC card reader's helper process: the only code of the kiosk
 * that links libnfc. libnfc 1.8 calls abort() on its whole process when a PN532 reply's status
 * byte has bit 7 set (a faulty reader, noise on the serial line), so the kiosk runs it here, in
 * a process of its own, and the driver (drivers/nfc_reader.c) restarts it when it dies.
 *
 *   kiosk-nfc CONNSTRING POLL_MS ID_CARD_UID      e.g. kiosk-nfc pn532_uart:/dev/ttyUSB0 100 false
 *
 * It opens the reader by its connection string only (never a scan), polls ISO14443A then B with
 * finite retries every POLL_MS ms, reports each placement of a card once and its removal (the
 * presence check, or a fresh select of the same card), reads a resident ID card's card UID with
 * 00 36 00 00 08 when ID_CARD_UID is true (a type-B PUPI of 00000000 is never reported), and
 * reopens the reader with a growing pause (0.5 s doubling to 8 s) when it fails.
 *
 * The line protocol (ASCII, one line per message, each ending in \n, at most 200 bytes):
 *   parent -> helper, on stdin: one line at start, the card the parent last heard of and not
 *   yet of its removal, so that a card lying on the reader through a restart is not reported
 *   twice:
 *     none                  no card
 *     card KIND HEX         as below
 *   then nothing more; the end of stdin means the parent is gone, and the helper ends.
 *   helper -> parent, on stdout:
 *     ready                 the reader is open and polling
 *     down REASON           the reader cannot be used (REASON: printable ASCII, no card data);
 *                           the helper keeps trying
 *     card KIND HEX         a card was placed: KIND a (ISO14443A, 4, 7 or 10 bytes), b
 *                           (ISO14443B, its 4-byte PUPI) or id (a resident ID card's 8-byte card
 *                           UID); HEX in upper case
 *     removed               the card last reported has left the reader
 * SIGTERM, SIGINT, SIGHUP and the end of stdin end it promptly (nfc_abort_command, nfc_close),
 * with exit status 0; a bad command line is exit status 2. Its standard error carries libnfc's
 * error lines only: the log level is held at 1 whatever LIBNFC_LOG_LEVEL says, since at 3
 * libnfc prints every frame, card UIDs and all. */
#define _DEFAULT_SOURCE /* setenv */
#include <errno.h>
#include <fcntl.h>
#include <nfc/nfc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS_MIN    20
#define POLL_MS_MAX    2000
#define BACKOFF_MIN_MS 500  /* reconnecting: 0.5 s, doubling ... */
#define BACKOFF_MAX_MS 8000 /* ... up to 8 s */
#define FAILS_TO_DOWN  3    /* failed exchanges in a row before the reader counts as gone */
#define GET_UID_MS     300  /* the ID card's answer to Get UID */
#define FIRST_LINE_MS  2000 /* how long the parent has to say which card it knows of */
#define LINE_MAX_BYTES 200
#define CARD_UID_MAX   10

/* The resident ID card's Get UID, sent raw (the card is not ISO14443-4): 8 bytes + 90 00. */
static const uint8_t id_get_uid[] = {0x00, 0x36, 0x00, 0x00, 0x08};

static const nfc_modulation mod_a = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
static const nfc_modulation mod_b = {.nmt = NMT_ISO14443B, .nbr = NBR_106};

typedef enum card_kind { CARD_A, CARD_B, CARD_ID } card_kind;
static const char *const kind_words[] = {"a", "b", "id"};

typedef struct card {
    card_kind kind;
    uint8_t uid[CARD_UID_MAX];
    size_t uid_len;
} card;

typedef struct helper {
    char connstring[NFC_BUFSIZE_CONNSTRING];
    int poll_ms;
    bool id_card_uid;
    int wake[2]; /* the watcher writes when the helper must stop: pauses end */
    atomic_bool stop;
    pthread_mutex_t lock; /* guards dev, which the watcher may abort from its thread */
    nfc_device *dev;
    /* The main thread's own. A card's identity outlives a reconnection (and, through the first
     * line on stdin, a restart), so a card left on a reader that hiccups is reported once. */
    enum { SAID_NOTHING, SAID_READY, SAID_DOWN } said;
    bool card_on, card_reported, target_selected;
    card card;
    char why[160]; /* why the reader is down, for the next report */
} helper;

/* Written by the signal handler: the watcher thread reads it. */
static int signal_pipe[2] = {-1, -1};

/* --- reports (the main thread) ---------------------------------------------------------------- */

/* Writes one protocol line to stdout in a single write (under PIPE_BUF, so whole); a parent
 * that is gone ends the helper. */
static void emit(helper *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(helper *h, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    for (int done = 0; done < n;) {
        ssize_t w = write(STDOUT_FILENO, line + done, (size_t)(n - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            atomic_store(&h->stop, true);
            return;
        }
        done += (int)w;
    }
}

static void report_ready(helper *h)
{
    if (h->said != SAID_READY)
        emit(h, "ready");
    h->said = SAID_READY;
}

/* The reason as one line of printable ASCII (libnfc's messages are; this keeps it so). */
static void report_down(helper *h)
{
    if (h->said == SAID_DOWN)
        return;
    for (char *c = h->why; *c; c++)
        if (*c < 0x20 || *c > 0x7E)
            *c = '?';
    emit(h, "down %s", h->why[0] ? h->why : "the reader is not there");
    h->said = SAID_DOWN;
}

static void report_card(helper *h)
{
    char hex[2 * CARD_UID_MAX + 1];
    for (size_t i = 0; i < h->card.uid_len; i++)
        snprintf(hex + 2 * i, 3, "%02X", h->card.uid[i]);
    hex[2 * h->card.uid_len] = '\0';
    emit(h, "card %s %s", kind_words[h->card.kind], hex);
    h->card_reported = true;
}

static void forget_card(helper *h)
{
    if (h->card_reported)
        emit(h, "removed");
    h->card_on = h->card_reported = h->target_selected = false;
    memset(&h->card, 0, sizeof h->card);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until the monotonic time `until`, or less when the helper must stop. */
static void pause_until(helper *h, int64_t until)
{
    for (;;) {
        int64_t left = until - mono_ms();
        if (left <= 0 || atomic_load(&h->stop))
            return;
        struct pollfd p = {h->wake[0], POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0)
            return;
    }
}

/* --- talking to the reader (the main thread) -------------------------------------------------- */

typedef enum step { STEP_OK, STEP_TIMEOUT, STEP_FAILED } step;

/* libnfc errors that speak of the card (it left, did not answer, is not that kind) rather than
 * of the reader. */
static bool card_error(int r)
{
    return r == NFC_ETGRELEASED || r == NFC_ERFTRANS || r == NFC_EMFCAUTHFAIL ||
           r == NFC_EDEVNOTSUPP;
}

/* A libnfc result as a step: only the reader's failures are failures. */
static step reader_step(int r)
{
    if (r >= 0 || card_error(r))
        return STEP_OK;
    return r == NFC_ETIMEOUT ? STEP_TIMEOUT : STEP_FAILED;
}

/* One InListPassiveTarget with finite retries, so an empty field answers at once. */
static step select_target(nfc_device *dev, nfc_modulation mod, const uint8_t *uid, size_t uid_len,
                          nfc_target *nt, bool *found)
{
    int r = nfc_initiator_select_passive_target(dev, mod, uid, uid_len, nt);
    *found = r > 0;
    return reader_step(r);
}

/* The resident ID card's 8-byte card UID (Get UID sent raw, the card being no ISO14443-4 card);
 * *ok is false for a type-B card that does not answer it. This InCommunicateThru is one of the
 * exchanges whose reply libnfc aborts on when bit 7 of its status is set. */
static step read_id_uid(nfc_device *dev, uint8_t uid[8], bool *ok)
{
    *ok = false;
    int r = nfc_device_set_property_bool(dev, NP_EASY_FRAMING, false);
    if (r < 0)
        return reader_step(r);
    uint8_t rx[32];
    int n = nfc_initiator_transceive_bytes(dev, id_get_uid, sizeof id_get_uid, rx, sizeof rx,
                                           GET_UID_MS);
    r = nfc_device_set_property_bool(dev, NP_EASY_FRAMING, true);
    if (n == 10 && rx[8] == 0x90 && rx[9] == 0x00) {
        memcpy(uid, rx, 8);
        *ok = true;
    }
    return n < 0 ? reader_step(n) : reader_step(r);
}

/* What to report for a selected target. A type-B card's PUPI of 00000000 (every resident ID
 * card's) identifies nobody: such a card is reported only through its Get UID. */
static step identify(helper *h, nfc_device *dev, const nfc_target *nt, card *c, bool *ok)
{
    memset(c, 0, sizeof *c);
    *ok = false;
    if (nt->nm.nmt == NMT_ISO14443A) {
        const nfc_iso14443a_info *a = &nt->nti.nai;
        c->kind = CARD_A;
        c->uid_len = a->szUidLen < CARD_UID_MAX ? a->szUidLen : CARD_UID_MAX;
        memcpy(c->uid, a->abtUid, c->uid_len);
        *ok = c->uid_len > 0;
        return STEP_OK;
    }
    if (h->id_card_uid) {
        step st = read_id_uid(dev, c->uid, ok);
        if (st != STEP_OK || *ok) {
            c->kind = CARD_ID;
            c->uid_len = 8;
            return st;
        }
    }
    static const uint8_t no_pupi[4];
    c->kind = CARD_B;
    c->uid_len = 4;
    memcpy(c->uid, nt->nti.nbi.abtPupi, 4);
    *ok = memcmp(c->uid, no_pupi, 4) != 0;
    return STEP_OK;
}

/* Whether the card we know of is still on the reader: libnfc's presence check where it has one
 * for this card and this connection, else (and when it says "gone", which an ID card that
 * ignores the ping would make it say at once) a fresh select of the same identity. */
static step card_still_there(helper *h, nfc_device *dev, bool *there)
{
    *there = false;
    if (h->target_selected) {
        int r = nfc_initiator_target_is_present(dev, NULL);
        if (r == NFC_SUCCESS) {
            *there = true;
            return STEP_OK;
        }
        if (r == NFC_EOPABORTED)
            return STEP_FAILED;
    }
    h->target_selected = false;
    nfc_target nt;
    bool found;
    bool is_a = h->card.kind == CARD_A;
    step st = is_a ? select_target(dev, mod_a, h->card.uid, h->card.uid_len, &nt, &found)
                   : select_target(dev, mod_b, NULL, 0, &nt, &found);
    if (st != STEP_OK || !found)
        return st;
    card seen;
    bool ok;
    st = is_a ? STEP_OK : identify(h, dev, &nt, &seen, &ok);
    *there = is_a || (ok && seen.kind == h->card.kind && seen.uid_len == h->card.uid_len &&
                      memcmp(seen.uid, h->card.uid, seen.uid_len) == 0);
    h->target_selected = *there;
    return st;
}

/* An empty reader: is a card there now (A first, then B)? A new one is reported. */
static step look_for_card(helper *h, nfc_device *dev)
{
    nfc_target nt;
    bool found;
    step st = select_target(dev, mod_a, NULL, 0, &nt, &found);
    if (st == STEP_OK && !found)
        st = select_target(dev, mod_b, NULL, 0, &nt, &found);
    if (st != STEP_OK || !found)
        return st;
    bool ok;
    st = identify(h, dev, &nt, &h->card, &ok);
    if (st == STEP_OK && ok) {
        h->card_on = h->target_selected = true;
        report_card(h);
    }
    return st;
}

/* One step while connected: watch the card that is there, or look for one. */
static step poll_once(helper *h, nfc_device *dev)
{
    if (!h->card_on)
        return look_for_card(h, dev);
    bool there;
    step st = card_still_there(h, dev, &there);
    if (st == STEP_OK && !there)
        forget_card(h);
    return st;
}

/* --- the connection (the main thread) --------------------------------------------------------- */

static void disconnect(helper *h, nfc_device *dev)
{
    pthread_mutex_lock(&h->lock);
    h->dev = NULL;
    pthread_mutex_unlock(&h->lock);
    nfc_close(dev);
    h->target_selected = false;
}

/* Opens the reader by its connection string and makes it an initiator that polls with finite
 * retries (libnfc's default, infinite, would leave a real PN532 searching after the host has
 * timed out). False with h->why set when it cannot. */
static bool connect_reader(helper *h, nfc_context *ctx, nfc_device **out)
{
    nfc_device *dev = nfc_open(ctx, h->connstring);
    if (!dev) {
        snprintf(h->why, sizeof h->why, "cannot open %s (unplugged, or in use)", h->connstring);
        return false;
    }
    pthread_mutex_lock(&h->lock);
    h->dev = dev;
    pthread_mutex_unlock(&h->lock);
    if (nfc_initiator_init(dev) < 0 ||
        nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false) < 0) {
        snprintf(h->why, sizeof h->why, "%s does not answer as a reader (%s)", h->connstring,
                 nfc_strerror(dev));
        disconnect(h, dev);
        return false;
    }
    *out = dev;
    return true;
}

/* Polls every poll_ms until the reader fails FAILS_TO_DOWN times in a row (h->why says how) or
 * the helper must stop. */
static void serve(helper *h, nfc_device *dev)
{
    int fails = 0;
    int64_t next = mono_ms();
    while (!atomic_load(&h->stop)) {
        step st = poll_once(h, dev);
        fails = st == STEP_OK ? 0 : fails + 1;
        if (fails == FAILS_TO_DOWN) {
            snprintf(h->why, sizeof h->why, "the reader stopped answering (%s)", nfc_strerror(dev));
            return;
        }
        /* Polls start poll_ms apart; a late one does not cause a burst to catch up. */
        int64_t now = mono_ms();
        next = next + h->poll_ms > now ? next + h->poll_ms : now;
        pause_until(h, next);
    }
}

static void run(helper *h)
{
    nfc_context *ctx = NULL;
    int backoff = BACKOFF_MIN_MS;
    while (!atomic_load(&h->stop)) {
        if (!ctx)
            nfc_init(&ctx);
        if (!ctx)
            snprintf(h->why, sizeof h->why, "libnfc could not start");
        nfc_device *dev = NULL;
        if (ctx && connect_reader(h, ctx, &dev)) {
            backoff = BACKOFF_MIN_MS;
            report_ready(h);
            serve(h, dev);
            disconnect(h, dev);
        }
        if (atomic_load(&h->stop))
            break;
        report_down(h);
        pause_until(h, mono_ms() + backoff);
        backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
    }
    if (ctx)
        nfc_exit(ctx);
}

/* --- stopping: signals and the end of stdin (the watcher thread) ------------------------------ */

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    ssize_t ignored = write(signal_pipe[1], "s", 1);
    (void)ignored;
    errno = saved;
}

/* Waits for a stop signal or the end of stdin, then stops the main thread as the driver's
 * close() once did: the flag, nfc_abort_command on a receive in progress, the self-pipe. */
static void *watcher(void *arg)
{
    helper *h = arg;
    for (;;) {
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (p[0].revents) {
            char buf[256];
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                break; /* the parent is gone; anything else it writes is ignored */
        }
    }
    atomic_store(&h->stop, true);
    pthread_mutex_lock(&h->lock);
    if (h->dev)
        nfc_abort_command(h->dev);
    pthread_mutex_unlock(&h->lock);
    ssize_t ignored = write(h->wake[1], "x", 1);
    (void)ignored;
    return NULL;
}

static int install_signals(void)
{
    if (pipe(signal_pipe) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
        fcntl(signal_pipe[i], F_SETFL, O_NONBLOCK);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    static const int stops[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        sigaction(stops[i], &sa, NULL);
    /* A parent that is gone makes a write fail with EPIPE, which ends the helper in order. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        sigaddset(&set, stops[i]);
    return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* --- the command line and the first line ------------------------------------------------------ */

static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n / 2 > max || strspn(s, "0123456789abcdefABCDEF") != n)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return true;
}

/* "card KIND HEX" with a UID length that KIND can have. */
static bool parse_card_line(const char *line, card *c)
{
    char kind[8], hex[2 * CARD_UID_MAX + 2], extra;
    if (sscanf(line, "card %7s %21s %c", kind, hex, &extra) != 2)
        return false;
    memset(c, 0, sizeof *c);
    if (!parse_hex(hex, c->uid, sizeof c->uid, &c->uid_len))
        return false;
    for (int k = CARD_A; k <= CARD_ID; k++) {
        if (strcmp(kind, kind_words[k]) != 0)
            continue;
        c->kind = (card_kind)k;
        size_t n = c->uid_len;
        return k == CARD_A ? n == 4 || n == 7 || n == 10 : k == CARD_B ? n == 4 : n == 8;
    }
    return false;
}

/* The parent's first line: the card it knows of. False when stdin ended (the parent is gone);
 * a line that never comes, or cannot be read, means no card. */
static bool read_first_line(helper *h)
{
    char line[LINE_MAX_BYTES + 1];
    size_t len = 0;
    int64_t deadline = mono_ms() + FIRST_LINE_MS;
    while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
        int64_t left = deadline - mono_ms();
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return true;
        /* One byte at a time: what follows the line is the watcher's to read. */
        ssize_t n = read(STDIN_FILENO, line + len, 1);
        if (n == 0)
            return false;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return false;
        if (n > 0)
            len++;
    }
    line[len] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (parse_card_line(line, &h->card))
        h->card_on = h->card_reported = true;
    return true;
}

static bool parse_args(int argc, char **argv, helper *h)
{
    if (argc != 4 || !argv[1][0] || strlen(argv[1]) >= sizeof h->connstring)
        return false;
    char *end;
    errno = 0;
    long poll_ms = strtol(argv[2], &end, 10);
    if (!argv[2][0] || *end || errno || poll_ms < POLL_MS_MIN || poll_ms > POLL_MS_MAX)
        return false;
    if (strcmp(argv[3], "true") != 0 && strcmp(argv[3], "false") != 0)
        return false;
    snprintf(h->connstring, sizeof h->connstring, "%s", argv[1]);
    h->poll_ms = (int)poll_ms;
    h->id_card_uid = strcmp(argv[3], "true") == 0;
    return true;
}

int main(int argc, char **argv)
{
    static helper h;
    if (!parse_args(argc, argv, &h)) {
        fprintf(stderr,
                "usage: kiosk-nfc CONNSTRING POLL_MS(%d-%d) true|false\n"
                "(the kiosk's NFC reader helper; the nfc driver runs it)\n",
                POLL_MS_MIN, POLL_MS_MAX);
        return 2;
    }
    /* Errors only: never the frames (and card UIDs) of level 3. */
    const char *level = getenv("LIBNFC_LOG_LEVEL");
    setenv("LIBNFC_LOG_LEVEL", level && strcmp(level, "0") == 0 ? "0" : "1", 1);
    /* libnfc's abort() on a noisy line is expected here: no core file on the kiosk's disk. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (install_signals() != 0 || pipe(h.wake) != 0) {
        fprintf(stderr, "kiosk-nfc: cannot set up: %s\n", strerror(errno));
        return 1;
    }
    atomic_init(&h.stop, false);
    pthread_mutex_init(&h.lock, NULL);
    if (!read_first_line(&h))
        return 0;
    pthread_t thread;
    if (pthread_create(&thread, NULL, watcher, &h) != 0) {
        fprintf(stderr, "kiosk-nfc: cannot start its thread\n");
        return 1;
    }
    run(&h);
    /* Ends the watcher too when the main thread stopped of itself (its stdout was closed). */
    on_signal(0);
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&h.lock);
    return 0;
}
