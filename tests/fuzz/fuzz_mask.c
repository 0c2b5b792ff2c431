/* fuzz_mask.c - fuzz target for the UTF-8 validator and the name mask. The validator is compared
 * with a reference decoder written differently; the mask must keep the first and last code
 * point, put one star per hidden one, and, when cut short, end on a code point boundary with a
 * prefix of the full result. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NAME 1024

/* Decodes by bit pattern, then rejects overlongs, surrogates and values above U+10FFFF.
 * Returns the number of code points, or -1 when s is not UTF-8. */
static long reference_count(const unsigned char *s, size_t n)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    long count = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 0 || i + len > n)
            return -1;
        uint32_t cp = len == 1 ? c : c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return -1;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min_for_len[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return -1;
        i += len;
        count++;
    }
    return count;
}

/* The length of a well-formed sequence from its first byte. */
static size_t lead_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool valid = kiosk_utf8_valid((const char *)data, size);
    if (valid != (reference_count(data, size) >= 0))
        abort();
    if (size > MAX_NAME)
        return 0;

    char name[MAX_NAME + 1], full[MAX_NAME + 1], part[MAX_NAME + 1];
    memcpy(name, data, size);
    name[size] = '\0';
    size_t n = strlen(name);
    long count = reference_count((const unsigned char *)name, n);
    kiosk_rc rc = kiosk_mask_name(name, full, n + 1);
    if (count < 0) {
        if (rc != KIOSK_ERR_PARSE || full[0] != '\0')
            abort();
        return 0;
    }
    if (rc != KIOSK_OK)
        abort();
    size_t m = strlen(full);
    long shown = reference_count((const unsigned char *)full, m);
    if (shown != count || m > n)
        abort();
    /* The first code point kept, then one star per hidden code point, then the last one from
     * three code points on. */
    if (count >= 1) {
        size_t head = lead_len((unsigned char)name[0]), tail = 0;
        size_t stars = count == 1 ? 0 : count == 2 ? 1 : (size_t)count - 2;
        if (count >= 3) {
            tail = 1;
            while (((unsigned char)name[n - tail] & 0xC0) == 0x80)
                tail++;
        }
        if (m != head + stars + tail || memcmp(full, name, head) != 0 ||
            memcmp(full + m - tail, name + n - tail, tail) != 0)
            abort();
        for (size_t i = head; i < head + stars; i++)
            if (full[i] != '*')
                abort();
    }

    size_t small = size ? 1 + data[0] % 16 : 1;
    rc = kiosk_mask_name(name, part, small);
    size_t k = strlen(part);
    if (k >= small || strncmp(part, full, k) != 0 || !kiosk_utf8_valid(part, k) ||
        (rc == KIOSK_OK) != (m < small) || (rc != KIOSK_OK && rc != KIOSK_ERR_TOO_BIG))
        abort();
    return 0;
}
