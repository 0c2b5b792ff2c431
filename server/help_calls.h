/* help_calls.h - what the server does with a kiosk's help calls (kiosk/store/help_call.h): a
 * help_call record raises a staff alert of kind "help_call" naming the kiosk and the call; its
 * help_answer record (staff answered at the kiosk) resolves that alert. The admin page lists the
 * open alerts (srv_store_alert_list); `server alerts` prints them. Inside the caller's write
 * transaction. */
#ifndef SRV_HELP_CALLS_H
#define SRV_HELP_CALLS_H

#include <stdint.h>

#include "storage.h"

#define SRV_ALERT_HELP_CALL "help_call"

/* A newly stored help_call record of dev: an open alert. */
KIOSK_MUST_CHECK kiosk_rc srv_help_call_arrived(srv_store *st, const srv_device *dev,
                                                const char *record_id, const char *payload,
                                                int64_t now_ms);
/* A newly stored help_answer record of dev: the call's alert resolved at the answer's time
 * (an answer to a call the server has no open alert for is logged and kept). */
KIOSK_MUST_CHECK kiosk_rc srv_help_answer_arrived(srv_store *st, const srv_device *dev,
                                                  const char *payload);
/* The open alerts of every kind, newest first, at most limit. */
KIOSK_MUST_CHECK kiosk_rc srv_help_open_alerts(srv_store *st, long limit, srv_alert_fn fn,
                                               void *user);
/* `server alerts`: the open alerts, one per line; exit status. */
int srv_help_alerts_command(srv_store *st, int argc, char **argv);

#endif
