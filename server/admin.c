/* admin.c - the administrator's commands (admin.h). */
#define _POSIX_C_SOURCE 200809L
#include "admin.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin_hall.h"
#include "clock.h"
#include "fleet.h"
#include "help_calls.h"
#include "ingest.h"
#include "policy_import.h"
#include "remote_config.h"
#include "roster.h"
#include "settlement.h"
#include "staff_records.h"
#include "storage.h"
#include "streams.h"
#include "web_auth.h"
#include "wire.h"
#include "zone.h"

enum { DONE = 0, FAILED = 1, USAGE = 2 };

#define TOKEN_TTL_DEFAULT_S (24 * 3600)
#define POLICY_FILE_MAX     (1024 * 1024)

/* --- command lines ------------------------------------------------------------------------- */

#define OPTS_MAX 8

typedef struct opts {
    const char *pos[4];
    int npos;
    const char *name[OPTS_MAX];
    const char *value[OPTS_MAX]; /* NULL for a flag */
    int n;
} opts;

/* Splits argv into positional words and --options; `valued` and `flags` list the options the
 * command knows ("--site", ...). Prints what is wrong and returns false. */
static bool parse_opts(const char *command, int argc, char **argv, const char *const *valued,
                       const char *const *flags, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (o->npos == 4) {
                fprintf(stderr, "server: %s: too many arguments\n", command);
                return false;
            }
            o->pos[o->npos++] = a;
            continue;
        }
        bool known = false, takes_value = false;
        for (int k = 0; valued && valued[k]; k++)
            if (strcmp(a, valued[k]) == 0)
                known = takes_value = true;
        for (int k = 0; flags && flags[k]; k++)
            if (strcmp(a, flags[k]) == 0)
                known = true;
        if (!known || o->n == OPTS_MAX) {
            fprintf(stderr, "server: %s: unknown option %s\n", command, a);
            return false;
        }
        if (takes_value && i + 1 == argc) {
            fprintf(stderr, "server: %s: %s needs a value\n", command, a);
            return false;
        }
        o->name[o->n] = a;
        o->value[o->n++] = takes_value ? argv[++i] : NULL;
    }
    return true;
}

static const char *opt(const opts *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->name[i], name) == 0)
            return o->value[i] ? o->value[i] : "";
    return NULL;
}

static bool need(const char *command, const opts *o, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        if (!opt(o, names[i])) {
            fprintf(stderr, "server: %s: %s is required\n", command, names[i]);
            return false;
        }
    }
    return true;
}

static bool id_ok(const char *what, const char *id)
{
    if (srv_id_valid(id))
        return true;
    fprintf(stderr, "server: %s: '%.40s' must be 1-39 of A-Z a-z 0-9 _ -\n", what, id);
    return false;
}

/* An area code: digits only, at most 23 (as in the roster). */
static bool area_code_ok(const char *code)
{
    size_t n = strlen(code);
    bool ok = n >= 1 && n < KIOSK_AREA_CODE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isdigit((unsigned char)code[i]);
    return ok;
}

static bool area_ok(const char *what, const char *code)
{
    bool ok = area_code_ok(code);
    if (!ok)
        fprintf(stderr, "server: %s: '%.30s' must be 1-23 digits\n", what, code);
    return ok;
}

static int storage_failed(srv_store *st, const char *what, kiosk_rc rc)
{
    fprintf(stderr, "server: %s failed: %s%s%s\n", what, kiosk_strerror(rc),
            srv_store_errmsg(st)[0] ? ": " : "", srv_store_errmsg(st));
    return FAILED;
}

/* --- sites and kiosks ---------------------------------------------------------------------- */

