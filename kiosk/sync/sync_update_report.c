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
    if (strlen(v) >= size)
        return false;
    memcpy(dst, v, strlen(v) + 1);
    return true;
}

static int on_value(void *user, const char *section, const char *key, const char *value)
{
    parse_state *p = user;
    kiosk_update_report *r = p->out;
    static const char *const keys[] = {"result", "version", "previous", "at_ms", "reason"};
    unsigned bit = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(key, keys[i]) == 0)
            bit = 1u << i;
    if (strcmp(section, "update") != 0 || !bit) {
        snprintf(p->problem, sizeof p->problem, "[%.20s] %.40s: not a key of the report", section,
                 key);
        return 0;
    }
    if (p->seen & bit) {
        snprintf(p->problem, sizeof p->problem, "%s: given twice", key);
        return 0;
    }
    p->seen |= bit;
    bool ok;
    if (bit == 1u) {
        ok = strcmp(value, "updated") == 0 || strcmp(value, "rolled_back") == 0 ||
             strcmp(value, "rollback_failed") == 0;
        ok = ok && copy(r->result, sizeof r->result, value);
    } else if (bit == 2u) {
        ok = version_ok(value) && copy(r->version, sizeof r->version, value);
    } else if (bit == 4u) {
        ok = (!*value || version_ok(value)) && copy(r->previous, sizeof r->previous, value);
    } else if (bit == 8u) {
        char *end;
        errno = 0;
        long long ms = strtoll(value, &end, 10);
        ok = *value >= '0' && *value <= '9' && !*end && errno == 0 && ms >= 0;
        r->at_ms = ok ? ms : 0;
    } else {
        ok = text_ok(value) && copy(r->reason, sizeof r->reason, value);
    }
    if (!ok)
        snprintf(p->problem, sizeof p->problem, "%s: not a valid value", key);
    return ok ? 1 : 0;
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
    else if ((p.seen & 0xb) != 0xb) /* result, version and at_ms are always written */
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
