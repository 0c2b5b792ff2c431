/* store_spec.h - where a server test keeps its data, from its one argument: "sqlite" (a file in
 * its scratch folder) or "pg" (the database tests/server/with_postgres.sh made, KIOSK_TEST_PG).
 * The scratch folder is made either way; the test removes it (check_scratch_remove). */
#ifndef KIOSK_TEST_STORE_SPEC_H
#define KIOSK_TEST_STORE_SPEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* 0 with the storage's spec (srv_store_open's) and the scratch folder in *dir; otherwise the
 * status to exit with: 2 a bad argument, 1 no scratch folder or no PostgreSQL to test on. */
static int srv_test_store_spec(int argc, char **argv, const char *scratch, char *spec, size_t size,
                               const char **dir)
{
    if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "pg") != 0)) {
        fprintf(stderr, "usage: %s sqlite|pg\n", argv[0]);
        return 2;
    }
    *dir = check_scratch_dir(scratch);
    if (!*dir)
        return 1;
    if (strcmp(argv[1], "sqlite") == 0) {
        snprintf(spec, size, "sqlite:%s/server.db", *dir);
        return 0;
    }
    const char *conninfo = getenv("KIOSK_TEST_PG");
    if (!conninfo || !*conninfo) {
        fprintf(stderr, "FAILED: KIOSK_TEST_PG is not set: run through "
                        "tests/server/with_postgres.sh\n");
        check_scratch_remove(*dir);
        return 1;
    }
    snprintf(spec, size, "pg:%s", conninfo);
    return 0;
}

#endif
