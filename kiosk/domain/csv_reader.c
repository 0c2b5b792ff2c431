/* csv_reader.c - see csv_reader.h. */
#include "csv_reader.h"

#include <string.h>

void kiosk_csv_init(kiosk_csv_reader *r, const char *data, size_t size, bool comments)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = data ? size : 0;
    r->line = 1;
    r->comments = comments;
    if (r->size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

static int peek(const kiosk_csv_reader *r)
{
    return r->pos < r->size ? (unsigned char)r->data[r->pos] : -1;
}

/* Skips empty lines (and comment lines); false at the end of the text. */
static bool skip_blank(kiosk_csv_reader *r)
{
    for (;;) {
        int c = peek(r);
        if (c < 0)
            return false;
        if (c == '\n') {
            r->pos++;
            r->line++;
        } else if (c == '\r' && r->pos + 1 < r->size && r->data[r->pos + 1] == '\n') {
            r->pos += 2;
            r->line++;
        } else if (c == '#' && r->comments) {
            while (r->pos < r->size && r->data[r->pos] != '\n')
                r->pos++;
        } else {
            return true;
        }
    }
}

kiosk_rc kiosk_csv_next(kiosk_csv_reader *r, char *fields[KIOSK_CSV_FIELDS_MAX], size_t *count,
                        size_t *line, char *err, size_t err_size)
{
    *count = 0;
    if (!skip_blank(r))
        return KIOSK_ERR_NOT_FOUND;
    *line = r->line;
    size_t out = 0;
    bool quoted = false, after_quote = false;
    fields[(*count)++] = r->buf;
    for (;;) {
        int c = peek(r);
        if (c == 0)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: a NUL byte in the text",
                              r->line);
        if (c < 0 && quoted)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: a quoted field is not closed", *line);
        bool end_of_record = c < 0 || (!quoted && (c == '\n' || c == '\r'));
        if (end_of_record || (!quoted && c == ',')) {
            if (c == '\r') {
                if (r->pos + 1 >= r->size || r->data[r->pos + 1] != '\n')
                    return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                      "line %zu: a carriage return without a line feed", r->line);
                r->pos++;
            }
            if (out == sizeof r->buf)
                return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                  "line %zu: the record is longer than %d bytes", *line,
                                  KIOSK_CSV_RECORD_MAX);
            r->buf[out++] = '\0';
            if (c >= 0)
                r->pos++;
            if (end_of_record) {
                if (c == '\n' || c == '\r')
                    r->line++;
                return KIOSK_OK;
            }
            if (*count == KIOSK_CSV_FIELDS_MAX)
                return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "line %zu: more than %d fields",
                                  *line, KIOSK_CSV_FIELDS_MAX);
            fields[(*count)++] = r->buf + out;
            after_quote = false;
            continue;
        }
        r->pos++;
        if (after_quote)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: text after the closing quote of a field", r->line);
        if (c == '"') {
            bool field_start = out == 0 || r->buf[out - 1] == '\0';
            if (!quoted && field_start) {
                quoted = true;
                continue;
            }
            if (!quoted)
                return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                                  "line %zu: a quote inside an unquoted field", r->line);
            if (peek(r) == '"') {
                r->pos++; /* "" is one quote */
            } else {
                quoted = false;
                after_quote = true;
                continue;
            }
        }
        if (c == '\n')
            r->line++;
        if (out + 1 >= sizeof r->buf)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "line %zu: the record is longer than %d bytes", *line,
                              KIOSK_CSV_RECORD_MAX);
        r->buf[out++] = (char)c;
    }
}
