/* policy.h - meal-subsidy policy as data (versioned JSON) and the decision: a pure function of
 * (policy, person, card, site, this month's meals, local time) -> approved amounts or a reason.
 * No I/O, no clock, no allocation in kiosk_policy_decide. Money is integer fen.
 * The JSON format is documented with worked examples in docs/policy.md. */
#ifndef KIOSK_POLICY_H
#define KIOSK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caltime.h"
#include "error.h"
#include "types.h"

/* Why a meal was refused (or KIOSK_REASON_OK): enum name, code in the events log. The words a
 * diner sees for each are the canteen flow's (kiosk/flows/canteen_words.c). */
#define KIOSK_REASON_MAP(X)                        \
    X(OK, "ok")                                    \
    X(UNKNOWN_CARD, "unknown_card")                \
    X(CARD_BLOCKED, "card_blocked")                \
    X(PERSON_INACTIVE, "person_inactive")          \
    X(NO_POLICY, "no_policy")                      \
    X(OUTSIDE_MEAL_HOURS, "outside_meal_hours")    \
    X(ALREADY_HAD_MEAL, "already_had_meal")        \
    X(DAILY_LIMIT, "daily_limit")                  \
    X(MONTHLY_CAP, "monthly_cap")                  \
    X(NOT_ELIGIBLE_AGE, "not_eligible_age")        \
    X(NOT_ELIGIBLE_RESIDENCE, "not_eligible_residence") \
    X(WRONG_CANTEEN, "wrong_canteen")

typedef enum kiosk_reason {
#define KIOSK_REASON_ENUM(e, code) KIOSK_REASON_##e,
    KIOSK_REASON_MAP(KIOSK_REASON_ENUM)
#undef KIOSK_REASON_ENUM
        KIOSK_REASON_COUNT
} kiosk_reason;

/* One earlier meal record of the same person (any card, any canteen known locally), with the
 * amounts recorded when it was served. */
typedef struct kiosk_meal_record {
    kiosk_local_time at; /* local business date and time it was served */
    kiosk_meal_type meal_type;
    int64_t subsidy_fen; /* 0 for a full-price meal */
    char canteen_id[KIOSK_ID_MAX];
    int64_t canteen_fen;     /* the part of the subsidy the canteen itself gave */
    int64_t day_subsidy_fen; /* the part of it that was the day's once-a-day subsidy */
} kiosk_meal_record;

/* What the limits need to know of a person's earlier meals this month: counts and sums of the
 * subsidised ones, whatever their number. The store computes it in SQL
 * (kiosk_store_meal_summary); kiosk_meal_summarize computes the same from a list. */
typedef struct kiosk_meal_summary {
    int64_t month_subsidy_fen;          /* government subsidy this month (what the cap counts) */
    int64_t day_subsidy_given_fen;      /* once-a-day subsidy already given today */
    long day_count;                     /* subsidised meals today */
    long type_count[KIOSK_MEAL_COUNT];  /* subsidised meals today, by type */
    bool has_last_of_day;               /* the latest subsidised meal today */
    kiosk_meal_record last_of_day;
    bool has_last_of_type[KIOSK_MEAL_COUNT]; /* the latest subsidised meal today of each type */
    kiosk_meal_record last_of_type[KIOSK_MEAL_COUNT];
} kiosk_meal_summary;

/* The summary of n records (any order, any dates) for the local date `today`. Pure. */
kiosk_meal_summary kiosk_meal_summarize(const kiosk_meal_record *items, size_t n, kiosk_date today);

/* Where the price of a meal comes from (the canteen's pricing mode). */
typedef enum kiosk_price_source {
    KIOSK_PRICE_SET,  /* the policy's price for the meal type (定额) */
    KIOSK_PRICE_MENU, /* a set meal chosen from the canteen's menu (菜单) */
    KIOSK_PRICE_BILL  /* the bill the counter or the cash register entered (随意金额) */
} kiosk_price_source;

/* The meal ordered: the policy's set price, or a price given by the menu or the bill. */
typedef struct kiosk_order {
    kiosk_price_source source;
    int64_t price_fen;  /* MENU and BILL: the price the subsidy is computed on */
    char item[KIOSK_ID_MAX]; /* MENU: the item's id, recorded with the meal */
} kiosk_order;

#define KIOSK_CLASS_ID_MAX    32
#define KIOSK_CLASS_LABEL_MAX 64

