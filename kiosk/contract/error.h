/* error.h - the one error type of the kiosk (core, drivers and ui alike): an enum and its
 * messages from one X-macro. Every fallible function returns kiosk_rc; library messages
 * (sqlite3_errmsg, nfc_strerror, ...) stay on the handle that produced them, for the log. */
#ifndef KIOSK_ERROR_H
#define KIOSK_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define KIOSK_ERRNO_MAP(X)                               \
    X(OK, "success")                                     \
    X(ERR_NOMEM, "out of memory")                        \
    X(ERR_IO, "input/output error")                      \
    X(ERR_DB, "local database error")                    \
    X(ERR_CORRUPT, "local database is damaged")          \
    X(ERR_FULL, "disk is full")                          \
    X(ERR_PARSE, "malformed input")                      \
    X(ERR_CONFIG, "bad configuration")                   \
    X(ERR_NOT_FOUND, "not found")                        \
    X(ERR_INVALID, "invalid argument")                   \
    X(ERR_BUSY, "busy, try again")                       \
    X(ERR_TOO_BIG, "input exceeds its size limit")       \
    X(ERR_UNSUPPORTED, "not supported")                  \
    X(ERR_DEVICE, "device failed or is not connected")   \
    X(ERR_TIMEOUT, "timed out")                          \
    X(ERR_PROTOCOL, "device sent a malformed frame")     \
    X(ERR_DENIED, "not allowed")                         \
    X(ERR_GONE, "local database file was removed or replaced")

typedef enum kiosk_rc {
#define KIOSK_RC_ENUM(name, msg) KIOSK_##name,
    KIOSK_ERRNO_MAP(KIOSK_RC_ENUM)
#undef KIOSK_RC_ENUM
        KIOSK_RC_COUNT
} kiosk_rc;

#if defined(__GNUC__)
#define KIOSK_MUST_CHECK          __attribute__((warn_unused_result))
#define KIOSK_PRINTF_LIKE(fmt, a) __attribute__((format(printf, fmt, a)))
#else
#define KIOSK_MUST_CHECK
#define KIOSK_PRINTF_LIKE(fmt, a)
#endif

/* kiosk_strerror: a static English message for rc (never NULL). Any thread. */
const char *kiosk_strerror(kiosk_rc rc);

/* kiosk_rc_name: the enum name without prefix, e.g. "ERR_DB" (for logs and tests). */
const char *kiosk_rc_name(kiosk_rc rc);

/* kiosk_fail: writes the formatted message to err (nothing when err is NULL or err_size is 0)
 * and returns rc, so a parser says `return kiosk_fail(KIOSK_ERR_PARSE, err, size, "...")`.
 * The one "fail" helper of every module. Any thread. */
kiosk_rc kiosk_fail(kiosk_rc rc, char *err, size_t err_size, const char *fmt, ...)
    KIOSK_PRINTF_LIKE(4, 5);
kiosk_rc kiosk_failv(kiosk_rc rc, char *err, size_t err_size, const char *fmt, va_list ap)
    KIOSK_PRINTF_LIKE(4, 0);
/* The same with a place in front: "where: message" ("line 3: birth_date: not a date",
 * "rules[2].percent: must be 0..100"); where may be NULL or "" for none. */
kiosk_rc kiosk_fail_at(kiosk_rc rc, char *err, size_t err_size, const char *where,
                       const char *fmt, ...) KIOSK_PRINTF_LIKE(5, 6);

#endif
