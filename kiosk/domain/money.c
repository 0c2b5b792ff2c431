/* money.c - fen to yuan text with integer arithmetic only. */
#include "money.h"

#include <inttypes.h>
#include <stdio.h>

void kiosk_money_format(int64_t fen, char *buf, size_t size)
{
    /* Work in unsigned magnitude so INT64_MIN cannot overflow. */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, size, "%s¥%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", mag / 100, mag % 100);
}
