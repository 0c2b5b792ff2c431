/* registry.c - the flows this kiosk knows. A new flow is one line here. */
#include <string.h>

#include "board.h"
#include "canteen.h"
#include "flow.h"
#include "marriage_flow.h"
#include "out_of_service.h"
#include "staff_flow.h"

static const kiosk_flow_ops *const flows[] = {
    &kiosk_canteen_flow,
    &kiosk_marriage_flow,
    &kiosk_board_flow,
    &kiosk_out_of_service_flow,
    &kiosk_staff_flow,
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

const char *kiosk_settings_get(const kiosk_settings *section, const char *key)
{
    for (size_t i = 0; section && i < section->count; i++)
        if (strcmp(section->items[i].key, key) == 0)
            return section->items[i].value;
    return NULL;
}

kiosk_settings kiosk_flow_section(const kiosk_flow_env *env, const char *flow)
{
    const kiosk_flow_sections *all = env ? env->sections : NULL;
    for (size_t i = 0; all && i < all->count; i++)
        if (strcmp(all->names[i], flow) == 0)
            return all->sections[i];
    return (kiosk_settings){NULL, 0};
}
