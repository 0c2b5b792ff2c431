/* test_nfc_driver.c - the kiosk's nfc driver (drivers/nfc_reader.c) and its helper process
 * kiosk-nfc (drivers/nfc_helper.c) against the PN532 emulator, through libnfc's real pn532_uart
 * code: the settings check, the helper's line protocol byte for byte, every card kind once per
 * placement, removal within 300 ms, the ID card's UID, READY/DOWN around every injected fault
 * with a card read again afterwards, libnfc's abort() on status bit 7 killing only the helper
 * (this process lives on, the driver says why and starts a new one after a growing pause), fake
 * helpers that exit, babble or ignore SIGTERM; no UID in any text; close() returns promptly.
 *   test_nfc_driver PATH_TO_pn532_emu PATH_TO_kiosk-nfc              the test
 *   test_nfc_driver PATH_TO_pn532_emu PATH_TO_kiosk-nfc --measure N  N placements and removals:
 *                          how long the driver takes to report each (bench/nfc_tap.sh) */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "device.h"
#include "pn532_harness.h"

#define READINGS_MAX 512

static const char *helper_path; /* the kiosk-nfc the build made */

typedef struct seen {
    drv_reading_kind kind;
    kiosk_card card;
    kiosk_device_state state;
    char text[300];
    int64_t at_ms;
} seen;

/* What the driver reported, in order, from its thread. */
typedef struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    seen items[READINGS_MAX];
    size_t count;
} recorder;

static void on_reading(void *user, const drv_reading *r)
{
    recorder *rec = user;
    pthread_mutex_lock(&rec->lock);
    if (rec->count < READINGS_MAX) {
        seen *s = &rec->items[rec->count++];
        memset(s, 0, sizeof *s);
        s->kind = r->kind;
        s->at_ms = pn532_harness_now_ms();
        s->state = r->state;
        if (r->card)
            s->card = *r->card;
        snprintf(s->text, sizeof s->text, "%s", r->text ? r->text : "");
    }
    pthread_cond_broadcast(&rec->cond);
    pthread_mutex_unlock(&rec->lock);
}

static size_t count_of(recorder *rec)
{
    pthread_mutex_lock(&rec->lock);
    size_t n = rec->count;
    pthread_mutex_unlock(&rec->lock);
    return n;
}

/* The first reading of `kind` (and, for STATE, `state`) at index `from` or later, waiting up to
 * timeout_ms; a copy in *out. False on timeout. */
static bool wait_for(recorder *rec, size_t from, drv_reading_kind kind, kiosk_device_state state,
                     int timeout_ms, seen *out)
{
    int64_t deadline = pn532_harness_now_ms() + timeout_ms;
    bool found = false;
    pthread_mutex_lock(&rec->lock);
    for (;;) {
        for (size_t i = from; i < rec->count && !found; i++) {
            const seen *s = &rec->items[i];
            if (s->kind == kind && (kind != DRV_READING_STATE || s->state == state)) {
                *out = *s;
                found = true;
            }
        }
        int64_t left = deadline - pn532_harness_now_ms();
        if (found || left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += left / 1000;
        ts.tv_nsec += (left % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&rec->cond, &rec->lock, &ts);
    }
    pthread_mutex_unlock(&rec->lock);
    return found;
}

typedef struct rig {
    pn532_harness emu;
    recorder rec;
    void *driver;
} rig;

static bool rig_open(rig *r, const char *id_card_uid)
{
    drv_option items[] = {
        {"id_card_uid", id_card_uid}, {"poll_ms", "100"}, {"helper", helper_path}};
    drv_options opts = {items, 3};
    char err[300] = "";
    size_t from = count_of(&r->rec);
    kiosk_rc rc = drv_nfc_reader_ops.open(r->emu.connstring, &opts, on_reading, &r->rec, &r->driver,
                                          err, sizeof err);
    CHECK_STR(err, "");
    seen s;
    bool ready =
        rc == KIOSK_OK && wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_READY, 5000, &s);
    CHECK(ready);
    return ready;
}

/* Places a card, expects exactly one report of it (kind and UID bytes), holds it hold_ms, takes
 * it away and expects its removal reported within 300 ms. */
