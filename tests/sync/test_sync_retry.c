/* test_sync_retry.c - the classification table of sync design §2.6 row by row, the full-jitter
 * backoff's bounds, and Retry-After: honoured, clamped to 15 minutes, a negative one ignored. */
#include <curl/curl.h>
#include <stdint.h>

#include "check.h"
#include "sync_retry.h"

static void classification(void)
{
    /* Not delivered: DNS, connect, TLS handshake. */
    CHECK_INT(kiosk_sync_classify(CURLE_COULDNT_RESOLVE_HOST, 0), KIOSK_CLASS_NOT_DELIVERED);
    CHECK_INT(kiosk_sync_classify(CURLE_COULDNT_CONNECT, 0), KIOSK_CLASS_NOT_DELIVERED);
    CHECK_INT(kiosk_sync_classify(CURLE_SSL_CONNECT_ERROR, 0), KIOSK_CLASS_NOT_DELIVERED);
    /* Outcome unknown: the server may have committed. */
    static const int unknown[] = {CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR,   CURLE_RECV_ERROR,
                                  CURLE_GOT_NOTHING,        CURLE_PARTIAL_FILE, CURLE_HTTP2,
                                  CURLE_HTTP2_STREAM,       CURLE_WRITE_ERROR};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_INT(kiosk_sync_classify(unknown[i], 0), KIOSK_CLASS_UNKNOWN);
    /* Numbers as in the design's table, in case a header renumbers. */
    CHECK_INT(kiosk_sync_classify(28, 0), KIOSK_CLASS_UNKNOWN);
    CHECK_INT(kiosk_sync_classify(52, 0), KIOSK_CLASS_UNKNOWN);
    CHECK_INT(kiosk_sync_classify(92, 0), KIOSK_CLASS_UNKNOWN);
    /* Transient statuses, with Retry-After where there is one. */
    static const long transient[] = {408, 409, 429, 500, 502, 503, 504, 522, 524};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
        CHECK_INT(kiosk_sync_classify(CURLE_OK, transient[i]), KIOSK_CLASS_TRANSIENT);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 401), KIOSK_CLASS_AUTH);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 403), KIOSK_CLASS_REVOKED);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 413), KIOSK_CLASS_TOO_LARGE);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 410), KIOSK_CLASS_GONE);
    static const long permanent[] = {400, 404, 415, 422, 301, 302};
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++)
        CHECK_INT(kiosk_sync_classify(CURLE_OK, permanent[i]), KIOSK_CLASS_PERMANENT);
    /* Security: never retried blindly. */
    CHECK_INT(kiosk_sync_classify(CURLE_PEER_FAILED_VERIFICATION, 0), KIOSK_CLASS_SECURITY);
    CHECK_INT(kiosk_sync_classify(60, 0), KIOSK_CLASS_SECURITY);
    CHECK_INT(kiosk_sync_classify(90, 0), KIOSK_CLASS_SECURITY);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 200), KIOSK_CLASS_OK);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 201), KIOSK_CLASS_OK);
    CHECK_INT(kiosk_sync_classify(CURLE_OK, 204), KIOSK_CLASS_OK);
    CHECK_STR(kiosk_sync_class_name(KIOSK_CLASS_UNKNOWN), "unknown");
}

static void backoff(void)
{
    /* Full jitter: anywhere in [0, min(cap, base * 2^attempt)], both ends reachable. */
    for (unsigned attempt = 0; attempt < 40; attempt++) {
        int64_t bound = attempt < 20 ? (int64_t)KIOSK_BACKOFF_BASE_MS << attempt : INT64_MAX;
        if (bound > KIOSK_BACKOFF_CAP_MS)
            bound = KIOSK_BACKOFF_CAP_MS;
        CHECK_INT(kiosk_sync_backoff_ms(attempt, 0, KIOSK_BACKOFF_CAP_MS), 0);
        CHECK_INT(kiosk_sync_backoff_ms(attempt, UINT32_MAX, KIOSK_BACKOFF_CAP_MS), bound);
        int64_t mid = kiosk_sync_backoff_ms(attempt, UINT32_MAX / 2, KIOSK_BACKOFF_CAP_MS);
        CHECK(mid >= bound / 2 - 1 && mid <= bound / 2 + 1);
    }
    CHECK_INT(kiosk_sync_backoff_ms(0, UINT32_MAX, KIOSK_BACKOFF_CAP_MS), 2000);
    CHECK_INT(kiosk_sync_backoff_ms(3, UINT32_MAX, KIOSK_BACKOFF_CAP_MS), 16000);
    CHECK_INT(kiosk_sync_backoff_ms(8, UINT32_MAX, KIOSK_BACKOFF_CAP_MS),
              300000); /* 512 s capped at 5 min */
    /* Spread: a thousand kiosks do not come back at once. */
    int64_t lo = INT64_MAX, hi = 0;
    uint32_t r = 12345;
    for (int i = 0; i < 1000; i++) {
        r = r * 1664525u + 1013904223u;
        int64_t w = kiosk_sync_backoff_ms(5, r, KIOSK_BACKOFF_CAP_MS);
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    CHECK(lo < 5000 && hi > 59000);
    /* A lower cap (retry_max_ms) bounds every wait, however many failures came before. */
    CHECK_INT(kiosk_sync_backoff_ms(0, UINT32_MAX, 500), 500);
    CHECK_INT(kiosk_sync_backoff_ms(12, UINT32_MAX, 500), 500);
    CHECK_INT(kiosk_sync_backoff_ms(12, UINT32_MAX / 2, 500), 250);
}

static void retry_after(void)
{
    /* Retry-After is a floor over the jitter ... */
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 0, 0, 3, KIOSK_BACKOFF_CAP_MS), 3000);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 0, UINT32_MAX, 1, KIOSK_BACKOFF_CAP_MS),
              2000);
    /* ... clamped to 15 minutes ... */
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 0, 0, 86400, KIOSK_BACKOFF_CAP_MS),
              15 * 60 * 1000);
    /* ... and a negative one (libcurl before 8.12) or none changes nothing. */
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 2, 0, -30, KIOSK_BACKOFF_CAP_MS), 0);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 2, UINT32_MAX, 0, KIOSK_BACKOFF_CAP_MS),
              8000);
    /* Security, authentication and refusals wait at least 15 minutes. */
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_SECURITY, 0, 0, 0, KIOSK_BACKOFF_CAP_MS),
              KIOSK_SECURITY_WAIT_MS);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_AUTH, 0, 0, 0, KIOSK_BACKOFF_CAP_MS),
              KIOSK_SECURITY_WAIT_MS);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_PERMANENT, 0, 0, 0, KIOSK_BACKOFF_CAP_MS),
              KIOSK_SECURITY_WAIT_MS);
    CHECK(kiosk_sync_wait_ms(KIOSK_CLASS_UNKNOWN, 0, 0, 0, KIOSK_BACKOFF_CAP_MS) <
          KIOSK_SECURITY_WAIT_MS);
    /* A lower cap leaves Retry-After and the security wait as they are. */
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 9, UINT32_MAX, 0, 300), 300);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_TRANSIENT, 9, UINT32_MAX, 2, 300), 2000);
    CHECK_INT(kiosk_sync_wait_ms(KIOSK_CLASS_AUTH, 9, 0, 0, 300), KIOSK_SECURITY_WAIT_MS);
}

int main(void)
{
    classification();
    backoff();
    retry_after();
    CHECK_DONE();
}
