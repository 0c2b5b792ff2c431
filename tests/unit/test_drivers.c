/* test_drivers.c - the reader registry and the sim reader over a real FIFO: lines arrive in
 * order, a writer closing and reopening is survived, overlong lines are reported and skipped,
 * and close returns promptly while the thread is blocked waiting for input. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "device.h"

typedef struct seen {
    pthread_mutex_t lock;
    char lines[16][64];
    int count, faults, ends;
} seen;

static void on_reading(void *user, const drv_reading *r)
{
    seen *s = user;
    pthread_mutex_lock(&s->lock);
    if (r->kind == DRV_READING_LINE && s->count < 16)
        snprintf(s->lines[s->count++], 64, "%s", r->text);
    else if (r->kind == DRV_READING_STATE)
        s->faults++;
    else if (r->kind == DRV_READING_END)
        s->ends++;
    pthread_mutex_unlock(&s->lock);
}

static int count_of(seen *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void wait_for(seen *s, int n)
{
    for (int i = 0; i < 200 && count_of(s) < n; i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
    const char *dir = check_scratch_dir("kiosk-drv");
    if (!dir)
        return 1;
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/sim.fifo", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    char err[200], spec[160];
    snprintf(spec, sizeof spec, "sim:%s", fifo);

    CHECK(drv_reader_open("usb:1", NULL, on_reading, &s, err, sizeof err) == NULL);
    CHECK(strstr(err, "no driver 'usb' (known: sim,") != NULL);
    CHECK(drv_reader_open("sim:/nonexistent/dir/fifo", NULL, on_reading, &s, err, sizeof err) ==
          NULL);
    CHECK_INT(drv_reader_check("sim:-", NULL, err, sizeof err), KIOSK_OK);
    drv_option speed = {"speed", "9600"};
    drv_options opts = {&speed, 1};
    CHECK_INT(drv_reader_check("sim:-", &opts, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "speed") != NULL);
    CHECK_STR(drv_option_get(&opts, "speed"), "9600");
    CHECK(drv_option_get(&opts, "baud") == NULL);
    /* Every registered driver has a name, a line of help and its ops. */
    size_t readers = 0, printers = 0;
    for (const drv_reader_ops *const *o = drv_reader_all(); *o; o++, readers++)
        CHECK((*o)->name && (*o)->help && (*o)->check);
    for (const drv_printer_ops *const *o = drv_printer_all(); *o; o++, printers++)
        CHECK((*o)->name && (*o)->help && (*o)->check);
    CHECK(readers >= 1);

    drv_reader *r = drv_reader_open(spec, NULL, on_reading, &s, err, sizeof err);
    CHECK(r != NULL);
    int fd = open(fifo, O_WRONLY);
    CHECK(write(fd, "tap 04A1B2C3\nshot a.png\npartial", 31) == 31);
    close(fd); /* the writer goes away: the unterminated line still counts */
    wait_for(&s, 3);
    fd = open(fifo, O_WRONLY); /* a second writer: the reader reopened the FIFO */
    char big[3000];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    CHECK(write(fd, big, sizeof big) == (ssize_t)sizeof big);
    CHECK(write(fd, "quit\n", 5) == 5);
    close(fd);
    wait_for(&s, 4);
    CHECK_INT(count_of(&s), 4);
    CHECK_STR(s.lines[0], "tap 04A1B2C3");
    CHECK_STR(s.lines[1], "shot a.png");
    CHECK_STR(s.lines[2], "partial");
    CHECK_STR(s.lines[3], "quit");
    CHECK_INT(s.faults, 1); /* the overlong line */
    long long t0 = now_ms();
    drv_reader_close(r); /* blocked in poll with no writer: must return at once */
    CHECK(now_ms() - t0 < 1000);
    CHECK_INT(s.ends, 0);
    unlink(fifo);
    rmdir(dir);
    CHECK_DONE();
}
