/* policy_decide.c - the decision: a pure function of (policy, person, card, site, this month's
 * meals, local time) -> approved amounts or a reason. No I/O, no clock, no allocation. */
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

/* --- the decision ----------------------------------------------------------------------------- */

/* The classes a diner belongs to on a date, as a bit mask over policy->classes. */
static uint32_t classes_of(const kiosk_policy *pol, const kiosk_person *person, int age)
{
    uint32_t mask = 0;
    for (int i = 0; i < pol->class_count; i++) {
        const policy_class *c = &pol->classes[i];
        if ((c->min_age >= 0 && age < c->min_age) || (c->max_age >= 0 && age > c->max_age))
            continue;
        if (c->categories && !(person->categories & c->categories))
            continue;
        mask |= 1u << i;
    }
    return mask;
}

/* The list price for this diner: a class price replaces the meal's price; a diner in several
 * classes with prices gets the lowest of them (the kindest, as with 就高). */
static int64_t price_for(const kiosk_policy *pol, kiosk_meal_type t, uint32_t classes)
{
    const policy_meal *m = &pol->meals[t];
    int64_t price = -1;
    for (int i = 0; i < pol->class_count; i++)
        if ((classes >> i & 1u) && m->class_price_fen[i] >= 0 &&
            (price < 0 || m->class_price_fen[i] < price))
            price = m->class_price_fen[i];
    return price >= 0 ? price : m->price_fen;
}

/* Percent of an amount to the nearest fen, a half fen up: the diner gets the half fen. */
static int64_t percent_of(int64_t amount, int percent)
{
    return (amount * percent + 50) / 100;
}

/* Whether a rule applies to this diner and meal, and its raw amount (before clipping to the
 * price). `base` is what a percentage is taken of. */
static bool rule_amount(const policy_rule *r, uint32_t classes, kiosk_meal_type t, int64_t price,
                        int64_t base, int64_t *amount)
{
    *amount = 0;
    if (!(classes >> r->class_index & 1u) || !r->for_meal[t] || price < r->min_spend_fen)
        return false;
    switch (r->kind) {
    case RULE_FIXED:
        if (r->value_fen[t] < 0)
            return false;
        *amount = r->value_fen[t];
        break;
    case RULE_PAY:
        if (r->value_fen[t] < 0)
            return false;
        *amount = price > r->value_fen[t] ? price - r->value_fen[t] : 0;
        break;
    case RULE_PERCENT:
        *amount = percent_of(base, r->percent);
        if (r->cap_fen >= 0 && *amount > r->cap_fen)
            *amount = r->cap_fen;
        break;
    }
    return !r->must_exceed || price > *amount;
}

static bool same_date(kiosk_date a, kiosk_date b)
{
    return kiosk_date_cmp(a, b) == 0;
}

static bool valid_meal_type(kiosk_meal_type t)
{
    return t >= 0 && t < KIOSK_MEAL_COUNT;
}

/* A per-day subsidy goes with the first subsidised meal of the day that qualifies for it. The
 * record does not say which rules paid, but whether a meal qualified follows from the policy,
 * the diner's classes and the meal type alone, so it is worked out again here. */
static bool day_rule_used(const kiosk_policy *pol, const policy_rule *r, uint32_t classes,
                          const kiosk_meal_history *h, kiosk_date today)
{
    for (size_t i = 0; i < h->count; i++) {
        const kiosk_meal_record *m = &h->items[i];
        if (m->subsidy_fen <= 0 || !same_date(m->at.date, today) || !valid_meal_type(m->meal_type))
            continue;
        if (!pol->meals[m->meal_type].served)
            continue;
        int64_t price = price_for(pol, m->meal_type, classes), amount;
        if (rule_amount(r, classes, m->meal_type, price, price, &amount))
            return true;
    }
    return false;
}

typedef struct subsidy {
    int64_t amount;  /* 0..price */
    int class_index; /* whose rule gave most; -1 = none */
} subsidy;

/* Base rules combine by "highest" or "sum"; stacking rules are then added one after the other
 * in document order, each limited to what is left to pay. The class reported is the one whose
 * base rule gave the most (the first such rule on a tie); a stacking rule names the class only
 * when no base rule gave anything. */
