/* staff_override.h - a member of staff serving a diner the canteen refused: which refusals staff
 * may lift on the spot, and the policy's decision once one is lifted. Only refusals a person on
 * site can judge are liftable: a limit already reached today (the earlier tap was a mistake, a
 * second portion agreed), a tap just outside the meal hours, and the kiosk's own offline limit.
 * A blocked card, an inactive or ineligible person, another canteen's card and the monthly cap
 * (the budget itself) stay refused: those are for the bureau, not the counter. Pure; any
 * thread. */
#ifndef KIOSK_STAFF_OVERRIDE_H
#define KIOSK_STAFF_OVERRIDE_H

#include <stdbool.h>

#include "policy.h"

/* The offline limit's code: not a policy reason (the canteen flow counts offline meals), but
 * liftable like one. */
#define KIOSK_OVERRIDE_OFFLINE_LIMIT "offline_limit"

/* Whether staff may lift the refusal with this code (kiosk_reason_code's, or
 * KIOSK_OVERRIDE_OFFLINE_LIMIT). */
bool kiosk_override_liftable(const char *refused);

/* The decision with the refusal `refused` lifted: for already_had_meal and daily_limit, today's
 * earlier meals do not count against the limits (they still count for the monthly cap and the
 * once-a-day subsidy); for outside_meal_hours, the meal is the one whose hours are nearest (on
 * the clock, the same day) and is priced as that meal. Any other refusal still applies, so the
 * result may be refused (for another reason, or the same when it cannot be lifted). The
 * offline limit is not the policy's: the decision is the ordinary one. */
kiosk_decision kiosk_policy_decide_lifted(const kiosk_policy *policy, const kiosk_person *person,
                                          const kiosk_card_info *card, const kiosk_site *site,
                                          const kiosk_meal_summary *meals, kiosk_local_time at,
                                          const kiosk_order *order, const char *refused);

#endif
