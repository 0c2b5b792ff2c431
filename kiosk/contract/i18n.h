/* i18n.h - the language of the kiosk's words: gettext's domain "kiosk", Chinese as the source
 * language (a msgid is the Chinese text itself), a catalog per language in
 * <locale_dir>/<language>/LC_MESSAGES/kiosk.mo (po/ makes them). Voice clips are recordings and
 * stay Chinese: clip names and ids are never messages. */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <stddef.h>

#include "error.h"

/* N_() marks a word for xgettext where it is defined (a words table); _() translates it where
 * it is used. */
#define N_(msgid) msgid
#define _(msgid)  kiosk_tr(msgid)

#define KIOSK_LANGUAGE_DEFAULT "zh_CN"

/* A translated printf format is still checked against its arguments. */
#if defined(__GNUC__)
#define KIOSK_TR_FORMAT_ARG __attribute__((format_arg(1)))
#else
#define KIOSK_TR_FORMAT_ARG
#endif

/* Whether `language` can be used: one of the languages the kiosk has words for (zh_CN, en),
 * its catalog readable under locale_dir, and a UTF-8 locale for it known to the system (the
 * locales-all package). On failure `err` says which and how to fix it. Changes nothing. */
KIOSK_MUST_CHECK kiosk_rc kiosk_i18n_check(const char *language, const char *locale_dir, char *err,
                                           size_t err_size);

/* Checks as above, then makes `language` the one kiosk_tr answers in: binds the domain to
 * locale_dir with UTF-8 output and sets LC_MESSAGES (only: numbers keep the C format). Call
 * before any thread starts (setlocale is process-wide). */
KIOSK_MUST_CHECK kiosk_rc kiosk_i18n_init(const char *language, const char *locale_dir, char *err,
                                          size_t err_size);

/* The translation of msgid in the current language; msgid itself when there is none (and for
 * "" and NULL: gettext would answer "" with the catalog's header). */
const char *kiosk_tr(const char *msgid) KIOSK_TR_FORMAT_ARG;

/* Counts kiosk_i18n_init calls that succeeded: a translated copy made under an older count is
 * stale. */
unsigned kiosk_i18n_generation(void);

/* Translates a words table: n strings from src into dst (a table is a struct of only
 * `const char *` members, seen as an array; see kiosk_tr_table_of). Strings that are not
 * msgids (clip names) come back unchanged. */
void kiosk_tr_strings(const char *const *src, const char **dst, size_t n);

/* The number of strings in a words struct, with a compile-time check that it is made of
 * nothing but string pointers (no padding, no other members). */
#define KIOSK_TR_COUNT(type)               \
    (sizeof(type) / sizeof(const char *) + \
     0 * sizeof(char[sizeof(type) % sizeof(const char *) == 0 ? 1 : -1]))

#endif
