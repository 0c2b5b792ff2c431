/* escpos_printer.c - the escpos printer driver, "escpos:PATH": a USB printer node
 * (/dev/usb/lp0), a serial port (with the option baud: raw 8N1 at that rate) or a plain file
 * (appended to; tests and a printer-less demo). submit copies a job into a bounded queue and
 * returns at once, because the caller is the UI thread and a printer must never hold up a meal.
 * The printer's thread opens the device (again after a failure, backing off), writes each job
 * with poll() and a timeout, asks the printer's status after each job when the option status is
 * set, and reports READY, DOWN or NO_PAPER whenever that (or its reason) changes. Jobs queued
 * when the printer fails are dropped: a ticket printed minutes late only confuses the next
 * person. A self-pipe wakes the thread for a new job and for close, so close returns promptly
 * even while a write is stalled. */
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
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "escpos.h"

#define QUEUE_JOBS         8
#define PATH_SIZE          512
#define TIMEOUT_MS_DEFAULT 3000
#define TIMEOUT_MS_MIN     100
#define TIMEOUT_MS_MAX     60000
#define BACKOFF_MIN_MS     100
#define BACKOFF_MAX_MS     5000
/* How often a printer that answers is asked while idle (to notice an open cover or a paper end
 * before the next person needs a ticket), and while it is not ready (to notice it is back). */
#define STATUS_IDLE_MS 5000
#define STATUS_WAIT_MS 500

static const struct {
    long rate;
    speed_t speed;
} bauds[] = {{9600, B9600}, {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200}};

typedef struct settings {
    bool serial;
    speed_t speed;
    int timeout_ms;
    bool ask_status;
} settings;

typedef struct printer {
    char path[PATH_SIZE];
    settings set;
    drv_escpos_options paper; /* what documents are laid out for and what the printer can do */
    drv_reading_fn on_reading;
    void *user;
    int fd;      /* the device; the thread's alone */
    int wake[2]; /* self-pipe: submit and close write a byte, the thread polls the other end */
    pthread_t thread;

    pthread_mutex_t lock; /* guards everything below */
    uint8_t *slots;       /* QUEUE_JOBS jobs of DRV_ESCPOS_JOB_MAX bytes, allocated once */
    size_t lens[QUEUE_JOBS];
    size_t head, count; /* the job at head is the one being written, until it is done */
    bool stopping;
    bool known; /* a state was reported */
    kiosk_device_state state;
    char reason[256];
} printer;

typedef enum io_result {
    IO_DONE,
    IO_FAILED, /* *state and why say how */
    IO_ABORTED /* close was called */
} io_result;

/* --- settings ----------------------------------------------------------------------------- */

static bool parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static kiosk_rc parse_settings(const char *arg, const drv_options *opts, settings *out, char *err,
                               size_t err_size)
{
    static const char *const keys[] = {"baud", "timeout_ms", "status", "columns", "qr", "cut"};
    *out = (settings){.timeout_ms = TIMEOUT_MS_DEFAULT};
    if (!arg[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "escpos needs the printer's path: escpos:/dev/usb/lp0, escpos:/dev/ttyS0 "
                          "(with baud) or escpos:FILE");
    if (strlen(arg) >= PATH_SIZE)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "escpos: the path is too long");
    for (size_t i = 0; opts && i < opts->count; i++) {
        size_t k = 0;
        while (k < sizeof keys / sizeof *keys && strcmp(keys[k], opts->items[i].key) != 0)
            k++;
        if (k == sizeof keys / sizeof *keys)
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "escpos takes no option '%s' (known: baud, timeout_ms, status, "
                              "columns, qr, cut)",
                              opts->items[i].key);
    }
    const char *v = drv_option_get(opts, "baud");
    if (v) {
        long rate = 0;
        size_t b = 0;
        if (parse_long(v, 1, 1000000, &rate))
            while (b < sizeof bauds / sizeof *bauds && bauds[b].rate != rate)
                b++;
        if (!rate || b == sizeof bauds / sizeof *bauds)
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "escpos: baud must be 9600, 19200, 38400, 57600 or 115200, not '%s'",
                              v);
        out->serial = true;
        out->speed = bauds[b].speed;
    }
    v = drv_option_get(opts, "timeout_ms");
    long timeout;
    if (v && !parse_long(v, TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, &timeout))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "escpos: timeout_ms must be %d..%d, not '%s'", TIMEOUT_MS_MIN,
                          TIMEOUT_MS_MAX, v);
    if (v)
        out->timeout_ms = (int)timeout;
    v = drv_option_get(opts, "status");
    if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "escpos: status must be true or false");
    out->ask_status = v && strcmp(v, "true") == 0;
    /* The paper's keys (columns, qr, cut) are checked here too, so that a wrong value is
     * refused when the configuration is loaded. */
    drv_escpos_options paper;
    return drv_escpos_options_parse(opts, &paper, err, err_size);
}