kiosk_rc srv_admin_site_new(srv_store *st, srv_site *s, char *problem, size_t size)
{
    const char *const what[] = {"--city", "--district", "--street"};
    const char *const code[] = {s->area.city, s->area.district, s->area.street};
    if (!srv_id_valid(s->site_id)) {
        snprintf(problem, size, "site id '%.40s' must be 1-39 of A-Z a-z 0-9 _ -", s->site_id);
        return KIOSK_ERR_INVALID;
    }
    for (int i = 0; i < 3; i++) {
        if (!area_code_ok(code[i])) {
            snprintf(problem, size, "%s '%.30s' must be 1-23 digits", what[i], code[i]);
            return KIOSK_ERR_INVALID;
        }
    }
    if (!s->name[0]) {
        snprintf(problem, size, "--name must be 1-127 bytes");
        return KIOSK_ERR_INVALID;
    }
    if (!kiosk_clock_zone_exists(s->timezone)) {
        snprintf(problem, size,
                 "--timezone '%.64s' is not a zone of the tz database (e.g. Asia/Shanghai)",
                 s->timezone);
        return KIOSK_ERR_INVALID;
    }
    s->created_ms = kiosk_clock_now_ms();
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        rc = srv_store_site_add(st, s);
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    if (rc == KIOSK_ERR_INVALID)
        snprintf(problem, size, "site %s exists already", s->site_id);
    return rc;
}

static int site_add(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--name",   "--city",     "--district",
                                         "--street", "--timezone", NULL};
    static const char *const required[] = {"--name", "--city", "--district", "--street", NULL};
    opts o;
    if (!parse_opts("site add", argc, argv, valued, NULL, &o) || o.npos != 1 ||
        !need("site add", &o, required)) {
        fprintf(stderr, "usage: server site add ID --name NAME --city CODE --district CODE "
                        "--street CODE [--timezone Asia/Shanghai]\n");
        return USAGE;
    }
    srv_site s = {0};
    if (!id_ok("site add", o.pos[0]) || !area_ok("--city", opt(&o, "--city")) ||
        !area_ok("--district", opt(&o, "--district")) || !area_ok("--street", opt(&o, "--street")))
        return USAGE;
    if (!*opt(&o, "--name") || strlen(opt(&o, "--name")) >= sizeof s.name) {
        fprintf(stderr, "server: site add: --name must be 1-127 bytes\n");
        return USAGE;
    }
    const char *zone = opt(&o, "--timezone") ? opt(&o, "--timezone") : "Asia/Shanghai";
    snprintf(s.site_id, sizeof s.site_id, "%s", o.pos[0]);
    snprintf(s.name, sizeof s.name, "%s", opt(&o, "--name"));
    snprintf(s.area.city, sizeof s.area.city, "%s", opt(&o, "--city"));
    snprintf(s.area.district, sizeof s.area.district, "%s", opt(&o, "--district"));
    snprintf(s.area.street, sizeof s.area.street, "%s", opt(&o, "--street"));
    snprintf(s.timezone, sizeof s.timezone, "%.*s", (int)sizeof s.timezone - 1, zone);
    char problem[300] = "";
    kiosk_rc rc = strlen(zone) >= sizeof s.timezone
                      ? KIOSK_ERR_INVALID
                      : srv_admin_site_new(st, &s, problem, sizeof problem);
    if (rc == KIOSK_ERR_INVALID && !problem[0])
        snprintf(problem, sizeof problem,
                 "--timezone '%.64s' is not a zone of the tz database (e.g. Asia/Shanghai)", zone);
    if (rc == KIOSK_ERR_INVALID) {
        fprintf(stderr, "server: site add: %s\n", problem);
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "site add", rc);
    printf("site %s added: %s, area %s/%s/%s, %s\n", s.site_id, s.name, s.area.city,
           s.area.district, s.area.street, s.timezone);
    return DONE;
}

/* A new enrollment token for a device that is not enrolled yet: only its hash is stored. */
static kiosk_rc issue_token(srv_store *st, const char *device_id, int64_t ttl_s,
                            char token[SRV_TOKEN_MAX], int64_t *expires_ms)
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, SRV_TOKEN_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    srv_token t = {.created_ms = kiosk_clock_now_ms()};
    srv_sha256_hex(token, strlen(token), t.token_sha256);
    snprintf(t.device_id, sizeof t.device_id, "%s", device_id);
    t.expires_ms = t.created_ms + ttl_s * 1000;
    *expires_ms = t.expires_ms;
    return srv_store_token_add(st, &t);
}

