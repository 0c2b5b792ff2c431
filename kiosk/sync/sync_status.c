/* sync_status.c - the staff line's words for the sync worker's status (docs/sync.md lists
 * them), and the state names of the log and the events file. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "sync.h"

const char *kiosk_sync_state_name(kiosk_sync_state state)
{
    static const char *const names[] = {"starting", "unenrolled",    "online",
                                        "offline",  "auth_failed",   "revoked",
                                        "refused",  "enroll_failed", "insecure"};
    return (unsigned)state < sizeof names / sizeof names[0] ? names[state] : "?";
}

/* Appends one part, " · " between parts. */
static void part(char *out, size_t size, const char *text)
{
    size_t used = strlen(out);
    if (used < size)
        snprintf(out + used, size - used, "%s%s", used ? " · " : "", text);
}

void kiosk_sync_status_words(const kiosk_sync_status *st, char *out, size_t size)
{
    if (!size)
        return;
    out[0] = '\0';
    switch (st->state) {
    case KIOSK_SYNC_REVOKED:
        part(out, size, _("本机已停用，请联系管理员"));
        break;
    case KIOSK_SYNC_AUTH_FAILED:
        part(out, size, _("同步认证失败，请联系管理员"));
        break;
    case KIOSK_SYNC_INSECURE:
        part(out, size, _("服务器证书不符，请联系管理员"));
        break;
    case KIOSK_SYNC_ENROLL_FAILED:
        part(out, size, _("注册码无效，请联系管理员"));
        break;
    case KIOSK_SYNC_UNENROLLED:
        part(out, size, _("本机未注册"));
        break;
    case KIOSK_SYNC_REFUSED:
        part(out, size, _("同步被拒绝，请联系管理员"));
        break;
    case KIOSK_SYNC_OFFLINE:
        /* Out of reach with nothing waiting is said only once meals count as offline. */
        if (st->pending > 0 || st->offline_records)
            part(out, size, _("离线"));
        break;
    case KIOSK_SYNC_STARTING:
    case KIOSK_SYNC_ONLINE:
        break;
    }
    if (st->pending > 0) {
        char text[48];
        snprintf(text, sizeof text, _("待上传 %ld"), st->pending);
        part(out, size, text);
    }
    if (st->rejected > 0) {
        char text[64];
        snprintf(text, sizeof text, _("%ld 条记录被拒收"), st->rejected);
        part(out, size, text);
    }
}
