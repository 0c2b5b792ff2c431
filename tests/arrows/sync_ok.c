/* sync_ok.c - a probe of the include arrows (tests/arrows/README.md). */
#include "sync_state.h"

int arrow_probe(void);
int arrow_probe(void)
{
    return 0;
}