kiosk_rc srv_admin_kiosk_new(srv_store *st, const char *device_id, const char *site_id,
                             const char *canteen_id, int64_t ttl_s, char token[SRV_TOKEN_MAX],
                             int64_t *expires_ms, char *problem, size_t size)
{
    const char *const what[] = {"device id", "site id", "canteen id"};
    const char *const id[] = {device_id, site_id, canteen_id};
    for (int i = 0; i < 3; i++) {
        if (!srv_id_valid(id[i])) {
            snprintf(problem, size, "%s '%.40s' must be 1-39 of A-Z a-z 0-9 _ -", what[i], id[i]);
            return KIOSK_ERR_INVALID;
        }
    }
    srv_device d = {0};
    snprintf(d.device_id, sizeof d.device_id, "%s", device_id);
    snprintf(d.site_id, sizeof d.site_id, "%s", site_id);
    snprintf(d.canteen_id, sizeof d.canteen_id, "%s", canteen_id);
    d.created_ms = kiosk_clock_now_ms();
    problem[0] = '\0';
    srv_site site;
    srv_device have;
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK)
        rc = srv_store_site_get(st, d.site_id, &site);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        snprintf(problem, size, "no site %s (server site add ...)", d.site_id);
        rc = KIOSK_ERR_INVALID;
    }
    if (rc == KIOSK_OK) {
        rc = srv_store_device_get(st, d.device_id, &have);
        if (rc == KIOSK_ERR_NOT_FOUND) {
            rc = srv_store_device_add(st, &d);
        } else if (rc == KIOSK_OK && (have.enrolled_ms || have.revoked_ms)) {
            /* Its sequence numbers are taken: a kiosk that lost its database starts again at
             * 1, and would find every number held. A new device id is a fresh start. */
            snprintf(problem, size,
                     "kiosk %s is %s; a kiosk set up again (new database) gets a new device id",
                     d.device_id, have.revoked_ms ? "revoked" : "enrolled already");
            rc = KIOSK_ERR_INVALID;
        } else if (rc == KIOSK_OK && (strcmp(have.site_id, d.site_id) != 0 ||
                                      strcmp(have.canteen_id, d.canteen_id) != 0)) {
            snprintf(problem, size, "kiosk %s waits for enrollment at site %s, canteen %s already",
                     d.device_id, have.site_id, have.canteen_id);
            rc = KIOSK_ERR_INVALID;
        }
        sodium_memzero(&have, sizeof have);
    }
    if (rc == KIOSK_OK)
        rc = issue_token(st, d.device_id, ttl_s, token, expires_ms);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    return rc;
}

static int kiosk_add(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--site", "--canteen", "--expires-in", NULL};
    static const char *const required[] = {"--site", "--canteen", NULL};
    opts o;
    if (!parse_opts("kiosk add", argc, argv, valued, NULL, &o) || o.npos != 1 ||
        !need("kiosk add", &o, required)) {
        fprintf(stderr, "usage: server kiosk add DEVICE_ID --site ID --canteen CANTEEN_ID "
                        "[--expires-in SECONDS]\n");
        return USAGE;
    }
    if (!id_ok("kiosk add", o.pos[0]) || !id_ok("--site", opt(&o, "--site")) ||
        !id_ok("--canteen", opt(&o, "--canteen")))
        return USAGE;
    long ttl = TOKEN_TTL_DEFAULT_S;
    if (opt(&o, "--expires-in")) {
        char *end;
        ttl = strtol(opt(&o, "--expires-in"), &end, 10);
        if (*end || ttl < 1 || ttl > 30L * 24 * 3600) {
            fprintf(stderr, "server: kiosk add: --expires-in must be 1..2592000 seconds\n");
            return USAGE;
        }
    }
    char token[SRV_TOKEN_MAX] = "", problem[200] = "";
    int64_t expires = 0;
    kiosk_rc rc = srv_admin_kiosk_new(st, o.pos[0], opt(&o, "--site"), opt(&o, "--canteen"), ttl,
                                      token, &expires, problem, sizeof problem);
    if (rc == KIOSK_ERR_INVALID) {
        fprintf(stderr, "server: kiosk add: %s\n", problem);
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "kiosk add", rc);
    srv_device d;
    snprintf(d.device_id, sizeof d.device_id, "%s", o.pos[0]);
    snprintf(d.site_id, sizeof d.site_id, "%s", opt(&o, "--site"));
    snprintf(d.canteen_id, sizeof d.canteen_id, "%s", opt(&o, "--canteen"));
    char until[KIOSK_CLOCK_TEXT_SIZE];
    kiosk_clock_format_local(expires, until);
    fprintf(stderr,
            "kiosk %s (site %s, canteen %s): enrollment token, usable once, valid until %s:\n",
            d.device_id, d.site_id, d.canteen_id, until);
    printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return DONE;
}

