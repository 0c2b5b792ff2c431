/* config.c - one table of keys drives the INI reader and the defaults; device sections and the
 * mode are checked against the driver and flow registries. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "device.h"
#include "flow.h"
#include "hex.h"
#include "i18n.h" /* KIOSK_LANGUAGE_DEFAULT; main.c checks the language */
#include "utf8.h"

typedef enum key_type { KEY_STR, KEY_INT, KEY_DECIMAL, KEY_BOOL, KEY_LOGLEVEL, KEY_ZONE } key_type;

typedef struct key_spec {
    const char *section;
    const char *name;
    key_type type;
    size_t offset;
    size_t size;  /* KEY_STR: buffer size */
    int min, max; /* KEY_INT, KEY_DECIMAL */
} key_spec;

#define STR(sec, key, field)                                                                       \
    {                                                                                              \
        sec, key, KEY_STR, offsetof(kiosk_config, field), sizeof(((kiosk_config *)0)->field), 0, 0 \
    }
#define INT(sec, key, field, lo, hi)                                \
    {                                                               \
        sec, key, KEY_INT, offsetof(kiosk_config, field), 0, lo, hi \
    }
#define DECIMAL(sec, key, field, lo, hi)                                \
    {                                                                   \
        sec, key, KEY_DECIMAL, offsetof(kiosk_config, field), 0, lo, hi \
    }
#define BOOL(sec, key, field)                                      \
    {                                                              \
        sec, key, KEY_BOOL, offsetof(kiosk_config, field), 0, 0, 0 \
    }

static const key_spec keys[] = {
    STR("kiosk", "mode", mode),
    STR("kiosk", "kiosk_id", kiosk_id),
    STR("kiosk", "site_name", site_name),
    STR("kiosk", "canteen_id", site.canteen_id),
    STR("kiosk", "area_city", site.area.city),
    STR("kiosk", "area_district", site.area.district),
    STR("kiosk", "area_street", site.area.street),
    STR("kiosk", "database", database),
    {"kiosk", "timezone", KEY_ZONE, offsetof(kiosk_config, timezone),
     sizeof(((kiosk_config *)0)->timezone), 0, 0},
    STR("kiosk", "card_key", card_key_hex),
    STR("kiosk", "language", language),
    STR("kiosk", "locale_dir", locale_dir),
    INT("display", "width", width, 0, 16384),
    INT("display", "height", height, 0, 16384),
    BOOL("display", "headless", headless),
    STR("display", "screenshot_dir", screenshot_dir),
    STR("display", "font_dir", font_dir),
    STR("display", "reader_position", reader_position),
    INT("display", "rotate", rotate, 0, 270),
    STR("display", "drm_device", drm_device),
    STR("display", "signal_shot", signal_shot),
    DECIMAL("display", "diagonal_in", diagonal_in, 5, 100),
    INT("display", "viewing_cm", viewing_cm, 20, 300),
    BOOL("voice", "enabled", voice_enabled),
    INT("voice", "volume", volume, 0, 100),
    STR("voice", "dir", voice_dir),
    INT("timing", "result_seconds", result_seconds, 1, 600),
    INT("timing", "repeat_tap_seconds", repeat_tap_seconds, 0, 600),
    {"log", "level", KEY_LOGLEVEL, offsetof(kiosk_config, log_level), 0, 0, 0},
    BOOL("log", "syslog", log_syslog),
    STR("log", "events", events),
};

#ifndef KIOSK_DATA_DIR
#define KIOSK_DATA_DIR "."
#endif
#ifndef KIOSK_LOCALE_DIR
#define KIOSK_LOCALE_DIR "locale"
#endif

