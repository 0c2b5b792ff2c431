/* csv_reader.h - RFC 4180 records from a text held in memory, for the small import files of the
 * marriage hall (appointments, the working-day calendar). Owns the record syntax only: quoting,
 * line ends, limits, the line numbers that messages name; what a field means is the caller's.
 * Memory is bounded (one record of at most KIOSK_CSV_RECORD_MAX bytes). Pure; one reader per
 * thread.
 *
 * Syntax: UTF-8 (a byte-order mark at the start is skipped); comma separator; a field may be
 * quoted with '"' and then hold commas, line breaks and "" for a quote; lines end with LF or
 * CRLF (a CR alone is an error), the last one optionally; a NUL byte is an error; completely
 * empty lines are skipped, and so are lines starting with '#' when the reader was made with
 * comments allowed. No trimming. */
#ifndef KIOSK_CSV_READER_H
#define KIOSK_CSV_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define KIOSK_CSV_FIELDS_MAX 16
#define KIOSK_CSV_RECORD_MAX 4096 /* bytes of one record's fields, terminators included */

typedef struct kiosk_csv_reader {
    const char *data;
    size_t size, pos;
    size_t line; /* physical line of the next byte */
    bool comments;
    char buf[KIOSK_CSV_RECORD_MAX];
} kiosk_csv_reader;

/* Starts reading data[0..size); the text is borrowed until the last call. */
void kiosk_csv_init(kiosk_csv_reader *r, const char *data, size_t size, bool comments);

/* The next record: fields[0..*count) point into the reader (NUL-terminated, valid until the
 * next call), *line is the physical line it starts on (the first line is 1). KIOSK_ERR_NOT_FOUND
 * at the end of the text; KIOSK_ERR_PARSE with "line N: ..." in err for a malformed record or
 * one beyond the limits (more than KIOSK_CSV_FIELDS_MAX fields, a record larger than
 * KIOSK_CSV_RECORD_MAX). Messages never quote the text. */
KIOSK_MUST_CHECK kiosk_rc kiosk_csv_next(kiosk_csv_reader *r, char *fields[KIOSK_CSV_FIELDS_MAX],
                                         size_t *count, size_t *line, char *err, size_t err_size);

#endif
