/* fuzz_policy.c - fuzz target for the policy parser and the decision. Any input either parses
 * or fails with KIOSK_ERR_PARSE and one printable ASCII line; a policy that parses is decided
 * for a few fixed diners, histories and times (each meal window's edges among them), and every
 * decision must keep the promises of policy.h: 0 <= subsidy <= price, pay = price - subsidy,
 * funding shares >= 0 adding up to the subsidy, nothing granted on a refusal, the meal type of
 * the window, a borrowed `previous` from the history given. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REC(d, h, m, type, fen)                                                                    \
    {                                                                                              \
        .at = {{2026, 3, d}, (h)*60 + (m), 0}, .meal_type = KIOSK_MEAL_##type, .subsidy_fen = fen, \
        .canteen_id = "c1"                                                                         \
    }

static const kiosk_meal_record today_lunch[] = {REC(10, 12, 0, LUNCH, 300)};
static const kiosk_meal_record busy_day[] = {
    REC(10, 7, 30, BREAKFAST, 100), REC(10, 12, 0, LUNCH, 300), REC(10, 17, 30, DINNER, 0),
    REC(9, 12, 0, LUNCH, 800),      REC(28, 12, 0, LUNCH, 5),   REC(10, 8, 0, BREAKFAST, 1),
};
static const kiosk_meal_record rich_month[] = {
    REC(1, 12, 0, LUNCH, 9000000), REC(2, 12, 0, LUNCH, 9000000),    REC(3, 12, 0, LUNCH, 1),
    REC(10, 12, 0, LUNCH, -5),     REC(11, 12, 0, LUNCH, INT64_MAX),
};
/* Records a store should never hand over: a meal type out of range, an impossible date. */
static const kiosk_meal_record odd[] = {
    {.at = {{2026, 3, 10}, 700, 0}, .meal_type = KIOSK_MEAL_NONE, .subsidy_fen = 50},
    {.at = {{2026, 3, 10}, 9999, 0}, .meal_type = (kiosk_meal_type)7, .subsidy_fen = 50},
    {.at = {{2026, 2, 31}, 700, 0}, .meal_type = KIOSK_MEAL_LUNCH, .subsidy_fen = 50},
};

typedef struct history {
    const kiosk_meal_record *items;
    size_t count;
} history;

static const history histories[] = {
    {NULL, 0},
    {today_lunch, 1},
    {busy_day, sizeof busy_day / sizeof busy_day[0]},
    {rich_month, sizeof rich_month / sizeof rich_month[0]},
    {odd, sizeof odd / sizeof odd[0]},
};

#define AREA_HOME                     \
    {                                 \
        "3201", "320106", "320106002" \
    }
static const kiosk_person persons[] = {
    {{1951, 5, 1}, 0, AREA_HOME, true, true, true},
    {{1941, 1, 1}, KIOSK_CAT(DIBAO) | KIOSK_CAT(DISABLED), AREA_HOME, true, true, true},
    {{1925, 2, 28}, KIOSK_CAT(TEKUN), {"3201", "320106", "320106009"}, true, true, true},
    {{1966, 3, 10}, 0xffffffffu, {"3201", "320104", ""}, false, true, true},
    {{1936, 2, 29}, KIOSK_CAT(VETERAN), {"", "", ""}, false, false, true},
    {{1951, 5, 1}, KIOSK_CAT(SANWU), {"3101", "310106", "310106013"}, true, true, false},
    {{0, 0, 0}, 0, AREA_HOME, true, true, true},
};

static const kiosk_site sites[] = {
    {"c1", {"3201", "320106", "320106002"}},
    {"c2", {"3201", "", ""}},
};
static const kiosk_card_info cards[] = {
    {false, ""},
    {false, "c1"},
    {false, "c2"},
    {true, ""},
};

static void check_message(const char *err, size_t err_size)
{
    size_t n = strnlen(err, err_size);
    if (n == 0 || n >= err_size)
        abort();
    for (size_t i = 0; i < n; i++)
        if (err[i] < 0x20 || err[i] > 0x7e)
            abort();
}

