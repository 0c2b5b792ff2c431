/* ui_ok.c - a probe of the include arrows (tests/arrows/README.md). */
#include "view.h"

int arrow_probe(void);
int arrow_probe(void)
{
    return 0;
}