static void place_and_remove(rig *r, const char *insert, kiosk_card_kind kind, const char *uid,
                             size_t uid_len, int hold_ms)
{
    size_t from = count_of(&r->rec);
    pn532_harness_send(&r->emu, insert);
    seen s;
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 1000, &s));
    CHECK_INT(s.card.kind, kind);
    CHECK_INT(s.card.uid_len, uid_len);
    CHECK(memcmp(s.card.uid, uid, uid_len) == 0);
    pn532_harness_sleep_ms(hold_ms);
    CHECK_INT(count_of(&r->rec), from + 1); /* once, however long it lies there */
    int64_t t0 = pn532_harness_now_ms();
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from + 1, DRV_READING_CARD_REMOVED, 0, 1000, &s));
    CHECK(s.at_ms - t0 <= 300);
    if (s.at_ms - t0 > 300)
        fprintf(stderr, "removal of '%s' took %lld ms\n", insert, (long long)(s.at_ms - t0));
}

static void test_check(void)
{
    const struct {
        const char *arg, *key, *value;
        kiosk_rc rc;
        const char *says;
    } cases[] = {
        {"pn532_uart:/dev/ttyUSB0", NULL, NULL, KIOSK_OK, ""},
        {"pn532_uart:/dev/ttyUSB0:9600", "poll_ms", "250", KIOSK_OK, ""},
        {"pn532_i2c:/dev/i2c-1", "id_card_uid", "true", KIOSK_OK, ""},
        {"acr122_usb", NULL, NULL, KIOSK_OK, ""},
        {"", NULL, NULL, KIOSK_ERR_CONFIG, "connection string"},
        {"pn532_uart", NULL, NULL, KIOSK_ERR_CONFIG, "needs a port"},
        {"pn532_uart:/dev/ttyUSB0:fast", NULL, NULL, KIOSK_ERR_CONFIG, "'fast'"},
        {"pn532_uartx:/dev/ttyUSB0", NULL, NULL, KIOSK_ERR_CONFIG, "pn532_uartx"},
        {"pcsc", NULL, NULL, KIOSK_ERR_CONFIG, "known: pn532_uart"},
        {"pn532_uart:/dev/x", "poll_ms", "5", KIOSK_ERR_CONFIG, "poll_ms"},
        {"pn532_uart:/dev/x", "poll_ms", "100ms", KIOSK_ERR_CONFIG, "100ms"},
        {"pn532_uart:/dev/x", "id_card_uid", "maybe", KIOSK_ERR_CONFIG, "id_card_uid"},
        {"pn532_uart:/dev/x", "pol_ms", "100", KIOSK_ERR_CONFIG, "'pol_ms'"},
        {"pn532_uart:/dev/x", "helper", "/nonexistent/kiosk-nfc", KIOSK_ERR_CONFIG,
         "'/nonexistent/kiosk-nfc' is no executable file"},
        {"pn532_uart:/dev/x", "helper", "/", KIOSK_ERR_CONFIG, "helper"},
        {"pn532_uart:/dev/x", "helper", "", KIOSK_ERR_CONFIG, "helper"},
        {"pn532_uart:/dev/x", "helper", helper_path, KIOSK_OK, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        drv_option item = {cases[i].key, cases[i].value};
        drv_options opts = {&item, cases[i].key ? 1 : 0};
        char err[300] = "";
        CHECK_INT(drv_nfc_reader_ops.check(cases[i].arg, &opts, err, sizeof err), cases[i].rc);
        CHECK(strstr(err, cases[i].says) != NULL);
    }
    char err[300];
    CHECK_INT(drv_reader_check("nfc:pn532_uart:/dev/ttyUSB0", NULL, err, sizeof err), KIOSK_OK);
}

static void test_cards(rig *r)
{
    place_and_remove(r, "insert mfc 04A7B8C9", KIOSK_CARD_ISO14443A, "\x04\xA7\xB8\xC9", 4, 1500);
    place_and_remove(r, "insert ul 04A1B2C3D4E5F6", KIOSK_CARD_ISO14443A,
                     "\x04\xA1\xB2\xC3\xD4\xE5\xF6", 7, 400);
    place_and_remove(r, "insert mfc 08aa5511cc3344dd9900", KIOSK_CARD_ISO14443A,
                     "\x08\xAA\x55\x11\xCC\x33\x44\xDD\x99\x00", 10, 400);
    place_and_remove(r, "insert iso4a 04B2C3D4E5F607", KIOSK_CARD_ISO14443A,
                     "\x04\xB2\xC3\xD4\xE5\xF6\x07", 7, 400);
    place_and_remove(r, "insert b 11223344", KIOSK_CARD_ISO14443B, "\x11\x22\x33\x44", 4, 400);
    place_and_remove(r, "insert idcard 0123456789abcdef", KIOSK_CARD_ID_UID,
                     "\x01\x23\x45\x67\x89\xAB\xCD\xEF", 8, 400);
    /* Cards libnfc has no presence check for, or that ignore it: watched by reselecting. */
    place_and_remove(r, "insert ul 04C9DAEB", KIOSK_CARD_ISO14443A, "\x04\xC9\xDA\xEB", 4, 800);
    pn532_harness_send(&r->emu, "ping off");
    place_and_remove(r, "insert idcard 1122334455667788", KIOSK_CARD_ID_UID,
                     "\x11\x22\x33\x44\x55\x66\x77\x88", 8, 800);
    pn532_harness_send(&r->emu, "ping on");

    /* One card swapped for another without a gap: the first leaves, the second arrives. */
    size_t from = count_of(&r->rec);
    seen s;
    pn532_harness_send(&r->emu, "insert mfc 04A7B8C9");
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 1000, &s));
    pn532_harness_send(&r->emu, "insert mfc 04B8C9DA");
    CHECK(wait_for(&r->rec, from + 1, DRV_READING_CARD_REMOVED, 0, 1000, &s));
    CHECK(wait_for(&r->rec, from + 2, DRV_READING_CARD, 0, 1000, &s));
    CHECK(memcmp(s.card.uid, "\x04\xB8\xC9\xDA", 4) == 0);
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from + 3, DRV_READING_CARD_REMOVED, 0, 1000, &s));
}