static int kiosk_revoke(srv_store *st, int argc, char **argv)
{
    opts o;
    if (!parse_opts("kiosk revoke", argc, argv, NULL, NULL, &o) || o.npos != 1) {
        fprintf(stderr, "usage: server kiosk revoke DEVICE_ID\n");
        return USAGE;
    }
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc == KIOSK_OK) {
        rc = srv_store_device_revoke(st, o.pos[0], kiosk_clock_now_ms());
        if (rc == KIOSK_OK)
            rc = srv_store_commit(st);
        else
            srv_store_rollback(st);
    }
    if (rc == KIOSK_ERR_NOT_FOUND || rc == KIOSK_ERR_INVALID) {
        fprintf(stderr, "server: kiosk revoke: %s %s\n", o.pos[0],
                rc == KIOSK_ERR_NOT_FOUND ? "is not a kiosk of this server" : "is revoked already");
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "kiosk revoke", rc);
    printf("kiosk %s revoked: its requests are refused (403) from now on\n", o.pos[0]);
    return DONE;
}

typedef struct kiosk_walk {
    srv_store *st;
    long count;
} kiosk_walk;

static void print_ms_or_dash(int64_t ms, bool known)
{
    char t[KIOSK_CLOCK_TEXT_SIZE];
    if (!known) {
        printf("\t-");
        return;
    }
    kiosk_clock_format_local(ms, t);
    printf("\t%s", t);
}

static kiosk_rc print_kiosk(void *user, const srv_device *d)
{
    kiosk_walk *w = user;
    srv_ingest ranges = {0};
    kiosk_rc rc = srv_ingest_ranges(w->st, d->device_id, &ranges);
    if (rc != KIOSK_OK)
        return rc;
    long long missing = 0;
    for (size_t i = 0; i < ranges.gap_count; i++)
        missing += ranges.gaps[i][1] - ranges.gaps[i][0] + 1;
    printf("%s\t%s\t%s\t%s", d->device_id, d->site_id, d->canteen_id,
           d->revoked_ms    ? "revoked"
           : d->enrolled_ms ? "enrolled"
                            : "waiting_enrollment");
    print_ms_or_dash(d->hb_received_ms, d->hb_received_ms != 0);
    if (d->hb_pending >= 0)
        printf("\t%lld", (long long)d->hb_pending);
    else
        printf("\t-");
    print_ms_or_dash(d->hb_oldest_pending_ms, d->hb_oldest_pending_ms >= 0);
    if (d->hb_has_clock_offset)
        printf("\t%lld", (long long)d->hb_clock_offset_ms);
    else
        printf("\t-");
    printf("\t%lld\t%lld%s\t%s\n", (long long)ranges.high_water, missing,
           ranges.gaps_truncated ? "+" : "", d->hb_app_version[0] ? d->hb_app_version : "-");
    srv_ingest_cleanup(&ranges);
    w->count++;
    return KIOSK_OK;
}

