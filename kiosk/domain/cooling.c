/* cooling.c - see cooling.h. */
#include "cooling.h"

static kiosk_date plus_days(kiosk_date d, int days)
{
    return kiosk_date_from_days(kiosk_date_to_days(d) + days);
}

kiosk_rc kiosk_cooling_compute(const kiosk_workcal *cal, kiosk_date applied, kiosk_cooling *out)
{
    if (!kiosk_date_is_valid(applied))
        return KIOSK_ERR_INVALID;
    kiosk_cooling c = {.applied = applied};
    /* Day 1 is the day after the application, so day 30 is applied + 30. */
    kiosk_rc rc =
        kiosk_workcal_roll(cal, plus_days(applied, KIOSK_COOLING_DAYS), &c.withdraw_until);
    if (rc != KIOSK_OK)
        return rc;
    c.certificate_from = plus_days(c.withdraw_until, 1);
    rc = kiosk_workcal_roll(cal, plus_days(c.withdraw_until, KIOSK_COOLING_DAYS),
                            &c.certificate_until);
    if (rc != KIOSK_OK && rc != KIOSK_ERR_NOT_FOUND)
        return rc;
    c.has_certificate_until = rc == KIOSK_OK;
    *out = c;
    return KIOSK_OK;
}

kiosk_cooling_verdict kiosk_cooling_certificate(const kiosk_cooling *c, kiosk_date today)
{
    if (kiosk_date_cmp(today, c->applied) < 0)
        return KIOSK_COOLING_BEFORE_APPLICATION;
    if (kiosk_date_cmp(today, c->certificate_from) < 0)
        return KIOSK_COOLING_TOO_EARLY;
    if (!c->has_certificate_until)
        return KIOSK_COOLING_UNKNOWN;
    if (kiosk_date_cmp(today, c->certificate_until) > 0)
        return KIOSK_COOLING_EXPIRED;
    return KIOSK_COOLING_OK;
}

kiosk_cooling_verdict kiosk_cooling_withdrawal(const kiosk_cooling *c, kiosk_date today)
{
    if (kiosk_date_cmp(today, c->applied) < 0)
        return KIOSK_COOLING_BEFORE_APPLICATION;
    if (kiosk_date_cmp(today, c->withdraw_until) <= 0)
        return KIOSK_COOLING_OK;
    if (c->has_certificate_until && kiosk_date_cmp(today, c->certificate_until) > 0)
        return KIOSK_COOLING_EXPIRED;
    return KIOSK_COOLING_WITHDRAW_CLOSED;
}

int kiosk_cooling_day(const kiosk_cooling *c, kiosk_date today)
{
    return (int)(kiosk_date_to_days(today) - kiosk_date_to_days(c->applied));
}
