/* kiosk_supervise.c - a small stand-in for systemd's service manager, for tests on machines
 * where systemd is not PID 1: it listens on a NOTIFY_SOCKET (a path, or an abstract name),
 * starts the command with NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID set as a Type=notify
 * unit's main process gets them, logs every notification with its time, kills the process
 * with SIGABRT (then SIGKILL) when the watchdog runs out as systemd's WatchdogSec= does, and
 * restarts it as Restart= does (but not after exit status N: RestartPreventExitStatus=).
 *
 *   kiosk_supervise --log FILE [--watchdog-ms N] [--restart-ms N] [--max-starts N]
 *                   [--prevent-status N] [--abstract] [--run-ms N] [--ready-file PATH]
 *                   -- COMMAND [ARG...]
 *
 * The log has one line per event, "MS EVENT PID [TEXT]", MS counted from the supervisor's
 * start on the monotonic clock: start, ready (with " no-file" when --ready-file's PATH did not
 * exist at that moment: the test of "ready after the first frame"), status TEXT, watchdog,
 * watchdog_usec N, stopping, other TEXT, expired (the watchdog ran out), exit STATUS, killed
 * SIGNAL, foreign TEXT (a message from another process: ignored, as NotifyAccess=main does).
 * SIGTERM or SIGINT stop the child (SIGTERM, SIGKILL after 5 s) and the supervisor. Exit status 0,
 * 2 on bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static FILE *log_file;
static int64_t t0;
static const char *ready_file;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    va_list ap;
    fprintf(log_file, "%lld ", (long long)(mono_ms() - t0));
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
    fputc('\n', log_file);
    fflush(log_file);
}

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: kiosk_supervise --log FILE [--watchdog-ms N] [--restart-ms N]"
            " [--max-starts N] [--prevent-status N] [--abstract] [--run-ms N] [--ready-file PATH]"
            " -- COMMAND [ARG...]\n");
    return 2;
}

static pid_t start_child(char **argv, const char *socket_name, int64_t watchdog_ms)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    char usec[32], me[32];
    setenv("NOTIFY_SOCKET", socket_name, 1);
    if (watchdog_ms > 0) {
        snprintf(usec, sizeof usec, "%lld", (long long)watchdog_ms * 1000);
        snprintf(me, sizeof me, "%ld", (long)getpid());
        setenv("WATCHDOG_USEC", usec, 1);
        setenv("WATCHDOG_PID", me, 1);
    } else {
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    execvp(argv[0], argv);
    fprintf(stderr, "kiosk_supervise: %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* One datagram: each line "KEY=VALUE" logged as an event of the process that sent it. */
static void handle_message(int fd, pid_t child, int64_t *deadline, int64_t *watchdog_ms)
{
    char buf[4096];
    char control[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {buf, sizeof buf - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0)
        return;
    buf[n] = '\0';
    pid_t sender = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            sender = cred.pid;
        }
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (sender != child) {
            logf_("foreign %ld %s", (long)sender, line);
            continue;
        }
        if (strcmp(line, "READY=1") == 0) {
            logf_("ready %ld%s", (long)sender,
                  ready_file && access(ready_file, F_OK) != 0 ? " no-file" : "");
        } else if (strncmp(line, "STATUS=", 7) == 0) {
            logf_("status %ld %s", (long)sender, line + 7);
        } else if (strcmp(line, "WATCHDOG=1") == 0) {
            logf_("watchdog %ld", (long)sender);
            if (*watchdog_ms > 0)
                *deadline = mono_ms() + *watchdog_ms;
        } else if (strncmp(line, "WATCHDOG_USEC=", 14) == 0) {
            long long v = atoll(line + 14);
            logf_("watchdog_usec %ld %lld", (long)sender, v);
            if (v > 0) {
                *watchdog_ms = v / 1000;
                *deadline = mono_ms() + *watchdog_ms;
            }
        } else if (strcmp(line, "STOPPING=1") == 0) {
            logf_("stopping %ld", (long)sender);
        } else {
            logf_("other %ld %s", (long)sender, line);
        }
    }
}

