/* main.c - command line: settings, the store, one-shot staff actions (import, export, report),
 * then the running kiosk. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "appointment_csv.h"
#include "clock.h"
#include "config.h"
#include "database.h"
#include "durable_file.h"
#include "hall.h"
#include "log.h"
#include "money.h"
#include "roster_import.h"
#include "sdnotify.h"
#include "staff_cli.h"
#include "store.h"
#include "sync.h"
#define KIOSK_LOG_MODULE "main"

#ifndef KIOSK_VERSION
#define KIOSK_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_FAILURE_RUNTIME = 1, EXIT_USAGE = 2, EXIT_CORRUPT_DB = 3 };

#define POLICY_FILE_MAX (1024 * 1024)

/* A re-import means one of two things, and guessing wrong either deactivates half the roster or
 * leaves people on it who left: the clerk says which (docs/roster.md). */
static const char roster_mode_help[] =
    "kiosk: --import-roster needs --mode full or --mode delta:\n"
    "  --mode full   the file is the whole roster: persons it leaves out become inactive (their\n"
    "                meals and cards stay on record; their taps are refused), and cards it no\n"
    "                longer lists for its persons are blocked\n"
    "  --mode delta  only the persons and cards in the file change; nothing else is touched\n";

static void print_roster_report(const char *path, const kiosk_roster_report *r)
{
    bool full = r->mode == KIOSK_ROSTER_MODE_FULL;
    printf("%s: %s import: %ld rows, %ld persons, %ld cards\n", path,
           kiosk_roster_mode_name(r->mode), r->rows, r->persons, r->cards);
    printf("persons: %ld added, %ld changed, %ld unchanged", r->persons_added, r->persons_changed,
           r->persons_unchanged);
    if (full)
        printf(", %ld made inactive (not in the file)", r->persons_inactivated);
    printf("\ncards: %ld added, %ld moved, %ld blocked, %ld otherwise changed, %ld unchanged\n",
           r->cards_added, r->cards_moved, r->cards_blocked, r->cards_changed, r->cards_unchanged);
    if (r->duplicate_rows) {
        printf("duplicate rows, counted once: %ld (", r->duplicate_rows);
        long named = r->duplicate_rows < KIOSK_ROSTER_DUPLICATES_NAMED
                         ? r->duplicate_rows
                         : KIOSK_ROSTER_DUPLICATES_NAMED;
        for (long i = 0; i < named; i++)
            printf("%sline %zu repeats line %zu", i ? ", " : "", r->duplicate_line[i],
                   r->duplicate_of[i]);
        if (r->duplicate_rows > named)
            printf(", and %ld more", r->duplicate_rows - named);
        printf(")\n");
    }
    double took = r->finished_ms - r->started_ms;
    printf("took %.*f %s; the database was locked for writing during %.0f ms of it\n",
           took < 1000 ? 0 : 1, took < 1000 ? took : took / 1000, took < 1000 ? "ms" : "s",
           r->lock_until_ms - r->lock_from_ms);
}

static int import_roster(kiosk_store *store, const char *path, kiosk_roster_mode mode)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kiosk: %s: %s\n", path, strerror(errno));
        return EXIT_FAILURE_RUNTIME;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        fprintf(stderr, "kiosk: %s: is a folder, not a file; give the roster's CSV file\n", path);
        return EXIT_USAGE;
    }
    kiosk_roster_report report;
    char err[300] = "";
    kiosk_date today = kiosk_clock_local(kiosk_clock_now_ms()).date;
    kiosk_rc rc = kiosk_store_import_roster_mode(store, f, today, mode, &report, err, sizeof err);
    fclose(f);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s: %s; nothing was imported\n", path, err);
        return rc == KIOSK_ERR_PARSE ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    print_roster_report(path, &report);
    /* A whole roster is the remedy a recovery's notice asks for: the notice has done its work. */
    char notice[64];
    if (mode == KIOSK_ROSTER_MODE_FULL &&
        kiosk_store_staff_notice(store, notice, sizeof notice) == KIOSK_OK && notice[0]) {
        if (kiosk_store_set_staff_notice(store, "") == KIOSK_OK)
            printf("the notice after the database recovery is cleared\n");
        else
            fprintf(stderr, "kiosk: the notice after the recovery could not be cleared: %s\n",
                    kiosk_store_errmsg(store));
    }
    return EXIT_OK;
}

