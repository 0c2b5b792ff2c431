/* test_corner_hold.c - the long press in the top-left corner, on the injectable (monotonic)
 * times the app passes: due once at exactly 3 s of holding, not at 2.999 s; not for a touch
 * outside the corner, one lifted or moved out of it before 3 s, nor twice for one touch; the
 * corner is a square of a sixth of the shorter side at each test resolution. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "corner_hold.h"

static void test_sizes(void)
{
    /* 1920x1080 and 1280x800 landscape, 1080x1920 portrait: 180, 133 and 180 px. */
    CHECK(kiosk_corner_hold_in_corner(0, 0, 1920, 1080));
    CHECK(kiosk_corner_hold_in_corner(179, 179, 1920, 1080));
    CHECK(!kiosk_corner_hold_in_corner(180, 10, 1920, 1080));
    CHECK(!kiosk_corner_hold_in_corner(10, 180, 1920, 1080));
    CHECK(kiosk_corner_hold_in_corner(132, 132, 1280, 800));
    CHECK(!kiosk_corner_hold_in_corner(133, 0, 1280, 800));
    CHECK(kiosk_corner_hold_in_corner(179, 179, 1080, 1920));
    CHECK(!kiosk_corner_hold_in_corner(0, 180, 1080, 1920));
    CHECK(!kiosk_corner_hold_in_corner(-1, 0, 1920, 1080));
    CHECK(!kiosk_corner_hold_in_corner(1900, 10, 1920, 1080)); /* the top-right is not it */
}

static void test_hold(void)
{
    kiosk_corner_hold c = {0};
    CHECK(kiosk_corner_hold_deadline(&c) == INT64_MAX);
    kiosk_corner_hold_down(&c, 40, 40, 1920, 1080, 10000);
    CHECK(kiosk_corner_hold_deadline(&c) == 13000);
    CHECK(!kiosk_corner_hold_due(&c, 12999));
    CHECK(kiosk_corner_hold_due(&c, 13000));
    CHECK(!kiosk_corner_hold_due(&c, 20000)); /* once per touch */
    CHECK(kiosk_corner_hold_deadline(&c) == INT64_MAX);
    kiosk_corner_hold_up(&c);
    CHECK(!kiosk_corner_hold_due(&c, 30000));

    /* Lifted before 3 s: nothing, then or later. */
    kiosk_corner_hold_down(&c, 40, 40, 1920, 1080, 40000);
    kiosk_corner_hold_up(&c);
    CHECK(!kiosk_corner_hold_due(&c, 43000));
    CHECK(kiosk_corner_hold_deadline(&c) == INT64_MAX);

    /* Moved within the corner: still a hold; moved out: over. */
    kiosk_corner_hold_down(&c, 40, 40, 1920, 1080, 50000);
    kiosk_corner_hold_move(&c, 100, 60, 1920, 1080);
    CHECK(kiosk_corner_hold_due(&c, 53000));
    kiosk_corner_hold_down(&c, 40, 40, 1920, 1080, 60000);
    kiosk_corner_hold_move(&c, 400, 60, 1920, 1080);
    kiosk_corner_hold_move(&c, 40, 60, 1920, 1080); /* coming back does not restart it */
    CHECK(!kiosk_corner_hold_due(&c, 63000));

    /* Anywhere else on the screen: never. */
    kiosk_corner_hold_down(&c, 960, 540, 1920, 1080, 70000);
    CHECK(!kiosk_corner_hold_due(&c, 80000));
    CHECK(kiosk_corner_hold_deadline(&c) == INT64_MAX);
}

int main(void)
{
    test_sizes();
    test_hold();
    CHECK_DONE();
}