/* A fault, then (after `heal`, if any) the reader must read a card again. down: whether the
 * fault must make the driver report the reader DOWN (and READY again). */
static void fault(rig *r, const char *inject, const char *heal, bool down, const char *card)
{
    size_t from = count_of(&r->rec);
    seen s;
    pn532_harness_send(&r->emu, inject);
    if (down)
        CHECK(wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 5000, &s));
    else
        pn532_harness_sleep_ms(500);
    if (heal)
        pn532_harness_send(&r->emu, heal);
    if (down)
        CHECK(wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_READY, 10000, &s));
    else
        CHECK_INT(count_of(&r->rec), from); /* a glitch: no report at all */
    from = count_of(&r->rec);
    pn532_harness_send(&r->emu, card);
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 2000, &s));
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD_REMOVED, 0, 2000, &s));
    if (check_failures)
        fprintf(stderr, "after fault '%s': %d failures so far\n", inject, check_failures);
}

static void test_faults(rig *r)
{
    fault(r, "garbage 2", NULL, false, "insert mfc 04A1B2C3");
    fault(r, "badsum 2", NULL, false, "insert mfc 04A1B2C4");
    fault(r, "slow 150", "slow 0", false, "insert mfc 04A1B2C5");
    fault(r, "slow 600", "slow 0", true, "insert mfc 04A1B2C6");
    fault(r, "silence", "resume", true, "insert mfc 04A1B2C7");
    fault(r, "vanish", "return", true, "insert mfc 04A1B2C8");

    /* A card left on the reader through a glitch and through a replug is reported once. */
    size_t from = count_of(&r->rec);
    seen s;
    pn532_harness_send(&r->emu, "insert iso4a 04B2C3D4E5F607");
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 1000, &s));
    pn532_harness_send(&r->emu, "garbage 3");
    pn532_harness_sleep_ms(600);
    pn532_harness_send(&r->emu, "vanish");
    CHECK(wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 5000, &s));
    pn532_harness_send(&r->emu, "return");
    CHECK(wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_READY, 5000, &s));
    pn532_harness_sleep_ms(600);
    CHECK_INT(count_of(&r->rec), from + 3); /* CARD, DOWN, READY */
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD_REMOVED, 0, 1000, &s));
}

