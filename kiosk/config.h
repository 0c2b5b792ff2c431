/* config.h - site settings: compiled defaults, then the INI file, then command-line flags.
 * Every key and its default is listed in docs/config.md and in kiosk.ini.sample. */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "log.h"
#include "policy.h"

#define KIOSK_CONFIG_STR 512

typedef enum kiosk_mode { KIOSK_MODE_CANTEEN, KIOSK_MODE_MARRIAGE } kiosk_mode;

typedef struct kiosk_config {
    /* [kiosk] */
    kiosk_mode mode;
    char kiosk_id[KIOSK_ID_MAX];
    char site_name[128]; /* shown in the title bar, e.g. "鼓楼区长者食堂" */
    kiosk_site site;     /* canteen id and area codes */
    char database[KIOSK_CONFIG_STR];
    char timezone[64];
    char card_key_hex[65]; /* 32-byte key for keyed card hashes */
    /* [display] */
    int width, height; /* 0 = full screen at the display's size */
    bool headless;
    char screenshot_dir[KIOSK_CONFIG_STR]; /* headless: save a PNG after each new screen */
    char font_dir[KIOSK_CONFIG_STR];
    char reader_position[16]; /* where the reader is: "bottom" or "right" */
    /* [reader] */
    char reader[KIOSK_CONFIG_STR]; /* "sim:-", "sim:PATH", later "nfc:..." */
    /* [voice] */
    bool voice_enabled;
    int volume; /* 0..100 */
    char voice_dir[KIOSK_CONFIG_STR];
    /* [timing] */
    int result_seconds;     /* result screen back to idle */
    int repeat_tap_seconds; /* the same card again within this shows the same result */
    /* [log] */
    kiosk_log_level log_level;
    bool log_syslog;
    char events[KIOSK_CONFIG_STR]; /* JSON lines outcome log, "" = none */
} kiosk_config;

/* What the command line asked for besides settings. */
typedef enum kiosk_action {
    KIOSK_ACTION_RUN,
    KIOSK_ACTION_HELP,
    KIOSK_ACTION_VERSION,
    KIOSK_ACTION_IMPORT_ROSTER,
    KIOSK_ACTION_IMPORT_POLICY,
    KIOSK_ACTION_EXPORT,
    KIOSK_ACTION_DAY_REPORT
} kiosk_action;

typedef struct kiosk_cli {
    kiosk_action action;
    char config_path[KIOSK_CONFIG_STR];
    char action_arg[KIOSK_CONFIG_STR]; /* the file to import, or the period to export */
    char output[KIOSK_CONFIG_STR];     /* --output for exports */
} kiosk_cli;

/* Fills *cfg with the compiled defaults. */
void kiosk_config_defaults(kiosk_config *cfg);
/* Reads an INI file over *cfg. On error returns KIOSK_ERR_CONFIG with "FILE:LINE: problem" in
 * err. A missing file is an error too (the caller decides whether a file was asked for). */
KIOSK_MUST_CHECK kiosk_rc kiosk_config_load(kiosk_config *cfg, const char *path, char *err,
                                            size_t err_size);
/* Parses argv: --config is applied first (defaults, then the file), then the other flags.
 * KIOSK_ERR_CONFIG with a message in err on a bad flag or file. */
KIOSK_MUST_CHECK kiosk_rc kiosk_config_from_args(kiosk_config *cfg, kiosk_cli *cli, int argc,
                                                 char **argv, char *err, size_t err_size);
/* The --help text. */
const char *kiosk_config_usage(void);
/* Checks a config after all layers applied; KIOSK_ERR_CONFIG with a message. */
KIOSK_MUST_CHECK kiosk_rc kiosk_config_validate(const kiosk_config *cfg, char *err,
                                                size_t err_size);

#endif