static void log_end(pid_t pid, int status)
{
    if (WIFEXITED(status))
        logf_("exit %ld %d", (long)pid, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        logf_("killed %ld %d", (long)pid, WTERMSIG(status));
}

/* SIGTERM, then SIGKILL after 5 s, as the unit's stop does (TimeoutStopSec=5). */
static void stop_child(int fd, pid_t pid)
{
    int status;
    int64_t deadline = 0, watchdog_ms = 0; /* no watchdog while stopping */
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        while (poll(&p, 1, 0) > 0) /* what it says while stopping (STOPPING=1) */
            handle_message(fd, pid, &deadline, &watchdog_ms);
        if (waitpid(pid, &status, WNOHANG) == pid) {
            log_end(pid, status);
            return;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    if (waitpid(pid, &status, 0) == pid)
        log_end(pid, status);
}

int main(int argc, char **argv)
{
    const char *log_path = NULL;
    int64_t watchdog_ms = 0, restart_ms = -1, run_ms = -1;
    long max_starts = 1000000;
    int prevent_status = -1;
    bool abstract = false;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc && strcmp(argv[i], "--abstract") != 0)
            return usage();
        if (strcmp(argv[i], "--log") == 0)
            log_path = argv[++i];
        else if (strcmp(argv[i], "--watchdog-ms") == 0)
            watchdog_ms = atoll(argv[++i]);
        else if (strcmp(argv[i], "--restart-ms") == 0)
            restart_ms = atoll(argv[++i]);
        else if (strcmp(argv[i], "--max-starts") == 0)
            max_starts = atol(argv[++i]);
        else if (strcmp(argv[i], "--run-ms") == 0)
            run_ms = atoll(argv[++i]);
        else if (strcmp(argv[i], "--prevent-status") == 0)
            prevent_status = atoi(argv[++i]);
        else if (strcmp(argv[i], "--ready-file") == 0)
            ready_file = argv[++i];
        else if (strcmp(argv[i], "--abstract") == 0)
            abstract = true;
        else
            return usage();
    }
    if (!log_path || i >= argc)
        return usage();
    char **command = argv + i;
    log_file = fopen(log_path, "a");
    if (!log_file) {
        perror(log_path);
        return 1;
    }
    t0 = mono_ms();

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char name[sizeof addr.sun_path];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (abstract)
        snprintf(name, sizeof name, "@kiosk-supervise-%ld", (long)getpid());
    else
        snprintf(name, sizeof name, "%s/kiosk-notify-%ld.sock", tmp, (long)getpid());
    size_t len = strlen(name);
    memcpy(addr.sun_path, name, len);
    if (abstract)
        addr.sun_path[0] = '\0';
    else
        unlink(name);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&addr,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) != 0) {
        perror("notify socket");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    long starts = 0;
    pid_t child = -1;
    int64_t deadline = 0, restart_at = mono_ms(), current_wd = watchdog_ms;
    int64_t end = run_ms >= 0 ? mono_ms() + run_ms : INT64_MAX;
    while (!stop_requested && mono_ms() < end) {
        if (child < 0 && restart_at >= 0 && mono_ms() >= restart_at && starts < max_starts) {
            current_wd = watchdog_ms;
            child = start_child(command, name, watchdog_ms);
            starts++;
            logf_("start %ld", (long)child);
            deadline = watchdog_ms > 0 ? mono_ms() + watchdog_ms : 0;
        }
        int status;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5) > 0)
            handle_message(fd, child, &deadline, &current_wd);
        if (child > 0 && deadline && mono_ms() >= deadline) {
            logf_("expired %ld", (long)child);
            kill(child, SIGABRT); /* WatchdogSignal=SIGABRT; SIGKILL after a while */
            deadline = 0;
            int64_t abort_until = mono_ms() + 2000;
            while (mono_ms() < abort_until && !stop_requested) {
                if (waitpid(child, &status, WNOHANG) == child)
                    goto ended;
                usleep(10000);
            }
            kill(child, SIGKILL);
        }
        if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
        ended:
            log_end(child, status);
            child = -1;
            deadline = 0;
            restart_at = restart_ms >= 0 ? mono_ms() + restart_ms : -1;
            if (WIFEXITED(status) && WEXITSTATUS(status) == prevent_status)
                restart_at = -1;
            if (restart_at < 0 || starts >= max_starts)
                break;
        }
    }
    if (child > 0)
        stop_child(fd, child);
    if (!abstract)
        unlink(name);
    logf_("end 0");
    fclose(log_file);
    return 0;
}