/* --- the thread --------------------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_stopping(printer *p)
{
    pthread_mutex_lock(&p->lock);
    bool stop = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return stop;
}

/* Empties the wake pipe and says whether close asked the thread to stop. */
static bool drain_wake(printer *p)
{
    char buf[64];
    while (read(p->wake[0], buf, sizeof buf) > 0)
        continue;
    return is_stopping(p);
}

/* Sleeps up to timeout_ms (-1: until woken) or until a submit or close; true to stop. */
static bool wait_wake(printer *p, int timeout_ms)
{
    struct pollfd w = {p->wake[0], POLLIN, 0};
    if (poll(&w, 1, timeout_ms) > 0)
        return drain_wake(p);
    return is_stopping(p);
}

/* Reports the state when it or its reason changed. A printer that is not ready drops its queue
 * (see the file's comment). Runs on the thread, never under the lock for the callback. */
static void report(printer *p, kiosk_device_state state, const char *reason)
{
    pthread_mutex_lock(&p->lock);
    bool changed = !p->known || p->state != state || strcmp(p->reason, reason) != 0;
    p->known = true;
    p->state = state;
    snprintf(p->reason, sizeof p->reason, "%s", reason);
    if (state != KIOSK_DEVICE_READY)
        p->count = 0;
    pthread_mutex_unlock(&p->lock);
    if (!changed)
        return;
    char text[300];
    snprintf(text, sizeof text, "escpos: %s", reason);
    drv_reading r = {.kind = DRV_READING_STATE, .text = text, .state = state};
    p->on_reading(p->user, &r);
}

/* Raw 8N1 so the job's bytes reach the printer unchanged (no LF to CR LF, no echo). IXON stays
 * on: a printer whose buffer fills may send XOFF, and a status reply is never XON or XOFF (its
 * bit 0 is always clear). */
static int configure_serial(int fd, speed_t speed)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXOFF);
    t.c_iflag |= IXON;
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_cc[VMIN] = 0; /* reads never block; poll() does the waiting */
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0)
        return -1;
    return tcsetattr(fd, TCSANOW, &t);
}

static bool device_open(printer *p, char *why, size_t why_size)
{
    int flags =
        (p->set.ask_status ? O_RDWR : O_WRONLY) | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    /* A missing node under /dev is an unplugged printer: a plain file created in its place would
     * hide the printer when it comes back. Elsewhere the path is a file to create. */
    if (strncmp(p->path, "/dev/", 5) != 0)
        flags |= O_CREAT;
    int fd = open(p->path, flags, 0600); /* receipts carry masked names: owner only */
    if (fd < 0) {
        snprintf(why, why_size, "cannot open %s: %s", p->path, strerror(errno));
        return false;
    }
    if (p->set.serial && configure_serial(fd, p->set.speed) != 0) {
        snprintf(why, why_size, "cannot set up the serial port %s: %s", p->path, strerror(errno));
        close(fd);
        return false;
    }
    p->fd = fd;
    return true;
}

