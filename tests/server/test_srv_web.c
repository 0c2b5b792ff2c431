/* test_srv_web.c - the admin page's pieces below the browser (server/web_*.h, fleet.h) on one
 * backend (test_srv_web sqlite | pg, as test_srv_storage): the form, query and cookie parsers
 * on hand-written inputs, HTML escaping, sessions and their two expiries, logins with the lock
 * after five wrong passwords surviving a reopened database, staff alerts, and the fleet table's
 * online/offline line at three heartbeat intervals. */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "fleet.h"
#include "storage.h"
#include "store_spec.h"
#include "web_auth.h"
#include "web_html.h"
#include "web_parse.h"

static srv_store *open_store(const char *spec)
{
    srv_store *st = NULL;
    char err[300] = "";
    kiosk_rc rc = srv_store_open(spec, &st, err, sizeof err);
    if (rc != KIOSK_OK)
        fprintf(stderr, "open %s: %s\n", spec, err);
    CHECK_INT(rc, KIOSK_OK);
    return st;
}

static void test_urlencoded(void)
{
    srv_form f;
    static const char body[] = "a=1&name=%3Cscript%3E+x%26y&empty=&flag&a=2&%E7%8E%84=%e6%AD%A6";
    CHECK_INT(srv_form_parse_urlencoded(body, strlen(body), &f), KIOSK_OK);
    CHECK_INT((int)f.count, 6);            /* a, name, empty, flag, a again, 玄 */
    CHECK_STR(srv_form_get(&f, "a"), "1"); /* the first of two */
    CHECK_STR(srv_form_get(&f, "name"), "<script> x&y");
    CHECK_STR(srv_form_get(&f, "empty"), "");
    CHECK_STR(srv_form_get(&f, "flag"), "");
    CHECK_STR(srv_form_get(&f, "玄"), "武");
    CHECK(srv_form_get(&f, "missing") == NULL);
    srv_form_free(&f);
    /* A NUL inside a value: the field is there, its text is not. */
    CHECK_INT(srv_form_parse_urlencoded("x=a%00b", 7, &f), KIOSK_OK);
    CHECK(srv_form_get(&f, "x") == NULL);
    CHECK_INT((int)srv_form_field_get(&f, "x")->len, 3);
    srv_form_free(&f);
    static const char *const bad[] = {
        "a=%4", "a=%zz", "a=%", "=v", "%00=v",
        /* a name of 64 bytes: one more than SRV_FORM_NAME_MAX - 1 */
        ("a234567890123456789012345678901234567890123456789012345678901"
         "234=v")};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_INT(srv_form_parse_urlencoded(bad[i], strlen(bad[i]), &f), KIOSK_ERR_PARSE);
        CHECK_INT((int)f.count, 0);
    }
    char many[1024] = "";
    for (int i = 0; i < SRV_FORM_FIELDS_MAX + 1; i++)
        strcat(many, "k=v&");
    CHECK_INT(srv_form_parse_urlencoded(many, strlen(many), &f), KIOSK_ERR_PARSE);
}

static void test_multipart(void)
{
    static const char type[] = "multipart/form-data; boundary=----XyZ";
    static const char body[] = "------XyZ\r\n"
                               "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
                               "tok\r\n"
                               "------XyZ\r\n"
                               "Content-Disposition: form-data; name=\"file\"; "
                               "filename=\"roster.csv\"\r\n"
                               "Content-Type: text/csv\r\n\r\n"
                               "a,b\r\n1,2\r\n\r\n"
                               "------XyZ--\r\n";
    srv_form f;
    CHECK_INT(srv_form_parse_multipart(type, body, sizeof body - 1, &f), KIOSK_OK);
    CHECK_INT((int)f.count, 2);
    CHECK_STR(srv_form_get(&f, "csrf"), "tok");
    const srv_form_field *file = srv_form_field_get(&f, "file");
    CHECK(file != NULL);
    if (file) {
        CHECK_STR(file->filename, "roster.csv");
        /* "a,b" CRLF "1,2" CRLF: 3 + 2 + 3 + 2 bytes; the next CRLF belongs to the delimiter. */
        CHECK_INT((int)file->len, 10);
        CHECK(memcmp(file->value, "a,b\r\n1,2\r\n", 10) == 0);
    }
    CHECK(srv_form_field_get(&f, "csrf")->filename == NULL);
    srv_form_free(&f);
    /* Quoted boundary, an empty body of parts. */
    CHECK_INT(srv_form_parse_multipart("multipart/form-data; boundary=\"b\"", "--b--", 5, &f),
              KIOSK_OK);
    CHECK_INT((int)f.count, 0);
    /* Refused: no boundary, no closing delimiter, a part without a name, another type. */
    CHECK_INT(srv_form_parse_multipart("multipart/form-data", body, sizeof body - 1, &f),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_form_parse_multipart(type, body, sizeof body - 20, &f), KIOSK_ERR_PARSE);
    static const char unnamed[] = "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--";
    CHECK_INT(srv_form_parse_multipart("multipart/form-data; boundary=b", unnamed,
                                       sizeof unnamed - 1, &f),
              KIOSK_ERR_PARSE);
    CHECK_INT(srv_form_parse_multipart("text/plain; boundary=b", "--b--", 5, &f), KIOSK_ERR_PARSE);
    CHECK_INT((int)f.count, 0);
}

