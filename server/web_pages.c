/* web_pages.c - the admin page's pages (web_internal.h): login, the overview, sites and kiosks,
 * roster and policy imports, today's appointments, settlement downloads, review of suspected
 * second subsidies, the fleet table and staff alerts. Today's appointments are those of the
 * marriage halls' `appointments` stream (hall_import.h) dated today in each site's zone. Each does
 * what the matching admin command does, through the same code (admin.h, roster.h, policy_import.h,
 * settlement.h, fleet.h); every piece of data goes through srv_html_text. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "appointment_json.h"
#include "clock.h"
#include "fleet.h"
#include "log.h"
#include "policy_import.h"
#include "roster.h"
#include "settlement.h"
#include "web_internal.h"
#include "zone.h"
#define KIOSK_LOG_MODULE "web"

#define TOKEN_TTL_S  (24 * 3600)
#define ALERTS_SHOWN 200

static void text(web_req *req, const char *s)
{
    srv_html_text(&req->body, s);
}

static void raw(web_req *req, const char *s)
{
    srv_html_raw(&req->body, s);
}

static void rawf(web_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rawf(web_req *req, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    srv_html_raw(&req->body, line);
}

static void time_cell(web_req *req, int64_t ms)
{
    char t[KIOSK_CLOCK_TEXT_SIZE];
    if (ms <= 0) {
        raw(req, "<td>-</td>");
        return;
    }
    kiosk_clock_format_local(ms, t);
    raw(req, "<td>");
    text(req, t);
    raw(req, "</td>");
}

static void int_cell(web_req *req, int64_t v)
{
    if (v < 0)
        raw(req, "<td class=\"num\">-</td>");
    else
        rawf(req, "<td class=\"num\">%" PRId64 "</td>", v);
}

static void message(web_req *req, bool ok, const char *id, const char *s)
{
    rawf(req, "<p class=\"%s\" id=\"%s\">", ok ? "ok" : "error", id);
    text(req, s);
    raw(req, "</p>");
}

static void form_open(web_req *req, const char *action, bool multipart, const char *id)
{
    rawf(req, "<form method=\"post\" action=\"%s\" id=\"%s\"%s>", action, id,
         multipart ? " enctype=\"multipart/form-data\"" : "");
    srv_web_csrf_field(req);
}

static void input(web_req *req, const char *label, const char *name, const char *extra)
{
    rawf(req, "<label>%s <input name=\"%s\" id=\"%s\" %s></label>", label, name, name, extra);
}

/* --- login --------------------------------------------------------------------------------- */

static void login_form(web_req *req, const char *token)
{
    raw(req, "<form method=\"post\" action=\"/login\" id=\"login\">"
             "<input type=\"hidden\" name=\"login_token\" value=\"");
    text(req, token);
    raw(req, "\">");
    input(req, "用户名", "user", "required autocomplete=\"username\"");
    input(req, "密码", "password", "type=\"password\" required autocomplete=\"current-password\"");
    raw(req, "<button type=\"submit\" id=\"login-button\">登录</button></form>");
}

/* The login form is tied to a cookie of its own (a token before any session), so a login cannot
 * be posted from another site's page either. */
