/* sync_flows.c - a probe of the include arrows (tests/arrows/README.md). */
#include "flow.h"

int arrow_probe(void);
int arrow_probe(void)
{
    return 0;
}