void kiosk_config_defaults(kiosk_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->mode, sizeof cfg->mode, "canteen");
    snprintf(cfg->kiosk_id, sizeof cfg->kiosk_id, "kiosk-01");
    snprintf(cfg->site_name, sizeof cfg->site_name, "社区长者食堂");
    snprintf(cfg->site.canteen_id, sizeof cfg->site.canteen_id, "canteen-01");
    snprintf(cfg->database, sizeof cfg->database, "kiosk.db");
    snprintf(cfg->timezone, sizeof cfg->timezone, "Asia/Shanghai");
    snprintf(cfg->font_dir, sizeof cfg->font_dir, "%s/fonts", KIOSK_DATA_DIR);
    snprintf(cfg->voice_dir, sizeof cfg->voice_dir, "%s/assets/voice", KIOSK_DATA_DIR);
    snprintf(cfg->language, sizeof cfg->language, "%s", KIOSK_LANGUAGE_DEFAULT);
    snprintf(cfg->locale_dir, sizeof cfg->locale_dir, "%s", KIOSK_LOCALE_DIR);
    snprintf(cfg->reader_position, sizeof cfg->reader_position, "bottom");
    cfg->diagonal_in = 21.5;
    cfg->viewing_cm = 60;
    snprintf(cfg->devices[KIOSK_DEVICE_READER].spec, sizeof cfg->devices[0].spec, "sim:-");
    cfg->voice_enabled = true;
    cfg->volume = 80;
    cfg->result_seconds = 8;
    cfg->repeat_tap_seconds = 10;
    cfg->log_level = KIOSK_LOG_INFO;
    kiosk_sync_config_defaults(&cfg->sync);
}

#define SEEN_KEYS_MAX 256

typedef struct load_state {
    kiosk_config *cfg;
    char problem[256];
    /* "section.key" of every key read so far: a key given twice is an error, not a silent
     * "the last one wins" that nobody reading the file would guess. */
    char seen[SEEN_KEYS_MAX][96];
    size_t seen_count;
} load_state;

static bool set_value(kiosk_config *cfg, const key_spec *k, const char *value, char *problem,
                      size_t problem_size)
{
    char *field = (char *)cfg + k->offset;
    switch (k->type) {
    case KEY_STR:
        if (strlen(value) >= k->size) {
            snprintf(problem, problem_size, "%s is longer than %zu bytes", k->name, k->size - 1);
            return false;
        }
        memcpy(field, value, strlen(value) + 1);
        return true;
    case KEY_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (!*value || *end || errno || v < k->min || v > k->max) {
            snprintf(problem, problem_size, "%s must be an integer from %d to %d, not '%s'",
                     k->name, k->min, k->max, value);
            return false;
        }
        *(int *)(void *)field = (int)v;
        return true;
    }
    case KEY_DECIMAL: {
        /* Digits, then perhaps a point and more digits: no exponent, sign, hex or "inf" that
         * strtod would take. */
        char *end;
        size_t digits = strspn(value, "0123456789");
        const char *fraction = value + digits + 1;
        bool plain = digits > 0 && (!value[digits] || (value[digits] == '.' && *fraction &&
                                                       strspn(fraction, "0123456789") ==
                                                           strlen(fraction)));
        double v = plain ? strtod(value, &end) : 0;
        if (!plain || *end || v < k->min || v > k->max) {
            snprintf(problem, problem_size, "%s must be a number from %d to %d (such as 21.5), not '%s'",
                     k->name, k->min, k->max, value);
            return false;
        }
        *(double *)(void *)field = v;
        return true;
    }
    case KEY_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0) {
            *(bool *)(void *)field = true;
        } else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
                   strcmp(value, "0") == 0) {
            *(bool *)(void *)field = false;
        } else {
            snprintf(problem, problem_size, "%s must be true or false, not '%s'", k->name, value);
            return false;
        }
        return true;
    case KEY_ZONE:
        if (strlen(value) >= k->size || !kiosk_clock_zone_exists(value)) {
            snprintf(problem, problem_size,
                     "timezone '%s' is not a time zone of this system (a name such as "
                     "Asia/Shanghai; see /usr/share/zoneinfo)",
                     value);
            return false;
        }
        memcpy(field, value, strlen(value) + 1);
        return true;
    case KEY_LOGLEVEL:
        if (!kiosk_log_level_parse(value, &cfg->log_level)) {
            snprintf(problem, problem_size, "level must be error, warn, info or debug, not '%s'",
                     value);
            return false;
        }
        return true;
    }
    return false;
}

