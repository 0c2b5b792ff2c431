/* staff_serve.c - see staff_serve.h. */
#include "staff_serve.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "recid.h"
#include "staff_override.h"
#include "sync_state.h"
#define KIOSK_LOG_MODULE "staff"

/* Whether the offline limit holds a subsidised meal back now, as the canteen decides it. */
static kiosk_rc offline_blocked(const kiosk_flow_env *env, const kiosk_decision *d, bool *blocked)
{
    *blocked = false;
    bool offline = env->sync && env->sync->offline_records;
    if (!offline || d->subsidy_fen <= 0 || env->settings->offline_meal_limit <= 0)
        return KIOSK_OK;
    long made = 0;
    bool may = false;
    kiosk_rc rc = kiosk_store_sync_offline_pending(env->store, &made);
    if (rc == KIOSK_OK)
        rc = kiosk_store_offline_may_serve(env->store, made, env->settings->offline_meal_limit,
                                           &may);
    *blocked = rc == KIOSK_OK && !may;
    return rc;
}

/* The meal, as the canteen records one, with who made it and why (kiosk_store_staff_meal checks
 * the role and writes the audit entry with it). card_key NULL: no card. */
static void record(const kiosk_flow_env *env, const kiosk_staff_actor *who,
                   const kiosk_holder *holder, const uint8_t *card_key, const kiosk_decision *d,
                   const kiosk_order *order, const char *by, const char *reason, kiosk_now now,
                   staff_served *out)
{
    const kiosk_sync_status *sync = env->sync;
    bool offline = sync && sync->offline_records;
    kiosk_meal_entry meal = {
        .offline = offline,
        .offline_age_s = !offline                     ? -1
                         : sync->last_ok_mono_ms >= 0 ? (now.mono_ms - sync->last_ok_mono_ms) / 1000
                         : sync->last_ok_ms >= 0      ? (now.utc_ms - sync->last_ok_ms) / 1000
                                                      : -1,
        .record_id = kiosk_recid_new(now.utc_ms),
        .has_card = card_key != NULL,
        .created_utc_ms = now.utc_ms,
        .at = kiosk_clock_local(now.utc_ms),
        .decision = *d,
        .order = *order,
    };
    if (card_key)
        memcpy(meal.card_key, card_key, KIOSK_CARD_KEY_BYTES);
    snprintf(meal.person_id, sizeof meal.person_id, "%s", holder->person_id);
    snprintf(meal.kiosk_id, sizeof meal.kiosk_id, "%s", env->settings->kiosk_id);
    snprintf(meal.canteen_id, sizeof meal.canteen_id, "%s", env->settings->site.canteen_id);
    snprintf(meal.staff.by, sizeof meal.staff.by, "%s", by);
    snprintf(meal.staff.reason, sizeof meal.staff.reason, "%s", reason);
    snprintf(meal.staff.refused, sizeof meal.staff.refused, "%s", out->refused);
    kiosk_staff_actor actor = *who;
    out->rc = kiosk_store_staff_meal(env->store, &actor, &meal, now.utc_ms);
    if (out->rc == KIOSK_ERR_DENIED) {
        out->outcome = STAFF_DENIED;
        return;
    }
    if (out->rc != KIOSK_OK)
        return;
    kiosk_recid_format(&meal.record_id, out->record_id);
    KLOG_INFO("staff %s recorded a meal (%s%s%s), reason %s: record %s", who->staff_id, by,
              out->refused[0] ? ", past " : "", out->refused, reason, out->record_id);
    out->outcome = STAFF_SERVED;
}

/* The diner a staff member serves, and what deciding their meal needs. */
typedef struct diner {
    kiosk_holder holder;
    kiosk_local_time at;
    const kiosk_policy *policy; /* in force today; NULL: none imported */
    kiosk_meal_summary earlier; /* their meals this month so far */
} diner;

