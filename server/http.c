/* http.c - libmicrohttpd plumbing for the server (http.h): reading requests, writing replies,
 * TLS, signals. The raw request target, which the signature covers, comes from the URI log
 * callback (libmicrohttpd hands the access handler an unescaped path without the query). */
#define _POSIX_C_SOURCE 200809L
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "faults.h"
#include "log.h"
#include "storage.h"
#include "web.h"
#include "wire.h"
#define KIOSK_LOG_MODULE "http"

/* Bytes kept of a body as sent: the limit after gunzip plus room for gzip's own overhead on an
 * incompressible body. Beyond it the rest is read and dropped (so the client gets its 413), up
 * to DROP_MAX, after which the connection is closed. */
#define RAW_BODY_MAX (SRV_BODY_MAX + 64u * 1024u)
#define DROP_MAX     (64u * 1024u * 1024u)
#define PEM_MAX      (1024 * 1024)

typedef struct request {
    char *target;
    char *body;
    size_t len, cap;
    size_t dropped;
    bool started, too_large;
    int64_t started_mono_ms;
} request;

typedef struct server {
    srv_api *api;
} server;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)cls;
    (void)con;
    request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->target = strdup(uri ? uri : "");
    if (!rq->target) {
        free(rq);
        return NULL;
    }
    rq->started_mono_ms = kiosk_clock_mono_ms();
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)con;
    (void)why;
    request *rq = *con_cls;
    if (!rq)
        return;
    free(rq->target);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap) KIOSK_PRINTF_LIKE(2, 0);
static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[300];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    KLOG_WARN("libmicrohttpd: %s", line);
}