static int import_policy(kiosk_store *store, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kiosk: %s: %s\n", path, strerror(errno));
        return EXIT_FAILURE_RUNTIME;
    }
    char *buf = malloc(POLICY_FILE_MAX + 1);
    size_t len = buf ? fread(buf, 1, POLICY_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || len > POLICY_FILE_MAX) {
        fprintf(stderr, "kiosk: %s: %s\n", path, buf ? "larger than 1 MiB" : "out of memory");
        free(buf);
        return EXIT_USAGE;
    }
    char err[300] = "";
    kiosk_rc rc = kiosk_store_put_policy(store, buf, len, err, sizeof err);
    free(buf);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s: %s\n", path, err);
        return rc == KIOSK_ERR_PARSE ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    printf("policy stored from %s\n", path);
    return EXIT_OK;
}

/* Reads a whole import file (at most max bytes) into a malloc'd, NUL-terminated buffer; NULL with
 * the exit status in *status (and the message on stderr) when it cannot. */
static char *read_import(const char *path, size_t max, size_t *len, int *status)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kiosk: %s: %s\n", path, strerror(errno));
        *status = EXIT_FAILURE_RUNTIME;
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        fprintf(stderr, "kiosk: %s: is a folder, not a file\n", path);
        *status = EXIT_USAGE;
        return NULL;
    }
    char *buf = malloc(max + 1);
    *len = buf ? fread(buf, 1, max + 1, f) : 0;
    bool failed = buf && ferror(f);
    fclose(f);
    if (!buf || failed || *len > max) {
        fprintf(stderr, "kiosk: %s: %s\n", path,
                !buf ? "out of memory" : failed ? "cannot be read" : "too large");
        free(buf);
        *status = buf && !failed ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* The appointments of a marriage hall, all rows or none (docs/marriage.md). The error names the
 * line and the column, never an ID number or a name. */
static int import_appointments(kiosk_store *store, const char *path)
{
    size_t len;
    int status;
    char *text = read_import(path, KIOSK_APPOINTMENT_FILE_MAX, &len, &status);
    if (!text)
        return status;
    char err[300] = "";
    long rows = 0;
    int64_t now = kiosk_clock_now_ms();
    kiosk_rc rc = kiosk_store_import_appointments(store, text, len, kiosk_clock_local(now).date,
                                                  now, &rows, err, sizeof err);
    free(text);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s: %s; nothing was imported\n", path, err);
        return rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_TOO_BIG ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    printf("%s: %ld appointments imported\n", path, rows);
    return EXIT_OK;
}

/* The working-day calendar: the years the file covers replace what is stored for them. */
static int import_calendar(kiosk_store *store, const char *path)
{
    size_t len;
    int status;
    char *text = read_import(path, KIOSK_WORKCAL_FILE_MAX, &len, &status);
    if (!text)
        return status;
    char err[300] = "";
    int years = 0;
    kiosk_rc rc = kiosk_store_import_calendar(store, text, len, kiosk_clock_now_ms(), &years, err,
                                              sizeof err);
    free(text);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s: %s; nothing was imported\n", path, err);
        return rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_TOO_BIG ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    printf("%s: the working-day calendar of %d year%s imported\n", path, years,
           years == 1 ? "" : "s");
    return EXIT_OK;
}

#define PERIOD_FORMS "YYYY-MM-DD, YYYY-MM, YYYY-Qn, FROM..TO (two dates) or today"

/* A settlement period: "YYYY-MM-DD" (a day), "YYYY-MM" (a month), "YYYY-Qn" (a quarter),
 * "YYYY-MM-DD..YYYY-MM-DD" (inclusive) or "today" (the local date). */
static bool parse_period(const char *text, kiosk_date *from, kiosk_date *to)
{
    if (strcmp(text, "today") == 0) {
        *from = *to = kiosk_clock_local(kiosk_clock_now_ms()).date;
        return true;
    }
    if (kiosk_date_parse(text, from)) {
        *to = *from;
        return true;
    }
    const char *dots = strstr(text, "..");
    if (dots && dots - text == 10 && strlen(dots + 2) == 10) {
        char first[11];
        memcpy(first, text, 10);
        first[10] = '\0';
        return kiosk_date_parse(first, from) && kiosk_date_parse(dots + 2, to) &&
               kiosk_date_cmp(*from, *to) <= 0;
    }
    if (strlen(text) != 7)
        return false;
    char day[16];
    int first_month = 0;
    if (text[5] == 'Q' && text[6] >= '1' && text[6] <= '4') {
        first_month = (text[6] - '1') * 3 + 1;
        snprintf(day, sizeof day, "%.4s-%02d-01", text, first_month);
    } else {
        snprintf(day, sizeof day, "%s-01", text);
    }
    if (!kiosk_date_parse(day, from))
        return false;
    int last_month = first_month ? first_month + 2 : from->month;
    *to = (kiosk_date){from->year, last_month, kiosk_date_days_in_month(from->year, last_month)};
    return true;
}

/* Writes the CSV next to the output and renames it into place, so a failed export never leaves
 * a partial file that could be taken for a complete one. */
static int export_meals(kiosk_store *store, const char *period, const char *output)
{
    kiosk_date from, to;
    if (!parse_period(period, &from, &to)) {
        fprintf(stderr, "kiosk: --export: expected " PERIOD_FORMS "\n");
        return EXIT_USAGE;
    }
    char err[1200];
    if (!output[0]) {
        kiosk_rc rc = kiosk_store_export_meals_csv(store, from, to, stdout);
        if (rc != KIOSK_OK || fflush(stdout) != 0) {
            fprintf(stderr, "kiosk: export failed: %s\n", kiosk_strerror(rc ? rc : KIOSK_ERR_IO));
            return EXIT_FAILURE_RUNTIME;
        }
        return EXIT_OK;
    }
    /* Whole under its name or not there at all, even after a power cut. */
    kiosk_durable_file out;
    kiosk_rc rc = kiosk_durable_open(&out, output, err, sizeof err);
    if (rc == KIOSK_OK) {
        rc = kiosk_store_export_meals_csv(store, from, to, out.f);
        if (rc != KIOSK_OK) {
            snprintf(err, sizeof err, "%s", kiosk_strerror(rc));
            kiosk_durable_abort(&out);
        } else {
            rc = kiosk_durable_commit(&out, err, sizeof err);
        }
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: export failed: %s\n", err);
        return EXIT_FAILURE_RUNTIME;
    }
    return EXIT_OK;
}

static void print_group(const char *kind, const kiosk_report_group *g)
{
    char price[32], subsidy[32], pay[32];
    kiosk_money_format(g->price_fen, price, sizeof price);
    kiosk_money_format(g->subsidy_fen, subsidy, sizeof subsidy);
    kiosk_money_format(g->pay_fen, pay, sizeof pay);
    printf("%-8s %-20s %6ld meals  price %12s  subsidy %12s  paid %12s\n", kind, g->key, g->meals,
           price, subsidy, pay);
}

static int report(kiosk_store *store, const char *period)
{
    kiosk_date from, to;
    if (!parse_period(period, &from, &to)) {
        fprintf(stderr, "kiosk: --day-report: expected " PERIOD_FORMS "\n");
        return EXIT_USAGE;
    }
    kiosk_report r;
    if (kiosk_store_report(store, from, to, &r) != KIOSK_OK) {
        fprintf(stderr, "kiosk: report failed: %s\n", kiosk_store_errmsg(store));
        return EXIT_FAILURE_RUNTIME;
    }
    char a[11], b[11];
    kiosk_date_format(from, a);
    kiosk_date_format(to, b);
    printf("meals %s to %s\n", a, b);
    kiosk_report_group total = {.meals = r.meals,
                                .price_fen = r.price_fen,
                                .subsidy_fen = r.subsidy_fen,
                                .pay_fen = r.pay_fen};
    snprintf(total.key, sizeof total.key, "all");
    print_group("total", &total);
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++)
        print_group("meal", &r.by_meal[t]);
    for (size_t i = 0; i < r.class_count; i++)
        print_group("class", &r.by_class[i]);
    for (size_t i = 0; i < r.canteen_count; i++)
        print_group("canteen", &r.by_canteen[i]);
    static const char *const levels[] = {"city", "district", "street"};
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++) {
        char fen[32];
        kiosk_money_format(r.funding_fen[l], fen, sizeof fen);
        printf("funding  %-20s %s\n", levels[l], fen);
    }
    return EXIT_OK;
}

