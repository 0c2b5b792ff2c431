/* log.h - levelled logging to stderr and, when configured, syslog. Never pass personal data
 * (names, ID numbers, card UIDs) to these functions: log record ids and reason codes instead. */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

#include <stdbool.h>

typedef enum kiosk_log_level {
    KIOSK_LOG_ERROR,
    KIOSK_LOG_WARN,
    KIOSK_LOG_INFO,
    KIOSK_LOG_DEBUG
} kiosk_log_level;

/* Sets the threshold and whether lines also go to syslog(3). Call once at start-up, before
 * threads start. */
void kiosk_log_setup(kiosk_log_level level, bool use_syslog);
/* "error" | "warn" | "info" | "debug" -> level; false on anything else. */
bool kiosk_log_level_parse(const char *name, kiosk_log_level *out);
/* Writes one line; any thread (one write(2) per line, so lines never interleave). */
void kiosk_log(kiosk_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define KLOG_ERROR(...) kiosk_log(KIOSK_LOG_ERROR, KIOSK_LOG_MODULE, __VA_ARGS__)
#define KLOG_WARN(...)  kiosk_log(KIOSK_LOG_WARN, KIOSK_LOG_MODULE, __VA_ARGS__)
#define KLOG_INFO(...)  kiosk_log(KIOSK_LOG_INFO, KIOSK_LOG_MODULE, __VA_ARGS__)
#define KLOG_DEBUG(...) kiosk_log(KIOSK_LOG_DEBUG, KIOSK_LOG_MODULE, __VA_ARGS__)

#endif
