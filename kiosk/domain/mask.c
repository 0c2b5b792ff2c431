/* mask.c - the name mask, built on the strict UTF-8 decoder (utf8.h). */
#include "mask.h"

#include <string.h>

#include "utf8.h"

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
    size_t n = strlen(utf8), count = 0, first_len = 0, last_at = 0, last_len = 0;
    for (size_t i = 0; i < n; i += last_len) {
        last_len = kiosk_utf8_seq_len(utf8 + i, n - i);
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
