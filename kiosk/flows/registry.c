/* registry.c - the flows this kiosk knows. A new flow is one line here. */
#include <string.h>

#include "canteen.h"
#include "flow.h"

static const kiosk_flow_ops *const flows[] = {
    &kiosk_canteen_flow,
    NULL,
};

const kiosk_flow_ops *kiosk_flow_find(const char *name)
{
    for (size_t i = 0; name && flows[i]; i++)
        if (strcmp(flows[i]->name, name) == 0)
            return flows[i];
    return NULL;
}

const kiosk_flow_ops *const *kiosk_flow_all(void)
{
    return flows;
}
