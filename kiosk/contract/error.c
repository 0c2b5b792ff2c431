/* error.c - messages and names for kiosk_rc, and the one fail helper. */
#include "error.h"

#include <stdio.h>

static const char *const messages[] = {
#define KIOSK_RC_MSG(name, msg) msg,
    KIOSK_ERRNO_MAP(KIOSK_RC_MSG)
#undef KIOSK_RC_MSG
};

static const char *const names[] = {
#define KIOSK_RC_NAME(name, msg) #name,
    KIOSK_ERRNO_MAP(KIOSK_RC_NAME)
#undef KIOSK_RC_NAME
};

const char *kiosk_strerror(kiosk_rc rc)
{
    if ((unsigned)rc >= KIOSK_RC_COUNT)
        return "unknown error";
    return messages[rc];
}

const char *kiosk_rc_name(kiosk_rc rc)
{
    if ((unsigned)rc >= KIOSK_RC_COUNT)
        return "UNKNOWN";
    return names[rc];
}

kiosk_rc kiosk_failv(kiosk_rc rc, char *err, size_t err_size, const char *fmt, va_list ap)
{
    if (err && err_size)
        vsnprintf(err, err_size, fmt, ap);
    return rc;
}

kiosk_rc kiosk_fail(kiosk_rc rc, char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rc = kiosk_failv(rc, err, err_size, fmt, ap);
    va_end(ap);
    return rc;
}

kiosk_rc kiosk_fail_at(kiosk_rc rc, char *err, size_t err_size, const char *where,
                       const char *fmt, ...)
{
    if (!err || !err_size)
        return rc;
    int n = where && where[0] ? snprintf(err, err_size, "%s: ", where) : 0;
    if (n < 0 || (size_t)n >= err_size)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}
