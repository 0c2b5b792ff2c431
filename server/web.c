/* web.c - the admin page's daemon (web.h): reading a request whole, the gate every request
 * passes (session, CSRF token, origin) and the headers every answer carries. */
#define _POSIX_C_SOURCE 200809L
#include "web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "web_internal.h"
#define KIOSK_LOG_MODULE "web"

#define BODY_MAX (32u * 1024u * 1024u) /* a city's roster CSV fits */

/* No script at all, styles from the page's own file only, forms only to itself, never framed. */
#define CSP                                                                              \
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; " \
    "base-uri 'none'"

static const char css[] =
    "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;font-size:18px;margin:0;"
    "color:#111;background:#fff}\n"
    "header{background:#123;color:#fff;padding:.6em 1em}\n"
    "header a{color:#fff;margin-right:1.2em}\n"
    "header form{display:inline;float:right}\n"
    "main{padding:1em 1.5em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "th,td{border:1px solid #888;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#e8eef4}\n"
    "td.num{text-align:right}\n"
    ".offline,.silent{background:#fdd;font-weight:bold}\n"
    ".online{background:#dfd}\n"
    ".error{color:#a00;font-weight:bold}\n"
    ".ok{color:#060;font-weight:bold}\n"
    "fieldset{margin:1em 0;max-width:40em}\n"
    "label{display:block;margin:.4em 0}\n"
    "input,select,button{font-size:18px}\n"
    "code.token{font-size:22px;background:#ffd;padding:.2em}\n"
    "form.inline{display:inline}\n";

struct srv_web {
    struct MHD_Daemon *daemon;
    srv_store *st;
    srv_sessions sessions;
    bool tls;
    char *cert, *key;
};

typedef struct upload {
    char *target; /* the request target as sent, query included */
    char *body;
    size_t len, cap;
    bool started, too_large;
} upload;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    upload *u = calloc(1, sizeof *u);
    if (u && !(u->target = strdup(uri ? uri : ""))) {
        free(u);
        u = NULL;
    }
    return u;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap) KIOSK_PRINTF_LIKE(2, 0);
static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[300];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\r\n")] = '\0';
    KLOG_WARN("admin page: libmicrohttpd: %s", line);
}

static void add_common_headers(struct MHD_Response *r, bool tls)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_bytes(struct MHD_Connection *con, bool tls, unsigned status,
                                  const char *type, const void *data, size_t len,
                                  const web_req *req)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    add_common_headers(r, tls);
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    for (int i = 0; req && i < 2; i++)
        if (req->set_cookie[i][0])
            MHD_add_response_header(r, "Set-Cookie", req->set_cookie[i]);
    if (req && req->location[0])
        MHD_add_response_header(r, "Location", req->location);
    if (req && req->download) {
        char disp[160];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", req->download_name);
        MHD_add_response_header(r, "Content-Disposition", disp);
    }
    enum MHD_Result ok = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return ok;
}

static const char *const nav[][2] = {
    {"/", "概览"},
    {"/sites", "站点与终端"},
    {"/imports", "名单与政策导入"},
    {"/appointments", "今日预约"},
    {"/settlement", "结算下载"},
    {"/review", "重复补贴复核"},
    {"/fleet", "终端状态"},
    {"/alerts", "员工提醒"},
};

/* The page around a handler's content: title, navigation (when logged in), the stylesheet. */
static void frame(web_req *req, srv_html *out)
{
    srv_html_raw(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width\">"
                      "<link rel=\"stylesheet\" href=\"/static/admin.css\"><title>");
    srv_html_text(out, req->title ? req->title : "管理");
    srv_html_raw(out, " - 终端管理</title></head><body><header>");
    if (req->session) {
        for (size_t i = 0; i < sizeof nav / sizeof *nav; i++)
            srv_html_rawf(out, "<a href=\"%s\">%s</a>", nav[i][0], nav[i][1]);
        srv_html_raw(out, "<form method=\"post\" action=\"/logout\">");
        srv_html_raw(out, "<input type=\"hidden\" name=\"csrf\" value=\"");
        srv_html_text(out, req->session->csrf);
        srv_html_raw(out, "\"><span>");
        srv_html_text(out, req->session->user);
        srv_html_raw(out, "</span> <button id=\"logout\" type=\"submit\">退出</button></form>");
    } else {
        srv_html_raw(out, "终端管理");
    }
    srv_html_raw(out, "</header><main><h1>");
    srv_html_text(out, req->title ? req->title : "管理");
    srv_html_raw(out, "</h1>\n");
    if (req->body.data)
        srv_html_raw(out, req->body.data);
    srv_html_raw(out, "</main></body></html>\n");
}

