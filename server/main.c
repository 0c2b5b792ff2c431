/* main.c - the server's command line: the global options (database, listening address, TLS,
 * faults, threads, log level), then either an administrator's command (admin.h) or, without
 * one, the running server (http.h). */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "http.h"
#include "log.h"
#include "zone.h"

static const char usage[] =
    "usage: server (--db FILE | --pg CONNINFO) [--listen 127.0.0.1:8443]\n"
    "              [--tls-cert FILE --tls-key FILE] [--threads N] [--faults FIFO]\n"
    "              [--timezone Asia/Shanghai] [--log-level error|warn|info|debug]\n"
    "              [--base-path /PREFIX] [--admin-listen 127.0.0.1:8444]\n"
    "       server (--db FILE | --pg CONNINFO) COMMAND ...\n"
    "commands:\n"
    "  site add ID --name NAME --city CODE --district CODE --street CODE [--timezone ZONE]\n"
    "  kiosk add DEVICE_ID --site ID --canteen CANTEEN_ID [--expires-in SECONDS]\n"
    "  kiosk revoke DEVICE_ID\n"
    "  kiosks\n"
    "  import-roster FILE --site ID --mode full|delta\n"
    "  import-policy FILE [--site ID]\n"
    "  roster remove PERSON_ID --site ID\n"
    "  settlement --month YYYY-MM [--site ID] [--meals] [--output FILE]\n"
    "  review list [--all] | review accept CASE_ID | review waive CASE_ID\n"
    "  streams expire --site ID [--older-than-days N]\n"
    "  card-key\n"
    "  admin-user add NAME   (the password on standard input)\n"
    "  fleet [--interval SECONDS]\n"
    "  config-key | config set DEVICE_ID FILE\n"
    "  audit-breaks          the kiosks' broken staff audit chains\n"
    "  alerts                the open staff alerts (help calls, broken audit chains)\n"
    "  import-staff FILE --site ID   the site's staff roster (docs/staff.md)\n"
    "docs/server.md explains each.\n";

typedef struct global {
    const char *db, *pg, *listen, *tls_cert, *tls_key, *faults, *threads, *zone, *log_level,
        *base_path, *admin_listen;
} global;

/* Takes the global options wherever they stand; what is left is the command line. */
static bool take_globals(int argc, char **argv, global *g, int *rest_argc, char **rest)
{
    static const struct {
        const char *name;
        size_t offset;
    } names[] = {
        {"--db", offsetof(global, db)},
        {"--pg", offsetof(global, pg)},
        {"--listen", offsetof(global, listen)},
        {"--tls-cert", offsetof(global, tls_cert)},
        {"--tls-key", offsetof(global, tls_key)},
        {"--faults", offsetof(global, faults)},
        {"--threads", offsetof(global, threads)},
        {"--timezone", offsetof(global, zone)},
        {"--log-level", offsetof(global, log_level)},
        {"--base-path", offsetof(global, base_path)},
        {"--admin-listen", offsetof(global, admin_listen)},
    };
    *rest_argc = 0;
    bool command_seen = false;
    for (int i = 1; i < argc; i++) {
        bool taken = false;
        /* After the command word, --timezone belongs to `site add`. */
        for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
            if (strcmp(argv[i], names[k].name) != 0 ||
                (command_seen && strcmp(argv[i], "--timezone") == 0))
                continue;
            if (i + 1 == argc) {
                fprintf(stderr, "server: %s needs a value\n", argv[i]);
                return false;
            }
            *(const char **)((char *)g + names[k].offset) = argv[++i];
            taken = true;
        }
        if (!taken) {
            if (argv[i][0] != '-')
                command_seen = true;
            rest[(*rest_argc)++] = argv[i];
        }
    }
    rest[*rest_argc] = NULL;
    return true;
}

/* "ADDRESS:PORT" into host (64 bytes) and port; prints what is wrong. */
static bool split_address(const char *option, const char *text, char host[64], unsigned short *port)
{
    const char *colon = strrchr(text, ':');
    char *end;
    long n = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon == text || colon - text >= 64 || *end || n < 0 || n > 65535) {
        fprintf(stderr, "server: %s is ADDRESS:PORT, e.g. 127.0.0.1:8443\n", option);
        return false;
    }
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    *port = (unsigned short)n;
    return true;
}

int main(int argc, char **argv)
{
    global g = {0};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int rest_argc = 0;
    if (!rest || !take_globals(argc, argv, &g, &rest_argc, rest)) {
        free(rest);
        return 2;
    }
    int status = 2;
    if (rest_argc && (strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0)) {
        fputs(usage, stdout);
        status = 0;
        goto out;
    }
    kiosk_log_level level = KIOSK_LOG_INFO;
    if (g.log_level && !kiosk_log_level_parse(g.log_level, &level)) {
        fprintf(stderr, "server: --log-level is error, warn, info or debug\n");
        goto out;
    }
    kiosk_log_setup(level, false);
    if (sodium_init() < 0) {
        fprintf(stderr, "server: libsodium cannot start\n");
        status = 1;
        goto out;
    }
    if (srv_zone_init(g.zone ? g.zone : "Asia/Shanghai") != KIOSK_OK) {
        fprintf(stderr, "server: --timezone '%s' is not a zone of the tz database\n", g.zone);
        goto out;
    }
    if (g.db && g.pg) {
        fprintf(stderr, "server: --db and --pg: one database, please\n");
        goto out;
    }
    char spec[2048] = "";
    if (g.db || g.pg)
        snprintf(spec, sizeof spec, "%s%s", g.db ? "sqlite:" : "pg:", g.db ? g.db : g.pg);
    if (rest_argc) {
        if (rest[0][0] == '-') {
            fprintf(stderr, "server: unknown option %s\n%s", rest[0], usage);
            goto out;
        }
        int known = 0;
        status = srv_admin_run(spec[0] ? spec : NULL, rest_argc, rest, &known);
        if (!known)
            fprintf(stderr, "server: unknown command '%s'\n%s", rest[0], usage);
        goto out;
    }
    if (!spec[0]) {
        fprintf(stderr, "server: give the database with --db FILE or --pg CONNINFO\n%s", usage);
        goto out;
    }
    srv_http_config cfg = {.db_spec = spec,
                           .host = "127.0.0.1",
                           .port = 8443,
                           .tls_cert = g.tls_cert,
                           .tls_key = g.tls_key,
                           .faults_fifo = g.faults,
                           .threads = 4,
                           .base_path = g.base_path};
    char host[64], admin_host[64];
    if (g.listen && !split_address("--listen", g.listen, host, &cfg.port))
        goto out;
    if (g.listen)
        cfg.host = host;
    if (g.admin_listen &&
        !split_address("--admin-listen", g.admin_listen, admin_host, &cfg.admin_port))
        goto out;
    if (g.admin_listen)
        cfg.admin_host = admin_host;
    if (g.base_path &&
        (g.base_path[0] != '/' || strlen(g.base_path) > 100 || strpbrk(g.base_path, "?#% "))) {
        fprintf(stderr, "server: --base-path is a path like /kiosk-api\n");
        goto out;
    }
    if (g.threads) {
        char *end;
        long n = strtol(g.threads, &end, 10);
        if (*end || n < 1 || n > 64) {
            fprintf(stderr, "server: --threads is 1..64\n");
            goto out;
        }
        cfg.threads = (int)n;
    }
    status = srv_http_run(&cfg);
out:
    free(rest);
    return status;
}
