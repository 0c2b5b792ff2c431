/* test_pn532_emu.c - proves the PN532 emulator speaks the protocol libnfc 1.8 expects, with
 * libnfc itself and nothing of the kiosk: open and firmware version, listing type A (4-, 7-,
 * 10-byte UIDs, the three card kinds) and type B targets, APDUs and raw exchanges (with and
 * without the chip's CRC, extended frames both ways), the resident ID card's Get UID, presence
 * and removal, InAutoPoll and its abort, that each injected fault is a real protocol error
 * the device recovers from, and that the `nad` fault (status bit 7) makes libnfc abort() its
 * client's whole process, which is why the kiosk reads cards through a helper process.
 *   test_pn532_emu PATH_TO_pn532_emu */
#define _POSIX_C_SOURCE 200809L
#include <nfc/nfc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pn532_harness.h"

static const nfc_modulation mod_a = {.nmt = NMT_ISO14443A, .nbr = NBR_106};
static const nfc_modulation mod_b = {.nmt = NMT_ISO14443B, .nbr = NBR_106};

/* Lists type A targets; returns how many (and the first in *nt). */
static int list_a(nfc_device *dev, nfc_target *nt)
{
    return nfc_initiator_list_passive_targets(dev, mod_a, nt, 1);
}

static void test_type_a(pn532_harness *h, nfc_device *dev)
{
    nfc_target nt;
    CHECK_INT(list_a(dev, &nt), 0); /* an empty field */

    pn532_harness_send(h, "insert mfc 04A7B8C9");
    CHECK_INT(list_a(dev, &nt), 1);
    CHECK_INT(nt.nti.nai.szUidLen, 4);
    CHECK(memcmp(nt.nti.nai.abtUid, "\x04\xA7\xB8\xC9", 4) == 0);
    CHECK_INT(nt.nti.nai.btSak, 0x08);
    CHECK_INT(nt.nti.nai.abtAtqa[1], 0x04);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS);
    uint8_t rx[300];
    CHECK_INT(nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x30\x04", 2, rx, 16, -1), 16);
    pn532_harness_send(h, "remove");
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_ETGRELEASED);

    pn532_harness_send(h, "insert ul 04A1B2C3D4E5F6");
    CHECK_INT(list_a(dev, &nt), 1);
    CHECK_INT(nt.nti.nai.szUidLen, 7);
    CHECK(memcmp(nt.nti.nai.abtUid, "\x04\xA1\xB2\xC3\xD4\xE5\xF6", 7) == 0);
    CHECK_INT(nt.nti.nai.abtAtqa[1], 0x44);
    CHECK_INT(nt.nti.nai.btSak, 0x00);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS); /* READ page 0 */
    pn532_harness_send(h, "remove");
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_ETGRELEASED);

    /* 10 bytes, selected again by its UID (libnfc sends it with both cascade tags). */
    static const uint8_t uid10[] = {0x08, 0xAA, 0x55, 0x11, 0xCC, 0x33, 0x44, 0xDD, 0x99, 0x00};
    pn532_harness_send(h, "insert mfc 08aa5511cc3344dd9900");
    CHECK_INT(list_a(dev, &nt), 1);
    CHECK_INT(nt.nti.nai.szUidLen, 10);
    CHECK(memcmp(nt.nti.nai.abtUid, uid10, 10) == 0);
    CHECK_INT(nfc_initiator_select_passive_target(dev, mod_a, uid10, 10, &nt), 1);
    /* Another UID: with libnfc's default infinite retries a PN532 keeps searching and the host
     * times out; with finite retries the answer is "no target" at once. */
    CHECK_INT(nfc_initiator_select_passive_target(dev, mod_a, uid10, 4, &nt), NFC_ETIMEOUT);
    CHECK_INT(nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false), 0);
    CHECK_INT(nfc_initiator_select_passive_target(dev, mod_a, uid10, 4, &nt), 0);
    CHECK_INT(nfc_initiator_select_passive_target(dev, mod_a, uid10, 10, &nt), 1);
    CHECK_INT(nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, true), 0);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS); /* a reselect */

    pn532_harness_send(h, "insert iso4a 04B2C3D4E5F607");
    CHECK_INT(list_a(dev, &nt), 1);
    CHECK_INT(nt.nti.nai.btSak, 0x20);
    CHECK_INT(nt.nti.nai.szAtsLen, 5); /* TL 06 counts itself */
    CHECK_INT(nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x00\xA4\x04\x00\x00", 5, rx,
                                             sizeof rx, 500),
              2);
    CHECK(rx[0] == 0x90 && rx[1] == 0x00);
    /* READ BINARY of 256 bytes: the answer needs an extended frame. */
    CHECK_INT(nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x00\xB0\x00\x00\x00", 5, rx,
                                             sizeof rx, 500),
              258);
    CHECK(rx[255] == 0xFF && rx[256] == 0x90 && rx[257] == 0x00);
    /* A 255-byte APDU: the command needs an extended frame. */
    uint8_t big[255] = {0x00, 0xD6};
    CHECK_INT(nfc_initiator_transceive_bytes(dev, big, sizeof big, rx, sizeof rx, 500), 2);
    CHECK(rx[0] == 0x6D);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS); /* R(NAK) -> R(ACK) */
    pn532_harness_send(h, "remove");
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_ETGRELEASED);
}

