/* money.h - formatting integer fen for people: "¥12.50". Money is never a float here. */
#ifndef KIOSK_MONEY_H
#define KIOSK_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Writes "¥12.50" (or "-¥0.05") into buf; always terminated. */
void kiosk_money_format(int64_t fen, char *buf, size_t size);

#endif
