/* web_html.c - the admin page's text buffer and escaping (web_html.h). */
#include "web_html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append(srv_html *h, const char *s, size_t n)
{
    if (h->failed)
        return;
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + n + 1)
            cap *= 2;
        char *grown = realloc(h->data, cap);
        if (!grown) {
            h->failed = true;
            return;
        }
        h->data = grown;
        h->cap = cap;
    }
    memcpy(h->data + h->len, s, n);
    h->len += n;
    h->data[h->len] = '\0';
}

void srv_html_raw(srv_html *h, const char *s)
{
    append(h, s, strlen(s));
}

void srv_html_rawf(srv_html *h, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        h->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        append(h, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        h->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    append(h, big, (size_t)n);
    free(big);
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] >= 0xf5)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    uint32_t cp = n == 2 ? (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f)
                  : n == 3
                      ? (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f)
                      : (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
                            (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
    /* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void srv_html_text(srv_html *h, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep) {
            srv_html_raw(h, rep);
            p++;
            continue;
        }
        size_t n = utf8_len(p);
        if (n == 0 || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
            srv_html_raw(h, "\xef\xbf\xbd");
            p++;
            continue;
        }
        append(h, (const char *)p, n);
        p += n;
    }
}

void srv_html_free(srv_html *h)
{
    free(h->data);
    h->data = NULL;
    h->len = h->cap = 0;
}
