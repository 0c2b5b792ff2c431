/* marriage_flow.h - the marriage-registration hall's check-in flow (mode = marriage): a couple's
 * ID cards (or a booking number, then the cards) -> today's appointment -> the hall's rules
 * (marriage.h) -> a queue number committed with its outbox row -> the number shown very large,
 * spoken and printed -> back to idle by itself. An explicit state machine on the main thread
 * that owns the view it produces; its words are in marriage_words.c. The router drives it through
 * kiosk_marriage_flow; tests and the staff mode to come call the typed functions below. */
#ifndef KIOSK_MARRIAGE_FLOW_H
#define KIOSK_MARRIAGE_FLOW_H

#include "flow.h"
#include "marriage.h"
#include "staff_store.h"

extern const kiosk_flow_ops kiosk_marriage_flow;

typedef struct kiosk_marriage kiosk_marriage;

/* Starts the flow with its [marriage] section from env (checked: KIOSK_ERR_CONFIG with the key in
 * err). Borrows everything in env for its lifetime. */
KIOSK_MUST_CHECK kiosk_rc kiosk_marriage_new(const kiosk_flow_env *env, kiosk_marriage **out,
                                             char *err, size_t err_size);
void kiosk_marriage_free(kiosk_marriage *m);

/* An ID card was read (the certified reader, or a sim `id` line). Personal data: the number is
 * hashed and wiped, never kept. */
void kiosk_marriage_on_idcard(kiosk_marriage *m, const kiosk_idcard *id, kiosk_now now);
/* An ID card was on the reader but could not be read. */
void kiosk_marriage_on_idcard_error(kiosk_marriage *m, const char *reason, kiosk_now now);
void kiosk_marriage_on_press(kiosk_marriage *m, const char *widget, kiosk_now now);
void kiosk_marriage_on_tick(kiosk_marriage *m, kiosk_now now);
int64_t kiosk_marriage_deadline(const kiosk_marriage *m);
const kiosk_view *kiosk_marriage_view(const kiosk_marriage *m);

/* A walk-in ticket (现场取号) for service, issued through staff (the staff mode will offer it):
 * the next number in the walk-in lane, committed like a check-in, shown and printed. */
KIOSK_MUST_CHECK kiosk_rc kiosk_marriage_walkin(kiosk_marriage *m, kiosk_service service,
                                                kiosk_now now, kiosk_checkin_entry *out);

/* The same from staff mode (现场取号): a walk-in or priority ticket, with the legal-age flag the
 * staff's ID numbers gave; role-checked and audited in one transaction with the ticket
 * (kiosk_store_staff_ticket). The ticket is on this flow's view and print intent. */
KIOSK_MUST_CHECK kiosk_rc kiosk_marriage_staff_ticket(kiosk_marriage *m,
                                                      const kiosk_staff_actor *who,
                                                      kiosk_service service, kiosk_lane lane,
                                                      bool under_age, kiosk_now now,
                                                      kiosk_checkin_entry *out);

/* The ticket of the last number shown (for tests): its record, "" number when none. */
const kiosk_checkin_entry *kiosk_marriage_last_ticket(const kiosk_marriage *m);

#endif
