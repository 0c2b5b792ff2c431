/* events_log.c - JSON lines through O_APPEND writes. */
#define _POSIX_C_SOURCE 200809L
#include "events_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#define KIOSK_LOG_MODULE "events"

struct kiosk_events_log {
    int fd;
};

kiosk_rc kiosk_events_log_open(const char *path, kiosk_events_log **out)
{
    *out = NULL;
    if (!path || !*path)
        return KIOSK_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        KLOG_ERROR("cannot open events file %s: %s", path, strerror(errno));
        return KIOSK_ERR_IO;
    }
    kiosk_events_log *log = malloc(sizeof *log);
    if (!log) {
        close(fd);
        return KIOSK_ERR_NOMEM;
    }
    log->fd = fd;
    *out = log;
    return KIOSK_OK;
}

void kiosk_events_log_close(kiosk_events_log *log)
{
    if (!log)
        return;
    close(log->fd);
    free(log);
}

kiosk_rc kiosk_events_log_take(kiosk_events_log *log, json_t *obj)
{
    if (!obj)
        return KIOSK_ERR_NOMEM;
    if (!log) {
        json_decref(obj);
        return KIOSK_OK;
    }
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text)
        return KIOSK_ERR_NOMEM;
    size_t len = strlen(text);
    text[len] = '\n'; /* json_dumps' terminator becomes the newline; we write len + 1 bytes */
    ssize_t n;
    do {
        n = write(log->fd, text, len + 1);
    } while (n < 0 && errno == EINTR);
    free(text);
    if (n != (ssize_t)(len + 1)) {
        KLOG_ERROR("events file write failed: %s", n < 0 ? strerror(errno) : "short write");
        return KIOSK_ERR_IO;
    }
    return KIOSK_OK;
}
