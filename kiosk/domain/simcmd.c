/* simcmd.c - parser for the sim reader's commands. */
#include "simcmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "clock.h"

#define LINE_MAX_BYTES 1024

static bool parse_long(const char *s, long min, long max, long *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

kiosk_rc kiosk_simcmd_parse(const char *line, kiosk_event *out, char *err, size_t err_size)
{
    char buf[LINE_MAX_BYTES];
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                 line[n - 1] == '\t'))
        n--;
    if (n >= sizeof buf)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line too long");
    memcpy(buf, line, n);
    buf[n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return KIOSK_ERR_NOT_FOUND;

    char *verb = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    char *arg = p;

    memset(out, 0, sizeof *out);
    if (strcmp(verb, "tap") == 0) {
        int bytes = kiosk_card_uid_from_hex(arg, strlen(arg), out->u.card.uid);
        if (bytes == 0)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "tap: the UID must be 4, 7 or 10 bytes of hex");
        if (bytes < 0)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "tap: the UID must be hexadecimal");
        out->kind = KIOSK_EV_CARD;
        out->u.card.uid_len = (size_t)bytes;
        return KIOSK_OK;
    }
    if (strcmp(verb, "id") == 0) {
        char *name = arg;
        while (*name && *name != ' ' && *name != '\t')
            name++;
        size_t num_len = (size_t)(name - arg);
        while (*name == ' ' || *name == '\t')
            name++;
        if (num_len != 18)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "id: the ID number must have 18 characters");
        if (!*name)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "id: a name must follow the ID number");
        if (strlen(name) >= sizeof out->u.idcard.name)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "id: the name is too long");
        out->kind = KIOSK_EV_IDCARD;
        memcpy(out->u.idcard.number, arg, 18);
        strcpy(out->u.idcard.name, name);
        return KIOSK_OK;
    }
    if (strcmp(verb, "press") == 0) {
        size_t len = strlen(arg);
        if (len == 0 || len >= KIOSK_WIDGET_ID_MAX)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "press: needs a widget id of 1 to 31 characters");
        for (size_t i = 0; i < len; i++)
            if (!isalnum((unsigned char)arg[i]) && arg[i] != '_' && arg[i] != '-' &&
                arg[i] != ':')
                return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "press: widget ids use letters, digits, _, - and :");
        out->kind = KIOSK_EV_PRESS;
        memcpy(out->u.widget, arg, len + 1);
        return KIOSK_OK;
    }
    if (strcmp(verb, "touch") == 0 || strcmp(verb, "hold") == 0) {
        char *space = strchr(arg, ' ');
        long x, y;
        if (!space)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "%s: needs x and y", verb);
        *space = '\0';
        if (!parse_long(arg, 0, 100000, &x) || !parse_long(space + 1, 0, 100000, &y))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "%s: x and y must be non-negative integers", verb);
        out->kind = KIOSK_EV_TOUCH;
        out->u.touch.x = (int)x;
        out->u.touch.y = (int)y;
        out->u.touch.phase = verb[0] == 'h';
        return KIOSK_OK;
    }
    if (strcmp(verb, "release") == 0) {
        if (*arg)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "release: takes no argument");
        out->kind = KIOSK_EV_TOUCH;
        out->u.touch.phase = 2;
        return KIOSK_OK;
    }
    if (strcmp(verb, "time") == 0) {
        if (!kiosk_clock_parse_iso(arg, &out->u.time_utc_ms))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "time: expected ISO 8601, e.g. 2026-11-23T11:30:00+08:00");
        out->kind = KIOSK_EV_TIME;
        return KIOSK_OK;
    }
    if (strcmp(verb, "shot") == 0) {
        size_t len = strlen(arg);
        if (len == 0 || len >= KIOSK_PATH_MAX)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "shot: needs a file name");
        out->kind = KIOSK_EV_SHOT;
        memcpy(out->u.path, arg, len + 1);
        return KIOSK_OK;
    }
    if (strcmp(verb, "wait") == 0) {
        long ms;
        if (!parse_long(arg, 0, 3600L * 1000, &ms))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "wait: needs milliseconds (0 to 3600000)");
        out->kind = KIOSK_EV_WAIT;
        out->u.wait_ms = ms;
        return KIOSK_OK;
    }
    if (strcmp(verb, "hang") == 0) {
        long ms;
        if (!parse_long(arg, 0, 3600L * 1000, &ms))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "hang: needs milliseconds (0 to 3600000)");
        out->kind = KIOSK_EV_HANG;
        out->u.wait_ms = ms;
        return KIOSK_OK;
    }
    if (strcmp(verb, "bill") == 0) {
        long fen;
        if (!parse_long(arg, 0, 99999999, &fen))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "bill: needs the amount in fen (0 to 99999999)");
        out->kind = KIOSK_EV_BILL;
        out->u.bill_fen = fen;
        return KIOSK_OK;
    }
    if (strcmp(verb, "quit") == 0) {
        if (*arg)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "quit: takes no argument");
        out->kind = KIOSK_EV_QUIT;
        return KIOSK_OK;
    }
    return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "unknown command (tap, id, bill, press, touch, hold, release, time, shot, wait, quit)");
}
