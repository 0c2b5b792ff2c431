/* fuzz_web_parse.c - fuzz target for the admin page's parsers (server/web_parse.h) and its HTML
 * escaping (web_html.h). The first byte picks what the rest is: a form or query body, a
 * multipart body (its Content-Type up to the first newline), a Cookie header. Whatever parses
 * has at most SRV_FORM_FIELDS_MAX fields with names of 1..63 bytes and no NUL, every value
 * NUL-terminated at its length; a cookie found is a non-empty part of the header; escaped text
 * holds no '<', '>', '"' or '\'' and is valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_html.h"
#include "web_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok)
{
    if (!ok)
        abort();
}

static void check_form(const srv_form *f)
{
    require(f->count <= SRV_FORM_FIELDS_MAX);
    for (size_t i = 0; i < f->count; i++) {
        size_t n = strlen(f->fields[i].name);
        require(n >= 1 && n < SRV_FORM_NAME_MAX);
        require(f->fields[i].value[f->fields[i].len] == '\0');
        /* The text getter gives the first field of the name, or NULL for one holding a NUL. */
        const srv_form_field *first = srv_form_field_get(f, f->fields[i].name);
        const char *text = srv_form_get(f, f->fields[i].name);
        require(first && (text == NULL || text == first->value));
    }
}

static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : 4;
        for (size_t i = 1; i < n; i++)
            if ((s[i] & 0xc0) != 0x80)
                return false;
        s += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t len = size - 1;
    srv_form f;
    switch (data[0] % 4) {
    case 0:
        if (srv_form_parse_urlencoded(text, len, &f) == KIOSK_OK) {
            check_form(&f);
            srv_form_free(&f);
        }
        break;
    case 1: {
        char *nl = memchr(text, '\n', len);
        if (nl) {
            *nl = '\0';
            size_t skip = (size_t)(nl - text) + 1;
            if (srv_form_parse_multipart(text, nl + 1, len - skip, &f) == KIOSK_OK) {
                check_form(&f);
                srv_form_free(&f);
            }
        }
        break;
    }
    case 2: {
        char v[64];
        if (srv_cookie_get(text, "sid", v, sizeof v))
            require(v[0] != '\0' && strstr(text, v) != NULL);
        break;
    }
    default: {
        srv_html h = {0};
        srv_html_text(&h, text);
        require(h.failed || !h.data || strpbrk(h.data, "<>\"'") == NULL);
        require(h.failed || !h.data || valid_utf8((const unsigned char *)h.data));
        srv_html_free(&h);
        break;
    }
    }
    free(text);
    return 0;
}
