/* mask.c - a strict UTF-8 decoder and the name mask built on it. */
#include "mask.h"

#include <string.h>

/* The length of the well-formed UTF-8 sequence at s (n bytes available), or 0 when it is not
 * one. The ranges are those of RFC 3629 table 3-7: they exclude overlongs (C0, C1, E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF). */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

bool kiosk_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = seq_len(p + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

/* Appends whole code points to a bounded buffer; once one does not fit, nothing more is
 * appended, so the output is a prefix of the mask that ends on a code point boundary. */
typedef struct sink {
    char *out;
    size_t size, used;
    bool full;
} sink;

static void sink_put(sink *k, const char *bytes, size_t len)
{
    if (k->full || k->used + len + 1 > k->size) {
        k->full = true;
        return;
    }
    memcpy(k->out + k->used, bytes, len);
    k->used += len;
    k->out[k->used] = '\0';
}

kiosk_rc kiosk_mask_name(const char *utf8, char *out, size_t out_size)
{
    if (!utf8 || !out || out_size == 0)
        return KIOSK_ERR_INVALID;
    out[0] = '\0';
    const unsigned char *s = (const unsigned char *)utf8;
    size_t n = strlen(utf8), count = 0, first_len = 0, last_at = 0, last_len = 0;
    for (size_t i = 0; i < n; i += last_len) {
        last_len = seq_len(s + i, n - i);
        if (last_len == 0)
            return KIOSK_ERR_PARSE;
        if (count == 0)
            first_len = last_len;
        last_at = i;
        count++;
    }
    sink k = {out, out_size, 0, false};
    if (count == 0)
        return KIOSK_OK;
    sink_put(&k, utf8, first_len);
    /* Two characters keep only the first: showing the last too would show the whole name. */
    size_t stars = count == 1 ? 0 : count == 2 ? 1 : count - 2;
    for (size_t i = 0; i < stars; i++)
        sink_put(&k, "*", 1);
    if (count >= 3)
        sink_put(&k, utf8 + last_at, last_len);
    return k.full ? KIOSK_ERR_TOO_BIG : KIOSK_OK;
}