/* The JSON text of a reply, with server_time_ms; malloc'd, NULL for 204 or out of memory. */
static char *reply_text(const srv_reply *r, int64_t now_ms)
{
    if (r->status == 204)
        return NULL;
    if (r->status < 400 && r->raw) {
        /* "{...}" becomes "{...,"server_time_ms":N}" */
        size_t n = strlen(r->raw);
        char *text = malloc(n + 48);
        if (!text || n < 2 || r->raw[n - 1] != '}') {
            free(text);
            return NULL;
        }
        memcpy(text, r->raw, n - 1);
        snprintf(text + n - 1, 48, "%s\"server_time_ms\":%" PRId64 "}", n > 2 ? "," : "", now_ms);
        return text;
    }
    json_t *body;
    if (r->status < 400 && r->body) {
        body = json_incref(r->body);
    } else {
        body = json_pack("{s:s, s:s}", "error", r->error[0] ? r->error : "internal", "detail",
                         r->detail);
        if (body && r->extra)
            json_object_update(body, r->extra);
    }
    if (!body)
        return NULL;
    json_object_set_new(body, "server_time_ms", json_integer(now_ms));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static enum MHD_Result respond(struct MHD_Connection *con, const srv_reply *r, const char *allow)
{
    int64_t now_ms = kiosk_clock_now_ms();
    char *text = reply_text(r, now_ms);
    int status = r->status ? r->status : 500;
    if (!text && status != 204) {
        static const char oom[] = "{\"error\":\"internal\",\"detail\":\"out of memory\"}";
        text = strdup(oom);
        status = 500;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : (void *)"",
                                        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    char ms[24];
    snprintf(ms, sizeof ms, "%" PRId64, now_ms);
    MHD_add_response_header(resp, "X-Server-Time-Ms", ms);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (text)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (status == 429 || status == 503) {
        char seconds[24];
        snprintf(seconds, sizeof seconds, "%d", r->retry_after > 0 ? r->retry_after : 1);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(con, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result respond_error(struct MHD_Connection *con, int status, const char *code,
                                     const char *detail)
{
    srv_reply r = {.status = status};
    srv_reply_error(&r, status, code, "%s", detail);
    enum MHD_Result ret = respond(con, &r, NULL);
    srv_reply_cleanup(&r);
    return ret;
}

static bool append(request *rq, const char *data, size_t n)
{
    if (rq->too_large || rq->len + n > RAW_BODY_MAX) {
        rq->too_large = true;
        rq->dropped += n;
        return rq->dropped <= DROP_MAX;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 16384;
        while (cap < rq->len + n + 1)
            cap *= 2;
        char *grown = realloc(rq->body, cap);
        if (!grown)
            return false;
        rq->body = grown;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
    return true;
}

static const char *header(struct MHD_Connection *con, const char *name)
{
    return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)url;
    (void)version;
    server *srv = cls;
    request *rq = *con_cls;
    if (!rq)
        return MHD_NO; /* out of memory when the request began */
    if (!rq->started) {
        rq->started = true;
        /* A declared length beyond the limit is refused before the body is read (and before
         * libmicrohttpd would send "100 Continue"). */
        const char *length = header(con, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared = length ? strtoull(length, NULL, 10) : 0;
        if (declared > RAW_BODY_MAX) {
            rq->too_large = true;
            return respond_error(con, 413, "too_large", "the body is larger than the limit");
        }
        /* The whole body at once: growing it by doubling made large blocks come and go, and
         * glibc's malloc consolidates its free lists at each of them. */
        if (declared) {
            rq->body = malloc((size_t)declared + 1);
            rq->cap = rq->body ? (size_t)declared + 1 : 0;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        bool ok = append(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    srv_request req = {
        .method = method,
        .target = rq->target,
        .content_encoding = header(con, MHD_HTTP_HEADER_CONTENT_ENCODING),
        .device = header(con, "X-Kiosk-Device"),
        .time = header(con, "X-Kiosk-Time"),
        .signature = header(con, "X-Kiosk-Signature"),
        .body = rq->body,
        .body_len = rq->len,
        .body_too_large = rq->too_large,
        .now_ms = kiosk_clock_now_ms(),
    };
    srv_reply r = {0};
    const char *allow = NULL;
    srv_api_handle(srv->api, &req, &r, &allow);
    enum MHD_Result ret = respond(con, &r, allow);
    int status = r.status;
    int64_t took = kiosk_clock_mono_ms() - rq->started_mono_ms;
    size_t path_len = strcspn(rq->target, "?");
    if (status >= 400)
        KLOG_INFO("%s %.*s -> %d %s (%s) in %lld ms", method, (int)path_len, rq->target, status,
                  r.error, req.device && srv_id_valid(req.device) ? req.device : "-",
                  (long long)took);
    else
        KLOG_DEBUG("%s %.*s -> %d (%s) in %lld ms", method, (int)path_len, rq->target, status,
                   req.device && srv_id_valid(req.device) ? req.device : "-", (long long)took);
    srv_reply_cleanup(&r);
    return ret;
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "server: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > PEM_MAX) {
        fprintf(stderr, "server: %s: %s\n", path, !buf ? "out of memory" : "empty or too large");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int srv_http_run(const srv_http_config *cfg)
{
    bool tls = cfg->tls_cert || cfg->tls_key;
    if (tls && !(cfg->tls_cert && cfg->tls_key)) {
        fprintf(stderr, "server: --tls-cert and --tls-key go together\n");
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
        fprintf(stderr, "server: --listen: '%s' is not an IPv4 address\n", cfg->host);
        return 2;
    }
    /* Records and secrets travel only encrypted, except to a client on this machine. */
    if (!tls && strcmp(cfg->host, "127.0.0.1") != 0) {
        fprintf(stderr,
                "server: plain HTTP only on 127.0.0.1; give --tls-cert and --tls-key "
                "to listen on %s\n",
                cfg->host);
        return 2;
    }
    char *cert = NULL, *key = NULL;
    if (tls && (!(cert = read_pem(cfg->tls_cert)) || !(key = read_pem(cfg->tls_key)))) {
        free(cert);
        free(key);
        return 2;
    }
    /* Every thread started from here on inherits the blocked signals; this one waits for them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    server srv = {0};
    char err[300];
    int threads = cfg->threads > 0 ? cfg->threads : 4;
    struct MHD_Daemon *daemon = NULL;
    srv_web *web = NULL;
    if (srv_api_new(cfg->db_spec, threads, cfg->faults_fifo != NULL, cfg->base_path, &srv.api, err,
                    sizeof err) != KIOSK_OK) {
        fprintf(stderr, "server: cannot open the database: %s\n", err);
        goto out;
    }
    if (cfg->faults_fifo && srv_faults_start(cfg->faults_fifo) != KIOSK_OK)
        goto out;
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (tls)
        flags |= MHD_USE_TLS;
    /* TLS options last: MHD_OPTION_END ends the list early when TLS is off. */
    daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)threads, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
        tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
        MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "server: cannot listen on %s:%u (in use, or a bad certificate or key)\n",
                cfg->host, (unsigned)cfg->port);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : cfg->port;
    printf("server: listening on %s://%s:%u (%s)\n", tls ? "https" : "http", cfg->host, port,
           strncmp(cfg->db_spec, "pg:", 3) == 0 ? "postgresql" : "sqlite");
    fflush(stdout);
    srv_web_config web_cfg = {.db_spec = cfg->db_spec,
                              .host = cfg->admin_host,
                              .port = cfg->admin_port,
                              .tls_cert = cert,
                              .tls_key = key};
    if (cfg->admin_host && srv_web_start(&web_cfg, &web) != KIOSK_OK) {
        status = 2;
        goto out;
    }
    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0) {
    }
    KLOG_INFO("signal %d: stopping", sig);
    status = 0;
out:
    srv_web_stop(web);
    if (daemon)
        MHD_stop_daemon(daemon);
    srv_faults_stop();
    srv_api_free(srv.api);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    free(cert);
    return status;
}
