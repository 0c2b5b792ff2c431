/* test_config.c - defaults, INI loading, errors naming file and line, flags over the file. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static const char *dir;

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_defaults(void)
{
    kiosk_config c;
    kiosk_config_defaults(&c);
    CHECK_STR(c.mode, "canteen");
    CHECK_STR(c.timezone, "Asia/Shanghai");
    CHECK_STR(c.devices[KIOSK_DEVICE_READER].spec, "sim:-");
    CHECK_STR(c.devices[KIOSK_DEVICE_PRINTER].spec, "");
    CHECK_INT(c.result_seconds, 8);
    CHECK_INT(c.repeat_tap_seconds, 10);
    CHECK_INT(c.volume, 80);
    /* The panel the sizes are worked out for when none is declared: 21.5" seen from 60 cm. */
    CHECK(c.diagonal_in == 21.5);
    CHECK_INT(c.viewing_cm, 60);
    char err[256];
    CHECK_INT(kiosk_config_validate(&c, err, sizeof err), KIOSK_OK);
}

static void test_file(void)
{
    kiosk_config c;
    char err[256] = "";
    kiosk_config_defaults(&c);
    const char *path = write_file("good.ini", "; a comment\n[kiosk]\nkiosk_id = k-7\n"
                                              "canteen_id = gulou-3\narea_district = 320106\n"
                                              "[display]\nwidth = 1280\nheight = 800\n"
                                              "diagonal_in = 15.6\nviewing_cm = 45\n"
                                              "[voice]\nvolume = 55\nenabled = false\n"
                                              "[log]\nlevel = debug\n");
    CHECK_INT(kiosk_config_load(&c, path, err, sizeof err), KIOSK_OK);
    CHECK_STR(c.kiosk_id, "k-7");
    CHECK_STR(c.site.canteen_id, "gulou-3");
    CHECK_STR(c.site.area.district, "320106");
    CHECK_INT(c.width, 1280);
    CHECK(c.diagonal_in == 15.6);
    CHECK_INT(c.viewing_cm, 45);
    CHECK_INT(c.volume, 55);
    CHECK(!c.voice_enabled);
    CHECK_INT(c.log_level, KIOSK_LOG_DEBUG);

    struct {
        const char *text, *expect;
    } bad[] = {
        {"[voice]\nvolume = 101\n", "bad.ini:2: volume must be an integer from 0 to 100"},
        {"[voice]\nvolume = loud\n", "bad.ini:2: volume must be an integer"},
        {"[kiosk]\n\ncolour = red\n", "bad.ini:3: unknown key 'colour' in section [kiosk]"},
        {"[display]\nheadless = maybe\n", "bad.ini:2: headless must be true or false"},
        {"[kiosk\n", "bad.ini:1: syntax error"},
        {"[log]\nlevel = loud\n", "bad.ini:2: level must be error"},
        /* A wrong panel size would make every size on it wrong: refused, not guessed. */
        {"[display]\ndiagonal_in = 4.9\n",
         "bad.ini:2: diagonal_in must be a number from 5 to 100 (such as 21.5), not '4.9'"},
        {"[display]\ndiagonal_in = 101\n", "bad.ini:2: diagonal_in must be a number from 5"},
        {"[display]\ndiagonal_in = 21.5\"\n", "bad.ini:2: diagonal_in must be a number"},
        {"[display]\ndiagonal_in = 2e1\n", "bad.ini:2: diagonal_in must be a number"},
        {"[display]\ndiagonal_in = -21.5\n", "bad.ini:2: diagonal_in must be a number"},
        {"[display]\ndiagonal_in = 21.\n", "bad.ini:2: diagonal_in must be a number"},
        {"[display]\ndiagonal_in = \n", "bad.ini:2: diagonal_in must be a number"},
        {"[display]\nviewing_cm = 19\n", "bad.ini:2: viewing_cm must be an integer from 20 to 300"},
        {"[display]\nviewing_cm = 60.5\n", "bad.ini:2: viewing_cm must be an integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_config_defaults(&c);
        path = write_file("bad.ini", bad[i].text);
        err[0] = '\0';
        CHECK_INT(kiosk_config_load(&c, path, err, sizeof err), KIOSK_ERR_CONFIG);
        CHECK(strstr(err, bad[i].expect) != NULL);
        if (!strstr(err, bad[i].expect))
            fprintf(stderr, "  got: %s\n  want: %s\n", err, bad[i].expect);
    }
    kiosk_config_defaults(&c);
    CHECK_INT(kiosk_config_load(&c, "/nonexistent/kiosk.ini", err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "/nonexistent/kiosk.ini: cannot open") != NULL);
}

static void test_args(void)
{
    kiosk_config c;
    kiosk_cli cli;
    char err[256] = "";
    const char *path = write_file("args.ini", "[reader]\ndevice = sim:/tmp/fifo\n"
                                              "[timing]\nresult_seconds = 5\n");
    char *argv1[] = {"kiosk",  "--reader",  "sim:-",    "--config", (char *)path, "--headless",
                     "--size", "1080x1920", "--events", "ev.jsonl", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 10, argv1, err, sizeof err), KIOSK_OK);
    /* the flag wins over the file wherever it appears */
    CHECK_STR(c.devices[KIOSK_DEVICE_READER].spec, "sim:-");
    CHECK_INT(c.result_seconds, 5);
    CHECK(c.headless);
    CHECK_INT(c.width, 1080);
    CHECK_INT(c.height, 1920);
    CHECK_STR(c.events, "ev.jsonl");
    CHECK_INT(cli.action, KIOSK_ACTION_RUN);

    char *argv2[] = {"kiosk", "--size", "big", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv2, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "--size") != NULL);
    char *argv3[] = {"kiosk", "--frobnicate", "1", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv3, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "--frobnicate: unknown option") != NULL);
    char *argv4[] = {"kiosk", "--help", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 2, argv4, err, sizeof err), KIOSK_OK);
    CHECK_INT(cli.action, KIOSK_ACTION_HELP);
    char *argv5[] = {"kiosk", "--import-roster", "r.csv", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv5, err, sizeof err), KIOSK_OK);
    CHECK_INT(cli.action, KIOSK_ACTION_IMPORT_ROSTER);
    CHECK_STR(cli.action_arg, "r.csv");
    /* Device names are checked by the driver registry, not by a prefix in config.c. */
    char *argv6[] = {"kiosk", "--reader", "usb:1", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv6, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "[reader] device = usb:1: no driver 'usb' (known: sim") != NULL);
    char *argv6b[] = {"kiosk", "--printer", "laser:/dev/lp0", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv6b, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "[printer] device = laser:/dev/lp0: no driver 'laser'") != NULL);
    char *argv6c[] = {"kiosk", "--reader", "sim:", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv6c, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "sim needs -") != NULL);
    /* A device section's other keys are the driver's options, which it checks. */
    path = write_file("opts.ini", "[reader]\ndevice = sim:-\nspeed = 9600\n");
    char *argv6d[] = {"kiosk", "--config", (char *)path, NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv6d, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "sim takes no option 'speed'") != NULL);
    /* The mode names a flow of the registry. */
    char *argv6e[] = {"kiosk", "--mode", "bank", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv6e, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(err, "mode 'bank' is not available in this version (modes: canteen") != NULL);
    char *argv6f[] = {"kiosk", "--list-devices", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 2, argv6f, err, sizeof err), KIOSK_OK);
    CHECK_INT(cli.action, KIOSK_ACTION_LIST_DEVICES);
    char *argv7[] = {"kiosk", "--config", "/nonexistent.ini", NULL};
    CHECK_INT(kiosk_config_from_args(&c, &cli, 3, argv7, err, sizeof err), KIOSK_ERR_CONFIG);
    CHECK(strstr(kiosk_config_usage(), "--headless") != NULL);
}

int main(void)
{
    if (!(dir = check_scratch_dir("kiosk-config")))
        return 1;
    test_defaults();
    test_file();
    test_args();
    check_scratch_remove(dir);
    CHECK_DONE();
}
