/* keypad.c - typing on a view's keypad (keypad.h). */
#include "keypad.h"

#include <string.h>

bool kiosk_keypad_type(char *text, size_t max, const char *widget, unsigned flags)
{
    size_t n = strlen(text);
    if (strcmp(widget, "backspace") == 0) {
        if (n)
            text[n - 1] = '\0';
        return true;
    }
    bool digit =
        strncmp(widget, "key", 3) == 0 && widget[3] >= '0' && widget[3] <= '9' && !widget[4];
    bool x = (flags & KIOSK_KEYPAD_X) && strcmp(widget, "keyX") == 0;
    if (!digit && !x)
        return false;
    bool leading_zero = (flags & KIOSK_KEYPAD_NO_LEADING_ZERO) && n == 0 && widget[3] == '0';
    if (n < max && !leading_zero) {
        text[n] = widget[3];
        text[n + 1] = '\0';
    }
    return true;
}
