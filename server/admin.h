/* admin.h - the administrator's commands of the server binary (`server --db X COMMAND ...`,
 * docs/server.md): sites, kiosks and their enrollment tokens, the roster and policy imports,
 * settlement, review of suspected second subsidies, stream maintenance, the card key. Each opens
 * the database, does one thing and returns the exit status (0 done, 1 a runtime failure, 2 a
 * bad command line or input). The main thread. */
#ifndef SRV_ADMIN_H
#define SRV_ADMIN_H

/* argv[0] is the command word ("site", "kiosk", ...); true in *known when it is one. */
int srv_admin_run(const char *db_spec, int argc, char **argv, int *known);

#endif
