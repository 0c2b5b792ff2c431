/* types.c - the names of the domain's codes (types.h). */
#include "types.h"

#include <string.h>

/* --- names from the X-macros ------------------------------------------------------------- */

static const char *const meal_codes[] = {
#define MEAL_CODE(e, code, zh) code,
    KIOSK_MEAL_TYPE_MAP(MEAL_CODE)
#undef MEAL_CODE
};
static const char *const meal_labels[] = {
#define MEAL_LABEL(e, code, zh) zh,
    KIOSK_MEAL_TYPE_MAP(MEAL_LABEL)
#undef MEAL_LABEL
};
static const char *const category_codes[] = {
#define CAT_CODE(e, code, zh) code,
    KIOSK_CATEGORY_MAP(CAT_CODE)
#undef CAT_CODE
};
static const char *const category_labels[] = {
#define CAT_LABEL(e, code, zh) zh,
    KIOSK_CATEGORY_MAP(CAT_LABEL)
#undef CAT_LABEL
};
static const char *const level_codes[] = {
#define LEVEL_CODE(e, code, zh) code,
    KIOSK_FUNDING_LEVEL_MAP(LEVEL_CODE)
#undef LEVEL_CODE
};

const char *kiosk_meal_type_code(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT ? meal_codes[t] : "none";
}

const char *kiosk_meal_type_label(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT ? meal_labels[t] : "";
}


uint32_t kiosk_category_from_code(const char *code)
{
    for (int i = 0; code && i < KIOSK_CATEGORY_COUNT; i++)
        if (strcmp(code, category_codes[i]) == 0)
            return 1u << i;
    return 0;
}

const char *kiosk_category_label(int bit_index)
{
    return bit_index >= 0 && bit_index < KIOSK_CATEGORY_COUNT ? category_labels[bit_index] : "";
}

kiosk_meal_type kiosk_meal_type_from_code(const char *code)
{
    for (int t = 0; code && t < KIOSK_MEAL_COUNT; t++)
        if (strcmp(code, meal_codes[t]) == 0)
            return (kiosk_meal_type)t;
    return KIOSK_MEAL_NONE;
}

const char *kiosk_funding_level_code(kiosk_funding_level l)
{
    return l >= 0 && l < KIOSK_LEVEL_COUNT ? level_codes[l] : "";
}