static subsidy compute_subsidy(const kiosk_policy *pol, uint32_t classes, kiosk_meal_type t,
                               int64_t price, const kiosk_meal_history *h, kiosk_date today)
{
    subsidy s = {0, -1};
    int64_t combined = 0, best_part = 0;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t amount;
        if (r->stack || !rule_amount(r, classes, t, price, price, &amount))
            continue;
        if (r->per_day && day_rule_used(pol, r, classes, h, today))
            continue;
        amount = amount < price ? amount : price;
        combined = pol->combine_sum ? combined + amount : (amount > combined ? amount : combined);
        if (amount > best_part) {
            best_part = amount;
            s.class_index = r->class_index;
        }
    }
    s.amount = combined < price ? combined : price;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t left = price - s.amount, amount;
        if (!r->stack ||
            !rule_amount(r, classes, t, price, r->of_remainder ? left : price, &amount))
            continue;
        if (r->per_day && day_rule_used(pol, r, classes, h, today))
            continue;
        amount = amount < left ? amount : left;
        s.amount += amount;
        if (combined == 0 && amount > best_part) {
            best_part = amount;
            s.class_index = r->class_index;
        }
    }
    return s;
}

/* Splits amount in proportion to weights, each share rounded down; the fen left over go to the
 * first level with a weight, in the order city, district, street. */
static void split(int64_t amount, const int64_t weights[KIOSK_LEVEL_COUNT],
                  int64_t out[KIOSK_LEVEL_COUNT])
{
    int64_t total = 0, given = 0;
    int first = -1;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        total += weights[l];
        if (first < 0 && weights[l] > 0)
            first = l;
    }
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        out[l] = total > 0 ? amount * weights[l] / total : 0;
        given += out[l];
    }
    out[first >= 0 ? first : KIOSK_LEVEL_CITY] += amount - given;
}

/* The shares of each level for a subsidy, before jurisdiction. */
static void fund(const kiosk_policy *pol, int64_t amount, int64_t out[KIOSK_LEVEL_COUNT])
{
    if (!pol->funding_fixed) {
        split(amount, pol->funding_weight, out);
        return;
    }
    int64_t left = amount;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        out[l] = pol->funding_weight[l] < left ? pol->funding_weight[l] : left;
        left -= out[l];
    }
    out[pol->remainder_level] += left;
}

/* Area codes are fixed arrays that callers fill; never read past them. */
static bool same_code(const char *a, const char *b)
{
    return strncmp(a, b, KIOSK_AREA_CODE_MAX) == 0;
}

/* Whether the diner is outside the canteen's area at each level. A level the kiosk does not
 * know its own code for is not checked; a diner whose code is unknown is outside, because no
 * budget of that level can be billed for them. Outside a wider area means outside the narrower
 * ones too. */
