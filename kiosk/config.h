/* config.h - site settings: compiled defaults, then the INI file, then command-line flags.
 * Every key and its default is listed in README.md ("Configuration"). The core keys are in one
 * table in config.c; a device section ([reader], [idcard], [printer]) holds `device =
 * DRIVER:ARGUMENT` and the driver's own options, which the driver registry validates; the
 * mode names a flow of the flow registry. */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "event.h"
#include "flow.h"
#include "log.h"
#include "roster_csv.h"
#include "sync.h"
#include "types.h"

#define KIOSK_CONFIG_STR 512

#define KIOSK_DEVICE_OPTIONS 16

#define KIOSK_FLOW_SECTIONS     4
#define KIOSK_FLOW_SECTION_KEYS 24

/* A flow's own section ([canteen]): its keys as written, checked by the flow. */
typedef struct kiosk_ini_section {
    char name[32];
    struct {
        char key[64];
        char value[256];
    } items[KIOSK_FLOW_SECTION_KEYS];
    size_t count;
} kiosk_ini_section;

/* One device section: the driver spec and the driver's options, as written. */
typedef struct kiosk_device_config {
    char spec[KIOSK_CONFIG_STR]; /* "DRIVER:ARGUMENT"; "" = none fitted */
    struct {
        char key[64];
        char value[256];
    } options[KIOSK_DEVICE_OPTIONS];
    size_t option_count;
} kiosk_device_config;

typedef struct kiosk_config {
    /* [kiosk] */
    char mode[32]; /* the base flow: "canteen" */
    char kiosk_id[KIOSK_ID_MAX];
    char site_name[128]; /* shown in the title bar, e.g. "鼓楼区长者食堂" */
    kiosk_site site;     /* canteen id and area codes */
    char database[KIOSK_CONFIG_STR];
    char timezone[64];
    char card_key_hex[65]; /* 32-byte key for keyed card hashes */
    char language[16];     /* the words on screen: "zh_CN" or "en" (i18n.h) */
    char locale_dir[KIOSK_CONFIG_STR]; /* where <language>/LC_MESSAGES/kiosk.mo is found */
    /* [display] */
    int width, height; /* 0 = full screen at the display's size */
    bool headless;
    char screenshot_dir[KIOSK_CONFIG_STR]; /* headless: save a PNG after each new screen */
    char font_dir[KIOSK_CONFIG_STR];
    char reader_position[16]; /* where the reader is: "bottom" or "right" */
    int rotate;               /* degrees the picture is turned on the panel: 0, 90, 180, 270 */
    char drm_device[KIOSK_CONFIG_STR]; /* KMSDRM card, e.g. /dev/dri/by-path/...-card */
    char signal_shot[KIOSK_CONFIG_STR]; /* SIGUSR1 saves the screen here ("" = never) */
    /* The panel's diagonal (inches) and the diner's distance from it (cm): every size on screen
     * follows from the visual angle they give (ui.h). */
    double diagonal_in;
    int viewing_cm;
    /* [reader], [idcard], [printer], indexed by kiosk_device_role */
    kiosk_device_config devices[KIOSK_DEVICE_ROLE_COUNT];
    /* [canteen] and the sections of other flows */
    kiosk_ini_section flow_sections[KIOSK_FLOW_SECTIONS];
    size_t flow_section_count;
    /* --commands: sim command lines (time, press, shot, wait, quit ...) from - or a FIFO beside
     * the real devices: the test seam for a kiosk whose reader is not the simulator. */
    char commands[KIOSK_CONFIG_STR];
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
    /* [sync]: the central server (docs/sync.md); without the section the kiosk runs alone */
    kiosk_sync_config sync;
} kiosk_config;

/* What the command line asked for besides settings. */
typedef enum kiosk_action {
    KIOSK_ACTION_RUN,
    KIOSK_ACTION_HELP,
    KIOSK_ACTION_VERSION,
    KIOSK_ACTION_IMPORT_ROSTER,
    KIOSK_ACTION_IMPORT_POLICY,
    KIOSK_ACTION_IMPORT_APPOINTMENTS,
    KIOSK_ACTION_IMPORT_CALENDAR,
    KIOSK_ACTION_EXPORT,
    KIOSK_ACTION_DAY_REPORT,
    KIOSK_ACTION_LIST_DEVICES,
    KIOSK_ACTION_ENROLL,
    KIOSK_ACTION_IMPORT_STAFF, /* staff_cli.h */
    KIOSK_ACTION_AUDIT_VERIFY,
    KIOSK_ACTION_HASH_PIN
} kiosk_action;

typedef struct kiosk_cli {
    kiosk_action action;
    char config_path[KIOSK_CONFIG_STR];
    char action_arg[KIOSK_CONFIG_STR]; /* the file to import, the period to export, the token */
    char output[KIOSK_CONFIG_STR];     /* --output for exports */
    kiosk_roster_mode roster_mode;     /* --mode full|delta with --import-roster; NONE = unsaid */
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
/* The section of flow `flow` as the flow's settings (empty when the file has none); items is the
 * storage the result points into. */
kiosk_settings kiosk_config_flow_settings(const kiosk_config *cfg, const char *flow,
                                          kiosk_setting items[KIOSK_FLOW_SECTION_KEYS]);
/* The INI section name of a device role: "reader", "idcard", "printer". */
const char *kiosk_config_device_section(kiosk_device_role role);
/* Checks a config after all layers applied (the mode against the flow registry, each device
 * against the driver registry); KIOSK_ERR_CONFIG with a message. */
KIOSK_MUST_CHECK kiosk_rc kiosk_config_validate(const kiosk_config *cfg, char *err,
                                                size_t err_size);

#endif