/* Starts *out (failed until decided) from the lookup's result, found: an unknown card or person,
 * a store error, or the holder's masked name, with the policy and the month so far in *c. False
 * when there is nothing to decide. */
static bool find_diner(const kiosk_flow_env *env, kiosk_rc found, kiosk_now now, diner *c,
                       staff_served *out)
{
    memset(out, 0, sizeof *out);
    out->outcome = found == KIOSK_ERR_NOT_FOUND ? STAFF_UNKNOWN_CARD : STAFF_FAILED;
    out->rc = found;
    if (found != KIOSK_OK)
        return false;
    snprintf(out->name_masked, sizeof out->name_masked, "%s", c->holder.name_masked);
    c->at = kiosk_clock_local(now.utc_ms);
    c->policy = env->policies ? kiosk_policy_set_in_force(env->policies, c->at.date) : NULL;
    out->rc = kiosk_store_meal_summary(env->store, c->holder.person_id, c->at.date, &c->earlier);
    return out->rc == KIOSK_OK;
}

staff_served staff_serve_override(const kiosk_flow_env *env, const kiosk_staff_actor *who,
                                  const uint8_t card_key[KIOSK_CARD_KEY_BYTES], const char *reason,
                                  kiosk_now now)
{
    staff_served out;
    diner c;
    if (!find_diner(env, kiosk_store_find_card(env->store, card_key, &c.holder), now, &c, &out))
        return out;
    /* The canteen's set price: a bill or a menu choice belongs to the diner's own tap. */
    kiosk_order order = {.source = KIOSK_PRICE_SET};
    kiosk_decision d = kiosk_policy_decide(c.policy, &c.holder.person, &c.holder.card,
                                           &env->settings->site, &c.earlier, c.at, &order);
    bool blocked = false;
    if (d.approved) {
        out.rc = offline_blocked(env, &d, &blocked);
        if (out.rc != KIOSK_OK)
            return out;
        if (!blocked) {
            out.decision = d;
            out.outcome = STAFF_NOT_REFUSED;
            return out;
        }
        snprintf(out.refused, sizeof out.refused, "%s", KIOSK_OVERRIDE_OFFLINE_LIMIT);
    } else {
        snprintf(out.refused, sizeof out.refused, "%s", kiosk_reason_code(d.reason));
    }
    if (!kiosk_override_liftable(out.refused)) {
        out.decision = d;
        out.outcome = STAFF_NOT_LIFTABLE;
        return out;
    }
    if (!blocked)
        d = kiosk_policy_decide_lifted(c.policy, &c.holder.person, &c.holder.card,
                                       &env->settings->site, &c.earlier, c.at, &order, out.refused);
    out.decision = d;
    if (!d.approved) {
        out.outcome = STAFF_STILL_REFUSED;
        return out;
    }

    record(env, who, &c.holder, card_key, &d, &order, "override", reason, now, &out);
    return out;
}

staff_served staff_serve_manual(const kiosk_flow_env *env, const kiosk_staff_actor *who,
                                const char *person_id, const char *reason, kiosk_now now)
{
    staff_served out;
    diner c;
    if (!find_diner(env, kiosk_store_find_person(env->store, person_id, &c.holder), now, &c, &out))
        return out;
    kiosk_order order = {.source = KIOSK_PRICE_SET};
    /* As for a diner identified without a card (the ID-card reader): no card rules apply. */
    out.decision = kiosk_policy_decide(c.policy, &c.holder.person, NULL, &env->settings->site,
                                       &c.earlier, c.at, &order);
    if (!out.decision.approved) {
        out.outcome = STAFF_STILL_REFUSED;
        return out;
    }
    bool blocked = false;
    out.rc = offline_blocked(env, &out.decision, &blocked);
    if (out.rc != KIOSK_OK)
        return out;
    if (blocked) {
        out.outcome = STAFF_OFFLINE_LIMIT;
        return out;
    }
    record(env, who, &c.holder, NULL, &out.decision, &order, "manual", reason, now, &out);
    return out;
}
