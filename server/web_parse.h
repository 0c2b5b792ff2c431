/* web_parse.h - what the admin page reads from a browser: form bodies
 * (application/x-www-form-urlencoded and multipart/form-data with a file), query strings and the
 * Cookie header. Pure functions on bytes, fuzzed (tests/fuzz/fuzz_web_parse.c); every limit
 * below is checked, and anything malformed is refused whole rather than half read. Any thread. */
#ifndef SRV_WEB_PARSE_H
#define SRV_WEB_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define SRV_FORM_FIELDS_MAX 64
#define SRV_FORM_NAME_MAX   64

typedef struct srv_form_field {
    char name[SRV_FORM_NAME_MAX];
    char *value;    /* NUL-terminated copy (a file may hold NULs itself: use len) */
    size_t len;     /* bytes of value */
    char *filename; /* a multipart file part's filename, else NULL */
} srv_form_field;

typedef struct srv_form {
    srv_form_field fields[SRV_FORM_FIELDS_MAX];
    size_t count;
} srv_form;

/* "a=1&b=x%20y+z" (a body or a query string without its '?'). KIOSK_ERR_PARSE for a bad %-escape,
 * a name longer than SRV_FORM_NAME_MAX - 1 or empty, more than SRV_FORM_FIELDS_MAX fields;
 * KIOSK_ERR_NOMEM. On failure *out holds nothing to free. */
KIOSK_MUST_CHECK kiosk_rc srv_form_parse_urlencoded(const char *text, size_t len, srv_form *out);

/* A multipart/form-data body; content_type is the request's Content-Type header, which names
 * the boundary. Parts need a Content-Disposition: form-data with a name. Errors as above, also
 * for a missing boundary or a body that does not end with the closing delimiter. */
KIOSK_MUST_CHECK kiosk_rc srv_form_parse_multipart(const char *content_type, const char *body,
                                                   size_t len, srv_form *out);

void srv_form_free(srv_form *f);

/* The first field of that name: its text when it holds no NUL, else NULL; NULL when absent. */
const char *srv_form_get(const srv_form *f, const char *name);
/* The first field of that name with its length (files). */
const srv_form_field *srv_form_field_get(const srv_form *f, const char *name);

/* The value of cookie `name` in a Cookie header ("a=1; sid=XYZ"), copied into out; false when it
 * is absent, empty or does not fit. */
bool srv_cookie_get(const char *header, const char *name, char *out, size_t size);

#endif