static void outside_areas(const kiosk_area *home, const kiosk_area *site,
                          bool out[KIOSK_LEVEL_COUNT])
{
    out[KIOSK_LEVEL_CITY] = site->city[0] && !same_code(home->city, site->city);
    out[KIOSK_LEVEL_DISTRICT] =
        out[KIOSK_LEVEL_CITY] || (site->district[0] && !same_code(home->district, site->district));
    out[KIOSK_LEVEL_STREET] =
        out[KIOSK_LEVEL_DISTRICT] || (site->street[0] && !same_code(home->street, site->street));
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* Time of day order of two records of the same date. Records come from the store, but the
 * arithmetic stays in int64_t so that no value of theirs can overflow it. */
static bool earlier(const kiosk_meal_record *a, const kiosk_meal_record *b)
{
    int64_t x = (int64_t)a->at.minute_of_day * 60 + a->at.second;
    int64_t y = (int64_t)b->at.minute_of_day * 60 + b->at.second;
    return x < y;
}

static kiosk_decision refuse(kiosk_decision d, kiosk_reason reason)
{
    d.approved = false;
    d.reason = reason;
    return d;
}

static void set_class(kiosk_decision *d, const kiosk_policy *pol, int index)
{
    if (index < 0)
        return;
    snprintf(d->class_id, sizeof d->class_id, "%s", pol->classes[index].id);
    snprintf(d->class_label, sizeof d->class_label, "%s", pol->classes[index].label);
}

kiosk_decision kiosk_policy_decide(const kiosk_policy *policy, const kiosk_person *person,
                                   const kiosk_card_info *card, const kiosk_site *site,
                                   const kiosk_meal_history *history, kiosk_local_time at)
{
    kiosk_decision d;
    memset(&d, 0, sizeof d);
    d.meal_type = KIOSK_MEAL_NONE;
    d.month_remaining_fen = -1;
    if (!policy || !person || !site)
        return refuse(d, KIOSK_REASON_NO_POLICY);
    kiosk_meal_history none = {NULL, 0};
    const kiosk_meal_history *h = history && history->items ? history : &none;
    snprintf(d.policy_version, sizeof d.policy_version, "%s", policy->version);
    d.meal_type = kiosk_policy_meal_at(policy, at);

    int64_t month_used = 0, remaining = -1;
    const kiosk_meal_record *last_of_type = NULL, *last_of_day = NULL;
    size_t of_type = 0, of_day = 0;
    for (size_t i = 0; i < h->count; i++) {
        const kiosk_meal_record *m = &h->items[i];
        if (m->subsidy_fen <= 0 || m->at.date.year != at.date.year ||
            m->at.date.month != at.date.month)
            continue;
        month_used = saturating_add(month_used, m->subsidy_fen);
        if (!same_date(m->at.date, at.date))
            continue;
        if (!last_of_day || !earlier(m, last_of_day))
            last_of_day = m;
        of_day++;
        if (m->meal_type != d.meal_type)
            continue;
        if (!last_of_type || !earlier(m, last_of_type))
            last_of_type = m;
        of_type++;
    }
    if (policy->monthly_cap_fen >= 0) {
        remaining = policy->monthly_cap_fen > month_used ? policy->monthly_cap_fen - month_used : 0;
        d.month_remaining_fen = remaining;
    }

    if (card && card->blocked)
        return refuse(d, KIOSK_REASON_CARD_BLOCKED);
    if (!person->active)
        return refuse(d, KIOSK_REASON_PERSON_INACTIVE);
    if (card && card->issuing_canteen[0] && !policy->cards_anywhere &&
        strncmp(card->issuing_canteen, site->canteen_id, KIOSK_ID_MAX) != 0)
        return refuse(d, KIOSK_REASON_WRONG_CANTEEN);
    int age = kiosk_age_on(person->birth, at.date);
    if (policy->min_age >= 0 && age < policy->min_age)
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_AGE);
    bool outside[KIOSK_LEVEL_COUNT];
    outside_areas(&person->home, &site->area, outside);
    if ((policy->residence == RESIDENCE_HUKOU && !person->local_hukou) ||
        (policy->residence == RESIDENCE_RESIDENT && !person->local_hukou &&
         !person->local_resident) ||
        (policy->refuse_outside_city && outside[KIOSK_LEVEL_CITY]))
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE);
    if (d.meal_type == KIOSK_MEAL_NONE)
        return refuse(d, KIOSK_REASON_OUTSIDE_MEAL_HOURS);

    uint32_t classes = classes_of(policy, person, age);
    d.price_fen = price_for(policy, d.meal_type, classes);
    d.pay_fen = d.price_fen;
    subsidy s = compute_subsidy(policy, classes, d.meal_type, d.price_fen, h, at.date);
    if (s.class_index < 0)
        for (int i = 0; i < policy->class_count && s.class_index < 0; i++)
            if (classes >> i & 1u)
                s.class_index = i;
    set_class(&d, policy, s.class_index);

    /* Funding follows the person: a level listed in follows_person whose area the diner is
     * outside pays nothing, and the diner pays that part. */
    int64_t shares[KIOSK_LEVEL_COUNT], kept = 0;
    fund(policy, s.amount, shares);
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        if (policy->follows[l] && outside[l])
            shares[l] = 0;
        kept += shares[l];
    }

    /* Limits and the cap are about subsidised meals: a meal that would get nothing is simply
     * sold at its price. */
    if (kept > 0) {
        d.full_price_allowed = policy->full_price_over_limit;
        if (policy->per_type_limit && of_type >= (size_t)policy->per_type_limit) {
            d.previous = last_of_type;
            return refuse(d, KIOSK_REASON_ALREADY_HAD_MEAL);
        }
        if (policy->per_day_limit && of_day >= (size_t)policy->per_day_limit) {
            d.previous = last_of_day;
            return refuse(d, KIOSK_REASON_DAILY_LIMIT);
        }
        if (remaining == 0)
            return refuse(d, KIOSK_REASON_MONTHLY_CAP);
        d.full_price_allowed = false;
        if (remaining > 0 && remaining < kept) {
            int64_t weights[KIOSK_LEVEL_COUNT];
            memcpy(weights, shares, sizeof weights);
            split(remaining, weights, shares);
            kept = remaining;
        }
    }
    d.approved = true;
    d.reason = KIOSK_REASON_OK;
    d.subsidy_fen = kept;
    d.pay_fen = d.price_fen - kept;
    memcpy(d.funding_fen, shares, sizeof shares);
    if (remaining >= 0)
        d.month_remaining_fen = remaining - kept;
    return d;
}

