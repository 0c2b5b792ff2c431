/* sync_update_report.c - reading the updater's report (sync_update_report.h). */
#define _POSIX_C_SOURCE 200809L
#include "sync_update_report.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"

void kiosk_update_report_path(const char *db_path, char *out, size_t size)
{
    snprintf(out, size, "%s-update.ini", db_path);
}

typedef struct parse_state {
    kiosk_update_report *out;
    unsigned seen; /* a bit per key */
    char problem[120];
} parse_state;

/* Debian's version characters (deb-version(7)): what dpkg-deb -f Version can give. */
static bool version_ok(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++)
        if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
              strchr(".+~:-", *v)))
            return false;
    return true;
}

static bool text_ok(const char *v)
{
    size_t n = strlen(v);
    if (!kiosk_utf8_valid(v, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    return true;
}

static bool copy(char *dst, size_t size, const char *v)
{
    size_t n = strlen(v);
    if (n >= size)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

/* The report's keys, in the order of report_keys; a bit each in parse_state.seen. */
enum { KEY_RESULT, KEY_VERSION, KEY_PREVIOUS, KEY_AT_MS, KEY_REASON, KEY_COUNT };
static const char *const report_keys[KEY_COUNT] = {"result", "version", "previous", "at_ms",
                                                   "reason"};
/* What kiosk-update always writes; previous and reason may be absent. */
#define REQUIRED_KEYS ((1u << KEY_RESULT) | (1u << KEY_VERSION) | (1u << KEY_AT_MS))

static bool read_value(kiosk_update_report *r, int key, const char *value)
{
    switch (key) {
    case KEY_RESULT:
        return (strcmp(value, "updated") == 0 || strcmp(value, "rolled_back") == 0 ||
                strcmp(value, "rollback_failed") == 0) &&
               copy(r->result, sizeof r->result, value);
    case KEY_VERSION:
        return version_ok(value) && copy(r->version, sizeof r->version, value);
    case KEY_PREVIOUS:
        return (!*value || version_ok(value)) && copy(r->previous, sizeof r->previous, value);
    case KEY_AT_MS: {
        char *end;
        errno = 0;
        long long ms = strtoll(value, &end, 10);
        bool ok = *value >= '0' && *value <= '9' && !*end && errno == 0 && ms >= 0;
        r->at_ms = ok ? ms : 0;
        return ok;
    }
    default:
        return text_ok(value) && copy(r->reason, sizeof r->reason, value);
    }
}

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    parse_state *p = user;
    int index = KEY_COUNT;
    for (int i = 0; i < KEY_COUNT; i++)
        if (strcmp(key, report_keys[i]) == 0)
            index = i;
    if (strcmp(section, "update") != 0 || index == KEY_COUNT) {
        snprintf(p->problem, sizeof p->problem, "[%.20s] %.40s: not a key of the report", section,
                 key);
        return 0;
    }
    if (p->seen & (1u << index)) {
        snprintf(p->problem, sizeof p->problem, "%s: given twice", key);
        return 0;
    }
    p->seen |= 1u << index;
    if (!read_value(p->out, index, value)) {
        snprintf(p->problem, sizeof p->problem, "%s: not a valid value", key);
        return 0;
    }
    return 1;
}

kiosk_rc kiosk_update_report_parse(const char *text, size_t len, kiosk_update_report *out,
                                   char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (len > KIOSK_UPDATE_REPORT_MAX)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "larger than %d bytes",
                          KIOSK_UPDATE_REPORT_MAX);
    if (memchr(text, '\0', len))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "a NUL byte");
    char copy_text[KIOSK_UPDATE_REPORT_MAX + 1];
    memcpy(copy_text, text, len);
    copy_text[len] = '\0';
    parse_state p = {.out = out};
    int line = ini_parse_string(copy_text, on_value, &p);
    kiosk_rc rc = KIOSK_OK;
    if (line != 0)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %d: %s", line,
                        p.problem[0] ? p.problem : "not [section] or key = value");
    else if ((p.seen & REQUIRED_KEYS) != REQUIRED_KEYS)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "result, version or at_ms missing");
    if (rc != KIOSK_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

kiosk_rc kiosk_update_report_read(const char *db_path, kiosk_update_report *out, char *err,
                                  size_t err_size)
{
    memset(out, 0, sizeof *out);
    char path[1100];
    kiosk_update_report_path(db_path, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? KIOSK_ERR_NOT_FOUND
                               : kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s", strerror(errno));
    struct stat st;
    char buf[KIOSK_UPDATE_REPORT_MAX + 1];
    kiosk_rc rc = KIOSK_OK;
    ssize_t n = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "not a regular file");
    else if ((n = read(fd, buf, sizeof buf)) < 0)
        rc = kiosk_fail(KIOSK_ERR_IO, err, err_size, "%s", strerror(errno));
    else if ((size_t)n > KIOSK_UPDATE_REPORT_MAX)
        rc = kiosk_fail(KIOSK_ERR_TOO_BIG, err, err_size, "larger than %d bytes",
                        KIOSK_UPDATE_REPORT_MAX);
    close(fd);
    return rc != KIOSK_OK ? rc : kiosk_update_report_parse(buf, (size_t)n, out, err, err_size);
}