static const char *const device_sections[KIOSK_DEVICE_ROLE_COUNT] = {"reader", "idcard",
                                                                       "printer"};

kiosk_settings kiosk_config_flow_settings(const kiosk_config *cfg, const char *flow,
                                          kiosk_setting items[KIOSK_FLOW_SECTION_KEYS])
{
    for (size_t i = 0; i < cfg->flow_section_count; i++) {
        const kiosk_ini_section *f = &cfg->flow_sections[i];
        if (strcmp(f->name, flow) != 0)
            continue;
        for (size_t k = 0; k < f->count; k++)
            items[k] = (kiosk_setting){f->items[k].key, f->items[k].value};
        return (kiosk_settings){items, f->count};
    }
    return (kiosk_settings){items, 0};
}

const char *kiosk_config_device_section(kiosk_device_role role)
{
    return (unsigned)role < KIOSK_DEVICE_ROLE_COUNT ? device_sections[role] : "";
}

/* A key of a device section: `device` is the driver spec, anything else the driver's option
 * (the driver checks it in kiosk_config_validate). */
static bool set_device_value(kiosk_device_config *d, const char *name, const char *value,
                             char *problem, size_t problem_size)
{
    if (strcmp(name, "device") == 0) {
        if (strlen(value) >= sizeof d->spec) {
            snprintf(problem, problem_size, "device is longer than %zu bytes", sizeof d->spec - 1);
            return false;
        }
        snprintf(d->spec, sizeof d->spec, "%s", value);
        return true;
    }
    if (d->option_count == KIOSK_DEVICE_OPTIONS || strlen(name) >= sizeof d->options[0].key ||
        strlen(value) >= sizeof d->options[0].value) {
        snprintf(problem, problem_size, "%s: too many or too long device options", name);
        return false;
    }
    snprintf(d->options[d->option_count].key, sizeof d->options[0].key, "%s", name);
    snprintf(d->options[d->option_count].value, sizeof d->options[0].value, "%s", value);
    d->option_count++;
    return true;
}

/* A key of a flow's own section ([canteen]): kept as written; the flow checks it
 * (kiosk_config_validate). */
static bool set_flow_value(kiosk_config *cfg, const char *section, const char *name,
                           const char *value, char *problem, size_t problem_size)
{
    kiosk_ini_section *f = NULL;
    for (size_t i = 0; i < cfg->flow_section_count && !f; i++)
        if (strcmp(cfg->flow_sections[i].name, section) == 0)
            f = &cfg->flow_sections[i];
    if (!f && cfg->flow_section_count < KIOSK_FLOW_SECTIONS) {
        f = &cfg->flow_sections[cfg->flow_section_count++];
        snprintf(f->name, sizeof f->name, "%s", section);
    }
    if (!f || f->count == KIOSK_FLOW_SECTION_KEYS || strlen(name) >= sizeof f->items[0].key ||
        strlen(value) >= sizeof f->items[0].value) {
        snprintf(problem, problem_size, "%s: too many or too long settings in [%s]", name,
                 section);
        return false;
    }
    snprintf(f->items[f->count].key, sizeof f->items[0].key, "%s", name);
    snprintf(f->items[f->count].value, sizeof f->items[0].value, "%s", value);
    f->count++;
    return true;
}