/* No state text names a card: the UIDs used here never appear, in any case. */
static void test_texts(recorder *rec)
{
    static const char *const uids[] = {"04A7B8C9", "04A1B2C3", "0123456789",
                                       "11223344", "04B2C3D4", "08AA5511"};
    for (size_t i = 0; i < rec->count; i++) {
        char upper[300];
        size_t k = 0;
        for (const char *c = rec->items[i].text; *c && k + 1 < sizeof upper; c++)
            upper[k++] = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
        upper[k] = '\0';
        for (size_t j = 0; j < sizeof uids / sizeof uids[0]; j++)
            CHECK(strstr(upper, uids[j]) == NULL);
        if (rec->items[i].kind == DRV_READING_STATE && getenv("NFC_TEST_VERBOSE"))
            fprintf(stderr, "state %d: %s\n", rec->items[i].state, rec->items[i].text);
        CHECK(rec->items[i].kind != DRV_READING_STATE ||
              strncmp(rec->items[i].text, "nfc: ", 5) == 0);
    }
}

static int64_t close_ms(void *driver)
{
    int64_t t0 = pn532_harness_now_ms();
    drv_nfc_reader_ops.close(driver);
    return pn532_harness_now_ms() - t0;
}

static void test_shutdown(const char *emulator, const char *dir)
{
    rig r = {.rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER}};
    char err[300];
    if (pn532_harness_start(&r.emu, emulator, dir, NULL, err, sizeof err) != KIOSK_OK) {
        CHECK_STR(err, "");
        return;
    }
    if (rig_open(&r, "false")) {
        /* Without id_card_uid an ID card (PUPI 0) is nobody; a plain type-B card is its PUPI. */
        size_t from = count_of(&r.rec);
        pn532_harness_send(&r.emu, "insert idcard 0123456789abcdef");
        pn532_harness_sleep_ms(600);
        CHECK_INT(count_of(&r.rec), from);
        place_and_remove(&r, "insert b 55667788", KIOSK_CARD_ISO14443B, "\x55\x66\x77\x88", 4, 200);
        CHECK(close_ms(r.driver) < 300);
    }
    if (rig_open(&r, "false")) {
        pn532_harness_send(&r.emu, "silence");
        pn532_harness_sleep_ms(150);
        int64_t took = close_ms(r.driver);
        CHECK(took < 1500);
        fprintf(stderr, "close() during a silent reader: %lld ms\n", (long long)took);
    }
    pn532_harness_stop(&r.emu);

    /* No reader at that path: DOWN with a reason, and a prompt close. */
    drv_option item = {"helper", helper_path};
    drv_options none = {&item, 1};
    void *driver = NULL;
    recorder rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    CHECK_INT(drv_nfc_reader_ops.open("pn532_uart:/nonexistent/tty", &none, on_reading, &rec,
                                      &driver, err, sizeof err),
              KIOSK_OK);
    seen s;
    CHECK(wait_for(&rec, 0, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 2000, &s));
    CHECK(strstr(s.text, "cannot open") != NULL);
    CHECK(close_ms(driver) < 300);
}

/* --- libnfc's abort() kills the helper, never this process ------------------------------------ */

/* The emulator's `nad` sets status bit 7 in the next InDataExchange / InCommunicateThru reply,
 * on which libnfc calls abort(). The driver must say (in a reading at `from` or later) that its
 * helper stopped (signal 6), start a new one after a pause of at least pause_ms, and say
 * READY. */
static void expect_helper_death(rig *r, size_t from, int pause_ms)
{
    seen down, ready;
    bool got_down = wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 3000, &down);
    CHECK(got_down);
    if (!got_down)
        return;
    CHECK_STR(down.text, "nfc: the NFC reader's helper stopped (signal 6)");
    CHECK(wait_for(&r->rec, from, DRV_READING_STATE, KIOSK_DEVICE_READY, 5000 + pause_ms, &ready));
    CHECK(ready.at_ms - down.at_ms >= pause_ms - 20);
    if (getenv("NFC_TEST_VERBOSE"))
        fprintf(stderr, "helper dead -> ready again: %lld ms\n",
                (long long)(ready.at_ms - down.at_ms));
}

