/* admin_hall.c - importing appointments and the calendar from the command line (admin_hall.h). */
#define _POSIX_C_SOURCE 200809L
#include "admin_hall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "appointment_csv.h"
#include "clock.h"
#include "hall_import.h"
#include "workcal.h"
#include "zone.h"

enum { DONE = 0, FAILED = 1, USAGE = 2 };

/* The whole file, at most max bytes (malloc'd, NUL-terminated); NULL after saying why. */
static char *read_whole(const char *command, const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "server: %s: %s: %s\n", command, path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        fprintf(stderr, "server: %s: %s is a folder, not a file\n", command, path);
        return NULL;
    }
    char *buf = malloc(max + 1);
    *len = buf ? fread(buf, 1, max + 1, f) : 0;
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed || *len > max) {
        fprintf(stderr, "server: %s: %s: %s\n", command, path,
                !buf ? "out of memory" : failed ? "cannot be read" : "larger than allowed");
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

int srv_admin_import_appointments(srv_store *st, int argc, char **argv)
{
    const char *path = NULL, *site_id = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--site") == 0 && i + 1 < argc)
            site_id = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = site_id = NULL, i = argc;
    }
    if (!path || !site_id) {
        fprintf(stderr, "usage: server import-appointments FILE --site ID\n"
                        "  FILE: the day's bookings as CSV (docs/marriage.md, \"Appointment "
                        "import\"); rows of the same\n"
                        "  appointment_id replace the stored ones, a cancelled booking is a row "
                        "with status cancelled\n");
        return USAGE;
    }
    srv_site site;
    kiosk_rc rc = srv_store_site_get(st, site_id, &site);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        fprintf(stderr, "server: import-appointments: no site '%.40s' (server site add ...)\n",
                site_id);
        return USAGE;
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: import-appointments: %s\n", srv_store_errmsg(st));
        return FAILED;
    }
    size_t len;
    char *text = read_whole("import-appointments", path, KIOSK_APPOINTMENT_FILE_MAX, &len);
    if (!text)
        return USAGE;
    int64_t now = kiosk_clock_now_ms();
    srv_hall_report report;
    char err[300] = "";
    rc = srv_appointments_import(st, site.site_id, text, len, srv_zone_date(site.timezone, now),
                                 now, &report, err, sizeof err);
    free(text);
    if (rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_TOO_BIG) {
        fprintf(stderr, "server: %s: %s; nothing was imported\n", path, err);
        return USAGE;
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: import-appointments: %s; nothing was imported\n",
                err[0] ? err : srv_store_errmsg(st));
        return FAILED;
    }
    printf("%s: %ld appointment(s) for site %s, %ld new or changed\n", path, report.rows,
           site.site_id, report.written);
    return DONE;
}

int srv_admin_import_calendar(srv_store *st, int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fprintf(stderr, "usage: server import-calendar FILE\n"
                        "  FILE: the working-day calendar (docs/marriage.md), for every site\n");
        return USAGE;
    }
    size_t len;
    char *text = read_whole("import-calendar", argv[0], KIOSK_WORKCAL_FILE_MAX, &len);
    if (!text)
        return USAGE;
    srv_hall_report report;
    char err[300] = "";
    kiosk_rc rc = srv_calendar_import(st, text, len, kiosk_clock_now_ms(), &report, err, sizeof err);
    free(text);
    if (rc == KIOSK_ERR_PARSE) {
        fprintf(stderr, "server: %s: %s; nothing was imported\n", argv[0], err);
        return USAGE;
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: import-calendar: %s; nothing was imported\n",
                srv_store_errmsg(st));
        return FAILED;
    }
    printf("%s: %ld year(s), %ld new or changed\n", argv[0], report.rows, report.written);
    return DONE;
}