static void device_close(printer *p)
{
    if (p->fd < 0)
        return;
    /* Closing a serial port waits for its output to drain (30 s by default): a stalled job is
     * dropped first so close cannot hang there. */
    if (isatty(p->fd))
        tcflush(p->fd, TCIOFLUSH);
    close(p->fd);
    p->fd = -1;
}

/* Closes the device after a failure and reports why; the caller backs off, then reopens. */
static void fail(printer *p, kiosk_device_state state, const char *why)
{
    device_close(p);
    report(p, state, why);
}

/* Waits until fd is ready for `events` or the deadline passes; IO_DONE when ready. */
static io_result wait_fd(printer *p, short events, long long deadline, char *why, size_t why_size,
                         const char *late)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            snprintf(why, why_size, "%s", late);
            return IO_FAILED;
        }
        struct pollfd fds[2] = {{p->fd, events, 0}, {p->wake[0], POLLIN, 0}};
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno != EINTR) {
            snprintf(why, why_size, "poll: %s", strerror(errno));
            return IO_FAILED;
        }
        if (n > 0 && fds[1].revents && drain_wake(p))
            return IO_ABORTED;
        if (n > 0 && fds[0].revents)
            return IO_DONE; /* POLLERR and POLLHUP too: the read or write says what went wrong */
    }
}

static io_result write_all(printer *p, const uint8_t *bytes, size_t len, kiosk_device_state *state,
                           char *why, size_t why_size)
{
    char late[64];
    snprintf(late, sizeof late, "a write timed out after %d ms", p->set.timeout_ms);
    long long deadline = now_ms() + p->set.timeout_ms;
    *state = KIOSK_DEVICE_DOWN;
    size_t done = 0;
    while (done < len) {
        io_result r = wait_fd(p, POLLOUT, deadline, why, why_size, late);
        if (r != IO_DONE)
            return r;
        ssize_t n = write(p->fd, bytes + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n < 0 && errno == ENOSPC) {
            *state = KIOSK_DEVICE_NO_PAPER; /* the USB printer class driver's "out of paper" */
            snprintf(why, why_size, "out of paper");
        } else {
            snprintf(why, why_size, "cannot write to %s: %s", p->path,
                     n < 0 ? strerror(errno) : "nothing was written");
        }
        return IO_FAILED;
    }
    return IO_DONE;
}

/* Asks DLE EOT 1, 2 and 4 and reads the three reply bytes; *state and why say what the printer
 * answered (IO_DONE) or why there was no answer (IO_FAILED). */
static io_result ask_status(printer *p, kiosk_device_state *state, char *why, size_t why_size)
{
    /* A late reply to an earlier request must not be taken for this one's. */
    uint8_t stale[64], reply[DRV_ESCPOS_STATUS_REPLY_LEN];
    while (read(p->fd, stale, sizeof stale) > 0)
        continue;
    uint8_t request[DRV_ESCPOS_STATUS_REQUEST_LEN];
    drv_escpos_status_request(request);
    io_result r = write_all(p, request, sizeof request, state, why, why_size);
    if (r != IO_DONE)
        return r;
    *state = KIOSK_DEVICE_DOWN;
    long long deadline = now_ms() + p->set.timeout_ms;
    size_t got = 0;
    while (got < DRV_ESCPOS_STATUS_REPLY_LEN) {
        r = wait_fd(p, POLLIN, deadline, why, why_size,
                    "the printer did not answer the status request");
        if (r != IO_DONE)
            return r;
        ssize_t n = read(p->fd, reply + got, DRV_ESCPOS_STATUS_REPLY_LEN - got);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        snprintf(why, why_size, "the printer did not answer the status request (%s)",
                 n < 0 ? strerror(errno) : "end of input");
        return IO_FAILED;
    }
    drv_escpos_status st;
    char err[128];
    if (drv_escpos_status_parse(reply, got, &st, err, sizeof err) != KIOSK_OK) {
        snprintf(why, why_size, "%s", err);
        return IO_FAILED;
    }
    const char *reason;
    *state = drv_escpos_status_state(&st, &reason);
    snprintf(why, why_size, "%s", reason);
    return IO_DONE;
}