static int kiosks(srv_store *st, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fprintf(stderr, "usage: server kiosks\n");
        return USAGE;
    }
    printf("device_id\tsite_id\tcanteen_id\tstate\tlast_heartbeat\tpending\toldest_pending\t"
           "clock_offset_ms\thigh_water\tmissing\tapp_version\n");
    kiosk_walk w = {.st = st};
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        rc = srv_store_device_list(st, print_kiosk, &w);
        srv_store_rollback(st);
    }
    return rc == KIOSK_OK ? DONE : storage_failed(st, "kiosks", rc);
}

/* --- imports ------------------------------------------------------------------------------- */

static bool site_exists(srv_store *st, const char *site_id, srv_site *out)
{
    kiosk_rc rc = srv_store_site_get(st, site_id, out);
    if (rc == KIOSK_OK)
        return true;
    if (rc == KIOSK_ERR_NOT_FOUND)
        fprintf(stderr, "server: no site %s (server site add ...)\n", site_id);
    else
        storage_failed(st, "site", rc);
    return false;
}

void srv_admin_roster_report(FILE *out, const char *path, const char *site_id,
                             const srv_roster_report *r)
{
    bool full = r->mode == KIOSK_ROSTER_MODE_FULL;
    fprintf(out, "%s: %s import for site %s: %ld rows, %ld persons, %ld cards\n", path,
            kiosk_roster_mode_name(r->mode), site_id, r->rows, r->persons, r->cards);
    fprintf(out, "persons: %ld added, %ld changed, %ld unchanged", r->persons_added,
            r->persons_changed, r->persons_unchanged);
    if (full)
        fprintf(out, ", %ld made inactive (not in the file)", r->persons_inactivated);
    fprintf(out,
            "\ncards: %ld added, %ld moved, %ld blocked, %ld otherwise changed, %ld unchanged\n",
            r->cards_added, r->cards_moved, r->cards_blocked, r->cards_changed, r->cards_unchanged);
    if (r->duplicate_rows) {
        fprintf(out, "duplicate rows, counted once: %ld (", r->duplicate_rows);
        long named = r->duplicate_rows < SRV_ROSTER_DUPLICATES_NAMED ? r->duplicate_rows
                                                                     : SRV_ROSTER_DUPLICATES_NAMED;
        for (long i = 0; i < named; i++)
            fprintf(out, "%sline %zu repeats line %zu", i ? ", " : "", r->duplicate_line[i],
                    r->duplicate_of[i]);
        if (r->duplicate_rows > named)
            fprintf(out, ", and %ld more", r->duplicate_rows - named);
        fprintf(out, ")\n");
    }
    fprintf(out, "stream rows written: %ld\n", r->versions);
}

static int import_roster(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--site", "--mode", NULL};
    static const char *const required[] = {"--site", "--mode", NULL};
    opts o;
    if (!parse_opts("import-roster", argc, argv, valued, NULL, &o) || o.npos != 1 ||
        !need("import-roster", &o, required)) {
        fprintf(stderr, "usage: server import-roster FILE --site ID --mode full|delta\n"
                        "  --mode full   the file is the site's whole roster: persons it leaves "
                        "out become inactive,\n"
                        "                cards it no longer lists for its persons are blocked\n"
                        "  --mode delta  only the persons and cards in the file change\n");
        return USAGE;
    }
    kiosk_roster_mode mode = kiosk_roster_mode_parse(opt(&o, "--mode"));
    if (mode == KIOSK_ROSTER_MODE_NONE) {
        fprintf(stderr, "server: import-roster: --mode is full or delta\n");
        return USAGE;
    }
    srv_site site;
    if (!site_exists(st, opt(&o, "--site"), &site))
        return USAGE;
    const char *path = o.pos[0];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "server: %s: %s\n", path, strerror(errno));
        return FAILED;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        fprintf(stderr, "server: %s: is a folder, not a file; give the roster's CSV file\n", path);
        return USAGE;
    }
    srv_roster_report report;
    char err[300] = "";
    int64_t now = kiosk_clock_now_ms();
    kiosk_rc rc = srv_roster_import(st, site.site_id, f, srv_zone_date(site.timezone, now), mode,
                                    now, &report, err, sizeof err);
    fclose(f);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: %s: %s; nothing was imported\n", path, err);
        return rc == KIOSK_ERR_PARSE ? USAGE : FAILED;
    }
    srv_admin_roster_report(stdout, path, site.site_id, &report);
    return DONE;
}

