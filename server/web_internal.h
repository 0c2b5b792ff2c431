/* web_internal.h - what the admin page's plumbing (web.c) hands its pages (web_pages.c): the
 * request, read whole and with its form parsed, and the ways to answer it. The admin page's one
 * thread. */
#ifndef SRV_WEB_INTERNAL_H
#define SRV_WEB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "storage.h"
#include "web_auth.h"
#include "web_html.h"
#include "web_parse.h"

typedef struct web_req {
    srv_store *st;
    srv_sessions *sessions;
    const char *method, *path;
    srv_form form;              /* a POST's body, or a GET's query */
    const srv_session *session; /* NULL when not logged in */
    const char *login_token;    /* the pre-login cookie's token ("" when none) */
    bool tls;
    /* The answer, filled in by a page (web.c sends it). */
    int status;
    srv_html body; /* HTML page content (without the frame) */
    const char *title;
    char *download; /* a file instead of a page: its bytes ... */
    size_t download_len;
    char download_name[96]; /* ... and its name */
    const char *download_type;
    char location[128]; /* a 303 redirect instead */
    char set_cookie[2][160];
} web_req;

/* The pages: true when path names one (req answered), false for 404. The caller has checked the
 * session, CSRF token and origin of a POST already, except for /login. */
bool srv_web_page(web_req *req);

/* A form's hidden CSRF field, for pages. */
void srv_web_csrf_field(web_req *req);

#endif