static void test_cookies(void)
{
    char v[64];
    CHECK(srv_cookie_get("a=1; sid=XYZ; b=2", "sid", v, sizeof v));
    CHECK_STR(v, "XYZ");
    CHECK(srv_cookie_get("sid=first;sid=second", "sid", v, sizeof v));
    CHECK_STR(v, "first");
    CHECK(!srv_cookie_get("xsid=1; sidx=2", "sid", v, sizeof v));
    CHECK(!srv_cookie_get("sid=", "sid", v, sizeof v));
    CHECK(!srv_cookie_get("sid=0123456789", "sid", v, 5)); /* does not fit */
    CHECK(!srv_cookie_get(NULL, "sid", v, sizeof v));
}

static void test_escape(void)
{
    srv_html h = {0};
    srv_html_text(&h, "<script>alert('x')</script> & \"q\" 玄武");
    CHECK_STR(h.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; 玄武");
    srv_html_free(&h);
    /* A lone continuation byte, a cut sequence, an overlong '<', a control character. */
    srv_html_text(&h, "a\x80"
                      "b\xe7\x8e"
                      "c\xc0\xbc"
                      "d\x01");
    CHECK_STR(h.data, "a\xef\xbf\xbd"
                      "b\xef\xbf\xbd\xef\xbf\xbd"
                      "c\xef\xbf\xbd\xef\xbf\xbd"
                      "d\xef\xbf\xbd");
    srv_html_free(&h);
}

static void test_sessions(void)
{
    srv_sessions t;
    srv_sessions_init(&t, 1000, 5000);
    const srv_session *s = srv_sessions_create(&t, "alice", 10000);
    char id[SRV_SESSION_TOKEN_MAX], csrf[SRV_SESSION_TOKEN_MAX];
    snprintf(id, sizeof id, "%s", s->id);
    snprintf(csrf, sizeof csrf, "%s", s->csrf);
    CHECK_INT((int)strlen(id), SRV_SESSION_TOKEN_MAX - 1);
    CHECK(strcmp(id, csrf) != 0);
    CHECK(srv_sessions_find(&t, id, 10900) == s); /* idle 900 ms of 1000 */
    CHECK(srv_sessions_find(&t, id, 11800) == s); /* idle restarted at 10900 */
    CHECK(srv_session_csrf_ok(s, csrf));
    CHECK(!srv_session_csrf_ok(s, id));
    CHECK(!srv_session_csrf_ok(s, NULL));
    CHECK(!srv_session_csrf_ok(s, ""));
    /* Absolute expiry: used every 900 ms, still gone after 5000 ms. */
    int64_t now = 11800;
    while (now + 900 <= 15000) {
        now += 900;
        CHECK(srv_sessions_find(&t, id, now) != NULL);
    }
    CHECK(srv_sessions_find(&t, id, 15100) == NULL);
    CHECK(srv_sessions_find(&t, id, 15100) == NULL); /* and forgotten */
    /* Idle expiry. */
    s = srv_sessions_create(&t, "bob", 20000);
    snprintf(id, sizeof id, "%s", s->id);
    CHECK(srv_sessions_find(&t, id, 21001) == NULL);
    /* Logout. */
    s = srv_sessions_create(&t, "carol", 30000);
    snprintf(id, sizeof id, "%s", s->id);
    srv_sessions_end(&t, id);
    CHECK(srv_sessions_find(&t, id, 30001) == NULL);
    CHECK(srv_sessions_find(&t, "short", 30001) == NULL);
}

static void test_login(const char *spec)
{
    srv_store *st = open_store(spec);
    if (!st)
        return;
    char hash[SRV_ADMIN_HASH_MAX];
    CHECK_INT(srv_password_hash("correct horse battery", hash), KIOSK_OK);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK_INT(srv_store_admin_user_put(st, "alice", hash, 1000), KIOSK_OK);
    int64_t until = -1, t0 = 1700000000000;
    CHECK_INT(srv_login_check(st, "alice", "correct horse battery", t0, &until), SRV_LOGIN_OK);
    CHECK_INT(srv_login_check(st, "nobody", "correct horse battery", t0, &until), SRV_LOGIN_WRONG);
    /* Four wrong, one right: the count starts again. */
    for (int i = 0; i < 4; i++)
        CHECK_INT(srv_login_check(st, "alice", "wrong", t0, &until), SRV_LOGIN_WRONG);
    CHECK_INT(srv_login_check(st, "alice", "correct horse battery", t0, &until), SRV_LOGIN_OK);
    srv_admin_user u;
    CHECK_INT(srv_store_admin_user_get(st, "alice", &u), KIOSK_OK);
    CHECK_INT((int)u.failures, 0);
    /* Five wrong in a row: locked for 15 minutes, the right password too. */
    for (int i = 0; i < 4; i++)
        CHECK_INT(srv_login_check(st, "alice", "wrong", t0 + i, &until), SRV_LOGIN_WRONG);
    CHECK_INT(srv_login_check(st, "alice", "wrong", t0 + 4, &until), SRV_LOGIN_LOCKED);
    CHECK(until == t0 + 4 + 15 * 60 * 1000);
    srv_store_close(st);
    st = open_store(spec); /* a restart keeps the lock */
    if (!st)
        return;
    CHECK_INT(srv_login_check(st, "alice", "correct horse battery", t0 + 10 * 60 * 1000, &until),
              SRV_LOGIN_LOCKED);
    CHECK_INT(srv_login_check(st, "alice", "correct horse battery", t0 + 16 * 60 * 1000, &until),
              SRV_LOGIN_OK);
    CHECK_INT(srv_store_admin_user_get(st, "alice", &u), KIOSK_OK);
    CHECK_INT((int)u.failures, 0);
    CHECK(u.locked_until_ms == 0);
    /* After a lock ran out, one wrong password does not lock again at once. */
    for (int i = 0; i < 4; i++)
        CHECK_INT(srv_login_check(st, "alice", "wrong", t0 + 17 * 60 * 1000, &until),
                  SRV_LOGIN_WRONG);
    CHECK_INT(srv_login_check(st, "alice", "wrong", t0 + 17 * 60 * 1000, &until), SRV_LOGIN_LOCKED);
    /* A new password lifts the lock. */
    CHECK_INT(srv_password_hash("another long one", hash), KIOSK_OK);
    CHECK_INT(srv_store_admin_user_put(st, "alice", hash, 2000), KIOSK_OK);
    CHECK_INT(srv_login_check(st, "alice", "another long one", t0 + 17 * 60 * 1000, &until),
              SRV_LOGIN_OK);
    CHECK_INT(srv_login_check(st, "alice", "correct horse battery", t0 + 17 * 60 * 1000, &until),
              SRV_LOGIN_WRONG);
    srv_store_close(st);
}

static kiosk_rc collect_alert(void *user, const srv_alert *a)
{
    char *seen = user;
    char line[64];
    snprintf(line, sizeof line, "%lld:%s:%s:%s;", (long long)a->alert_id, a->kind, a->device_id,
             a->resolved_ms ? "done" : "open");
    strcat(seen, line);
    return KIOSK_OK;
}

static void test_alerts(srv_store *st)
{
    srv_alert a = {.created_ms = 5000, .kind = "help_call", .detail = "呼叫工作人员"};
    snprintf(a.device_id, sizeof a.device_id, "k1");
    int64_t id1 = 0, id2 = 0;
    CHECK_INT(srv_store_alert_add(st, &a, &id1), KIOSK_OK);
    srv_alert b = {.created_ms = 6000, .kind = "audit_chain_break", .detail = "row 12"};
    CHECK_INT(srv_store_alert_add(st, &b, &id2), KIOSK_OK);
    CHECK(id2 > id1 && id1 > 0);
    char seen[512] = "", want[512];
    CHECK_INT(srv_store_alert_list(st, false, 10, collect_alert, seen), KIOSK_OK);
    snprintf(want, sizeof want, "%lld:audit_chain_break::open;%lld:help_call:k1:open;",
             (long long)id2, (long long)id1);
    CHECK_STR(seen, want);
    CHECK_INT(srv_store_alert_resolve(st, id1, 7000), KIOSK_OK);
    CHECK_INT(srv_store_alert_resolve(st, id1, 7000), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(srv_store_alert_resolve(st, 999999, 7000), KIOSK_ERR_NOT_FOUND);
    seen[0] = '\0';
    CHECK_INT(srv_store_alert_list(st, false, 10, collect_alert, seen), KIOSK_OK);
    snprintf(want, sizeof want, "%lld:audit_chain_break::open;", (long long)id2);
    CHECK_STR(seen, want);
    seen[0] = '\0';
    CHECK_INT(srv_store_alert_list(st, true, 1, collect_alert, seen), KIOSK_OK);
    CHECK_STR(seen, want); /* the newest one only */
}

static void test_fleet(srv_store *st)
{
    srv_site s = {.site_id = "s1", .name = "食堂", .timezone = "Asia/Shanghai"};
    snprintf(s.area.city, sizeof s.area.city, "320100");
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_site_add(st, &s), KIOSK_OK);
    static const char *const ids[] = {"k1", "k2", "k3", "k4"};
    for (int i = 0; i < 4; i++) {
        srv_device d = {.site_id = "s1", .canteen_id = "c1", .created_ms = 1};
        snprintf(d.device_id, sizeof d.device_id, "%s", ids[i]);
        CHECK_INT(srv_store_device_add(st, &d), KIOSK_OK);
    }
    CHECK_INT(srv_store_device_enroll(st, "k1", "00", NULL, 2), KIOSK_OK);
    CHECK_INT(srv_store_device_enroll(st, "k2", "00", NULL, 2), KIOSK_OK);
    CHECK_INT(srv_store_device_enroll(st, "k4", "00", NULL, 2), KIOSK_OK);
    CHECK_INT(srv_store_device_revoke(st, "k4", 3), KIOSK_OK);
    int64_t t0 = 1700000000000;
    const char *body = "{\"pending\":7,\"oldest_pending_ms\":1699999880000,\"rejected\":1,"
                       "\"last_ack_ms\":1699999990000,\"clock_offset_ms\":-420,"
                       "\"stream_ages_ms\":{\"cards\":5000,\"policy\":null,\"roster\":65000,"
                       "\"meals_today\":1000,\"calendar\":3000},\"offline_meals\":2,\"disk_free_"
                       "bytes\":1073741824,"
                       "\"app_version\":\"0.3.0\",\"staff_notice\":null,\"config_version\":9,"
                       "\"config_error\":\"bad_signature\",\"uptime_s\":93784,"
                       "\"devices\":{\"reader\":\"ready\",\"idcard\":\"absent\","
                       "\"printer\":\"no_paper\"},"
                       "\"update\":{\"result\":\"rolled_back\",\"version\":\"3.0\","
                       "\"previous\":\"2.0\",\"at_ms\":1699999000000,"
                       "\"reason\":\"not ready\\twithin 30 s\"}}";
    srv_heartbeat hb = {.received_ms = t0,
                        .body = body,
                        .pending = 7,
                        .oldest_pending_ms = 1699999880000,
                        .has_clock_offset = true,
                        .clock_offset_ms = -420,
                        .app_version = "0.3.0"};
    CHECK_INT(srv_store_heartbeat_put(st, "k1", &hb), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);

    srv_fleet_row *rows = NULL;
    size_t n = 0;
    /* 3 beats of 60 s: 180 s of silence is still online, 180.001 s offline. */
    CHECK_INT(srv_fleet_collect(st, t0 + 180000, 60000, &rows, &n), KIOSK_OK);
    CHECK_INT((int)n, 4);
    if (n == 4) {
        CHECK_STR(rows[0].dev.device_id, "k1");
        CHECK_STR(rows[0].state, "online");
        CHECK_INT((int)rows[0].pending, 7);
        CHECK_INT((int)rows[0].oldest_age_ms, 120000); /* received t0, oldest t0 - 120 s */
        CHECK(rows[0].last_ack_ms == 1699999990000);
        CHECK(rows[0].has_offset && rows[0].clock_offset_ms == -420);
        CHECK(rows[0].disk_free_bytes == 1073741824);
        CHECK_INT((int)rows[0].offline_meals, 2);
        CHECK_INT((int)rows[0].rejected, 1);
        CHECK_INT((int)rows[0].stream_age_ms[0], 5000);
        CHECK_INT((int)rows[0].stream_age_ms[1], -1);
        CHECK_INT((int)rows[0].stream_age_ms[2], 65000);
        CHECK_INT((int)rows[0].stream_age_ms[6], 3000); /* calendar */
        CHECK_INT((int)rows[0].stream_age_ms[7], -1);   /* staff: not said */
        CHECK_STR(rows[0].app_version, "0.3.0");
        CHECK_STR(rows[0].staff_notice, "");
        CHECK_INT((int)rows[0].config_version, 9);
        CHECK_INT((int)rows[0].uptime_s, 93784);
        CHECK_STR(rows[0].devices[0], "ready");
        CHECK_STR(rows[0].devices[1], ""); /* absent */
        CHECK_STR(rows[0].devices[2], "no_paper");
        CHECK_STR(rows[1].devices[0], "");
        CHECK_INT((int)rows[1].uptime_s, -1);
        CHECK_STR(rows[0].config_error, "bad_signature");
        CHECK_INT((int)rows[1].config_version, -1);
        CHECK_STR(rows[1].state, "silent"); /* enrolled, never a heartbeat */
        CHECK_INT((int)rows[1].pending, -1);
        CHECK_STR(rows[2].state, "waiting_enrollment");
        CHECK_STR(rows[3].state, "revoked");
        CHECK_STR(rows[0].dev.secret_hex, "");
        CHECK_STR(rows[0].update_result, "rolled_back");
        CHECK_STR(rows[0].update_version, "3.0");
        CHECK_STR(rows[0].update_previous, "2.0");
        CHECK(rows[0].update_at_ms == 1699999000000);
        CHECK_STR(rows[0].update_reason, "not ready\twithin 30 s");
        CHECK_STR(rows[1].update_result, "");
        CHECK(rows[1].update_at_ms == -1);
        /* One line for the table: the tab a kiosk sent is a space; 1699999000000 is
         * 2023-11-14 21:56:40 UTC (date -u -d @1699999000). */
        CHECK_INT(kiosk_clock_set_zone("UTC"), KIOSK_OK);
        char line[400];
        srv_fleet_update_text(&rows[0], line, sizeof line);
        CHECK_STR(line, "rolled_back 3.0 (from 2.0) at 2023-11-14 21:56:40: not ready within 30 s");
        srv_fleet_update_text(&rows[1], line, sizeof line);
        CHECK_STR(line, "");
        char tiny[12];
        srv_fleet_update_text(&rows[0], tiny, sizeof tiny);
        CHECK_STR(tiny, "rolled_back");
    }
    free(rows);
    CHECK_INT(srv_fleet_collect(st, t0 + 180001, 60000, &rows, &n), KIOSK_OK);
    CHECK(n == 4 && strcmp(rows[0].state, "offline") == 0);
    free(rows);
    /* A kiosk that says it beats every 300 s is judged by that, not by beat_ms. */
    srv_heartbeat hb2 = {
        .received_ms = t0, .body = "{\"heartbeat_s\":300}", .pending = -1, .oldest_pending_ms = -1};
    CHECK_INT(srv_store_heartbeat_put(st, "k2", &hb2), KIOSK_OK);
    CHECK_INT(srv_fleet_collect(st, t0 + 900000, 60000, &rows, &n), KIOSK_OK);
    CHECK(n == 4 && strcmp(rows[0].state, "offline") == 0 && strcmp(rows[1].state, "online") == 0);
    CHECK(n == 4 && rows[1].beat_every_ms == 300000 && rows[0].beat_every_ms == 60000);
    free(rows);
    CHECK_INT(srv_fleet_collect(st, t0 + 900001, 60000, &rows, &n), KIOSK_OK);
    CHECK(n == 4 && strcmp(rows[1].state, "offline") == 0);
    free(rows);
    /* With beat_ms 10 s, a kiosk that does not say is offline after 30 s. */
    CHECK_INT(srv_fleet_collect(st, t0 + 30001, 10000, &rows, &n), KIOSK_OK);
    CHECK(n == 4 && strcmp(rows[0].state, "offline") == 0);
    free(rows);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    char spec[1024];
    const char *dir;
    int status = srv_test_store_spec(argc, argv, "srv-web", spec, sizeof spec, &dir);
    if (status != 0)
        return status;
    test_urlencoded();
    test_multipart();
    test_cookies();
    test_escape();
    test_sessions();
    test_login(spec);
    srv_store *st = open_store(spec);
    if (st) {
        test_alerts(st);
        test_fleet(st);
        srv_store_close(st);
    }
    check_scratch_remove(dir);
    CHECK_DONE();
}
