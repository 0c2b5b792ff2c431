/* staff_records.h - what the server does with the records of a kiosk's staff mode: each audit
 * entry (kind "audit") is checked against the kiosk's chain so far (audit.h; the chain's end is
 * kept per device in meta, "audit_chain:<device>"), and a break becomes a staff alert of kind
 * "audit_chain_break" naming the entry; a void (kind "override", type "void") marks that
 * device's meal voided, so settlement leaves it out; and the staff roster, imported as the
 * "staff" stream. Inside the caller's write transaction. */
#ifndef SRV_STAFF_RECORDS_H
#define SRV_STAFF_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"

#define SRV_ALERT_AUDIT_BREAK "audit_chain_break"

/* A newly stored audit record of dev: checked, and the chain moves on to it (after a break too,
 * so one tampering is reported once). *broken: the chain broke here. */
KIOSK_MUST_CHECK kiosk_rc srv_staff_audit_arrived(srv_store *st, const srv_device *dev,
                                                  const char *record_id, const char *payload,
                                                  int64_t now_ms, bool *broken);
/* A newly stored override record of dev: a void marks its meal (a void of a meal the device
 * does not have is logged and otherwise ignored: the record itself stays). */
KIOSK_MUST_CHECK kiosk_rc srv_staff_override_arrived(srv_store *st, const srv_device *dev,
                                                     const char *record_id, const char *payload);

/* The staff roster file (staff_csv.h) of site_id, as rows of the "staff" stream every kiosk of
 * the site pulls: the whole list, the cards as keyed hashes under the city's card key. A member
 * the file no longer names is kept, inactive and without cards (the stream has no deletes). Rows
 * that did not change are not written again. Inside the caller's write transaction. */
KIOSK_MUST_CHECK kiosk_rc srv_staff_import(srv_store *st, const char *site_id, const char *text,
                                           size_t len, int64_t now_ms, long *rows, long *written,
                                           long *made_inactive, char *err, size_t err_size);
/* `server import-staff FILE --site ID`; exit status. */
int srv_staff_import_command(srv_store *st, int argc, char **argv);

/* The audit chain breaks found so far, newest first (alerts of kind SRV_ALERT_AUDIT_BREAK, open
 * and resolved), at most limit: for the admin page. */
KIOSK_MUST_CHECK kiosk_rc srv_staff_audit_breaks(srv_store *st, long limit, srv_alert_fn fn,
                                                 void *user);
/* `server audit-breaks`: prints them, one per line; exit status. */
int srv_staff_audit_command(srv_store *st, int argc, char **argv);

#endif
