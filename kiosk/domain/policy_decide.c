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

/* Whether a diner meets a residence condition (of the policy or of one rule). */
static bool resides(residence_rule rule, const kiosk_person *person)
{
    return rule == RESIDENCE_ANY || person->local_hukou ||
           (rule == RESIDENCE_RESIDENT && person->local_resident);
}

/* Whether a rule applies to this diner and meal, and its raw amount (before clipping to the
 * price). `base` is what a percentage is taken of. The residence condition of the rule is the
 * caller's (see applies). */
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

/* The context of one meal's subsidy. */
typedef struct meal_ctx {
    const kiosk_policy *pol;
    const kiosk_person *person;
    uint32_t classes;
    kiosk_meal_type type;
    int64_t price;
    bool day_subsidy_given; /* a once-a-day subsidy was already given today */
    bool residence_excluded; /* a rule would have applied but for its residence condition */
    bool below_min_spend;    /* a rule would have applied to a bill of its minimum spend */
    bool day_rule_used;      /* a per-day rule would have applied but for today's earlier one */
} meal_ctx;

/* The amount of a rule for this meal, or false when it does not apply. A per-day rule applies
 * only while no once-a-day subsidy was given today, from any rule of any class: a diner who fits
 * several classes gets the day's subsidy once (就高不重复享受). */
static bool applies(meal_ctx *m, const policy_rule *r, int64_t base, int64_t *amount)
{
    bool for_diner = (m->classes >> r->class_index & 1u) && r->for_meal[m->type];
    if (for_diner && m->price < r->min_spend_fen)
        m->below_min_spend = true;
    if (r->per_day && m->day_subsidy_given) {
        m->day_rule_used = m->day_rule_used || for_diner;
        return false;
    }
    if (!rule_amount(r, m->classes, m->type, m->price, base, amount))
        return false;
    if (!resides(r->residence, m->person)) {
        m->residence_excluded = true;
        return false;
    }
    return true;
}

typedef struct subsidy {
    int64_t amount;  /* 0..price */
    int64_t canteen; /* the part the canteen gives itself */
    int64_t day;     /* the part that is the once-a-day subsidy */
    int class_index; /* whose rule gave most; -1 = none */
} subsidy;

static void take_part(subsidy *s, const policy_rule *r, int64_t part)
{
    s->amount += part;
    if (r->paid_by_canteen)
        s->canteen += part;
    if (r->per_day)
        s->day += part;
}

/* Base rules combine by "highest" (the largest one alone) or "sum" (in document order, each at
 * most what is left of the price); stacking rules are then added one after the other in
 * document order, each limited to what is left to pay. The class reported is the one whose base
 * rule gave the most (the first such rule on a tie); a stacking rule names the class only when
 * no base rule gave anything. Each part keeps who pays it and whether it is the day's subsidy. */
