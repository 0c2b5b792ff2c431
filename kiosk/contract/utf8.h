/* utf8.h - the one UTF-8 decoder of the kiosk: strict (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), bounded by an explicit length. Used by name masking, receipt and
 * ticket layout, the text renderer and every parser that checks its input is UTF-8.
 * Pure; any thread. */
#ifndef KIOSK_UTF8_H
#define KIOSK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KIOSK_UTF8_REPLACEMENT 0xFFFDu

/* The length (1..4) of the well-formed sequence at s, n bytes available; 0 when it is not one. */
size_t kiosk_utf8_seq_len(const char *s, size_t n);

/* Decodes the code point at s (n > 0 bytes available) and sets *len to the bytes it used. An
 * ill-formed sequence yields U+FFFD and *len = 1, so a caller always moves forward. */
uint32_t kiosk_utf8_next(const char *s, size_t n, size_t *len);

/* True when the n bytes at s are well-formed UTF-8 (NUL bytes included count as valid). */
bool kiosk_utf8_valid(const char *s, size_t n);

/* Writes the UTF-8 form of cp (at most 4 bytes) to out; returns the bytes written, 0 when cp is
 * a surrogate or above U+10FFFF. */
size_t kiosk_utf8_encode(uint32_t cp, char out[4]);

#endif
