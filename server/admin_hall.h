/* admin_hall.h - the administrator's commands for the marriage halls' reference data:
 *   server import-appointments FILE --site ID   a site's bookings (docs/marriage.md's format)
 *   server import-calendar FILE                 the working-day calendar, for every site
 * Each returns 0 done, 1 failed, 2 a usage or file error (admin.h's codes). */
#ifndef SRV_ADMIN_HALL_H
#define SRV_ADMIN_HALL_H

#include "storage.h"

int srv_admin_import_appointments(srv_store *st, int argc, char **argv);
int srv_admin_import_calendar(srv_store *st, int argc, char **argv);

#endif
