/* test_sync_update_report.c - the updater's report as the kiosk reads it for its heartbeat
 * (kiosk/sync/sync_update_report.h) and as the heartbeat carries it (sync_wire.h): the report
 * packaging/kiosk-update writes is read back field by field; each kind of damage (a result it
 * does not know, a version with a space, a control character, a key twice, an unknown key, a
 * missing result, a larger file, a NUL byte, a folder in its place) is refused with the reason;
 * no file is "not found"; and the heartbeat's "update" member is the report, null without one,
 * or {"result": "unreadable"} with the reason. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "sync_update_report.h"
#include "sync_wire.h"

/* As packaging/kiosk-update's write_report lays it out. */
static const char *const rolled_back = "[update]\n"
                                       "result = rolled_back\n"
                                       "version = 3.0\n"
                                       "previous = 1:2.0~rc1+b2\n"
                                       "at_ms = 1795404600123\n"
                                       "reason = not ready within 30 s\n";

static kiosk_rc parse(const char *text, kiosk_update_report *r, char *err, size_t size)
{
    return kiosk_update_report_parse(text, strlen(text), r, err, size);
}

static void test_parse(void)
{
    kiosk_update_report r;
    char err[200] = "";
    CHECK_INT(parse(rolled_back, &r, err, sizeof err), KIOSK_OK);
    CHECK_STR(r.result, "rolled_back");
    CHECK_STR(r.version, "3.0");
    CHECK_STR(r.previous, "1:2.0~rc1+b2");
    CHECK(r.at_ms == 1795404600123);
    CHECK_STR(r.reason, "not ready within 30 s");
    /* An update that went well has no reason; a first install no previous version. */
    CHECK_INT(parse("[update]\nresult = updated\nversion = 2.0\nat_ms = 5\n", &r, err, sizeof err),
              KIOSK_OK);
    CHECK_STR(r.result, "updated");
    CHECK_STR(r.previous, "");
    CHECK_STR(r.reason, "");
    /* A reason in Chinese is UTF-8 and kept. */
    CHECK_INT(parse("[update]\nresult = rollback_failed\nversion = 2\nat_ms = 0\n"
                    "reason = 回退失败\n",
                    &r, err, sizeof err),
              KIOSK_OK);
    CHECK_STR(r.reason, "回退失败");

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"[update]\nresult = failed\nversion = 3.0\nat_ms = 1\n", "result: not a valid value"},
        {"[update]\nresult = updated\nversion = 3.0 beta\nat_ms = 1\n", "version: not a valid"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = -1\n", "at_ms: not a valid"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = 12x\n", "at_ms: not a valid"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = 99999999999999999999\n",
         "at_ms: not a valid"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = 1\nreason = a\tb\n",
         "reason: not a valid"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = 1\nreason = \xff\xfe\n",
         "reason: not a valid"},
        {"[update]\nresult = updated\nresult = rolled_back\nversion = 3.0\nat_ms = 1\n",
         "result: given twice"},
        {"[update]\nresult = updated\nversion = 3.0\nat_ms = 1\nowner = root\n",
         "not a key of the report"},
        {"[sync]\nresult = updated\nversion = 3.0\nat_ms = 1\n", "not a key of the report"},
        {"[update]\nversion = 3.0\nat_ms = 1\n", "result, version or at_ms missing"},
        {"[update]\nresult = updated\nat_ms = 1\n", "result, version or at_ms missing"},
        {"[update]\nresult = updated\nversion = 3.0\n", "result, version or at_ms missing"},
        {"", "result, version or at_ms missing"},
        {"[update\nresult = updated\n", "line 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&r, 'x', sizeof r);
        err[0] = '\0';
        CHECK_INT(parse(bad[i].text, &r, err, sizeof err), KIOSK_ERR_PARSE);
        if (!strstr(err, bad[i].why))
            printf("  case %zu: \"%s\" does not say \"%s\"\n", i, err, bad[i].why);
        CHECK(strstr(err, bad[i].why) != NULL);
        CHECK_STR(r.result, ""); /* nothing half-read is kept */
    }
    /* A NUL byte, and a file larger than a report can be. */
    static const char with_nul[] = "[update]\nresult = updated\0\nversion = 3.0\nat_ms = 1\n";
    CHECK_INT(kiosk_update_report_parse(with_nul, sizeof with_nul - 1, &r, err, sizeof err),
              KIOSK_ERR_PARSE);
    char *big = malloc(KIOSK_UPDATE_REPORT_MAX + 2);
    if (big) {
        memset(big, ' ', KIOSK_UPDATE_REPORT_MAX + 1);
        memcpy(big, rolled_back, strlen(rolled_back));
        CHECK_INT(kiosk_update_report_parse(big, KIOSK_UPDATE_REPORT_MAX, &r, err, sizeof err),
                  KIOSK_OK);
        CHECK_INT(kiosk_update_report_parse(big, KIOSK_UPDATE_REPORT_MAX + 1, &r, err, sizeof err),
                  KIOSK_ERR_PARSE);
        free(big);
    }
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(text, 1, len, f) == len);
        fclose(f);
    }
}

