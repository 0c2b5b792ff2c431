/* test_sdnotify.c - the NOTIFY_SOCKET client (kiosk/sdnotify.h): datagrams arrive whole on a
 * path socket and on an abstract one, nothing is sent without NOTIFY_SOCKET, a bad name is an
 * error, and WATCHDOG_USEC / WATCHDOG_PID are read as sd_watchdog_enabled() reads them. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "sdnotify.h"

/* A listening datagram socket named name ("@..." abstract); -1 on failure. */
static int listen_on(const char *name)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(addr.sun_path, name, len);
    if (name[0] == '@')
        addr.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) != 0)
        return -1;
    return fd;
}

static void receive(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
}

static void round_trip(const char *name)
{
    int fd = listen_on(name);
    CHECK(fd >= 0);
    setenv("NOTIFY_SOCKET", name, 1);
    CHECK_INT(kiosk_sdnotify("READY=1\nSTATUS=canteen idle; 0 pending"), 1);
    char buf[256];
    receive(fd, buf, sizeof buf);
    CHECK_STR(buf, "READY=1\nSTATUS=canteen idle; 0 pending");
    CHECK_INT(kiosk_sdnotifyf("STATUS=%s %d", "pending", 500), 1);
    receive(fd, buf, sizeof buf);
    CHECK_STR(buf, "STATUS=pending 500");
    close(fd);
}

int main(void)
{
    const char *dir = check_scratch_dir("sdnotify");
    CHECK(dir != NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/notify.sock", dir);
    round_trip(path);
    char abstract[64];
    snprintf(abstract, sizeof abstract, "@kiosk-test-sdnotify-%ld", (long)getpid());
    round_trip(abstract);

    /* Outside systemd: nothing to do, and no error. */
    unsetenv("NOTIFY_SOCKET");
    CHECK_INT(kiosk_sdnotify("WATCHDOG=1"), 0);
    setenv("NOTIFY_SOCKET", "", 1);
    CHECK_INT(kiosk_sdnotify("WATCHDOG=1"), 0);
    /* A relative name, or nobody listening: an error the caller may log, never a hang. */
    setenv("NOTIFY_SOCKET", "relative.sock", 1);
    CHECK_INT(kiosk_sdnotify("WATCHDOG=1"), -1);
    snprintf(path, sizeof path, "%s/nobody.sock", dir);
    setenv("NOTIFY_SOCKET", path, 1);
    CHECK_INT(kiosk_sdnotify("WATCHDOG=1"), -1);
    unsetenv("NOTIFY_SOCKET");

    /* sd_watchdog_enabled(): a positive interval, for this process (or any when no pid). */
    uint64_t usec = 1;
    CHECK(kiosk_sdnotify_watchdog_parse("5000000", NULL, 42, &usec));
    CHECK_INT(usec, 5000000);
    CHECK(kiosk_sdnotify_watchdog_parse("5000000", "", 42, &usec));
    CHECK(kiosk_sdnotify_watchdog_parse("5000000", "42", 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse("5000000", "43", 42, &usec));
    CHECK_INT(usec, 0);
    CHECK(!kiosk_sdnotify_watchdog_parse("5000000", "4x", 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse(NULL, NULL, 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse("0", NULL, 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse("-5", NULL, 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse("5s", NULL, 42, &usec));
    CHECK(!kiosk_sdnotify_watchdog_parse("99999999999999999999999", NULL, 42, &usec));
    char me[32];
    snprintf(me, sizeof me, "%ld", (long)getpid());
    setenv("WATCHDOG_USEC", "2000000", 1);
    setenv("WATCHDOG_PID", me, 1);
    CHECK(kiosk_sdnotify_watchdog(&usec));
    CHECK_INT(usec, 2000000);
    setenv("WATCHDOG_PID", "1", 1);
    CHECK(!kiosk_sdnotify_watchdog(&usec));
    check_scratch_remove(dir);
    CHECK_DONE();
}
