/* policy.c - the names of the policy's enums, the set of versions by effective date and the
 * accessors of one version. Parsing is in policy_parse.c, the decision in policy_decide.c; the
 * format and every rule are documented with worked examples in docs/policy.md. */
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* --- reasons ------------------------------------------------------------------------------- */

static const char *const reason_codes[] = {
#define REASON_CODE(e, code) code,
    KIOSK_REASON_MAP(REASON_CODE)
#undef REASON_CODE
};

const char *kiosk_reason_code(kiosk_reason r)
{
    return r >= 0 && r < KIOSK_REASON_COUNT ? reason_codes[r] : "unknown";
}

int kiosk_policy_class_index(const kiosk_policy *pol, const char *id)
{
    for (int i = 0; i < pol->class_count; i++)
        if (strcmp(id, pol->classes[i].id) == 0)
            return i;
    return -1;
}

void kiosk_policy_free(kiosk_policy *policy)
{
    free(policy);
}

const char *kiosk_policy_version(const kiosk_policy *policy)
{
    return policy ? policy->version : "";
}

kiosk_date kiosk_policy_effective_from(const kiosk_policy *policy)
{
    return policy ? policy->effective_from : (kiosk_date){0, 0, 0};
}

/* --- the set of versions ------------------------------------------------------------------- */

kiosk_policy_set *kiosk_policy_set_new(void)
{
    return calloc(1, sizeof(kiosk_policy_set));
}

void kiosk_policy_set_free(kiosk_policy_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        kiosk_policy_free(set->items[i]);
    free(set->items);
    free(set);
}

/* The policy is owned by the set even on failure (freed then), so a caller never leaks it. */
kiosk_rc kiosk_policy_set_take(kiosk_policy_set *set, kiosk_policy *policy)
{
    if (!set || !policy) {
        kiosk_policy_free(policy);
        return KIOSK_ERR_INVALID;
    }
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i]->version, policy->version) == 0) {
            kiosk_policy_free(set->items[i]);
            set->items[i] = policy;
            return KIOSK_OK;
        }
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        kiosk_policy **items =
            cap <= POLICY_SET_MAX ? realloc(set->items, cap * sizeof *items) : NULL;
        if (!items) {
            kiosk_policy_free(policy);
            return cap <= POLICY_SET_MAX ? KIOSK_ERR_NOMEM : KIOSK_ERR_TOO_BIG;
        }
        set->items = items;
        set->cap = cap;
    }
    set->items[set->count++] = policy;
    return KIOSK_OK;
}

/* Two versions with the same effective date: the greater version string wins, so the choice
 * does not depend on the order the versions were loaded in. */
void kiosk_policy_set_swap(kiosk_policy_set *a, kiosk_policy_set *b)
{
    kiosk_policy_set t = *a;
    *a = *b;
    *b = t;
}

const kiosk_policy *kiosk_policy_set_in_force(const kiosk_policy_set *set, kiosk_date on)
{
    const kiosk_policy *best = NULL;
    for (size_t i = 0; set && i < set->count; i++) {
        const kiosk_policy *p = set->items[i];
        if (kiosk_date_cmp(p->effective_from, on) > 0)
            continue;
        int c = best ? kiosk_date_cmp(p->effective_from, best->effective_from) : 1;
        if (c > 0 || (c == 0 && strcmp(p->version, best->version) > 0))
            best = p;
    }
    return best;
}

/* --- meals and windows ------------------------------------------------------------------------ */

kiosk_meal_type kiosk_policy_meal_at(const kiosk_policy *policy, kiosk_local_time at)
{
    for (int t = 0; policy && t < KIOSK_MEAL_COUNT; t++) {
        const policy_meal *m = &policy->meals[t];
        if (m->served && at.minute_of_day >= m->start_min && at.minute_of_day < m->end_min)
            return (kiosk_meal_type)t;
    }
    return KIOSK_MEAL_NONE;
}

bool kiosk_policy_meal_window(const kiosk_policy *policy, kiosk_meal_type type, int *start_min,
                              int *end_min)
{
    if (!policy || type < 0 || type >= KIOSK_MEAL_COUNT || !policy->meals[type].served)
        return false;
    if (start_min)
        *start_min = policy->meals[type].start_min;
    if (end_min)
        *end_min = policy->meals[type].end_min;
    return true;
}

const char *kiosk_policy_class_label(const kiosk_policy *policy, const char *class_id)
{
    int i = policy ? kiosk_policy_class_index(policy, class_id) : -1;
    return i >= 0 && policy->classes[i].label[0] ? policy->classes[i].label : class_id;
}

