/* sync_retry.h - what to do after a request (the classification table of sync design §2.6 and
 * docs/sync-protocol.md) and how long to wait before the next try (full-jitter exponential
 * backoff, Retry-After honoured and clamped). Pure; any thread. */
#ifndef KIOSK_SYNC_RETRY_H
#define KIOSK_SYNC_RETRY_H

#include <stdint.h>

typedef enum kiosk_sync_class {
    KIOSK_CLASS_OK,            /* 2xx */
    KIOSK_CLASS_NOT_DELIVERED, /* no connection was made (DNS, connect, TLS handshake): retry */
    KIOSK_CLASS_UNKNOWN,       /* sent, no answer: the server may have committed; resend the same */
    KIOSK_CLASS_TRANSIENT,     /* 408, 409, 429, 5xx (522/524 too): back off, honour Retry-After */
    KIOSK_CLASS_AUTH,          /* 401: the secret is not accepted (re-enrolment is not possible) */
    KIOSK_CLASS_REVOKED,       /* 403: revoked or mismatched device: stop, show staff */
    KIOSK_CLASS_TOO_LARGE,     /* 413: halve the batch */
    KIOSK_CLASS_GONE,          /* 410: the cursor expired; take a snapshot */
    KIOSK_CLASS_PERMANENT,     /* 400, 404, 415, 422, other 4xx, 3xx: this request never works */
    KIOSK_CLASS_SECURITY       /* the server's certificate or pinned key failed: alert, wait long */
} kiosk_sync_class;

/* The class of an outcome: a libcurl result code (CURLcode as an int; 0 when the transfer
 * completed) and the HTTP status (0 when there was none). */
kiosk_sync_class kiosk_sync_classify(int curl_code, long http_status);
const char *kiosk_sync_class_name(kiosk_sync_class c);

#define KIOSK_BACKOFF_BASE_MS    2000
#define KIOSK_BACKOFF_CAP_MS     300000           /* 5 min */
#define KIOSK_RETRY_AFTER_MAX_MS (15 * 60 * 1000) /* a Retry-After is honoured up to 15 min */
#define KIOSK_SECURITY_WAIT_MS   (15 * 60 * 1000) /* at least this after a security failure */

/* Full jitter: a uniform wait in [0, min(cap_ms, base * 2^attempt)] ms, where r is a uniform
 * random 32-bit number (the caller's randomness, so tests can pin it). attempt counts the
 * failures in a row before this one (0 for the first). cap_ms is KIOSK_BACKOFF_CAP_MS unless
 * [sync] retry_max_ms lowers it (fault tests, which need many retries in little time). */
int64_t kiosk_sync_backoff_ms(unsigned attempt, uint32_t r, int64_t cap_ms);
/* The wait after a failure of class c: the jittered backoff (capped at cap_ms), at least
 * Retry-After (seconds, from the response; negative or 0 when none - libcurl before 8.12 may hand
 * back a negative one) clamped to KIOSK_RETRY_AFTER_MAX_MS, and at least KIOSK_SECURITY_WAIT_MS
 * after a security, authentication or refusal failure. */
int64_t kiosk_sync_wait_ms(kiosk_sync_class c, unsigned attempt, uint32_t r, long retry_after_s,
                           int64_t cap_ms);

#endif
