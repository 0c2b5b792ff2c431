/* recid.c - UUIDv7 with a process-wide "last timestamp" so ids stay ordered. */
#include "recid.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms;

kiosk_recid kiosk_recid_new(int64_t utc_ms)
{
    pthread_mutex_lock(&lock);
    if (utc_ms < last_ms)
        utc_ms = last_ms;
    last_ms = utc_ms;
    pthread_mutex_unlock(&lock);

    kiosk_recid id;
    randombytes_buf(id.bytes, sizeof id.bytes);
    uint64_t ts = (uint64_t)utc_ms;
    for (int i = 0; i < 6; i++)
        id.bytes[i] = (uint8_t)(ts >> (40 - 8 * i));
    id.bytes[6] = (uint8_t)(0x70 | (id.bytes[6] & 0x0f)); /* version 7 */
    id.bytes[8] = (uint8_t)(0x80 | (id.bytes[8] & 0x3f)); /* RFC 9562 variant */
    return id;
}

void kiosk_recid_format(const kiosk_recid *id, char out[static KIOSK_RECID_TEXT])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[id->bytes[i] >> 4];
        *p++ = hex[id->bytes[i] & 15];
    }
    *p = '\0';
}

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

bool kiosk_recid_parse(const char *text, kiosk_recid *out)
{
    if (!text)
        return false;
    const char *p = text;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (*p != '-')
                return false;
            p++;
        }
        int hi = hex_value(p[0]), lo = hi < 0 ? -1 : hex_value(p[1]);
        if (hi < 0 || lo < 0)
            return false;
        out->bytes[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    return *p == '\0';
}
