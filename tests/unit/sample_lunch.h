/* sample_lunch.h - a subsidised lunch as the canteen records one, for the tests that fill a
 * store with meals: 11:30 on date, ¥15.00 of which ¥5.00 from the city, ¥10.00 paid, class
 * age80, policy test-1, its record id made at utc_ms. Header-only; test code only. */
#ifndef KIOSK_TEST_SAMPLE_LUNCH_H
#define KIOSK_TEST_SAMPLE_LUNCH_H

#include <stdio.h>

#include "meal_record.h"
#include "recid.h"

static inline kiosk_meal_entry sample_lunch(const char *person_id, const char *kiosk_id,
                                            const char *canteen_id, int64_t utc_ms,
                                            kiosk_date date)
{
    kiosk_meal_entry m = {0};
    m.record_id = kiosk_recid_new(utc_ms);
    snprintf(m.person_id, sizeof m.person_id, "%s", person_id);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", kiosk_id);
    snprintf(m.canteen_id, sizeof m.canteen_id, "%s", canteen_id);
    m.created_utc_ms = utc_ms;
    m.at.date = date;
    m.at.minute_of_day = 690;
    m.decision.approved = true;
    m.decision.meal_type = KIOSK_MEAL_LUNCH;
    m.decision.price_fen = 1500;
    m.decision.subsidy_fen = 500;
    m.decision.pay_fen = 1000;
    m.decision.funding_fen[KIOSK_LEVEL_CITY] = 500;
    snprintf(m.decision.class_id, sizeof m.decision.class_id, "age80");
    snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "test-1");
    return m;
}

#endif
