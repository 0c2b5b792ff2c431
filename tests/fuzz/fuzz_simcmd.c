/* fuzz_simcmd.c - fuzz target for the sim reader's line parser. Every outcome must be one of the
 * three documented ones; an accepted line must give a well-formed event (UID of 4, 7 or 10
 * bytes, terminated strings within their fields, coordinates, waits and bills in range); a refused
 * line must give a terminated reason that never repeats an 18-character ID number. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require_terminated(const char *s, size_t capacity)
{
    if (memchr(s, '\0', capacity) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char line[4097];
    memcpy(line, data, size);
    line[size] = '\0';

    kiosk_event ev;
    char err[160];
    memset(err, 0x55, sizeof err);
    kiosk_rc rc = kiosk_simcmd_parse(line, &ev, err, sizeof err);
    switch (rc) {
    case KIOSK_OK:
        switch (ev.kind) {
        case KIOSK_EV_CARD:
            if (ev.u.card.uid_len != 4 && ev.u.card.uid_len != 7 && ev.u.card.uid_len != 10)
                abort();
            break;
        case KIOSK_EV_IDCARD:
            require_terminated(ev.u.idcard.number, sizeof ev.u.idcard.number);
            require_terminated(ev.u.idcard.name, sizeof ev.u.idcard.name);
            if (strlen(ev.u.idcard.number) > 18 || ev.u.idcard.name[0] == '\0')
                abort();
            break;
        case KIOSK_EV_PRESS:
            require_terminated(ev.u.widget, sizeof ev.u.widget);
            if (ev.u.widget[0] == '\0')
                abort();
            break;
        case KIOSK_EV_TOUCH:
            if (ev.u.touch.x < 0 || ev.u.touch.y < 0 || ev.u.touch.x > 100000 ||
                ev.u.touch.y > 100000 || ev.u.touch.phase < 0 || ev.u.touch.phase > 2)
                abort();
            break;
        case KIOSK_EV_SHOT:
            require_terminated(ev.u.path, sizeof ev.u.path);
            if (ev.u.path[0] == '\0')
                abort();
            break;
        case KIOSK_EV_WAIT:
        case KIOSK_EV_HANG:
            if (ev.u.wait_ms < 0 || ev.u.wait_ms > 3600L * 1000)
                abort();
            break;
        case KIOSK_EV_BILL:
            if (ev.u.bill_fen < 0 || ev.u.bill_fen > 99999999)
                abort();
            break;
        case KIOSK_EV_TIME:
        case KIOSK_EV_QUIT:
            break;
        default:
            abort(); /* the parser never makes reader or other events */
        }
        break;
    case KIOSK_ERR_NOT_FOUND:
        break;
    case KIOSK_ERR_PARSE: {
        require_terminated(err, sizeof err);
        /* The reason must not echo the ID number of an `id` line. */
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "id", 2) == 0 && (p[2] == ' ' || p[2] == '\t')) {
            p += 2;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = strcspn(p, " \t\r\n"), digits = 0;
            for (size_t i = 0; i < n; i++)
                digits += p[i] >= '0' && p[i] <= '9';
            if (digits >= 6) { /* a number, not a word the message itself could contain */
                char number[64];
                n = n < sizeof number - 1 ? n : sizeof number - 1;
                memcpy(number, p, n);
                number[n] = '\0';
                if (strstr(err, number) != NULL)
                    abort();
            }
        }
        break;
    }
    default:
        abort();
    }
    return 0;
}