static int roster_remove(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--site", NULL};
    static const char *const required[] = {"--site", NULL};
    opts o;
    if (!parse_opts("roster remove", argc, argv, valued, NULL, &o) || o.npos != 1 ||
        !need("roster remove", &o, required)) {
        fprintf(stderr, "usage: server roster remove PERSON_ID --site ID\n");
        return USAGE;
    }
    srv_site site;
    if (!site_exists(st, opt(&o, "--site"), &site))
        return USAGE;
    long cards = 0;
    kiosk_rc rc = srv_roster_remove(st, site.site_id, o.pos[0], kiosk_clock_now_ms(), &cards);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        fprintf(stderr, "server: roster remove: no person %.40s on the roster of site %s\n",
                o.pos[0], site.site_id);
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "roster remove", rc);
    printf("person %s removed from site %s with %ld card(s); kiosks delete them at their next "
           "pull\n",
           o.pos[0], site.site_id, cards);
    return DONE;
}

static int import_policy(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--site", NULL};
    opts o;
    if (!parse_opts("import-policy", argc, argv, valued, NULL, &o) || o.npos != 1) {
        fprintf(stderr, "usage: server import-policy FILE [--site ID]  (without --site: for "
                        "every site)\n");
        return USAGE;
    }
    const char *site_id = opt(&o, "--site") ? opt(&o, "--site") : SRV_ANY_SITE;
    FILE *f = fopen(o.pos[0], "rb");
    if (!f) {
        fprintf(stderr, "server: %s: %s\n", o.pos[0], strerror(errno));
        return FAILED;
    }
    char *buf = malloc(POLICY_FILE_MAX + 1);
    size_t len = buf ? fread(buf, 1, POLICY_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || len > POLICY_FILE_MAX) {
        fprintf(stderr, "server: %s: %s\n", o.pos[0], buf ? "larger than 1 MiB" : "out of memory");
        free(buf);
        return USAGE;
    }
    srv_policy_result res;
    char err[300] = "";
    kiosk_rc rc =
        srv_policy_import(st, site_id, buf, len, kiosk_clock_now_ms(), &res, err, sizeof err);
    free(buf);
    if (rc == KIOSK_ERR_PARSE || rc == KIOSK_ERR_INVALID || rc == KIOSK_ERR_NOT_FOUND) {
        fprintf(stderr, "server: %s: %s; nothing was imported\n", o.pos[0], err);
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "import-policy", rc);
    const char *scope = strcmp(site_id, SRV_ANY_SITE) == 0 ? "every site" : site_id;
    if (res.changed)
        printf("policy %s (effective from %s) stored for %s\n", res.version, res.effective_from,
               scope);
    else
        printf("policy %s (effective from %s) for %s: unchanged\n", res.version, res.effective_from,
               scope);
    return DONE;
}

/* --- settlement, review, streams ----------------------------------------------------------- */