static void test_helper_deaths(rig *r)
{
    /* A card on the reader: its presence check (R(NAK) through InCommunicateThru) gets bit 7.
     * The new helper is told of the card, so it is not reported again; its removal is. */
    size_t from = count_of(&r->rec);
    seen s;
    pn532_harness_send(&r->emu, "insert iso4a 04B2C3D4E5F607");
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 1000, &s));
    pn532_harness_send(&r->emu, "nad 1");
    expect_helper_death(r, from + 1, 500);
    pn532_harness_sleep_ms(600);
    CHECK_INT(count_of(&r->rec), from + 3); /* CARD, DOWN, READY: the card once */
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from + 3, DRV_READING_CARD_REMOVED, 0, 1000, &s));
    place_and_remove(r, "insert mfc 04A1B2C9", KIOSK_CARD_ISO14443A, "\x04\xA1\xB2\xC9", 4, 200);

    /* An ID card placed: the Get UID exchange (id_card_uid = true) gets bit 7. The second death
     * soon after the first waits twice as long; then the card is read, once. */
    from = count_of(&r->rec);
    pn532_harness_send(&r->emu, "nad 1");
    pn532_harness_send(&r->emu, "insert idcard 0123456789abcdef");
    expect_helper_death(r, from, 1000);
    CHECK(wait_for(&r->rec, from, DRV_READING_CARD, 0, 2000, &s));
    CHECK_INT(s.card.kind, KIOSK_CARD_ID_UID);
    CHECK(memcmp(s.card.uid, "\x01\x23\x45\x67\x89\xAB\xCD\xEF", 8) == 0);
    pn532_harness_sleep_ms(400);
    CHECK_INT(count_of(&r->rec), from + 3); /* DOWN, READY, CARD */
    pn532_harness_send(&r->emu, "remove");
    CHECK(wait_for(&r->rec, from + 3, DRV_READING_CARD_REMOVED, 0, 1000, &s));
    if (check_failures)
        fprintf(stderr, "after the helper's deaths: %d failures so far\n", check_failures);
}

/* --- the helper alone: its line protocol, byte for byte --------------------------------------- */

typedef struct child {
    pid_t pid;
    int to, from; /* its stdin and stdout */
    char buf[512];
    size_t len;
} child;

/* Runs argv[0] with `first` (may be NULL) already in its stdin and its stdout to us. */
static bool child_start(child *c, char *const argv[], const char *first)
{
    int in[2], out[2];
    memset(c, 0, sizeof *c);
    c->pid = -1;
    if (pipe(in) != 0 || pipe(out) != 0)
        return false;
    if (first && write(in[1], first, strlen(first)) != (ssize_t)strlen(first))
        return false;
    c->pid = fork();
    if (c->pid == 0) {
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->to = in[1];
    c->from = out[0];
    fcntl(c->from, F_SETFL, O_NONBLOCK);
    return c->pid > 0;
}

/* The child's next line (without its newline) within timeout_ms into out: "" when none came,
 * "(end)" when its stdout ended. */
static const char *child_line(child *c, int timeout_ms, char *out, size_t size)
{
    int64_t deadline = pn532_harness_now_ms() + timeout_ms;
    snprintf(out, size, "%s", "");
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            snprintf(out, size, "%.*s", (int)n, c->buf);
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            return out;
        }
        int64_t left = deadline - pn532_harness_now_ms();
        struct pollfd p = {c->from, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return out;
        ssize_t n = read(c->from, c->buf + c->len, sizeof c->buf - c->len);
        if (n == 0) {
            snprintf(out, size, "(end)");
            return out;
        }
        if (n > 0)
            c->len += (size_t)n;
    }
}

/* Waits up to timeout_ms for the child to end: its wait status, or -1 (then it is killed). */
static int child_wait(child *c, int timeout_ms, int64_t *took_ms)
{
    int64_t t0 = pn532_harness_now_ms();
    int status;
    while (waitpid(c->pid, &status, WNOHANG) == 0) {
        if (pn532_harness_now_ms() - t0 > timeout_ms) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &status, 0);
            status = -1;
            break;
        }
        pn532_harness_sleep_ms(5);
    }
    *took_ms = pn532_harness_now_ms() - t0;
    close(c->to);
    close(c->from);
    return status;
}

static void expect_line(child *c, const char *want)
{
    char line[256];
    CHECK_STR(child_line(c, 2000, line, sizeof line), want);
}

