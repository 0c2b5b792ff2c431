/* keypad.h - typing on a view's keypad (view.h's keypad: buttons "key0".."key9", "backspace",
 * "confirm", and "keyX" where an ID number is typed) into a NUL-terminated text, the one rule
 * for every flow's digits (the canteen's bill, the hall's booking number, staff mode's PIN,
 * birth date, ID number and bills). The caller's thread. */
#ifndef KIOSK_FLOWS_KEYPAD_H
#define KIOSK_FLOWS_KEYPAD_H

#include <stdbool.h>
#include <stddef.h>

enum {
    KIOSK_KEYPAD_NO_LEADING_ZERO = 1, /* an amount: "0" is not typed first */
    KIOSK_KEYPAD_X = 2,               /* "keyX" types an X (an ID number's check character) */
};

/* True when widget is a typing key: a digit (or X) is added while text is shorter than max,
 * backspace takes the last character back. False for any other widget ("confirm", "back", ...),
 * text unchanged. text holds at least max + 1 bytes. */
bool kiosk_keypad_type(char *text, size_t max, const char *widget, unsigned flags);

#endif