static void check_decision(const kiosk_policy *pol, const kiosk_decision *d,
                           const kiosk_meal_summary *h, kiosk_local_time at)
{
    if (d->subsidy_fen < 0 || d->subsidy_fen > d->price_fen || d->price_fen < 0)
        abort();
    if (d->pay_fen != d->price_fen - d->subsidy_fen)
        abort();
    int64_t sum = 0;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        if (d->funding_fen[l] < 0)
            abort();
        sum += d->funding_fen[l];
    }
    if (d->canteen_fen < 0 || sum + d->canteen_fen != d->subsidy_fen)
        abort();
    if (d->day_subsidy_fen < 0 || d->day_subsidy_fen > d->subsidy_fen)
        abort();
    if (d->approved != (d->reason == KIOSK_REASON_OK))
        abort();
    if (!d->approved &&
        (d->subsidy_fen != 0 || d->reason <= KIOSK_REASON_OK || d->reason >= KIOSK_REASON_COUNT))
        abort();
    if (d->approved && d->full_price_allowed)
        abort();
    if (d->meal_type != kiosk_policy_meal_at(pol, at))
        abort();
    if (d->approved && d->meal_type == KIOSK_MEAL_NONE)
        abort();
    if (d->month_remaining_fen < -1)
        abort();
    if (d->has_previous && !h->has_last_of_day)
        abort();
    if (strnlen(d->class_id, sizeof d->class_id) >= sizeof d->class_id ||
        strnlen(d->class_label, sizeof d->class_label) >= sizeof d->class_label ||
        strcmp(d->policy_version, kiosk_policy_version(pol)) != 0)
        abort();
}

static void decide_all(const kiosk_policy *pol)
{
    int minutes[16] = {0, 420, 690, 720, 1020, 1439, -1, 2000};
    int n = 8;
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++) {
        int start, end;
        if (kiosk_policy_meal_window(pol, (kiosk_meal_type)t, &start, &end)) {
            if (start < 0 || end > 1440 || start >= end)
                abort();
            minutes[n++] = start;
            minutes[n++] = end - 1;
        }
    }
    for (size_t p = 0; p < sizeof persons / sizeof persons[0]; p++)
        for (size_t h = 0; h < sizeof histories / sizeof histories[0]; h++)
            for (int m = 0; m < n; m++) {
                kiosk_local_time at = {{2026, 3, 10}, minutes[m], 0};
                const kiosk_site *site = &sites[(p + h) % 2];
                const kiosk_card_info *card =
                    (p + (size_t)m) % 5 == 4 ? NULL : &cards[(p + (size_t)m) % 4];
                kiosk_meal_summary sum =
                    kiosk_meal_summarize(histories[h].items, histories[h].count, at.date);
                kiosk_order bill = {KIOSK_PRICE_BILL, (int64_t)m * 137, ""};
                kiosk_decision d = kiosk_policy_decide(pol, &persons[p], card, site, &sum, at,
                                                       m % 3 == 2 ? &bill : NULL);
                check_decision(pol, &d, &sum, at);
            }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiosk_policy *pol = NULL;
    char err[256];
    memset(err, 'Z', sizeof err);
    kiosk_rc rc = kiosk_policy_parse((const char *)data, size, &pol, err, sizeof err);
    if (rc != KIOSK_OK) {
        if (rc != KIOSK_ERR_PARSE || pol)
            abort();
        check_message(err, sizeof err);
        /* A short buffer is still terminated. */
        char small[9];
        if (kiosk_policy_parse((const char *)data, size, &pol, small, sizeof small) != rc)
            abort();
        if (strnlen(small, sizeof small) >= sizeof small)
            abort();
        return 0;
    }
    if (!pol || err[0] != '\0')
        abort();
    decide_all(pol);

    /* In a set, the policy is in force from its effective date on, not the day before. */
    kiosk_policy_set *set = kiosk_policy_set_new();
    if (!set)
        abort();
    kiosk_date from = kiosk_policy_effective_from(pol);
    if (kiosk_policy_set_take(set, pol) != KIOSK_OK)
        abort();
    if (kiosk_policy_set_in_force(set, from) != pol ||
        kiosk_policy_set_in_force(set, kiosk_date_from_days(kiosk_date_to_days(from) - 1)))
        abort();
    kiosk_policy_set_free(set);
    return 0;
}