static void test_helper_alone(const char *emulator, const char *dir)
{
    pn532_harness emu;
    char err[300], line[256];
    if (pn532_harness_start(&emu, emulator, dir, NULL, err, sizeof err) != KIOSK_OK) {
        CHECK_STR(err, "");
        return;
    }
    char *argv[] = {(char *)helper_path, emu.connstring, "100", "true", NULL};
    child c;
    int64_t took;
    /* Every card kind, its removal; SIGTERM ends it at once with status 0. */
    CHECK(child_start(&c, argv, "none\n"));
    expect_line(&c, "ready");
    pn532_harness_send(&emu, "insert mfc 04a7b8c9");
    expect_line(&c, "card a 04A7B8C9");
    pn532_harness_send(&emu, "remove");
    expect_line(&c, "removed");
    pn532_harness_send(&emu, "insert ul 04A1B2C3D4E5F6");
    expect_line(&c, "card a 04A1B2C3D4E5F6");
    pn532_harness_send(&emu, "remove");
    expect_line(&c, "removed");
    pn532_harness_send(&emu, "insert b 11223344");
    expect_line(&c, "card b 11223344");
    pn532_harness_send(&emu, "remove");
    expect_line(&c, "removed");
    pn532_harness_send(&emu, "insert idcard 0123456789abcdef");
    expect_line(&c, "card id 0123456789ABCDEF");
    pn532_harness_send(&emu, "remove");
    expect_line(&c, "removed");
    kill(c.pid, SIGTERM);
    CHECK_INT(child_wait(&c, 2000, &took), 0);
    CHECK(took < 700);

    /* Told of a card that lies there: silent about it, then its removal; the end of its stdin
     * (the kiosk gone) ends it with status 0. */
    pn532_harness_send(&emu, "insert mfc 04A7B8C9");
    CHECK(child_start(&c, argv, "card a 04A7B8C9\n"));
    expect_line(&c, "ready");
    CHECK_STR(child_line(&c, 600, line, sizeof line), "");
    pn532_harness_send(&emu, "remove");
    expect_line(&c, "removed");
    close(c.to);
    c.to = open("/dev/null", O_RDONLY);
    CHECK_INT(child_wait(&c, 2000, &took), 0);
    CHECK(took < 700);

    /* A reader that does not answer: down with the reason, and still a prompt SIGTERM. */
    pn532_harness_send(&emu, "silence");
    CHECK(child_start(&c, argv, "none\n"));
    child_line(&c, 4000, line, sizeof line);
    CHECK(strncmp(line, "down cannot open pn532_uart:", 28) == 0);
    kill(c.pid, SIGTERM);
    CHECK_INT(child_wait(&c, 2000, &took), 0);
    CHECK(took < 1200);
    pn532_harness_send(&emu, "resume");

    /* Bit 7: libnfc's abort() ends the helper with SIGABRT, whatever it was doing. */
    pn532_harness_send(&emu, "insert iso4a 04B2C3D4E5F607");
    CHECK(child_start(&c, argv, "none\n"));
    expect_line(&c, "ready");
    expect_line(&c, "card a 04B2C3D4E5F607");
    pn532_harness_send(&emu, "nad 1");
    expect_line(&c, "(end)");
    int status = child_wait(&c, 2000, &took);
    CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    pn532_harness_send(&emu, "remove");

    /* A command line it does not take: status 2. */
    char *bad[] = {(char *)helper_path, emu.connstring, "5", "true", NULL};
    CHECK(child_start(&c, bad, "none\n"));
    CHECK_INT(child_wait(&c, 2000, &took), 2 << 8);
    if (check_failures)
        pn532_harness_dump_log(&emu);
    pn532_harness_stop(&emu);
}

/* --- fake helpers: what the driver does when its helper misbehaves ---------------------------- */

/* Writes an executable shell script `name` in dir with the body; its path in out. */
static void write_script(const char *dir, const char *name, const char *body, char *out,
                         size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
    FILE *f = fopen(out, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "#!/bin/sh\n%s", body);
    fclose(f);
    chmod(out, 0755);
}

static bool open_with_helper(recorder *rec, const char *helper, void **driver)
{
    drv_option items[] = {{"helper", helper}};
    drv_options opts = {items, 1};
    char err[300] = "";
    kiosk_rc rc = drv_nfc_reader_ops.open("pn532_uart:/dev/null", &opts, on_reading, rec, driver,
                                          err, sizeof err);
    CHECK_STR(err, "");
    return rc == KIOSK_OK;
}

/* Reads a file of one number per line (ms stamps); how many, into ms[max]. */
static size_t read_stamps(const char *path, int64_t *ms, size_t max)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    long long v;
    while (f && n < max && fscanf(f, "%lld", &v) == 1)
        ms[n++] = v / 1000000;
    if (f)
        fclose(f);
    return n;
}

