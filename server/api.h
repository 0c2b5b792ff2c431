/* api.h - the server's endpoints (docs/sync-protocol.md) on a plain request value: routing,
 * request signatures and revocation, body decoding and limits, enrollment, upload batches with
 * their faults, pulls, snapshots and heartbeats. It knows nothing of libmicrohttpd (http.c
 * feeds it) and takes a storage connection from its pool for each request. Any thread. */
#ifndef SRV_API_H
#define SRV_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reply.h"

typedef struct srv_request {
    const char *method;
    const char *target;           /* the request target exactly as sent (path and query) */
    const char *content_encoding; /* NULL when absent */
    const char *device;           /* X-Kiosk-Device, X-Kiosk-Time, X-Kiosk-Signature or NULL */
    const char *time;
    const char *signature;
    const char *body; /* the body as sent (maybe gzip), body_len bytes */
    size_t body_len;
    bool body_too_large; /* the transport stopped reading it */
    int64_t now_ms;
} srv_request;

typedef struct srv_api srv_api;

/* A pool of at most max_connections storage connections to spec (storage.h), opened as
 * requests need them; faults: whether batch requests take armed faults (faults.h); base_path
 * (may be NULL or ""): a path prefix the endpoints live under, e.g. "/kiosk-api" behind a reverse
 * proxy (a kiosk signs the target as it sends it, prefix included; behind a proxy that strips the
 * prefix, the signature is checked with the prefix put back). */
KIOSK_MUST_CHECK kiosk_rc srv_api_new(const char *spec, int max_connections, bool faults,
                                      const char *base_path, srv_api **out, char *err,
                                      size_t err_size);
void srv_api_free(srv_api *api);

/* Answers one request into *r (which the caller cleans up). Never fails: problems become
 * 4xx/5xx replies. r->allow is the Allow header of a 405. */
void srv_api_handle(srv_api *api, const srv_request *req, srv_reply *r, const char **allow);

#endif
