/* i18n.c - gettext for the kiosk's words (i18n.h). */
#define _POSIX_C_SOURCE 200809L /* newlocale, setenv */

#include "i18n.h"

#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KIOSK_TEXT_DOMAIN "kiosk"

typedef struct language {
    const char *name;
    /* UTF-8 locales that carry it, tried in order; any one will do since only LC_MESSAGES
     * changes. */
    const char *locales[3];
} language;

static const language languages[] = {
    {"zh_CN", {"zh_CN.UTF-8", "zh_CN.utf8", NULL}},
    {"en", {"en_US.UTF-8", "en_GB.UTF-8", "C.UTF-8"}},
};

static unsigned generation;

static const language *find_language(const char *name)
{
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(languages[i].name, name) == 0)
            return &languages[i];
    return NULL;
}

/* The first of the language's locales the system has (asked without changing anything). */
static const char *system_locale(const language *l)
{
    for (size_t i = 0; i < sizeof l->locales / sizeof l->locales[0] && l->locales[i]; i++) {
        locale_t loc = newlocale(LC_MESSAGES_MASK, l->locales[i], (locale_t)0);
        if (loc) {
            freelocale(loc);
            return l->locales[i];
        }
    }
    return NULL;
}

kiosk_rc kiosk_i18n_check(const char *name, const char *locale_dir, char *err, size_t err_size)
{
    const language *l = find_language(name);
    if (!l)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[kiosk] language '%s' is not one of zh_CN, en", name);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", locale_dir, l->name, KIOSK_TEXT_DOMAIN);
    if (access(path, R_OK) != 0)
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[kiosk] language '%s': no catalog %s (is the kiosk installed, or "
                          "[kiosk] locale_dir right?)",
                          name, path);
    if (!system_locale(l))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[kiosk] language '%s': the system has no %s locale (install the "
                          "locales-all package)",
                          name, l->locales[0]);
    return KIOSK_OK;
}

kiosk_rc kiosk_i18n_init(const char *name, const char *locale_dir, char *err, size_t err_size)
{
    kiosk_rc rc = kiosk_i18n_check(name, locale_dir, err, err_size);
    if (rc != KIOSK_OK)
        return rc;
    const language *l = find_language(name);
    /* LANGUAGE outranks LC_MESSAGES in glibc's gettext: pin it to the configured language so an
     * inherited environment cannot pick another catalog. */
    if (setenv("LANGUAGE", l->name, 1) != 0 || !setlocale(LC_MESSAGES, system_locale(l)) ||
        !bindtextdomain(KIOSK_TEXT_DOMAIN, locale_dir) ||
        !bind_textdomain_codeset(KIOSK_TEXT_DOMAIN, "UTF-8"))
        return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                          "[kiosk] language '%s': the system refused its locale", name);
    generation++;
    return KIOSK_OK;
}

const char *kiosk_tr(const char *msgid)
{
    if (!msgid || !msgid[0])
        return msgid;
    return dgettext(KIOSK_TEXT_DOMAIN, msgid);
}

unsigned kiosk_i18n_generation(void)
{
    return generation;
}

void kiosk_tr_strings(const char *const *src, const char **dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = kiosk_tr(src[i]);
}
