/* sync_retry.c - see sync_retry.h. */
#include "sync_retry.h"

#include <curl/curl.h>

kiosk_sync_class kiosk_sync_classify(int curl_code, long http_status)
{
    switch (curl_code) {
    case CURLE_OK:
        break;
    /* The request never reached the server. */
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
        return KIOSK_CLASS_NOT_DELIVERED;
    /* The server's identity did not check out: never retried blindly. */
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
        return KIOSK_CLASS_SECURITY;
    /* The configuration cannot work (a URL libcurl cannot use). */
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return KIOSK_CLASS_PERMANENT;
    /* Timeouts, resets, an empty or cut reply, HTTP/2 stream errors, and anything else: the
     * request may have been delivered and committed. Resending the same bytes is safe. */
    default:
        return KIOSK_CLASS_UNKNOWN;
    }
    if (http_status >= 200 && http_status < 300)
        return KIOSK_CLASS_OK;
    switch (http_status) {
    case 401:
        return KIOSK_CLASS_AUTH;
    case 403:
        return KIOSK_CLASS_REVOKED;
    case 410:
        return KIOSK_CLASS_GONE;
    case 413:
        return KIOSK_CLASS_TOO_LARGE;
    case 408: /* request timeout */
    case 409: /* the same batch is still being processed */
    case 429:
        return KIOSK_CLASS_TRANSIENT;
    default:
        break;
    }
    if (http_status >= 500 && http_status < 600)
        return KIOSK_CLASS_TRANSIENT; /* 500, 502, 503, 504, a CDN's 522 and 524 */
    if (http_status == 0)
        return KIOSK_CLASS_UNKNOWN; /* completed without a status line */
    return KIOSK_CLASS_PERMANENT;   /* 400, 404, 415, 422, a redirect that is not followed */
}

const char *kiosk_sync_class_name(kiosk_sync_class c)
{
    static const char *const names[] = {"ok",        "not_delivered", "unknown",   "transient",
                                        "auth",      "revoked",       "too_large", "gone",
                                        "permanent", "security"};
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

int64_t kiosk_sync_backoff_ms(unsigned attempt, uint32_t r, int64_t cap_ms)
{
    int64_t bound = cap_ms;
    if (attempt < 32) {
        int64_t grown = (int64_t)KIOSK_BACKOFF_BASE_MS << attempt;
        if (grown < bound)
            bound = grown;
    }
    /* r / 2^32 of the way from 0 to bound, both ends included (r = UINT32_MAX gives bound). */
    return (int64_t)(((uint64_t)r * (uint64_t)(bound + 1)) >> 32);
}

int64_t kiosk_sync_wait_ms(kiosk_sync_class c, unsigned attempt, uint32_t r, long retry_after_s,
                           int64_t cap_ms)
{
    int64_t wait = kiosk_sync_backoff_ms(attempt, r, cap_ms);
    if (retry_after_s > 0) {
        int64_t asked = retry_after_s > KIOSK_RETRY_AFTER_MAX_MS / 1000
                            ? KIOSK_RETRY_AFTER_MAX_MS
                            : (int64_t)retry_after_s * 1000;
        if (asked > wait)
            wait = asked;
    }
    if ((c == KIOSK_CLASS_SECURITY || c == KIOSK_CLASS_AUTH || c == KIOSK_CLASS_PERMANENT) &&
        wait < KIOSK_SECURITY_WAIT_MS)
        wait = KIOSK_SECURITY_WAIT_MS;
    return wait;
}
