/* web_parse.c - form bodies, query strings and cookies of the admin page (web_parse.h). */
#define _POSIX_C_SOURCE 200809L
#include "web_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FILENAME_MAX_BYTES 255

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' of [s, s+len) into a new NUL-terminated string; NULL on a bad escape (or
 * no memory: *nomem). */
static char *url_decode(const char *s, size_t len, size_t *out_len, bool *nomem)
{
    char *out = malloc(len + 1);
    if (!out) {
        *nomem = true;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            out[n++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

static kiosk_rc add_field(srv_form *f, const char *name, size_t name_len, char *value,
                          size_t value_len, char *filename)
{
    if (name_len == 0 || name_len >= SRV_FORM_NAME_MAX || memchr(name, '\0', name_len) ||
        f->count == SRV_FORM_FIELDS_MAX) {
        free(value);
        free(filename);
        return KIOSK_ERR_PARSE;
    }
    srv_form_field *fl = &f->fields[f->count++];
    memcpy(fl->name, name, name_len);
    fl->name[name_len] = '\0';
    fl->value = value;
    fl->len = value_len;
    fl->filename = filename;
    return KIOSK_OK;
}

kiosk_rc srv_form_parse_urlencoded(const char *text, size_t len, srv_form *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(text + i, '=', end - i);
            size_t name_part = eq ? (size_t)(eq - (text + i)) : end - i;
            bool nomem = false;
            size_t name_len = 0, value_len = 0;
            char *name = url_decode(text + i, name_part, &name_len, &nomem);
            char *value =
                name ? url_decode(eq ? eq + 1 : text + end, eq ? (size_t)(text + end - eq - 1) : 0,
                                  &value_len, &nomem)
                     : NULL;
            kiosk_rc rc = nomem ? KIOSK_ERR_NOMEM : KIOSK_ERR_PARSE;
            if (name && value)
                rc = add_field(out, name, name_len, value, value_len, NULL);
            else
                free(value);
            free(name);
            if (rc != KIOSK_OK) {
                srv_form_free(out);
                return rc;
            }
        }
        i = end + 1;
    }
    return KIOSK_OK;
}

/* Finds needle in [hay, hay+len). */
static const char *find(const char *hay, size_t len, const char *needle, size_t nlen)
{
    if (nlen == 0 || len < nlen)
        return NULL;
    for (size_t i = 0; i + nlen <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

/* A parameter of a header value, e.g. boundary=... or name="..." (quoted, no escapes: browsers
 * percent-encode a quote in a name). The copy goes to out; false when absent or too long. */
static bool header_param(const char *v, size_t len, const char *param, char *out, size_t size)
{
    size_t plen = strlen(param);
    for (size_t i = 0; i < len; i++) {
        /* A parameter starts after ';' and spaces. */
        if (v[i] != ';')
            continue;
        size_t p = i + 1;
        while (p < len && (v[p] == ' ' || v[p] == '\t'))
            p++;
        if (p + plen + 1 > len || strncasecmp(v + p, param, plen) != 0 || v[p + plen] != '=')
            continue;
        p += plen + 1;
        size_t start = p, stop;
        if (p < len && v[p] == '"') {
            start = ++p;
            while (p < len && v[p] != '"')
                p++;
            if (p == len)
                return false;
            stop = p;
        } else {
            while (p < len && v[p] != ';' && v[p] != ' ' && v[p] != '\t')
                p++;
            stop = p;
        }
        if (stop - start >= size || memchr(v + start, '\0', stop - start))
            return false;
        memcpy(out, v + start, stop - start);
        out[stop - start] = '\0';
        return true;
    }
    return false;
}

/* One part's headers [h, h+len): its name and filename (filename NULL when not a file). */
static kiosk_rc part_headers(const char *h, size_t len, char name[SRV_FORM_NAME_MAX],
                             char **filename)
{
    *filename = NULL;
    bool named = false;
    size_t i = 0;
    while (i < len) {
        const char *eol = find(h + i, len - i, "\r\n", 2);
        size_t line_len = eol ? (size_t)(eol - (h + i)) : len - i;
        const char *line = h + i;
        static const char cd[] = "content-disposition:";
        if (line_len >= sizeof cd - 1 && strncasecmp(line, cd, sizeof cd - 1) == 0) {
            const char *v = line + sizeof cd - 1;
            size_t vlen = line_len - (sizeof cd - 1);
            while (vlen && (*v == ' ' || *v == '\t')) {
                v++;
                vlen--;
            }
            if (vlen < 9 || strncasecmp(v, "form-data", 9) != 0 || named)
                return KIOSK_ERR_PARSE;
            if (!header_param(v, vlen, "name", name, SRV_FORM_NAME_MAX) || !name[0])
                return KIOSK_ERR_PARSE;
            named = true;
            char file[FILENAME_MAX_BYTES + 1];
            if (header_param(v, vlen, "filename", file, sizeof file)) {
                *filename = strdup(file);
                if (!*filename)
                    return KIOSK_ERR_NOMEM;
            }
        }
        i += line_len + 2;
    }
    if (!named) {
        free(*filename);
        *filename = NULL;
        return KIOSK_ERR_PARSE;
    }
    return KIOSK_OK;
}

kiosk_rc srv_form_parse_multipart(const char *content_type, const char *body, size_t len,
                                  srv_form *out)
{
    memset(out, 0, sizeof *out);
    if (!content_type)
        return KIOSK_ERR_PARSE;
    size_t ct_len = strlen(content_type);
    char boundary[80];
    if (ct_len < 19 || strncasecmp(content_type, "multipart/form-data", 19) != 0 ||
        !header_param(content_type + 19, ct_len - 19, "boundary", boundary, sizeof boundary) ||
        !boundary[0])
        return KIOSK_ERR_PARSE;
    /* "--B" opens the body; every later delimiter is "\r\n--B". */
    char delim[sizeof boundary + 4];
    size_t dlen = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    if (len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
        return KIOSK_ERR_PARSE;
    size_t pos = dlen - 2;
    for (;;) {
        /* After a delimiter: "--" ends the body, "\r\n" starts a part. */
        if (pos + 2 <= len && body[pos] == '-' && body[pos + 1] == '-')
            return KIOSK_OK;
        if (pos + 2 > len || body[pos] != '\r' || body[pos + 1] != '\n')
            break;
        pos += 2;
        /* The headers end at a blank line; searching from the CRLF just read finds it at once
         * for a part without headers. */
        const char *head_end = find(body + pos - 2, len - pos + 2, "\r\n\r\n", 4);
        if (!head_end)
            break;
        const char *head = body + pos;
        size_t head_len = head_end >= head ? (size_t)(head_end - head) : 0;
        pos = (size_t)(head_end - body) + 4;
        char name[SRV_FORM_NAME_MAX] = "";
        char *filename = NULL;
        kiosk_rc rc = part_headers(head, head_len, name, &filename);
        const char *next = rc == KIOSK_OK ? find(body + pos, len - pos, delim, dlen) : NULL;
        if (rc == KIOSK_OK && !next)
            rc = KIOSK_ERR_PARSE;
        char *value = NULL;
        size_t vlen = next ? (size_t)(next - (body + pos)) : 0;
        if (rc == KIOSK_OK) {
            value = malloc(vlen + 1);
            if (!value)
                rc = KIOSK_ERR_NOMEM;
        }
        if (rc == KIOSK_OK) {
            memcpy(value, body + pos, vlen);
            value[vlen] = '\0';
            rc = add_field(out, name, strlen(name), value, vlen, filename);
            filename = NULL;
        }
        free(filename);
        if (rc != KIOSK_OK) {
            srv_form_free(out);
            return rc;
        }
        pos += vlen + dlen;
    }
    srv_form_free(out);
    return KIOSK_ERR_PARSE;
}

void srv_form_free(srv_form *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->fields[i].value);
        free(f->fields[i].filename);
    }
    memset(f, 0, sizeof *f);
}

const srv_form_field *srv_form_field_get(const srv_form *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

const char *srv_form_get(const srv_form *f, const char *name)
{
    const srv_form_field *fl = srv_form_field_get(f, name);
    return fl && strlen(fl->value) == fl->len ? fl->value : NULL;
}

bool srv_cookie_get(const char *header, const char *name, char *out, size_t size)
{
    if (!header)
        return false;
    size_t nlen = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            while (vlen && (p[nlen + 1 + vlen - 1] == ' ' || p[nlen + 1 + vlen - 1] == '\t'))
                vlen--;
            if (vlen == 0 || vlen >= size)
                return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}
