/* store_sync.c - a probe of the include arrows (tests/arrows/README.md). */
#include "sync.h"

int arrow_probe(void);
int arrow_probe(void)
{
    return 0;
}