/* The job at the head of the queue when the printer may print it, else NULL. */
static const uint8_t *next_job(printer *p, size_t *len)
{
    pthread_mutex_lock(&p->lock);
    const uint8_t *job = NULL;
    if (p->count && p->state == KIOSK_DEVICE_READY) {
        job = p->slots + p->head * DRV_ESCPOS_JOB_MAX;
        *len = p->lens[p->head];
    }
    pthread_mutex_unlock(&p->lock);
    return job;
}

static void pop_job(printer *p)
{
    pthread_mutex_lock(&p->lock);
    if (p->count) {
        p->head = (p->head + 1) % QUEUE_JOBS;
        p->count--;
    }
    pthread_mutex_unlock(&p->lock);
}

/* Waits out the back-off after a failure, doubling it for the next one; true to stop. */
static bool back_off(printer *p, int *ms)
{
    bool stop = wait_wake(p, *ms);
    *ms = *ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *ms * 2;
    return stop;
}

static void *printer_thread(void *arg)
{
    printer *p = arg;
    /* Writing to a FIFO or socket whose reader left raises SIGPIPE, which would end the kiosk;
     * blocked here, the write fails with EPIPE instead. */
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, NULL);

    int backoff = BACKOFF_MIN_MS;
    long long next_status = 0;
    char why[300];
    kiosk_device_state state = KIOSK_DEVICE_DOWN;
    while (!is_stopping(p)) {
        if (p->fd < 0) {
            if (!device_open(p, why, sizeof why)) {
                report(p, KIOSK_DEVICE_DOWN, why);
                if (back_off(p, &backoff))
                    break;
                continue;
            }
            if (!p->set.ask_status)
                report(p, KIOSK_DEVICE_READY, "ready");
            next_status = now_ms();
        }
        if (p->set.ask_status && now_ms() >= next_status) {
            io_result r = ask_status(p, &state, why, sizeof why);
            if (r == IO_ABORTED)
                break;
            if (r == IO_FAILED) {
                fail(p, state, why);
                if (back_off(p, &backoff))
                    break;
                continue;
            }
            report(p, state, why);
            next_status =
                now_ms() + (state == KIOSK_DEVICE_READY ? STATUS_IDLE_MS : STATUS_WAIT_MS);
        }
        size_t len = 0;
        const uint8_t *job = next_job(p, &len);
        if (!job) {
            long long left = next_status - now_ms();
            if (wait_wake(p, !p->set.ask_status ? -1 : left > 0 ? (int)left : 0))
                break;
            continue;
        }
        io_result r = write_all(p, job, len, &state, why, sizeof why);
        pop_job(p);
        if (r == IO_ABORTED)
            break;
        if (r == IO_FAILED) {
            fail(p, state, why);
            if (back_off(p, &backoff))
                break;
            continue;
        }
        backoff = BACKOFF_MIN_MS;
        next_status = now_ms(); /* ask how the printer fared */
    }
    device_close(p);
    return NULL;
}

/* --- the ops ------------------------------------------------------------------------------ */

static kiosk_rc escpos_check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    settings set;
    return parse_settings(arg, opts, &set, err, err_size);
}

static void printer_free(printer *p)
{
    if (p->wake[0] >= 0)
        close(p->wake[0]);
    if (p->wake[1] >= 0)
        close(p->wake[1]);
    pthread_mutex_destroy(&p->lock);
    free(p->slots);
    free(p);
}

