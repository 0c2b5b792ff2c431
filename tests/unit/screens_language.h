/* screens_language.h - the screens tests run again in another language (`test_x ROOT LANG
 * LOCALE_DIR SHOTS_DIR`): the flows' words come from LANG's catalog, every structural check of
 * the test still applies (no overlaps, sizes, no missing glyph, nothing clipped), and instead of
 * the Chinese golden images each frame is written to SHOTS_DIR/<name>.png to be looked at.
 * (Names, the site, services and waiting areas are data and stay as configured; that no word is
 * left out of the catalog is tests/i18n/check_words.py's business.) */
#ifndef SCREENS_LANGUAGE_H
#define SCREENS_LANGUAGE_H

#include <SDL_image.h>
#include <stdio.h>

#include "check.h"
#include "i18n.h"
#include "view.h"

static const char *screens_lang;  /* NULL: Chinese, compared with the golden images */
static const char *screens_shots; /* where the frames go in another language */

/* Reads the optional arguments; in another language also writes the frame's date in it (the
 * tests' fixed Monday 23 November 2026). */
static inline void screens_language_setup(int argc, char **argv, kiosk_frame *frame)
{
    if (argc < 5)
        return;
    char err[512];
    CHECK_INT(kiosk_i18n_init(argv[2], argv[3], err, sizeof err), KIOSK_OK);
    screens_lang = argv[2];
    screens_shots = argv[4];
    snprintf(frame->date_text, sizeof frame->date_text, _("%1$d年%2$d月%3$d日 %4$s"), 2026, 11, 23,
             _("星期一"));
}

/* The English counterpart of age_check_result_words' 20 characters a line: a result screen's
 * headline, name line and advice at most 15 words (three lines of about five). */
static inline void screens_english_result_words(const char *name, const kiosk_view *v)
{
    if (v->layout != KIOSK_LAYOUT_RESULT)
        return;
    int words = 0;
    const char *parts[] = {v->headline, v->name, v->advice};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        for (const char *s = parts[i]; *s; s++)
            if (*s != ' ' && (s == parts[i] || s[-1] == ' '))
                words++;
    if (words > 15)
        fprintf(stderr, "%s: %d words on a result screen\n", name, words);
    CHECK(words <= 15);
}

/* The Chinese rules of the view (age_check_result_words) in Chinese, their English
 * counterpart otherwise. */
#define SCREENS_CHECK_RESULT_WORDS(v, name) \
    (screens_lang ? screens_english_result_words(name, v) : age_check_result_words(v, name))

/* In another language: writes the frame for a person to look at and answers true (there is no
 * golden image to compare with); false when the test is in Chinese. */
static inline bool screens_language_keep(const char *name, SDL_Surface *actual)
{
    if (!screens_lang)
        return false;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.png", screens_shots, name);
    CHECK_INT(IMG_SavePNG(actual, path), 0);
    return true;
}

#endif