static subsidy compute_subsidy(meal_ctx *m)
{
    const kiosk_policy *pol = m->pol;
    subsidy s = {0, 0, 0, -1};
    int64_t best_part = 0;
    const policy_rule *best = NULL;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t amount;
        if (r->stack || !applies(m, r, m->price, &amount))
            continue;
        if (pol->combine_sum) {
            int64_t part = amount < m->price - s.amount ? amount : m->price - s.amount;
            take_part(&s, r, part);
        }
        amount = amount < m->price ? amount : m->price;
        if (amount > best_part) {
            best_part = amount;
            best = r;
            s.class_index = r->class_index;
        }
    }
    if (!pol->combine_sum && best)
        take_part(&s, best, best_part);
    bool from_base = s.amount > 0;
    for (int i = 0; i < pol->rule_count; i++) {
        const policy_rule *r = &pol->rules[i];
        int64_t left = m->price - s.amount, amount;
        if (!r->stack || !applies(m, r, r->of_remainder ? left : m->price, &amount))
            continue;
        amount = amount < left ? amount : left;
        take_part(&s, r, amount);
        if (!from_base && amount > best_part) {
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

kiosk_meal_summary kiosk_meal_summarize(const kiosk_meal_record *items, size_t n, kiosk_date today)
{
    kiosk_meal_summary sum;
    memset(&sum, 0, sizeof sum);
    for (size_t i = 0; items && i < n; i++) {
        const kiosk_meal_record *m = &items[i];
        if (m->subsidy_fen <= 0 || m->at.date.year != today.year ||
            m->at.date.month != today.month)
            continue;
        sum.month_subsidy_fen = saturating_add(sum.month_subsidy_fen, m->subsidy_fen - m->canteen_fen);
        if (kiosk_date_cmp(m->at.date, today) != 0)
            continue;
        sum.day_subsidy_given_fen = saturating_add(sum.day_subsidy_given_fen, m->day_subsidy_fen);
        sum.day_count++;
        if (!sum.has_last_of_day || !earlier(m, &sum.last_of_day)) {
            sum.has_last_of_day = true;
            sum.last_of_day = *m;
        }
        if (m->meal_type < 0 || m->meal_type >= KIOSK_MEAL_COUNT)
            continue;
        sum.type_count[m->meal_type]++;
        if (!sum.has_last_of_type[m->meal_type] || !earlier(m, &sum.last_of_type[m->meal_type])) {
            sum.has_last_of_type[m->meal_type] = true;
            sum.last_of_type[m->meal_type] = *m;
        }
    }
    return sum;
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
                                   const kiosk_meal_summary *meals, kiosk_local_time at,
                                   const kiosk_order *order)
{
    kiosk_decision d;
    memset(&d, 0, sizeof d);
    d.meal_type = KIOSK_MEAL_NONE;
    d.month_remaining_fen = -1;
    if (!policy || !person || !site)
        return refuse(d, KIOSK_REASON_NO_POLICY);
    kiosk_meal_summary none;
    memset(&none, 0, sizeof none);
    const kiosk_meal_summary *h = meals ? meals : &none;
    snprintf(d.policy_version, sizeof d.policy_version, "%s", policy->version);
    d.meal_type = kiosk_policy_meal_at(policy, at);

    int64_t remaining = -1;
    if (policy->monthly_cap_fen >= 0) {
        int64_t used = h->month_subsidy_fen > 0 ? h->month_subsidy_fen : 0;
        remaining = policy->monthly_cap_fen > used ? policy->monthly_cap_fen - used : 0;
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
    if (!resides(policy->residence, person) ||
        (policy->refuse_outside_city && outside[KIOSK_LEVEL_CITY]))
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE);
    if (d.meal_type == KIOSK_MEAL_NONE)
        return refuse(d, KIOSK_REASON_OUTSIDE_MEAL_HOURS);

    uint32_t classes = classes_of(policy, person, age);
    /* A bill or a menu item sets the price; the policy's price (by class) otherwise. */
    bool given_price = order && order->source != KIOSK_PRICE_SET && order->price_fen >= 0;
    d.price_fen = given_price ? order->price_fen : price_for(policy, d.meal_type, classes);
    d.pay_fen = d.price_fen;
    meal_ctx ctx = {policy, person, classes, d.meal_type, d.price_fen,
                    h->day_subsidy_given_fen > 0, false, false, false};
    subsidy s = compute_subsidy(&ctx);
    if (s.class_index < 0)
        for (int i = 0; i < policy->class_count && s.class_index < 0; i++)
            if (classes >> i & 1u)
                s.class_index = i;
    set_class(&d, policy, s.class_index);
    if (s.amount == 0 && ctx.residence_excluded && policy->refuse_outside_rule_residence)
        return refuse(d, KIOSK_REASON_NOT_ELIGIBLE_RESIDENCE);

    /* Funding follows the person: a level listed in follows_person whose area the diner is
     * outside pays nothing of the government's part, and the diner pays that part. What the
     * canteen gives itself is not billed to anyone and stays. */
    int64_t shares[KIOSK_LEVEL_COUNT], government = 0;
    fund(policy, s.amount - s.canteen, shares);
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        if (policy->follows[l] && outside[l])
            shares[l] = 0;
        government += shares[l];
    }

    /* Limits and the cap are about subsidised meals: a meal that would get nothing is simply
     * sold at its price. The cap counts (and cuts) the government's part only. */
    if (government + s.canteen > 0) {
        d.full_price_allowed = policy->full_price_over_limit;
        if (policy->per_type_limit && h->type_count[d.meal_type] >= policy->per_type_limit) {
            d.has_previous = h->has_last_of_type[d.meal_type];
            d.previous = h->last_of_type[d.meal_type];
            return refuse(d, KIOSK_REASON_ALREADY_HAD_MEAL);
        }
        if (policy->per_day_limit && h->day_count >= policy->per_day_limit) {
            d.has_previous = h->has_last_of_day;
            d.previous = h->last_of_day;
            return refuse(d, KIOSK_REASON_DAILY_LIMIT);
        }
        if (remaining == 0 && government > 0)
            return refuse(d, KIOSK_REASON_MONTHLY_CAP);
        d.full_price_allowed = false;
        if (remaining >= 0 && remaining < government) {
            int64_t weights[KIOSK_LEVEL_COUNT];
            memcpy(weights, shares, sizeof weights);
            split(remaining, weights, shares);
            government = remaining;
        }
    }
    d.approved = true;
    d.reason = KIOSK_REASON_OK;
    d.canteen_fen = s.canteen;
    d.subsidy_fen = government + s.canteen;
    d.pay_fen = d.price_fen - d.subsidy_fen;
    d.day_subsidy_fen = s.day < d.subsidy_fen ? s.day : d.subsidy_fen;
    memcpy(d.funding_fen, shares, sizeof shares);
    if (remaining >= 0)
        d.month_remaining_fen = remaining - government;
    if (d.subsidy_fen == 0)
        d.no_subsidy = s.amount > 0             ? KIOSK_NO_SUBSIDY_OUTSIDE_AREA
                       : ctx.residence_excluded ? KIOSK_NO_SUBSIDY_RESIDENCE
                       : ctx.day_rule_used      ? KIOSK_NO_SUBSIDY_DAILY_GIVEN
                       : ctx.below_min_spend    ? KIOSK_NO_SUBSIDY_MIN_SPEND
                                                : KIOSK_NO_SUBSIDY_NO_RULE;
    return d;
}