static void test_fake_helpers(const char *dir)
{
    char path[600], script[1200], stamps[600];
    void *driver;
    seen s;

    /* One that exits at once: DOWN (once) with its exit status; restarts 0.5, 1, 2 s apart. */
    snprintf(stamps, sizeof stamps, "%s/starts", dir);
    snprintf(script, sizeof script, "date +%%s%%N >> '%s'\nexit 3\n", stamps);
    write_script(dir, "exits.sh", script, path, sizeof path);
    recorder rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if (open_with_helper(&rec, path, &driver)) {
        CHECK(wait_for(&rec, 0, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 2000, &s));
        CHECK_STR(s.text, "nfc: the NFC reader's helper stopped (exit status 3)");
        pn532_harness_sleep_ms(3900);
        CHECK(close_ms(driver) < 300); /* during a pause */
        CHECK_INT(rec.count, 1);
        int64_t at[16];
        size_t n = read_stamps(stamps, at, 16);
        CHECK_INT(n, 4);
        for (size_t i = 1; i < n && i < 4; i++) {
            int64_t gap = at[i] - at[i - 1], want = 500 << (i - 1);
            CHECK(gap >= want - 20 && gap < want + 400);
            if (gap < want - 20 || gap >= want + 400)
                fprintf(stderr, "restart %zu came %lld ms after the one before\n", i,
                        (long long)gap);
        }
    }

    /* One that says a line no protocol has: DOWN (a protocol fault, the line not repeated),
     * stopped, and a new one started that says ready. Only the first babbles (a marker file),
     * so the count of reports is the driver's doing, not a race with a second babble. */
    snprintf(stamps, sizeof stamps, "%s/babbled", dir);
    snprintf(script, sizeof script,
             "echo ready\n[ -e '%s' ] || { : > '%s'; echo 'card a 04A7B8C'; }\nexec sleep 30\n",
             stamps, stamps);
    write_script(dir, "babbles.sh", script, path, sizeof path);
    recorder rec2 = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if (open_with_helper(&rec2, path, &driver)) {
        CHECK(wait_for(&rec2, 1, DRV_READING_STATE, KIOSK_DEVICE_DOWN, 2000, &s));
        CHECK(strstr(s.text, "protocol fault") != NULL);
        CHECK(strstr(s.text, "04A7B8C") == NULL);
        CHECK(wait_for(&rec2, 2, DRV_READING_STATE, KIOSK_DEVICE_READY, 2000, &s));
        pn532_harness_sleep_ms(300); /* room for a wrong extra report to show */
        CHECK_INT(count_of(&rec2), 3);
        CHECK(close_ms(driver) < 300);
    }

    /* One that reports a card and exits: the next one is told of it on its first line, and the
     * card is reported once, never removed. */
    snprintf(stamps, sizeof stamps, "%s/firsts", dir);
    snprintf(script, sizeof script,
             "read first\necho \"$first\" >> '%s'\necho ready\n"
             "[ \"$first\" = none ] && echo 'card id 0102030405060708'\nexit 1\n",
             stamps);
    write_script(dir, "card.sh", script, path, sizeof path);
    recorder rec3 = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if (open_with_helper(&rec3, path, &driver)) {
        CHECK(wait_for(&rec3, 0, DRV_READING_CARD, 0, 2000, &s));
        CHECK_INT(s.card.kind, KIOSK_CARD_ID_UID);
        pn532_harness_sleep_ms(1000); /* a second start, 0.5 s after the first ended */
        CHECK(close_ms(driver) < 300);
        CHECK(!wait_for(&rec3, 0, DRV_READING_CARD_REMOVED, 0, 0, &s));
        FILE *f = fopen(stamps, "r");
        char first[64] = "", second[64] = "";
        CHECK(f && fgets(first, sizeof first, f) && fgets(second, sizeof second, f));
        CHECK_STR(first, "none\n");
        CHECK_STR(second, "card id 0102030405060708\n");
        if (f)
            fclose(f);
    }

    /* One that ignores SIGTERM: close() kills it after a second, and reaps it. */
    write_script(dir, "stubborn.sh", "trap '' TERM\necho ready\nexec sleep 30\n", path,
                 sizeof path);
    recorder rec4 = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if (open_with_helper(&rec4, path, &driver)) {
        CHECK(wait_for(&rec4, 0, DRV_READING_STATE, KIOSK_DEVICE_READY, 2000, &s));
        int64_t took = close_ms(driver);
        CHECK(took >= 1000 && took < 1500);
    }
    /* Every helper was reaped: this process has no child left, not even a zombie. */
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void print_figures(const char *what, int64_t *ms, size_t n)
{
    qsort(ms, n, sizeof ms[0], cmp_i64);
    /* Nearest rank: the smallest value with at least p % of the samples at or below it. */
    size_t p50 = (n * 50 + 99) / 100, p90 = (n * 90 + 99) / 100, p99 = (n * 99 + 99) / 100;
    printf("%s: n=%zu p50=%lld p90=%lld p99=%lld max=%lld ms\n", what, n,
           (long long)ms[p50 ? p50 - 1 : 0], (long long)ms[p90 ? p90 - 1 : 0],
           (long long)ms[p99 ? p99 - 1 : 0], (long long)ms[n - 1]);
}

/* N cycles: place a card (a new UID each time), time its report; take it away, time the
 * removal's report; a random pause of 0-99 ms so placements fall anywhere in the poll period. */
static int measure(const char *emulator, const char *dir, size_t n)
{
    static rig r = {.rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER}};
    static const char *const flags[] = {"--baud", "115200", NULL};
    char err[300];
    if (pn532_harness_start(&r.emu, emulator, dir, flags, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "measure: %s\n", err);
        return 1;
    }
    int64_t *placed = calloc(n, sizeof *placed), *removed = calloc(n, sizeof *removed);
    size_t done = 0;
    if (placed && removed && rig_open(&r, "false")) {
        srand(1);
        for (; done < n; done++) {
            char line[64];
            snprintf(line, sizeof line, "insert mfc 04%06zX", done);
            seen s;
            pthread_mutex_lock(&r.rec.lock);
            r.rec.count = 0; /* only this cycle's readings */
            pthread_mutex_unlock(&r.rec.lock);
            int64_t t0 = pn532_harness_now_ms();
            pn532_harness_send(&r.emu, line);
            if (!wait_for(&r.rec, 0, DRV_READING_CARD, 0, 2000, &s))
                break;
            placed[done] = s.at_ms - t0;
            pn532_harness_sleep_ms(rand() % 100);
            t0 = pn532_harness_now_ms();
            pn532_harness_send(&r.emu, "remove");
            if (!wait_for(&r.rec, 0, DRV_READING_CARD_REMOVED, 0, 2000, &s))
                break;
            removed[done] = s.at_ms - t0;
            pn532_harness_sleep_ms(rand() % 100);
        }
        drv_nfc_reader_ops.close(r.driver);
    }
    pn532_harness_stop(&r.emu);
    int status = done == n ? 0 : 1;
    if (done == n) {
        print_figures("driver: card placed -> DRV_READING_CARD", placed, n);
        print_figures("driver: card removed -> DRV_READING_CARD_REMOVED", removed, n);
    } else {
        fprintf(stderr, "measure: cycle %zu of %zu got no report\n", done + 1, n);
        pn532_harness_dump_log(&r.emu);
    }
    free(placed);
    free(removed);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--measure") == 0)) {
        fprintf(stderr, "usage: test_nfc_driver PATH_TO_pn532_emu PATH_TO_kiosk-nfc "
                        "[--measure N]\n");
        return 2;
    }
    helper_path = argv[2];
    const char *dir = check_scratch_dir("nfc-driver");
    if (argc == 5) {
        int status = measure(argv[1], dir, (size_t)strtoul(argv[4], NULL, 10));
        check_scratch_remove(dir);
        return status;
    }
    test_check();
    static rig r = {.rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER}};
    char err[300];
    if (pn532_harness_start(&r.emu, argv[1], dir, NULL, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "test_nfc_driver: %s\n", err);
        check_scratch_remove(dir);
        return 1;
    }
    if (rig_open(&r, "true")) {
        test_cards(&r);
        test_faults(&r);
        test_helper_deaths(&r);
        drv_nfc_reader_ops.close(r.driver);
        test_texts(&r.rec);
    }
    if (check_failures)
        pn532_harness_dump_log(&r.emu);
    pn532_harness_stop(&r.emu);
    test_helper_alone(argv[1], dir);
    test_shutdown(argv[1], dir);
    test_fake_helpers(dir);
    check_scratch_remove(dir);
    CHECK_DONE();
}
