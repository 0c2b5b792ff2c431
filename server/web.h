/* web.h - the admin page (docs/server.md "The admin page"): server-rendered HTML on its own
 * libmicrohttpd daemon and address, apart from the kiosks' API, with one request thread and one
 * database connection of its own. Logins (web_auth.h), a CSRF token per session on every form
 * and an Origin (or Referer) check on every POST, a Content-Security-Policy that allows no
 * script and no inline style, cookies HttpOnly, SameSite=Strict and Secure on TLS. The pages are
 * in web_pages.c. */
#ifndef SRV_WEB_H
#define SRV_WEB_H

#include "error.h"

typedef struct srv_web srv_web;

typedef struct srv_web_config {
    const char *db_spec;  /* storage.h */
    const char *host;     /* an IPv4 address; plain HTTP only on 127.0.0.1 */
    unsigned short port;  /* 0: any free port (the ready line says which) */
    const char *tls_cert; /* PEM text (not a path), or NULL for plain HTTP */
    const char *tls_key;
} srv_web_config;

/* Opens the database and starts listening; prints "server: admin page on URL" on standard
 * output. The texts of cfg are copied where kept. KIOSK_ERR_CONFIG for plain HTTP off the
 * loopback or an address that is no IPv4 address, KIOSK_ERR_IO when it cannot listen (a message
 * on standard error either way). */
KIOSK_MUST_CHECK kiosk_rc srv_web_start(const srv_web_config *cfg, srv_web **out);
void srv_web_stop(srv_web *w);

#endif
