/* test_escpos_driver.c - the escpos printer driver through the device registry: its settings
 * are checked without touching anything; on a plain file two jobs arrive whole and decode back
 * into the receipt and the ticket; a missing device node is reported DOWN and never created;
 * on a FIFO that nobody reads (a stalled printer) submit stays under 5 ms, the queue says BUSY,
 * the write times out into DOWN, the driver reopens and prints again, and close returns at once
 * while a write is blocked; on a pseudo-terminal the test plays the printer, answering DLE EOT
 * with "paper end", then "ready", then not at all, and the driver reports NO_PAPER, READY and
 * DOWN in turn and refuses jobs while the printer cannot print. */
#define _GNU_SOURCE /* F_SETPIPE_SZ, openpty */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "device.h"
#include "escpos.h"
#include "escpos_decode.h"
#include "receipt.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* --- the states the driver reported ------------------------------------------------------- */

typedef struct states {
    pthread_mutex_t lock;
    kiosk_device_state state[64];
    char text[64][160];
    int count;
} states;

static void on_reading(void *user, const drv_reading *r)
{
    states *s = user;
    pthread_mutex_lock(&s->lock);
    if (r->kind == DRV_READING_STATE && s->count < 64) {
        s->state[s->count] = r->state;
        snprintf(s->text[s->count], sizeof s->text[0], "%s", r->text ? r->text : "");
        s->count++;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Waits for a report of `want` after the first `from` reports; its index, or -1. */
static int wait_state(states *s, int from, kiosk_device_state want, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    do {
        pthread_mutex_lock(&s->lock);
        int found = -1;
        for (int i = from; i < s->count && found < 0; i++)
            if (s->state[i] == want)
                found = i;
        pthread_mutex_unlock(&s->lock);
        if (found >= 0)
            return found;
        sleep_ms(5);
    } while (now_ms() < end);
    return -1;
}

static const char *text_of(states *s, int i)
{
    return i >= 0 ? s->text[i] : "(none)";
}

/* Submits and checks that the call returned within 5 ms. */
static kiosk_rc timed_submit(drv_printer *p, const uint8_t *bytes, size_t len)
{
    double start = now_us();
    kiosk_rc rc = drv_printer_submit(p, bytes, len);
    double took = now_us() - start;
    if (took >= 5000)
        fprintf(stderr, "submit took %.0f us\n", took);
    CHECK(took < 5000);
    return rc;
}

/* --- the jobs ----------------------------------------------------------------------------- */

static const kiosk_receipt receipt = {
    .site_name = "鼓楼区华侨路长者食堂",
    .name_masked = "张*兰",
    .class_label = "80-89岁",
    .meal_label = "午餐",
    .at = {.date = {2026, 11, 23}, .minute_of_day = 11 * 60 + 30},
    .price_fen = 1500,
    .subsidy_fen = 500,
    .pay_fen = 1000,
    .month_remaining_fen = -1,
    .record_id = "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    .kiosk_id = "demo-kiosk-01",
};

static const kiosk_ticket ticket = {
    .site_name = "鼓楼区婚姻登记处",
    .number = "J012",
    .service = "结婚登记",
    .lane = "现场",
    .at = {.date = {2026, 11, 23}, .minute_of_day = 9 * 60 + 5},
    .name_masked = {"张*明", "李*华"},
    .counter = "二楼A区 3号窗口",
    .record_id = "019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60",
};

static const drv_escpos_options paper = {.columns = 32, .qr = true, .cut = true};

typedef struct job {
    uint8_t bytes[DRV_ESCPOS_JOB_MAX];
    size_t len;
} job;

static void build_receipt(job *j)
{
    kiosk_print_doc doc;
    char err[160];
    CHECK_INT(kiosk_receipt_format_doc(&receipt, 32, &doc), KIOSK_OK);
    CHECK_INT(
        drv_escpos_build_doc(&doc, &paper, j->bytes, sizeof j->bytes, &j->len, err, sizeof err),
        KIOSK_OK);
}

static void build_ticket(job *j)
{
    kiosk_print_doc doc;
    char err[160];
    CHECK_INT(kiosk_ticket_format_doc(&ticket, 32, &doc), KIOSK_OK);
    CHECK_INT(
        drv_escpos_build_doc(&doc, &paper, j->bytes, sizeof j->bytes, &j->len, err, sizeof err),
        KIOSK_OK);
}

/* The index of the first decoded line with this text, or -1. */
static int find_line(const escpos_decoded *d, const char *text)
{
    for (size_t i = 0; i < d->line_count; i++)
        if (strcmp(d->lines[i].text, text) == 0)
            return (int)i;
    return -1;
}

static void check_ticket_lines(const escpos_decoded *d)
{
    int n = find_line(d, "J012");
    CHECK(n >= 0);
    if (n >= 0) {
        CHECK_INT(d->lines[n].style, KIOSK_PRINT_BIG);
        CHECK_INT(d->lines[n].align, KIOSK_PRINT_CENTER);
    }
    CHECK(find_line(d, "结婚登记（现场）") >= 0);
    CHECK(find_line(d, "当事人              张*明、李*华") >= 0);
    CHECK(strstr(d->trace, "qr:019aa1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60") != NULL);
}

/* --- settings ----------------------------------------------------------------------------- */

static void test_check(const char *dir)
{
    char err[200], spec[300];
    drv_option items[] = {{"baud", "9600"},  {"timeout_ms", "500"}, {"status", "true"},
                          {"columns", "48"}, {"qr", "true"},        {"cut", "false"}};
    drv_options opts = {items, 6};
    snprintf(spec, sizeof spec, "escpos:%s/never-created.prn", dir);
    CHECK_INT(drv_printer_check(spec, &opts, err, sizeof err), KIOSK_OK);
    CHECK(access(spec + 7, F_OK) != 0); /* checking touches nothing */

    CHECK_INT(drv_printer_check("escpos:", NULL, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "escpos:/dev/usb/lp0") != NULL);
    drv_option speed = {"speed", "9600"};
    drv_options unknown = {&speed, 1};
    CHECK_INT(drv_printer_check(spec, &unknown, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "no option 'speed'") != NULL);
    items[0].value = "9601";
    CHECK_INT(drv_printer_check(spec, &opts, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "baud") != NULL);
    items[0].value = "9600";
    items[1].value = "50";
    CHECK_INT(drv_printer_check(spec, &opts, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "timeout_ms") != NULL);
    items[1].value = "500";
    items[2].value = "yes";
    CHECK_INT(drv_printer_check(spec, &opts, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "status") != NULL);
    items[2].value = "true";
    items[3].value = "100";
    CHECK_INT(drv_printer_check(spec, &opts, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "columns") != NULL);
}

/* --- a plain file ------------------------------------------------------------------------- */

static void test_file(const char *dir)
{
    states s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    char spec[300], err[200];
    snprintf(spec, sizeof spec, "escpos:%s/out.prn", dir);
    drv_printer *p = drv_printer_open(spec, NULL, on_reading, &s, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    int ready = wait_state(&s, 0, KIOSK_DEVICE_READY, 2000);
    CHECK_INT(ready, 0);
    CHECK_STR(text_of(&s, ready), "escpos: ready");

    static job a, b;
    build_receipt(&a);
    build_ticket(&b);
    CHECK_INT(timed_submit(p, a.bytes, a.len), KIOSK_OK);
    CHECK_INT(timed_submit(p, b.bytes, b.len), KIOSK_OK);
    CHECK_INT(drv_printer_submit(p, a.bytes, 0), KIOSK_ERR_INVALID);
    CHECK_INT(drv_printer_submit(p, a.bytes, DRV_ESCPOS_JOB_MAX + 1), KIOSK_ERR_TOO_BIG);

    struct stat st = {0};
    long long end = now_ms() + 3000;
    while (now_ms() < end && (stat(spec + 7, &st) != 0 || (size_t)st.st_size < a.len + b.len))
        sleep_ms(5);
    drv_printer_close(p);
    CHECK_INT(st.st_size, a.len + b.len);
    CHECK_INT(st.st_mode & 0777, 0600); /* masked names still: the owner's only */

    static uint8_t got[2 * DRV_ESCPOS_JOB_MAX];
    FILE *f = fopen(spec + 7, "rb");
    size_t n = f ? fread(got, 1, sizeof got, f) : 0;
    if (f)
        fclose(f);
    CHECK(n == a.len + b.len && memcmp(got, a.bytes, a.len) == 0 &&
          memcmp(got + a.len, b.bytes, b.len) == 0);
    static escpos_decoded d;
    CHECK_INT(escpos_decode(got, n, &d, err, sizeof err), KIOSK_OK);
    CHECK_INT(d.inits, 2);
    CHECK_INT(d.cuts, 2);
    int pay = find_line(&d, "实付     ￥10.00");
    CHECK(pay >= 0 && d.lines[pay].style == KIOSK_PRINT_BIG && d.lines[pay].job == 1);
    check_ticket_lines(&d);
    int number = find_line(&d, "J012");
    CHECK(number >= 0 && d.lines[number].job == 2);
}

/* A printer node that is not there: DOWN, jobs refused, and no plain file put in its place. */
static void test_missing_device(void)
{
    states s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    char err[200];
    const char *node = "/dev/kiosk-escpos-test-missing";
    char spec[80];
    snprintf(spec, sizeof spec, "escpos:%s", node);
    drv_printer *p = drv_printer_open(spec, NULL, on_reading, &s, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    int down = wait_state(&s, 0, KIOSK_DEVICE_DOWN, 2000);
    CHECK_INT(down, 0);
    CHECK(strstr(text_of(&s, down), "cannot open /dev/kiosk-escpos-test-missing") != NULL);
    uint8_t one = 0x0A;
    CHECK_INT(timed_submit(p, &one, 1), KIOSK_ERR_DEVICE);
    sleep_ms(350); /* a few reopening attempts (100, 200 ms apart): the same reason, one report */
    pthread_mutex_lock(&s.lock);
    CHECK_INT(s.count, 1);
    pthread_mutex_unlock(&s.lock);
    double start = now_us();
    drv_printer_close(p);
    CHECK(now_us() - start < 100000);
    CHECK(access(node, F_OK) != 0);
}

/* --- a stalled printer: a FIFO nobody reads ----------------------------------------------- */

static void test_stalled(const char *dir)
{
    char fifo[300], spec[320], err[200];
    snprintf(fifo, sizeof fifo, "%s/stall.fifo", dir);
    snprintf(spec, sizeof spec, "escpos:%s", fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(reader >= 0);
    CHECK(fcntl(reader, F_SETPIPE_SZ, 4096) >= 0); /* the printer's buffer: one page */

    static job big;
    memset(big.bytes, 'x', sizeof big.bytes);
    big.len = sizeof big.bytes;

    states s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    drv_option timeout = {"timeout_ms", "300"};
    drv_options opts = {&timeout, 1};
    drv_printer *p = drv_printer_open(spec, &opts, on_reading, &s, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(wait_state(&s, 0, KIOSK_DEVICE_READY, 2000), 0);
    /* The first job stalls in the write; the queue holds eight (that one included). */
    int accepted = 0;
    kiosk_rc rc;
    do {
        rc = timed_submit(p, big.bytes, big.len);
        accepted += rc == KIOSK_OK;
    } while (rc == KIOSK_OK && accepted < 20);
    CHECK_INT(rc, KIOSK_ERR_BUSY);
    CHECK_INT(accepted, 8); /* the job being written keeps its place until it is done */

    int down = wait_state(&s, 1, KIOSK_DEVICE_DOWN, 3000);
    CHECK_INT(down, 1);
    CHECK_STR(text_of(&s, down), "escpos: a write timed out after 300 ms");

    /* The printer drains its buffer; the driver reopens after its back-off and prints again. */
    char sink[8192];
    while (read(reader, sink, sizeof sink) > 0)
        continue;
    int ready = wait_state(&s, down + 1, KIOSK_DEVICE_READY, 3000);
    CHECK(ready > down);
    static job small;
    build_ticket(&small);
    CHECK_INT(timed_submit(p, small.bytes, small.len), KIOSK_OK);
    static uint8_t got[DRV_ESCPOS_JOB_MAX];
    size_t n = 0;
    long long end = now_ms() + 3000;
    while (n < small.len && now_ms() < end) {
        ssize_t r = read(reader, got + n, sizeof got - n);
        if (r > 0)
            n += (size_t)r;
        else
            sleep_ms(5);
    }
    CHECK(n == small.len && memcmp(got, small.bytes, small.len) == 0);
    drv_printer_close(p);

    /* close while a write is blocked (with a 10 s timeout ahead of it) returns at once. */
    drv_option patient = {"timeout_ms", "10000"};
    opts = (drv_options){&patient, 1};
    states s2 = {.lock = PTHREAD_MUTEX_INITIALIZER};
    p = drv_printer_open(spec, &opts, on_reading, &s2, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(wait_state(&s2, 0, KIOSK_DEVICE_READY, 2000), 0);
    CHECK_INT(timed_submit(p, big.bytes, big.len), KIOSK_OK);
    sleep_ms(100);
    double start = now_us();
    drv_printer_close(p);
    double took = now_us() - start;
    CHECK(took < 100000);
    fprintf(stderr, "close during a stalled write: %.1f ms\n", took / 1000);
    close(reader);
}

/* --- the printer on a pseudo-terminal ----------------------------------------------------- */

typedef enum emu_mode { EMU_READY, EMU_PAPER_END, EMU_SILENT } emu_mode;

/* The printer: reads what the driver sends and answers each DLE EOT n at once. */
typedef struct emu {
    int master;
    int stop[2];
    pthread_t thread;
    pthread_mutex_t lock;
    emu_mode mode;
    uint8_t capture[4 * DRV_ESCPOS_JOB_MAX];
    size_t len, scanned;
    int answered;
} emu;

static uint8_t emu_answer(emu_mode mode, uint8_t n)
{
    if (mode == EMU_READY)
        return 0x12; /* fixed bits only: online, no cause, paper adequate */
    switch (n) {
    case 1:
        return 0x1A; /* offline (bit 3) */
    case 2:
        return 0x32; /* printing stopped by a paper end (bit 5) */
    case 4:
        return 0x7E; /* near end (bits 2-3) and end (bits 5-6) */
    default:
        return 0x12;
    }
}

static void *emu_thread(void *arg)
{
    emu *e = arg;
    for (;;) {
        struct pollfd fds[2] = {{e->master, POLLIN, 0}, {e->stop[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            break;
        uint8_t buf[4096];
        ssize_t n = read(e->master, buf, sizeof buf);
        if (n <= 0)
            continue;
        pthread_mutex_lock(&e->lock);
        size_t room = sizeof e->capture - e->len;
        size_t take = (size_t)n < room ? (size_t)n : room;
        memcpy(e->capture + e->len, buf, take);
        e->len += take;
        size_t i = e->scanned;
        while (i + 3 <= e->len) {
            if (e->capture[i] == 0x10 && e->capture[i + 1] == 0x04 && e->capture[i + 2] >= 1 &&
                e->capture[i + 2] <= 4) {
                uint8_t answer = emu_answer(e->mode, e->capture[i + 2]);
                if (e->mode != EMU_SILENT && write(e->master, &answer, 1) == 1)
                    e->answered++;
                i += 3;
            } else {
                i++;
            }
        }
        e->scanned = i;
        pthread_mutex_unlock(&e->lock);
    }
    return NULL;
}

static void emu_set(emu *e, emu_mode mode)
{
    pthread_mutex_lock(&e->lock);
    e->mode = mode;
    pthread_mutex_unlock(&e->lock);
}

/* Waits until what the printer received decodes with `inits` jobs whole (all cut). */
static bool emu_wait_jobs(emu *e, int inits, escpos_decoded *d, int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    char err[200];
    do {
        pthread_mutex_lock(&e->lock);
        kiosk_rc rc = escpos_decode(e->capture, e->len, d, err, sizeof err);
        pthread_mutex_unlock(&e->lock);
        if (rc == KIOSK_OK && d->inits == inits && d->cuts == inits)
            return true;
        sleep_ms(10);
    } while (now_ms() < end);
    fprintf(stderr, "the printer did not receive %d jobs: %s\n", inits, err);
    return false;
}

static void test_pty(void)
{
    static emu e;
    char name[128], spec[160], err[200];
    int slave;
    CHECK(openpty(&e.master, &slave, name, NULL, NULL) == 0);
    CHECK(pipe(e.stop) == 0);
    pthread_mutex_init(&e.lock, NULL);
    e.mode = EMU_PAPER_END;
    CHECK(pthread_create(&e.thread, NULL, emu_thread, &e) == 0);

    snprintf(spec, sizeof spec, "escpos:%s", name);
    drv_option items[] = {{"baud", "9600"}, {"status", "true"}, {"timeout_ms", "500"}};
    drv_options opts = {items, 3};
    states s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    drv_printer *p = drv_printer_open(spec, &opts, on_reading, &s, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;

    /* Asked at once, the printer says paper end: NO_PAPER, and a job is refused. */
    int no_paper = wait_state(&s, 0, KIOSK_DEVICE_NO_PAPER, 3000);
    CHECK_INT(no_paper, 0);
    CHECK_STR(text_of(&s, no_paper), "escpos: out of paper");
    static job j;
    build_ticket(&j);
    CHECK_INT(timed_submit(p, j.bytes, j.len), KIOSK_ERR_DEVICE);

    /* Paper loaded: the next status poll finds the printer ready. */
    emu_set(&e, EMU_READY);
    int ready = wait_state(&s, 1, KIOSK_DEVICE_READY, 3000);
    CHECK_INT(ready, 1);
    CHECK_STR(text_of(&s, ready), "escpos: ready");
    CHECK_INT(timed_submit(p, j.bytes, j.len), KIOSK_OK);
    static escpos_decoded d;
    CHECK(emu_wait_jobs(&e, 1, &d, 3000));
    check_ticket_lines(&d);
    CHECK(d.status_requests >= 6); /* two requests of three before the job */

    /* The printer stops answering: the status asked after the next job goes unanswered. */
    emu_set(&e, EMU_SILENT);
    CHECK_INT(timed_submit(p, j.bytes, j.len), KIOSK_OK);
    int down = wait_state(&s, 2, KIOSK_DEVICE_DOWN, 3000);
    CHECK_INT(down, 2);
    CHECK_STR(text_of(&s, down), "escpos: the printer did not answer the status request");
    CHECK(emu_wait_jobs(&e, 2, &d, 3000));
    /* It answers again: the driver has reopened the port and finds it ready. */
    emu_set(&e, EMU_READY);
    CHECK(wait_state(&s, 3, KIOSK_DEVICE_READY, 5000) == 3);

    double start = now_us();
    drv_printer_close(p);
    CHECK(now_us() - start < 100000);
    CHECK(write(e.stop[1], "x", 1) == 1);
    pthread_join(e.thread, NULL);
    close(slave);
    close(e.master);
    close(e.stop[0]);
    close(e.stop[1]);
}

int main(void)
{
    char dir[] = "/tmp/kiosk-escpos-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_check(dir);
    test_file(dir);
    test_missing_device();
    test_stalled(dir);
    test_pty();
    char path[300];
    snprintf(path, sizeof path, "%s/out.prn", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/stall.fifo", dir);
    unlink(path);
    rmdir(dir);
    CHECK_DONE();
}
