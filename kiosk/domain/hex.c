/* hex.c - hexadecimal text (see hex.h). */
#include "hex.h"

#include <string.h>

int kiosk_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool kiosk_hex_is(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (kiosk_hex_digit(s[i]) < 0)
            return false;
    return true;
}

int kiosk_hex_decode(const char *hex, size_t len, uint8_t *out, size_t max)
{
    if (len % 2 || len / 2 > max)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = kiosk_hex_digit(hex[i]), lo = kiosk_hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(len / 2);
}

int kiosk_card_uid_from_hex(const char *hex, size_t len, uint8_t out[KIOSK_UID_MAX])
{
    if (len != 8 && len != 14 && len != 20)
        return 0;
    return kiosk_hex_decode(hex, len, out, KIOSK_UID_MAX);
}
