/* staff_override.c - see staff_override.h. */
#include "staff_override.h"

#include <stdlib.h>
#include <string.h>

bool kiosk_override_liftable(const char *refused)
{
    return refused && (strcmp(refused, kiosk_reason_code(KIOSK_REASON_ALREADY_HAD_MEAL)) == 0 ||
                       strcmp(refused, kiosk_reason_code(KIOSK_REASON_DAILY_LIMIT)) == 0 ||
                       strcmp(refused, kiosk_reason_code(KIOSK_REASON_OUTSIDE_MEAL_HOURS)) == 0 ||
                       strcmp(refused, KIOSK_OVERRIDE_OFFLINE_LIMIT) == 0);
}

/* The minute inside the nearest meal window to `minute` (its first or last minute); -1 when the
 * policy serves no meal at all. */
static int nearest_meal_minute(const kiosk_policy *policy, int minute)
{
    int best = -1, best_distance = 24 * 60 + 1;
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++) {
        int start, end;
        if (!kiosk_policy_meal_window(policy, (kiosk_meal_type)t, &start, &end) || end <= start)
            continue;
        int inside = minute < start ? start : minute >= end ? end - 1 : minute;
        int distance = abs(inside - minute);
        if (distance < best_distance) {
            best_distance = distance;
            best = inside;
        }
    }
    return best;
}

kiosk_decision kiosk_policy_decide_lifted(const kiosk_policy *policy, const kiosk_person *person,
                                          const kiosk_card_info *card, const kiosk_site *site,
                                          const kiosk_meal_summary *meals, kiosk_local_time at,
                                          const kiosk_order *order, const char *refused)
{
    kiosk_meal_summary lifted;
    memset(&lifted, 0, sizeof lifted);
    if (meals)
        lifted = *meals;
    bool limits =
        refused && (strcmp(refused, kiosk_reason_code(KIOSK_REASON_ALREADY_HAD_MEAL)) == 0 ||
                    strcmp(refused, kiosk_reason_code(KIOSK_REASON_DAILY_LIMIT)) == 0);
    if (limits) {
        /* The counts go; the month's subsidy (the cap) and the once-a-day part stay. */
        lifted.day_count = 0;
        memset(lifted.type_count, 0, sizeof lifted.type_count);
        lifted.has_last_of_day = false;
        memset(lifted.has_last_of_type, 0, sizeof lifted.has_last_of_type);
    }
    kiosk_local_time when = at;
    if (policy && refused &&
        strcmp(refused, kiosk_reason_code(KIOSK_REASON_OUTSIDE_MEAL_HOURS)) == 0) {
        int minute = nearest_meal_minute(policy, at.minute_of_day);
        if (minute >= 0)
            when.minute_of_day = minute;
    }
    return kiosk_policy_decide(policy, person, card, site, &lifted, when, order);
}