static int on_ini_value(void *user, const char *section, const char *name, const char *value)
{
    load_state *st = user;
    if (!kiosk_utf8_valid(section, strlen(section)) || !kiosk_utf8_valid(name, strlen(name)) ||
        !kiosk_utf8_valid(value, strlen(value))) {
        snprintf(st->problem, sizeof st->problem,
                 "not UTF-8 text (save the file as UTF-8, not GBK or another encoding)");
        return 0;
    }
    char full[96];
    snprintf(full, sizeof full, "%s.%s", section, name);
    for (size_t i = 0; i < st->seen_count; i++)
        if (strcmp(st->seen[i], full) == 0) {
            snprintf(st->problem, sizeof st->problem, "'%s' in section [%s] is given twice", name,
                     section);
            return 0;
        }
    if (st->seen_count < SEEN_KEYS_MAX)
        snprintf(st->seen[st->seen_count++], sizeof st->seen[0], "%s", full);
    if (kiosk_flow_find(section))
        return set_flow_value(st->cfg, section, name, value, st->problem, sizeof st->problem);
    if (strcmp(section, "sync") == 0)
        return kiosk_sync_config_set(&st->cfg->sync, name, value, st->problem, sizeof st->problem);
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++)
        if (strcmp(section, device_sections[role]) == 0)
            return set_device_value(&st->cfg->devices[role], name, value, st->problem,
                                    sizeof st->problem);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            return set_value(st->cfg, &keys[i], value, st->problem, sizeof st->problem) ? 1 : 0;
    }
    snprintf(st->problem, sizeof st->problem, "unknown key '%s' in section [%s]", name, section);
    return 0;
}

kiosk_rc kiosk_config_load(kiosk_config *cfg, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return KIOSK_ERR_CONFIG;
    }
    load_state *st = calloc(1, sizeof *st); /* the seen keys make it large for the stack */
    if (!st) {
        fclose(f);
        snprintf(err, err_size, "%s: out of memory", path);
        return KIOSK_ERR_CONFIG;
    }
    st->cfg = cfg;
    int line = ini_parse_file(f, on_ini_value, st);
    fclose(f);
    kiosk_rc rc = KIOSK_OK;
    if (line != 0) {
        snprintf(err, err_size, "%s:%d: %s", path, line,
                 st->problem[0] ? st->problem
                                : "syntax error (expected [section] or key = value)");
        rc = KIOSK_ERR_CONFIG;
    }
    /* The [sync] section as a whole (a key it lacks has no line to name). */
    char problem[300];
    if (rc == KIOSK_OK &&
        kiosk_sync_config_check(&cfg->sync, problem, sizeof problem) != KIOSK_OK) {
        snprintf(err, err_size, "%s: %s", path, problem);
        rc = KIOSK_ERR_CONFIG;
    }
    free(st);
    return rc;
}

const char *kiosk_config_usage(void)
{
    return "usage: kiosk [options]\n"
           "\n"
           "Runs the civil-affairs service kiosk (canteen meal assistance or marriage check-in).\n"
           "\n"
           "  --config PATH         read settings from an INI file (see demo/kiosk.ini)\n"
           "  --headless            render offscreen (no display needed)\n"
           "  --reader SPEC         card reader: sim:- (stdin), sim:PATH (FIFO), ...\n"
           "  --idcard SPEC         certified ID-card reader (none by default)\n"
           "  --printer SPEC        ticket and receipt printer (none by default)\n"
           "  --list-devices        show the configured devices and every driver, and exit\n"
           "  --commands -|PATH     also read sim commands (time, press, shot, wait, quit) from\n"
           "                        standard input or a FIFO, beside the real devices (tests)\n"
           "  --events PATH         append one JSON line per outcome to PATH\n"
           "  --db PATH             local database file\n"
           "  --size WxH            window size instead of full screen\n"
           "  --mode MODE           the kiosk's mode: canteen, marriage or board\n"
           "  --screenshot-dir DIR  headless: save each new screen as a PNG in DIR\n"
           "  --log-level LEVEL     error, warn, info or debug\n"
           "  --no-voice            do not speak\n"
           "  --import-roster CSV   import a card-holder roster into the database and exit;\n"
           "                        needs --mode full (the file is the whole roster) or\n"
           "                        --mode delta (only its rows change), see docs/roster.md\n"
           "  --import-policy JSON  add a subsidy policy version to the database and exit\n"
           "  --import-appointments CSV  load a marriage hall's appointments (all rows or\n"
           "                        none, docs/marriage.md) and exit\n"
           "  --import-calendar CSV load the working-day calendar (statutory holidays and\n"
           "                        make-up working days, docs/marriage.md) and exit\n"
           "  --day-report PERIOD   print the totals per meal, class, canteen and funding level\n"
           "                        and exit; PERIOD is 'today', YYYY-MM-DD, YYYY-MM, YYYY-Qn\n"
           "                        or FROM..TO (two dates)\n"
           "  --export PERIOD       write the meal records of PERIOD as settlement CSV to\n"
           "                        --output PATH (or stdout) and exit\n"
           "  --import-staff CSV    load the staff roster (the whole list, docs/staff.md) and exit\n"
           "  --hash-pin            read a staff PIN (4-8 digits) from standard input and print\n"
           "                        its argon2id hash for the staff roster, and exit\n"
           "  --audit-verify        check the staff audit log's hash chain; exit 1 naming the\n"
           "                        first bad entry when it is broken\n"
           "  --enroll TOKEN        enroll this kiosk with the central server of [sync] using\n"
           "                        the one-time token from `server kiosk add`, and exit\n"
           "  --help                show this text\n"
           "  --version             show the version\n"
           "\n"
           "Exit status: 0 ok, 1 runtime failure, 2 bad configuration or usage, 3 damaged database "
           "that\n"
           "could not be set aside.\n";
}