static int settlement(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--month", "--site", "--output", NULL};
    static const char *const flags[] = {"--meals", NULL};
    static const char *const required[] = {"--month", NULL};
    opts o;
    if (!parse_opts("settlement", argc, argv, valued, flags, &o) || o.npos != 0 ||
        !need("settlement", &o, required)) {
        fprintf(stderr, "usage: server settlement --month YYYY-MM [--site ID] [--meals] "
                        "[--output FILE]\n");
        return USAGE;
    }
    srv_site site;
    const char *site_id = opt(&o, "--site");
    if (site_id && !site_exists(st, site_id, &site))
        return USAGE;
    const char *path = opt(&o, "--output");
    char part[4096];
    FILE *out = stdout;
    if (path) {
        /* Written next to the output and renamed into place: a failed run leaves no half file. */
        snprintf(part, sizeof part, "%s.part", path);
        out = fopen(part, "wb");
        if (!out) {
            fprintf(stderr, "server: %s: %s\n", part, strerror(errno));
            return FAILED;
        }
    }
    char err[300] = "";
    kiosk_rc rc =
        opt(&o, "--meals")
            ? srv_settlement_meals(st, opt(&o, "--month"), site_id, out, err, sizeof err)
            : srv_settlement_totals(st, opt(&o, "--month"), site_id, out, err, sizeof err);
    if (path) {
        if (fflush(out) != 0 || ferror(out))
            rc = rc == KIOSK_OK ? KIOSK_ERR_IO : rc;
        fclose(out);
        if (rc == KIOSK_OK && rename(part, path) != 0)
            rc = KIOSK_ERR_IO;
        if (rc != KIOSK_OK)
            remove(part);
    }
    if (rc == KIOSK_ERR_INVALID) {
        fprintf(stderr, "server: settlement: %s\n", err);
        return USAGE;
    }
    if (rc != KIOSK_OK) {
        if (err[0])
            fprintf(stderr, "server: settlement: %s\n", err);
        return storage_failed(st, "settlement", rc);
    }
    return DONE;
}

static int review(srv_store *st, int argc, char **argv)
{
    static const char *const flags[] = {"--all", NULL};
    opts o;
    if (!parse_opts("review", argc, argv, NULL, flags, &o) || o.npos < 1 ||
        (strcmp(o.pos[0], "list") == 0                                       ? o.npos != 1
         : strcmp(o.pos[0], "accept") == 0 || strcmp(o.pos[0], "waive") == 0 ? o.npos != 2
                                                                             : true)) {
        fprintf(stderr, "usage: server review list [--all] | review accept CASE_ID | review "
                        "waive CASE_ID\n"
                        "  accept: the suspected second subsidy is paid after all\n"
                        "  waive:  it is not paid (held back for good)\n");
        return USAGE;
    }
    if (strcmp(o.pos[0], "list") == 0) {
        kiosk_rc rc = srv_review_list(st, opt(&o, "--all") != NULL, stdout);
        return rc == KIOSK_OK ? DONE : storage_failed(st, "review list", rc);
    }
    char *end;
    long long id = strtoll(o.pos[1], &end, 10);
    if (*end || id < 1) {
        fprintf(stderr, "server: review: '%.20s' is not a case id\n", o.pos[1]);
        return USAGE;
    }
    bool accept = strcmp(o.pos[0], "accept") == 0;
    long decided = 0;
    kiosk_rc rc = srv_review_decide(st, id, accept, kiosk_clock_now_ms(), &decided);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        fprintf(stderr, "server: review: no case %lld\n", id);
        return USAGE;
    }
    if (rc != KIOSK_OK)
        return storage_failed(st, "review", rc);
    printf("case %lld %s: %ld meal(s) %s\n", id, accept ? "accepted" : "waived", decided,
           accept ? "paid in settlement" : "held back from settlement");
    return DONE;
}

