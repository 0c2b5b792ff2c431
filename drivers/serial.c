/* serial.c - raw 8N1 serial ports with abortable, bounded waits (see serial.h). */
#define _POSIX_C_SOURCE 200809L
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct drv_serial {
    int fd;
    int abort_fd;
    char error[128];
};

static const struct {
    long baud;
    speed_t speed;
} rates[] = {
    {9600, B9600}, {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200},
};

static bool rate_find(long baud, speed_t *speed)
{
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        if (rates[i].baud == baud) {
            *speed = rates[i].speed;
            return true;
        }
    }
    return false;
}

bool drv_serial_baud_valid(long baud)
{
    speed_t speed;
    return rate_find(baud, &speed);
}

/* Raw mode spelled out with POSIX flags (cfmakeraw is not POSIX): no echo, no line editing, no
 * signals, no CR/LF translation, no software flow control, 8 data bits, no parity, one stop
 * bit; reads return what is there (the waiting is poll's). */
static void make_raw(struct termios *t)
{
    t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                              IXOFF | IXANY | INPCK);
    t->c_oflag &= ~(tcflag_t)OPOST;
    t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    t->c_cflag |= CS8 | CREAD | CLOCAL;
#ifdef CRTSCTS
    /* Not POSIX, but where it exists it must be off: the readers wire no RTS/CTS. */
    t->c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    t->c_cc[VMIN] = 0;
    t->c_cc[VTIME] = 0;
}

kiosk_rc drv_serial_open(const char *path, long baud, int abort_fd, drv_serial **out, char *err,
                         size_t err_size)
{
    *out = NULL;
    speed_t speed;
    if (!rate_find(baud, &speed))
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "%ld baud is not supported", baud);
    drv_serial *port = calloc(1, sizeof *port);
    if (!port)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    port->abort_fd = abort_fd;
    /* Non-blocking: poll does the waiting, so an abort never waits behind a read. */
    port->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (port->fd < 0) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_DEVICE, err, err_size, "cannot open %s: %s", path,
                                 strerror(errno));
        free(port);
        return rc;
    }
    struct termios t;
    if (!isatty(port->fd) || tcgetattr(port->fd, &t) != 0) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_DEVICE, err, err_size, "%s is not a serial port", path);
        drv_serial_close(port);
        return rc;
    }
    make_raw(&t);
    if (cfsetispeed(&t, speed) != 0 || cfsetospeed(&t, speed) != 0 ||
        tcsetattr(port->fd, TCSANOW, &t) != 0 || tcflush(port->fd, TCIOFLUSH) != 0) {
        kiosk_rc rc = kiosk_fail(KIOSK_ERR_DEVICE, err, err_size, "cannot set up %s: %s", path,
                                 strerror(errno));
        drv_serial_close(port);
        return rc;
    }
    *out = port;
    return KIOSK_OK;
}

void drv_serial_close(drv_serial *port)
{
    if (!port)
        return;
    if (port->fd >= 0)
        close(port->fd);
    free(port);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static kiosk_rc io_failed(drv_serial *port, const char *what)
{
    snprintf(port->error, sizeof port->error, "%s", what);
    return KIOSK_ERR_IO;
}

/* Waits until the port is ready for `events` or the deadline passes. */
static kiosk_rc wait_for(drv_serial *port, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left < 0)
            left = 0;
        struct pollfd fds[2] = {{port->fd, events, 0}, {port->abort_fd, POLLIN, 0}};
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_failed(port, strerror(errno));
        if (fds[1].revents)
            return DRV_SERIAL_ABORTED;
        if (fds[0].revents & events)
            return KIOSK_OK;
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            return io_failed(port, fds[0].revents & POLLHUP ? "hung up" : "device error");
        if (n == 0)
            return KIOSK_ERR_TIMEOUT;
    }
}

kiosk_rc drv_serial_write(drv_serial *port, const uint8_t *bytes, size_t len, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(port->fd, bytes + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return io_failed(port, strerror(errno));
        kiosk_rc rc = wait_for(port, POLLOUT, deadline);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

kiosk_rc drv_serial_read(drv_serial *port, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    *got = 0;
    for (;;) {
        kiosk_rc rc = wait_for(port, POLLIN, deadline);
        if (rc != KIOSK_OK)
            return rc;
        ssize_t n = read(port->fd, buf, cap);
        if (n > 0) {
            *got = (size_t)n;
            return KIOSK_OK;
        }
        if (n == 0)
            return io_failed(port, "hung up"); /* a tty reads 0 only when its line is gone */
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return io_failed(port, strerror(errno));
    }
}

kiosk_rc drv_serial_flush_input(drv_serial *port)
{
    if (tcflush(port->fd, TCIFLUSH) != 0)
        return io_failed(port, strerror(errno));
    return KIOSK_OK;
}

const char *drv_serial_error(const drv_serial *port)
{
    return port->error;
}