void srv_web_csrf_field(web_req *req)
{
    if (!req->session)
        return;
    srv_html_raw(&req->body, "<input type=\"hidden\" name=\"csrf\" value=\"");
    srv_html_text(&req->body, req->session->csrf);
    srv_html_raw(&req->body, "\">");
}

static enum MHD_Result send_page(struct MHD_Connection *con, web_req *req)
{
    if (req->location[0])
        return send_bytes(con, req->tls, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0,
                          req);
    if (req->download)
        return send_bytes(con, req->tls, (unsigned)req->status, req->download_type, req->download,
                          req->download_len, req);
    srv_html page = {0};
    frame(req, &page);
    if (page.failed || req->body.failed) {
        srv_html_free(&page);
        return send_bytes(con, req->tls, MHD_HTTP_INTERNAL_SERVER_ERROR,
                          "text/plain; charset=utf-8", "out of memory\n", 14, NULL);
    }
    enum MHD_Result ok = send_bytes(con, req->tls, (unsigned)req->status,
                                    "text/html; charset=utf-8", page.data, page.len, req);
    srv_html_free(&page);
    return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *con, web_req *req, int status, const char *why)
{
    srv_html_free(&req->body);
    req->status = status;
    req->title = status == MHD_HTTP_FORBIDDEN ? "请求被拒绝" : "出错了";
    srv_html_raw(&req->body, "<p class=\"error\" id=\"refused\">");
    srv_html_text(&req->body, why);
    srv_html_raw(&req->body, "</p><p><a href=\"/\">返回</a></p>");
    KLOG_INFO("admin page: %s %s refused (%d): %s", req->method, req->path, status, why);
    return send_page(con, req);
}

/* A POST comes from this page itself: its Origin (or, without one, its Referer) is the origin
 * the browser addressed. Browsers set both and scripts of other sites cannot forge them. */
static bool same_origin(struct MHD_Connection *con, bool tls)
{
    const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
    const char *origin = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Origin");
    const char *referer = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Referer");
    if (!host || !host[0] || strlen(host) > 200)
        return false;
    char expected[256];
    int n = snprintf(expected, sizeof expected, "%s://%s", tls ? "https" : "http", host);
    if (origin)
        return strcmp(origin, expected) == 0;
    return referer && strncmp(referer, expected, (size_t)n) == 0 && referer[n] == '/';
}

static void end_request(void *cls, struct MHD_Connection *con, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->target);
        free(u->body);
        free(u);
    }
    *con_cls = NULL;
}

