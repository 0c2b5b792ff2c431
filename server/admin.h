/* admin.h - the administrator's commands of the server binary (`server --db X COMMAND ...`,
 * docs/server.md): sites, kiosks and their enrollment tokens, the roster and policy imports,
 * settlement, review of suspected second subsidies, stream maintenance, the card key. Each opens
 * the database, does one thing and returns the exit status (0 done, 1 a runtime failure, 2 a
 * bad command line or input). The main thread. */
#ifndef SRV_ADMIN_H
#define SRV_ADMIN_H

/* argv[0] is the command word ("site", "kiosk", ...); true in *known when it is one. */
int srv_admin_run(const char *db_spec, int argc, char **argv, int *known);

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "roster.h"

#include "storage.h"
#include "wire.h"

/* The steps the admin page shares with the commands. KIOSK_ERR_INVALID with problem set for
 * what the administrator got wrong (a bad id, an unknown site, a site that exists, a kiosk
 * enrolled already); other codes are the database's. */
/* Adds site s (every field but created_ms filled in; checked here). */
KIOSK_MUST_CHECK kiosk_rc srv_admin_site_new(srv_store *st, srv_site *s, char *problem,
                                             size_t size);
/* Adds a kiosk (or finds it waiting for enrollment at the same site and canteen) and gives it a
 * new enrollment token valid ttl_s seconds; only the token's hash is stored. */
KIOSK_MUST_CHECK kiosk_rc srv_admin_kiosk_new(srv_store *st, const char *device_id,
                                              const char *site_id, const char *canteen_id,
                                              int64_t ttl_s, char token[SRV_TOKEN_MAX],
                                              int64_t *expires_ms, char *problem, size_t size);

/* The report of a roster import, as `import-roster` prints it; path names the file. */
void srv_admin_roster_report(FILE *out, const char *path, const char *site_id,
                             const srv_roster_report *r);

#endif
