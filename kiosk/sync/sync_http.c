/* sync_http.c - see sync_http.h. */
#define _POSIX_C_SOURCE 200809L /* strncasecmp */
#include "sync_http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "sync_sign.h"
#include "sync_wire.h"

void sync_http_base_path(const kiosk_sync_config *cfg, char *out, size_t size)
{
    const char *p = strstr(cfg->url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    size_t n = p ? strlen(p) : 0;
    while (n > 0 && p[n - 1] == '/')
        n--; /* "https://h/" and "https://h" alike */
    snprintf(out, size, "%.*s", (int)n, p ? p : "");
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    sync_http *h = user;
    size_t len = size * n;
    if (h->reply_len + len > KIOSK_WIRE_BODY_MAX) {
        h->reply_too_big = true;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    if (h->reply_len + len + 1 > h->reply_cap) {
        size_t cap = h->reply_cap ? h->reply_cap : 16384;
        while (cap < h->reply_len + len + 1)
            cap *= 2;
        char *grown = realloc(h->reply, cap);
        if (!grown)
            return 0;
        h->reply = grown;
        h->reply_cap = cap;
    }
    memcpy(h->reply + h->reply_len, data, len);
    h->reply_len += len;
    h->reply[h->reply_len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
    sync_http *h = user;
    size_t len = size * n;
    static const char name[] = "X-Server-Time-Ms:";
    if (len > sizeof name - 1 && len < 128 && strncasecmp(data, name, sizeof name - 1) == 0) {
        char value[128];
        memcpy(value, data + sizeof name - 1, len - (sizeof name - 1));
        value[len - (sizeof name - 1)] = '\0';
        char *end;
        long long t = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\r' || *end == '\n' || *end == '\t')
            end++;
        if (t > 0 && *end == '\0')
            h->header_time_ms = t;
    }
    return len;
}

static bool add_header(sync_http *h, const char *name, const char *value)
{
    char line[512];
    snprintf(line, sizeof line, "%s%s", name, value);
    struct curl_slist *l = curl_slist_append(h->headers, line);
    if (!l)
        return false;
    h->headers = l;
    return true;
}

kiosk_rc sync_http_prepare(sync_http *h, const kiosk_sync_config *cfg,
                           const kiosk_sync_identity *id, const char *method, const char *target,
                           uint8_t *body, size_t body_len, bool gzip, char *err, size_t err_size)
{
    memset(h, 0, sizeof *h);
    h->body = body;
    h->body_len = body_len;
    h->header_time_ms = -1;
    snprintf(h->method, sizeof h->method, "%s", method);
    char base[KIOSK_SYNC_URL_MAX];
    sync_http_base_path(cfg, base, sizeof base);
    int n = snprintf(h->target, sizeof h->target, "%s%s", base, target);
    if (n < 0 || (size_t)n >= sizeof h->target)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "request path too long");
    /* The origin part of the URL (scheme://host[:port]) and the full target. */
    const char *slash = strstr(cfg->url, "://");
    slash = slash ? strchr(slash + 3, '/') : NULL;
    size_t origin = slash ? (size_t)(slash - cfg->url) : strlen(cfg->url);
    char url[KIOSK_SYNC_URL_MAX + 1100];
    snprintf(url, sizeof url, "%.*s%s", (int)origin, cfg->url, h->target);

    h->easy = curl_easy_init();
    if (!h->easy)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "curl_easy_init failed");
    CURL *e = h->easy;
    long timeout_ms = (long)cfg->timeout_s * 1000;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 64L); /* a link slower than 64 B/s ... */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);  /* ... for 30 s is given up */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    /* Only the private CA: not the system's bundle, not its folder. */
    if (cfg->ca_file[0])
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
    curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
    if (cfg->pin[0])
        curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, cfg->pin);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* pins are not checked on redirects */
    curl_easy_setopt(e, CURLOPT_PROXY, cfg->proxy);  /* "": none, whatever *_proxy says */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->curl_error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, h);
    char agent[64];
    snprintf(agent, sizeof agent, "kiosk/%s", cfg->app_version[0] ? cfg->app_version : "0");
    curl_easy_setopt(e, CURLOPT_USERAGENT, agent);

    bool ok = add_header(h, "Expect:", ""); /* no 100-continue round trip */
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        ok = ok && add_header(h, "Content-Type: application/json", "");
        if (gzip)
            ok = ok && add_header(h, "Content-Encoding: gzip", "");
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    if (id) {
        char when[24], signature[KIOSK_SYNC_SIGNATURE_TEXT];
        int64_t now = kiosk_clock_now_ms();
        snprintf(when, sizeof when, "%" PRId64, now);
        kiosk_sync_sign(id->secret, method, h->target, now, body, body_len, signature);
        ok = ok && add_header(h, "X-Kiosk-Device: ", id->device_id) &&
             add_header(h, "X-Kiosk-Time: ", when) &&
             add_header(h, "X-Kiosk-Signature: ", signature);
    }
    if (!ok)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
    return KIOSK_OK;
}

void sync_http_started(sync_http *h)
{
    h->wall_send_ms = kiosk_clock_now_ms();
    h->mono_send_ms = kiosk_clock_mono_ms();
}

void sync_http_finished(sync_http *h, CURLcode result)
{
    h->mono_recv_ms = kiosk_clock_mono_ms();
    h->result = result;
    curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &h->status);
    curl_off_t after = 0;
    if (curl_easy_getinfo(h->easy, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        h->retry_after_s = after > 86400 ? 86400 : (long)after;
    else
        h->retry_after_s = 0; /* absent, or negative (clamped: libcurl < 8.12 passes it on) */
}

int64_t sync_http_server_time(const sync_http *h)
{
    /* Every reply carries the header; the body is read only when it does not. */
    if (h->header_time_ms > 0)
        return h->header_time_ms;
    return h->reply_len ? kiosk_wire_server_time(h->reply, h->reply_len) : -1;
}

void sync_http_cleanup(sync_http *h)
{
    if (!h)
        return;
    if (h->easy)
        curl_easy_cleanup(h->easy);
    curl_slist_free_all(h->headers);
    free(h->body);
    free(h->reply);
    memset(h, 0, sizeof *h);
}
