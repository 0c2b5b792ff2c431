/* types.h - the domain's plain types: meal types, hardship categories, funding levels, areas,
 * persons, cards and sites, with the names of their codes. Shared by the policy, the store, the
 * flows and the server. Pure; any thread. */
#ifndef KIOSK_TYPES_H
#define KIOSK_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "caltime.h"
#include "i18n.h"

/* Meal types: enum name, JSON/code name, Chinese label. */
#define KIOSK_MEAL_TYPE_MAP(X)            \
    X(BREAKFAST, "breakfast", N_("早餐")) \
    X(LUNCH, "lunch", N_("午餐"))         \
    X(DINNER, "dinner", N_("晚餐"))

typedef enum kiosk_meal_type {
    KIOSK_MEAL_NONE = -1,
#define KIOSK_MEAL_ENUM(e, code, zh) KIOSK_MEAL_##e,
    KIOSK_MEAL_TYPE_MAP(KIOSK_MEAL_ENUM)
#undef KIOSK_MEAL_ENUM
        KIOSK_MEAL_COUNT
} kiosk_meal_type;

/* Hardship categories held on the roster (a bit set): enum name, code used in JSON and CSV,
 * Chinese label. */
#define KIOSK_CATEGORY_MAP(X)                                 \
    X(TEKUN, "tekun", N_("特困供养"))                         \
    X(DIBAO, "dibao", N_("低保"))                             \
    X(LOW_INCOME, "low_income", N_("低保边缘"))               \
    X(DISABLED, "disabled", N_("失能半失能"))                 \
    X(ALONE, "alone", N_("独居空巢"))                         \
    X(SEVERE_DISABILITY, "severe_disability", N_("重度残疾")) \
    X(FAMILY_PLANNING, "family_planning", N_("计生特殊家庭")) \
    X(VETERAN, "veteran", N_("优抚对象"))                     \
    X(SANWU, "sanwu", N_("三无"))

enum {
#define KIOSK_CAT_BIT(e, code, zh) KIOSK_CAT_BIT_##e,
    KIOSK_CATEGORY_MAP(KIOSK_CAT_BIT)
#undef KIOSK_CAT_BIT
        KIOSK_CATEGORY_COUNT
};
#define KIOSK_CAT(e) (1u << KIOSK_CAT_BIT_##e)

/* Funding levels, for the settlement split. */
#define KIOSK_FUNDING_LEVEL_MAP(X)      \
    X(CITY, "city", N_("市级"))         \
    X(DISTRICT, "district", N_("区级")) \
    X(STREET, "street", N_("街道"))

typedef enum kiosk_funding_level {
#define KIOSK_LEVEL_ENUM(e, code, zh) KIOSK_LEVEL_##e,
    KIOSK_FUNDING_LEVEL_MAP(KIOSK_LEVEL_ENUM)
#undef KIOSK_LEVEL_ENUM
        KIOSK_LEVEL_COUNT
} kiosk_funding_level;

#define KIOSK_AREA_CODE_MAX 24
#define KIOSK_ID_MAX        40

/* An administrative area: codes of each level, "" when unknown. The street code is the most
 * specific; a diner is "in" a canteen's district when the district codes are equal. */
typedef struct kiosk_area {
    char city[KIOSK_AREA_CODE_MAX];
    char district[KIOSK_AREA_CODE_MAX];
    char street[KIOSK_AREA_CODE_MAX];
} kiosk_area;

typedef struct kiosk_person {
    kiosk_date birth;
    uint32_t categories; /* KIOSK_CAT(...) bits */
    kiosk_area home;     /* registration area */
    bool local_hukou;    /* 户籍 registered in this city */
    bool local_resident; /* lives in this city (居住证 or similar) */
    bool active;         /* roster status: false = suspended / deceased / moved away */
} kiosk_person;

typedef struct kiosk_card_info {
    bool blocked;                       /* blocked or reported lost */
    char issuing_canteen[KIOSK_ID_MAX]; /* "" = valid at any canteen */
} kiosk_card_info;

typedef struct kiosk_site {
    char canteen_id[KIOSK_ID_MAX];
    kiosk_area area;
} kiosk_site;

const char *kiosk_meal_type_code(kiosk_meal_type t);  /* "lunch"; "none" for NONE */
const char *kiosk_meal_type_label(kiosk_meal_type t); /* "午餐"; "" for NONE */
/* The meal type with this code, or KIOSK_MEAL_NONE. */
kiosk_meal_type kiosk_meal_type_from_code(const char *code);
/* Category code ("dibao") -> bit; 0 when unknown. */
uint32_t kiosk_category_from_code(const char *code);
const char *kiosk_category_label(int bit_index);
const char *kiosk_funding_level_code(kiosk_funding_level l); /* "city"; "" out of range */

#endif
