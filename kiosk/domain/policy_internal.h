/* policy_internal.h - the parsed form of one policy version, shared by the parser
 * (policy_parse.c), the decision (policy_decide.c) and the set of versions (policy.c). Not for
 * use outside the policy module. */
#ifndef KIOSK_POLICY_INTERNAL_H
#define KIOSK_POLICY_INTERNAL_H

#include "policy.h"

#define POLICY_INPUT_MAX   (1024 * 1024)
#define POLICY_CLASSES_MAX 32 /* a class set is a uint32_t bit mask */
#define POLICY_RULES_MAX   64
#define POLICY_MONEY_MAX   INT64_C(100000000) /* 1,000,000 yuan: keeps every product in int64 */
#define POLICY_AGE_MAX     150
#define POLICY_LIMIT_MAX   20
#define POLICY_NAME_MAX    256
#define POLICY_SET_MAX     4096 /* versions; years of monthly changes fit many times over */
#define PATH_MAX_LEN       128

typedef enum rule_kind { RULE_FIXED, RULE_PERCENT, RULE_PAY } rule_kind;
typedef enum residence_rule { RESIDENCE_ANY, RESIDENCE_RESIDENT, RESIDENCE_HUKOU } residence_rule;

typedef struct policy_class {
    char id[KIOSK_CLASS_ID_MAX];
    char label[KIOSK_CLASS_LABEL_MAX];
    int min_age;         /* -1 = no lower bound */
    int max_age;         /* -1 = no upper bound */
    uint32_t categories; /* the diner holds any of these; 0 = not a condition */
} policy_class;

typedef struct policy_meal {
    bool served;
    int start_min, end_min; /* [start, end) in minutes since local midnight */
    int64_t price_fen;
    int64_t class_price_fen[POLICY_CLASSES_MAX]; /* -1 = this class pays the list price */
} policy_meal;

typedef struct policy_rule {
    rule_kind kind;
    int class_index;
    bool for_meal[KIOSK_MEAL_COUNT];
    int64_t value_fen[KIOSK_MEAL_COUNT]; /* fixed: the subsidy; pay: what the diner pays */
    int percent;
    int64_t cap_fen; /* -1 = no cap */
    int64_t min_spend_fen;
    bool per_day;
    bool stack;
    bool of_remainder; /* a stacking percent taken of what is left to pay, not of the price */
    bool must_exceed;  /* applies only when the price is above the rule's amount */
    residence_rule residence; /* whom the rule serves (户籍, residents, anyone) */
    bool paid_by_canteen;     /* the canteen gives this amount itself, not the government */
} policy_rule;

struct kiosk_policy {
    char version[KIOSK_ID_MAX];
    kiosk_date effective_from;
    int min_age; /* -1 = none */
    residence_rule residence;
    bool cards_anywhere;
    bool refuse_outside_city;
    /* A diner whose only rules are closed to them by residence is refused (not_eligible_
     * residence) rather than served at full price. */
    bool refuse_outside_rule_residence;
    bool follows[KIOSK_LEVEL_COUNT];
    policy_meal meals[KIOSK_MEAL_COUNT];
    int class_count;
    policy_class classes[POLICY_CLASSES_MAX];
    int rule_count;
    policy_rule rules[POLICY_RULES_MAX];
    bool combine_sum;
    int per_type_limit;      /* subsidised meals of one type a day; 0 = no limit */
    int per_day_limit;       /* subsidised meals a day; 0 = no limit */
    int64_t monthly_cap_fen; /* -1 = no cap */
    bool full_price_over_limit;
    bool funding_fixed;
    int64_t funding_weight[KIOSK_LEVEL_COUNT]; /* percent, or fixed fen per meal */
    kiosk_funding_level remainder_level;       /* fixed mode: who pays what is left */
};

struct kiosk_policy_set {
    kiosk_policy **items;
    size_t count, cap;
};

/* The index of the class with this id in pol->classes, or -1. */
int kiosk_policy_class_index(const kiosk_policy *pol, const char *id);

#endif