/* Why an approved meal got no subsidy, so the screen can say so in plain words. */
typedef enum kiosk_no_subsidy {
    KIOSK_NO_SUBSIDY_NONE,         /* it got a subsidy (or was refused) */
    KIOSK_NO_SUBSIDY_NO_RULE,      /* no rule gives the diner's classes anything for this meal */
    KIOSK_NO_SUBSIDY_MIN_SPEND,    /* a rule would, for a bill of at least its minimum spend */
    KIOSK_NO_SUBSIDY_RESIDENCE,    /* the rules that would are for local residents (户籍) only */
    KIOSK_NO_SUBSIDY_DAILY_GIVEN,  /* the day's once-a-day subsidy was already given */
    KIOSK_NO_SUBSIDY_OUTSIDE_AREA  /* the levels that pay do not pay for diners from elsewhere */
} kiosk_no_subsidy;

typedef struct kiosk_decision {
    bool approved;
    kiosk_no_subsidy no_subsidy;             /* approved with 0: why */
    kiosk_reason reason;                     /* KIOSK_REASON_OK when approved */
    kiosk_meal_type meal_type;               /* the meal the time falls in, or KIOSK_MEAL_NONE */
    int64_t price_fen;                       /* the meal's list price for this diner */
    int64_t subsidy_fen;                     /* 0 <= subsidy <= price */
    int64_t pay_fen;                         /* price - subsidy */
    int64_t funding_fen[KIOSK_LEVEL_COUNT];  /* the government's levels */
    int64_t canteen_fen;                     /* the canteen's own share (a discount it gives) */
    int64_t day_subsidy_fen;                 /* the part that is the once-a-day subsidy */
    bool full_price_allowed;                 /* refused a subsidy, but may eat at full price */
    char class_id[KIOSK_CLASS_ID_MAX];       /* the class whose rule gave the subsidy */
    char class_label[KIOSK_CLASS_LABEL_MAX]; /* its Chinese label, e.g. "80-89岁" */
    bool has_previous;          /* ALREADY_HAD_MEAL, DAILY_LIMIT: the earlier meal is known */
    kiosk_meal_record previous; /* the latest meal of the type (or the day) that counted */
    int64_t month_remaining_fen; /* monthly cap left after this meal; -1 when there is no cap */
    char policy_version[KIOSK_ID_MAX];
} kiosk_decision;

typedef struct kiosk_policy kiosk_policy;         /* one version */
typedef struct kiosk_policy_set kiosk_policy_set; /* several versions, by effective date */

/* Parses one policy version from JSON text (UTF-8, at most 1 MiB). On error returns
 * KIOSK_ERR_PARSE and writes a message naming the JSON position or field into err. The caller
 * owns *out and frees it with kiosk_policy_free. Any thread. */
KIOSK_MUST_CHECK kiosk_rc kiosk_policy_parse(const char *json, size_t len, kiosk_policy **out,
                                             char *err, size_t err_size);
void kiosk_policy_free(kiosk_policy *policy);
const char *kiosk_policy_version(const kiosk_policy *policy);
kiosk_date kiosk_policy_effective_from(const kiosk_policy *policy);

kiosk_policy_set *kiosk_policy_set_new(void);
void kiosk_policy_set_free(kiosk_policy_set *set);
/* Takes ownership of policy. A version already in the set is replaced. */
KIOSK_MUST_CHECK kiosk_rc kiosk_policy_set_take(kiosk_policy_set *set, kiosk_policy *policy);
/* Exchanges the versions of two sets, so whoever borrowed `a` sees b's versions (a policy pulled
 * from the server replaces the running set without re-creating the flows that hold it). */
void kiosk_policy_set_swap(kiosk_policy_set *a, kiosk_policy_set *b);
/* The version in force on local date `on` (latest effective_from <= on), or NULL. Borrowed. */
const kiosk_policy *kiosk_policy_set_in_force(const kiosk_policy_set *set, kiosk_date on);

/* The meal type whose window contains `at`, or KIOSK_MEAL_NONE. */
kiosk_meal_type kiosk_policy_meal_at(const kiosk_policy *policy, kiosk_local_time at);

/* The local window [start, end) of a meal type in minutes since midnight; false when the
 * policy does not serve that meal. */
bool kiosk_policy_meal_window(const kiosk_policy *policy, kiosk_meal_type type, int *start_min,
                              int *end_min);

/* The Chinese label of a class ("80-89岁"), or class_id itself when the policy (which may be
 * NULL) has no such class or no label for it. */
const char *kiosk_policy_class_label(const kiosk_policy *policy, const char *class_id);

/* The decision. card may be NULL for a diner identified another way (ID card); meals may be
 * NULL for a person without earlier meals; order may be NULL for the policy's set price. The
 * subsidy is funding_fen (city, district, street) plus canteen_fen. Pure. */
kiosk_decision kiosk_policy_decide(const kiosk_policy *policy, const kiosk_person *person,
                                   const kiosk_card_info *card, const kiosk_site *site,
                                   const kiosk_meal_summary *meals, kiosk_local_time at,
                                   const kiosk_order *order);

const char *kiosk_reason_code(kiosk_reason r);

#endif