/* CRC_B (ISO/IEC 14443-3), low byte first. */
static void crc_b(const uint8_t *d, size_t n, uint8_t out[2])
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(d[i] ^ (crc & 0xFF));
        b = (uint8_t)(b ^ (b << 4));
        crc = (uint16_t)((crc >> 8) ^ ((unsigned)b << 8) ^ ((unsigned)b << 3) ^ (b >> 4));
    }
    crc = (uint16_t)~crc;
    out[0] = (uint8_t)crc;
    out[1] = (uint8_t)(crc >> 8);
}

static void test_type_b(pn532_harness *h, nfc_device *dev)
{
    nfc_target nt;
    uint8_t rx[64];
    pn532_harness_send(h, "insert b 11223344");
    CHECK_INT(nfc_initiator_list_passive_targets(dev, mod_b, &nt, 1), 1);
    CHECK(memcmp(nt.nti.nbi.abtPupi, "\x11\x22\x33\x44", 4) == 0);
    CHECK_INT(nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x00\xA4\x04\x00\x00", 5, rx,
                                             sizeof rx, 500),
              2);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS);
    pn532_harness_send(h, "remove");
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_ETGRELEASED);
    CHECK_INT(nfc_initiator_list_passive_targets(dev, mod_b, &nt, 1), 0);

    /* The resident ID card: PUPI 0, its data, and the card UID answered to a raw Get UID. */
    pn532_harness_send(h, "insert idcard 0123456789abcdef");
    CHECK_INT(nfc_initiator_select_passive_target(dev, mod_b, NULL, 0, &nt), 1);
    CHECK(memcmp(nt.nti.nbi.abtPupi, "\0\0\0\0", 4) == 0);
    CHECK(memcmp(nt.nti.nbi.abtApplicationData, "\xD1\x03\x86\x0C", 4) == 0);
    CHECK(memcmp(nt.nti.nbi.abtProtocolInfo, "\x00\x80\x80", 3) == 0);
    CHECK_INT(nfc_device_set_property_bool(dev, NP_EASY_FRAMING, false), 0);
    static const uint8_t get_uid[] = {0x00, 0x36, 0x00, 0x00, 0x08};
    CHECK_INT(nfc_initiator_transceive_bytes(dev, get_uid, 5, rx, sizeof rx, 300), 10);
    CHECK(memcmp(rx, "\x01\x23\x45\x67\x89\xAB\xCD\xEF\x90\x00", 10) == 0);
    /* The same with the host adding and checking CRC_B, as some public readers do. */
    CHECK_INT(nfc_device_set_property_bool(dev, NP_HANDLE_CRC, false), 0);
    uint8_t tx[7];
    memcpy(tx, get_uid, 5);
    crc_b(tx, 5, tx + 5);
    CHECK(tx[5] == 0x57 && tx[6] == 0x44);
    CHECK_INT(nfc_initiator_transceive_bytes(dev, tx, 7, rx, sizeof rx, 300), 12);
    uint8_t crc[2];
    crc_b(rx, 10, crc);
    CHECK(rx[10] == crc[0] && rx[11] == crc[1]);
    CHECK_INT(nfc_device_set_property_bool(dev, NP_HANDLE_CRC, true), 0);
    CHECK_INT(nfc_device_set_property_bool(dev, NP_EASY_FRAMING, true), 0);
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_SUCCESS);
    /* A card that ignores the presence ping looks gone to libnfc at once. */
    pn532_harness_send(h, "ping off");
    CHECK_INT(nfc_initiator_target_is_present(dev, NULL), NFC_ETGRELEASED);
    pn532_harness_send(h, "ping on");
    pn532_harness_send(h, "remove");
}