static kiosk_rc bad_flag(char *err, size_t err_size, const char *flag, const char *problem)
{
    snprintf(err, err_size, "%s: %s (see --help)", flag, problem);
    return KIOSK_ERR_CONFIG;
}

static kiosk_rc copy_arg(char *dst, size_t size, const char *flag, const char *value, char *err,
                         size_t err_size)
{
    if (strlen(value) >= size)
        return bad_flag(err, err_size, flag, "value too long");
    memcpy(dst, value, strlen(value) + 1);
    return KIOSK_OK;
}

kiosk_rc kiosk_config_from_args(kiosk_config *cfg, kiosk_cli *cli, int argc, char **argv, char *err,
                                size_t err_size)
{
    memset(cli, 0, sizeof *cli);
    kiosk_config_defaults(cfg);
    /* The file first, so flags override it wherever they appear. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc)
                return bad_flag(err, err_size, "--config", "needs a path");
            kiosk_rc rc = copy_arg(cli->config_path, sizeof cli->config_path, "--config",
                                   argv[i + 1], err, err_size);
            if (rc != KIOSK_OK)
                return rc;
            rc = kiosk_config_load(cfg, cli->config_path, err, err_size);
            if (rc != KIOSK_OK)
                return rc;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        kiosk_rc rc = KIOSK_OK;
        bool takes_value = true;
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            cli->action = KIOSK_ACTION_HELP;
            takes_value = false;
        } else if (strcmp(flag, "--version") == 0) {
            cli->action = KIOSK_ACTION_VERSION;
            takes_value = false;
        } else if (strcmp(flag, "--headless") == 0) {
            cfg->headless = true;
            takes_value = false;
        } else if (strcmp(flag, "--no-voice") == 0) {
            cfg->voice_enabled = false;
            takes_value = false;
        } else if (strcmp(flag, "--list-devices") == 0) {
            cli->action = KIOSK_ACTION_LIST_DEVICES;
            takes_value = false;
        } else if (strcmp(flag, "--hash-pin") == 0 || strcmp(flag, "--audit-verify") == 0) {
            cli->action = flag[2] == 'h' ? KIOSK_ACTION_HASH_PIN : KIOSK_ACTION_AUDIT_VERIFY;
            takes_value = false;
        } else if (!value) {
            return bad_flag(err, err_size, flag,
                            strncmp(flag, "--", 2) == 0 ? "unknown option or missing value"
                                                        : "unexpected argument");
        } else if (strcmp(flag, "--config") == 0) {
            /* applied above */
        } else if (strcmp(flag, "--reader") == 0 || strcmp(flag, "--idcard") == 0 ||
                   strcmp(flag, "--printer") == 0) {
            kiosk_device_role role = flag[2] == 'r'   ? KIOSK_DEVICE_READER
                                     : flag[2] == 'i' ? KIOSK_DEVICE_IDCARD
                                                      : KIOSK_DEVICE_PRINTER;
            rc = copy_arg(cfg->devices[role].spec, sizeof cfg->devices[role].spec, flag, value, err,
                          err_size);
        } else if (strcmp(flag, "--commands") == 0) {
            rc = copy_arg(cfg->commands, sizeof cfg->commands, flag, value, err, err_size);
        } else if (strcmp(flag, "--events") == 0) {
            rc = copy_arg(cfg->events, sizeof cfg->events, flag, value, err, err_size);
        } else if (strcmp(flag, "--db") == 0) {
            rc = copy_arg(cfg->database, sizeof cfg->database, flag, value, err, err_size);
        } else if (strcmp(flag, "--screenshot-dir") == 0) {
            rc = copy_arg(cfg->screenshot_dir, sizeof cfg->screenshot_dir, flag, value, err,
                          err_size);
        } else if (strcmp(flag, "--size") == 0) {
            int w, h;
            char tail;
            if (sscanf(value, "%dx%d%c", &w, &h, &tail) != 2 || w < 320 || h < 240 || w > 16384 ||
                h > 16384)
                return bad_flag(err, err_size, flag, "expected WIDTHxHEIGHT, e.g. 1280x800");
            cfg->width = w;
            cfg->height = h;
        } else if (strcmp(flag, "--mode") == 0) {
            /* full and delta say how --import-roster treats the stored roster; no flow has
             * those names, so the one flag serves both. */
            cli->roster_mode = kiosk_roster_mode_parse(value);
            if (cli->roster_mode == KIOSK_ROSTER_MODE_NONE)
                rc = copy_arg(cfg->mode, sizeof cfg->mode, flag, value, err, err_size);
        } else if (strcmp(flag, "--log-level") == 0) {
            if (!kiosk_log_level_parse(value, &cfg->log_level))
                return bad_flag(err, err_size, flag, "expected error, warn, info or debug");
        } else if (strcmp(flag, "--import-roster") == 0 || strcmp(flag, "--import-policy") == 0 ||
                   strcmp(flag, "--export") == 0 || strcmp(flag, "--day-report") == 0) {
            cli->action = strcmp(flag, "--import-roster") == 0   ? KIOSK_ACTION_IMPORT_ROSTER
                          : strcmp(flag, "--import-policy") == 0 ? KIOSK_ACTION_IMPORT_POLICY
                          : strcmp(flag, "--export") == 0        ? KIOSK_ACTION_EXPORT
                                                                 : KIOSK_ACTION_DAY_REPORT;
            rc = copy_arg(cli->action_arg, sizeof cli->action_arg, flag, value, err, err_size);
        } else if (strcmp(flag, "--import-staff") == 0) {
            cli->action = KIOSK_ACTION_IMPORT_STAFF;
            rc = copy_arg(cli->action_arg, sizeof cli->action_arg, flag, value, err, err_size);
        } else if (strcmp(flag, "--enroll") == 0) {
            cli->action = KIOSK_ACTION_ENROLL;
            rc = copy_arg(cli->action_arg, sizeof cli->action_arg, flag, value, err, err_size);
        } else if (strcmp(flag, "--import-appointments") == 0 ||
                   strcmp(flag, "--import-calendar") == 0) {
            cli->action = flag[9] == 'a' ? KIOSK_ACTION_IMPORT_APPOINTMENTS
                                          : KIOSK_ACTION_IMPORT_CALENDAR;
            rc = copy_arg(cli->action_arg, sizeof cli->action_arg, flag, value, err, err_size);
        } else if (strcmp(flag, "--output") == 0) {
            rc = copy_arg(cli->output, sizeof cli->output, flag, value, err, err_size);
        } else {
            return bad_flag(err, err_size, flag, "unknown option");
        }
        if (rc != KIOSK_OK)
            return rc;
        if (takes_value)
            i++;
    }
    if (cli->roster_mode != KIOSK_ROSTER_MODE_NONE && cli->action != KIOSK_ACTION_IMPORT_ROSTER)
        return bad_flag(err, err_size, "--mode", "full and delta go with --import-roster");
    /* The worker compares the database's card hashes with the city's key at enrollment. */
    snprintf(cfg->sync.card_key_hex, sizeof cfg->sync.card_key_hex, "%s", cfg->card_key_hex);
    return kiosk_config_validate(cfg, err, err_size);
}

