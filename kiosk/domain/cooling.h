/* cooling.h - the divorce cooling-off periods (离婚冷静期, Civil Code art. 1077) as dates: when a
 * withdrawal is still accepted and when the certificate may be issued. Pure, with the working-day
 * calendar (workcal.h) as data, so the kiosk and the central server decide a day the same way.
 *
 * The rule (DOMAIN.md §2; docs/marriage.md has worked examples):
 *   - the first period is 30 days counted from the day after the hall received the application
 *     (day 1 = the day after, day 30 = the application date + 30); when its last day is a rest
 *     day (weekend or statutory holiday, not a make-up working day) it ends on the next working
 *     day (art. 203). Until and including that day either party may withdraw (撤回), one party
 *     sufficing; the certificate cannot be issued yet, not even on that last day;
 *   - the second period is the next 30 days, counted from the day after the first period ended,
 *     rolled the same way: within it both parties come in person for the certificate (离婚登记);
 *     after it the application is deemed withdrawn (视为撤回离婚登记申请). */
#ifndef KIOSK_COOLING_H
#define KIOSK_COOLING_H

#include <stdbool.h>

#include "caltime.h"
#include "error.h"
#include "workcal.h"

#define KIOSK_COOLING_DAYS 30

typedef struct kiosk_cooling {
    kiosk_date applied;           /* the hall received the application on this day */
    kiosk_date withdraw_until;    /* the first period's last day (rolled to a working day) */
    kiosk_date certificate_from;  /* the day after withdraw_until */
    bool has_certificate_until;   /* false: the calendar lacks the year the second period ends in */
    kiosk_date certificate_until; /* the second period's last day (rolled to a working day) */
} kiosk_cooling;

/* Computes both periods for an application received on `applied`. KIOSK_ERR_NOT_FOUND when the
 * calendar does not cover a year the first period reaches (then nobody can say when it ends: the
 * couple is sent to staff, never given a guessed date); when only the second period's end is
 * beyond the calendar (next year's notice is not out yet), has_certificate_until is false and
 * the verdicts that need it say KIOSK_COOLING_UNKNOWN. KIOSK_ERR_INVALID for an invalid date. */
KIOSK_MUST_CHECK kiosk_rc kiosk_cooling_compute(const kiosk_workcal *cal, kiosk_date applied,
                                                kiosk_cooling *out);

typedef enum kiosk_cooling_verdict {
    KIOSK_COOLING_OK,
    KIOSK_COOLING_TOO_EARLY,          /* certificate: the first period has not ended yet */
    KIOSK_COOLING_EXPIRED,            /* certificate or withdrawal: the second period is over and
                                         the application is deemed withdrawn */
    KIOSK_COOLING_WITHDRAW_CLOSED,    /* withdrawal: the first period is over (the certificate
                                         period runs: not coming ends the case) */
    KIOSK_COOLING_BEFORE_APPLICATION, /* today is before the application date: the data is wrong */
    KIOSK_COOLING_UNKNOWN             /* the answer depends on a day of a year the calendar lacks */
} kiosk_cooling_verdict;

/* May the certificate (离婚登记) be issued on `today`? OK from certificate_from to
 * certificate_until inclusive. */
kiosk_cooling_verdict kiosk_cooling_certificate(const kiosk_cooling *c, kiosk_date today);
/* May the application be withdrawn (撤回) on `today`? OK from the application day to
 * withdraw_until inclusive. */
kiosk_cooling_verdict kiosk_cooling_withdrawal(const kiosk_cooling *c, kiosk_date today);

/* The day of the cooling-off count `today` is: 0 on the application day, 1 the day after ... */
int kiosk_cooling_day(const kiosk_cooling *c, kiosk_date today);

#endif