typedef struct poll_job {
    nfc_device *dev;
    int result;
} poll_job;

static void *endless_poll(void *arg)
{
    poll_job *job = arg;
    nfc_target nt;
    const nfc_modulation mods[] = {mod_a, mod_b};
    job->result = nfc_initiator_poll_target(job->dev, mods, 2, 0xFF, 2, &nt);
    return NULL;
}

static void test_autopoll(pn532_harness *h, nfc_device *dev)
{
    nfc_target nt;
    const nfc_modulation mods[] = {mod_a, mod_b};
    pn532_harness_send(h, "insert mfc 04A7B8C9");
    CHECK_INT(nfc_initiator_poll_target(dev, mods, 2, 2, 1, &nt), 1);
    CHECK_INT(nt.nti.nai.szUidLen, 4);
    pn532_harness_send(h, "remove");
    int64_t t0 = pn532_harness_now_ms();
    CHECK_INT(nfc_initiator_poll_target(dev, mods, 2, 2, 1, &nt), 0); /* 2 x 1 x 150 ms */
    int64_t took = pn532_harness_now_ms() - t0;
    CHECK(took >= 250 && took < 1000);

    /* An endless poll ends with nfc_abort_command, and the device answers after it. */
    poll_job job = {dev, 1};
    pthread_t thread;
    CHECK_INT(pthread_create(&thread, NULL, endless_poll, &job), 0);
    pn532_harness_sleep_ms(200);
    CHECK_INT(nfc_abort_command(dev), 0);
    pthread_join(thread, NULL);
    CHECK_INT(job.result, NFC_EOPABORTED);
    CHECK_INT(list_a(dev, &nt), 0);
    /* An endless poll answered by a card placed later. */
    job.result = 0;
    CHECK_INT(pthread_create(&thread, NULL, endless_poll, &job), 0);
    pn532_harness_sleep_ms(200);
    pn532_harness_send(h, "insert b 11223344");
    pthread_join(thread, NULL);
    CHECK_INT(job.result, 1);
    pn532_harness_send(h, "remove");
}

