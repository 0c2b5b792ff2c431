/* test_theme.c - every text/background pair of the theme has a WCAG contrast of at least 7:1,
 * and the sizes meet the age-friendly minimums (body >= 36 px, figures >= 96 px, targets
 * >= 120 px at 1080p). */
#include <math.h>

#include "check.h"
#include "theme.h"

static double channel(unsigned v)
{
    double c = v / 255.0;
    return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(unsigned rgb)
{
    return 0.2126 * channel((rgb >> 16) & 0xFF) + 0.7152 * channel((rgb >> 8) & 0xFF) +
           0.0722 * channel(rgb & 0xFF);
}

static double contrast(unsigned a, unsigned b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

int main(void)
{
    static const struct {
        const char *name;
        unsigned fg, bg;
    } pairs[] = {
        {"text on page", THEME_TEXT, THEME_PAGE_BG},
        {"muted text on page", THEME_TEXT_MUTED, THEME_PAGE_BG},
        {"title bar", THEME_ON_DARK, THEME_BAR_BG},
        {"success banner", THEME_ON_SUCCESS, THEME_SUCCESS_BG},
        {"refused banner", THEME_ON_DARK, THEME_REFUSED_BG},
        {"error banner", THEME_ON_DARK, THEME_ERROR_BG},
        {"info banner", THEME_ON_DARK, THEME_INFO_BG},
        {"button", THEME_ON_DARK, THEME_BUTTON_BG},
        {"figures on panel", THEME_FIGURE, THEME_PANEL_BG},
        {"text on panel", THEME_TEXT, THEME_PANEL_BG},
        {"text on card", THEME_TEXT, THEME_CARD_BG},
        {"title-bar button", THEME_ON_DARK, THEME_BAR_BUTTON_BG},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double c = contrast(pairs[i].fg, pairs[i].bg);
        if (c < 7.0)
            fprintf(stderr, "%s: contrast %.2f < 7\n", pairs[i].name, c);
        CHECK(c >= 7.0);
    }
    CHECK(contrast(0xFFFFFF, 0x000000) > 20.9); /* the formula itself: 21:1 */
    /* The result word on every banner and the amount on its panel: 10:1. */
    CHECK(contrast(THEME_ON_SUCCESS, THEME_SUCCESS_BG) >= 10);
    CHECK(contrast(THEME_ON_DARK, THEME_REFUSED_BG) >= 10);
    CHECK(contrast(THEME_ON_DARK, THEME_ERROR_BG) >= 10);
    CHECK(contrast(THEME_ON_DARK, THEME_INFO_BG) >= 10);
    CHECK(contrast(THEME_FIGURE, THEME_PANEL_BG) >= 10);
    /* Success and refusal 3:1 apart in luminance (contrast() is the ratio of luminances). */
    CHECK(contrast(THEME_SUCCESS_BG, THEME_REFUSED_BG) >= 3);
    CHECK(THEME_BODY_PX >= 36 && THEME_COUNTDOWN_PX >= 36 && THEME_TABLE_PX >= 36);
    CHECK(THEME_ROW_VALUE_PX >= 96 && THEME_ROW_EMPHASIS_PX >= 96 && THEME_HEADLINE_PX >= 96);
    CHECK(THEME_TARGET_MIN >= 120);
    CHECK_DONE();
}
