/* web_html.h - the admin page's text: a growable buffer that pages are written into, with every
 * piece of data going through html() (escaped for text and attribute values alike). Any thread;
 * a buffer belongs to one. */
#ifndef SRV_WEB_HTML_H
#define SRV_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

typedef struct srv_html {
    char *data;
    size_t len, cap;
    bool failed; /* out of memory somewhere: the page is not sent */
} srv_html;

/* Markup written by the page itself (never data). */
void srv_html_raw(srv_html *h, const char *s);
/* printf for markup; %s arguments must be markup too: data goes through srv_html_text. */
void srv_html_rawf(srv_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Data: & < > " ' escaped, so it is safe in element text and quoted attribute values alike.
 * Bytes that are not valid UTF-8, and control characters other than tab and newline, become
 * U+FFFD. NULL writes nothing. */
void srv_html_text(srv_html *h, const char *s);
void srv_html_free(srv_html *h);

#endif