static void login_page(web_req *req, const char *problem)
{
    char token[SRV_SESSION_TOKEN_MAX];
    uint8_t raw_bytes[32];
    randombytes_buf(raw_bytes, sizeof raw_bytes);
    sodium_bin2base64(token, sizeof token, raw_bytes, sizeof raw_bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(req->set_cookie[1], sizeof req->set_cookie[1],
             "pre=%s; Path=/login; HttpOnly; SameSite=Strict%s", token, req->tls ? "; Secure" : "");
    req->title = "登录";
    if (problem)
        message(req, false, "login-problem", problem);
    login_form(req, token);
}

static void login_post(web_req *req)
{
    const char *token = srv_form_get(&req->form, "login_token");
    if (!token || !req->login_token[0] || strlen(token) != strlen(req->login_token) ||
        sodium_memcmp(token, req->login_token, strlen(token)) != 0) {
        req->status = 403;
        login_page(req, "登录表单已失效，请重新登录");
        return;
    }
    const char *user = srv_form_get(&req->form, "user");
    const char *password = srv_form_get(&req->form, "password");
    if (!user || !password) {
        req->status = 400;
        login_page(req, "请填写用户名和密码");
        return;
    }
    int64_t now = kiosk_clock_now_ms(), until = 0;
    srv_login r = srv_login_check(req->st, user, password, now, &until);
    if (r == SRV_LOGIN_OK) {
        const srv_session *s = srv_sessions_create(req->sessions, user, now);
        snprintf(req->set_cookie[0], sizeof req->set_cookie[0],
                 "sid=%s; Path=/; HttpOnly; SameSite=Strict%s", s->id, req->tls ? "; Secure" : "");
        snprintf(req->set_cookie[1], sizeof req->set_cookie[1],
                 "pre=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict%s",
                 req->tls ? "; Secure" : "");
        snprintf(req->location, sizeof req->location, "/");
        KLOG_INFO("admin %s logged in", user);
        return;
    }
    if (r == SRV_LOGIN_LOCKED) {
        char t[KIOSK_CLOCK_TEXT_SIZE], line[120];
        kiosk_clock_format_local(until, t);
        snprintf(line, sizeof line, "连续 %d 次密码错误，账户已锁定，请在 %s 之后再试",
                 SRV_LOGIN_FAILURES_MAX, t);
        req->status = 403;
        login_page(req, line);
        return;
    }
    req->status = r == SRV_LOGIN_WRONG ? 401 : 500;
    login_page(req, r == SRV_LOGIN_WRONG ? "用户名或密码不对" : "数据库出错，请稍后再试");
}

/* --- overview ------------------------------------------------------------------------------ */

static kiosk_rc count_alert(void *user, const srv_alert *a)
{
    (void)a;
    (*(long *)user)++;
    return KIOSK_OK;
}

static void overview(web_req *req)
{
    req->title = "概览";
    srv_fleet_row *rows = NULL;
    size_t count = 0;
    long alerts = 0, online = 0, offline = 0;
    if (srv_fleet_collect(req->st, kiosk_clock_now_ms(), SRV_FLEET_BEAT_MS, &rows, &count) !=
            KIOSK_OK ||
        srv_store_alert_list(req->st, false, ALERTS_SHOWN, count_alert, &alerts) != KIOSK_OK) {
        message(req, false, "db-error", "数据库出错");
        free(rows);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        online += strcmp(rows[i].state, "online") == 0;
        offline += strcmp(rows[i].state, "offline") == 0 || strcmp(rows[i].state, "silent") == 0;
    }
    free(rows);
    rawf(
        req,
        "<p>终端 <span id=\"kiosk-count\">%zu</span> 台：在线 <span id=\"online\">%ld</span>，"
        "离线 <span id=\"offline\">%ld</span>（<a href=\"/fleet\">终端状态</a>）。</p>"
        "<p>未处理的员工提醒：<span id=\"alert-count\">%ld</span>（<a href=\"/alerts\">查看</a>）。"
        "</p>",
        count, online, offline, alerts);
}

/* --- sites and kiosks ---------------------------------------------------------------------- */

typedef struct site_list {
    srv_site *items;
    size_t count, cap;
} site_list;

static kiosk_rc keep_site(void *user, const srv_site *s)
{
    site_list *l = user;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        srv_site *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = *s;
    return KIOSK_OK;
}

static bool load_sites(web_req *req, site_list *l)
{
    memset(l, 0, sizeof *l);
    kiosk_rc rc = srv_store_begin(req->st, false);
    if (rc == KIOSK_OK) {
        rc = srv_store_site_list(req->st, keep_site, l);
        srv_store_rollback(req->st);
    }
    if (rc != KIOSK_OK)
        message(req, false, "db-error", "数据库出错");
    return rc == KIOSK_OK;
}

static void site_select(web_req *req, const site_list *l, const char *name, bool any)
{
    rawf(req, "<label>站点 <select name=\"%s\" id=\"%s\">", name, name);
    if (any)
        raw(req, "<option value=\"\">全部站点</option>");
    for (size_t i = 0; i < l->count; i++) {
        raw(req, "<option value=\"");
        text(req, l->items[i].site_id);
        raw(req, "\">");
        text(req, l->items[i].site_id);
        raw(req, " ");
        text(req, l->items[i].name);
        raw(req, "</option>");
    }
    raw(req, "</select></label>");
}

static void sites_page(web_req *req)
{
    req->title = "站点与终端";
    site_list l;
    if (!load_sites(req, &l))
        return;
    raw(req, "<h2>站点</h2><table id=\"sites\"><tr><th>编号</th><th>名称</th><th>市/区/街道</th>"
             "<th>时区</th></tr>");
    for (size_t i = 0; i < l.count; i++) {
        const srv_site *s = &l.items[i];
        raw(req, "<tr><td>");
        text(req, s->site_id);
        raw(req, "</td><td>");
        text(req, s->name);
        raw(req, "</td><td>");
        text(req, s->area.city);
        raw(req, "/");
        text(req, s->area.district);
        raw(req, "/");
        text(req, s->area.street);
        raw(req, "</td><td>");
        text(req, s->timezone);
        raw(req, "</td></tr>");
    }
    raw(req, "</table>");

    srv_fleet_row *rows = NULL;
    size_t count = 0;
    if (srv_fleet_collect(req->st, kiosk_clock_now_ms(), SRV_FLEET_BEAT_MS, &rows, &count) !=
        KIOSK_OK) {
        message(req, false, "db-error", "数据库出错");
        free(l.items);
        return;
    }
    raw(req, "<h2>终端</h2><table id=\"kiosks\"><tr><th>终端</th><th>站点</th><th>食堂</th>"
             "<th>状态</th><th></th></tr>");
    for (size_t i = 0; i < count; i++) {
        const srv_device *d = &rows[i].dev;
        raw(req, "<tr><td>");
        text(req, d->device_id);
        raw(req, "</td><td>");
        text(req, d->site_id);
        raw(req, "</td><td>");
        text(req, d->canteen_id);
        raw(req, "</td><td>");
        text(req, d->revoked_ms ? "已停用" : d->enrolled_ms ? "已注册" : "等待注册");
        raw(req, "</td><td>");
        if (!d->revoked_ms) {
            raw(req, "<form class=\"inline\" method=\"post\" action=\"/kiosks/revoke\">");
            srv_web_csrf_field(req);
            raw(req, "<input type=\"hidden\" name=\"device\" value=\"");
            text(req, d->device_id);
            raw(req, "\"><button type=\"submit\">停用</button></form>");
        }
        raw(req, "</td></tr>");
    }
    raw(req, "</table>");
    free(rows);

    raw(req, "<h2>添加站点</h2>");
    form_open(req, "/sites/new", false, "new-site");
    input(req, "编号", "site_id", "required");
    input(req, "名称", "name", "required");
    input(req, "市代码", "city", "required");
    input(req, "区代码", "district", "required");
    input(req, "街道代码", "street", "required");
    input(req, "时区", "timezone", "value=\"Asia/Shanghai\"");
    raw(req, "<button type=\"submit\" id=\"add-site\">添加站点</button></form>");

    raw(req, "<h2>添加终端（生成注册令牌）</h2>");
    form_open(req, "/kiosks/new", false, "new-kiosk");
    input(req, "终端编号", "device", "required");
    site_select(req, &l, "site", false);
    input(req, "食堂编号", "canteen", "required");
    raw(req, "<button type=\"submit\" id=\"add-kiosk\">添加终端</button></form>");
    free(l.items);
}

static const char *field(web_req *req, const char *name)
{
    const char *v = srv_form_get(&req->form, name);
    return v ? v : "";
}

static void site_new(web_req *req)
{
    req->title = "添加站点";
    srv_site s = {0};
    const char *zone = field(req, "timezone")[0] ? field(req, "timezone") : "Asia/Shanghai";
    const char *whole[] = {field(req, "site_id"),  field(req, "name"),   field(req, "city"),
                           field(req, "district"), field(req, "street"), zone};
    char *into[] = {s.site_id, s.name, s.area.city, s.area.district, s.area.street, s.timezone};
    size_t sizes[] = {sizeof s.site_id,       sizeof s.name,        sizeof s.area.city,
                      sizeof s.area.district, sizeof s.area.street, sizeof s.timezone};
    char problem[300] = "";
    for (size_t i = 0; i < 6; i++) {
        if (strlen(whole[i]) >= sizes[i])
            snprintf(problem, sizeof problem, "第 %zu 项太长", i + 1);
        else
            memcpy(into[i], whole[i], strlen(whole[i]) + 1);
    }
    kiosk_rc rc =
        problem[0] ? KIOSK_ERR_INVALID : srv_admin_site_new(req->st, &s, problem, sizeof problem);
    if (rc != KIOSK_OK) {
        req->status = rc == KIOSK_ERR_INVALID ? 400 : 500;
        message(req, false, "result", problem[0] ? problem : "数据库出错");
    } else {
        char line[300];
        snprintf(line, sizeof line, "站点 %s 已添加", s.site_id);
        message(req, true, "result", line);
    }
    raw(req, "<p><a href=\"/sites\">返回站点与终端</a></p>");
}

static void kiosk_new(web_req *req)
{
    req->title = "添加终端";
    char token[SRV_TOKEN_MAX] = "", problem[300] = "";
    int64_t expires = 0;
    kiosk_rc rc = srv_admin_kiosk_new(req->st, field(req, "device"), field(req, "site"),
                                      field(req, "canteen"), TOKEN_TTL_S, token, &expires, problem,
                                      sizeof problem);
    if (rc != KIOSK_OK) {
        req->status = rc == KIOSK_ERR_INVALID ? 400 : 500;
        message(req, false, "result", problem[0] ? problem : "数据库出错");
    } else {
        char until[KIOSK_CLOCK_TEXT_SIZE];
        kiosk_clock_format_local(expires, until);
        raw(req, "<p class=\"ok\" id=\"result\">终端 ");
        text(req, field(req, "device"));
        raw(req, " 已添加。注册令牌（只显示这一次，只能用一次，");
        text(req, until);
        raw(req, " 前有效）：</p><p><code class=\"token\" id=\"token\">");
        text(req, token);
        raw(req, "</code></p><p>把它写进终端配置的 [sync] enroll_token，"
                 "或在终端上运行 kiosk --enroll 令牌。</p>");
        KLOG_INFO("admin %s: kiosk %s added (enrollment token issued)", req->session->user,
                  field(req, "device"));
    }
    sodium_memzero(token, sizeof token);
    raw(req, "<p><a href=\"/sites\">返回站点与终端</a></p>");
}

static void kiosk_revoke(web_req *req)
{
    req->title = "停用终端";
    const char *device = field(req, "device");
    kiosk_rc rc = srv_store_begin(req->st, true);
    if (rc == KIOSK_OK) {
        rc = srv_store_device_revoke(req->st, device, kiosk_clock_now_ms());
        if (rc == KIOSK_OK)
            rc = srv_store_commit(req->st);
        else
            srv_store_rollback(req->st);
    }
    char line[200];
    snprintf(line, sizeof line,
             rc == KIOSK_OK              ? "终端 %.40s 已停用，此后它的请求一律拒绝"
             : rc == KIOSK_ERR_NOT_FOUND ? "没有终端 %.40s"
             : rc == KIOSK_ERR_INVALID   ? "终端 %.40s 早已停用"
                                         : "数据库出错（%.40s）",
             device);
    if (rc != KIOSK_OK)
        req->status = rc == KIOSK_ERR_NOT_FOUND || rc == KIOSK_ERR_INVALID ? 400 : 500;
    message(req, rc == KIOSK_OK, "result", line);
    raw(req, "<p><a href=\"/sites\">返回站点与终端</a></p>");
}

/* --- imports ------------------------------------------------------------------------------- */

static void imports_page(web_req *req)
{
    req->title = "名单与政策导入";
    site_list l;
    if (!load_sites(req, &l))
        return;
    raw(req, "<h2>人员名单（CSV，格式见 docs/roster.md）</h2>");
    form_open(req, "/imports/roster", true, "roster-form");
    raw(req, "<label>文件 <input type=\"file\" name=\"file\" id=\"roster-file\" required></label>");
    site_select(req, &l, "site", false);
    raw(req, "<label><input type=\"radio\" name=\"mode\" value=\"delta\" id=\"mode-delta\" checked>"
             " 增量（只改文件里的人和卡）</label>"
             "<label><input type=\"radio\" name=\"mode\" value=\"full\" id=\"mode-full\">"
             " 全量（文件是站点的全部名单：文件里没有的人停用）</label>"
             "<button type=\"submit\" id=\"import-roster\">导入名单</button></form>");
    raw(req, "<h2>补贴政策（JSON，格式见 docs/policy.md）</h2>");
    form_open(req, "/imports/policy", true, "policy-form");
    raw(req, "<label>文件 <input type=\"file\" name=\"file\" id=\"policy-file\" required></label>");
    site_select(req, &l, "site", true);
    raw(req, "<button type=\"submit\" id=\"import-policy\">导入政策</button></form>");
    free(l.items);
}

static void roster_post(web_req *req)
{
    req->title = "名单导入结果";
    const srv_form_field *file = srv_form_field_get(&req->form, "file");
    kiosk_roster_mode mode = kiosk_roster_mode_parse(field(req, "mode"));
    srv_site site;
    kiosk_rc rc = KIOSK_ERR_INVALID;
    char err[300] = "";
    if (!file || !file->filename || mode == KIOSK_ROSTER_MODE_NONE)
        snprintf(err, sizeof err, "请选择文件和导入方式");
    else if ((rc = srv_store_site_get(req->st, field(req, "site"), &site)) != KIOSK_OK)
        snprintf(err, sizeof err, rc == KIOSK_ERR_NOT_FOUND ? "没有这个站点" : "数据库出错");
    FILE *csv = NULL;
    char *report = NULL;
    size_t report_len = 0;
    if (!err[0]) {
        csv = fmemopen(file->value, file->len ? file->len : 1, "rb");
        srv_roster_report r;
        int64_t now = kiosk_clock_now_ms();
        rc = !csv ? KIOSK_ERR_NOMEM
                  : srv_roster_import(req->st, site.site_id, file->len ? csv : NULL,
                                      srv_zone_date(site.timezone, now), mode, now, &r, err,
                                      sizeof err);
        if (rc == KIOSK_OK) {
            FILE *out = open_memstream(&report, &report_len);
            if (out) {
                srv_admin_roster_report(out, file->filename, site.site_id, &r);
                fclose(out);
            }
        }
    }
    if (csv)
        fclose(csv);
    if (rc != KIOSK_OK) {
        req->status = rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_INVALID ? 400 : 500;
        raw(req, "<p class=\"error\" id=\"result\">");
        text(req, err[0] ? err : "数据库出错");
        raw(req, "；什么都没有导入。</p>");
    } else {
        raw(req, "<p class=\"ok\" id=\"result\">已导入：</p><pre id=\"report\">");
        text(req, report);
        raw(req, "</pre>");
        KLOG_INFO("admin %s: roster imported for site %s", req->session->user, site.site_id);
    }
    free(report);
    raw(req, "<p><a href=\"/imports\">返回导入</a></p>");
}

static void policy_post(web_req *req)
{
    req->title = "政策导入结果";
    const srv_form_field *file = srv_form_field_get(&req->form, "file");
    const char *site = field(req, "site")[0] ? field(req, "site") : SRV_ANY_SITE;
    srv_policy_result res;
    char err[300] = "";
    kiosk_rc rc = KIOSK_ERR_INVALID;
    if (!file || !file->filename)
        snprintf(err, sizeof err, "请选择文件");
    else
        rc = srv_policy_import(req->st, site, file->value, file->len, kiosk_clock_now_ms(), &res,
                               err, sizeof err);
    if (rc != KIOSK_OK) {
        req->status = rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_NOT_FOUND
                          ? 400
                          : 500;
        raw(req, "<p class=\"error\" id=\"result\">");
        text(req, err[0] ? err : "数据库出错");
        raw(req, "；什么都没有导入。</p>");
    } else {
        char line[300];
        snprintf(line, sizeof line, "政策 %s（%s 起生效）%s：%s", res.version, res.effective_from,
                 strcmp(site, SRV_ANY_SITE) == 0 ? "全部站点" : site,
                 res.changed ? "已保存" : "与已有的相同，没有变化");
        message(req, true, "result", line);
    }
    raw(req, "<p><a href=\"/imports\">返回导入</a></p>");
}

/* --- appointments, settlement -------------------------------------------------------------- */

typedef struct appt_list {
    kiosk_appointment *items;
    size_t count, cap;
    kiosk_date today;
    bool bad; /* a stored row this server cannot read back */
} appt_list;

static kiosk_rc keep_appointment(void *user, const srv_stream_row *r)
{
    appt_list *l = user;
    kiosk_appointment a;
    char err[120];
    if (!r->row || kiosk_appointment_from_json(r->row, strlen(r->row), r->key, &a, err,
                                               sizeof err) != KIOSK_OK) {
        l->bad = true;
        return KIOSK_OK;
    }
    if (kiosk_date_cmp(a.date, l->today) != 0)
        return KIOSK_OK;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        kiosk_appointment *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = a;
    return KIOSK_OK;
}

static int by_slot(const void *a, const void *b)
{
    const kiosk_appointment *x = a, *y = b;
    if (x->slot_start != y->slot_start)
        return x->slot_start < y->slot_start ? -1 : 1;
    return strcmp(x->booking_no, y->booking_no);
}

static void appointments_page(web_req *req)
{
    req->title = "今日预约";
    site_list sites;
    if (!load_sites(req, &sites))
        return;
    int64_t now = kiosk_clock_now_ms();
    size_t shown = 0;
    for (size_t i = 0; i < sites.count; i++) {
        const srv_site *site = &sites.items[i];
        appt_list l = {.today = srv_zone_date(site->timezone, now)};
        kiosk_rc rc = srv_store_begin(req->st, false);
        if (rc == KIOSK_OK) {
            rc = srv_store_stream_live(req->st, site->site_id, NULL, "appointments", "", 0,
                                       keep_appointment, &l);
            srv_store_rollback(req->st);
        }
        if (rc != KIOSK_OK)
            message(req, false, "db-error", "数据库出错");
        if (l.bad)
            message(req, false, "bad-row", "有预约记录无法读取（服务器版本比导入时旧？）");
        if (l.count) {
            char date[11];
            kiosk_date_format(l.today, date);
            qsort(l.items, l.count, sizeof *l.items, by_slot);
            raw(req, "<h2>");
            text(req, site->site_id);
            raw(req, " ");
            text(req, site->name);
            raw(req, "：");
            text(req, date);
            raw(req, "</h2><table class=\"appointments\"><tr><th>时段</th><th>预约号</th>"
                     "<th>业务</th><th>通道</th><th>当事人</th><th>状态</th></tr>");
            for (size_t k = 0; k < l.count; k++) {
                const kiosk_appointment *a = &l.items[k];
                rawf(req, "<tr><td>%02d:%02d-%02d:%02d</td><td>", a->slot_start / 60,
                     a->slot_start % 60, a->slot_end / 60, a->slot_end % 60);
                text(req, a->booking_no);
                raw(req, "</td><td>");
                text(req, kiosk_service_label(a->service));
                raw(req, "</td><td>");
                text(req, kiosk_lane_label(a->lane));
                raw(req, "</td><td>");
                for (size_t p = 0; p < a->party_count; p++) {
                    raw(req, p ? "、" : "");
                    text(req, a->party[p].name_masked);
                }
                raw(req, "</td><td>");
                text(req, a->status == KIOSK_APPT_CHECKED_IN  ? "已签到"
                          : a->status == KIOSK_APPT_CANCELLED ? "已取消"
                                                              : "已预约");
                raw(req, "</td></tr>");
            }
            raw(req, "</table>");
            shown += l.count;
        }
        free(l.items);
    }
    free(sites.items);
    if (!shown)
        raw(req, "<p id=\"no-appointments\">今天没有预约。婚姻登记处的预约由 server "
                 "import-appointments 导入后在这里显示。</p>");
}

static void settlement_page(web_req *req)
{
    req->title = "结算下载";
    site_list l;
    if (!load_sites(req, &l))
        return;
    kiosk_local_time t = kiosk_clock_local(kiosk_clock_now_ms());
    char month[8];
    snprintf(month, sizeof month, "%04d-%02d", t.date.year % 10000, t.date.month % 100);
    raw(req, "<form method=\"get\" action=\"/settlement.csv\" id=\"settlement-form\">");
    input(req, "月份（YYYY-MM）", "month", "required pattern=\"[0-9]{4}-[0-9]{2}\"");
    site_select(req, &l, "site", true);
    raw(req, "<label><input type=\"checkbox\" name=\"meals\" value=\"1\" id=\"meals\">"
             " 逐笔明细（否则按站点、食堂、类别和出资级别汇总）</label>"
             "<button type=\"submit\" id=\"download\">下载 CSV</button></form><p>本月是 ");
    text(req, month);
    raw(req, "。待复核和不予补贴的餐次单列在 held_ 列，不计入补贴。</p>");
    free(l.items);
}

static void settlement_csv(web_req *req)
{
    const char *month = field(req, "month");
    const char *site = field(req, "site")[0] ? field(req, "site") : NULL;
    bool meals = strcmp(field(req, "meals"), "1") == 0;
    char *data = NULL;
    size_t len = 0;
    char err[300] = "";
    FILE *out = open_memstream(&data, &len);
    kiosk_rc rc = KIOSK_ERR_NOMEM;
    srv_site s;
    if (site && srv_store_site_get(req->st, site, &s) != KIOSK_OK) {
        snprintf(err, sizeof err, "没有站点 %.40s", site);
        rc = KIOSK_ERR_INVALID;
    } else if (out) {
        rc = meals ? srv_settlement_meals(req->st, month, site, out, err, sizeof err)
                   : srv_settlement_totals(req->st, month, site, out, err, sizeof err);
    }
    if (out)
        fclose(out);
    if (rc != KIOSK_OK) {
        free(data);
        req->title = "结算下载";
        req->status = rc == KIOSK_ERR_INVALID ? 400 : 500;
        message(req, false, "result", err[0] ? err : "数据库出错");
        raw(req, "<p><a href=\"/settlement\">返回</a></p>");
        return;
    }
    req->download = data;
    req->download_len = len;
    req->download_type = "text/csv; charset=utf-8";
    /* month and site passed their checks: digits, letters, '-' and '_' only. */
    snprintf(req->download_name, sizeof req->download_name, "settlement-%s%s%s%s.csv", month,
             site ? "-" : "", site ? site : "", meals ? "-meals" : "");
}

/* --- review -------------------------------------------------------------------------------- */

typedef struct case_list {
    srv_case *items;
    size_t count, cap;
} case_list;

static kiosk_rc keep_case(void *user, const srv_case *c)
{
    case_list *l = user;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        srv_case *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = *c;
    return KIOSK_OK;
}

static kiosk_rc case_meal_row(void *user, const srv_case_meal *m)
{
    web_req *req = user;
    raw(req, "<tr><td>");
    text(req, m->record_id);
    raw(req, "</td><td>");
    text(req, m->device_id);
    raw(req, "</td><td>");
    text(req, m->canteen_id);
    raw(req, "</td>");
    time_cell(req, m->est_created_ms);
    rawf(req, "<td class=\"num\">%" PRId64 ".%02" PRId64 "</td><td>", m->subsidy_fen / 100,
         m->subsidy_fen % 100);
    text(req, m->review_status[0] ? m->review_status : "-");
    raw(req, "</td></tr>");
    return KIOSK_OK;
}

static void review_page(web_req *req)
{
    req->title = "重复补贴复核";
    bool all = strcmp(field(req, "all"), "1") == 0;
    case_list l = {0};
    kiosk_rc rc = srv_store_begin(req->st, false);
    if (rc == KIOSK_OK) {
        rc = srv_store_case_list(req->st, !all, keep_case, &l);
        srv_store_rollback(req->st);
    }
    rawf(req,
         "<p>同一人同一天同一餐次在不同终端领了两次补贴时，后一笔的补贴先扣住，等复核："
         "“照付”则结算时支付，“不予补贴”则不付。<a href=\"/review%s\">%s</a></p>",
         all ? "" : "?all=1", all ? "只看待处理的" : "也看已处理的");
    if (rc == KIOSK_OK && l.count == 0)
        raw(req, "<p id=\"no-cases\">没有待复核的记录。</p>");
    for (size_t i = 0; rc == KIOSK_OK && i < l.count; i++) {
        const srv_case *c = &l.items[i];
        rawf(req, "<h2 id=\"case-%" PRId64 "\">复核 %" PRId64 "：人员 ", c->case_id, c->case_id);
        text(req, c->person_id);
        raw(req, "，");
        text(req, c->business_date);
        raw(req, " ");
        text(req, c->meal_type);
        raw(req, "（");
        text(req, strcmp(c->status, "open") == 0       ? "待处理"
                  : strcmp(c->status, "accepted") == 0 ? "已照付"
                                                       : "不予补贴");
        raw(req, "）</h2><table><tr><th>记录</th><th>终端</th><th>食堂</th><th>时间</th>"
                 "<th>补贴（元）</th><th>复核状态</th></tr>");
        rc = srv_store_case_meals(req->st, c->case_id, case_meal_row, req);
        raw(req, "</table>");
        if (strcmp(c->status, "open") == 0) {
            rawf(req, "<form method=\"post\" action=\"/review/decide\" id=\"decide-%" PRId64 "\">",
                 c->case_id);
            srv_web_csrf_field(req);
            rawf(req,
                 "<input type=\"hidden\" name=\"case\" value=\"%" PRId64 "\">"
                 "<button type=\"submit\" name=\"decision\" value=\"accept\" id=\"accept-%" PRId64
                 "\">照付</button> <button type=\"submit\" name=\"decision\" value=\"waive\""
                 " id=\"waive-%" PRId64 "\">不予补贴</button></form>",
                 c->case_id, c->case_id, c->case_id);
        }
    }
    if (rc != KIOSK_OK)
        message(req, false, "db-error", "数据库出错");
    free(l.items);
}

static void review_decide(web_req *req)
{
    req->title = "复核结果";
    char *end;
    const char *id_text = field(req, "case");
    long long id = strtoll(id_text, &end, 10);
    const char *decision = field(req, "decision");
    bool accept = strcmp(decision, "accept") == 0;
    long decided = 0;
    kiosk_rc rc = KIOSK_ERR_INVALID;
    if (!*id_text || *end || id < 1 || (!accept && strcmp(decision, "waive") != 0))
        req->status = 400;
    else
        rc = srv_review_decide(req->st, id, accept, kiosk_clock_now_ms(), &decided);
    char line[200];
    if (rc == KIOSK_OK) {
        snprintf(line, sizeof line, "复核 %lld：%s，%ld 笔餐次%s", id, accept ? "照付" : "不予补贴",
                 decided, accept ? "的补贴计入结算" : "的补贴不予支付");
        KLOG_INFO("admin %s: case %lld %s", req->session->user, id, accept ? "accepted" : "waived");
    } else {
        req->status = rc == KIOSK_ERR_NOT_FOUND || rc == KIOSK_ERR_INVALID ? 400 : 500;
        snprintf(line, sizeof line, "%s",
                 rc == KIOSK_ERR_NOT_FOUND ? "没有这个复核"
                 : rc == KIOSK_ERR_INVALID ? "表单不完整"
                                           : "数据库出错");
    }
    message(req, rc == KIOSK_OK, "result", line);
    raw(req, "<p><a href=\"/review\">返回复核</a></p>");
}

/* --- fleet, alerts ------------------------------------------------------------------------- */

/* The devices a kiosk has, one a line: 读卡器 正常 / 未连接, 打印机 缺纸 (in red when not right).
 */
static void device_states(web_req *req, const srv_fleet_row *r)
{
    static const char *const names[SRV_FLEET_DEVICES] = {"读卡器", "身份证阅读器", "打印机"};
    int shown = 0;
    for (int d = 0; d < SRV_FLEET_DEVICES; d++) {
        const char *st = r->devices[d];
        if (!st[0])
            continue;
        bool ready = strcmp(st, "ready") == 0;
        rawf(req, "%s%s %s", shown++ ? "<br>" : "", names[d],
             ready ? "" : "<span class=\"error\">");
        text(req, ready                         ? "正常"
                  : strcmp(st, "down") == 0     ? "未连接"
                  : strcmp(st, "no_paper") == 0 ? "缺纸"
                                                : st);
        raw(req, ready ? "" : "</span>");
    }
    if (!shown)
        raw(req, "-");
}

/* "3天 04:05" (days, hours, minutes), "04:05" under a day. */
static void uptime_cell(web_req *req, int64_t s)
{
    if (s < 0) {
        raw(req, "<td class=\"num\">-</td>");
        return;
    }
    int64_t days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60;
    if (days)
        rawf(req, "<td class=\"num\">%" PRId64 "天 %02" PRId64 ":%02" PRId64 "</td>", days, hours,
             minutes);
    else
        rawf(req, "<td class=\"num\">%02" PRId64 ":%02" PRId64 "</td>", hours, minutes);
}

/* The kiosk's last package update: a failed one (rolled back, or not even that) stands out.
 * "9.9.0 更新失败，已退回 9.8.7", its time, why. */
static void update_cell(web_req *req, const srv_fleet_row *r)
{
    const char *result = r->update_result;
    if (!result[0])
        return;
    bool updated = strcmp(result, "updated") == 0;
    bool known =
        updated || strcmp(result, "rolled_back") == 0 || strcmp(result, "rollback_failed") == 0;
    raw(req, updated ? "<span>" : "<span class=\"error\">");
    if (!known) {
        raw(req, "更新报告无法读取");
    } else if (updated) {
        raw(req, "已更新到 ");
        text(req, r->update_version);
    } else {
        text(req, r->update_version);
        raw(req, " 更新失败，");
        raw(req, strcmp(result, "rolled_back") == 0 ? "已退回 " : "退回也失败 ");
        text(req, r->update_previous);
    }
    raw(req, "</span>");
    if (r->update_at_ms > 0) {
        char when[KIOSK_CLOCK_TEXT_SIZE];
        kiosk_clock_format_local(r->update_at_ms, when);
        raw(req, "<br>");
        text(req, when);
    }
    if (r->update_reason[0]) {
        raw(req, "<br>");
        text(req, r->update_reason);
    }
}

static void fleet_page(web_req *req)
{
    req->title = "终端状态";
    srv_fleet_row *rows = NULL;
    size_t count = 0;
    if (srv_fleet_collect(req->st, kiosk_clock_now_ms(), SRV_FLEET_BEAT_MS, &rows, &count) !=
        KIOSK_OK) {
        message(req, false, "db-error", "数据库出错");
        return;
    }
    rawf(req,
         "<p>超过 %d 个心跳间隔（终端自己报告的间隔，没有报告的按 %d "
         "秒算）没有收到心跳的终端显示为离线。</p>",
         SRV_FLEET_SILENT_BEATS, SRV_FLEET_BEAT_MS / 1000);
    raw(req,
        "<table id=\"fleet\"><tr><th>终端</th><th>站点</th><th>状态</th><th>最近心跳</th>"
        "<th>版本</th><th>运行时间</th><th>待上传</th><th>最早待上传（秒）</"
        "th><th>最近上传确认</th>"
        "<th>时钟偏差（毫秒）</th><th>剩余磁盘（MB）</th><th>离线餐次</th><th>被拒记录</th>"
        "<th>数据年龄（秒）</th><th>提示</th><th>远程配置</th><th>设备</th><th>最近更新</th></tr>");
    for (size_t i = 0; i < count; i++) {
        const srv_fleet_row *r = &rows[i];
        raw(req, "<tr><td>");
        text(req, r->dev.device_id);
        raw(req, "</td><td>");
        text(req, r->dev.site_id);
        rawf(req, "</td><td class=\"%s state\">", r->state);
        text(req, strcmp(r->state, "online") == 0    ? "在线"
                  : strcmp(r->state, "offline") == 0 ? "离线"
                  : strcmp(r->state, "silent") == 0  ? "离线（从未发心跳）"
                  : strcmp(r->state, "revoked") == 0 ? "已停用"
                                                     : "等待注册");
        raw(req, "</td>");
        time_cell(req, r->has_beat ? r->beat_ms : 0);
        raw(req, "<td>");
        text(req, r->app_version[0] ? r->app_version : "-");
        raw(req, "</td>");
        uptime_cell(req, r->uptime_s);
        int_cell(req, r->pending);
        int_cell(req, r->oldest_age_ms < 0 ? -1 : r->oldest_age_ms / 1000);
        time_cell(req, r->last_ack_ms);
        if (r->has_offset)
            rawf(req, "<td class=\"num\">%" PRId64 "</td>", r->clock_offset_ms);
        else
            raw(req, "<td class=\"num\">-</td>");
        int_cell(req, r->disk_free_bytes < 0 ? -1 : r->disk_free_bytes / (1024 * 1024));
        int_cell(req, r->offline_meals);
        int_cell(req, r->rejected);
        raw(req, "<td>");
        for (int s = 0; s < SRV_FLEET_STREAMS; s++) {
            rawf(req, "%s%s ", s ? "<br>" : "", srv_fleet_stream_names[s]);
            if (r->stream_age_ms[s] < 0)
                raw(req, "-");
            else
                rawf(req, "%" PRId64, r->stream_age_ms[s] / 1000);
        }
        raw(req, "</td><td>");
        text(req, r->staff_notice[0] ? r->staff_notice : "");
        raw(req, "</td><td>");
        if (r->config_version >= 0)
            rawf(req, "%" PRId64, r->config_version);
        if (r->config_error[0]) {
            raw(req, " <span class=\"error\">");
            text(req, r->config_error);
            raw(req, "</span>");
        }
        raw(req, "</td><td>");
        device_states(req, r);
        raw(req, "</td><td>");
        update_cell(req, r);
        raw(req, "</td></tr>");
    }
    raw(req, "</table>");
    free(rows);
}

static kiosk_rc alert_row(void *user, const srv_alert *a)
{
    web_req *req = user;
    rawf(req, "<tr id=\"alert-%" PRId64 "\">", a->alert_id);
    time_cell(req, a->created_ms);
    raw(req, "<td>");
    text(req, a->site_id[0] ? a->site_id : "-");
    raw(req, "</td><td>");
    text(req, a->device_id[0] ? a->device_id : "-");
    raw(req, "</td><td>");
    text(req, a->kind);
    raw(req, "</td><td>");
    text(req, a->detail);
    raw(req, "</td>");
    if (a->resolved_ms) {
        time_cell(req, a->resolved_ms);
    } else {
        raw(req, "<td><form class=\"inline\" method=\"post\" action=\"/alerts/resolve\">");
        srv_web_csrf_field(req);
        rawf(req,
             "<input type=\"hidden\" name=\"alert\" value=\"%" PRId64 "\">"
             "<button type=\"submit\">已处理</button></form></td>",
             a->alert_id);
    }
    raw(req, "</tr>");
    return KIOSK_OK;
}

static void alerts_page(web_req *req)
{
    req->title = "员工提醒";
    bool all = strcmp(field(req, "all"), "1") == 0;
    rawf(req, "<p>终端上的求助、审计链断裂等需要工作人员处理的事。<a href=\"/alerts%s\">%s</a></p>",
         all ? "" : "?all=1", all ? "只看未处理的" : "也看已处理的");
    raw(req, "<table id=\"alerts\"><tr><th>时间</th><th>站点</th><th>终端</th><th>类别</th>"
             "<th>内容</th><th>处理</th></tr>");
    if (srv_store_alert_list(req->st, all, ALERTS_SHOWN, alert_row, req) != KIOSK_OK)
        message(req, false, "db-error", "数据库出错");
    raw(req, "</table>");
}

static void alert_resolve(web_req *req)
{
    req->title = "员工提醒";
    char *end;
    const char *id_text = field(req, "alert");
    long long id = strtoll(id_text, &end, 10);
    kiosk_rc rc = !*id_text || *end || id < 1
                      ? KIOSK_ERR_NOT_FOUND
                      : srv_store_alert_resolve(req->st, id, kiosk_clock_now_ms());
    if (rc != KIOSK_OK)
        req->status = rc == KIOSK_ERR_NOT_FOUND ? 400 : 500;
    message(req, rc == KIOSK_OK, "result",
            rc == KIOSK_OK              ? "已标记为处理完毕"
            : rc == KIOSK_ERR_NOT_FOUND ? "没有这条未处理的提醒"
                                        : "数据库出错");
    raw(req, "<p><a href=\"/alerts\">返回员工提醒</a></p>");
}

static void logout(web_req *req)
{
    srv_sessions_end(req->sessions, req->session->id);
    req->session = NULL;
    snprintf(req->set_cookie[0], sizeof req->set_cookie[0],
             "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", req->tls ? "; Secure" : "");
    snprintf(req->location, sizeof req->location, "/login");
}

/* --- routing ------------------------------------------------------------------------------- */

bool srv_web_page(web_req *req)
{
    static const struct {
        const char *method, *path;
        void (*fn)(web_req *req);
    } routes[] = {
        {"GET", "/", overview},
        {"GET", "/sites", sites_page},
        {"POST", "/sites/new", site_new},
        {"POST", "/kiosks/new", kiosk_new},
        {"POST", "/kiosks/revoke", kiosk_revoke},
        {"GET", "/imports", imports_page},
        {"POST", "/imports/roster", roster_post},
        {"POST", "/imports/policy", policy_post},
        {"GET", "/appointments", appointments_page},
        {"GET", "/settlement", settlement_page},
        {"GET", "/settlement.csv", settlement_csv},
        {"GET", "/review", review_page},
        {"POST", "/review/decide", review_decide},
        {"GET", "/fleet", fleet_page},
        {"GET", "/alerts", alerts_page},
        {"POST", "/alerts/resolve", alert_resolve},
        {"POST", "/logout", logout},
    };
    bool get = strcmp(req->method, "POST") != 0;
    if (strcmp(req->path, "/login") == 0) {
        if (get)
            login_page(req, NULL);
        else
            login_post(req);
        return true;
    }
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(req->path, routes[i].path) == 0 &&
            (strcmp(routes[i].method, "GET") == 0) == get) {
            routes[i].fn(req);
            return true;
        }
    }
    return false;
}
