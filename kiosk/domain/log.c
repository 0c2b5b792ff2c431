/* log.c - one formatted line per call to stderr (and syslog). */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static kiosk_log_level threshold = KIOSK_LOG_INFO;
static bool to_syslog;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kiosk_log_setup(kiosk_log_level level, bool use_syslog)
{
    threshold = level;
    if (use_syslog && !to_syslog)
        openlog("kiosk", LOG_PID, LOG_USER);
    to_syslog = use_syslog;
}

bool kiosk_log_level_parse(const char *name, kiosk_log_level *out)
{
    for (int i = 0; i <= KIOSK_LOG_DEBUG; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (kiosk_log_level)i;
            return true;
        }
    }
    return false;
}

void kiosk_log(kiosk_log_level level, const char *module, const char *fmt, ...)
{
    if (level > threshold)
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    /* Real (not injected) UTC time: logs are for people reading them later. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char line[1200];
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level], module, message);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
    if (to_syslog) {
        static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
        syslog(priorities[level], "%s: %s", module, message);
    }
}