static kiosk_rc escpos_open(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                            void *user, void **state, char *err, size_t err_size)
{
    printer *p = calloc(1, sizeof *p);
    if (!p)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    p->fd = -1;
    p->wake[0] = p->wake[1] = -1;
    p->on_reading = on_reading;
    p->user = user;
    pthread_mutex_init(&p->lock, NULL);
    kiosk_rc rc = parse_settings(arg, opts, &p->set, err, err_size);
    if (rc == KIOSK_OK)
        rc = drv_escpos_options_parse(opts, &p->paper, err, err_size);
    if (rc != KIOSK_OK)
        goto out;
    snprintf(p->path, sizeof p->path, "%s", arg);
    p->slots = malloc((size_t)QUEUE_JOBS * DRV_ESCPOS_JOB_MAX);
    if (!p->slots) {
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
        goto out;
    }
    if (pipe(p->wake) != 0) {
        p->wake[0] = p->wake[1] = -1;
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "escpos: pipe: %s", strerror(errno));
        goto out;
    }
    /* Non-blocking at both ends: a submit must not wait on a full pipe, and the thread drains
     * it without blocking. */
    for (int i = 0; i < 2; i++) {
        fcntl(p->wake[i], F_SETFL, fcntl(p->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(p->wake[i], F_SETFD, FD_CLOEXEC);
    }
    if (pthread_create(&p->thread, NULL, printer_thread, p) != 0) {
        rc = kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "escpos: cannot start its thread");
        goto out;
    }
    *state = p;
    return KIOSK_OK;
out:
    printer_free(p);
    return rc;
}

static kiosk_rc escpos_submit(void *state, const uint8_t *bytes, size_t len)
{
    printer *p = state;
    if (len == 0)
        return KIOSK_ERR_INVALID;
    if (len > DRV_ESCPOS_JOB_MAX)
        return KIOSK_ERR_TOO_BIG;
    kiosk_rc rc = KIOSK_OK;
    pthread_mutex_lock(&p->lock);
    if (p->known && p->state != KIOSK_DEVICE_READY) {
        rc = KIOSK_ERR_DEVICE; /* say so now rather than drop the job later */
    } else if (p->count == QUEUE_JOBS) {
        rc = KIOSK_ERR_BUSY;
    } else {
        size_t slot = (p->head + p->count) % QUEUE_JOBS;
        memcpy(p->slots + slot * DRV_ESCPOS_JOB_MAX, bytes, len);
        p->lens[slot] = len;
        p->count++;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc == KIOSK_OK) {
        ssize_t ignored = write(p->wake[1], "j", 1); /* a full pipe already wakes the thread */
        (void)ignored;
    }
    return rc;
}

static kiosk_rc escpos_print(void *state, const kiosk_print_doc *doc, char *err, size_t err_size)
{
    printer *p = state;
    /* One job's worth, off the caller's stack (a job is up to 16 KiB). */
    uint8_t *job = malloc(DRV_ESCPOS_JOB_MAX);
    if (!job)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    size_t len = 0;
    kiosk_rc rc =
        drv_escpos_build_doc(doc, &p->paper, job, DRV_ESCPOS_JOB_MAX, &len, err, err_size);
    if (rc == KIOSK_OK) {
        rc = escpos_submit(p, job, len);
        if (rc != KIOSK_OK)
            kiosk_fail(rc, err, err_size, "%s",
                       rc == KIOSK_ERR_BUSY     ? "the printer's queue is full"
                       : rc == KIOSK_ERR_DEVICE ? "the printer is not ready"
                                                : "the job was refused");
    }
    free(job);
    return rc;
}

static int escpos_paper_columns(const drv_options *opts)
{
    drv_escpos_options paper;
    char err[160];
    return drv_escpos_options_parse(opts, &paper, err, sizeof err) == KIOSK_OK ? paper.columns : 32;
}

static void escpos_close(void *state)
{
    printer *p = state;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_mutex_unlock(&p->lock);
    ssize_t ignored = write(p->wake[1], "x", 1);
    (void)ignored;
    pthread_join(p->thread, NULL);
    printer_free(p);
}

const drv_printer_ops drv_escpos_printer_ops = {
    .name = "escpos",
    .help = "escpos:PATH a USB printer (/dev/usb/lp0), a serial port (with baud) or a file; "
            "options baud, timeout_ms, status, columns, qr, cut",
    .check = escpos_check,
    .open = escpos_open,
    .submit = escpos_submit,
    .print = escpos_print,
    .paper_columns = escpos_paper_columns,
    .close = escpos_close,
};