kiosk_rc kiosk_config_validate(const kiosk_config *cfg, char *err, size_t err_size)
{
    const kiosk_flow_ops *mode = kiosk_flow_find(cfg->mode);
    if (!mode || !mode->base) {
        char known[128] = "";
        for (const kiosk_flow_ops *const *f = kiosk_flow_all(); *f; f++) {
            size_t used = strlen(known);
            if ((*f)->base)
                snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "",
                         (*f)->name);
        }
        snprintf(err, err_size, "[kiosk] mode '%s' is not available in this version (modes: %s)",
                 cfg->mode, known);
        return KIOSK_ERR_CONFIG;
    }
    for (size_t i = 0; i < cfg->flow_section_count; i++) {
        const kiosk_ini_section *f = &cfg->flow_sections[i];
        const kiosk_flow_ops *ops = kiosk_flow_find(f->name);
        kiosk_setting items[KIOSK_FLOW_SECTION_KEYS];
        kiosk_settings section = kiosk_config_flow_settings(cfg, f->name, items);
        char problem[300] = "";
        kiosk_rc rc = ops && ops->check_settings
                          ? ops->check_settings(&section, problem, sizeof problem)
                          : kiosk_fail(KIOSK_ERR_CONFIG, problem, sizeof problem,
                                       "this mode has no settings of its own");
        if (rc != KIOSK_OK) {
            snprintf(err, err_size, "[%s] %s", f->name, problem);
            return KIOSK_ERR_CONFIG;
        }
    }
    for (int role = 0; role < KIOSK_DEVICE_ROLE_COUNT; role++) {
        const kiosk_device_config *d = &cfg->devices[role];
        if (!d->spec[0]) {
            if (d->option_count) {
                snprintf(err, err_size, "[%s] has options but no device", device_sections[role]);
                return KIOSK_ERR_CONFIG;
            }
            continue;
        }
        drv_option items[KIOSK_DEVICE_OPTIONS];
        for (size_t i = 0; i < d->option_count; i++)
            items[i] = (drv_option){d->options[i].key, d->options[i].value};
        drv_options opts = {items, d->option_count};
        char problem[300];
        kiosk_rc rc = role == KIOSK_DEVICE_PRINTER
                          ? drv_printer_check(d->spec, &opts, problem, sizeof problem)
                          : drv_reader_check(d->spec, &opts, problem, sizeof problem);
        if (rc != KIOSK_OK) {
            snprintf(err, err_size, "[%s] device = %s: %s", device_sections[role], d->spec, problem);
            return KIOSK_ERR_CONFIG;
        }
    }
    if (cfg->card_key_hex[0] && !kiosk_hex_is(cfg->card_key_hex, 64)) {
        snprintf(err, err_size, "[kiosk] card_key must be 64 hexadecimal digits (32 bytes)");
        return KIOSK_ERR_CONFIG;
    }
    if (cfg->rotate % 90 != 0) {
        snprintf(err, err_size, "[display] rotate must be 0, 90, 180 or 270");
        return KIOSK_ERR_CONFIG;
    }
    if (strcmp(cfg->reader_position, "bottom") != 0 && strcmp(cfg->reader_position, "right") != 0) {
        snprintf(err, err_size, "[display] reader_position must be bottom or right");
        return KIOSK_ERR_CONFIG;
    }
    if (!cfg->kiosk_id[0] || !cfg->site.canteen_id[0] || !cfg->database[0]) {
        snprintf(err, err_size, "[kiosk] kiosk_id, canteen_id and database must not be empty");
        return KIOSK_ERR_CONFIG;
    }
    if ((cfg->width == 0) != (cfg->height == 0)) {
        snprintf(err, err_size, "[display] width and height must both be set or both be 0");
        return KIOSK_ERR_CONFIG;
    }
    return KIOSK_OK;
}
