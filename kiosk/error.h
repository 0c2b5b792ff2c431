/* error.h - the one error type of the kiosk core: an enum and its messages from one X-macro.
 * Every fallible function returns kiosk_rc; library messages (sqlite3_errmsg, ...) stay on the
 * handle that produced them, for the log. */
#ifndef KIOSK_ERROR_H
#define KIOSK_ERROR_H

#define KIOSK_ERRNO_MAP(X)                         \
    X(OK, "success")                               \
    X(ERR_NOMEM, "out of memory")                  \
    X(ERR_IO, "input/output error")                \
    X(ERR_DB, "local database error")              \
    X(ERR_CORRUPT, "local database is damaged")    \
    X(ERR_FULL, "disk is full")                    \
    X(ERR_PARSE, "malformed input")                \
    X(ERR_CONFIG, "bad configuration")             \
    X(ERR_NOT_FOUND, "not found")                  \
    X(ERR_INVALID, "invalid argument")             \
    X(ERR_BUSY, "busy, try again")                 \
    X(ERR_TOO_BIG, "input exceeds its size limit") \
    X(ERR_UNSUPPORTED, "not supported")

typedef enum kiosk_rc {
#define KIOSK_RC_ENUM(name, msg) KIOSK_##name,
    KIOSK_ERRNO_MAP(KIOSK_RC_ENUM)
#undef KIOSK_RC_ENUM
        KIOSK_RC_COUNT
} kiosk_rc;

#if defined(__GNUC__)
#define KIOSK_MUST_CHECK __attribute__((warn_unused_result))
#else
#define KIOSK_MUST_CHECK
#endif

/* kiosk_strerror: a static English message for rc (never NULL). Any thread. */
const char *kiosk_strerror(kiosk_rc rc);

/* kiosk_rc_name: the enum name without prefix, e.g. "ERR_DB" (for logs and tests). */
const char *kiosk_rc_name(kiosk_rc rc);

#endif