/* kiosk --enroll TOKEN: the one-time token from the server's administrator (docs/sync.md). */
static int enroll(const kiosk_config *cfg, const char *token)
{
    char device_id[KIOSK_ID_MAX], err[800];
    kiosk_rc rc = kiosk_sync_enroll_now(&cfg->sync, cfg->database, token, device_id,
                                        sizeof device_id, err, sizeof err);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: enrollment failed: %s\n", err);
        return rc == KIOSK_ERR_CONFIG ? EXIT_USAGE : EXIT_FAILURE_RUNTIME;
    }
    printf("enrolled as device %s (%s)\n", device_id, cfg->database);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    kiosk_config cfg;
    kiosk_cli cli;
    char err[600] = "";
    if (kiosk_config_from_args(&cfg, &cli, argc, argv, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s\n", err);
        return EXIT_USAGE;
    }
    if (cli.action == KIOSK_ACTION_HELP) {
        fputs(kiosk_config_usage(), stdout);
        return EXIT_OK;
    }
    if (cli.action == KIOSK_ACTION_VERSION) {
        printf("kiosk %s\n", KIOSK_VERSION);
        return EXIT_OK;
    }
    kiosk_log_setup(cfg.log_level, cfg.log_syslog);
    if (kiosk_clock_set_zone(cfg.timezone) != KIOSK_OK) {
        fprintf(stderr, "kiosk: [kiosk] timezone '%s' is not a time zone of this system\n",
                cfg.timezone);
        return EXIT_USAGE;
    }

    /* Before anything shows or stores words (the database's notices are in this language). */
    if (kiosk_i18n_init(cfg.language, cfg.locale_dir, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s\n", err);
        return EXIT_USAGE;
    }

    if (cli.action == KIOSK_ACTION_LIST_DEVICES) {
        kiosk_app_list_devices(&cfg, stdout);
        return EXIT_OK;
    }
    snprintf(cfg.sync.app_version, sizeof cfg.sync.app_version, "%s", KIOSK_VERSION);
    if (cli.action == KIOSK_ACTION_ENROLL)
        return enroll(&cfg, cli.action_arg);
    if (cli.action == KIOSK_ACTION_HASH_PIN)
        return kiosk_staff_cli_hash_pin(stdin, stdout);

    /* Before the database is opened (or made): a refused command leaves no file behind. */
    if (cli.action == KIOSK_ACTION_IMPORT_ROSTER && cli.roster_mode == KIOSK_ROSTER_MODE_NONE) {
        fputs(roster_mode_help, stderr);
        return EXIT_USAGE;
    }
    /* systemd's watchdog covers the main loop (app.c). A start that must recover a large
     * database may outlast it; the start is bounded by the unit's TimeoutStartSec instead, and
     * the app sets the usual interval again when it is ready. */
    uint64_t watchdog_usec;
    if (cli.action == KIOSK_ACTION_RUN && kiosk_sdnotify_watchdog(&watchdog_usec))
        kiosk_sdnotify("WATCHDOG_USEC=300000000");
    kiosk_store *store = NULL;
    const char *notice = NULL;
    kiosk_rc rc = kiosk_database_open(&cfg, &store, &notice, err, sizeof err);
    if (rc == KIOSK_ERR_CORRUPT) {
        fprintf(stderr,
                "kiosk: the local database %s is damaged and could not be recovered (%s).\n"
                "kiosk: keep every %s* file for the bureau's support; no record was deleted.\n",
                cfg.database, err, cfg.database);
        /* Never serve as if nothing happened: the screen says the kiosk is out of service, and
         * the exit status is 3 when it is stopped. */
        return cli.action == KIOSK_ACTION_RUN ? kiosk_app_run(&cfg, NULL, KIOSK_NOTICE_UNRECOVERED)
                                              : EXIT_CORRUPT_DB;
    }
    if (rc != KIOSK_OK) {
        fprintf(stderr, "kiosk: %s%s\n",
                rc == KIOSK_ERR_CONFIG ? "" : "cannot open the local database: ", err);
        kiosk_store_close(store);
        /* A database made by a newer kiosk (KIOSK_ERR_UNSUPPORTED) is bad input like a bad
         * setting: exit 2, which the unit does not restart (RestartPreventExitStatus=2). */
        return rc == KIOSK_ERR_CONFIG || rc == KIOSK_ERR_UNSUPPORTED ? EXIT_USAGE
                                                                     : EXIT_FAILURE_RUNTIME;
    }

    int status;
    switch (cli.action) {
    case KIOSK_ACTION_IMPORT_ROSTER:
        status = import_roster(store, cli.action_arg, cli.roster_mode);
        break;
    case KIOSK_ACTION_IMPORT_POLICY:
        status = import_policy(store, cli.action_arg);
        break;
    case KIOSK_ACTION_IMPORT_APPOINTMENTS:
        status = import_appointments(store, cli.action_arg);
        break;
    case KIOSK_ACTION_IMPORT_CALENDAR:
        status = import_calendar(store, cli.action_arg);
        break;
    case KIOSK_ACTION_EXPORT:
        status = export_meals(store, cli.action_arg, cli.output);
        break;
    case KIOSK_ACTION_DAY_REPORT:
        status = report(store, cli.action_arg);
        break;
    case KIOSK_ACTION_IMPORT_STAFF:
        status = kiosk_staff_cli_import(store, cli.action_arg);
        break;
    case KIOSK_ACTION_AUDIT_VERIFY:
        status = kiosk_staff_cli_audit_verify(store, cfg.database);
        break;
    default:
        status = kiosk_app_run(&cfg, store, notice); /* takes the store */
        store = NULL;
        break;
    }
    kiosk_store_close(store);
    return status;
}
