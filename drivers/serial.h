/* serial.h - a serial port (a UART, a USB-serial bridge, a pseudo-terminal) in raw 8N1 mode
 * without flow control, with bounded waits that a second file descriptor (the caller's
 * self-pipe) can cut short. Pure POSIX termios and poll(2). Shared by the serial device drivers
 * (the ID-card reader; the ESC/POS printer may use it too).
 * A port belongs to one thread at a time: the driver thread that opened it uses and closes it.
 *
 * Return codes of the waiting calls:
 *   KIOSK_OK           done
 *   KIOSK_ERR_TIMEOUT  nothing (more) came, or the port would not take the bytes, in time
 *   KIOSK_ERR_IO       the port failed or hung up (unplugged): close it and open it again
 *   DRV_SERIAL_ABORTED the abort descriptor became readable: the caller is being stopped */
#ifndef DRV_SERIAL_H
#define DRV_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* kiosk_rc has no "cancelled"; BUSY is the closest word and nothing else here returns it. */
#define DRV_SERIAL_ABORTED KIOSK_ERR_BUSY

#define DRV_SERIAL_DEFAULT_BAUD 115200

typedef struct drv_serial drv_serial;

/* True for the rates a port may be opened at: 9600, 19200, 38400, 57600, 115200. */
bool drv_serial_baud_valid(long baud);

/* Opens the tty at path (it must be one) in raw 8N1 at baud, and discards whatever was waiting
 * in it. abort_fd (>= 0) is polled beside the port by every wait; the caller keeps it open for
 * the port's life. KIOSK_ERR_DEVICE (or KIOSK_ERR_INVALID for a bad baud, KIOSK_ERR_NOMEM) with
 * the system's reason in err. The port is the caller's until drv_serial_close. */
KIOSK_MUST_CHECK kiosk_rc drv_serial_open(const char *path, long baud, int abort_fd,
                                          drv_serial **out, char *err, size_t err_size);

/* Closes the port and frees it (NULL is fine). */
void drv_serial_close(drv_serial *port);

/* Writes all len bytes, waiting at most timeout_ms in all for the port to take them. */
KIOSK_MUST_CHECK kiosk_rc drv_serial_write(drv_serial *port, const uint8_t *bytes, size_t len,
                                           int timeout_ms);

/* Waits at most timeout_ms for input, then reads what is there (at most cap bytes, at least
 * one) into buf; *got says how many. */
KIOSK_MUST_CHECK kiosk_rc drv_serial_read(drv_serial *port, uint8_t *buf, size_t cap, size_t *got,
                                          int timeout_ms);

/* Discards input received but not yet read (a late reply to an earlier command). */
KIOSK_MUST_CHECK kiosk_rc drv_serial_flush_input(drv_serial *port);

/* The system's words for the last KIOSK_ERR_IO ("Input/output error", "hung up"), for the log;
 * borrowed until the next call on the port. */
const char *drv_serial_error(const drv_serial *port);

#endif
