/* sdnotify.c - the NOTIFY_SOCKET datagram protocol (see sdnotify.h and sd_notify(3)): one
 * AF_UNIX SOCK_DGRAM message of "KEY=VALUE" lines per call; a socket name starting with '@' is
 * in the abstract namespace (the '@' becomes a leading NUL byte). */
#define _GNU_SOURCE /* SOCK_CLOEXEC, SOCK_NONBLOCK, MSG_NOSIGNAL */
#include "sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int kiosk_sdnotify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0])
        return 0;
    size_t len = strlen(path);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof addr.sun_path) {
        errno = EINVAL;
        return -1;
    }
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0';
    /* An abstract name's length is exact (no terminating NUL counts); a path's includes none
     * either, which the kernel accepts. */
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    ssize_t sent =
        sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
    int saved = errno;
    close(fd);
    if (sent < 0) {
        errno = saved;
        return -1;
    }
    return 1;
}

int kiosk_sdnotifyf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return kiosk_sdnotify(buf);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

bool kiosk_sdnotify_watchdog_parse(const char *watchdog_usec, const char *watchdog_pid, pid_t self,
                                   uint64_t *usec)
{
    *usec = 0;
    uint64_t v, pid;
    if (!parse_u64(watchdog_usec, &v) || v == 0)
        return false;
    /* The watchdog is meant for the main process only: a child started with the service's
     * environment (a helper) must not think it is watched. */
    if (watchdog_pid && watchdog_pid[0] &&
        (!parse_u64(watchdog_pid, &pid) || pid == 0 || pid != (uint64_t)self))
        return false;
    *usec = v;
    return true;
}

bool kiosk_sdnotify_watchdog(uint64_t *usec)
{
    return kiosk_sdnotify_watchdog_parse(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"), getpid(),
                                         usec);
}