/* Each fault makes one exchange fail as a real reader's would, then the device works again. */
static void test_faults(pn532_harness *h, nfc_context *ctx, nfc_device **dev)
{
    nfc_target nt;
    static const char *const one_shot[] = {"garbage 1", "badsum 1"};
    for (size_t i = 0; i < 2; i++) {
        pn532_harness_send(h, one_shot[i]);
        CHECK(list_a(*dev, &nt) < 0);
        CHECK_INT(list_a(*dev, &nt), 0);
    }
    pn532_harness_send(h, "slow 100"); /* slow, within libnfc's timeout */
    CHECK_INT(list_a(*dev, &nt), 0);
    pn532_harness_send(h, "slow 500"); /* slower than its 300 ms */
    CHECK_INT(list_a(*dev, &nt), NFC_ETIMEOUT);
    pn532_harness_send(h, "slow 0");
    pn532_harness_sleep_ms(600); /* the late answer arrives and is flushed */
    CHECK_INT(list_a(*dev, &nt), 0);
    pn532_harness_send(h, "silence");
    CHECK_INT(list_a(*dev, &nt), NFC_ETIMEOUT);
    pn532_harness_send(h, "resume");
    CHECK_INT(list_a(*dev, &nt), 0);

    /* Unplugged: I/O errors, no open; back on a new pty behind the same link. */
    pn532_harness_send(h, "vanish");
    pn532_harness_sleep_ms(100);
    CHECK(list_a(*dev, &nt) < 0);
    nfc_close(*dev);
    *dev = nfc_open(ctx, h->connstring);
    CHECK(*dev == NULL);
    pn532_harness_send(h, "return");
    pn532_harness_sleep_ms(100);
    *dev = nfc_open(ctx, h->connstring);
    CHECK(*dev != NULL);
    if (*dev) {
        CHECK_INT(nfc_initiator_init(*dev), 0);
        pn532_harness_send(h, "insert mfc 04A7B8C9");
        CHECK_INT(list_a(*dev, &nt), 1);
    }
}

/* Runs in a child process: opens the reader, selects the card in the field and sends an APDU
 * whose reply carries status bit 7. libnfc 1.8 then calls abort(); the exit statuses say which
 * step went wrong instead. */
static void nad_client(pn532_harness *h)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    nfc_context *ctx = NULL;
    nfc_init(&ctx);
    nfc_device *dev = ctx ? nfc_open(ctx, h->connstring) : NULL;
    nfc_target nt;
    if (!dev || nfc_initiator_init(dev) < 0 || list_a(dev, &nt) != 1)
        _exit(3);
    uint8_t rx[16];
    if (nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x00\xA4\x04\x00\x00", 5, rx,
                                       sizeof rx, 500) != 2)
        _exit(4);
    pn532_harness_send(h, "nad 1");
    nfc_initiator_transceive_bytes(dev, (const uint8_t *)"\x00\xA4\x04\x00\x00", 5, rx, sizeof rx,
                                   500);
    _exit(5);
}

/* The `nad` fault: the libnfc client's process dies of SIGABRT. */
static void test_nad_aborts(pn532_harness *h)
{
    pn532_harness_send(h, "insert iso4a 04B2C3D4E5F607");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        nad_client(h);
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    if (!WIFSIGNALED(status))
        fprintf(stderr, "the nad client exited with status %d\n", WEXITSTATUS(status));
    pn532_harness_send(h, "remove");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_pn532_emu PATH_TO_pn532_emu\n");
        return 2;
    }
    const char *dir = check_scratch_dir("pn532-emu");
    pn532_harness h;
    char err[300];
    if (pn532_harness_start(&h, argv[1], dir, NULL, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "test_pn532_emu: %s\n", err);
        pn532_harness_stop(&h);
        check_scratch_remove(dir);
        return 1;
    }
    nfc_context *ctx = NULL;
    nfc_init(&ctx);
    CHECK(ctx != NULL);
    nfc_device *dev = ctx ? nfc_open(ctx, h.connstring) : NULL;
    CHECK(dev != NULL);
    if (dev) {
        char *info = NULL;
        CHECK(nfc_device_get_information_about(dev, &info) >= 0);
        CHECK(info && strstr(info, "PN532 v1.6") != NULL); /* GetFirmwareVersion 32 01 06 07 */
        nfc_free(info);
        CHECK_INT(nfc_initiator_init(dev), 0);
        test_type_a(&h, dev);
        test_type_b(&h, dev);
        test_autopoll(&h, dev);
        test_faults(&h, ctx, &dev);
        nfc_close(dev); /* InRelease, RF off, PowerDown */
    }
    test_nad_aborts(&h); /* a client of its own: one at a time per emulator */
    if (ctx)
        nfc_exit(ctx);
    if (check_failures)
        pn532_harness_dump_log(&h);
    pn532_harness_stop(&h);
    check_scratch_remove(dir);
    CHECK_DONE();
}
