/* error.c - messages and names for kiosk_rc. */
#include "error.h"

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
