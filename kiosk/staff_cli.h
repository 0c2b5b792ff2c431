/* staff_cli.h - the staff commands of the command line (docs/staff.md): importing the staff
 * roster, hashing a PIN for it, and checking the audit log's hash chain. Each prints what it did
 * and returns the process's exit status (0 ok, 1 failure or a broken chain, 2 bad input). */
#ifndef KIOSK_STAFF_CLI_H
#define KIOSK_STAFF_CLI_H

#include <stdio.h>

#include "store.h"

/* kiosk --import-staff CSV */
int kiosk_staff_cli_import(kiosk_store *store, const char *path);
/* kiosk --hash-pin: reads one line from in (without echo on a terminal), prints the hash. */
int kiosk_staff_cli_hash_pin(FILE *in, FILE *out);
/* kiosk --audit-verify */
int kiosk_staff_cli_audit_verify(kiosk_store *store, const char *path);

#endif