static int streams(srv_store *st, int argc, char **argv)
{
    static const char *const valued[] = {"--site", "--older-than-days", NULL};
    static const char *const required[] = {"--site", NULL};
    opts o;
    if (!parse_opts("streams", argc, argv, valued, NULL, &o) || o.npos != 1 ||
        strcmp(o.pos[0], "expire") != 0 || !need("streams expire", &o, required)) {
        fprintf(stderr, "usage: server streams expire --site ID [--older-than-days N]\n"
                        "  drops the site's tombstones (all of them unless --older-than-days): "
                        "kiosks whose cursor\n  is older get 410 and load a snapshot. --site '*' "
                        "is the city-wide policy rows.\n");
        return USAGE;
    }
    const char *site_id = opt(&o, "--site");
    srv_site site;
    if (strcmp(site_id, SRV_ANY_SITE) != 0 && !site_exists(st, site_id, &site))
        return USAGE;
    long days = 0;
    if (opt(&o, "--older-than-days")) {
        char *end;
        days = strtol(opt(&o, "--older-than-days"), &end, 10);
        if (*end || days < 0 || days > 36500) {
            fprintf(stderr, "server: streams expire: --older-than-days must be 0..36500\n");
            return USAGE;
        }
    }
    int64_t now = kiosk_clock_now_ms();
    long dropped = 0;
    kiosk_rc rc = srv_streams_expire(st, site_id, now - days * 86400000LL, &dropped);
    if (rc != KIOSK_OK)
        return storage_failed(st, "streams expire", rc);
    printf("site %s: %ld tombstone(s) dropped\n", site_id, dropped);
    return DONE;
}

static int card_key(srv_store *st, int argc, char **argv)
{
    (void)argv;
    if (argc) {
        fprintf(stderr, "usage: server card-key\n");
        return USAGE;
    }
    uint8_t key[32];
    char hex[SRV_HEX32];
    kiosk_rc rc = srv_store_card_key(st, key);
    if (rc != KIOSK_OK)
        return storage_failed(st, "card-key", rc);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    printf("%s\n", hex);
    sodium_memzero(key, sizeof key);
    sodium_memzero(hex, sizeof hex);
    return DONE;
}

/* --- dispatch ------------------------------------------------------------------------------ */

typedef int (*command_fn)(srv_store *st, int argc, char **argv);

static const struct command {
    const char *word, *sub;
    command_fn fn;
} commands[] = {
    {"site", "add", site_add},
    {"kiosk", "add", kiosk_add},
    {"kiosk", "revoke", kiosk_revoke},
    {"kiosks", NULL, kiosks},
    {"import-roster", NULL, import_roster},
    {"import-policy", NULL, import_policy},
    {"import-appointments", NULL, srv_admin_import_appointments},
    {"import-calendar", NULL, srv_admin_import_calendar},
    {"roster", "remove", roster_remove},
    {"settlement", NULL, settlement},
    {"review", NULL, review},
    {"streams", NULL, streams},
    {"card-key", NULL, card_key},
    {"admin-user", "add", srv_admin_user_command},
    {"fleet", NULL, srv_fleet_command},
    {"config-key", NULL, srv_config_key_command},
    {"config", "set", srv_config_set_command},
    {"audit-breaks", NULL, srv_staff_audit_command},
    {"alerts", NULL, srv_help_alerts_command},
    {"import-staff", NULL, srv_staff_import_command},
};

int srv_admin_run(const char *db_spec, int argc, char **argv, int *known)
{
    const struct command *cmd = NULL;
    *known = 0;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(argv[0], commands[i].word) != 0)
            continue;
        *known = 1;
        if (!commands[i].sub || (argc > 1 && strcmp(argv[1], commands[i].sub) == 0))
            cmd = &commands[i];
    }
    if (!*known)
        return USAGE;
    if (!cmd) {
        fprintf(stderr, "server: %s: expected one of:", argv[0]);
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (strcmp(argv[0], commands[i].word) == 0)
                fprintf(stderr, " %s", commands[i].sub ? commands[i].sub : "");
        fprintf(stderr, "\n");
        return USAGE;
    }
    if (!db_spec) {
        fprintf(stderr, "server: %s: give the database with --db FILE or --pg CONNINFO\n", argv[0]);
        return USAGE;
    }
    srv_store *st = NULL;
    char err[300];
    if (srv_store_open(db_spec, &st, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "server: cannot open the database: %s\n", err);
        return FAILED;
    }
    int skip = cmd->sub ? 2 : 1;
    int status = cmd->fn(st, argc - skip, argv + skip);
    srv_store_close(st);
    return status;
}
