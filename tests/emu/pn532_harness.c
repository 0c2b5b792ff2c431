/* pn532_harness.c - the PN532 emulator as a child process of a test program (pn532_harness.h). */
#define _POSIX_C_SOURCE 200809L
#include "pn532_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t pn532_harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pn532_harness_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

kiosk_rc pn532_harness_start(pn532_harness *h, const char *emulator, const char *dir,
                             const char *const *flags, char *err, size_t err_size)
{
    memset(h, 0, sizeof *h);
    h->pid = -1;
    h->control = -1;
    if (!dir)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "no scratch directory");
    char control[600], link[600];
    snprintf(control, sizeof control, "%s/control", dir);
    snprintf(link, sizeof link, "%s/tty", dir);
    snprintf(h->log, sizeof h->log, "%s/emu.log", dir);
    snprintf(h->connstring, sizeof h->connstring, "pn532_uart:%s", link);
    const char *argv[24] = {emulator, "--control", control, "--link", link, "--log", h->log};
    size_t argc = 7;
    for (size_t i = 0; flags && flags[i] && argc < 23; i++)
        argv[argc++] = flags[i];
    h->pid = fork();
    if (h->pid < 0)
        return kiosk_fail(KIOSK_ERR_IO, err, err_size, "fork: %s", strerror(errno));
    if (h->pid == 0) {
        /* The slave path printed on stdout is not needed: the link names it. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execv(emulator, (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        struct stat st;
        if (stat(link, &st) == 0) {
            h->control = open(control, O_WRONLY | O_CLOEXEC);
            return h->control >= 0 ? KIOSK_OK
                                   : kiosk_fail(KIOSK_ERR_IO, err, err_size, "open %s: %s", control,
                                                strerror(errno));
        }
        if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
            h->pid = -1;
            return kiosk_fail(KIOSK_ERR_DEVICE, err, err_size, "%s exited at start", emulator);
        }
        pn532_harness_sleep_ms(10);
    }
    return kiosk_fail(KIOSK_ERR_TIMEOUT, err, err_size, "%s made no pty in 5 s", emulator);
}

/* Control lines the emulator has run so far: each is logged as "<stamp> ctl <line>". */
static unsigned control_lines_run(const pn532_harness *h)
{
    FILE *f = fopen(h->log, "r");
    if (!f)
        return 0;
    unsigned count = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        const char *space = strchr(line, ' ');
        if (space && strncmp(space, " ctl ", 5) == 0)
            count++;
    }
    fclose(f);
    return count;
}

void pn532_harness_send(pn532_harness *h, const char *line)
{
    char buf[300];
    int n = snprintf(buf, sizeof buf, "%s\n", line);
    if (h->control < 0 || n <= 0 || (size_t)n >= sizeof buf ||
        write(h->control, buf, (size_t)n) != n) {
        fprintf(stderr, "pn532_harness: could not send '%s'\n", line);
        return;
    }
    /* The FIFO and the pty are two channels: without waiting, a command libnfc sends next can
     * reach the emulator before this line does (seen on a loaded machine: a reader told to be
     * silent still answered). Wait until the emulator has logged it, at most 2 s. */
    h->sent++;
    for (int i = 0; i < 400 && control_lines_run(h) < h->sent; i++)
        pn532_harness_sleep_ms(5);
}

void pn532_harness_dump_log(const pn532_harness *h)
{
    FILE *f = fopen(h->log, "r");
    if (!f)
        return;
    char line[1024];
    fprintf(stderr, "--- emulator log %s\n", h->log);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

void pn532_harness_stop(pn532_harness *h)
{
    if (h->pid > 0) {
        pn532_harness_send(h, "quit");
        int status, i = 0;
        while (waitpid(h->pid, &status, WNOHANG) == 0 && i++ < 300)
            pn532_harness_sleep_ms(10);
        if (i > 300) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &status, 0);
        }
    }
    if (h->control >= 0)
        close(h->control);
    h->pid = -1;
    h->control = -1;
}