static enum MHD_Result handle(srv_web *w, struct MHD_Connection *con, const char *url,
                              const char *method, upload *u)
{
    web_req req = {.st = w->st,
                   .sessions = &w->sessions,
                   .method = method,
                   .path = url,
                   .tls = w->tls,
                   .status = MHD_HTTP_OK,
                   .login_token = ""};
    bool post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return refuse(con, &req, MHD_HTTP_METHOD_NOT_ALLOWED, "只接受 GET 和 POST");
    if (strcmp(url, "/static/admin.css") == 0)
        return send_bytes(con, w->tls, MHD_HTTP_OK, "text/css; charset=utf-8", css, sizeof css - 1,
                          NULL);
    if (strcmp(url, "/favicon.ico") == 0)
        return send_bytes(con, w->tls, MHD_HTTP_NO_CONTENT, NULL, "", 0, NULL);
    if (u->too_large)
        return refuse(con, &req, 413, "上传的文件太大（最多 32 MiB）");

    const char *cookies = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Cookie");
    char sid[SRV_SESSION_TOKEN_MAX], pre[SRV_SESSION_TOKEN_MAX];
    int64_t now = kiosk_clock_now_ms();
    if (srv_cookie_get(cookies, "sid", sid, sizeof sid))
        req.session = srv_sessions_find(&w->sessions, sid, now);
    if (srv_cookie_get(cookies, "pre", pre, sizeof pre))
        req.login_token = pre;

    kiosk_rc rc = KIOSK_OK;
    if (post) {
        const char *type = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
        if (type && strncmp(type, "multipart/form-data", 19) == 0)
            rc = srv_form_parse_multipart(type, u->body ? u->body : "", u->len, &req.form);
        else
            rc = srv_form_parse_urlencoded(u->body ? u->body : "", u->len, &req.form);
    } else {
        /* The raw query (libmicrohttpd's url has none): parsed by the same code as a form. */
        const char *q = u->target ? strchr(u->target, '?') : NULL;
        rc = q ? srv_form_parse_urlencoded(q + 1, strlen(q + 1), &req.form) : KIOSK_OK;
    }
    enum MHD_Result result;
    if (rc != KIOSK_OK) {
        result = refuse(con, &req, MHD_HTTP_BAD_REQUEST, "表单无法读取");
    } else if (post && !same_origin(con, w->tls)) {
        result = refuse(con, &req, MHD_HTTP_FORBIDDEN, "请求不是从本页面发出的（来源不符）");
    } else if (strcmp(url, "/login") == 0) {
        result = srv_web_page(&req) ? send_page(con, &req)
                                    : refuse(con, &req, MHD_HTTP_NOT_FOUND, "没有这个页面");
    } else if (!req.session && post) {
        result = refuse(con, &req, MHD_HTTP_FORBIDDEN, "未登录或登录已过期，请重新登录");
    } else if (!req.session) {
        snprintf(req.location, sizeof req.location, "/login");
        result = send_page(con, &req);
    } else if (post && !srv_session_csrf_ok(req.session, srv_form_get(&req.form, "csrf"))) {
        result = refuse(con, &req, MHD_HTTP_FORBIDDEN, "表单已失效（令牌不符），请重新打开页面");
    } else {
        result = srv_web_page(&req) ? send_page(con, &req)
                                    : refuse(con, &req, MHD_HTTP_NOT_FOUND, "没有这个页面");
    }
    srv_form_free(&req.form);
    srv_html_free(&req.body);
    free(req.download);
    sodium_memzero(sid, sizeof sid);
    return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    srv_web *w = cls;
    upload *u = *con_cls;
    if (!u)
        return MHD_NO;
    if (!u->started) {
        u->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (u->too_large || u->len + n > BODY_MAX) {
            u->too_large = true;
            return MHD_YES;
        }
        if (u->len + n + 1 > u->cap) {
            size_t cap = u->cap ? u->cap : 64 * 1024;
            while (cap < u->len + n + 1)
                cap *= 2;
            char *grown = realloc(u->body, cap);
            if (!grown)
                return MHD_NO;
            u->body = grown;
            u->cap = cap;
        }
        memcpy(u->body + u->len, upload_data, n);
        u->len += n;
        return MHD_YES;
    }
    return handle(w, con, url, method, u);
}

kiosk_rc srv_web_start(const srv_web_config *cfg, srv_web **out)
{
    *out = NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        fprintf(stderr, "server: --admin-listen: '%s' is not an IPv4 address\n", cfg->host);
        return KIOSK_ERR_CONFIG;
    }
    bool tls = cfg->tls_cert && cfg->tls_key;
    /* Passwords and session cookies travel only encrypted, except on this machine. */
    if (!tls && strcmp(cfg->host, "127.0.0.1") != 0) {
        fprintf(stderr,
                "server: the admin page is plain HTTP only on 127.0.0.1; give "
                "--tls-cert and --tls-key to serve it on %s\n",
                cfg->host);
        return KIOSK_ERR_CONFIG;
    }
    srv_web *w = calloc(1, sizeof *w);
    if (!w)
        return KIOSK_ERR_NOMEM;
    w->tls = tls;
    srv_sessions_init(&w->sessions, SRV_SESSION_IDLE_MS, SRV_SESSION_ABSOLUTE_MS);
    char err[300];
    kiosk_rc rc = srv_store_open(cfg->db_spec, &w->st, err, sizeof err);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: admin page: cannot open the database: %s\n", err);
        free(w);
        return rc;
    }
    if (tls && (!(w->cert = strdup(cfg->tls_cert)) || !(w->key = strdup(cfg->tls_key)))) {
        srv_web_stop(w);
        return KIOSK_ERR_NOMEM;
    }
    /* One thread: the pages share one database connection and the session table. */
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (tls)
        flags |= MHD_USE_TLS;
    w->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, w, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, end_request,
        NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
        tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, w->key, MHD_OPTION_HTTPS_MEM_CERT, w->cert,
        MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", MHD_OPTION_END);
    if (!w->daemon) {
        fprintf(stderr, "server: admin page: cannot listen on %s:%u\n", cfg->host,
                (unsigned)cfg->port);
        srv_web_stop(w);
        return KIOSK_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("server: admin page on %s://%s:%u\n", tls ? "https" : "http", cfg->host,
           info ? info->port : cfg->port);
    fflush(stdout);
    *out = w;
    return KIOSK_OK;
}

void srv_web_stop(srv_web *w)
{
    if (!w)
        return;
    if (w->daemon)
        MHD_stop_daemon(w->daemon);
    srv_store_close(w->st);
    free(w->cert);
    if (w->key) {
        memset(w->key, 0, strlen(w->key));
        free(w->key);
    }
    free(w);
}
