/* sync_http.h - one HTTP exchange with the central server over libcurl: the options of sync
 * design §2.9 (no signals, timeouts, a low-speed limit, keep-alive, any content encoding, TLS
 * 1.2 or later, only [sync] ca_file trusted, [sync] pin checked, no redirects, only [sync] proxy),
 * the signature headers of docs/sync-protocol.md, a bounded reply buffer and the times the clock
 * estimate needs. The caller runs it (curl_multi on the worker, curl_easy_perform for the
 * one-shot enrollment). One thread per request. */
#ifndef KIOSK_SYNC_HTTP_H
#define KIOSK_SYNC_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "sync.h"
#include "sync_state.h"

typedef struct sync_http {
    CURL *easy;
    struct curl_slist *headers;
    char method[8];
    char target[1024]; /* the path and query as signed and sent */
    uint8_t *body;     /* owned; the bytes as sent (gzip'd when gzip) */
    size_t body_len;
    /* The reply. */
    char *reply; /* NUL-terminated, at most KIOSK_WIRE_BODY_MAX bytes */
    size_t reply_len, reply_cap;
    bool reply_too_big;
    long status;            /* HTTP status, 0 when none */
    long retry_after_s;     /* 0 when none (negative values clamp to 0) */
    int64_t header_time_ms; /* X-Server-Time-Ms, -1 when absent */
    CURLcode result;
    char curl_error[CURL_ERROR_SIZE];
    /* When it was sent (wall and monotonic) and when the reply was complete (monotonic). */
    int64_t wall_send_ms, mono_send_ms, mono_recv_ms;
} sync_http;

/* Prepares a request: method ("GET", "POST"), target ("/v1/records:batch", with its query),
 * body (taken: freed by sync_http_cleanup; NULL for none), gzip (the body is compressed: say
 * so), id (NULL: unsigned, for enrollment). The URL is cfg->url followed by target. */
KIOSK_MUST_CHECK kiosk_rc sync_http_prepare(sync_http *h, const kiosk_sync_config *cfg,
                                            const kiosk_sync_identity *id, const char *method,
                                            const char *target, uint8_t *body, size_t body_len,
                                            bool gzip, char *err, size_t err_size);
/* Call just before the transfer starts (stamps the send times) and when it ended (reads the
 * status and the headers' values). */
void sync_http_started(sync_http *h);
void sync_http_finished(sync_http *h, CURLcode result);
void sync_http_cleanup(sync_http *h);

/* The server's time of a finished reply: X-Server-Time-Ms, else the JSON body's
 * server_time_ms; -1 when neither. */
int64_t sync_http_server_time(const sync_http *h);

/* The base path of cfg->url ("" or "/prefix"), which prefixes every signed target. */
void sync_http_base_path(const kiosk_sync_config *cfg, char *out, size_t size);

#endif
