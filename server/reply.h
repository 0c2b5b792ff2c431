/* reply.h - what a request handler answers: a status, a JSON body or an error code with a
 * detail for people, and Retry-After. http.c turns it into the HTTP response and adds
 * server_time_ms to every JSON body. */
#ifndef SRV_REPLY_H
#define SRV_REPLY_H

#include <jansson.h>

#include "error.h"
#include "wire.h"

typedef struct srv_reply {
    int status;
    json_t *body; /* a success body, owned; NULL for 204 and errors */
    char *raw;    /* or the success body as the text of a JSON object, owned (a batch reply of
                     500 results is written directly: building it as Jansson values cost more
                     than storing the batch) */
    char error[32];
    char detail[SRV_DETAIL_MAX];
    json_t *extra;   /* more members of an error body (410's "snapshot"), owned */
    int retry_after; /* seconds, for 429 and 503 */
} srv_reply;

/* Sets an error reply; returns KIOSK_OK so a handler can `return srv_reply_error(...)`. */
kiosk_rc srv_reply_error(srv_reply *r, int status, const char *code, const char *fmt, ...)
    KIOSK_PRINTF_LIKE(4, 5);
/* The reply of a storage failure: 503 with Retry-After when it may pass (busy, connection),
 * 500 otherwise. */
kiosk_rc srv_reply_storage(srv_reply *r, kiosk_rc rc, const char *what);
void srv_reply_cleanup(srv_reply *r);

#endif
