/* test_keypad.c - typing on a view's keypad (kiosk/flows/keypad.h): digits up to the limit and
 * no further, backspace down to empty and no further, no leading zero in an amount, X only where
 * an ID number is typed, and every other widget left to the caller with the text unchanged. */
#include <string.h>

#include "check.h"
#include "keypad.h"

int main(void)
{
    char t[5] = "";
    CHECK(kiosk_keypad_type(t, 4, "key1", 0));
    CHECK(kiosk_keypad_type(t, 4, "key0", 0));
    CHECK_STR(t, "10");
    CHECK(kiosk_keypad_type(t, 4, "key2", 0) && kiosk_keypad_type(t, 4, "key3", 0));
    CHECK(kiosk_keypad_type(t, 4, "key4", 0)); /* the fifth digit: a key, not typed */
    CHECK_STR(t, "1023");
    CHECK(kiosk_keypad_type(t, 4, "backspace", 0));
    CHECK_STR(t, "102");
    for (int i = 0; i < 5; i++)
        CHECK(kiosk_keypad_type(t, 4, "backspace", 0));
    CHECK_STR(t, "");
    /* An amount does not start with 0; a PIN or a booking number may. */
    CHECK(kiosk_keypad_type(t, 4, "key0", KIOSK_KEYPAD_NO_LEADING_ZERO));
    CHECK_STR(t, "");
    CHECK(kiosk_keypad_type(t, 4, "key0", 0));
    CHECK_STR(t, "0");
    /* X only on an ID number's keypad. */
    CHECK(!kiosk_keypad_type(t, 4, "keyX", 0));
    CHECK_STR(t, "0");
    CHECK(kiosk_keypad_type(t, 4, "keyX", KIOSK_KEYPAD_X));
    CHECK_STR(t, "0X");
    /* Anything else is the caller's. */
    static const char *const others[] = {"confirm", "back", "key", "key12", "keyA", "key/", ""};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        CHECK(!kiosk_keypad_type(t, 4, others[i], KIOSK_KEYPAD_X));
    CHECK_STR(t, "0X");
    CHECK_DONE();
}