static void test_read(const char *dir)
{
    char db[512], report[600], err[200];
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    kiosk_update_report_path(db, report, sizeof report);
    CHECK(strcmp(report + strlen(report) - strlen("kiosk.db-update.ini"), "kiosk.db-update.ini") ==
          0);
    kiosk_update_report r;
    CHECK_INT(kiosk_update_report_read(db, &r, err, sizeof err), KIOSK_ERR_NOT_FOUND);
    write_text(report, rolled_back, strlen(rolled_back));
    CHECK_INT(kiosk_update_report_read(db, &r, err, sizeof err), KIOSK_OK);
    CHECK_STR(r.version, "3.0");
    /* Larger than a report: refused without reading it all. */
    char *big = calloc(1, 100000);
    if (big) {
        memcpy(big, rolled_back, strlen(rolled_back));
        memset(big + strlen(rolled_back), '#', 100000 - strlen(rolled_back));
        write_text(report, big, 100000);
        CHECK_INT(kiosk_update_report_read(db, &r, err, sizeof err), KIOSK_ERR_TOO_BIG);
        free(big);
    }
    /* A folder where the file should be. */
    CHECK(unlink(report) == 0);
    CHECK(mkdir(report, 0700) == 0);
    CHECK_INT(kiosk_update_report_read(db, &r, err, sizeof err), KIOSK_ERR_IO);
    CHECK(rmdir(report) == 0);
}

static json_t *beat(const kiosk_update_report *update, const char *problem)
{
    kiosk_wire_heartbeat hb = {.last_ack_ms = -1,
                               .oldest_pending_ms = -1,
                               .disk_free_bytes = -1,
                               .app_version = "2.0",
                               .update = update,
                               .update_problem = problem};
    kiosk_wire_bytes b;
    CHECK_INT(kiosk_wire_heartbeat_request(&hb, &b), KIOSK_OK);
    json_t *o = json_loadb((const char *)b.data, b.len, 0, NULL);
    free(b.data);
    CHECK(o != NULL);
    return o;
}

static void test_heartbeat(void)
{
    json_t *o = beat(NULL, NULL);
    CHECK(json_object_get(o, "update") != NULL && json_is_null(json_object_get(o, "update")));
    json_decref(o);

    kiosk_update_report r;
    char err[200];
    CHECK_INT(parse(rolled_back, &r, err, sizeof err), KIOSK_OK);
    o = beat(&r, NULL);
    json_t *u = json_object_get(o, "update");
    CHECK_STR(json_string_value(json_object_get(u, "result")), "rolled_back");
    CHECK_STR(json_string_value(json_object_get(u, "version")), "3.0");
    CHECK_STR(json_string_value(json_object_get(u, "previous")), "1:2.0~rc1+b2");
    CHECK(json_integer_value(json_object_get(u, "at_ms")) == 1795404600123);
    CHECK_STR(json_string_value(json_object_get(u, "reason")), "not ready within 30 s");
    json_decref(o);

    CHECK_INT(parse("[update]\nresult = updated\nversion = 2.0\nat_ms = 5\n", &r, err, sizeof err),
              KIOSK_OK);
    o = beat(&r, NULL);
    u = json_object_get(o, "update");
    CHECK(json_is_null(json_object_get(u, "previous")));
    CHECK(json_is_null(json_object_get(u, "reason")));
    json_decref(o);

    o = beat(NULL, "line 2: result: not a valid value");
    u = json_object_get(o, "update");
    CHECK_STR(json_string_value(json_object_get(u, "result")), "unreadable");
    CHECK_STR(json_string_value(json_object_get(u, "reason")), "line 2: result: not a valid value");
    json_decref(o);
}

int main(void)
{
    const char *dir = check_scratch_dir("update-report");
    if (!dir)
        return 1;
    test_parse();
    test_read(dir);
    test_heartbeat();
    check_scratch_remove(dir);
    CHECK_DONE();
}
