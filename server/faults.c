/* faults.c - the fault-injection FIFO and the queue of armed faults (faults.h). The FIFO is
 * opened read-write, so it never reports end-of-file between writers, and the thread waits in
 * poll() on it and on a pipe that stop() writes to. */
#define _POSIX_C_SOURCE 200809L
#include "faults.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#define KIOSK_LOG_MODULE "faults"

#define QUEUE_MAX      64
#define LINE_MAX_BYTES 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static srv_fault queue[QUEUE_MAX];
static size_t queued;
static pthread_t reader;
static bool running;
static int fifo_fd = -1, stop_pipe[2] = {-1, -1};

static const struct {
    const char *name;
    srv_fault_kind kind;
    bool takes_arg;
} commands[] = {
    {"500-before-commit", SRV_FAULT_500_BEFORE_COMMIT, false},
    {"500-after-commit", SRV_FAULT_500_AFTER_COMMIT, false},
    {"kill-after-commit", SRV_FAULT_KILL_AFTER_COMMIT, false},
    {"503", SRV_FAULT_503, true},
    {"429", SRV_FAULT_429, true},
    {"slow", SRV_FAULT_SLOW, true},
    {"clear", SRV_FAULT_CLEAR, false},
};

const char *srv_fault_name(srv_fault_kind kind)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (commands[i].kind == kind)
            return commands[i].name;
    return "none";
}

/* A whole decimal number in [min, max]. */
static bool number(const char *word, long min, long max, long *out)
{
    if (!word || !*word || strlen(word) > 9)
        return false;
    long v = 0;
    for (const char *c = word; *c; c++) {
        if (*c < '0' || *c > '9')
            return false;
        v = v * 10 + (*c - '0');
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool srv_fault_parse(const char *line, srv_fault *out, char *err, size_t err_size)
{
    char copy[LINE_MAX_BYTES], *words[4] = {0}, *save = NULL;
    snprintf(copy, sizeof copy, "%s", line ? line : "");
    int n = 0;
    for (char *w = strtok_r(copy, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
        if (n == 4) {
            snprintf(err, err_size, "too many words");
            return false;
        }
        words[n++] = w;
    }
    if (n == 0) {
        snprintf(err, err_size, "empty command");
        return false;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(words[0], commands[i].name) != 0)
            continue;
        *out = (srv_fault){.kind = commands[i].kind, .count = 1};
        int next = 1;
        if (commands[i].takes_arg) {
            long max = commands[i].kind == SRV_FAULT_SLOW ? 600000 : 86400;
            if (!number(words[1], commands[i].kind == SRV_FAULT_SLOW ? 1 : 0, max, &out->arg)) {
                snprintf(err, err_size, "%s needs %s", words[0],
                         commands[i].kind == SRV_FAULT_SLOW ? "milliseconds (1..600000)"
                                                            : "seconds (0..86400)");
                return false;
            }
            next = 2;
        }
        bool counted =
            commands[i].kind != SRV_FAULT_CLEAR && commands[i].kind != SRV_FAULT_KILL_AFTER_COMMIT;
        if (next < n) {
            if (!counted || next + 1 != n || !number(words[next], 1, 1000000, &out->count)) {
                snprintf(err, err_size, "%s: unexpected '%.20s'", words[0], words[next]);
                return false;
            }
        }
        return true;
    }
    snprintf(err, err_size,
             "unknown command (500-before-commit, 500-after-commit, kill-after-commit, 503 S, "
             "429 S, slow MS, clear)");
    return false;
}

static void arm(const srv_fault *f)
{
    pthread_mutex_lock(&lock);
    if (f->kind == SRV_FAULT_CLEAR) {
        queued = 0;
        pthread_mutex_unlock(&lock);
        KLOG_INFO("fault armed: clear (nothing armed now)");
        return;
    }
    bool full = queued == QUEUE_MAX;
    if (!full)
        queue[queued++] = *f;
    pthread_mutex_unlock(&lock);
    if (full)
        KLOG_WARN("fault refused: %d commands are armed already", QUEUE_MAX);
    else
        KLOG_INFO("fault armed: %s %ld for the next %ld batch request(s)", srv_fault_name(f->kind),
                  f->arg, f->count);
}

srv_fault srv_faults_take(void)
{
    srv_fault f = {.kind = SRV_FAULT_NONE};
    pthread_mutex_lock(&lock);
    if (queued) {
        f = queue[0];
        f.count = 1;
        if (--queue[0].count == 0) {
            memmove(queue, queue + 1, (queued - 1) * sizeof *queue);
            queued--;
        }
    }
    pthread_mutex_unlock(&lock);
    return f;
}

static void handle_line(const char *line)
{
    srv_fault f;
    char err[160];
    if (srv_fault_parse(line, &f, err, sizeof err))
        arm(&f);
    else
        KLOG_WARN("fault refused: %s", err);
}

static void *read_commands(void *arg)
{
    (void)arg;
    char buf[LINE_MAX_BYTES];
    size_t used = 0;
    bool overlong = false;
    for (;;) {
        struct pollfd fds[2] = {{.fd = fifo_fd, .events = POLLIN},
                                {.fd = stop_pipe[0], .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents)
            break;
        if (!(fds[0].revents & POLLIN))
            continue;
        char chunk[128];
        ssize_t n = read(fifo_fd, chunk, sizeof chunk);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            break;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                buf[used] = '\0';
                if (overlong)
                    KLOG_WARN("fault refused: a line longer than %d bytes", LINE_MAX_BYTES - 1);
                else if (used)
                    handle_line(buf);
                used = 0;
                overlong = false;
            } else if (used + 1 < sizeof buf) {
                buf[used++] = chunk[i];
            } else {
                overlong = true;
            }
        }
    }
    return NULL;
}

kiosk_rc srv_faults_start(const char *fifo_path)
{
    struct stat sb;
    if (stat(fifo_path, &sb) != 0) {
        if (mkfifo(fifo_path, 0600) != 0) {
            KLOG_ERROR("--faults %s: %s", fifo_path, strerror(errno));
            return KIOSK_ERR_IO;
        }
    } else if (!S_ISFIFO(sb.st_mode)) {
        KLOG_ERROR("--faults %s: not a FIFO", fifo_path);
        return KIOSK_ERR_CONFIG;
    }
    fifo_fd = open(fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fifo_fd < 0) {
        KLOG_ERROR("--faults %s: %s", fifo_path, strerror(errno));
        return KIOSK_ERR_IO;
    }
    if (pipe(stop_pipe) != 0) {
        close(fifo_fd);
        fifo_fd = -1;
        return KIOSK_ERR_IO;
    }
    if (pthread_create(&reader, NULL, read_commands, NULL) != 0) {
        close(fifo_fd);
        close(stop_pipe[0]);
        close(stop_pipe[1]);
        fifo_fd = stop_pipe[0] = stop_pipe[1] = -1;
        return KIOSK_ERR_NOMEM;
    }
    running = true;
    KLOG_WARN("fault injection is on (test only): commands are read from %s", fifo_path);
    return KIOSK_OK;
}

void srv_faults_stop(void)
{
    if (!running)
        return;
    ssize_t ignored = write(stop_pipe[1], "x", 1);
    (void)ignored;
    pthread_join(reader, NULL);
    close(fifo_fd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    fifo_fd = stop_pipe[0] = stop_pipe[1] = -1;
    running = false;
}
