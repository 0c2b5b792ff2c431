/* sim_reader.c - the simulated reader: command lines from standard input ("sim:-") or from a
 * FIFO ("sim:PATH", reopened at EOF so test scripts can write to it again). A thread polls the
 * input and a self-pipe; closing writes to the pipe so the thread returns at once. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"

#define SIM_LINE_MAX 1024

typedef struct sim_state {
    char path[512]; /* "" = stdin */
    int fd;
    int abort_pipe[2];
    pthread_t thread;
    drv_reading_fn on_reading;
    void *user;
    char line[SIM_LINE_MAX];
    size_t line_len;
    bool overlong;
} sim_state;

static void emit(sim_state *s, drv_reading_kind kind, const char *text)
{
    drv_reading r = {.kind = kind, .text = text};
    s->on_reading(s->user, &r);
}

static void emit_state(sim_state *s, kiosk_device_state state, const char *text)
{
    drv_reading r = {.kind = DRV_READING_STATE, .text = text, .state = state};
    s->on_reading(s->user, &r);
}

/* Splits the bytes into lines; a line longer than the maximum is reported and skipped. */
static void feed(sim_state *s, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n') {
            if (s->overlong) {
                emit_state(s, KIOSK_DEVICE_READY, "sim: a line longer than 1023 bytes was skipped");
            } else {
                s->line[s->line_len] = '\0';
                emit(s, DRV_READING_LINE, s->line);
            }
            s->line_len = 0;
            s->overlong = false;
        } else if (s->line_len < SIM_LINE_MAX - 1) {
            s->line[s->line_len++] = c;
        } else {
            s->overlong = true;
        }
    }
}

static int open_input(sim_state *s)
{
    if (!s->path[0])
        return STDIN_FILENO;
    /* O_NONBLOCK so opening a FIFO with no writer yet does not block the thread forever; the
     * poll below does the waiting, abortably. */
    return open(s->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

static void *sim_thread(void *arg)
{
    sim_state *s = arg;
    char buf[4096];
    for (;;) {
        struct pollfd fds[2] = {{s->fd, POLLIN, 0}, {s->abort_pipe[0], POLLIN, 0}};
        int n = poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fds[1].revents)
            break;
        ssize_t got = read(s->fd, buf, sizeof buf);
        if (got > 0) {
            feed(s, buf, (size_t)got);
            continue;
        }
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        /* EOF (or an error): a final unterminated line still counts. */
        if (s->line_len) {
            feed(s, "\n", 1);
        }
        if (!s->path[0]) {
            emit(s, DRV_READING_END, NULL);
            break;
        }
        close(s->fd);
        s->fd = open_input(s);
        if (s->fd < 0) {
            emit_state(s, KIOSK_DEVICE_DOWN, "sim: cannot reopen the FIFO");
            break;
        }
        /* A FIFO with no writer polls as "hung up" at once; wait a little between reopens so
         * this does not spin. */
        struct pollfd ab = {s->abort_pipe[0], POLLIN, 0};
        if (poll(&ab, 1, 50) > 0)
            break;
    }
    return NULL;
}

static void sim_close(void *state)
{
    sim_state *s = state;
    if (!s)
        return;
    ssize_t ignored = write(s->abort_pipe[1], "x", 1);
    (void)ignored;
    pthread_join(s->thread, NULL);
    if (s->path[0] && s->fd >= 0)
        close(s->fd);
    close(s->abort_pipe[0]);
    close(s->abort_pipe[1]);
    free(s);
}

static kiosk_rc sim_check(const char *arg, const drv_options *opts, char *err, size_t err_size)
{
    if (!arg[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "sim needs - (standard input) or the path of a FIFO: sim:- or sim:PATH");
    if (strlen(arg) >= sizeof((sim_state *)0)->path)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "sim: the path is too long");
    if (opts && opts->count)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "sim takes no option '%s'",
                          opts->items[0].key);
    return KIOSK_OK;
}

static kiosk_rc sim_open(const char *arg, const drv_options *opts, drv_reading_fn on_reading,
                         void *user, void **state, char *err, size_t err_size)
{
    (void)opts;
    sim_state *s = calloc(1, sizeof *s);
    if (!s)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    if (strcmp(arg, "-") != 0)
        snprintf(s->path, sizeof s->path, "%s", arg);
    s->on_reading = on_reading;
    s->user = user;
    if (pipe(s->abort_pipe) != 0) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "sim: pipe: %s", strerror(errno));
        free(s);
        return rc;
    }
    s->fd = open_input(s);
    if (s->fd < 0) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "sim: cannot open %s: %s", s->path,
                                 strerror(errno));
        close(s->abort_pipe[0]);
        close(s->abort_pipe[1]);
        free(s);
        return rc;
    }
    if (pthread_create(&s->thread, NULL, sim_thread, s) != 0) {
        if (s->path[0])
            close(s->fd);
        close(s->abort_pipe[0]);
        close(s->abort_pipe[1]);
        free(s);
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "sim: cannot start its thread");
    }
    *state = s;
    return KIOSK_OK;
}

const drv_reader_ops drv_sim_reader_ops = {
    .name = "sim",
    .help = "sim:- (commands on standard input) or sim:PATH (a FIFO, reopened at its end)",
    .check = sim_check,
    .open = sim_open,
    .close = sim_close,
};
